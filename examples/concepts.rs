//! Shows which concepts (src/align/concepts) each word of a text says: a check on the word lists.
//!
//! `echo "Учёные надеются понять" | cargo run --release --example concepts -- rus_Cyrl`
use rferl_corpus::align::{concepts, evidence};
use std::io::Read;

fn main() -> anyhow::Result<()> {
    let lang = std::env::args().nth(1).expect("usage: concepts LANG < text");
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    for w in evidence::words(&text) {
        let c: Vec<&str> = concepts::of_word(w, &lang).iter().filter_map(|&c| concepts::name(c)).collect();
        if !c.is_empty() {
            println!("{w}\t{}", c.join(" "));
        }
    }
    Ok(())
}
