//! The map over files: the chrome sample ([`learn_chrome`]), then every file read, processed and signed in
//! parallel chunks, and absorbed in input order into the spill, the signatures and (with `--state`) the
//! state's records ([`map_files`]). With the state, an unchanged file's articles come from the previous run's
//! spill instead of being read again.

use super::signatures::{sign, Signatures, Signed};
use super::spill::{self, SpillReader, SpillWriter};
use super::{guarded, process_traced, progress, shard, state, BuildConfig, Entry, MapOutput, MAP_CHUNK};
use crate::extract::{ChromeModel, FileLines};
use crate::model::{Article, Format, Record, Reject, RejectReason};
use crate::read::{self, InputFile};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use xxhash_rust::xxh3::xxh3_64;

thread_local! {
    /// A worker's buffer for spill records it only checks (see `map_files`).
    static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What the chrome sample learned of the files it read, for the map; the map takes a file out as it reaches
/// it. What is kept changes no output.
#[derive(Default)]
pub(super) struct PreRead {
    /// Files kept up to [`PREREAD_BYTES`] of content when the sample is every file, so that a small corpus is
    /// not read and decoded twice; each with its fingerprint, taken before it was read.
    pub files: Mutex<HashMap<String, (state::Fingerprint, read::FileRead)>>,
    /// Each tar archive's last copies (the sample reads every archive through), so that the map reads an
    /// archive once instead of twice. ~40 bytes per member.
    pub archives: Mutex<HashMap<String, read::tarball::LastCopies>>,
}

/// Content bytes [`PreRead`] keeps at most: the 10k-file archive's 40 MB, a fraction of what a larger
/// build holds anyway.
const PREREAD_BYTES: u64 = 96 << 20;

/// Learns the text dumps' chrome from a deterministic sample of the inputs (all of them up to
/// [`shard::SAMPLE_TARGET`] files). Returns the model, the sample files' line hashes for the state, and
/// the files read for it (see [`PreRead`]).
pub(super) fn learn_chrome(
    all: &[InputFile],
    previous: Option<&state::State>,
    cfg: &BuildConfig,
) -> (ChromeModel, BTreeMap<String, state::SampleLines>, PreRead) {
    // Tar archives first: the share of the sample depends on how many files the corpus holds, and an
    // archive's members count as files, so it is known once the archives have been read through.
    let plain = all.iter().filter(|f| !read::is_tar(&f.rel)).count() as u64;
    let seen = AtomicU64::new(plain);
    let preread = PreRead::default();
    let archives: Vec<(&str, Vec<(u64, FileLines)>)> = all
        .iter()
        .filter(|f| read::is_tar(&f.rel))
        .map(|f| (f.rel.as_str(), tar_sample(f, &seen, &preread, cfg)))
        .collect();
    let total = seen.into_inner();
    let sample: Vec<&InputFile> =
        all.iter().filter(|f| !read::is_tar(&f.rel) && shard::in_chrome_sample(&f.rel, total)).collect();
    // Only when the sample is every file: a sampled file of a larger corpus would wait for the map long
    // after it was read, adding to the peak.
    let room = AtomicU64::new(if total <= shard::SAMPLE_TARGET { PREREAD_BYTES } else { 0 });
    let lines: Vec<(String, state::SampleLines)> = sample
        .par_iter()
        .map(|f| {
            let fp = state::fingerprint(&f.path);
            if let Some(cached) = previous.and_then(|p| p.sample_lines(&f.rel, fp)) {
                return (f.rel.clone(), cached.clone());
            }
            let Ok(read) = guarded(&f.rel, None, "read", || read::read_file(f, cfg.limits)) else {
                return (f.rel.clone(), state::SampleLines { fingerprint: fp, hashes: Vec::new() });
            };
            let hashes = read
                .records
                .iter()
                .filter(|r| r.format == Format::Text)
                .map(|r| crate::extract::line_hashes(&r.content))
                .collect();
            let size: u64 = read.records.iter().map(|r| r.content.len() as u64).sum();
            let fits = room.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| left.checked_sub(size)).is_ok();
            if fits {
                preread.files.lock().expect("no holder panics").insert(f.rel.clone(), (fp, read));
            }
            (f.rel.clone(), state::SampleLines { fingerprint: fp, hashes })
        })
        .collect();
    // Files are added in input order, an archive's sampled members where the archive sits.
    let mut model = ChromeModel::default();
    let (mut plain_lines, mut archives) = (lines.iter().peekable(), archives.into_iter().peekable());
    for f in all {
        if archives.peek().is_some_and(|(rel, _)| *rel == f.rel) {
            let (_, members) = archives.next().expect("peeked");
            for (_, h) in members.iter().filter(|(name, _)| shard::in_chrome_sample_hash(*name, total)) {
                model.add_hashes(h);
            }
        } else if plain_lines.peek().is_some_and(|(rel, _)| *rel == f.rel) {
            let (_, l) = plain_lines.next().expect("peeked");
            for h in &l.hashes {
                model.add_hashes(h);
            }
        }
    }
    model.keep_decisions_only();
    // The sample's line hashes are kept only for the state of an incremental run; an archive's are not (its
    // share of the sample moves with the corpus): it is read through for the sample on every run.
    let lines = if cfg.state.is_some() { lines.into_iter().collect() } else { BTreeMap::new() };
    (model, lines, preread)
}

