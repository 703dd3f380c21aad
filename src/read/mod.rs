//! Read stage: input paths in, decoded [`Record`]s (or [`Reject`]s) out.
//!
//! Two steps, both cheap to reason about:
//! 1. [`discover`] walks the inputs and returns every file in a stable order (sorted by the path relative to
//!    its input folder), so that everything downstream can be deterministic whatever the thread count.
//! 2. [`read_file`] turns one file into records: it decompresses (gzip, zstd, bzip2, xz, by magic bytes), caps the
//!    decompressed size (a decompression bomb becomes a reject, not an out-of-memory kill), decides the
//!    format from the name, and decodes the bytes to text. Any failure is a [`Reject`] with a reason: a bad
//!    file never stops the build.
//!
//! Tar archives ([`tarball`]) are streamed instead: decompressed as they are read, members in batches, the
//! cap per member.
//!
//! Formats: text dumps and HTML pages are one record per file; JSONL ([`jsonl`]) is one record per line and
//! WARC ([`warc`]) one per HTML response record, each with its index and byte offset, and each bad line or
//! record a reject of its own. Encodings ([`decode`]): BOMs, UTF-8, UTF-16 without a BOM, HTML `<meta charset>`
//! and HTTP charsets, then `chardetng` detection of legacy encodings behind a plausibility check that keeps
//! decoded garbage out; the decision is the record's `encoding`.

pub mod decode;
pub mod jsonl;
pub mod tarball;
pub mod warc;

use crate::model::{Format, Hints, Record, Reject, RejectReason};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

pub use decode::{decode_html, decode_text, plausibility};
pub use jsonl::read_jsonl;
pub use tarball::{read_tar, read_tar_file};
pub use warc::read_warc;

/// One input file found by [`discover`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputFile {
    /// Path relative to its input folder, `/`-separated (the `source_file` column).
    pub rel: String,
    pub path: PathBuf,
}

/// Limits that keep one hostile file from taking the machine down.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Largest decompressed size of one file, in bytes.
    pub max_bytes: u64,
}

impl Default for ReadLimits {
    /// 64 MiB: a hundred times the longest article page, and small enough that an oversized file is turned
    /// away from its size alone, before a byte of it is read.
    fn default() -> Self {
        ReadLimits { max_bytes: 64 << 20 }
    }
}

/// What reading one file gave: zero or more records and zero or more rejects.
#[derive(Debug, Default)]
pub struct FileRead {
    pub records: Vec<Record>,
    pub rejects: Vec<Reject>,
}

