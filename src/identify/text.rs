//! Reading text for the detector: which script a letter belongs to, and one pass over a segment
//! that counts letters per script and collects the additive features of each script group
//! (telling letters, bigrams, listed words).
//!
//! Normalisation done on the fly (no copy of the text): lower-casing, apostrophe variants inside
//! words → `'` (Uzbek oʻ/gʻ, Ukrainian/Belarusian apostrophe), and the Caucasian palochka — typed
//! as Ӏ, ӏ, or inside a Cyrillic word as Latin I, l or the digit 1 — → `ӏ`.

use super::model::{
    Features, GroupModel, Prev, CTX_DA_LI, CTX_FUT_FUSED, CTX_FUT_SPLIT, CTX_IJEKAVIAN, CTX_JE_LI, CTX_MODAL_DA,
    CTX_MODAL_INF,
};
use super::profiles::Group;

/// Scripts we count. Index into count arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Latin = 0,
    Cyrillic,
    Arabic,
    Armenian,
    Georgian,
    Greek,
    Hebrew,
    Devanagari,
    Han,
    Kana,
    Hangul,
    Thai,
    Other,
}

pub const N_SCRIPTS: usize = 13;

impl Script {
    pub const ALL: [Script; N_SCRIPTS] = [
        Script::Latin,
        Script::Cyrillic,
        Script::Arabic,
        Script::Armenian,
        Script::Georgian,
        Script::Greek,
        Script::Hebrew,
        Script::Devanagari,
        Script::Han,
        Script::Kana,
        Script::Hangul,
        Script::Thai,
        Script::Other,
    ];

    /// ISO 15924 code.
    pub fn iso(self) -> &'static str {
        match self {
            Script::Latin => "Latn",
            Script::Cyrillic => "Cyrl",
            Script::Arabic => "Arab",
            Script::Armenian => "Armn",
            Script::Georgian => "Geor",
            Script::Greek => "Grek",
            Script::Hebrew => "Hebr",
            Script::Devanagari => "Deva",
            Script::Han => "Hani",
            Script::Kana => "Jpan",
            Script::Hangul => "Hang",
            Script::Thai => "Thai",
            Script::Other => "Zzzz",
        }
    }

    pub fn group(self) -> Option<Group> {
        match self {
            Script::Latin => Some(Group::Latin),
            Script::Cyrillic => Some(Group::Cyrillic),
            Script::Arabic => Some(Group::Arabic),
            _ => None,
        }
    }
}

/// What a character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Letter(Script),
    /// Combining marks, tatweel, ZWNJ: stay inside a word, not counted as letters.
    Inside,
    Apostrophe,
    Other,
}

/// What the pass needs of one character: its kind, its lower case, whether it is a capital.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CharInfo {
    kind: Kind,
    lower: char,
    upper: bool,
}

/// Code points with a precomputed [`CharInfo`]: Latin to Arabic, where nearly every letter of the
/// services' texts falls (the functions behind it are range matches and table searches per character).
const DENSE_CHARS: usize = 0x800;

fn char_info_of(c: char) -> CharInfo {
    CharInfo { kind: kind(c), lower: crate::normalise::lower(c), upper: c.is_uppercase() }
}

fn char_table() -> &'static [CharInfo] {
    static TABLE: std::sync::OnceLock<Vec<CharInfo>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0..DENSE_CHARS as u32).map(|u| char_info_of(char::from_u32(u).unwrap_or('\0'))).collect())
}

#[inline]
fn char_info(table: &[CharInfo], c: char) -> CharInfo {
    match table.get(c as usize) {
        Some(&info) => info,
        None => char_info_of(c),
    }
}

