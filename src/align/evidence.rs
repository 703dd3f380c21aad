//! Evidence that survives translation: numbers and name keys, packed into reversible 64-bit keys.
//!
//! A key's top four bits say what it is; the rest holds the value itself (up to 15 digits or consonant
//! classes, one per nibble), so an article keeps only a sorted `Vec<u64>` and the evidence column can still
//! print "390" or "skr" without storing strings. Longer values and metadata (image ids) are hashed.

use super::translit::skeleton;
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use xxhash_rust::xxh3::xxh3_64;

const TAG_SHIFT: u32 = 60;
const TAG_NUM: u64 = 1;
const TAG_NAME: u64 = 2;
const TAG_META: u64 = 3;
const TAG_LONG: u64 = 4;
const TAG_TITLE: u64 = 5;
const TAG_CONCEPT: u64 = 6;
/// Marks a concept-pair key (two concepts in one sentence) among concept keys.
const CONCEPT_PAIR: u64 = 1 << 32;
const VALUE_MASK: u64 = (1 << TAG_SHIFT) - 1;
/// Marks a 4-class prefix key (sentence alignment's weak cognate anchors), never equal to a name key.
pub const STEM_BIT: u64 = 1 << 59;
/// Shortest prefix key of a long skeleton (see [`push_name_keys`]).
const PREFIX_MIN: usize = 4;
/// Name keys shorter than this many consonant classes collide too often to be evidence.
pub const MIN_NAME_LEN: usize = 3;

/// What kind of evidence a key is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Number,
    Name,
    Meta,
    /// A number or name key seen in the title (titles of versions translate the same sentence).
    Title,
    /// A concept of [`super::concepts`], or two of them in one sentence.
    Concept,
}

pub fn kind(key: u64) -> Kind {
    match key >> TAG_SHIFT {
        TAG_NUM => Kind::Number,
        TAG_NAME => Kind::Name,
        TAG_TITLE => Kind::Title,
        TAG_CONCEPT => Kind::Concept,
        _ => Kind::Meta,
    }
}

/// ASCII value of a digit in any of the digit sets the corpus uses (ASCII, Persian ۰-۹, Arabic-Indic ٠-٩).
pub fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '\u{06F0}'..='\u{06F9}' => Some((c as u32 - 0x06F0) as u8),
        '\u{0660}'..='\u{0669}' => Some((c as u32 - 0x0660) as u8),
        _ => None,
    }
}

/// Byte offset of the first character [`digit_value`] reads, found in the UTF-8 bytes: an ASCII digit, or
/// D9 A0..A9 (U+0660..0669), or DB B0..B9 (U+06F0..06F9); neither lead byte nor an ASCII digit can be
/// part of another character.
fn first_digit(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let is_digit_at = |i: usize| match b[i] {
        b'0'..=b'9' => true,
        0xD9 => b.get(i + 1).is_some_and(|x| (0xA0..=0xA9).contains(x)),
        0xDB => b.get(i + 1).is_some_and(|x| (0xB0..=0xB9).contains(x)),
        _ => false,
    };
    (0..b.len()).find(|&i| is_digit_at(i))
}

/// Characters that may sit between digit groups of one number.
fn is_num_sep(c: char) -> bool {
    matches!(c, ',' | '.' | ' ' | '\u{00A0}' | '\u{202F}' | '\u{2009}' | '\'' | '٬' | '٫' | '’')
}

/// Turns one run of digit groups and separators into numbers: thousands separators are removed
/// ("1,234,567", "1 234", "1.234", "۱٬۲۳۴"), a decimal mark becomes "." ("3,5" = "3.5"), and groups
/// joined by a space that do not read as thousands stay separate numbers.
fn parse_run(groups: &[String], seps: &[char], out: &mut Vec<String>) {
    if groups.is_empty() {
        return;
    }
    let thousands = groups.len() >= 2
        && groups[0].len() <= 3
        && groups[1..].iter().all(|g| g.len() == 3)
        && seps.iter().all(|&s| s == seps[0])
        && seps[0] != '٫';
    if thousands {
        out.push(trim_int(&groups.concat()));
        return;
    }
    let mut i = 0;
    while i < groups.len() {
        // A decimal mark: one of . , ٫ followed by a group (the fraction).
        if i + 1 < groups.len() && matches!(seps[i], '.' | ',' | '٫') {
            let frac = groups[i + 1].trim_end_matches('0');
            let int = trim_int(&groups[i]);
            out.push(if frac.is_empty() { int } else { format!("{int}.{frac}") });
            i += 2;
        } else {
            out.push(trim_int(&groups[i]));
            i += 1;
        }
    }
}

