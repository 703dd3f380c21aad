//! Align stage: the versions of one story across languages.
//!
//! No translation is available, so two versions meet through what translation leaves alone: numbers
//! (digit sets and separators normalised), names (every script reduced to one consonant key, see
//! [`translit`]), common words through hand-written concept lists ([`concepts`]: Kazakh `су` and Romanian
//! `apă` are both "water"), image ids and bylines, and, when the input has them, publication times and
//! Pangea article ids. Each piece of evidence is weighted by its rarity in the corpus (IDF: a year like 2024
//! says little, "390" says a lot).
//!
//! The corpus-wide step is linear in the corpus: an inverted index over the rare keys (postings capped,
//! keys seen only once skipped) proposes candidates, a time window prunes them when dates exist, and each
//! candidate gets a normalised overlap score (shared weight over the geometric mean of what each side could
//! have shared with the other's language), robust to adaptations that drop or add sentences. Story clusters
//! are then built by average-link agglomeration over the candidate graph (evidence pooled over a cluster's
//! members), refusing any merge that would put two articles of one language in a cluster, which makes the
//! assignment one-to-one per language pair. Duplicates are left out
//! of the matching and join their original's cluster afterwards.
//!
//! Inside each aligned pair, [`align_sentences`] links sentences with a length-based dynamic programme
//! (Gale–Church) anchored by the same evidence, and, in a second pass, by word pairs the first pass taught
//! ([`lexicon`]: learned from the run's own input, nothing shipped).

pub mod concepts;
pub mod evidence;
pub mod lexicon;
mod sentences;
pub mod translit;

pub use lexicon::{stem_hashes, Lesson, Lexicon, LexiconBuilder};
pub use sentences::{align_sentences, align_sides, draft_sentence_links, SentenceSide};

use crate::model::Article;
use evidence::{kind, meta_key, push_name_keys, show, text_keys, Kind};
use rayon::prelude::*;
use std::collections::HashMap;

/// A key held by more articles than this many per language cannot be specific to one story (a story has one
/// version per language, plus copies); such keys propose no candidates, which keeps the work linear.
const POSTINGS_PER_LANGUAGE: usize = 3;
/// Bounds of that cap whatever the number of languages.
const MIN_POSTINGS: usize = 16;
const MAX_POSTINGS: usize = 200;
/// Candidates whose publication times (when both known) are further apart than this are not versions.
const TIME_WINDOW_US: i64 = 7 * 24 * 3600 * 1_000_000;
/// A pair needs at least this much shared text evidence (sum of IDF weights), whatever its score:
/// about two keys that each stand in a hundredth of the corpus.
const MIN_SHARED: f64 = 3.0;
/// ... and at least this many independent pieces of evidence (see [`evidence_items`]): one number alone (a
/// random "569" in two unrelated articles), or one name seen in both titles, is a coincidence as often as it
/// is a story, however rare.
const MIN_ITEMS: usize = 2;
/// ... and the shared text evidence must exceed this many times what the two articles would share with a
/// random article by chance (each key's weight times the share of articles holding it), unless metadata makes
/// up the difference. In a large corpus the indexable keys are held by a tiny share of it and this costs
/// nothing; in a small one every chance collision of a cognate skeleton looks rare by IDF (the 59-article
/// sample: story pairs precision 0.48 → 0.94, recall 0.94 either way; dev clusters F1 0.749 → 0.745,
/// dev-html unchanged; 1 gave sample precision 0.81, 3 gave 0.98 with dev F1 0.736).
const CHANCE_MARGIN: f64 = 2.0;
/// With metadata closeness of at least [`STRONG_META`], less shared text evidence than [`MIN_SHARED`] makes a
/// candidate: this much (one rare name or number), the other bars unchanged. Versions published within the
/// hour with neighbouring article ids that share one rare name are one story far more often than not
/// (dev-html clusters: P 0.981 → 0.983, R 0.808 → 0.847; dev, without metadata, unchanged).
const MIN_SHARED_WITH_META: f64 = 1.0;
/// Metadata closeness that stands in for the missing text evidence: three times [`META_ITEM`], e.g. time and
/// article id each placing the pair among the nearest ~1% of the corpus (with 1.0 and 2 × META_ITEM,
/// dev-html precision fell to 0.968 in `examples/align_dev`).
const STRONG_META: f64 = 3.0 * META_ITEM;
/// Metadata closeness (publication time, article id) this strong counts as one piece of evidence.
const META_ITEM: f64 = 3.0;
/// Two long articles (both at least this many characters of title and text) that share no number, name or
/// metadata anywhere (title, caption, byline, image ids) — only common words, some of them perhaps in both
/// headlines — need at least
/// [`MIN_CONCEPT_PAIRS_LONG`] shared concept pairs. Versions of a long story share many; two unrelated
/// long articles share one or two by chance (on the synthetic 10k archive, 1,680 of the 1,746 links between
/// unrelated articles had no number or name and at most two concept pairs; no true dev pair that long did).
/// Short stories (dev's two-sentence recipes) keep the plain bar.
const LONG_CHARS: u32 = 1000;
const MIN_CONCEPT_PAIRS_LONG: usize = 3;
/// Minimum average-link (mean candidate score over all cross pairs) for two clusters to merge.
const MIN_LINK: f64 = 0.08;

/// What alignment keeps per article (small: it lives for the whole corpus).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlignFeatures {
    /// Shared between the articles of a language (a million copies of "kir_Cyrl" would cost 56 MB).
    pub lang: std::sync::Arc<str>,
    /// Sorted, distinct evidence keys (numbers, names, image ids), see [`evidence`].
    pub keys: Vec<u64>,
    /// Characters of title and text, for the length ratio.
    pub n_chars: u32,
    /// Microseconds since the Unix epoch, UTC.
    pub published: Option<i64>,
    pub article_id: Option<u64>,
    /// Hash of `english_section` (0 when absent): versions of a story share it on Pangea sites.
    pub section: u64,
}

/// The evidence of one article.
pub fn features(a: &Article) -> AlignFeatures {
    let mut keys = text_keys(&a.title, &a.lang);
    // Versions translate the same headline: a key in both titles counts again, with a rarity of its own.
    let t: Vec<u64> = keys.iter().map(|&k| evidence::title_key(k)).collect();
    keys.extend(t);
    keys.extend(text_keys(&a.caption, &a.lang));
    keys.extend(text_keys(&a.text, &a.lang));
    // Concepts (common words through hand-written lists, see [`concepts`]); the headline's again as title
    // keys: an adaptation that borrows a sentence of another story borrows it into the body, not the title.
    let tc = evidence::concept_keys(&a.title, &a.lang);
    keys.extend(tc.iter().map(|&k| evidence::title_key(k)));
    keys.extend(tc);
    keys.extend(evidence::concept_keys(&a.caption, &a.lang));
    keys.extend(evidence::concept_keys(&a.text, &a.lang));
    for id in a.image_ids.split_whitespace() {
        keys.push(meta_key(&format!("img:{}", id.to_ascii_lowercase())));
    }
    for w in evidence::words(&a.author) {
        push_name_keys(w, &a.lang, &mut keys);
    }
    keys.sort_unstable();
    keys.dedup();
    let section = a.english_section.trim().to_ascii_lowercase();
    AlignFeatures {
        lang: a.lang.as_str().into(),
        keys,
        n_chars: (a.title.chars().count() + a.text.chars().count()).min(u32::MAX as usize) as u32,
        published: a.published,
        article_id: a.article_id,
        section: if section.is_empty() { 0 } else { xxhash_rust::xxh3::xxh3_64(section.as_bytes()) | 1 },
    }
}

/// Two articles linked as versions of one story.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub score: f64,
    pub evidence: String,
}

/// One link between sentence ranges of two aligned articles (`"3"` or `"3-4"`, 0-based; `""` for a sentence
/// the other version does not have).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SentenceLink {
    pub sent_a: String,
    pub sent_b: String,
    pub score: f64,
}

