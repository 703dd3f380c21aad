//! Sentence alignment inside one aligned pair: Gale–Church length model plus evidence anchors.
//!
//! A dynamic programme over the two sentence lists chooses links of shape 1-1, 1-0, 0-1, 2-1 and 1-2.
//! Each link costs the improbability of its length ratio (character counts, scaled by the pair's overall
//! ratio, so a wordy language is not penalised), a prior for its shape, minus the weight of numbers and
//! name keys both sides share, plus a penalty for numbers one side has and the other side has elsewhere.
//! The anchors are what keeps dropped sentences (adaptations) from shifting every later link.

use super::evidence::{kind, text_keys_with_stems, Kind, STEM_BIT};
use super::SentenceLink;

/// Documents larger than this many cells (sentences × sentences) are not sentence-aligned (memory bound).
const MAX_CELLS: usize = 1_000_000;
/// Variance of the length difference per character (Gale & Church 1993).
const VARIANCE: f64 = 6.8;

/// The moves of the programme: sentences taken from each side, and the shape's prior cost (−ln p).
const MOVES: [(usize, usize, f64); 5] = [(1, 1, 0.0), (1, 0, 2.0), (0, 1, 2.0), (2, 1, 3.5), (1, 2, 3.5)];

/// Standard normal upper tail, 2·(1 − Φ(|z|)), via the Abramowitz–Stegun erfc approximation.
fn two_tail(z: f64) -> f64 {
    let x = z.abs() / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x);
    let erfc = t
        * (-x * x - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886187
                                + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    erfc.clamp(1e-12, 1.0)
}

fn length_cost(la: f64, lb: f64, ratio: f64) -> f64 {
    if la == 0.0 && lb == 0.0 {
        return 0.0;
    }
    let mean = (la + lb / ratio) / 2.0;
    let z = (lb - la * ratio) / (VARIANCE * mean.max(1.0)).sqrt();
    -two_tail(z).ln()
}

/// A sentence's length and evidence keys, stem anchors included ([`text_keys_with_stems`]).
struct Sent {
    len: f64,
    keys: Vec<u64>,
}

fn sents(list: &[String], lang: &str) -> Vec<Sent> {
    list.iter().map(|s| Sent { len: s.chars().count() as f64, keys: text_keys_with_stems(s, lang) }).collect()
}

/// Links the sentences of two versions of a story. Indices are 0-based; a range "3-4" is a 2-sentence side;
/// an empty side is a sentence the other version does not have. `lang_*` are FLORES codes (spelling rules of
/// the name keys only).
pub fn align_sentences(a: &[String], lang_a: &str, b: &[String], lang_b: &str) -> Vec<SentenceLink> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 || (n + 1) * (m + 1) > MAX_CELLS {
        return Vec::new();
    }
    let sa = sents(a, lang_a);
    let sb = sents(b, lang_b);
    let total_a: f64 = sa.iter().map(|s| s.len).sum();
    let total_b: f64 = sb.iter().map(|s| s.len).sum();
    let ratio = if total_a > 0.0 && total_b > 0.0 { total_b / total_a } else { 1.0 };
    let first = dp(&sa, &sb, ratio);
    // Added or dropped sentences skew the overall length ratio; re-estimate it from the 1-1 links.
    let (mut la, mut lb, mut ones) = (0.0, 0.0, 0);
    for l in &first {
        if let (Some(x), Some(y)) = (l.sent_a.parse::<usize>().ok(), l.sent_b.parse::<usize>().ok()) {
            la += sa[x].len;
            lb += sb[y].len;
            ones += 1;
        }
    }
    if ones >= 2 && la > 0.0 && lb > 0.0 && ((lb / la) / ratio - 1.0).abs() > 0.05 {
        return dp(&sa, &sb, lb / la);
    }
    first
}

