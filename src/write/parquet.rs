//! Parquet files written one row group at a time, and row groups copied whole from an earlier file.
//!
//! `ArrowWriter` decides itself where a row group ends, and cannot take a group someone else encoded. An
//! incremental build needs both: the articles and sentences tables close their groups at boundaries chosen
//! by the articles' ids (so that a new article moves no boundary but its own group's; see
//! `pipeline::groups`), and a group whose rows did not change since the previous run is copied from that
//! run's file byte for byte instead of being encoded again ([`ParquetWriter::copy_group`]). A copied group
//! is the same bytes, statistics and page indexes a fresh encoding of the same rows gives, so the file is
//! identical to one written from scratch (a test checks it).
//!
//! Encoding is what `ArrowWriter` does inside: the parquet crate's column writers (`get_column_writers`,
//! `compute_leaves`) and `SerializedRowGroupWriter::append_column`; copying uses `append_column` too, with
//! the column chunk's metadata and page indexes read back from the earlier file.

use anyhow::{Context, Result};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use parquet::arrow::arrow_writer::{compute_leaves, get_column_writers, ArrowColumnWriter};
use parquet::arrow::{add_encoded_arrow_schema_to_metadata, ArrowSchemaConverter};
use parquet::column::writer::ColumnCloseResult;
use parquet::file::metadata::{ColumnChunkMetaData, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::statistics::Statistics;
use parquet::file::writer::SerializedFileWriter;
use parquet::format::{ColumnIndex, OffsetIndex};
use parquet::thrift::TSerializable;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use thrift::protocol::TCompactInputProtocol;

/// A Parquet file being written.
pub struct ParquetWriter {
    file: SerializedFileWriter<BufWriter<File>>,
    schema: SchemaRef,
    props: WriterPropertiesPtr,
    /// The open row group's column writers, once a row has been written to it.
    group: Option<Vec<ArrowColumnWriter>>,
}

impl ParquetWriter {
    pub fn create(path: &Path, schema: SchemaRef, mut props: WriterProperties) -> Result<Self> {
        let parquet_schema = ArrowSchemaConverter::new().convert(&schema)?;
        // The Arrow schema in the footer, as ArrowWriter writes it: readers get the timestamps' time zone back.
        add_encoded_arrow_schema_to_metadata(&schema, &mut props);
        let props = Arc::new(props);
        let out = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        let file = SerializedFileWriter::new(BufWriter::new(out), parquet_schema.root_schema_ptr(), props.clone())?;
        Ok(ParquetWriter { file, schema, props, group: None })
    }

    /// Appends rows to the open row group (opening one if none is open).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<()> {
        if self.group.is_none() {
            self.group = Some(get_column_writers(self.file.schema_descr(), &self.props, &self.schema)?);
        }
        let writers = self.group.as_mut().expect("opened above");
        let mut next = writers.iter_mut();
        for (field, column) in self.schema.fields().iter().zip(batch.columns()) {
            for leaf in compute_leaves(field, column)? {
                next.next().context("more Parquet leaves than column writers")?.write(&leaf)?;
            }
        }
        Ok(())
    }

    /// Encoded bytes the open row group holds in memory so far (an estimate, as ArrowWriter's).
    pub fn in_progress_size(&self) -> usize {
        self.group.as_ref().map_or(0, |g| g.iter().map(|w| w.get_estimated_total_bytes()).sum())
    }

    /// Closes the open row group, if any.
    pub fn end_group(&mut self) -> Result<()> {
        if let Some(writers) = self.group.take() {
            let mut rg = self.file.next_row_group()?;
            for w in writers {
                w.close()?.append_to_row_group(&mut rg)?;
            }
            rg.close()?;
        }
        Ok(())
    }

    /// Copies row group `group` of `from` (a file of the same table, written with the same properties) as the
    /// next row group, closing the open one first; the columns in `fresh` (column position, values for every
    /// row of the group) are encoded instead of copied. Each column chunk is encoded on its own, so a fresh
    /// one is what a full encoding of the group would make of it.
    pub fn copy_group(&mut self, from: &PrevParquet, group: usize, fresh: &[(usize, ArrayRef)]) -> Result<()> {
        self.end_group()?;
        let meta = from.meta.row_groups().get(group).context("the earlier Parquet file has no such row group")?;
        anyhow::ensure!(meta.num_columns() == self.schema.fields().len(), "the earlier Parquet file has other columns");
        let mut writers = match fresh.is_empty() {
            true => Vec::new(),
            false => get_column_writers(self.file.schema_descr(), &self.props, &self.schema)?,
        }
        .into_iter()
        .map(Some)
        .collect::<Vec<_>>();
        let mut rg = self.file.next_row_group()?;
        for (c, col) in meta.columns().iter().enumerate() {
            if let Some((_, values)) = fresh.iter().find(|(f, _)| *f == c) {
                anyhow::ensure!(values.len() as i64 == meta.num_rows(), "a fresh column has the wrong length");
                let mut w = writers[c].take().context("a column given fresh twice")?;
                for leaf in compute_leaves(&self.schema.fields()[c], values)? {
                    w.write(&leaf)?;
                }
                w.close()?.append_to_row_group(&mut rg)?;
                continue;
            }
            let close = ColumnCloseResult {
                bytes_written: col.compressed_size() as u64,
                rows_written: meta.num_rows() as u64,
                metadata: as_written(col)?,
                bloom_filter: None,
                column_index: from.index::<ColumnIndex>(col.column_index_offset(), col.column_index_length())?,
                offset_index: from.index::<OffsetIndex>(col.offset_index_offset(), col.offset_index_length())?,
            };
            rg.append_column(&from.file, close)?;
        }
        rg.close()?;
        Ok(())
    }

    /// Closes the open row group, writes the footer and flushes the file; returns the number of row groups.
    pub fn finish(mut self) -> Result<usize> {
        self.end_group()?;
        let groups = self.file.flushed_row_groups().len();
        self.file.into_inner()?.flush()?;
        Ok(groups)
    }
}

