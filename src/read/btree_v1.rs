//! Walking version 1 B-trees over a [`Reader`]: the symbol tables of old-style groups and the
//! chunk indexes of chunked datasets (layout message versions 1 to 3, and version 4 with the
//! "version 1 B-tree" index type). Spec: "Version 1 B-trees", "Group Symbol Table Nodes".
//!
//! Each node is read in two steps, header first and then exactly its used entries, so neither
//! the tree's K nor the symbol table leaf K needs to be known. Every walk checks that node types
//! match, that each child sits exactly one level below its parent, that no node is visited twice
//! (cycles and shared subtrees), and stays within [`crate::Limits::max_btree_depth`] and
//! [`crate::Limits::max_btree_nodes`].

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::btree::v1::{used_size, ChunkNode, GroupNode, KeyFormat, NodeHeader};
use crate::format::symbol_table::{SymbolTableEntry, SymbolTableNode};
use crate::format::{Addr, Cursor};
use crate::limits::Limits;
use crate::read::Reader;
use alloc::borrow::Cow;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

const NODE: &str = "v1 B-tree node";

/// Node bookkeeping shared by the walks: cycle detection and the node-count cap.
#[derive(Debug, Default)]
struct Guard {
    visited: BTreeSet<u64>,
    nodes: u64,
}

impl Guard {
    fn enter(&mut self, r: &Reader, addr: Addr, what: &'static str) -> Result<()> {
        self.nodes = self.nodes.saturating_add(1);
        Limits::check("max_btree_nodes", self.nodes, r.limits.max_btree_nodes)?;
        if !self.visited.insert(addr.0) {
            return Err(Error::format(FormatErrorKind::Cycle, what, addr.0));
        }
        Ok(())
    }
}

/// Read the header and the used entries of the node at `addr`.
fn node_bytes(r: &Reader, addr: Addr, keys: KeyFormat) -> Result<Cow<'_, [u8]>> {
    let head = r.block(addr, NodeHeader::size(r.ctx) as u64, NODE)?;
    let header = NodeHeader::decode(&head, addr.0, r.ctx)?;
    let len = used_size(r.ctx, keys, header.entries_used).ok_or(Error::format(
        FormatErrorKind::Overflow,
        NODE,
        addr.0,
    ))?;
    r.block(addr, len as u64, NODE)
}

/// Check a node's level: the root's against the depth cap, a child's against its parent.
fn check_level(r: &Reader, addr: Addr, level: u8, expected: Option<u8>) -> Result<()> {
    match expected {
        Some(l) if l != level => Err(Error::invalid("v1 B-tree node level", addr.0)),
        Some(_) => Ok(()),
        None => Limits::check(
            "max_btree_depth",
            u64::from(level) + 1,
            u64::from(r.limits.max_btree_depth),
        ),
    }
}

/// Read the symbol table node ("SNOD") at `addr`: its 8-byte header, then its used entries.
fn read_snod(r: &Reader, addr: Addr) -> Result<SymbolTableNode> {
    let what = "symbol table node";
    let head = r.block(addr, 8, what)?;
    let mut c = Cursor::new(&head, addr.0, what);
    c.signature(b"SNOD")?;
    c.skip(2)?;
    let n = c.u16()?;
    let len = 8 + usize::from(n) * SymbolTableEntry::size(r.ctx);
    let data = r.block(addr, len as u64, what)?;
    SymbolTableNode::decode(&data, addr.0, r.ctx)
}

