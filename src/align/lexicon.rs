//! Word correspondences learned from the corpus itself, at run time, for sentence alignment.
//!
//! No dictionary or translation model ships with the tool, yet the versions of a story translate the same
//! words sentence after sentence ("said" / "заявил", "scientists" / "олимон"). Following Moore's
//! length-then-lexicon aligner (2002), a first pass links sentences by length and evidence anchors alone;
//! its confident one-to-one links of each language pair form a small parallel corpus, in which word stems
//! that keep turning up in linked sentences (and rarely apart) are paired by competitive linking on the Dice
//! coefficient. The second pass aligns again with every learned pair as one more key both sentences share.
//!
//! What is learned depends only on the first pass over the whole corpus, in pair order, so it is the same
//! for the same input whatever the thread count. A learned pair's key is made from its two stems, so it
//! means the same in every lexicon; a document pair's alignment depends only on the learned pairs whose
//! stems it holds on both sides ([`Lexicon::relevant`]), so an incremental build reuses its cached links
//! when those are the same, however much the rest of the lexicon moved.

use super::evidence::{lexicon_key, words};
use super::{KeyHasher, SentenceLink};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use xxhash_rust::xxh3::xxh3_64;

/// Characters of a word that make its stem (a crude stemmer that suits suffixing languages: "prisoners",
/// "prisoner" → "priso"; "заключённых", "заключённые" → "заклю").
const STEM_CHARS: usize = 5;
/// Stems shorter than this are particles and clitics, too ambiguous to pair.
const MIN_STEM_CHARS: usize = 2;
/// First-pass links this sure (their score, see [`super::SentenceLink`]) teach the lexicon.
const MIN_LINK_SCORE: f64 = 0.3;
/// Links kept per language pair for learning: enough for the frequent words of news, and a bound on memory
/// (about 40 stems of 4 bytes per side per link).
const MAX_LINKS: usize = 4000;
/// A link whose sentence has more distinct stems than this on either side teaches nothing: its pairs of
/// stems grow with the product of the two sides (a 1,000-word run-on "sentence" of a badly split page would
/// make a million), and a translation's words are not found among so many anyway.
const MAX_STEMS: usize = 64;
/// A pair of stems must meet in at least this many linked sentence pairs ...
const MIN_COOCCURRENCE: u32 = 2;
/// ... with a Dice coefficient (2·both / (each + each)) of at least this.
const MIN_DICE: f64 = 0.4;

/// The stem of a word as the lexicon knows it.
fn stem(word: &str) -> Option<String> {
    let s: String = word.chars().flat_map(char::to_lowercase).take(STEM_CHARS).collect();
    (s.chars().count() >= MIN_STEM_CHARS).then_some(s)
}

