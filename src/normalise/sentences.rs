//! Sentence splitting for normalised text.
//!
//! A boundary is a run of terminal punctuation (`. ! ? …` and the script marks: Armenian ։ ՞ ՜, Arabic ؟ ۔,
//! CJK 。！？) mixed with the closing quotes and brackets that follow it (`».`, `.»`, `?”`, `.)`), then white
//! space. Closers stay with the sentence they close. A run glued to the next character (`3.5`, `01.02.2024`,
//! `rferl.org`, `U.S`) is never a boundary.
//!
//! A candidate boundary is rejected when
//! * the next word starts with a lowercase letter (after opening quotes and dashes): ordinals (`1. januara`),
//!   mid-sentence ellipses, and direct speech (`«Где?» — спросил он`);
//! * a single `.` ends an abbreviation: a per-language list (`Mr.`, `Dr.`, `им.`, `ул.`, `т.е.`), a single
//!   capital or caseless letter (initials: `A. Navalny`, `მ. სააკაშვილი`), or a dotted initialism of short
//!   parts (`U.S.`, `e.g.`); `No. 5`-type abbreviations only before a number, and year abbreviations
//!   (`2024 г.`, `2024 թ.`, `2024 წ.`) only when no number precedes them.
//!
//! Armenian web text often writes the full stop ։ as an ASCII colon; for hye_Armn a colon after an Armenian
//! letter counts as terminal. Georgian uses `.` and has no capitals, so the lowercase test never fires there.

/// What an abbreviation does to a following boundary.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Titles and words that always precede something (`Mr.`, `ул.`, `т.е.`): never a boundary.
    Never,
    /// Precedes a number (`No. 5`, `ст. 12`): no boundary when a digit follows.
    BeforeNumber,
    /// A year or century marker (`2024 г.`, `XX в.`): a boundary is possible only after a number.
    Year,
    /// Can end a sentence (`etc.`, `т.д.`): an ordinary boundary.
    Final,
}

const COMMON: &[(&str, Kind)] = &[
    ("mr", Kind::Never),
    ("mrs", Kind::Never),
    ("ms", Kind::Never),
    ("dr", Kind::Never),
    ("prof", Kind::Never),
    ("etc", Kind::Final),
    ("vs", Kind::Never),
    ("nr", Kind::BeforeNumber),
    ("no", Kind::BeforeNumber),
];

const ENGLISH: &[(&str, Kind)] = &[
    ("sen", Kind::Never),
    ("rep", Kind::Never),
    ("gov", Kind::Never),
    ("gen", Kind::Never),
    ("col", Kind::Never),
    ("lt", Kind::Never),
    ("sgt", Kind::Never),
    ("capt", Kind::Never),
    ("adm", Kind::Never),
    ("rev", Kind::Never),
    ("hon", Kind::Never),
    ("pres", Kind::Never),
    ("st", Kind::Never),
    ("mt", Kind::Never),
    ("jr", Kind::Never),
    ("sr", Kind::Never),
    ("approx", Kind::Never),
    ("dept", Kind::Never),
    ("v", Kind::Never),
    ("vol", Kind::BeforeNumber),
    ("p", Kind::BeforeNumber),
    ("pp", Kind::BeforeNumber),
    ("fig", Kind::BeforeNumber),
    ("art", Kind::BeforeNumber),
    ("jan", Kind::BeforeNumber),
    ("feb", Kind::BeforeNumber),
    ("apr", Kind::BeforeNumber),
    ("jun", Kind::BeforeNumber),
    ("jul", Kind::BeforeNumber),
    ("aug", Kind::BeforeNumber),
    ("sep", Kind::BeforeNumber),
    ("sept", Kind::BeforeNumber),
    ("oct", Kind::BeforeNumber),
    ("nov", Kind::BeforeNumber),
    ("dec", Kind::BeforeNumber),
];

