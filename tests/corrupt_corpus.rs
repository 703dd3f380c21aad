//! A corpus of broken, hostile and odd files among good ones, through the binary with its default limits.
//! Nothing may be lost (every input is in exactly one of `articles` and `rejects`), nothing may crash or hang,
//! every bad file is rejected for the reason it deserves, and every good one becomes an article.

mod common;

use common::{gzip, manifest, page, rows, run};
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// What an input must become: an article, or a reject with one of these reasons.
#[derive(Debug, Clone)]
enum Expect {
    Article,
    Reject(&'static [&'static str]),
}
use Expect::{Article, Reject};

fn put(dir: &Path, name: &str, bytes: &[u8]) {
    let p = dir.join(name);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, bytes).unwrap();
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut b = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for u in text.encode_utf16() {
        b.extend_from_slice(&if big_endian { u.to_be_bytes() } else { u.to_le_bytes() });
    }
    b
}

fn bzip2_of(bytes: &[u8]) -> Vec<u8> {
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::best());
    bz.write_all(bytes).unwrap();
    bz.finish().unwrap()
}

fn xz_of(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    lzma_rs::xz_compress(&mut &bytes[..], &mut out).unwrap();
    out
}

/// `copies` gzip members (or zstd frames) of `unit` bytes of one letter, back to back: a few kilobytes that
/// decompress to `copies * unit` bytes. Readers must decode concatenated members, so this is a real bomb.
fn bomb(zstd: bool, unit: usize, copies: usize) -> Vec<u8> {
    let one = if zstd { zstd::encode_all(&vec![b'a'; unit][..], 19).unwrap() } else { gzip(&vec![b'a'; unit]) };
    one.repeat(copies)
}

