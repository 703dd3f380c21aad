//! The spill: processed articles kept on disk between the map and the final write, so memory holds only
//! what the corpus-wide steps need (signatures), never the text.
//!
//! A spill file is a sequence of records, each a little-endian `u32` length and a postcard-encoded
//! [`Article`]. Readers find a record by its byte offset; shards and incremental state are spill files too.

use crate::model::Article;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;

pub struct SpillWriter {
    out: BufWriter<File>,
    pos: u64,
}

impl SpillWriter {
    /// Opens `path` to append at `at`, cutting off whatever follows (what a killed run appended after the
    /// last state was saved: no saved state points there).
    pub fn append(path: &Path, at: u64) -> Result<Self> {
        use std::io::{Seek, SeekFrom};
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {} to append", path.display()))?;
        f.set_len(at).with_context(|| format!("cannot cut {} back to {at} bytes", path.display()))?;
        f.seek(SeekFrom::Start(at))?;
        Ok(SpillWriter { out: BufWriter::with_capacity(1 << 20, f), pos: at })
    }

    pub fn create(path: &Path) -> Result<Self> {
        let f = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(SpillWriter { out: BufWriter::with_capacity(1 << 20, f), pos: 0 })
    }

    /// Appends an article and returns its offset.
    /// Appends an already-encoded article (copied from another spill).
    pub fn push_raw(&mut self, bytes: &[u8]) -> Result<u64> {
        let at = self.pos;
        self.out.write_all(&(bytes.len() as u32).to_le_bytes())?;
        self.out.write_all(bytes)?;
        self.pos += 4 + bytes.len() as u64;
        Ok(at)
    }

    /// Flushes the file; with `durable`, waits until it is on disk too. Only a spill that outlives the run
    /// (the state's, a shard's) needs that: forcing a scratch spill out (4 GB at 1M articles) made every
    /// build wait for the disk, for a file deleted minutes later.
    pub fn finish(mut self, durable: bool) -> Result<u64> {
        self.out.flush()?;
        if durable {
            self.out.get_ref().sync_data().context("cannot flush the spill to disk")?;
        }
        Ok(self.pos)
    }
}

/// Random access to a finished spill file (safe to share between threads).
pub struct SpillReader {
    file: File,
}

impl SpillReader {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(SpillReader { file: File::open(path).with_context(|| format!("cannot open {}", path.display()))? })
    }

    /// The encoded article at `offset`.
    pub fn raw(&self, offset: u64) -> Result<Vec<u8>> {
        let mut buf = Vec::new();
        self.raw_into(offset, &mut buf)?;
        Ok(buf)
    }

    /// The encoded article at `offset`, into `buf` (replacing what it held): no allocation once `buf` is big
    /// enough.
    pub fn raw_into(&self, offset: u64, buf: &mut Vec<u8>) -> Result<()> {
        let mut len = [0u8; 4];
        self.file.read_exact_at(&mut len, offset).context("spill file is truncated")?;
        let len = u32::from_le_bytes(len) as usize;
        if len > 1 << 31 {
            bail!("spill file is corrupt at offset {offset}");
        }
        buf.resize(len, 0);
        self.file.read_exact_at(buf, offset + 4).context("spill file is truncated")?;
        Ok(())
    }

    pub fn get(&self, offset: u64) -> Result<Article> {
        postcard::from_bytes(&self.raw(offset)?).context("spill record does not decode")
    }
}

/// Sorted alignment keys as spill bytes (little-endian u64s), for the reduce's key side spill.
pub fn keys_to_bytes(keys: &[u64]) -> Vec<u8> {
    keys.iter().flat_map(|k| k.to_le_bytes()).collect()
}

pub fn keys_from_bytes(bytes: &[u8]) -> Result<Vec<u64>> {
    if bytes.len() % 8 != 0 {
        bail!("key spill record has {} bytes, not a multiple of 8", bytes.len());
    }
    Ok(bytes.chunks_exact(8).map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes"))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn articles_come_back_by_offset() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.spill");
        let mut w = SpillWriter::create(&p).unwrap();
        let a = Article { doc_id: "a".into(), text: "Ӏаьржа".into(), published: Some(5), ..Default::default() };
        let b = Article { doc_id: "b".into(), article_id: Some(7), ..Default::default() };
        let mut push = |a: &Article| w.push_raw(&postcard::to_stdvec(a).unwrap()).unwrap();
        let (oa, ob) = (push(&a), push(&b));
        w.finish(true).unwrap();
        let r = SpillReader::open(&p).unwrap();
        assert_eq!(r.get(ob).unwrap(), b);
        assert_eq!(r.get(oa).unwrap(), a);
        assert!(r.get(ob + 1).is_err());
        // One buffer read into again and again holds exactly the record asked for, longer or shorter.
        let mut buf = vec![9u8; 1000];
        for (at, want) in [(oa, &a), (ob, &b), (oa, &a)] {
            r.raw_into(at, &mut buf).unwrap();
            assert_eq!(buf, postcard::to_stdvec(want).unwrap());
        }
    }

    #[test]
    fn keys_round_trip_and_bad_lengths_are_errors() {
        let keys = vec![0, 1, u64::MAX, 1 << 60];
        assert_eq!(keys_from_bytes(&keys_to_bytes(&keys)).unwrap(), keys);
        assert!(keys_from_bytes(&[1, 2, 3]).is_err());
    }
}
