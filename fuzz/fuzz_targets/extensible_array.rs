//! Extensible array chunk index structures: the header ("EAHD"), its geometry (super blocks,
//! element locations, block sizes), and index ("EAIB"), secondary ("EASB") and data ("EADB")
//! blocks. Input: `[ctx][element format][header part]` then block parts, each
//! `[super block][data block u16][block...]`; the block kind follows from its signature. The
//! element format is as in the fixed array target.
#![no_main]

use h5oxide::format::chunk_index::extensible_array::{
    DataBlock, Header, IndexBlock, SecondaryBlock,
};
use h5oxide::format::chunk_index::{decode_page, ElementFormat};
use h5oxide::format::Addr;
use h5oxide_fuzz::{ctx, Input, ADDR, ADDR2};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let f = i.u8();
    let format = if f == 0 {
        ElementFormat::plain(ctx)
    } else {
        ElementFormat::filtered(ctx, f % 9)
    };
    let header = i.part();
    let Ok(h) = Header::decode(header, ADDR, ctx) else {
        return;
    };
    let Ok(g) = h.geometry(ADDR) else {
        return;
    };
    let _ = g.index_block_size(ctx, ADDR);
    let _ = g.page_size(ADDR);
    for s in 0..g.super_blocks + 1 {
        if let Ok(info) = g.super_block(s, ADDR) {
            let _ = g.secondary_block_size(ctx, &info, ADDR);
            let _ = g.data_block_size(ctx, info.data_block_elements, ADDR);
            let _ = g.page_addr(ctx, Addr(ADDR2), info.data_block_elements, 1);
            let _ = g.pages(info.data_block_elements);
        }
    }
    for idx in [0, 1, 7, 100, 1000, h.elements, h.max_index_set, u64::MAX] {
        let _ = g.locate(idx, ADDR);
    }
    let mut n = 0;
    while !i.is_empty() && n < 8 {
        n += 1;
        let mut part = Input::new(i.part());
        let s = u32::from(part.u8());
        let d = u64::from(part.u16());
        let block = part.rest();
        if block.starts_with(b"EAIB") {
            if let Ok(ib) = IndexBlock::decode(block, ADDR2, ctx, &h, Addr(ADDR), format) {
                for e in 0..ib.elements.len().min(4096) {
                    let _ = ib.elements.get(e);
                }
            }
        } else if block.starts_with(b"EASB") {
            let _ = SecondaryBlock::decode(block, ADDR2, ctx, &h, Addr(ADDR), s);
        } else if block.starts_with(b"EADB") {
            if let Ok(db) = DataBlock::decode(block, ADDR2, ctx, &h, Addr(ADDR), format, s, d) {
                for e in 0..db.elements.len().min(4096) {
                    let _ = db.elements.get(e);
                }
            }
        } else {
            let count = g.page_elements.min(1 << 16);
            let _ = decode_page(block, ADDR2, format, count);
        }
    }
});
