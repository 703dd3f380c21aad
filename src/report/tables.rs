//! Reading a build's tables back from its output folder: only the columns the report draws, by header name,
//! so a table that gains columns still reads, and a missing column is a clear error rather than a wrong chart.

use anyhow::{bail, Context, Result};
use std::path::Path;

/// The part of one `articles.csv` row the report uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArticleRow {
    pub doc_id: String,
    pub lang: String,
    /// `None` when the cell is empty or not a number.
    pub lang_confidence: Option<f64>,
    /// The doc_id this article republishes; empty for an original.
    pub dup_of: String,
    /// Empty when the article is not part of a multi-version story.
    pub story_id: String,
    /// ISO 8601 UTC timestamp as written by the build; empty when unknown.
    pub published: String,
    pub title: String,
}

/// The part of one `stories.csv` row the report uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoryRow {
    pub story_id: String,
    /// The representative title chosen by the build (the English version's, when there is one).
    pub title: String,
}

/// The part of one `alignments.csv` row the report uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlignmentRow {
    pub lang_a: String,
    pub lang_b: String,
    pub score: Option<f64>,
    /// Inherited by a republication from its original's pair (dropped when read: not a version of its own).
    pub via_duplicate: bool,
}

/// The part of one `rejects.csv` row the report uses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RejectRow {
    pub reason: String,
}

/// Everything the report reads from one output folder.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tables {
    pub articles: Vec<ArticleRow>,
    pub stories: Vec<StoryRow>,
    pub alignments: Vec<AlignmentRow>,
    pub rejects: Vec<RejectRow>,
    /// manifest.json, when the folder has one (the report can be drawn from the CSVs alone).
    pub manifest: Option<serde_json::Value>,
    /// The build wrote its CSVs with `--spreadsheet-safe`: text cells starting with `= + - @` carry a `'`.
    pub spreadsheet_safe: bool,
}

/// Reads articles.csv, stories.csv, alignments.csv, rejects.csv and (if present) manifest.json from `dir`.
pub fn load(dir: &Path) -> Result<Tables> {
    if !dir.is_dir() {
        bail!("{} is not a folder: give the output folder of a build", dir.display());
    }
    let manifest_path = dir.join("manifest.json");
    let manifest = if manifest_path.exists() {
        let text = std::fs::read_to_string(&manifest_path)
            .with_context(|| format!("cannot read {}", manifest_path.display()))?;
        Some(
            serde_json::from_str::<serde_json::Value>(&text)
                .with_context(|| format!("{} is not valid JSON", manifest_path.display()))?,
        )
    } else {
        None
    };
    let spreadsheet_safe = manifest
        .as_ref()
        .and_then(|m| m.get("arguments"))
        .and_then(|a| a.as_array())
        .is_some_and(|a| a.iter().any(|x| x.as_str() == Some("--spreadsheet-safe")));
    let unsafe_cell = |s: &str| -> String {
        match s.strip_prefix('\'') {
            Some(rest) if spreadsheet_safe && rest.starts_with(['=', '+', '-', '@']) => rest.to_string(),
            _ => s.to_string(),
        }
    };

    let articles = read_table(
        dir,
        "articles",
        &["doc_id", "lang", "lang_confidence", "dup_of", "story_id", "published", "title"],
        |c| ArticleRow {
            doc_id: c[0].to_string(),
            lang: c[1].to_string(),
            lang_confidence: c[2].trim().parse::<f64>().ok().filter(|x| x.is_finite()),
            dup_of: c[3].to_string(),
            story_id: c[4].to_string(),
            published: c[5].to_string(),
            title: unsafe_cell(c[6]),
        },
    )?;
    let stories = read_table(dir, "stories", &["story_id", "title"], |c| StoryRow {
        story_id: c[0].to_string(),
        title: unsafe_cell(c[1]),
    })?;
    // A pair a republication inherits from its original repeats that pair: the report counts versions.
    let alignments =
        read_table(dir, "alignments", &["lang_a", "lang_b", "score", "via_duplicate"], |c| AlignmentRow {
            lang_a: c[0].to_string(),
            lang_b: c[1].to_string(),
            score: c[2].trim().parse::<f64>().ok().filter(|x| x.is_finite()),
            via_duplicate: c[3] == "true",
        })?;
    let alignments = alignments.into_iter().filter(|a| !a.via_duplicate).collect();
    let rejects = read_table(dir, "rejects", &["reason"], |c| RejectRow { reason: c[0].to_string() })?;
    Ok(Tables { articles, stories, alignments, rejects, manifest, spreadsheet_safe })
}

/// Columns that builds of earlier versions did not write: the report still reads their tables.
const ADDED_LATER: &[&str] = &["via_duplicate"];

