//! Text dumps: a news page rendered to text (see `data/sample`).
//!
//! The layout, top to bottom: navigation chrome, the headline followed by two blank lines, the image caption
//! shown twice, the body paragraphs separated by blank lines, an optional credit line, then the footer that
//! starts with the image widget (`  • 16x9 Image`): service box, legal notice, font-size widget.
//! Structure finds most of it; lines that repeat across many files (learned per corpus) catch the rest, so
//! nothing here depends on the chrome being English.

use super::date::parse_date_line;
use crate::model::Extracted;
use crate::services;
use std::collections::HashMap;
use xxhash_rust::xxh3::xxh3_64;

/// A line seen in at least this many *different stories* is template chrome. Lines are counted once per
/// story, not per file: a story republished verbatim on five services repeats all of its lines five times,
/// and must not turn into template (see [`FileLines::key`]).
pub const CHROME_MIN_FILES: u32 = 4;
const K: usize = CHROME_MIN_FILES as usize;

/// For one line: the distinct story keys of the files it was seen in, up to [`CHROME_MIN_FILES`].
#[derive(Debug, Default, Clone, Copy)]
struct Seen {
    n: u8,
    keys: [u32; K],
}

impl Seen {
    fn add(&mut self, key: u32) {
        let n = self.n as usize;
        if n < K && !self.keys[..n].contains(&key) {
            self.keys[n] = key;
            self.n += 1;
        }
    }
}

/// What one file contributes to a [`ChromeModel`]: its distinct lines, and a key for the story it tells.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileLines {
    /// The smallest hash among the file's long lines (paragraphs): copies of one story share it (a copy that
    /// lost a paragraph almost always too), different stories do not. Template lines are short or shared by
    /// every page, so they never decide it.
    pub key: u32,
    /// Sorted, distinct hashes of the non-blank trimmed lines.
    pub lines: Vec<u64>,
}

/// Lines at least this long take part in a file's story key.
const KEY_MIN_CHARS: usize = 60;

/// The lines and story key of a text.
pub fn line_hashes(text: &str) -> FileLines {
    let mut lines = Vec::new();
    let mut key = u64::MAX;
    for l in text.lines().map(clean).filter(|l| !l.is_empty()) {
        let h = xxh3_64(l.as_bytes());
        lines.push(h);
        if l.len() >= KEY_MIN_CHARS && l.chars().count() >= KEY_MIN_CHARS {
            key = key.min(h);
        }
    }
    lines.sort_unstable();
    lines.dedup();
    // A page of short lines only: the whole set of lines is its key (identical copies still share it).
    if key == u64::MAX {
        let bytes: Vec<u8> = lines.iter().flat_map(|h| h.to_le_bytes()).collect();
        key = xxh3_64(&bytes);
    }
    FileLines { key: (key >> 32) as u32, lines }
}

/// How many different stories each distinct line (trimmed) occurs in. Learned from (a sample of) the corpus
/// before extraction.
#[derive(Debug, Default, Clone)]
pub struct ChromeModel {
    seen: HashMap<u64, Seen>,
    files: u32,
}