fn trim_int(s: &str) -> String {
    let t = s.trim_start_matches('0');
    if t.is_empty() {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// The numbers written in a text, normalised to ASCII ("۳۹۰" → "390", "1,500" → "1500").
pub fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    // Run by run, without a copy of the text's characters (most of a text has no digit).
    while let Some(at) = first_digit(rest) {
        let mut groups: Vec<String> = vec![String::new()];
        let mut seps: Vec<char> = Vec::new();
        let mut it = rest[at..].chars();
        loop {
            let here = it.clone();
            let Some(c) = it.next() else { break };
            if let Some(d) = digit_value(c) {
                groups.last_mut().expect("one group").push((b'0' + d) as char);
            } else if is_num_sep(c) && it.clone().next().and_then(digit_value).is_some() {
                seps.push(c);
                groups.push(String::new());
            } else {
                it = here;
                break;
            }
        }
        parse_run(&groups, &seps, &mut out);
        rest = it.as_str();
    }
    out
}

/// The words of a text (letters and joiners), without digits.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        !(crate::normalise::is_letter(c) || c == '\u{200C}' || c == '\'' || c == 'ʼ' || c == 'ʻ' || c == '’')
    })
    .filter(|w| !w.is_empty())
}

fn pack(tag: u64, s: &str, code: impl Fn(char) -> u64) -> u64 {
    if s.chars().count() > 15 {
        return (TAG_LONG << TAG_SHIFT) | (xxh3_64(s.as_bytes()) & VALUE_MASK) | u64::from(tag == TAG_NAME);
    }
    let mut v = 0u64;
    for c in s.chars() {
        v = (v << 4) | code(c);
    }
    (tag << TAG_SHIFT) | v
}

pub fn number_key(n: &str) -> u64 {
    pack(TAG_NUM, n, |c| if c == '.' { 11 } else { (c as u8 - b'0') as u64 + 1 })
}

const CLASSES: &str = "bdkscflrmn";

pub fn name_key(skel: &str) -> u64 {
    // 14 classes at most, so the stem bit stays free.
    let skel = skel.get(..14).unwrap_or(skel);
    pack(TAG_NAME, skel, |c| CLASSES.find(c).map_or(15, |p| p as u64 + 1))
}

pub fn meta_key(what: &str) -> u64 {
    meta_key_of(what.as_bytes())
}

fn meta_key_of(bytes: &[u8]) -> u64 {
    (TAG_META << TAG_SHIFT) | (xxh3_64(bytes) & VALUE_MASK)
}

/// The key of a learned word pair, from its two stems (see [`super::lexicon`]): the same pair has the same
/// key in every lexicon; metadata-like, it never equals a number or name.
pub fn lexicon_key(stem_a: &str, stem_b: &str) -> u64 {
    meta_key_of(format!("lexicon\0{stem_a}\0{stem_b}").as_bytes())
}

/// The key of one concept.
pub fn concept_key(id: u16) -> u64 {
    (TAG_CONCEPT << TAG_SHIFT) | u64::from(id)
}

/// The key of two concepts said in one sentence (order-free).
pub fn concept_pair_key(a: u16, b: u16) -> u64 {
    let (x, y) = (a.min(b), a.max(b));
    (TAG_CONCEPT << TAG_SHIFT) | CONCEPT_PAIR | (u64::from(x) << 16) | u64::from(y)
}

/// Whether a concept key is a pair key.
pub fn is_concept_pair(key: u64) -> bool {
    kind(key) == Kind::Concept && key & CONCEPT_PAIR != 0
}

