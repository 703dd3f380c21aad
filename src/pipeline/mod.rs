//! The build: every stage in order, as a parallel map over input files and a corpus-wide reduce.
//!
//! ```text
//! discover ─► learn chrome from a sample (par) ─► map: read → extract → normalise → identify → sign (par, chunks)
//!          │                                           └─► spill file (articles on disk, in input order)
//!          │                                           └─► signatures (dedup, alignment keys) kept in memory
//!          └─► reduce: dedup ─► align ─► stories (merge: signatures from the shards' spills first)
//!          ─► write: articles + sentences streamed from the spill, pairs, sentence links (staged, renamed)
//! ```
//! Memory holds the per-article signatures the reduce needs, never the text: text lives in the spill.
//! Everything is ordered by input (sorted relative path, then record), so ids, clusters and row order are the
//! same whatever the thread count. The map runs per shard (`--shard i/n`) and `merge` is the reduce over the
//! shards' spills; a single-machine build is one shard and its merge in one process. With `--state`, the map
//! reuses the previous run's articles for files that did not change, and the writers copy unchanged rows and
//! Parquet row groups. Modules: `files` (the chrome sample and the map over files), `map` (one record),
//! `signatures`, `spill`, `articles` (the two big tables, row groups by article id), `tables` (rows of the
//! others), `state` (incremental builds), `shard`. This file holds the build's order of stages and the reduce.

mod articles;
mod files;
mod map;
mod shard;
mod signatures;
mod spill;
mod state;
mod tables;

pub use map::{doc_id, process, process_traced};
pub use shard::Shard;

use crate::align;
use crate::dedup;
use crate::model::{Article, Reject, RejectReason};
use crate::normalise;
use crate::read::{self, InputFile, ReadLimits};
use crate::write::{self, CsvOptions, Formats, StagedDir, TableWriter};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use serde_json::json;
use signatures::{sign, Signatures, KEYS_SPILL};
use spill::SpillReader;
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Files read and processed together: bounds the text held in memory at once.
const MAP_CHUNK: usize = 2048;
/// Articles written per output chunk.
const WRITE_CHUNK: usize = 4096;

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
    /// Articles per Parquet row group of the articles and sentences tables, on average (see `articles`).
    pub row_group_articles: u64,
    pub limits: ReadLimits,
    /// The command line, recorded in manifest.json.
    pub arguments: Vec<String>,
    /// Process only this shard's part of the inputs and write map output for `merge`.
    pub shard: Option<Shard>,
    /// Folder that keeps the previous run's results so that a rerun processes only new or changed files.
    pub state: Option<PathBuf>,
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
    /// Files whose results were reused from `--state` instead of being read again.
    pub reused_files: u64,
    /// Word pairs the sentence aligner learned from its first pass (see `align::lexicon`).
    pub lexicon_word_pairs: u64,
    /// Aligned pairs whose sentence links came from `--state` (same texts and languages, and the same learned
    /// word pairs on both sides: `align::Lexicon::relevant`).
    pub reused_sentence_links: u64,
    /// Aligned pairs whose lesson for the lexicon came from `--state` (same texts and languages).
    pub reused_lessons: u64,
    /// Parquet row groups of the articles and sentences tables copied from the previous run (`--state`).
    pub copied_row_groups: u64,
}

/// One article of a map output: where it sits in its spill, and where in the output order. `file` is the
/// index of its input file among *all* the run's input files (sorted by relative path, as every shard of
/// one run walks them: `merge` checks that the shards' runs agree), so (`file`, `record`) orders articles
/// across shards as the source files' paths would, in 16 bytes instead of a path per article.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub file: u32,
    pub record: u32,
    pub offset: u64,
}