/// Russian and the other Cyrillic-script languages of the services (shared abbreviations plus Ukrainian,
/// Belarusian, Kazakh, Kyrgyz, Tajik, Bulgarian, Macedonian and Serbian ones; they do not collide).
const CYRILLIC: &[(&str, Kind)] = &[
    ("т.е", Kind::Never),
    ("т.к", Kind::Never),
    ("т.н", Kind::Never),
    ("т.ч", Kind::Never),
    ("т.зв", Kind::Never),
    ("т.д", Kind::Final),
    ("т.п", Kind::Final),
    ("т.б", Kind::Final),
    ("і т.д", Kind::Final),
    ("др", Kind::Final),
    ("им", Kind::Never),
    ("ім", Kind::Never),
    ("ул", Kind::Never),
    ("вул", Kind::Never),
    ("пр", Kind::Never),
    ("просп", Kind::Never),
    ("пер", Kind::Never),
    ("пл", Kind::Never),
    ("наб", Kind::Never),
    ("бул", Kind::Never),
    ("проф", Kind::Never),
    ("акад", Kind::Never),
    ("доц", Kind::Never),
    ("ген", Kind::Never),
    ("св", Kind::Never),
    ("ок", Kind::Never),
    ("см", Kind::Never),
    ("ср", Kind::Never),
    ("напр", Kind::Never),
    ("м", Kind::Never),
    ("с", Kind::Never),
    ("д", Kind::Never),
    ("пос", Kind::Never),
    ("ст", Kind::BeforeNumber),
    ("ч", Kind::BeforeNumber),
    ("п", Kind::BeforeNumber),
    ("т", Kind::BeforeNumber),
    ("кв", Kind::BeforeNumber),
    ("стр", Kind::BeforeNumber),
    ("рис", Kind::BeforeNumber),
    ("г", Kind::Year),
    ("гг", Kind::Year),
    ("р", Kind::Year),
    ("рр", Kind::Year),
    ("ж", Kind::Year),
    ("в", Kind::Year),
    ("вв", Kind::Year),
];

/// Latin-script languages of the services: Romanian, Bosnian/Croatian/Serbian/Montenegrin, Albanian,
/// Hungarian, Azerbaijani, Uzbek, Turkmen, Crimean Tatar, Polish.
const LATIN: &[(&str, Kind)] = &[
    ("dl", Kind::Never),
    ("dna", Kind::Never),
    ("str", Kind::Never),
    ("tj", Kind::Never),
    ("npr", Kind::Never),
    ("np", Kind::Never),
    ("gđa", Kind::Never),
    ("ul", Kind::Never),
    ("z", Kind::Never),
    ("znj", Kind::Never),
    ("pl", Kind::Never),
    ("kb", Kind::Never),
    ("ún", Kind::Never),
    ("u", Kind::Never),
    ("sh", Kind::Never),
    ("sv", Kind::Never),
    ("br", Kind::BeforeNumber),
    ("art", Kind::BeforeNumber),
    ("g", Kind::Year),
    ("god", Kind::Year),
    ("y", Kind::Year),
    ("ý", Kind::Year),
    ("r", Kind::Year),
    ("itd", Kind::Final),
    ("itp", Kind::Final),
    ("etj", Kind::Final),
    ("stb", Kind::Final),
    ("ș.a", Kind::Final),
    ("h.k", Kind::Final),
];

const ARMENIAN: &[(&str, Kind)] = &[
    ("թ", Kind::Year),
    ("թթ", Kind::Year),
    ("պրն", Kind::Never),
    ("տկն", Kind::Never),
    ("դոկտ", Kind::Never),
    ("պրոֆ", Kind::Never),
];

const GEORGIAN: &[(&str, Kind)] = &[("წ", Kind::Year), ("ქ", Kind::Never), ("ბ-ნ", Kind::Never), ("ა.შ", Kind::Final)];

fn lang_list(lang: &str) -> &'static [(&'static str, Kind)] {
    if lang == "eng_Latn" {
        ENGLISH
    } else if lang.ends_with("_Cyrl") {
        CYRILLIC
    } else if lang.ends_with("_Latn") {
        LATIN
    } else if lang == "hye_Armn" {
        ARMENIAN
    } else if lang == "kat_Geor" {
        GEORGIAN
    } else {
        &[]
    }
}

