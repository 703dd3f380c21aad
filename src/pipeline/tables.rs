//! Rows of the output tables, built from articles and the corpus-wide results. Each builder makes one
//! chunk (or the whole of a small table); `write::TableWriter` appends chunks as they come.

use crate::align::{Pair, SentenceLink};
use crate::model::{Article, Reject};
use crate::write::{Column, Table, Values};

fn strs<T>(items: &[T], f: impl Fn(&T) -> String) -> Values {
    Values::Str(items.iter().map(f).collect())
}

fn opt_strs<T>(items: &[T], f: impl Fn(&T) -> &str) -> Values {
    Values::OptStr(items.iter().map(|x| Some(f(x)).filter(|s| !s.is_empty()).map(str::to_string)).collect())
}

pub fn articles(a: &[Article]) -> Table {
    Table::new(
        "articles",
        vec![
            Column::new("doc_id", strs(a, |x| x.doc_id.clone())),
            Column::new("source_file", strs(a, |x| x.source_file.clone())),
            Column::new("record", Values::U64(a.iter().map(|x| x.record as u64).collect())),
            Column::new("offset", Values::U64(a.iter().map(|x| x.offset).collect())),
            Column::new("format", strs(a, |x| x.format.clone())),
            Column::new("encoding", strs(a, |x| x.encoding.clone())),
            Column::new("lang", strs(a, |x| x.lang.clone())),
            Column::new("script", strs(a, |x| x.script.clone())),
            Column::new("lang_confidence", Values::F64(a.iter().map(|x| x.lang_confidence).collect())),
            Column::new("lang_runner_up", opt_strs(a, |x| &x.lang_runner_up)),
            Column::new("languages", strs(a, |x| x.languages.clone())),
            Column::new("title", strs(a, |x| x.title.clone())),
            Column::new("caption", opt_strs(a, |x| &x.caption)),
            Column::new("credit", opt_strs(a, |x| &x.credit)),
            Column::new("text", strs(a, |x| x.text.clone())),
            Column::new("n_words", Values::U64(a.iter().map(|x| x.n_words).collect())),
            Column::new("n_chars", Values::U64(a.iter().map(|x| x.n_chars).collect())),
            Column::new("content_hash", strs(a, |x| x.content_hash.clone())),
            Column::new("dup_of", opt_strs(a, |x| &x.dup_of)),
            Column::new("story_id", opt_strs(a, |x| &x.story_id)),
            Column::new("service", opt_strs(a, |x| &x.service)),
            Column::new("url", opt_strs(a, |x| &x.url)),
            Column::new("published", Values::Timestamp(a.iter().map(|x| x.published).collect())),
            Column::new("author", opt_strs(a, |x| &x.author)),
            Column::new("section", opt_strs(a, |x| &x.section)),
            Column::new("english_section", opt_strs(a, |x| &x.english_section)),
            Column::new("article_id", Values::OptU64(a.iter().map(|x| x.article_id).collect())),
            Column::new("image_ids", opt_strs(a, |x| &x.image_ids)),
        ],
    )
}

/// What the pair and story tables need to know of an article.
pub struct Brief {
    pub doc_id: String,
    /// Shared between the articles of a language.
    pub lang: std::sync::Arc<str>,
}

pub fn alignments(briefs: &[Brief], pairs: &[Pair]) -> Table {
    Table::new(
        "alignments",
        vec![
            Column::new("doc_id_a", strs(pairs, |p| briefs[p.a].doc_id.clone())),
            Column::new("doc_id_b", strs(pairs, |p| briefs[p.b].doc_id.clone())),
            Column::new("lang_a", strs(pairs, |p| briefs[p.a].lang.to_string())),
            Column::new("lang_b", strs(pairs, |p| briefs[p.b].lang.to_string())),
            Column::new("score", Values::F64(pairs.iter().map(|p| p.score).collect())),
            Column::new("evidence", strs(pairs, |p| p.evidence.clone())),
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
pub fn sentences(docs: &[(String, Vec<String>)]) -> Table {
    let rows: Vec<(&str, usize, &str)> =
        docs.iter().flat_map(|(d, ss)| ss.iter().enumerate().map(move |(i, s)| (d.as_str(), i, s.as_str()))).collect();
    Table::new(
        "sentences",
        vec![
            Column::new("doc_id", strs(&rows, |r| r.0.to_string())),
            Column::new("sent_idx", Values::U64(rows.iter().map(|r| r.1 as u64).collect())),
            Column::new("text", strs(&rows, |r| r.2.to_string())),
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
