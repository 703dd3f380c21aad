//! Latin/Cyrillic look-alike letters inside words of the other script.
//!
//! Typists (and OCR) put a Latin `a`, `o`, `e`, `p`, `c`, `x`, `i` into Cyrillic words and Cyrillic ones into
//! Latin words; the word then looks right but matches nothing. A word is repaired only when the evidence is
//! one-sided:
//!
//! * every Latin letter in it has a Cyrillic twin and at least one Cyrillic letter has no Latin twin
//!   (`пpивет` with Latin `p`) → all Latin letters become Cyrillic;
//! * the mirror case (`Kyіv` with Cyrillic `і`) → all Cyrillic letters become Latin;
//! * both scripts have letters without a twin (`iPhoneы`) → genuinely mixed, left alone;
//! * every letter has a twin (`TОP`) → ambiguous: decided by the script of the language (`*_Cyrl`, `*_Latn`)
//!   when it is known, left alone before language identification.
//!
//! Words are runs of letters and combining marks; digits, apostrophes and modifier letters (U+02B0–U+02FF,
//! e.g. Uzbek ʻ) end a word. Precomposed letters are judged by their base letter when the accent is one that
//! Cyrillic also uses (stress acute, grave, breve, diaeresis): Latin `ë` in a Russian word becomes `ё`.
//! A changed word is re-composed (NFC) so `y` + breve in a Belarusian word becomes `ў`.

use std::borrow::Cow;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Script {
    Latin,
    Cyrillic,
}

/// Look-alike pairs (Latin, Cyrillic). Only letters whose glyphs are the same in common fonts; lowercase
/// `в н к м т` do not look like `b h k m t` and are not here. Ukrainian/Belarusian/Kazakh `і` pairs with
/// Latin `i`, Kazakh/Tatar/Bashkir `һ` with `h` and `ә` with the Azerbaijani `ə`, Serbian/Macedonian `ј` and
/// Macedonian `ѕ` with `j` and `s`.
const PAIRS: [(char, char); 28] = [
    ('a', 'а'),
    ('c', 'с'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('x', 'х'),
    ('y', 'у'),
    ('i', 'і'),
    ('j', 'ј'),
    ('s', 'ѕ'),
    ('h', 'һ'),
    ('ə', 'ә'),
    ('A', 'А'),
    ('B', 'В'),
    ('C', 'С'),
    ('E', 'Е'),
    ('H', 'Н'),
    ('I', 'І'),
    ('J', 'Ј'),
    ('K', 'К'),
    ('M', 'М'),
    ('O', 'О'),
    ('P', 'Р'),
    ('S', 'Ѕ'),
    ('T', 'Т'),
    ('X', 'Х'),
    ('Y', 'Ү'),
    ('Ə', 'Ә'),
];

fn latin_twin_of(c: char) -> Option<char> {
    PAIRS.iter().find(|p| p.1 == c).map(|p| p.0)
}

fn cyrillic_twin_of(c: char) -> Option<char> {
    PAIRS.iter().find(|p| p.0 == c).map(|p| p.1)
}

pub(crate) fn script_of(c: char) -> Option<Script> {
    match c as u32 {
        0x41..=0x5A
        | 0x61..=0x7A
        | 0xC0..=0x24F
        | 0x250..=0x2AF
        | 0x1E00..=0x1EFF
        | 0x2C60..=0x2C7F
        | 0xA720..=0xA7FF => Some(Script::Latin),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0xA640..=0xA69F => Some(Script::Cyrillic),
        _ => None,
    }
}

/// Accents shared by both scripts' precomposed letters (ё ї ў й ӓ ӧ ӱ ѐ and stress marks).
fn is_shared_accent(m: char) -> bool {
    matches!(m, '\u{0300}' | '\u{0301}' | '\u{0306}' | '\u{0308}')
}

/// The base letter of `c` and whether `c` is a base letter plus shared accents only.
fn base_of(c: char) -> (char, bool) {
    // Fast exit: ASCII and the basic Cyrillic letters other than Й/й have no decomposition.
    if (c as u32) < 0xC0 || (('\u{0410}'..='\u{044F}').contains(&c) && c != 'Й' && c != 'й') {
        return (c, true);
    }
    let mut base = None;
    let mut shared = true;
    decompose_canonical(c, |d| match base {
        None => base = Some(d),
        Some(_) => shared &= is_shared_accent(d),
    });
    (base.unwrap_or(c), shared)
}

/// How a letter counts towards the decision.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Letter {
    /// Latin or Cyrillic letter with a twin in the other script.
    Twin(Script),
    /// Latin or Cyrillic letter without one.
    Distinct(Script),
    /// Any other letter (Greek, Armenian, ...): the word is not ours to judge.
    Foreign,
}

