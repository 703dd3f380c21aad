//! `scripts/make-archive`, the generator behind every figure of issue 5's benchmark: it must be deterministic,
//! an archive of N files must be the first N of a bigger one (the incremental benchmark adds 1% with
//! `--from`), and what it says it generated (`--truth`) must be what the build finds. It runs on the
//! repository's own `data/sample` only (`--no-flores`), so it needs nothing outside the clone but python3.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::Path;
use std::process::Command;

fn make_archive(out: &Path, extra: &[&str]) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/make-archive");
    let o = Command::new("python3")
        .arg(&script)
        .args(["--seed", "3", "--no-flores", "--jobs", "2", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .expect("python3 runs scripts/make-archive");
    assert!(o.status.success(), "make-archive {extra:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    let said = String::from_utf8_lossy(&o.stderr);
    assert!(said.contains("sample only"), "--no-flores must be reported as such: {said}");
}

/// Relative path → bytes of every file under `dir`.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    common::files_under(dir).into_iter().map(|p| (p.clone(), fs::read(dir.join(p)).unwrap())).collect()
}

/// The original a file copies, through copies of copies; the file itself when it is no copy.
fn root<'a>(orig_of: &HashMap<&'a str, &'a str>, mut path: &'a str) -> &'a str {
    while let Some(o) = orig_of.get(path) {
        path = o;
    }
    path
}

#[test]
fn the_archive_is_deterministic_grows_by_appending_and_is_what_its_truth_says() {
    let d = tempfile::tempdir().unwrap();
    let (full, grown, truth) = (d.path().join("full"), d.path().join("grown"), d.path().join("truth.tsv"));
    make_archive(&full, &["--n", "1200", "--truth", truth.to_str().unwrap()]);
    let files = tree(&full);
    assert_eq!(files.len(), 1200);
    let gz = files.keys().filter(|p| p.ends_with(".txt.gz")).count();
    assert!((3..=40).contains(&gz), "about 1% gzipped, got {gz}");
    let mean = files.values().map(|b| b.len()).sum::<usize>() / files.len();
    assert!((2_500..=6_000).contains(&mean), "articles of ~4 KB, got {mean} B on average");

    // 1,000 files, then 200 more with --from: the same bytes as 1,200 at once.
    make_archive(&grown, &["--n", "1000"]);
    assert_eq!(tree(&grown).len(), 1000);
    make_archive(&grown, &["--n", "1200", "--from", "1000"]);
    assert!(tree(&grown) == files, "an archive grown with --from differs from one made whole");

    // The truth file names every file once, and the build agrees with it.
    let text = fs::read_to_string(&truth).unwrap();
    let rows: Vec<Vec<&str>> = text.lines().skip(1).map(|l| l.split('\t').collect()).collect();
    assert_eq!(rows.len(), 1200);
    let out = d.path().join("out");
    let o = common::run(&["build".as_ref(), full.as_os_str(), "--out".as_ref(), out.as_os_str(), "--quiet".as_ref()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let articles = common::rows(&out, "articles");
    let rejects = common::rows(&out, "rejects");
    assert_eq!(articles.len() + rejects.len(), 1200, "every file is an article or a reject");
    let by_file: HashMap<&str, &BTreeMap<String, String>> =
        articles.iter().map(|r| (r["source_file"].as_str(), r)).collect();
    let path_of: HashMap<&str, &str> = rows.iter().map(|r| (r[1], r[0])).collect();
    // An original and its republications (and theirs: a copy can be copied) are one group, whose first file
    // in file order, which may be a copy, is kept as the original; every other member points to it.
    let orig_of: HashMap<&str, &str> =
        rows.iter().filter(|r| r[2] == "republication").map(|r| (r[0], path_of[r[5]])).collect();
    let mut first_of: HashMap<&str, &str> = HashMap::new();
    for r in &rows {
        let first = first_of.entry(root(&orig_of, r[0])).or_insert(r[0]);
        *first = (*first).min(r[0]);
    }
    let mut kinds: HashMap<&str, usize> = HashMap::new();
    let (mut agree, mut originals) = (0, 0);
    for r in &rows {
        *kinds.entry(r[2]).or_default() += 1;
        match r[2] {
            "article" | "story" | "republication" => {
                let a = by_file.get(r[0]).unwrap_or_else(|| panic!("{} is not an article", r[0]));
                let orig = root(&orig_of, r[0]);
                let first = first_of[orig];
                let want = if first == r[0] { "" } else { by_file[first]["doc_id"].as_str() };
                assert_eq!(a["dup_of"], want, "{} ({}, original {orig})", r[0], r[2]);
                if r[2] != "republication" {
                    agree += usize::from(a["lang"] == r[3]);
                    originals += 1;
                }
            }
            // A whole article with four bad bytes in the middle: kept, the damage dropped or read as
            // windows-1252 (an ASCII text), not the article.
            "invalid_utf8" => {
                let a = by_file.get(r[0]).unwrap_or_else(|| panic!("{} was lost for 4 bad bytes", r[0]));
                assert!(a["n_words"].parse::<usize>().unwrap() >= 100, "{}: {:?}", r[0], a["n_words"]);
            }
            _ => assert!(!by_file.contains_key(r[0]), "bad file {} ({}) became an article", r[0], r[2]),
        }
    }
    // Language identification is not this test's subject, but an archive in the wrong languages would be.
    assert!(agree * 100 >= originals * 97, "{agree} of {originals} originals identified as generated");
    assert!(kinds["republication"] >= 30 && kinds["story"] >= 20 && kinds["article"] >= 1000, "{kinds:?}");
}
