//! The articles and sentences tables: every article streamed from the spill, in output order, with its
//! corpus-wide cells (`dup_of`, `story_id`) filled in, cut into Parquet row groups at boundaries chosen by the
//! articles' ids.
//!
//! Why boundaries by id: a rerun with `--state` copies every row group whose articles did not change from
//! the previous run's Parquet file instead of encoding it again (encoding is most of a rerun's cost
//! otherwise). A group closes after an article whose id hashes to 0 modulo the mean group size
//! (`--row-group-articles`, 1,024 by default), or at four times that many articles (see [`row_groups`]), so a
//! new article changes only the group it falls in, and articles appended at the end of the input order (a
//! nightly's new files) change only the last group. A group is known by a
//! fingerprint of its articles' spill records; the state keeps the fingerprints of the previous files' groups.
//! The same boundaries are made with or without `--state`, so the files are the same.
//!
//! The corpus-wide cells are not part of the fingerprint: one new article can move a few hundred old ones
//! into another story (clusters merge, a candidate key passes its cap), which would touch most groups of the
//! table. The `dup_of` and `story_id` column chunks of a copied group are encoded afresh instead (they are
//! short strings, and known without decoding any article); every other column chunk is copied.
//!
//! CSV rows are copied from the previous run's tables per article (see `state::Rows`), file to file, as byte
//! ranges the writer hands to the kernel (`write::CsvPiece`); an article is decoded
//! from the spill only when a table's group has to be encoded, its CSV rows cannot be copied, or it belongs to
//! a story (the stories table takes its title and language).

use super::state::{self, PrevTables, Rows};
use super::tables::{self, Brief, StoryRow};
use crate::model::Article;
use crate::normalise;
use crate::write::{self, push_piece, CsvOptions, CsvPiece, Formats, PrevParquet, TableWriter};
use anyhow::Result;
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::Path;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// The row groups of `n` articles whose ids `doc_id(k)` gives, as ranges of output positions: a group ends
/// after an article whose id hashes to 0 modulo `mean`, or when it holds `4 × mean` articles (so that a group
/// held in memory while it is encoded stays bounded), or at the end.
pub fn row_groups<'a>(n: usize, mean: u64, doc_id: impl Fn(usize) -> &'a str) -> Vec<Range<usize>> {
    let mean = mean.max(1);
    let max = usize::try_from(mean.saturating_mul(4)).unwrap_or(usize::MAX);
    let mut groups = Vec::new();
    let mut start = 0;
    for k in 0..n {
        if xxh3_64(doc_id(k).as_bytes()) % mean == 0 || k + 1 - start == max || k + 1 == n {
            groups.push(start..k + 1);
            start = k + 1;
        }
    }
    groups
}

/// The previous run's Parquet tables of articles and sentences, and the fingerprints of their row groups.
pub struct PrevGroups {
    pub articles: PrevParquet,
    pub sentences: PrevParquet,
    /// Fingerprint → row group, per table.
    pub article_groups: HashMap<u64, usize>,
    pub sentence_groups: HashMap<u64, usize>,
}

/// The fingerprint of a group: `ident` is each article's checksum of its spill records, which hold
/// everything its rows are made of but the corpus-wide cells.
fn fingerprint(group: Range<usize>, ident: &[u64]) -> u64 {
    let mut h = Xxh3::new();
    for k in group {
        h.update(&ident[k].to_le_bytes());
    }
    h.digest()
}

/// The columns of the articles table that a copied row group encodes afresh (see the module docs).
fn corpus_columns(corpus: &Corpus, group: Range<usize>) -> write::Table {
    let opt = |s: Option<&String>| s.filter(|s| !s.is_empty()).cloned();
    let dup = group.clone().map(|k| opt(corpus.dup_of[k].map(|j| &corpus.briefs[j].doc_id))).collect();
    let story = group.map(|k| opt(corpus.story_of[k].map(|s| &corpus.story_ids[s]))).collect();
    write::Table::new(
        "articles",
        vec![
            write::Column::new("dup_of", write::Values::OptStr(dup)),
            write::Column::new("story_id", write::Values::OptStr(story)),
        ],
    )
}

