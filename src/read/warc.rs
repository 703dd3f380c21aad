//! WARC (ISO 28500): web crawls, `.warc` or `.warc.gz` (one gzip member per record; the reader has already
//! decompressed every member, so offsets here are offsets in the decompressed stream).
//!
//! Each `response` record carrying an HTTP response with an HTML body becomes one [`Record`] (format `warc`)
//! with `WARC-Target-URI` and `WARC-Date` (the capture time, used only when the page has no date) as hints; a
//! `resource` record with an HTML content type is read the same way without the HTTP layer. `warcinfo`,
//! `request`, `metadata`, `revisit` and `conversion` records hold no page and are passed over.
//!
//! Damage is contained to one record: a header block without `Content-Length`, or a `Content-Length` that
//! does not land on the record's end (the `\r\n\r\n` and the next `WARC/` line), makes that record a
//! `malformed` reject, and reading resumes at the next line that starts a WARC record.

use super::decode::{charset_of_content_type, decode_html};
use crate::extract::date::parse_datetime;
use crate::model::{Format, Hints, Record, Reject, RejectReason};
use std::io::Read;

/// Largest decompressed HTTP body we accept from one record (`Content-Encoding: gzip`).
const MAX_BODY: u64 = 64 << 20;

/// Splits a WARC file into page records and rejects.
pub fn read_warc(source_file: &str, bytes: &[u8], records: &mut Vec<Record>, rejects: &mut Vec<Reject>) {
    let mut pos = skip_newlines(bytes, 0);
    let mut index: u32 = 0;
    if pos < bytes.len() && !bytes[pos..].starts_with(b"WARC/") {
        rejects.push(Reject::new(
            source_file,
            None,
            RejectReason::Malformed,
            "does not start with a `WARC/` version line: not a WARC file",
        ));
        match next_record_start(bytes, pos) {
            Some(p) => pos = p,
            None => return,
        }
    }
    while pos < bytes.len() {
        let start = pos;
        let reject = |detail: String| Reject::new(source_file, Some(index), RejectReason::Malformed, detail);
        let Some(hdr_end) = find(&bytes[start..], b"\r\n\r\n").map(|p| start + p + 4) else {
            rejects.push(reject(format!("record at byte {start}: header block never ends")));
            return;
        };
        let headers = parse_headers(&bytes[start..hdr_end]);
        let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let len: Option<usize> = get("Content-Length").and_then(|v| v.trim().parse().ok());
        let block_end = len.map(|l| hdr_end.saturating_add(l));
        let well_framed = block_end.is_some_and(|e| {
            e <= bytes.len() && {
                let after = skip_newlines(bytes, e);
                bytes[e..].starts_with(b"\r\n\r\n") && (after >= bytes.len() || bytes[after..].starts_with(b"WARC/"))
            }
        });
        if !well_framed {
            let next = next_record_start(bytes, hdr_end);
            rejects.push(reject(match len {
                None => format!("record at byte {start}: no valid Content-Length"),
                Some(l) => format!(
                    "record at byte {start}: Content-Length {l} does not end at the record boundary (file has {} bytes{})",
                    bytes.len(),
                    next.map(|n| format!(", next record at byte {n}")).unwrap_or_default()
                ),
            }));
            match next {
                Some(n) => pos = n,
                None => return,
            }
            index = index.saturating_add(1);
            continue;
        }
        let block_end = block_end.unwrap_or(hdr_end);
        let block = &bytes[hdr_end..block_end];
        let kind = get("WARC-Type").unwrap_or("").to_ascii_lowercase();
        let hints = Hints {
            url: get("WARC-Target-URI").map(|u| u.trim().trim_start_matches('<').trim_end_matches('>').to_string()),
            published: get("WARC-Date").and_then(parse_datetime),
            ..Default::default()
        };
        let page = match kind.as_str() {
            "response" => Some(http_body(block)),
            "resource" => Some(html_only(get("Content-Type").unwrap_or(""), block.to_vec(), None)),
            _ => None,
        };
        match page {
            Some(Ok((body, declared))) => match decode_html(&body, declared) {
                Ok((content, encoding)) => records.push(Record {
                    source_file: source_file.to_string(),
                    record: index,
                    offset: start as u64,
                    format: Format::Warc,
                    encoding: encoding.to_string(),
                    content,
                    hints,
                }),
                Err((reason, detail)) => rejects.push(Reject::new(
                    source_file,
                    Some(index),
                    reason,
                    format!("record at byte {start}: {detail}"),
                )),
            },
            Some(Err((reason, detail))) => {
                rejects.push(Reject::new(source_file, Some(index), reason, format!("record at byte {start}: {detail}")))
            }
            None => {}
        }
        pos = skip_newlines(bytes, block_end);
        index = index.saturating_add(1);
    }
}

