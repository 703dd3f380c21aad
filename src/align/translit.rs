//! One Latin consonant key for a word in any of the corpus's scripts.
//!
//! Names cross languages by sound, not by spelling: "Zakharova", "Захарова", "زاخارووا", "Զախարովա" and
//! "ზახაროვა" are one name. Each letter is mapped to a coarse consonant class and vowels, semivowels
//! (`v w y j`-like letters, which Arabic script uses for vowels too) and plain `h` are dropped, so the five
//! spellings all become `skr`. The classes merge voiced and voiceless pairs (b/p, d/t, g/k, s/z, sh/zh/ch/j)
//! because transliteration conventions disagree exactly there; the price is collisions between short keys,
//! which the aligner pays with IDF weights and a minimum key length.
//!
//! Class letters: `b` (b p), `d` (d t), `k` (g k q kh x), `s` (s z ts dz), `c` (sh zh ch j dzh),
//! `f` (f), `l`, `r`, `m`, `n`.

/// How a Latin-script language spells a few ambiguous letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LatinRules {
    /// English, French and other western spellings: `c` = k (s before e/i/y), `j` = dzh, `x` = ks, `ch` = ch.
    Western,
    /// German and Polish: `ch` = kh, `w` = v, `z` = ts, `j` = y; Polish `sz cz rz` = sh ch zh.
    GermanPolish,
    /// Bosnian, Croatian, Serbian Latin, Albanian, Czech: `c` = ts, `j` = y, `h` = kh.
    Slavic,
    /// Turkish, Azerbaijani, Crimean Tatar, Turkmen, Uzbek: `c`/`j` = dzh/zh, `x` = kh, `q` = k.
    Turkic,
    /// Romanian: `c` = k, `j` = zh.
    Romanian,
    /// Hungarian: `sz` = s, `cs zs` = ch zh, `c` = ts, `j` = y.
    Hungarian,
}

fn latin_rules(lang: &str) -> LatinRules {
    match lang.get(..3).unwrap_or("") {
        "deu" | "pol" => LatinRules::GermanPolish,
        "bos" | "hrv" | "srp" | "als" | "ces" | "slk" | "slv" | "mkd" | "bul" => LatinRules::Slavic,
        "tur" | "azj" | "aze" | "crh" | "tuk" | "uzn" | "uzb" | "kaa" | "kaz" | "tat" => LatinRules::Turkic,
        "ron" => LatinRules::Romanian,
        "hun" => LatinRules::Hungarian,
        _ => LatinRules::Western,
    }
}

/// Ukrainian and Belarusian write foreign `h` with `г` (Гарвард = Harvard).
fn g_is_h(lang: &str) -> bool {
    matches!(lang.get(..3).unwrap_or(""), "ukr" | "bel")
}

/// The consonant class of one non-Latin letter (lower case), `None` for letters that leave no trace.
fn class_of(c: char, lang: &str) -> Option<char> {
    Some(match c {
        // Cyrillic (Russian, Ukrainian, Belarusian, Bulgarian, Serbian, Macedonian, Kazakh, Kyrgyz, Tajik,
        // Tatar, Bashkir, Mongolian).
        'б' | 'п' => 'b',
        'г' if g_is_h(lang) => return None,
        // Tajik ҳ, Tatar/Bashkir/Kazakh һ are a plain h: no trace, like Latin h.
        'г' | 'ґ' | 'ғ' | 'к' | 'қ' | 'ҡ' | 'ќ' | 'ѓ' | 'х' => 'k',
        'д' | 'т' => 'd',
        'ж' | 'ч' | 'ш' | 'щ' | 'џ' | 'ђ' | 'ћ' | 'ҷ' | 'ӂ' | 'җ' => 'c',
        'з' | 'с' | 'ц' | 'ҙ' | 'ҫ' | 'ѕ' => 's',
        'л' | 'љ' => 'l',
        'м' => 'm',
        'н' | 'ң' | 'њ' => 'n',
        'р' => 'r',
        'ф' => 'f',
        // Armenian.
        'բ' | 'պ' | 'փ' => 'b',
        'գ' | 'կ' | 'ք' | 'խ' | 'ղ' => 'k',
        'դ' | 'տ' | 'թ' => 'd',
        'զ' | 'ս' | 'ծ' | 'ձ' | 'ց' => 's',
        'ժ' | 'շ' | 'չ' | 'ճ' | 'ջ' => 'c',
        'լ' => 'l',
        'մ' => 'm',
        'ն' => 'n',
        'ր' | 'ռ' => 'r',
        'ֆ' => 'f',
        // Georgian.
        'ბ' | 'პ' | 'ფ' => 'b',
        'გ' | 'კ' | 'ქ' | 'ღ' | 'ყ' | 'ხ' => 'k',
        'დ' | 'ტ' | 'თ' => 'd',
        'ზ' | 'ს' | 'ც' | 'ძ' | 'წ' => 's',
        'ჟ' | 'შ' | 'ჩ' | 'ჭ' | 'ჯ' => 'c',
        'ლ' => 'l',
        'მ' => 'm',
        'ნ' => 'n',
        'რ' => 'r',
        // Arabic script (Arabic, Persian, Dari, Pashto, Uyghur, Kurdish).
        'ب' | 'پ' => 'b',
        'ت' | 'ط' | 'د' | 'ټ' | 'ډ' => 'd',
        'ث' | 'س' | 'ص' | 'ز' | 'ذ' | 'ض' | 'ظ' | 'ځ' | 'څ' => 's',
        'ج' | 'چ' | 'ش' | 'ژ' | 'ښ' | 'ږ' => 'c',
        'ک' | 'ك' | 'گ' | 'ګ' | 'ق' | 'غ' | 'خ' => 'k',
        'ڭ' => 'n',
        'ف' | 'ڤ' => 'f',
        'ل' => 'l',
        'م' => 'm',
        'ن' | 'ڼ' => 'n',
        'ر' | 'ړ' | 'ڕ' => 'r',
        _ => return None,
    })
}

