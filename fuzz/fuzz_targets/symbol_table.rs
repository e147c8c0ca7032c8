//! Symbol table nodes ("SNOD") and symbol table entries. Input: `[ctx][node...]`; the same bytes
//! are also decoded as a run of entries.
#![no_main]

use h5oxide::format::symbol_table::{SymbolTableEntry, SymbolTableNode};
use h5oxide_fuzz::{ctx, cursor, Input, ADDR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let node = i.rest();
    if let Ok(n) = SymbolTableNode::decode(node, ADDR, ctx) {
        assert!(n.entries.len() * SymbolTableEntry::size(ctx) + 8 <= node.len());
    }
    let c = &mut cursor(node, "symbol table entries");
    for _ in 0..64 {
        if SymbolTableEntry::decode(c, ctx).is_err() {
            break;
        }
    }
});