/// Walks the inputs (files or folders, folders recursively) and returns the files sorted by relative path,
/// plus rejects for paths that could not be walked. Symbolic links to folders are not followed (that is how a
/// symlink loop cannot hang the walk); links to files are read.
pub fn discover(inputs: &[PathBuf]) -> (Vec<InputFile>, Vec<Reject>) {
    let mut files = Vec::new();
    let mut rejects = Vec::new();
    let prefix_roots = inputs.len() > 1;
    let mut seen_inputs = std::collections::BTreeSet::new();
    let mut used_roots: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for input in inputs {
        // The same file or folder given twice is one input, read once.
        if let Ok(canonical) = fs::canonicalize(input) {
            if !seen_inputs.insert(canonical) {
                continue;
            }
        }
        let root_name = input.file_name().map(escaped_name).unwrap_or_default();
        // Two inputs with one name (2024/dumps and 2025/dumps) get distinct prefixes (dumps/, dumps~2/):
        // with one prefix, every pair of same-named files would collide and one of each pair would be lost.
        let uses = used_roots.entry(root_name.clone()).or_insert(0);
        *uses += 1;
        let prefix = match (prefix_roots, *uses) {
            (false, _) => String::new(),
            (true, 1) => format!("{root_name}/"),
            (true, n) => format!("{root_name}~{n}/"),
        };
        match fs::metadata(input) {
            Ok(m) if m.is_dir() => walk(input, input, &prefix, &mut files, &mut rejects),
            Ok(m) if !m.is_file() => rejects.push(Reject::new(
                &input.to_string_lossy(),
                None,
                RejectReason::Unreadable,
                "not a regular file (FIFO, socket or device): not read",
            )),
            Ok(_) => files.push(InputFile { rel: format!("{prefix}{root_name}"), path: input.clone() }),
            Err(e) => rejects.push(Reject::new(
                &input.to_string_lossy(),
                None,
                RejectReason::Unreadable,
                format!("cannot open input: {e}"),
            )),
        }
    }
    if prefix_roots {
        // Single files given next to folders: keep their bare name (no doubled prefix).
        for f in files.iter_mut() {
            if let Some(stripped) = f.rel.strip_prefix(&format!("{0}/{0}", f.rel.split('/').next().unwrap_or(""))) {
                if stripped.is_empty() {
                    f.rel = f.rel.split('/').next().unwrap_or("").to_string();
                }
            }
        }
    }
    files.sort();
    // One source_file from two paths (only contrived layouts get here after the prefixes above): the first is
    // read; the others are rejects that say why, never silently dropped.
    let mut kept: Vec<InputFile> = Vec::with_capacity(files.len());
    for f in files {
        match kept.last() {
            Some(prev) if prev.rel == f.rel => {
                if prev.path != f.path {
                    rejects.push(Reject::new(
                        &f.rel,
                        None,
                        RejectReason::Unreadable,
                        format!(
                            "{} has the same source_file name as {}: not read",
                            f.path.display(),
                            prev.path.display()
                        ),
                    ));
                }
            }
            _ => kept.push(f),
        }
    }
    let files = kept;
    rejects.sort_by(|a, b| a.source_file.cmp(&b.source_file));
    (files, rejects)
}

fn walk(root: &Path, dir: &Path, prefix: &str, files: &mut Vec<InputFile>, rejects: &mut Vec<Reject>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            rejects.push(Reject::new(
                &rel_of(root, dir, prefix),
                None,
                RejectReason::Unreadable,
                format!("cannot list folder: {e}"),
            ));
            return;
        }
    };
    for entry in entries {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                rejects.push(Reject::new(
                    &rel_of(root, dir, prefix),
                    None,
                    RejectReason::Unreadable,
                    format!("cannot list folder entry: {e}"),
                ));
                continue;
            }
        };
        let path = entry.path();
        let ft = match entry.file_type() {
            Ok(t) => t,
            Err(e) => {
                rejects.push(Reject::new(&rel_of(root, &path, prefix), None, RejectReason::Unreadable, e.to_string()));
                continue;
            }
        };
        if ft.is_dir() {
            walk(root, &path, prefix, files, rejects);
        } else if ft.is_symlink() {
            match fs::metadata(&path) {
                Ok(m) if m.is_file() => files.push(InputFile { rel: rel_of(root, &path, prefix), path }),
                Ok(m) if m.is_dir() => rejects.push(Reject::new(
                    &rel_of(root, &path, prefix),
                    None,
                    RejectReason::Unreadable,
                    "symbolic link to a folder: not followed (link the files, or pass the folder itself)",
                )),
                Ok(_) => rejects.push(Reject::new(
                    &rel_of(root, &path, prefix),
                    None,
                    RejectReason::Unreadable,
                    "symbolic link to a FIFO, socket or device: not read",
                )),
                Err(e) => rejects.push(Reject::new(
                    &rel_of(root, &path, prefix),
                    None,
                    RejectReason::Unreadable,
                    format!("broken or looping symbolic link: {e}"),
                )),
            }
        } else if ft.is_file() {
            files.push(InputFile { rel: rel_of(root, &path, prefix), path });
        } else {
            // Opening a FIFO would block the build forever; sockets and devices are not articles either.
            rejects.push(Reject::new(
                &rel_of(root, &path, prefix),
                None,
                RejectReason::Unreadable,
                "not a regular file (FIFO, socket or device): not read",
            ));
        }
    }
}

