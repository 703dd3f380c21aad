//! Text-dump extraction on arbitrary text. The input is split at form feeds into pages; the chrome model is
//! learned from all of them (so repeated lines become chrome, as in a real corpus) and every page is extracted.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rferl_corpus::extract::{extract, ChromeModel};
use rferl_corpus::model::{Format, Hints, Record};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let chrome = ChromeModel::learn(pages.iter().copied());
    for (i, page) in pages.iter().enumerate() {
        let record = Record {
            source_file: "x.txt".into(),
            record: i as u32,
            offset: 0,
            format: Format::Text,
            encoding: "utf-8".into(),
            content: page.to_string(),
            hints: Hints::default(),
        };
        if let Ok(e) = extract(&record, &chrome) {
            assert!(!e.paragraphs.is_empty(), "an extraction without body paragraphs must be a reject");
        }
    }
});
