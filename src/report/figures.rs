//! The report's numbers, computed from the tables once, so the HTML charts and the CSV files beside them
//! show exactly the same figures. Every list has a fixed order (counts descending, then name), so the same
//! tables always give the same bytes.

use super::tables::Tables;
use crate::write::format_float;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Bins of the language-confidence histogram: [0, 0.1), [0.1, 0.2), … [0.9, 1.0] (1.0 falls in the last).
pub const CONFIDENCE_BINS: usize = 10;

/// One language's figures (`per_language.csv`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LanguageRow {
    pub lang: String,
    /// Articles identified as this language, republications included.
    pub articles: u64,
    /// Of those, republications of another article (`dup_of` set).
    pub duplicates: u64,
    /// Of those, articles that belong to a multi-version story (`story_id` set).
    pub in_stories: u64,
    /// Of those, articles with a usable `published` date.
    pub dated: u64,
    /// Aligned pairs with this language on either side (a pair within one language counts once).
    pub aligned_pairs: u64,
    /// Mean `lang_confidence` of the articles that have one.
    pub mean_confidence: Option<f64>,
}

/// Articles published on one UTC day (`per_day.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayRow {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub articles: u64,
}

/// One story in the story × language matrix (`coverage.csv`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    pub story_id: String,
    pub title: String,
    pub n_languages: u64,
    pub n_articles: u64,
    /// Articles of this story in each language of [`Figures::coverage_langs`], in that order.
    pub cells: Vec<u64>,
}

/// Aligned pairs between two languages (`pairs.csv`); `lang_a <= lang_b`.
#[derive(Debug, Clone, PartialEq)]
pub struct PairRow {
    pub lang_a: String,
    pub lang_b: String,
    pub pairs: u64,
    pub mean_score: Option<f64>,
}

/// One histogram bin (`confidence.csv`).
#[derive(Debug, Clone, PartialEq)]
pub struct BinRow {
    pub low: f64,
    pub high: f64,
    pub articles: u64,
}

/// All figures of one report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub articles: u64,
    pub duplicates: u64,
    pub rejects: u64,
    pub alignments: u64,
    /// Ordered by articles descending, then language code.
    pub per_language: Vec<LanguageRow>,
    /// Chronological; only days with at least one article.
    pub per_day: Vec<DayRow>,
    /// Articles with an empty `published` cell.
    pub undated: u64,
    /// Articles whose `published` cell is not a date we can read.
    pub bad_dates: u64,
    /// The matrix's columns: languages carrying at least one story, by number of stories descending, then code.
    pub coverage_langs: Vec<String>,
    /// The matrix's rows: by number of languages descending, then articles descending, then story id.
    pub coverage: Vec<CoverageRow>,
    /// Ordered by pairs descending, then language codes.
    pub pairs: Vec<PairRow>,
    pub confidence: Vec<BinRow>,
    /// Articles without a confidence value in [0, 1].
    pub confidence_missing: u64,
    /// (reason, rejects), by rejects descending, then reason.
    pub rejects_by_reason: Vec<(String, u64)>,
}