/// All symbol table entries of an old-style group whose B-tree root is at `btree`, in B-tree
/// key order (which is the order of the link names' bytes). An empty group gives an empty list.
///
/// # Errors
/// Format errors of the nodes ("TREE" and "SNOD": signature, version, truncation); a node of
/// the wrong type or a child not exactly one level below its parent (`InvalidValue`); a node
/// reached twice (`Cycle`); `LimitExceeded` for `max_btree_depth` / `max_btree_nodes`;
/// `OutOfBounds` for nodes outside the file.
pub fn group_entries(r: &Reader, btree: Addr) -> Result<Vec<SymbolTableEntry>> {
    struct Frame {
        node: GroupNode,
        next: usize,
    }
    let mut guard = Guard::default();
    let mut out = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let load = |guard: &mut Guard, addr: Addr, expected: Option<u8>| -> Result<GroupNode> {
        guard.enter(r, addr, NODE)?;
        let node = GroupNode::decode(&node_bytes(r, addr, KeyFormat::Group)?, addr.0, r.ctx)?;
        check_level(r, addr, node.header.level, expected)?;
        Ok(node)
    };
    stack.push(Frame {
        node: load(&mut guard, btree, None)?,
        next: 0,
    });
    while let Some(top) = stack.last_mut() {
        let Some(&child) = top.node.children.get(top.next) else {
            stack.pop();
            continue;
        };
        top.next += 1;
        match top.node.header.level.checked_sub(1) {
            None => {
                guard.enter(r, child, "symbol table node")?;
                out.extend(read_snod(r, child)?.entries);
            }
            Some(level) => {
                let node = load(&mut guard, child, Some(level))?;
                stack.push(Frame { node, next: 0 });
            }
        }
    }
    Ok(out)
}

/// One chunk of a chunked dataset, as its v1 B-tree leaf key and child pointer describe it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkRecord {
    /// Bytes of the chunk as stored (after filters).
    pub size: u32,
    /// Bit `i` set: filter `i` of the pipeline was skipped for this chunk.
    pub filter_mask: u32,
    /// Element coordinates of the chunk's first element, one per dataset dimension.
    pub offset: Vec<u64>,
    /// Address of the chunk's bytes.
    pub addr: Addr,
}

/// The range of chunks a subtree may hold, offered to a pruning callback before the subtree is
/// read. Keys order chunks lexicographically by their element offsets (first dimension most
/// significant), and every chunk `c` under the subtree satisfies `lo <= c < hi` in that order
/// (`lo <= c <= hi` when `hi_inclusive`: libhdf5's bound after the last chunk of a tree may
/// equal that chunk's offset in every dataset dimension and differ only in the element one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkRange<'a> {
    /// Offset of the least chunk of the subtree (rank values).
    pub lo: &'a [u64],
    /// Upper bound of the chunk offsets in the subtree (rank values).
    pub hi: &'a [u64],
    /// Whether a chunk may sit exactly at `hi`.
    pub hi_inclusive: bool,
    /// Chunk dimensions in elements (rank values).
    pub chunk: &'a [u64],
    /// Level of the subtree's root node.
    pub level: u8,
}

impl ChunkRange<'_> {
    /// Whether a chunk in this range can overlap the box of elements `start[d] .. end[d]`
    /// (end exclusive, rank values each). Exact for the lexicographic key range over the box of
    /// possible chunk starts; true (keep) when the slice lengths do not match the rank.
    pub fn may_intersect(&self, start: &[u64], end: &[u64]) -> bool {
        let rank = self.chunk.len();
        if start.len() != rank
            || end.len() != rank
            || self.lo.len() != rank
            || self.hi.len() != rank
        {
            return true;
        }
        // The box of chunk starts whose chunk overlaps [start, end): per dimension
        // the multiples of chunk in [floor(start / chunk) * chunk, end - 1].
        let mut first = Vec::with_capacity(rank);
        let mut last = Vec::with_capacity(rank);
        for ((&s, &e), &c) in start.iter().zip(end).zip(self.chunk) {
            if e <= s {
                return false;
            }
            first.push(s.checked_div(c).map_or(0, |q| q * c));
            last.push((e - 1).checked_div(c).map_or(0, |q| q * c));
        }
        // The least point of the box not below `lo`, compared with `hi`.
        match least_at_or_above(self.lo, &first, &last, self.chunk) {
            None => false,
            Some(c) => match c.as_slice().cmp(self.hi) {
                core::cmp::Ordering::Less => true,
                core::cmp::Ordering::Equal => self.hi_inclusive,
                core::cmp::Ordering::Greater => false,
            },
        }
    }
}

