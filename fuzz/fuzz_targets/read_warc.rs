//! Arbitrary bytes as the file `x.warc`, through the single read entry (`read_bytes`): decompression by magic
//! bytes, decoding, record splitting. Must never panic; every call gives at least one record or reject.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rferl_corpus::read::{read_bytes, ReadLimits};

fuzz_target!(|data: &[u8]| {
    let limits = ReadLimits { max_bytes: 1 << 20 };
    let out = read_bytes("x.warc", data.to_vec(), limits);
    assert!(!out.records.is_empty() || !out.rejects.is_empty(), "a file that gave neither records nor rejects");
    for r in &out.records {
        assert_eq!(r.source_file, "x.warc");
    }
});