/// What the map produced for a set of files: articles in a spill file, and rejects.
#[derive(Debug, Clone, Default)]
pub struct MapOutput {
    pub spill: PathBuf,
    pub entries: Vec<Entry>,
    pub rejects: Vec<Reject>,
    pub files: u64,
    pub inputs: u64,
    pub reused_files: u64,
    /// With `--state`: what the map made of each file, for the next run (its articles' records in the spill,
    /// their checksums, its rejects, its chrome keys).
    pub state: Option<state::Files>,
    /// With `--state`: per entry, its rows in the previous run's CSV tables if it was reused.
    pub prev_rows: Vec<Option<state::Rows>>,
    /// The spill's length once written, and the bytes of it this output's records take.
    pub spill_len: u64,
    pub spill_live: u64,
}

type Timings = BTreeMap<String, f64>;

struct Clock {
    lap: Instant,
    lap_cpu: f64,
    timings: Timings,
    cpu: Timings,
}

/// CPU seconds (user + system) the process has used so far, all threads.
fn process_cpu_seconds() -> f64 {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a complete rusage into the buffer we own; on failure it is left zeroed.
    let u = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr());
        u.assume_init()
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

impl Clock {
    fn new() -> Self {
        Clock { lap: Instant::now(), lap_cpu: process_cpu_seconds(), timings: Timings::new(), cpu: Timings::new() }
    }
    fn mark(&mut self, stage: &str) {
        *self.timings.entry(stage.to_string()).or_insert(0.0) += self.lap.elapsed().as_secs_f64();
        let now_cpu = process_cpu_seconds();
        *self.cpu.entry(stage.to_string()).or_insert(0.0) += now_cpu - self.lap_cpu;
        self.lap = Instant::now();
        self.lap_cpu = now_cpu;
    }
    /// The timings for manifest.json: seconds per stage, to the millisecond.
    fn to_json(&self) -> serde_json::Value {
        Self::rounded(&self.timings)
    }
    /// CPU seconds per stage (all threads): against the wall seconds, how well a stage uses the cores.
    fn cpu_json(&self) -> serde_json::Value {
        Self::rounded(&self.cpu)
    }
    fn rounded(t: &Timings) -> serde_json::Value {
        t.iter().map(|(k, v)| (k.clone(), json!((v * 1000.0).round() / 1000.0))).collect()
    }
}

fn pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n.max(1));
    }
    builder.build().context("cannot start worker threads")
}

/// Runs a build (or, with `cfg.shard`, one shard's map).
pub fn build(cfg: &BuildConfig) -> Result<Summary> {
    pool(cfg.threads)?.install(|| run_build(cfg))
}

