//! Open any bytes as an HDF5 file and describe everything (the canonical document walks every
//! group, link, attribute and dataset header). Must never panic, hang or over-allocate.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(f) = h5oxide::File::from_bytes(data.to_vec()) {
        let doc = h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options { values: true });
        let _ = doc.to_compact();
    }
});