/// The lexicographically least chunk start `c >= lo` in the box `first[d] ..= last[d]`, where
/// chunk starts are the multiples of `step[d]` (`first` and `last` are multiples too).
fn least_at_or_above(lo: &[u64], first: &[u64], last: &[u64], step: &[u64]) -> Option<Vec<u64>> {
    let dim = |k: usize| -> Option<(u64, u64, u64, u64)> {
        Some((*lo.get(k)?, *first.get(k)?, *last.get(k)?, *step.get(k)?))
    };
    let attainable = |(l, f, z, s): (u64, u64, u64, u64)| f <= l && l <= z && l % s == 0;
    // Longest prefix of `lo` made of attainable values.
    let p = (0..lo.len())
        .take_while(|&k| dim(k).is_some_and(attainable))
        .count();
    if p == lo.len() {
        return Some(lo.to_vec());
    }
    let point = |k: usize, v: u64| -> Vec<u64> {
        let mut c: Vec<u64> = lo.iter().take(k).copied().collect();
        c.push(v);
        c.extend(first.iter().skip(k + 1));
        c
    };
    // At p: the least attainable value above lo[p] (lo[p] itself is not attainable).
    let (l, f, z, s) = dim(p)?;
    let above = l
        .checked_div(s)
        .and_then(|q| q.checked_add(1)?.checked_mul(s));
    if let Some(v) = above.map(|a| a.max(f)).filter(|&v| v <= z) {
        return Some(point(p, v));
    }
    // Otherwise bump the deepest attainable dimension before p that can still grow.
    (0..p).rev().find_map(|k| {
        let (l, _, z, s) = dim(k)?;
        let v = l.checked_add(s).filter(|&v| v <= z)?;
        Some(point(k, v))
    })
}

/// The pruning callback of [`ChunkBTreeV1::iter`]: keeps every subtree.
pub type KeepAll = fn(&ChunkRange<'_>) -> bool;

/// The v1 B-tree chunk index of a chunked dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkBTreeV1 {
    root: Addr,
    layout_dims: Vec<u64>,
}

impl ChunkBTreeV1 {
    /// The index whose root node is at `root`, for chunks of `layout_dims`: the layout
    /// message's dimension sizes, i.e. the chunk dimensions in elements followed by the
    /// element size in bytes (dataset rank + 1 values).
    ///
    /// # Errors
    /// `InvalidValue` (at `root`) for fewer than 2 dimensions or a zero dimension.
    pub fn new(root: Addr, layout_dims: &[u64]) -> Result<Self> {
        if layout_dims.len() < 2 || layout_dims.contains(&0) {
            return Err(Error::invalid(
                "chunk dimensions of a v1 B-tree chunk index",
                root.0,
            ));
        }
        Ok(ChunkBTreeV1 {
            root,
            layout_dims: layout_dims.to_vec(),
        })
    }

    /// Address of the root node.
    pub fn root(&self) -> Addr {
        self.root
    }

    /// The dataset rank (one less than the layout dimensionality).
    pub fn rank(&self) -> usize {
        self.layout_dims.len() - 1
    }

