//! Helpers shared by the integration tests: hand-written article pages in the text-dump shape, running the
//! binary, and reading the tables it wrote.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Output};

/// A news page rendered to text, in the shape of the dumps: navigation chrome, headline and two blank lines,
/// the caption twice, body paragraphs, a credit line, then the footer. `n` varies the wording so that every
/// page is a different article (no page is a republication of another).
pub fn page(n: usize, place: &str) -> String {
    let title = format!("Flood Waters Recede In {place} After {n} Days");
    let caption = format!("Volunteers stack sandbags near a school in {place}.");
    let body = [
        format!("Emergency officials in {place} said on Tuesday that the river had fallen below the warning level for the first time in {n} days."),
        format!("About {} families who spent the week in a sports hall were allowed to return home, according to the regional governor.", 40 + n),
        format!("Engineers will inspect {} bridges before heavy trucks are allowed back on the roads around {place}.", 3 + n % 7),
        "Farmers said the water ruined much of the early wheat and asked the government for compensation.".to_string(),
    ];
    let mut s = String::from("Accessibility links\n\nSkip to main content\n\nBreaking News\n\n");
    s.push_str(&format!("{title}\n\n\n{caption}\n{caption}\n\n"));
    for p in &body {
        s.push_str(p);
        s.push_str("\n\n");
    }
    s.push_str("With reporting by Reuters\n  • 16x9 Image\n\n    RFE/RL\n\n");
    s.push_str("    RFE/RL journalists report the news in countries where a free press is banned.\n\n");
    s.push_str("To find out more, click here.\n\nXS\nSM\nMD\nLG\n");
    s
}

/// Runs the binary with the given arguments.
pub fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rferl-corpus")).args(args).output().expect("the binary runs")
}

/// The rows of `<dir>/<table>.csv`, each as column name → cell.
pub fn rows(dir: &Path, table: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(dir.join(format!("{table}.csv"))).expect("table exists");
    let headers = r.headers().expect("header row").clone();
    r.records()
        .map(|rec| {
            let rec = rec.expect("well-formed CSV row");
            headers.iter().zip(rec.iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect()
        })
        .collect()
}

/// The paths of the files under `dir` (recursively), relative to it, with `/` between folders, sorted.
pub fn files_under(dir: &Path) -> std::collections::BTreeSet<String> {
    let mut files = std::collections::BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(p.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/"));
            }
        }
    }
    files
}

pub fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("manifest.json")).expect("manifest.json exists"))
        .expect("manifest.json is JSON")
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(data).unwrap();
    gz.finish().unwrap()
}

/// A tar archive (uncompressed bytes) of every file under `dir`, named `<prefix>/<path under dir>`, packed in
/// name order as `tar --sort=name` packs: members are read in archive order, so this is the folder's order.
pub fn tar_sorted(dir: &Path, prefix: &str) -> Vec<u8> {
    tar_packed(dir, prefix, false)
}

/// [`tar_sorted`], or with `reversed` packed in the opposite order.
pub fn tar_packed(dir: &Path, prefix: &str, reversed: bool) -> Vec<u8> {
    fn files_under(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                files_under(&p, out);
            } else {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    files_under(dir, &mut files);
    // The build's order: relative paths compared as strings.
    files.sort_by_key(|f| f.to_string_lossy().into_owned());
    if reversed {
        files.reverse();
    }
    let mut tar = tar::Builder::new(Vec::new());
    for f in &files {
        tar.append_path_with_name(f, Path::new(prefix).join(f.strip_prefix(dir).unwrap())).unwrap();
    }
    tar.into_inner().unwrap()
}
