//! Incremental state (`build --state DIR`): what a rerun needs to process only new or changed inputs and
//! still write exactly what a full rebuild would.
//!
//! The state keeps, per input file, its fingerprint (size and modification time), where its articles sit in
//! the state's spill file, and its rejects; per chrome-sample file, its line hashes; and the chrome decisions
//! the articles were extracted with. A rerun reuses a file's articles when the fingerprint is unchanged *and*
//! none of the file's chrome keys (the hashes of its lines and paragraphs, which are all the chrome model is
//! ever asked about: see [`super::map::process_traced`]) changed its chrome decision in the model learned
//! this time; a file whose keys are unknown is processed again whenever the decisions differ. The
//! corpus-wide steps (duplicates, alignment, stories) always run over the whole corpus, because one new
//! article can change another's `dup_of` or `story_id`; the CSV rows of unchanged articles whose `dup_of`
//! and `story_id` stayed the same are copied from the previous run's tables.
//!
//! Beside each article the spill keeps its signatures (duplicate signature, alignment features; see
//! [`super::signatures::Signed::to_bytes`]), so a rerun neither decodes nor re-signs unchanged articles, and
//! a checksum of both records sits in `state.bin`: a record that does not match is not trusted, and its
//! file is processed again. The state also keeps the sentence links of every aligned pair, keyed by both
//! articles' ids, languages and text hashes, with the name of the learned word pairs they were made with
//! and what it takes to name them again ([`LinkRecord`]), and the lessons of the pairs that taught the
//! lexicon (keyed the same: they are made without a lexicon); a rerun reuses both for the pairs that recur,
//! the links when the word pairs they can use are the same under this run's lexicon. It keeps hard links to the CSV and Parquet tables of articles and
//! sentences, to copy unchanged rows and row groups from.
//!
//! `state.bin` ends with a checksum of its contents and records the binary that wrote it (size and
//! modification time of the executable): a damaged state, or one written by another build (whose extraction
//! or alignment may differ), is ignored and rebuilt from scratch.
//!
//! The state is replaced atomically: a new links file under a new name, records appended to the spill after
//! the length the previous state saved (or a new, compact spill once more than half of the old one is dead),
//! then `state.bin` renamed over the old one, then the files it no longer names removed. A run killed midway
//! leaves the previous state usable: it points only below its saved length, and the next run cuts off
//! whatever a killed run appended.

use super::articles::PrevGroups;
use super::spill::SpillReader;
use super::MapOutput;
use crate::align::{Lesson, SentenceLink};
use crate::extract::ChromeModel;
use crate::model::Reject;
use crate::write::PrevParquet;
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use xxhash_rust::xxh3::xxh3_64;

const STATE: &str = "state.bin";
const VERSION: u32 = 10;

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

/// One article of a file in the state's spill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredArticle {
    pub record: u32,
    /// Offset of the encoded article.
    pub offset: u64,
    /// Offset of its encoded signatures.
    pub sig: u64,
    /// [`check`] of the two records.
    pub check: u64,
    /// Where its rows sit in the state's copy of the CSV tables, if they were written.
    pub rows: Option<Rows>,
}

/// An article's rows in the CSV tables of a run (the state keeps a copy of `articles.csv` and
/// `sentences.csv`): a rerun copies these bytes instead of encoding the rows again when the article is
/// unchanged and so are its corpus-wide cells (`dup_of`, `story_id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rows {
    /// Offset and length of its row in `articles.csv`.
    pub article: (u64, u64),
    /// Offset and length of its sentence rows in `sentences.csv`.
    pub sentences: (u64, u64),
    /// [`corpus_cells`] of the row.
    pub corpus_cells: u64,
}

/// What the corpus-wide cells of an article row hold, hashed.
pub fn corpus_cells(dup_of: &str, story_id: &str) -> u64 {
    xxh3_64(format!("{dup_of}\u{0}{story_id}").as_bytes())
}

/// The previous run's CSV tables, as the state keeps them, to copy rows from: only while they are as that
/// run left them (same size and modification time), so an output edited in place gets its rows encoded
/// again. The rows are copied file to file, unread.
pub struct PrevTables {
    pub articles: fs::File,
    pub sentences: fs::File,
}

/// The checksum of an article's two spill records.
pub fn check(article: &[u8], sig: &[u8]) -> u64 {
    xxh3_64(article) ^ xxh3_64(sig).rotate_left(1)
}