/// The `source_file` form of a path: relative to the input folder, `/`-separated. File names that are not
/// valid UTF-8 keep their bad bytes as `\xFF` escapes: readable, and two such names never collapse into one
/// (U+FFFD for every bad byte would make them equal, and one file would be dropped as a repeat).
fn rel_of(root: &Path, path: &Path, prefix: &str) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = rel.components().map(|c| escaped_name(c.as_os_str())).collect();
    format!("{prefix}{}", parts.join("/"))
}

fn escaped_name(name: &std::ffi::OsStr) -> String {
    if let Some(s) = name.to_str() {
        return s.to_string();
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(chunk.valid());
            for b in chunk.invalid() {
                out.push_str(&format!("\\x{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    {
        name.to_string_lossy().into_owned()
    }
}

/// The names of the compressed files [`decompress`] reads (it goes by magic bytes; the name only hides the
/// format's own extension).
const COMPRESSED_SUFFIXES: [&str; 4] = [".gz", ".zst", ".bz2", ".xz"];

/// Whether a file is a tar archive by its name (`.tar`, optionally compressed, or `.tgz`): each member is
/// then read as an input of its own ([`read_tar`]).
pub fn is_tar(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = COMPRESSED_SUFFIXES.iter().fold(lower.as_str(), |name, suffix| name.trim_end_matches(suffix));
    base.ends_with(".tar") || lower.ends_with(".tgz")
}

/// Whether a `source_file` names a member of a tar archive (`<archive>/<member>`).
pub fn in_archive(source_file: &str) -> bool {
    source_file.match_indices('/').any(|(i, _)| is_tar(&source_file[..i]))
}

/// The format a file holds, from its name with compression suffixes removed.
pub fn format_of(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    let base = COMPRESSED_SUFFIXES.iter().fold(lower.as_str(), |name, suffix| name.trim_end_matches(suffix));
    let ext = base.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "txt" | "text" | "" => Some(Format::Text),
        "html" | "htm" | "xhtml" => Some(Format::Html),
        "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
        "warc" => Some(Format::Warc),
        _ => None,
    }
}

/// Reads one file: loads its raw bytes (refusing anything that is not a regular file, or is larger than the
/// cap) and hands them to [`read_bytes`].
pub fn read_file(file: &InputFile, limits: ReadLimits) -> FileRead {
    if format_of(&file.rel).is_none() && !is_tar(&file.rel) {
        // Rejected by name alone: no need to open (or wait on) the file.
        return read_bytes(&file.rel, Vec::new(), limits);
    }
    if is_tar(&file.rel) {
        // Streamed from disk: the cap is each member's, not the archive's.
        return read_tar_file(file, limits);
    }
    match load(&file.path, limits.max_bytes) {
        Ok(raw) => read_bytes(&file.rel, raw, limits),
        Err((reason, detail)) => {
            FileRead { records: Vec::new(), rejects: vec![Reject::new(&file.rel, None, reason, detail)] }
        }
    }
}

/// Everything [`read_file`] does once the file is in memory: decompresses (gzip, zstd, by magic bytes) under
/// the cap, picks the format from the name `rel`, decodes to text and splits into records. This is the one
/// entry the fuzz targets call for every format, so it must never panic, whatever the bytes.
pub fn read_bytes(rel: &str, bytes: Vec<u8>, limits: ReadLimits) -> FileRead {
    if is_tar(rel) {
        return read_tar(rel, bytes, limits);
    }
    let mut out = FileRead::default();
    let reject = |reason, detail: String| Reject::new(rel, None, reason, detail);
    let Some(format) = format_of(rel) else {
        out.rejects.push(reject(
            RejectReason::UnsupportedFormat,
            format!(
                "file extension is not one we read (.txt, .html, .jsonl, .warc, optionally {}; or a .tar of them)",
                COMPRESSED_SUFFIXES.join("/")
            ),
        ));
        return out;
    };
    // WARC writers put each record in its own gzip member: a .warc.gz is decompressed member by member so a
    // damaged member costs only its own records.
    let loaded = if format == Format::Warc && bytes.starts_with(GZIP) {
        if bytes.len() as u64 > limits.max_bytes {
            Err((
                RejectReason::TooLarge,
                format!("larger than the {}-byte cap (raise --max-file-bytes)", limits.max_bytes),
            ))
        } else {
            gunzip_members(&bytes, limits.max_bytes)
        }
    } else {
        decompress(bytes, limits.max_bytes).map(|b| (b, Vec::new()))
    };
    let bytes = match loaded {
        Ok((b, damage)) => {
            // Damaged gzip members of a .warc.gz cost their own records only; each is one reject.
            out.rejects.extend(damage.into_iter().map(|d| reject(RejectReason::Corrupt, d)));
            b
        }
        Err((reason, detail)) => {
            out.rejects.push(reject(reason, detail));
            return out;
        }
    };
    match format {
        Format::Text | Format::Html => {
            let decoded = if format == Format::Html { decode_html(&bytes, None) } else { decode_text(&bytes) };
            match decoded {
                Ok((content, encoding)) => {
                    if content.trim().is_empty() {
                        out.rejects.push(reject(RejectReason::Empty, format!("{} bytes, no text", bytes.len())));
                    } else {
                        out.records.push(Record {
                            source_file: rel.to_string(),
                            record: 0,
                            offset: 0,
                            format,
                            encoding: encoding.to_string(),
                            content,
                            hints: Hints::default(),
                        });
                    }
                }
                Err((reason, detail)) => out.rejects.push(reject(reason, detail)),
            }
        }
        Format::Jsonl | Format::Warc => {
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                out.rejects.push(reject(RejectReason::Empty, format!("{} bytes, only white space", bytes.len())));
                return out;
            }
            if format == Format::Jsonl {
                read_jsonl(rel, &bytes, &mut out.records, &mut out.rejects);
            } else {
                read_warc(rel, &bytes, &mut out.records, &mut out.rejects);
            }
            // A container with nothing in it for us still leaves a trace in the rejects table.
            if out.records.is_empty() && out.rejects.is_empty() {
                out.rejects
                    .push(reject(RejectReason::NoText, format!("no article records in this {} file", format.as_str())));
            }
        }
    }
    out
}

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

fn gunzip_members(raw: &[u8], max: u64) -> Result<(Vec<u8>, Vec<String>), (RejectReason, String)> {
    let next_magic = |from: usize| raw.get(from..)?.windows(3).position(|w| w == GZIP_MAGIC).map(|p| p + from);
    let mut out: Vec<u8> = Vec::new();
    let mut damage = Vec::new();
    let mut pos = 0;
    while pos < raw.len() {
        if !raw[pos..].starts_with(&GZIP_MAGIC) {
            let next = next_magic(pos + 1);
            let end = next.unwrap_or(raw.len());
            damage.push(format!("{} bytes at compressed offset {pos} are not a gzip member: skipped", end - pos));
            pos = end;
            continue;
        }
        let mut dec = flate2::bufread::GzDecoder::new(&raw[pos..]);
        let mut member = Vec::new();
        let budget = max + 1 - out.len() as u64;
        match (&mut dec).take(budget).read_to_end(&mut member) {
            Ok(_) => {
                let rest = dec.into_inner().len();
                out.extend_from_slice(&member);
                if out.len() as u64 > max {
                    return Err((
                        RejectReason::TooLarge,
                        format!(
                            "decompresses past the {max}-byte cap (a decompression bomb, or raise --max-file-bytes)"
                        ),
                    ));
                }
                pos = (raw.len() - rest).max(pos + 1);
            }
            Err(e) => {
                let next = next_magic(pos + 1);
                damage.push(format!(
                    "gzip member at compressed offset {pos} is corrupt ({e}); its records are lost, reading resumes {}",
                    next.map(|n| format!("at compressed offset {n}")).unwrap_or_else(|| "nowhere (end of file)".into())
                ));
                pos = next.unwrap_or(raw.len());
            }
        }
    }
    Ok((out, damage))
}

/// Reads a regular file whole, refusing to hold more than `max` bytes. Anything else (a FIFO would block the
/// read forever, a device never ends) is unreadable.
fn load(path: &Path, max: u64) -> Result<Vec<u8>, (RejectReason, String)> {
    let meta = fs::metadata(path).map_err(|e| (RejectReason::Unreadable, format!("cannot open: {e}")))?;
    if !meta.is_file() {
        return Err((RejectReason::Unreadable, "not a regular file (FIFO, socket, device or folder)".into()));
    }
    let too_large = || (RejectReason::TooLarge, format!("larger than the {max}-byte cap (raise --max-file-bytes)"));
    if meta.len() > max {
        return Err(too_large());
    }
    let f = fs::File::open(path).map_err(|e| (RejectReason::Unreadable, format!("cannot open: {e}")))?;
    let mut raw = Vec::new();
    f.take(max.saturating_add(1))
        .read_to_end(&mut raw)
        .map_err(|e| (RejectReason::Unreadable, format!("read error: {e}")))?;
    if raw.len() as u64 > max {
        return Err(too_large());
    }
    Ok(raw)
}

/// The magic bytes of the compressed formats [`decompress`] reads.
const GZIP: &[u8] = &[0x1f, 0x8b];
const ZSTD: &[u8] = &[0x28, 0xb5, 0x2f, 0xfd];
const XZ: &[u8] = &[0xfd, b'7', b'z', b'X', b'Z', 0x00];

/// bzip2: `BZh`, the block size digit, then the magic of a first block (the digits of pi) or of the end of an
/// empty stream (those of the square root of pi), so that a text that happens to start with `BZh1` is text.
fn is_bzip2(raw: &[u8]) -> bool {
    raw.len() >= 10
        && raw.starts_with(b"BZh")
        && (b'1'..=b'9').contains(&raw[3])
        && matches!(&raw[4..10], [0x31, 0x41, 0x59, 0x26, 0x53, 0x59] | [0x17, 0x72, 0x45, 0x38, 0x50, 0x90])
}

/// Decompresses gzip, zstd, bzip2 and xz (recognised by their magic bytes, whatever the name); other bytes
/// pass through. At most `max` decompressed bytes are ever held: a decompression bomb is a reject, not an
/// out-of-memory kill.
fn decompress(raw: Vec<u8>, max: u64) -> Result<Vec<u8>, (RejectReason, String)> {
    if raw.len() as u64 > max {
        return Err((RejectReason::TooLarge, format!("larger than the {max}-byte cap (raise --max-file-bytes)")));
    }
    let too_large = || {
        (
            RejectReason::TooLarge,
            format!("decompresses past the {max}-byte cap (a decompression bomb, or raise --max-file-bytes)"),
        )
    };
    let corrupt =
        |e: &dyn std::fmt::Display| (RejectReason::Corrupt, format!("compressed stream is truncated or corrupt: {e}"));
    if raw.starts_with(XZ) {
        // lzma-rs writes rather than reads: the cap is a writer that refuses the byte past it.
        let mut out = CappedWriter { out: Vec::new(), max, over: false };
        return match lzma_rs::xz_decompress(&mut &raw[..], &mut out) {
            Ok(()) => Ok(out.out),
            Err(_) if out.over => Err(too_large()),
            Err(e) => Err(corrupt(&format!("xz: {e}"))),
        };
    }
    let decoder: Box<dyn Read + '_> = if raw.starts_with(GZIP) {
        Box::new(flate2::read::MultiGzDecoder::new(&raw[..]))
    } else if raw.starts_with(ZSTD) {
        match zstd::stream::read::Decoder::new(&raw[..]) {
            Ok(d) => Box::new(d),
            Err(e) => return Err((RejectReason::Corrupt, format!("zstd: {e}"))),
        }
    } else if is_bzip2(&raw) {
        Box::new(bzip2::read::MultiBzDecoder::new(&raw[..]))
    } else {
        return Ok(raw);
    };
    let mut out = Vec::new();
    match decoder.take(max.saturating_add(1)).read_to_end(&mut out) {
        Ok(_) if out.len() as u64 > max => Err(too_large()),
        Ok(_) => Ok(out),
        Err(e) => Err(corrupt(&e)),
    }
}

