//! rferl-corpus: RFE/RL article dumps in, research tables out.
//!
//! The data flow, one module per stage:
//!
//! ```text
//! read      files → Records (decompressed, decoded)              | Rejects
//! extract   Record → Extracted story (title, caption, credit, body, metadata)
//! identify  text → language, script, confidence
//! normalise text → NFC, white space, per-script repairs; sentences
//! dedup     corpus-wide: republications (dup_of)
//! align     corpus-wide: versions of one story across languages (story_id, pairs, sentence pairs)
//! write     tables → CSV + Parquet, staged and moved into place
//! ```
//!
//! [`services`] is shared knowledge, not a stage: RFE/RL's hosts, the names its services sign with and their
//! languages (a text dump's service box names its service; a service's languages are a prior for `identify`).
//!
//! [`pipeline`] runs them: a parallel map over records (read → extract → identify → normalise → signatures)
//! and a corpus-wide reduce (chrome learning before extraction; dedup and align after), then the writers.

// The documentation is for people working on the pipeline, so public items link to the private ones they
// explain (a constant, a helper); read it with `cargo doc --document-private-items`, which scripts/test.sh
// builds with warnings as errors.
#![allow(rustdoc::private_intra_doc_links)]

pub mod align;
pub mod dedup;
pub mod extract;
pub mod identify;
pub mod model;
pub mod normalise;
pub mod pipeline;
pub mod read;
pub mod report;
pub mod services;
pub mod write;
