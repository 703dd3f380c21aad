//! The exit status a nightly job can act on: 0 (done; rejects only warn), 1 (nothing could be read),
//! 2 (an error such as an output that cannot be written), 3 (`--strict` and something was rejected).

mod common;

use common::{page, rows, run};
use std::ffi::OsStr;
use std::fs;

fn build(input: &std::path::Path, out: &std::path::Path, extra: &[&str]) -> (Option<i32>, String) {
    let mut args = vec![OsStr::new("build"), input.as_os_str(), OsStr::new("--out"), out.as_os_str()];
    args.extend(extra.iter().map(OsStr::new));
    let o = run(&args);
    (o.status.code(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// A scratch folder holding `in/a.txt`, one good page; returns the folder and `in`.
fn one_good_page() -> (tempfile::TempDir, std::path::PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("a.txt"), page(1, "Osh")).unwrap();
    (d, input)
}

#[test]
fn all_good_is_zero_without_a_warning_even_when_strict() {
    let (d, input) = one_good_page();
    let (code, err) = build(&input, &d.path().join("out"), &["--strict"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(!err.contains("warning"), "{err}");
}

#[test]
fn some_rejects_are_zero_with_a_warning_and_three_when_strict() {
    let (d, input) = one_good_page();
    fs::write(input.join("b.txt"), "").unwrap();
    fs::write(input.join("c.txt.gz"), b"\x1f\x8b\x08\0cut").unwrap();
    let (code, err) = build(&input, &d.path().join("out"), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("warning: 2 inputs rejected"), "{err}");
    let (code, err) = build(&input, &d.path().join("strict"), &["--strict"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains("--strict"), "{err}");
    // The tables are written all the same, so the rejects can be looked at.
    assert_eq!(rows(&d.path().join("strict"), "rejects").len(), 2);
}

#[test]
fn nothing_readable_is_one() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let (code, err) = build(&input, &d.path().join("out-empty"), &[]);
    assert_eq!(code, Some(1), "an empty input folder: {err}");
    fs::write(input.join("blank.txt"), "   \n").unwrap();
    fs::write(input.join("x.bin"), [0u8, 1, 2]).unwrap();
    let (code, err) = build(&input, &d.path().join("out"), &[]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("no article could be read"), "{err}");
    assert_eq!(rows(&d.path().join("out"), "rejects").len(), 2);
    let (code, _) = build(&d.path().join("does-not-exist"), &d.path().join("out2"), &[]);
    assert_eq!(code, Some(1), "a missing input is a reject, and then nothing was read");
}

#[test]
fn a_missing_input_folder_is_named_at_the_start_even_when_quiet_and_the_rest_is_built() {
    let (d, input) = one_good_page();
    let missing = d.path().join("2026-12-O6");
    let (out, strict) = (d.path().join("out"), d.path().join("strict"));
    let m = missing.to_str().unwrap();
    let (code, err) = build(&input, &out, &[m, "--quiet"]);
    assert_eq!(code, Some(0), "{err}");
    let warning = format!("warning: input {m} cannot be read");
    assert!(err.starts_with(&format!("rferl-corpus: {warning}")), "named first, despite --quiet: {err}");
    assert_eq!(rows(&out, "articles").len(), 1, "the readable input is built");
    let rejects = rows(&out, "rejects");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["source_file"], m);
    let (code, err) = build(&input, &strict, &[m, "--quiet", "--strict"]);
    assert_eq!(code, Some(3), "{err}");
    assert!(err.contains(&warning) && err.contains("1 input rejected and --strict"), "{err}");
}

#[test]
fn output_that_cannot_be_written_is_two_and_fails_before_reading() {
    let (d, input) = one_good_page();
    let file = d.path().join("regular-file");
    fs::write(&file, "x").unwrap();
    for out in [file.join("out"), file.clone()] {
        let (code, err) = build(&input, &out, &[]);
        assert_eq!(code, Some(2), "--out {}: {err}", out.display());
        assert!(err.starts_with("rferl-corpus: error:"), "{err}");
        assert!(!err.contains("inputs →"), "fails before the build, not after it: {err}");
    }
    assert_eq!(fs::read_to_string(&file).unwrap(), "x");
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 2, "nothing left behind");
}

#[test]
fn bad_arguments_are_two() {
    let d = tempfile::tempdir().unwrap();
    let (code, err) = build(d.path(), &d.path().join("out"), &["--format", "xlsx"]);
    assert_eq!(code, Some(2), "{err}");
    let o = run(&[OsStr::new("build"), OsStr::new("--no-such-flag")]);
    assert_eq!(o.status.code(), Some(2), "clap's usage errors are 2 as well");
}