/// Builds the corpus and returns what each input (by `source_file`) must become.
fn build_corpus(dir: &Path) -> BTreeMap<String, Expect> {
    let mut want: BTreeMap<String, Expect> = BTreeMap::new();
    let mut add = |name: &str, bytes: &[u8], e: Expect| {
        put(dir, name, bytes);
        want.insert(name.to_string(), e);
    };
    let mut also = BTreeMap::new();

    // Good pages, in every shape a good page can take.
    let places = ["Osh", "Naryn", "Talas", "Batken", "Karakol", "Tokmok", "Balykchy", "Jalal-Abad", "Uzgen"];
    for (i, place) in places.iter().take(4).enumerate() {
        add(&format!("good/{i}.txt"), page(i, place).as_bytes(), Article);
    }
    add("good/crlf.txt", page(4, places[4]).replace('\n', "\r\n").as_bytes(), Article);
    add("good/bom.txt", &[b"\xEF\xBB\xBF".as_slice(), page(5, places[5]).as_bytes()].concat(), Article);
    add("good/article.txt.gz", &gzip(page(6, places[6]).as_bytes()), Article);
    add("good/article.txt.zst", &zstd::encode_all(page(7, places[7]).as_bytes(), 3).unwrap(), Article);
    add("good/article.txt.bz2", &bzip2_of(page(18, "Kochkor").as_bytes()), Article);
    add("good/article.txt.xz", &xz_of(page(19, "Toktogul").as_bytes()), Article);
    // A folder whose name looks like a file is walked like any folder.
    add("folder.txt/inside.txt", page(8, places[8]).as_bytes(), Article);
    add("name with\nnewline, \"quotes\".txt", page(9, "Cholpon-Ata").as_bytes(), Article);

    // Encodings.
    let mut nul = page(10, "Kant").into_bytes();
    nul.insert(200, 0);
    nul.insert(400, 0);
    add("enc/nul-inside.txt", &nul, Article);
    add("enc/utf16le.txt", &utf16(&page(11, "Kemin"), false), Article);
    add("enc/utf16be.txt", &utf16(&page(12, "Isfana"), true), Article);
    let mut odd16 = utf16(&page(13, "Kyzyl-Kiya"), false);
    odd16.push(b'x');
    add("enc/utf16le-truncated.txt", &odd16, Reject(&["invalid_encoding"]));
    // A UTF-8 page with one word pasted in windows-1251 ("Бишкек" as single bytes): not valid UTF-8, and no
    // single encoding reads the whole file right, so it is rejected rather than half turned into mojibake.
    // (When legacy-encoding detection lands, this expectation is the place to state its policy.)
    let mut mixed = page(14, "Kara-Balta").into_bytes();
    let at = mixed.windows(7).position(|w| w == b"Farmers").unwrap();
    mixed.splice(at..at, b"\xC1\xE8\xF8\xEA\xE5\xEA ".iter().copied());
    // A UTF-8 article with a stretch of windows-1251 bytes pasted in: the reader keeps it as UTF-8 and drops
    // the undecodable bytes, so the story is not lost for six bad bytes.
    add("enc/mixed-encodings.txt", &mixed, Article);
    // High bytes without structure: invalid UTF-8; a legacy decoder would read them as one line of letters,
    // a headline with no body.
    let garbage: Vec<u8> = (0..4000u32).map(|i| 0x80 + ((i * 7919 + i / 3) % 0x7F) as u8).collect();
    add("enc/garbage.txt", &garbage, Reject(&["invalid_encoding", "no_text"]));

    // Not text at all, or no text.
    add("bad/empty.txt", b"", Reject(&["empty"]));
    add("bad/whitespace.txt", b"  \n\t\r\n   \n", Reject(&["empty"]));
    add("bad/bom-only.txt", b"\xEF\xBB\xBF", Reject(&["empty"]));
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0".to_vec();
    png.extend((0..2000u32).map(|i| (i * 31 % 251) as u8));
    add("bad/image.txt", &png, Reject(&["binary"]));
    add("bad/binary.txt.gz", &gzip(&png), Reject(&["binary"]));
    add("bad/empty.txt.gz", &gzip(b""), Reject(&["empty"]));
    let chrome_only = "Accessibility links\n\nSkip to main content\n\nBreaking News\n\n  • 16x9 Image\n\n    RFE/RL\n\nXS\nSM\nMD\nLG\n";
    add("bad/chrome-only.txt", chrome_only.as_bytes(), Reject(&["no_text"]));
    add("bad/title-only.txt", b"Just A Headline And Nothing Else\n", Reject(&["no_text"]));
    add("bad/photo.jpg", b"\xFF\xD8\xFF\xE0 not really a jpeg", Reject(&["unsupported_format"]));
    add("bad/report.docx", b"PK\x03\x04", Reject(&["unsupported_format"]));

    // Broken compression and bombs (64 MiB default cap: the bombs inflate to 72 MiB of one letter).
    let gz = gzip(page(15, "Talas").as_bytes());
    add("bad/truncated.txt.gz", &gz[..gz.len() / 2], Reject(&["corrupt"]));
    let zs = zstd::encode_all(page(16, "Naryn").as_bytes(), 3).unwrap();
    add("bad/truncated.txt.zst", &zs[..zs.len() / 2], Reject(&["corrupt"]));
    let mut trailing = gz.clone();
    trailing.extend_from_slice(b"trailing junk after the gzip member");
    add("bad/gzip-trailing-junk.txt.gz", &trailing, Reject(&["corrupt"]));
    add("bad/bomb.txt.gz", &bomb(false, 1 << 20, 72), Reject(&["too_large"]));
    add("bad/bomb.txt.zst", &bomb(true, 1 << 20, 72), Reject(&["too_large"]));
    let bz = bzip2_of(page(20, "Kemin").as_bytes());
    add("bad/truncated.txt.bz2", &bz[..bz.len() / 2], Reject(&["corrupt"]));
    let xz = xz_of(page(21, "Suzak").as_bytes());
    add("bad/truncated.txt.xz", &xz[..xz.len() / 2], Reject(&["corrupt"]));
    add("bad/bomb.txt.bz2", &bzip2_of(&vec![b'a'; 72 << 20]), Reject(&["too_large"]));

    // Tar archives: each member is an input of its own, named inside the archive; a cut archive keeps the
    // members before the cut, and the archive itself is a reject that says where reading stopped.
    let tar_of = |members: &[(&str, &[u8])]| {
        let mut b = tar::Builder::new(Vec::new());
        for (name, bytes) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, *bytes).unwrap();
        }
        b.into_inner().unwrap()
    };
    let day = tar_of(&[("a.txt", page(22, "Kyzyl-Kiya").as_bytes()), ("b.txt", page(23, "Kara-Suu").as_bytes())]);
    put(dir, "good/day.tar.gz", &gzip(&day));
    also.insert("good/day.tar.gz/a.txt".into(), Article);
    also.insert("good/day.tar.gz/b.txt".into(), Article);
    let long = "Long paragraph about the water supply in the town. ".repeat(100);
    let cut = tar_of(&[("a.txt", page(24, "Isfana").as_bytes()), ("b.txt", long.as_bytes())]);
    put(dir, "bad/cut.tar", &cut[..cut.len() - 4096]);
    also.insert("bad/cut.tar/a.txt".into(), Article);
    also.insert("bad/cut.tar".into(), Reject(&["corrupt"]));

    // Sizes: a 100 MB text is over the default cap and is turned away from its size alone; a file of a million
    // lines and a single 50 MB line are under it and must go through extraction in linear time.
    {
        let mut f = fs::File::create(dir.join("size/huge-100mb.txt"))
            .or_else(|_| {
                fs::create_dir_all(dir.join("size"))?;
                fs::File::create(dir.join("size/huge-100mb.txt"))
            })
            .unwrap();
        let block = page(17, "Bishkek").repeat(64);
        let mut written = 0;
        while written < 100_000_000 {
            f.write_all(block.as_bytes()).unwrap();
            written += block.len();
        }
        also.insert("size/huge-100mb.txt".into(), Reject(&["too_large"]));
    }
    let mut million = String::from("A Register Of One Million Lines\n\n\n");
    for i in 0..1_000_000u32 {
        million.push_str(&format!("row {i}\n"));
    }
    add("size/million-lines.txt", million.as_bytes(), Article);
    add("size/one-50mb-line.txt", "word ".repeat(10_000_000).as_bytes(), Reject(&["no_text"]));
    // 200,000 nested <div>s around a paragraph (2 MB): the HTML5 tree builder's time grows with the square of
    // the depth (158 s for this page before it was turned away unparsed).
    let n = 200_000;
    let deep =
        format!("<html><body>{}<p>Deep text about Osh.</p>{}</body></html>", "<div>".repeat(n), "</div>".repeat(n));
    add("size/deeply-nested.html", deep.as_bytes(), Reject(&["malformed"]));
    // One element with 100,000 attributes: the parser compares each with the ones before it (5.3 s before).
    let attributes: Vec<String> = (0..100_000).map(|i| format!("data-a{i}=\"1\"")).collect();
    let busy = format!("<html><body><div {}><p>Text about Osh.</p></div></body></html>", attributes.join(" "));
    add("size/many-attributes.html", busy.as_bytes(), Reject(&["malformed"]));
    // A different <b> left open in each of 10,000 paragraphs (230 KB): the parser would re-create every open
    // one in each later paragraph, 50 million elements (4,000 of them took 6.7 s and 1.5 GB before).
    let open: String = (0..10_000).map(|i| format!("<p><b class=c{i}>Osh")).collect();
    add(
        "size/formatting-left-open.html",
        format!("<html><body>{open}</body></html>").as_bytes(),
        Reject(&["malformed"]),
    );

    // Things that are not files, or not there.
    std::os::unix::fs::symlink(dir.join("nowhere.txt"), dir.join("links/dangling.txt"))
        .or_else(|_| {
            fs::create_dir_all(dir.join("links"))?;
            std::os::unix::fs::symlink(dir.join("nowhere.txt"), dir.join("links/dangling.txt"))
        })
        .unwrap();
    also.insert("links/dangling.txt".into(), Reject(&["unreadable"]));
    std::os::unix::fs::symlink("self-loop.txt", dir.join("links/self-loop.txt")).unwrap();
    also.insert("links/self-loop.txt".into(), Reject(&["unreadable"]));
    std::os::unix::fs::symlink("..", dir.join("links/parent")).unwrap();
    also.insert("links/parent".into(), Reject(&["unreadable"]));
    std::os::unix::fs::symlink("../good/0.txt", dir.join("links/to-good.txt")).unwrap();
    also.insert("links/to-good.txt".into(), Article);
    let fifo = dir.join("links/pipe.txt");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo runs");
    assert!(status.success());
    also.insert("links/pipe.txt".into(), Reject(&["unreadable"]));

    // File names that are not UTF-8: readable in source_file, and two of them never collapse into one.
    for (byte, n) in [(0xFFu8, 18), (0xFE, 19)] {
        let mut name = b"names/caf".to_vec();
        name.push(byte);
        name.extend_from_slice(b".txt");
        let path = dir.join(OsStr::from_bytes(&name));
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, page(n, "Suusamyr")).unwrap();
        also.insert(format!("names/caf\\x{byte:02X}.txt"), Article);
    }
    want.extend(also);
    want
}

