//! Write stage: tables out, as CSV and Parquet, into a folder that appears whole or not at all.
//!
//! Every table is built as a [`Table`] of typed columns, then written by [`write_csv`] and [`write_parquet`]
//! from the same values, so the two files of one table always hold the same rows. CSV is RFC 4180 UTF-8 with
//! a header; empty cells are nulls; timestamps are ISO 8601 UTC (`2024-01-02T21:26:00Z`), which DuckDB,
//! pandas, polars and Spark read as timestamps. Parquet timestamps are microseconds, UTC.

mod parquet;
mod table;

pub use parquet::PrevParquet;
pub use table::{format_float, format_timestamp, Column, Table, Values};

use ::parquet::basic::{Compression, ZstdLevel};
use ::parquet::file::properties::WriterProperties;
use anyhow::{Context, Result};
use arrow_array::{
    ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per Parquet row group: big enough for good compression, small enough to stream.
const ROW_GROUP: usize = 64 * 1024;
/// ... or fewer, so that the group buffered in memory stays below this many encoded bytes.
const ROW_GROUP_BYTES: usize = 8 << 20;

/// Longest string kept in Parquet min/max statistics.
const STATS_TRUNCATE: usize = 64;

/// Which files to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub csv: bool,
    pub parquet: bool,
}

/// CSV options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvOptions {
    /// Prefix text cells that start with `=`, `+`, `-`, `@`, tab or carriage return (the OWASP list of
    /// formula triggers) with `'` so spreadsheet programs show them as text instead of running them as
    /// formulas. Parquet is never changed.
    pub spreadsheet_safe: bool,
}

/// CSV bytes of consecutive rows: encoded by this run, or a byte range of the previous run's file (see
/// [`TableWriter::copy_csv_from`]), copied file to file by the kernel without passing through memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsvPiece {
    Bytes(Vec<u8>),
    /// Offset and length in the previous file.
    Previous(u64, u64),
}

