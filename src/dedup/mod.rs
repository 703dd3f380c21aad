//! Deduplicate stage: republications of one article within a language.
//!
//! Each article gets a small [`DupSig`] in the parallel map (a hash of the whole text and hashes of its
//! paragraphs), and [`find_duplicates`] compares signatures corpus-wide: an article repeats another, whatever
//! language label each got, when the texts are equal, or when almost all of the shorter one's paragraphs stand
//! in the longer one (a copy that lost its last paragraph).
//!
//! Which member of a group of copies is kept as the original: the latest published, when the pages carry a
//! publishing time. A service that posts a story again under a new id makes the new page the live one (the
//! one the site links to and updates); the earlier page is the stale copy, and `dup_of` points from it to
//! the page that superseded it. This is also how the benchmark's gold reads republications (docs/alignment.md,
//! "Duplicates"). Articles without a time (text dumps) follow the dated ones, in source order, so of two
//! undated copies the first file is kept.

use std::cmp::Reverse;
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64;

/// Share of the shorter article's paragraphs that must stand in the other for a near-verbatim copy.
const MIN_CONTAINMENT: f64 = 0.8;

/// What deduplication keeps per article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DupSig {
    pub lang: String,
    pub hash: u64,
    /// Sorted, distinct hashes of the paragraphs.
    pub paragraphs: Vec<u64>,
    /// Publishing time (Unix seconds), when the page gives one: it decides which copy is kept.
    pub published: Option<i64>,
    /// The article's `source_file` when it was read from inside a tar archive (`<archive>/<member>`), so
    /// that of undated copies the first by member name is kept, as from the unpacked folder, in whatever
    /// order the archive was packed.
    pub member: Option<Box<str>>,
}

/// The signature of a normalised text (paragraphs separated by a blank line) published at `published`.
pub fn signature(lang: &str, text: &str, published: Option<i64>) -> DupSig {
    let mut paragraphs: Vec<u64> = text.split("\n\n").map(|p| xxh3_64(p.trim().as_bytes())).collect();
    paragraphs.sort_unstable();
    paragraphs.dedup();
    DupSig { lang: lang.to_string(), hash: xxh3_64(text.as_bytes()), paragraphs, published, member: None }
}

