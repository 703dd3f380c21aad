//! Concepts: common words of every service language mapped to one language-neutral id, so that versions of a
//! story that share no name and no number still meet ("bread", "salt", "warm", "water" in Kazakh and Romanian).
//!
//! Names and numbers survive translation, but many stories have few of either; their words do not, unless
//! something says that Kazakh `тұз` and Romanian `sare` are one thing. There is no translation model at run
//! time, so the build carries small word lists instead: `concepts/concepts.txt` names ~450 concepts (numbers
//! as words, months, weekdays, people, places, nature, the body, news words, common verbs and adjectives,
//! countries), and `concepts/<lang>.txt` gives, per language, the whole words and prefixes ("stem*") that say
//! each one. The lists were written by hand from knowledge of the languages (README in that folder; checked by
//! `scripts/check-concepts.py`), like the language profiles of [`crate::identify`].
//!
//! A concept is weak evidence on its own ("year" is in every other article), so it enters alignment as any
//! other key does: weighted by its rarity in the corpus, and left out of the index when too many articles hold
//! it. What makes concepts specific is their combination: a pair of concepts that meet in one sentence
//! ("salt" + "bread") is a key of its own ([`super::evidence::concept_keys`]), far rarer than either, and a
//! translation keeps it because it keeps the sentence.

use crate::normalise::lower;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The master list and each language's words, built into the binary.
const MASTER: &str = include_str!("concepts/concepts.txt");
const LISTS: &[(&str, &str)] = &[
    ("eng_Latn", include_str!("concepts/eng_Latn.txt")),
    ("rus_Cyrl", include_str!("concepts/rus_Cyrl.txt")),
    ("ukr_Cyrl", include_str!("concepts/ukr_Cyrl.txt")),
    ("bel_Cyrl", include_str!("concepts/bel_Cyrl.txt")),
    ("bul_Cyrl", include_str!("concepts/bul_Cyrl.txt")),
    ("mkd_Cyrl", include_str!("concepts/mkd_Cyrl.txt")),
    ("srp_Cyrl", include_str!("concepts/srp_Cyrl.txt")),
    ("srp_Latn", include_str!("concepts/srp_Latn.txt")),
    ("hrv_Latn", include_str!("concepts/hrv_Latn.txt")),
    ("bos_Latn", include_str!("concepts/bos_Latn.txt")),
    ("ron_Latn", include_str!("concepts/ron_Latn.txt")),
    ("hun_Latn", include_str!("concepts/hun_Latn.txt")),
    ("als_Latn", include_str!("concepts/als_Latn.txt")),
    ("kaz_Cyrl", include_str!("concepts/kaz_Cyrl.txt")),
    ("kir_Cyrl", include_str!("concepts/kir_Cyrl.txt")),
    ("tat_Cyrl", include_str!("concepts/tat_Cyrl.txt")),
    ("bak_Cyrl", include_str!("concepts/bak_Cyrl.txt")),
    ("uzn_Latn", include_str!("concepts/uzn_Latn.txt")),
    ("tuk_Latn", include_str!("concepts/tuk_Latn.txt")),
    ("azj_Latn", include_str!("concepts/azj_Latn.txt")),
    ("crh_Latn", include_str!("concepts/crh_Latn.txt")),
    ("tgk_Cyrl", include_str!("concepts/tgk_Cyrl.txt")),
    ("pes_Arab", include_str!("concepts/pes_Arab.txt")),
    ("prs_Arab", include_str!("concepts/prs_Arab.txt")),
    ("pbt_Arab", include_str!("concepts/pbt_Arab.txt")),
    ("hye_Armn", include_str!("concepts/hye_Armn.txt")),
    ("kat_Geor", include_str!("concepts/kat_Geor.txt")),
    ("che_Cyrl", include_str!("concepts/che_Cyrl.txt")),
    ("ava_Cyrl", include_str!("concepts/ava_Cyrl.txt")),
];
/// Languages written with another language's list: Montenegrin is written like Bosnian (ijekavian, Latin).
const ALIASES: &[(&str, &str)] = &[("cnr_Latn", "bos_Latn")];
/// A prefix shorter than this would start unrelated words (the checker refuses them in the lists).
const MIN_PREFIX: usize = 4;

/// A fast hasher for the short word keys (SipHash was most of the lookup cost: a word is looked up whole
/// and then once per prefix length).
type Fast = std::hash::BuildHasherDefault<super::KeyHasher>;