/// A pair of versions in which one article or both are republications (`dup_of`): it stands for the pair of
/// their originals, `pairs[pair]`, and has its score and evidence. `a` comes before `b` in input order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyPair {
    pub a: usize,
    pub b: usize,
    pub pair: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlignResult {
    /// Every two originals of different languages in one story (sentence alignment works on these).
    pub pairs: Vec<Pair>,
    /// The same pairs with a republication on one side or both, ordered by `pair`, then `a`, then `b`: a
    /// copy is a version of the story too (it has its own page, URL and date), so a user listing the
    /// versions of a story in two languages finds it paired like its original.
    pub copies: Vec<CopyPair>,
    /// Cluster number of each article, `None` for a story with a single version.
    pub story_of: Vec<Option<usize>>,
}

/// The corpus-wide index: postings and weights of every key held by at least two originals.
struct Index {
    keys: Vec<u64>,
    start: Vec<usize>,
    postings: Vec<u32>,
    weight: Vec<f64>,
    /// Languages (bit = language number mod 128) whose articles hold the key.
    langs: Vec<u128>,
}

/// How many versions one story can have in a corpus with these language labels: one per language, and a
/// look-alike cluster as many as it has members, whichever of them the identifier happened to use. This is
/// the `n_langs` of [`indexable`]: counted by label, the postings cap moved when a label inside a cluster
/// came or went (dev-html lost 0.002 of story F1 when two stray Serbo-Croatian labels were corrected away).
pub fn story_width<'a>(labels: impl IntoIterator<Item = &'a str>) -> usize {
    let group = crate::identify::confusable_group;
    let mut slots: Vec<&str> = labels.into_iter().map(|l| group(l).map_or(l, |g| g[0])).collect();
    slots.sort_unstable();
    slots.dedup();
    slots.iter().map(|s| group(s).map_or(1, |g| g.len())).sum()
}

/// Whether a key held by `df` originals in a corpus of `n_langs` languages ([`story_width`]) goes into the
/// index: held by another article too, and not by so many that it cannot be specific to one story.
pub fn indexable(df: usize, n_langs: usize) -> bool {
    (2..=(POSTINGS_PER_LANGUAGE * n_langs).clamp(MIN_POSTINGS, MAX_POSTINGS)).contains(&df)
}

/// A multiplicative hasher for the key counts and the word tables: keys are already well-mixed or small
/// packed values, and SipHash would cost more than the counting itself (one update per key of every
/// article). Words are hashed eight bytes per step (a folded 64×64→128 multiply), not one: the word memos
/// hash every word of every article.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

/// A 64×64→128-bit multiply folded to 64 bits: every input bit reaches the high and the low half.
fn fold_mul(x: u64) -> u64 {
    let m = u128::from(x) * 0x9E37_79B9_7F4A_7C15_u128;
    (m as u64) ^ ((m >> 64) as u64)
}

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            h = fold_mul(h.rotate_left(23) ^ u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            // 1..=7 bytes: the top byte is free and takes their number, so "ab" and "ab\0" differ.
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            last[7] = rest.len() as u8;
            h = fold_mul(h.rotate_left(23) ^ u64::from_le_bytes(last));
        }
        self.0 = h;
    }
    fn write_u64(&mut self, k: u64) {
        let x = (k ^ (k >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.0 = x ^ (x >> 29);
    }
    fn write_u128(&mut self, k: u128) {
        self.write_u64((k as u64) ^ ((k >> 64) as u64));
    }
}

/// Words a [`WordMemo`] keeps at most (over all languages; checked once per text): ~5 MB per memo and
/// thread (two memos: skeletons and concepts). A quarter of it (1 << 15) cost more CPU at 100k articles
/// than the cache misses it saved.
const WORD_MEMO_MAX: usize = 1 << 17;

/// Keyed by the word's 128-bit hash, not the word: a bucket holds no pointer to follow and no string to
/// compare, and at 100k articles the memos outgrow the caches, so each pointer was a cache miss (the
/// lookups were ~15% of the build). Two words of one memo share a hash with a chance below 2^-94.
type WordMap<V> = HashMap<u128, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// A thread's memo of a pure function of (language, word): a word's skeleton, its concepts. News repeats
/// its words from article to article (names above all), and a hash of the word costs several times less
/// than the function. The results are the same with the memo or without it, whatever the order in which
/// threads meet the articles; past [`WORD_MEMO_MAX`] words it starts again, so memory stays bounded.
pub struct WordMemo<V> {
    langs: Vec<(String, WordMap<V>)>,
    words: usize,
}

impl<V> Default for WordMemo<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> WordMemo<V> {
    pub const fn new() -> Self {
        WordMemo { langs: Vec::new(), words: 0 }
    }

    /// The memo of one language, for one text.
    pub fn of_lang(&mut self, lang: &str) -> LangMemo<'_, V> {
        if self.words >= WORD_MEMO_MAX {
            self.langs.iter_mut().for_each(|(_, m)| m.clear());
            self.words = 0;
        }
        let i = match self.langs.iter().position(|(l, _)| l == lang) {
            Some(i) => i,
            None => {
                self.langs.push((lang.to_string(), WordMap::default()));
                self.langs.len() - 1
            }
        };
        LangMemo { map: &mut self.langs[i].1, words: &mut self.words }
    }
}

/// See [`WordMemo::of_lang`].
pub struct LangMemo<'a, V> {
    map: &'a mut WordMap<V>,
    words: &'a mut usize,
}

impl<V> LangMemo<'_, V> {
    /// `f(word)`, computed once; one hash and one probe whether the word is known or not.
    pub fn get(&mut self, word: &str, f: impl FnOnce(&str) -> V) -> &V {
        self.get_hashed(word_hash(word), word, f)
    }

    /// [`LangMemo::get`] for a caller that has the word's [`word_hash`] already.
    pub fn get_hashed(&mut self, hash: u128, word: &str, f: impl FnOnce(&str) -> V) -> &V {
        let words = &mut *self.words;
        self.map.entry(hash).or_insert_with(|| {
            *words += 1;
            f(word)
        })
    }
}

/// The key of a word in a [`WordMemo`].
pub fn word_hash(word: &str) -> u128 {
    xxhash_rust::xxh3::xxh3_128(word.as_bytes())
}

/// In how many articles each key occurs, counted while the corpus streams past, so that the features kept in
/// memory can drop every key the index would drop anyway (on news, ~95% of an article's keys: names of one
/// article only, or names and years in hundreds). That is what keeps memory per article small at 1M articles.
#[derive(Default)]
pub struct KeyCounts {
    counts: HashMap<u64, u32, std::hash::BuildHasherDefault<KeyHasher>>,
}

impl KeyCounts {
    /// Counts the (distinct) keys of one article.
    pub fn add(&mut self, keys: &[u64]) {
        for &k in keys {
            *self.counts.entry(k).or_insert(0) += 1;
        }
    }

    /// Uncounts an article counted before (a duplicate: the index counts originals only).
    pub fn remove(&mut self, keys: &[u64]) {
        for k in keys {
            if let Some(c) = self.counts.get_mut(k) {
                *c = c.saturating_sub(1);
            }
        }
    }

    /// Keeps the keys that [`indexable`] lets into the index; the result of [`align`] is the same.
    pub fn retain_indexable(&self, keys: &mut Vec<u64>, n_langs: usize) {
        keys.retain(|k| self.counts.get(k).is_some_and(|&c| indexable(c as usize, n_langs)));
        keys.shrink_to_fit();
    }
}

impl Index {
    fn build(feats: &[AlignFeatures], canonical: &[bool], lang_no: &[usize], n_langs: usize) -> Index {
        let mut all: Vec<(u64, u32)> = Vec::new();
        for (i, f) in feats.iter().enumerate() {
            if canonical[i] {
                all.extend(f.keys.iter().map(|&k| (k, i as u32)));
            }
        }
        all.sort_unstable();
        let n = canonical.iter().filter(|&&c| c).count().max(1) as f64;
        let mut idx =
            Index { keys: Vec::new(), start: Vec::new(), postings: Vec::new(), weight: Vec::new(), langs: Vec::new() };
        let mut s = 0;
        while s < all.len() {
            let mut e = s;
            while e < all.len() && all[e].0 == all[s].0 {
                e += 1;
            }
            let df = e - s;
            if indexable(df, n_langs) {
                idx.keys.push(all[s].0);
                idx.start.push(idx.postings.len());
                let mut mask = 0u128;
                for &(_, i) in &all[s..e] {
                    idx.postings.push(i);
                    mask |= 1u128 << (lang_no[i as usize] % 128);
                }
                let w = (n / df as f64).ln();
                // Names (a consonant skeleton) and concepts (a word list) are less sure than a digit or an id.
                idx.weight.push(if matches!(kind(all[s].0), Kind::Name | Kind::Concept) { w / 2.0 } else { w });
                idx.langs.push(mask);
            }
            s = e;
        }
        idx.start.push(idx.postings.len());
        idx
    }

