//! Coverage report: one self-contained HTML page, plus the same figures as CSV, drawn from a build's tables.
//!
//! The report reads what a build wrote (articles.csv, stories.csv, alignments.csv, rejects.csv and, when
//! present, manifest.json), never the pipeline's memory, so it can be made again for any output folder with
//! `rferl-corpus report OUTPUT_DIR`, and `build --report` is just the same call at the end of a build.
//!
//! Three steps, each testable alone: [`tables::load`] reads the columns it needs by name;
//! [`figures::compute`] turns them into ordered figures (per language, per day, the story × language
//! matrix, pairs, confidence histogram, rejects); [`html::render`] and [`figures::write_csvs`] write the
//! same figures as a page and as CSV files. The page loads nothing from anywhere (inline CSS and SVG, a few
//! lines of inline JavaScript to re-sort the matrix), so it opens offline, from a mail attachment or a USB
//! stick. Output is deterministic: same tables, same bytes.

pub mod figures;
pub mod html;
pub mod tables;

pub use figures::{compute, Figures, CSV_FILES};
pub use tables::{load, Tables};

use anyhow::{Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The page's file name when no other is given.
pub const DEFAULT_HTML: &str = "report.html";

/// Reads the tables in `out_dir` and writes the HTML page (`html`, default `out_dir/report.html`) with the
/// figure CSV files beside it. Returns the page's path.
pub fn write_report(out_dir: &Path, html: Option<&Path>) -> Result<PathBuf> {
    let tables = load(out_dir)?;
    let figures = compute(&tables);
    let page = html.map(Path::to_path_buf).unwrap_or_else(|| out_dir.join(DEFAULT_HTML));
    let dir = match page.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    figures::write_csvs(&figures, &dir, tables.spreadsheet_safe)?;
    let text = html::render(&figures, &tables);
    write_atomic(&page, text.as_bytes()).with_context(|| format!("cannot write {}", page.display()))?;
    Ok(page)
}

/// Writes a file under a temporary name and renames it into place, so a reader never sees half a file.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".into());
    let tmp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = fs::File::create(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path).with_context(|| format!("cannot move {} to {}", tmp.display(), path.display()))?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_tables(dir: &Path) {
        fs::write(
            dir.join("articles.csv"),
            "doc_id,lang,lang_confidence,dup_of,story_id,published,title\r\n\
             a,eng_Latn,0.9,,s1,2024-05-09T10:00:00Z,Flood\r\n\
             b,rus_Cyrl,0.8,,s1,2024-05-09T11:00:00Z,Наводнение\r\n\
             c,rus_Cyrl,0.8,b,s1,2024-05-10T11:00:00Z,Наводнение\r\n",
        )
        .unwrap();
        fs::write(
            dir.join("stories.csv"),
            "story_id,n_articles,n_languages,languages,title\r\ns1,3,2,eng_Latn rus_Cyrl,Flood\r\n",
        )
        .unwrap();
        fs::write(
            dir.join("alignments.csv"),
            "doc_id_a,doc_id_b,lang_a,lang_b,score,evidence\r\na,b,eng_Latn,rus_Cyrl,0.8,names\r\n",
        )
        .unwrap();
        fs::write(dir.join("rejects.csv"), "source_file,record,reason,detail\r\n").unwrap();
    }

    #[test]
    fn writes_page_and_csvs_beside_it() {
        let d = tempfile::tempdir().unwrap();
        write_tables(d.path());
        let page = write_report(d.path(), None).unwrap();
        assert_eq!(page, d.path().join("report.html"));
        let html = fs::read_to_string(&page).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        for (name, _) in CSV_FILES {
            assert!(d.path().join(name).is_file(), "{name} missing");
        }
        // Elsewhere: the CSV files follow the page.
        let other = d.path().join("elsewhere/cov.html");
        write_report(d.path(), Some(&other)).unwrap();
        assert_eq!(fs::read_to_string(&other).unwrap(), html, "same tables, same bytes");
        assert!(d.path().join("elsewhere/coverage.csv").is_file());
        let leftovers: Vec<_> = fs::read_dir(d.path())
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_folder_without_tables_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let e = write_report(&d.path().join("nope"), None).unwrap_err().to_string();
        assert!(e.contains("is not a folder"), "{e}");
    }
}
