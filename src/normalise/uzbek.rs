//! Uzbek oʻ and gʻ (uzn_Latn only).
//!
//! The official letters are o and g followed by U+02BB MODIFIER LETTER TURNED COMMA, but texts use whatever
//! the keyboard gives: ‘ (U+2018), ’ (U+2019), ' (U+0027), ` (U+0060), ʼ (U+02BC) or ´ (U+00B4). Those after
//! o/O/g/G become U+02BB so `o‘zbek`, `o'zbek` and `oʻzbek` are one word. After `o` the sign must be followed
//! by a letter (no Uzbek word ends in oʻ, so `'...bo'` is a closing quote); after `g` it may end the word
//! (`tog‘`, `bog‘`). A Cyrillic о typed for the Latin one before the sign and a Latin letter is made Latin too.
//! The glottal stop sign ʼ after other letters (`ma'no`) is a different letter and is left alone.

use std::borrow::Cow;

const TURNED_COMMA: char = '\u{02BB}';

fn is_variant(c: char) -> bool {
    matches!(c, '\u{2018}' | '\u{2019}' | '\'' | '`' | '\u{02BC}' | '\u{00B4}')
}

pub(crate) fn repair(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_variant) {
        return Cow::Borrowed(text);
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 4);
    let mut changed = false;
    for (k, &c) in chars.iter().enumerate() {
        let prev = if k > 0 { Some(chars[k - 1]) } else { None };
        let next = chars.get(k + 1).copied();
        match c {
            // Cyrillic о/О standing for Latin o before the sign and a Latin letter.
            'о' | 'О'
                if chars.get(k + 1).is_some_and(|&n| is_variant(n))
                    && chars.get(k + 2).is_some_and(|n| n.is_ascii_alphabetic()) =>
            {
                out.push(if c == 'о' { 'o' } else { 'O' });
                changed = true;
                continue;
            }
            c if is_variant(c) => {
                let after_o =
                    matches!(prev, Some('o' | 'O' | 'о' | 'О')) && next.is_some_and(|n| n.is_ascii_alphabetic());
                let after_g = matches!(prev, Some('g' | 'G'))
                    && (next.is_some_and(char::is_alphabetic) || !next.is_some_and(is_word_part));
                if after_o || after_g {
                    out.push(TURNED_COMMA);
                    changed = true;
                    continue;
                }
            }
            _ => {}
        }
        out.push(c);
    }
    if changed {
        Cow::Owned(out)
    } else {
        Cow::Borrowed(text)
    }
}

/// Characters that continue a word after the sign (so `g'1` is not the letter gʻ at a word end).
fn is_word_part(c: char) -> bool {
    c.is_alphanumeric() || is_variant(c) || c == TURNED_COMMA
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_apostrophe_variants_after_o_and_g_become_turned_comma() {
        for a in ['\u{2018}', '\u{2019}', '\'', '`', '\u{02BC}', '\u{00B4}'] {
            let input = format!("O{a}zbekiston o{a}z tog{a} G{a}afur");
            assert_eq!(repair(&input), "Oʻzbekiston oʻz togʻ Gʻafur", "variant {a:?}");
        }
    }

    #[test]
    fn apostrophes_elsewhere_are_left_alone() {
        // Glottal stop after other letters, quotes around a word ending in o.
        for s in ["ma'no", "'Kino'", "a'lo", "O'", "1o'"] {
            assert_eq!(repair(s), s);
        }
    }

    #[test]
    fn cyrillic_o_before_the_sign_becomes_latin() {
        assert_eq!(repair("\u{043E}\u{2018}zbek"), "oʻzbek");
    }

    #[test]
    fn already_correct_text_is_borrowed() {
        assert!(matches!(repair("Oʻzbekiston Respublikasi"), Cow::Borrowed(_)));
    }
}