/// A `Write` into memory that fails once more than `max` bytes would be held, and says so in `over`.
struct CappedWriter {
    out: Vec<u8>,
    max: u64,
    over: bool,
}

impl std::io::Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if (self.out.len() + buf.len()) as u64 > self.max {
            self.over = true;
            return Err(std::io::Error::other("past the decompression cap"));
        }
        self.out.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn write(dir: &Path, name: &str, bytes: &[u8]) {
        let p = dir.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }

    #[test]
    fn discover_is_sorted_and_relative() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "b/2.txt", b"x");
        write(d.path(), "a.txt", b"x");
        write(d.path(), "b/1.txt", b"x");
        let (files, rejects) = discover(&[d.path().to_path_buf()]);
        let rels: Vec<_> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["a.txt", "b/1.txt", "b/2.txt"]);
        assert!(rejects.is_empty());
    }

    /// A tar archive of (path, bytes) members, with a directory and a symbolic link among them.
    fn tar_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut dir = tar::Header::new_gnu();
        dir.set_entry_type(tar::EntryType::Directory);
        dir.set_size(0);
        b.append_data(&mut dir, "dumps/", &[][..]).unwrap();
        for (path, bytes) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, path, *bytes).unwrap();
        }
        let mut link = tar::Header::new_gnu();
        link.set_entry_type(tar::EntryType::Symlink);
        link.set_size(0);
        b.append_link(&mut link, "dumps/link.txt", "b.txt").unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn tar_members_are_read_like_the_files_of_a_folder() {
        let text = "Title\n\n\nBody paragraph.\n".as_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text).unwrap();
        let gz_text = gz.finish().unwrap();
        let inner = tar_of(&[("x.txt", text)]);
        let tar = tar_of(&[
            ("dumps/b.txt", b"Old copy\n\n\nReplaced.\n"),
            ("dumps/c.jsonl", b"{\"text\": \"One.\"}\n{\"text\": \"Two.\"}\n"),
            ("dumps/a.txt.gz", &gz_text),
            ("dumps/b.txt", text),
            ("dumps/inner.tar", &inner),
            ("dumps/notes.pdf", b"%PDF"),
        ]);
        let limits = ReadLimits::default();
        let out = read_bytes("day.tar", tar.clone(), limits);
        let records: Vec<(&str, u32)> = out.records.iter().map(|r| (r.source_file.as_str(), r.record)).collect();
        assert_eq!(
            records,
            [
                ("day.tar/dumps/c.jsonl", 0),
                ("day.tar/dumps/c.jsonl", 1),
                ("day.tar/dumps/a.txt.gz", 2),
                ("day.tar/dumps/b.txt", 3)
            ],
            "archive order, records numbered across the archive"
        );
        assert_eq!(out.records[3].content, "Title\n\n\nBody paragraph.\n", "the last copy of a name is read");
        let rejects: Vec<(&str, RejectReason)> =
            out.rejects.iter().map(|r| (r.source_file.as_str(), r.reason)).collect();
        assert_eq!(
            rejects,
            [
                ("day.tar/dumps/b.txt", RejectReason::Unreadable),
                ("day.tar/dumps/inner.tar", RejectReason::UnsupportedFormat),
                ("day.tar/dumps/notes.pdf", RejectReason::UnsupportedFormat),
                ("day.tar/dumps/link.txt", RejectReason::Unreadable),
            ]
        );
        // Compressed archives are the same archive; the name alone says "tar".
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&tar).unwrap();
        let tgz = gz.finish().unwrap();
        for name in ["day.tar.gz", "day.tgz"] {
            let again = read_bytes(name, tgz.clone(), limits);
            assert_eq!(again.records.len(), 4, "{name}");
            assert!(again.records.iter().all(|r| r.source_file.starts_with(&format!("{name}/"))));
        }
        let zst = read_bytes("day.tar.zst", zstd::encode_all(&tar[..], 3).unwrap(), limits);
        assert_eq!(zst.records.len(), 4);
        assert!(is_tar("x.TAR.xz") && is_tar("x.tgz") && !is_tar("x.txt.gz") && !is_tar("tar.txt"));
        // Names are relative to the archive, however the member was stored.
        let mut b = tar::Builder::new(Vec::new());
        for name in ["/srv/dumps/a.txt", "./b.txt"] {
            // The builder refuses absolute names, so the name goes into the header's bytes directly.
            let mut h = tar::Header::new_gnu();
            h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
            h.set_size(text.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append(&h, text).unwrap();
        }
        let abs = read_bytes("abs.tar", b.into_inner().unwrap(), limits);
        let names: Vec<&str> = abs.records.iter().map(|r| r.source_file.as_str()).collect();
        assert_eq!(names, ["abs.tar/srv/dumps/a.txt", "abs.tar/b.txt"]);
    }

    #[test]
    fn a_damaged_tar_keeps_what_came_before_the_damage() {
        let text = "Title\n\n\nBody paragraph.\n".as_bytes();
        let tar = tar_of(&[("a.txt", text), ("b.txt", &[b'x'; 3000]), ("c.txt", text)]);
        // Cut inside b.txt's data: a.txt is read, the rest is one reject that says where reading stopped.
        let out = read_bytes("cut.tar", tar[..2048].to_vec(), ReadLimits::default());
        assert_eq!(out.records.iter().map(|r| r.source_file.as_str()).collect::<Vec<_>>(), ["cut.tar/a.txt"]);
        assert_eq!(out.rejects.len(), 1, "{:?}", out.rejects);
        assert_eq!(out.rejects[0].reason, RejectReason::Corrupt);
        assert!(out.rejects[0].detail.contains("not read"), "{}", out.rejects[0].detail);
        // Garbage, an empty archive and a bomb are rejects of the archive itself.
        assert_eq!(read_bytes("junk.tar", b"not a tar".to_vec(), ReadLimits::default()).rejects.len(), 1);
        let empty = read_bytes("empty.tar", vec![0; 1024], ReadLimits::default());
        assert_eq!((empty.records.len(), empty.rejects[0].reason), (0, RejectReason::Empty));
        let big = tar_of(&[("a.txt", &vec![b'a'; 5000])]);
        let capped = read_bytes("big.tar", big, ReadLimits { max_bytes: 4096 });
        assert_eq!(capped.rejects[0].reason, RejectReason::TooLarge);
    }

    #[test]
    fn gzip_and_zstd_are_read_transparently() {
        let d = tempfile::tempdir().unwrap();
        let text = "Title\n\n\nBody paragraph.\n".as_bytes();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(text).unwrap();
        write(d.path(), "a.txt.gz", &gz.finish().unwrap());
        write(d.path(), "b.txt.zst", &zstd::encode_all(text, 3).unwrap());
        write(d.path(), "c.txt.bz2", &bzip2_of(text));
        write(d.path(), "d.txt.xz", &xz_of(text));
        // The name does not decide: an xz stream called .txt is read as xz.
        write(d.path(), "e.txt", &xz_of(text));
        let (files, _) = discover(&[d.path().to_path_buf()]);
        assert_eq!(files.len(), 5);
        for f in &files {
            let r = read_file(f, ReadLimits::default());
            assert_eq!(r.records.len(), 1, "{}: {:?}", f.rel, r.rejects);
            assert_eq!(r.records[0].content.as_bytes(), text, "{}", f.rel);
        }
    }

    pub(super) fn bzip2_of(bytes: &[u8]) -> Vec<u8> {
        let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
        bz.write_all(bytes).unwrap();
        bz.finish().unwrap()
    }

    pub(super) fn xz_of(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        lzma_rs::xz_compress(&mut &bytes[..], &mut out).unwrap();
        out
    }

    #[test]
    fn truncated_bzip2_and_xz_and_their_bombs_are_rejected() {
        let big = vec![b'a'; 1 << 20];
        for (name, full) in [("bz2", bzip2_of(&big)), ("xz", xz_of(&big))] {
            let capped = decompress(full.clone(), 64 << 10);
            assert_eq!(capped.unwrap_err().0, RejectReason::TooLarge, "{name}");
            let cut = decompress(full[..full.len() / 2].to_vec(), 8 << 20);
            assert_eq!(cut.unwrap_err().0, RejectReason::Corrupt, "{name}");
            assert_eq!(decompress(full, 8 << 20).unwrap(), big, "{name}");
        }
        // Text that happens to start like a bzip2 stream is text.
        assert_eq!(decompress(b"BZh1 is not a stream".to_vec(), 1 << 20).unwrap(), b"BZh1 is not a stream");
    }

    #[test]
    fn truncated_gzip_and_bombs_are_rejected() {
        let d = tempfile::tempdir().unwrap();
        let big = vec![b'a'; 1 << 20];
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&big).unwrap();
        let full = gz.finish().unwrap();
        write(d.path(), "cut.txt.gz", &full[..full.len() / 2]);
        write(d.path(), "bomb.txt.gz", &full);
        let (files, _) = discover(&[d.path().to_path_buf()]);
        let limits = ReadLimits { max_bytes: 64 << 10 };
        let bomb = read_file(&files[0], limits);
        assert_eq!(bomb.rejects[0].reason, RejectReason::TooLarge);
        let cut = read_file(&files[1], ReadLimits::default());
        assert_eq!(cut.rejects[0].reason, RejectReason::Corrupt);
    }

    #[test]
    fn a_corrupt_gzip_member_costs_only_its_warc_records() {
        let d = tempfile::tempdir().unwrap();
        let page = |n: u32| {
            let block = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>page {n}</p>");
            warc::warc_record(
                "response",
                &format!("https://x.org/a/{n}.html"),
                "2024-01-01T00:00:00Z",
                block.as_bytes(),
                None,
            )
        };
        let mut file = Vec::new();
        for n in 0..3 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            gz.write_all(&page(n)).unwrap();
            let mut member = gz.finish().unwrap();
            if n == 1 {
                // Damage the deflate data in the middle of the second member.
                let mid = member.len() / 2;
                for b in &mut member[mid..mid + 6] {
                    *b ^= 0x5A;
                }
            }
            file.extend(member);
        }
        write(d.path(), "c.warc.gz", &file);
        let (files, _) = discover(&[d.path().to_path_buf()]);
        let r = read_file(&files[0], ReadLimits::default());
        let pages: Vec<&str> = r.records.iter().map(|x| x.content.as_str()).collect();
        assert_eq!(pages, ["<p>page 0</p>", "<p>page 2</p>"]);
        assert_eq!(r.rejects.len(), 1, "{:?}", r.rejects);
        assert_eq!(r.rejects[0].reason, RejectReason::Corrupt);
    }

    #[test]
    fn empty_and_binary_files_are_rejected_with_reasons() {
        let d = tempfile::tempdir().unwrap();
        write(d.path(), "empty.txt", b"");
        write(d.path(), "blank.txt", b" \n\t\n");
        write(d.path(), "bin.txt", &[0x89, b'P', b'N', b'G', 0, 0, 0, 13, 0, 1, 2, 3, 0, 0]);
        let (files, _) = discover(&[d.path().to_path_buf()]);
        let reasons: Vec<_> = files.iter().map(|f| read_file(f, ReadLimits::default()).rejects[0].reason).collect();
        assert_eq!(reasons, [RejectReason::Binary, RejectReason::Empty, RejectReason::Empty]);
    }
}