    fn find(&self, key: u64) -> Option<usize> {
        self.keys.binary_search(&key).ok()
    }

    fn postings(&self, k: usize) -> &[u32] {
        &self.postings[self.start[k]..self.start[k + 1]]
    }
}

/// Per article: the keys it has in the index, and their summed weight.
struct Profile {
    keys: Vec<usize>,
    /// Summed weight of the keys some other language also holds: what the article could share at most.
    total: f64,
    /// The weight this article would share with a random other article by chance: Σ P(holds key) · weight.
    chance: f64,
}

fn profile(f: &AlignFeatures, idx: &Index, lang: usize, n: f64) -> Profile {
    let keys: Vec<usize> = f.keys.iter().filter_map(|&k| idx.find(k)).collect();
    let cross = |k: usize| idx.langs[k] & !(1u128 << (lang % 128)) != 0;
    let total = keys.iter().filter(|&&k| cross(k)).map(|&k| idx.weight[k]).sum();
    let others = (n - 1.0).max(1.0);
    let chance =
        keys.iter().filter(|&&k| cross(k)).map(|&k| (idx.postings(k).len() - 1) as f64 / others * idx.weight[k]).sum();
    Profile { keys, total, chance }
}

fn time_ok(a: &AlignFeatures, b: &AlignFeatures) -> bool {
    match (a.published, b.published) {
        (Some(x), Some(y)) => (x - y).abs() <= TIME_WINDOW_US,
        _ => true,
    }
}

/// Evidence from metadata, as an extra IDF-like weight: how unlikely it is that a random article is as close
/// in time (or article id) as this one. `times` and `ids` are the sorted values over the corpus.
fn meta_weight(a: &AlignFeatures, b: &AlignFeatures, times: &[i64], ids: &[u64], n: f64) -> f64 {
    let mut w = 0.0;
    let within = |sorted: &[i64], x: i64, d: i64| {
        let lo = sorted.partition_point(|&v| v < x.saturating_sub(d));
        let hi = sorted.partition_point(|&v| v <= x.saturating_add(d));
        (hi - lo).max(1) as f64
    };
    if let (Some(x), Some(y)) = (a.published, b.published) {
        w += (n / within(times, x, (x - y).abs())).ln().max(0.0);
    }
    if let (Some(x), Some(y)) = (a.article_id, b.article_id) {
        let ids_i: &[u64] = ids;
        let d = x.abs_diff(y);
        let lo = ids_i.partition_point(|&v| v < x.saturating_sub(d));
        let hi = ids_i.partition_point(|&v| v <= x.saturating_add(d));
        w += (n / (hi - lo).max(1) as f64).ln().max(0.0);
    }
    // A different section is a (weak) sign of a different story; the same one says little.
    if a.section != 0 && b.section != 0 && a.section != b.section {
        w -= 2.0;
    }
    w
}

/// Scores a candidate pair from its shared text weight.
fn score_of(shared: f64, meta: f64, pa: &Profile, pb: &Profile, fa: &AlignFeatures, fb: &AlignFeatures) -> f64 {
    let norm = (pa.total * pb.total).sqrt();
    if norm <= 0.0 {
        return 0.0;
    }
    let meta = meta.max(-norm);
    let overlap = ((shared + meta) / (norm + meta.max(0.0))).clamp(0.0, 1.0);
    // Versions differ in length by adaptation and by language; a tenfold difference is another story.
    let (x, y) = (fa.n_chars.max(1) as f64, fb.n_chars.max(1) as f64);
    let ratio = x.min(y) / x.max(y);
    if ratio < 0.25 {
        overlap * ratio * 4.0
    } else {
        overlap
    }
}

/// What the corpus-wide steps share: the index, each article's profile, and the sorted metadata.
struct Prepared {
    canonical: Vec<bool>,
    lang_no: Vec<usize>,
    /// Per article, its language's slot in a story, and per slot how many originals a story may hold: one
    /// per language, but a group of languages the identifier confuses ([`crate::identify::confusable_group`])
    /// shares one slot of the group's size, so that a Croatian version labelled Bosnian can still join a
    /// story that has a Bosnian one.
    slot: Vec<usize>,
    capacity: Vec<usize>,
    idx: Index,
    profiles: Vec<Profile>,
    times: Vec<i64>,
    ids: Vec<u64>,
    n_canon: f64,
}

fn prepare(feats: &[AlignFeatures], dup_of: &[Option<usize>]) -> Prepared {
    let n = feats.len();
    let canonical: Vec<bool> = (0..n).map(|i| dup_of.get(i).copied().flatten().is_none()).collect();
    let mut lang_names: Vec<&str> = feats.iter().map(|f| &*f.lang).collect();
    lang_names.sort_unstable();
    lang_names.dedup();
    let lang_no: Vec<usize> =
        feats.iter().map(|f| lang_names.binary_search(&&*f.lang).expect("every language is listed")).collect();
    let idx = Index::build(feats, &canonical, &lang_no, story_width(lang_names.iter().copied()));
    // A language's slot is named by its confusable group's first member, or by itself.
    let slot_key: Vec<&str> =
        lang_names.iter().map(|&l| crate::identify::confusable_group(l).map_or(l, |g| g[0])).collect();
    let mut slot_names = slot_key.clone();
    slot_names.sort_unstable();
    slot_names.dedup();
    let slot_of_lang: Vec<usize> =
        slot_key.iter().map(|k| slot_names.binary_search(k).expect("every slot is listed")).collect();
    let capacity: Vec<usize> =
        slot_names.iter().map(|&s| crate::identify::confusable_group(s).map_or(1, |g| g.len())).collect();
    let slot: Vec<usize> = lang_no.iter().map(|&l| slot_of_lang[l]).collect();
    let n_canon = canonical.iter().filter(|&&c| c).count().max(1) as f64;
    let profiles: Vec<Profile> =
        feats.par_iter().enumerate().map(|(i, f)| profile(f, &idx, lang_no[i], n_canon)).collect();
    let mut times: Vec<i64> = (0..n).filter(|&i| canonical[i]).filter_map(|i| feats[i].published).collect();
    times.sort_unstable();
    let mut ids: Vec<u64> = (0..n).filter(|&i| canonical[i]).filter_map(|i| feats[i].article_id).collect();
    ids.sort_unstable();
    Prepared { canonical, lang_no, slot, capacity, idx, profiles, times, ids, n_canon }
}

/// One scored candidate pair (`a < b`): the normalised score and the shared text weight behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub score: f64,
    pub shared: f64,
    pub a: usize,
    pub b: usize,
}

