//! The build: every stage in order, with a parallel map over records and a corpus-wide reduce.
//!
//! ```text
//! discover ─► read (par) ─► learn chrome (reduce) ─► extract → normalise → identify → signatures (par)
//!          ─► dedup (reduce) ─► align (reduce) ─► sentence alignment (par) ─► write (staged, renamed)
//! ```
//! Results of parallel steps are collected in input order (rayon's indexed `collect` keeps it), and input
//! order is the sorted relative path, so every id, cluster and row order is the same whatever the thread count.

use crate::align::{self, AlignFeatures};
use crate::dedup::{self, DupSig};
use crate::extract::{self, ChromeModel};
use crate::identify;
use crate::model::{Article, Format, Record, Reject, RejectReason};
use crate::normalise;
use crate::read::{self, ReadLimits};
use crate::write::{self, Column, CsvOptions, Formats, StagedDir, Table, Values};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;
use xxhash_rust::xxh3::xxh3_64;

/// Everything a build needs to know; `main.rs` fills it from the command line.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    pub inputs: Vec<PathBuf>,
    pub out: PathBuf,
    pub formats: Formats,
    /// Worker threads; `None` lets rayon use every core.
    pub threads: Option<usize>,
    pub quiet: bool,
    pub csv: CsvOptions,
    pub limits: ReadLimits,
    /// The command line, recorded in manifest.json.
    pub arguments: Vec<String>,
}

/// Counts of one build, also written to manifest.json.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: u64,
    /// Input units: records read plus files rejected before any record came out of them.
    pub inputs: u64,
    pub articles: u64,
    pub rejects: u64,
    pub duplicates: u64,
    pub stories: u64,
    pub alignments: u64,
    pub languages: u64,
}

/// One article after the parallel map, with what the reduce steps need.
struct Processed {
    article: Article,
    sentences: Vec<String>,
    dup: DupSig,
    feats: AlignFeatures,
}

/// Runs a whole build.
pub fn build(cfg: &BuildConfig) -> Result<Summary> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = cfg.threads {
        builder = builder.num_threads(n.max(1));
    }
    let pool = builder.build().context("cannot start worker threads")?;
    pool.install(|| run(cfg))
}