#[inline]
fn kind(c: char) -> Kind {
    let u = c as u32;
    if u < 0x80 {
        if c.is_ascii_alphabetic() {
            return Kind::Letter(Script::Latin);
        }
        if c == '\'' || c == '`' {
            return Kind::Apostrophe;
        }
        return Kind::Other;
    }
    match u {
        0x2BB | 0x2BC | 0x2018 | 0x2019 => Kind::Apostrophe,
        0x300..=0x36F | 0x483..=0x489 | 0x64B..=0x65F | 0x670 | 0x640 => Kind::Inside,
        0x200C => Kind::Inside,
        _ if !crate::normalise::is_letter(c) => Kind::Other,
        0xC0..=0x24F | 0x1E00..=0x1EFF | 0x250..=0x2AF => Kind::Letter(Script::Latin),
        0x400..=0x52F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Kind::Letter(Script::Cyrillic),
        0x600..=0x6FF | 0x750..=0x77F | 0x8A0..=0x8FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            Kind::Letter(Script::Arabic)
        }
        0x530..=0x58F | 0xFB13..=0xFB17 => Kind::Letter(Script::Armenian),
        0x10A0..=0x10FF | 0x1C90..=0x1CBF | 0x2D00..=0x2D2F => Kind::Letter(Script::Georgian),
        0x370..=0x3FF | 0x1F00..=0x1FFF => Kind::Letter(Script::Greek),
        0x590..=0x5FF => Kind::Letter(Script::Hebrew),
        0x900..=0x97F => Kind::Letter(Script::Devanagari),
        0x3400..=0x4DBF | 0x4E00..=0x9FFF => Kind::Letter(Script::Han),
        0x3040..=0x30FF => Kind::Letter(Script::Kana),
        0xAC00..=0xD7AF | 0x1100..=0x11FF => Kind::Letter(Script::Hangul),
        0xE00..=0xE7F => Kind::Letter(Script::Thai),
        _ => Kind::Letter(Script::Other),
    }
}

#[inline]
fn is_basic(group: Group, c: char) -> bool {
    match group {
        Group::Latin => c.is_ascii_lowercase(),
        Group::Cyrillic => ('а'..='я').contains(&c),
        // hamza .. yeh, plus the Persian/common letters not listed by any profile
        Group::Arabic => ('\u{621}'..='\u{64A}').contains(&c) || matches!(c, 'ه' | 'ی' | 'ک'),
    }
}

/// Features of one segment: letters per script and per-group features.
pub struct SegmentFeatures {
    pub script_letters: [u32; N_SCRIPTS],
    pub groups: [Features; 3],
}

impl SegmentFeatures {
    pub fn total_letters(&self) -> u32 {
        self.script_letters.iter().sum()
    }

    pub fn dominant_script(&self) -> Option<Script> {
        let mut best: Option<(Script, u32)> = None;
        for s in Script::ALL {
            let n = self.script_letters[s as usize];
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((s, n));
            }
        }
        best.map(|(s, _)| s)
    }
}

pub fn group_index(g: Group) -> usize {
    match g {
        Group::Latin => 0,
        Group::Cyrillic => 1,
        Group::Arabic => 2,
    }
}

/// Scratch state of one pass.
struct Pass<'m> {
    models: &'m [GroupModel; 3],
    out: SegmentFeatures,
    word: String,
    word_group: Option<Group>,
    prev: Option<char>,
    /// The current word began with a capital letter.
    word_cap: bool,
    /// The previous word's role for the Serbo-Croatian word-pair features.
    prev_ctx: Prev,
}

/// Forms of the future auxiliary (ću, ćeš, će, ćemo, ćete).
fn is_future_aux(w: &str) -> bool {
    matches!(w, "ću" | "ćeš" | "će" | "ćemo" | "ćete")
}

/// Future tense written as one word (Serbian radiću, bićemo); hoćemo/nećemo are the auxiliary.
fn is_fused_future(w: &str) -> bool {
    let stem = if let Some(s) = w.strip_suffix("ćemo").or_else(|| w.strip_suffix("ćete")) {
        s
    } else if let Some(s) = w.strip_suffix("ćeš") {
        s
    } else {
        return matches!(
            w,
            "imaće" | "moraće" | "trebaće" | "postaće" | "ostaće" | "nastaviće" | "održaće" | "počeće" | "dobiće"
        );
    };
    stem.chars().count() >= 2 && !matches!(stem, "ho" | "ne")
}

