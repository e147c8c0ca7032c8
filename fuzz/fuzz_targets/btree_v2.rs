//! Version 2 B-tree structures: the header, the derived node geometry, the record format and
//! one node (the root, with the header's depth and record count). Input:
//! `[ctx][rank][chunk size width][header part][node...]`; a rank or width of 0 means "derive it
//! from the record size".
#![no_main]

use h5oxide::format::btree::v2::{Header, Key, Node, RecordFormat, RecordParams};
use h5oxide::format::Addr;
use h5oxide_fuzz::{ctx, Input, ADDR, ADDR2};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let rank = i.u8();
    let width = i.u8();
    let header = i.part();
    let node = i.rest();
    let Ok(h) = Header::decode(header, ADDR, ctx) else {
        return;
    };
    let _ = h.btree_type.to_string();
    let Ok(geom) = h.geometry(ADDR, ctx, 16) else {
        return;
    };
    for d in 0..=h.depth {
        let _ = geom.level(d);
        let _ = geom.pointer_size(d);
        let _ = geom.used_size(d, u64::from(h.root_records));
    }
    let params = RecordParams {
        rank: (rank != 0).then_some(rank),
        chunk_size_width: (width != 0).then_some(width),
    };
    let Ok(fmt) = RecordFormat::new(&h, ADDR, ctx, params) else {
        return;
    };
    let Ok(n) = Node::decode(node, ADDR2, &geom, &fmt, h.depth, u64::from(h.root_records)) else {
        return;
    };
    assert_eq!(n.records.len(), usize::from(h.root_records));
    if h.depth > 0 {
        assert_eq!(n.children.len(), n.records.len() + 1);
    }
    let scaled = [1u64, 2, 3];
    let keys = [
        Key::Hash(0x1234_5678),
        Key::CreationOrder(3),
        Key::HugeId(1),
        Key::HugeAddr(Addr(ADDR)),
        Key::Scaled(&scaled),
    ];
    for r in &n.records {
        for k in &keys {
            let _ = k.applies_to(h.btree_type);
            let _ = r.compare(k);
        }
    }
});
