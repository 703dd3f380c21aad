//! Arabic-script letter forms for Persian (pes_Arab, Dari prs_Arab) and safe repairs for Pashto (pbt_Arab).
//!
//! Persian text typed on Arabic keyboards carries Arabic kaf ك (U+0643) and Arabic yeh ي (U+064A) or alef
//! maksura ى (U+0649) where Persian writes keheh ک (U+06A9) and Farsi yeh ی (U+06CC); the words look the same
//! and compare different. Digits: Arabic-Indic digits (U+0660–U+0669) become the Extended Arabic-Indic
//! (Persian) digits U+06F0–U+06F9 that Iranian and Afghan typography uses; ASCII digits and Persian digits
//! are left as the source wrote them (the corpus does not rewrite numbers across digit systems).
//!
//! Pashto uses both ي (U+064A) and ی (U+06CC) as distinct letters, and its own ټ ډ ړ ږ ښ ګ ڼ ې ۍ, so only
//! changes that cannot merge two Pashto letters are made: ك → ک, ى → ی, and the digit rule.

use std::borrow::Cow;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Variant {
    Persian,
    Pashto,
}

pub(crate) fn variant_of(lang: &str) -> Option<Variant> {
    match lang {
        "pes_Arab" | "prs_Arab" => Some(Variant::Persian),
        "pbt_Arab" => Some(Variant::Pashto),
        _ => None,
    }
}

fn map(c: char, v: Variant) -> char {
    match c {
        '\u{0643}' => '\u{06A9}',
        '\u{0649}' => '\u{06CC}',
        '\u{064A}' if v == Variant::Persian => '\u{06CC}',
        '\u{0660}'..='\u{0669}' => char::from_u32(c as u32 - 0x0660 + 0x06F0).unwrap_or(c),
        c => c,
    }
}

/// Letters only Pashto uses. A paragraph labelled Persian that contains one is Pashto (or quotes it), so only
/// the Pashto-safe subset runs: mapping its ي to ی would merge two Pashto letters.
fn has_pashto_letters(text: &str) -> bool {
    text.chars().any(|c| matches!(c, 'ټ' | 'ډ' | 'ړ' | 'ږ' | 'ښ' | 'ګ' | 'ڼ' | 'ې' | 'ۍ'))
}

pub(crate) fn repair(text: &str, v: Variant) -> Cow<'_, str> {
    let v = if v == Variant::Persian && has_pashto_letters(text) { Variant::Pashto } else { v };
    // Every character this rule changes is two bytes starting with 0xD9.
    if !text.as_bytes().contains(&0xD9) || !text.chars().any(|c| map(c, v) != c) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.chars().map(|c| map(c, v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persian_gets_keheh_and_farsi_yeh() {
        // کتاب (book) typed with Arabic kaf; ایران with Arabic yeh; alef maksura at word end.
        assert_eq!(repair("\u{0643}تاب ا\u{064A}ران \u{0639}\u{0644}\u{0649}", Variant::Persian), "کتاب ایران علی");
    }

    #[test]
    fn arabic_indic_digits_become_persian_digits() {
        assert_eq!(repair("سال \u{0661}\u{0664}\u{0660}\u{0663}", Variant::Persian), "سال ۱۴۰۳");
        assert_eq!(repair("\u{0665}\u{0666} and 56", Variant::Pashto), "۵۶ and 56");
    }

    #[test]
    fn pashto_letters_survive() {
        let pashto = "ټ ډ ړ ږ ښ ګ ڼ ې ۍ ی ي پښتو";
        assert_eq!(repair(pashto, Variant::Pashto), pashto);
        // Arabic kaf and alef maksura are still repaired.
        assert_eq!(repair("\u{0643}\u{0649}", Variant::Pashto), "\u{06A9}\u{06CC}");
    }

    #[test]
    fn pashto_text_labelled_persian_keeps_its_yeh() {
        // لري (has) next to Pashto-only letters: the Persian yeh rule must not merge ي into ی.
        assert_eq!(repair("ښځې لري \u{0643}", Variant::Persian), "ښځې لري ک");
    }

    #[test]
    fn only_persian_dari_and_pashto_codes_select_a_variant() {
        assert_eq!(variant_of("pes_Arab"), Some(Variant::Persian));
        assert_eq!(variant_of("prs_Arab"), Some(Variant::Persian));
        assert_eq!(variant_of("pbt_Arab"), Some(Variant::Pashto));
        assert_eq!(variant_of("arb_Arab"), None);
    }
}
