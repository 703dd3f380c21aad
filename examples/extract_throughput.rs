//! Extraction throughput on one core: reads every file of a folder (decompress, decode), learns the text
//! dumps' chrome, extracts every record, and prints pages per second for the read and extract steps.
//!
//! Usage: `cargo run --release --example extract_throughput -- DIR [ROUNDS]`
//! Runs on the calling thread only, so the figure is per core. Figures go into docs/formats.md.

use rferl_corpus::extract::{self, ChromeModel};
use rferl_corpus::model::Format;
use rferl_corpus::read::{self, ReadLimits};
use std::path::PathBuf;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: extract_throughput DIR [ROUNDS]");
        std::process::exit(2);
    };
    let rounds: u32 = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let (files, _) = read::discover(&[PathBuf::from(&dir)]);
    let mut best_read = f64::MAX;
    let mut best_extract = f64::MAX;
    let (mut n_records, mut n_ok, mut bytes) = (0usize, 0usize, 0usize);
    for _ in 0..rounds {
        let t = Instant::now();
        let records: Vec<_> = files.iter().flat_map(|f| read::read_file(f, ReadLimits::default()).records).collect();
        best_read = best_read.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let chrome =
            ChromeModel::learn(records.iter().filter(|r| r.format == Format::Text).map(|r| r.content.as_str()));
        n_ok = records.iter().filter(|r| extract::extract(r, &chrome).is_ok()).count();
        best_extract = best_extract.min(t.elapsed().as_secs_f64());
        n_records = records.len();
        bytes = records.iter().map(|r| r.content.len()).sum();
    }
    println!(
        "{dir}: {} files, {n_records} records ({:.1} MB decoded), {n_ok} extracted; best of {rounds} on one core:",
        files.len(),
        bytes as f64 / 1e6
    );
    println!("  read (decompress+decode): {:>8.0} pages/s", n_records as f64 / best_read);
    println!(
        "  extract (incl. chrome):   {:>8.0} pages/s  ({:.1} MB/s)",
        n_records as f64 / best_extract,
        bytes as f64 / 1e6 / best_extract
    );
}
