//! Scale benchmark for the corpus-wide alignment step on synthetic articles (no data needed):
//! stories of 1-8 versions in distinct "languages", each version holding the story's rare numbers and
//! name-like words plus common words and years drawn from a shared pool. Prints seconds and candidates per
//! article for N and 10·N articles, and the time the sentence links of the linked pairs take.
//!
//! `cargo run --release --example bench_align -- 2000`
use rferl_corpus::align;
use rferl_corpus::model::Article;
use rferl_corpus::normalise;
use std::time::Instant;

fn corpus(n: usize, seed: u64) -> Vec<Article> {
    let mut x = seed;
    let mut rnd = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let syll = ["ka", "ro", "mi", "ta", "su", "ne", "lo", "vi", "da", "ze", "po", "ri", "ba", "gu", "shi", "fe"];
    let word = |r: &mut dyn FnMut() -> u64, n: usize| -> String {
        let mut w: String = (0..n).map(|_| syll[(r() % 16) as usize]).collect();
        w[..1].make_ascii_uppercase();
        w
    };
    let langs = ["eng_Latn", "rus_Cyrl", "kaz_Cyrl", "hye_Armn", "kat_Geor", "pes_Arab", "ron_Latn", "hun_Latn"];
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let names: Vec<String> = (0..4).map(|_| word(&mut rnd, 5)).collect();
        let nums: Vec<u64> = (0..3).map(|_| 100 + rnd() % 10_000_000).collect();
        let width = 1 + (rnd() % 8) as usize;
        for l in langs.iter().take(width) {
            let mut text = String::new();
            for s in 0..5 {
                let common = word(&mut rnd, 2);
                let year = 2000 + rnd() % 25;
                text.push_str(&format!(
                    "{} met {} in {year} with {} people {common}. ",
                    names[s % 4],
                    names[(s + 1) % 4],
                    nums[s % 3]
                ));
            }
            out.push(Article { lang: l.to_string(), title: names[0].clone(), text, ..Default::default() });
        }
    }
    out.truncate(n);
    out
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let mut secs = Vec::new();
    for size in [n, 10 * n] {
        let arts = corpus(size, 0x9E37_79B9_7F4A_7C15);
        let feats: Vec<_> = arts.iter().map(align::features).collect();
        let dup_of = vec![None; size];
        let t = Instant::now();
        let res = align::align(&feats, &dup_of);
        let s = t.elapsed().as_secs_f64();
        let cands = align::candidate_scores(&feats, &dup_of).len();
        println!(
            "{size} articles: align {s:.3} s, {:.2} candidates per article, {} pairs",
            cands as f64 / size as f64,
            res.pairs.len()
        );
        secs.push(s);
        // Both passes of sentence alignment, as the build runs them: each article's sentences read once, a
        // draft pass teaching the lexicon, then the links.
        let t = Instant::now();
        let sides: Vec<align::SentenceSide> = arts
            .iter()
            .map(|a| align::SentenceSide::new(&normalise::split_sentences(&a.text, &a.lang), &a.lang))
            .collect();
        let mut builder = align::LexiconBuilder::default();
        for p in &res.pairs {
            let (la, lb) = (&arts[p.a].lang, &arts[p.b].lang);
            if builder.wants(la, lb) {
                let draft = align::draft_sentence_links(&sides[p.a], la, &sides[p.b], lb);
                builder.add(&align::Lesson::new(sides[p.a].stems(), la, sides[p.b].stems(), lb, &draft));
            }
        }
        let lex = builder.build();
        let mut links = 0;
        for p in &res.pairs {
            let (la, lb) = (&arts[p.a].lang, &arts[p.b].lang);
            links += align::align_sides(&sides[p.a], la, &sides[p.b], lb, &lex).len();
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "  sentence links, both passes: {s:.3} s for {} pairs ({:.3} ms per pair, {links} links, lexicon of {} word pairs)",
            res.pairs.len(),
            1000.0 * s / res.pairs.len().max(1) as f64,
            lex.len()
        );
    }
    println!("10x articles took {:.1}x the time (bar: <= 15x)", secs[1] / secs[0]);
}