/// What a run made of each input file, as flat arrays in path order. A map of small per-file records cost
/// ~700 MB at a million files once loaded (a path, a fingerprint and two vectors each, plus the map's nodes);
/// these arrays cost ~190 MB, and the map fills them as it goes, file by file, so saving copies nothing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Files {
    /// Relative paths, one after another; file i's ends at `path_end[i]`.
    paths: String,
    path_end: Vec<u64>,
    /// Each file's fingerprint, taken before it was read.
    fingerprint: Vec<Fingerprint>,
    /// Each file's input units (records read plus the reader's rejects).
    inputs: Vec<u64>,
    /// Offset in the spill and checksum of each file's chrome keys (see [`super::map::process_traced`]);
    /// `None` when they are not known, and the file is then processed again whenever the chrome changes.
    chrome_keys: Vec<Option<(u64, u64)>>,
    /// Where each file's articles end in `articles` (they start where the previous file's end).
    article_end: Vec<u64>,
    /// Every article, in output order.
    articles: Vec<StoredArticle>,
    /// Every reject, with its file's number, in file order.
    rejects: Vec<(u64, Reject)>,
}

/// One file of [`Files`].
pub struct FileView<'a> {
    pub inputs: u64,
    pub chrome_keys: Option<(u64, u64)>,
    pub articles: &'a [StoredArticle],
    rejects: &'a [(u64, Reject)],
}

impl FileView<'_> {
    pub fn rejects(&self) -> Vec<Reject> {
        self.rejects.iter().map(|(_, r)| r.clone()).collect()
    }
}

impl Files {
    /// Starts the next file; its articles and rejects are pushed after it.
    pub fn push_file(&mut self, rel: &str, fingerprint: Fingerprint, inputs: u64, chrome_keys: Option<(u64, u64)>) {
        self.paths.push_str(rel);
        self.path_end.push(self.paths.len() as u64);
        self.fingerprint.push(fingerprint);
        self.inputs.push(inputs);
        self.chrome_keys.push(chrome_keys);
        self.article_end.push(self.articles.len() as u64);
    }

    /// Sets the last file's input units and chrome keys, known once it has been read (a streamed archive's
    /// are known only at its end).
    pub fn end_file(&mut self, inputs: u64, chrome_keys: Option<(u64, u64)>) {
        if let (Some(i), Some(k)) = (self.inputs.last_mut(), self.chrome_keys.last_mut()) {
            (*i, *k) = (inputs, chrome_keys);
        }
    }

    /// Adds an article to the last file pushed.
    pub fn push_article(&mut self, a: StoredArticle) {
        self.articles.push(a);
        if let Some(end) = self.article_end.last_mut() {
            *end = self.articles.len() as u64;
        }
    }

    /// Adds a reject to the last file pushed.
    pub fn push_reject(&mut self, r: Reject) {
        let file = self.path_end.len().saturating_sub(1) as u64;
        self.rejects.push((file, r));
    }

    pub fn articles(&self) -> &[StoredArticle] {
        &self.articles
    }

    /// Sets each article's rows in the CSV tables (in output order, which is the map's).
    pub fn set_rows(&mut self, rows: &[Rows]) {
        for (a, r) in self.articles.iter_mut().zip(rows) {
            a.rows = Some(*r);
        }
    }

    fn path(&self, i: usize) -> &str {
        &self.paths[span(&self.path_end, i)]
    }

    /// The file with this path and fingerprint. Paths come sorted (the map's order), so this is a binary
    /// search; were they not, a file would only be missed (and processed again), never mistaken.
    pub fn get(&self, rel: &str, fp: Fingerprint) -> Option<FileView<'_>> {
        let (mut lo, mut hi) = (0, self.path_end.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.path(mid).cmp(rel) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    lo = mid;
                    break;
                }
            }
        }
        if lo >= self.path_end.len() || self.path(lo) != rel || fp.is_none() || self.fingerprint[lo] != fp {
            return None;
        }
        let from = self.rejects.partition_point(|(f, _)| *f < lo as u64);
        let to = self.rejects.partition_point(|(f, _)| *f <= lo as u64);
        Some(FileView {
            inputs: self.inputs[lo],
            chrome_keys: self.chrome_keys[lo],
            articles: &self.articles[span(&self.article_end, lo)],
            rejects: &self.rejects[from..to],
        })
    }
}

/// Item `i`'s range in an array of items laid end to end, given where each ends.
fn span(ends: &[u64], i: usize) -> std::ops::Range<usize> {
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    start..ends[i] as usize
}

