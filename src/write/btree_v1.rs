//! Building version 1 B-trees ("TREE") bottom-up from a complete, sorted list of entries: the
//! symbol table B-tree of an old-style group (node type 0) and the chunk index of layout
//! messages 1 to 3 (node type 1). Spec: "Version 1 B-trees"; see `spec-notes/btree-v1.md`.
//!
//! Every node is allocated at the tree's full size (`2K` children, [`disk_size`]), the unused
//! entries are zeros. Leaves are filled as evenly as possible with at most `2K` children each;
//! each level above holds one child per node of the level below, until one root remains.
//! Siblings of a level are linked left to right.

use super::Sink;
use crate::error::{Error, Result};
use crate::format::btree::v1::{
    disk_size, ChunkKey, ChunkNode, GroupKey, GroupNode, KeyFormat, Node, NodeHeader,
};
use crate::format::{Addr, Ctx};
use alloc::vec::Vec;

/// libhdf5's default "group internal node K" (superblock): group nodes of up to 32 children.
pub const DEFAULT_GROUP_K: u16 = 16;
/// libhdf5's default "indexed storage internal node K": chunk nodes of up to 64 children.
pub const DEFAULT_CHUNK_K: u16 = 32;

/// One child of a group B-tree leaf: a symbol table node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupEntry {
    /// Local heap offset of the greatest (last) link name in the symbol table node.
    pub last_name_offset: u64,
    /// Address of the symbol table node ("SNOD").
    pub snod: Addr,
}

/// One chunk of a chunk B-tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkEntry {
    /// Chunk coordinates in units of chunks (element offset / chunk dims), one per dimension.
    pub scaled: Vec<u64>,
    /// Stored size in bytes.
    pub size: u32,
    /// Filters skipped for this chunk.
    pub filter_mask: u32,
    /// Address of the chunk.
    pub addr: Addr,
}

fn usage(what: &str) -> Error {
    Error::Usage(alloc::format!("v1 B-tree: {what}"))
}

/// Split `n` children into the fewest nodes of at most `max` children, as evenly as possible:
/// the start of each node's run and its length.
fn runs(n: usize, max: usize) -> Vec<(usize, usize)> {
    let nodes = n.div_ceil(max).max(1);
    let (q, r) = (n / nodes, n % nodes);
    let mut out = Vec::with_capacity(nodes);
    let mut start = 0;
    for i in 0..nodes {
        let len = q + usize::from(i < r);
        out.push((start, len));
        start += len;
    }
    out
}

/// Build the tree level by level: `keys` has one more entry than `children`; returns the root.
fn build<K: Clone, S: Sink + ?Sized>(
    sink: &mut S,
    format: KeyFormat,
    k: u16,
    mut keys: Vec<K>,
    mut children: Vec<Addr>,
    encode: impl Fn(&Node<K>, Ctx) -> Result<Vec<u8>>,
) -> Result<Addr> {
    let ctx = sink.ctx();
    let size = disk_size(ctx, format, k).ok_or_else(|| usage("node size overflows"))? as u64;
    let max = usize::from(k) * 2;
    if max == 0 {
        return Err(usage("K must be at least 1"));
    }
    let mut level: u8 = 0;
    loop {
        let runs = runs(children.len(), max);
        let mut addrs = Vec::with_capacity(runs.len());
        for _ in &runs {
            addrs.push(sink.alloc(size)?);
        }
        let mut up_keys = Vec::with_capacity(runs.len() + 1);
        for (i, &(start, len)) in runs.iter().enumerate() {
            let node_keys = keys
                .get(start..=start + len)
                .ok_or_else(|| usage("key count"))?
                .to_vec();
            let node_children = children
                .get(start..start + len)
                .ok_or_else(|| usage("child count"))?
                .to_vec();
            if let Some(first) = node_keys.first() {
                up_keys.push(first.clone());
            }
            let node = Node {
                header: NodeHeader {
                    node_type: format.node_type(),
                    level,
                    entries_used: u16::try_from(len).map_err(|_| usage("node too large"))?,
                    left_sibling: i.checked_sub(1).and_then(|j| addrs.get(j).copied()),
                    right_sibling: addrs.get(i + 1).copied(),
                },
                keys: node_keys,
                children: node_children,
            };
            let at = *addrs.get(i).ok_or_else(|| usage("node address"))?;
            sink.write(at, &encode(&node, ctx)?)?;
        }
        if addrs.len() == 1 {
            return addrs.first().copied().ok_or_else(|| usage("no root"));
        }
        up_keys.push(keys.last().cloned().ok_or_else(|| usage("no keys"))?);
        keys = up_keys;
        children = addrs;
        level = level
            .checked_add(1)
            .ok_or_else(|| usage("tree deeper than 255 levels"))?;
    }
}

