//! Normalise stage: text that compares across files, keyboards and scripts; and sentence splitting.
//!
//! [`normalise`] is called twice per paragraph: with `None` before language identification (rules that hold
//! for every language) and with the FLORES code after it (rules for one language or script). The rules, in
//! order (each documented with examples in docs/normalisation.md):
//!
//! 1. [`clean`]: C1 controls read as windows-1252, invisible characters dropped, white space folded, ZWNJ/ZWJ
//!    kept only where they matter, then Unicode NFC.
//! 2. [`confusables`]: Latin/Cyrillic look-alike letters inside words of the other script; words made only
//!    of look-alikes are settled by the language's script once it is known.
//! 3. Per language: [`palochka`] (che_Cyrl, ava_Cyrl), [`uzbek`] oʻ gʻ (uzn_Latn), [`arabic`] letter forms
//!    (pes_Arab, prs_Arab; safe subset for pbt_Arab).
//!
//! Idempotence, `normalise(normalise(x, l), l) == normalise(x, l)`, and agreement between the two calls,
//! `normalise(normalise(x, None), Some(l)) == normalise(x, Some(l))`, are property-tested. Steps 1–2 are a
//! fixed point by construction (each step's output is left alone by the others). The language rules can
//! create new work for step 2 (`к1a` → `кӀa` turns two words into one Cyrillic word with a Latin `a`), so
//! when a language rule changes the text the whole sequence runs again until nothing changes — almost
//! always one extra pass over an already-normal text, bounded by [`MAX_ROUNDS`].
//!
//! Performance: every step first checks whether it has anything to do (ASCII byte scans, the NFC quick
//! check, "are both Latin and Cyrillic present?") and passes the text through borrowed when not, so
//! already-normal text costs a few scans and one final copy.

mod arabic;
mod clean;
mod confusables;
mod palochka;
mod sentences;
mod uzbek;

use std::borrow::Cow;

/// `c.is_alphabetic()`, answered from a few ranges for the letters of the corpus's scripts before the
/// standard library's table search (a binary search per character, ~10% of a build's time when every word
/// of every article is split out for evidence keys). Exact: a test compares it with `is_alphabetic` on
/// every code point.
#[inline]
pub fn is_letter(c: char) -> bool {
    match c as u32 {
        0..=0x7F => c.is_ascii_alphabetic(),
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x17F => true,
        0x400..=0x481 | 0x48A..=0x52F => true,
        0x531..=0x556 | 0x561..=0x587 => true,
        0x621..=0x63A | 0x641..=0x64A | 0x671..=0x6D3 => true,
        0x10D0..=0x10FA => true,
        0x2000..=0x206F => false,
        _ => c.is_alphabetic(),
    }
}

/// The lower-case form of one character: the first character of `c.to_lowercase()`, answered by
/// arithmetic for the cased letters of the corpus's scripts (Latin-1, Latin Extended-A, Cyrillic, Armenian)
/// before the standard library's table search, which was ~3.5% of a build's CPU (identification and
/// evidence keys lower-case every letter). Exact: a test compares it with `to_lowercase` on every code point.
#[inline]
pub fn lower(c: char) -> char {
    let u = c as u32;
    let to = |v: u32| char::from_u32(v).unwrap_or(c);
    match u {
        0..=0x7F => c.to_ascii_lowercase(),
        0xC0..=0xD6 | 0xD8..=0xDE => to(u + 0x20),
        0x80..=0xBF | 0xD7 | 0xDF..=0xFF => c,
        0x100..=0x12F | 0x132..=0x137 | 0x14A..=0x177 => to(u | 1),
        0x139..=0x148 | 0x179..=0x17E => to(u + (u & 1)),
        0x130 => 'i',
        0x131 | 0x138 | 0x149 | 0x17F => c,
        0x178 => 'ÿ',
        0x400..=0x40F => to(u + 0x50),
        0x410..=0x42F => to(u + 0x20),
        0x430..=0x45F | 0x482..=0x489 | 0x4CF => c,
        0x460..=0x481 | 0x48A..=0x4BF | 0x4D0..=0x52F => to(u | 1),
        0x4C0 => 'ӏ',
        0x4C1..=0x4CE => to(u + (u & 1)),
        0x531..=0x556 => to(u + 0x30),
        0x557..=0x58F | 0x600..=0x6FF | 0x10D0..=0x10FF => c,
        _ => c.to_lowercase().next().unwrap_or(c),
    }
}

/// True when `f` holds for every byte. Written as a fold over fixed-size chunks so the compiler can
/// vectorise it (an early-exit `all` over single bytes cannot be).
#[inline]
pub(crate) fn all_bytes(b: &[u8], f: impl Fn(u8) -> bool + Copy) -> bool {
    b.chunks(64).all(|c| c.iter().fold(true, |acc, &x| acc & f(x)))
}

pub use sentences::split_sentences;

