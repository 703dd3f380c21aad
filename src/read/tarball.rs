//! Tar archives, read as a stream.
//!
//! A day's dumps often travel as one tarball, and an archive of a whole service can be far larger than memory.
//! So an archive on disk is never held whole: it is decompressed as it is read (gzip, zstd, bzip2 or xz, by
//! magic bytes, whatever the name), and its members come out in batches of about [`BATCH_BYTES`], in the
//! order the archive holds them. `--max-file-bytes` applies to each member, as to any file, not to the
//! archive. Memory: one batch, plus ~40 bytes per member for [`LastCopies`].
//!
//! A name the archive gives again later (an archive appended to with `tar -r`) is read once, from its last
//! copy, as unpacking would leave it; which copy is last is known only at the archive's end. The build's
//! chrome sample reads every archive through anyway ([`scan_file`]: every copy, and the last copies learned
//! on the way), so the map's [`stream_file`] is told and reads the archive once more, no more. Told nothing,
//! [`stream_file`] first reads the headers alone (a seek per member in an uncompressed archive, a
//! decompression in a compressed one).
//!
//! Every regular member is read as if it were a file of the input folder named `<archive>/<member path>`
//! ([`read_members`]): its format and compression from its own name. Links, devices and archives inside the
//! archive are rejects of their own; damage ends the reading where it is (tar has no index to resynchronise
//! on) with one `corrupt` reject that says where.

use super::{decompress, is_tar, read_bytes, FileRead, InputFile, ReadLimits, GZIP, XZ, ZSTD};
use crate::model::{Reject, RejectReason};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::sync::mpsc;
use xxhash_rust::xxh3::xxh3_128;

/// Member bytes per batch: enough work for every core, small next to the rest of a build's memory.
pub const BATCH_BYTES: usize = 32 << 20;
/// Members per batch at most (a batch of tiny members is still a bounded list).
const BATCH_MEMBERS: usize = 4096;

/// One thing the archive holds, in archive order.
#[derive(Debug)]
pub enum Item {
    /// A regular member, to read as the file `name` (`<archive>/<member path>`); `index` is its place in the
    /// archive (see [`LastCopies`]).
    Member { index: usize, name: String, data: Vec<u8> },
    /// A member that is not read, or the damage that ended the reading.
    Reject(Reject),
}

/// Which member holds the last copy of each name (by a 128-bit hash of the name): a name given twice is read
/// from its last copy only.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LastCopies(HashMap<u128, usize>);

impl LastCopies {
    fn saw(&mut self, path: &str, index: usize) {
        self.0.insert(xxh3_128(path.as_bytes()), index);
    }

    /// Whether the archive gives the name of member `index` (its path inside the archive) again later.
    fn superseded(&self, path: &str, index: usize) -> bool {
        self.0.get(&xxh3_128(path.as_bytes())).is_some_and(|&last| last != index)
    }

    /// Whether member `index`, read as the file `name` of the archive `rel`, is the last copy of its name.
    pub fn is_last(&self, rel: &str, name: &str, index: usize) -> bool {
        let path = name.strip_prefix(rel).and_then(|p| p.strip_prefix('/')).unwrap_or(name);
        !self.superseded(path, index)
    }
}

/// Streams the tar archive `file` (plain or compressed) from disk: `each` gets its items in batches, in
/// archive order, the copies of a name given again later as rejects. Without `last` (from an earlier
/// [`scan_file`] of the same archive), a names pass learns them first. An archive that cannot be opened, or
/// holds nothing, is one reject item. Errors are `each`'s own.
pub fn stream_file<E>(
    file: &InputFile,
    limits: ReadLimits,
    batch_bytes: usize,
    last: Option<&LastCopies>,
    mut each: impl FnMut(Vec<Item>) -> Result<(), E>,
) -> Result<(), E> {
    let unreadable =
        |detail: String| vec![Item::Reject(Reject::new(&file.rel, None, RejectReason::Unreadable, detail))];
    if let Err(detail) = regular(&file.path) {
        return each(unreadable(detail));
    }
    let learned;
    let last = match last {
        Some(l) => l,
        None => {
            learned = match open(&file.path) {
                Ok(Opened::Plain(r)) => last_copies(tar::Archive::new(r).entries_with_seek()),
                Ok(Opened::Compressed(r)) => last_copies(tar::Archive::new(r).entries()),
                Err(e) => return each(unreadable(format!("cannot open: {e}"))),
            };
            &learned
        }
    };
    let read = match open(&file.path) {
        Ok(Opened::Plain(r)) => {
            members(&file.rel, tar::Archive::new(r).entries(), Some(last), limits, batch_bytes, each)
        }
        Ok(Opened::Compressed(r)) => {
            members(&file.rel, tar::Archive::new(r).entries(), Some(last), limits, batch_bytes, each)
        }
        Err(e) => return each(unreadable(format!("cannot open: {e}"))),
    };
    read.map(|_| ())
}

