//! The virtual dataset mapping block (a global heap object): decode every mapping and count its
//! selections. Input: `[ctx][rank][block...]`.
#![no_main]

use h5oxide::format::virtual_layout::decode;
use h5oxide_fuzz::{ctx, Input, ADDR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let rank = usize::from(i.u8() % 33);
    let block = i.rest();
    if let Ok(maps) = decode(block, ADDR, ctx, rank) {
        let dims = vec![10u64; rank];
        for m in maps.iter().take(64) {
            let _ = m.source.npoints(&dims);
            let _ = m.virtual_sel.npoints(&dims);
            let _ = m.source.blocks(1024);
            let _ = m.virtual_sel.blocks(1024);
        }
    }
});
