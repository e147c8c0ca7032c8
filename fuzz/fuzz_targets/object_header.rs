//! Object header first blocks and continuation blocks (v1 and v2) on arbitrary bytes.
#![no_main]

use h5oxide::format::object_header::{decode_continuation_block, decode_first_block, Prefix};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    if let Ok(p) = decode_first_block(data, 0, &mut out) {
        let _ = decode_continuation_block(data, 0, &p, &mut out);
    }
    let _ = Prefix::decode(data, 0);
});
