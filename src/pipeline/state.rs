//! Incremental state (`build --state DIR`): what a rerun needs to process only new or changed inputs and
//! still write exactly what a full rebuild would.
//!
//! The state keeps, per input file, its fingerprint (size and modification time), where its articles sit in
//! the state's spill file, and its rejects; per chrome-sample file, its line hashes; and the chrome decisions
//! the articles were extracted with. A rerun reuses a file's articles when the fingerprint is unchanged *and*
//! the chrome decisions learned this time are the same (otherwise every page could extract differently, so
//! everything is processed again). The corpus-wide steps (duplicates, alignment, stories) and the writers
//! always run over the whole corpus, because one new article can change another's `dup_of` or `story_id`.
//!
//! The state is replaced atomically: a new spill file under a new name, then `state.bin` renamed over the
//! old one, then the old spill removed. A run killed midway leaves the previous state usable.

use super::spill::SpillReader;
use super::MapOutput;
use crate::extract::ChromeModel;
use crate::model::Reject;
use crate::read::InputFile;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const STATE: &str = "state.bin";
const VERSION: u32 = 2;

/// Size in bytes, modification time (seconds, nanoseconds).
pub type Fingerprint = Option<(u64, i64, u32)>;

pub fn fingerprint(path: &Path) -> Fingerprint {
    let m = fs::metadata(path).ok()?;
    let t = m.modified().ok()?;
    let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some((m.len(), d.as_secs() as i64, d.subsec_nanos()))
}

/// A chrome-sample file's line hashes, one per text record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleLines {
    pub fingerprint: Fingerprint,
    pub hashes: Vec<crate::extract::FileLines>,
}

/// What the previous run made of one file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileState {
    pub fingerprint: Fingerprint,
    /// (record, offset in the state's spill) of each article.
    pub entries: Vec<(u32, u64)>,
    pub rejects: Vec<Reject>,
    pub inputs: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct Stored {
    version: u32,
    generation: u64,
    spill: String,
    chrome: Vec<u64>,
    files: BTreeMap<String, FileState>,
    samples: BTreeMap<String, SampleLines>,
}

/// A loaded state.
pub struct State {
    dir: PathBuf,
    stored: Stored,
    /// The chrome decisions the stored articles were extracted with.
    pub chrome: Vec<u64>,
}

impl State {
    /// Loads the state in `dir`; `None` when there is none yet (or it is from another version, which is
    /// then rebuilt from scratch).
    pub fn load(dir: &Path) -> Result<Option<State>> {
        let path = dir.join(STATE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        match postcard::from_bytes::<Stored>(&bytes) {
            Ok(stored) if stored.version == VERSION && dir.join(&stored.spill).exists() => {
                Ok(Some(State { dir: dir.to_path_buf(), chrome: stored.chrome.clone(), stored }))
            }
            _ => {
                eprintln!(
                    "rferl-corpus: note: {} is from another version or incomplete; rebuilding it",
                    path.display()
                );
                Ok(None)
            }
        }
    }

    pub fn sample_lines(&self, rel: &str, fp: Fingerprint) -> Option<&SampleLines> {
        self.stored.samples.get(rel).filter(|s| fp.is_some() && s.fingerprint == fp)
    }

    /// The previous results for a file, if it has not changed since.
    pub fn unchanged(&self, rel: &str, fp: Fingerprint) -> Option<&FileState> {
        self.stored.files.get(rel).filter(|f| fp.is_some() && f.fingerprint == fp)
    }

    pub fn spill_reader(&self) -> Result<SpillReader> {
        SpillReader::open(&self.dir.join(&self.stored.spill))
    }
}

fn generation(dir: &Path) -> u64 {
    fs::read(dir.join(STATE))
        .ok()
        .and_then(|b| postcard::from_bytes::<Stored>(&b).ok())
        .map(|s| s.generation)
        .unwrap_or(0)
}

/// Where this run writes its spill: a new name, so the previous state stays whole until the new one is saved.
pub fn next_spill_path(dir: &Path) -> Result<PathBuf> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create state folder {}", dir.display()))?;
    Ok(dir.join(format!("articles-{}.spill", generation(dir) + 1)))
}

/// Saves this run's results as the new state.
pub fn save(
    dir: &Path,
    chrome: &ChromeModel,
    samples: &BTreeMap<String, SampleLines>,
    files: &[InputFile],
    out: &MapOutput,
) -> Result<()> {
    let generation = generation(dir) + 1;
    let spill = format!("articles-{generation}.spill");
    let mut per_file: BTreeMap<String, FileState> = BTreeMap::new();
    for f in files {
        per_file.insert(
            f.rel.clone(),
            FileState { fingerprint: fingerprint(&f.path), entries: Vec::new(), rejects: Vec::new(), inputs: 0 },
        );
    }
    for e in &out.entries {
        if let Some(f) = per_file.get_mut(&e.source_file) {
            f.entries.push((e.record, e.offset));
            f.inputs += 1;
        }
    }
    for r in &out.rejects {
        if let Some(f) = per_file.get_mut(&r.source_file) {
            f.rejects.push(r.clone());
            f.inputs += 1;
        }
    }
    let old_spill =
        fs::read(dir.join(STATE)).ok().and_then(|b| postcard::from_bytes::<Stored>(&b).ok()).map(|s| s.spill);
    let stored = Stored {
        version: VERSION,
        generation,
        spill,
        chrome: chrome.decisions(),
        files: per_file,
        samples: samples.clone(),
    };
    let tmp = dir.join(format!("{STATE}.next"));
    fs::write(&tmp, postcard::to_stdvec(&stored)?).with_context(|| format!("cannot write {}", tmp.display()))?;
    fs::rename(&tmp, dir.join(STATE))?;
    if let Some(old) = old_spill.filter(|o| *o != stored.spill) {
        fs::remove_file(dir.join(old)).ok();
    }
    Ok(())
}
