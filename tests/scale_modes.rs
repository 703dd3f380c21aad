//! Sharded and incremental builds must write exactly what a single full build writes.

mod common;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(args: &[&str], paths: &[&Path]) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"));
    c.args(args);
    for p in paths {
        c.arg(p);
    }
    c.arg("--quiet");
    let status = c.status().expect("run rferl-corpus");
    assert!(status.success(), "{args:?} failed: {status}");
}

/// Every output file but manifest.json (timings, arguments) must be byte-identical.
fn assert_same_tables(a: &Path, b: &Path) {
    let mut names: Vec<_> = fs::read_dir(a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for n in names.iter().filter(|n| *n != "manifest.json") {
        assert!(fs::read(a.join(n)).unwrap() == fs::read(b.join(n)).unwrap(), "{n:?} differs");
    }
    let ma: serde_json::Value = serde_json::from_slice(&fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let mb: serde_json::Value = serde_json::from_slice(&fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(ma["counts"], mb["counts"]);
}

fn copy_dir(from: &Path, to: &Path, keep: impl Fn(&str) -> bool) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_file() && keep(&name) {
            fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn merged_shards_equal_a_single_machine_build() {
    let d = tempfile::tempdir().unwrap();
    let full = d.path().join("full");
    run(&["build", "data/sample", "--out"], &[&full]);
    let shards: Vec<PathBuf> = (0..3).map(|i| d.path().join(format!("shard{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        run(&["build", "data/sample", "--shard", &format!("{i}/3"), "--out"], &[s]);
        assert!(s.join("articles").is_dir(), "shard {i} writes Hive-partitioned articles");
        let m: serde_json::Value = serde_json::from_slice(&fs::read(s.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["counts"]["accounted"], true, "shard {i} accounts for its inputs");
        // Every article of the shard is in exactly one lang= partition, without a lang column of its own.
        let mut rows = 0;
        for part in fs::read_dir(s.join("articles")).unwrap() {
            let part = part.unwrap().path();
            assert!(part.file_name().unwrap().to_str().unwrap().starts_with("lang="), "{part:?}");
            let file = part.join(format!("part-{i:05}.parquet"));
            let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&file).unwrap()).unwrap();
            assert!(reader.schema().fields().iter().all(|f| f.name() != "lang"), "{file:?} has a lang column");
            assert!(reader.schema().fields().iter().any(|f| f.name() == "text"));
            rows += reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum::<usize>();
        }
        assert_eq!(rows as u64, m["counts"]["articles"].as_u64().unwrap(), "shard {i}: partitions hold its articles");
    }
    let merged = d.path().join("merged");
    let refs: Vec<&Path> = shards.iter().map(|p| p.as_path()).collect();
    let mut c = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"));
    let status = c.arg("merge").args(&refs).arg("--out").arg(&merged).arg("--quiet").status().unwrap();
    assert!(status.success());
    assert_same_tables(&full, &merged);
}

#[test]
fn merge_refuses_a_missing_shard() {
    let d = tempfile::tempdir().unwrap();
    let s0 = d.path().join("s0");
    run(&["build", "data/sample", "--shard", "0/2", "--out"], &[&s0]);
    let out = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
        .arg("merge")
        .arg(&s0)
        .arg("--out")
        .arg(d.path().join("m"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing shards: 1/2"));
}

fn reused(out: &Path) -> u64 {
    let manifest: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["reused_files"].as_u64().unwrap()
}

#[test]
fn an_incremental_rerun_reads_only_what_changed_and_equals_a_full_rebuild() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    copy_dir(Path::new("data/sample"), &input, |_| true);
    let n_files = fs::read_dir(&input).unwrap().count() as u64;
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(reused(&inc), 0);
    // One article changes its body, one new article arrives (no template lines, so the chrome stays).
    let changed = input.join("002_be73d93cd4e02a3c.txt");
    let text = fs::read_to_string(&changed).unwrap().replacen("14", "15", 1);
    fs::write(&changed, text).unwrap();
    fs::write(
        input.join("999_0000000000000001.txt"),
        "A New Headline\n\n\nA first paragraph of 12 words.\n\nA second one.\n",
    )
    .unwrap();
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(reused(&inc), n_files - 1, "all but the changed file are reused");
    let full = d.path().join("full");
    run(&["build", "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
}

#[test]
fn when_new_files_change_the_learned_chrome_everything_is_redone_and_still_equal() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    // The first half of the sample: several services have too few files for their template to be learned yet.
    copy_dir(Path::new("data/sample"), &input, |n| n < "030");
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    copy_dir(Path::new("data/sample"), &input, |n| n >= "030");
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(reused(&inc), 0, "the chrome changed, so no earlier extraction can be trusted");
    let full = d.path().join("full");
    run(&["build", "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
}

#[test]
fn duplicates_point_to_the_first_copy_in_output_order() {
    // Output order is the relative path as a string ("x-b.txt" before "x/a.txt": '-' < '/'), not the order of
    // a walk component by component. The map signs articles in its own order, so a republication's dup_of
    // shows whether the two orders agree: it must name the first copy in output order.
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(input.join("x")).unwrap();
    let page = common::page(7, "Osh");
    fs::write(input.join("x").join("a.txt"), &page).unwrap();
    fs::write(input.join("x-b.txt"), &page).unwrap();
    fs::write(input.join("x-c.txt"), common::page(8, "Naryn")).unwrap();
    let out = d.path().join("out");
    run(&["build", "--out"], &[&out, &input]);
    let rows = common::rows(&out, "articles");
    let files: Vec<&str> = rows.iter().map(|r| r["source_file"].as_str()).collect();
    assert_eq!(files, ["x-b.txt", "x-c.txt", "x/a.txt"]);
    assert_eq!(rows[0]["dup_of"], "");
    assert_eq!(rows[2]["dup_of"], rows[0]["doc_id"], "the copy points to the first in output order");
    assert_eq!(rows[1]["dup_of"], "");
}
