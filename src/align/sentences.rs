//! Sentence alignment inside one aligned pair: a length model fitted to the pair, plus evidence anchors.
//!
//! A dynamic programme over the two sentence lists chooses links of shape 1-1, 1-0, 0-1, 2-1 and 1-2.
//!
//! - **Length.** The log of a linked pair's length ratio, ln(len B / len A), is normal around the pair's
//!   ratio with a variance that shrinks with the lengths (Gale & Church's model in log form). A link earns
//!   the log-likelihood ratio of its lengths against a sentence the other side lacks, so a good length
//!   match is worth more for long sentences, and a sentence one version lacks costs its shape prior only
//!   (its length says nothing). The ratio and the variance are fitted to the pair at run time by hard EM
//!   (align, re-estimate from the linked segments, align again) from three starting ratios: the ratio of
//!   the total lengths (right when sentences were merged), the ratio of mean sentence lengths (right when
//!   sentences were dropped) and 1; the cheaper final alignment wins. A weak prior keeps the ratio near 1
//!   and the variance near Gale & Church's, which only matters for short documents, where a merge and a
//!   drop can otherwise both be fitted exactly by moving the ratio.
//! - **Anchors.** Numbers, name keys, 4-class prefixes (cognates) and punctuation both sides share pull a
//!   link together; such keys one segment has and the other document has elsewhere push it apart.
//! - **One adapted side.** Versions usually differ because one was shortened or merged from the other: a
//!   pair whose links take extra sentences from both sides pays [`MIXED`] once.

use super::evidence::{kind, meta_key, text_keys_with_stems, Kind, STEM_BIT};
use super::lexicon::{Lexicon, PairLexicon};
use super::{KeyHasher, SentenceLink};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// Documents larger than this many cells (sentences × sentences) are not sentence-aligned (memory bound).
const MAX_CELLS: usize = 1_000_000;
/// Variance of ln(len B / (ratio · len A)) per unit of 1/len A + 1/len B: Gale & Church's 6.8 characters
/// of variance per character, rewritten for the log ratio (6.8 / len ≈ 3.4 · (1/len A + 1/len B)).
const VARIANCE: f64 = 3.4;
/// Weight of [`VARIANCE`] as a prior when the variance is re-estimated, in links.
const VARIANCE_LINKS: f64 = 2.0;
/// Standard deviation of the prior on ln(ratio) around 0 (equal character counts).
const RATIO_SD: f64 = 0.25;
/// Smallest spread (standard deviation) of ln(sentence length) assumed for a document pair.
const MIN_SPREAD: f64 = 0.3;
/// Cost of a pair whose non-1-1 links take extra sentences from both sides.
const MIXED: f64 = 5.0;
/// Alignment rounds per starting ratio (each re-estimates ratio and variance from the previous one).
const ROUNDS: usize = 4;
/// Anchor weights: a shared key's weight counts `PULL` times, a key of one side only `PUSH` times against.
const PULL: f64 = 2.1;
const PUSH: f64 = 0.7;

/// The moves of the programme: sentences taken from each side, and the shape's prior cost (−ln p).
const MOVES: [(usize, usize, f64); 5] = [(1, 1, 0.0), (1, 0, 2.0), (0, 1, 2.0), (2, 1, 3.5), (1, 2, 3.5)];

/// A sentence's length and evidence keys, stem anchors and punctuation included.
#[derive(Clone)]
struct Sent {
    len: f64,
    keys: Vec<u64>,
}

/// One article's sentences as the aligner reads them: lengths, evidence keys and the lexicon's word stems.
/// An article is in as many pairs as its story has other versions (six on average in the synthetic
/// archive), so the build makes this once per article and aligns its pairs from it.
pub struct SentenceSide {
    sents: Vec<Sent>,
    /// Each sentence's distinct word stems (see [`super::lexicon`]).
    stems: Vec<Vec<String>>,
}

impl SentenceSide {
    pub fn new(list: &[String], lang: &str) -> SentenceSide {
        let sents = list
            .iter()
            .map(|s| {
                let mut keys = text_keys_with_stems(s, lang);
                punctuation_keys(s, &mut keys);
                keys.sort_unstable();
                keys.dedup();
                Sent { len: (s.chars().count() as f64).max(1.0), keys }
            })
            .collect();
        SentenceSide { sents, stems: list.iter().map(|s| super::lexicon::sentence_stems(s)).collect() }
    }

