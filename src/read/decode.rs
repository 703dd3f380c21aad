//! Bytes to text: BOMs, UTF-8, and the line between "text with a few stray bytes" and "not text at all".

use crate::model::RejectReason;

/// Share of control bytes (C0 other than tab, newline, carriage return, form feed; and NUL) above which a
/// file is taken for binary rather than text with a few stray bytes.
const MAX_CONTROL_SHARE: f64 = 0.01;

/// Decodes a whole file to text. Returns the text and the name of the encoding used, or a reject reason
/// with a detail for the `rejects` table.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), (RejectReason, String)> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err((RejectReason::Empty, format!("{} bytes, only white space", bytes.len())));
    }
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return utf8(rest).map(|s| (s, "utf-8"));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let enc = if bytes[0] == 0xFF { encoding_rs::UTF_16LE } else { encoding_rs::UTF_16BE };
        let (text, _, had_errors) = enc.decode(bytes);
        if had_errors {
            return Err((RejectReason::InvalidEncoding, format!("{} with a BOM, but not valid", enc.name())));
        }
        return Ok((text.into_owned(), if bytes[0] == 0xFF { "utf-16le" } else { "utf-16be" }));
    }
    let sample = &bytes[..bytes.len().min(1 << 16)];
    let controls = sample.iter().filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C)).count();
    if controls as f64 > MAX_CONTROL_SHARE * sample.len() as f64 {
        return Err((
            RejectReason::Binary,
            format!("{controls} control bytes in the first {} bytes: not text", sample.len()),
        ));
    }
    utf8(bytes).map(|s| (s, "utf-8"))
}

fn utf8(bytes: &[u8]) -> Result<String, (RejectReason, String)> {
    match std::str::from_utf8(bytes) {
        // Stray NULs in otherwise good text are dropped rather than rejecting the article.
        Ok(s) => Ok(s.replace('\0', "")),
        Err(e) => Err((
            RejectReason::InvalidEncoding,
            format!("not valid UTF-8 (first bad byte at offset {}) and no legacy encoding recognised", e.valid_up_to()),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(decode_text("Азаттык".as_bytes()).unwrap(), ("Азаттык".to_string(), "utf-8"));
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice("ok".as_bytes());
        assert_eq!(decode_text(&b).unwrap().0, "ok");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut b = vec![0xFF, 0xFE];
        for u in "Салам".encode_utf16() {
            b.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_text(&b).unwrap(), ("Салам".to_string(), "utf-16le"));
    }

    #[test]
    fn invalid_utf8_is_a_reject_with_the_offset() {
        let err = decode_text(&[b'a', b'b', 0xFF, 0xFE, 0x80, b'c']).unwrap_err();
        assert_eq!(err.0, RejectReason::InvalidEncoding);
        assert!(err.1.contains("offset 2"), "{}", err.1);
    }

    #[test]
    fn binary_is_rejected_but_a_stray_nul_is_dropped() {
        assert_eq!(decode_text(&[0u8, 1, 2, 3, 4, 5, 6, 7]).unwrap_err().0, RejectReason::Binary);
        let mut text = "word ".repeat(200).into_bytes();
        text.push(0);
        assert_eq!(decode_text(&text).unwrap().0, "word ".repeat(200));
    }
}