/// Appends the consonant classes of one lower-case Latin word (diacritics still on) to `out`.
fn latin_classes(w: &[char], rules: LatinRules, out: &mut Vec<char>) {
    let at = |i: usize| w.get(i).copied().unwrap_or(' ');
    let mut i = 0;
    while i < w.len() {
        let (c, n) = (w[i], at(i + 1));
        let mut step = 1;
        let class = match (c, n) {
            ('s', 'c') if at(i + 2) == 'h' => {
                step = 3;
                Some('c')
            }
            ('s', 'h') | ('z', 'h') | ('x', 'h') => {
                step = 2;
                Some('c')
            }
            ('c', 'h') => {
                step = 2;
                Some(if rules == LatinRules::GermanPolish { 'k' } else { 'c' })
            }
            ('k', 'h') | ('g', 'h') => {
                step = 2;
                Some('k')
            }
            ('c', 'k') => {
                step = 2;
                Some('k')
            }
            ('t', 'h') | ('d', 'h') => {
                step = 2;
                Some('d')
            }
            ('p', 'h') => {
                step = 2;
                Some('f')
            }
            ('d', 'z') if at(i + 2) == 'h' => {
                step = 3;
                Some('c')
            }
            ('d', 'ž') | ('d', 'j') if rules == LatinRules::Slavic => {
                step = 2;
                Some('c')
            }
            ('s', 'z') if rules == LatinRules::Hungarian => {
                step = 2;
                Some('s')
            }
            ('c', 's') | ('z', 's') if rules == LatinRules::Hungarian => {
                step = 2;
                Some('c')
            }
            ('s', 'z') | ('c', 'z') | ('r', 'z') if rules == LatinRules::GermanPolish => {
                step = 2;
                Some('c')
            }
            ('g', '\'') | ('g', 'ʻ') | ('g', '‘') | ('g', 'ʼ') | ('g', '’') if rules == LatinRules::Turkic => {
                step = 2;
                Some('k')
            }
            ('b', _) | ('p', _) => Some('b'),
            ('d', _) | ('t', _) => Some('d'),
            ('ţ', _) | ('ț', _) => Some('s'),
            ('c', _) => Some(match rules {
                LatinRules::Western if matches!(n, 'e' | 'i' | 'y') => 's',
                LatinRules::Western | LatinRules::Romanian => 'k',
                LatinRules::Turkic => 'c',
                _ => 's',
            }),
            ('g', _) | ('k', _) | ('q', _) | ('ğ', _) | ('ķ', _) | ('ģ', _) => Some('k'),
            ('x', _) => match rules {
                LatinRules::Western => {
                    out.push('k');
                    Some('s')
                }
                LatinRules::Slavic => Some('s'),
                _ => Some('k'),
            },
            // Slavic and Romanian h is the sound Russian writes х (Zaharova = Захарова).
            ('h', _) => matches!(rules, LatinRules::Slavic | LatinRules::Romanian).then_some('k'),
            ('s', _) | ('z', _) | ('ź', _) => Some('s'),
            ('ż', _) => Some('c'),
            ('š', _) | ('ž', _) | ('č', _) | ('ć', _) | ('ş', _) | ('ș', _) | ('ç', _) | ('đ', _) | ('ś', _) => {
                Some('c')
            }
            ('j', _) => match rules {
                LatinRules::Western | LatinRules::Turkic | LatinRules::Romanian => Some('c'),
                _ => None,
            },
            ('f', _) => Some('f'),
            ('l', _) | ('ł', _) | ('ľ', _) | ('ļ', _) => Some('l'),
            ('m', _) => Some('m'),
            ('n', _) | ('ñ', _) | ('ň', _) | ('ń', _) | ('ņ', _) => Some('n'),
            ('r', _) | ('ř', _) => Some('r'),
            _ => None,
        };
        if let Some(k) = class {
            out.push(k);
        }
        i += step;
    }
}