#[test]
fn corrupt_corpus_loses_nothing_and_rejects_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in");
    let out = tmp.path().join("out");
    fs::create_dir_all(&input).unwrap();
    let want = build_corpus(&input);
    assert!(want.values().filter(|e| matches!(e, Reject(_))).count() >= 20, "at least 20 kinds of bad file");

    let result = run(&[OsStr::new("build"), input.as_os_str(), OsStr::new("--out"), out.as_os_str()]);
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert_eq!(result.status.code(), Some(0), "some inputs were rejected, some read: success with a warning\n{stderr}");
    assert!(stderr.contains("warning:") && stderr.contains("rejected"), "{stderr}");
    assert!(stderr.contains("all accounted for"), "{stderr}");

    let articles = rows(&out, "articles");
    let rejects = rows(&out, "rejects");
    // Every input in exactly one table, and nothing that was not an input.
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &articles {
        seen.entry(a["source_file"].clone()).or_default().push("article".into());
    }
    for r in &rejects {
        seen.entry(r["source_file"].clone()).or_default().push(r["reason"].clone());
    }
    for (name, expect) in &want {
        let got = seen.get(name).cloned().unwrap_or_default();
        assert_eq!(got.len(), 1, "{name:?} must be in exactly one table once, got {got:?}");
        match expect {
            Article => assert_eq!(got[0], "article", "{name:?} should be an article"),
            Reject(reasons) => {
                assert!(reasons.contains(&got[0].as_str()), "{name:?}: expected one of {reasons:?}, got {:?}", got[0])
            }
        }
    }
    let unexpected: Vec<&String> = seen.keys().filter(|k| !want.contains_key(*k)).collect();
    assert!(unexpected.is_empty(), "rows for inputs that were never made: {unexpected:?}");

    // The manifest proves the accounting.
    let m = manifest(&out);
    let counts = &m["counts"];
    assert_eq!(counts["inputs"], want.len() as u64);
    assert_eq!(counts["articles"], articles.len() as u64);
    assert_eq!(counts["rejects"], rejects.len() as u64);
    assert_eq!(counts["accounted"], true);
    let by_reason: u64 = m["rejects_by_reason"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(by_reason, rejects.len() as u64);

    // Good pages keep their text; decoded pages say how they were decoded.
    let by_file: BTreeMap<&str, &BTreeMap<String, String>> =
        articles.iter().map(|a| (a["source_file"].as_str(), a)).collect();
    assert_eq!(by_file["enc/utf16le.txt"]["encoding"], "utf-16le");
    assert_eq!(by_file["enc/utf16be.txt"]["encoding"], "utf-16be");
    assert!(by_file["enc/nul-inside.txt"]["text"].contains("Emergency officials in Kant"));
    assert!(!by_file["enc/nul-inside.txt"]["text"].contains('\0'));
    assert_eq!(by_file["good/crlf.txt"]["title"], "Flood Waters Recede In Karakol After 4 Days");
    assert!(by_file["size/million-lines.txt"]["text"].contains("row 999999"));
    // Every other table's rows point at articles that exist.
    let ids: std::collections::BTreeSet<&str> = articles.iter().map(|a| a["doc_id"].as_str()).collect();
    assert_eq!(ids.len(), articles.len(), "doc_id is unique");
    for s in rows(&out, "sentences") {
        assert!(ids.contains(s["doc_id"].as_str()));
    }
}

#[test]
fn same_named_input_folders_are_both_read_and_a_repeated_input_once() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("2024/dumps"), tmp.path().join("2025/dumps"));
    fs::create_dir_all(&a).unwrap();
    fs::create_dir_all(&b).unwrap();
    fs::write(a.join("001.txt"), page(1, "Osh")).unwrap();
    fs::write(b.join("001.txt"), page(2, "Naryn")).unwrap();
    let out = tmp.path().join("out");
    let o =
        run(&[OsStr::new("build"), a.as_os_str(), b.as_os_str(), a.as_os_str(), OsStr::new("--out"), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let names: Vec<String> = rows(&out, "articles").iter().map(|r| r["source_file"].clone()).collect();
    assert_eq!(names, ["dumps/001.txt", "dumps~2/001.txt"]);
    assert!(rows(&out, "rejects").is_empty());
    assert_eq!(manifest(&out)["counts"]["inputs"], 2);
}