fn candidates(feats: &[AlignFeatures], p: &Prepared) -> Vec<Candidate> {
    let n = feats.len();
    let (idx, lang_no, canonical) = (&p.idx, &p.lang_no, &p.canonical);
    let mut out: Vec<Candidate> = (0..n)
        .into_par_iter()
        .map_init(
            || KeySet::new(idx.keys.len()),
            |set, i| {
                // Articles that share an indexable key with i: the candidates' partners.
                let mut partners: Vec<u32> = Vec::new();
                if canonical[i] {
                    for &k in &p.profiles[i].keys {
                        // A body's concepts score a candidate but do not propose one: a long article says a
                        // hundred of them, and searching by each would propose ~17 candidates per article
                        // instead of ~4 on the synthetic archive (the headline's concepts, title keys, do propose).
                        if kind(idx.keys[k]) == Kind::Concept {
                            continue;
                        }
                        for &j in idx.postings(k) {
                            let ju = j as usize;
                            if ju > i && lang_no[ju] != lang_no[i] && time_ok(&feats[i], &feats[ju]) {
                                partners.push(j);
                            }
                        }
                    }
                }
                partners.sort_unstable();
                partners.dedup();
                // i's keys as a set, looked up by each partner's keys (a small corpus gives ~50 partners with
                // ~50 keys each per article; merging the two sorted key lists per partner cost twice as much).
                set.put(&p.profiles[i].keys, true);
                // The keys i shares with the partner at hand (one buffer for all of i's partners).
                let mut keys: Vec<usize> = Vec::new();
                let mut out: Vec<Candidate> = partners
                    .into_iter()
                    .filter_map(|j| {
                        let j = j as usize;
                        let (pi, pj) = (&p.profiles[i], &p.profiles[j]);
                        let shared = set.shared(pj, idx, &mut keys);
                        if shared < MIN_SHARED_WITH_META {
                            return None;
                        }
                        let meta = meta_weight(&feats[i], &feats[j], &p.times, &p.ids, p.n_canon);
                        if shared < MIN_SHARED && meta < STRONG_META {
                            return None;
                        }
                        if shared - CHANCE_MARGIN * (pi.chance + pj.chance) / 2.0 + meta.max(0.0) < MIN_SHARED {
                            return None;
                        }
                        // Evidence items do not depend on the keys' order: no sort by weight here.
                        let ev = evidence_items(&keys, idx);
                        let meta_item = meta >= META_ITEM;
                        if ev.items + usize::from(meta_item) < MIN_ITEMS {
                            return None;
                        }
                        let long = feats[i].n_chars.min(feats[j].n_chars) >= LONG_CHARS;
                        if long && ev.strong == 0 && !meta_item && ev.concept_pairs < MIN_CONCEPT_PAIRS_LONG {
                            return None;
                        }
                        let score = score_of(shared, meta, pi, pj, &feats[i], &feats[j]);
                        Some(Candidate { score, shared, a: i, b: j })
                    })
                    .collect();
                set.put(&p.profiles[i].keys, false);
                out.sort_by_key(|c| c.b);
                out
            },
        )
        .flat_map_iter(|out| out)
        .collect();
    out.sort_by(|x, y| y.score.total_cmp(&x.score).then(x.a.cmp(&y.a)).then(x.b.cmp(&y.b)));
    out
}

/// Every candidate pair with its score, strongest first (diagnostics: how scores of true and false
/// pairs spread; the pipeline does not need it).
pub fn candidate_scores(feats: &[AlignFeatures], dup_of: &[Option<usize>]) -> Vec<Candidate> {
    candidates(feats, &prepare(feats, dup_of))
}

/// Aligns the corpus. `dup_of[i]` is the article that `i` repeats.
pub fn align(feats: &[AlignFeatures], dup_of: &[Option<usize>]) -> AlignResult {
    let n = feats.len();
    let p = prepare(feats, dup_of);
    let (canonical, lang_no) = (&p.canonical, &p.lang_no);
    let candidates: Vec<(f64, usize, usize)> =
        candidates(feats, &p).into_iter().filter(|c| c.score > 0.0).map(|c| (c.score, c.a, c.b)).collect();
    let direct: HashMap<(usize, usize), f64> = candidates.iter().map(|&(s, i, j)| ((i, j), s)).collect();
    let mut parent = cluster_average_link(n, &candidates, canonical, &p.slot, &p.capacity);
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    // Duplicates join their original's cluster (following chains of copies).
    let mut cluster: Vec<usize> = (0..n).map(|i| root(&mut parent, i)).collect();
    for (i, c) in cluster.iter_mut().enumerate() {
        let o = first_of(dup_of, i);
        if o != i {
            *c = root(&mut parent, o);
        }
    }
    // Members by cluster, through a sort (a map of one Vec per article would cost ~60 bytes per article).
    let mut by_cluster: Vec<(usize, usize)> = cluster.iter().enumerate().map(|(i, &c)| (c, i)).collect();
    by_cluster.sort_unstable();
    let mut groups: Vec<Vec<usize>> = by_cluster
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|m| m.len() >= 2)
        .map(|m| m.iter().map(|&(_, i)| i).collect())
        .collect();
    drop(by_cluster);
    groups.sort_by_key(|m| m[0]);
    let mut story_of = vec![None; n];
    for (s, m) in groups.iter().enumerate() {
        for &i in m {
            story_of[i] = Some(s);
        }
    }

    // Pairs: every two originals of different languages in one story, with what they share.
    let todo: Vec<(usize, usize)> = groups
        .iter()
        .flat_map(|m| {
            let origs: Vec<usize> = m.iter().copied().filter(|&i| canonical[i]).collect();
            let mut v = Vec::new();
            for (x, &a) in origs.iter().enumerate() {
                for &b in &origs[x + 1..] {
                    if lang_no[a] != lang_no[b] {
                        v.push((a, b));
                    }
                }
            }
            v
        })
        .collect();
    let pairs: Vec<Pair> = todo
        .par_iter()
        .map(|&(a, b)| {
            let (pa, pb) = (&p.profiles[a], &p.profiles[b]);
            let (shared, keys) = shared_keys(pa, pb, &p.idx);
            let meta = meta_weight(&feats[a], &feats[b], &p.times, &p.ids, p.n_canon);
            let score =
                direct.get(&(a, b)).copied().unwrap_or_else(|| score_of(shared, meta, pa, pb, &feats[a], &feats[b]));
            let evidence = describe(&keys, &p.idx, &feats[a], &feats[b]);
            Pair { a, b, score: (score * 1000.0).round() / 1000.0, evidence }
        })
        .collect();
    let copies = copy_pairs(&pairs, dup_of);
    AlignResult { pairs, copies, story_of }
}

/// The original at the end of `i`'s chain of copies (`i` itself when it copies nothing); a cycle, which
/// dedup never makes, stops the walk instead of looping.
fn first_of(dup_of: &[Option<usize>], i: usize) -> usize {
    let (mut o, mut hops) = (i, 0);
    while let Some(&Some(d)) = dup_of.get(o) {
        if d == o || hops > dup_of.len() {
            break;
        }
        o = d;
        hops += 1;
    }
    o
}

/// The pairs republications inherit from their originals' pairs (see [`AlignResult::copies`]).
pub fn copy_pairs(pairs: &[Pair], dup_of: &[Option<usize>]) -> Vec<CopyPair> {
    // Each original's copies (a copy of a copy is its first original's).
    let mut copies_of: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..dup_of.len() {
        let o = first_of(dup_of, i);
        if o != i {
            copies_of.entry(o).or_default().push(i);
        }
    }
    let mut out = Vec::new();
    for (k, p) in pairs.iter().enumerate() {
        let side = |x: usize| std::iter::once(x).chain(copies_of.get(&x).into_iter().flatten().copied());
        let start = out.len();
        for x in side(p.a) {
            for y in side(p.b) {
                if (x, y) != (p.a, p.b) {
                    out.push(CopyPair { a: x.min(y), b: x.max(y), pair: k });
                }
            }
        }
        out[start..].sort_unstable_by_key(|c| (c.a, c.b));
    }
    out
}

