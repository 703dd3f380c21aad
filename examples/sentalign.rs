//! Runs the sentence aligner on JSON lines from stdin, one document pair per line:
//! `{"a": [sentences], "lang_a": "eng_Latn", "b": [sentences], "lang_b": "rus_Cyrl"}`;
//! writes one JSON array of links per line: `[["0","0"],["1-2","1"],["3",""]]`.
//! As the build does, it aligns every pair twice: the first pass teaches the lexicon
//! (rferl_corpus::align::lexicon, from draft links), the second uses it. `--no-lexicon` aligns once,
//! without a lexicon.
//! Used by scripts/eval-sentalign.py.
use rferl_corpus::align::{align_sides, draft_sentence_links, Lesson, Lexicon, LexiconBuilder, SentenceSide};
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
    let sides: Vec<(SentenceSide, SentenceSide)> =
        docs.iter().map(|(a, la, b, lb)| (SentenceSide::new(a, la), SentenceSide::new(b, lb))).collect();
    let mut lex = Lexicon::default();
    if !no_lexicon {
        let mut builder = LexiconBuilder::default();
        for ((_, la, _, lb), (a, b)) in docs.iter().zip(&sides) {
            if builder.wants(la, lb) {
                builder.add(&Lesson::new(a.stems(), la, b.stems(), lb, &draft_sentence_links(a, la, b, lb)));
            }
        }
        lex = builder.build();
        eprintln!("sentalign: lexicon of {} word pairs", lex.len());
    }
    let links: Vec<_> =
        docs.iter().zip(&sides).map(|((_, la, _, lb), (a, b))| align_sides(a, la, b, lb, &lex)).collect();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for l in links {
        let pairs: Vec<[String; 2]> = l.into_iter().map(|l| [l.sent_a, l.sent_b]).collect();
        writeln!(out, "{}", serde_json::to_string(&pairs)?)?;
    }
    Ok(())
}