/// Upper bound on language-rule rounds; two suffice for every input the property tests have found.
const MAX_ROUNDS: usize = 4;

/// The rules one language code selects.
#[derive(Clone, Copy, Debug)]
struct LangRules {
    script: Option<confusables::Script>,
    palochka: bool,
    uzbek: bool,
    arabic: Option<arabic::Variant>,
}

impl LangRules {
    fn of(lang: &str) -> Self {
        LangRules {
            script: confusables::lang_script(lang),
            palochka: matches!(lang, "che_Cyrl" | "ava_Cyrl"),
            uzbek: lang == "uzn_Latn",
            arabic: arabic::variant_of(lang),
        }
    }
}

/// Applies `step` to `text`, keeping the borrow when the step changes nothing.
fn then<'a>(text: Cow<'a, str>, step: impl FnOnce(&str) -> Cow<'_, str>) -> Cow<'a, str> {
    let changed = match step(&text) {
        Cow::Owned(s) => Some(s),
        Cow::Borrowed(_) => None,
    };
    match changed {
        Some(s) => Cow::Owned(s),
        None => text,
    }
}

/// Steps 1–2 with no language: a fixed point of itself.
fn generic(text: &str) -> Cow<'_, str> {
    then(clean::clean(text), |t| confusables::repair(t, None))
}

/// The language rules of step 2–3, on text that `generic` leaves alone.
fn language(text: &str, rules: LangRules) -> Cow<'_, str> {
    let mut t = Cow::Borrowed(text);
    if rules.script.is_some() {
        t = then(t, |t| confusables::repair(t, rules.script));
    }
    if rules.palochka {
        t = then(t, palochka::repair);
    }
    if rules.uzbek {
        t = then(t, uzbek::repair);
    }
    if let Some(v) = rules.arabic {
        t = then(t, |t| arabic::repair(t, v));
    }
    t
}

/// Cleans a display string (title, caption, credit) without changing any letter: C1 controls read as
/// windows-1252, invisible characters dropped, white space folded, NFC. Titles stay as published so they can
/// be matched against the page and other catalogues; the body (`text`) gets the full [`normalise`].
pub fn clean_display(text: &str) -> String {
    clean::clean(text).into_owned()
}

/// Normalises one paragraph. `lang` is the FLORES code when known.
pub fn normalise(text: &str, lang: Option<&str>) -> String {
    let cur = generic(text);
    match lang {
        None => cur.into_owned(),
        Some(lang) => with_language(cur, lang),
    }
}

/// [`normalise`] with `lang` of text that is already `normalise(_, None)` (the map normalises a body once
/// without a language for identification, then with the language found): the language-free steps are a
/// fixed point, so they are not run over the text a second time. Same result as `normalise(raw, Some(lang))`.
pub fn normalise_again(generic_text: &str, lang: &str) -> String {
    with_language(Cow::Borrowed(generic_text), lang)
}

