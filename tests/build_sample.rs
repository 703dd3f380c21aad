//! End-to-end: the binary on data/sample (the hand-written sample corpus) against its gold tables
//! (data/sample-gold.csv, data/sample-rejects.csv), and the output contracts: determinism across thread
//! counts, Parquet = CSV, every input accounted for.

use arrow_array::{Array, Float64Array, StringArray, TimestampMicrosecondArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rferl_corpus::write::{format_float, format_timestamp};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const TABLES: [&str; 6] = ["articles", "alignments", "stories", "rejects", "sentences", "sentence_alignments"];

fn build(out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
        .args(["build", "data/sample", "--quiet", "--out"])
        .arg(out)
        .args(extra)
        .status()
        .expect("run rferl-corpus");
    assert!(status.success(), "build failed: {status}");
}

/// One build of data/sample shared by the tests that only read it.
fn sample_output() -> &'static Path {
    static OUT: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, p) = OUT.get_or_init(|| {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("out");
        build(&p, &[]);
        (d, p)
    });
    p
}

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().iter().map(str::to_string).collect();
    (headers, r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect())
}

/// Parquet rows rendered with the same text forms the CSV writer uses.
fn parquet_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(path).unwrap()).unwrap();
    let headers = reader.schema().fields().iter().map(|f| f.name().clone()).collect();
    let mut rows = Vec::new();
    for batch in reader.build().unwrap() {
        let batch = batch.unwrap();
        for i in 0..batch.num_rows() {
            let row = batch
                .columns()
                .iter()
                .map(|c| {
                    if c.is_null(i) {
                        return String::new();
                    }
                    let any = c.as_any();
                    if let Some(a) = any.downcast_ref::<StringArray>() {
                        a.value(i).to_string()
                    } else if let Some(a) = any.downcast_ref::<UInt64Array>() {
                        a.value(i).to_string()
                    } else if let Some(a) = any.downcast_ref::<Float64Array>() {
                        format_float(a.value(i))
                    } else if let Some(a) = any.downcast_ref::<TimestampMicrosecondArray>() {
                        format_timestamp(a.value(i))
                    } else {
                        panic!("unexpected column type {:?}", c.data_type())
                    }
                })
                .collect();
            rows.push(row);
        }
    }
    (headers, rows)
}

#[test]
fn output_is_byte_identical_for_one_and_two_threads() {
    let d = tempfile::tempdir().unwrap();
    let (one, two) = (d.path().join("one"), d.path().join("two"));
    build(&one, &["--threads", "1"]);
    build(&two, &["--threads", "2"]);
    let names: BTreeSet<_> = fs::read_dir(&one).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert!(names.len() > 2 * TABLES.len(), "{names:?}");
    for name in &names {
        let (a, b) = (fs::read(one.join(name)).unwrap(), fs::read(two.join(name)).unwrap());
        if name == "manifest.json" {
            // Timings and the command line differ by design; everything counted must not.
            let ja: serde_json::Value = serde_json::from_slice(&a).unwrap();
            let jb: serde_json::Value = serde_json::from_slice(&b).unwrap();
            for key in ["counts", "rejects_by_reason", "articles_by_language"] {
                assert_eq!(ja[key], jb[key], "manifest {key}");
            }
        } else {
            assert!(a == b, "{name:?} differs between --threads 1 and --threads 2");
        }
    }
}

#[test]
fn parquet_holds_the_same_rows_as_csv() {
    let out = sample_output();
    for t in TABLES {
        let (ch, crows) = csv_rows(&out.join(format!("{t}.csv")));
        let (ph, prows) = parquet_rows(&out.join(format!("{t}.parquet")));
        assert_eq!(ch, ph, "{t}: columns");
        assert_eq!(crows.len(), prows.len(), "{t}: row count");
        assert!(crows == prows, "{t}: rows differ between CSV and Parquet");
    }
}

#[test]
fn every_input_is_an_article_or_a_reject() {
    let out = sample_output();
    let manifest: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let c = &manifest["counts"];
    assert_eq!(c["inputs"].as_u64().unwrap(), c["articles"].as_u64().unwrap() + c["rejects"].as_u64().unwrap());
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for t in ["articles", "rejects"] {
        for r in read_csv(&out.join(format!("{t}.csv"))) {
            assert!(seen.insert(r["source_file"].clone()), "{} is in more than one row", r["source_file"]);
        }
    }
    let mut files = BTreeSet::new();
    let mut stack = vec![PathBuf::from("data/sample")];
    while let Some(dir) = stack.pop() {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(p.strip_prefix("data/sample").unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    // One-article files appear exactly once; multi-record files (JSONL, WARC) at least once.
    for f in &files {
        assert!(seen.iter().any(|s| s == f), "{f} is neither an article nor a reject");
    }
}

#[test]
fn bad_files_are_rejected_with_their_reason() {
    let out = sample_output();
    let rejects: BTreeMap<String, String> = read_csv(&out.join("rejects.csv"))
        .into_iter()
        .map(|r| (r["source_file"].clone(), r["reason"].clone()))
        .collect();
    let expected = read_csv(Path::new("data/sample-rejects.csv"));
    assert!(expected.len() >= 3);
    for e in expected {
        let want = match e["expected_reason"].as_str() {
            "invalid_utf8" => "invalid_encoding",
            other => other,
        };
        assert_eq!(rejects.get(&e["source_file"]).map(String::as_str), Some(want), "{}", e["source_file"]);
    }
}

#[test]
fn titles_and_republications_match_the_gold() {
    let out = sample_output();
    let articles: BTreeMap<String, BTreeMap<String, String>> =
        read_csv(&out.join("articles.csv")).into_iter().map(|r| (r["source_file"].clone(), r)).collect();
    let doc_of = |f: &str| articles[f]["doc_id"].clone();
    for g in read_csv(Path::new("data/sample-gold.csv")) {
        let a = articles.get(&g["source_file"]).unwrap_or_else(|| panic!("{} missing from articles", g["source_file"]));
        assert_eq!(a["title"], g["title"], "title of {}", g["source_file"]);
        assert!(!a["text"].is_empty());
        assert!(
            !a["text"].contains("16x9 Image") && !a["text"].split("\n\n").any(|p| p == a["title"]),
            "chrome or title in the body of {}",
            g["source_file"]
        );
        let want_dup = if g["dup_of"].is_empty() { String::new() } else { doc_of(&g["dup_of"]) };
        assert_eq!(a["dup_of"], want_dup, "dup_of of {}", g["source_file"]);
    }
}