/// One language's words: whole forms and prefixes, each to the concepts it says.
#[derive(Default)]
struct Words {
    exact: HashMap<String, Vec<u16>, Fast>,
    prefix: HashMap<String, Vec<u16>, Fast>,
    /// The first MIN_PREFIX characters of every prefix: a word that does not begin with one of them (most
    /// words) needs no prefix lookup at all.
    heads: HashMap<String, (), Fast>,
    /// Longest prefix, in characters: no longer prefix of a word needs looking up.
    longest: usize,
    /// A bit for the start of every listed form (see [`start_bit`]): a word whose start has no bit says no
    /// concept, and most words of a text are settled by this test without a look-up in the word memo,
    /// whose probes (a cache miss each, on a large corpus) were ~6% of a build's CPU.
    starts: Vec<u64>,
}

/// Bits of [`Words::starts`]: with ~1,000 forms per language, one word in ~16 that starts unlike every form
/// passes by chance (and is then looked up as before).
const START_BITS: usize = 1 << 14;

/// Folded characters a start has: every exact form of three or more characters and every prefix (at least
/// [`MIN_PREFIX`]) begins with its three first; a shorter exact form is its own start.
const START_CHARS: usize = 3;

/// The bit of a word's start: its first [`START_CHARS`] folded characters (the zero-width non-joiner
/// dropped, as [`folded`] does), or all of them when it has fewer. A word and every form it can match (its
/// whole folded form, or a listed prefix of it) have the same start, so the same bit.
fn start_bit(word: &str) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for c in word.chars().filter(|&c| c != '\u{200C}').take(START_CHARS) {
        h = (h ^ u64::from(u32::from(fold(c)))).wrapping_mul(0x0000_0100_0000_01B3);
    }
    (h ^ (h >> 29)) as usize % START_BITS
}

impl Words {
    /// Whether `word` may say a concept: false only when no listed form starts as it does.
    fn may_say(&self, word: &str) -> bool {
        let b = start_bit(word);
        self.starts[b / 64] & (1 << (b % 64)) != 0
    }
}

struct Concepts {
    names: Vec<&'static str>,
    langs: HashMap<&'static str, Words>,
}

/// One character as the lists and the text are compared: lower case, one apostrophe for the several that
/// Uzbek and others type (ʻ ʼ ’ `), Persian ی and ک for their Arabic look-alikes (Pashto's final ي too:
/// its sites type it for ی as often as not), one s and t with a cedilla or comma below.
fn fold(c: char) -> char {
    match c {
        '\u{02BB}' | '\u{02BC}' | '\u{2019}' | '\u{2018}' | '`' => '\'',
        'ي' | 'ى' => 'ی',
        'ك' => 'ک',
        'Ӏ' => 'ӏ',
        // Romanian is typed with cedillas as often as with commas below; Turkic languages use the cedilla.
        'ș' | 'Ș' | 'Ş' => 'ş',
        'ț' | 'Ț' | 'Ţ' => 'ţ',
        _ => lower(c),
    }
}

/// A word folded for lookup; the zero-width non-joiner is dropped (Persian writes می‌گوید, میگوید and
/// می گوید for one word; the lists and the text need not agree on it).
fn folded(word: &str) -> String {
    let mut f = String::with_capacity(word.len());
    fold_into(word, &mut f);
    f
}

/// [`folded`] into a buffer of the caller's.
fn fold_into(word: &str, out: &mut String) {
    out.clear();
    out.extend(word.chars().filter(|&c| c != '\u{200C}').map(fold));
}

fn parse(list: &str, ids: &HashMap<&str, u16>) -> Words {
    let mut w = Words { starts: vec![0; START_BITS / 64], ..Words::default() };
    for line in list.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let Some((id, forms)) = line.split_once('\t') else { continue };
        let Some(&c) = ids.get(id.trim()) else { continue };
        for f in forms.split_whitespace() {
            let (stem, is_prefix) = match f.strip_suffix('*') {
                Some(s) => (folded(s), true),
                None => (folded(f), false),
            };
            let n = stem.chars().count();
            if is_prefix && n < MIN_PREFIX {
                continue;
            }
            if is_prefix {
                w.heads.insert(stem.chars().take(MIN_PREFIX).collect(), ());
            }
            let b = start_bit(&stem);
            w.starts[b / 64] |= 1 << (b % 64);
            let map = if is_prefix { &mut w.prefix } else { &mut w.exact };
            let v = map.entry(stem).or_default();
            if !v.contains(&c) {
                v.push(c);
            }
            if is_prefix {
                w.longest = w.longest.max(n);
            }
        }
    }
    w
}

