//! What the reduce keeps per article: the duplicate signature, the alignment features, the id and the
//! language — the only per-article state that grows with the corpus (docs/performance.md, "Memory").
//!
//! A single-machine build computes them in the map, from the article it has just made, so the reduce does
//! not read and decode the whole spill once more for them; `merge` (and any build whose map order is not the
//! output order) computes them from the spill. Both go through [`sign`] and [`Signatures::push`] in output
//! order, so the result is the same either way.
//!
//! Alignment keys are many (~150 per article) and most are dropped by the index (too common, or seen once).
//! They go to a side spill as they pass, counted, and come back in [`Signatures::finish`] filtered to the keys
//! the index can use (~9 per article).

use super::spill::{self, SpillReader, SpillWriter};
use super::tables::Brief;
use crate::align::{self, AlignFeatures, KeyCounts};
use crate::dedup::{self, DupSig};
use crate::model::Article;
use anyhow::Result;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File name of the side spill of alignment keys, in the output's staging folder.
pub const KEYS_SPILL: &str = ".keys.spill";

/// One article's signatures, as computed by a worker.
pub struct Signed {
    dup: DupSig,
    feats: AlignFeatures,
    doc_id: String,
}

/// The signatures of one article (pure: any thread, any time).
pub fn sign(a: &Article) -> Signed {
    let mut dup = dedup::signature(&a.lang, &a.text, a.published);
    dup.member = crate::read::in_archive(&a.source_file).then(|| a.source_file.as_str().into());
    Signed { dup, feats: align::features(a), doc_id: a.doc_id.clone() }
}

/// [`Signed`] as the incremental state keeps it (its own encoding, so the dedup and align types need none).
#[derive(serde::Serialize, serde::Deserialize)]
struct SignedRecord {
    doc_id: String,
    dup_lang: String,
    hash: u64,
    paragraphs: Vec<u8>,
    lang: String,
    keys: Vec<u8>,
    n_chars: u32,
    published: Option<i64>,
    article_id: Option<u64>,
    section: u64,
    member: Option<String>,
}

impl Signed {
    /// The bytes the state's spill keeps beside the article.
    pub fn to_bytes(&self) -> Vec<u8> {
        let r = SignedRecord {
            doc_id: self.doc_id.clone(),
            dup_lang: self.dup.lang.clone(),
            hash: self.dup.hash,
            paragraphs: spill::keys_to_bytes(&self.dup.paragraphs),
            lang: self.feats.lang.to_string(),
            keys: spill::keys_to_bytes(&self.feats.keys),
            n_chars: self.feats.n_chars,
            published: self.feats.published,
            article_id: self.feats.article_id,
            section: self.feats.section,
            member: self.dup.member.as_deref().map(str::to_string),
        };
        postcard::to_stdvec(&r).expect("a signature always encodes")
    }

    /// The inverse of [`Signed::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Signed> {
        let r: SignedRecord = postcard::from_bytes(bytes)?;
        Ok(Signed {
            dup: DupSig {
                lang: r.dup_lang,
                hash: r.hash,
                paragraphs: spill::keys_from_bytes(&r.paragraphs)?,
                published: r.published,
                member: r.member.map(String::into_boxed_str),
            },
            feats: AlignFeatures {
                lang: Arc::from(r.lang),
                keys: spill::keys_from_bytes(&r.keys)?,
                n_chars: r.n_chars,
                published: r.published,
                article_id: r.article_id,
                section: r.section,
            },
            doc_id: r.doc_id,
        })
    }
}

/// The signatures of a corpus, pushed in output order.
pub struct Signatures {
    pub dup: Vec<DupSig>,
    pub feats: Vec<AlignFeatures>,
    pub briefs: Vec<Brief>,
    /// One shared copy of each language code.
    langs: Vec<Arc<str>>,
    counts: KeyCounts,
    keys_path: PathBuf,
    keys_w: SpillWriter,
    keys_at: Vec<u64>,
}

impl Signatures {
    /// Starts an empty set whose keys spill to `keys_path`.
    pub fn create(keys_path: &Path, capacity: usize) -> Result<Self> {
        Ok(Signatures {
            dup: Vec::with_capacity(capacity),
            feats: Vec::with_capacity(capacity),
            briefs: Vec::with_capacity(capacity),
            langs: Vec::new(),
            counts: KeyCounts::default(),
            keys_path: keys_path.to_path_buf(),
            keys_w: SpillWriter::create(keys_path)?,
            keys_at: Vec::with_capacity(capacity),
        })
    }

    /// Appends the next article's signatures; its keys go to the side spill, counted.
    pub fn push(&mut self, s: Signed) -> Result<()> {
        let Signed { dup, mut feats, doc_id } = s;
        match self.langs.iter().find(|l| **l == feats.lang) {
            Some(l) => feats.lang = l.clone(),
            None => self.langs.push(feats.lang.clone()),
        }
        self.counts.add(&feats.keys);
        self.keys_at.push(self.keys_w.push_raw(&spill::keys_to_bytes(&feats.keys))?);
        feats.keys = Vec::new();
        self.dup.push(dup);
        self.briefs.push(Brief { doc_id, lang: feats.lang.clone() });
        self.feats.push(feats);
        Ok(())
    }