/// One pass over the archive `file`, every copy of every name included (check them with
/// [`LastCopies::is_last`]): for a caller that reads the archive only to sample it, and learns on the way
/// what [`stream_file`] would otherwise need a names pass for.
pub fn scan_file<E>(
    file: &InputFile,
    limits: ReadLimits,
    batch_bytes: usize,
    mut each: impl FnMut(Vec<Item>) -> Result<(), E>,
) -> Result<LastCopies, E> {
    let unreadable =
        |detail: String| vec![Item::Reject(Reject::new(&file.rel, None, RejectReason::Unreadable, detail))];
    if let Err(detail) = regular(&file.path) {
        return each(unreadable(detail)).map(|()| LastCopies::default());
    }
    match open(&file.path) {
        Ok(Opened::Plain(r)) => members(&file.rel, tar::Archive::new(r).entries(), None, limits, batch_bytes, each),
        Ok(Opened::Compressed(r)) => {
            members(&file.rel, tar::Archive::new(r).entries(), None, limits, batch_bytes, each)
        }
        Err(e) => each(unreadable(format!("cannot open: {e}"))).map(|()| LastCopies::default()),
    }
}

fn regular(path: &Path) -> Result<(), String> {
    match fs::metadata(path) {
        Ok(m) if m.is_file() => Ok(()),
        Ok(_) => Err("not a regular file (FIFO, socket, device or folder)".into()),
        Err(e) => Err(format!("cannot open: {e}")),
    }
}

/// Reads a tar archive held in memory (plain or compressed): decompressed whole under the cap, then read as
/// [`stream_file`] reads one from disk. This is the entry the fuzz target and `read_bytes` use.
pub fn read_tar(rel: &str, bytes: Vec<u8>, limits: ReadLimits) -> FileRead {
    let bytes = match decompress(bytes, limits.max_bytes) {
        Ok(b) => b,
        Err((reason, detail)) => {
            return FileRead { records: Vec::new(), rejects: vec![Reject::new(rel, None, reason, detail)] }
        }
    };
    let last = last_copies(tar::Archive::new(io::Cursor::new(&bytes[..])).entries_with_seek());
    let mut out = FileRead::default();
    let mut next = 0;
    let each = |items| -> Result<(), ()> {
        absorb(&mut out, read_members(items, &mut next, limits));
        Ok(())
    };
    let _ = members(rel, tar::Archive::new(&bytes[..]).entries(), Some(&last), limits, BATCH_BYTES, each);
    out
}

/// Reads a tar archive from disk whole (streamed, but every record kept): for callers that want one
/// [`FileRead`]. The build's map streams instead (src/pipeline/files.rs).
pub fn read_tar_file(file: &InputFile, limits: ReadLimits) -> FileRead {
    let mut out = FileRead::default();
    let mut next = 0;
    let _ = stream_file(file, limits, BATCH_BYTES, None, |items| -> Result<(), ()> {
        absorb(&mut out, read_members(items, &mut next, limits));
        Ok(())
    });
    out
}

fn absorb(out: &mut FileRead, more: FileRead) {
    out.records.extend(more.records);
    out.rejects.extend(more.rejects);
}