/// What identifies a pair's sentence alignment: both articles' ids, languages and text hashes (the sentences
/// are split from text and language alone), hashed to 128 bits. The lexicon is not in it: its record says
/// which learned pairs the alignment used (see [`LinkRecord`]).
pub fn link_key(ids: (&str, &str), langs: (&str, &str), texts: (u64, u64)) -> u128 {
    key_hash(b'L', ids, langs, texts)
}

/// What identifies a pair's lesson for the lexicon (`align::Lesson`, made without a lexicon): both articles'
/// ids, languages and text hashes, hashed to 128 bits (apart from [`link_key`]'s).
pub fn lesson_key(ids: (&str, &str), langs: (&str, &str), texts: (u64, u64)) -> u128 {
    key_hash(b'T', ids, langs, texts)
}

fn key_hash(tag: u8, ids: (&str, &str), langs: (&str, &str), texts: (u64, u64)) -> u128 {
    let mut b = Vec::with_capacity(96);
    b.push(tag);
    for s in [ids.0, ids.1, langs.0, langs.1] {
        b.extend_from_slice(&(s.len() as u64).to_le_bytes());
        b.extend_from_slice(s.as_bytes());
    }
    for n in [texts.0, texts.1] {
        b.extend_from_slice(&n.to_le_bytes());
    }
    xxhash_rust::xxh3::xxh3_128(&b)
}

/// A pair's sentence links as the links file keeps them, with what decides whether they still hold: the
/// name of the learned word pairs they were made with (`align::Lexicon::relevant`) and each side's stem
/// hashes (`align::stem_hashes`), from which a rerun names the pairs its own lexicon would use, without
/// the texts.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRecord {
    pub relevant: u64,
    pub stems: (Vec<u32>, Vec<u32>),
    pub links: Vec<SentenceLink>,
}

/// Where a kept record sits in the links file: its key, offset and checksum.
type Indexed = (u128, u64, u64);

/// The sentence links of every aligned pair and the lessons of the pairs that taught the lexicon, as records
/// in the state's links file; memory holds only their index (a lesson is the stems of a pair's sure links:
/// at a million articles the links and lessons took ~450 MB decoded, their index takes a few MB). A rerun
/// reads a record when its pair recurs, checked against its checksum (a damaged one is made again), and
/// copies it to this run's links file; new records are written there as they are made.
pub struct LinkStore {
    old: Option<OldLinks>,
    new: super::spill::SpillWriter,
    name: String,
    links: Vec<Indexed>,
    lessons: Vec<Indexed>,
}

struct OldLinks {
    file: SpillReader,
    links: HashMap<u128, (u64, u64)>,
    lessons: HashMap<u128, (u64, u64)>,
}

impl OldLinks {
    fn read(&self, at: Option<&(u64, u64)>) -> Option<Vec<u8>> {
        let &(offset, check) = at?;
        self.file.raw(offset).ok().filter(|b| xxh3_64(b) == check)
    }
}

impl LinkStore {
    /// This run's links file in `dir` (generation `generation`), and the previous run's records, if any.
    pub fn create(dir: &Path, generation: u64, previous: Option<&State>) -> Result<LinkStore> {
        let name = format!("links-{generation}.bin");
        let old = previous.and_then(|p| {
            let file = SpillReader::open(&p.dir.join(&p.stored.links)).ok()?;
            let index = |v: &[Indexed]| v.iter().map(|&(k, at, check)| (k, (at, check))).collect();
            Some(OldLinks { file, links: index(&p.stored.link_index), lessons: index(&p.stored.lesson_index) })
        });
        let new = super::spill::SpillWriter::create(&dir.join(&name))?;
        Ok(LinkStore { old, new, name, links: Vec::new(), lessons: Vec::new() })
    }

    /// The previous run's sentence links for this key, with their record (to keep with [`LinkStore::keep_link`]).
    pub fn link(&self, key: u128) -> Option<(LinkRecord, Vec<u8>)> {
        let old = self.old.as_ref()?;
        let bytes = old.read(old.links.get(&key))?;
        let (relevant, a, b, links) = postcard::from_bytes(&bytes).ok()?;
        Some((LinkRecord { relevant, stems: (a, b), links }, bytes))
    }