/// Average-link agglomeration over the candidate graph. The link between two clusters is the sum of the
/// scores of their candidate pairs divided by the number of cross pairs (a missing candidate counts 0), so a
/// version that matches several members of a cluster weakly together can join it (evidence pooled over the
/// cluster), while an article that borrowed one background sentence from another story links to a single
/// member and is diluted. The strongest link is merged first; a merge that would put two originals of one
/// language in a cluster is refused, which keeps the assignment one-to-one per language pair (`slot[i]` is
/// article i's language slot and `capacity[s]` how many originals slot s takes, see [`Prepared`]). Returns
/// the union-find parent array (roots are cluster ids).
fn cluster_average_link(
    n: usize,
    cands: &[(f64, usize, usize)],
    canonical: &[bool],
    slot: &[usize],
    capacity: &[usize],
) -> Vec<usize> {
    use std::collections::{BTreeMap, BinaryHeap};
    let mut parent: Vec<usize> = (0..n).collect();
    let mut size: Vec<usize> = vec![1; n];
    // Language slots of each cluster's originals (sorted, with repeats), filled at its first merge (an
    // unmerged article's is its own).
    let mut langs_of: Vec<Vec<usize>> = vec![Vec::new(); n];
    let own = |i: usize| if canonical[i] { vec![slot[i]] } else { Vec::new() };
    // Summed candidate scores between clusters, by root; BTreeMap keeps the work order deterministic.
    let mut adj: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
    for &(s, i, j) in cands {
        *adj[i].entry(j).or_insert(0.0) += s;
        *adj[j].entry(i).or_insert(0.0) += s;
    }
    // Heap of (link, a, b) with a < b; stale entries are skipped when popped (the link is recomputed).
    #[derive(PartialEq)]
    struct Link(f64, usize, usize);
    impl Eq for Link {}
    impl PartialOrd for Link {
        fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
            Some(self.cmp(o))
        }
    }
    impl Ord for Link {
        fn cmp(&self, o: &Self) -> std::cmp::Ordering {
            self.0.total_cmp(&o.0).then(o.1.cmp(&self.1)).then(o.2.cmp(&self.2))
        }
    }
    let link = |sum: f64, a: usize, b: usize, size: &[usize]| sum / (size[a] * size[b]) as f64;
    let mut heap = BinaryHeap::new();
    for (a, m) in adj.iter().enumerate() {
        for (&b, &sum) in m.range(a + 1..) {
            heap.push(Link(link(sum, a, b, &size), a, b));
        }
    }
    while let Some(Link(l, a, b)) = heap.pop() {
        if l < MIN_LINK {
            break;
        }
        if parent[a] != a || parent[b] != b {
            continue;
        }
        let Some(&sum) = adj[a].get(&b) else { continue };
        if link(sum, a, b, &size) != l {
            continue;
        }
        for x in [a, b] {
            if size[x] == 1 && langs_of[x].is_empty() {
                langs_of[x] = own(x);
            }
        }
        if over_capacity(&langs_of[a], &langs_of[b], capacity) {
            continue;
        }
        // Merge b into a (a < b keeps ids stable and deterministic).
        parent[b] = a;
        size[a] += size[b];
        let moved = std::mem::take(&mut langs_of[b]);
        langs_of[a].extend(moved);
        langs_of[a].sort_unstable();
        let nb = std::mem::take(&mut adj[b]);
        adj[a].remove(&b);
        for (c, s) in nb {
            if c == a {
                continue;
            }
            adj[c].remove(&b);
            *adj[c].entry(a).or_insert(0.0) += s;
            *adj[a].entry(c).or_insert(0.0) += s;
        }
        for (&c, &s) in &adj[a] {
            let (x, y) = (a.min(c), a.max(c));
            heap.push(Link(link(s, x, y, &size), x, y));
        }
    }
    parent
}

/// Whether two clusters' slots (sorted, with repeats) together hold more originals than a slot takes.
fn over_capacity(a: &[usize], b: &[usize], capacity: &[usize]) -> bool {
    let mut merged: Vec<usize> = a.iter().chain(b).copied().collect();
    merged.sort_unstable();
    merged.chunk_by(|x, y| x == y).any(|run| run.len() > capacity[run[0]])
}

/// The index keys two profiles share, in index order (a merge of the two sorted key lists).
fn shared_ids<'a>(a: &'a Profile, b: &'a Profile) -> impl Iterator<Item = usize> + 'a {
    let (mut x, mut y) = (0, 0);
    std::iter::from_fn(move || {
        while x < a.keys.len() && y < b.keys.len() {
            match a.keys[x].cmp(&b.keys[y]) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    (x, y) = (x + 1, y + 1);
                    return Some(a.keys[x - 1]);
                }
            }
        }
        None
    })
}

/// A set of index keys, one bit per key of the index: an article's keys are put in while its partners are
/// looked at, and taken out after (a worker keeps one set, an eighth of a byte per index key).
struct KeySet {
    bits: Vec<u64>,
}

impl KeySet {
    fn new(index_keys: usize) -> KeySet {
        KeySet { bits: vec![0; index_keys / 64 + 1] }
    }

    fn put(&mut self, keys: &[usize], on: bool) {
        for &k in keys {
            let bit = 1u64 << (k & 63);
            if on {
                self.bits[k >> 6] |= bit;
            } else {
                self.bits[k >> 6] &= !bit;
            }
        }
    }

    fn contains(&self, k: usize) -> bool {
        self.bits[k >> 6] >> (k & 63) & 1 != 0
    }

    /// The keys `b` shares with this set, into `out` (cleared first), and their summed weight. `b`'s keys are
    /// sorted, so the keys come, and their weights are added, in index order, as [`shared_ids`] yields
    /// them: the sum is the same to the last bit.
    fn shared(&self, b: &Profile, idx: &Index, out: &mut Vec<usize>) -> f64 {
        out.clear();
        out.extend(b.keys.iter().copied().filter(|&k| self.contains(k)));
        out.iter().fold(0.0, |sum, &k| sum + idx.weight[k])
    }
}

/// Shared index keys of two profiles (sorted by weight, heaviest first) and their summed weight.
fn shared_keys(a: &Profile, b: &Profile, idx: &Index) -> (f64, Vec<usize>) {
    let mut out: Vec<usize> = shared_ids(a, b).collect();
    let sum = out.iter().fold(0.0, |sum, &k| sum + idx.weight[k]);
    out.sort_by(|&p, &q| idx.weight[q].total_cmp(&idx.weight[p]).then(p.cmp(&q)));
    (sum, out)
}

/// Independent pieces of evidence among shared keys: each number, image id or hashed key counts once; the
/// name keys of one name (its skeleton, stem and prefixes, "skrb", "skr") count once together; evidence in
/// both titles counts once more (headlines of versions translate one sentence), however many keys it has;
/// each two concepts that meet in a sentence of both count once (a single shared concept counts nothing:
/// "year" or "said" link any two articles).
fn evidence_items(keys: &[usize], idx: &Index) -> Evidence {
    let mut names: Vec<evidence::Packed> = Vec::new();
    let mut strong = 0;
    let mut in_titles = 0;
    let mut concepts = 0;
    for &k in keys {
        let key = idx.keys[k];
        match kind(key) {
            Kind::Title => in_titles = 1,
            Kind::Concept => concepts += usize::from(evidence::is_concept_pair(key)),
            Kind::Name => match evidence::packed(key) {
                Some(s) => names.push(s),
                None => strong += 1,
            },
            _ => strong += 1,
        }
    }
    names.sort_by(|a, b| b.as_str().len().cmp(&a.as_str().len()).then(a.as_str().cmp(b.as_str())));
    let mut heads: Vec<&str> = Vec::new();
    for n in &names {
        if !heads.iter().any(|h| h.starts_with(n.as_str())) {
            heads.push(n.as_str());
        }
    }
    let strong = strong + heads.len();
    Evidence { items: strong + in_titles + concepts, strong, concept_pairs: concepts }
}

/// What [`evidence_items`] counts.
struct Evidence {
    /// Independent pieces of evidence, all kinds.
    items: usize,
    /// Of them, numbers, names and hashed keys (from any part of the article; not title keys, not concepts).
    strong: usize,
    /// Shared concept pairs.
    concept_pairs: usize,
}