    /// Each sentence's distinct word stems.
    pub fn stems(&self) -> &[Vec<String>] {
        &self.stems
    }

    pub fn len(&self) -> usize {
        self.sents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sents.is_empty()
    }

    /// The sentences with the keys of the learned word pairs added (`lex`: this side's lexicon and whether
    /// its language is the lexicon's first); the sentences as they are, uncopied, without one (the draft
    /// pass, or languages that learned nothing).
    fn keyed(&self, lex: Option<(&PairLexicon, bool)>) -> Cow<'_, [Sent]> {
        let Some((p, first)) = lex else { return Cow::Borrowed(&self.sents) };
        self.sents
            .iter()
            .zip(&self.stems)
            .map(|(s, stems)| {
                let mut keys = s.keys.clone();
                let before = keys.len();
                keys.extend(p.keys(stems, first));
                if keys.len() > before {
                    keys.sort_unstable();
                    keys.dedup();
                }
                Sent { len: s.len, keys }
            })
            .collect()
    }
}

/// Punctuation that translations keep: quotation marks, brackets, question and exclamation marks, colons,
/// per cent signs and commas. Each class gives a key per occurrence (up to three; a pair of quotation marks
/// or brackets counts once), so a segment with two brackets meets the one with two.
fn punctuation_keys(s: &str, keys: &mut Vec<u64>) {
    let mut count = [0u8; 7];
    for c in s.chars() {
        let class = match c {
            '"' | '“' | '”' | '„' | '«' | '»' | '‹' | '›' | '‟' => 0,
            '(' | ')' | '[' | ']' => 1,
            '?' | '؟' | '՞' => 2,
            '!' | '՜' => 3,
            ':' => 4,
            '%' | '٪' => 5,
            ',' | '،' | '՝' => 6,
            _ => continue,
        };
        count[class] = count[class].saturating_add(1);
    }
    count[0] = count[0].div_ceil(2);
    count[1] = count[1].div_ceil(2);
    for (class, &c) in count.iter().enumerate() {
        for k in 1..=c.min(3) {
            keys.push(meta_key(&format!("punctuation {class} {k}")));
        }
    }
}

/// The length model of one document pair: ln(len B / len A) of a linked pair is normal around `ln_ratio`
/// with variance `var · (1/len A + 1/len B)`; `ln_spread` is the log of the spread of ln(sentence length),
/// the width of what a sentence's length says without its counterpart.
#[derive(Clone, Copy)]
struct Model {
    ln_ratio: f64,
    var: f64,
    ln_spread: f64,
}

impl Model {
    /// −ln of the likelihood ratio of a link's lengths (linked vs unrelated), up to a constant.
    fn cost(&self, la: f64, lb: f64) -> f64 {
        let d = lb.ln() - la.ln() - self.ln_ratio;
        let v = self.var * (1.0 / la + 1.0 / lb);
        d * d / (2.0 * v) + 0.5 * v.ln() - self.ln_spread
    }

    /// −ln of the priors on ratio and variance (inverse gamma with [`VARIANCE_LINKS`] pseudo-links).
    fn prior_cost(&self) -> f64 {
        let r = self.ln_ratio / RATIO_SD;
        r * r / 2.0 + (VARIANCE_LINKS / 2.0 + 1.0) * self.var.ln() + VARIANCE_LINKS * VARIANCE / (2.0 * self.var)
    }