fn progress(cfg: &BuildConfig, len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    if cfg.quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {per_sec} ETA {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(what.to_string());
    bar
}

fn run(cfg: &BuildConfig) -> Result<Summary> {
    let started = Instant::now();
    let mut timings: BTreeMap<&str, f64> = BTreeMap::new();
    let mut lap = Instant::now();
    let mut mark = |name: &'static str, timings: &mut BTreeMap<&str, f64>| {
        timings.insert(name, lap.elapsed().as_secs_f64());
        lap = Instant::now();
    };

    // The output folder is staged first, so an output that cannot be written fails the run in a second, not
    // after an hour of work.
    let staged = StagedDir::new(&cfg.out)?;

    // Read.
    let (files, mut rejects) = read::discover(&cfg.inputs);
    let bar = progress(cfg, files.len() as u64, "reading");
    let reads: Vec<read::FileRead> = files
        .par_iter()
        .map(|f| {
            let r = guarded(&f.rel, None, "read", || read::read_file(f, cfg.limits))
                .unwrap_or_else(|rej| read::FileRead { records: Vec::new(), rejects: vec![rej] });
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();
    let mut records: Vec<Record> = Vec::new();
    for (f, r) in files.iter().zip(reads) {
        // Every file ends up somewhere: a reader that found nothing to say about a file is itself a reject.
        if r.records.is_empty() && r.rejects.is_empty() {
            rejects.push(Reject::new(&f.rel, None, RejectReason::Empty, "no records found in the file"));
        }
        records.extend(r.records);
        rejects.extend(r.rejects);
    }
    let inputs = records.len() as u64 + rejects.len() as u64;
    mark("read", &mut timings);

    // Learn the text dumps' chrome from the whole corpus.
    let chrome = records
        .par_iter()
        .filter(|r| r.format == Format::Text)
        .fold(ChromeModel::default, |mut m, r| {
            m.add(&r.content);
            m
        })
        .reduce(ChromeModel::default, |mut a, b| {
            a.merge(b);
            a
        });
    mark("learn_chrome", &mut timings);

    // The per-article map.
    let bar = progress(cfg, records.len() as u64, "articles");
    let results: Vec<Result<Processed, Reject>> = records
        .par_iter()
        .map(|r| {
            let p = guarded(&r.source_file, Some(r.record), "extract/identify/normalise", || process(r, &chrome))
                .and_then(|p| p);
            bar.inc(1);
            p
        })
        .collect();
    bar.finish_and_clear();
    drop(records);
    let mut done: Vec<Processed> = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => done.push(p),
            Err(rej) => rejects.push(rej),
        }
    }
    mark("extract_identify_normalise", &mut timings);

    // Corpus-wide: duplicates, then stories.
    let sigs: Vec<DupSig> = done.iter().map(|p| p.dup.clone()).collect();
    let dup_of = dedup::find_duplicates(&sigs);
    drop(sigs);
    for (i, d) in dup_of.iter().enumerate() {
        if let Some(j) = d {
            done[i].article.dup_of = done[*j].article.doc_id.clone();
        }
    }
    mark("dedup", &mut timings);
    let feats: Vec<AlignFeatures> = done.iter().map(|p| p.feats.clone()).collect();
    let aligned = align::align(&feats, &dup_of);
    drop(feats);
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in aligned.story_of.iter().enumerate() {
        if let Some(s) = s {
            members.entry(*s).or_default().push(i);
        }
    }
    for m in members.values() {
        if m.len() < 2 {
            continue;
        }
        // A story's id is derived from its first version, so it is the same in every run.
        let id = format!("s{}", done[m[0]].article.doc_id);
        for &i in m {
            done[i].article.story_id = id.clone();
        }
    }
    mark("align", &mut timings);
    let sentence_links: Vec<(usize, usize, Vec<align::SentenceLink>)> = aligned
        .pairs
        .par_iter()
        .map(|p| (p.a, p.b, align::align_sentences(&done[p.a].sentences, &done[p.b].sentences)))
        .collect();
    mark("align_sentences", &mut timings);

    // Write.
    rejects.sort_by(|a, b| (&a.source_file, a.record).cmp(&(&b.source_file, b.record)));
    let tables = vec![
        articles_table(&done),
        alignments_table(&done, &aligned.pairs),
        stories_table(&done),
        rejects_table(&rejects),
        sentences_table(&done),
        sentence_alignments_table(&done, &sentence_links),
    ];
    tables.par_iter().try_for_each(|t| -> Result<()> {
        if cfg.formats.csv {
            write::write_csv(t, &staged.tmp, cfg.csv)?;
        }
        if cfg.formats.parquet {
            write::write_parquet(t, &staged.tmp)?;
        }
        Ok(())
    })?;
    mark("write", &mut timings);

    let languages: BTreeSet<&str> = done.iter().map(|p| p.article.lang.as_str()).collect();
    let summary = Summary {
        files: files.len() as u64,
        inputs,
        articles: done.len() as u64,
        rejects: rejects.len() as u64,
        duplicates: done.iter().filter(|p| !p.article.dup_of.is_empty()).count() as u64,
        stories: members.values().filter(|m| m.len() >= 2).count() as u64,
        alignments: aligned.pairs.len() as u64,
        languages: languages.len() as u64,
    };
    let mut by_reason: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &rejects {
        *by_reason.entry(r.reason.as_str()).or_insert(0) += 1;
    }
    let mut by_lang: BTreeMap<&str, u64> = BTreeMap::new();
    for p in &done {
        *by_lang.entry(p.article.lang.as_str()).or_insert(0) += 1;
    }
    timings.insert("total", started.elapsed().as_secs_f64());
    let manifest = json!({
        "tool": "rferl-corpus",
        "version": env!("CARGO_PKG_VERSION"),
        "arguments": cfg.arguments,
        "counts": {
            "files": summary.files,
            "inputs": summary.inputs,
            "articles": summary.articles,
            "rejects": summary.rejects,
            "accounted": summary.inputs == summary.articles + summary.rejects,
            "duplicates": summary.duplicates,
            "stories": summary.stories,
            "alignments": summary.alignments,
            "languages": summary.languages,
        },
        "rejects_by_reason": by_reason,
        "articles_by_language": by_lang,
        "seconds_per_stage": timings.iter().map(|(k, v)| (k.to_string(), json!((v * 1000.0).round() / 1000.0))).collect::<serde_json::Map<_, _>>(),
    });
    write::write_json(&manifest, &staged.tmp.join("manifest.json"))?;
    staged.commit()?;
    if !cfg.quiet {
        eprintln!(
            "rferl-corpus: {} inputs → {} articles in {} languages + {} rejects ({}); {} duplicates, {} stories, {} aligned pairs → {} in {:.1} s",
            summary.inputs,
            summary.articles,
            summary.languages,
            summary.rejects,
            if summary.inputs == summary.articles + summary.rejects { "all accounted for" } else { "COUNTS DO NOT ADD UP" },
            summary.duplicates,
            summary.stories,
            summary.alignments,
            cfg.out.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(summary)
}

/// The per-article map: extract, normalise, identify, and the signatures for the reduce steps.
fn process(record: &Record, chrome: &ChromeModel) -> Result<Processed, Reject> {
    let ex = extract::extract(record, chrome)?;
    let title = normalise::normalise(&ex.title, None);
    let caption = normalise::normalise(&ex.caption, None);
    let paragraphs: Vec<String> =
        ex.paragraphs.iter().map(|p| normalise::normalise(p, None)).filter(|p| !p.is_empty()).collect();
    let mut id_text = String::with_capacity(title.len() + 2 + paragraphs.iter().map(|p| p.len() + 2).sum::<usize>());
    id_text.push_str(&title);
    for p in &paragraphs {
        id_text.push_str("\n\n");
        id_text.push_str(p);
    }
    let guess = identify::identify(prefix(&id_text, MAX_IDENTIFY_BYTES));
    let lang = Some(guess.lang.as_str());
    let text = paragraphs.iter().map(|p| normalise::normalise(p, lang)).collect::<Vec<_>>().join("\n\n");
    let sentences = normalise::split_sentences(&text, &guess.lang);
    let service = ex.service.clone().or_else(|| ex.url.as_deref().and_then(host_of)).unwrap_or_default();
    let article = Article {
        doc_id: doc_id(&record.source_file, record.record),
        source_file: record.source_file.clone(),
        record: record.record,
        offset: record.offset,
        format: record.format.as_str().to_string(),
        encoding: record.encoding.clone(),
        lang: guess.lang.clone(),
        script: guess.script.clone(),
        lang_confidence: guess.confidence,
        lang_runner_up: guess.runner_up.clone(),
        languages: guess.languages.clone(),
        title: normalise::normalise(&title, lang),
        caption: normalise::normalise(&caption, lang),
        credit: normalise::normalise(&ex.credit, lang),
        n_words: text.split_whitespace().count() as u64,
        n_chars: text.chars().count() as u64,
        content_hash: format!("{:016x}", xxh3_64(text.as_bytes())),
        text,
        service,
        url: ex.url.clone().unwrap_or_default(),
        published: ex.published,
        author: ex.author.clone().unwrap_or_default(),
        section: ex.section.clone().unwrap_or_default(),
        english_section: ex.english_section.clone().unwrap_or_default(),
        article_id: ex.article_id,
        image_ids: ex.image_ids.join(" "),
        ..Default::default()
    };
    let dup = dedup::signature(&article.lang, &article.text);
    let feats = align::features(&article);
    Ok(Processed { article, sentences, dup, feats })
}

/// Language identification reads at most this much of an article: far more than it needs to decide, and it
/// keeps a pathological multi-megabyte "article" from costing more than an ordinary one.
const MAX_IDENTIFY_BYTES: usize = 64 << 10;

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
fn prefix(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Runs one input's work so that a panic (a bug in some stage, met on one odd input) becomes a reject with
/// the panic message instead of ending the whole build. The panic message is also printed by the default hook.
fn guarded<T>(source_file: &str, record: Option<u32>, stage: &str, f: impl FnOnce() -> T) -> Result<T, Reject> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Reject::new(
            source_file,
            record,
            RejectReason::Internal,
            format!("{stage} failed (a bug, please report): {msg}"),
        )
    })
}

