//! The filter pipeline on arbitrary chunks: the first bytes choose the pipeline (filter ids,
//! flags, client data), the filter mask and the expected size; the rest is the chunk.
#![no_main]

use h5oxide::filter::{FilterSpec, Registry};
use libfuzzer_sys::fuzz_target;

const IDS: [u16; 8] = [1, 2, 3, 4, 5, 6, 32000, 32008];

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_at_checked(8) else {
        return;
    };
    let nfilters = usize::from(head[0] % 4);
    let mask = u32::from(head[1]);
    let expected = usize::from(u16::from_le_bytes([head[2], head[3]]));
    let mut pipeline = Vec::new();
    for i in 0..nfilters {
        let b = head[4 + i];
        let params: Vec<u32> = rest.iter().take(usize::from(b >> 4)).map(|&x| u32::from(x)).collect();
        pipeline.push(FilterSpec {
            id: IDS[usize::from(b & 7)],
            flags: u16::from(b >> 3 & 1),
            params,
        });
    }
    if let Ok(out) = Registry::default().decode(&pipeline, mask, rest.to_vec(), expected) {
        assert_eq!(out.len(), expected);
    }
});