/// Reads `<dir>/<name>.csv`, handing `row` the cells of `columns` (in that order) for each record.
fn read_table<T>(dir: &Path, name: &str, columns: &[&str], row: impl Fn(&[&str]) -> T) -> Result<Vec<T>> {
    let path = dir.join(format!("{name}.csv"));
    if !path.exists() {
        bail!(
            "{} not found: the report reads the CSV tables of a build (build with --format csv or csv,parquet)",
            path.display()
        );
    }
    let mut reader = csv::Reader::from_path(&path).with_context(|| format!("cannot open {}", path.display()))?;
    let headers = reader.headers().with_context(|| format!("cannot read the header of {}", path.display()))?.clone();
    let mut idx = Vec::with_capacity(columns.len());
    for c in columns {
        match headers.iter().position(|h| h == *c) {
            Some(i) => idx.push(i),
            // Read as empty cells.
            None if ADDED_LATER.contains(c) => idx.push(usize::MAX),
            None => bail!("{} has no column {c:?} (is it a table written by rferl-corpus build?)", path.display()),
        }
    }
    let mut out = Vec::new();
    for (n, rec) in reader.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: cannot read data row {}", path.display(), n + 1))?;
        let cells: Vec<&str> = idx.iter().map(|&i| rec.get(i).unwrap_or("")).collect();
        out.push(row(&cells));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write_min_tables(dir: &Path, articles: &str) {
        fs::write(dir.join("articles.csv"), articles).unwrap();
        fs::write(dir.join("stories.csv"), "story_id,n_articles,n_languages,languages,title\r\n").unwrap();
        fs::write(dir.join("alignments.csv"), "doc_id_a,doc_id_b,lang_a,lang_b,score,evidence\r\n").unwrap();
        fs::write(dir.join("rejects.csv"), "source_file,record,reason,detail\r\nx.bin,,binary,NUL bytes\r\n").unwrap();
    }

    #[test]
    fn reads_columns_by_name_in_any_order() {
        let d = tempfile::tempdir().unwrap();
        write_min_tables(
            d.path(),
            "title,extra,lang,doc_id,lang_confidence,dup_of,story_id,published\r\n\
             \"Hello, world\",z,eng_Latn,a1,0.75,,s1,2024-05-09T10:00:00Z\r\n\
             x,z,rus_Cyrl,a2,,a1,,\r\n",
        );
        let t = load(d.path()).unwrap();
        assert_eq!(t.articles.len(), 2);
        assert_eq!(t.articles[0].title, "Hello, world");
        assert_eq!(t.articles[0].lang, "eng_Latn");
        assert_eq!(t.articles[0].lang_confidence, Some(0.75));
        assert_eq!(t.articles[1].lang_confidence, None);
        assert_eq!(t.articles[1].dup_of, "a1");
        assert_eq!(t.rejects, vec![RejectRow { reason: "binary".into() }]);
        assert!(t.manifest.is_none());
    }

    #[test]
    fn a_republications_inherited_pairs_are_not_counted_and_older_tables_still_read() {
        let d = tempfile::tempdir().unwrap();
        write_min_tables(d.path(), "doc_id,lang,lang_confidence,dup_of,story_id,published,title\r\n");
        // An older build's table, without the column: every row is a pair of versions.
        let t = load(d.path()).unwrap();
        assert!(t.alignments.is_empty());
        fs::write(
            d.path().join("alignments.csv"),
            "doc_id_a,doc_id_b,lang_a,lang_b,score\r\na,b,eng_Latn,rus_Cyrl,0.5\r\n",
        )
        .unwrap();
        assert_eq!(load(d.path()).unwrap().alignments.len(), 1);
        fs::write(
            d.path().join("alignments.csv"),
            "doc_id_a,doc_id_b,lang_a,lang_b,score,evidence,via_duplicate\r\n\
             a,b,eng_Latn,rus_Cyrl,0.5,x,false\r\nb,c,rus_Cyrl,eng_Latn,0.5,x,true\r\n",
        )
        .unwrap();
        let t = load(d.path()).unwrap();
        assert_eq!(t.alignments.len(), 1);
        assert_eq!((t.alignments[0].lang_a.as_str(), t.alignments[0].via_duplicate), ("eng_Latn", false));
    }

    #[test]
    fn missing_table_or_column_is_a_clear_error() {
        let d = tempfile::tempdir().unwrap();
        let e = load(d.path()).unwrap_err().to_string();
        assert!(e.contains("articles.csv not found"), "{e}");
        write_min_tables(d.path(), "doc_id,lang\r\na,eng_Latn\r\n");
        let e = load(d.path()).unwrap_err().to_string();
        assert!(e.contains("no column \"lang_confidence\""), "{e}");
    }

    #[test]
    fn undoes_spreadsheet_safe_prefix_only_when_the_build_used_it() {
        let d = tempfile::tempdir().unwrap();
        write_min_tables(
            d.path(),
            "doc_id,lang,lang_confidence,dup_of,story_id,published,title\r\na,eng_Latn,1,,,,'=cmd\r\n",
        );
        assert_eq!(load(d.path()).unwrap().articles[0].title, "'=cmd");
        fs::write(d.path().join("manifest.json"), r#"{"arguments":["build","in","--spreadsheet-safe"]}"#).unwrap();
        let t = load(d.path()).unwrap();
        assert!(t.spreadsheet_safe);
        assert_eq!(t.articles[0].title, "=cmd");
        fs::write(d.path().join("manifest.json"), "{not json").unwrap();
        assert!(load(d.path()).unwrap_err().to_string().contains("not valid JSON"));
    }
}