/// What the writer needs to know of the corpus.
pub struct Corpus<'a> {
    pub fetch: &'a (dyn Fn(usize) -> Result<Article> + Sync),
    pub briefs: &'a [Brief],
    pub dup_of: &'a [Option<usize>],
    pub story_of: &'a [Option<usize>],
    pub story_ids: &'a [String],
}

/// With `--state`: what the previous run left to copy from, and what to keep for the next one.
pub struct Incremental<'a> {
    /// Per article, the checksum of its spill records (see [`fingerprint`]).
    pub ident: &'a [u64],
    /// The previous run's CSV tables and, per article, its rows there if it was reused.
    pub prev_rows: Option<(&'a PrevTables, &'a [Option<Rows>])>,
    pub prev_groups: Option<&'a PrevGroups>,
}

/// The fingerprints of the row groups of the articles and the sentences table, in file order.
pub type GroupPrints = (Vec<u64>, Vec<u64>);

/// What writing the two tables yields besides the files.
#[derive(Default)]
pub struct Written {
    pub by_lang: BTreeMap<String, u64>,
    pub story_rows: BTreeMap<usize, StoryRow>,
    /// With `--state` and CSV: per article, where its rows landed.
    pub rows: Vec<Rows>,
    /// With `--state` and Parquet: the fingerprints of the row groups written, per table.
    pub groups: Option<GroupPrints>,
    /// Row groups copied from the previous run, per table.
    pub copied_groups: (u64, u64),
}

/// One group's worth of a table for its writer thread.
enum Piece {
    /// Rows to encode, and their CSV if already made (or to be copied).
    Rows(write::Table, Option<Vec<CsvPiece>>),
    /// A row group to copy from the previous file, the columns to encode afresh, and the group's CSV.
    Copy(usize, write::Table, Vec<CsvPiece>),
}

fn drain(mut w: TableWriter, prev: Option<&PrevParquet>, rx: std::sync::mpsc::Receiver<Piece>) -> Result<usize> {
    for piece in rx {
        match piece {
            Piece::Rows(t, Some(csv)) => w.write_encoded(&t, &csv)?,
            Piece::Rows(t, None) => w.write(&t)?,
            Piece::Copy(g, fresh, csv) => {
                w.copy_group(prev.expect("copies are sent only with a previous file"), g, &fresh, &csv)?
            }
        }
        w.end_group()?;
    }
    w.finish()
}

/// How the two tables are written.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub formats: Formats,
    pub csv: CsvOptions,
    /// Articles per row group, on average (see [`row_groups`]).
    pub group_mean: u64,
}