fn with_language(mut cur: Cow<'_, str>, lang: &str) -> String {
    let rules = LangRules::of(lang);
    for _ in 0..MAX_ROUNDS {
        let changed = match language(&cur, rules) {
            Cow::Owned(s) => Some(s),
            Cow::Borrowed(_) => None,
        };
        match changed {
            None => break,
            Some(s) => {
                cur = Cow::Owned(generic(&s).into_owned());
            }
        }
    }
    cur.into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn is_letter_is_is_alphabetic_on_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(super::is_letter(c), c.is_alphabetic(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn lower_is_to_lowercase_on_every_code_point() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(super::lower(c), c.to_lowercase().next().unwrap(), "U+{:04X}", c as u32);
        }
    }

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn display_cleaning_keeps_letters_but_folds_space() {
        assert_eq!(clean_display(" so\u{2018}ng\u{00A0}\u{200B}Сumaaq "), "so\u{2018}ng Сumaaq");
    }

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
    fn persian_rules_only_for_persian_and_dari() {
        let text = "\u{0643}\u{064A}";
        assert_eq!(normalise(text, Some("pes_Arab")), "\u{06A9}\u{06CC}");
        assert_eq!(normalise(text, Some("prs_Arab")), "\u{06A9}\u{06CC}");
        assert_eq!(normalise(text, Some("pbt_Arab")), "\u{06A9}\u{064A}");
        assert_eq!(normalise(text, Some("arb_Arab")), text);
        assert_eq!(normalise(text, None), text);
    }

    #[test]
    fn pashto_letters_survive_the_whole_pipeline() {
        let pashto = "ټ ډ ړ ږ ښ ګ ڼ ې ۍ ي ی";
        assert_eq!(normalise(pashto, Some("pbt_Arab")), pashto);
    }

    #[test]
    fn uzbek_rule_only_for_uzbek_latin() {
        assert_eq!(normalise("O\u{2018}zbekiston", Some("uzn_Latn")), "O\u{02BB}zbekiston");
        assert_eq!(normalise("O\u{2018}zbekiston", Some("eng_Latn")), "O\u{2018}zbekiston");
        assert_eq!(normalise("O\u{2018}zbekiston", None), "O\u{2018}zbekiston");
    }

    #[test]
    fn palochka_rule_only_for_chechen_and_avar() {
        assert_eq!(normalise("к1ант", Some("che_Cyrl")), "к\u{04C0}ант");
        assert_eq!(normalise("кIант", Some("ava_Cyrl")), "к\u{04C0}ант");
        assert_eq!(normalise("к1ант", Some("rus_Cyrl")), "к1ант");
    }

    #[test]
    fn language_rules_and_look_alikes_settle_together() {
        // The palochka joins к and a into one word whose Latin a is then a look-alike.
        assert_eq!(normalise("к1a", Some("che_Cyrl")), "к\u{04C0}\u{0430}");
        // C1 quotes repaired before the Uzbek rule sees them.
        assert_eq!(normalise("o\u{0092}zbek", Some("uzn_Latn")), "o\u{02BB}zbek");
    }

    #[test]
    fn look_alikes_settled_by_language_script_after_identification() {
        assert_eq!(normalise("T\u{041E}P", None), "T\u{041E}P");
        assert_eq!(normalise("T\u{041E}P", Some("rus_Cyrl")), "\u{0422}\u{041E}\u{0420}");
        assert_eq!(normalise("T\u{041E}P", Some("eng_Latn")), "TOP");
    }

    #[test]
    fn plain_text_is_copied_unchanged() {
        for (s, l) in [("Plain ASCII text.", None), ("Привет, мир.", Some("rus_Cyrl")), ("سلام دنیا", Some("pes_Arab"))]
        {
            assert_eq!(normalise(s, l), s);
        }
    }

    const LANGS: [&str; 16] = [
        "eng_Latn", "rus_Cyrl", "ukr_Cyrl", "kaz_Cyrl", "bel_Cyrl", "che_Cyrl", "ava_Cyrl", "uzn_Latn", "azj_Latn",
        "pes_Arab", "prs_Arab", "pbt_Arab", "hye_Armn", "kat_Geor", "tat_Cyrl", "und_Zzzz",
    ];

    /// Characters that some rule treats specially, so random strings hit the rules often.
    const TRICKY: &[char] = &[
        ' ', ' ', '\t', '\n', '\r', '\u{00A0}', '\u{202F}', '\u{2007}', '\u{2000}', '\u{200B}', '\u{200C}', '\u{200D}',
        '\u{00AD}', '\u{FEFF}', '\u{200E}', '\u{0640}', '\u{0001}', '\u{0085}', '\u{0091}', '\u{0092}', '\u{0093}',
        '\u{0096}', '\u{008A}', '\u{0081}', '\u{0301}', '\u{0306}', '\u{0308}', '\u{0654}', '\u{2126}', '\u{1FEF}',
        '\u{212A}', 'a', 'o', 'e', 'p', 'c', 'x', 'y', 'i', 'I', 'h', 'g', 'G', 'O', 'T', 'P', 'K', 'n', 'z', '1', '0',
        'а', 'о', 'е', 'р', 'с', 'х', 'у', 'і', 'І', 'к', 'ч', 'д', 'Х', 'Т', 'һ', 'ә', 'ə', 'ë', 'ё', 'ӏ', 'Ӏ', 'ў',
        'ٔ', 'ك', 'ي', 'ى', 'ی', 'ک', '٤', '۴', 'ټ', 'ښ', 'ۍ', 'م', 'α', 'ʻ', 'ʼ', '\'', '`', '\u{2018}', '\u{2019}',
        '´', '.', '-', '👩', '🌾', '\u{FE0F}', 'é', 'ç',
    ];

    fn tricky_string() -> impl Strategy<Value = String> {
        let ch = prop_oneof![4 => proptest::sample::select(TRICKY), 1 => any::<char>()];
        proptest::collection::vec(ch, 0..24).prop_map(|v| v.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn normalise_is_idempotent(s in tricky_string(), l in proptest::sample::select(&LANGS[..])) {
            let none = normalise(&s, None);
            prop_assert_eq!(normalise(&none, None), none.clone());
            let once = normalise(&s, Some(l));
            prop_assert_eq!(normalise(&once, Some(l)), once.clone());
            // The second call (after identification) agrees with one call on the raw text.
            prop_assert_eq!(normalise(&none, Some(l)), once.clone());
            prop_assert_eq!(normalise_again(&none, l), once);
        }

        #[test]
        fn normalised_text_is_nfc_and_trimmed(s in tricky_string(), l in proptest::sample::select(&LANGS[..])) {
            use unicode_normalization::UnicodeNormalization;
            let out = normalise(&s, Some(l));
            prop_assert_eq!(out.nfc().collect::<String>(), out.clone());
            prop_assert_eq!(out.trim(), out.as_str());
            prop_assert!(!out.contains("  "));
        }
    }
}