    /// The model re-estimated from a path's links (maximum a posteriori), `None` without links.
    fn refit(&self, path: &[Bead], sa: &[Sent], sb: &[Sent]) -> Option<Model> {
        // Each link: weight 1/(1/len A + 1/len B) and log ratio.
        let links: Vec<(f64, f64)> = path
            .iter()
            .filter(|bd| bd.da > 0 && bd.db > 0)
            .map(|bd| {
                let la: f64 = sa[bd.i..bd.i + bd.da].iter().map(|s| s.len).sum();
                let lb: f64 = sb[bd.j..bd.j + bd.db].iter().map(|s| s.len).sum();
                (1.0 / (1.0 / la + 1.0 / lb), lb.ln() - la.ln())
            })
            .collect();
        if links.is_empty() {
            return None;
        }
        let sw: f64 = links.iter().map(|l| l.0).sum();
        let sd: f64 = links.iter().map(|l| l.0 * l.1).sum();
        let prior = 1.0 / (RATIO_SD * RATIO_SD);
        let ln_ratio = (sd / self.var) / (sw / self.var + prior);
        let ss: f64 = links.iter().map(|&(w, d)| w * (d - ln_ratio) * (d - ln_ratio)).sum();
        let var = (VARIANCE_LINKS * VARIANCE + ss) / (VARIANCE_LINKS + links.len() as f64 + 2.0);
        Some(Model { ln_ratio, var, ln_spread: self.ln_spread })
    }
}

/// Links the sentences of two versions of a story. Indices are 0-based; a range "3-4" is a 2-sentence side;
/// an empty side is a sentence the other version does not have. `lang_*` are FLORES codes (spelling rules of
/// the name keys only). `lex` holds word pairs learned from a first pass over the corpus (see
/// [`super::lexicon`]); an empty one aligns by length and evidence anchors alone.
pub fn align_sentences(a: &[String], lang_a: &str, b: &[String], lang_b: &str, lex: &Lexicon) -> Vec<SentenceLink> {
    align_sides(&SentenceSide::new(a, lang_a), lang_a, &SentenceSide::new(b, lang_b), lang_b, lex)
}

/// [`align_sentences`] from sides made once per article.
pub fn align_sides(a: &SentenceSide, lang_a: &str, b: &SentenceSide, lang_b: &str, lex: &Lexicon) -> Vec<SentenceLink> {
    align_with(a, lang_a, b, lang_b, lex, Effort::Full)
}

/// The lexicon's first pass: the same programme run once, at the ratio of the total lengths, without
/// refitting. Only its sure one-to-one links are used (to learn word pairs), and those rarely depend on the
/// finer fit (FLORES eval with the lexicon: F1 0.9728 from draft links, 0.9745 from fully fitted ones); it
/// costs one programme where [`align_sentences`] runs up to twelve.
pub fn draft_sentence_links(a: &SentenceSide, lang_a: &str, b: &SentenceSide, lang_b: &str) -> Vec<SentenceLink> {
    align_with(a, lang_a, b, lang_b, &Lexicon::default(), Effort::Draft)
}

/// How hard [`align_with`] fits the length model.
#[derive(Clone, Copy, PartialEq)]
enum Effort {
    /// Three starting ratios, up to [`ROUNDS`] refits each.
    Full,
    /// The total-length ratio only, one programme.
    Draft,
}

fn align_with(
    a: &SentenceSide,
    lang_a: &str,
    b: &SentenceSide,
    lang_b: &str,
    lex: &Lexicon,
    effort: Effort,
) -> Vec<SentenceLink> {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 || (n + 1) * (m + 1) > MAX_CELLS {
        return Vec::new();
    }
    let pair = lex.for_pair(lang_a, lang_b);
    let sa = a.keyed(pair);
    let sb = b.keyed(pair.map(|(p, first)| (p, !first)));
    let lex = Lexical::new(&sa, &sb);
    let total_a: f64 = sa.iter().map(|s| s.len).sum();
    let total_b: f64 = sb.iter().map(|s| s.len).sum();
    let logs: Vec<f64> = sa.iter().chain(sb.iter()).map(|s| s.len.ln()).collect();
    let mean = logs.iter().sum::<f64>() / logs.len() as f64;
    let spread = (logs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / logs.len() as f64).sqrt();
    let ln_spread = spread.max(MIN_SPREAD).ln();
    let by_totals = (total_b / total_a).ln();
    let by_means = by_totals + (n as f64 / m as f64).ln();
    // Equal lengths (the prior's centre) is a third start: when a side both dropped and merged, neither the
    // totals nor the mean lengths need be near the ratio its links share.
    let mut starts = vec![by_totals];
    for start in [by_means, 0.0] {
        if effort == Effort::Full && starts.iter().all(|s| (s - start).abs() > 0.02) {
            starts.push(start);
        }
    }
    let rounds = if effort == Effort::Full { ROUNDS } else { 1 };
    let mut best: Option<(f64, Vec<Bead>)> = None;
    for &ln_ratio in &starts {
        let mut model = Model { ln_ratio, var: VARIANCE, ln_spread };
        for _ in 0..rounds {
            let (cost, path) = dp(&sa, &sb, &lex, &model);
            let cost = cost + model.prior_cost();
            let next = model.refit(&path, &sa, &sb);
            if best.as_ref().is_none_or(|b| cost < b.0) {
                best = Some((cost, path));
            }
            match next {
                Some(next)
                    if (next.ln_ratio - model.ln_ratio).abs() > 0.005 || (next.var / model.var - 1.0).abs() > 0.02 =>
                {
                    model = next
                }
                _ => break,
            }
        }
    }
    let range = |from: usize, len: usize| match len {
        0 => String::new(),
        1 => from.to_string(),
        _ => format!("{}-{}", from, from + len - 1),
    };
    best.map(|b| b.1)
        .unwrap_or_default()
        .iter()
        .map(|bd| SentenceLink {
            sent_a: range(bd.i, bd.da),
            sent_b: range(bd.j, bd.db),
            score: ((-bd.cost.max(0.0) / 4.0).exp() * 1000.0).round() / 1000.0,
        })
        .collect()
}