impl ChromeModel {
    /// Learns from whole texts.
    pub fn learn<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut m = ChromeModel::default();
        for t in texts {
            m.add(t);
        }
        m
    }

    /// Adds one file.
    pub fn add(&mut self, text: &str) {
        self.add_hashes(&line_hashes(text));
    }

    /// Adds one file given as [`line_hashes`] (kept in incremental state, so a rerun need not read the
    /// file again).
    pub fn add_hashes(&mut self, file: &FileLines) {
        for &h in &file.lines {
            self.seen.entry(h).or_default().add(file.key);
        }
        self.files += 1;
    }

    /// The lines taken for chrome, as sorted hashes: two models with the same decisions extract every page
    /// the same way.
    pub fn decisions(&self) -> Vec<u64> {
        let mut d: Vec<u64> =
            self.seen.iter().filter(|(_, s)| s.n as u32 >= CHROME_MIN_FILES).map(|(&h, _)| h).collect();
        d.sort_unstable();
        d
    }

    /// Forgets the lines that are not chrome once learning is over: the sample's body lines are most of the
    /// model (millions of hashes at 50,000 sample files) and only the decisions are used afterwards.
    pub fn keep_decisions_only(&mut self) {
        self.seen.retain(|_, s| s.n as u32 >= CHROME_MIN_FILES);
        self.seen.shrink_to_fit();
    }

    /// Merges what was learned elsewhere (another thread's share of the corpus).
    pub fn merge(&mut self, other: ChromeModel) {
        for (h, s) in other.seen {
            let e = self.seen.entry(h).or_default();
            for &k in &s.keys[..s.n as usize] {
                e.add(k);
            }
        }
        self.files += other.files;
    }

    /// In how many different stories this line occurs (counted up to [`CHROME_MIN_FILES`]).
    pub fn count(&self, line: &str) -> u32 {
        self.seen.get(&chrome_key(line)).map(|s| s.n as u32).unwrap_or(0)
    }

    pub fn is_chrome(&self, line: &str) -> bool {
        self.count(line) >= CHROME_MIN_FILES
    }
}

/// The hash under which the model knows a line (or paragraph): [`ChromeModel::is_chrome`] of `line` is
/// whether this hash is among the [`ChromeModel::decisions`].
pub fn chrome_key(line: &str) -> u64 {
    xxh3_64(clean(line).as_bytes())
}

