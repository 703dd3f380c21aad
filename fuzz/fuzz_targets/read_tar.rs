//! Arbitrary bytes as the file `x.tar`, through the single read entry (`read_bytes`): decompression by magic
//! bytes, the tar reader, and each member read as a file of its own. Must never panic; every call gives at
//! least one record or reject, and every record is named inside the archive.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rferl_corpus::read::{read_bytes, ReadLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits { max_bytes: 1 << 20 };
    let out = read_bytes("x.tar", data.to_vec(), limits);
    assert!(!out.records.is_empty() || !out.rejects.is_empty(), "a file that gave neither records nor rejects");
    for r in &out.records {
        assert!(r.source_file.starts_with("x.tar/"), "{}", r.source_file);
    }
});