/// One link of a path: sentences `i..i+da` of side A with `j..j+db` of side B, and its cost.
#[derive(Clone, Debug)]
struct Bead {
    i: usize,
    da: usize,
    j: usize,
    db: usize,
    cost: f64,
}

/// The anchor bonus of every link the programme may make (moves 1-1, 2-1, 1-2 at each cell), computed
/// once per pair: the rounds of the fit only change the length model.
struct Lexical {
    m: usize,
    bonus: Vec<[f32; 3]>,
}

impl Lexical {
    fn new(sa: &[Sent], sb: &[Sent]) -> Lexical {
        // How many sentences of each side hold a key: a key in one sentence per side is a strong anchor.
        let mut count: HashMap<u64, (u32, u32), BuildHasherDefault<KeyHasher>> = HashMap::default();
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
                Kind::Meta => 1.0,
                _ => 1.5,
            };
            base / (x.max(y) as f64)
        };
        // Only keys both sides hold can pull or push (any other key weighs 0): each sentence keeps just
        // those, with their weights, so a link merges two short lists.
        let cross = |side: &[Sent]| -> Vec<Vec<(u64, f64)>> {
            side.iter().map(|s| s.keys.iter().map(|&k| (k, weight(k))).filter(|&(_, w)| w > 0.0).collect()).collect()
        };
        let (ca, cb) = (cross(sa), cross(sb));
        // Two-sentence segments, each made once (not once per cell), and every segment's summed weight.
        let (pa, pb) = (pairs_of(&ca), pairs_of(&cb));
        let sums = |v: &[Vec<(u64, f64)>]| -> Vec<f64> { v.iter().map(|k| k.iter().map(|e| e.1).sum()).collect() };
        let (sum_a, sum_b, sum_pa, sum_pb) = (sums(&ca), sums(&cb), sums(&pa), sums(&pb));
        let (n, m) = (sa.len(), sb.len());
        let mut bonus = vec![[0f32; 3]; n * m];
        for i in 0..n {
            for j in 0..m {
                let cell = &mut bonus[i * m + j];
                cell[0] = anchor(&ca[i], sum_a[i], &cb[j], sum_b[j]) as f32;
                if i + 1 < n {
                    cell[1] = anchor(&pa[i], sum_pa[i], &cb[j], sum_b[j]) as f32;
                }
                if j + 1 < m {
                    cell[2] = anchor(&ca[i], sum_a[i], &pb[j], sum_pb[j]) as f32;
                }
            }
        }
        Lexical { m, bonus }
    }

    fn bonus(&self, i: usize, da: usize, j: usize, db: usize) -> f64 {
        let slot = match (da, db) {
            (1, 1) => 0,
            (2, 1) => 1,
            _ => 2,
        };
        f64::from(self.bonus[i * self.m + j][slot])
    }
}