/// The line hashes of a tar archive's text members that may be in the chrome sample, each with its name's
/// hash, read in one streamed pass; `seen` counts the members as they pass (it starts at the corpus's other
/// files). The share is not known until every archive has been counted, but it only shrinks as the count
/// grows: a member kept under the share of the count so far is a candidate, and [`learn_chrome`] keeps those
/// the final share takes. About `SAMPLE_TARGET × ln(members / SAMPLE_TARGET)` candidates, ~300 bytes each.
/// The pass also learns which copies of a name given twice are stale (they are dropped here, and the map is
/// told, in `preread`).
fn tar_sample(f: &InputFile, seen: &AtomicU64, preread: &PreRead, cfg: &BuildConfig) -> Vec<(u64, FileLines)> {
    let mut kept = Vec::new();
    let scanned = guarded(&f.rel, None, "read", || {
        read::tarball::scan_file(f, cfg.limits, read::tarball::BATCH_BYTES, |items| -> Result<(), ()> {
            let members: Vec<(usize, String, Vec<u8>)> = items
                .into_iter()
                .filter_map(|i| match i {
                    read::tarball::Item::Member { index, name, data } => {
                        let so_far = seen.fetch_add(1, Ordering::Relaxed) + 1;
                        shard::in_chrome_sample(&name, so_far).then_some((index, name, data))
                    }
                    read::tarball::Item::Reject(_) => None,
                })
                .collect();
            kept.par_extend(members.into_par_iter().flat_map_iter(|(index, name, data)| {
                let read = read::read_bytes(&name, data, cfg.limits);
                let lines = read.records.into_iter().filter(|r| r.format == Format::Text);
                lines.map(move |r| (index, r.source_file, crate::extract::line_hashes(&r.content)))
            }));
            Ok(())
        })
    });
    let Ok(Ok(last)) = scanned else {
        // A panic is the map's to report (it reads the archive again); the sample goes without the archive.
        return Vec::new();
    };
    // A member counts once, from its last copy (as the map reads it), though every copy was counted in
    // `seen`: an archive with names given twice makes the sample's share a little smaller, no more.
    let kept = kept
        .into_iter()
        .filter(|(member, name, _)| last.is_last(&f.rel, name, *member))
        .map(|(_, name, lines)| (xxh3_64(name.as_bytes()), lines))
        .collect();
    preread.archives.lock().expect("no holder panics").insert(f.rel.clone(), last);
    kept
}

/// One article as the workers leave it: encoded for the spill, signed if asked, and its signatures
/// encoded for the state if asked.
struct Made {
    record: u32,
    records: Records,
    signed: Option<Signed>,
    /// With the state: `state::check` of the article's two records (made by the worker, not the
    /// sequential absorbing).
    check: u64,
    prev_rows: Option<state::Rows>,
}

