//! The per-article map: extract → normalise → identify → normalise per language. Pure: the same record and
//! chrome model give the same article, which is what lets shards and incremental runs reuse results.

use crate::extract::{self, ChromeModel};
use crate::identify;
use crate::model::{Article, Format, Record, Reject};
use crate::normalise;
use crate::services;
use xxhash_rust::xxh3::xxh3_64;

/// Language identification reads at most this much of an article: a few thousand characters decide any
/// language, and a 100 MB "article" must not cost a hundred times more than a normal one.
const IDENTIFY_MAX_BYTES: usize = 16 * 1024;

/// Turns one record into an article, or says why it cannot be one.
pub fn process(record: &Record, chrome: &ChromeModel) -> Result<Article, Reject> {
    process_traced(record, chrome, None)
}

/// [`process`]; with `trace`, also appends the chrome keys ([`extract::chrome_key`]) of every line and
/// paragraph the chrome model may have been asked about (a superset): if none of them changes its decision,
/// another model gives the same result. Only text dumps consult the model.
pub fn process_traced(record: &Record, chrome: &ChromeModel, trace: Option<&mut Vec<u64>>) -> Result<Article, Reject> {
    let ex = match trace {
        Some(t) if record.format == Format::Text => {
            t.extend(extract::line_hashes(&record.content).lines);
            let ex = extract::extract(record, chrome);
            if let Ok(ex) = &ex {
                t.extend(ex.paragraphs.iter().chain([&ex.credit]).map(|p| extract::chrome_key(p)));
            }
            ex?
        }
        _ => extract::extract(record, chrome)?,
    };
    // Title, caption and credit are display strings: cleaned, letters kept as published. The body is
    // normalised in full (docs/normalisation.md).
    let title = normalise::clean_display(&ex.title);
    let paragraphs: Vec<String> =
        ex.paragraphs.iter().map(|p| normalise::normalise(p, None)).filter(|p| !p.is_empty()).collect();
    let mut id_text = String::with_capacity(IDENTIFY_MAX_BYTES + 64);
    id_text.push_str(&title);
    for p in &paragraphs {
        if id_text.len() >= IDENTIFY_MAX_BYTES {
            break;
        }
        id_text.push_str("\n\n");
        id_text.push_str(p);
    }
    let service = ex.service.clone().or_else(|| ex.url.as_deref().and_then(host_of)).unwrap_or_default();
    // What the source says about its language: a specific declaration first, else the service's languages.
    let favoured =
        ex.lang_hint.as_deref().and_then(services::declared_langs).unwrap_or_else(|| services::langs_of_host(&service));
    let guess = identify::identify_with(truncate_at_char(&id_text, IDENTIFY_MAX_BYTES), &favoured);
    let text = paragraphs.iter().map(|p| normalise::normalise_again(p, &guess.lang)).collect::<Vec<_>>().join("\n\n");
    Ok(Article {
        doc_id: doc_id(&record.source_file, record.record),
        source_file: record.source_file.clone(),
        record: record.record,
        offset: record.offset,
        format: record.format.as_str().to_string(),
        encoding: record.encoding.clone(),
        lang: guess.lang.clone(),
        script: guess.script.clone(),
        lang_confidence: guess.confidence,
        lang_runner_up: guess.runner_up.clone(),
        languages: guess.languages.clone(),
        title,
        caption: normalise::clean_display(&ex.caption),
        credit: normalise::clean_display(&ex.credit),
        n_words: text.split_whitespace().count() as u64,
        n_chars: text.chars().count() as u64,
        content_hash: format!("{:016x}", xxh3_64(text.as_bytes())),
        text,
        service,
        url: ex.url.clone().unwrap_or_default(),
        published: ex.published,
        author: ex.author.clone().unwrap_or_default(),
        section: ex.section.clone().unwrap_or_default(),
        english_section: ex.english_section.clone().unwrap_or_default(),
        article_id: ex.article_id,
        image_ids: ex.image_ids.join(" "),
        ..Default::default()
    })
}

fn truncate_at_char(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A document id derived from the input alone (path and record number), never from the run order.
pub fn doc_id(source_file: &str, record: u32) -> String {
    format!("{:016x}", xxh3_64(format!("{source_file}\u{0}{record}").as_bytes()))
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_depend_on_the_input_only() {
        assert_eq!(doc_id("a/b.txt", 0), doc_id("a/b.txt", 0));
        assert_ne!(doc_id("a/b.txt", 0), doc_id("a/b.txt", 1));
        assert_eq!(doc_id("a/b.txt", 0).len(), 16);
    }

    #[test]
    fn truncation_respects_characters() {
        assert_eq!(truncate_at_char("жж", 3), "ж");
        assert_eq!(host_of("https://www.Azattyk.org/a/1.html").as_deref(), Some("www.azattyk.org"));
    }
}