/// The keys of each two-sentence segment (sentences i and i + 1; empty for the last): the union of two
/// sorted lists, sorted and distinct.
fn pairs_of(side: &[Vec<(u64, f64)>]) -> Vec<Vec<(u64, f64)>> {
    (0..side.len())
        .map(|i| {
            let Some(next) = side.get(i + 1) else { return Vec::new() };
            let (x, y) = (&side[i], next);
            let mut out = Vec::with_capacity(x.len() + y.len());
            let (mut p, mut q) = (0, 0);
            while p < x.len() || q < y.len() {
                let take_x = q == y.len() || (p < x.len() && x[p].0 <= y[q].0);
                let e = if take_x { x[p] } else { y[q] };
                if take_x {
                    p += 1;
                } else {
                    q += 1;
                }
                if out.last().is_none_or(|l: &(u64, f64)| l.0 != e.0) {
                    out.push(e);
                }
            }
            out
        })
        .collect()
}

/// Shared keys pull a link together; a key this segment has and the other document has elsewhere pushes it
/// apart (that sentence belongs with another one), which is what stops a dropped sentence from being glued
/// onto its neighbour's link. Every listed key is held by the other side somewhere; `own` and `other` are
/// the segments' summed weights.
fn anchor(ka: &[(u64, f64)], own: f64, kb: &[(u64, f64)], other: f64) -> f64 {
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
    PULL * shared - PUSH * (own + other)
}

