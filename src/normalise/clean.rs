//! Script-independent clean-up: C1 repair, invisible characters, white space, then Unicode NFC.
//!
//! One pass does the character rules; NFC runs after it because removing an invisible character can put a
//! base letter next to a combining mark that NFC must then compose (`e` ZWSP U+0301 → `é`). Nothing NFC
//! produces is touched by the character rules (it never yields white space, controls or invisibles), so
//! `nfc(clean(x))` is a fixed point of both steps.

use std::borrow::Cow;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// What one input character becomes in the clean pass.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Class {
    /// Kept as it is (possibly after C1 repair).
    Keep(char),
    /// Any white space: folds into one ASCII space, dropped at the ends.
    Space,
    /// Dropped without trace.
    Drop,
    /// ZWNJ or ZWJ: kept only where it can do something (see [`join_is_meaningful`]).
    Join(char),
}

const ZWNJ: char = '\u{200C}';
const ZWJ: char = '\u{200D}';

fn classify(c: char) -> Class {
    match c {
        ' ' => Class::Space,
        // Fast exit for the common case: printable ASCII and most letters.
        c if (c as u32) < 0x7F && c >= '!' => Class::Keep(c),
        ZWNJ | ZWJ => Class::Join(c),
        '\u{0080}'..='\u{009F}' => match c1_to_cp1252(c) {
            Some(r) => Class::Keep(r),
            None => Class::Drop,
        },
        c if c.is_whitespace() => Class::Space,
        // C0 controls other than white space (already handled above) and DEL: debris, never text.
        '\u{0000}'..='\u{001F}' | '\u{007F}' => Class::Drop,
        // Zero-width space, BOM / zero-width no-break space, soft hyphen, word joiner and invisible operators:
        // they only break word matching.
        '\u{200B}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}'..='\u{2064}' => Class::Drop,
        // Bidi controls (LRM, RLM, ALM, embeddings, overrides, isolates): display hints that differ between
        // copies of the same text.
        '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => Class::Drop,
        // Arabic tatweel (kashida) only stretches a joined letter for justification; it is never a letter.
        '\u{0640}' => Class::Drop,
        c => Class::Keep(c),
    }
}

/// Characters in U+0080–U+009F are C1 controls, which never occur in real text; when they do, a windows-1252
/// byte was decoded as ISO-8859-1. Returns the windows-1252 character, or `None` for the five bytes that
/// windows-1252 leaves undefined (they are dropped).
pub(crate) fn c1_to_cp1252(c: char) -> Option<char> {
    const MAP: [Option<char>; 32] = [
        Some('€'),
        None,
        Some('‚'),
        Some('ƒ'),
        Some('„'),
        Some('…'),
        Some('†'),
        Some('‡'),
        Some('ˆ'),
        Some('‰'),
        Some('Š'),
        Some('‹'),
        Some('Œ'),
        None,
        Some('Ž'),
        None,
        None,
        Some('‘'),
        Some('’'),
        Some('“'),
        Some('”'),
        Some('•'),
        Some('–'),
        Some('—'),
        Some('˜'),
        Some('™'),
        Some('š'),
        Some('›'),
        Some('œ'),
        None,
        Some('ž'),
        Some('Ÿ'),
    ];
    let i = (c as u32).checked_sub(0x80)? as usize;
    MAP.get(i).copied().flatten()
}

/// Scripts where ZWNJ/ZWJ change shaping or meaning: Hebrew to N'Ko and the Arabic extensions (Persian and
/// Pashto need ZWNJ inside words), Indic and South-East Asian scripts (conjunct control), Mongolian, and
/// emoji and symbols (ZWJ sequences such as 👩‍🌾). Whole Unicode blocks, so NFC never moves a character in
/// or out of the set.
fn in_joining_script(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF
        | 0x0900..=0x109F
        | 0x1780..=0x18AF
        | 0x2600..=0x27BF
        | 0x2B00..=0x2BFF
        | 0xFB1D..=0xFDFF
        | 0xFE00..=0xFE0F
        | 0xFE70..=0xFEFF
        | 0x1F000..=0x1FAFF)
}

/// A join control is kept between two visible characters when at least one of them belongs to a script
/// where it matters; between Latin or Cyrillic letters, or next to a space, it is copy-paste debris.
fn join_is_meaningful(prev: char, next: char) -> bool {
    in_joining_script(prev) || in_joining_script(next)
}