fn abbreviation(token: &str, lang: &str) -> Option<Kind> {
    let lower = token.to_lowercase();
    lang_list(lang).iter().chain(COMMON).find(|(a, _)| *a == lower).map(|&(_, k)| k)
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '‼' | '⁇' | '⁈' | '⁉' | '։' | '՞' | '՜' | '؟' | '۔' | '。' | '！' | '？')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '»' | '”' | '“' | '’' | '›' | ')' | ']' | '}' | '」' | '』')
}

fn is_opener_or_dash(c: char) -> bool {
    matches!(c, '"' | '\'' | '«' | '„' | '“' | '‘' | '‹' | '(' | '[' | '¿' | '¡' | '—' | '–' | '-')
}

/// Lowercase in a script with capitals. Georgian Mkhedruli is lowercase to Unicode (Mtavruli capitals
/// exist) but running text never capitalises, so it counts as caseless.
fn is_small(c: char) -> bool {
    c.is_lowercase() && !('\u{10D0}'..='\u{10FF}').contains(&c)
}

fn is_armenian_letter(c: char) -> bool {
    ('\u{0531}'..='\u{0587}').contains(&c) && c.is_alphabetic()
}

/// Case of the first letter of the next sentence candidate: `Some(true)` lowercase, `Some(false)` uppercase,
/// caseless letter, digit or symbol, `None` at the end of the text.
fn next_is_lowercase(chars: &[char], from: usize) -> Option<bool> {
    let c = chars[from..].iter().find(|c| !(c.is_whitespace() || is_opener_or_dash(**c)))?;
    Some(is_small(*c))
}

fn next_is_digit(chars: &[char], from: usize) -> bool {
    chars[from..].iter().find(|c| !c.is_whitespace()).is_some_and(|c| c.is_ascii_digit())
}

/// The word before the terminal at `end` (exclusive): letters, digits, inner dots and hyphens; a preceding
/// one- or two-letter dotted part separated by a space is joined in (`т. д` → `т.д`).
fn token_before(chars: &[char], end: usize) -> (String, usize) {
    let word_start = |e: usize| {
        let mut s = e;
        while s > 0 && (chars[s - 1].is_alphanumeric() || matches!(chars[s - 1], '.' | '-')) {
            s -= 1;
        }
        s
    };
    let mut s = word_start(end);
    // Leading dots and hyphens belong to the text before.
    while s < end && matches!(chars[s], '.' | '-') {
        s += 1;
    }
    let mut token: String = chars[s..end].iter().collect();
    // "т. д." / "і т. д.": join a short dotted part before it.
    if token.chars().count() <= 2 && s >= 3 && chars[s - 1] == ' ' && chars[s - 2] == '.' {
        let ps = word_start(s - 2);
        let prev: String = chars[ps..s - 2].iter().collect();
        let n = prev.chars().count();
        if (1..=2).contains(&n) && prev.chars().all(char::is_alphabetic) {
            token = format!("{prev}.{token}");
            s = ps;
        }
    }
    (token, s)
}