/// A document id derived from the input alone (path and record number), never from the run order.
pub fn doc_id(source_file: &str, record: u32) -> String {
    format!("{:016x}", xxh3_64(format!("{source_file}\u{0}{record}").as_bytes()))
}

fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let host = rest.split(['/', '?', '#']).next()?.to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

fn strs<T>(items: &[T], f: impl Fn(&T) -> String) -> Values {
    Values::Str(items.iter().map(f).collect())
}

fn opt_strs<T>(items: &[T], f: impl Fn(&T) -> &str) -> Values {
    Values::OptStr(items.iter().map(|x| Some(f(x)).filter(|s| !s.is_empty()).map(str::to_string)).collect())
}

fn articles_table(done: &[Processed]) -> Table {
    let a: Vec<&Article> = done.iter().map(|p| &p.article).collect();
    Table::new(
        "articles",
        vec![
            Column::new("doc_id", strs(&a, |x| x.doc_id.clone())),
            Column::new("source_file", strs(&a, |x| x.source_file.clone())),
            Column::new("record", Values::U64(a.iter().map(|x| x.record as u64).collect())),
            Column::new("offset", Values::U64(a.iter().map(|x| x.offset).collect())),
            Column::new("format", strs(&a, |x| x.format.clone())),
            Column::new("encoding", strs(&a, |x| x.encoding.clone())),
            Column::new("lang", strs(&a, |x| x.lang.clone())),
            Column::new("script", strs(&a, |x| x.script.clone())),
            Column::new("lang_confidence", Values::F64(a.iter().map(|x| x.lang_confidence).collect())),
            Column::new("lang_runner_up", opt_strs(&a, |x| &x.lang_runner_up)),
            Column::new("languages", strs(&a, |x| x.languages.clone())),
            Column::new("title", strs(&a, |x| x.title.clone())),
            Column::new("caption", opt_strs(&a, |x| &x.caption)),
            Column::new("credit", opt_strs(&a, |x| &x.credit)),
            Column::new("text", strs(&a, |x| x.text.clone())),
            Column::new("n_words", Values::U64(a.iter().map(|x| x.n_words).collect())),
            Column::new("n_chars", Values::U64(a.iter().map(|x| x.n_chars).collect())),
            Column::new("content_hash", strs(&a, |x| x.content_hash.clone())),
            Column::new("dup_of", opt_strs(&a, |x| &x.dup_of)),
            Column::new("story_id", opt_strs(&a, |x| &x.story_id)),
            Column::new("service", opt_strs(&a, |x| &x.service)),
            Column::new("url", opt_strs(&a, |x| &x.url)),
            Column::new("published", Values::Timestamp(a.iter().map(|x| x.published).collect())),
            Column::new("author", opt_strs(&a, |x| &x.author)),
            Column::new("section", opt_strs(&a, |x| &x.section)),
            Column::new("english_section", opt_strs(&a, |x| &x.english_section)),
            Column::new("article_id", Values::OptU64(a.iter().map(|x| x.article_id).collect())),
            Column::new("image_ids", opt_strs(&a, |x| &x.image_ids)),
        ],
    )
}

