//! A run killed with SIGKILL in the middle leaves the previous output whole, and the next run produces exactly
//! what an uninterrupted run produces: every table byte for byte, and manifest.json equal but for its timing
//! and command-line fields.

mod common;

use common::{manifest, page, rows};
use std::ffi::OsStr;
use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn build(input: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"));
    c.arg("build").arg(input).arg("--out").arg(out).args(extra).stdout(Stdio::null()).stderr(Stdio::null());
    c
}

fn staging_folders(parent: &Path) -> Vec<PathBuf> {
    fs::read_dir(parent)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().and_then(OsStr::to_str).is_some_and(|n| n.starts_with(".out.tmp-")))
        .collect()
}

#[test]
fn killed_run_leaves_old_output_whole_and_rerun_matches_clean_run() {
    let tmp = tempfile::tempdir().unwrap();
    let (big, small) = (tmp.path().join("big"), tmp.path().join("small"));
    let places = ["Osh", "Naryn", "Talas", "Batken", "Karakol", "Tokmok", "Kant", "Kemin"];
    for i in 0..3000 {
        let dir = big.join(format!("{:02}", i % 50));
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("{i:05}.txt")), page(i, places[i % places.len()])).unwrap();
    }
    fs::write(big.join("broken.txt.gz"), b"\x1f\x8b\x08\0cut").unwrap();
    fs::create_dir_all(&small).unwrap();
    for i in 0..10 {
        fs::write(small.join(format!("{i}.txt")), page(10_000 + i, "Uzgen")).unwrap();
    }

    // The reference: one uninterrupted run, on one thread.
    let reference = tmp.path().join("ref");
    assert!(build(&big, &reference, &["--threads", "1"]).status().unwrap().success());

    // A finished output from an earlier run, then a run over the big corpus killed midway.
    let out = tmp.path().join("out");
    assert!(build(&small, &out, &[]).status().unwrap().success());
    // One thread, killed shortly after its staging folder appears (the folder is made before any reading).
    let mut child = build(&big, &out, &["--threads", "1"]).spawn().unwrap();
    let started = Instant::now();
    while staging_folders(tmp.path()).is_empty() && started.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(2));
    }
    std::thread::sleep(Duration::from_millis(40));
    assert!(child.try_wait().unwrap().is_none(), "the run finished before it could be killed: make the corpus bigger");
    child.kill().unwrap();
    assert_eq!(child.wait().unwrap().signal(), Some(9));

    // The earlier output is untouched and consistent: its manifest describes the tables beside it.
    assert_eq!(staging_folders(tmp.path()).len(), 1, "the killed run's staging folder is left behind");
    assert_eq!(manifest(&out)["counts"]["articles"], 10);
    assert_eq!(rows(&out, "articles").len(), 10);

    // Run again: the stale folder is cleaned, and the result is the reference, byte for byte.
    assert!(build(&big, &out, &[]).status().unwrap().success());
    assert!(staging_folders(tmp.path()).is_empty(), "no staging folder survives a finished run");
    let mut names: Vec<String> =
        fs::read_dir(&reference).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    names.sort();
    let mut out_names: Vec<String> =
        fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    out_names.sort();
    assert_eq!(names, out_names);
    assert!(names.len() >= 13, "six tables in two formats and the manifest: {names:?}");
    for name in names.iter().filter(|n| *n != "manifest.json") {
        let (a, b) = (fs::read(reference.join(name)).unwrap(), fs::read(out.join(name)).unwrap());
        assert!(a == b, "{name} differs between the clean run and the run after the kill");
    }
    let (mut a, mut b) = (manifest(&reference), manifest(&out));
    assert_eq!(a["counts"]["inputs"], 3001);
    assert_eq!(a["counts"]["rejects"], 1);
    for m in [&mut a, &mut b] {
        let o = m.as_object_mut().unwrap();
        for timing in ["seconds_per_stage", "cpu_seconds_per_stage", "arguments"] {
            assert!(o.remove(timing).is_some(), "manifest.json lacks {timing}");
        }
    }
    assert_eq!(a, b, "manifest.json differs in more than its timings and arguments");
}