fn is_number_like(word: &str) -> bool {
    !word.is_empty()
        && (word.chars().all(|c| c.is_ascii_digit() || c == '-')
            || word.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M' | 'І' | 'Х' | 'С' | 'М')))
}

/// The word before position `s`, skipping one space.
fn word_before(chars: &[char], s: usize) -> String {
    if s < 2 || chars[s - 1] != ' ' {
        return String::new();
    }
    let e = s - 1;
    let mut b = e;
    while b > 0 && !chars[b - 1].is_whitespace() {
        b -= 1;
    }
    chars[b..e].iter().collect()
}

/// Decides whether the single `.` at `dot` (followed by white space) ends a sentence.
fn dot_is_boundary(chars: &[char], dot: usize, after: usize, lang: &str) -> bool {
    if dot == 0 || !chars[dot - 1].is_alphanumeric() {
        return true;
    }
    let (token, start) = token_before(chars, dot);
    let kind = abbreviation(&token, lang);
    let mut letters = token.chars();
    if let (Some(l), None) = (letters.next(), letters.next()) {
        if l.is_alphabetic() && !is_small(l) {
            // An initial (a capital, or any letter of a caseless script) unless it is a caseless year marker
            // after a number (Georgian `2024 წ.`).
            return kind == Some(Kind::Year) && !l.is_uppercase() && is_number_like(&word_before(chars, start));
        }
    }
    if let Some(kind) = kind {
        return match kind {
            Kind::Never => false,
            Kind::BeforeNumber => !next_is_digit(chars, after),
            Kind::Year => is_number_like(&word_before(chars, start)),
            Kind::Final => true,
        };
    }
    if token.contains('.') {
        // Dotted initialisms (U.S, e.g, т.е, н.э) have short parts; a domain name (rferl.org) does not.
        let short_parts = token.split('.').all(|p| (1..=2).contains(&p.chars().count()));
        return !short_parts;
    }
    true
}

fn split_paragraph(para: &str, lang: &str, out: &mut Vec<String>) {
    let chars: Vec<char> = para.chars().collect();
    let mut byte_at = Vec::with_capacity(chars.len() + 1);
    let mut b = 0;
    for c in &chars {
        byte_at.push(b);
        b += c.len_utf8();
    }
    byte_at.push(b);
    let armenian = lang == "hye_Armn";
    let mut start = 0;
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        let colon_stop = armenian && c == ':' && k > 0 && (is_armenian_letter(chars[k - 1]) || is_closer(chars[k - 1]));
        if !is_terminal(c) && !colon_stop {
            k += 1;
            continue;
        }
        let mut j = k + 1;
        while j < chars.len() && (is_terminal(chars[j]) || is_closer(chars[j])) {
            j += 1;
        }
        if j < chars.len() && !chars[j].is_whitespace() {
            k = j;
            continue;
        }
        let run = &chars[k..j];
        let single_dot = run.iter().filter(|&&c| is_terminal(c)).count() == 1 && c == '.';
        let boundary = match next_is_lowercase(&chars, j) {
            None => true,
            Some(true) => false,
            Some(false) => !single_dot || dot_is_boundary(&chars, k, j, lang),
        };
        if boundary {
            let s = para[byte_at[start]..byte_at[j]].trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = j;
        }
        k = j;
    }
    let s = para[byte_at[start]..].trim();
    if !s.is_empty() {
        out.push(s.to_string());
    }
}