/// The cheapest path through the programme under `model`, and its cost.
///
/// Each cell keeps four states: which sides the non-1-1 links so far took extra sentences from (none, A,
/// B, both); entering "both" costs [`MIXED`].
fn dp(sa: &[Sent], sb: &[Sent], lex: &Lexical, model: &Model) -> (f64, Vec<Bead>) {
    const STATES: usize = 4;
    let (n, m) = (sa.len(), sb.len());
    let w = m + 1;
    let at = |i: usize, j: usize| (i * w + j) * STATES;
    let step = |i: usize, j: usize, da: usize, db: usize, prior: f64| -> f64 {
        if da == 0 || db == 0 {
            return prior;
        }
        let la: f64 = sa[i..i + da].iter().map(|s| s.len).sum();
        let lb: f64 = sb[j..j + db].iter().map(|s| s.len).sum();
        prior + model.cost(la, lb) - lex.bonus(i, da, j, db)
    };
    let mut cost = vec![f64::INFINITY; (n + 1) * w * STATES];
    // Move and previous state of each cell's best entry.
    let mut back = vec![(0u8, 0u8); (n + 1) * w * STATES];
    cost[0] = 0.0;
    for i in 0..=n {
        for j in 0..=m {
            let cell = at(i, j);
            if cost[cell..cell + STATES].iter().all(|c| !c.is_finite()) {
                continue;
            }
            for (mv, &(da, db, prior)) in MOVES.iter().enumerate() {
                if i + da > n || j + db > m {
                    continue;
                }
                let c = step(i, j, da, db, prior);
                let side = match da.cmp(&db) {
                    std::cmp::Ordering::Equal => 0,
                    std::cmp::Ordering::Greater => 1,
                    std::cmp::Ordering::Less => 2,
                };
                let next = at(i + da, j + db);
                for st in 0..STATES {
                    let here = cost[cell + st];
                    let to = st | side;
                    let total = here + c + if to == 3 && st != 3 { MIXED } else { 0.0 };
                    if total < cost[next + to] {
                        cost[next + to] = total;
                        back[next + to] = (mv as u8, st as u8);
                    }
                }
            }
        }
    }
    let end = at(n, m);
    let mut st = (0..STATES).min_by(|&x, &y| cost[end + x].total_cmp(&cost[end + y])).unwrap_or(0);
    let total = cost[end + st];
    let mut path = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        let (mv, prev) = back[at(i, j) + st];
        let (da, db, prior) = MOVES[mv as usize];
        i -= da;
        j -= db;
        st = prev as usize;
        path.push(Bead { i, da, j, db, cost: step(i, j, da, db, prior) });
    }
    path.reverse();
    (total, path)
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
        let links = align_sentences(&en, "eng_Latn", &ru, "rus_Cyrl", &Lexicon::default());
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
        let links = align_sentences(&en, "eng_Latn", &kk, "kaz_Cyrl", &Lexicon::default());
        let want: Vec<(String, String)> = [("0", "0"), ("", "1"), ("1", "2"), ("2", "3"), ("3", "4")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        assert_eq!(shape(&links), want);
    }

    /// A sentence of about `len` characters without numbers, names, cognates or punctuation keys: only its
    /// length can place it.
    fn plain(syllable: &str, len: usize) -> String {
        let mut out = String::new();
        while out.chars().count() + syllable.chars().count() < len {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(syllable);
        }
        out.push('.');
        out
    }

    fn sides(a: &[usize], b: &[usize]) -> (Vec<String>, Vec<String>) {
        (a.iter().map(|&l| plain("la", l)).collect(), b.iter().map(|&l| plain("mo", l)).collect())
    }

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
    }

    #[test]
    fn a_learned_word_pair_places_a_dropped_sentence_that_lengths_misplace() {
        // Side B dropped A's middle sentence; by length B's second sentence fits A's middle one better (60
        // against 66 characters), but it carries the word that translates A's last one.
        let with_word = |base: String, w: &str| format!("{} {w}.", base.trim_end_matches('.'));
        let a = vec![plain("la", 40), plain("la", 60), with_word(plain("la", 61), "kivu")];
        let b = vec![plain("mo", 40), with_word(plain("mo", 55), "вода")];
        let want = pairs(&[("0", "0"), ("1", ""), ("2", "1")]);
        let by_length = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_ne!(shape(&by_length), want, "the case must need the lexicon");
        // The first pass over other pairs of the corpus linked "kivu" and "вода" twice.
        let mut builder = crate::align::LexiconBuilder::default();
        let teach = |x: &str, y: &str| (vec![x.to_string()], vec![y.to_string()]);
        let one = vec![SentenceLink { sent_a: "0".into(), sent_b: "0".into(), score: 0.9 }];
        for (x, y) in [teach("kivu tana.", "вода река."), teach("kivu pole.", "вода поле.")] {
            let stems = |v: &[String]| v.iter().map(|s| crate::align::lexicon::sentence_stems(s)).collect::<Vec<_>>();
            builder.add(&crate::align::lexicon::Lesson::new(&stems(&x), "eng_Latn", &stems(&y), "rus_Cyrl", &one));
        }
        let lex = builder.build();
        assert_eq!(shape(&align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &lex)), want);
    }

    #[test]
    fn lengths_alone_place_a_dropped_sentence() {
        // Side B is 1.5 times wordier and lacks side A's third sentence. The total length ratio (1.2) is
        // off; the fitted ratio is not.
        let (a, b) = sides(&[60, 140, 90, 200, 50], &[90, 210, 300, 75]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", "0"), ("1", "1"), ("2", ""), ("3", "2"), ("4", "3")]));
    }

    #[test]
    fn lengths_alone_find_a_merged_sentence() {
        // Side B joins side A's second and third sentences into one.
        let (a, b) = sides(&[60, 140, 90, 200, 50], &[66, 250, 220, 55]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", "0"), ("1-2", "1"), ("3", "2"), ("4", "3")]));
    }

    #[test]
    fn a_wordier_side_that_dropped_and_merged() {
        // Side B runs 1.3 times longer, lacks the first sentence and joins the second and third: its total
        // length ratio (0.9) says nothing of the 1.3 its links share.
        let (a, b) = sides(&[144, 36, 219, 165, 99], &[360, 219, 132]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", ""), ("1-2", "0"), ("3", "1"), ("4", "2")]));
    }

    #[test]
    fn an_added_sentence_of_ordinary_length() {
        // Side B (ratio 0.85) adds a fourth sentence that is as long as its neighbours.
        let (a, b) = sides(&[231, 126, 192, 249], &[195, 114, 168, 204, 216]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", "0"), ("1", "1"), ("2", "2"), ("", "3"), ("3", "4")]));
    }

    #[test]
    fn a_drop_and_a_merge_when_neither_totals_nor_means_give_the_ratio() {
        // Side B drops the second sentence and joins the last two; its links share a ratio near 1, but the
        // totals say 0.65 and the mean lengths 1.3.
        let (a, b) = sides(&[147, 240, 159, 165], &[132, 327]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", "0"), ("1", ""), ("2-3", "1")]));
    }

    #[test]
    fn a_short_pair_merges_rather_than_moving_the_ratio() {
        // Two sentences against one as long as both: a 2-1 link. A drop fits too if the ratio doubles, which
        // the prior on the ratio refuses.
        let (a, b) = sides(&[80, 90], &[175]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0-1", "0")]));
    }

    #[test]
    fn anchors_override_misleading_lengths() {
        // Side B keeps only one of two sentences; by length it looks like the first, but its number and
        // name are the second's.
        let a = s(&[
            "The committee met again on Tuesday and discussed the budget.",
            "Vladimir Kozlov said 4,700 workers lost their jobs.",
            "Talks continue next week.",
        ]);
        let b = s(&[
            "Владимир Козлов заявил, что 4700 рабочих потеряли свои рабочие места в регионе.",
            "Переговоры продолжатся.",
        ]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", ""), ("1", "0"), ("2", "1")]));
    }

    #[test]
    fn matching_lengths_stay_one_to_one() {
        let (a, b) = sides(&[60, 140, 90, 200], &[70, 150, 100, 215]);
        let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", &Lexicon::default());
        assert_eq!(shape(&links), pairs(&[("0", "0"), ("1", "1"), ("2", "2"), ("3", "3")]));
        assert!(links.iter().all(|l| l.score > 0.5), "{links:?}");
    }

    #[test]
    fn empty_sides_give_no_links() {
        assert!(align_sentences(&[], "eng_Latn", &s(&["x"]), "rus_Cyrl", &Lexicon::default()).is_empty());
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use crate::align::lexicon::Lesson;
    use crate::align::LexiconBuilder;
    use proptest::prelude::*;

    /// Sentences of 1-12 words drawn from a small two-script vocabulary (so keys, cognates and learned
    /// pairs collide often), with numbers now and then.
    fn side() -> impl Strategy<Value = Vec<String>> {
        let words = ["minister", "said", "water", "2024", "Bekov", "министр", "заявил", "вода", "Беков", "390", "«да»"];
        proptest::collection::vec(proptest::collection::vec(0..words.len(), 1..12), 0..14).prop_map(move |ss| {
            ss.into_iter().map(|ws| ws.into_iter().map(|w| words[w]).collect::<Vec<_>>().join(" ") + ".").collect()
        })
    }

    /// Each side's sentences in order, as the links cover them.
    fn covered(links: &[SentenceLink], a_side: bool) -> Vec<usize> {
        let mut out = Vec::new();
        for l in links {
            let r = if a_side { &l.sent_a } else { &l.sent_b };
            if !r.is_empty() {
                let (from, to) = crate::align::lexicon::parse_range(r).expect("a range the aligner wrote");
                out.extend(from..=to);
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]
        /// Whatever the sentences and the lexicon, the links cover every sentence of both sides exactly once and
        /// in order, no link is empty on both sides, and scores are probabilities.
        #[test]
        fn links_partition_both_sides_in_order(a in side(), b in side(), teach in side()) {
            let mut builder = LexiconBuilder::default();
            let (ta, tb) = (SentenceSide::new(&teach, "eng_Latn"), SentenceSide::new(&teach, "rus_Cyrl"));
            for _ in 0..2 {
                let draft = draft_sentence_links(&ta, "eng_Latn", &tb, "rus_Cyrl");
                builder.add(&Lesson::new(ta.stems(), "eng_Latn", tb.stems(), "rus_Cyrl", &draft));
            }
            let lex = builder.build();
            for lex in [&Lexicon::default(), &lex] {
                let links = align_sentences(&a, "eng_Latn", &b, "rus_Cyrl", lex);
                if a.is_empty() || b.is_empty() {
                    prop_assert!(links.is_empty());
                    continue;
                }
                prop_assert_eq!(covered(&links, true), (0..a.len()).collect::<Vec<_>>());
                prop_assert_eq!(covered(&links, false), (0..b.len()).collect::<Vec<_>>());
                prop_assert!(links.iter().all(|l| !(l.sent_a.is_empty() && l.sent_b.is_empty())));
                prop_assert!(links.iter().all(|l| (0.0..=1.0).contains(&l.score)));
            }
        }
    }
}
