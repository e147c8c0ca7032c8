//! Local heaps ("HEAP"): the header and name lookups in the data segment. Input:
//! `[ctx][header part][segment...]`; every offset of the segment (up to 1024) is looked up.
#![no_main]

use h5oxide::format::heap::local::{name_at, LocalHeapHeader};
use h5oxide_fuzz::{ctx, Input, ADDR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let header = i.part();
    let segment = i.rest();
    let seg_addr = match LocalHeapHeader::decode(header, ADDR, ctx) {
        Ok(h) => {
            if let Some(f) = h.free_list_head {
                assert!(f < h.data_segment_size);
            }
            h.data_segment.0
        }
        Err(_) => ADDR,
    };
    for off in (0..segment.len().min(1024) as u64).chain([u64::MAX, 1 << 40]) {
        if let Ok(name) = name_at(segment, seg_addr, off) {
            assert!(!name.contains(&0));
        }
    }
});