/// An article's spill records.
enum Records {
    /// To append: the encoded article and, with the state, its encoded signatures.
    New(Vec<u8>, Option<Vec<u8>>),
    /// Already in the spill being written (a reused file's records when the run appends to the state's
    /// spill): the offsets and lengths of both.
    InPlace((u64, u64), (u64, u64)),
}

/// What the map made of one file.
struct Done {
    articles: Vec<Made>,
    rejects: Vec<Reject>,
    /// Input units: records read plus the reader's rejects.
    inputs: u64,
    reused: bool,
    /// With the state: the file's fingerprint, taken before it was read (a file that changes while the
    /// run reads it is then read again by the next run).
    fingerprint: state::Fingerprint,
    /// With the state: the file's chrome keys as spill bytes, if known, and their offset if they already
    /// sit in the spill being written.
    chrome_keys: Option<Vec<u8>>,
    keys_at: Option<u64>,
}

/// What the workers made of a chunk of files, one result per file.
type Processed = Vec<Result<Done>>;

/// The map over files, in chunks: read, process, and append articles to the spill in input order. With
/// `keys_path`, each article is also signed (duplicate signature, alignment features) while it is at hand;
/// with `keep_sigs` the signatures also go to the spill, beside their article, for the state. Unchanged files
/// of `reuse` are neither read nor processed: their articles and signatures come from the state's spill. The
/// spill is a new file, or (`append_at`) the state's own, appended to: reused records then stay in place.
pub(super) fn map_files(
    (files, ids): (&[InputFile], &[u32]),
    (chrome, preread): (&ChromeModel, PreRead),
    reuse: Option<&state::State>,
    (spill_path, append_at): (&Path, Option<u64>),
    keys_path: Option<&Path>,
    keep_sigs: bool,
    cfg: &BuildConfig,
) -> Result<(MapOutput, Option<Signatures>)> {
    let out = MapOutput {
        spill: spill_path.to_path_buf(),
        files: files.len() as u64,
        state: keep_sigs.then(state::Files::default),
        ..Default::default()
    };
    // Appending to the state's own spill: a reused file's records stay where they are.
    let spill = match append_at {
        Some(at) => SpillWriter::append(spill_path, at)?,
        None => SpillWriter::create(spill_path)?,
    };
    let in_place = append_at.is_some();
    let signed = keys_path.map(|p| Signatures::create(p, files.len())).transpose()?;
    let sign_it = signed.is_some();
    let old_spill = match reuse {
        Some(s) => Some(s.spill_reader()?),
        None => None,
    };
    let flipped = reuse.and_then(|s| s.flipped(&chrome.decisions()));
    // A reused file's chrome keys, if the state has them whole.
    let chrome_keys_of = |prev: &state::FileView, old: &SpillReader| -> Option<Vec<u8>> {
        let (offset, check) = prev.chrome_keys?;
        let bytes = old.raw(offset).ok()?;
        (xxh3_64(&bytes) == check).then_some(bytes)
    };
    let bar = progress(cfg, files.len() as u64, "articles");
    let made = |a: &Article, record: u32, bytes: Vec<u8>| {
        let signed = (sign_it || keep_sigs).then(|| sign(a));
        let sig_bytes = if keep_sigs { signed.as_ref().map(Signed::to_bytes) } else { None };
        let check = sig_bytes.as_ref().map_or(0, |sig| state::check(&bytes, sig));
        Made {
            record,
            records: Records::New(bytes, sig_bytes),
            signed: signed.filter(|_| sign_it),
            check,
            prev_rows: None,
        }
    };
    // A file's articles and signatures as the state has them, if every record is there and matches its
    // checksum (otherwise the file is processed again).
    let from_state = |articles: &[state::StoredArticle], old: &SpillReader| -> Option<Vec<Made>> {
        articles
            .iter()
            .map(|e| {
                // The article is read into a buffer the thread reuses, to be checked; it is copied out only when
                // it moves to a new spill (records that stay where they are: no allocation per article, ~6 KB
                // each, 6.7 GB over a million).
                let (len, sig, moved) = SCRATCH.with_borrow_mut(|buf| -> Option<(u64, Vec<u8>, Option<Vec<u8>>)> {
                    let sig = checked(e, old, buf)?;
                    Some((buf.len() as u64, sig, (!in_place).then(|| buf.clone())))
                })?;
                let signed = if sign_it { Some(Signed::from_bytes(&sig).ok()?) } else { None };
                let records = match moved {
                    None => Records::InPlace((e.offset, e.sig), (len, sig.len() as u64)),
                    Some(bytes) => Records::New(bytes, keep_sigs.then_some(sig)),
                };
                Some(Made { record: e.record, records, signed, check: e.check, prev_rows: e.rows })
            })
            .collect()
    };
    let fingerprint_of = |f: &InputFile| if keep_sigs || reuse.is_some() { state::fingerprint(&f.path) } else { None };
    // A file the state holds unchanged, and no change of chrome touches, with its chrome keys (spill bytes).
    let reusable = |f: &InputFile, fingerprint: state::Fingerprint| {
        let (state, old) = (reuse?, old_spill.as_ref()?);
        let prev = state.unchanged(&f.rel, fingerprint)?;
        let keys = chrome_keys_of(&prev, old);
        // Unknown keys count as touched by a change of chrome.
        let touched = flipped.as_ref().is_some_and(|fl| match &keys {
            Some(k) => spill::keys_from_bytes(k).map_or(true, |k| k.iter().any(|h| fl.contains(h))),
            None => true,
        });
        // Where the keys already sit in the spill being written, if they stay there.
        let keys_at = prev.chrome_keys.filter(|_| in_place && keys.is_some()).map(|(at, _)| at);
        (!touched).then_some((prev, keys, keys_at))
    };
    let damaged = |f: &InputFile| {
        eprintln!("rferl-corpus: note: the state's records of {} are damaged; processing the file again", f.rel);
    };
    // Such a file's articles come from the state.
    let reused = |f: &InputFile, fingerprint: state::Fingerprint| -> Option<Done> {
        let (prev, keys, keys_at) = reusable(f, fingerprint)?;
        let Some(articles) = old_spill.as_ref().and_then(|old| from_state(prev.articles, old)) else {
            damaged(f);
            return None;
        };
        bar.inc(1);
        Some(Done {
            articles,
            rejects: prev.rejects(),
            inputs: prev.inputs,
            reused: true,
            fingerprint,
            chrome_keys: keys,
            keys_at,
        })
    };
    // An unchanged tar archive's articles from the state, absorbed in slices: a million members' signatures
    // (~1.5 KB each with their alignment keys) at once would double the map's peak. Every record is checked
    // before any is absorbed, so that a damaged one can still send the whole archive back to be read. Returns
    // whether the archive was reused.
    let reuse_tar = |sink: &mut Sink, f: &InputFile, file: u32, fingerprint: state::Fingerprint| -> Result<bool> {
        let (Some((prev, keys, keys_at)), Some(old)) = (reusable(f, fingerprint), old_spill.as_ref()) else {
            return Ok(false);
        };
        let whole = prev.articles.par_iter().all(|e| SCRATCH.with_borrow_mut(|buf| checked(e, old, buf).is_some()));
        if !whole {
            damaged(f);
            return Ok(false);
        }
        sink.start_file(&f.rel, fingerprint);
        for slice in prev.articles.chunks(REUSE_SLICE) {
            let made: Option<Vec<Vec<Made>>> = slice.par_chunks(256).map(|c| from_state(c, old)).collect();
            let made = made.context("the state's spill changed while this run read it; run again")?;
            sink.articles(file, made.into_iter().flatten().collect())?;
        }
        sink.rejects(prev.rejects());
        sink.end_file(prev.inputs, keys, keys_at)?;
        sink.out.reused_files += 1;
        bar.inc(1);
        Ok(true)
    };
    // One record made into an article (or a reject), and whether its chrome keys went into `trace` (not
    // after a panic).
    let one = |r: &Record, trace: Option<&mut Vec<u64>>| -> Result<(Result<Made, Reject>, bool)> {
        let done =
            guarded(&r.source_file, Some(r.record), "extract/identify/normalise", || process_traced(r, chrome, trace));
        let traced = done.is_ok();
        let made = match done.and_then(|p| p) {
            Ok(a) => Ok(made(&a, a.record, postcard::to_stdvec(&a)?)),
            Err(rej) => Err(rej),
        };
        Ok((made, traced))
    };
    // What the workers make of a chunk of files, in parallel.
    let process = |chunk: &[InputFile]| -> Vec<Result<Done>> {
        chunk
            .par_iter()
            .map(|f| {
                let pre = preread.files.lock().expect("no holder panics").remove(&f.rel);
                let fingerprint = match &pre {
                    Some((fp, _)) => *fp,
                    None => fingerprint_of(f),
                };
                if let Some(done) = reused(f, fingerprint) {
                    return Ok(done);
                }
                let mut read = match pre {
                    Some((_, read)) => read,
                    None => guarded(&f.rel, None, "read", || read::read_file(f, cfg.limits))
                        .unwrap_or_else(|rej| read::FileRead { records: Vec::new(), rejects: vec![rej] }),
                };
                // Every file ends up somewhere: a reader that found nothing to say about a file is a reject.
                if read.records.is_empty() && read.rejects.is_empty() {
                    read.rejects.push(Reject::new(&f.rel, None, RejectReason::Empty, "no records found in the file"));
                }
                // Every record read, and every reject the reader gave, is one input unit; each record then
                // becomes exactly one article or one reject.
                let inputs = (read.records.len() + read.rejects.len()) as u64;
                let mut articles = Vec::with_capacity(read.records.len());
                let mut rejects = read.rejects;
                // With the state, the chrome keys the file's articles depend on (unknown after a panic).
                let mut trace = Vec::new();
                let mut traced = keep_sigs;
                for r in &read.records {
                    let (done, ok) = one(r, keep_sigs.then_some(&mut trace))?;
                    traced &= ok;
                    match done {
                        Ok(m) => articles.push(m),
                        Err(rej) => rejects.push(rej),
                    }
                }
                trace.sort_unstable();
                trace.dedup();
                bar.inc(1);
                Ok(Done {
                    articles,
                    rejects,
                    inputs,
                    reused: false,
                    fingerprint,
                    chrome_keys: traced.then(|| spill::keys_to_bytes(&trace)),
                    keys_at: None,
                })
            })
            .collect()
    };
    // A tar archive that is not reused: streamed in batches of members, each batch's records processed in
    // parallel while the one before is absorbed, and the next batch read meanwhile on a thread of its own.
    // Memory stays at a few batches whatever the archive's size.
    let stream_tar = |sink: &mut Sink, f: &InputFile, file: u32, fingerprint: state::Fingerprint| -> Result<()> {
        sink.start_file(&f.rel, fingerprint);
        let last = preread.archives.lock().expect("no holder panics").remove(&f.rel);
        let limits = cfg.limits;
        let (mut next, mut inputs) = (0u32, 0u64);
        let mut keys = Keys { trace: Vec::new(), known: keep_sigs };
        type Batch = Vec<Result<(Result<Made, Reject>, Vec<u64>, bool)>>;
        let absorb_batch = |sink: &mut Sink, keys: &mut Keys, batch: Batch| -> Result<()> {
            let mut articles = Vec::with_capacity(batch.len());
            let mut rejects = Vec::new();
            for b in batch {
                let (done, trace, ok) = b?;
                keys.add(trace, ok);
                match done {
                    Ok(m) => articles.push(m),
                    Err(rej) => rejects.push(rej),
                }
            }
            sink.articles(file, articles)?;
            sink.rejects(rejects);
            Ok(())
        };
        std::thread::scope(|s| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            s.spawn(move || {
                let streamed = guarded(&f.rel, None, "read", || {
                    let last = last.as_ref();
                    read::tarball::stream_file(f, limits, read::tarball::BATCH_BYTES, last, |items| tx.send(items))
                });
                if let Err(rej) = streamed {
                    let _ = tx.send(vec![read::tarball::Item::Reject(rej)]);
                }
            });
            let mut pending: Option<Batch> = None;
            for items in &rx {
                let read = read::tarball::read_members(items, &mut next, limits);
                inputs += (read.records.len() + read.rejects.len()) as u64;
                sink.rejects(read.rejects);
                let records = read.records;
                // The bar counts an archive's records too, as they come: a build of one large archive moves.
                bar.inc_length(records.len() as u64);
                let (done, absorbed) = rayon::join(
                    || {
                        records
                            .par_iter()
                            .map(|r| {
                                let mut trace = Vec::new();
                                let (done, ok) = one(r, keep_sigs.then_some(&mut trace))?;
                                Ok((done, trace, ok))
                            })
                            .collect::<Batch>()
                    },
                    || pending.take().map_or(Ok(()), |b| absorb_batch(sink, &mut keys, b)),
                );
                absorbed?;
                bar.inc(done.len() as u64);
                pending = Some(done);
            }
            if let Some(b) = pending {
                absorb_batch(sink, &mut keys, b)?;
            }
            Ok(())
        })?;
        bar.inc(1);
        sink.end_file(inputs, keys.known.then(|| spill::keys_to_bytes(&keys.trace)), None)
    };
    let mut sink = Sink { out, spill, signed };
    // The next chunk is processed while the last one is absorbed: the absorbing is sequential (one core),
    // and with the two overlapped no core waits for it. A tar archive is a chunk of its own, streamed.
    anyhow::ensure!(ids.len() == files.len(), "one id per input file");
    let mut pending: Option<(&[InputFile], &[u32], Processed)> = None;
    let mut at = 0;
    while at < files.len() {
        if read::is_tar(&files[at].rel) {
            if let Some((c, i, d)) = pending.take() {
                sink.absorb(c, i, d)?;
            }
            let (f, file) = (&files[at], ids[at]);
            let fingerprint = fingerprint_of(f);
            if !reuse_tar(&mut sink, f, file, fingerprint)? {
                stream_tar(&mut sink, f, file, fingerprint)?;
            }
            at += 1;
            continue;
        }
        let end = (at..files.len().min(at + MAP_CHUNK))
            .find(|&j| read::is_tar(&files[j].rel))
            .unwrap_or(files.len().min(at + MAP_CHUNK));
        let (chunk, chunk_ids) = (&files[at..end], &ids[at..end]);
        let (done, absorbed) =
            rayon::join(|| process(chunk), || pending.take().map_or(Ok(()), |(c, i, d)| sink.absorb(c, i, d)));
        absorbed?;
        pending = Some((chunk, chunk_ids, done));
        at = end;
    }
    if let Some((c, i, d)) = pending {
        sink.absorb(c, i, d)?;
    }
    bar.finish_and_clear();
    let Sink { mut out, spill, signed } = sink;
    // The state's and a shard's spill are read by later runs; a plain build's is scratch.
    out.spill_len = spill.finish(cfg.state.is_some() || cfg.shard.is_some())?;
    Ok((out, signed))
}

