//! `x.txt.gz` through `read_bytes`. The first byte picks how the rest is presented: as it is (libFuzzer finds
//! the gzip and zstd headers by itself), gzip- or zstd-compressed whole, or compressed and then cut short, so
//! that truncated and corrupt streams over real content are reached in every run.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rferl_corpus::read::{read_bytes, ReadLimits};
use std::io::Write;

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(data).expect("writing to a Vec");
    gz.finish().expect("writing to a Vec")
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let bytes = match mode % 5 {
        0 => rest.to_vec(),
        1 => gzip(rest),
        2 => {
            let mut z = gzip(rest);
            z.truncate(z.len() * (mode as usize / 5 + 1) / 53);
            z
        }
        3 => zstd::encode_all(rest, 1).expect("zstd into a Vec"),
        _ => {
            let mut z = zstd::encode_all(rest, 1).expect("zstd into a Vec");
            z.truncate(z.len() * (mode as usize / 5 + 1) / 53);
            z
        }
    };
    // A small cap so that bombs are met often.
    let out = read_bytes("x.txt.gz", bytes, ReadLimits { max_bytes: 64 << 10 });
    assert!(!out.records.is_empty() || !out.rejects.is_empty(), "a file that gave neither records nor rejects");
});