/// The distinct stems of a sentence, sorted.
pub fn sentence_stems(sentence: &str) -> Vec<String> {
    let mut out: Vec<String> = words(sentence).filter_map(stem).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// A stem as [`Lexicon::relevant`] compares it: 32 bits of its hash.
fn stem_hash(stem: &str) -> u32 {
    xxh3_64(stem.as_bytes()) as u32
}

/// The distinct [`stem_hash`]es of an article's sentences (each sentence's [`sentence_stems`]), sorted.
pub fn stem_hashes(stems: &[Vec<String>]) -> Vec<u32> {
    let mut out: Vec<u32> = stems.iter().flatten().map(|s| stem_hash(s)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The distinct stems of the sentences `range` ("3" or "3-4"), given each sentence's stems.
fn stems_of(stems: &[Vec<String>], range: &str) -> Vec<String> {
    let Some((from, to)) = parse_range(range) else { return Vec::new() };
    let mut out: Vec<String> = stems.get(from..=to).unwrap_or_default().iter().flatten().cloned().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// "3" → (3, 3), "3-4" → (3, 4); "" → None.
pub(crate) fn parse_range(r: &str) -> Option<(usize, usize)> {
    match r.split_once('-') {
        Some((a, b)) => Some((a.parse().ok()?, b.parse().ok()?)),
        None => r.parse().ok().map(|a| (a, a)),
    }
}

/// The two languages of a pair in a fixed order, and whether the pair's sides were swapped to get it.
fn order<'a>(lang_a: &'a str, lang_b: &'a str) -> ((&'a str, &'a str), bool) {
    if lang_a <= lang_b {
        ((lang_a, lang_b), false)
    } else {
        ((lang_b, lang_a), true)
    }
}

/// Stems of one language pair mapped to the key of the pair of stems they belong to.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct PairLexicon {
    /// Stems of the first language (in [`order`]) → the learned pair's key ([`lexicon_key`]).
    first: HashMap<String, u64>,
    /// Stems of the second language → the learned pair's key.
    second: HashMap<String, u64>,
    /// The learned pairs in the order they were taken (best Dice first), with how often they met.
    entries: Vec<LexiconEntry>,
    /// Every learned pair as ([`stem_hash`] of its first stem, of its second, its key), sorted: what
    /// [`Lexicon::relevant`] looks up.
    hashed: Vec<(u32, u32, u64)>,
}

/// One learned word pair, as the `lexicon` table shows it: a stem of each language of the pair (in
/// alphabetical order of the language codes), the confident links both were in, and their Dice coefficient.
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconEntry {
    pub lang_a: String,
    pub lang_b: String,
    pub stem_a: String,
    pub stem_b: String,
    pub meetings: u32,
    pub dice: f64,
}

impl PairLexicon {
    /// The keys of the learned pairs a sentence's stems ([`sentence_stems`]) belong to, for the side in the
    /// lexicon's first language or the other.
    pub fn keys<'a>(&'a self, stems: &'a [String], lang_is_first: bool) -> impl Iterator<Item = u64> + 'a {
        let map = if lang_is_first { &self.first } else { &self.second };
        stems.iter().filter_map(move |s| map.get(s).copied())
    }

    pub fn len(&self) -> usize {
        self.first.len()
    }

    pub fn is_empty(&self) -> bool {
        self.first.is_empty()
    }
}

/// What the first pass taught, per language pair.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Lexicon {
    pairs: HashMap<(String, String), PairLexicon>,
}

impl Lexicon {
    /// The learned stems for a pair of languages as given (`lang_a` first), and whether `lang_a` is the
    /// lexicon's first language.
    pub fn for_pair(&self, lang_a: &str, lang_b: &str) -> Option<(&PairLexicon, bool)> {
        let ((x, y), swapped) = order(lang_a, lang_b);
        self.pairs.get(&(x.to_string(), y.to_string())).map(|p| (p, !swapped))
    }

    /// A name for the learned pairs a document pair can use (0 when there are none): those with a stem on
    /// each side, `stems_a` and `stems_b` being each side's [`stem_hashes`]. A pair's sentence links depend
    /// on the lexicon only through these (a learned key on one side alone weighs nothing), so links cached
    /// under another lexicon are reused when this name is the same. A stem hash that collides can only add
    /// a learned pair that is not there, so the name still changes whenever the true set does.
    pub fn relevant(&self, lang_a: &str, lang_b: &str, stems_a: &[u32], stems_b: &[u32]) -> u64 {
        let Some((p, a_first)) = self.for_pair(lang_a, lang_b) else { return 0 };
        let (first, second) = if a_first { (stems_a, stems_b) } else { (stems_b, stems_a) };
        let mut keys: Vec<u64> = Vec::new();
        for &h in first {
            let from = p.hashed.partition_point(|e| e.0 < h);
            for &(_, other, key) in p.hashed[from..].iter().take_while(|e| e.0 == h) {
                if second.binary_search(&other).is_ok() {
                    keys.push(key);
                }
            }
        }
        if keys.is_empty() {
            return 0;
        }
        keys.sort_unstable();
        keys.dedup();
        let bytes: Vec<u8> = keys.iter().flat_map(|k| k.to_le_bytes()).collect();
        xxh3_64(&bytes) | 1
    }

    /// Every learned pair, by language pair (in code order), best first within each.
    pub fn entries(&self) -> Vec<LexiconEntry> {
        let mut keys: Vec<&(String, String)> = self.pairs.keys().collect();
        keys.sort();
        keys.into_iter().flat_map(|k| self.pairs[k].entries.iter().cloned()).collect()
    }

    /// Learned stem pairs over all language pairs.
    pub fn len(&self) -> usize {
        self.pairs.values().map(PairLexicon::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Interned stems of one language.
#[derive(Default)]
struct Vocabulary {
    ids: HashMap<String, u32>,
    stems: Vec<String>,
}

impl Vocabulary {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.stems.len() as u32;
        self.ids.insert(s.to_string(), id);
        self.stems.push(s.to_string());
        id
    }
}

/// What one aligned document pair teaches: its languages in [`order`] and the stems of its confident
/// one-to-one links, each side in that order. Made apart from the builder so that document pairs can be
/// read in parallel; the builder takes them in pair order. A lesson depends on the two texts and languages
/// alone, so an incremental build keeps it (serde) and reuses it for a pair that recurs.
#[derive(Debug, Default, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lesson {
    /// `None` for a pair of articles in one language, which teaches nothing.
    langs: Option<(String, String)>,
    links: Vec<(Vec<String>, Vec<String>)>,
}

impl Lesson {
    /// `a` and `b`: each sentence's stems ([`sentence_stems`]) on either side of the links.
    pub fn new(a: &[Vec<String>], lang_a: &str, b: &[Vec<String>], lang_b: &str, links: &[SentenceLink]) -> Lesson {
        if lang_a == lang_b {
            return Lesson::default();
        }
        let ((x, y), swapped) = order(lang_a, lang_b);
        let sure = |l: &&SentenceLink| {
            l.score >= MIN_LINK_SCORE
                && !l.sent_a.is_empty()
                && !l.sent_b.is_empty()
                && !l.sent_a.contains('-')
                && !l.sent_b.contains('-')
        };
        let links: Vec<(Vec<String>, Vec<String>)> = links
            .iter()
            .filter(sure)
            .map(|l| (stems_of(a, &l.sent_a), stems_of(b, &l.sent_b)))
            .filter(|(sa, sb)| sa.len() <= MAX_STEMS && sb.len() <= MAX_STEMS)
            .map(|(sa, sb)| if swapped { (sb, sa) } else { (sa, sb) })
            .collect();
        Lesson { langs: Some((x.to_string(), y.to_string())), links }
    }
}

/// One confident link as stem ids: the first language's stems, then the second's.
type StemLink = (Vec<u32>, Vec<u32>);

/// Collects the first pass's confident links; [`LexiconBuilder::build`] pairs the stems.
#[derive(Default)]
pub struct LexiconBuilder {
    vocab: HashMap<String, Vocabulary>,
    /// Per ordered language pair: each link's stem ids, first language then second.
    links: HashMap<(String, String), Vec<StemLink>>,
}

impl LexiconBuilder {
    /// Whether a document pair of these languages can still teach anything (its language pair has not
    /// given [`MAX_LINKS`] links yet): the first pass skips the pairs that cannot.
    pub fn wants(&self, lang_a: &str, lang_b: &str) -> bool {
        let ((x, y), _) = order(lang_a, lang_b);
        lang_a != lang_b && self.links.get(&(x.to_string(), y.to_string())).is_none_or(|l| l.len() < MAX_LINKS)
    }

    /// Adds what one document pair taught (see [`Lesson::new`]), up to [`MAX_LINKS`] per language pair.
    pub fn add(&mut self, lesson: &Lesson) {
        let Some((x, y)) = &lesson.langs else { return };
        let key = (x.clone(), y.clone());
        let room = MAX_LINKS - self.links.get(&key).map_or(0, Vec::len).min(MAX_LINKS);
        if room == 0 || lesson.links.is_empty() {
            return;
        }
        let taken = &lesson.links[..lesson.links.len().min(room)];
        // Each side's stems interned in its language's vocabulary (a stem is copied only the first time).
        let mut intern = |lang: &str, side: &mut dyn Iterator<Item = &Vec<String>>| -> Vec<Vec<u32>> {
            let v = self.vocab.entry(lang.to_string()).or_default();
            side.map(|stems| stems.iter().map(|s| v.intern(s)).collect()).collect()
        };
        let ix = intern(x, &mut taken.iter().map(|(a, _)| a));
        let iy = intern(y, &mut taken.iter().map(|(_, b)| b));
        self.links.entry(key).or_default().extend(ix.into_iter().zip(iy));
    }

    /// Pairs the stems of every language pair: candidates that meet often enough with a high enough Dice
    /// coefficient, taken best first, each stem in at most one pair (competitive linking).
    pub fn build(self) -> Lexicon {
        // Each language pair on its own, in parallel: the result of one never depends on another.
        let pairs = self
            .links
            .into_par_iter()
            .map(|((x, y), links)| {
                let lex = pair_stems((&x, &y), &links, &self.vocab[&x], &self.vocab[&y]);
                ((x, y), lex)
            })
            .filter(|(_, lex)| !lex.is_empty())
            .collect();
        Lexicon { pairs }
    }
}

fn pair_stems(langs: (&str, &str), links: &[StemLink], vx: &Vocabulary, vy: &Vocabulary) -> PairLexicon {
    // Stem ids are dense: counts by index. Pairs of ids are packed into one u64 for a cheap hash.
    let (mut cx, mut cy) = (vec![0u32; vx.stems.len()], vec![0u32; vy.stems.len()]);
    let mut both: HashMap<u64, u32, BuildHasherDefault<KeyHasher>> = HashMap::default();
    for (ix, iy) in links {
        for &a in ix {
            cx[a as usize] += 1;
        }
        for &b in iy {
            cy[b as usize] += 1;
        }
    }
    for (ix, iy) in links {
        // Stems seen once cannot pass MIN_COOCCURRENCE: skipping them keeps the pair counts small.
        let fx: Vec<u32> = ix.iter().copied().filter(|&a| cx[a as usize] >= MIN_COOCCURRENCE).collect();
        let fy: Vec<u32> = iy.iter().copied().filter(|&b| cy[b as usize] >= MIN_COOCCURRENCE).collect();
        for &a in &fx {
            for &b in &fy {
                *both.entry(u64::from(a) << 32 | u64::from(b)).or_default() += 1;
            }
        }
    }
    let mut cand: Vec<(f64, u32, &str, &str, u32, u32)> = both
        .into_iter()
        .filter(|&(_, n)| n >= MIN_COOCCURRENCE)
        .map(|(ab, n)| {
            let (a, b) = ((ab >> 32) as u32, ab as u32);
            (2.0 * f64::from(n) / f64::from(cx[a as usize] + cy[b as usize]), n, a, b)
        })
        .filter(|&(d, ..)| d >= MIN_DICE)
        .map(|(d, n, a, b)| (d, n, vx.stems[a as usize].as_str(), vy.stems[b as usize].as_str(), a, b))
        .collect();
    // Best first; ties broken by the stems themselves, so the result never depends on hash order.
    cand.sort_by(|p, q| q.0.total_cmp(&p.0).then(q.1.cmp(&p.1)).then(p.2.cmp(q.2)).then(p.3.cmp(q.3)));
    let mut lex = PairLexicon::default();
    for (dice, meetings, sa, sb, _, _) in cand {
        if lex.first.contains_key(sa) || lex.second.contains_key(sb) {
            continue;
        }
        lex.entries.push(LexiconEntry {
            lang_a: langs.0.to_string(),
            lang_b: langs.1.to_string(),
            stem_a: sa.to_string(),
            stem_b: sb.to_string(),
            meetings,
            dice: (dice * 1000.0).round() / 1000.0,
        });
        let key = lexicon_key(sa, sb);
        lex.first.insert(sa.to_string(), key);
        lex.second.insert(sb.to_string(), key);
        lex.hashed.push((stem_hash(sa), stem_hash(sb), key));
    }
    lex.hashed.sort_unstable();
    lex
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(a: &str, b: &str) -> SentenceLink {
        SentenceLink { sent_a: a.into(), sent_b: b.into(), score: 0.9 }
    }

    /// Each sentence's stems, as the aligner's sides hold them.
    fn s(v: &[&str]) -> Vec<Vec<String>> {
        v.iter().map(|x| sentence_stems(x)).collect()
    }

    #[test]
    fn words_that_keep_meeting_in_linked_sentences_are_paired() {
        let mut b = LexiconBuilder::default();
        let en = s(&["The minister said water was scarce.", "Farmers said the harvest failed."]);
        let ru = s(&["Министр заявил, что воды мало.", "Фермеры заявили, что урожай погиб."]);
        let en2 = s(&["The mayor said roads were closed.", "Officials said no."]);
        let ru2 = s(&["Мэр заявил, что дороги закрыты.", "Чиновники заявили: нет."]);
        b.add(&Lesson::new(&en, "eng_Latn", &ru, "rus_Cyrl", &[link("0", "0"), link("1", "1")]));
        b.add(&Lesson::new(&ru2, "rus_Cyrl", &en2, "eng_Latn", &[link("0", "0"), link("1", "1")]));
        let lex = b.build();
        let (p, first) = lex.for_pair("eng_Latn", "rus_Cyrl").expect("a lexicon for the pair");
        assert!(first, "eng sorts before rus");
        let said: Vec<u64> = p.keys(&sentence_stems("said"), true).collect();
        let zayavil: Vec<u64> = p.keys(&sentence_stems("заявил"), false).collect();
        assert_eq!(said.len(), 1);
        assert_eq!(
            said, zayavil,
            "said ~ заяви, learned from four links in both pair orders (\"the\" ~ \"что\" meet in three)"
        );
        // A word seen once pairs with nothing.
        assert_eq!(p.keys(&sentence_stems("harvest"), true).count(), 0);
        // The same lexicon seen from the other side.
        let (q, first) = lex.for_pair("rus_Cyrl", "eng_Latn").expect("the same pair");
        assert!(!first);
        assert_eq!(q.keys(&sentence_stems("Заявил"), first).collect::<Vec<_>>(), said);
    }

    /// Two lessons that teach "said" ~ "заяви", and as many of a second word pair as `more` says.
    fn taught(more: usize) -> Lexicon {
        let mut b = LexiconBuilder::default();
        for _ in 0..2 {
            let (en, ru) = (s(&["The minister said water was scarce."]), s(&["Министр заявил, что воды мало."]));
            b.add(&Lesson::new(&en, "eng_Latn", &ru, "rus_Cyrl", &[link("0", "0")]));
        }
        for _ in 0..more {
            let (en, ru) = (s(&["Harvest failed."]), s(&["Урожай погиб."]));
            b.add(&Lesson::new(&en, "eng_Latn", &ru, "rus_Cyrl", &[link("0", "0")]));
        }
        b.build()
    }

    #[test]
    fn a_document_pair_is_named_by_the_learned_pairs_it_holds_on_both_sides() {
        let (small, large) = (taught(0), taught(2));
        assert!(large.len() > small.len(), "the second lexicon learned more");
        let hashes = |v: &[&str]| stem_hashes(&s(v));
        let en = hashes(&["Officials said no."]);
        let ru = hashes(&["Чиновники заявили: нет."]);
        let name = small.relevant("eng_Latn", "rus_Cyrl", &en, &ru);
        assert_ne!(name, 0, "said ~ заяви is on both sides");
        assert_eq!(name, small.relevant("rus_Cyrl", "eng_Latn", &ru, &en), "either side first");
        assert_eq!(name, large.relevant("eng_Latn", "rus_Cyrl", &en, &ru), "what else was learned does not count");
        // Only on one side, a learned pair is not used.
        assert_eq!(small.relevant("eng_Latn", "rus_Cyrl", &en, &hashes(&["Нет."])), 0);
        assert_eq!(small.relevant("eng_Latn", "kaz_Cyrl", &en, &ru), 0, "nothing learned for the languages");
        // A learned pair held on both sides changes the name.
        let (en2, ru2) =
            (hashes(&["Officials said the harvest failed."]), hashes(&["Чиновники заявили: урожай погиб."]));
        assert_eq!(small.relevant("eng_Latn", "rus_Cyrl", &en2, &ru2), name);
        assert_ne!(large.relevant("eng_Latn", "rus_Cyrl", &en2, &ru2), name);
        // The same learned pair has the same key in both lexicons.
        let key =
            |l: &Lexicon| l.for_pair("eng_Latn", "rus_Cyrl").unwrap().0.keys(&sentence_stems("said"), true).next();
        assert_eq!(key(&small), key(&large));
    }

    #[test]
    fn unsure_and_many_to_one_links_teach_nothing() {
        let mut b = LexiconBuilder::default();
        let en = s(&["The minister said water was scarce.", "Farmers said so."]);
        let ru = s(&["Министр заявил, что воды мало.", "Фермеры заявили."]);
        let weak = SentenceLink { sent_a: "0".into(), sent_b: "0".into(), score: 0.01 };
        b.add(&Lesson::new(&en, "eng_Latn", &ru, "rus_Cyrl", &[weak.clone(), link("0-1", "0"), link("1", "")]));
        b.add(&Lesson::new(&en, "eng_Latn", &ru, "rus_Cyrl", &[weak]));
        assert!(b.build().is_empty());
    }

    #[test]
    fn a_run_on_sentence_teaches_nothing() {
        // A badly split page: one "sentence" of 300 distinct words on each side, linked twice.
        // Word i spelled in base 20 with the given letters: 300 distinct stems per side.
        let long = |letters: &[char]| {
            let word = |i: usize| [i / 400, i / 20 % 20, i % 20].iter().map(|&d| letters[d]).collect::<String>();
            (0..300).map(word).collect::<Vec<_>>().join(" ")
        };
        let latin: Vec<char> = "abcdefghijklmnoprstu".chars().collect();
        let cyrillic: Vec<char> = "абвгдежзиклмнопрстуф".chars().collect();
        let (en, ru) = (vec![sentence_stems(&long(&latin))], vec![sentence_stems(&long(&cyrillic))]);
        assert_eq!(en[0].len(), 300);
        let mut b = LexiconBuilder::default();
        for _ in 0..2 {
            b.add(&Lesson::new(&en, "eng_Latn", &ru, "rus_Cyrl", &[link("0", "0")]));
        }
        assert!(b.build().is_empty());
    }
}