/// Write the B-tree of an old-style group whose symbol table nodes are `entries`, in link
/// name order, with group internal node K `k` ([`DEFAULT_GROUP_K`]); returns the root address
/// for the symbol table message. No entries gives an empty level-0 root (one key, offset 0),
/// as libhdf5 creates for an empty group.
///
/// Keys: key 0 is heap offset 0 (the empty string); key `i + 1` is the last name of child `i`.
///
/// # Errors
/// `Usage` for `k == 0`; the sink's errors.
pub fn write_group_btree<S: Sink + ?Sized>(
    sink: &mut S,
    entries: &[GroupEntry],
    k: u16,
) -> Result<Addr> {
    let mut keys = Vec::with_capacity(entries.len() + 1);
    keys.push(GroupKey { heap_offset: 0 });
    keys.extend(entries.iter().map(|e| GroupKey {
        heap_offset: e.last_name_offset,
    }));
    let children = entries.iter().map(|e| e.snod).collect();
    build(sink, KeyFormat::Group, k, keys, children, |n, ctx| {
        GroupNode::encode(n, ctx, k)
    })
}

/// Write the chunk B-tree of a dataset with chunk dimensions `chunk` (rank entries, without
/// the element-size dimension) and elements of `element_size` bytes, holding `entries` sorted
/// by `scaled` (lexicographically, first dimension most significant), with indexed storage K
/// `k` ([`DEFAULT_CHUNK_K`]). Returns the root address for the layout message, `None` when
/// there is no chunk (the layout's address stays undefined, as libhdf5 leaves it before the
/// first chunk is written).
///
/// Keys carry element offsets (`scaled * chunk`) and a trailing 0 for the element dimension;
/// the final key of the tree is the bound `(last scaled + 1) * chunk` in every dimension and
/// `element_size` in the element dimension, with size 0 (what libhdf5 writes for a tree built
/// by appending in order; see `spec-notes/btree-v1.md`).
///
/// # Errors
/// `Usage` when the entries are not strictly increasing, a rank does not match `chunk`, or
/// `k == 0`, or offsets overflow; the sink's errors.
pub fn write_chunk_btree<S: Sink + ?Sized>(
    sink: &mut S,
    entries: &[ChunkEntry],
    chunk: &[u64],
    element_size: u64,
    k: u16,
) -> Result<Option<Addr>> {
    let Some(last) = entries.last() else {
        return Ok(None);
    };
    let ndims = chunk.len() + 1;
    let offsets = |scaled: &[u64], plus: u64, elem: u64| -> Result<Vec<u64>> {
        if scaled.len() != chunk.len() {
            return Err(usage("chunk coordinates of the wrong rank"));
        }
        let mut v = Vec::with_capacity(ndims);
        for (&s, &c) in scaled.iter().zip(chunk) {
            v.push(
                s.checked_add(plus)
                    .and_then(|s| s.checked_mul(c))
                    .ok_or_else(|| usage("chunk offset overflows"))?,
            );
        }
        v.push(elem);
        Ok(v)
    };
    let mut keys = Vec::with_capacity(entries.len() + 1);
    let mut prev: Option<&[u64]> = None;
    for e in entries {
        if prev.is_some_and(|p| p >= e.scaled.as_slice()) {
            return Err(usage("chunks not in strictly increasing order"));
        }
        prev = Some(&e.scaled);
        keys.push(ChunkKey {
            size: e.size,
            filter_mask: e.filter_mask,
            offset: offsets(&e.scaled, 0, 0)?,
        });
    }
    keys.push(ChunkKey {
        size: 0,
        filter_mask: 0,
        offset: offsets(&last.scaled, 1, element_size)?,
    });
    let children = entries.iter().map(|e| e.addr).collect();
    let root = build(
        sink,
        KeyFormat::Chunk { ndims },
        k,
        keys,
        children,
        |n, ctx| ChunkNode::encode(n, ctx, ndims, k),
    )?;
    Ok(Some(root))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_even() {
        assert_eq!(runs(0, 4), [(0, 0)]);
        assert_eq!(runs(4, 4), [(0, 4)]);
        assert_eq!(runs(5, 4), [(0, 3), (3, 2)]);
        assert_eq!(runs(9, 4), [(0, 3), (3, 3), (6, 3)]);
    }
}