    /// The previous run's lesson for this key, with its record (to keep with [`LinkStore::keep_lesson`]).
    pub fn lesson(&self, key: u128) -> Option<(Lesson, Vec<u8>)> {
        let old = self.old.as_ref()?;
        let bytes = old.read(old.lessons.get(&key))?;
        Some((postcard::from_bytes(&bytes).ok()?, bytes))
    }

    /// Keeps a pair's sentence links (their record: [`link_record`]) for the next run.
    pub fn keep_link(&mut self, key: u128, record: &[u8]) -> Result<()> {
        let at = self.new.push_raw(record)?;
        self.links.push((key, at, xxh3_64(record)));
        Ok(())
    }

    /// Keeps a pair's lesson (its record: [`lesson_record`]) for the next run.
    pub fn keep_lesson(&mut self, key: u128, record: &[u8]) -> Result<()> {
        let at = self.new.push_raw(record)?;
        self.lessons.push((key, at, xxh3_64(record)));
        Ok(())
    }

    /// Closes this run's links file (on disk for the next run); its name and index go into `state.bin`.
    fn finish(self) -> Result<(String, Vec<Indexed>, Vec<Indexed>)> {
        self.new.finish(true)?;
        Ok((self.name, self.links, self.lessons))
    }
}

/// The record the links file keeps for a pair's sentence links (see [`LinkRecord`]).
pub fn link_record(relevant: u64, stems: (&[u32], &[u32]), links: &[SentenceLink]) -> Vec<u8> {
    postcard::to_stdvec(&(relevant, stems.0, stems.1, links)).expect("sentence links always encode")
}

/// The record the links file keeps for a pair's lesson.
pub fn lesson_record(lesson: &Lesson) -> Vec<u8> {
    postcard::to_stdvec(lesson).expect("a lesson always encodes")
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stored {
    version: u32,
    /// The executable that wrote the state (see [`build_id`]).
    build: (u64, i64, u32),
    generation: u64,
    spill: String,
    /// The spill's length when this state was saved (a killed run may have appended after it) and the bytes
    /// of it that this state's records take (the rest belongs to articles of files since changed or gone).
    spill_len: u64,
    spill_live: u64,
    /// The links file (see [`LinkStore`]) and where its sentence links and lessons sit.
    links: String,
    link_index: Vec<Indexed>,
    lesson_index: Vec<Indexed>,
    chrome: Vec<u64>,
    files: Files,
    samples: BTreeMap<String, SampleLines>,
    /// The state's copies of `articles.csv` and `sentences.csv` with their fingerprints, and whether they
    /// were written spreadsheet-safe; `None` when the run wrote no CSV.
    tables: Option<(KeptFile, KeptFile, bool)>,
    /// The state's copies of `articles.parquet` and `sentences.parquet`; `None` when the run wrote no Parquet.
    parquet: Option<KeptParquet>,
}

/// A file the state keeps (a hard link to an output table), by name, with its fingerprint when kept.
type KeptFile = (String, Fingerprint);

/// A Parquet table the state keeps, to copy unchanged row groups from (see `super::articles`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct KeptParquet {
    articles: KeptFile,
    sentences: KeptFile,
    /// The fingerprints of each file's row groups, in file order.
    article_groups: Vec<u64>,
    sentence_groups: Vec<u64>,
}

/// A loaded state.
pub struct State {
    dir: PathBuf,
    stored: Stored,
    /// The chrome decisions the stored articles were extracted with.
    pub chrome: Vec<u64>,
}

/// Size and modification time of the running executable: a state written by another build is not reused
/// (its articles, signatures or sentence links could differ from what this one makes). `(0, 0, 0)` when it
/// cannot be known, which never matches a stored one.
fn build_id() -> (u64, i64, u32) {
    std::env::current_exe().ok().and_then(|p| fingerprint(&p)).unwrap_or((0, 0, 0))
}

/// Writes `state.bin`: the postcard encoding and its checksum (8 bytes, little-endian),
/// streamed to the file (at a million files `state.bin` is ~130 MB, which need not sit in memory whole), then
/// synced.
fn write_sealed<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    /// Hashes what passes through on its way to the file.
    struct Hashing<W: Write> {
        out: W,
        sum: xxhash_rust::xxh3::Xxh3,
    }
    impl<W: Write> Write for Hashing<W> {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let n = self.out.write(buf)?;
            self.sum.update(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            self.out.flush()
        }
    }
    let f = fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let w = Hashing { out: std::io::BufWriter::with_capacity(1 << 20, f), sum: Default::default() };
    let mut w = postcard::to_io(value, w).with_context(|| format!("cannot write {}", path.display()))?;
    let sum = w.sum.digest();
    w.out.write_all(&sum.to_le_bytes())?;
    let f =
        w.out.into_inner().map_err(|e| e.into_error()).with_context(|| format!("cannot write {}", path.display()))?;
    f.sync_data().ok();
    Ok(())
}

