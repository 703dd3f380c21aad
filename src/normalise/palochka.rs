//! Chechen and Avar palochka (che_Cyrl, ava_Cyrl).
//!
//! The palochka Ӏ (U+04C0) has no key on most keyboards, so texts use Latin I, Cyrillic І/і (U+0406/U+0456),
//! the digit 1 or the lowercase ӏ (U+04CF). All become U+04C0 where they stand as the palochka:
//!
//! * lowercase ӏ always (it has no other use);
//! * I, І, і after a Cyrillic letter (кӀ, хӀ, цӀ, чӀ, тӀ, пӀ, гӀ, лӀ, and after vowels: маӀа), or at the start of
//!   a word before a Cyrillic letter (Ӏалам);
//! * the digit 1 after a Cyrillic letter when no digit follows (к1ант), or at the start of a word before two
//!   Cyrillic letters (1алам, but not the class name 1а).
//!
//! Not inside numbers (2011), and not in Roman numerals: a word written only with the capitals I V X L C D M
//! (Latin or their Cyrillic twins І Х С М) is left alone (ХI съезд).

use std::borrow::Cow;

const PALOCHKA: char = '\u{04C0}';

fn is_variant(c: char) -> bool {
    matches!(c, 'I' | '\u{0406}' | '\u{0456}' | '1' | '\u{04CF}')
}

fn is_cyrillic_letter(c: char) -> bool {
    matches!(c as u32, 0x400..=0x481 | 0x48A..=0x52F)
        || (matches!(c as u32, 0x1C80..=0x1C8F | 0xA640..=0xA69F) && c.is_alphabetic())
}

fn is_roman_letter(c: char) -> bool {
    matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M' | 'І' | 'Х' | 'С' | 'М')
}

/// True when the alphanumeric run around position `k` is a Roman numeral.
fn in_roman_numeral(chars: &[char], k: usize) -> bool {
    let mut s = k;
    while s > 0 && chars[s - 1].is_alphanumeric() {
        s -= 1;
    }
    let mut e = k + 1;
    while e < chars.len() && chars[e].is_alphanumeric() {
        e += 1;
    }
    let word = &chars[s..e];
    word.iter().any(|&c| is_roman_letter(c)) && word.iter().all(|&c| is_roman_letter(c) || c == '1')
}

pub(crate) fn repair(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_variant) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut changed = false;
    // The previous character as written to the output, so a run like кII becomes кӀӀ.
    let mut prev: Option<char> = None;
    for (k, &c) in chars.iter().enumerate() {
        let next = chars.get(k + 1).copied();
        let after_cyrillic = prev.is_some_and(is_cyrillic_letter);
        let word_start = !prev.is_some_and(char::is_alphanumeric);
        let is_palochka = match c {
            '\u{04CF}' => true,
            'I' | '\u{0406}' | '\u{0456}' => {
                (after_cyrillic || (word_start && next.is_some_and(is_cyrillic_letter))) && !in_roman_numeral(&chars, k)
            }
            '1' => {
                let digit_follows = next.is_some_and(|n| n.is_ascii_digit());
                let two_letters_follow =
                    next.is_some_and(is_cyrillic_letter) && chars.get(k + 2).is_some_and(|&n| is_cyrillic_letter(n));
                ((after_cyrillic && !digit_follows) || (word_start && two_letters_follow))
                    && !in_roman_numeral(&chars, k)
            }
            _ => false,
        };
        let o = if is_palochka { PALOCHKA } else { c };
        changed |= o != c;
        out.push(o);
        prev = Some(o);
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        repair(s).into_owned()
    }

    #[test]
    fn every_variant_after_a_consonant_becomes_palochka() {
        // Latin I, Cyrillic І and і, digit 1, lowercase ӏ.
        assert_eq!(r("кIант хІара ц\u{0456}е ч1ир т\u{04CF}е"), "кӀант хӀара цӀе чӀир тӀе");
        assert_eq!(r("пIелг гIала лIам"), "пӀелг гӀала лӀам");
    }

    #[test]
    fn palochka_at_word_start_and_after_vowels() {
        assert_eq!(r("Iалам 1алам маIа"), "Ӏалам Ӏалам маӀа");
        // Avar doubled consonants.
        assert_eq!(r("кIкIал"), "кӀкӀал");
    }

    #[test]
    fn numbers_and_roman_numerals_are_left_alone() {
        for s in ["2011 шо", "1а класс", "ХI съезд", "XIX бIешо", "Ту-154", "к10"] {
            let out = r(s);
            assert!(out.contains(['1', 'I', 'І']), "{s} -> {out}");
        }
        assert_eq!(r("ХI съезд"), "ХI съезд");
        assert_eq!(r("2011 шо"), "2011 шо");
        assert_eq!(r("XIX бIешо"), "XIX бӀешо");
    }

    #[test]
    fn latin_words_keep_their_i() {
        assert_eq!(r("Iran и Italia"), "Iran и Italia");
    }
}
