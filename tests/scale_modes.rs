//! Sharded and incremental builds must write exactly what a single full build writes.

mod common;

use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(args: &[&str], paths: &[&Path]) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"));
    c.args(args);
    for p in paths {
        c.arg(p);
    }
    c.arg("--quiet");
    let status = c.status().expect("run rferl-corpus");
    assert!(status.success(), "{args:?} failed: {status}");
}

/// Every output file but manifest.json (timings, arguments) must be byte-identical.
fn assert_same_tables(a: &Path, b: &Path) {
    let mut names: Vec<_> = fs::read_dir(a).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert!(names.len() >= 12, "{names:?}");
    for n in names.iter().filter(|n| *n != "manifest.json") {
        assert!(fs::read(a.join(n)).unwrap() == fs::read(b.join(n)).unwrap(), "{n:?} differs");
    }
    let ma: serde_json::Value = serde_json::from_slice(&fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let mb: serde_json::Value = serde_json::from_slice(&fs::read(b.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(ma["counts"], mb["counts"]);
}

fn copy_dir(from: &Path, to: &Path, keep: impl Fn(&str) -> bool) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_file() && keep(&name) {
            fs::copy(e.path(), to.join(&name)).unwrap();
        }
    }
}

#[test]
fn merged_shards_equal_a_single_machine_build() {
    let d = tempfile::tempdir().unwrap();
    let full = d.path().join("full");
    run(&["build", "data/sample", "--out"], &[&full]);
    let shards: Vec<PathBuf> = (0..3).map(|i| d.path().join(format!("shard{i}"))).collect();
    for (i, s) in shards.iter().enumerate() {
        run(&["build", "data/sample", "--shard", &format!("{i}/3"), "--out"], &[s]);
        assert!(s.join("articles").is_dir(), "shard {i} writes Hive-partitioned articles");
        let m: serde_json::Value = serde_json::from_slice(&fs::read(s.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(m["counts"]["accounted"], true, "shard {i} accounts for its inputs");
        // Every article of the shard is in exactly one lang= partition, without a lang column of its own.
        let mut rows = 0;
        for part in fs::read_dir(s.join("articles")).unwrap() {
            let part = part.unwrap().path();
            assert!(part.file_name().unwrap().to_str().unwrap().starts_with("lang="), "{part:?}");
            let file = part.join(format!("part-{i:05}.parquet"));
            let reader = ParquetRecordBatchReaderBuilder::try_new(fs::File::open(&file).unwrap()).unwrap();
            assert!(reader.schema().fields().iter().all(|f| f.name() != "lang"), "{file:?} has a lang column");
            assert!(reader.schema().fields().iter().any(|f| f.name() == "text"));
            rows += reader.build().unwrap().map(|b| b.unwrap().num_rows()).sum::<usize>();
        }
        assert_eq!(rows as u64, m["counts"]["articles"].as_u64().unwrap(), "shard {i}: partitions hold its articles");
    }
    let merged = d.path().join("merged");
    let refs: Vec<&Path> = shards.iter().map(|p| p.as_path()).collect();
    let mut c = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"));
    let status = c.arg("merge").args(&refs).arg("--out").arg(&merged).arg("--quiet").status().unwrap();
    assert!(status.success());
    assert_same_tables(&full, &merged);
}

#[test]
fn merge_refuses_a_missing_shard() {
    let d = tempfile::tempdir().unwrap();
    let s0 = d.path().join("s0");
    run(&["build", "data/sample", "--shard", "0/2", "--out"], &[&s0]);
    let out = Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
        .arg("merge")
        .arg(&s0)
        .arg("--out")
        .arg(d.path().join("m"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing shards: 1/2"));
}

#[test]
fn merge_refuses_shards_of_different_runs_even_with_the_same_file_count() {
    // Shard 0 from tonight's inputs, shard 1 from inputs where one file was renamed in between: each shard
    // is whole, the file count is the same, but their union would match no single build.
    let d = tempfile::tempdir().unwrap();
    let (a, b) = (d.path().join("a"), d.path().join("b"));
    copy_dir(Path::new("data/sample"), &a, |_| true);
    copy_dir(Path::new("data/sample"), &b, |_| true);
    let first = fs::read_dir(&b).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_file()).min().unwrap();
    fs::rename(&first, b.join("zz-renamed.txt")).unwrap();
    let (s0, s1) = (d.path().join("s0"), d.path().join("s1"));
    run(&["build"], &[&a, Path::new("--shard"), Path::new("0/2"), Path::new("--out"), &s0]);
    run(&["build"], &[&b, Path::new("--shard"), Path::new("1/2"), Path::new("--out"), &s1]);
    let merge = |shards: &[&Path]| {
        Command::new(env!("CARGO_BIN_EXE_rferl-corpus"))
            .arg("merge")
            .args(shards)
            .arg("--out")
            .arg(d.path().join("m"))
            .arg("--quiet")
            .output()
            .unwrap()
    };
    let out = merge(&[&s0, &s1]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("shards come from different runs (shard 1/2 vs 0/2: the input files differ)"), "{err}");
    assert!(!d.path().join("m").exists(), "nothing written");
    // The same inputs for both shards merge.
    let s1a = d.path().join("s1a");
    run(&["build"], &[&a, Path::new("--shard"), Path::new("1/2"), Path::new("--out"), &s1a]);
    assert!(merge(&[&s0, &s1a]).status.success());
}

fn reused(out: &Path) -> u64 {
    let manifest: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["reused_files"].as_u64().unwrap()
}

/// Parquet row groups of the articles and sentences tables the run copied from the previous one.
fn copied_groups(out: &Path) -> u64 {
    let manifest: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    manifest["copied_row_groups"].as_u64().unwrap()
}

/// Row groups of a few articles each, so that the sample corpus has many and a rerun can copy most.
const SMALL_GROUPS: [&str; 2] = ["--row-group-articles", "3"];

#[test]
fn an_incremental_rerun_reads_only_what_changed_and_equals_a_full_rebuild() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    copy_dir(Path::new("data/sample"), &input, |_| true);
    let n_files = fs::read_dir(&input).unwrap().count() as u64;
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    let with_state = ["build", SMALL_GROUPS[0], SMALL_GROUPS[1], "--state"];
    run(&with_state, &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(reused(&inc), 0);
    assert_eq!(copied_groups(&inc), 0);
    // One article changes its body, one new article arrives (no template lines, so the chrome stays).
    let changed = input.join("002_be73d93cd4e02a3c.txt");
    let text = fs::read_to_string(&changed).unwrap().replacen("14", "15", 1);
    fs::write(&changed, text).unwrap();
    fs::write(
        input.join("999_0000000000000001.txt"),
        "A New Headline\n\n\nA first paragraph of 12 words.\n\nA second one.\n",
    )
    .unwrap();
    run(&with_state, &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(reused(&inc), n_files - 1, "all but the changed file are reused");
    let groups = parquet_groups(&inc, "articles") + parquet_groups(&inc, "sentences");
    let copied = copied_groups(&inc);
    assert!(copied > 0 && copied + 6 >= groups, "{copied} of {groups} row groups copied");
    let full = d.path().join("full");
    run(&["build", SMALL_GROUPS[0], SMALL_GROUPS[1], "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
}

fn parquet_groups(out: &Path, table: &str) -> u64 {
    let f = fs::File::open(out.join(format!("{table}.parquet"))).unwrap();
    ParquetRecordBatchReaderBuilder::try_new(f).unwrap().metadata().num_row_groups() as u64
}

#[test]
fn when_new_files_change_the_learned_chrome_the_files_it_touches_are_redone_and_still_equal() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    // The first half of the sample: several services have too few files for their template to be learned yet.
    copy_dir(Path::new("data/sample"), &input, |n| n < "030");
    let n_first = fs::read_dir(&input).unwrap().count() as u64;
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    copy_dir(Path::new("data/sample"), &input, |n| n >= "030");
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    let r = reused(&inc);
    eprintln!("reused {r} of {n_first} earlier files");
    assert!(
        r < n_first,
        "files with a line whose chrome decision changed are processed again ({r} of {n_first} reused)"
    );
    let full = d.path().join("full");
    run(&["build", "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
}

#[test]
fn duplicates_point_to_the_first_copy_in_output_order() {
    // Output order is the relative path as a string ("x-b.txt" before "x/a.txt": '-' < '/'), not the order of
    // a walk component by component. The map signs articles in its own order, so a republication's dup_of
    // shows whether the two orders agree: it must name the first copy in output order.
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(input.join("x")).unwrap();
    let page = common::page(7, "Osh");
    fs::write(input.join("x").join("a.txt"), &page).unwrap();
    fs::write(input.join("x-b.txt"), &page).unwrap();
    fs::write(input.join("x-c.txt"), common::page(8, "Naryn")).unwrap();
    let out = d.path().join("out");
    run(&["build", "--out"], &[&out, &input]);
    let rows = common::rows(&out, "articles");
    let files: Vec<&str> = rows.iter().map(|r| r["source_file"].as_str()).collect();
    assert_eq!(files, ["x-b.txt", "x-c.txt", "x/a.txt"]);
    assert_eq!(rows[0]["dup_of"], "");
    assert_eq!(rows[2]["dup_of"], rows[0]["doc_id"], "the copy points to the first in output order");
    assert_eq!(rows[1]["dup_of"], "");
}

fn build_with_state(state: &Path, out: &Path, input: &Path, extra: &[&str]) {
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    args.push("--state");
    run(&args, &[state, Path::new("--out"), out, input]);
}

/// A deleted file, a changed article of an aligned pair, and a new copy of a story's article that sorts
/// before it (so the old article becomes its duplicate and the story is named after the new one): a rerun
/// must follow all of it into the corpus-wide columns of old rows, at any thread count.
#[test]
fn an_incremental_rerun_follows_deletions_changes_and_new_copies_into_old_rows() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    copy_dir(Path::new("data/sample"), &input, |_| true);
    let n_files = fs::read_dir(&input).unwrap().count() as u64;
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    build_with_state(&state, &inc, &input, &SMALL_GROUPS);
    let before = common::rows(&inc, "articles");
    // The first article of a story that is its own original, and a file outside every story.
    let in_story =
        before.iter().find(|r| !r["story_id"].is_empty() && r["dup_of"].is_empty()).expect("a story in the sample");
    let alone = before.iter().find(|r| r["story_id"].is_empty() && r["source_file"] != in_story["source_file"]);
    let alone = alone.expect("an article outside every story")["source_file"].clone();
    fs::remove_file(input.join(&alone)).unwrap();
    let copy_name = format!("000_0{}", &in_story["source_file"][5..]);
    assert!(copy_name.as_str() < in_story["source_file"].as_str());
    fs::copy(input.join(&in_story["source_file"]), input.join(&copy_name)).unwrap();
    // A changed text in one article of an aligned pair (other than the story above).
    let pairs = common::rows(&inc, "alignments");
    let paired = pairs
        .iter()
        .flat_map(|p| [p["doc_id_a"].clone(), p["doc_id_b"].clone()])
        .filter_map(|id| before.iter().find(|r| r["doc_id"] == id))
        .find(|r| r["story_id"] != in_story["story_id"])
        .expect("a second aligned pair")["source_file"]
        .clone();
    let text = fs::read_to_string(input.join(&paired)).unwrap();
    let changed = text.replacen('1', "7", 1);
    assert_ne!(text, changed);
    fs::write(input.join(&paired), changed).unwrap();

    build_with_state(&state, &inc, &input, &["--threads", "1", SMALL_GROUPS[0], SMALL_GROUPS[1]]);
    assert_eq!(reused(&inc), n_files - 2, "all but the deleted, the changed and the new file are reused");
    assert!(copied_groups(&inc) > 0, "unchanged row groups are copied, with their corpus-wide cells made afresh");
    let full = d.path().join("full");
    run(&["build", "--threads", "2", SMALL_GROUPS[0], SMALL_GROUPS[1], "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
    // The new copy did reach old rows: the old article is now a duplicate, and its story is named after the copy.
    let after = common::rows(&inc, "articles");
    let old = after.iter().find(|r| r["doc_id"] == in_story["doc_id"]).unwrap();
    let new = after.iter().find(|r| r["source_file"] == copy_name).unwrap();
    assert_eq!(old["dup_of"], new["doc_id"]);
    assert!(!after.iter().any(|r| r["source_file"] == alone));
    assert!(after.iter().any(|r| r["story_id"] == format!("s{}", new["doc_id"])));

    // A second rerun with nothing changed reuses everything, copies every row group and still writes the same
    // tables.
    build_with_state(&state, &inc, &input, &SMALL_GROUPS);
    assert_eq!(reused(&inc), n_files);
    assert_eq!(copied_groups(&inc), parquet_groups(&inc, "articles") + parquet_groups(&inc, "sentences"));
    assert_same_tables(&full, &inc);
}

/// A damaged state never makes wrong output: a damaged record makes its file be processed again, a damaged
/// or foreign `state.bin` a rebuild from scratch, a damaged links file alignment from scratch, and files a
/// killed run left behind are ignored and removed.
#[test]
fn a_damaged_state_is_rebuilt_or_bypassed_never_trusted() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    copy_dir(Path::new("data/sample"), &input, |_| true);
    let n_files = fs::read_dir(&input).unwrap().count() as u64;
    let state = d.path().join("state");
    let full = d.path().join("full");
    run(&["build", "--out"], &[&full, &input]);
    let inc = d.path().join("inc");
    build_with_state(&state, &inc, &input, &[]);
    let named = |prefix: &str, suffix: &str| -> PathBuf {
        let e = fs::read_dir(&state).unwrap().map(|e| e.unwrap().path());
        let name = |p: &PathBuf| p.file_name().unwrap().to_str().unwrap().to_string();
        let mut e: Vec<PathBuf> = e.filter(|p| name(p).starts_with(prefix) && name(p).ends_with(suffix)).collect();
        assert_eq!(e.len(), 1, "one {prefix} file in {:?}", fs::read_dir(&state).unwrap().collect::<Vec<_>>());
        e.pop().unwrap()
    };

    // One byte of the spill flipped (in the middle: some article's text or signatures).
    let spill = named("articles-", ".spill");
    let mut bytes = fs::read(&spill).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    fs::write(&spill, bytes).unwrap();
    build_with_state(&state, &inc, &input, &[]);
    let r = reused(&inc);
    assert!(r < n_files && r >= n_files - 2, "the damaged file is processed again ({r} of {n_files} reused)");
    assert_same_tables(&full, &inc);

    // Sentence links garbled: they are aligned again.
    let links = named("links-", ".bin");
    let mut bytes = fs::read(&links).unwrap();
    assert!(bytes.len() > 100);
    for b in &mut bytes[10..60] {
        *b = b.wrapping_add(1);
    }
    fs::write(&links, bytes).unwrap();
    build_with_state(&state, &inc, &input, &[]);
    assert_eq!(reused(&inc), n_files);
    assert_same_tables(&full, &inc);

    // What a killed run leaves: a half-written spill and links file of the next generation, and state.bin.next.
    let gen = |p: &Path| p.file_name().unwrap().to_str().unwrap().to_string();
    let (spill, links) = (gen(&named("articles-", ".spill")), gen(&named("links-", ".bin")));
    let table = gen(&named("sentences-", ".csv"));
    let next = |name: &str| {
        let (stem, ext) = name.split_once('-').unwrap();
        let (n, rest) = ext.split_once('.').unwrap();
        format!("{stem}-{}.{rest}", n.parse::<u64>().unwrap() + 1)
    };
    fs::write(state.join(next(&spill)), b"\x05\x00\x00\x00abc").unwrap();
    fs::write(state.join(next(&links)), b"garbage").unwrap();
    fs::write(state.join(next(&table)), b"garbage").unwrap();
    fs::write(state.join("state.bin.next"), b"garbage").unwrap();
    build_with_state(&state, &inc, &input, &[]);
    assert_eq!(reused(&inc), n_files);
    assert_same_tables(&full, &inc);
    for left in [next(&spill), next(&links), next(&table)] {
        assert!(!state.join(&left).exists(), "{left} is left over from a killed run and removed");
    }

    // state.bin cut short: the state is not trusted at all.
    let bin = state.join("state.bin");
    let bytes = fs::read(&bin).unwrap();
    fs::write(&bin, &bytes[..bytes.len() - 3]).unwrap();
    build_with_state(&state, &inc, &input, &[]);
    assert_eq!(reused(&inc), 0);
    assert_same_tables(&full, &inc);

    // One bit of state.bin flipped: the same.
    let mut bytes = fs::read(&bin).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 1;
    fs::write(&bin, bytes).unwrap();
    build_with_state(&state, &inc, &input, &[]);
    assert_eq!(reused(&inc), 0);
    assert_same_tables(&full, &inc);
}

/// Rows copied from the previous run's CSV tables: never when the CSV options changed, and never bytes that
/// were changed since (the state's copy of a table is a hard link to the output, which someone may edit).
#[test]
fn csv_rows_are_copied_only_when_they_are_still_what_a_full_build_writes() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    copy_dir(Path::new("data/sample"), &input, |_| true);
    fs::write(
        input.join("998_0000000000000002.txt"),
        "-A Headline With A Dash\n\n\n=A first paragraph of 12 words.\n\nA second one.\n",
    )
    .unwrap();
    let n_files = fs::read_dir(&input).unwrap().count() as u64;
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    build_with_state(&state, &inc, &input, &[]);

    // Spreadsheet-safe now: the same articles, but their rows are not what the state has.
    build_with_state(&state, &inc, &input, &["--spreadsheet-safe"]);
    assert_eq!(reused(&inc), n_files);
    let full_safe = d.path().join("full-safe");
    run(&["build", "--spreadsheet-safe", "--out"], &[&full_safe, &input]);
    assert_same_tables(&full_safe, &inc);
    assert!(fs::read_to_string(inc.join("articles.csv")).unwrap().contains(",'-A Headline With A Dash,"));

    // The output edited in place (the state's copy is the same file): the edited rows are encoded again, and
    // no Parquet row group is copied from an edited file.
    build_with_state(&state, &inc, &input, &[]);
    for table in ["articles.csv", "sentences.csv", "articles.parquet", "sentences.parquet"] {
        let mut f = fs::OpenOptions::new().write(true).open(inc.join(table)).unwrap();
        use std::io::{Seek, SeekFrom, Write};
        let len = f.metadata().unwrap().len();
        f.seek(SeekFrom::Start(len / 2)).unwrap();
        f.write_all(b"EDITED").unwrap();
    }
    let other = d.path().join("other");
    build_with_state(&state, &other, &input, &[]);
    assert_eq!(reused(&other), n_files);
    assert_eq!(copied_groups(&other), 0, "row groups are not copied from an edited Parquet file");
    let full = d.path().join("full");
    run(&["build", "--out"], &[&full, &input]);
    assert_same_tables(&full, &other);

    // Parquet only, then both again: no CSV rows to copy, every row encoded; the Parquet row groups are copied.
    build_with_state(&state, &other, &input, &["--format", "parquet"]);
    assert!(copied_groups(&other) > 0);
    build_with_state(&state, &other, &input, &[]);
    assert!(copied_groups(&other) > 0);
    assert_same_tables(&full, &other);
}

/// Hand-written English and Russian versions of news sentences: `{N}` is a number, `{P}` a name.
const PHRASES: [(&str, &str); 12] = [
    (
        "The minister said water prices rose by {N} percent.",
        "Министр заявил, что цены на воду выросли на {N} процентов.",
    ),
    ("Farmers in the north lost their harvest after the flood.", "Фермеры на севере потеряли урожай после наводнения."),
    ("{P} met students at the university on Monday.", "{P} встретился со студентами в университете в понедельник."),
    ("The court will hear the case again next week.", "Суд снова рассмотрит дело на следующей неделе."),
    (
        "Police detained several activists near the parliament.",
        "Полиция задержала нескольких активистов у здания парламента.",
    ),
    ("The government promised new schools and better roads.", "Правительство пообещало новые школы и хорошие дороги."),
    ("Prices for bread and meat have doubled this year.", "Цены на хлеб и мясо в этом году выросли вдвое."),
    (
        "Doctors warned that the hospital has run out of medicine.",
        "Врачи предупредили, что в больнице закончились лекарства.",
    ),
    (
        "The opposition called the election unfair and asked for a recount.",
        "Оппозиция назвала выборы несправедливыми и потребовала пересчёта.",
    ),
    ("Journalists were not allowed into the building.", "Журналистов не пустили в здание."),
    ("{P} said the talks would continue in the spring.", "{P} сказал, что переговоры продолжатся весной."),
    ("More than {N} people signed the open letter.", "Более {N} человек подписали открытое письмо."),
];
const FIRST: [(&str, &str); 6] = [
    ("Nurlan", "Нурлан"),
    ("Aibek", "Айбек"),
    ("Timur", "Тимур"),
    ("Rustam", "Рустам"),
    ("Bakyt", "Бакыт"),
    ("Ilyas", "Ильяс"),
];
const LAST: [(&str, &str); 6] = [
    ("Bekov", "Беков"),
    ("Sadykov", "Садыков"),
    ("Umarov", "Умаров"),
    ("Zhunusov", "Жунусов"),
    ("Tokayev", "Токаев"),
    ("Abdullaev", "Абдуллаев"),
];

/// Story `k` as one JSONL file holding its English and Russian versions (the Russian one drops a sentence in
/// every third story): five of the phrases, a name and two numbers of its own.
fn story_file(k: usize) -> String {
    let (first, last) = (FIRST[k % 6], LAST[(k / 6) % 6]);
    let (n1, n2) = (1000 + 37 * k, 200 + 13 * k);
    let picks: Vec<usize> = (0..5).map(|i| (k * 7 + i * (1 + k % 5)) % PHRASES.len()).collect();
    let mut picks_dedup: Vec<usize> = Vec::new();
    for p in picks {
        if !picks_dedup.contains(&p) {
            picks_dedup.push(p);
        }
    }
    let fill = |t: &str, name: String, n: usize| t.replace("{P}", &name).replace("{N}", &n.to_string());
    let mut en = Vec::new();
    let mut ru = Vec::new();
    for (i, &p) in picks_dedup.iter().enumerate() {
        let n = if i % 2 == 0 { n1 } else { n2 };
        en.push(fill(PHRASES[p].0, format!("{} {}", first.0, last.0), n));
        if !(k % 3 == 0 && i == 2) {
            ru.push(fill(PHRASES[p].1, format!("{} {}", first.1, last.1), n));
        }
    }
    let line =
        |title: String, text: Vec<String>| serde_json::json!({ "title": title, "text": text.join(" ") }).to_string();
    format!(
        "{}\n{}\n",
        line(format!("{} {}: {n1} signatures, {n2} arrests", first.0, last.0), en),
        line(format!("{} {}: {n1} подписей, {n2} задержаний", first.1, last.1), ru)
    )
}

#[test]
fn sentence_alignment_learns_a_lexicon_and_an_incremental_rerun_under_it_equals_a_full_rebuild() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(&input).unwrap();
    for k in 0..30 {
        fs::write(input.join(format!("story{k:03}.jsonl")), story_file(k)).unwrap();
    }
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    let m = common::manifest(&inc);
    assert_eq!(m["counts"]["articles"], 60, "{m}");
    assert!(m["counts"]["alignments"].as_u64().unwrap() >= 25, "versions pair up: {m}");
    assert!(m["counts"]["lexicon_word_pairs"].as_u64().unwrap() >= 10, "a lexicon is learned: {m}");
    let pairs = m["counts"]["alignments"].as_u64().unwrap();
    assert_eq!(m["reused_lessons"], 0);
    // Nothing changed: every pair's links and lessons come from the state.
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(common::manifest(&inc)["reused_sentence_links"], pairs);
    assert!(common::manifest(&inc)["reused_lessons"].as_u64().unwrap() >= pairs * 4 / 5);
    // Six more stories arrive, about people no old story names: the lexicon grows by their names, which no
    // old pair holds on both sides, so every old pair's links are reused; the result is what a full build of
    // the grown corpus writes.
    for k in 30..36 {
        fs::write(input.join(format!("story{k:03}.jsonl")), story_file(k)).unwrap();
    }
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    assert_eq!(reused(&inc), 30);
    let grown = common::manifest(&inc);
    assert_ne!(grown["counts"]["lexicon_word_pairs"], m["counts"]["lexicon_word_pairs"], "{grown}");
    assert_eq!(grown["reused_sentence_links"], pairs, "the word pairs the old pairs use did not change");
    // ... but what the old pairs taught the lexicon (aligned without one) is taken from the state.
    let lessons = grown["reused_lessons"].as_u64().unwrap();
    assert!(lessons >= pairs * 4 / 5 && lessons <= pairs, "{lessons} of {pairs} old pairs' lessons reused");
    let full = d.path().join("full");
    run(&["build", "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
    // The lexicon table lists what was learned: English stems against Russian ones, one to one, each pair met
    // at least twice with a Dice coefficient of at least 0.4.
    let lexicon = common::rows(&full, "lexicon");
    assert_eq!(lexicon.len() as u64, common::manifest(&full)["counts"]["lexicon_word_pairs"].as_u64().unwrap());
    for r in &lexicon {
        assert_eq!((r["lang_a"].as_str(), r["lang_b"].as_str()), ("eng_Latn", "rus_Cyrl"));
        assert!(r["stem_a"].chars().all(|c| c.is_ascii_lowercase()), "{r:?}");
        assert!(r["stem_b"].chars().all(|c| ('а'..='я').contains(&c) || c == 'ё'), "{r:?}");
        assert!(r["meetings"].parse::<u32>().unwrap() >= 2);
        assert!((0.4..=1.0).contains(&r["dice"].parse::<f64>().unwrap()));
    }
    for col in ["stem_a", "stem_b"] {
        let mut stems: Vec<&str> = lexicon.iter().map(|r| r[col].as_str()).collect();
        stems.sort_unstable();
        let n = stems.len();
        stems.dedup();
        assert_eq!(stems.len(), n, "{col}: each stem in one pair");
    }
    // The links of a pair whose sentences were dropped on one side include a one-sided link.
    let links = common::rows(&full, "sentence_alignments");
    assert!(links.iter().any(|r| r["sent_b"].is_empty()), "a dropped sentence is a 1-0 link");

    // Most stories go: word pairs the remaining ones held were learned from the others, so their links are
    // made again under the smaller lexicon, and again the result is a full build's.
    for k in 10..36 {
        fs::remove_file(input.join(format!("story{k:03}.jsonl"))).unwrap();
    }
    run(&["build", "--state"], &[&state, Path::new("--out"), &inc, &input]);
    let shrunk = common::manifest(&inc);
    let left = shrunk["counts"]["alignments"].as_u64().unwrap();
    assert!(left >= 8, "{shrunk}");
    assert!(shrunk["reused_sentence_links"].as_u64().unwrap() < left, "{shrunk}");
    run(&["build", "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
}

/// The state's spill grows by what a rerun processed: unchanged files' records stay where they are. What a
/// killed run appended is cut off; once more than half of the file belongs to files gone or changed, a rerun
/// writes a new, compact one. Every step writes what a full build writes.
#[test]
fn the_state_spill_is_appended_to_and_compacted_when_mostly_dead() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    copy_dir(Path::new("data/sample"), &input, |_| true);
    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    let spills = || -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = fs::read_dir(&state)
            .unwrap()
            .map(|e| e.unwrap())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".spill"))
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.metadata().unwrap().len()))
            .collect();
        v.sort();
        v
    };
    let full_build_equals = |inc: &Path| {
        let full = d.path().join("full");
        fs::remove_dir_all(&full).ok();
        run(&["build", "--out"], &[&full, &input]);
        assert_same_tables(&full, inc);
    };
    build_with_state(&state, &inc, &input, &[]);
    let first = spills();
    assert_eq!(first.len(), 1);

    // A new file: appended to the same spill, which grows by that file's records only.
    fs::write(
        input.join("999_0000000000000001.txt"),
        "A New Headline\n\n\nA first paragraph of 12 words.\n\nA second one.\n",
    )
    .unwrap();
    build_with_state(&state, &inc, &input, &[]);
    let second = spills();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].0, first[0].0, "the same spill file");
    assert!(second[0].1 > first[0].1 && second[0].1 < first[0].1 + first[0].1 / 10, "{first:?} -> {second:?}");
    full_build_equals(&inc);

    // A killed run's tail (bytes no state points to) is cut off by the next run.
    let path = state.join(&second[0].0);
    let mut bytes = fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\x40\x00\x00\x00what a killed run left behind");
    fs::write(&path, bytes).unwrap();
    build_with_state(&state, &inc, &input, &[]);
    assert_eq!(spills(), second, "nothing new, and the killed run's tail is gone");
    assert_eq!(reused(&inc), fs::read_dir(&input).unwrap().count() as u64);
    full_build_equals(&inc);

    // Two thirds of the files gone: the next run still appends (what the chrome learned from fewer files
    // makes it redo a few), the one after that finds the file mostly dead and writes a new one.
    let mut names: Vec<_> = fs::read_dir(&input).unwrap().map(|e| e.unwrap().path()).collect();
    names.sort();
    for (i, p) in names.iter().enumerate() {
        if i % 3 != 0 {
            fs::remove_file(p).unwrap();
        }
    }
    build_with_state(&state, &inc, &input, &[]);
    let third = spills();
    assert_eq!(third.len(), 1);
    assert_eq!(third[0].0, second[0].0, "still the same file");
    full_build_equals(&inc);
    build_with_state(&state, &inc, &input, &[]);
    let compact = spills();
    assert_eq!(compact.len(), 1, "the old spill is removed");
    assert_ne!(compact[0].0, second[0].0, "a new file");
    assert!(compact[0].1 < third[0].1 / 2, "{compact:?} after {third:?}");
    assert_eq!(reused(&inc), fs::read_dir(&input).unwrap().count() as u64, "its records copied, not redone");
    full_build_equals(&inc);
}

fn manifest(out: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap()
}

/// The sample packed as a .tar.zst far larger than `--max-file-bytes`: streamed, every member is read under
/// the cap (each member is, the archive is not); the tables do not depend on the thread count; an incremental
/// rerun reuses the unchanged archive and equals a full rebuild; a new archive beside it is streamed too.
#[test]
fn a_tar_archive_larger_than_the_cap_is_streamed_and_rerun_incrementally() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let tar = common::tar_sorted(Path::new("data/sample"), "sample");
    fs::write(input.join("day.tar.zst"), zstd::encode_all(&tar[..], 3).unwrap()).unwrap();
    let cap = ["--max-file-bytes", "8192"];
    assert!(tar.len() > 8 * 8192, "the archive is far larger than the cap");
    let folder = d.path().join("folder");
    run(&["build", "data/sample", "--out"], &[&folder]);
    let (one, two) = (d.path().join("t1"), d.path().join("t2"));
    run(&["build", cap[0], cap[1], "--threads", "1", "--out"], &[&one, &input]);
    run(&["build", cap[0], cap[1], "--threads", "2", "--out"], &[&two, &input]);
    assert_same_tables(&one, &two);
    let counts = |out: &Path| {
        let mut c = manifest(out)["counts"].clone();
        c.as_object_mut().unwrap().remove("files");
        c
    };
    assert_eq!(counts(&one), counts(&folder), "every member read, as from the folder");
    assert_eq!(manifest(&one)["counts"]["files"], 1);

    let (state, inc) = (d.path().join("state"), d.path().join("inc"));
    build_with_state(&state, &inc, &input, &cap);
    assert_same_tables(&one, &inc);
    // A second archive arrives with one new page.
    let extra = d.path().join("extra");
    fs::create_dir_all(&extra).unwrap();
    fs::write(extra.join("new.txt"), common::page(7, "Osh")).unwrap();
    fs::write(input.join("next.tar"), common::tar_sorted(&extra, "x")).unwrap();
    build_with_state(&state, &inc, &input, &cap);
    assert_eq!(reused(&inc), 1, "the unchanged archive comes from the state");
    let full = d.path().join("full");
    run(&["build", cap[0], cap[1], "--out"], &[&full, &input]);
    assert_same_tables(&full, &inc);
    // One byte of the state's spill flipped: a damaged record sends the whole archive back to be read (the
    // archive's records are checked before any is taken), and the tables are still a full build's.
    let spill = fs::read_dir(&state).unwrap().map(|e| e.unwrap().path()).find(|p| {
        let n = p.file_name().unwrap().to_str().unwrap();
        n.starts_with("articles-") && n.ends_with(".spill")
    });
    let spill = spill.expect("the state has a spill");
    let mut bytes = fs::read(&spill).unwrap();
    let mid = bytes.len() / 3;
    bytes[mid] ^= 0x20;
    fs::write(&spill, bytes).unwrap();
    build_with_state(&state, &inc, &input, &cap);
    assert_eq!(reused(&inc), 1, "one of the two archives is read again");
    assert_same_tables(&full, &inc);
    let articles = manifest(&full)["counts"]["articles"].as_u64().unwrap();
    assert_eq!(articles, manifest(&folder)["counts"]["articles"].as_u64().unwrap() + 1);
}

/// A name given twice in an archive (appended to with `tar -r`): the build reads the last copy, as unpacking
/// would leave it, and the stale one is a reject; the chrome sample's pass over the archive tells the map
/// which is which.
#[test]
fn an_archive_that_gives_a_name_twice_is_built_from_its_last_copy() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in");
    fs::create_dir_all(&input).unwrap();
    let mut b = tar::Builder::new(Vec::new());
    let mut add = |name: &str, body: &str| {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, body.as_bytes()).unwrap();
    };
    add("d/1.txt", &common::page(1, "Osh"));
    add("d/2.txt", &common::page(2, "Naryn"));
    add("d/3.txt", &common::page(3, "Talas"));
    add("d/1.txt", &common::page(4, "Batken"));
    fs::write(input.join("day.tar.gz"), {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &b.into_inner().unwrap()).unwrap();
        gz.finish().unwrap()
    })
    .unwrap();
    let out = d.path().join("out");
    run(&["build", "--out"], &[&out, &input]);
    let articles = common::rows(&out, "articles");
    let titles: Vec<(&str, &str)> = articles.iter().map(|r| (r["source_file"].as_str(), r["title"].as_str())).collect();
    assert_eq!(
        titles,
        [
            ("day.tar.gz/d/2.txt", "Flood Waters Recede In Naryn After 2 Days"),
            ("day.tar.gz/d/3.txt", "Flood Waters Recede In Talas After 3 Days"),
            ("day.tar.gz/d/1.txt", "Flood Waters Recede In Batken After 4 Days"),
        ]
    );
    let rejects = common::rows(&out, "rejects");
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["source_file"], "day.tar.gz/d/1.txt");
    assert!(rejects[0]["detail"].contains("last copy is read"), "{}", rejects[0]["detail"]);
}