/// A word with the ijekavian reflex of jat after a consonant that ekavian never has before "je"
/// (mjesto, vjera, pjesma, cjena, htjeti, djeca), beyond the listed variant words. Prefixed
/// words (odjednom, podjednako) have "dje" in ekavian too.
pub fn has_ijekavian_jat(w: &str) -> bool {
    let b = w.as_bytes();
    if !w.contains("je") {
        return false;
    }
    let prefixed = w.starts_with("odj") || w.starts_with("podj") || w.starts_with("nadj") || w.starts_with("predj");
    b.windows(3).any(|t| {
        t[1] == b'j'
            && t[2] == b'e'
            && (matches!(t[0], b'm' | b'v' | b'p' | b'c' | b't') || (t[0] == b'd' && !prefixed))
    })
}

impl Pass<'_> {
    /// Word-pair features of the Latin group (Serbo-Croatian only; see `model::Context`).
    #[inline]
    fn context(&mut self) {
        let m = &self.models[0];
        if m.context.is_empty() {
            return;
        }
        let w = self.word.as_str();
        let f = &mut self.out.groups[0];
        let mut add = |k: usize| {
            for (a, b) in f.words.iter_mut().zip(m.ctx(k)) {
                *a += *b as f64;
            }
        };
        match self.prev_ctx {
            Prev::Modal if w == "da" => add(CTX_MODAL_DA),
            Prev::Modal if w.ends_with("ti") || w.ends_with("ći") => add(CTX_MODAL_INF),
            Prev::Je if w == "li" => add(CTX_JE_LI),
            Prev::Da if w == "li" => add(CTX_DA_LI),
            Prev::InfT if is_future_aux(w) => add(CTX_FUT_SPLIT),
            _ => {}
        }
        if is_fused_future(w) {
            add(CTX_FUT_FUSED);
        }
        if has_ijekavian_jat(w) {
            add(CTX_IJEKAVIAN);
        }
        self.prev_ctx = match w {
            "je" => Prev::Je,
            "da" => Prev::Da,
            // "može se reći": the reflexive does not break the modal + infinitive pair
            "se" if self.prev_ctx == Prev::Modal => Prev::Modal,
            _ if m.context.modals.contains_key(w) => Prev::Modal,
            _ => {
                let mut rev = w.chars().rev();
                let truncated_inf = rev.next() == Some('t')
                    && rev.next().is_some_and(|c| matches!(c, 'a' | 'e' | 'i' | 'u'))
                    && rev.next().is_some();
                if truncated_inf {
                    Prev::InfT
                } else {
                    Prev::None
                }
            }
        };
    }

    #[inline]
    fn flush(&mut self) {
        if let Some(g) = self.word_group {
            let gi = group_index(g);
            let f = &mut self.out.groups[gi];
            f.tokens += 1;
            let m = &self.models[gi];
            if let Some(v) = m.word(&self.word) {
                f.word_hits += 1;
                for (a, b) in f.words.iter_mut().zip(v) {
                    *a += *b as f64;
                }
            } else if let Some(v) = m.suffix(&self.word) {
                for (a, b) in f.words.iter_mut().zip(v) {
                    *a += *b as f64;
                }
            }
            if gi == 0 {
                self.context();
            } else {
                self.prev_ctx = Prev::None;
            }
        }
        self.word.clear();
        self.word_group = None;
        self.prev = None;
    }

    /// Adds one (already lower-cased) letter of script `s` to the current word and the counts; `upper`: the
    /// letter was a capital (only the first letter of a word matters).
    #[inline]
    fn letter(&mut self, s: Script, c: char, upper: bool) {
        self.out.script_letters[s as usize] += 1;
        let g = s.group();
        if g != self.word_group && !self.word.is_empty() {
            self.flush();
        }
        if self.word.is_empty() {
            self.word_cap = upper;
        }
        self.word_group = g;
        if let Some(g) = g {
            let gi = group_index(g);
            let m = &self.models[gi];
            let f = &mut self.out.groups[gi];
            f.letters += 1;
            f.name_letters += self.word_cap as u32;
            if let Some(slot) = m.letter_slot(c) {
                f.slots[slot as usize] += 1;
            } else if !is_basic(g, c) {
                f.slots[m.unknown_slot as usize] += 1;
            }
            if let Some(p) = self.prev {
                if let Some(slot) = m.bigram_slot(p, c) {
                    f.slots[slot as usize] += 1;
                }
            }
            self.word.push(c);
        }
        self.prev = Some(c);
    }
}