/// A column chunk's metadata as the column writer made it, from the metadata read back from a file. The one
/// thing the footer does not say is whether the statistics also carry the deprecated `min`/`max` fields:
/// the writer adds them for columns of a signed sort order (and reading sets the flag off), so it is set
/// back here, or the copied chunk's footer entry would lose them.
fn as_written(col: &ColumnChunkMetaData) -> Result<ColumnChunkMetaData> {
    let Some(stats) = col.statistics() else { return Ok(col.clone()) };
    let signed = col.column_descr().sort_order().is_signed();
    let stats = match stats.clone() {
        Statistics::Boolean(s) => Statistics::Boolean(s.with_backwards_compatible_min_max(signed)),
        Statistics::Int32(s) => Statistics::Int32(s.with_backwards_compatible_min_max(signed)),
        Statistics::Int64(s) => Statistics::Int64(s.with_backwards_compatible_min_max(signed)),
        Statistics::Int96(s) => Statistics::Int96(s.with_backwards_compatible_min_max(signed)),
        Statistics::Float(s) => Statistics::Float(s.with_backwards_compatible_min_max(signed)),
        Statistics::Double(s) => Statistics::Double(s.with_backwards_compatible_min_max(signed)),
        Statistics::ByteArray(s) => Statistics::ByteArray(s.with_backwards_compatible_min_max(signed)),
        Statistics::FixedLenByteArray(s) => Statistics::FixedLenByteArray(s.with_backwards_compatible_min_max(signed)),
    };
    Ok(col.clone().into_builder().set_statistics(stats).build()?)
}

/// An earlier Parquet file to copy row groups from, with its footer read.
pub struct PrevParquet {
    file: File,
    meta: ParquetMetaData,
}

impl PrevParquet {
    pub fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        let meta = ParquetMetaDataReader::new()
            .parse_and_finish(&file)
            .with_context(|| format!("cannot read the footer of {}", path.display()))?;
        Ok(PrevParquet { file, meta })
    }

    pub fn row_groups(&self) -> usize {
        self.meta.num_row_groups()
    }

    /// A page index (column or offset index) of one column chunk, as the writer takes it: the Thrift struct
    /// stored at `offset`.
    fn index<T: TSerializable>(&self, offset: Option<i64>, length: Option<i32>) -> Result<Option<T>> {
        let (Some(offset), Some(length)) = (offset, length) else { return Ok(None) };
        let mut buf = vec![0u8; usize::try_from(length).context("negative page index length")?];
        self.file.read_exact_at(&mut buf, u64::try_from(offset).context("negative page index offset")?)?;
        let mut prot = TCompactInputProtocol::new(&buf[..]);
        Ok(Some(T::read_from_in_protocol(&mut prot).context("a page index of the earlier Parquet file is damaged")?))
    }
}

#[cfg(test)]
mod tests {
    use crate::write::{Column, CsvOptions, Formats, PrevParquet, Table, TableWriter, Values};
    use arrow_array::Array;
    use std::fs;
    use std::path::Path;

    const PARQUET: Formats = Formats { csv: false, parquet: true };

    /// Rows `from..to` of a table with text, optional text, integer, float and timestamp columns; `story`
    /// fills the `story` column (the one a copy encodes afresh).
    fn rows(from: usize, to: usize, story: impl Fn(usize) -> Option<String>) -> Table {
        let text = |i: usize| format!("article {i}: {}", "some words of a story ".repeat(i % 7 + 1));
        Table::new(
            "t",
            vec![
                Column::new("id", Values::Str((from..to).map(|i| format!("d{i}")).collect())),
                Column::new("text", Values::Str((from..to).map(text).collect())),
                Column::new("story", Values::OptStr((from..to).map(story).collect())),
                Column::new("n", Values::U64((from..to).map(|i| i as u64 * 3).collect())),
                Column::new("p", Values::F64((from..to).map(|i| i as f64 / 7.0 - 1.0).collect())),
                Column::new(
                    "when",
                    Values::Timestamp((from..to).map(|i| (i % 3 > 0).then_some(i as i64 * 1000)).collect()),
                ),
            ],
        )
    }