/// A byte scan that settles most texts without decoding: `Some(false)` for a control character, a doubled,
/// leading or trailing space; `None` when a multi-byte character the clean pass may change is present (C1,
/// no-break and other spaces, invisibles, bidi controls, tatweel); `Some(true)` otherwise. Join controls
/// are judged here from their neighbours.
fn quick_clean(text: &str) -> Option<bool> {
    let b = text.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return Some(false);
    }
    // Vectorised pre-check: no control bytes and none of the lead bytes of characters the pass may change.
    if super::all_bytes(b, |x| {
        x >= 0x21 && x != 0x7F && !matches!(x, 0xC2 | 0xD8 | 0xD9 | 0xE1 | 0xE2 | 0xE3 | 0xEF) || x == b' '
    }) {
        return Some(!b.windows(2).any(|w| w == b"  "));
    }
    let mut prev_space = false;
    for (i, &x) in b.iter().enumerate() {
        if x < 0x80 {
            if x == b' ' {
                if prev_space {
                    return Some(false);
                }
                prev_space = true;
            } else if x < 0x21 || x == 0x7F {
                return Some(false);
            } else {
                prev_space = false;
            }
            continue;
        }
        prev_space = false;
        // Lead bytes only (continuation bytes are 0x80–0xBF); valid UTF-8 guarantees the bytes that follow.
        let y = || b[i + 1];
        let z = || b[i + 2];
        let suspicious = match x {
            0xC2 => y() <= 0xA0 || y() == 0xAD,
            0xD8 => y() == 0x9C,
            0xD9 => y() == 0x80,
            0xE1 => y() == 0x9A && z() == 0x80,
            0xE2 if y() == 0x80 && (z() == 0x8C || z() == 0x8D) => {
                // A join control is clean between two kept characters of which one is in a joining script.
                // A neighbour that is itself suspicious is caught when the scan reaches it (or was already).
                let prev = text[..i].chars().next_back();
                let next = text[i + 3..].chars().next();
                match (prev, next) {
                    (Some(p), Some(n))
                        if p != ' '
                            && n != ' '
                            && !matches!(p, ZWNJ | ZWJ)
                            && !matches!(n, ZWNJ | ZWJ)
                            && join_is_meaningful(p, n) =>
                    {
                        false
                    }
                    _ => return Some(false),
                }
            }
            0xE2 => {
                (y() == 0x80 && (z() <= 0x8F || (0xA8..=0xAF).contains(&z())))
                    || (y() == 0x81 && (0x9F..=0xAF).contains(&z()))
            }
            0xE3 => y() == 0x80 && z() == 0x80,
            0xEF => y() == 0xBB && z() == 0xBF,
            _ => false,
        };
        if suspicious {
            return None;
        }
    }
    Some(true)
}

/// True when [`clean_pass`] would return the text unchanged.
fn is_clean(text: &str) -> bool {
    if let Some(clean) = quick_clean(text) {
        return clean;
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return false;
    }
    let mut prev: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match classify(c) {
            Class::Keep(k) if k == c => {}
            Class::Keep(_) | Class::Drop => return false,
            Class::Space => {
                // Only a single ASCII space between two kept characters is clean.
                if c != ' ' || prev.is_none_or(|p| p == ' ') || chars.peek().is_none() {
                    return false;
                }
            }
            Class::Join(_) => {
                let next = chars.peek().copied();
                let ok = match (prev, next) {
                    (Some(p), Some(n)) => {
                        matches!(classify(p), Class::Keep(_))
                            && matches!(classify(n), Class::Keep(k) if k == n)
                            && join_is_meaningful(p, n)
                    }
                    _ => false,
                };
                if !ok {
                    return false;
                }
            }
        }
        prev = Some(c);
    }
    true
}

/// The character rules: C1 repair, invisibles dropped, white space folded and trimmed, join controls kept
/// only where meaningful (runs collapse to their first member).
fn clean_pass(text: &str) -> Cow<'_, str> {
    if is_clean(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut pending_join: Option<char> = None;
    // The last character pushed to `out` (never a space while `pending_space` logic holds).
    let mut last: Option<char> = None;
    for c in text.chars() {
        match classify(c) {
            Class::Drop => {}
            Class::Space => {
                pending_join = None;
                pending_space = last.is_some();
            }
            Class::Join(j) => {
                if !pending_space && last.is_some() && pending_join.is_none() {
                    pending_join = Some(j);
                }
            }
            Class::Keep(k) => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                } else if let (Some(j), Some(p)) = (pending_join, last) {
                    if join_is_meaningful(p, k) {
                        out.push(j);
                    }
                }
                pending_join = None;
                out.push(k);
                last = Some(k);
            }
        }
    }
    Cow::Owned(out)
}

