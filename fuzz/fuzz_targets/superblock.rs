//! The superblock parser on arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = h5oxide::format::superblock::Superblock::decode(data, 0);
});
