//! Throughput of the language identifier vs lingua (high accuracy) on the same texts, single
//! thread, models loaded before timing. Usage: `langid_bench FILE...` (each file one text).
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let texts: Vec<String> = std::env::args().skip(1).map(std::fs::read_to_string).collect::<Result<_, _>>()?;
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    anyhow::ensure!(bytes > 0, "no text given");
    // warm up: builds the models once
    let _ = rferl_corpus::identify::identify("warm up текст");
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let mut n = 0usize;
        for x in &texts {
            n += rferl_corpus::identify::identify(x).lang.len();
        }
        std::hint::black_box(n);
        best = best.min(t.elapsed().as_secs_f64());
    }
    let ours = bytes as f64 / best / 1e6;
    let lingua = lingua::LanguageDetectorBuilder::from_all_languages().with_preloaded_language_models().build();
    let t = Instant::now();
    for x in &texts {
        std::hint::black_box(lingua.detect_language_of(x.as_str()));
    }
    let lt = bytes as f64 / t.elapsed().as_secs_f64() / 1e6;
    println!(
        "texts\t{}\nbytes\t{bytes}\nours_MBps\t{ours:.2}\nlingua_high_MBps\t{lt:.2}\nratio\t{:.1}",
        texts.len(),
        ours / lt
    );
    Ok(())
}
