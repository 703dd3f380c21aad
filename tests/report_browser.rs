//! The coverage report as a reader sees it: the page is opened in a real headless browser (Debian's
//! `chromium`), and the charts in the DOM it built — after the page's script ran — must show the counts
//! computed here, independently, from the CSV tables the page was made from.
//!
//! Without chromium these tests fail (never skip): install it with
//! `apt-get update && apt-get install -y chromium`, or point RFERL_CHROMIUM at a Chromium/Chrome binary.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- the browser

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("RFERL_CHROMIUM") {
        return PathBuf::from(p);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "the report's browser test needs a headless Chromium and none was found on PATH.\n\
         Install it with:  apt-get update && apt-get install -y chromium\n\
         (or set RFERL_CHROMIUM to a Chromium/Chrome binary)"
    );
}

/// Runs headless chromium with `extra` arguments on `url`; returns stdout. Killed after two minutes.
fn run_chromium(extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start chromium: {e}"));
    // Read stdout on a thread so a large DOM cannot fill the pipe while we wait.
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).map(|_| s)
    });
    let mut stderr = child.stderr.take().unwrap();
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within two minutes on {url}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let out = reader.join().unwrap().expect("chromium's output is UTF-8");
    let err = err_reader.join().unwrap();
    assert!(status.success(), "chromium failed ({status}) on {url}:\n{err}");
    out
}

/// The DOM of the page after it loaded and its script ran.
fn dom(page: &Path, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", page.canonicalize().unwrap().display());
    let d = run_chromium(&["--dump-dom".into()], &url);
    assert!(d.contains("<main>"), "chromium gave no page for {url}: {}", &d[..d.len().min(300)]);
    d
}

/// A PNG screenshot of the page at the given window size; returns its (width, height) from the PNG header.
fn screenshot(page: &Path, png: &Path, w: u32, h: u32) -> (u32, u32) {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    run_chromium(&[format!("--window-size={w},{h}"), format!("--screenshot={}", png.display())], &url);
    let bytes = fs::read(png).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", png.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    (be(16), be(20))
}

// ---------------------------------------------------------------- reading the DOM

/// One start tag of the serialised DOM: its name and attributes (entities decoded).
#[derive(Debug)]
struct Tag {
    name: String,
    attrs: BTreeMap<String, String>,
}

impl Tag {
    fn get(&self, k: &str) -> Option<&str> {
        self.attrs.get(k).map(String::as_str)
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Every start tag of `html`, in document order. Chromium serialises attributes as name="value" with `"`
/// and `&` escaped, so this small scanner is enough for its output.
fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off + 1;
        i = start;
        if start >= b.len() || !b[start].is_ascii_alphabetic() {
            continue;
        }
        let mut j = start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let mut attrs = BTreeMap::new();
        loop {
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' || b[j] == b'/' {
                break;
            }
            let ks = j;
            // Every step moves forward by at least one byte, whatever the input.
            j += 1;
            while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'=' && b[j] != b'>' {
                j += 1;
            }
            let key = html[ks..j].to_string();
            let mut value = String::new();
            if j + 1 < b.len() && b[j] == b'=' && b[j + 1] == b'"' {
                let vs = j + 2;
                let ve = vs + html[vs..].find('"').expect("closing quote");
                value = unescape(&html[vs..ve]);
                j = ve + 1;
            } else if j < b.len() && b[j] == b'=' {
                let vs = j + 1;
                j = vs;
                while j < b.len() && !b[j].is_ascii_whitespace() && b[j] != b'>' {
                    j += 1;
                }
                value = unescape(&html[vs..j]);
            }
            attrs.insert(key, value);
        }
        // Script and style bodies are text, not tags ("a<b" in a script is a comparison).
        let raw_end = match name.as_str() {
            "script" | "style" => html[j..].find(&format!("</{name}>")).map(|e| j + e),
            _ => None,
        };
        out.push(Tag { name, attrs });
        i = raw_end.unwrap_or(j);
    }
    out
}

