//! Extract stage: the story out of the page chrome.
//!
//! A page carries its story inside a template (navigation, service box, legal notice, font-size widget). Text
//! dumps lose the markup, so their chrome is found two ways: *structure* (the headline is followed by two
//! blank lines, the caption is the same line twice, the image widget opens the footer) and *repetition*
//! (a line that repeats across many files is template, in any language). The repetition counts are learned
//! from the corpus itself in a first pass ([`ChromeModel::learn`]), which is why extraction is a map step that
//! reads a small corpus-wide model.
//!
//! HTML pages (files, WARC responses, JSONL `html` fields) go through [`html::extract_html`]: Pangea's markup
//! names every part, so no learning is needed there. A JSONL `text` field is already the story: its paragraphs
//! are its blank-line-separated blocks ([`plain_paragraphs`]).

pub mod date;
pub mod html;
mod shape;
mod text;

use crate::model::{Extracted, Format, Record, Reject, RejectReason};
pub use html::extract_html;
pub use text::{chrome_key, extract_text, line_hashes, ChromeModel, FileLines};

/// Whether a record's content is markup rather than plain text (JSONL records carry either).
pub fn looks_like_html(content: &str) -> bool {
    let head: String = content.trim_start().chars().take(512).collect::<String>().to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || (head.starts_with('<')
            && (content.contains("</p>") || content.contains("</div>") || content.contains("</body>")))
}

/// A story that is already plain text: paragraphs are blocks separated by blank lines; a text without blank
/// lines has one paragraph per line.
pub fn plain_paragraphs(content: &str) -> Vec<String> {
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let has_blank = content.lines().any(|l| l.trim().is_empty());
    let parts: Vec<String> = if has_blank {
        content.split("\n").collect::<Vec<_>>().split(|l| l.trim().is_empty()).map(|b| collapse(&b.join(" "))).collect()
    } else {
        content.lines().map(collapse).collect()
    };
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// Extracts the story of one record.
pub fn extract(record: &Record, chrome: &ChromeModel) -> Result<Extracted, Reject> {
    let mut out = match record.format {
        Format::Text => extract_text(&record.content, chrome),
        Format::Html | Format::Warc => html_or_reject(record)?,
        Format::Jsonl if looks_like_html(&record.content) => html_or_reject(record)?,
        Format::Jsonl => Extracted { paragraphs: plain_paragraphs(&record.content), ..Default::default() },
    };
    if out.paragraphs.is_empty() {
        return Err(Reject::new(
            &record.source_file,
            Some(record.record),
            RejectReason::NoText,
            "no body paragraphs found after removing the page chrome",
        ));
    }
    // Hints from the container (JSONL fields, WARC headers) fill what the page itself did not say.
    if out.url.is_none() {
        out.url = record.hints.url.clone();
    }
    if out.published.is_none() {
        out.published = record.hints.published;
    }
    if out.title.is_empty() {
        if let Some(t) = &record.hints.title {
            out.title = t.clone();
        }
    }
    if out.article_id.is_none() {
        out.article_id = record.hints.article_id.or_else(|| out.url.as_deref().and_then(html::article_id_of));
    }
    if out.lang_hint.is_none() {
        out.lang_hint = record.hints.lang.clone();
    }
    Ok(out)
}

fn html_or_reject(record: &Record) -> Result<Extracted, Reject> {
    extract_html(&record.content)
        .map_err(|(reason, detail)| Reject::new(&record.source_file, Some(record.record), reason, detail))
}