/// Reads a batch of members as files of their names (in parallel: a member may be compressed, and decoding
/// is per member), in order. Records are numbered across the archive from `*next`, which is one input file
/// to the build: it orders and identifies articles by (file, record), so two members' records must not share
/// a number. A member's `offset` stays within the member.
pub fn read_members(items: Vec<Item>, next: &mut u32, limits: ReadLimits) -> FileRead {
    let reads: Vec<FileRead> = items
        .into_par_iter()
        .map(|item| match item {
            Item::Member { name, data, .. } => read_bytes(&name, data, limits),
            Item::Reject(r) => FileRead { records: Vec::new(), rejects: vec![r] },
        })
        .collect();
    let mut out = FileRead::default();
    for mut read in reads {
        let base = *next;
        let numbers = read.records.iter().map(|r| r.record).chain(read.rejects.iter().filter_map(|r| r.record));
        *next = next.saturating_add(numbers.max().map_or(0, |m| m.saturating_add(1)));
        for r in &mut read.records {
            r.record = r.record.saturating_add(base);
        }
        for r in &mut read.rejects {
            r.record = r.record.map(|n| n.saturating_add(base));
        }
        absorb(&mut out, read);
    }
    out
}

/// An archive opened for a pass: uncompressed (seekable, so the names pass skips the data), or behind a
/// decompressor.
enum Opened {
    Plain(BufReader<fs::File>),
    Compressed(Box<dyn Read + Send>),
}

fn open(path: &Path) -> io::Result<Opened> {
    let mut r = BufReader::with_capacity(1 << 16, fs::File::open(path)?);
    let head = r.fill_buf()?.to_vec();
    Ok(if head.starts_with(GZIP) {
        Opened::Compressed(Box::new(flate2::bufread::MultiGzDecoder::new(r)))
    } else if head.starts_with(ZSTD) {
        Opened::Compressed(Box::new(zstd::stream::read::Decoder::with_buffer(r)?))
    } else if super::is_bzip2(&head) {
        Opened::Compressed(Box::new(bzip2::bufread::MultiBzDecoder::new(r)))
    } else if head.starts_with(XZ) {
        Opened::Compressed(Box::new(xz_reader(r)))
    } else {
        Opened::Plain(r)
    })
}

