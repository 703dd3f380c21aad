//! `--spreadsheet-safe`: CSV text cells that a spreadsheet would run as a formula are prefixed with `'`;
//! without the flag, and in Parquet always, the text is exactly what the page said.

mod common;

use arrow_array::{Array, StringArray};
use common::{page, rows, run};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::ffi::OsStr;
use std::fs;

fn first_parquet_string(path: &std::path::Path, column: &str) -> String {
    let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap().build().unwrap();
    let batch = reader.into_iter().next().unwrap().unwrap();
    let col = batch.column_by_name(column).unwrap();
    col.as_any().downcast_ref::<StringArray>().unwrap().value(0).to_string()
}

#[test]
fn formula_cells_are_neutralised_in_csv_only_when_asked() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let hostile = page(1, "Osh")
        .replace("Flood Waters Recede In Osh After 1 Days", "=HYPERLINK(\"http://example.com\",\"Flood\")")
        .replace("Emergency officials in Osh said", "+7 officials said")
        .replace("Volunteers stack sandbags", "@Volunteers stack sandbags");
    fs::write(input.join("-minus.txt"), hostile).unwrap();

    let plain = d.path().join("plain");
    let safe = d.path().join("safe");
    for (out, flag) in [(&plain, None), (&safe, Some("--spreadsheet-safe"))] {
        let mut args = vec![OsStr::new("build"), input.as_os_str(), OsStr::new("--out"), out.as_os_str()];
        args.extend(flag.map(OsStr::new));
        let o = run(&args);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    }

    let a = &rows(&plain, "articles")[0];
    assert_eq!(a["title"], "=HYPERLINK(\"http://example.com\",\"Flood\")");
    assert!(a["text"].starts_with("+7 officials said"));
    assert_eq!(a["caption"], "@Volunteers stack sandbags near a school in Osh.");
    assert_eq!(a["source_file"], "-minus.txt");

    let s = &rows(&safe, "articles")[0];
    assert_eq!(s["title"], "'=HYPERLINK(\"http://example.com\",\"Flood\")");
    assert!(s["text"].starts_with("'+7 officials said"));
    assert_eq!(s["caption"], "'@Volunteers stack sandbags near a school in Osh.");
    assert_eq!(s["source_file"], "'-minus.txt");
    // Numbers are not text cells and are never touched; ordinary text is unchanged.
    assert_eq!(s["n_words"], a["n_words"]);
    assert_eq!(s["doc_id"], a["doc_id"]);

    // Parquet is for programs, not spreadsheets: the same text either way.
    for out in [&plain, &safe] {
        let title = first_parquet_string(&out.join("articles.parquet"), "title");
        assert_eq!(title, "=HYPERLINK(\"http://example.com\",\"Flood\")");
    }
}
