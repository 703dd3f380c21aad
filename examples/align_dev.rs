//! Development harness: runs dedup and align on a benchmark's gold articles (gold title/caption/body and,
//! optionally, gold languages) and prints story-pair and duplicate precision/recall, the way score.py counts.
//!
//! `cargo run --release --example align_dev -- GOLD_DIR [--gold-lang]`
//! Without `--gold-lang` every article gets the label of a crude script guess, to see how label noise hurts.
use rferl_corpus::model::Article;
use rferl_corpus::{align, dedup};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let gold = args.get(1).expect("usage: align_dev GOLD_DIR [--gold-lang]");
    let mut rd = csv::Reader::from_path(format!("{gold}/articles.csv"))?;
    let headers = rd.headers()?.clone();
    let col = |n: &str| headers.iter().position(|h| h == n);
    let mut arts = Vec::new();
    let mut gold_story = Vec::new();
    let mut gold_dup = Vec::new();
    let mut gold_lang = Vec::new();
    for r in rd.records() {
        let r = r?;
        let get = |n: &str| col(n).and_then(|i| r.get(i)).unwrap_or("").to_string();
        let published = col("published").and_then(|i| r.get(i)).and_then(|s| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%SZ").ok().map(|t| t.and_utc().timestamp_micros())
        });
        let url = get("url");
        let article_id = url.rsplit('/').next().and_then(|s| s.strip_suffix(".html")).and_then(|s| s.parse().ok());
        arts.push(Article {
            lang: get("lang"),
            title: get("title"),
            caption: get("caption"),
            text: get("body"),
            published,
            article_id,
            url,
            ..Default::default()
        });
        gold_story.push(get("story_id"));
        gold_dup.push(!get("dup_of").is_empty());
        gold_lang.push(get("lang"));
    }
    let t = Instant::now();
    let sigs: Vec<_> = arts.iter().map(|a| dedup::signature(&a.lang, &a.text, a.published)).collect();
    // One article per file, in file order.
    let files: Vec<u32> = (0..sigs.len() as u32).collect();
    let dup_of = dedup::find_duplicates(&sigs, &files);
    let feats: Vec<_> = arts.iter().map(align::features).collect();
    let res = align::align(&feats, &dup_of);
    if let Ok(v) = std::env::var("DBGP") {
        for i in v.split(',').filter_map(|x| x.parse::<usize>().ok()) {
            let ks: Vec<String> = feats[i].keys.iter().filter_map(|&k| align::evidence::show(k)).collect();
            println!("{i} {} story {:?} {}", gold_lang[i], res.story_of[i], ks.join(" "));
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let (mut tp, mut fp, mut fnn) = (0, 0, 0);
    for i in 0..arts.len() {
        let f = dup_of[i].is_some();
        if f && gold_dup[i] {
            tp += 1
        }
        if f && !gold_dup[i] {
            fp += 1
        }
        if !f && gold_dup[i] {
            fnn += 1
        }
    }
    println!(
        "dedup: P {:.4} R {:.4} (tp {tp} fp {fp} fn {fnn})",
        tp as f64 / (tp + fp).max(1) as f64,
        tp as f64 / (tp + fnn).max(1) as f64
    );
    let pairs = |key: &dyn Fn(usize) -> Option<String>| {
        let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for i in 0..arts.len() {
            if let Some(k) = key(i) {
                groups.entry(k).or_default().push(i);
            }
        }
        let mut set = BTreeSet::new();
        for m in groups.values() {
            for x in 0..m.len() {
                for y in x + 1..m.len() {
                    if gold_lang[m[x]] != gold_lang[m[y]] {
                        set.insert((m[x], m[y]));
                    }
                }
            }
        }
        set
    };
    let g = pairs(&|i| Some(gold_story[i].clone()));
    let p = pairs(&|i| res.story_of[i].map(|s| s.to_string()));
    let tp = g.intersection(&p).count() as f64;
    let (pr, rc) = (tp / p.len().max(1) as f64, tp / g.len().max(1) as f64);
    println!(
        "align clusters: P {pr:.4} R {rc:.4} F1 {:.4} predicted {} gold {}",
        2.0 * pr * rc / (pr + rc).max(1e-9),
        p.len(),
        g.len()
    );
    let direct: BTreeSet<(usize, usize)> = res.pairs.iter().map(|q| (q.a.min(q.b), q.a.max(q.b))).collect();
    let dtp = direct.intersection(&g).count();
    println!("pairs listed {} correct {dtp}; {:.3} s", direct.len(), secs);
    if let Some(pos) = args.iter().position(|a| a == "--dump") {
        // score, shared weight, same story?, languages: for plotting the spread of true and false candidates.
        let mut out = String::new();
        for c in align::candidate_scores(&feats, &dup_of) {
            let ok = gold_story[c.a] == gold_story[c.b];
            out.push_str(&format!(
                "{:.4}\t{:.2}\t{}\t{}\t{}\t{}\t{}\n",
                c.score, c.shared, ok as u8, gold_lang[c.a], gold_lang[c.b], c.a, c.b
            ));
        }
        std::fs::write(&args[pos + 1], out)?;
    }
    if args.iter().any(|a| a == "--show-errors") {
        let mut shown = 0;
        for q in &res.pairs {
            if gold_story[q.a] != gold_story[q.b] && shown < 15 {
                shown += 1;
                println!("FP {} {} {} score {} ev {}", gold_lang[q.a], gold_lang[q.b], q.a, q.score, q.evidence);
            }
        }
    }
    Ok(())
}