type Body = Result<(Vec<u8>, Option<&'static encoding_rs::Encoding>), (RejectReason, String)>;

/// The HTML body of an HTTP response block: status checked, chunked transfer and gzip/deflate undone.
fn http_body(block: &[u8]) -> Body {
    let (head_len, sep) = match (find(block, b"\r\n\r\n"), find(block, b"\n\n")) {
        (Some(a), Some(b)) if b < a => (b, 2),
        (Some(a), _) => (a, 4),
        (None, Some(b)) => (b, 2),
        (None, None) => return Err((RejectReason::Malformed, "HTTP response without a header end".into())),
    };
    let head = String::from_utf8_lossy(&block[..head_len]);
    let mut lines = head.lines();
    let status_line = lines.next().unwrap_or("");
    let status: u16 = status_line.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    if !status_line.starts_with("HTTP/") || status == 0 {
        return Err((RejectReason::Malformed, format!("not an HTTP response: `{}`", status_line.trim())));
    }
    if status != 200 {
        return Err((RejectReason::NotArticle, format!("HTTP status {status}: no page captured")));
    }
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let get = |name: &str| headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.to_ascii_lowercase());
    let mut body = block[head_len + sep..].to_vec();
    if get("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        body = dechunk(&body).ok_or((RejectReason::Malformed, "broken chunked transfer encoding".to_string()))?;
    }
    match get("content-encoding").as_deref() {
        None | Some("identity") | Some("") => {}
        Some(e @ ("gzip" | "x-gzip" | "deflate")) => {
            let mut out = Vec::new();
            let res = if e == "deflate" {
                flate2::read::ZlibDecoder::new(&body[..]).take(MAX_BODY).read_to_end(&mut out)
            } else {
                flate2::read::MultiGzDecoder::new(&body[..]).take(MAX_BODY).read_to_end(&mut out)
            };
            res.map_err(|err| (RejectReason::Corrupt, format!("Content-Encoding {e}: {err}")))?;
            body = out;
        }
        Some(other) => {
            return Err((RejectReason::UnsupportedFormat, format!("Content-Encoding `{other}` is not one we undo")))
        }
    }
    let content_type = get("content-type").unwrap_or_default();
    html_only(&content_type, body, charset_of_content_type(&content_type))
}

/// Keeps HTML (or an unlabelled body), refuses images, scripts and other media with a clear reason.
fn html_only(content_type: &str, body: Vec<u8>, declared: Option<&'static encoding_rs::Encoding>) -> Body {
    let ct = content_type.to_ascii_lowercase();
    let mime = ct.split(';').next().unwrap_or("").trim();
    if mime.is_empty() || mime.contains("html") {
        Ok((body, declared))
    } else {
        Err((RejectReason::UnsupportedFormat, format!("carries `{mime}`, not an HTML page")))
    }
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = find(b, b"\r\n")?;
        let size_str = std::str::from_utf8(&b[..line_end]).ok()?;
        let size = usize::from_str_radix(size_str.split(';').next()?.trim(), 16).ok()?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(..size)?);
        b = b.get(size..)?;
        b = b.strip_prefix(b"\r\n").unwrap_or(b);
    }
}

