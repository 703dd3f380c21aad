//! Normalise stage: text that compares across files and scripts.
//!
//! Language-independent rules run before language identification (Unicode NFC, white space); rules that
//! depend on the language run after it. `normalise(normalise(x)) == normalise(x)` holds for every rule.

use unicode_normalization::UnicodeNormalization;

/// Normalises one paragraph (or title, or caption). `lang` is the FLORES code when known.
pub fn normalise(text: &str, _lang: Option<&str>) -> String {
    let nfc: String = text.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut pending_space = false;
    for c in nfc.chars() {
        match c {
            // Invisible characters that only break word matching (ZWNJ U+200C is kept: Persian needs it).
            '\u{200B}' | '\u{200D}' | '\u{FEFF}' | '\u{00AD}' | '\u{2060}' => {}
            c if c.is_whitespace() => pending_space = !out.is_empty(),
            c => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(c);
            }
        }
    }
    out
}

/// Splits normalised text into sentences.
pub fn split_sentences(text: &str, _lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        let mut start = 0;
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        for (k, &(i, c)) in chars.iter().enumerate() {
            let ends = matches!(c, '.' | '!' | '?' | '։' | '؟' | '。' | '…');
            let next_space = chars.get(k + 1).is_none_or(|&(_, n)| n == ' ');
            if ends && next_space {
                let s = para[start..i + c.len_utf8()].trim();
                if !s.is_empty() {
                    out.push(s.to_string());
                }
                start = i + c.len_utf8();
            }
        }
        let s = para[start..].trim();
        if !s.is_empty() {
            out.push(s.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_space_is_folded_and_invisibles_dropped() {
        assert_eq!(
            normalise("  27\u{00A0}languages \u{200B}in\r\n23 coun\u{00AD}tries ", None),
            "27 languages in 23 countries"
        );
    }

    #[test]
    fn zwnj_is_kept_for_persian() {
        assert_eq!(normalise("می\u{200C}شود", Some("pes_Arab")), "می\u{200C}شود");
    }

    #[test]
    fn nfc_composes() {
        assert_eq!(normalise("e\u{0301}", None), "\u{00E9}");
    }

    #[test]
    fn normalise_is_idempotent_on_samples() {
        for s in ["a\u{00A0}\u{00A0}b", " x ", "Ә\u{0301}", "\u{200B}\n\u{200B}"] {
            let once = normalise(s, None);
            assert_eq!(normalise(&once, None), once);
        }
    }

    #[test]
    fn sentences_split_on_script_marks() {
        assert_eq!(split_sentences("Բարեւ։ Ինչպես ես։", "hye_Armn"), ["Բարեւ։", "Ինչպես ես։"]);
        assert_eq!(split_sentences("چطور هستی؟ خوبم.", "pes_Arab"), ["چطور هستی؟", "خوبم."]);
        assert_eq!(split_sentences("One. Two\n\nThree", "eng_Latn"), ["One.", "Two", "Three"]);
    }
}