impl Figures {
    /// Languages with at least one duplicate, ordered by duplicates descending, then code.
    pub fn duplicates_per_language(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> =
            self.per_language.iter().filter(|r| r.duplicates > 0).map(|r| (r.lang.as_str(), r.duplicates)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

/// The UTC day of a `published` cell (`2024-05-09T10:00:00Z`, an RFC 3339 time with an offset, or a bare
/// `2024-05-09`); `None` when it is not a date.
pub fn day_of(published: &str) -> Option<String> {
    let s = published.trim();
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&chrono::Utc).format("%Y-%m-%d").to_string());
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().map(|d| d.format("%Y-%m-%d").to_string())
}

/// The histogram bin of a confidence value, `None` outside [0, 1].
pub fn confidence_bin(x: f64) -> Option<usize> {
    if !(0.0..=1.0).contains(&x) {
        return None;
    }
    Some(((x * CONFIDENCE_BINS as f64).floor() as usize).min(CONFIDENCE_BINS - 1))
}

/// Computes every figure of the report from the tables.
pub fn compute(t: &Tables) -> Figures {
    let mut f = Figures {
        articles: t.articles.len() as u64,
        duplicates: t.articles.iter().filter(|a| !a.dup_of.is_empty()).count() as u64,
        rejects: t.rejects.len() as u64,
        alignments: t.alignments.len() as u64,
        ..Default::default()
    };

    // Per language.
    struct Acc {
        row: LanguageRow,
        conf_sum: f64,
        conf_n: u64,
    }
    let mut langs: BTreeMap<&str, Acc> = BTreeMap::new();
    let mut days: BTreeMap<String, u64> = BTreeMap::new();
    let mut bins = [0u64; CONFIDENCE_BINS];
    for a in &t.articles {
        let acc = langs.entry(a.lang.as_str()).or_insert_with(|| Acc {
            row: LanguageRow { lang: a.lang.clone(), ..Default::default() },
            conf_sum: 0.0,
            conf_n: 0,
        });
        acc.row.articles += 1;
        acc.row.duplicates += u64::from(!a.dup_of.is_empty());
        acc.row.in_stories += u64::from(!a.story_id.is_empty());
        if a.published.trim().is_empty() {
            f.undated += 1;
        } else if let Some(d) = day_of(&a.published) {
            acc.row.dated += 1;
            *days.entry(d).or_insert(0) += 1;
        } else {
            f.bad_dates += 1;
        }
        match a.lang_confidence.and_then(confidence_bin) {
            Some(b) => {
                bins[b] += 1;
                acc.conf_sum += a.lang_confidence.unwrap_or(0.0);
                acc.conf_n += 1;
            }
            None => f.confidence_missing += 1,
        }
    }
    for al in &t.alignments {
        if let Some(acc) = langs.get_mut(al.lang_a.as_str()) {
            acc.row.aligned_pairs += 1;
        }
        if al.lang_b != al.lang_a {
            if let Some(acc) = langs.get_mut(al.lang_b.as_str()) {
                acc.row.aligned_pairs += 1;
            }
        }
    }
    f.per_language = langs
        .into_values()
        .map(|mut acc| {
            acc.row.mean_confidence = (acc.conf_n > 0).then(|| acc.conf_sum / acc.conf_n as f64);
            acc.row
        })
        .collect();
    f.per_language.sort_by(|a, b| b.articles.cmp(&a.articles).then(a.lang.cmp(&b.lang)));
    f.per_day = days.into_iter().map(|(day, articles)| DayRow { day, articles }).collect();
    f.confidence = bins
        .iter()
        .enumerate()
        .map(|(i, &n)| BinRow {
            low: i as f64 / CONFIDENCE_BINS as f64,
            high: (i + 1) as f64 / CONFIDENCE_BINS as f64,
            articles: n,
        })
        .collect();

    // The story × language matrix, from the articles (the stories table only lends its chosen title).
    let titles: BTreeMap<&str, &str> = t.stories.iter().map(|s| (s.story_id.as_str(), s.title.as_str())).collect();
    let mut stories: BTreeMap<&str, (BTreeMap<&str, u64>, &str)> = BTreeMap::new();
    for a in t.articles.iter().filter(|a| !a.story_id.is_empty()) {
        let e = stories.entry(a.story_id.as_str()).or_insert_with(|| (BTreeMap::new(), a.title.as_str()));
        *e.0.entry(a.lang.as_str()).or_insert(0) += 1;
    }
    let mut stories_per_lang: BTreeMap<&str, u64> = BTreeMap::new();
    for (per_lang, _) in stories.values() {
        for l in per_lang.keys() {
            *stories_per_lang.entry(l).or_insert(0) += 1;
        }
    }
    let mut cols: Vec<(&str, u64)> = stories_per_lang.into_iter().collect();
    cols.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    f.coverage_langs = cols.iter().map(|c| c.0.to_string()).collect();
    f.coverage = stories
        .iter()
        .map(|(id, (per_lang, first_title))| CoverageRow {
            story_id: id.to_string(),
            title: titles.get(id).copied().unwrap_or(first_title).to_string(),
            n_languages: per_lang.len() as u64,
            n_articles: per_lang.values().sum(),
            cells: cols.iter().map(|(l, _)| per_lang.get(l).copied().unwrap_or(0)).collect(),
        })
        .collect();
    f.coverage.sort_by(|a, b| {
        b.n_languages.cmp(&a.n_languages).then(b.n_articles.cmp(&a.n_articles)).then(a.story_id.cmp(&b.story_id))
    });

    // Aligned pairs per unordered language pair.
    let mut pairs: BTreeMap<(&str, &str), (u64, f64, u64)> = BTreeMap::new();
    for al in &t.alignments {
        let key = if al.lang_a <= al.lang_b {
            (al.lang_a.as_str(), al.lang_b.as_str())
        } else {
            (al.lang_b.as_str(), al.lang_a.as_str())
        };
        let e = pairs.entry(key).or_insert((0, 0.0, 0));
        e.0 += 1;
        if let Some(s) = al.score {
            e.1 += s;
            e.2 += 1;
        }
    }
    f.pairs = pairs
        .into_iter()
        .map(|((a, b), (n, sum, scored))| PairRow {
            lang_a: a.to_string(),
            lang_b: b.to_string(),
            pairs: n,
            mean_score: (scored > 0).then(|| sum / scored as f64),
        })
        .collect();
    f.pairs.sort_by(|a, b| b.pairs.cmp(&a.pairs).then(a.lang_a.cmp(&b.lang_a)).then(a.lang_b.cmp(&b.lang_b)));

    let mut reasons: BTreeMap<&str, u64> = BTreeMap::new();
    for r in &t.rejects {
        *reasons.entry(r.reason.as_str()).or_insert(0) += 1;
    }
    f.rejects_by_reason = reasons.into_iter().map(|(r, n)| (r.to_string(), n)).collect();
    f.rejects_by_reason.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    f
}

/// The figure files written beside the HTML page, in the order the page lists them.
pub const CSV_FILES: [(&str, &str); 6] = [
    (
        "per_language.csv",
        "articles, duplicates, story members, dated articles, aligned pairs and mean confidence per language",
    ),
    ("per_day.csv", "articles per UTC publication day (days with articles only)"),
    ("coverage.csv", "the story × language matrix: one row per story, one column of article counts per language"),
    ("pairs.csv", "aligned article pairs per language pair, with the mean alignment score"),
    ("confidence.csv", "histogram of language-identification confidence, in bins of 0.1"),
    ("rejects_by_reason.csv", "rejected inputs per reason"),
];

fn opt_float(x: Option<f64>) -> String {
    x.map(format_float).unwrap_or_default()
}

/// Writes the figure CSV files into `dir` (same CSV dialect as the build's tables: UTF-8, CRLF, header).
pub fn write_csvs(f: &Figures, dir: &Path, spreadsheet_safe: bool) -> Result<()> {
    let text = |s: &str| -> String {
        if spreadsheet_safe && s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        }
    };
    let mut files: Vec<(&str, Vec<Vec<String>>)> = Vec::new();
    let mut rows = vec![vec![
        "lang".into(),
        "articles".into(),
        "duplicates".into(),
        "in_stories".into(),
        "dated".into(),
        "aligned_pairs".into(),
        "mean_confidence".into(),
    ]];
    for r in &f.per_language {
        rows.push(vec![
            text(&r.lang),
            r.articles.to_string(),
            r.duplicates.to_string(),
            r.in_stories.to_string(),
            r.dated.to_string(),
            r.aligned_pairs.to_string(),
            opt_float(r.mean_confidence),
        ]);
    }
    files.push(("per_language.csv", rows));
    let mut rows = vec![vec!["day".to_string(), "articles".to_string()]];
    rows.extend(f.per_day.iter().map(|d| vec![d.day.clone(), d.articles.to_string()]));
    files.push(("per_day.csv", rows));
    let mut header: Vec<String> =
        ["story_id", "title", "n_languages", "n_articles"].iter().map(|s| s.to_string()).collect();
    header.extend(f.coverage_langs.iter().map(|l| text(l)));
    let mut rows = vec![header];
    for c in &f.coverage {
        let mut row = vec![text(&c.story_id), text(&c.title), c.n_languages.to_string(), c.n_articles.to_string()];
        row.extend(c.cells.iter().map(|n| n.to_string()));
        rows.push(row);
    }
    files.push(("coverage.csv", rows));
    let mut rows = vec![vec!["lang_a".into(), "lang_b".into(), "pairs".into(), "mean_score".into()]];
    for p in &f.pairs {
        rows.push(vec![text(&p.lang_a), text(&p.lang_b), p.pairs.to_string(), opt_float(p.mean_score)]);
    }
    files.push(("pairs.csv", rows));
    let mut rows = vec![vec!["bin_low".into(), "bin_high".into(), "articles".into()]];
    for b in &f.confidence {
        rows.push(vec![format_float(b.low), format_float(b.high), b.articles.to_string()]);
    }
    files.push(("confidence.csv", rows));
    let mut rows = vec![vec!["reason".to_string(), "rejects".to_string()]];
    rows.extend(f.rejects_by_reason.iter().map(|(r, n)| vec![text(r), n.to_string()]));
    files.push(("rejects_by_reason.csv", rows));