fn concepts() -> &'static Concepts {
    static C: OnceLock<Concepts> = OnceLock::new();
    C.get_or_init(|| {
        let names: Vec<&str> = MASTER
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split('\t').next().unwrap_or("").trim())
            .collect();
        let ids: HashMap<&str, u16> = names.iter().enumerate().map(|(i, &n)| (n, i as u16)).collect();
        let mut langs: HashMap<&'static str, Words> = LISTS.iter().map(|&(l, t)| (l, parse(t, &ids))).collect();
        for &(alias, of) in ALIASES {
            let list = LISTS.iter().find(|(l, _)| *l == of).map(|&(_, t)| t).unwrap_or("");
            langs.insert(alias, parse(list, &ids));
        }
        Concepts { names, langs }
    })
}

/// The concepts one word says in `lang` (none for a language without a list): its whole form, else the
/// longest listed prefix it begins with.
pub fn of_word(word: &str, lang: &str) -> &'static [u16] {
    concepts().langs.get(lang).map_or(&[], |w| lookup(w, word, &mut String::new(), &mut Vec::new()))
}

/// [`of_word`] with the language's words already found (once per text, not once per word), folding into
/// `buf` and `ends` (reused from word to word: an allocation per word was a good part of the cost).
fn lookup(w: &'static Words, word: &str, buf: &mut String, ends: &mut Vec<usize>) -> &'static [u16] {
    fold_into(word, buf);
    let f = buf.as_str();
    if let Some(v) = w.exact.get(f) {
        return v;
    }
    // Byte ends of the word's prefixes of MIN_PREFIX..=longest characters, longest first.
    ends.clear();
    ends.extend(f.char_indices().map(|(i, _)| i).chain([f.len()]).skip(MIN_PREFIX));
    if ends.first().is_none_or(|&e| !w.heads.contains_key(&f[..e])) {
        return &[];
    }
    ends.truncate(w.longest.saturating_sub(MIN_PREFIX) + 1);
    for &e in ends.iter().rev() {
        if let Some(v) = w.prefix.get(&f[..e]) {
            return v;
        }
    }
    &[]
}

/// Whether `lang` has a concept list.
pub fn has_list(lang: &str) -> bool {
    concepts().langs.contains_key(lang)
}

/// The id's name ("water"), for the evidence column.
pub fn name(id: u16) -> Option<&'static str> {
    concepts().names.get(id as usize).copied()
}

/// Number of concepts in the master list.
pub fn count() -> usize {
    concepts().names.len()
}

/// The concepts of each sentence-like span of `text` (split at . ! ? ; : and line breaks), sorted and
/// distinct per span, in `lang`.
pub fn by_sentence(text: &str, lang: &str) -> Vec<Vec<u16>> {
    let Some(words) = concepts().langs.get(lang) else { return Vec::new() };
    let (mut buf, mut ends) = (String::new(), Vec::new());
    MEMO.with_borrow_mut(|memo| {
        let mut memo = memo.of_lang(lang);
        text.split(['.', '!', '?', ';', ':', '\n', '؟', '։', '।'])
            .map(|s| {
                let mut v: Vec<u16> = Vec::new();
                for w in super::evidence::words(s).filter(|w| words.may_say(w)) {
                    v.extend_from_slice(memo.get(w, |w| lookup(words, w, &mut buf, &mut ends)));
                }
                v.sort_unstable();
                v.dedup();
                v
            })
            .filter(|v| !v.is_empty())
            .collect()
    })
}