    fn story_of(i: usize) -> Option<String> {
        (i % 4 == 0).then(|| format!("s{}", i / 8))
    }

    /// The story column alone, for rows `from..to`.
    fn stories(from: usize, to: usize, story: impl Fn(usize) -> Option<String>) -> Table {
        Table::new("t", vec![Column::new("story", Values::OptStr((from..to).map(story).collect()))])
    }

    const GROUPS: [(usize, usize); 3] = [(0, 40), (40, 45), (45, 120)];

    /// A file of the three groups, each encoded.
    fn write_fresh(dir: &Path, story: &dyn Fn(usize) -> Option<String>) -> Vec<u8> {
        let mut w = TableWriter::create_grouped(dir, &rows(0, 0, story_of), PARQUET, CsvOptions::default()).unwrap();
        for (a, b) in GROUPS {
            w.write(&rows(a, b, story)).unwrap();
            w.end_group().unwrap();
        }
        assert_eq!(w.finish().unwrap(), 3);
        fs::read(dir.join("t.parquet")).unwrap()
    }

    #[test]
    fn copied_row_groups_make_the_same_file_as_encoding_them() {
        let d = tempfile::tempdir().unwrap();
        let (first, second) = (d.path().join("first"), d.path().join("second"));
        fs::create_dir_all(&first).unwrap();
        fs::create_dir_all(&second).unwrap();
        let fresh = write_fresh(&first, &story_of);
        let prev = PrevParquet::open(&first.join("t.parquet")).unwrap();
        assert_eq!(prev.row_groups(), 3);

        // Groups 0 and 2 copied (group 2 with its story column encoded afresh), group 1 encoded.
        let mut w =
            TableWriter::create_grouped(&second, &rows(0, 0, story_of), PARQUET, CsvOptions::default()).unwrap();
        w.copy_group(&prev, 0, &Table::new("t", Vec::new()), &[]).unwrap();
        w.write(&rows(40, 45, story_of)).unwrap();
        w.end_group().unwrap();
        w.copy_group(&prev, 2, &stories(45, 120, story_of), &[]).unwrap();
        assert_eq!(w.finish().unwrap(), 3);
        let spliced = fs::read(second.join("t.parquet")).unwrap();
        assert!(
            spliced == fresh,
            "a spliced file differs from a fresh one ({} vs {} bytes)",
            spliced.len(),
            fresh.len()
        );
    }

    #[test]
    fn a_fresh_column_in_a_copied_group_carries_the_new_values() {
        let d = tempfile::tempdir().unwrap();
        let (first, second, expected) = (d.path().join("a"), d.path().join("b"), d.path().join("c"));
        for p in [&first, &second, &expected] {
            fs::create_dir_all(p).unwrap();
        }
        write_fresh(&first, &story_of);
        // Later, some rows of every group join other stories (or none).
        let moved = |i: usize| if i % 5 == 0 { Some(format!("s-new{}", i % 3)) } else { story_of(i) };
        let want = write_fresh(&expected, &moved);
        let prev = PrevParquet::open(&first.join("t.parquet")).unwrap();
        let mut w =
            TableWriter::create_grouped(&second, &rows(0, 0, story_of), PARQUET, CsvOptions::default()).unwrap();
        for (g, (a, b)) in GROUPS.into_iter().enumerate() {
            w.copy_group(&prev, g, &stories(a, b, moved), &[]).unwrap();
        }
        w.finish().unwrap();
        let got = fs::read(second.join("t.parquet")).unwrap();
        assert!(got == want, "copying with a fresh column differs from encoding the changed rows");
        // And the values are the new ones when read back.
        let f = fs::File::open(second.join("t.parquet")).unwrap();
        let reader =
            ::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f).unwrap().build().unwrap();
        let mut seen = Vec::new();
        for batch in reader {
            let batch = batch.unwrap();
            let col = batch.column_by_name("story").unwrap();
            let col = col.as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
            seen.extend((0..col.len()).map(|i| col.is_valid(i).then(|| col.value(i).to_string())));
        }
        assert_eq!(seen, (0..120).map(moved).collect::<Vec<_>>());
    }

    #[test]
    fn a_group_from_another_table_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let other = Table::new("t", vec![Column::new("x", Values::U64(vec![1, 2]))]);
        let mut w = TableWriter::create_grouped(d.path(), &other, PARQUET, CsvOptions::default()).unwrap();
        w.write(&other).unwrap();
        w.finish().unwrap();
        let prev = PrevParquet::open(&d.path().join("t.parquet")).unwrap();
        let e = d.path().join("e");
        fs::create_dir_all(&e).unwrap();
        let mut w = TableWriter::create_grouped(&e, &rows(0, 0, story_of), PARQUET, CsvOptions::default()).unwrap();
        assert!(w.copy_group(&prev, 0, &Table::new("t", Vec::new()), &[]).is_err());
        assert!(w.copy_group(&prev, 5, &Table::new("t", Vec::new()), &[]).is_err(), "no such group");
    }
}