/// Splits normalised text (paragraphs separated by a blank line) into sentences. `lang` is the FLORES code.
pub fn split_sentences(text: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split("\n\n") {
        split_paragraph(para, lang, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str, lang: &str) -> Vec<String> {
        split_sentences(text, lang)
    }

    #[test]
    fn paragraphs_always_end_sentences() {
        assert_eq!(s("One. Two\n\nThree", "eng_Latn"), ["One.", "Two", "Three"]);
    }

    #[test]
    fn english_abbreviations_do_not_split() {
        assert_eq!(
            s("Mr. Smith met Dr. Jones in the U.S. on Monday. They talked.", "eng_Latn"),
            ["Mr. Smith met Dr. Jones in the U.S. on Monday.", "They talked."]
        );
        assert_eq!(s("See No. 5 on the list. Then go.", "eng_Latn"), ["See No. 5 on the list.", "Then go."]);
        assert_eq!(s("It is e.g. True. Yes.", "eng_Latn"), ["It is e.g. True.", "Yes."]);
    }

    #[test]
    fn russian_abbreviations_do_not_split() {
        assert_eq!(
            s("Он живёт на ул. Ленина, т.е. в центре. Музей им. Пушкина открыт.", "rus_Cyrl"),
            ["Он живёт на ул. Ленина, т.е. в центре.", "Музей им. Пушкина открыт."]
        );
        assert_eq!(s("Приехал в г. Москва. Потом уехал.", "rus_Cyrl"), ["Приехал в г. Москва.", "Потом уехал."]);
    }

    #[test]
    fn year_abbreviation_ends_a_sentence_after_a_number() {
        assert_eq!(
            s("Это было в 2014 г. В 2015 г. всё изменилось.", "rus_Cyrl"),
            ["Это было в 2014 г.", "В 2015 г. всё изменилось."]
        );
        assert_eq!(s("Ремонт, мебель и т. д. Всё готово.", "rus_Cyrl"), ["Ремонт, мебель и т. д.", "Всё готово."]);
    }

    #[test]
    fn initials_do_not_split() {
        assert_eq!(
            s("A. Navalny spoke. Then В. Путин answered.", "eng_Latn"),
            ["A. Navalny spoke.", "Then В. Путин answered."]
        );
        // Georgian has no capitals: a single letter before '.' is still an initial.
        assert_eq!(s("მ. სააკაშვილი ჩამოვიდა. ის წავიდა.", "kat_Geor"), ["მ. სააკაშვილი ჩამოვიდა.", "ის წავიდა."]);
    }

    #[test]
    fn numbers_and_dates_do_not_split() {
        assert_eq!(
            s("Inflation was 3.5 percent on 01.02.2024 in the city. Prices rose.", "eng_Latn"),
            ["Inflation was 3.5 percent on 01.02.2024 in the city.", "Prices rose."]
        );
        // Ordinals: "1. januara" (lowercase month) is not a boundary.
        assert_eq!(s("Od 1. januara važi zakon. Kraj.", "bos_Latn"), ["Od 1. januara važi zakon.", "Kraj."]);
    }

    #[test]
    fn armenian_full_stop_question_mark_and_colon() {
        assert_eq!(s("Բարեւ։ Ինչպե՞ս ես։ Լավ եմ։", "hye_Armn"), ["Բարեւ։", "Ինչպե՞ս ես։", "Լավ եմ։"]);
        assert_eq!(s("Նա եկավ: Մենք գնացինք:", "hye_Armn"), ["Նա եկավ:", "Մենք գնացինք:"]);
        // The year abbreviation թ. is not a boundary before a lowercase word.
        assert_eq!(s("2024 թ. հունվարին նա եկավ։", "hye_Armn"), ["2024 թ. հունվարին նա եկավ։"]);
    }

    #[test]
    fn arabic_question_mark_and_full_stop() {
        assert_eq!(s("چطور هستی؟ خوبم. ممنون۔ بله", "pes_Arab"), ["چطور هستی؟", "خوبم.", "ممنون۔", "بله"]);
    }

    #[test]
    fn georgian_uses_the_latin_full_stop() {
        assert_eq!(s("გამარჯობა. როგორ ხარ? კარგად!", "kat_Geor"), ["გამარჯობა.", "როგორ ხარ?", "კარგად!"]);
    }

    #[test]
    fn closing_quotes_and_brackets_stay_with_the_sentence() {
        assert_eq!(
            s("Он сказал: «Всё кончено».» Потом ушёл. «Это конец.» Да.", "rus_Cyrl"),
            ["Он сказал: «Всё кончено».»", "Потом ушёл.", "«Это конец.»", "Да."]
        );
        assert_eq!(
            s("She asked, \"Why…?\u{201D} Nobody knew. (See below.) End.", "eng_Latn"),
            ["She asked, \"Why…?\u{201D}", "Nobody knew.", "(See below.)", "End."]
        );
    }

    #[test]
    fn direct_speech_attribution_stays_in_the_sentence() {
        assert_eq!(
            s("«Где вы были?» — спросил он. «Дома!» — ответила она.", "rus_Cyrl"),
            ["«Где вы были?» — спросил он.", "«Дома!» — ответила она."]
        );
    }

    #[test]
    fn ellipsis_splits_only_before_a_capital() {
        assert_eq!(
            s("Мы ждали… и ждали... Потом пришёл автобус.", "rus_Cyrl"),
            ["Мы ждали… и ждали...", "Потом пришёл автобус."]
        );
    }

    #[test]
    fn domain_names_and_glued_punctuation_do_not_split() {
        assert_eq!(s("Read rferl.org daily. Thanks.", "eng_Latn"), ["Read rferl.org daily.", "Thanks."]);
        assert_eq!(s("Visit rferl.org. Thanks.", "eng_Latn"), ["Visit rferl.org.", "Thanks."]);
    }
}