impl CsvPiece {
    pub fn len(&self) -> u64 {
        match self {
            CsvPiece::Bytes(b) => b.len() as u64,
            CsvPiece::Previous(_, len) => *len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Appends `piece` to `pieces`, a range merged into the last one when it continues it: a run of copied rows
/// becomes one copy. Encoded bytes are kept as they are (the writer buffers them; gathering them would copy
/// them once more).
pub fn push_piece(pieces: &mut Vec<CsvPiece>, piece: CsvPiece) {
    match (pieces.last_mut(), piece) {
        (_, p) if p.is_empty() => {}
        (Some(CsvPiece::Previous(at, len)), CsvPiece::Previous(b_at, b_len)) if *at + *len == b_at => *len += b_len,
        (_, p) => pieces.push(p),
    }
}

/// Writes one table as it comes, chunk by chunk, to `<dir>/<name>.csv` and/or `<dir>/<name>.parquet`, so a
/// table never has to be held whole in memory.
///
/// Parquet row groups close by size ([`ROW_GROUP`] rows or [`ROW_GROUP_BYTES`]), or, for a writer made with
/// [`TableWriter::create_grouped`], where the caller says: at [`TableWriter::end_group`] and around
/// [`TableWriter::copy_group`].
pub struct TableWriter {
    csv: Option<BufWriter<fs::File>>,
    /// The previous run's CSV file of this table, that [`CsvPiece::Previous`] ranges are copied from.
    prev_csv: Option<fs::File>,
    parquet: Option<parquet::ParquetWriter>,
    schema: Arc<Schema>,
    opts: CsvOptions,
    /// A chunk's CSV bytes, encoded before they are written.
    buf: Vec<u8>,
    /// Whether row groups close by size (otherwise only when the caller says).
    auto_groups: bool,
    /// Rows in the open Parquet row group.
    group_rows: usize,
}

impl TableWriter {
    /// Opens the files of a table. `template` gives the column names and types (its rows are not written).
    pub fn create(dir: &Path, template: &Table, formats: Formats, opts: CsvOptions) -> Result<Self> {
        Self::open(dir, template, formats, opts, true)
    }

    /// As [`TableWriter::create`], but a Parquet row group closes only at [`TableWriter::end_group`], so that
    /// the caller can make boundaries that do not move when rows are added elsewhere (and copy groups).
    pub fn create_grouped(dir: &Path, template: &Table, formats: Formats, opts: CsvOptions) -> Result<Self> {
        Self::open(dir, template, formats, opts, false)
    }

    fn open(dir: &Path, template: &Table, formats: Formats, opts: CsvOptions, auto_groups: bool) -> Result<Self> {
        let schema = Arc::new(Schema::new(template.columns.iter().map(arrow_field).collect::<Vec<_>>()));
        let csv = if formats.csv {
            let path = dir.join(format!("{}.csv", template.name));
            let file = fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            let mut w = BufWriter::new(file);
            w.write_all(&csv_header(template)?)?;
            Some(w)
        } else {
            None
        };
        let parquet = if formats.parquet {
            let path = dir.join(format!("{}.parquet", template.name));
            let props = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
                // Min/max statistics hold whole values unless truncated: a 50 MB article text was stored four
                // more times in page and chunk statistics (a 201 MB file). Truncated bounds still prune.
                .set_statistics_truncate_length(Some(STATS_TRUNCATE))
                .set_created_by(format!("rferl-corpus {}", env!("CARGO_PKG_VERSION")))
                .build();
            Some(parquet::ParquetWriter::create(&path, schema.clone(), props)?)
        } else {
            None
        };
        Ok(TableWriter { csv, prev_csv: None, parquet, schema, opts, buf: Vec::new(), auto_groups, group_rows: 0 })
    }

    /// Appends the rows of `chunk` (same columns as the template).
    pub fn write(&mut self, chunk: &Table) -> Result<()> {
        if let Some(w) = &mut self.csv {
            self.buf.clear();
            csv_rows(chunk, 0..chunk.len(), self.opts, &mut self.buf)?;
            w.write_all(&self.buf)?;
        }
        self.write_parquet(chunk)
    }

    /// Appends the rows of `chunk` whose CSV encoding (by [`csv_rows`], or bytes kept from an earlier run)
    /// is `csv`.
    pub fn write_encoded(&mut self, chunk: &Table, csv: &[CsvPiece]) -> Result<()> {
        self.put_csv(csv)?;
        self.write_parquet(chunk)
    }

    /// The previous run's CSV file of this table, for [`CsvPiece::Previous`] ranges.
    pub fn copy_csv_from(&mut self, previous: fs::File) {
        self.prev_csv = Some(previous);
    }

    fn put_csv(&mut self, pieces: &[CsvPiece]) -> Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let Some(w) = &mut self.csv else { return Ok(()) };
        for piece in pieces {
            match piece {
                CsvPiece::Bytes(b) => w.write_all(b)?,
                &CsvPiece::Previous(at, len) => {
                    let mut prev = self.prev_csv.as_ref().context("CSV rows to copy without a previous file")?;
                    // The buffered bytes first; then `io::copy` between two files is `copy_file_range`.
                    w.flush()?;
                    prev.seek(SeekFrom::Start(at))?;
                    let copied = std::io::copy(&mut prev.take(len), w.get_mut())?;
                    anyhow::ensure!(copied == len, "the previous CSV file ended {} bytes early", len - copied);
                }
            }
        }
        Ok(())
    }

    fn write_parquet(&mut self, chunk: &Table) -> Result<()> {
        if self.parquet.is_none() {
            return Ok(());
        }
        let mut from = 0;
        while from < chunk.len() {
            // Size-closed groups hold at most ROW_GROUP rows: a chunk is cut where the group fills.
            let to = match self.auto_groups {
                true => chunk.len().min(from + ROW_GROUP - self.group_rows),
                false => chunk.len(),
            };
            let cols = chunk.columns.iter().map(|c| arrow_array(&c.values, from, to)).collect::<Vec<_>>();
            let w = self.parquet.as_mut().expect("checked above");
            w.write(&RecordBatch::try_new(self.schema.clone(), cols)?)?;
            self.group_rows += to - from;
            from = to;
            // A row group is held in memory until it is closed: 64k rows of whole articles would be hundreds
            // of MB, so a group also closes once its encoded size passes ROW_GROUP_BYTES.
            if self.auto_groups && (self.group_rows >= ROW_GROUP || w.in_progress_size() >= ROW_GROUP_BYTES) {
                self.end_group()?;
            }
        }
        Ok(())
    }

    /// Closes the open Parquet row group, if it has rows.
    pub fn end_group(&mut self) -> Result<()> {
        if let Some(w) = &mut self.parquet {
            if self.group_rows > 0 {
                w.end_group()?;
            }
        }
        self.group_rows = 0;
        Ok(())
    }

    /// Writes `csv` (the CSV rows of the group, encoded by [`csv_rows`] or kept from an earlier run) and copies
    /// row group `group` of `from` as the next Parquet row group, closing the open one first; the columns of
    /// `fresh` (some of this table's columns, by name, with a value for every row of the group) are encoded
    /// instead of copied. `from` must be this table written with the same options.
    pub fn copy_group(&mut self, from: &PrevParquet, group: usize, fresh: &Table, csv: &[CsvPiece]) -> Result<()> {
        self.put_csv(csv)?;
        self.end_group()?;
        if let Some(w) = &mut self.parquet {
            let mut columns = Vec::new();
            for c in &fresh.columns {
                let at = self.schema.index_of(c.name).with_context(|| format!("no column {} to encode", c.name))?;
                columns.push((at, arrow_array(&c.values, 0, fresh.len())));
            }
            w.copy_group(from, group, &columns)?;
        }
        Ok(())
    }

    /// Flushes and closes the files; returns the number of Parquet row groups written.
    pub fn finish(mut self) -> Result<usize> {
        self.end_group()?;
        if let Some(mut w) = self.csv.take() {
            w.flush()?;
        }
        match self.parquet.take() {
            Some(w) => w.finish(),
            None => Ok(0),
        }
    }
}

fn csv_builder() -> csv::WriterBuilder {
    let mut b = csv::WriterBuilder::new();
    b.terminator(csv::Terminator::CRLF);
    b
}

/// The CSV cells of row `i` of `chunk`.
fn csv_cells(chunk: &Table, i: usize, opts: CsvOptions, row: &mut Vec<String>) {
    row.clear();
    for c in &chunk.columns {
        let mut cell = c.values.cell(i);
        let is_text = matches!(c.values, Values::Str(_) | Values::OptStr(_));
        if opts.spreadsheet_safe && is_text && cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            cell.insert(0, '\'');
        }
        row.push(cell);
    }
}

/// Appends rows `rows` of `chunk` to `out`, encoded exactly as [`TableWriter::write`] writes them.
pub fn csv_rows(chunk: &Table, rows: std::ops::Range<usize>, opts: CsvOptions, out: &mut Vec<u8>) -> Result<()> {
    let mut w = csv_builder().from_writer(out);
    let mut row = Vec::new();
    for i in rows {
        csv_cells(chunk, i, opts, &mut row);
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The CSV header [`TableWriter::create`] writes for `template`.
pub fn csv_header(template: &Table) -> Result<Vec<u8>> {
    let mut w = csv_builder().from_writer(Vec::new());
    w.write_record(template.columns.iter().map(|c| c.name))?;
    w.flush()?;
    Ok(w.get_ref().clone())
}

/// Writes a whole table as `<dir>/<name>.csv`.
pub fn write_csv(table: &Table, dir: &Path, opts: CsvOptions) -> Result<()> {
    let mut w = TableWriter::create(dir, table, Formats { csv: true, parquet: false }, opts)?;
    w.write(table)?;
    w.finish().map(drop)
}

/// Writes a whole table as `<dir>/<name>.parquet` (zstd, row groups of [`ROW_GROUP`] rows).
pub fn write_parquet(table: &Table, dir: &Path) -> Result<()> {
    let mut w = TableWriter::create(dir, table, Formats { csv: false, parquet: true }, CsvOptions::default())?;
    w.write(table)?;
    w.finish().map(drop)
}

fn arrow_field(c: &Column) -> Field {
    let (dt, nullable) = match &c.values {
        Values::Str(_) => (DataType::Utf8, false),
        Values::OptStr(_) => (DataType::Utf8, true),
        Values::I64(_) => (DataType::Int64, false),
        Values::U64(_) => (DataType::UInt64, false),
        Values::OptU64(_) => (DataType::UInt64, true),
        Values::F64(_) => (DataType::Float64, false),
        Values::Bool(_) => (DataType::Boolean, false),
        Values::Timestamp(_) => (DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
    };
    Field::new(c.name, dt, nullable)
}

fn arrow_array(v: &Values, from: usize, to: usize) -> ArrayRef {
    match v {
        Values::Str(x) => Arc::new(StringArray::from_iter_values(x[from..to].iter())),
        Values::OptStr(x) => Arc::new(x[from..to].iter().map(|s| s.as_deref()).collect::<StringArray>()),
        Values::I64(x) => Arc::new(Int64Array::from(x[from..to].to_vec())),
        Values::U64(x) => Arc::new(UInt64Array::from(x[from..to].to_vec())),
        Values::OptU64(x) => Arc::new(UInt64Array::from(x[from..to].to_vec())),
        Values::F64(x) => Arc::new(Float64Array::from(x[from..to].to_vec())),
        Values::Bool(x) => Arc::new(BooleanArray::from(x[from..to].to_vec())),
        Values::Timestamp(x) => Arc::new(TimestampMicrosecondArray::from(x[from..to].to_vec()).with_timezone("UTC")),
    }
}

/// A folder that is filled under a temporary name beside the target and moved into place by
/// [`StagedDir::commit`], so a killed run never leaves half a table that looks whole.
///
/// `manifest.json` is the commit marker: `commit` removes the old one first and moves the new one last, so
/// whenever a manifest stands in the target, the tables beside it are the ones it describes. A run that fails
/// removes its temporary folder (`Drop`); one that is killed leaves `.<name>.tmp-<pid>`, which the next run
/// writing to the same target removes once that process is gone.
pub struct StagedDir {
    pub tmp: PathBuf,
    target: PathBuf,
}

/// The file moved into the target last (see [`StagedDir`]).
const COMMIT_MARKER: &str = "manifest.json";

impl StagedDir {
    pub fn new(target: &Path) -> Result<Self> {
        if target.exists() && !target.is_dir() {
            anyhow::bail!("output {} exists and is not a folder", target.display());
        }
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
        remove_stale(&parent, &name);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            fs::remove_dir_all(&tmp)?;
        }
        fs::create_dir_all(&tmp)
            .with_context(|| format!("cannot create {} (is the output folder writable?)", tmp.display()))?;
        Ok(StagedDir { tmp, target: target.to_path_buf() })
    }

    /// Moves the finished folder into place. Files in the target that this run does not write (a `.gitkeep`,
    /// a README) are kept; the tables are replaced.
    pub fn commit(self) -> Result<()> {
        fs::create_dir_all(&self.target).with_context(|| format!("cannot create {}", self.target.display()))?;
        let marker = self.target.join(COMMIT_MARKER);
        if marker.exists() {
            fs::remove_file(&marker).with_context(|| format!("cannot replace {}", marker.display()))?;
        }
        let mut entries: Vec<PathBuf> =
            fs::read_dir(&self.tmp)?.map(|e| e.map(|e| e.path())).collect::<Result<_, _>>()?;
        // Sorted, with the marker last: the same order in every run, and the manifest only once all is in place.
        entries.sort_by_key(|p| (p.file_name().is_some_and(|n| n == COMMIT_MARKER), p.clone()));
        for path in entries {
            let Some(file_name) = path.file_name() else { continue };
            let dest = self.target.join(file_name);
            if dest.is_dir() {
                fs::remove_dir_all(&dest)?;
            }
            fs::rename(&path, &dest).with_context(|| format!("cannot move output into {}", dest.display()))?;
        }
        fs::remove_dir(&self.tmp)?;
        Ok(())
    }
}

impl Drop for StagedDir {
    /// A run that stops with an error leaves no temporary folder behind.
    fn drop(&mut self) {
        if self.tmp.exists() {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Removes `.<name>.tmp-<pid>` folders left by killed runs. Only folders whose process is gone are removed
/// (checked in `/proc`), so two runs writing to the same target do not delete each other's work; where there
/// is no `/proc`, stale folders are left alone.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.tmp-");
    let Ok(entries) = fs::read_dir(parent) else { return };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else { continue };
        let Ok(pid) = pid.parse::<u32>() else { continue };
        let running = pid == std::process::id()
            || !Path::new("/proc/self").exists()
            || Path::new("/proc").join(pid.to_string()).exists();
        if !running && entry.path().is_dir() {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Writes a JSON value with a trailing newline.
pub fn write_json(value: &serde_json::Value, path: &Path) -> Result<()> {
    let mut f = BufWriter::new(fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?);
    serde_json::to_writer_pretty(&mut f, value)?;
    f.write_all(b"\n")?;
    f.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use arrow_array::Array;

    /// Ranges that continue each other merge (a run of copied rows is one copy); others stay apart, and so do
    /// encoded bytes; empty pieces are dropped.
    #[test]
    fn csv_pieces_merge_when_they_continue_each_other() {
        let mut v = Vec::new();
        for p in [
            CsvPiece::Previous(10, 5),
            CsvPiece::Previous(15, 7),
            CsvPiece::Bytes(Vec::new()),
            CsvPiece::Bytes(b"ab".to_vec()),
            CsvPiece::Bytes(b"c".to_vec()),
            CsvPiece::Previous(40, 3),
            CsvPiece::Previous(50, 1),
        ] {
            push_piece(&mut v, p);
        }
        assert_eq!(
            v,
            [
                CsvPiece::Previous(10, 12),
                CsvPiece::Bytes(b"ab".to_vec()),
                CsvPiece::Bytes(b"c".to_vec()),
                CsvPiece::Previous(40, 3),
                CsvPiece::Previous(50, 1)
            ]
        );
    }

    /// Ranges of the previous file and fresh bytes land in order after the header; a range past the end of
    /// the previous file is an error, not a short table.
    #[test]
    fn csv_ranges_are_copied_from_the_previous_file_between_fresh_bytes() {
        let d = tempfile::tempdir().unwrap();
        let prev = d.path().join("prev.csv");
        fs::write(&prev, "0123456789").unwrap();
        let formats = Formats { csv: true, parquet: false };
        let mut w = TableWriter::create_grouped(d.path(), &sample(), formats, CsvOptions::default()).unwrap();
        w.copy_csv_from(fs::File::open(&prev).unwrap());
        let pieces = [CsvPiece::Previous(2, 3), CsvPiece::Bytes(b"-x-".to_vec()), CsvPiece::Previous(0, 2)];
        w.write_encoded(&Table::new(sample().name, Vec::new()), &pieces).unwrap();
        w.put_csv(&[CsvPiece::Previous(8, 2)]).unwrap();
        w.finish().unwrap();
        let header = String::from_utf8(csv_header(&sample()).unwrap()).unwrap();
        let got = fs::read_to_string(d.path().join(format!("{}.csv", sample().name))).unwrap();
        assert!(got.starts_with(&header), "{got}");
        assert_eq!(&got[header.len()..], "234-x-0189");

        let mut w = TableWriter::create_grouped(d.path(), &sample(), formats, CsvOptions::default()).unwrap();
        assert!(w.put_csv(&[CsvPiece::Previous(0, 1)]).is_err(), "no previous file to copy from");
        w.copy_csv_from(fs::File::open(&prev).unwrap());
        assert!(w.put_csv(&[CsvPiece::Previous(9, 5)]).is_err(), "the previous file ends at 10");
    }

    fn sample() -> Table {
        Table::new(
            "t",
            vec![
                Column::new("name", Values::Str(vec!["=cmd".into(), "a,\"b\"\nc".into(), "Ӏ".into()])),
                Column::new("maybe", Values::OptStr(vec![None, Some("x".into()), Some(String::new())])),
                Column::new("n", Values::I64(vec![1, -2, 3])),
                Column::new("when", Values::Timestamp(vec![Some(1_704_230_760_000_000), None, Some(0)])),
                Column::new("p", Values::F64(vec![0.5, 1.0, 0.125])),
                Column::new("ok", Values::Bool(vec![true, false, true])),
            ],
        )
    }

    #[test]
    fn csv_quotes_and_formats_cells() {
        let d = tempfile::tempdir().unwrap();
        write_csv(&sample(), d.path(), CsvOptions::default()).unwrap();
        let text = fs::read_to_string(d.path().join("t.csv")).unwrap();
        assert!(
            text.starts_with(
                "name,maybe,n,when,p,ok\r\n=cmd,,1,2024-01-02T21:26:00Z,0.5,true\r\n\"a,\"\"b\"\"\nc\",x,-2,,1,false\r\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn spreadsheet_safe_neutralises_formulas_in_csv_only() {
        let d = tempfile::tempdir().unwrap();
        write_csv(&sample(), d.path(), CsvOptions { spreadsheet_safe: true }).unwrap();
        let text = fs::read_to_string(d.path().join("t.csv")).unwrap();
        assert!(text.contains("\r\n'=cmd,"), "{text}");
        assert!(text.contains(",-2,"), "numbers are not text cells and stay as they are: {text}");
    }

    #[test]
    fn parquet_reads_back_the_same_values() {
        let d = tempfile::tempdir().unwrap();
        let t = sample();
        write_parquet(&t, d.path()).unwrap();
        let f = fs::File::open(d.path().join("t.parquet")).unwrap();
        let reader = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap();
        let batches: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        let rows: usize = batches.iter().map(|b| b.num_rows()).sum();
        assert_eq!(rows, 3);
        let names = batches[0].column(0).as_any().downcast_ref::<StringArray>().unwrap();
        assert_eq!(names.value(2), "Ӏ");
        let when = batches[0].column(3).as_any().downcast_ref::<TimestampMicrosecondArray>().unwrap();
        assert!(when.is_null(1));
        assert_eq!(when.value(0), 1_704_230_760_000_000);
        let ok = batches[0].column(5).as_any().downcast_ref::<BooleanArray>().unwrap();
        assert_eq!((ok.value(0), ok.value(1), ok.value(2)), (true, false, true));
    }

    #[test]
    fn a_huge_cell_is_stored_once_in_parquet() {
        let d = tempfile::tempdir().unwrap();
        // Text that compresses poorly, so every extra copy of it would show in the file size.
        let mut x: u64 = 1;
        let text: String = (0..4_000_000)
            .map(|_| {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                char::from(b'a' + (x >> 59) as u8 % 26)
            })
            .collect();
        let t = Table::new("big", vec![Column::new("text", Values::Str(vec![text.clone()]))]);
        write_parquet(&t, d.path()).unwrap();
        let size = fs::metadata(d.path().join("big.parquet")).unwrap().len();
        assert!(size < text.len() as u64, "{size} bytes for a {}-byte cell", text.len());
        let f = fs::File::open(d.path().join("big.parquet")).unwrap();
        let mut reader = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap();
        let batch = reader.next().unwrap().unwrap();
        assert_eq!(batch.column(0).as_any().downcast_ref::<StringArray>().unwrap().value(0), text);
    }

    #[test]
    fn row_groups_close_by_encoded_size_not_only_by_rows() {
        // 6 chunks of 1,000 rows of ~4 KB incompressible text (~24 MB): far fewer rows than ROW_GROUP, so
        // only the byte bound can split them into several groups.
        let d = tempfile::tempdir().unwrap();
        let mut x: u64 = 7;
        let mut cell = || -> String {
            (0..4000)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    char::from(b'a' + (x >> 59) as u8 % 26)
                })
                .collect()
        };
        let template = Table::new("t", vec![Column::new("text", Values::Str(Vec::new()))]);
        let formats = Formats { csv: false, parquet: true };
        let mut w = TableWriter::create(d.path(), &template, formats, CsvOptions::default()).unwrap();
        for _ in 0..6 {
            let rows: Vec<String> = (0..1000).map(|_| cell()).collect();
            w.write(&Table::new("t", vec![Column::new("text", Values::Str(rows))])).unwrap();
        }
        w.finish().unwrap();
        let f = fs::File::open(d.path().join("t.parquet")).unwrap();
        let meta = ParquetRecordBatchReaderBuilder::try_new(f).unwrap().metadata().clone();
        assert!(meta.num_row_groups() >= 2, "{} row groups", meta.num_row_groups());
        assert_eq!(meta.file_metadata().num_rows(), 6000);
    }

    #[test]
    fn staged_dir_keeps_foreign_files_and_replaces_tables() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join(".gitkeep"), "").unwrap();
        fs::write(target.join("t.csv"), "old").unwrap();
        let staged = StagedDir::new(&target).unwrap();
        write_csv(&sample(), &staged.tmp, CsvOptions::default()).unwrap();
        staged.commit().unwrap();
        assert!(target.join(".gitkeep").exists());
        assert!(fs::read_to_string(target.join("t.csv")).unwrap().starts_with("name,"));
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1, "no temporary folder left behind");
    }

    #[test]
    fn stale_staging_folders_of_dead_runs_are_removed() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("out");
        // No process has this id (Linux caps pids far lower); pid 1 always runs.
        let dead = d.path().join(".out.tmp-999999999");
        let alive = d.path().join(".out.tmp-1");
        let other = d.path().join(".other.tmp-999999999");
        for p in [&dead, &alive, &other] {
            fs::create_dir_all(p).unwrap();
        }
        let staged = StagedDir::new(&target).unwrap();
        assert!(staged.tmp.is_dir());
        // Liveness is read from /proc; without it stale folders are left alone by design.
        let has_proc = Path::new("/proc/self").exists();
        assert_eq!(dead.exists(), !has_proc, "a killed run's folder is cleaned");
        assert!(alive.exists(), "a running process's folder is kept");
        assert!(other.exists(), "another target's folder is not touched");
        let tmp = staged.tmp.clone();
        drop(staged);
        assert!(!tmp.exists(), "an uncommitted run removes its own folder");
    }

    #[test]
    fn output_that_is_a_file_is_an_error_before_anything_is_written() {
        let d = tempfile::tempdir().unwrap();
        let file = d.path().join("out");
        fs::write(&file, "x").unwrap();
        assert!(StagedDir::new(&file).is_err());
        assert!(StagedDir::new(&file.join("sub")).is_err());
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    }
}
