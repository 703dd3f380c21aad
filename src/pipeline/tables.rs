//! Rows of the output tables, built from articles and the corpus-wide results. Each builder makes one
//! chunk (or the whole of a small table); `write::TableWriter` appends chunks as they come.

use crate::align::lexicon::LexiconEntry;
use crate::align::{CopyPair, Pair, SentenceLink};
use crate::model::{Article, Reject};
use crate::write::{Column, Table, Values};

fn strs<T>(items: &[T], f: impl Fn(&T) -> String) -> Values {
    Values::Str(items.iter().map(f).collect())
}

fn take_strs<T>(items: &mut [T], f: impl Fn(&mut T) -> &mut String) -> Values {
    Values::Str(items.iter_mut().map(|x| std::mem::take(f(x))).collect())
}

fn take_opt_strs<T>(items: &mut [T], f: impl Fn(&mut T) -> &mut String) -> Values {
    Values::OptStr(items.iter_mut().map(|x| Some(std::mem::take(f(x))).filter(|s| !s.is_empty())).collect())
}

/// The articles table of a chunk. Takes the articles: their strings move into the columns, uncopied (the
/// text is most of the output's bytes).
pub fn articles(mut a: Vec<Article>) -> Table {
    let a = &mut a[..];
    Table::new(
        "articles",
        vec![
            Column::new("doc_id", take_strs(a, |x| &mut x.doc_id)),
            Column::new("source_file", take_strs(a, |x| &mut x.source_file)),
            Column::new("record", Values::U64(a.iter().map(|x| x.record as u64).collect())),
            Column::new("offset", Values::U64(a.iter().map(|x| x.offset).collect())),
            Column::new("format", take_strs(a, |x| &mut x.format)),
            Column::new("encoding", take_strs(a, |x| &mut x.encoding)),
            Column::new("lang", take_strs(a, |x| &mut x.lang)),
            Column::new("script", take_strs(a, |x| &mut x.script)),
            Column::new("lang_confidence", Values::F64(a.iter().map(|x| x.lang_confidence).collect())),
            Column::new("lang_runner_up", take_opt_strs(a, |x| &mut x.lang_runner_up)),
            Column::new("languages", take_strs(a, |x| &mut x.languages)),
            Column::new("title", take_strs(a, |x| &mut x.title)),
            Column::new("caption", take_opt_strs(a, |x| &mut x.caption)),
            Column::new("credit", take_opt_strs(a, |x| &mut x.credit)),
            Column::new("text", take_strs(a, |x| &mut x.text)),
            Column::new("n_words", Values::U64(a.iter().map(|x| x.n_words).collect())),
            Column::new("n_chars", Values::U64(a.iter().map(|x| x.n_chars).collect())),
            Column::new("content_hash", take_strs(a, |x| &mut x.content_hash)),
            Column::new("dup_of", take_opt_strs(a, |x| &mut x.dup_of)),
            Column::new("story_id", take_opt_strs(a, |x| &mut x.story_id)),
            Column::new("service", take_opt_strs(a, |x| &mut x.service)),
            Column::new("url", take_opt_strs(a, |x| &mut x.url)),
            Column::new("published", Values::Timestamp(a.iter().map(|x| x.published).collect())),
            Column::new("author", take_opt_strs(a, |x| &mut x.author)),
            Column::new("section", take_opt_strs(a, |x| &mut x.section)),
            Column::new("english_section", take_opt_strs(a, |x| &mut x.english_section)),
            Column::new("article_id", Values::OptU64(a.iter().map(|x| x.article_id).collect())),
            Column::new("image_ids", take_opt_strs(a, |x| &mut x.image_ids)),
        ],
    )
}

/// What the pair and story tables need to know of an article.
pub struct Brief {
    pub doc_id: String,
    /// Shared between the articles of a language.
    pub lang: std::sync::Arc<str>,
}

