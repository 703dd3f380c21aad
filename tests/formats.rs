//! Round trips per input form and encoding: the fixtures in tests/fixtures were written by
//! `make_fixtures.py` with Python's codecs from hand-written UTF-8 texts (kept in `expected.json`); here they
//! go through the crate's reader and extractor and must come back as the same text, with the right
//! encoding name, records, offsets and rejects.

use rferl_corpus::extract::{self, ChromeModel};
use rferl_corpus::model::{Format, RejectReason};
use rferl_corpus::read::{self, InputFile, ReadLimits};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn fixture(name: &str) -> InputFile {
    InputFile {
        rel: name.to_string(),
        path: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name),
    }
}

fn expected() -> BTreeMap<String, String> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/expected.json");
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn legacy_and_utf16_text_dumps_decode_to_the_written_text() {
    let cases = [
        ("ru_cp1251.txt", &["windows-1251"][..]),
        ("ru_koi8r.txt", &["koi8-r"]),
        ("sr_iso8859_5.txt", &["iso-8859-5"]),
        ("fa_cp1256.txt", &["windows-1256"]),
        // Hungarian letters sit at the same bytes in ISO-8859-2 and windows-1250.
        ("hu_iso8859_2.txt", &["iso-8859-2", "windows-1250"]),
        ("kk_utf16le_nobom.txt", &["utf-16le"]),
        ("uk_utf16be_bom.txt", &["utf-16be"]),
        // chardetng alone reads the first as windows-1251 (then rejected for case flips) and the third as
        // windows-1252 (`Graðani`); it gets the Turkmen page right, and the ranking must keep it so.
        ("be_mac_cyrillic.txt", &["x-mac-cyrillic"]),
        ("tk_cp1250.txt", &["windows-1250"]),
        ("hr_iso8859_16.txt", &["iso-8859-16"]),
    ];
    let want = expected();
    for (name, encodings) in cases {
        let r = read::read_file(&fixture(name), ReadLimits::default());
        assert!(r.rejects.is_empty(), "{name}: {:?}", r.rejects);
        let rec = &r.records[0];
        assert_eq!(rec.content, want[name], "{name}");
        assert!(encodings.contains(&rec.encoding.as_str()), "{name}: {}", rec.encoding);
        // And the story comes out of the decoded dump: two body paragraphs, the caption apart.
        let ex = extract::extract(rec, &ChromeModel::default()).unwrap();
        assert_eq!(ex.paragraphs.len(), 2, "{name}: {:?}", ex.paragraphs);
        assert!(!ex.caption.is_empty(), "{name}");
    }
}

#[test]
fn garbage_bytes_are_an_invalid_encoding_reject() {
    let r = read::read_file(&fixture("garbage_high_bytes.txt"), ReadLimits::default());
    assert!(r.records.is_empty());
    assert_eq!(r.rejects[0].reason, RejectReason::InvalidEncoding, "{}", r.rejects[0].detail);
}

#[test]
fn html_meta_charset_page() {
    let r = read::read_file(&fixture("ru_meta_cp1251.html"), ReadLimits::default());
    let rec = &r.records[0];
    assert_eq!(rec.encoding, "windows-1251");
    let ex = extract::extract(rec, &ChromeModel::default()).unwrap();
    assert_eq!(ex.title, "Мост откроют весной");
    assert_eq!(
        ex.paragraphs,
        ["Мост через реку откроют в апреле, сказали в мэрии.", "Ремонт старого моста продлится всё лето."]
    );
    assert_eq!(ex.article_id, Some(33100200));
    assert_eq!(ex.service.as_deref(), Some("www.svoboda.org"));
    assert_eq!(ex.published, extract::date::parse_datetime("2024-02-10T09:00:00Z"));
}

#[test]
fn jsonl_text_and_html_records_around_a_malformed_line() {
    let r = read::read_file(&fixture("records.jsonl"), ReadLimits::default());
    assert_eq!(r.records.len(), 2);
    assert_eq!(r.rejects.len(), 1);
    assert_eq!((r.rejects[0].reason, r.rejects[0].record), (RejectReason::Malformed, Some(1)));
    assert!(r.rejects[0].detail.contains("line 2"));

    let text = extract::extract(&r.records[0], &ChromeModel::default()).unwrap();
    assert_eq!(text.title, "Астанада жаңа саябақ ашылды");
    assert_eq!(text.paragraphs.len(), 2);
    assert_eq!(text.article_id, Some(33100300));
    assert_eq!(text.lang_hint.as_deref(), Some("kk"));
    assert_eq!(text.published, extract::date::parse_datetime("2024-06-01T04:00:00Z"));

    let html = extract::extract(&r.records[1], &ChromeModel::default()).unwrap();
    assert_eq!(r.records[1].format, Format::Jsonl);
    assert_eq!((r.records[1].record, html.title.as_str()), (2, "Мост откроют весной"));
    // The page's own date wins over the JSONL field.
    assert_eq!(html.published, extract::date::parse_datetime("2024-02-10T09:00:00Z"));
}

