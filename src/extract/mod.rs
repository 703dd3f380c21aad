//! Extract stage: the story out of the page chrome.
//!
//! A page carries its story inside a template (navigation, service box, legal notice, font-size widget). Text
//! dumps lose the markup, so their chrome is found two ways: *structure* (the headline is followed by two
//! blank lines, the caption is the same line twice, the image widget opens the footer) and *repetition*
//! (a line that repeats across many files is template, in any language). The repetition counts are learned
//! from the corpus itself in a first pass ([`ChromeModel::learn`]), which is why extraction is a map step that
//! reads a small corpus-wide model.

mod text;

use crate::model::{Extracted, Format, Record, Reject, RejectReason};
pub use text::{extract_text, line_hashes, ChromeModel};

/// Extracts the story of one record.
pub fn extract(record: &Record, chrome: &ChromeModel) -> Result<Extracted, Reject> {
    let mut out = match record.format {
        Format::Text => extract_text(&record.content, chrome),
        Format::Html | Format::Jsonl | Format::Warc => {
            return Err(Reject::new(
                &record.source_file,
                Some(record.record),
                RejectReason::UnsupportedFormat,
                format!("{} extraction is not implemented yet", record.format.as_str()),
            ))
        }
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
    if out.lang_hint.is_none() {
        out.lang_hint = record.hints.lang.clone();
    }
    Ok(out)
}