/// The consonant skeleton of one word: class letters with repeats collapsed ("Zakharova" → "skr").
/// Digits and unknown letters leave no trace; `lang` (FLORES code) only picks spelling rules for Latin and
/// Ukrainian/Belarusian `г`, so a wrong label costs a little recall, never a crash.
pub fn skeleton(word: &str, lang: &str) -> String {
    // One character for one: İ lowers to i (to_lowercase adds a combining dot, which leaves no trace anyway).
    let lower: Vec<char> = word.chars().map(crate::normalise::lower).collect();
    let mut classes: Vec<char> = Vec::with_capacity(lower.len());
    let mut latin: Vec<char> = Vec::new();
    let rules = latin_rules(lang);
    for (i, &c) in lower.iter().enumerate() {
        // Cyrillic дж and дз are one sound (Джалилабад = Cəlilabad); the д leaves no trace.
        if c == 'д' && matches!(lower.get(i + 1), Some('ж' | 'з')) {
            continue;
        }
        if c.is_ascii_alphabetic() || ('\u{00C0}'..='\u{024F}').contains(&c) || c == '\'' || c == 'ʻ' || c == '’' {
            latin.push(c);
            continue;
        }
        if !latin.is_empty() {
            latin_classes(&latin, rules, &mut classes);
            latin.clear();
        }
        if let Some(k) = class_of(c, lang) {
            classes.push(k);
        }
    }
    if !latin.is_empty() {
        latin_classes(&latin, rules, &mut classes);
    }
    classes.dedup();
    classes.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_name_in_five_scripts_meets() {
        let forms = [
            ("Zakharova", "eng_Latn"),
            ("Захарова", "rus_Cyrl"),
            ("زاخارووا", "pes_Arab"),
            ("Զախարովա", "hye_Armn"),
            ("ზახაროვა", "kat_Geor"),
            ("Zaharova", "ron_Latn"),
        ];
        for (w, l) in forms {
            assert_eq!(skeleton(w, l), "skr", "{w} ({l})");
        }
    }

    #[test]
    fn names_meet_across_cyrillic_variants_and_latin_spellings() {
        // Washington: English, Russian, Kazakh, Persian, Georgian, Armenian.
        let key = skeleton("Washington", "eng_Latn");
        assert_eq!(key, "cnkdn");
        assert_eq!(skeleton("Вашингтон", "rus_Cyrl"), key);
        assert_eq!(skeleton("Вашингтонға", "kaz_Cyrl").get(..5), Some(key.as_str()));
        assert_eq!(skeleton("واشنگتن", "pes_Arab"), key);
        assert_eq!(skeleton("ვაშინგტონი", "kat_Geor"), key);
        assert_eq!(skeleton("Վաշինգտոն", "hye_Armn"), key);
        // Serbian Cyrillic and Croatian Latin spell the same sounds with different letters.
        assert_eq!(skeleton("Ђоковић", "srp_Cyrl"), skeleton("Đoković", "hrv_Latn"));
        assert_eq!(skeleton("Шешељ", "srp_Cyrl"), skeleton("Šešelj", "srp_Latn"));
        // Turkic Latin (c = dzh) against Cyrillic дж; Hungarian cs against Polish cz.
        assert_eq!(skeleton("Cəlilabad", "azj_Latn"), "clbd");
        assert_eq!(skeleton("Джалилабад", "rus_Cyrl"), "clbd");
        assert_eq!(skeleton("Csaba", "hun_Latn"), skeleton("Czaba", "pol_Latn"));
        // Tajik, Bashkir, Pashto letters are known.
        assert_eq!(skeleton("Ҷамшед", "tgk_Cyrl"), skeleton("Jamshed", "eng_Latn"));
        assert_eq!(skeleton("ځمکه", "pbt_Arab"), "smk");
    }

    #[test]
    fn ukrainian_g_is_h() {
        assert_eq!(skeleton("Гарвард", "ukr_Cyrl"), "rd");
        assert_eq!(skeleton("Harvard", "eng_Latn"), "rd");
        assert_eq!(skeleton("Гарвард", "rus_Cyrl"), "krd");
    }
}