/// The concept keys of a text: each concept it says, and each two concepts that meet in one of its
/// sentences. A sentence that names many concepts adds only its first pairs, which bounds the keys per
/// article (a list-like sentence would otherwise add hundreds).
pub fn concept_keys(text: &str, lang: &str) -> Vec<u64> {
    const MAX_PER_SENTENCE: usize = 12;
    let mut keys = Vec::new();
    for s in super::concepts::by_sentence(text, lang) {
        keys.extend(s.iter().map(|&c| concept_key(c)));
        let s = &s[..s.len().min(MAX_PER_SENTENCE)];
        for (i, &a) in s.iter().enumerate() {
            for &b in &s[i + 1..] {
                keys.push(concept_pair_key(a, b));
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// The title form of a number, name or concept key: a separate key, so that title-to-title matches count on
/// top of the body evidence and get their own (much higher) rarity weight.
pub fn title_key(key: u64) -> u64 {
    (TAG_TITLE << TAG_SHIFT) | (xxh3_64(&key.to_le_bytes()) & VALUE_MASK)
}

/// The readable form of a key for the evidence column ("390", "skr"; `None` for hashed keys).
pub fn show(key: u64) -> Option<String> {
    let tag = key >> TAG_SHIFT;
    if tag == TAG_CONCEPT {
        let name = |v: u64| super::concepts::name(v as u16).unwrap_or("?");
        return Some(if key & CONCEPT_PAIR != 0 {
            format!("{}+{}", name((key >> 16) & 0xFFFF), name(key & 0xFFFF))
        } else {
            name(key & 0xFFFF).to_string()
        });
    }
    packed(key).map(|p| p.as_str().to_string())
}

/// The characters of a number or name key, as [`show`] prints them, without allocating (alignment compares
/// the names of every candidate pair).
pub fn packed(key: u64) -> Option<Packed> {
    let alphabet: &[u8] = match key >> TAG_SHIFT {
        TAG_NUM => b"?0123456789.",
        TAG_NAME => b"?bdkscflrmn",
        _ => return None,
    };
    let mut v = key & VALUE_MASK & !STEM_BIT;
    let mut out = Packed { chars: [0; 15], len: 0 };
    // Nibbles from the lowest up: the characters from the last back.
    let n = (64 - v.leading_zeros()).div_ceil(4) as usize;
    for at in (0..n).rev() {
        out.chars[at] = *alphabet.get((v & 15) as usize).unwrap_or(&b'?');
        v >>= 4;
    }
    out.len = n as u8;
    Some(out)
}

/// A number or name key's characters (at most 15: one per nibble of its value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packed {
    chars: [u8; 15],
    len: u8,
}

impl Packed {
    pub fn as_str(&self) -> &str {
        // Every character comes from an ASCII alphabet.
        std::str::from_utf8(&self.chars[..usize::from(self.len)]).expect("ASCII")
    }
}

/// Name keys of one word: its skeleton and, for longer ones, the skeleton without its last class, so an
/// inflected form (Захаровым, Zakharovanyń) still meets the bare name.
pub fn push_name_keys(word: &str, lang: &str, out: &mut Vec<u64>) {
    push_skeleton_keys(&skeleton(word, lang), out);
}

/// The keys of one word from its skeleton (see [`push_name_keys`]).
fn push_skeleton_keys(sk: &str, out: &mut Vec<u64>) {
    let n = sk.len();
    if n < MIN_NAME_LEN {
        return;
    }
    if sk.is_ascii() {
        // The same keys as below, packed once from the left: a skeleton's prefix keys are its packed
        // prefixes (name_key keeps at most 14 classes, so none is hashed as a long key).
        let mut packed = [0u64; 15];
        for (i, &b) in sk.as_bytes().iter().take(14).enumerate() {
            packed[i + 1] = (packed[i] << 4) | CLASSES.find(char::from(b)).map_or(15, |p| p as u64 + 1);
        }
        let key = |l: usize| (TAG_NAME << TAG_SHIFT) | packed[l.min(14)];
        out.push(key(n));
        out.extend((PREFIX_MIN..n.saturating_sub(1)).map(key));
        if n > MIN_NAME_LEN {
            out.push(key(n - 1));
        }
        return;
    }
    out.push(name_key(sk));
    // Prefix keys: suffixes of inflection and derivation vary in length across languages (Некрополисінде,
    // Некрополиси, Necropolis), so every prefix of at least PREFIX_MIN classes is a key too.
    for l in PREFIX_MIN..n.saturating_sub(1) {
        out.push(name_key(&sk[..l]));
    }
    if n > MIN_NAME_LEN {
        // Plain name key: the stem of "Захаровым" must equal the full key of "Захарова". A long name that
        // matches fully matches by both keys, which is why name keys weigh half in the aligner.
        out.push(name_key(&sk[..n - 1]));
    }
}

/// Whether a word may be a name: capitalised in scripts with case; any word in scripts without
/// (Arabic, Georgian), where the IDF weight has to sort names from common words.
pub fn may_be_name(word: &str) -> bool {
    match word.chars().next() {
        Some(c) if c.is_uppercase() => true,
        Some(c) => !c.is_lowercase(),
        None => false,
    }
}

/// Words long enough to be cognates ("президент", "prezident") give keys even in lower case.
const MIN_COGNATE_CHARS: usize = 6;

/// Whether a word gives name keys: a possible name, or long enough to be a cognate.
fn is_key_word(w: &str) -> bool {
    may_be_name(w) || w.chars().nth(MIN_COGNATE_CHARS - 1).is_some()
}

/// All number and name keys of a text, sorted and distinct: numbers, capitalised words (names) and long
/// words (internationalisms that transliterate to the same consonants).
pub fn text_keys(text: &str, lang: &str) -> Vec<u64> {
    keys_of(text, lang, false)
}

/// [`text_keys`] plus a 4-class prefix key of every word ([`stem_key`]): sentence alignment's weak anchors
/// for cognates ("министерством" and "ministry" both start "mnsd"), which would collide too often
/// corpus-wide.
pub fn text_keys_with_stems(text: &str, lang: &str) -> Vec<u64> {
    keys_of(text, lang, true)
}

/// Consonant classes of a stem anchor key.
const STEM_CLASSES: usize = 4;

/// A stem anchor key: a name key with a marker bit so it never equals a full name key.
pub fn stem_key(prefix: &str) -> u64 {
    name_key(prefix) | STEM_BIT
}

/// The keys of a text, each distinct word transliterated once (and only when it gives a key).
fn keys_of(text: &str, lang: &str, stems: bool) -> Vec<u64> {
    let mut keys: Vec<u64> = numbers(text).iter().map(|n| number_key(n)).collect();
    // Each distinct word of the text is looked at once however often it occurs; the keys are sorted below,
    // so the words' order is free.
    // Keyed by the word's memo hash, which the memo look-up then uses too: one hash of the word, not two.
    let mut seen: HashSet<u128, Fast> = HashSet::with_capacity_and_hasher(text.len() / 32, Fast::default());
    SKELETONS.with_borrow_mut(|memo| {
        let mut memo = memo.of_lang(lang);
        for w in words(text) {
            let key_word = is_key_word(w);
            if !key_word && !stems {
                continue;
            }
            let h = super::word_hash(w);
            if !seen.insert(h) {
                continue;
            }
            let sk = memo.get_hashed(h, w, |w| skeleton(w, lang).into_boxed_str());
            if key_word {
                push_skeleton_keys(sk, &mut keys);
            }
            if stems && sk.len() >= STEM_CLASSES {
                keys.push(stem_key(&sk[..STEM_CLASSES]));
            }
        }
    });
    keys.sort_unstable();
    keys.dedup();
    keys
}

type Fast = BuildHasherDefault<super::KeyHasher>;

thread_local! {
    /// Skeletons of the words this thread has seen: the costly part of a word's keys (see [`super::WordMemo`]).
    static SKELETONS: std::cell::RefCell<super::WordMemo<Box<str>>> = const { std::cell::RefCell::new(super::WordMemo::new()) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_keys_are_the_name_keys_of_the_skeleton_and_its_prefixes() {
        // push_skeleton_keys packs ASCII skeletons from the left; it must give exactly the keys name_key
        // gives for the skeleton, its prefixes of PREFIX_MIN.. classes and its stem.
        for sk in ["skr", "skrb", "cnkdn", "bdkscflrmnbdks", "bdkscflrmnbdkscfl", "mmmmmmmmmmmmmmmmmmm", "sk"] {
            let mut fast = Vec::new();
            push_skeleton_keys(sk, &mut fast);
            let n = sk.len();
            let mut slow = Vec::new();
            if n >= MIN_NAME_LEN {
                slow.push(name_key(sk));
                slow.extend((PREFIX_MIN..n.saturating_sub(1)).map(|l| name_key(&sk[..l])));
                if n > MIN_NAME_LEN {
                    slow.push(name_key(&sk[..n - 1]));
                }
            }
            assert_eq!(fast, slow, "{sk}");
        }
    }

    #[test]
    fn numbers_are_normalised_across_digit_sets_and_separators() {
        assert_eq!(numbers("۳۹۰ زندانی"), ["390"]);
        assert_eq!(numbers("٣٩٠ سجين"), ["390"]);
        assert_eq!(numbers("1,500 people and 1 500 more, 1.500 too"), ["1500", "1500", "1500"]);
        assert_eq!(numbers("۱٬۵۰۰ نفر"), ["1500"]);
        assert_eq!(numbers("3,5 % or 3.5% or ۳٫۵"), ["3.5", "3.5", "3.5"]);
        assert_eq!(numbers("in 2011-2012, on 14 March"), ["2011", "2012", "14"]);
        assert_eq!(numbers("ends with 7."), ["7"]);
        assert_eq!(numbers("Ӏ۹ and ٩x ۹"), ["9", "9", "9"]);
    }

    #[test]
    fn first_digit_finds_exactly_what_digit_value_reads() {
        // Every character around the digit sets' code points, alone and behind multi-byte letters.
        for c in (0u32..0x800).filter_map(char::from_u32) {
            for prefix in ["", "аб", "ښ", "x"] {
                let s = format!("{prefix}{c}");
                let want = s.char_indices().find(|&(_, c)| digit_value(c).is_some()).map(|(i, _)| i);
                assert_eq!(first_digit(&s), want, "{s:?}");
            }
        }
    }

    #[test]
    fn keys_round_trip_for_the_evidence_column() {
        assert_eq!(show(number_key("390")).as_deref(), Some("390"));
        assert_eq!(show(number_key("3.5")).as_deref(), Some("3.5"));
        assert_eq!(show(name_key("skr")).as_deref(), Some("skr"));
        assert_ne!(number_key("390"), name_key("skr"));
        assert_eq!(kind(number_key("12")), Kind::Number);
        assert_eq!(kind(name_key("skr")), Kind::Name);
    }

    #[test]
    fn suffixes_of_different_length_meet_through_prefix_keys() {
        // Kazakh locative against a Tajik izafet form: skeletons nkrblsnd and nkrbls.
        let kaz = text_keys("Некрополисінде", "kaz_Cyrl");
        let tgk = text_keys("Некрополиси", "tgk_Cyrl");
        assert!(kaz.iter().any(|k| tgk.contains(k)));
        // A prefix key is never shorter than PREFIX_MIN classes: an unrelated word with the same first three
        // classes (nkr…) does not meet.
        let other = text_keys("Никарагуа", "rus_Cyrl");
        assert!(
            !kaz.iter().any(|k| other.contains(k)),
            "{:?}",
            other.iter().filter_map(|&k| show(k)).collect::<Vec<_>>()
        );
    }

    #[test]
    fn title_keys_are_their_own_kind() {
        let k = name_key("skr");
        assert_eq!(kind(title_key(k)), Kind::Title);
        assert_ne!(title_key(k), k);
        assert_ne!(title_key(k), title_key(name_key("skrn")));
    }

    #[test]
    fn inflected_names_share_a_key() {
        let bare = text_keys("Захарова", "rus_Cyrl");
        let inflected = text_keys("Захаровым", "rus_Cyrl");
        assert!(bare.iter().any(|k| inflected.contains(k)));
    }
}