/// The inverse of [`write_sealed`]; `None` for bytes that are cut, damaged or do not decode.
fn unseal<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
    let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
    if xxh3_64(body).to_le_bytes() != sum {
        return None;
    }
    postcard::from_bytes(body).ok()
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
        match unseal::<Stored>(&bytes) {
            Some(stored)
                if stored.version == VERSION
                    && stored.build == build_id()
                    && stored.build != (0, 0, 0)
                    && dir.join(&stored.spill).exists() =>
            {
                Ok(Some(State { dir: dir.to_path_buf(), chrome: stored.chrome.clone(), stored }))
            }
            _ => {
                eprintln!(
                    "rferl-corpus: note: {} is from another version or build, incomplete or damaged; rebuilding it",
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
    pub fn unchanged(&self, rel: &str, fp: Fingerprint) -> Option<FileView<'_>> {
        self.stored.files.get(rel, fp)
    }

    /// The chrome keys whose decision differs between the stored articles' model and `decisions` (both
    /// sorted); `None` when there are none.
    pub fn flipped(&self, decisions: &[u64]) -> Option<std::collections::HashSet<u64>> {
        let (old, new) = (&self.chrome, decisions);
        let mut out = std::collections::HashSet::new();
        let (mut i, mut j) = (0, 0);
        while i < old.len() || j < new.len() {
            match (old.get(i), new.get(j)) {
                (Some(a), Some(b)) if a == b => (i, j) = (i + 1, j + 1),
                (Some(a), Some(b)) if a < b => (out.insert(*a), i += 1).1,
                (Some(_), Some(b)) => (out.insert(*b), j += 1).1,
                (Some(a), None) => (out.insert(*a), i += 1).1,
                (None, Some(b)) => (out.insert(*b), j += 1).1,
                (None, None) => break,
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The previous run's CSV tables, if it wrote them with the same options.
    pub fn tables(&self, spreadsheet_safe: bool) -> Option<PrevTables> {
        let (a, s, safe) = self.stored.tables.as_ref()?;
        if *safe != spreadsheet_safe {
            return None;
        }
        let open = |kept| fs::File::open(self.as_left(kept)?).ok();
        Some(PrevTables { articles: open(a)?, sentences: open(s)? })
    }

    /// The path of a table the state keeps, if it is as the run that kept it left it (same size and
    /// modification time): an output edited in place is not copied from.
    fn as_left(&self, (name, fp): &KeptFile) -> Option<PathBuf> {
        let path = self.dir.join(name);
        (fp.is_some() && fingerprint(&path) == *fp).then_some(path)
    }

    /// The previous run's Parquet tables of articles and sentences, if it kept them and they are as it left
    /// them (same size and modification time, a footer that reads, one fingerprint per row group).
    pub fn parquet_groups(&self) -> Option<PrevGroups> {
        let kept = self.stored.parquet.as_ref()?;
        let open = |kept, groups: &[u64]| -> Option<PrevParquet> {
            PrevParquet::open(&self.as_left(kept)?).ok().filter(|p| p.row_groups() == groups.len())
        };
        let index = |groups: &[u64]| groups.iter().enumerate().map(|(g, &fp)| (fp, g)).collect();
        Some(PrevGroups {
            articles: open(&kept.articles, &kept.article_groups)?,
            sentences: open(&kept.sentences, &kept.sentence_groups)?,
            article_groups: index(&kept.article_groups),
            sentence_groups: index(&kept.sentence_groups),
        })
    }

    pub fn spill_reader(&self) -> Result<SpillReader> {
        SpillReader::open(&self.dir.join(&self.stored.spill))
    }
}

fn stored(dir: &Path) -> Option<Stored> {
    fs::read(dir.join(STATE)).ok().and_then(|b| unseal(&b))
}

/// The generation of a file the state writes (`articles-N.spill`, `links-N.bin`, `articles-N.csv`,
/// `sentences-N.csv`, `articles-N.parquet`, `sentences-N.parquet`); `None` for any other name.
fn generation_of(name: &str) -> Option<u64> {
    let n = [
        ("articles-", ".spill"),
        ("links-", ".bin"),
        ("articles-", ".csv"),
        ("sentences-", ".csv"),
        ("articles-", ".parquet"),
        ("sentences-", ".parquet"),
    ]
    .iter()
    .find_map(|(pre, suf)| name.strip_prefix(pre).and_then(|n| n.strip_suffix(suf)))?;
    n.parse().ok()
}

/// The next generation number: above the stored one and above any file a killed run may have left.
fn generation(dir: &Path) -> u64 {
    let mut g = stored(dir).map(|s| s.generation).unwrap_or(0);
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        if let Some(n) = generation_of(&e.file_name().to_string_lossy()) {
            g = g.max(n);
        }
    }
    g
}

/// Where a run with `--state` writes its articles.
pub struct RunSpill {
    pub path: PathBuf,
    /// `Some(len)`: the previous state's spill, appended to from `len` on (the records of reused files stay
    /// where they are); `None`: a new file.
    pub append_at: Option<u64>,
    /// This run's generation (the names of the links file and the table links it saves).
    pub generation: u64,
}

/// Where this run writes its spill. Appending to the previous state's spill leaves that state whole (it
/// points only below its saved length) and spares a rerun from copying every unchanged article; once more
/// than half of the file belongs to files since changed or gone, the run writes a new, compact file instead.
pub fn spill_for_run(dir: &Path, previous: Option<&State>) -> Result<RunSpill> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create state folder {}", dir.display()))?;
    let generation = generation(dir) + 1;
    if let Some(p) = previous {
        let path = dir.join(&p.stored.spill);
        let (len, live) = (p.stored.spill_len, p.stored.spill_live);
        let on_disk = fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        if len > 0 && on_disk >= len && live.saturating_mul(2) >= len {
            return Ok(RunSpill { path, append_at: Some(len), generation });
        }
    }
    Ok(RunSpill { path: dir.join(format!("articles-{generation}.spill")), append_at: None, generation })
}

/// What a run leaves for the state besides its map output.
pub struct Written<'a> {
    /// The sentence links of this run's pairs and the lessons of those that taught the lexicon.
    pub links: LinkStore,
    /// Per article in output order, its rows in the CSV tables (empty when no CSV was written).
    pub rows: Vec<Rows>,
    /// The fingerprints of the row groups of the Parquet articles and sentences tables, if written.
    pub groups: Option<super::articles::GroupPrints>,
    /// The folder this run wrote its tables to (before they are moved into place).
    pub tables_dir: &'a Path,
    pub spreadsheet_safe: bool,
}

/// Saves this run's results as the new state: `spill` is where this run wrote its articles (from
/// [`spill_for_run`]), `files` what the map made of each file.
pub fn save(
    dir: &Path,
    spill: &RunSpill,
    chrome: &ChromeModel,
    samples: BTreeMap<String, SampleLines>,
    mut files: Files,
    out: &MapOutput,
    written: Written,
) -> Result<()> {
    let Written { links, rows, groups, tables_dir, spreadsheet_safe } = written;
    let generation = spill.generation;
    let spill_name =
        spill.path.file_name().map(|n| n.to_string_lossy().into_owned()).context("the state spill has no file name")?;
    anyhow::ensure!(files.articles.len() == out.entries.len(), "the map kept no signatures for the state");
    // Rows are in output order, which is the map's order in a single-machine build.
    let rows_known = rows.len() == files.articles.len();
    if rows_known {
        files.set_rows(&rows);
    }
    // The tables the rows and groups point into: linked into the state (copied where links are not possible).
    let keep = |file: &str| -> Result<String> {
        let (stem, ext) = file.split_once('.').context("a table file name without an extension")?;
        let name = format!("{stem}-{generation}.{ext}");
        let (from, to) = (tables_dir.join(file), dir.join(&name));
        fs::remove_file(&to).ok();
        if fs::hard_link(&from, &to).is_err() {
            fs::copy(&from, &to).with_context(|| format!("cannot copy {} into the state", from.display()))?;
        }
        Ok(name)
    };
    let kept = |file: &str| -> Result<(String, Fingerprint)> {
        let name = keep(file)?;
        let fp = fingerprint(&dir.join(&name));
        Ok((name, fp))
    };
    let tables = if rows_known && tables_dir.join("articles.csv").exists() {
        Some((kept("articles.csv")?, kept("sentences.csv")?, spreadsheet_safe))
    } else {
        None
    };
    let parquet = match groups {
        Some((article_groups, sentence_groups)) if tables_dir.join("articles.parquet").exists() => Some(KeptParquet {
            articles: kept("articles.parquet")?,
            sentences: kept("sentences.parquet")?,
            article_groups,
            sentence_groups,
        }),
        _ => None,
    };
    let (links_name, link_index, lesson_index) = links.finish()?;
    let stored = Stored {
        version: VERSION,
        build: build_id(),
        generation,
        spill: spill_name,
        spill_len: out.spill_len,
        spill_live: out.spill_live,
        links: links_name,
        link_index,
        lesson_index,
        chrome: chrome.decisions(),
        files,
        samples,
        tables,
        parquet,
    };
    let tmp = dir.join(format!("{STATE}.next"));
    write_sealed(&tmp, &stored)?;
    fs::rename(&tmp, dir.join(STATE))?;
    // Everything but what the new state names is left over from earlier runs (or killed ones).
    for e in fs::read_dir(dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let tables = stored.tables.as_ref();
        let parquet = stored.parquet.as_ref();
        let ours = name == STATE
            || name == stored.spill
            || name == stored.links
            || tables.is_some_and(|(a, s, _)| name == a.0 || name == s.0)
            || parquet.is_some_and(|p| name == p.articles.0 || name == p.sentences.0);
        if generation_of(&name).is_some() && !ours {
            fs::remove_file(e.path()).ok();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RejectReason;

    fn article(record: u32, offset: u64) -> StoredArticle {
        StoredArticle { record, offset, sig: offset + 1, check: offset * 7, rows: None }
    }

    /// Three files pushed in path order: each comes back whole by its path and fingerprint, with its own
    /// articles and rejects only; another fingerprint, or a path not pushed, finds nothing.
    #[test]
    fn files_come_back_by_path_and_fingerprint_with_their_own_articles_and_rejects() {
        let fp = |n: u64| Some((n, 1_700_000_000, 5));
        let mut files = Files::default();
        files.push_file("0000/a.txt", fp(10), 2, Some((4, 44)));
        files.push_article(article(0, 100));
        files.push_reject(Reject::new("0000/a.txt", Some(1), RejectReason::Empty, "empty record"));
        files.push_file("0000/b.txt", fp(20), 1, None);
        files.push_reject(Reject::new("0000/b.txt", None, RejectReason::Unreadable, "binary"));
        files.push_file("0001/c.jsonl", fp(30), 3, Some((8, 88)));
        for r in 0..3 {
            files.push_article(article(r, 200 + u64::from(r)));
        }
        // Through the state's own encoding, as a rerun loads it.
        let files: Files = postcard::from_bytes(&postcard::to_stdvec(&files).unwrap()).unwrap();

        let a = files.get("0000/a.txt", fp(10)).expect("a");
        assert_eq!((a.inputs, a.chrome_keys, a.articles), (2, Some((4, 44)), &[article(0, 100)][..]));
        assert_eq!(a.rejects().iter().map(|r| r.record).collect::<Vec<_>>(), [Some(1)]);
        let b = files.get("0000/b.txt", fp(20)).expect("b");
        assert!(b.articles.is_empty() && b.chrome_keys.is_none());
        assert_eq!(b.rejects()[0].reason, RejectReason::Unreadable);
        let c = files.get("0001/c.jsonl", fp(30)).expect("c");
        assert_eq!(c.articles.iter().map(|x| x.record).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(c.rejects().is_empty());
        assert_eq!(files.articles().len(), 4);

        assert!(files.get("0000/a.txt", fp(11)).is_none(), "a changed file is not reused");
        assert!(files.get("0000/a.txt", None).is_none(), "a file that cannot be looked at is not reused");
        for missing in ["0000/a", "0000/aa.txt", "", "1/z.txt"] {
            assert!(files.get(missing, fp(10)).is_none(), "{missing}");
        }
    }

    /// Paths pushed out of order are found or missed, never mistaken for another file.
    #[test]
    fn files_pushed_out_of_order_are_never_mistaken_for_another() {
        let fp = Some((1, 2, 3));
        let mut files = Files::default();
        for (k, name) in ["d", "b", "e", "a", "c"].iter().enumerate() {
            files.push_file(name, fp, k as u64, None);
        }
        for (k, name) in ["d", "b", "e", "a", "c"].iter().enumerate() {
            if let Some(f) = files.get(name, fp) {
                assert_eq!(f.inputs, k as u64, "{name}");
            }
        }
    }

    /// Each part of a pair's key counts, strings cannot run into each other, and a lesson's key is never a
    /// link's.
    #[test]
    fn pair_keys_tell_every_part_apart() {
        let base = link_key(("a1", "b2"), ("eng_Latn", "rus_Cyrl"), (7, 8));
        let others = [
            link_key(("a1", "b3"), ("eng_Latn", "rus_Cyrl"), (7, 8)),
            link_key(("a", "1b2"), ("eng_Latn", "rus_Cyrl"), (7, 8)),
            link_key(("a1", "b2"), ("eng_Latn", "ukr_Cyrl"), (7, 8)),
            link_key(("a1", "b2"), ("eng_Latn", "rus_Cyrl"), (7, 9)),
            lesson_key(("a1", "b2"), ("eng_Latn", "rus_Cyrl"), (7, 8)),
        ];
        for o in others {
            assert_ne!(o, base);
        }
        assert_eq!(base, link_key(("a1", "b2"), ("eng_Latn", "rus_Cyrl"), (7, 8)));
    }

    /// What one run keeps in its links file the next run reads back by key, links and lessons apart; a
    /// damaged record is not read (the pair is aligned again), and the next run's own file gets the copies.
    #[test]
    fn the_link_store_gives_back_what_it_kept_and_never_a_damaged_record() {
        let d = tempfile::tempdir().unwrap();
        let links = vec![
            SentenceLink { sent_a: "0".into(), sent_b: "0-1".into(), score: 0.93 },
            SentenceLink { sent_a: "1".into(), sent_b: String::new(), score: 0.5 },
        ];
        let (k1, k2, k3) = (1u128 << 100, 2, 3);
        let mut first = LinkStore::create(d.path(), 1, None).unwrap();
        assert!(first.link(k1).is_none(), "a first run has nothing stored");
        first.keep_link(k1, &link_record(7, (&[1, 5], &[2]), &links)).unwrap();
        first.keep_lesson(k2, &lesson_record(&Lesson::default())).unwrap();
        first.keep_link(k3, &link_record(0, (&[], &[]), &links[..1])).unwrap();
        let (name, link_index, lesson_index) = first.finish().unwrap();
        assert_eq!(name, "links-1.bin");
        let prev = |link_index: Vec<Indexed>| State {
            dir: d.path().to_path_buf(),
            stored: Stored {
                links: name.clone(),
                link_index,
                lesson_index: lesson_index.clone(),
                ..Default::default()
            },
            chrome: Vec::new(),
        };

        let mut second = LinkStore::create(d.path(), 2, Some(&prev(link_index.clone()))).unwrap();
        let (got, record) = second.link(k1).expect("stored links");
        assert_eq!(got, LinkRecord { relevant: 7, stems: (vec![1, 5], vec![2]), links: links.clone() });
        assert_eq!(second.link(k3).expect("stored links").0.links, links[..1]);
        assert_eq!(second.lesson(k2).expect("stored lesson").0, Lesson::default());
        assert!(second.link(k2).is_none() && second.lesson(k1).is_none(), "links and lessons are apart");
        assert!(second.link(99).is_none());
        second.keep_link(k1, &record).unwrap();
        let (name2, index2, _) = second.finish().unwrap();
        assert_eq!(name2, "links-2.bin");
        assert_eq!(index2.len(), 1);

        // One byte of the first record changed: that record is not trusted, the others still are.
        let path = d.path().join(&name);
        let mut bytes = fs::read(&path).unwrap();
        bytes[6] ^= 1;
        fs::write(&path, bytes).unwrap();
        let third = LinkStore::create(d.path(), 3, Some(&prev(link_index))).unwrap();
        assert!(third.link(k1).is_none(), "a damaged record is made again");
        assert!(third.link(k3).is_some() && third.lesson(k2).is_some());
    }

    /// Rows set after the reduce go to the articles in output order.
    #[test]
    fn rows_go_to_the_articles_in_order() {
        let mut files = Files::default();
        files.push_file("a", Some((1, 1, 1)), 2, None);
        files.push_article(article(0, 0));
        files.push_article(article(1, 50));
        let rows = |n: u64| Rows { article: (n, 1), sentences: (n, 2), corpus_cells: n };
        files.set_rows(&[rows(5), rows(9)]);
        assert_eq!(files.articles().iter().map(|a| a.rows).collect::<Vec<_>>(), [Some(rows(5)), Some(rows(9))]);
    }
}
