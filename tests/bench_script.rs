//! `scripts/bench.sh`, which measures issue 5's bars and writes docs/performance.md: run end to end on a
//! 300-file archive (the figures themselves are not judged here, only that the script measures every row,
//! checks what it says it checks, and keeps the hand-written notes below its marker).

use std::fs;
use std::path::Path;
use std::process::Command;

const MARKER: &str = "<!-- notes below this line are kept by scripts/bench.sh -->";

#[test]
fn bench_script_measures_a_small_archive_and_keeps_the_notes() {
    let d = tempfile::tempdir().unwrap();
    let doc = d.path().join("performance.md");
    fs::write(&doc, format!("# Old tables\n\n| 1 | 2 |\n\n{MARKER}\n\n## Findings\n\nA hand-written finding.\n"))
        .unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = Command::new("bash")
        .arg(repo.join("scripts/bench.sh"))
        .args(["--bin", env!("CARGO_BIN_EXE_rferl-corpus")])
        .env("SIZES", "300")
        .env("INCR_SIZE", "300")
        .env("REPEAT", "1")
        .env("BENCH_DIR", d.path().join("bench"))
        .env("DOC", &doc)
        .output()
        .expect("bash runs scripts/bench.sh");
    assert!(o.status.success(), "bench.sh failed: {}", String::from_utf8_lossy(&o.stderr));
    let text = fs::read_to_string(&doc).unwrap();

    // The tables above the marker are new; the notes below it are the same.
    assert!(!text.contains("# Old tables"), "{text}");
    let (tables, notes) = text.split_once(MARKER).expect("the marker stays");
    assert_eq!(notes, "\n\n## Findings\n\nA hand-written finding.\n");
    assert!(tables.contains("--bin ") && tables.contains("SIZES=\"300\""), "the command is written down: {tables}");

    // One scaling row for the size, with a throughput and a peak RSS.
    let row: Vec<&str> = tables
        .lines()
        .find(|l| l.starts_with("| 300 | ") && l.matches('|').count() > 10)
        .expect("a scaling row for 300 files")
        .split('|')
        .map(str::trim)
        .collect();
    let rate: f64 = row[3].replace(',', "").parse().expect("articles/s is a number");
    let rss: f64 = row[10].replace(',', "").parse().expect("peak RSS is a number");
    assert!(rate > 0.0 && rss > 0.0, "{row:?}");
    // Every file is an article or a reject.
    let counts: Vec<u64> = tables
        .lines()
        .filter(|l| l.starts_with("| 300 | "))
        .map(|l| l.split('|').map(str::trim).filter(|c| !c.is_empty()).collect::<Vec<_>>())
        .find(|c| c.len() == 4)
        .expect("a counts row for 300 files")
        .iter()
        .map(|c| c.parse().unwrap())
        .collect();
    assert_eq!(counts[1] + counts[3], 300, "articles + rejects = files: {counts:?}");

    // The incremental and sharding rows ran and found the outputs equal.
    assert!(tables.contains("merged output identical to unsharded build (CSV): yes"), "{tables}");
    assert!(tables.contains("output identical to a from-scratch build (CSV and Parquet): yes"), "{tables}");
    assert!(tables.contains("rerun after adding 1% new files"), "{tables}");
}