/// (label, value, width, height) of every bar of one chart, in drawing order.
fn bars(tags: &[Tag], chart: &str) -> Vec<(String, u64, f64, f64)> {
    tags.iter()
        .filter(|t| t.name == "rect" && t.get("class") == Some("bar") && t.get("data-chart") == Some(chart))
        .map(|t| {
            let num = |k: &str| t.get(k).unwrap_or_else(|| panic!("bar without {k}")).parse::<f64>().unwrap();
            (t.get("data-label").unwrap().to_string(), num("data-value") as u64, num("width"), num("height"))
        })
        .collect()
}

fn bar_map(tags: &[Tag], chart: &str) -> BTreeMap<String, u64> {
    let b = bars(tags, chart);
    let m: BTreeMap<String, u64> = b.iter().map(|(l, v, _, _)| (l.clone(), *v)).collect();
    assert_eq!(m.len(), b.len(), "chart {chart} repeats a label");
    m
}

/// Bars must be drawn to scale: the drawn length over the value is the same for every bar.
fn assert_to_scale(tags: &[Tag], chart: &str, horizontal: bool) {
    let b = bars(tags, chart);
    let max = b.iter().map(|x| x.1).max().unwrap_or(0);
    let longest = b.iter().map(|x| if horizontal { x.2 } else { x.3 }).fold(0.0, f64::max);
    for (label, v, w, h) in &b {
        let len = if horizontal { *w } else { *h };
        if *v == 0 {
            assert_eq!(len, 0.0, "{chart}/{label}: an empty bar has no length");
        } else {
            let expected = longest * *v as f64 / max as f64;
            assert!((len - expected).abs() <= 1.6, "{chart}/{label}: drawn {len}, expected {expected} for value {v}");
        }
    }
}

/// The matrix as the browser holds it: rows in display order, each (story, title, languages → count).
fn matrix(tags: &[Tag]) -> Vec<(String, String, BTreeMap<String, u64>)> {
    let mut rows: Vec<(String, String, BTreeMap<String, u64>)> = Vec::new();
    for t in tags {
        if t.name == "tr" {
            if let Some(s) = t.get("data-story") {
                rows.push((s.to_string(), t.get("data-title").unwrap_or("").to_string(), BTreeMap::new()));
            }
        } else if t.name == "td" && t.get("class") == Some("hit") {
            let row = rows.last_mut().expect("a matrix cell outside a story row");
            row.2.insert(t.get("data-lang").unwrap().to_string(), t.get("data-value").unwrap().parse().unwrap());
        }
    }
    rows
}

// ---------------------------------------------------------------- expected figures, straight from the CSV

fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| headers.iter().zip(rec.unwrap().iter()).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