/// Trims ordinary and no-break white space; chrome often differs only in indentation.
fn clean(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// The footer begins at the image widget (`• 16x9 Image`) or at the font-size widget.
fn is_footer_start(line: &str) -> bool {
    let l = clean(line);
    l.starts_with('•') || l.starts_with('●') || l == "XS"
}

/// A credit line names news agencies and is short: "With reporting by AP, Reuters, and TASS".
fn looks_like_credit(p: &str) -> bool {
    const AGENCIES: [&str; 16] = [
        "AP",
        "AFP",
        "Reuters",
        "TASS",
        "ТАСС",
        "Interfax",
        "Интерфакс",
        "dpa",
        "RFE/RL",
        "Рейтер",
        "Ройтерс",
        "Ројтерс",
        "Rojters",
        "АП",
        "EFE",
        "ANSA",
    ];
    if p.chars().count() > 160 {
        return false;
    }
    let words: Vec<&str> = p.split(|c: char| !(c.is_alphanumeric() || c == '/')).filter(|w| !w.is_empty()).collect();
    words.iter().filter(|w| AGENCIES.contains(w)).count() >= 1 && !p.trim_end().ends_with(['?', '!'])
}

/// Extracts title, caption, credit and body paragraphs from a text dump.
pub fn extract_text(content: &str, chrome: &ChromeModel) -> Extracted {
    let lines: Vec<&str> = content.lines().collect();
    let end = lines.iter().position(|l| is_footer_start(l)).unwrap_or(lines.len());
    // The service box in the footer names the service: its host and, as a language hint, its name.
    let service = lines[end..].iter().find_map(|l| services::by_name(clean(l)).map(|s| (s, clean(l))));
    let lines = &lines[..end];
    let blank = |i: usize| lines.get(i).is_none_or(|l| clean(l).is_empty());

    // The headline: the first line that is not learned chrome and is followed by two blank lines.
    let limit = lines.len().min(40);
    let mut title_at = (0..limit)
        .find(|&i| !blank(i) && blank(i + 1) && blank(i + 2) && i + 2 < lines.len() && !chrome.is_chrome(lines[i]));
    // No such line: take the line before the caption pair, else the first line that is not chrome.
    if title_at.is_none() {
        let caption_pair = (0..limit.saturating_sub(1)).find(|&i| !blank(i) && clean(lines[i]) == clean(lines[i + 1]));
        title_at = match caption_pair {
            Some(c) => (0..c).rev().find(|&i| !blank(i)),
            None => (0..lines.len()).find(|&i| !blank(i) && !chrome.is_chrome(lines[i])),
        };
    }
    let Some(t) = title_at else { return Extracted::default() };
    let mut out = Extracted { title: clean(lines[t]).to_string(), ..Default::default() };
    if let Some((s, name)) = service {
        out.service = Some(services::site_of(s.host));
        out.lang_hint = Some(name.to_string());
    }

    // The caption: the same line twice right after the headline.
    let mut i = t + 1;
    while i < lines.len() && blank(i) {
        i += 1;
    }
    // A date line ("January 01, 2024 11:02 GMT", "1 января 2024") may sit under the headline or the caption.
    let take_date = |i: &mut usize, out: &mut Extracted| {
        if out.published.is_none() && *i < lines.len() {
            if let Some(t) = parse_date_line(clean(lines[*i])) {
                out.published = Some(t);
                *i += 1;
                while *i < lines.len() && blank(*i) {
                    *i += 1;
                }
            }
        }
    };
    take_date(&mut i, &mut out);
    let mut captions = Vec::new();
    while i + 1 < lines.len() && !blank(i) && clean(lines[i]) == clean(lines[i + 1]) {
        captions.push(clean(lines[i]).to_string());
        i += 2;
        while i < lines.len() && blank(i) {
            i += 1;
        }
    }
    out.caption = captions.join("\n\n");
    take_date(&mut i, &mut out);

    // Body paragraphs: runs of non-blank lines, minus lines that are template chrome.
    let mut paragraphs: Vec<String> = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in &lines[i..] {
        let l = clean(line);
        if l.is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join(" "));
                current.clear();
            }
        } else if !chrome.is_chrome(l) || looks_like_credit(l) {
            current.push(l);
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join(" "));
    }
    // The credit line closes the body.
    if let Some(last) = paragraphs.last() {
        if paragraphs.len() > 1 && (looks_like_credit(last) || chrome.is_chrome(last)) {
            out.credit = paragraphs.pop().unwrap_or_default();
        }
    }
    out.paragraphs = paragraphs;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "Accessibility links\n\nBreaking News\n\nFloods Close Roads In Osh\n\n\n\
        Rescuers near Osh on May 3.\nRescuers near Osh on May 3.\n\n\
        Heavy rain closed 14 roads in the Osh region on May 3, officials said.\n\n\
        About 230 people were moved to schools.\n\n\
        With reporting by AP and Reuters\n  • 16x9 Image\n\n    RFE/RL\n\n    RFE/RL journalists report the news.\n\nXS\nSM\nMD\nLG";

    #[test]
    fn keeping_only_decisions_changes_no_decision() {
        let pages: Vec<String> = (0..6).map(|i| PAGE.replace("Osh region", &format!("region {i}"))).collect();
        let mut m = ChromeModel::learn(pages.iter().map(String::as_str));
        let before = m.decisions();
        assert!(m.is_chrome("Accessibility links"));
        m.keep_decisions_only();
        assert_eq!(m.decisions(), before);
        assert!(m.is_chrome("Accessibility links"));
        assert!(!m.is_chrome("Heavy rain closed 14 roads in the region 3 on May 3, officials said."));
    }

    #[test]
    fn title_caption_body_and_credit_are_separated() {
        let e = extract_text(PAGE, &ChromeModel::default());
        assert_eq!(e.title, "Floods Close Roads In Osh");
        assert_eq!(e.caption, "Rescuers near Osh on May 3.");
        assert_eq!(e.credit, "With reporting by AP and Reuters");
        assert_eq!(
            e.paragraphs,
            [
                "Heavy rain closed 14 roads in the Osh region on May 3, officials said.",
                "About 230 people were moved to schools."
            ]
        );
    }

    #[test]
    fn learned_chrome_is_dropped_in_any_language() {
        // A service whose template line sits inside the body region and is not in any built-in list.
        let page = |body: &str| {
            format!("Сілтемелер\n\nЖаңалықтар\n\nТақырып {body}\n\n\n{body} болды.\n\nОқыңыз: барлық жаңалықтар\n\nСоңғы абзац {body}.\n  • 16x9 Image\nXS")
        };
        let pages: Vec<String> = (0..5).map(|i| page(&format!("{i}"))).collect();
        let model = ChromeModel::learn(pages.iter().map(|s| s.as_str()));
        assert!(model.is_chrome("Оқыңыз: барлық жаңалықтар"));
        let e = extract_text(&pages[2], &model);
        assert_eq!(e.title, "Тақырып 2");
        assert_eq!(e.paragraphs, ["2 болды.", "Соңғы абзац 2."]);
    }

    #[test]
    fn the_service_box_names_the_service_and_hints_the_language() {
        let page = |name: &str| {
            format!("Links\n\nNews\n\nHeadline\n\n\nFirst paragraph.\n\nSecond paragraph.\n  • 16x9 Image\n\n    {name}\n\n    A blurb.\n\nXS\nSM")
        };
        let ex = extract_text(&page("رادیو فردا"), &ChromeModel::default());
        assert_eq!(ex.service.as_deref(), Some("www.radiofarda.com"));
        assert_eq!(ex.lang_hint.as_deref(), Some("رادیو فردا"));
        let ex = extract_text(&page("Radio Slobodna Europa"), &ChromeModel::default());
        assert_eq!(ex.service.as_deref(), Some("www.slobodnaevropa.org"));
        assert_eq!(ex.paragraphs, ["First paragraph.", "Second paragraph."], "the box stays out of the body");
        // A name in the body is not a service box; an unknown box names nothing.
        let ex =
            extract_text(&page("Some Other Radio").replace("First paragraph.", "Radio Farda"), &ChromeModel::default());
        assert_eq!((ex.service, ex.lang_hint), (None, None));
    }

    #[test]
    fn footer_and_font_widget_never_reach_the_body() {
        let e = extract_text(PAGE, &ChromeModel::default());
        assert!(e.paragraphs.iter().all(|p| !p.contains("RFE/RL journalists") && p != "XS"));
    }

    #[test]
    fn a_date_line_under_the_headline_becomes_the_date() {
        let page = "Навигация\n\nНаводнение в Оше\n\n\n3 мая 2024, 10:15\n\nСпасатели.\nСпасатели.\n\nДожди закрыли 14 дорог.\n  • 16x9 Image";
        let e = extract_text(page, &ChromeModel::default());
        assert_eq!(e.published, super::super::date::parse_datetime("2024-05-03T10:15:00Z"));
        assert_eq!(e.caption, "Спасатели.");
        assert_eq!(e.paragraphs, ["Дожди закрыли 14 дорог."]);
        // Without a date line nothing is invented.
        assert_eq!(extract_text(PAGE, &ChromeModel::default()).published, None);
    }

    #[test]
    fn a_story_republished_many_times_keeps_its_body() {
        // The same story on six services (their templates differ in the service box): its lines repeat in six
        // files but in one story, so they stay body; the shared template lines are learned as chrome.
        let long = "Heavy rain closed 14 roads in the Osh region on May 3, officials said on Friday evening.";
        let pages: Vec<String> = (0..6)
            .map(|i| format!("Links\n\nNews\n\nFloods In Osh\n\n\n{long}\n\nAbout 230 people were moved.\n  • 16x9 Image\n    Service {i}\nXS"))
            .collect();
        let mut others: Vec<String> = (0..4)
            .map(|i| format!("Links\n\nNews\n\nOther story {i}\n\n\nA different long paragraph number {i} about something else entirely.\n  • 16x9 Image\nXS"))
            .collect();
        others.extend(pages.iter().cloned());
        let model = ChromeModel::learn(others.iter().map(|s| s.as_str()));
        assert!(model.is_chrome("Links"));
        assert!(!model.is_chrome(long));
        let e = extract_text(&pages[3], &model);
        assert_eq!(e.title, "Floods In Osh");
        assert_eq!(e.paragraphs, [long, "About 230 people were moved."]);
    }

    #[test]
    fn republished_lines_are_not_chrome() {
        let model = ChromeModel::learn([PAGE, PAGE, PAGE]);
        assert!(!model.is_chrome("About 230 people were moved to schools."));
    }
}