/// Runs the corpus-wide steps over shard outputs written by `build --shard i/n`.
pub fn merge(shard_dirs: &[PathBuf], cfg: &BuildConfig) -> Result<Summary> {
    pool(cfg.threads)?.install(|| {
        let started = Instant::now();
        let mut clock = Clock::new();
        let parts = shard_dirs.iter().map(|d| shard::load(d)).collect::<Result<Vec<_>>>()?;
        shard::check_complete(&parts)?;
        clock.mark("load_shards");
        let outputs: Vec<MapOutput> = parts.into_iter().map(|p| p.output).collect();
        let staged = StagedDir::new(&cfg.out)?;
        let (summary, ..) = reduce_and_write(&outputs, None, Reuse::default(), &staged.tmp, cfg, &mut clock, started)?;
        staged.commit()?;
        Ok(summary)
    })
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

fn run_build(cfg: &BuildConfig) -> Result<Summary> {
    let started = Instant::now();
    let mut clock = Clock::new();
    let (all_files, walk_rejects) = read::discover(&cfg.inputs);
    let run_id = cfg.shard.map(|_| shard::RunId::new(&all_files, &walk_rejects, cfg.limits.max_bytes));
    let owns = |rel: &str| cfg.shard.is_none_or(|s| s.owns(rel));
    let walk_rejects: Vec<Reject> = walk_rejects.into_iter().filter(|r| owns(&r.source_file)).collect();
    clock.mark("discover");

    // The output folder is staged first, so an output that cannot be written fails the run in a second, not
    // after an hour of work.
    let staged = StagedDir::new(&cfg.out)?;
    let previous = match &cfg.state {
        Some(dir) => state::State::load(dir)?,
        None => None,
    };
    // The chrome model is learned from a sample chosen over *all* inputs, so every shard learns the same one.
    let (chrome, sample_lines, mut preread) = files::learn_chrome(&all_files, previous.as_ref(), cfg);
    clock.mark("learn_chrome");
    // One list of files at a time (a path is ~180 bytes: 180 MB at a million files), each with its index
    // among all the inputs (see [`Entry`]).
    anyhow::ensure!(all_files.len() < u32::MAX as usize, "more than 4 billion input files: split the run");
    let (ids, files): (Vec<u32>, Vec<InputFile>) = match cfg.shard {
        None => ((0..all_files.len() as u32).collect(), all_files),
        Some(_) => (0u32..).zip(all_files).filter(|(_, f)| owns(&f.rel)).unzip(),
    };
    if cfg.shard.is_some() {
        preread.files.get_mut().expect("no holder panicked").retain(|rel, _| owns(rel));
        preread.archives.get_mut().expect("no holder panicked").retain(|rel, _| owns(rel));
    }

    let state_spill = match (&cfg.state, cfg.shard) {
        (Some(dir), None) => Some(state::spill_for_run(dir, previous.as_ref())?),
        _ => None,
    };
    let spill_path = match (&state_spill, cfg.shard) {
        (_, Some(_)) => staged.tmp.join(shard::SPILL),
        (Some(s), None) => s.path.clone(),
        (None, None) => staged.tmp.join(".articles.spill"),
    };
    let append_at = state_spill.as_ref().and_then(|s| s.append_at);
    // Earlier results are reused whatever chrome was learned this time: a file is processed again only if
    // one of its lines or paragraphs changed its chrome decision.
    let reuse = previous.as_ref();
    // A single-machine build signs each article in the map; a shard leaves that to `merge`.
    let keys_path = staged.tmp.join(KEYS_SPILL);
    let keep_sigs = cfg.state.is_some() && cfg.shard.is_none();
    let (mut output, signed) = files::map_files(
        (&files, &ids),
        (&chrome, preread),
        reuse,
        (&spill_path, append_at),
        cfg.shard.is_none().then_some(keys_path.as_path()),
        keep_sigs,
        cfg,
    )?;
    // Paths that could not even be walked are inputs too: each is one reject.
    output.inputs += walk_rejects.len() as u64;
    output.rejects.extend(walk_rejects);
    drop(files); // the state's own list of files is in the map output
    clock.mark("map");

    let summary = if let (Some(s), Some(run)) = (cfg.shard, run_id) {
        shard::save(&staged.tmp, s, run, &output)?;
        // The shard's manifest: its counts and timings, and (moved in last) its completion marker.
        clock.mark("write_shard");
        let manifest = json!({
            "tool": "rferl-corpus",
            "version": env!("CARGO_PKG_VERSION"),
            "arguments": cfg.arguments,
            "shard": s.to_string(),
            "counts": {
                "files": output.files,
                "inputs": output.inputs,
                "articles": output.entries.len(),
                "rejects": output.rejects.len(),
                "accounted": output.inputs == (output.entries.len() + output.rejects.len()) as u64,
            },
            "seconds_per_stage": clock.to_json(),
            "cpu_seconds_per_stage": clock.cpu_json(),
        });
        write::write_json(&manifest, &staged.tmp.join("manifest.json"))?;
        staged.commit()?;
        if !cfg.quiet {
            eprintln!(
                "rferl-corpus: shard {s}: {} files → {} articles + {} rejects → {} (run `rferl-corpus merge` over all {} shards)",
                output.files,
                output.entries.len(),
                output.rejects.len(),
                cfg.out.display(),
                s.count
            );
        }
        Summary {
            files: output.files,
            inputs: output.inputs,
            articles: output.entries.len() as u64,
            rejects: output.rejects.len() as u64,
            reused_files: output.reused_files,
            ..Default::default()
        }
    } else {
        // Sentence links of pairs aligned before are reused whatever the chrome: they depend on the two
        // texts and languages alone, which their key holds.
        // So are the lessons of the pairs that taught the lexicon (made without one).
        let mut store = match (&cfg.state, &state_spill) {
            (Some(dir), Some(spill)) => Some(state::LinkStore::create(dir, spill.generation, previous.as_ref())?),
            _ => None,
        };
        // Rows of reused articles are copied from the previous run's CSV tables when their cells are the same.
        let prev_tables = previous.as_ref().and_then(|p| p.tables(cfg.csv.spreadsheet_safe));
        // ... and unchanged Parquet row groups from its Parquet files.
        let prev_groups = previous.as_ref().and_then(|p| p.parquet_groups());
        // The previous state's per-file records (hundreds of MB at a million files) are not needed past the
        // map: what the reduce reuses was taken above.
        drop(previous);
        let reuse = Reuse { store: store.as_mut(), tables: prev_tables.as_ref(), groups: prev_groups.as_ref() };
        let (summary, kept) =
            reduce_and_write(std::slice::from_ref(&output), signed, reuse, &staged.tmp, cfg, &mut clock, started)?;
        if let (Some(dir), Some(links)) = (&cfg.state, store) {
            let Kept { rows, groups } = kept;
            let written = state::Written {
                links,
                rows,
                groups,
                tables_dir: &staged.tmp,
                spreadsheet_safe: cfg.csv.spreadsheet_safe,
            };
            let spill = state_spill.as_ref().context("a state build has a state spill")?;
            let files = output.state.take().context("a state build keeps its files' records")?;
            state::save(dir, spill, &chrome, sample_lines, files, &output, written)?;
        } else {
            std::fs::remove_file(&spill_path).ok();
        }
        staged.commit()?;
        summary
    };
    Ok(summary)
}

/// A pair's key in the state's links store (for its lesson, or for its links).
type PairKeyOf<'a> = &'a (dyn Fn(&align::Pair) -> u128 + Sync);

/// Sentence alignment's first pass (see `align::lexicon`): the pairs, in output order, aligned without a
/// lexicon, teach one. Once a language pair has taught all it can keep, its later pairs are skipped, so
/// this pass costs a bounded amount per language pair, and a large corpus that grows at the end keeps its
/// lexicon (and its cached sentence links).
///
/// With `cache` (an incremental build: the state's links store and each pair's key), a pair whose lesson is
/// stored reuses it instead of being read and aligned again, and the lessons of this run's teaching pairs
/// are kept in the store; returns the lexicon and the number of lessons reused.
fn learn_lexicon(
    pairs: &[align::Pair],
    briefs: &[tables::Brief],
    fetch: &(dyn Fn(usize) -> Result<Article> + Sync),
    mut cache: Option<(&mut state::LinkStore, PairKeyOf)>,
) -> Result<(align::Lexicon, u64)> {
    let mut builder = align::LexiconBuilder::default();
    let mut reused = 0u64;
    for chunk in pairs.chunks(WRITE_CHUNK) {
        let todo: Vec<&align::Pair> =
            chunk.iter().filter(|p| builder.wants(&briefs[p.a].lang, &briefs[p.b].lang)).collect();
        let keys: Vec<Option<u128>> = todo.iter().map(|p| cache.as_ref().map(|(_, key)| key(p))).collect();
        // Stored lessons, read and checked in parallel (with their records, to keep).
        let store = cache.as_ref().map(|(s, _)| &**s);
        let mut hits: Vec<Option<(align::Lesson, Vec<u8>)>> =
            keys.par_iter().map(|k| store.zip(*k).and_then(|(s, k)| s.lesson(k))).collect();
        let misses: Vec<&align::Pair> = todo.iter().zip(&hits).filter(|(_, h)| h.is_none()).map(|(p, _)| *p).collect();
        reused += (todo.len() - misses.len()) as u64;
        let sides = sentence_sides(&misses, fetch)?;
        let keeping = cache.is_some();
        let lessons: Vec<(align::Lesson, Option<Vec<u8>>)> = todo
            .par_iter()
            .zip(&mut hits)
            .map(|(p, hit)| {
                if let Some((lesson, record)) = hit.take() {
                    return (lesson, Some(record));
                }
                let (a, b) = (&sides[&p.a], &sides[&p.b]);
                let (la, lb) = (&briefs[p.a].lang, &briefs[p.b].lang);
                let links = align::draft_sentence_links(a, la, b, lb);
                let lesson = align::Lesson::new(a.stems(), la, b.stems(), lb, &links);
                let record = keeping.then(|| state::lesson_record(&lesson));
                (lesson, record)
            })
            .collect();
        // In pair order, whatever the thread count: what is learned must not depend on it.
        for ((lesson, record), key) in lessons.into_iter().zip(keys) {
            builder.add(&lesson);
            if let (Some((store, _)), Some(key), Some(record)) = (cache.as_mut(), key, record) {
                store.keep_lesson(key, &record)?;
            }
        }
    }
    Ok((builder.build(), reused))
}

/// Sentence alignment's second pass: each pair's links under the learned lexicon, written to
/// `sentence_alignments` in pair order. With `cache` (an incremental build: the state's links store and each
/// pair's key, as for [`learn_lexicon`]), a pair's stored links are reused while the learned word pairs both
/// its sides hold are unchanged, and this run's links are kept for the next run. Returns how many pairs'
/// links were reused.
fn write_sentence_links(
    dir: &Path,
    cfg: &BuildConfig,
    (pairs, briefs, lexicon): (&[align::Pair], &[tables::Brief], &align::Lexicon),
    fetch: &(dyn Fn(usize) -> Result<Article> + Sync),
    mut cache: Option<(&mut state::LinkStore, PairKeyOf)>,
) -> Result<u64> {
    let mut link_w = TableWriter::create(dir, &tables::sentence_alignments(&[]), cfg.formats, cfg.csv)?;
    let mut reused_links = 0u64;
    for chunk in pairs.chunks(WRITE_CHUNK) {
        // Each pair's cache key (with `--state`) beside its links: made once, used for the look-up and kept.
        let keys: Vec<Option<u128>> = chunk.iter().map(|p| cache.as_ref().map(|(_, key)| key(p))).collect();
        let store = cache.as_ref().map(|(s, _)| &**s);
        // A stored pair's links still hold when the learned word pairs both its sides hold are the same.
        let mut hits: Vec<Option<(Vec<align::SentenceLink>, Vec<u8>)>> = chunk
            .par_iter()
            .zip(&keys)
            .map(|(p, k)| {
                let (record, bytes) = store.zip(*k).and_then(|(s, k)| s.link(k))?;
                let (a, b) = (&briefs[p.a], &briefs[p.b]);
                let (sa, sb) = &record.stems;
                (lexicon.relevant(&a.lang, &b.lang, sa, sb) == record.relevant).then_some((record.links, bytes))
            })
            .collect();
        let misses: Vec<&align::Pair> = chunk.iter().zip(&hits).filter(|(_, h)| h.is_none()).map(|(p, _)| p).collect();
        reused_links += (chunk.len() - misses.len()) as u64;
        let sides = sentence_sides(&misses, fetch)?;
        let keeping = store.is_some();
        let made: Vec<_> = chunk
            .par_iter()
            .zip(&mut hits)
            .map(|(p, hit)| {
                let (a, b) = (&briefs[p.a], &briefs[p.b]);
                let (ls, record) = match hit.take() {
                    Some((ls, record)) => (ls, Some(record)),
                    None => {
                        let (sa, sb) = (&sides[&p.a], &sides[&p.b]);
                        let ls = align::align_sides(sa, &a.lang, sb, &b.lang, lexicon);
                        let record = keeping.then(|| {
                            let (ha, hb) = (align::stem_hashes(sa.stems()), align::stem_hashes(sb.stems()));
                            let relevant = lexicon.relevant(&a.lang, &b.lang, &ha, &hb);
                            state::link_record(relevant, (&ha, &hb), &ls)
                        });
                        (ls, record)
                    }
                };
                ((a.doc_id.clone(), b.doc_id.clone(), ls), record)
            })
            .collect();
        let (links, records): (Vec<_>, Vec<_>) = made.into_iter().unzip();
        link_w.write(&tables::sentence_alignments(&links))?;
        if let Some((store, _)) = cache.as_mut() {
            for (key, record) in keys.into_iter().zip(records) {
                if let (Some(key), Some(record)) = (key, record) {
                    store.keep_link(key, &record)?;
                }
            }
        }
    }
    link_w.finish()?;
    Ok(reused_links)
}

/// The sentences of the articles in `pairs` as the aligner reads them, each article fetched, split and
/// keyed once however many of the pairs it is in.
fn sentence_sides(
    pairs: &[&align::Pair],
    fetch: &(dyn Fn(usize) -> Result<Article> + Sync),
) -> Result<std::collections::HashMap<usize, align::SentenceSide>> {
    let mut ids: Vec<usize> = pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.par_iter()
        .map(|&k| {
            let a = fetch(k)?;
            let sentences = normalise::split_sentences(&a.text, &a.lang);
            Ok((k, align::SentenceSide::new(&sentences, &a.lang)))
        })
        .collect()
}

/// What the reduce leaves for the state of an incremental build (empty otherwise).
#[derive(Default)]
struct Kept {
    /// Per article in output order, its rows in the CSV tables.
    rows: Vec<state::Rows>,
    groups: Option<articles::GroupPrints>,
}

/// What a rerun with `--state` brings from the previous run to the reduce (nothing in a full build or a
/// merge).
#[derive(Default)]
struct Reuse<'a> {
    /// The state's sentence links and lessons: earlier runs' are reused, this run's are kept there. With it,
    /// each article's rows in the CSV tables are returned for the state.
    store: Option<&'a mut state::LinkStore>,
    /// The previous run's CSV tables, to copy the rows of reused articles from (`parts[0].prev_rows` says
    /// where they are).
    tables: Option<&'a state::PrevTables>,
    /// The previous run's Parquet files of articles and sentences, to copy unchanged row groups from.
    groups: Option<&'a articles::PrevGroups>,
}