/// Writes `articles` and `sentences` (CSV and/or Parquet per `formats`) into `dir`.
pub fn write(
    dir: &Path,
    layout: Layout,
    corpus: &Corpus,
    incr: Option<&Incremental>,
    bar: &ProgressBar,
) -> Result<Written> {
    let Layout { formats, csv, group_mean } = layout;
    let n = corpus.briefs.len();
    let mut art_w = TableWriter::create_grouped(dir, &tables::articles(Vec::new()), formats, csv)?;
    let mut sent_w = TableWriter::create_grouped(dir, &tables::sentences(Vec::new()), formats, csv)?;
    // Copied CSV rows go from the previous run's files to the new ones by the kernel, never through memory.
    if let Some((t, _)) = incr.and_then(|i| i.prev_rows).filter(|_| formats.csv) {
        art_w.copy_csv_from(t.articles.try_clone()?);
        sent_w.copy_csv_from(t.sentences.try_clone()?);
    }
    // With `--state`, CSV rows are made (or copied) per article, and where they land is kept.
    let track_rows = incr.is_some() && formats.csv;
    // An article's corpus-wide cells, hashed: known without decoding it.
    let cells: Vec<u64> = match incr {
        Some(_) => (0..n)
            .into_par_iter()
            .map(|k| {
                let dup = corpus.dup_of[k].map(|j| corpus.briefs[j].doc_id.as_str()).unwrap_or("");
                let story = corpus.story_of[k].map(|s| corpus.story_ids[s].as_str()).unwrap_or("");
                state::corpus_cells(dup, story)
            })
            .collect(),
        None => Vec::new(),
    };
    let prev_groups = incr.and_then(|i| i.prev_groups).filter(|_| formats.parquet);
    let keep_groups = incr.is_some() && formats.parquet;
    let mut out = Written { groups: keep_groups.then(Default::default), ..Default::default() };
    let mut art_pos = write::csv_header(&tables::articles(Vec::new()))?.len() as u64;
    let mut sent_pos = write::csv_header(&tables::sentences(Vec::new()))?.len() as u64;

    std::thread::scope(|scope| -> Result<()> {
        let (art_tx, art_rx) = std::sync::mpsc::sync_channel::<Piece>(1);
        let (sent_tx, sent_rx) = std::sync::mpsc::sync_channel::<Piece>(1);
        let art_writer = scope.spawn(move || drain(art_w, prev_groups.map(|p| &p.articles), art_rx));
        let sent_writer = scope.spawn(move || drain(sent_w, prev_groups.map(|p| &p.sentences), sent_rx));
        let mut produce = || -> Result<()> {
            for group in row_groups(n, group_mean, |k| &corpus.briefs[k].doc_id) {
                let (start, end) = (group.start, group.end);
                let fp = incr.map(|i| fingerprint(group.clone(), i.ident));
                let lookup = |table: fn(&PrevGroups) -> &HashMap<u64, usize>| {
                    prev_groups.zip(fp).and_then(|(p, fp)| table(p).get(&fp).copied())
                };
                let copy_art = lookup(|p| &p.article_groups);
                let copy_sent = lookup(|p| &p.sentence_groups);
                let encode_tables = copy_art.is_none() || copy_sent.is_none();
                // Per article: where its CSV rows are in the previous run's files if they can be copied, and the
                // article (with its sentences) if it had to be decoded.
                type Item = (Option<Rows>, Option<(Article, Vec<String>)>);
                let items: Vec<Item> = group
                    .clone()
                    .into_par_iter()
                    .map(|k| {
                        let copied = match (track_rows, incr.and_then(|i| i.prev_rows)) {
                            (true, Some((_, p))) => p[k].filter(|r| r.corpus_cells == cells[k]),
                            _ => None,
                        };
                        let decode = encode_tables || (track_rows && copied.is_none()) || corpus.story_of[k].is_some();
                        if !decode {
                            return Ok((copied, None));
                        }
                        let mut a = (corpus.fetch)(k)?;
                        if let Some(j) = corpus.dup_of[k] {
                            a.dup_of = corpus.briefs[j].doc_id.clone();
                        }
                        if let Some(s) = corpus.story_of[k] {
                            a.story_id = corpus.story_ids[s].clone();
                        }
                        // Sentences are split only for a sentences group that is encoded, or a CSV row made.
                        let sentences = match copy_sent.is_none() || (track_rows && copied.is_none()) {
                            true => normalise::split_sentences(&a.text, &a.lang),
                            false => Vec::new(),
                        };
                        Ok((copied, Some((a, sentences))))
                    })
                    .collect::<Result<_>>()?;

                for (k, (_, fetched)) in group.clone().zip(&items) {
                    let lang = &corpus.briefs[k].lang;
                    match out.by_lang.get_mut(&**lang) {
                        Some(c) => *c += 1,
                        None => drop(out.by_lang.insert(lang.to_string(), 1)),
                    }
                    if let (Some(s), Some((a, _))) = (corpus.story_of[k], fetched) {
                        let row = out.story_rows.entry(s).or_insert_with(|| StoryRow {
                            story_id: corpus.story_ids[s].clone(),
                            n_articles: 0,
                            languages: Vec::new(),
                            title: a.title.clone(),
                        });
                        row.n_articles += 1;
                        if !row.languages.contains(&a.lang) {
                            row.languages.push(a.lang.clone());
                        }
                        // The representative title: the English version's if there is one (most readers
                        // share it).
                        if a.lang == "eng_Latn"
                            && !row.languages.iter().take(row.languages.len() - 1).any(|l| l == "eng_Latn")
                        {
                            row.title = a.title.clone();
                        }
                    }
                }

                // The tables of the group, for the tables that are encoded; articles decoded only for their
                // CSV rows get one-row tables of their own.
                let (copied, fetched): (Vec<_>, Vec<_>) = items.into_iter().unzip();
                let n_sentences: Vec<usize> = fetched.iter().map(|f| f.as_ref().map_or(0, |(_, s)| s.len())).collect();
                let (art_t, sent_t, singles) = if encode_tables {
                    let (articles, sentences): (Vec<Article>, Vec<Vec<String>>) =
                        fetched.into_iter().map(|f| f.expect("every article is decoded")).unzip();
                    let docs = articles.iter().map(|a| a.doc_id.clone()).zip(sentences).collect();
                    (Some(tables::articles(articles)), Some(tables::sentences(docs)), Vec::new())
                } else {
                    let singles: Vec<Option<(write::Table, write::Table)>> = fetched
                        .into_iter()
                        .zip(&copied)
                        .map(|(f, c)| match (f, c) {
                            (Some((a, s)), None) if track_rows => {
                                let doc = a.doc_id.clone();
                                Some((tables::articles(vec![a]), tables::sentences(vec![(doc, s)])))
                            }
                            _ => None,
                        })
                        .collect();
                    (None, None, singles)
                };

                let (mut art_csv, mut sent_csv) = (None, None);
                if track_rows {
                    let mut sent_start = Vec::with_capacity(n_sentences.len() + 1);
                    sent_start.push(0);
                    for c in &n_sentences {
                        sent_start.push(sent_start.last().copied().unwrap_or(0) + c);
                    }
                    let encoded = copied
                        .into_par_iter()
                        .enumerate()
                        .map(|(i, c)| {
                            if let Some(r) = c {
                                let (a, s) = (r.article, r.sentences);
                                return Ok((CsvPiece::Previous(a.0, a.1), CsvPiece::Previous(s.0, s.1)));
                            }
                            let (mut a, mut s) = (Vec::new(), Vec::new());
                            match (&art_t, &sent_t, singles.get(i).and_then(|x| x.as_ref())) {
                                (Some(at), Some(st), _) => {
                                    write::csv_rows(at, i..i + 1, csv, &mut a)?;
                                    write::csv_rows(st, sent_start[i]..sent_start[i + 1], csv, &mut s)?;
                                }
                                (_, _, Some((at, st))) => {
                                    write::csv_rows(at, 0..1, csv, &mut a)?;
                                    write::csv_rows(st, 0..st.len(), csv, &mut s)?;
                                }
                                _ => anyhow::bail!("an article's CSV rows were neither copied nor made"),
                            }
                            Ok((CsvPiece::Bytes(a), CsvPiece::Bytes(s)))
                        })
                        .collect::<Result<Vec<_>>>()?;
                    let (mut a_all, mut s_all) = (Vec::new(), Vec::new());
                    for (i, (a, s)) in encoded.into_iter().enumerate() {
                        let k = start + i;
                        let (na, ns) = (a.len(), s.len());
                        out.rows.push(Rows {
                            article: (art_pos, na),
                            sentences: (sent_pos, ns),
                            corpus_cells: cells[k],
                        });
                        (art_pos, sent_pos) = (art_pos + na, sent_pos + ns);
                        push_piece(&mut a_all, a);
                        push_piece(&mut s_all, s);
                    }
                    (art_csv, sent_csv) = (Some(a_all), Some(s_all));
                }

                // The fingerprints of the groups this run writes (a sentences group with no rows is none).
                if let (Some(kept), Some(fp)) = (&mut out.groups, fp) {
                    kept.0.push(fp);
                    let has_sentences = copy_sent.is_some() || sent_t.as_ref().is_some_and(|t| !t.is_empty());
                    if has_sentences {
                        kept.1.push(fp);
                    }
                }
                out.copied_groups.0 += u64::from(copy_art.is_some());
                out.copied_groups.1 += u64::from(copy_sent.is_some());
                let art_piece = match copy_art {
                    Some(g) => Piece::Copy(g, corpus_columns(corpus, group.clone()), art_csv.unwrap_or_default()),
                    None => Piece::Rows(art_t.expect("encoded"), art_csv),
                };
                let sent_piece = match copy_sent {
                    Some(g) => Piece::Copy(g, write::Table::new("sentences", Vec::new()), sent_csv.unwrap_or_default()),
                    None => Piece::Rows(sent_t.expect("encoded"), sent_csv),
                };
                // A send fails only when a writer stopped on an error; its join below reports it.
                if sent_tx.send(sent_piece).is_err() || art_tx.send(art_piece).is_err() {
                    break;
                }
                bar.inc((end - start) as u64);
            }
            Ok(())
        };
        let produced = produce();
        drop((art_tx, sent_tx));
        let arts = art_writer.join().map_err(|_| anyhow::anyhow!("the articles writer thread panicked"))?;
        let sents = sent_writer.join().map_err(|_| anyhow::anyhow!("the sentences writer thread panicked"))?;
        let (arts, sents) = (arts?, sents?);
        produced?;
        // The fingerprints must name the groups as the files hold them, or a later copy would take the wrong one.
        if let Some((a, s)) = &out.groups {
            anyhow::ensure!(
                (a.len(), s.len()) == (arts, sents),
                "row groups written ({arts}, {sents}) do not match their fingerprints ({}, {})",
                a.len(),
                s.len()
            );
        }
        Ok(())
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::row_groups;
    use std::collections::BTreeSet;

    /// The groups of `ids`, each as the list of its ids.
    fn groups(ids: &[String], mean: u64) -> BTreeSet<Vec<String>> {
        row_groups(ids.len(), mean, |k| &ids[k]).into_iter().map(|r| ids[r].to_vec()).collect()
    }

    #[test]
    fn a_new_article_changes_only_the_group_it_falls_in() {
        let ids: Vec<String> = (0..3000).map(|i| format!("{:016x}", i * 7919)).collect();
        let before = groups(&ids, 16);
        assert!((100..400).contains(&before.len()), "{} groups of 3000 at a mean of 16", before.len());
        assert!(before.iter().all(|g| g.len() <= 64), "no group passes 4 × the mean");
        assert_eq!(before.iter().map(Vec::len).sum::<usize>(), 3000);

        let mut inserted = ids.clone();
        inserted.insert(1500, "a new one".into());
        let after = groups(&inserted, 16);
        // The group it joined is new; a hash that ends a group splits that one in two.
        let new = after.difference(&before).count();
        assert!((1..=2).contains(&new), "{new} groups changed");
        assert!(before.difference(&after).count() == 1, "one old group is gone");

        let mut appended = ids.clone();
        appended.extend((0..40).map(|i| format!("appended {i}")));
        let after = groups(&appended, 16);
        let last = row_groups(ids.len(), 16, |k| &ids[k]).pop().unwrap();
        let gone: Vec<_> = before.difference(&after).collect();
        assert!(gone.len() <= 1 && gone.iter().all(|g| g[0] == ids[last.start]), "only the last group can change");
    }
}