    /// All chunk records in key order (lexicographic by offset), read lazily.
    pub fn iter<'r>(&self, r: &'r Reader) -> ChunkIter<'r, KeepAll> {
        self.iter_pruned(r, |_| true)
    }

    /// Chunk records in key order, skipping every subtree for which `keep` returns false
    /// (see [`ChunkRange::may_intersect`]). Records under kept subtrees are all returned;
    /// the caller filters them.
    pub fn iter_pruned<'r, F>(&self, r: &'r Reader, keep: F) -> ChunkIter<'r, F>
    where
        F: FnMut(&ChunkRange<'_>) -> bool,
    {
        ChunkIter {
            r,
            root: Some(self.root),
            layout_dims: self.layout_dims.clone(),
            stack: Vec::new(),
            guard: Guard::default(),
            keep,
            done: false,
        }
    }

    /// The record of the chunk whose first element is at `offset` (rank values), if stored.
    ///
    /// # Errors
    /// Those of the traversal (see [`ChunkIter`]).
    pub fn find(&self, r: &Reader, offset: &[u64]) -> Result<Option<ChunkRecord>> {
        let end: Vec<u64> = offset.iter().map(|&o| o.saturating_add(1)).collect();
        for rec in self.iter_pruned(r, |range| range.may_intersect(offset, &end)) {
            let rec = rec?;
            if rec.offset == offset {
                return Ok(Some(rec));
            }
        }
        Ok(None)
    }
}

struct Frame {
    addr: Addr,
    node: ChunkNode,
    next: usize,
}

/// Lazy iterator over the chunk records of a [`ChunkBTreeV1`]. Reads one node at a time and
/// keeps only the path from the root. After the first error it yields nothing more.
///
/// Errors: format errors of a node (signature, truncation), a node that is not a chunk node
/// or not exactly one level below its parent, a chunk offset off the chunk grid or with a
/// non-zero element offset (`InvalidValue`, which is also how a wrong dimensionality shows),
/// a node reached twice (`Cycle`), and `LimitExceeded` for `max_btree_depth` or
/// `max_btree_nodes`.
pub struct ChunkIter<'r, F> {
    r: &'r Reader,
    root: Option<Addr>,
    layout_dims: Vec<u64>,
    stack: Vec<Frame>,
    guard: Guard,
    keep: F,
    done: bool,
}

impl<F> core::fmt::Debug for ChunkIter<'_, F> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChunkIter")
            .field("layout_dims", &self.layout_dims)
            .field("depth", &self.stack.len())
            .field("nodes", &self.guard.nodes)
            .finish_non_exhaustive()
    }
}

