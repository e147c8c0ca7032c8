//! Fractal heaps: the header ("FRHP"), its doubling table arithmetic, one indirect ("FHIB") or
//! direct ("FHDB") block, and heap IDs. Input: `[ctx][nrows][header part][block part][ids...]`;
//! the block kind follows from its signature; `nrows` is used for an indirect block when the
//! header's root is a direct block; the IDs are the rest cut into heap-ID-length pieces.
#![no_main]

use h5oxide::format::heap::fractal::{DirectBlock, Header, HeapId, IndirectBlock};
use h5oxide_fuzz::{ctx, Input, ADDR, ADDR2};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let nrows = i.u8();
    let header = i.part();
    let block = i.part();
    let ids = i.rest();
    let _ = Header::peek_filters_len(header, ADDR);
    let Ok(h) = Header::decode(header, ADDR, ctx) else {
        return;
    };
    let _ = h.managed_length_width();
    let _ = h.direct_block_prefix(ctx);
    let Ok(t) = h.table(ADDR) else {
        return;
    };
    for row in 0..t.max_root_rows.min(80) + 2 {
        let _ = t.row_block_size(row);
        let _ = t.row_offset(row);
        let _ = t.block_offset(row, 0);
        let _ = t.block_offset(row, t.width.saturating_sub(1));
        let _ = t.child_indirect_rows(row);
        let _ = t.indirect_span(row);
        let _ = t.entries(row);
        let _ = IndirectBlock::size(&h, &t, ctx, row);
    }
    for off in [0, 1, h.starting_block_size, h.managed_space, h.direct_block_iterator, u64::MAX]
    {
        if let Ok((row, col)) = t.lookup(off) {
            // The block found must contain the offset.
            if let (Ok(start), Ok(size)) = (t.block_offset(row, col), t.row_block_size(row)) {
                assert!(start <= off && off - start < size, "{off} in row {row} col {col}");
            }
        }
    }
    if block.starts_with(b"FHIB") {
        let rows = if h.current_root_rows > 0 {
            u32::from(h.current_root_rows)
        } else {
            u32::from(nrows)
        };
        if let Ok(ib) = IndirectBlock::decode(block, ADDR2, ctx, &h, &t, rows) {
            let (k, n) = t.entries(rows);
            assert_eq!(ib.direct.len() as u64, k);
            assert_eq!(ib.indirect.len() as u64, n);
        }
    } else {
        let _ = DirectBlock::decode(block, ADDR2, ctx, &h);
    }
    let len = usize::from(h.heap_id_len).max(1);
    for id in ids.chunks(len).take(64) {
        let _ = HeapId::decode(id, &h, ctx, ADDR);
    }
});