    /// Closes the key spill once duplicates are known: duplicates are uncounted (the index counts originals
    /// only) and every article gets back the keys the index will use. Returns the features and the briefs.
    pub fn finish(self, dup_of: &[Option<usize>], chunk: usize) -> Result<(Vec<AlignFeatures>, Vec<Brief>)> {
        let Signatures { mut feats, briefs, langs, mut counts, keys_path, keys_w, keys_at, .. } = self;
        keys_w.finish(false)?;
        let keys_r = SpillReader::open(&keys_path)?;
        for (k, d) in dup_of.iter().enumerate() {
            if d.is_some() {
                counts.remove(&spill::keys_from_bytes(&keys_r.raw(keys_at[k])?)?);
            }
        }
        let n_langs = align::story_width(langs.iter().map(|l| &**l));
        for start in (0..feats.len()).step_by(chunk.max(1)) {
            let end = (start + chunk).min(feats.len());
            let keys = (start..end)
                .into_par_iter()
                .map(|k| {
                    let mut keys = spill::keys_from_bytes(&keys_r.raw(keys_at[k])?)?;
                    counts.retain_indexable(&mut keys, n_langs);
                    Ok(keys)
                })
                .collect::<Result<Vec<_>>>()?;
            for (f, keys) in feats[start..end].iter_mut().zip(keys) {
                f.keys = keys;
            }
        }
        drop(keys_r);
        std::fs::remove_file(&keys_path).ok();
        Ok((feats, briefs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article(doc_id: &str, lang: &str, text: &str) -> Article {
        Article {
            doc_id: doc_id.into(),
            lang: lang.into(),
            title: "Report".into(),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn signatures_round_trip_through_the_state_encoding() {
        let mut a = article("a", "rus_Cyrl", "Захарова сообщила, что 390 заключенных освобождены.\n\nВторой абзац.");
        a.published = Some(1_700_000_000_000_000);
        a.article_id = Some(33_123_456);
        a.english_section = "Europe".into();
        let s = sign(&a);
        let back = Signed::from_bytes(&s.to_bytes()).unwrap();
        assert_eq!((&back.dup, &back.feats, &back.doc_id), (&s.dup, &s.feats, &s.doc_id));
        assert!(!back.feats.keys.is_empty() && back.dup.paragraphs.len() == 2);
        assert!(Signed::from_bytes(&s.to_bytes()[..10]).is_err(), "a cut record is an error");
    }

    #[test]
    fn keys_come_back_filtered_and_languages_are_shared() {
        let d = tempfile::tempdir().unwrap();
        let texts = [
            ("a", "eng_Latn", "Zakharova said 390 prisoners were freed in Bishkek on Tuesday."),
            ("b", "rus_Cyrl", "Захарова сообщила, что 390 заключенных освобождены в Бишкеке во вторник."),
            ("c", "eng_Latn", "Zakharova said 390 prisoners were freed in Bishkek on Tuesday."),
            ("d", "kir_Cyrl", "Бишкекте шейшемби күнү 390 камак жазасындагы адам бошотулду."),
        ];
        let articles: Vec<Article> = texts.iter().map(|(i, l, t)| article(i, l, t)).collect();
        let mut sigs = Signatures::create(&d.path().join(KEYS_SPILL), 4).unwrap();
        for a in &articles {
            sigs.push(sign(a)).unwrap();
        }
        assert_eq!(sigs.feats.len(), 4);
        assert!(sigs.feats.iter().all(|f| f.keys.is_empty()), "keys wait in the side spill");
        assert!(Arc::ptr_eq(&sigs.feats[0].lang, &sigs.feats[2].lang), "one copy of each language code");
        let dup_of = dedup::find_duplicates(&sigs.dup, &[0; 4]);
        assert_eq!(dup_of, [None, None, Some(0), None]);
        let (feats, briefs) = sigs.finish(&dup_of, 3).unwrap();
        assert_eq!(briefs.iter().map(|b| b.doc_id.as_str()).collect::<Vec<_>>(), ["a", "b", "c", "d"]);
        assert!(!d.path().join(KEYS_SPILL).exists(), "the side spill is removed");
        // What comes back is what the index keeps: the keys counted over originals, filtered.
        let all: Vec<Vec<u64>> = articles.iter().map(|a| align::features(a).keys).collect();
        let mut counts = KeyCounts::default();
        for (k, keys) in all.iter().enumerate() {
            if dup_of[k].is_none() {
                counts.add(keys);
            }
        }
        for (k, f) in feats.iter().enumerate() {
            let mut want = all[k].clone();
            counts.retain_indexable(&mut want, 3);
            assert_eq!(f.keys, want, "article {k}");
        }
        assert!(feats[0].keys.iter().any(|k| feats[1].keys.contains(k)), "the shared number survives the filter");
    }
}