fn count<I: IntoIterator<Item = String>>(items: I) -> BTreeMap<String, u64> {
    let mut m = BTreeMap::new();
    for k in items {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

/// Checks every chart of the rendered page at `page` against the tables in `dir`.
fn check_page_against_tables(dir: &Path, page: &Path) {
    let articles = read_csv(&dir.join("articles.csv"));
    let alignments = read_csv(&dir.join("alignments.csv"));
    let rejects = read_csv(&dir.join("rejects.csv"));
    let d = dom(page, "");
    let t = tags(&d);

    let per_lang = count(articles.iter().map(|a| a["lang"].clone()));
    assert!(!per_lang.is_empty());
    assert_eq!(bar_map(&t, "per_language"), per_lang, "articles per language");
    let drawn: Vec<u64> = bars(&t, "per_language").iter().map(|b| b.1).collect();
    assert!(drawn.windows(2).all(|w| w[0] >= w[1]), "languages are drawn largest first: {drawn:?}");
    assert_to_scale(&t, "per_language", true);

    // The build writes UTC timestamps (`2024-05-09T10:00:00Z`), so the day is the first ten characters.
    let per_day =
        count(articles.iter().filter(|a| !a["published"].is_empty()).map(|a| a["published"][..10].to_string()));
    assert_eq!(bar_map(&t, "per_day"), per_day, "articles per day");
    if per_day.is_empty() {
        assert!(d.contains("data-chart=\"per_day\""), "an empty per-day chart says so");
    } else {
        assert_to_scale(&t, "per_day", false);
    }

    let dups = count(articles.iter().filter(|a| !a["dup_of"].is_empty()).map(|a| a["lang"].clone()));
    assert_eq!(bar_map(&t, "duplicates"), dups, "republications per language");

    let mut pairs = BTreeMap::new();
    // A republication's inherited pairs are not versions of their own.
    for a in alignments.iter().filter(|a| a.get("via_duplicate").map(String::as_str) != Some("true")) {
        let (x, y) = (a["lang_a"].clone(), a["lang_b"].clone());
        let key = if x <= y { format!("{x} – {y}") } else { format!("{y} – {x}") };
        *pairs.entry(key).or_insert(0u64) += 1;
    }
    assert_eq!(bar_map(&t, "pairs"), pairs, "aligned pairs per language pair");

    let mut bins = [0u64; 10];
    for a in &articles {
        if let Ok(x) = a["lang_confidence"].parse::<f64>() {
            if (0.0..=1.0).contains(&x) {
                bins[((x * 10.0).floor() as usize).min(9)] += 1;
            }
        }
    }
    let drawn: Vec<u64> = bars(&t, "confidence").iter().map(|b| b.1).collect();
    assert_eq!(drawn, bins.to_vec(), "confidence histogram");
    assert_to_scale(&t, "confidence", false);

    assert_eq!(bar_map(&t, "rejects"), count(rejects.iter().map(|r| r["reason"].clone())), "rejects by reason");

    // The matrix: every story with its articles per language, most languages first.
    let mut stories: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for a in articles.iter().filter(|a| !a["story_id"].is_empty()) {
        *stories.entry(a["story_id"].clone()).or_default().entry(a["lang"].clone()).or_insert(0) += 1;
    }
    let m = matrix(&t);
    let got: BTreeMap<String, BTreeMap<String, u64>> = m.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
    assert_eq!(got.len(), m.len(), "a story appears twice in the matrix");
    assert_eq!(got, stories, "story × language matrix");
    let n_langs: Vec<usize> = m.iter().map(|r| r.2.len()).collect();
    assert!(n_langs.windows(2).all(|w| w[0] >= w[1]), "default order is by number of languages: {n_langs:?}");
    let by_n = count(stories.values().map(|l| format!("{} language{}", l.len(), if l.len() == 1 { "" } else { "s" })));
    assert_eq!(bar_map(&t, "stories_by_languages"), by_n);

    // Every figure CSV the page links to is beside it.
    for name in
        ["per_language.csv", "per_day.csv", "coverage.csv", "pairs.csv", "confidence.csv", "rejects_by_reason.csv"]
    {
        assert!(page.parent().unwrap().join(name).is_file(), "{name} missing beside the page");
        assert!(d.contains(&format!("href=\"{name}\"")), "the page does not link {name}");
    }
}

// ---------------------------------------------------------------- a hand-built build output

/// Writes the four tables of a small made-up build: 10 languages, 8 stories with different language sets,
/// dates over two weeks with gaps, republications, aligned pairs, rejects, and one title full of markup.
fn synthetic_tables(dir: &Path) {
    let langs = [
        "eng_Latn", "rus_Cyrl", "ukr_Cyrl", "kaz_Cyrl", "tat_Cyrl", "pes_Arab", "ron_Latn", "hye_Armn", "kat_Geor",
        "bel_Cyrl",
    ];
    let mut seed: u64 = 7;
    let mut next = move |n: u64| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) % n
    };
    let mut articles = csv::Writer::from_path(dir.join("articles.csv")).unwrap();
    articles
        .write_record(["doc_id", "source_file", "lang", "lang_confidence", "title", "dup_of", "story_id", "published"])
        .unwrap();
    let mut align = csv::Writer::from_path(dir.join("alignments.csv")).unwrap();
    align.write_record(["doc_id_a", "doc_id_b", "lang_a", "lang_b", "score", "evidence"]).unwrap();
    let mut stories = csv::Writer::from_path(dir.join("stories.csv")).unwrap();
    stories.write_record(["story_id", "n_articles", "n_languages", "languages", "title"]).unwrap();
    let mut id = 0;
    for s in 0..8u64 {
        let story = format!("s{s:02}");
        let members: Vec<&str> = langs.iter().copied().filter(|_| next(3) > 0).take(2 + (s as usize * 3) % 9).collect();
        let title = if s == 3 {
            r#"<b>"Quotes" & 'apostrophes'</b> <script>x()</script>"#.to_string()
        } else {
            format!("Story {s} headline")
        };
        stories.write_record([story.as_str(), "0", "0", "", title.as_str()]).unwrap();
        let mut first: Option<(String, &str)> = None;
        for l in &members {
            id += 1;
            let doc = format!("d{id:03}");
            let day = 1 + (s * 2 + next(3)) % 14;
            let conf = format!("{:.3}", 0.3 + next(700) as f64 / 1000.0);
            articles
                .write_record([
                    &doc,
                    "f.txt",
                    l,
                    &conf,
                    &title,
                    "",
                    &story,
                    &format!("2024-05-{day:02}T{:02}:15:00Z", next(24)),
                ])
                .unwrap();
            match &first {
                None => first = Some((doc.clone(), l)),
                Some((d0, l0)) => align.write_record([d0.as_str(), &doc, l0, l, "0.8", "names"]).unwrap(),
            }
            if next(4) == 0 {
                id += 1;
                articles.write_record([&format!("d{id:03}"), "f.txt", l, "1", &title, &doc, &story, ""]).unwrap();
            }
        }
    }
    for k in 0..12 {
        id += 1;
        let l = langs[next(langs.len() as u64) as usize];
        let conf = if k == 0 { "0".to_string() } else { format!("{:.2}", next(101) as f64 / 100.0) };
        articles
            .write_record([
                format!("d{id:03}").as_str(),
                "g.txt",
                l,
                &conf,
                "Single",
                "",
                "",
                if k % 3 == 0 { "" } else { "2024-05-20T00:00:00Z" },
            ])
            .unwrap();
    }
    let mut rejects = csv::Writer::from_path(dir.join("rejects.csv")).unwrap();
    rejects.write_record(["source_file", "record", "reason", "detail"]).unwrap();
    for (f, r) in
        [("a.bin", "binary"), ("b.txt", "empty"), ("c.bin", "binary"), ("d.html", "not_article"), ("e.gz", "corrupt")]
    {
        rejects.write_record([f, "", r, "made up"]).unwrap();
    }
    articles.flush().unwrap();
    align.flush().unwrap();
    stories.flush().unwrap();
    rejects.flush().unwrap();
}

