//! JSONL: one article per line, a JSON object with the story and what is known about it.
//!
//! Accepted field names (first present wins; documented in `docs/formats.md`):
//! - body: `text`, `body`, `content`, `articleBody` (plain text; blank lines separate paragraphs), else
//!   `html`, `raw_html`, `page` (a whole page, extracted like an HTML file);
//! - `url`, `link`, `canonical_url`, `uri`;
//! - `title`, `headline`;
//! - `published`, `datePublished`, `date`, `published_at`, `pub_date`, `timestamp`, `time` (ISO 8601 or a
//!   Unix epoch in seconds, milliseconds or microseconds, as a string or number);
//! - `lang`, `language`, `lang_hint` (a hint for language identification);
//! - `id`, `article_id`, `article_uid` (a Pangea article id when numeric).
//!
//! Each line is its own record: `record` is the 0-based line index, `offset` the byte offset of the line. A
//! line that is not a JSON object, or has no body field, is a `malformed` reject naming the line; the lines
//! around it are read as usual. Blank lines are skipped.

use crate::extract::date::parse_datetime;
use crate::model::{Format, Hints, Record, Reject, RejectReason};
use serde_json::Value;

const TEXT_FIELDS: [&str; 4] = ["text", "body", "content", "articleBody"];
const HTML_FIELDS: [&str; 3] = ["html", "raw_html", "page"];
const URL_FIELDS: [&str; 4] = ["url", "link", "canonical_url", "uri"];
const TITLE_FIELDS: [&str; 2] = ["title", "headline"];
const DATE_FIELDS: [&str; 7] = ["published", "datePublished", "date", "published_at", "pub_date", "timestamp", "time"];
const LANG_FIELDS: [&str; 3] = ["lang", "language", "lang_hint"];
const ID_FIELDS: [&str; 3] = ["id", "article_id", "article_uid"];

/// Splits a JSONL file into records and rejects.
pub fn read_jsonl(source_file: &str, bytes: &[u8], records: &mut Vec<Record>, rejects: &mut Vec<Reject>) {
    let mut offset = 0usize;
    // A UTF-8 BOM at the very start is not part of the first object.
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        offset = 3;
    }
    let mut index: u32 = 0;
    while offset < bytes.len() {
        let end = bytes[offset..].iter().position(|&b| b == b'\n').map(|p| offset + p).unwrap_or(bytes.len());
        let line = &bytes[offset..end];
        let reject = |detail: String| Reject::new(source_file, Some(index), RejectReason::Malformed, detail);
        if !line.iter().all(|b| b.is_ascii_whitespace()) {
            match parse_line(line) {
                Ok((content, hints)) => records.push(Record {
                    source_file: source_file.to_string(),
                    record: index,
                    offset: offset as u64,
                    format: Format::Jsonl,
                    encoding: "utf-8".to_string(),
                    content,
                    hints,
                }),
                Err(why) => rejects.push(reject(format!("line {} (byte {offset}): {why}", index + 1))),
            }
        }
        offset = end + 1;
        index = index.saturating_add(1);
    }
}

fn parse_line(line: &[u8]) -> Result<(String, Hints), String> {
    let text = std::str::from_utf8(line).map_err(|e| format!("not UTF-8 at byte {} of the line", e.valid_up_to()))?;
    let v: Value = serde_json::from_str(text.trim()).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(o) = v else { return Err("a JSON value, but not an object".into()) };
    let string = |names: &[&str]| -> Option<String> {
        names.iter().find_map(|n| match o.get(*n) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::Number(x)) => Some(x.to_string()),
            _ => None,
        })
    };
    let content = string(&TEXT_FIELDS).or_else(|| string(&HTML_FIELDS)).ok_or_else(|| {
        format!("no body: none of the fields {} holds text", [&TEXT_FIELDS[..], &HTML_FIELDS[..]].concat().join(", "))
    })?;
    let hints = Hints {
        url: string(&URL_FIELDS).map(|s| s.trim().to_string()),
        title: string(&TITLE_FIELDS).map(|s| s.split_whitespace().collect::<Vec<_>>().join(" ")),
        published: string(&DATE_FIELDS).and_then(|s| parse_datetime(&s)),
        lang: string(&LANG_FIELDS).map(|s| s.trim().to_string()),
        article_id: string(&ID_FIELDS).and_then(|s| s.trim().parse().ok()),
    };
    Ok((content, hints))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_lines_around_a_malformed_one_survive() {
        let data = "{\"url\":\"https://www.svoboda.org/a/33000001.html\",\"title\":\"Заголовок\",\"text\":\"Первый абзац.\\n\\nВторой абзац.\",\"published\":\"2024-03-01T10:00:00+03:00\",\"lang\":\"ru\",\"id\":33000001}\n\
            {\"title\": \"broken\", \"text\": \"no closing brace\"\n\
            \n\
            {\"html\":\"<html><body class=\\\"pg-article\\\"><h1 class=\\\"pg-title\\\">T</h1></body></html>\",\"published\":1709276400}\n";
        let (mut recs, mut rejs) = (Vec::new(), Vec::new());
        read_jsonl("x.jsonl", data.as_bytes(), &mut recs, &mut rejs);
        assert_eq!(recs.len(), 2);
        assert_eq!(rejs.len(), 1);
        assert_eq!(rejs[0].reason, RejectReason::Malformed);
        assert_eq!(rejs[0].record, Some(1));
        assert!(rejs[0].detail.starts_with("line 2 "), "{}", rejs[0].detail);
        let first = &recs[0];
        assert_eq!((first.record, first.offset), (0, 0));
        assert_eq!(first.content, "Первый абзац.\n\nВторой абзац.");
        assert_eq!(first.hints.title.as_deref(), Some("Заголовок"));
        assert_eq!(first.hints.published, parse_datetime("2024-03-01T07:00:00Z"));
        assert_eq!(first.hints.lang.as_deref(), Some("ru"));
        assert_eq!(first.hints.article_id, Some(33000001));
        // The third record is line index 3 (the blank line counts), at the byte where it starts.
        let third = &recs[1];
        assert_eq!(third.record, 3);
        assert_eq!(&data.as_bytes()[third.offset as usize..third.offset as usize + 8], b"{\"html\":");
        assert!(third.content.starts_with("<html>"));
        assert_eq!(third.hints.published, parse_datetime("2024-03-01T07:00:00Z"));
    }

    #[test]
    fn objects_without_a_body_and_non_objects_are_malformed() {
        let (mut recs, mut rejs) = (Vec::new(), Vec::new());
        read_jsonl("y.jsonl", b"{\"title\":\"only a title\"}\n[1,2]\n\xff\xfe\n", &mut recs, &mut rejs);
        assert!(recs.is_empty());
        let details: Vec<&str> = rejs.iter().map(|r| r.detail.as_str()).collect();
        assert!(details[0].contains("no body"), "{details:?}");
        assert!(details[1].contains("not an object"), "{details:?}");
        assert!(details[2].contains("not UTF-8"), "{details:?}");
    }
}
