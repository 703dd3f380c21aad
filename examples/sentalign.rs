//! Runs the sentence aligner on JSON lines from stdin, one document pair per line:
//! `{"a": [sentences], "lang_a": "eng_Latn", "b": [sentences], "lang_b": "rus_Cyrl"}`;
//! writes one JSON array of links per line: `[["0","0"],["1-2","1"],["3",""]]`.
//! Used by scripts/eval-sentalign.py.
use std::io::{BufRead, Write};

fn main() -> anyhow::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let list = |k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let links = rferl_corpus::align::align_sentences(
            &list("a"),
            v["lang_a"].as_str().unwrap_or(""),
            &list("b"),
            v["lang_b"].as_str().unwrap_or(""),
        );
        let pairs: Vec<[String; 2]> = links.into_iter().map(|l| [l.sent_a, l.sent_b]).collect();
        writeln!(out, "{}", serde_json::to_string(&pairs)?)?;
    }
    Ok(())
}