fn parse_headers(block: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(block)
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn skip_newlines(bytes: &[u8], mut pos: usize) -> usize {
    while pos < bytes.len() && matches!(bytes[pos], b'\r' | b'\n') {
        pos += 1;
    }
    pos
}

/// The next `WARC/1.x` version line at the start of a line, at or after `from`.
fn next_record_start(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(p) = find(&bytes[at..], b"WARC/1.").map(|p| at + p) {
        if p == 0 || bytes[p - 1] == b'\n' {
            return Some(p);
        }
        at = p + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Builds one WARC record (for tests and fixtures): headers, a block, and the closing `\r\n\r\n`.
pub fn warc_record(kind: &str, uri: &str, date: &str, block: &[u8], content_length: Option<usize>) -> Vec<u8> {
    let mut r = format!(
        "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: {date}\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        content_length.unwrap_or(block.len())
    )
    .into_bytes();
    r.extend_from_slice(block);
    r.extend_from_slice(b"\r\n\r\n");
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(html: &str, extra_headers: &str) -> Vec<u8> {
        format!("HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n{extra_headers}\r\n{html}").into_bytes()
    }

    #[test]
    fn responses_become_records_with_hints_and_offsets() {
        let mut file = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 4\r\n\r\ninfo\r\n\r\n".to_vec();
        let first = file.len();
        file.extend(warc_record(
            "response",
            "https://www.azattyk.org/a/1.html",
            "2024-05-03T10:00:00Z",
            &response("<p>Бир</p>", ""),
            None,
        ));
        file.extend(warc_record(
            "request",
            "https://www.azattyk.org/a/1.html",
            "2024-05-03T10:00:00Z",
            b"GET / HTTP/1.1\r\n\r\n",
            None,
        ));
        let third = file.len();
        file.extend(warc_record(
            "response",
            "<https://www.svoboda.org/a/2.html>",
            "2024-05-03T10:05:00Z",
            &response("<p>Два</p>", ""),
            None,
        ));
        let (mut recs, mut rejs) = (Vec::new(), Vec::new());
        read_warc("c.warc", &file, &mut recs, &mut rejs);
        assert!(rejs.is_empty(), "{rejs:?}");
        assert_eq!(recs.len(), 2);
        assert_eq!((recs[0].record, recs[0].offset), (1, first as u64));
        assert_eq!((recs[1].record, recs[1].offset), (3, third as u64));
        assert_eq!(recs[0].content, "<p>Бир</p>");
        assert_eq!(recs[1].hints.url.as_deref(), Some("https://www.svoboda.org/a/2.html"));
        assert_eq!(recs[0].hints.published, parse_datetime("2024-05-03T10:00:00Z"));
    }

    #[test]
    fn a_wrong_content_length_loses_only_its_record() {
        for wrong in [5usize, 10_000] {
            let mut file =
                warc_record("response", "u1", "2024-05-03T10:00:00Z", &response("<p>one</p>", ""), Some(wrong));
            file.extend(warc_record("response", "u2", "2024-05-03T10:00:00Z", &response("<p>two</p>", ""), None));
            let (mut recs, mut rejs) = (Vec::new(), Vec::new());
            read_warc("c.warc", &file, &mut recs, &mut rejs);
            assert_eq!(rejs.len(), 1, "{rejs:?}");
            assert_eq!(rejs[0].reason, RejectReason::Malformed);
            assert!(rejs[0].detail.contains("Content-Length"), "{}", rejs[0].detail);
            assert_eq!(recs.len(), 1, "Content-Length {wrong}");
            assert_eq!(recs[0].content, "<p>two</p>");
        }
    }

    #[test]
    fn chunked_gzip_and_legacy_charsets_are_undone() {
        use std::io::Write;
        let html = "<html><body><p>Привет, как дела у всех вас сегодня?</p></body></html>";
        let (cp, _, _) = encoding_rs::WINDOWS_1251.encode(html);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&cp).unwrap();
        let z = gz.finish().unwrap();
        let mut chunked = format!("{:x}\r\n", z.len()).into_bytes();
        chunked.extend(&z);
        chunked.extend(b"\r\n0\r\n\r\n");
        let mut block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=windows-1251\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n".to_vec();
        block.extend(chunked);
        let file = warc_record("response", "u", "2024-05-03T10:00:00Z", &block, None);
        let (mut recs, mut rejs) = (Vec::new(), Vec::new());
        read_warc("c.warc", &file, &mut recs, &mut rejs);
        assert!(rejs.is_empty(), "{rejs:?}");
        assert_eq!(recs[0].content, html);
        assert_eq!(recs[0].encoding, "windows-1251");
    }

    #[test]
    fn non_html_and_non_200_are_rejected_with_reasons() {
        let img = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n\xff\xd8\xff".to_vec();
        let redirect = b"HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n".to_vec();
        let mut file = warc_record("response", "u1", "2024-05-03T10:00:00Z", &img, None);
        file.extend(warc_record("response", "u2", "2024-05-03T10:00:00Z", &redirect, None));
        let (mut recs, mut rejs) = (Vec::new(), Vec::new());
        read_warc("c.warc", &file, &mut recs, &mut rejs);
        assert!(recs.is_empty());
        let reasons: Vec<_> = rejs.iter().map(|r| r.reason).collect();
        assert_eq!(reasons, [RejectReason::UnsupportedFormat, RejectReason::NotArticle]);
    }

    #[test]
    fn not_a_warc_is_one_clear_reject() {
        let (mut recs, mut rejs) = (Vec::new(), Vec::new());
        read_warc("c.warc", b"hello world, this is not a web archive", &mut recs, &mut rejs);
        assert!(recs.is_empty());
        assert_eq!(rejs.len(), 1);
        assert!(rejs[0].detail.contains("not a WARC file"));
    }
}
