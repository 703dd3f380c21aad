//! Deduplicate stage: republications of one article within a language.
//!
//! Each article gets a small [`DupSig`] in the parallel map (a hash of the whole text and hashes of its
//! paragraphs), and [`find_duplicates`] compares signatures corpus-wide: an article repeats an earlier one
//! (in source order), whatever language label each got, when the texts are equal, or when almost all of the shorter one's paragraphs stand in
//! the longer one (a copy that lost its last paragraph).

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
}

/// The signature of a normalised text (paragraphs separated by a blank line).
pub fn signature(lang: &str, text: &str) -> DupSig {
    let mut paragraphs: Vec<u64> = text.split("\n\n").map(|p| xxh3_64(p.trim().as_bytes())).collect();
    paragraphs.sort_unstable();
    paragraphs.dedup();
    DupSig { lang: lang.to_string(), hash: xxh3_64(text.as_bytes()), paragraphs }
}

/// For each article (in source order), the index of the earlier article it duplicates.
pub fn find_duplicates(sigs: &[DupSig]) -> Vec<Option<usize>> {
    let mut out = vec![None; sigs.len()];
    let mut first_by_hash: HashMap<u64, usize> = HashMap::new();
    let mut by_paragraph: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, s) in sigs.iter().enumerate() {
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
            .max_by_key(|&(j, n)| (n, std::cmp::Reverse(j)));
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
    use super::*;

    #[test]
    fn exact_and_shortened_copies_point_to_the_first() {
        let a = "One para.\n\nTwo para.\n\nThree para.\n\nFour para.";
        let sigs = vec![
            signature("eng_Latn", a),
            signature("eng_Latn", "Another story.\n\nWith its own text."),
            signature("eng_Latn", a),
            signature("eng_Latn", "One para.\n\nTwo para.\n\nThree para."),
        ];
        assert_eq!(find_duplicates(&sigs), [None, None, Some(0), Some(0)]);
    }

    #[test]
    fn a_shared_background_paragraph_is_not_a_duplicate() {
        let sigs = vec![
            signature("eng_Latn", "Background paragraph.\n\nStory A one.\n\nStory A two."),
            signature("eng_Latn", "Background paragraph.\n\nStory B one.\n\nStory B two."),
        ];
        assert_eq!(find_duplicates(&sigs), [None, None]);
    }

    #[test]
    fn a_copy_is_a_copy_whatever_language_label_it_got() {
        // Identical text is one language; look-alike labels (srp/hrv) must not hide a republication.
        let sigs = vec![signature("srp_Latn", "Isti tekst.\n\nDrugi."), signature("hrv_Latn", "Isti tekst.\n\nDrugi.")];
        assert_eq!(find_duplicates(&sigs), [None, Some(0)]);
    }
}
