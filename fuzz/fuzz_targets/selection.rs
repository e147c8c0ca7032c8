//! Serialized dataspace selections (region references, revised references, virtual dataset
//! mappings): decode, count, list points and blocks. Input: `[rank][extent][selection...]`; a
//! rank byte of 0 decodes without an expected rank, otherwise with `rank % 33`; the extent byte
//! is the size of every dimension of the dataspace an "all" selection covers.
#![no_main]

use h5oxide::format::selection::{Selection, SelectionType};
use h5oxide_fuzz::{cursor, Input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let rank = i.u8();
    let extent = u64::from(i.u8());
    let expected = (rank != 0).then_some(usize::from(rank % 33));
    let Ok(s) = Selection::decode(&mut cursor(i.rest(), "selection"), expected) else {
        return;
    };
    if let (Some(e), Some(r)) = (expected, s.rank()) {
        assert_eq!(e, r);
    }
    let dims = vec![extent; s.rank().unwrap_or(2)];
    let n = s.npoints(&dims).ok();
    let points = s.points().count();
    if s.selection_type() == SelectionType::POINTS {
        assert_eq!(n, Some(points as u64));
    }
    if let Ok(blocks) = s.blocks(4096) {
        assert!(blocks.len() <= 4096);
        let mut total = 0u64;
        for b in &blocks {
            assert_eq!(b.start.len(), b.end.len());
            let mut v = 1u64;
            for (s, e) in b.start.iter().zip(&b.end) {
                assert!(s <= e);
                v = v.saturating_mul(e - s + 1);
            }
            total = total.saturating_add(v);
        }
        // The blocks of a hyperslab are disjoint: their sizes add up to the selection size.
        if let (Some(n), SelectionType::HYPERSLABS) = (n, s.selection_type()) {
            if total < u64::MAX {
                assert_eq!(total, n, "{s:?}");
            }
        }
    }
});
