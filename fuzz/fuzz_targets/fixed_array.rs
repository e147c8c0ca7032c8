//! Fixed array chunk index structures: the header ("FAHD"), its paging arithmetic, the data
//! block ("FADB") with its elements or page bitmap, and data block pages. Input:
//! `[ctx][element format][header part][data block part][page parts...]`; an element format of
//! 0 means non-filtered elements, otherwise filtered ones with a chunk size of `format % 9`
//! bytes.
#![no_main]

use h5oxide::format::chunk_index::fixed_array::{DataBlock, Header};
use h5oxide::format::chunk_index::{decode_page, page_initialised, ElementFormat};
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
    let dblock = i.part();
    let Ok(h) = Header::decode(header, ADDR, ctx) else {
        return;
    };
    let p = h.paging();
    let _ = h.data_block_size(ctx, ADDR);
    let Ok(db) = DataBlock::decode(dblock, ADDR2, ctx, &h, Addr(ADDR), format) else {
        return;
    };
    for e in 0..db.elements.len().min(4096) {
        let _ = db.elements.get(e);
    }
    let _ = db.elements.get(usize::MAX);
    let mut page = 0u64;
    while !i.is_empty() && page < p.pages {
        let bytes = i.part();
        let _ = page_initialised(db.page_bitmap, page);
        let _ = h.page_size(page, ADDR);
        let at = h.page_addr(ctx, Addr(ADDR2), page).map_or(ADDR2, |a| a.0);
        let n = h.page_entries(page);
        assert!(n <= p.page_entries);
        if let Ok(els) = decode_page(bytes, at, format, n) {
            assert_eq!(els.len() as u64, n);
            for e in 0..els.len().min(4096) {
                let _ = els.get(e);
            }
        }
        page += 1;
    }
});