// ---------------------------------------------------------------- the tests

#[test]
fn charts_in_the_browser_match_the_tables() {
    let d = tempfile::tempdir().unwrap();
    synthetic_tables(d.path());
    let page = rferl_corpus::report::write_report(d.path(), None).unwrap();
    check_page_against_tables(d.path(), &page);

    // The hostile title reached the browser as text, not markup.
    let t = tags(&dom(&page, ""));
    assert!(t.iter().all(|x| x.name != "b"), "a title became a <b> element");
    assert_eq!(t.iter().filter(|x| x.name == "script").count(), 1, "only the page's own script");
    let m = matrix(&t);
    assert!(m.iter().any(|r| r.1 == r#"<b>"Quotes" & 'apostrophes'</b> <script>x()</script>"#), "title lost: {m:?}");

    if let Some(keep) = std::env::var_os("RFERL_REPORT_SCREENSHOTS") {
        // The made-up build has every chart filled: docs/report-demo.png shows them all.
        let png = PathBuf::from(keep).join("report-demo.png");
        assert_eq!(screenshot(&page, &png, 1280, 3400), (1280, 3400));
    }
}

#[test]
fn the_page_script_sorts_the_matrix() {
    let d = tempfile::tempdir().unwrap();
    synthetic_tables(d.path());
    let page = rferl_corpus::report::write_report(d.path(), None).unwrap();
    let default = matrix(&tags(&dom(&page, "")));
    for (key, sorted) in [("title", true), ("story", false)] {
        let dm = dom(&page, &format!("#sort={key}"));
        assert!(dm.contains(&format!("data-sorted=\"{key}\"")), "the script did not run for #sort={key}");
        let rows = matrix(&tags(&dm));
        let keys: Vec<&str> = rows.iter().map(|r| if sorted { r.1.as_str() } else { r.0.as_str() }).collect();
        if key == "story" {
            assert!(keys.windows(2).all(|w| w[0] <= w[1]), "not sorted by story id: {keys:?}");
        }
        let mut a: Vec<_> = rows.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
        let mut b: Vec<_> = default.iter().map(|r| (r.0.clone(), r.2.clone())).collect();
        assert_ne!(a, b, "#sort={key} changed nothing (the made-up stories are not in that order by default)");
        a.sort();
        b.sort();
        assert_eq!(a, b, "sorting must move whole rows, cells and all");
    }
}

#[test]
fn build_with_report_renders_the_sample_and_screenshots() {
    // data/sample when the checkout has it, else a few hand-written dumps: either way the expected counts
    // come from the articles.csv the build wrote.
    let d = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/sample");
    let input = if sample.is_dir() {
        sample
    } else {
        let input = d.path().join("dumps");
        fs::create_dir_all(&input).unwrap();
        let texts = [
            ("a.txt", "Flood hits valley\n\nHeavy rains on Thursday destroyed dozens of houses in the valley, officials said.\n\nRescue teams were sent to the villages by helicopter and the road was closed.\n"),
            ("b.txt", "Паводок в долине\n\nСильные дожди в четверг разрушили десятки домов в долине, сообщили чиновники.\n\nСпасатели были направлены в села на вертолетах, дорога закрыта.\n"),
            ("c.txt", "Паводок в долине\n\nСильные дожди в четверг разрушили десятки домов в долине, сообщили чиновники.\n\nСпасатели были направлены в села на вертолетах, дорога закрыта.\n"),
            ("d.txt", "Повінь у долині\n\nСильні дощі в четвер зруйнували десятки будинків у долині, повідомили посадовці.\n\nРятувальників направили до сіл гелікоптерами, дорогу закрито.\n"),
            ("e.txt", ""),
        ];
        for (n, t) in texts {
            fs::write(input.join(n), t).unwrap();
        }
        input
    };
    let out = d.path().join("out");
    let status = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
        .arg("build")
        .arg(&input)
        .args(["--quiet", "--report", "--out"])
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.code() == Some(0), "build --report failed: {status}");
    let page = out.join("report.html");
    assert!(page.is_file(), "build --report wrote no report.html");
    check_page_against_tables(&out, &page);

    // The `report` subcommand makes the same page again from the folder alone.
    let again = d.path().join("again/page.html");
    let status = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
        .arg("report")
        .arg(&out)
        .arg("--html")
        .arg(&again)
        .status()
        .unwrap();
    assert!(status.success());
    assert_eq!(fs::read(&again).unwrap(), fs::read(&page).unwrap(), "same tables, same page");

    // And it draws: a laptop-sized and a phone-sized screenshot.
    assert_eq!(screenshot(&page, &d.path().join("laptop.png"), 1280, 2400), (1280, 2400));
    assert_eq!(screenshot(&page, &d.path().join("phone.png"), 390, 1600), (390, 1600));
    if let Some(keep) = std::env::var_os("RFERL_REPORT_SCREENSHOTS") {
        // For docs/: `RFERL_REPORT_SCREENSHOTS=docs cargo test --test report_browser`.
        let keep = PathBuf::from(keep);
        fs::create_dir_all(&keep).unwrap();
        fs::copy(d.path().join("laptop.png"), keep.join("report.png")).unwrap();
        fs::copy(d.path().join("phone.png"), keep.join("report-phone.png")).unwrap();
    }
}