/// xz as a reader: lzma-rs decodes into a writer, so it runs on a thread of its own that hands the
/// decompressed bytes over a bounded channel (four 64 KiB chunks in flight). Dropping the reader ends the
/// thread: its next write fails.
fn xz_reader(mut input: BufReader<fs::File>) -> ChannelReader {
    let (tx, rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(4);
    std::thread::spawn(move || {
        let mut w = io::BufWriter::with_capacity(1 << 16, ChannelWriter(tx.clone()));
        let done = lzma_rs::xz_decompress(&mut input, &mut w).map_err(|e| io::Error::other(format!("xz: {e}")));
        let done = done.and_then(|()| io::Write::flush(&mut w));
        if let Err(e) = done {
            let _ = tx.send(Err(e));
        }
    });
    ChannelReader { rx, chunk: Vec::new(), at: 0 }
}

struct ChannelWriter(mpsc::SyncSender<io::Result<Vec<u8>>>);

impl io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(Ok(buf.to_vec())).map_err(|_| io::Error::other("the reader is gone"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

struct ChannelReader {
    rx: mpsc::Receiver<io::Result<Vec<u8>>>,
    chunk: Vec<u8>,
    at: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.rx.recv() {
                Ok(Ok(chunk)) => (self.chunk, self.at) = (chunk, 0),
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(0), // the decoder finished
            }
        }
        let n = buf.len().min(self.chunk.len() - self.at);
        buf[..n].copy_from_slice(&self.chunk[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// A member's path as the build names it: relative, however the archive stored it.
fn member_path<R: Read>(entry: &tar::Entry<'_, R>) -> String {
    String::from_utf8_lossy(&entry.path_bytes()).trim_start_matches("./").trim_start_matches('/').to_string()
}

fn is_regular(kind: tar::EntryType) -> bool {
    kind.is_file() || kind.is_contiguous()
}

/// The names pass: for each regular member's path, the index of its last copy.
fn last_copies<R: Read>(entries: io::Result<tar::Entries<'_, R>>) -> LastCopies {
    let mut last = LastCopies::default();
    let Ok(entries) = entries else { return last };
    for (i, entry) in entries.enumerate() {
        // Damage ends this pass where it will end the reading pass.
        let Ok(entry) = entry else { break };
        if is_regular(entry.header().entry_type()) {
            last.saw(&member_path(&entry), i);
        }
    }
    last
}

/// The reading pass: every item of the archive, in batches. With `last`, the copies of a name given again
/// later are rejects; without, every copy is read. Returns the last copies it saw.
fn members<R: Read, E>(
    rel: &str,
    entries: io::Result<tar::Entries<'_, R>>,
    last: Option<&LastCopies>,
    limits: ReadLimits,
    batch_bytes: usize,
    mut each: impl FnMut(Vec<Item>) -> Result<(), E>,
) -> Result<LastCopies, E> {
    let mut seen = LastCopies::default();
    let damaged = |i: usize, e: io::Error| {
        Item::Reject(Reject::new(
            rel,
            None,
            RejectReason::Corrupt,
            format!("tar member {i} is damaged ({e}); the members after it are not read"),
        ))
    };
    let reject = |name: &str, reason, detail: &str| Item::Reject(Reject::new(name, None, reason, detail));
    let mut batch = Vec::new();
    let mut bytes = 0;
    let mut any = false;
    let entries = match entries {
        Ok(entries) => Some(entries),
        Err(e) => {
            batch.push(damaged(0, e));
            None
        }
    };
    for (i, entry) in entries.into_iter().flatten().enumerate() {
        let mut entry = match entry {
            Ok(e) => e,
            Err(e) => {
                batch.push(damaged(i, e));
                break;
            }
        };
        let path = member_path(&entry);
        let name = format!("{rel}/{path}");
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() {
            continue;
        }
        any = true;
        if is_regular(kind) {
            seen.saw(&path, i);
        }
        if !is_regular(kind) {
            let what = if kind.is_symlink() || kind.is_hard_link() { "a link" } else { "not a regular file" };
            batch.push(reject(&name, RejectReason::Unreadable, &format!("{what} inside a tar archive: not read")));
        } else if last.is_some_and(|l| l.superseded(&path, i)) {
            batch.push(reject(
                &name,
                RejectReason::Unreadable,
                "the archive holds this member name again later: the last copy is read, as unpacking would leave it",
            ));
        } else if is_tar(&path) {
            batch.push(reject(
                &name,
                RejectReason::UnsupportedFormat,
                "a tar archive inside a tar archive: not read (unpack the outer one)",
            ));
        } else if entry.size() > limits.max_bytes {
            // Skipped unread (the archive's reader steps over its data).
            let detail = format!("larger than the {}-byte cap (raise --max-file-bytes)", limits.max_bytes);
            batch.push(reject(&name, RejectReason::TooLarge, &detail));
        } else {
            let size = entry.size();
            let mut data = Vec::with_capacity(size as usize);
            // A member cut short reads as a short member without an error: its size says so.
            let read = entry.read_to_end(&mut data).and_then(|n| {
                if n as u64 == size {
                    Ok(())
                } else {
                    Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("{n} of its {size} bytes, the archive ends early"),
                    ))
                }
            });
            if let Err(e) = read {
                batch.push(damaged(i, e));
                break;
            }
            bytes += data.len();
            batch.push(Item::Member { index: i, name, data });
        }
        if bytes >= batch_bytes || batch.len() >= BATCH_MEMBERS {
            each(std::mem::take(&mut batch))?;
            bytes = 0;
        }
    }
    if !any && batch.is_empty() {
        batch.push(reject(rel, RejectReason::Empty, "a tar archive with no files in it"));
    }
    if !batch.is_empty() {
        each(batch)?;
    }
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use super::super::tests::{bzip2_of, xz_of};
    use super::*;
    use std::io::Write;

    /// An archive of `n` text members (one of them given twice, the first copy stale), a JSONL member and a
    /// symbolic link.
    fn archive(n: usize) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut add = |name: &str, body: &[u8]| {
            let mut h = tar::Header::new_gnu();
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, body).unwrap();
        };
        add("d/again.txt", b"Stale\n\n\nThe first copy.\n");
        for i in 0..n {
            add(&format!("d/{i:03}.txt"), format!("Title {i}\n\n\n{}\n", "Body text. ".repeat(90)).as_bytes());
        }
        add("d/r.jsonl", b"{\"text\": \"One.\"}\n{\"text\": \"Two.\"}\n");
        add("d/again.txt", b"Fresh\n\n\nThe last copy.\n");
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        b.append_link(&mut link, "d/link.txt", "000.txt").unwrap();
        b.into_inner().unwrap()
    }

    fn gzip_of(bytes: &[u8]) -> Vec<u8> {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap()
    }

    fn on_disk(dir: &Path, name: &str, bytes: &[u8]) -> InputFile {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        InputFile { rel: name.to_string(), path }
    }

    /// (source_file, record, content) of each record, and (source_file, reason) of each reject.
    type Seen = (Vec<(String, u32, String)>, Vec<(String, RejectReason)>);

    fn seen(read: &FileRead, strip: &str) -> Seen {
        let name = |s: &str| s.strip_prefix(strip).unwrap_or(s).to_string();
        (
            read.records.iter().map(|r| (name(&r.source_file), r.record, r.content.clone())).collect(),
            read.rejects.iter().map(|r| (name(&r.source_file), r.reason)).collect(),
        )
    }

    #[test]
    fn an_archive_on_disk_streams_in_batches_as_it_reads_in_memory_whatever_the_compression() {
        let d = tempfile::tempdir().unwrap();
        let tar = archive(40);
        let whole = read_tar("x.tar", tar.clone(), ReadLimits::default());
        let expected = seen(&whole, "x.tar/");
        assert_eq!(expected.0.len(), 40 + 2 + 1, "40 pages, 2 JSONL records, the last copy of again.txt");
        assert_eq!(expected.0.last().unwrap().2, "Fresh\n\n\nThe last copy.\n");
        assert_eq!(
            expected.1,
            [
                ("d/again.txt".to_string(), RejectReason::Unreadable),
                ("d/link.txt".to_string(), RejectReason::Unreadable)
            ]
        );
        let numbers: Vec<u32> = expected.0.iter().map(|r| r.1).collect();
        assert_eq!(numbers, (0..43).collect::<Vec<u32>>(), "records numbered across the archive");
        for (name, bytes) in [
            ("a.tar", tar.clone()),
            ("a.tar.gz", gzip_of(&tar)),
            ("a.tar.zst", zstd::encode_all(&tar[..], 3).unwrap()),
            ("a.tar.bz2", bzip2_of(&tar)),
            ("a.tar.xz", xz_of(&tar)),
        ] {
            let f = on_disk(d.path(), name, &bytes);
            // One byte per batch at most: every member is a batch of its own.
            let (mut batches, mut next, mut got) = (0, 0, FileRead::default());
            stream_file(&f, ReadLimits::default(), 1, None, |items| -> Result<(), ()> {
                batches += 1;
                absorb(&mut got, read_members(items, &mut next, ReadLimits::default()));
                Ok(())
            })
            .unwrap();
            assert!(batches > 40, "{name}: {batches} batches");
            assert_eq!(seen(&got, &format!("{name}/")), expected, "{name}");
            assert_eq!(seen(&read_tar_file(&f, ReadLimits::default()), &format!("{name}/")), expected, "{name}");
            // One scan gives every copy and learns which is the last; the stream told so needs no names pass.
            let mut copies = Vec::new();
            let last = scan_file(&f, ReadLimits::default(), BATCH_BYTES, |items| -> Result<(), ()> {
                for i in items {
                    if let Item::Member { index, name, .. } = i {
                        copies.push((index, name));
                    }
                }
                Ok(())
            })
            .unwrap();
            let again: Vec<bool> = copies
                .iter()
                .filter(|(_, n)| n.ends_with("/again.txt"))
                .map(|(i, n)| last.is_last(name, n, *i))
                .collect();
            assert_eq!(again, [false, true], "{name}: both copies scanned, the second is the last");
            let (mut told, mut next) = (FileRead::default(), 0);
            stream_file(&f, ReadLimits::default(), BATCH_BYTES, Some(&last), |items| -> Result<(), ()> {
                absorb(&mut told, read_members(items, &mut next, ReadLimits::default()));
                Ok(())
            })
            .unwrap();
            assert_eq!(seen(&told, &format!("{name}/")), expected, "{name}");
        }
    }

    #[test]
    fn the_cap_is_each_members_not_the_archives() {
        let d = tempfile::tempdir().unwrap();
        let mut b = tar::Builder::new(Vec::new());
        for i in 0..30 {
            let mut h = tar::Header::new_gnu();
            let body = format!("Title {i}\n\n\n{}\n", "Words of a body. ".repeat(50));
            h.set_size(body.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, format!("{i:02}.txt"), body.as_bytes()).unwrap();
        }
        let mut h = tar::Header::new_gnu();
        h.set_size(5000);
        h.set_mode(0o644);
        b.append_data(&mut h, "huge.txt", &[b'a'; 5000][..]).unwrap();
        let tar = b.into_inner().unwrap();
        let limits = ReadLimits { max_bytes: 4096 };
        assert!(tar.len() > 8 * 4096);
        for (name, bytes) in [("c.tar", tar.clone()), ("c.tar.gz", gzip_of(&tar))] {
            let got = read_tar_file(&on_disk(d.path(), name, &bytes), limits);
            assert_eq!(got.records.len(), 30, "{name}");
            let rejects: Vec<(&str, RejectReason)> =
                got.rejects.iter().map(|r| (r.source_file.as_str(), r.reason)).collect();
            assert_eq!(rejects, [(format!("{name}/huge.txt").as_str(), RejectReason::TooLarge)], "{name}");
        }
        // Held in memory (the fuzz targets' entry), an archive is decompressed whole, under the cap.
        assert_eq!(read_tar("c.tar.gz", gzip_of(&tar), limits).rejects[0].reason, RejectReason::TooLarge);
    }

    #[test]
    fn a_cut_compressed_archive_keeps_what_came_before_the_cut() {
        let d = tempfile::tempdir().unwrap();
        let tar = archive(200);
        // lzma-rs hands its output over a dictionary (8 MiB by default) at a time, so a cut xz archive this
        // small gives nothing before the cut: only the reject that says so.
        for (name, bytes, least) in [
            ("cut.tar.gz", gzip_of(&tar), 20),
            ("cut.tar", tar.clone(), 20),
            ("cut.tar.bz2", bzip2_of(&tar), 0),
            ("cut.tar.xz", xz_of(&tar), 0),
        ] {
            let got = read_tar_file(&on_disk(d.path(), name, &bytes[..bytes.len() / 2]), ReadLimits::default());
            assert!(got.records.len() >= least && got.records.len() < 200, "{name}: {}", got.records.len());
            let last = got.rejects.last().unwrap();
            assert_eq!((last.source_file.as_str(), last.reason), (name, RejectReason::Corrupt), "{name}");
            assert!(last.detail.contains("not read"), "{name}: {}", last.detail);
        }
        // Not an archive at all, an empty one, a folder.
        let junk = read_tar_file(&on_disk(d.path(), "junk.tar.gz", b"not a tar"), ReadLimits::default());
        assert_eq!((junk.records.len(), junk.rejects.len()), (0, 1));
        let empty = read_tar_file(&on_disk(d.path(), "empty.tar", &[0; 1024]), ReadLimits::default());
        assert_eq!(empty.rejects[0].reason, RejectReason::Empty);
        fs::create_dir(d.path().join("dir.tar")).unwrap();
        let dir = InputFile { rel: "dir.tar".into(), path: d.path().join("dir.tar") };
        assert_eq!(read_tar_file(&dir, ReadLimits::default()).rejects[0].reason, RejectReason::Unreadable);
    }

    #[test]
    fn a_caller_that_stops_ends_the_stream_and_its_decoder() {
        let d = tempfile::tempdir().unwrap();
        let tar = archive(300);
        let f = on_disk(d.path(), "stop.tar.xz", &xz_of(&tar));
        let mut calls = 0;
        let r = stream_file(&f, ReadLimits::default(), 1, None, |_| {
            calls += 1;
            Err("enough")
        });
        assert_eq!((r, calls), (Err("enough"), 1));
    }
}