/// True when every character is an NFC starter that never composes with a neighbour (canonical combining
/// class 0, NFC_Quick_Check = Yes, never the second element of a composition): Latin up to the combining
/// diacritics, Cyrillic letters, Armenian, Arabic letters and digits, Georgian, general punctuation from
/// U+2002. Such a text is NFC without the table-driven quick check. Read from the UTF-8 bytes.
fn bytes_are_plain_starters(b: &[u8]) -> bool {
    // Vectorised pre-check: ASCII, continuation bytes, and lead bytes whose whole two-byte range is plain.
    if super::all_bytes(b, |x| x < 0xC0 || matches!(x, 0xC2..=0xCB | 0xD0 | 0xD1 | 0xD3 | 0xD4 | 0xD5 | 0xDA)) {
        return true;
    }
    let mut i = 0;
    while i < b.len() {
        let x = b[i];
        if x < 0x80 {
            i += 1;
            continue;
        }
        let y = b.get(i + 1).copied().unwrap_or(0);
        let z = b.get(i + 2).copied().unwrap_or(0);
        let (ok, len) = match x {
            0xC2..=0xCB | 0xD0 | 0xD1 | 0xD3 | 0xD4 | 0xD5 | 0xDA => (true, 2),
            0xD2 => (!(0x83..=0x89).contains(&y), 2),
            0xD6 => (y <= 0x8A, 2),
            0xD8 => (!(0x90..=0x9A).contains(&y), 2),
            0xD9 => (!(0x8B..=0x9F).contains(&y) && y != 0xB0, 2),
            0xDB => (!(0x96..=0xAD).contains(&y), 2),
            0xE1 => ((y == 0x82 && z >= 0xA0) || y == 0x83, 3),
            0xE2 => ((y == 0x80 && z >= 0x82) || y == 0x81 || y == 0x82, 3),
            _ => (false, 1),
        };
        if !ok {
            return false;
        }
        i += len;
    }
    true
}

/// Canonical composition, skipped when the text is provably NFC already.
pub(crate) fn nfc(text: &str) -> Cow<'_, str> {
    if bytes_are_plain_starters(text.as_bytes()) || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        return Cow::Borrowed(text);
    }
    let composed: String = text.nfc().collect();
    if composed == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(composed)
    }
}

