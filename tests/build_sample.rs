//! End-to-end: the binary on data/sample (the hand-written sample corpus) against its gold tables
//! (data/sample-gold.csv, data/sample-rejects.csv), and the output contracts: determinism across thread
//! counts, Parquet = CSV, every input accounted for.

mod common;

use arrow_array::{Array, BooleanArray, Float64Array, StringArray, TimestampMicrosecondArray, UInt64Array};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use rferl_corpus::write::{format_float, format_timestamp};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

const TABLES: [&str; 7] =
    ["articles", "alignments", "stories", "rejects", "sentences", "sentence_alignments", "lexicon"];

fn build(out: &Path, extra: &[&str]) {
    build_of(Path::new("data/sample"), out, extra);
}

/// A quiet build of `input` into `out`, which must succeed (exit 0).
fn build_of(input: &Path, out: &Path, extra: &[&str]) {
    let status = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
        .arg("build")
        .arg(input)
        .args(["--quiet", "--out"])
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
                    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
                        a.value(i).to_string()
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
    // Each input unit (a file, or a record of a multi-record file) is in exactly one row of one table.
    let mut seen: BTreeSet<(String, String)> = BTreeSet::new();
    for t in ["articles", "rejects"] {
        for r in read_csv(&out.join(format!("{t}.csv"))) {
            let key = (r["source_file"].clone(), r["record"].clone());
            assert!(seen.insert(key.clone()), "{key:?} is in more than one row");
        }
    }
    let seen: BTreeSet<String> = seen.into_iter().map(|k| k.0).collect();
    let files = common::files_under(Path::new("data/sample"));
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

/// Story-cluster pairs of the sample against its gold story ids. The sample is small (59 articles), where
/// rarity weights are least reliable: chance collisions of cognate skeletons once linked half of its pairs
/// wrongly (precision 0.48).
#[test]
fn story_clusters_match_the_gold() {
    let out = sample_output();
    let articles = read_csv(&out.join("articles.csv"));
    let gold: BTreeMap<String, String> = read_csv(Path::new("data/sample-gold.csv"))
        .into_iter()
        .map(|g| (g["source_file"].clone(), g["story_id"].clone()))
        .collect();
    let pairs = |label: &dyn Fn(&BTreeMap<String, String>) -> String| {
        let mut by: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in articles.iter().filter(|a| a["dup_of"].is_empty() && gold.contains_key(&a["source_file"])) {
            let l = label(a);
            if !l.is_empty() {
                by.entry(l).or_default().push(a["source_file"].clone());
            }
        }
        let mut out = std::collections::BTreeSet::new();
        for v in by.values() {
            for (i, x) in v.iter().enumerate() {
                for y in &v[i + 1..] {
                    out.insert((x.clone().min(y.clone()), x.clone().max(y.clone())));
                }
            }
        }
        out
    };
    let predicted = pairs(&|a| a["story_id"].clone());
    let want = pairs(&|a| gold[&a["source_file"]].clone());
    let right = predicted.intersection(&want).count() as f64;
    let (p, r) = (right / predicted.len().max(1) as f64, right / want.len().max(1) as f64);
    assert!(
        p >= 0.9 && r >= 0.9,
        "story pairs precision {p:.3} recall {r:.3} (predicted {}, gold {})",
        predicted.len(),
        want.len()
    );
}

#[test]
fn of_two_dated_copies_of_a_page_the_earlier_published_is_flagged() {
    // The same Pangea page posted twice: the later post is the live page and is kept, the earlier one is the
    // stale copy, whichever comes first in source order (here the earlier one does).
    let d = tempfile::tempdir().unwrap();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    fs::create_dir_all(&input).unwrap();
    let page = fs::read_to_string("data/sample/pages/azattyk_ky_article.html").unwrap();
    assert!(page.contains("2024-04-12T08:30:00+06:00"), "the sample page's date");
    fs::write(input.join("a-first-post.html"), page.replace("2024-04-12T08:30:00+06:00", "2024-04-12T06:10:00+06:00"))
        .unwrap();
    fs::write(input.join("b-second-post.html"), &page).unwrap();
    build_of(&input, &out, &[]);
    let rows = read_csv(&out.join("articles.csv"));
    let by_file = |name: &str| rows.iter().find(|a| a["source_file"] == name).expect("an article per page");
    let (first, second) = (by_file("a-first-post.html"), by_file("b-second-post.html"));
    assert_ne!(first["published"], second["published"], "the two posts keep their own times");
    assert_eq!(first["dup_of"], second["doc_id"], "the earlier post repeats the later one");
    assert_eq!(second["dup_of"], "");
}

#[test]
fn the_source_decides_between_look_alike_languages() {
    // Texts that could be Persian or Dari, Bosnian or Croatian: the service box of a text dump, or a JSONL
    // record's declared language, decides; the text still decides the cluster.
    let d = tempfile::tempdir().unwrap();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    fs::create_dir_all(&input).unwrap();
    let dump = |title: &str, body: &str, service: &str| {
        format!(
            "Links\n\nNews\n\n{title}\n\n\n{body}\n\n{body} {title}\n  • 16x9 Image\n\n    {service}\n\nXS\nSM\nMD\nLG"
        )
    };
    let farsi = "وزیر خارجه روز سه شنبه با نمایندگان چند کشور دیدار کرد و درباره آب و برق گفتگو شد.";
    fs::write(input.join("a.txt"), dump("دیدار وزیر", farsi, "رادیو فردا")).unwrap();
    fs::write(input.join("b.txt"), dump("گفتگوی وزیر", farsi, "رادیو آزادی")).unwrap();
    let neutral = "Ministar je u utorak razgovarao sa predstavnicima nekoliko zemalja o vodi i struji.";
    let records: Vec<String> = ["bs", "hr", "sh", "fa-AF"]
        .iter()
        .map(|l| serde_json::json!({"title": format!("Razgovor {l}"), "text": neutral, "lang": l}).to_string())
        .collect();
    fs::write(input.join("c.jsonl"), records.join("\n")).unwrap();
    build_of(&input, &out, &[]);
    let rows = read_csv(&out.join("articles.csv"));
    let got: Vec<(&str, &str, &str)> =
        rows.iter().map(|r| (r["source_file"].as_str(), r["lang"].as_str(), r["service"].as_str())).collect();
    assert_eq!(got[0], ("a.txt", "pes_Arab", "www.radiofarda.com"));
    assert_eq!(got[1], ("b.txt", "prs_Arab", "da.azadiradio.com"));
    assert_eq!(got[2], ("c.jsonl", "bos_Latn", ""));
    assert_eq!(got[3], ("c.jsonl", "hrv_Latn", ""));
    // "sh" names the whole cluster and a Dari tag names another one: the text alone decides both.
    let text_alone = rferl_corpus::identify::identify(&format!("Razgovor sh\n\n{neutral}")).lang;
    assert_eq!(got[4].1, text_alone);
    assert_eq!(got[5].1, rferl_corpus::identify::identify(&format!("Razgovor fa-AF\n\n{neutral}")).lang);
    assert!(got[4].1.ends_with("_Latn") && got[5].1.ends_with("_Latn"));
}

#[test]
fn a_tarball_of_the_sample_gives_the_samples_articles() {
    // The sample folder packed as one .tar.gz: the same articles, rejects and stories, named inside the archive.
    let d = tempfile::tempdir().unwrap();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    fs::create_dir_all(&input).unwrap();
    let mut gz = flate2::write::GzEncoder::new(fs::File::create(input.join("day.tar.gz")).unwrap(), Default::default());
    gz.write_all(&common::tar_sorted(Path::new("data/sample"), "sample")).unwrap();
    gz.finish().unwrap();
    build_of(&input, &out, &[]);

    let strip = |s: &str| {
        s.strip_prefix("day.tar.gz/sample/").unwrap_or_else(|| panic!("{s} is not in the archive")).to_string()
    };
    let folder = read_csv(&sample_output().join("articles.csv"));
    let packed = read_csv(&out.join("articles.csv"));
    assert_eq!(packed.len(), folder.len());
    let stories = |rows: &[BTreeMap<String, String>], name: &dyn Fn(&str) -> String| {
        let mut by: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for r in rows.iter().filter(|r| !r["story_id"].is_empty()) {
            by.entry(r["story_id"].clone()).or_default().insert(name(&r["source_file"]));
        }
        by.into_values().collect::<BTreeSet<_>>()
    };
    for (a, b) in folder.iter().zip(&packed) {
        assert_eq!(a["source_file"], strip(&b["source_file"]), "the folder's order");
        for col in ["format", "encoding", "lang", "service", "title", "caption", "credit", "text", "published"] {
            assert_eq!(a[col], b[col], "{col} of {}", a["source_file"]);
        }
        assert_eq!(a["dup_of"].is_empty(), b["dup_of"].is_empty(), "dup_of of {}", a["source_file"]);
    }
    assert_eq!(stories(&folder, &|s| s.to_string()), stories(&packed, &strip), "the same stories");
    let rejects = |rows: Vec<BTreeMap<String, String>>, name: &dyn Fn(&str) -> String| {
        rows.iter().map(|r| (name(&r["source_file"]), r["reason"].clone(), r["detail"].clone())).collect::<Vec<_>>()
    };
    assert_eq!(
        rejects(read_csv(&sample_output().join("rejects.csv")), &|s| s.to_string()),
        rejects(read_csv(&out.join("rejects.csv")), &strip)
    );
}

#[test]
fn a_republished_version_inherits_its_originals_pairs() {
    // The sample with one aligned version published a second time under another name.
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    let (plain, with_copy) = (sample_output(), d.path().join("out"));
    let articles = read_csv(&plain.join("articles.csv"));
    let pairs = read_csv(&plain.join("alignments.csv"));
    let original = &pairs[0]["doc_id_a"];
    let source = &articles.iter().find(|a| &a["doc_id"] == original).unwrap()["source_file"];
    let status = Command::new("cp").args(["-r", "data/sample"]).arg(&input).status().unwrap();
    assert!(status.success());
    let copy_name = format!("zz-copy-{}", Path::new(source).file_name().unwrap().to_str().unwrap());
    fs::copy(Path::new("data/sample").join(source), input.join(&copy_name)).unwrap();
    build_of(&input, &with_copy, &[]);

    let grown = read_csv(&with_copy.join("articles.csv"));
    let copy = grown.iter().find(|a| a["source_file"].ends_with(&copy_name)).expect("the copy is an article");
    assert_eq!(&copy["dup_of"], original, "the copy is flagged as a republication of the original");
    let copy_id = &copy["doc_id"];
    let rows = read_csv(&with_copy.join("alignments.csv"));
    // The originals' pairs are what they were, and none of them names the copy.
    let own: Vec<_> = rows.iter().filter(|r| r["via_duplicate"] == "false").collect();
    assert_eq!(own.len(), pairs.len());
    for (r, p) in own.iter().zip(&pairs) {
        assert_eq!((&r["doc_id_a"], &r["doc_id_b"], &r["score"]), (&p["doc_id_a"], &p["doc_id_b"], &p["score"]));
    }
    // Each pair of the original is there once more with the copy in its place, same score and evidence.
    let of_original: Vec<_> = own.iter().filter(|r| &r["doc_id_a"] == original || &r["doc_id_b"] == original).collect();
    let inherited: Vec<_> = rows.iter().filter(|r| r["via_duplicate"] == "true").collect();
    assert!(!of_original.is_empty());
    assert_eq!(inherited.len(), of_original.len(), "{inherited:?}");
    for p in of_original {
        let other = if &p["doc_id_a"] == original { &p["doc_id_b"] } else { &p["doc_id_a"] };
        let r = inherited
            .iter()
            .find(|r| (&r["doc_id_a"], &r["doc_id_b"]) == (other, copy_id))
            .unwrap_or_else(|| panic!("the copy's pair with {other}: {inherited:?}"));
        assert_eq!((&r["score"], &r["evidence"]), (&p["score"], &p["evidence"]));
    }
    // Sentence links are the originals' only.
    let links = read_csv(&with_copy.join("sentence_alignments.csv"));
    assert!(links.iter().all(|l| &l["doc_id_a"] != copy_id && &l["doc_id_b"] != copy_id));
}

#[test]
fn an_archive_packed_in_any_order_keeps_the_folders_originals() {
    // The sample packed backwards: its articles come out in archive order, but of two undated copies the one
    // first by name is still the original, as from the folder.
    let d = tempfile::tempdir().unwrap();
    let (input, out) = (d.path().join("in"), d.path().join("out"));
    fs::create_dir_all(&input).unwrap();
    fs::write(input.join("day.tar"), common::tar_packed(Path::new("data/sample"), "sample", true)).unwrap();
    build_of(&input, &out, &[]);
    // (copy, original) by file name.
    let pairs = |rows: &[BTreeMap<String, String>], strip: &str| -> Vec<(String, String)> {
        let name: BTreeMap<&str, String> = rows
            .iter()
            .map(|r| {
                (r["doc_id"].as_str(), r["source_file"].strip_prefix(strip).unwrap_or(&r["source_file"]).to_string())
            })
            .collect();
        let mut p: Vec<(String, String)> = rows
            .iter()
            .filter(|r| !r["dup_of"].is_empty())
            .map(|r| (name[r["doc_id"].as_str()].clone(), name[r["dup_of"].as_str()].clone()))
            .collect();
        p.sort();
        p
    };
    let folder = read_csv(&sample_output().join("articles.csv"));
    let packed = read_csv(&out.join("articles.csv"));
    assert!(packed[0]["source_file"] > packed[packed.len() - 1]["source_file"], "archive order, backwards");
    let want = pairs(&folder, "");
    assert_eq!(want.len(), 2);
    assert_eq!(pairs(&packed, "day.tar/sample/"), want);
}
