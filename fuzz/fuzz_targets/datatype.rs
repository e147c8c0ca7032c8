//! The datatype message decoder and the canonical dtype string on arbitrary bytes.
#![no_main]

use h5oxide::format::message::datatype::Datatype;
use h5oxide::format::Cursor;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(dt) = Datatype::decode(&mut Cursor::new(data, 0, "datatype")) {
        let _ = h5oxide::canon::dtype::dtype_string(&dt);
        let _ = dt.size();
    }
});