fn dp(sa: &[Sent], sb: &[Sent], ratio: f64) -> Vec<SentenceLink> {
    let (n, m) = (sa.len(), sb.len());
    // How many sentences of each side hold a key: a key in one sentence per side is a strong anchor.
    let mut count: std::collections::HashMap<u64, (u32, u32)> = std::collections::HashMap::new();
    for s in sa {
        for &k in &s.keys {
            count.entry(k).or_default().0 += 1;
        }
    }
    for s in sb {
        for &k in &s.keys {
            count.entry(k).or_default().1 += 1;
        }
    }
    let weight = |k: u64| -> f64 {
        let (x, y) = count.get(&k).copied().unwrap_or((0, 0));
        if x == 0 || y == 0 {
            return 0.0;
        }
        let base = match kind(k) {
            Kind::Number => 3.0,
            Kind::Name if k & STEM_BIT != 0 => 0.75,
            _ => 1.5,
        };
        base / (x.max(y) as f64)
    };
    // Only keys both sides hold can pull or push (any other key weighs 0): each sentence keeps just those,
    // with their weights, so a cell of the programme merges two short lists.
    let cross = |side: &[Sent]| -> Vec<Vec<(u64, f64)>> {
        side.iter().map(|s| s.keys.iter().map(|&k| (k, weight(k))).filter(|&(_, w)| w > 0.0).collect()).collect()
    };
    let (ca, cb) = (cross(sa), cross(sb));
    // A segment's keys: one sentence's list, or the union of two (sorted, distinct).
    fn segment<'a>(
        side: &'a [Vec<(u64, f64)>],
        from: usize,
        len: usize,
        buf: &'a mut Vec<(u64, f64)>,
    ) -> &'a [(u64, f64)] {
        if len == 1 {
            return &side[from];
        }
        buf.clear();
        buf.extend(side[from..from + len].iter().flatten().copied());
        buf.sort_unstable_by_key(|e| e.0);
        buf.dedup_by_key(|e| e.0);
        buf
    }
    // Shared keys pull a link together; a key this segment has and the other document has elsewhere
    // pushes it apart (that sentence belongs with another one), which is what stops a dropped sentence
    // from being glued onto its neighbour's link. Every listed key is held by the other side somewhere, so
    // the bonus is shared − (own − shared) − (other's − shared).
    let anchor = |ka: &[(u64, f64)], kb: &[(u64, f64)]| -> f64 {
        let (mut x, mut y, mut shared) = (0, 0, 0.0);
        while x < ka.len() && y < kb.len() {
            match ka[x].0.cmp(&kb[y].0) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    shared += ka[x].1;
                    x += 1;
                    y += 1;
                }
            }
        }
        let own: f64 = ka.iter().map(|e| e.1).sum();
        let other: f64 = kb.iter().map(|e| e.1).sum();
        3.0 * shared - own - other
    };
    let (mut buf_a, mut buf_b) = (Vec::new(), Vec::new());
    let w = m + 1;
    let mut cost = vec![f64::INFINITY; (n + 1) * w];
    let mut back = vec![(0u8, 0.0f64); (n + 1) * w];
    cost[0] = 0.0;
    for i in 0..=n {
        for j in 0..=m {
            let here = cost[i * w + j];
            if !here.is_finite() {
                continue;
            }
            for (mv, &(da, db, prior)) in MOVES.iter().enumerate() {
                if i + da > n || j + db > m {
                    continue;
                }
                let la: f64 = sa[i..i + da].iter().map(|s| s.len).sum();
                let lb: f64 = sb[j..j + db].iter().map(|s| s.len).sum();
                // A sentence one version lacks costs its prior only: its length says nothing.
                let mut c = prior;
                if da > 0 && db > 0 {
                    let ka = segment(&ca, i, da, &mut buf_a);
                    let kb = segment(&cb, j, db, &mut buf_b);
                    c += length_cost(la, lb, ratio) - anchor(ka, kb);
                }
                let cell = (i + da) * w + j + db;
                if here + c < cost[cell] {
                    cost[cell] = here + c;
                    back[cell] = (mv as u8, c);
                }
            }
        }
    }
    let mut links = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let (mv, c) = back[i * w + j];
        let (da, db, _) = MOVES[mv as usize];
        i -= da;
        j -= db;
        let range = |from: usize, len: usize| match len {
            0 => String::new(),
            1 => from.to_string(),
            _ => format!("{}-{}", from, from + len - 1),
        };
        links.push(SentenceLink {
            sent_a: range(i, da),
            sent_b: range(j, db),
            score: ((-c.max(0.0) / 4.0).exp() * 1000.0).round() / 1000.0,
        });
    }
    links.reverse();
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn shape(links: &[SentenceLink]) -> Vec<(String, String)> {
        links.iter().map(|l| (l.sent_a.clone(), l.sent_b.clone())).collect()
    }

    #[test]
    fn a_dropped_and_a_merged_sentence() {
        let en = s(&[
            "Officials said 390 prisoners were released on Tuesday in Tashkent.",
            "The decision was announced by the ministry after a long meeting.",
            "Critics said the move came too late for many families.",
            "Another 14 people remain in custody, according to lawyers.",
            "Maria Zakharova commented on the release in Moscow.",
        ]);
        // The Russian version drops the third sentence and merges the last two into one.
        let ru = s(&[
            "Официальные лица заявили, что во вторник в Ташкенте были освобождены 390 заключенных.",
            "Решение было объявлено министерством после долгого совещания.",
            "Еще 14 человек остаются под стражей, по словам адвокатов, а Мария Захарова прокомментировала освобождение в Москве.",
        ]);
        let links = align_sentences(&en, "eng_Latn", &ru, "rus_Cyrl");
        let want: Vec<(String, String)> = [("0", "0"), ("1", "1"), ("2", ""), ("3-4", "2")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(shape(&links), want);
        assert!(links.iter().all(|l| (0.0..=1.0).contains(&l.score)));
    }

    #[test]
    fn an_added_sentence_is_a_zero_to_one_link() {
        let en = s(&[
            "In 2019 the plant produced 1,200 tonnes of steel.",
            "Workers went on strike in Almaty on Monday.",
            "They demand higher wages and safer conditions.",
            "The company's director, Nurlan Bekov, refused to comment.",
        ]);
        // The Kazakh version adds a sentence of local context after the first one.
        let kk = s(&[
            "2019 жылы зауыт 1 200 тонна болат өндірді.",
            "Кәсіпорын облыстағы ең ірі жұмыс берушілердің бірі.",
            "Дүйсенбі күні Алматыда жұмысшылар ереуілге шықты.",
            "Олар жалақыны көтеруді және қауіпсіз жағдай жасауды талап етеді.",
            "Компания директоры Нұрлан Беков пікір білдіруден бас тартты.",
        ]);
        let links = align_sentences(&en, "eng_Latn", &kk, "kaz_Cyrl");
        let want: Vec<(String, String)> = [("0", "0"), ("", "1"), ("1", "2"), ("2", "3"), ("3", "4")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(shape(&links), want);
    }

    #[test]
    fn empty_sides_give_no_links() {
        assert!(align_sentences(&[], "eng_Latn", &s(&["x"]), "rus_Cyrl").is_empty());
    }
}
