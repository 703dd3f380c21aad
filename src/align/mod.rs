//! Align stage: versions of one story across languages. (Placeholder: interface only; clusters hold copies.)

use crate::model::Article;

/// What alignment keeps per article (small: it lives for the whole corpus).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlignFeatures {
    pub lang: String,
}

pub fn features(a: &Article) -> AlignFeatures {
    AlignFeatures { lang: a.lang.clone() }
}

/// Two articles linked as versions of one story.
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub score: f64,
    pub evidence: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlignResult {
    pub pairs: Vec<Pair>,
    /// Cluster number of each article, `None` for a story with a single version.
    pub story_of: Vec<Option<usize>>,
}

/// Aligns the corpus. `dup_of[i]` is the article that `i` repeats.
pub fn align(feats: &[AlignFeatures], dup_of: &[Option<usize>]) -> AlignResult {
    let mut story_of = vec![None; feats.len()];
    for (i, d) in dup_of.iter().enumerate() {
        if let Some(j) = d {
            story_of[*j] = Some(*j);
            story_of[i] = Some(*j);
        }
    }
    AlignResult { pairs: Vec::new(), story_of }
}

/// One link between sentence ranges of two aligned articles (`"3"` or `"3-4"`, 0-based).
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceLink {
    pub sent_a: String,
    pub sent_b: String,
    pub score: f64,
}

pub fn align_sentences(_a: &[String], _b: &[String]) -> Vec<SentenceLink> {
    Vec::new()
}