fn letter_kind(c: char) -> Letter {
    let (base, shared) = base_of(c);
    match script_of(base) {
        Some(Script::Latin) if shared && cyrillic_twin_of(base).is_some() => Letter::Twin(Script::Latin),
        Some(Script::Cyrillic) if shared && latin_twin_of(base).is_some() => Letter::Twin(Script::Cyrillic),
        Some(s) => Letter::Distinct(s),
        None => Letter::Foreign,
    }
}

fn is_word_char(c: char) -> bool {
    // Fast answers for the common letters; the Unicode tables for the rest.
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    if matches!(c as u32, 0x400..=0x481 | 0x48A..=0x52F) {
        return true;
    }
    is_combining_mark(c) || (c.is_alphabetic() && !('\u{02B0}'..='\u{02FF}').contains(&c))
}

/// Which script the Latin/Cyrillic letters of a word should be converted to, if any.
fn decide(word: &str, lang_script: Option<Script>) -> Option<Script> {
    let (mut lat, mut cyr, mut lat_distinct, mut cyr_distinct) = (0, 0, 0, 0);
    for c in word.chars() {
        if is_combining_mark(c) {
            continue;
        }
        match letter_kind(c) {
            Letter::Twin(Script::Latin) => lat += 1,
            Letter::Twin(Script::Cyrillic) => cyr += 1,
            Letter::Distinct(Script::Latin) => {
                lat += 1;
                lat_distinct += 1
            }
            Letter::Distinct(Script::Cyrillic) => {
                cyr += 1;
                cyr_distinct += 1
            }
            Letter::Foreign => return None,
        }
    }
    if lat == 0 || cyr == 0 {
        return None;
    }
    match (lat_distinct > 0, cyr_distinct > 0) {
        (false, true) => Some(Script::Cyrillic),
        (true, false) => Some(Script::Latin),
        (true, true) => None,
        (false, false) => lang_script,
    }
}

/// Rewrites the letters of `word` that are in the other script than `to`.
fn convert(word: &str, to: Script, out: &mut String) {
    let mut buf = String::with_capacity(word.len());
    for c in word.chars() {
        let twin = |b: char| match to {
            Script::Cyrillic => cyrillic_twin_of(b),
            Script::Latin => latin_twin_of(b),
        };
        if let Some(t) = twin(c) {
            buf.push(t);
            continue;
        }
        let (base, shared) = base_of(c);
        match twin(base) {
            Some(t) if shared && base != c => {
                buf.push(t);
                decompose_canonical(c, |d| {
                    if d != base {
                        buf.push(d)
                    }
                });
            }
            _ => buf.push(c),
        }
    }
    out.extend(buf.nfc());
}

/// Quick rejection: a text needs a look at its words only if it has both Latin and Cyrillic letters.
/// Read from the UTF-8 lead bytes: Latin is ASCII letters, U+00C0–U+02AF (lead bytes C3–CA, which also
/// cover × and ÷: a harmless false positive), U+1E00–U+1EFF, U+2C60–U+2C7F and U+A720–U+A7FF; Cyrillic is
/// U+0400–U+052F (D0–D4), U+1C80–U+1C8F and U+A640–U+A69F.
fn has_both_scripts(text: &str) -> bool {
    let b = text.as_bytes();
    // Vectorised pre-checks: no Cyrillic lead byte at all (the common Latin-script case), or no ASCII letter
    // and no non-ASCII Latin lead byte (the common Cyrillic case).
    if super::all_bytes(b, |x| !matches!(x, 0xD0..=0xD4 | 0xE1 | 0xEA))
        || super::all_bytes(b, |x| !(x.is_ascii_alphabetic() || matches!(x, 0xC3..=0xCA | 0xE1 | 0xE2 | 0xEA)))
    {
        return false;
    }
    let (mut lat, mut cyr) = (false, false);
    for (i, &x) in b.iter().enumerate() {
        match x {
            b'A'..=b'Z' | b'a'..=b'z' | 0xC3..=0xCA => lat = true,
            0xD0..=0xD4 => cyr = true,
            0xE1 if (0xB8..=0xBB).contains(&b[i + 1]) => lat = true,
            0xE1 if b[i + 1] == 0xB2 && b[i + 2] <= 0x8F => cyr = true,
            0xE2 if b[i + 1] == 0xB1 && b[i + 2] >= 0xA0 => lat = true,
            0xEA if (0x9C..=0x9F).contains(&b[i + 1]) => lat = true,
            0xEA if b[i + 1] == 0x99 || b[i + 1] == 0x9A => cyr = true,
            _ => continue,
        }
        if lat && cyr {
            return true;
        }
    }
    false
}

