//! Global heap collections ("GCOL"): the collection header, the object table, object data, and
//! global heap IDs. Input: `[ctx][id part][collection...]`.
#![no_main]

use h5oxide::format::heap::global::{Collection, CollectionHeader, GlobalHeapId};
use h5oxide_fuzz::{ctx, cursor, Input, ADDR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let id = i.part();
    let coll = i.rest();
    let _ = GlobalHeapId::decode(&mut cursor(id, "global heap ID"), ctx);
    let _ = CollectionHeader::decode(coll, ADDR, ctx);
    if let Ok(c) = Collection::decode(coll, ADDR, ctx) {
        let indexes: Vec<u16> = c.objects().map(|o| o.index).collect();
        assert_eq!(indexes.len(), c.len());
        for ix in indexes {
            assert!(c.get(ix).is_some());
            let _ = c.data(coll, ix);
        }
        let _ = c.get(u16::MAX);
        let _ = c.data(coll, 0);
    }
});