/// The chrome keys of a streamed archive's articles, while they stay few enough to keep: past
/// [`TRACE_CAP`] distinct keys they count as unknown (the archive is then processed again whenever the
/// chrome changes), so an archive of a million articles does not hold their hundred million line hashes.
struct Keys {
    trace: Vec<u64>,
    known: bool,
}

/// Reads a stored article's record into `buf` and returns its signatures' record, if both are there and match
/// the article's checksum.
fn checked(e: &state::StoredArticle, old: &SpillReader, buf: &mut Vec<u8>) -> Option<Vec<u8>> {
    old.raw_into(e.offset, buf).ok()?;
    let sig = old.raw(e.sig).ok()?;
    (state::check(buf, &sig) == e.check).then_some(sig)
}

/// Articles of a reused tar archive taken from the state at a time.
const REUSE_SLICE: usize = 8192;

/// Distinct chrome keys a streamed archive keeps at most (32 MB).
const TRACE_CAP: usize = 4 << 20;

impl Keys {
    fn add(&mut self, trace: Vec<u64>, traced: bool) {
        if !self.known {
            return;
        }
        if !traced {
            self.known = false;
            self.trace = Vec::new();
            return;
        }
        self.trace.extend(trace);
        if self.trace.len() > 2 * TRACE_CAP {
            self.trace.sort_unstable();
            self.trace.dedup();
            if self.trace.len() > TRACE_CAP {
                self.known = false;
                self.trace = Vec::new();
            }
        }
    }
}