#[test]
fn warc_gz_per_member_with_a_broken_record() {
    let r = read::read_file(&fixture("crawl.warc.gz"), ReadLimits::default());
    assert_eq!(r.records.len(), 2, "{:?}", r.rejects);
    assert_eq!(r.rejects.len(), 1);
    assert_eq!((r.rejects[0].reason, r.rejects[0].record), (RejectReason::Malformed, Some(2)));
    let idx: Vec<u32> = r.records.iter().map(|x| x.record).collect();
    assert_eq!(idx, [1, 3]);
    assert!(r.records[0].offset > 0 && r.records[1].offset > r.records[0].offset);
    assert_eq!(r.records[1].encoding, "koi8-r");
    let ex: Vec<_> = r.records.iter().map(|x| extract::extract(x, &ChromeModel::default()).unwrap()).collect();
    assert_eq!(ex[0].title, "Бишкекте жаңы мектеп ачылды");
    assert_eq!(ex[1].paragraphs, ["Новый парк открыли на берегу озера.", "В парке есть каток и кафе."]);
    // URL and id from the WARC header; the capture date only because the page has none.
    assert_eq!(ex[1].url.as_deref(), Some("https://www.svoboda.org/a/33100402.html"));
    assert_eq!(ex[1].article_id, Some(33100402));
    assert_eq!(ex[1].published, extract::date::parse_datetime("2024-06-02T08:00:00Z"));
}

#[test]
fn sample_pages_folder_reads_as_documented() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sample/pages");
    let (files, _) = read::discover(&[dir]);
    let (mut articles, mut rejects) = (Vec::new(), Vec::new());
    for f in &files {
        let r = read::read_file(f, ReadLimits::default());
        rejects.extend(r.rejects);
        for rec in r.records {
            match extract::extract(&rec, &ChromeModel::default()) {
                Ok(e) => articles.push((rec.source_file.clone(), e)),
                Err(rej) => rejects.push(rej),
            }
        }
    }
    let reasons: Vec<(String, RejectReason)> = rejects.iter().map(|r| (r.source_file.clone(), r.reason)).collect();
    assert!(reasons.contains(&("programme.html".to_string(), RejectReason::NotArticle)), "{reasons:?}");
    assert!(reasons.contains(&("records.jsonl".to_string(), RejectReason::Malformed)), "{reasons:?}");
    assert_eq!(rejects.len(), 2, "{reasons:?}");
    // Two HTML articles, two good JSONL lines, two WARC responses.
    assert_eq!(articles.len(), 6, "{:?}", articles.iter().map(|a| &a.0).collect::<Vec<_>>());
    assert!(articles.iter().all(|(_, e)| !e.title.is_empty() && !e.paragraphs.is_empty()));
}

mod never_panics {
    use proptest::prelude::*;
    use rferl_corpus::extract::{date::parse_datetime, extract_html};
    use rferl_corpus::read::{decode_text, read_jsonl, read_warc};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn decoding_any_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = decode_text(&bytes);
        }

        #[test]
        fn warc_with_any_tail(tail in proptest::collection::vec(any::<u8>(), 0..400), len in 0usize..500) {
            let mut file = format!("WARC/1.0\r\nWARC-Type: response\r\nContent-Length: {len}\r\n\r\n").into_bytes();
            file.extend(tail);
            let (mut recs, mut rejs) = (Vec::new(), Vec::new());
            read_warc("x.warc", &file, &mut recs, &mut rejs);
            // Every record either came out or left a reject: nothing vanishes without a trace.
            prop_assert!(!recs.is_empty() || !rejs.is_empty());
        }

        #[test]
        fn jsonl_with_any_lines(s in "(\\{\"text\": ?\"[a-zа-я ]{0,12}\"\\}|[^\\n]{0,20})(\\n(\\{\"text\": ?\"[a-z]{1,12}\"\\}|[^\\n]{0,20})){0,6}") {
            let (mut recs, mut rejs) = (Vec::new(), Vec::new());
            read_jsonl("x.jsonl", s.as_bytes(), &mut recs, &mut rejs);
            // The reader skips a leading BOM and lines of ASCII white space; every other line is a record or a reject.
            let body = s.strip_prefix('\u{feff}').unwrap_or(&s);
            let non_blank = body.lines().filter(|l| !l.bytes().all(|b| b.is_ascii_whitespace())).count();
            prop_assert_eq!(recs.len() + rejs.len(), non_blank);
        }

        #[test]
        fn tar_cut_or_damaged_anywhere(
            sizes in proptest::collection::vec(0usize..1500, 1..5),
            cut in any::<proptest::sample::Index>(),
            flip in any::<proptest::sample::Index>(),
            byte in any::<u8>(),
        ) {
            // A well-formed archive of text members, then cut short and one byte changed: no panic, and every
            // member either comes out or the archive leaves a reject.
            let mut b = tar::Builder::new(Vec::new());
            for (i, n) in sizes.iter().enumerate() {
                let body = format!("Title {i}\n\n\n{}\n", "Body text. ".repeat(*n / 11 + 1));
                let mut h = tar::Header::new_gnu();
                h.set_size(body.len() as u64);
                h.set_mode(0o644);
                b.append_data(&mut h, format!("m{i}.txt"), body.as_bytes()).unwrap();
            }
            let mut bytes = b.into_inner().unwrap();
            let whole = rferl_corpus::read::read_bytes("x.tar", bytes.clone(), rferl_corpus::read::ReadLimits::default());
            prop_assert_eq!(whole.records.len(), sizes.len());
            prop_assert!(whole.rejects.is_empty());
            let at = flip.index(bytes.len());
            bytes[at] = byte;
            bytes.truncate(cut.index(bytes.len() + 1));
            let out = rferl_corpus::read::read_bytes("x.tar", bytes, rferl_corpus::read::ReadLimits::default());
            prop_assert!(!out.records.is_empty() || !out.rejects.is_empty());
            prop_assert!(out.records.len() <= sizes.len());
            prop_assert!(out.records.iter().all(|r| r.source_file.starts_with("x.tar/m")));
        }

        #[test]
        fn html_and_dates_from_any_text(s in "\\PC{0,300}") {
            let _ = extract_html(&s);
            let _ = parse_datetime(&s);
        }
    }
}
