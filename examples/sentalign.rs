//! Runs the sentence aligner on JSON lines from stdin, one document pair per line:
//! `{"a": [sentences], "lang_a": "eng_Latn", "b": [sentences], "lang_b": "rus_Cyrl"}`;
//! writes one JSON array of links per line: `[["0","0"],["1-2","1"],["3",""]]`.
//! As the build does, it aligns every pair twice: the first pass teaches the lexicon
//! (rferl_corpus::align::lexicon), the second uses it. `--no-lexicon` prints the first pass.
//! Used by scripts/eval-sentalign.py.
use rferl_corpus::align::{align_sentences, Lexicon, LexiconBuilder};
use std::io::{BufRead, Write};

fn main() -> anyhow::Result<()> {
    let no_lexicon = std::env::args().any(|a| a == "--no-lexicon");
    let mut docs = Vec::new();
    for line in std::io::stdin().lock().lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let list = |k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
                .unwrap_or_default()
        };
        let lang = |k: &str| v[k].as_str().unwrap_or("").to_string();
        docs.push((list("a"), lang("lang_a"), list("b"), lang("lang_b")));
    }
    let empty = Lexicon::default();
    let first: Vec<_> = docs.iter().map(|(a, la, b, lb)| align_sentences(a, la, b, lb, &empty)).collect();
    let links = if no_lexicon {
        first
    } else {
        let mut builder = LexiconBuilder::default();
        for ((a, la, b, lb), links) in docs.iter().zip(&first) {
            builder.add(a, la, b, lb, links);
        }
        let lex = builder.build();
        eprintln!("sentalign: lexicon of {} word pairs", lex.len());
        docs.iter().map(|(a, la, b, lb)| align_sentences(a, la, b, lb, &lex)).collect()
    };
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for l in links {
        let pairs: Vec<[String; 2]> = l.into_iter().map(|l| [l.sent_a, l.sent_b]).collect();
        writeln!(out, "{}", serde_json::to_string(&pairs)?)?;
    }
    Ok(())
}