fn alignments_table(done: &[Processed], pairs: &[align::Pair]) -> Table {
    let art = |i: usize| &done[i].article;
    Table::new(
        "alignments",
        vec![
            Column::new("doc_id_a", strs(pairs, |p| art(p.a).doc_id.clone())),
            Column::new("doc_id_b", strs(pairs, |p| art(p.b).doc_id.clone())),
            Column::new("lang_a", strs(pairs, |p| art(p.a).lang.clone())),
            Column::new("lang_b", strs(pairs, |p| art(p.b).lang.clone())),
            Column::new("score", Values::F64(pairs.iter().map(|p| p.score).collect())),
            Column::new("evidence", strs(pairs, |p| p.evidence.clone())),
        ],
    )
}

fn stories_table(done: &[Processed]) -> Table {
    let mut stories: BTreeMap<&str, Vec<&Article>> = BTreeMap::new();
    for p in done {
        if !p.article.story_id.is_empty() {
            stories.entry(&p.article.story_id).or_default().push(&p.article);
        }
    }
    let rows: Vec<(&str, Vec<&Article>)> = stories.into_iter().collect();
    fn langs<'a>(m: &[&'a Article]) -> BTreeSet<&'a str> {
        m.iter().map(|a| a.lang.as_str()).collect()
    }
    // The representative title: the English version's if there is one (most readers share it), else the first.
    let title = |m: &[&Article]| m.iter().find(|a| a.lang == "eng_Latn").unwrap_or(&m[0]).title.clone();
    Table::new(
        "stories",
        vec![
            Column::new("story_id", strs(&rows, |r| r.0.to_string())),
            Column::new("n_articles", Values::U64(rows.iter().map(|r| r.1.len() as u64).collect())),
            Column::new("n_languages", Values::U64(rows.iter().map(|r| langs(&r.1).len() as u64).collect())),
            Column::new("languages", strs(&rows, |r| langs(&r.1).into_iter().collect::<Vec<_>>().join(" "))),
            Column::new("title", strs(&rows, |r| title(&r.1))),
        ],
    )
}