/// The corpus-wide steps and the writers, over one or more map outputs. `signed`: the articles' signatures
/// if the map made them (used when the map's order is the output order, as in a single-machine build).
fn reduce_and_write(
    parts: &[MapOutput],
    signed: Option<Signatures>,
    reuse: Reuse,
    dir: &Path,
    cfg: &BuildConfig,
    clock: &mut Clock,
    started: Instant,
) -> Result<(Summary, Kept)> {
    let Reuse { mut store, tables: prev_tables, groups: prev_groups } = reuse;
    let readers = parts.iter().map(|p| SpillReader::open(&p.spill)).collect::<Result<Vec<_>>>()?;
    // Global input order across parts.
    let mut order: Vec<(usize, usize)> =
        parts.iter().enumerate().flat_map(|(pi, p)| (0..p.entries.len()).map(move |ei| (pi, ei))).collect();
    order.par_sort_by_key(|&(pi, ei)| {
        let e = &parts[pi].entries[ei];
        (e.file, e.record)
    });
    let fetch = |k: usize| -> Result<Article> {
        let (pi, ei) = order[k];
        readers[pi].get(parts[pi].entries[ei].offset)
    };
    // The map's signatures serve when the map's order is the output order: always in a single-machine build
    // (files sorted by relative path, records in file order), but checked rather than assumed. Otherwise (a
    // merge) every article is signed from the spill, in output order.
    let in_map_order = order.iter().enumerate().all(|(k, &(pi, ei))| pi == 0 && ei == k);
    let mut sigs = match signed {
        Some(s) if in_map_order && s.feats.len() == order.len() => s,
        other => {
            drop(other); // its key spill has the path the new one gets
            let mut sigs = Signatures::create(&dir.join(KEYS_SPILL), order.len())?;
            for start in (0..order.len()).step_by(WRITE_CHUNK) {
                let end = (start + WRITE_CHUNK).min(order.len());
                let chunk = (start..end).into_par_iter().map(|k| Ok(sign(&fetch(k)?))).collect::<Result<Vec<_>>>()?;
                for s in chunk {
                    sigs.push(s)?;
                }
            }
            sigs
        }
    };
    clock.mark("signatures");

    // Text hashes identify a pair's texts in the sentence-link cache.
    let text_hash: Vec<u64> = match store {
        Some(_) => sigs.dup.iter().map(|d| d.hash).collect(),
        None => Vec::new(),
    };
    let files: Vec<u32> = order.iter().map(|&(pi, ei)| parts[pi].entries[ei].file).collect();
    let dup_of = dedup::find_duplicates(&std::mem::take(&mut sigs.dup), &files);
    drop(files);
    clock.mark("dedup");
    let (feats, briefs) = sigs.finish(&dup_of, WRITE_CHUNK)?;
    clock.mark("key_counts");
    let aligned = align::align(&feats, &dup_of);
    drop(feats);
    let mut members: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, s) in aligned.story_of.iter().enumerate() {
        if let Some(s) = s {
            members.entry(*s).or_default().push(i);
        }
    }
    let mut story_of: Vec<Option<usize>> = vec![None; briefs.len()];
    let mut story_ids: Vec<String> = Vec::new();
    for m in members.values().filter(|m| m.len() >= 2) {
        // A story's id is derived from its first version, so it is the same in every run.
        story_ids.push(format!("s{}", briefs[m[0]].doc_id));
        for &i in m {
            story_of[i] = Some(story_ids.len() - 1);
        }
    }
    clock.mark("align");

    // Articles and sentences, streamed from the spill in input order (see `articles`).
    let ident: Vec<u64> = parts[0].state.iter().flat_map(|f| f.articles()).map(|a| a.check).collect();
    let prev_rows = match prev_tables {
        Some(t) if in_map_order && parts[0].prev_rows.len() == order.len() => Some((t, &parts[0].prev_rows[..])),
        _ => None,
    };
    let incr = articles::Incremental { ident: &ident, prev_rows, prev_groups };
    // The previous run's files are used only where this run's order and records are known per article.
    let incr = (store.is_some() && in_map_order && ident.len() == order.len()).then_some(&incr);
    let bar = progress(cfg, order.len() as u64, "writing");
    let corpus = articles::Corpus {
        fetch: &fetch,
        briefs: &briefs,
        dup_of: &dup_of,
        story_of: &story_of,
        story_ids: &story_ids,
    };
    let layout = articles::Layout { formats: cfg.formats, csv: cfg.csv, group_mean: cfg.row_group_articles };
    let written = articles::write(dir, layout, &corpus, incr, &bar)?;
    let articles::Written { by_lang, story_rows, rows, groups, copied_groups } = written;
    bar.finish_and_clear();
    clock.mark("write_articles");

    // Pairs and their sentence links.
    write_table(dir, cfg, &tables::alignments(&briefs, &aligned.pairs, &aligned.copies))?;
    let lesson_key = |p: &align::Pair| -> u128 {
        let (a, b) = (&briefs[p.a], &briefs[p.b]);
        state::lesson_key((&a.doc_id, &b.doc_id), (&a.lang, &b.lang), (text_hash[p.a], text_hash[p.b]))
    };
    let lessons_cache = store.as_deref_mut().map(|s| (s, &lesson_key as PairKeyOf));
    let (lexicon, reused_lessons) = learn_lexicon(&aligned.pairs, &briefs, &fetch, lessons_cache)?;
    clock.mark("learn_lexicon");
    let link_key = |p: &align::Pair| -> u128 {
        let (a, b) = (&briefs[p.a], &briefs[p.b]);
        state::link_key((&a.doc_id, &b.doc_id), (&a.lang, &b.lang), (text_hash[p.a], text_hash[p.b]))
    };
    let links_cache = store.map(|s| (s, &link_key as PairKeyOf));
    let reused_links = write_sentence_links(dir, cfg, (&aligned.pairs, &briefs, &lexicon), &fetch, links_cache)?;
    clock.mark("align_sentences");

    let mut story_rows: Vec<tables::StoryRow> = story_rows.into_values().collect();
    for r in &mut story_rows {
        r.languages.sort();
    }
    story_rows.sort_by(|a, b| a.story_id.cmp(&b.story_id));
    write_table(dir, cfg, &tables::stories(&story_rows))?;
    write_table(dir, cfg, &tables::lexicon(&lexicon.entries()))?;
    let mut rejects: Vec<Reject> = parts.iter().flat_map(|p| p.rejects.iter().cloned()).collect();
    rejects.sort_by(|a, b| (&a.source_file, a.record).cmp(&(&b.source_file, b.record)));
    write_table(dir, cfg, &tables::rejects(&rejects))?;
    clock.mark("write");

    let summary = Summary {
        files: parts.iter().map(|p| p.files).sum(),
        inputs: parts.iter().map(|p| p.inputs).sum(),
        articles: briefs.len() as u64,
        rejects: rejects.len() as u64,
        duplicates: dup_of.iter().filter(|d| d.is_some()).count() as u64,
        stories: story_ids.len() as u64,
        alignments: (aligned.pairs.len() + aligned.copies.len()) as u64,
        languages: by_lang.len() as u64,
        reused_files: parts.iter().map(|p| p.reused_files).sum(),
        lexicon_word_pairs: lexicon.len() as u64,
        reused_sentence_links: reused_links,
        reused_lessons,
        copied_row_groups: copied_groups.0 + copied_groups.1,
    };
    write_manifest(dir, cfg, &summary, &rejects, &by_lang, clock, started)?;
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
    Ok((summary, Kept { rows, groups }))
}