    for (name, rows) in files {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
        for r in &rows {
            w.write_record(r)?;
        }
        let bytes = w.into_inner().map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        super::write_atomic(&dir.join(name), &bytes).with_context(|| format!("cannot write {name}"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::tables::{AlignmentRow, ArticleRow, RejectRow, StoryRow};
    use super::*;

    fn art(id: &str, lang: &str, conf: Option<f64>, dup: &str, story: &str, published: &str) -> ArticleRow {
        ArticleRow {
            doc_id: id.into(),
            lang: lang.into(),
            lang_confidence: conf,
            dup_of: dup.into(),
            story_id: story.into(),
            published: published.into(),
            title: format!("title {id}"),
        }
    }

    fn al(a: &str, b: &str, score: f64) -> AlignmentRow {
        AlignmentRow { lang_a: a.into(), lang_b: b.into(), score: Some(score), via_duplicate: false }
    }

    fn tables() -> Tables {
        Tables {
            articles: vec![
                art("1", "rus_Cyrl", Some(0.95), "", "sA", "2024-05-09T10:00:00Z"),
                art("2", "eng_Latn", Some(1.0), "", "sA", "2024-05-09T23:30:00Z"),
                art("3", "ukr_Cyrl", Some(0.55), "", "sA", "2024-05-10T01:00:00+03:00"),
                art("4", "rus_Cyrl", Some(0.05), "1", "sA", "2024-05-11T08:00:00Z"),
                art("5", "rus_Cyrl", None, "", "sB", ""),
                art("6", "eng_Latn", Some(0.1), "", "sB", "not a date"),
                art("7", "kat_Geor", Some(1.7), "", "", "2024-05-11"),
            ],
            stories: vec![StoryRow { story_id: "sA".into(), title: "English title A".into() }],
            alignments: vec![
                al("rus_Cyrl", "eng_Latn", 0.5),
                al("eng_Latn", "rus_Cyrl", 0.7),
                al("eng_Latn", "ukr_Cyrl", 0.9),
                al("rus_Cyrl", "rus_Cyrl", 0.2),
            ],
            rejects: ["binary", "empty", "binary", "no_text"]
                .iter()
                .map(|r| RejectRow { reason: r.to_string() })
                .collect(),
            manifest: None,
            spreadsheet_safe: false,
        }
    }

    #[test]
    fn counts_per_language() {
        let f = compute(&tables());
        assert_eq!((f.articles, f.duplicates, f.rejects, f.alignments), (7, 1, 4, 4));
        let langs: Vec<(&str, u64, u64, u64, u64, u64)> = f
            .per_language
            .iter()
            .map(|r| (r.lang.as_str(), r.articles, r.duplicates, r.in_stories, r.dated, r.aligned_pairs))
            .collect();
        assert_eq!(
            langs,
            vec![
                ("rus_Cyrl", 3, 1, 3, 2, 3),
                ("eng_Latn", 2, 0, 2, 1, 3),
                ("kat_Geor", 1, 0, 0, 1, 0),
                ("ukr_Cyrl", 1, 0, 1, 1, 1),
            ]
        );
        let rus = &f.per_language[0];
        assert!((rus.mean_confidence.unwrap() - 0.5).abs() < 1e-9, "{:?}", rus.mean_confidence);
        assert_eq!(f.per_language[2].mean_confidence, None, "1.7 is not a confidence");
        assert_eq!(f.duplicates_per_language(), vec![("rus_Cyrl", 1)]);
    }

    #[test]
    fn counts_per_utc_day() {
        let f = compute(&tables());
        let days: Vec<(&str, u64)> = f.per_day.iter().map(|d| (d.day.as_str(), d.articles)).collect();
        // 01:00 at +03:00 on the 10th is 22:00 UTC on the 9th.
        assert_eq!(days, vec![("2024-05-09", 3), ("2024-05-11", 2)]);
        assert_eq!((f.undated, f.bad_dates), (1, 1));
        assert_eq!(day_of("2024-02-30"), None);
    }

    #[test]
    fn story_language_matrix() {
        let f = compute(&tables());
        assert_eq!(f.coverage_langs, vec!["eng_Latn", "rus_Cyrl", "ukr_Cyrl"]);
        assert_eq!(f.coverage.len(), 2);
        let a = &f.coverage[0];
        assert_eq!(
            (a.story_id.as_str(), a.title.as_str(), a.n_languages, a.n_articles),
            ("sA", "English title A", 3, 4)
        );
        assert_eq!(a.cells, vec![1, 2, 1]);
        let b = &f.coverage[1];
        // Not in stories.csv: the first article's title stands in.
        assert_eq!((b.story_id.as_str(), b.title.as_str(), b.n_languages, b.n_articles), ("sB", "title 5", 2, 2));
        assert_eq!(b.cells, vec![1, 1, 0]);
    }

    #[test]
    fn matrix_orders_stories_by_languages_then_articles_then_id() {
        let mut t = tables();
        t.articles = vec![
            art("1", "a", None, "", "s3", ""),
            art("2", "b", None, "", "s3", ""),
            art("3", "a", None, "", "s1", ""),
            art("4", "a", None, "", "s1", ""),
            art("5", "b", None, "", "s2", ""),
            art("6", "c", None, "", "s2", ""),
            art("7", "c", None, "", "s4", ""),
        ];
        let f = compute(&t);
        let order: Vec<&str> = f.coverage.iter().map(|c| c.story_id.as_str()).collect();
        assert_eq!(order, vec!["s2", "s3", "s1", "s4"]);
        assert_eq!(f.coverage_langs, vec!["a", "b", "c"], "a: 2 stories, b: 2, c: 2 → by code");
    }

    #[test]
    fn pairs_are_unordered_and_counted() {
        let f = compute(&tables());
        let pairs: Vec<(&str, &str, u64)> =
            f.pairs.iter().map(|p| (p.lang_a.as_str(), p.lang_b.as_str(), p.pairs)).collect();
        assert_eq!(pairs, vec![("eng_Latn", "rus_Cyrl", 2), ("eng_Latn", "ukr_Cyrl", 1), ("rus_Cyrl", "rus_Cyrl", 1)]);
        assert!((f.pairs[0].mean_score.unwrap() - 0.6).abs() < 1e-9);
    }

    #[test]
    fn confidence_histogram_and_rejects() {
        let f = compute(&tables());
        let bins: Vec<u64> = f.confidence.iter().map(|b| b.articles).collect();
        // 0.05 → bin 0, 0.1 → bin 1, 0.55 → bin 5, 0.95 and 1.0 → bin 9; None and 1.7 are missing.
        assert_eq!(bins, vec![1, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
        assert_eq!(f.confidence_missing, 2);
        assert_eq!(f.confidence.iter().map(|b| b.articles).sum::<u64>() + f.confidence_missing, f.articles);
        assert_eq!(
            f.rejects_by_reason,
            vec![("binary".to_string(), 2), ("empty".to_string(), 1), ("no_text".to_string(), 1)]
        );
    }

    #[test]
    fn empty_tables_give_empty_figures() {
        let f = compute(&Tables::default());
        assert_eq!(f.articles, 0);
        assert!(f.per_language.is_empty() && f.per_day.is_empty() && f.coverage.is_empty() && f.pairs.is_empty());
        assert_eq!(f.confidence.len(), CONFIDENCE_BINS);
    }

    #[test]
    fn csv_files_hold_the_figures() {
        let d = tempfile::tempdir().unwrap();
        let f = compute(&tables());
        write_csvs(&f, d.path(), false).unwrap();
        let read = |name: &str| std::fs::read_to_string(d.path().join(name)).unwrap();
        assert_eq!(
            read("coverage.csv"),
            "story_id,title,n_languages,n_articles,eng_Latn,rus_Cyrl,ukr_Cyrl\r\n\
             sA,English title A,3,4,1,2,1\r\nsB,title 5,2,2,1,1,0\r\n"
        );
        assert_eq!(read("per_day.csv"), "day,articles\r\n2024-05-09,3\r\n2024-05-11,2\r\n");
        assert!(read("per_language.csv").starts_with(
            "lang,articles,duplicates,in_stories,dated,aligned_pairs,mean_confidence\r\nrus_Cyrl,3,1,3,2,3,0.5\r\n"
        ));
        assert!(read("pairs.csv").contains("eng_Latn,rus_Cyrl,2,0.6\r\n"));
        assert!(read("confidence.csv").contains("\r\n0.9,1,2\r\n"));
        assert_eq!(read("rejects_by_reason.csv"), "reason,rejects\r\nbinary,2\r\nempty,1\r\nno_text,1\r\n");
        for (name, _) in CSV_FILES {
            assert!(d.path().join(name).exists(), "{name}");
        }
    }
}