thread_local! {
    /// The concepts of the words this thread has looked up (see [`super::WordMemo`]).
    static MEMO: std::cell::RefCell<super::WordMemo<&'static [u16]>> = const { std::cell::RefCell::new(super::WordMemo::new()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> u16 {
        concepts().names.iter().position(|&n| n == name).expect("a listed concept") as u16
    }

    #[test]
    fn every_language_list_names_only_known_concepts_and_says_most_of_them() {
        let ids: HashMap<&str, u16> = concepts().names.iter().enumerate().map(|(i, &n)| (n, i as u16)).collect();
        assert!(count() > 400, "the master list has {} concepts", count());
        for &(lang, list) in LISTS {
            let mut said = 0;
            let mut order = Vec::new();
            for line in list.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
                let (cid, forms) = line.split_once('\t').unwrap_or((line, ""));
                assert!(ids.contains_key(cid.trim()), "{lang}: unknown concept {cid:?}");
                order.push(cid.trim());
                said += usize::from(!forms.trim().is_empty());
                for f in forms.split_whitespace() {
                    let w = f.strip_suffix('*').unwrap_or(f);
                    // Words reach the lookup split at hyphens and lower-cased: other forms could never match.
                    assert!(!w.contains('-') && w.chars().all(|c| lower(c) == c), "{lang}: form {f:?}");
                    assert!(w.len() == f.len() || w.chars().count() >= MIN_PREFIX, "{lang}: short prefix {f:?}");
                }
            }
            assert_eq!(order, concepts().names, "{lang}: the ids in the master list's order");
            // Chechen and Avar were filled only where the writer was sure; the others say nearly all.
            let floor = if matches!(lang, "che_Cyrl" | "ava_Cyrl") { count() / 4 } else { count() * 3 / 4 };
            assert!(said >= floor, "{lang} says only {said} of {} concepts", count());
        }
    }

    #[test]
    fn one_concept_meets_across_scripts_and_inflections() {
        // "government" in five languages, in an inflected form that only a prefix can match.
        let government = id("government");
        for (w, lang) in [
            ("правительства", "rus_Cyrl"),
            ("урядом", "ukr_Cyrl"),
            ("үкіметтің", "kaz_Cyrl"),
            ("hökumətin", "azj_Latn"),
            ("kormány", "hun_Latn"),
        ] {
            assert!(of_word(w, lang).contains(&government), "{w} ({lang}) does not say government");
        }
    }

    #[test]
    fn folding_makes_apostrophes_arabic_letters_and_zwnj_irrelevant() {
        assert_eq!(folded("Oʻzbek"), "o'zbek");
        assert_eq!(folded("مي\u{200C}گويد"), "میگوید");
        assert_eq!(folded("КӀант"), "кӏант");
        assert_eq!(folded("Ştiinţă"), folded("știință"));
    }

    #[test]
    fn a_word_in_no_list_and_a_language_without_a_list_say_nothing() {
        assert!(of_word("xqzvw", "eng_Latn").is_empty());
        assert!(of_word("water", "deu_Latn").is_empty());
        assert!(!has_list("deu_Latn"));
        assert!(has_list("cnr_Latn"), "Montenegrin uses the Bosnian list");
    }

    #[test]
    fn the_start_filter_never_hides_a_word_that_says_a_concept() {
        // Every listed form, as the text may write it: capitalised, inflected (a suffix after a prefix or a
        // whole form), with another apostrophe or Arabic letter, with a ZWNJ inside.
        let mut checked = 0;
        for &(lang, list) in LISTS {
            let words = &concepts().langs[lang];
            for line in list.lines().filter(|l| !l.starts_with('#')) {
                for f in line.split_once('\t').map_or("", |(_, forms)| forms).split_whitespace() {
                    let form = f.trim_end_matches('*');
                    let mut upper = form.chars();
                    let cap: String = upper.next().into_iter().flat_map(char::to_uppercase).chain(upper).collect();
                    let variants = [
                        form.to_string(),
                        cap,
                        format!("{form}лар"),
                        form.replace('\'', "\u{02BB}"),
                        form.replace('ی', "ي").replace('ک', "ك"),
                        form.chars().take(1).chain(['\u{200C}']).chain(form.chars().skip(1)).collect(),
                    ];
                    for w in &variants {
                        if !of_word(w, lang).is_empty() {
                            assert!(words.may_say(w), "{lang}: {w:?} says {:?} but is filtered", of_word(w, lang));
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 20_000, "{checked}");
        // ... and it does filter: most words of an ordinary text start unlike every listed form.
        let text = "Maria Zakharova told reporters in Moscow on Tuesday that the delegation of Uzbekistan \
                    had arrived with proposals concerning customs procedures and transit corridors";
        let words = &concepts().langs["eng_Latn"];
        let passed = text.split(' ').filter(|w| words.may_say(w)).count();
        assert!(passed * 2 < text.split(' ').count(), "{passed} of {} words pass", text.split(' ').count());
    }

    #[test]
    fn sentences_give_their_concepts_apart() {
        let s = by_sentence("Mix the two dry loaves. The water is cold!", "eng_Latn");
        assert_eq!(s.len(), 2);
        assert!(s[0].contains(&id("two")) && s[0].contains(&id("dry")), "{s:?}");
        assert!(s[1].contains(&id("water")) && s[1].contains(&id("cold")), "{s:?}");
        assert!(!s[0].contains(&id("water")));
    }
}