fn write_table(dir: &Path, cfg: &BuildConfig, table: &write::Table) -> Result<()> {
    let mut w = TableWriter::create(dir, table, cfg.formats, cfg.csv)?;
    w.write(table)?;
    w.finish().map(drop)
}

fn write_manifest(
    dir: &Path,
    cfg: &BuildConfig,
    s: &Summary,
    rejects: &[Reject],
    by_lang: &BTreeMap<String, u64>,
    clock: &mut Clock,
    started: Instant,
) -> Result<()> {
    let mut by_reason: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rejects {
        *by_reason.entry(r.reason.as_str()).or_insert(0) += 1;
    }
    clock.timings.insert("total".into(), started.elapsed().as_secs_f64());
    clock.cpu.insert("total".into(), process_cpu_seconds());
    let languages: BTreeSet<&String> = by_lang.keys().collect();
    let manifest = json!({
        "tool": "rferl-corpus",
        "version": env!("CARGO_PKG_VERSION"),
        "arguments": cfg.arguments,
        "counts": {
            "files": s.files,
            "inputs": s.inputs,
            "articles": s.articles,
            "rejects": s.rejects,
            "accounted": s.inputs == s.articles + s.rejects,
            "duplicates": s.duplicates,
            "stories": s.stories,
            "alignments": s.alignments,
            "lexicon_word_pairs": s.lexicon_word_pairs,
            "languages": languages.len(),
        },
        "rejects_by_reason": by_reason,
        "articles_by_language": by_lang,
        "reused_files": s.reused_files,
        "reused_sentence_links": s.reused_sentence_links,
        "reused_lessons": s.reused_lessons,
        "copied_row_groups": s.copied_row_groups,
        "seconds_per_stage": clock.to_json(),
        "cpu_seconds_per_stage": clock.cpu_json(),
    });
    write::write_json(&manifest, &dir.join("manifest.json"))
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