/// For each article (in source order), the index of the article it duplicates, which is kept as the original.
/// `files` gives each article's input file (its index among the inputs).
///
/// Articles are taken in order of precedence, latest published first and undated ones last in source order
/// (by input file, then by member name inside a tar archive, then in output order); each is compared with
/// those taken before it, so the original of a group is the one taken first.
pub fn find_duplicates(sigs: &[DupSig], files: &[u32]) -> Vec<Option<usize>> {
    assert_eq!(sigs.len(), files.len(), "one input file per signature");
    let mut out = vec![None; sigs.len()];
    let mut first_by_hash: HashMap<u64, usize> = HashMap::new();
    let mut by_paragraph: HashMap<u64, Vec<usize>> = HashMap::new();
    let mut order: Vec<usize> = (0..sigs.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| (Reverse(sigs[i].published.unwrap_or(i64::MIN)), files[i], sigs[i].member.as_deref(), i);
        key(a).cmp(&key(b))
    });
    let mut rank = vec![0; sigs.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r;
    }
    for &i in &order {
        let s = &sigs[i];
        if let Some(&j) = first_by_hash.get(&s.hash) {
            out[i] = Some(j);
            continue;
        }
        // Near copies: count shared paragraphs with earlier originals.
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for p in &s.paragraphs {
            if let Some(js) = by_paragraph.get(p) {
                for &j in js {
                    *shared.entry(j).or_insert(0) += 1;
                }
            }
        }
        let best = shared
            .into_iter()
            .filter(|&(j, n)| {
                let smaller = s.paragraphs.len().min(sigs[j].paragraphs.len()).max(1);
                smaller >= 2 && n as f64 / smaller as f64 >= MIN_CONTAINMENT
            })
            .max_by_key(|&(j, n)| (n, Reverse(rank[j])));
        if let Some((j, _)) = best {
            out[i] = Some(j);
            continue;
        }
        first_by_hash.entry(s.hash).or_insert(i);
        for p in &s.paragraphs {
            by_paragraph.entry(*p).or_default().push(i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn of_undated_copies_inside_an_archive_the_first_by_member_name_is_kept() {
        let copy = |member: Option<&str>| DupSig {
            member: member.map(Into::into),
            ..signature("eng_Latn", "Same text.\n\nTwo.", None)
        };
        // One archive packed z before a: the copy named first is kept, as from the unpacked folder.
        let packed = [copy(Some("day.tar/z.txt")), copy(Some("day.tar/a.txt"))];
        assert_eq!(find_duplicates(&packed, &[3, 3]), [Some(1), None]);
        // Plain files, and members of two archives: input order.
        assert_eq!(find_duplicates(&[copy(None), copy(None)], &[0, 1]), [None, Some(0)]);
        let two = [copy(Some("b.tar/a.txt")), copy(Some("c.tar/0.txt"))];
        assert_eq!(find_duplicates(&two, &[1, 2]), [None, Some(0)]);
        // A dated copy still wins.
        let dated = [copy(Some("day.tar/z.txt")), DupSig { published: Some(5), ..copy(Some("day.tar/m.txt")) }];
        assert_eq!(find_duplicates(&dated, &[3, 3]), [Some(1), None]);
    }

    use super::*;

    #[test]
    fn exact_and_shortened_copies_point_to_the_first() {
        let a = "One para.\n\nTwo para.\n\nThree para.\n\nFour para.";
        let sigs = vec![
            signature("eng_Latn", a, None),
            signature("eng_Latn", "Another story.\n\nWith its own text.", None),
            signature("eng_Latn", a, None),
            signature("eng_Latn", "One para.\n\nTwo para.\n\nThree para.", None),
        ];
        assert_eq!(find_duplicates(&sigs, &vec![0; sigs.len()]), [None, None, Some(0), Some(0)]);
    }

    #[test]
    fn of_dated_copies_the_latest_is_kept_and_undated_ones_follow_in_source_order() {
        let a = "Same story.\n\nSame second paragraph.\n\nSame third.";
        let short = "Same story.\n\nSame second paragraph.";
        let hour = 3600;
        let sigs = vec![
            signature("eng_Latn", a, Some(10 * hour)), // first in source order, published first
            signature("eng_Latn", a, None),            // undated: after every dated copy
            signature("eng_Latn", a, Some(12 * hour)), // the latest: the live page, kept
            signature("eng_Latn", short, Some(11 * hour)), // a shortened copy in between
            signature("eng_Latn", a, Some(12 * hour)), // same time as the kept one: source order decides
        ];
        assert_eq!(find_duplicates(&sigs, &vec![0; sigs.len()]), [Some(2), Some(2), None, Some(2), Some(2)]);
        // Undated copies keep the first file, as before.
        let undated = vec![signature("eng_Latn", a, None), signature("eng_Latn", a, None)];
        assert_eq!(find_duplicates(&undated, &vec![0; undated.len()]), [None, Some(0)]);
    }

    #[test]
    fn a_shared_background_paragraph_is_not_a_duplicate() {
        let sigs = vec![
            signature("eng_Latn", "Background paragraph.\n\nStory A one.\n\nStory A two.", None),
            signature("eng_Latn", "Background paragraph.\n\nStory B one.\n\nStory B two.", None),
        ];
        assert_eq!(find_duplicates(&sigs, &vec![0; sigs.len()]), [None, None]);
    }

    #[test]
    fn a_copy_is_a_copy_whatever_language_label_it_got() {
        // Identical text is one language; look-alike labels (srp/hrv) must not hide a republication.
        let sigs = vec![
            signature("srp_Latn", "Isti tekst.\n\nDrugi.", None),
            signature("hrv_Latn", "Isti tekst.\n\nDrugi.", None),
        ];
        assert_eq!(find_duplicates(&sigs, &vec![0; sigs.len()]), [None, Some(0)]);
    }
}