fn rejects_table(rejects: &[Reject]) -> Table {
    Table::new(
        "rejects",
        vec![
            Column::new("source_file", strs(rejects, |r| r.source_file.clone())),
            Column::new("record", Values::OptU64(rejects.iter().map(|r| r.record.map(u64::from)).collect())),
            Column::new("reason", strs(rejects, |r| r.reason.as_str().to_string())),
            Column::new("detail", strs(rejects, |r| r.detail.clone())),
        ],
    )
}

fn sentences_table(done: &[Processed]) -> Table {
    let rows: Vec<(&str, usize, &str)> = done
        .iter()
        .flat_map(|p| p.sentences.iter().enumerate().map(|(i, s)| (p.article.doc_id.as_str(), i, s.as_str())))
        .collect();
    Table::new(
        "sentences",
        vec![
            Column::new("doc_id", strs(&rows, |r| r.0.to_string())),
            Column::new("sent_idx", Values::U64(rows.iter().map(|r| r.1 as u64).collect())),
            Column::new("text", strs(&rows, |r| r.2.to_string())),
        ],
    )
}

fn sentence_alignments_table(done: &[Processed], links: &[(usize, usize, Vec<align::SentenceLink>)]) -> Table {
    let rows: Vec<(usize, usize, &align::SentenceLink)> =
        links.iter().flat_map(|(a, b, ls)| ls.iter().map(|l| (*a, *b, l))).collect();
    Table::new(
        "sentence_alignments",
        vec![
            Column::new("doc_id_a", strs(&rows, |r| done[r.0].article.doc_id.clone())),
            Column::new("doc_id_b", strs(&rows, |r| done[r.1].article.doc_id.clone())),
            Column::new("sent_a", strs(&rows, |r| r.2.sent_a.clone())),
            Column::new("sent_b", strs(&rows, |r| r.2.sent_b.clone())),
            Column::new("score", Values::F64(rows.iter().map(|r| r.2.score).collect())),
        ],
    )
}