/// One pass over `text` (a segment) collecting its features.
pub fn segment_features(models: &[GroupModel; 3], text: &str) -> SegmentFeatures {
    let mut pass = Pass {
        models,
        out: SegmentFeatures {
            script_letters: [0; N_SCRIPTS],
            groups: [models[0].new_features(), models[1].new_features(), models[2].new_features()],
        },
        word: String::new(),
        word_group: None,
        prev: None,
        word_cap: false,
        prev_ctx: Prev::None,
    };
    let table = char_table();
    let kind_of = |c: char| char_info(table, c).kind;
    let mut it = text.chars().peekable();
    while let Some(c) = it.next() {
        let info = char_info(table, c);
        let k = info.kind;
        let in_cyr_word = pass.word_group == Some(Group::Cyrillic);
        // Palochka typed as a Latin look-alike: inside a Cyrillic word, or before Cyrillic.
        if matches!(c, 'I' | 'l' | '1' | 'Ӏ' | 'ӏ') {
            let next_cyr = it.peek().is_some_and(|n| kind_of(*n) == Kind::Letter(Script::Cyrillic));
            if in_cyr_word || (c == 'I' || c == 'Ӏ' || c == 'ӏ') && next_cyr {
                pass.letter(Script::Cyrillic, 'ӏ', false);
                continue;
            }
        }
        // Latin i typed for Ukrainian/Belarusian/Kazakh і inside a Cyrillic word.
        if c == 'i' && in_cyr_word {
            pass.letter(Script::Cyrillic, 'і', false);
            continue;
        }
        match k {
            // One character for one: İ reads as plain i (Turkic text), Ӏ as ӏ.
            Kind::Letter(s) => {
                // Only the first letter's case matters.
                let upper = pass.word.is_empty() && info.upper;
                pass.letter(s, info.lower, upper)
            }
            Kind::Inside => {
                if c == '\u{200C}' && pass.word_group == Some(Group::Arabic) {
                    let next_ar = it.peek().is_some_and(|n| kind_of(*n) == Kind::Letter(Script::Arabic));
                    if next_ar {
                        // ZWNJ is a telling "letter" for Persian orthography.
                        let m = &models[2];
                        if let Some(slot) = m.letter_slot(c) {
                            pass.out.groups[2].slots[slot as usize] += 1;
                        }
                        pass.word.push(c);
                        pass.prev = None;
                    } else {
                        pass.flush();
                    }
                }
            }
            Kind::Apostrophe => {
                let next_letter = it.peek().is_some_and(|n| matches!(kind_of(*n), Kind::Letter(_)));
                if let (Some(g), true) = (pass.word_group, next_letter) {
                    let gi = group_index(g);
                    let m = &models[gi];
                    if let Some(slot) = m.letter_slot('\'') {
                        pass.out.groups[gi].slots[slot as usize] += 1;
                    }
                    pass.word.push('\'');
                    pass.prev = None;
                } else {
                    pass.flush();
                }
            }
            Kind::Other => {
                // Keep hyphenated words (ýa-da, по-малко) whole only when listed; simpler to split.
                pass.flush();
                // punctuation ends a word pair (može. Da ...)
                if !c.is_whitespace() {
                    pass.prev_ctx = Prev::None;
                }
            }
        }
    }
    pass.flush();
    pass.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_character_table_answers_as_the_functions_do() {
        let table = char_table();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(char_info(table, c), char_info_of(c), "U+{:04X}", c as u32);
        }
        // The table is what the pass reads below U+0800: a wrong entry there would change the answer.
        assert_eq!(char_info(table, 'Ж'), CharInfo { kind: Kind::Letter(Script::Cyrillic), lower: 'ж', upper: true });
    }
}