impl<F: FnMut(&ChunkRange<'_>) -> bool> ChunkIter<'_, F> {
    fn load(&mut self, addr: Addr, expected: Option<u8>) -> Result<()> {
        let r = self.r;
        self.guard.enter(r, addr, NODE)?;
        let ndims = self.layout_dims.len();
        let bytes = node_bytes(r, addr, KeyFormat::Chunk { ndims })?;
        let node = ChunkNode::decode(&bytes, addr.0, r.ctx, ndims)?;
        check_level(r, addr, node.header.level, expected)?;
        self.stack.push(Frame {
            addr,
            node,
            next: 0,
        });
        Ok(())
    }

    fn step(&mut self) -> Result<Option<ChunkRecord>> {
        if let Some(root) = self.root.take() {
            self.load(root, None)?;
        }
        let rank = self.layout_dims.len() - 1;
        loop {
            let Some(top) = self.stack.last_mut() else {
                return Ok(None);
            };
            let i = top.next;
            let (Some(&child), Some(key), Some(next_key)) = (
                top.node.children.get(i),
                top.node.keys.get(i),
                top.node.keys.get(i + 1),
            ) else {
                self.stack.pop();
                continue;
            };
            top.next += 1;
            let lo = key.offset.get(..rank).unwrap_or(&[]);
            let Some(level) = top.node.header.level.checked_sub(1) else {
                // A leaf: the key describes the chunk the child points at.
                let on_grid = key
                    .offset
                    .iter()
                    .zip(&self.layout_dims)
                    .take(rank)
                    .all(|(&o, &d)| o % d == 0);
                if !on_grid || key.offset.get(rank) != Some(&0) {
                    return Err(Error::invalid("v1 B-tree chunk offset", top.addr.0));
                }
                return Ok(Some(ChunkRecord {
                    size: key.size,
                    filter_mask: key.filter_mask,
                    offset: lo.to_vec(),
                    addr: child,
                }));
            };
            let range = ChunkRange {
                lo,
                hi: next_key.offset.get(..rank).unwrap_or(&[]),
                hi_inclusive: next_key.offset.get(rank).is_some_and(|&e| e != 0),
                chunk: self.layout_dims.get(..rank).unwrap_or(&[]),
                level,
            };
            if (self.keep)(&range) {
                self.load(child, Some(level))?;
            }
        }
    }
}

impl<F: FnMut(&ChunkRange<'_>) -> bool> Iterator for ChunkIter<'_, F> {
    type Item = Result<ChunkRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        let out = super::fused_step(&mut self.done, step);
        if self.done {
            // Release the traversal state as soon as the iterator is finished.
            self.stack.clear();
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use crate::format::Ctx;
    use alloc::sync::Arc;
    use alloc::vec;

    fn range<'a>(lo: &'a [u64], hi: &'a [u64], incl: bool, chunk: &'a [u64]) -> ChunkRange<'a> {
        ChunkRange {
            lo,
            hi,
            hi_inclusive: incl,
            chunk,
            level: 0,
        }
    }

    #[test]
    fn prune_ranges() {
        let c = [4u64, 5];
        // Chunks from (0, 0) up to, not including, (20, 40) (4 x 5 chunks of a 40 x 60 grid).
        let r = range(&[0, 0], &[20, 40], false, &c);
        assert!(r.may_intersect(&[0, 0], &[1, 1]));
        assert!(r.may_intersect(&[22, 0], &[23, 1])); // chunk (20, 0) covers rows 20..24
        assert!(r.may_intersect(&[20, 39], &[21, 40])); // chunk (20, 35)
        assert!(!r.may_intersect(&[20, 40], &[24, 60])); // chunks (20, 40..)
        assert!(!r.may_intersect(&[24, 0], &[40, 60]));
        assert!(!r.may_intersect(&[0, 0], &[0, 60])); // empty box
                                                      // Inclusive bound: chunk (20, 40) itself may be in the subtree.
        let r = range(&[0, 0], &[20, 40], true, &c);
        assert!(r.may_intersect(&[20, 40], &[24, 60]));
        assert!(!r.may_intersect(&[20, 45], &[24, 60]));
        // Single-row range: row 20, columns 40 .. 55.
        let r = range(&[20, 40], &[20, 55], false, &c);
        assert!(r.may_intersect(&[20, 50], &[21, 54]));
        assert!(!r.may_intersect(&[20, 55], &[21, 59]));
        assert!(!r.may_intersect(&[20, 0], &[21, 39]));
        assert!(!r.may_intersect(&[16, 40], &[20, 60]));
        // A column selection across rows: columns 0..5 of rows 0..40 hit chunk (4, 0) etc.,
        // which lies between (0, 10) and (8, 0).
        let r = range(&[0, 10], &[8, 0], false, &c);
        assert!(r.may_intersect(&[0, 0], &[40, 5]));
        assert!(!r.may_intersect(&[0, 0], &[4, 10]));
        assert!(!r.may_intersect(&[8, 0], &[40, 60]));
        // Wrong lengths never prune.
        assert!(r.may_intersect(&[0], &[1]));
        // Least point of a box at or above a bound.
        let one = [1, 1];
        assert_eq!(
            least_at_or_above(&[3, 9], &[0, 0], &[5, 5], &one),
            Some(vec![4, 0])
        );
        assert_eq!(least_at_or_above(&[5, 9], &[0, 0], &[5, 5], &one), None);
        assert_eq!(
            least_at_or_above(&[3, 2], &[0, 4], &[5, 5], &one),
            Some(vec![3, 4])
        );
        assert_eq!(least_at_or_above(&[6, 0], &[0, 0], &[5, 5], &one), None);
        let st = [4, 5];
        assert_eq!(
            least_at_or_above(&[4, 7], &[0, 0], &[8, 10], &st),
            Some(vec![4, 10])
        );
        assert_eq!(
            least_at_or_above(&[4, 11], &[0, 0], &[8, 10], &st),
            Some(vec![8, 0])
        );
        assert_eq!(
            least_at_or_above(&[1, 0], &[0, 0], &[8, 10], &st),
            Some(vec![4, 0])
        );
        assert_eq!(least_at_or_above(&[8, 11], &[0, 0], &[8, 10], &st), None);
    }

    /// A chunk tree: a level-1 root over two leaves; 1-D chunks of 10 one-byte elements.
    fn tree_bytes(child_level: u8, second_leaf: u64) -> Vec<u8> {
        let mut b = vec![0u8; 1024];
        let mut put = |at: usize, level: u8, keys: &[(u32, u64)], children: &[u64]| {
            let mut n = b"TREE".to_vec();
            n.push(1);
            n.push(level);
            n.extend_from_slice(&(children.len() as u16).to_le_bytes());
            n.extend_from_slice(&[0xff; 16]);
            for (i, (size, off)) in keys.iter().enumerate() {
                n.extend_from_slice(&size.to_le_bytes());
                n.extend_from_slice(&0u32.to_le_bytes());
                n.extend_from_slice(&off.to_le_bytes());
                n.extend_from_slice(&0u64.to_le_bytes());
                if let Some(c) = children.get(i) {
                    n.extend_from_slice(&c.to_le_bytes());
                }
            }
            b[at..at + n.len()].copy_from_slice(&n);
        };
        put(0, 1, &[(10, 0), (10, 20), (0, 40)], &[200, second_leaf]);
        put(200, child_level, &[(10, 0), (10, 10), (0, 20)], &[900, 910]);
        put(400, 0, &[(7, 20), (0, 30)], &[920]);
        b
    }

    fn reader(b: Vec<u8>) -> Reader {
        Reader::new(Arc::new(b), 0, Ctx::DEFAULT, Limits::default()).unwrap()
    }

    #[test]
    fn chunk_walk() {
        let r = reader(tree_bytes(0, 400));
        let t = ChunkBTreeV1::new(Addr(0), &[10, 1]).unwrap();
        let recs: Vec<ChunkRecord> = t.iter(&r).collect::<Result<_>>().unwrap();
        let offs: Vec<(u64, u64, u32)> = recs
            .iter()
            .map(|c| (c.offset[0], c.addr.0, c.size))
            .collect();
        assert_eq!(offs, [(0, 900, 10), (10, 910, 10), (20, 920, 7)]);
        // Pruning skips the first leaf entirely.
        let kept: Vec<u64> = t
            .iter_pruned(&r, |range| range.may_intersect(&[25], &[26]))
            .map(|c| c.unwrap().offset[0])
            .collect();
        assert_eq!(kept, [20]);
        assert_eq!(t.find(&r, &[10]).unwrap().unwrap().addr, Addr(910));
        assert_eq!(t.find(&r, &[30]).unwrap(), None);
        // Off-grid offsets (wrong chunk dims) are an error.
        let t3 = ChunkBTreeV1::new(Addr(0), &[3, 1]).unwrap();
        let e = t3.iter(&r).nth(1).unwrap().unwrap_err();
        assert_eq!(e, Error::invalid("v1 B-tree chunk offset", 200));
        assert!(ChunkBTreeV1::new(Addr(0), &[10]).is_err());
        assert!(ChunkBTreeV1::new(Addr(0), &[0, 1]).is_err());
    }

    #[test]
    fn chunk_walk_errors() {
        let t = ChunkBTreeV1::new(Addr(0), &[10, 1]).unwrap();
        // A child at the wrong level.
        let r = reader(tree_bytes(1, 400));
        let mut it = t.iter(&r);
        let e = it.next().unwrap().unwrap_err();
        assert_eq!(e, Error::invalid("v1 B-tree node level", 200));
        assert!(it.next().is_none());
        // Both children are the same node: the second visit is a cycle.
        let r = reader(tree_bytes(0, 200));
        let res: Vec<_> = t.iter(&r).collect();
        assert_eq!(res.len(), 3);
        assert_eq!(
            res[2].clone().unwrap_err(),
            Error::format(FormatErrorKind::Cycle, NODE, 200)
        );
        // Node-count and depth caps.
        let mut limits = Limits::default();
        limits.max_btree_nodes = 2;
        let r2 = Reader::new(Arc::new(tree_bytes(0, 400)), 0, Ctx::DEFAULT, limits).unwrap();
        let e = t.iter(&r2).find_map(|x| x.err()).unwrap();
        assert!(matches!(
            e,
            Error::LimitExceeded {
                limit: "max_btree_nodes",
                ..
            }
        ));
        let mut limits = Limits::default();
        limits.max_btree_depth = 1;
        let r2 = Reader::new(Arc::new(tree_bytes(0, 400)), 0, Ctx::DEFAULT, limits).unwrap();
        let e = t.iter(&r2).next().unwrap().unwrap_err();
        assert!(matches!(
            e,
            Error::LimitExceeded {
                limit: "max_btree_depth",
                ..
            }
        ));
        // Root outside the file.
        let e = ChunkBTreeV1::new(Addr(5000), &[10, 1])
            .unwrap()
            .iter(&r)
            .next()
            .unwrap();
        assert_eq!(
            e.unwrap_err().format_kind(),
            Some(FormatErrorKind::OutOfBounds)
        );
        // A group tree where a chunk tree is expected.
        let mut b = tree_bytes(0, 400);
        b[4] = 0;
        let e = t.iter(&reader(b)).next().unwrap().unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn group_walk() {
        // Root (level 0) with two SNODs of one and two entries.
        let ctx = Ctx::DEFAULT;
        let mut b = vec![0u8; 1024];
        let mut n = b"TREE\0\0\x02\0".to_vec();
        n.extend_from_slice(&[0xff; 16]);
        for v in [0u64, 100, 8, 200, 16] {
            n.extend_from_slice(&v.to_le_bytes());
        }
        b[..n.len()].copy_from_slice(&n);
        let snod = |entries: &[u64]| {
            let mut s = b"SNOD\x01\0".to_vec();
            s.extend_from_slice(&(entries.len() as u16).to_le_bytes());
            for &name in entries {
                s.extend_from_slice(&name.to_le_bytes());
                s.extend_from_slice(&(1000 + name).to_le_bytes());
                s.extend_from_slice(&[0; 24]);
            }
            s
        };
        let s1 = snod(&[8]);
        b[100..100 + s1.len()].copy_from_slice(&s1);
        let s2 = snod(&[16, 24]);
        b[200..200 + s2.len()].copy_from_slice(&s2);
        let r = Reader::new(Arc::new(b.clone()), 0, ctx, Limits::default()).unwrap();
        let e = group_entries(&r, Addr(0)).unwrap();
        let names: Vec<u64> = e.iter().map(|e| e.name_offset).collect();
        assert_eq!(names, [8, 16, 24]);
        assert_eq!(e[2].object_header, Some(Addr(1024)));
        // A bad SNOD signature.
        b[200] = b'X';
        let r = Reader::new(Arc::new(b.clone()), 0, ctx, Limits::default()).unwrap();
        let e = group_entries(&r, Addr(0)).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::BadSignature, "symbol table node", 200)
        );
        // A chunk node where a group node is expected.
        b[4] = 1;
        let r = Reader::new(Arc::new(b), 0, ctx, Limits::default()).unwrap();
        let e = group_entries(&r, Addr(0)).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }
}