/// Where the map's results go, in input order: the spill, the signatures, the state's records, the entries.
struct Sink {
    out: MapOutput,
    spill: SpillWriter,
    signed: Option<Signatures>,
}

impl Sink {
    /// A processed chunk, one result per file.
    fn absorb(&mut self, chunk: &[InputFile], ids: &[u32], done: Processed) -> Result<()> {
        for ((f, &file), d) in chunk.iter().zip(ids).zip(done) {
            let Done { articles, rejects, inputs, reused, fingerprint, chrome_keys, keys_at } = d?;
            self.start_file(&f.rel, fingerprint);
            self.articles(file, articles)?;
            self.rejects(rejects);
            self.end_file(inputs, chrome_keys, keys_at)?;
            self.out.reused_files += u64::from(reused);
        }
        Ok(())
    }

    /// Starts a file in the state: its articles and rejects follow, then [`Sink::end_file`].
    fn start_file(&mut self, rel: &str, fingerprint: state::Fingerprint) {
        if let Some(files) = self.out.state.as_mut() {
            files.push_file(rel, fingerprint, 0, None);
        }
    }

    /// Ends the file started last: its input units, and its chrome keys as spill bytes (or where they already
    /// sit in the spill being written).
    fn end_file(&mut self, inputs: u64, chrome_keys: Option<Vec<u8>>, keys_at: Option<u64>) -> Result<()> {
        if let Some(files) = self.out.state.as_mut() {
            let keys = match chrome_keys {
                Some(k) => {
                    let at = match keys_at {
                        Some(at) => at,
                        None => self.spill.push_raw(&k)?,
                    };
                    self.out.spill_live += 4 + k.len() as u64;
                    Some((at, xxh3_64(&k)))
                }
                None => None,
            };
            files.end_file(inputs, keys);
        }
        self.out.inputs += inputs;
        Ok(())
    }

