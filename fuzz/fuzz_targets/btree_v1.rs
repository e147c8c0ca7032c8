//! Version 1 B-tree nodes ("TREE"): the node header, group nodes and chunk nodes, and the size
//! helpers. Input: `[ctx][kind][k u16][node...]`; kind bit 0 picks chunk nodes, the rest of the
//! byte is the chunk key dimensionality.
#![no_main]

use h5oxide::format::btree::v1::{
    disk_size, used_size, ChunkNode, GroupNode, KeyFormat, NodeHeader,
};
use h5oxide_fuzz::{ctx, Input, ADDR};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let ctx = ctx(i.u8());
    let kind = i.u8();
    let k = i.u16();
    let node = i.rest();
    let format = if kind & 1 == 0 {
        KeyFormat::Group
    } else {
        KeyFormat::Chunk {
            ndims: usize::from(kind >> 1),
        }
    };
    let _ = format.key_size(ctx);
    let _ = disk_size(ctx, format, k);
    if let Ok(h) = NodeHeader::decode(node, ADDR, ctx) {
        let _ = used_size(ctx, format, h.entries_used);
        let _ = h.node_type.to_string();
    }
    match format {
        KeyFormat::Group => {
            if let Ok(n) = GroupNode::decode(node, ADDR, ctx) {
                assert_eq!(n.keys.len(), n.children.len() + 1);
            }
        }
        KeyFormat::Chunk { ndims } => {
            if let Ok(n) = ChunkNode::decode(node, ADDR, ctx, ndims) {
                assert_eq!(n.keys.len(), n.children.len() + 1);
                assert!(n.keys.iter().all(|k| k.offset.len() == ndims));
            }
        }
    }
});