/// The clean pass followed by NFC.
pub(crate) fn clean(text: &str) -> Cow<'_, str> {
    match clean_pass(text) {
        Cow::Borrowed(b) => nfc(b),
        Cow::Owned(s) => match nfc(&s) {
            Cow::Borrowed(_) => Cow::Owned(s),
            Cow::Owned(n) => Cow::Owned(n),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        clean(s).into_owned()
    }

    #[test]
    fn no_break_and_figure_spaces_become_plain_spaces() {
        assert_eq!(c("27\u{00A0}000 km\u{202F}h 3\u{2007}5"), "27 000 km h 3 5");
    }

    #[test]
    fn runs_of_spaces_tabs_and_line_breaks_fold_to_one_space() {
        assert_eq!(c("  one\t\ttwo \r\n three\u{2028}four  "), "one two three four");
    }

    #[test]
    fn zero_width_space_bom_soft_hyphen_and_word_joiner_are_dropped() {
        assert_eq!(c("\u{FEFF}Pre\u{00AD}si\u{200B}dent\u{2060}s"), "Presidents");
    }

    #[test]
    fn lines_of_only_zero_width_spaces_vanish() {
        assert_eq!(c("\u{200B}\n\u{200B}\u{200B}\r\n\u{200B}"), "");
        assert_eq!(c("a\n\u{200B}\nb"), "a b");
    }

    #[test]
    fn bidi_marks_and_tatweel_are_dropped() {
        assert_eq!(c("\u{200F}سلـــام\u{200E}"), "سلام");
        assert_eq!(c("\u{202B}abc\u{202C}"), "abc");
    }

    #[test]
    fn other_controls_are_dropped() {
        assert_eq!(c("a\u{0001}b\u{007F}c"), "abc");
    }

    #[test]
    fn c1_controls_are_read_as_windows_1252() {
        assert_eq!(c("\u{0093}Hello\u{0094} \u{0096} it\u{0092}s 5\u{0080}\u{0085}"), "“Hello” – it’s 5€…");
        assert_eq!(c("\u{0091}a\u{0092} \u{0097} \u{008A}koda"), "‘a’ — Škoda");
        // Bytes windows-1252 leaves undefined are removed rather than guessed.
        assert_eq!(c("a\u{0081}b\u{009D}c"), "abc");
    }

    #[test]
    fn zwnj_is_kept_inside_persian_words() {
        assert_eq!(c("می\u{200C}شود"), "می\u{200C}شود");
        assert_eq!(c("کتاب\u{200C}ها"), "کتاب\u{200C}ها");
    }

    #[test]
    fn join_controls_next_to_spaces_at_edges_or_doubled_are_dropped() {
        assert_eq!(c("\u{200C}می\u{200C}\u{200C}شود\u{200C} "), "می\u{200C}شود");
        assert_eq!(c("می \u{200C}شود"), "می شود");
        assert_eq!(c("a\u{200D}"), "a");
    }

    #[test]
    fn zwj_kept_in_emoji_sequences_dropped_between_latin_or_cyrillic_letters() {
        assert_eq!(c("👩\u{200D}🌾"), "👩\u{200D}🌾");
        assert_eq!(c("Mos\u{200D}cow Мос\u{200C}ква"), "Moscow Москва");
    }

    #[test]
    fn nfc_composes_and_runs_after_invisibles_are_removed() {
        assert_eq!(c("e\u{0301}"), "\u{00E9}");
        // The ZWSP blocks composition until it is removed.
        assert_eq!(c("e\u{200B}\u{0301}"), "\u{00E9}");
        assert_eq!(c("Е\u{0308}"), "Ё");
    }

    #[test]
    fn byte_scans_agree_with_the_character_rules() {
        let samples = [
            "plain",
            "a  b",
            " a",
            "a\u{00A0}b",
            "Привет мир",
            "می\u{200C}شود",
            "a\u{200C}b",
            "x\u{2013}y",
            "\u{201C}q\u{201D}",
            "e\u{0301}",
            "Ё",
            "\u{2126}",
            "\u{0654}",
            "ა ბ",
            "\u{0640}",
            "\u{FEFF}",
            "€",
        ];
        for s in samples {
            if let Some(quick) = quick_clean(s) {
                let slow = matches!(clean_pass(s), Cow::Borrowed(_)) || clean_pass(s) == s;
                assert_eq!(quick, slow, "{s:?}");
            }
            if bytes_are_plain_starters(s.as_bytes()) {
                assert_eq!(is_nfc_quick(s.chars()), IsNormalized::Yes, "{s:?}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        /// The byte-level fast paths never claim a text is clean or NFC when the full rules disagree.
        #[test]
        fn fast_paths_match_the_full_rules(s in "[ a-zа-я\u{0080}-\u{00AD}\u{0300}-\u{0310}\u{0600}-\u{0670}\u{2000}-\u{2070}\u{1F300}\u{10D0}\u{FEFF}]{0,12}") {
            if let Some(quick) = quick_clean(&s) {
                proptest::prop_assert_eq!(quick, clean_pass_full(&s) == s);
            }
            if bytes_are_plain_starters(s.as_bytes()) {
                proptest::prop_assert_eq!(is_nfc_quick(s.chars()), IsNormalized::Yes);
            }
        }
    }

    /// The clean pass without the `is_clean` shortcut.
    fn clean_pass_full(s: &str) -> String {
        let mut t = String::from("x ");
        t.push_str(s);
        // A leading "x " forces the slow path; strip it again (the pass trims, so only "x" and maybe " ").
        let out = clean_pass(&t).into_owned();
        out.strip_prefix('x').map(|r| r.strip_prefix(' ').unwrap_or(r)).unwrap_or(&out).to_string()
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(clean("plain ascii text."), Cow::Borrowed(_)));
        assert!(matches!(clean("Привет, мир. می\u{200C}شود"), Cow::Borrowed(_)));
        assert!(matches!(clean("two  spaces"), Cow::Owned(_)));
    }
}