    fn rejects(&mut self, rejects: Vec<Reject>) {
        if let Some(files) = self.out.state.as_mut() {
            for r in &rejects {
                files.push_reject(r.clone());
            }
        }
        self.out.rejects.extend(rejects);
    }

    /// Articles of the file started last, in order.
    fn articles(&mut self, file: u32, articles: Vec<Made>) -> Result<()> {
        let out = &mut self.out;
        for m in articles {
            // Where the two records are (appended now if new) and their lengths; no signatures without
            // the state.
            let (offset, sig) = match m.records {
                Records::New(bytes, sig) => {
                    let at = self.spill.push_raw(&bytes)?;
                    out.spill_live += 4 + bytes.len() as u64;
                    let sig = match sig {
                        Some(sig) => Some((self.spill.push_raw(&sig)?, sig.len() as u64)),
                        None => None,
                    };
                    (at, sig)
                }
                Records::InPlace((at, sig_at), (len, sig_len)) => {
                    out.spill_live += 4 + len;
                    (at, Some((sig_at, sig_len)))
                }
            };
            if let Some((sig_at, sig_len)) = sig {
                if let Some(files) = out.state.as_mut() {
                    files.push_article(state::StoredArticle {
                        record: m.record,
                        offset,
                        sig: sig_at,
                        check: m.check,
                        rows: None,
                    });
                }
                out.prev_rows.push(m.prev_rows);
                out.spill_live += 4 + sig_len;
            }
            out.entries.push(Entry { file, record: m.record, offset });
            if let (Some(all), Some(one)) = (self.signed.as_mut(), m.signed) {
                all.push(one)?;
            }
        }
        Ok(())
    }
}