/// A short human-readable account of a pair's evidence: "numbers: 390, 14; names: skr; time: 12 min".
fn describe(keys: &[usize], idx: &Index, a: &AlignFeatures, b: &AlignFeatures) -> String {
    let mut nums = Vec::new();
    let mut names = Vec::new();
    let mut images = 0;
    let mut titles = 0;
    let mut concepts = Vec::new();
    for &k in keys {
        let key = idx.keys[k];
        match kind(key) {
            Kind::Number if nums.len() < 5 => nums.extend(show(key)),
            Kind::Name if names.len() < 5 => {
                // A stem key repeats its full form's information; show each name once.
                if let Some(s) = show(key) {
                    if !names.iter().any(|n: &String| n.starts_with(&s) || s.starts_with(n.as_str())) {
                        names.push(s);
                    }
                }
            }
            Kind::Meta => images += 1,
            Kind::Title => titles += 1,
            // Pairs say more than single concepts (and name them both); keys come heaviest first.
            Kind::Concept if evidence::is_concept_pair(key) && concepts.len() < 5 => concepts.extend(show(key)),
            _ => {}
        }
    }
    let mut parts = Vec::new();
    if !nums.is_empty() {
        parts.push(format!("numbers: {}", nums.join(", ")));
    }
    if !names.is_empty() {
        parts.push(format!("names: {}", names.join(", ")));
    }
    if !concepts.is_empty() {
        parts.push(format!("concepts: {}", concepts.join(", ")));
    }
    if titles > 0 {
        parts.push(format!("title keys: {titles}"));
    }
    if images > 0 {
        parts.push(format!("images: {images}"));
    }
    if let (Some(x), Some(y)) = (a.published, b.published) {
        parts.push(format!("time: {} min", (x - y).abs() / 60_000_000));
    }
    if let (Some(x), Some(y)) = (a.article_id, b.article_id) {
        parts.push(format!("article ids: {} apart", x.abs_diff(y)));
    }
    if a.section != 0 && a.section == b.section {
        parts.push("same section".to_string());
    }
    if parts.is_empty() {
        "same story cluster".to_string()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(lang: &str, title: &str, text: &str) -> Article {
        Article { lang: lang.into(), title: title.into(), text: text.into(), ..Default::default() }
    }

    /// Background articles so that IDF has a corpus: each mentions the common year 2024 and its own number.
    fn background(n: usize) -> Vec<Article> {
        (0..n)
            .map(|i| {
                art(
                    if i % 2 == 0 { "eng_Latn" } else { "rus_Cyrl" },
                    "Weather",
                    // "said", as in most news: a word every article has is no evidence.
                    &format!("In 2024 there were {} sunny days, officials said.", 1000 + i * 7),
                )
            })
            .collect()
    }

    fn story() -> Vec<Article> {
        vec![
            art(
                "eng_Latn",
                "Tashkent frees 390 prisoners",
                "Uzbekistan released 390 prisoners and 14 activists in 2024, Maria Zakharova said in Moscow.",
            ),
            art(
                "rus_Cyrl",
                "Ташкент освободил 390 заключенных",
                "Узбекистан освободил 390 заключенных и 14 активистов в 2024 году, сказала Мария Захарова в Москве.",
            ),
            art(
                "kat_Geor",
                "ტაშკენტმა 390 პატიმარი გაათავისუფლა",
                "უზბეკეთმა 2024 წელს 390 პატიმარი და 14 აქტივისტი გაათავისუფლა, განაცხადა მარია ზახაროვამ მოსკოვში.",
            ),
        ]
    }

    #[test]
    fn one_shared_number_alone_links_nothing_but_a_number_and_a_name_do() {
        // Enough background that one number held by two articles is rare enough (IDF) to count.
        let mut arts = background(80);
        // Two unrelated articles that happen to share one rare figure and nothing else.
        arts.push(art("eng_Latn", "Harvest", "Farmers brought in 86421 tonnes of grain this autumn."));
        arts.push(art("rus_Cyrl", "Голосование", "В голосовании участвовали 86421 человек."));
        // Two versions that share the figure and a name.
        arts.push(art("eng_Latn", "Flood", "Floods forced 57309 people from their homes, Nurlan Bekov said."));
        arts.push(art(
            "rus_Cyrl",
            "Наводнение",
            "Наводнение вынудило 57309 человек покинуть дома, сказал Нурлан Беков.",
        ));
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let n = arts.len();
        let r = align(&feats, &vec![None; n]);
        assert_eq!(r.story_of[n - 4], None, "one shared number is not a story: {:?}", r.pairs);
        assert_eq!(r.story_of[n - 3], None);
        assert!(r.story_of[n - 2].is_some() && r.story_of[n - 2] == r.story_of[n - 1]);
    }

    #[test]
    fn one_rare_name_links_versions_only_when_time_and_article_id_are_close() {
        const HOUR: i64 = 3_600_000_000;
        let mut arts = background(400);
        for (i, a) in arts.iter_mut().enumerate() {
            a.published = Some(i as i64 * HOUR);
            a.article_id = Some(10_000 + 10 * i as u64);
        }
        let dated = |mut a: Article, hours: f64, id: u64| {
            a.published = Some((hours * HOUR as f64) as i64);
            a.article_id = Some(id);
            a
        };
        // Versions sharing one rare name, ten minutes apart, with neighbouring article ids.
        arts.push(dated(
            art("eng_Latn", "Strike", "Workers at the plant went on strike, Sadykov said."),
            100.5,
            11_005,
        ));
        arts.push(dated(
            art("rus_Cyrl", "Забастовка", "Рабочие завода объявили забастовку, сказал Садыков."),
            100.6,
            11_006,
        ));
        // Two articles sharing another rare name, six hours and thirty ids apart: close, but not close enough
        // to stand in for the missing text evidence.
        arts.push(dated(art("eng_Latn", "Harvest", "The harvest was poor this year, Abdullaev said."), 200.5, 12_005));
        arts.push(dated(art("rus_Cyrl", "Выборы", "Выборы прошли спокойно, заявил Абдуллаев."), 206.5, 12_035));
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let n = arts.len();
        let r = align(&feats, &vec![None; n]);
        assert!(r.story_of[n - 4].is_some() && r.story_of[n - 4] == r.story_of[n - 3], "{:?}", r.pairs);
        assert_eq!(r.story_of[n - 2], None, "one name without close metadata is no story: {:?}", r.pairs);
        assert_eq!(r.story_of[n - 1], None);
    }

    #[test]
    fn keys_filtered_through_counts_give_the_same_alignment() {
        // The pipeline keeps only indexable keys in memory; the alignment must not change.
        let mut arts = background(30);
        arts.extend(story());
        arts.push(art(
            "eng_Latn",
            "Tashkent frees 390 prisoners",
            "Uzbekistan released 390 prisoners and 14 activists.",
        ));
        let full: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let mut dup_of = vec![None; arts.len()];
        dup_of[arts.len() - 1] = Some(30);
        let mut counts = KeyCounts::default();
        for f in &full {
            counts.add(&f.keys);
        }
        counts.remove(&full[arts.len() - 1].keys);
        let n_langs = 3;
        let slim: Vec<AlignFeatures> = full
            .iter()
            .map(|f| {
                let mut f = f.clone();
                counts.retain_indexable(&mut f.keys, n_langs);
                f
            })
            .collect();
        assert!(slim.iter().map(|f| f.keys.len()).sum::<usize>() < full.iter().map(|f| f.keys.len()).sum::<usize>());
        assert_eq!(align(&slim, &dup_of), align(&full, &dup_of));
    }

    #[test]
    fn a_look_alike_cluster_is_as_wide_whichever_of_its_labels_occur() {
        assert_eq!(story_width(["eng_Latn", "bos_Latn"]), 5);
        assert_eq!(story_width(["eng_Latn", "bos_Latn", "hrv_Latn", "cnr_Latn", "srp_Latn"]), 5);
        assert_eq!(story_width(["pes_Arab", "prs_Arab", "kir_Cyrl", "kir_Cyrl"]), 3);
        assert_eq!(story_width(["prs_Arab"]), 2);
        assert_eq!(story_width([]), 0);
    }

    #[test]
    fn a_rare_number_weighs_more_than_a_common_one() {
        // Few enough articles that 2024 stays under the postings cap and gets a weight at all.
        let mut arts: Vec<Article> = background(12)
            .into_iter()
            .enumerate()
            .map(|(i, a)| if i % 2 == 0 { a } else { art(&a.lang, "Rain", &format!("{} rainy days.", 3000 + i)) })
            .collect();
        arts.extend(story());
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let p = prepare(&feats, &vec![None; feats.len()]);
        let w = |key: u64| p.idx.find(key).map(|k| p.idx.weight[k]);
        let common = w(evidence::number_key("2024")).expect("2024 is indexed");
        let rare = w(evidence::number_key("390")).expect("390 is indexed");
        assert!(rare > 2.0 * common, "rare {rare} common {common}");
    }

    #[test]
    fn versions_cluster_across_scripts_and_evidence_is_readable() {
        let mut arts = background(30);
        arts.extend(story());
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let res = align(&feats, &vec![None; feats.len()]);
        let s = res.story_of[30];
        assert!(s.is_some());
        assert_eq!(res.story_of[31], s);
        assert_eq!(res.story_of[32], s);
        assert!(res.story_of[..30].iter().all(|x| x.is_none() || *x != s));
        let pair = res.pairs.iter().find(|p| p.a == 30 && p.b == 31).expect("eng-rus pair");
        assert!(pair.evidence.contains("390"), "{}", pair.evidence);
        assert!(pair.evidence.contains("skr"), "{}", pair.evidence);
    }

    #[test]
    fn no_two_articles_of_one_language_share_a_story_unless_duplicates() {
        let mut arts = background(30);
        arts.extend(story());
        // A second English article of the same story that is not a copy (a follow-up with the same facts),
        // and an exact republication of the Russian version.
        arts.push(art(
            "eng_Latn",
            "Tashkent frees 390 prisoners, 14 activists",
            "Maria Zakharova in Moscow welcomed the release of 390 prisoners and 14 activists by Uzbekistan in 2024.",
        ));
        arts.push(arts[31].clone());
        let mut dup_of = vec![None; arts.len()];
        dup_of[34] = Some(31);
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let res = align(&feats, &dup_of);
        let mut by_story: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
        for (i, s) in res.story_of.iter().enumerate() {
            if let Some(s) = s {
                by_story.entry(*s).or_default().push(i);
            }
        }
        for m in by_story.values() {
            let langs: Vec<&str> = m.iter().filter(|&&i| dup_of[i].is_none()).map(|&i| arts[i].lang.as_str()).collect();
            let mut distinct = langs.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(langs.len(), distinct.len(), "{m:?}");
        }
        // The copy joins its original's story; pairs never involve the copy.
        assert_eq!(res.story_of[34], res.story_of[31]);
        assert!(res.story_of[31].is_some());
        assert!(res.pairs.iter().all(|p| p.a != 34 && p.b != 34));
        // ... but the copy inherits its original's pairs with the story's other languages, scored alike.
        let inherited: Vec<&CopyPair> = res.copies.iter().filter(|c| c.a == 34 || c.b == 34).collect();
        let of_original = res.pairs.iter().filter(|p| p.a == 31 || p.b == 31).count();
        assert!(of_original >= 2, "{:?}", res.pairs);
        assert_eq!(inherited.len(), of_original, "{:?}", res.copies);
        for c in inherited {
            let p = &res.pairs[c.pair];
            let other = if c.a == 34 { c.b } else { c.a };
            assert!(c.a < c.b && (p.a, p.b) == (other.min(31), other.max(31)), "{c:?} stands for {p:?}");
        }
    }

    #[test]
    fn copies_inherit_every_pair_of_their_originals_in_input_order() {
        let pair = |a, b| Pair { a, b, score: 0.5, evidence: String::new() };
        // 0 and 2 are versions, and so are 6 and 7; 1 copies 2, 3 copies 0, 4 copies 3 (a chain), 5 copies 6.
        let pairs = vec![pair(0, 2), pair(6, 7)];
        let dup_of = vec![None, Some(2), None, Some(0), Some(3), Some(6), None, None];
        let got: Vec<(usize, usize, usize)> = copy_pairs(&pairs, &dup_of).iter().map(|c| (c.a, c.b, c.pair)).collect();
        // 0's side: 0, 3, 4; 2's side: 2, 1. Every combination but (0, 2) itself, `a` first in input order.
        assert_eq!(got, [(0, 1, 0), (1, 3, 0), (1, 4, 0), (2, 3, 0), (2, 4, 0), (5, 7, 1)]);
        assert!(copy_pairs(&pairs, &[None; 8]).is_empty());
    }

    #[test]
    fn average_link_pools_weak_evidence_and_dilutes_a_single_borrowed_link() {
        // Articles 0-2: one story in three languages. 3: a fourth version that matches each of them weakly
        // (just above MIN_LINK on average). 4: another story's article that borrowed a sentence, linked
        // more strongly than 3 but to one member only (0.2 / 3 < MIN_LINK once the cluster has formed).
        let lang_no = vec![0, 1, 2, 3, 4];
        let canonical = vec![true; 5];
        let cands = vec![(0.5, 0, 1), (0.5, 0, 2), (0.5, 1, 2), (0.09, 0, 3), (0.09, 1, 3), (0.09, 2, 3), (0.2, 2, 4)];
        let parent = cluster_average_link(5, &cands, &canonical, &lang_no, &[1; 5]);
        let root = |mut x: usize| {
            while parent[x] != x {
                x = parent[x];
            }
            x
        };
        assert_eq!(root(1), root(0));
        assert_eq!(root(2), root(0));
        assert_eq!(root(3), root(0), "pooled weak links join");
        assert_ne!(root(4), root(0), "one borrowed link is diluted by the cluster's size");
        // Same candidates, but 3 is in the language of 1: it may not join, whatever its evidence.
        let parent = cluster_average_link(5, &cands, &canonical, &[0, 1, 2, 1, 4], &[1; 5]);
        assert_ne!(parent[3], 0);
        assert_eq!(parent[1], 0);
        // ... unless 1 and 3 share a slot of two (languages the identifier confuses, e.g. a Croatian version
        // labelled Bosnian beside a Bosnian one); a third in that slot may not.
        let parent = cluster_average_link(5, &cands, &canonical, &[0, 1, 2, 1, 4], &[1, 2, 1, 1, 1]);
        assert_eq!(parent[3], 0);
        assert!(over_capacity(&[1, 1], &[1], &[1, 2]));
        assert!(!over_capacity(&[0, 1], &[1], &[1, 2]));
    }

    /// Eight everyday stories, each in English, Russian and Kazakh (articles 3k, 3k + 1, 3k + 2), with no
    /// shared name or number but their subject's common words.
    fn everyday() -> Vec<Article> {
        let stories = [
            [
                ("Market prices", "The price of bread and milk rose at the market this week."),
                ("Цены на рынке", "Цена хлеба и молока на рынке выросла на этой неделе."),
                ("Нарықтағы баға", "Осы аптада нарықта нан мен сүттің бағасы өсті."),
            ],
            [
                ("School year", "The new school year begins in September for every student."),
                ("Учебный год", "Новый учебный год для каждого студента начинается в сентябре."),
                ("Оқу жылы", "Әр студент үшін жаңа оқу жылы қыркүйекте басталады."),
            ],
            [
                ("Winter roads", "Snow and ice closed the mountain road for three days."),
                ("Зимние дороги", "Снег и лёд закрыли горную дорогу на три дня."),
                ("Қысқы жолдар", "Қар мен мұз тау жолын үш күнге жапты."),
            ],
            [
                ("Football", "The team won the game and the players thanked their coach."),
                ("Футбол", "Команда выиграла матч, и игроки поблагодарили тренера."),
                ("Футбол", "Команда ойында жеңді, ойыншылар жаттықтырушыға алғыс айтты."),
            ],
            [
                ("Museum", "The museum opened a new room of ancient gold coins."),
                ("Музей", "Музей открыл новый зал древних золотых монет."),
                ("Мұражай", "Мұражай ежелгі алтын тиындардың жаңа залын ашты."),
            ],
            [
                ("Hospital", "The hospital needs more doctors and nurses, the minister said."),
                ("Больница", "Больнице нужно больше врачей и медсестёр, сказал министр."),
                ("Аурухана", "Ауруханаға көбірек дәрігер мен мейірбике керек, деді министр."),
            ],
            [
                ("Elections", "Voters chose a new parliament in a quiet election."),
                ("Выборы", "Избиратели выбрали новый парламент на спокойных выборах."),
                ("Сайлау", "Сайлаушылар тыныш сайлауда жаңа парламентті сайлады."),
            ],
            [
                ("Trains", "The train from the capital arrived late because of the storm."),
                ("Поезда", "Поезд из столицы прибыл поздно из-за бури."),
                ("Пойыздар", "Астанадан шыққан пойыз дауыл салдарынан кешігіп келді."),
            ],
        ];
        let langs = ["eng_Latn", "rus_Cyrl", "kaz_Cyrl"];
        stories.iter().flat_map(|s| s.iter().zip(langs).map(|(&(t, x), l)| art(l, t, x))).collect()
    }

    fn bread_story() -> Vec<Article> {
        vec![
            art(
                "eng_Latn",
                "Bake your own bread at home",
                "Mix the flour with warm water and a little salt, then knead it by hand. \
                 Leave the bread near the fire until it grows, and eat it with milk.",
            ),
            art(
                "rus_Cyrl",
                "Испеките свой хлеб дома",
                "Смешайте муку с тёплой водой и небольшим количеством соли, затем замесите руками. \
                 Оставьте хлеб у огня, пока он не вырастет, и ешьте его с молоком.",
            ),
            art(
                "kaz_Cyrl",
                "Үйде өз наныңызды пісіріңіз",
                "Ұнды жылы сумен және аздап тұзбен араластырыңыз, содан кейін қолмен илеңіз. \
                 Нанды от жанында өскенше қалдырыңыз да, сүтпен жеңіз.",
            ),
        ]
    }

    #[test]
    fn versions_without_names_or_numbers_meet_through_concepts() {
        let mut arts = everyday();
        arts.extend(bread_story());
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let res = align(&feats, &vec![None; feats.len()]);
        // Nine stories, each its three versions and nothing else.
        for k in 0..9 {
            let s = res.story_of[3 * k];
            assert!(s.is_some(), "story {k} is found: {:?}", res.pairs);
            for (i, x) in res.story_of.iter().enumerate() {
                assert_eq!(*x == s, i / 3 == k, "article {i} and story {k}: {:?}", res.story_of);
            }
        }
        let pair = res.pairs.iter().find(|p| p.a == 24 && p.b == 25).expect("eng-rus pair");
        assert!(pair.evidence.contains("concepts: ") && pair.evidence.contains("salt"), "{}", pair.evidence);
    }

    #[test]
    fn the_word_hasher_tells_short_words_apart() {
        // Every word of one or two letters, and each with a trailing NUL (the zero padding of the last
        // chunk must not make "ab" and "ab\0" one word), hashes differently; so do 8- and 9-byte words.
        use std::hash::Hasher;
        let hash = |b: &[u8]| {
            let mut h = KeyHasher::default();
            h.write(b);
            h.finish()
        };
        let mut words: Vec<Vec<u8>> = Vec::new();
        for a in b'a'..=b'z' {
            words.push(vec![a]);
            for b in b'a'..=b'z' {
                words.push(vec![a, b]);
            }
        }
        let padded: Vec<Vec<u8>> = words.iter().map(|w| [w.as_slice(), &[0]].concat()).collect();
        words.extend(padded);
        words.extend([b"abcdefgh".to_vec(), b"abcdefghi".to_vec(), b"abcdefgi".to_vec()]);
        let hashes: std::collections::HashSet<u64> = words.iter().map(|w| hash(w)).collect();
        assert_eq!(hashes.len(), words.len());
    }

    #[test]
    fn the_word_memo_answers_per_language_and_stays_bounded() {
        let mut memo: WordMemo<String> = WordMemo::new();
        let calls = std::cell::Cell::new(0);
        let get = |memo: &mut WordMemo<String>, lang: &str, w: &str| {
            memo.of_lang(lang)
                .get(w, |w| {
                    calls.set(calls.get() + 1);
                    format!("{lang}:{w}")
                })
                .clone()
        };
        assert_eq!(get(&mut memo, "eng_Latn", "Tashkent"), "eng_Latn:Tashkent");
        assert_eq!(get(&mut memo, "rus_Cyrl", "Tashkent"), "rus_Cyrl:Tashkent", "one memo per language");
        assert_eq!(get(&mut memo, "eng_Latn", "Tashkent"), "eng_Latn:Tashkent");
        for i in 0..WORD_MEMO_MAX + 10 {
            get(&mut memo, "kaz_Cyrl", &format!("w{i}"));
        }
        assert_eq!(calls.get(), 2 + WORD_MEMO_MAX + 10, "each new word computed once");
        assert!(
            memo.words <= WORD_MEMO_MAX + 1 && memo.langs.iter().map(|(_, m)| m.len()).sum::<usize>() == memo.words
        );
        assert_eq!(get(&mut memo, "eng_Latn", "Tashkent"), "eng_Latn:Tashkent", "right after starting again too");
    }

    #[test]
    fn long_articles_that_share_only_common_words_are_not_versions() {
        // Two unrelated articles: a common word in both headlines ("market") and one concept pair,
        // "price+bread", in their bodies. Short, that is all two versions of a short story share, and they
        // are linked; long, versions would share far more.
        let pair = |filler: usize| {
            let mut arts = background(40);
            arts.push(art(
                "eng_Latn",
                "A busy day at the market",
                &format!("The price of bread rose. {}", "la ".repeat(filler)),
            ));
            arts.push(art("rus_Cyrl", "Зимний рынок", &format!("Цена хлеба выросла. {}", "ля ".repeat(filler))));
            let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
            let res = align(&feats, &vec![None; feats.len()]);
            let n = arts.len();
            (res.story_of[n - 2].is_some() && res.story_of[n - 2] == res.story_of[n - 1], res.pairs)
        };
        let (short_linked, pairs) = pair(0);
        assert!(short_linked, "the short pair is linked: {pairs:?}");
        let (long_linked, pairs) = pair(400);
        assert!(!long_linked, "the long pair is not: {pairs:?}");
    }

    #[test]
    fn a_borrowed_sentence_does_not_take_a_version_to_the_other_story() {
        // The Ukrainian version of the star story ends with a sentence of the aeroplane story (adaptations
        // add context). Its body shares about as much with the aeroplane story; its headline, with its own.
        let mut arts = everyday();
        arts.extend([
            art(
                "eng_Latn",
                "Scientists saw a new star in the night sky",
                "Scientists saw a new star in the night sky last week; it was bright and blue.",
            ),
            art(
                "rus_Cyrl",
                "Учёные увидели новую звезду в ночном небе",
                "Учёные увидели новую звезду в ночном небе на прошлой неделе; она была яркой и синей.",
            ),
            art(
                "eng_Latn",
                "The new airport will serve more planes",
                "The new airport will serve more planes and use less fuel, the government said.",
            ),
            art(
                "rus_Cyrl",
                "Новый аэропорт примет больше самолётов",
                "Новый аэропорт примет больше самолётов и будет тратить меньше топлива, сообщило правительство.",
            ),
            art(
                "ukr_Cyrl",
                "Учені побачили нову зірку в нічному небі",
                "Учені побачили нову зірку в нічному небі минулого тижня; вона була яскравою і синьою. \
                 Новий аеропорт прийматиме більше літаків і витрачатиме менше пального, повідомив уряд.",
            ),
        ]);
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let res = align(&feats, &vec![None; feats.len()]);
        let (star, plane, ukr) = (res.story_of[24], res.story_of[26], res.story_of[28]);
        assert!(star.is_some() && plane.is_some() && star != plane, "{:?}", res.pairs);
        assert_eq!(res.story_of[25], star);
        assert_eq!(res.story_of[27], plane);
        assert_eq!(ukr, star, "{:?}", res.pairs);
    }

    #[test]
    fn output_does_not_depend_on_thread_count() {
        let mut arts = background(60);
        arts.extend(story());
        arts.extend(story());
        let feats: Vec<AlignFeatures> = arts.iter().map(features).collect();
        let dup_of = vec![None; feats.len()];
        let run = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
            pool.install(|| align(&feats, &dup_of))
        };
        let one = run(1);
        assert_eq!(one, run(3));
        assert_eq!(one, run(8));
    }

    /// The key set finds the keys the merge of two sorted key lists finds, in its order, and sums their
    /// weights to the same last bit (candidates are compared and ordered by it, so a different sum could
    /// change a story), whatever the keys and weights.
    #[test]
    fn key_set_finds_and_sums_what_the_merge_does() {
        use proptest::prelude::*;
        let keys = || proptest::collection::btree_set(0usize..400, 0..80).prop_map(|s| s.into_iter().collect());
        let weights = proptest::collection::vec(0.01f64..20.0, 400);
        proptest!(|(a in keys(), b in keys(), w in weights)| {
            let idx = Index { keys: Vec::new(), start: Vec::new(), postings: Vec::new(), weight: w, langs: Vec::new() };
            let (pa, pb) = (Profile { keys: a, total: 0.0, chance: 0.0 }, Profile { keys: b, total: 0.0, chance: 0.0 });
            let merged = shared_ids(&pa, &pb).fold(0.0, |sum: f64, k| sum + idx.weight[k]);
            let mut set = KeySet::new(400);
            set.put(&pb.keys, true);
            set.put(&pb.keys, false);
            set.put(&pa.keys, true);
            let mut keys = vec![7];
            prop_assert_eq!(set.shared(&pb, &idx, &mut keys).to_bits(), merged.to_bits());
            prop_assert_eq!(keys, shared_ids(&pa, &pb).collect::<Vec<_>>());
            for k in 0..400 {
                prop_assert_eq!(set.contains(k), pa.keys.contains(&k));
            }
            set.put(&pa.keys, false);
            prop_assert!(set.bits.iter().all(|&w| w == 0), "taken out, the keys leave nothing behind");
        });
    }
}
