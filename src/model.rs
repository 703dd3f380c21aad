//! Plain data types that flow between the pipeline stages.
//!
//! The flow is: `read` turns input files into [`Record`]s (or [`Reject`]s), `extract` turns a record into an
//! [`Extracted`] story, the per-article stages fill an [`Article`], and the corpus-wide stages (dedup, align)
//! fill its `dup_of` and `story_id` before `write` turns everything into tables. Every stage speaks these
//! types, so each can be tested alone.

use serde::{Deserialize, Serialize};

/// The form a record came in; decides which extractor handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// A news page rendered to text, one article per file (the main dump shape).
    Text,
    /// A Pangea CMS (or other) HTML page.
    Html,
    /// One JSON object per line.
    Jsonl,
    /// A WARC response record carrying HTML.
    Warc,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Html => "html",
            Format::Jsonl => "jsonl",
            Format::Warc => "warc",
        }
    }
}

/// Metadata that some input forms carry next to the page itself (JSONL fields, WARC headers).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    pub url: Option<String>,
    pub title: Option<String>,
    /// Publication time, microseconds since the Unix epoch, UTC.
    pub published: Option<i64>,
    /// A language hint from the source (e.g. a JSONL `lang` field); a prior, never proof.
    pub lang: Option<String>,
    /// An article id the container states (a numeric JSONL `id`), used when the page does not give one.
    pub article_id: Option<u64>,
}

/// One article-sized unit of input, decoded to text, before extraction.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Path relative to the input folder, with `/` separators.
    pub source_file: String,
    /// Index of the record inside its input file (0 for one-article files; inside a tar archive, numbered
    /// across the archive's members).
    pub record: u32,
    /// Byte offset of the record in the (decompressed) file, so the raw bytes can be found again.
    pub offset: u64,
    pub format: Format,
    /// How the bytes were decoded (`utf-8`, `windows-1251`, ...).
    pub encoding: String,
    /// The decoded content: page text, HTML, or the text/html field of a JSONL record.
    pub content: String,
    pub hints: Hints,
}

/// Why an input did not become an article. The string forms are the `reason` column of `rejects`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// Zero bytes, or only white space.
    Empty,
    /// Not text: NUL bytes or control characters.
    Binary,
    /// Bytes that are not valid in any encoding we could recognise.
    InvalidEncoding,
    /// The file could not be opened or read (permissions, I/O error, symlink loop).
    Unreadable,
    /// Larger than the configured cap (also used for decompression bombs).
    TooLarge,
    /// A compressed stream that ends early or is corrupt.
    Corrupt,
    /// A record that could not be parsed (malformed JSON line, broken WARC record).
    Malformed,
    /// A page that is not a text article (programme, video, section page).
    NotArticle,
    /// Parsed, but no story text could be found in it.
    NoText,
    /// A file whose format we do not read.
    UnsupportedFormat,
    /// A stage failed on this input (a bug: the panic is caught so one input cannot stop the build).
    Internal,
}

impl RejectReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::Empty => "empty",
            RejectReason::Binary => "binary",
            RejectReason::InvalidEncoding => "invalid_encoding",
            RejectReason::Unreadable => "unreadable",
            RejectReason::TooLarge => "too_large",
            RejectReason::Corrupt => "corrupt",
            RejectReason::Malformed => "malformed",
            RejectReason::NotArticle => "not_article",
            RejectReason::NoText => "no_text",
            RejectReason::UnsupportedFormat => "unsupported_format",
            RejectReason::Internal => "internal_error",
        }
    }
}

/// An input (file or record) that did not become an article, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reject {
    pub source_file: String,
    /// The record index inside the file, when the reject is one record of a multi-record file.
    pub record: Option<u32>,
    pub reason: RejectReason,
    /// Human-readable detail: what was seen, and where relevant what to do.
    pub detail: String,
}

impl Reject {
    pub fn new(source_file: &str, record: Option<u32>, reason: RejectReason, detail: impl Into<String>) -> Self {
        Reject { source_file: source_file.to_string(), record, reason, detail: detail.into() }
    }
}

/// The story taken out of a page: what `extract` returns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extracted {
    pub title: String,
    /// Image caption(s), joined by a blank line when there are several.
    pub caption: String,
    /// Credit line such as "With reporting by AP and Reuters".
    pub credit: String,
    /// Body paragraphs in order, without chrome, title, caption or credit.
    pub paragraphs: Vec<String>,
    pub url: Option<String>,
    /// Microseconds since the Unix epoch, UTC.
    pub published: Option<i64>,
    /// The service's host (e.g. `www.azattyk.org`) when known.
    pub service: Option<String>,
    pub author: Option<String>,
    pub section: Option<String>,
    /// `english_section` from Pangea's utag_data: English even on non-English sites.
    pub english_section: Option<String>,
    /// Pangea article id (one global sequence across services).
    pub article_id: Option<u64>,
    /// Image asset ids (the GUID part of gdb.rferl.org image URLs).
    pub image_ids: Vec<String>,
    /// A language hint taken from the page (utag language, html lang, a text dump's service box name, a JSONL
    /// `lang` field); a prior that splits look-alike languages only (`identify::identify_with`).
    pub lang_hint: Option<String>,
}

/// One article as it is written to the `articles` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub doc_id: String,
    pub source_file: String,
    pub record: u32,
    pub offset: u64,
    pub format: String,
    pub encoding: String,
    pub lang: String,
    pub script: String,
    pub lang_confidence: f64,
    pub lang_runner_up: String,
    pub languages: String,
    pub title: String,
    pub caption: String,
    pub credit: String,
    /// Normalised body: paragraphs separated by one blank line.
    pub text: String,
    pub n_words: u64,
    pub n_chars: u64,
    /// Hex of a 64-bit hash of the normalised text.
    pub content_hash: String,
    pub dup_of: String,
    pub story_id: String,
    pub service: String,
    pub url: String,
    /// Microseconds since the Unix epoch, UTC.
    pub published: Option<i64>,
    pub author: String,
    pub section: String,
    pub english_section: String,
    pub article_id: Option<u64>,
    /// Space-separated image asset ids.
    pub image_ids: String,
}
