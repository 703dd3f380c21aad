//! Sharding: `build --shard i/n` runs the map over a deterministic part of the inputs and leaves its spill
//! and rejects for `merge`, which runs the corpus-wide steps over all shards. Any scheduler that runs N copies
//! of a command (Slurm job arrays, Kubernetes Indexed Jobs) can run a build this way (docs/scaling.md).
//!
//! A file belongs to shard `hash(path) mod n`, so shards never overlap and need no coordination; the chrome
//! sample is chosen over all inputs, so every shard learns the same chrome and the merged output equals a
//! single-machine run.

use super::{Entry, MapOutput};
use crate::model::Reject;
use crate::write::{Formats, TableWriter};
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use xxhash_rust::xxh3::xxh3_64;

/// The spill file of a shard, inside its output folder.
pub const SPILL: &str = "shard.spill";
const INDEX: &str = "shard.index";
/// The chrome is learned from about this many files, whatever the corpus size.
pub const SAMPLE_TARGET: u64 = 50_000;

/// `i/n`: shard `i` (0-based) of `n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// Whether the file at this relative path belongs to this shard.
    pub fn owns(&self, rel: &str) -> bool {
        xxh3_64(rel.as_bytes()) % self.count as u64 == self.index as u64
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (i, n) = s.split_once('/').ok_or_else(|| format!("shard {s:?}: expected i/n, e.g. 0/4"))?;
        let index: u32 = i.trim().parse().map_err(|_| format!("shard {s:?}: {i:?} is not a number"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("shard {s:?}: {n:?} is not a number"))?;
        if count == 0 || index >= count {
            return Err(format!("shard {s:?}: need 0 <= i < n"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// Whether a file is in the sample the chrome is learned from: every file up to [`SAMPLE_TARGET`] files, else
/// a share of them chosen by a hash of the path (so the choice never depends on order, threads or shard).
pub fn in_chrome_sample(rel: &str, total: u64) -> bool {
    in_chrome_sample_hash(xxh3_64(rel.as_bytes()), total)
}

/// [`in_chrome_sample`] of a path given by its `xxh3_64` hash.
pub fn in_chrome_sample_hash(hash: u64, total: u64) -> bool {
    total <= SAMPLE_TARGET || hash <= (u64::MAX / total).saturating_mul(SAMPLE_TARGET)
}

/// What makes shards parts of one run: every shard of a run walks the same inputs with the same program and
/// read limits. `merge` refuses shards whose runs differ, since their union would match no single-machine
/// build: a shard left over from last night's run beside tonight's, a node still on the old release, a file
/// renamed between two tasks' starts (the file count alone would not show it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunId {
    /// A hash of every input's relative path, in order (files and paths that could not be walked).
    pub inputs: u64,
    /// The program's version and the size of its executable (another build of the same version almost always
    /// differs in size; a modification time would differ between copies of one build on different nodes).
    pub program: String,
    /// `--max-file-bytes`, which decides which inputs are rejects.
    pub max_file_bytes: u64,
}

impl RunId {
    pub fn new(files: &[crate::read::InputFile], walk_rejects: &[Reject], max_file_bytes: u64) -> RunId {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for rel in files.iter().map(|f| f.rel.as_str()).chain(walk_rejects.iter().map(|r| r.source_file.as_str())) {
            h.update(rel.as_bytes());
            h.update(b"\0");
        }
        let exe = std::env::current_exe().and_then(fs::metadata).map_or(0, |m| m.len());
        RunId { inputs: h.digest(), program: format!("{} ({exe} bytes)", env!("CARGO_PKG_VERSION")), max_file_bytes }
    }

    /// What differs between two runs, in words (empty when they are the same run).
    fn differences(&self, other: &RunId) -> Vec<&'static str> {
        let mut d = Vec::new();
        if self.inputs != other.inputs {
            d.push("the input files");
        }
        if self.program != other.program {
            d.push("the program");
        }
        if self.max_file_bytes != other.max_file_bytes {
            d.push("--max-file-bytes");
        }
        d
    }
}

/// The version of the shard index's layout: shards of another layout are refused, not misread.
const INDEX_VERSION: u32 = 3;

#[derive(Serialize, Deserialize)]
struct Index {
    version: u32,
    shard: Shard,
    run: RunId,
    files: u64,
    inputs: u64,
    entries: Vec<Entry>,
    rejects: Vec<Reject>,
}

/// A shard's map output as loaded by `merge`.
pub struct ShardPart {
    pub shard: Shard,
    pub run: RunId,
    pub output: MapOutput,
}

/// Writes a shard's index beside its spill, and its articles as Hive-partitioned Parquet
/// (`articles/lang=<code>/part-<i>.parquet`, without `dup_of`/`story_id`, which only `merge` knows).
pub fn save(dir: &Path, shard: Shard, run: RunId, out: &MapOutput) -> Result<()> {
    let index = Index {
        version: INDEX_VERSION,
        shard,
        run,
        files: out.files,
        inputs: out.inputs,
        entries: out.entries.clone(),
        rejects: out.rejects.clone(),
    };
    fs::write(dir.join(INDEX), postcard::to_stdvec(&index)?).context("cannot write the shard index")?;
    // Articles stream from the spill one language and one chunk at a time: a shard holds no more text in
    // memory than a single-machine build does (the first pass keeps only each article's spill offset).
    let reader = super::spill::SpillReader::open(&out.spill)?;
    let mut by_lang: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for chunk in out.entries.chunks(super::WRITE_CHUNK) {
        let langs = chunk.par_iter().map(|e| Ok(reader.get(e.offset)?.lang)).collect::<Result<Vec<_>>>()?;
        for (e, lang) in chunk.iter().zip(langs) {
            by_lang.entry(lang).or_default().push(e.offset);
        }
    }
    // Hive style: the partition column lives in the path, not in the file.
    let without_lang = |mut t: crate::write::Table| {
        t.columns.retain(|c| c.name != "lang");
        t
    };
    let template = without_lang(super::tables::articles(Vec::new()));
    for (lang, offsets) in by_lang {
        let part = dir.join("articles").join(format!("lang={lang}"));
        fs::create_dir_all(&part)?;
        let mut w = TableWriter::create(&part, &template, Formats { csv: false, parquet: true }, Default::default())?;
        for chunk in offsets.chunks(super::WRITE_CHUNK) {
            let articles = chunk.par_iter().map(|&o| reader.get(o)).collect::<Result<Vec<_>>>()?;
            w.write(&without_lang(super::tables::articles(articles)))?;
        }
        w.finish()?;
        fs::rename(part.join("articles.parquet"), part.join(format!("part-{:05}.parquet", shard.index)))?;
    }
    Ok(())
}

/// Loads a shard output folder written by `build --shard`.
pub fn load(dir: &Path) -> Result<ShardPart> {
    let bytes = fs::read(dir.join(INDEX)).with_context(|| {
        format!("{} is not a shard output (no {INDEX}; run `build --shard i/n` first)", dir.display())
    })?;
    // The version leads the encoding, so an index of another layout is recognised before it is decoded.
    let version = postcard::take_from_bytes::<u32>(&bytes).map(|(v, _)| v);
    if version.as_ref().is_ok_and(|&v| v != INDEX_VERSION) {
        bail!("{}: shard written by another version of rferl-corpus; rebuild the shards", dir.display());
    }
    let index: Index =
        postcard::from_bytes(&bytes).with_context(|| format!("{}: shard index is corrupt", dir.display()))?;
    Ok(ShardPart {
        shard: index.shard,
        run: index.run,
        output: MapOutput {
            spill: PathBuf::from(dir).join(SPILL),
            entries: index.entries,
            rejects: index.rejects,
            files: index.files,
            inputs: index.inputs,
            reused_files: 0,
            state: None,
            prev_rows: Vec::new(),
            spill_len: 0,
            spill_live: 0,
        },
    })
}

/// Refuses to merge an incomplete or mixed set of shards: a silently missing shard would lose records.
pub fn check_complete(parts: &[ShardPart]) -> Result<()> {
    let Some(first) = parts.first() else { bail!("merge needs at least one shard folder") };
    let n = first.shard.count;
    let mut seen = vec![false; n as usize];
    for p in parts {
        let differences = p.run.differences(&first.run);
        if !differences.is_empty() {
            bail!(
                "shards come from different runs (shard {} vs {}: {} differ): rebuild them all with the same inputs, \
                 program and options",
                p.shard,
                first.shard,
                differences.join(", ")
            );
        }
        if p.shard.count != n {
            bail!(
                "shards come from different runs (shard {} vs {}): rebuild them all with the same n in --shard i/n",
                p.shard,
                first.shard
            );
        }
        if std::mem::replace(&mut seen[p.shard.index as usize], true) {
            bail!("shard {} given twice", p.shard);
        }
    }
    let missing: Vec<String> = seen.iter().enumerate().filter(|(_, s)| !**s).map(|(i, _)| format!("{i}/{n}")).collect();
    if !missing.is_empty() {
        bail!("missing shards: {} (every shard of the run must be merged)", missing.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_inputs() {
        let shards: Vec<Shard> = (0..3).map(|i| Shard { index: i, count: 3 }).collect();
        for k in 0..200 {
            let rel = format!("dir/{k:05}.txt");
            assert_eq!(shards.iter().filter(|s| s.owns(&rel)).count(), 1);
        }
    }

    fn part(index: u32, run: &RunId) -> ShardPart {
        ShardPart { shard: Shard { index, count: 2 }, run: run.clone(), output: MapOutput::default() }
    }

    #[test]
    fn shards_of_different_runs_are_refused_with_what_differs() {
        let files = |names: &[&str]| -> Vec<crate::read::InputFile> {
            names.iter().map(|n| crate::read::InputFile { rel: n.to_string(), path: PathBuf::from(n) }).collect()
        };
        let run = RunId::new(&files(&["a.txt", "b.txt"]), &[], 100);
        assert_eq!(run, RunId::new(&files(&["a.txt", "b.txt"]), &[], 100), "the same run twice");
        assert!(check_complete(&[part(0, &run), part(1, &run)]).is_ok());
        // The same run cut into another number of shards.
        let thirds = ShardPart { shard: Shard { index: 1, count: 3 }, ..part(1, &run) };
        let err = check_complete(&[part(0, &run), thirds]).unwrap_err().to_string();
        assert!(err.contains("different runs (shard 1/3 vs 0/2)"), "{err}");
        // A renamed file keeps the count but not the inputs; another limit; another program.
        let renamed = RunId::new(&files(&["a.txt", "c.txt"]), &[], 100);
        let limit = RunId { max_file_bytes: 200, ..run.clone() };
        let program = RunId { program: "0.0.9 (1 bytes)".into(), ..run.clone() };
        for (other, what) in
            [(renamed, "the input files differ"), (limit, "--max-file-bytes differ"), (program, "the program differ")]
        {
            let err = check_complete(&[part(0, &run), part(1, &other)]).unwrap_err().to_string();
            assert!(err.contains(what) && err.contains("shard 1/2 vs 0/2"), "{err}");
        }
        // Paths that could not be walked are inputs too.
        let reject = Reject::new("gone", None, crate::model::RejectReason::Unreadable, "x");
        assert_ne!(
            RunId::new(&files(&["a.txt"]), &[reject], 100).inputs,
            RunId::new(&files(&["a.txt"]), &[], 100).inputs
        );
    }

    #[test]
    fn shard_specs_are_checked() {
        assert_eq!("2/4".parse::<Shard>().unwrap(), Shard { index: 2, count: 4 });
        assert!("4/4".parse::<Shard>().is_err());
        assert!("x/4".parse::<Shard>().is_err());
        assert!("1".parse::<Shard>().is_err());
    }

    #[test]
    fn the_chrome_sample_is_everything_for_small_corpora_and_a_share_for_large() {
        assert!((0..100).all(|k| in_chrome_sample(&k.to_string(), 1000)));
        let n = 1_000_000u64;
        let taken = (0..200_000).filter(|k| in_chrome_sample(&k.to_string(), n)).count() as f64;
        let expected = 200_000.0 * SAMPLE_TARGET as f64 / n as f64;
        assert!((taken - expected).abs() < expected * 0.1, "{taken} vs {expected}");
    }
}