/// Each pair of originals, followed by the pairs its republications inherit (`via_duplicate`).
pub fn alignments(briefs: &[Brief], pairs: &[Pair], copies: &[CopyPair]) -> Table {
    let mut rows: Vec<(usize, usize, &Pair, bool)> = Vec::with_capacity(pairs.len() + copies.len());
    let mut rest = copies;
    for (k, p) in pairs.iter().enumerate() {
        rows.push((p.a, p.b, p, false));
        let n = rest.iter().take_while(|c| c.pair == k).count();
        rows.extend(rest[..n].iter().map(|c| (c.a, c.b, p, true)));
        rest = &rest[n..];
    }
    Table::new(
        "alignments",
        vec![
            Column::new("doc_id_a", strs(&rows, |r| briefs[r.0].doc_id.clone())),
            Column::new("doc_id_b", strs(&rows, |r| briefs[r.1].doc_id.clone())),
            Column::new("lang_a", strs(&rows, |r| briefs[r.0].lang.to_string())),
            Column::new("lang_b", strs(&rows, |r| briefs[r.1].lang.to_string())),
            Column::new("score", Values::F64(rows.iter().map(|r| r.2.score).collect())),
            Column::new("evidence", strs(&rows, |r| r.2.evidence.clone())),
            Column::new("via_duplicate", Values::Bool(rows.iter().map(|r| r.3).collect())),
        ],
    )
}

/// One story: id, member count, sorted distinct languages, representative title.
pub struct StoryRow {
    pub story_id: String,
    pub n_articles: u64,
    pub languages: Vec<String>,
    pub title: String,
}

pub fn stories(rows: &[StoryRow]) -> Table {
    Table::new(
        "stories",
        vec![
            Column::new("story_id", strs(rows, |r| r.story_id.clone())),
            Column::new("n_articles", Values::U64(rows.iter().map(|r| r.n_articles).collect())),
            Column::new("n_languages", Values::U64(rows.iter().map(|r| r.languages.len() as u64).collect())),
            Column::new("languages", strs(rows, |r| r.languages.join(" "))),
            Column::new("title", strs(rows, |r| r.title.clone())),
        ],
    )
}

pub fn rejects(rejects: &[Reject]) -> Table {
    Table::new(
        "rejects",
        vec![
            Column::new("source_file", strs(rejects, |r| r.source_file.clone())),
            Column::new("record", Values::OptU64(rejects.iter().map(|r| r.record.map(u64::from)).collect())),
            Column::new("reason", strs(rejects, |r| r.reason.as_str().to_string())),
            Column::new("detail", strs(rejects, |r| r.detail.clone())),
        ],
    )
}

/// Sentences of a chunk of articles: (doc_id, sentences) in order.
/// Takes the sentences: they move into the text column, uncopied.
pub fn sentences(docs: Vec<(String, Vec<String>)>) -> Table {
    let n: usize = docs.iter().map(|(_, ss)| ss.len()).sum();
    let (mut doc_ids, mut idx, mut texts) = (Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
    for (d, ss) in docs {
        for (i, s) in ss.into_iter().enumerate() {
            doc_ids.push(d.clone());
            idx.push(i as u64);
            texts.push(s);
        }
    }
    Table::new(
        "sentences",
        vec![
            Column::new("doc_id", Values::Str(doc_ids)),
            Column::new("sent_idx", Values::U64(idx)),
            Column::new("text", Values::Str(texts)),
        ],
    )
}

/// Sentence links of a chunk of pairs: (doc_id_a, doc_id_b, links).
pub fn sentence_alignments(links: &[(String, String, Vec<SentenceLink>)]) -> Table {
    let rows: Vec<(&str, &str, &SentenceLink)> =
        links.iter().flat_map(|(a, b, ls)| ls.iter().map(move |l| (a.as_str(), b.as_str(), l))).collect();
    Table::new(
        "sentence_alignments",
        vec![
            Column::new("doc_id_a", strs(&rows, |r| r.0.to_string())),
            Column::new("doc_id_b", strs(&rows, |r| r.1.to_string())),
            Column::new("sent_a", strs(&rows, |r| r.2.sent_a.clone())),
            Column::new("sent_b", strs(&rows, |r| r.2.sent_b.clone())),
            Column::new("score", Values::F64(rows.iter().map(|r| r.2.score).collect())),
        ],
    )
}

/// The word pairs sentence alignment learned from its first pass (see `align::lexicon`).
pub fn lexicon(e: &[LexiconEntry]) -> Table {
    Table::new(
        "lexicon",
        vec![
            Column::new("lang_a", strs(e, |x| x.lang_a.clone())),
            Column::new("lang_b", strs(e, |x| x.lang_b.clone())),
            Column::new("stem_a", strs(e, |x| x.stem_a.clone())),
            Column::new("stem_b", strs(e, |x| x.stem_b.clone())),
            Column::new("meetings", Values::U64(e.iter().map(|x| u64::from(x.meetings)).collect())),
            Column::new("dice", Values::F64(e.iter().map(|x| x.dice).collect())),
        ],
    )
}