/// Repairs look-alike letters word by word. `lang_script` settles words made only of twin letters.
pub(crate) fn repair(text: &str, lang_script: Option<Script>) -> Cow<'_, str> {
    if !has_both_scripts(text) {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    // Byte offset up to which `text` has been copied into `out`.
    let mut copied = 0;
    let mut start: Option<usize> = None;
    let finish = |s: usize, e: usize, out: &mut Option<String>, copied: &mut usize| {
        let word = &text[s..e];
        if let Some(to) = decide(word, lang_script) {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 8));
            o.push_str(&text[*copied..s]);
            convert(word, to, o);
            *copied = e;
        }
    };
    for (i, c) in text.char_indices() {
        if is_word_char(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            finish(s, i, &mut out, &mut copied);
        }
    }
    if let Some(s) = start {
        finish(s, text.len(), &mut out, &mut copied);
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[copied..]);
            if o == text {
                Cow::Borrowed(text)
            } else {
                Cow::Owned(o)
            }
        }
        None => Cow::Borrowed(text),
    }
}

/// The script a FLORES code names, for the two scripts this rule knows.
pub(crate) fn lang_script(lang: &str) -> Option<Script> {
    if lang.ends_with("_Cyrl") {
        Some(Script::Cyrillic)
    } else if lang.ends_with("_Latn") {
        Some(Script::Latin)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str, l: Option<Script>) -> String {
        repair(s, l).into_owned()
    }

    #[test]
    fn latin_letters_in_cyrillic_words_become_cyrillic() {
        // Latin a, o, e, p, c, x inside Russian words.
        assert_eq!(r("пpивет мaмa, кoт, мex, cтoл, дело", None), "привет мама, кот, мех, стол, дело");
        assert_eq!(r("Tелеграм", None), "Телеграм");
    }

    #[test]
    fn latin_i_in_ukrainian_word_becomes_cyrillic_i() {
        let out = r("м\u{0069}сто Київ", None);
        assert_eq!(out, "м\u{0456}сто Київ");
        assert!(out.contains('\u{0456}'));
    }

    #[test]
    fn cyrillic_letters_in_latin_words_become_latin() {
        assert_eq!(r("Ky\u{0456}v", None), "Kyiv");
        assert_eq!(r("\u{0421}omputer and \u{0440}rice", None), "Computer and price");
    }

    #[test]
    fn kazakh_and_tatar_letters_count_as_cyrillic() {
        // Latin h and ə typed for Kazakh һ and ә, inside words with clearly Cyrillic letters.
        assert_eq!(r("ша\u{0068}ар \u{0259}к\u{0456}м", None), "ша\u{04BB}ар \u{04D9}к\u{0456}м");
        // Genuine Kazakh words stay as they are.
        assert_eq!(r("Қазақстан әкімі һәм", None), "Қазақстан әкімі һәм");
    }

    #[test]
    fn single_script_and_genuinely_mixed_words_are_untouched() {
        for s in ["Москва", "Moscow", "iPhoneы", "XIX век", "СМИ и NATO", "Xiaomiтелефон"] {
            assert_eq!(r(s, None), s);
        }
    }

    #[test]
    fn ambiguous_words_follow_the_language_script_only_when_known() {
        // T, P Latin; О Cyrillic: every letter has a twin.
        assert_eq!(r("T\u{041E}P", None), "T\u{041E}P");
        assert_eq!(r("T\u{041E}P", Some(Script::Cyrillic)), "\u{0422}\u{041E}\u{0420}");
        assert_eq!(r("T\u{041E}P", Some(Script::Latin)), "TOP");
    }

    #[test]
    fn accented_twins_follow_their_base_letter() {
        // Latin ë in a Russian word → ё; Latin y + breve in a Belarusian word → ў (composed).
        assert_eq!(r("вс\u{00EB} пpaвa", None), "всё права");
        assert_eq!(r("на\u{0079}\u{0306}л\u{0069}цы", None), "на\u{045E}л\u{0456}цы");
        // Cedilla is not a Cyrillic accent: ç is a distinct Latin letter and the word is mixed.
        assert_eq!(r("çтол", None), "çтол");
    }

    #[test]
    fn byte_scan_finds_both_scripts() {
        assert!(has_both_scripts("a б"));
        assert!(has_both_scripts("\u{1E9E}\u{A641}"));
        assert!(!has_both_scripts("только кириллица"));
        assert!(!has_both_scripts("Latin only, ćevapi"));
    }

    #[test]
    fn other_scripts_are_not_judged() {
        assert_eq!(r("\u{03B1}\u{006F}мега", None), "\u{03B1}\u{006F}мега");
    }
}
