//! The B-tree chunk indexes: version 1 (layout messages 1 to 3; spec "Version 1 B-trees") and
//! version 2 with record types 10 and 11 (spec "The Version 2 B-trees Index").
//!
//! Both order chunks lexicographically by their coordinates (slowest dimension first): element
//! offsets in v1 keys, scaled offsets (offset / chunk) in v2 records. A walk descends only
//! into subtrees whose key range can hold a chunk of the region, and checks that the chunks it
//! yields come in strictly increasing order (so a malformed tree cannot yield a chunk twice).

use super::{ChunkIndex, ChunkRecord, ChunkRegion, Grid, Visited};
use crate::error::{Error, Result};
use crate::format::btree::v2::{ChildPointer, Node, Record, RecordParams};
use crate::format::Addr;
use crate::read::btree_v1::{ChunkBTreeV1, ChunkRange};
use crate::read::btree_v2::BTreeV2;
use crate::read::Reader;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Yield `Err(e)` once.
fn fail<'a>(e: Error) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
    Box::new(core::iter::once(Err(e)))
}

/// Whether a chunk whose scaled coordinates lie lexicographically in `lo ..= hi` (`None`:
/// unbounded) can lie in the box `blo ..= bhi`.
fn range_meets_box(lo: Option<&[u64]>, hi: Option<&[u64]>, blo: &[u64], bhi: &[u64]) -> bool {
    let rank = blo.len();
    let zeros = vec![0u64; rank];
    let maxes = vec![u64::MAX; rank];
    let ones = vec![1u64; rank];
    let end: Vec<u64> = bhi.iter().map(|&h| h.saturating_add(1)).collect();
    ChunkRange {
        lo: lo.unwrap_or(&zeros),
        hi: hi.unwrap_or(&maxes),
        hi_inclusive: true,
        chunk: &ones,
        level: 0,
    }
    .may_intersect(blo, &end)
}

/// The version 1 B-tree index: a lazy, pruned walk of [`ChunkBTreeV1`].
#[derive(Debug)]
pub(super) struct BTreeV1Index {
    tree: ChunkBTreeV1,
    grid: Grid,
}

impl BTreeV1Index {
    /// The tree whose root node is at `root`, for chunks of `grid` holding elements of
    /// `element_size` bytes (the keys carry the element size dimension as a last offset of 0).
    pub(super) fn new(root: Addr, grid: Grid, element_size: u64) -> Result<Self> {
        let mut dims = grid.chunk.clone();
        dims.push(element_size);
        Ok(BTreeV1Index {
            tree: ChunkBTreeV1::new(root, &dims)?,
            grid,
        })
    }
}

impl ChunkIndex for BTreeV1Index {
    fn chunks<'a>(
        &'a self,
        r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
        let (lo, hi) = match self.grid.clip(region) {
            Ok(Some(b)) => b,
            Ok(None) => return Box::new(core::iter::empty()),
            Err(e) => return fail(e),
        };
        // The box in element coordinates: [lo * chunk, (hi + 1) * chunk).
        let start: Vec<u64> = lo
            .iter()
            .zip(&self.grid.chunk)
            .map(|(&l, &c)| l.saturating_mul(c))
            .collect();
        let end: Vec<u64> = hi
            .iter()
            .zip(&self.grid.chunk)
            .map(|(&h, &c)| h.saturating_add(1).saturating_mul(c))
            .collect();
        let root = self.tree.root().0;
        let walk = self
            .tree
            .iter_pruned(r, move |range| range.may_intersect(&start, &end));
        let chunk = &self.grid.chunk;
        let mut last: Option<Vec<u64>> = None;
        let mut failed = false;
        Box::new(walk.filter_map(move |rec| {
            if failed {
                return None;
            }
            let out = (|| {
                let rec = rec?;
                if last
                    .as_ref()
                    .is_some_and(|l| l.as_slice() >= rec.offset.as_slice())
                {
                    return Err(Error::invalid("v1 B-tree chunk key order", root));
                }
                last = Some(rec.offset.clone());
                // Keys are on the chunk grid (checked by the walk).
                let scaled: Vec<u64> = rec
                    .offset
                    .iter()
                    .zip(chunk)
                    .map(|(&o, &c)| o.checked_div(c).unwrap_or(0))
                    .collect();
                let inside = scaled
                    .iter()
                    .zip(lo.iter().zip(&hi))
                    .all(|(s, (l, h))| l <= s && s <= h);
                Ok(inside.then_some(ChunkRecord {
                    offset: rec.offset,
                    addr: rec.addr,
                    size: u64::from(rec.size),
                    filter_mask: rec.filter_mask,
                }))
            })();
            failed = out.is_err();
            out.transpose()
        }))
    }
}

/// The version 2 B-tree index (record type 10 for datasets without filters, 11 with).
#[derive(Debug)]
pub(super) struct BTreeV2Index {
    tree: BTreeV2,
    grid: Grid,
}

impl BTreeV2Index {
    /// Open the tree at `addr`; `width` is the chunk size width of filtered records.
    pub(super) fn open(
        r: &Reader,
        addr: Addr,
        grid: Grid,
        filtered: bool,
        width: u8,
    ) -> Result<Self> {
        let rank = u8::try_from(grid.rank())
            .map_err(|_| Error::invalid("chunk dimensionality of the dataspace", addr.0))?;
        let tree = BTreeV2::open_with(r, addr, RecordParams::chunks(rank, width))?;
        let expected = if filtered { 11 } else { 10 };
        if tree.btree_type().0 != expected {
            return Err(Error::invalid("v2 B-tree chunk index type", addr.0 + 5));
        }
        Ok(BTreeV2Index { tree, grid })
    }
}

impl ChunkIndex for BTreeV2Index {
    fn chunks<'a>(
        &'a self,
        r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
        let (lo, hi) = match self.grid.clip(region) {
            Ok(Some(b)) => b,
            Ok(None) => return Box::new(core::iter::empty()),
            Err(e) => return fail(e),
        };
        Box::new(V2Chunks {
            ix: self,
            r,
            lo,
            hi,
            stack: Vec::new(),
            visited: Visited::default(),
            last: None,
            started: false,
            done: false,
        })
    }
}

/// A node on the walk's stack.
struct Frame {
    depth: u16,
    records: Vec<Record>,
    children: Vec<ChildPointer>,
    /// Position in the node: in an internal node, even positions are children and odd ones
    /// records (child 0, record 0, child 1, ...); in a leaf, the record index.
    next: usize,
    /// Scaled keys bounding the node's records (`None`: unbounded).
    lower: Option<Vec<u64>>,
    upper: Option<Vec<u64>>,
}

fn scaled(rec: &Record) -> Option<&[u64]> {
    match rec {
        Record::Chunk { scaled, .. } | Record::FilteredChunk { scaled, .. } => Some(scaled),
        _ => None,
    }
}

/// The pruned in-order walk of a [`BTreeV2Index`].
struct V2Chunks<'a> {
    ix: &'a BTreeV2Index,
    r: &'a Reader,
    lo: Vec<u64>,
    hi: Vec<u64>,
    stack: Vec<Frame>,
    visited: Visited,
    last: Option<Vec<u64>>,
    started: bool,
    done: bool,
}

impl V2Chunks<'_> {
    fn push(
        &mut self,
        ptr: ChildPointer,
        depth: u16,
        lower: Option<Vec<u64>>,
        upper: Option<Vec<u64>>,
    ) -> Result<()> {
        let what = if depth == 0 {
            "v2 B-tree leaf node"
        } else {
            "v2 B-tree internal node"
        };
        self.visited.enter(self.r, ptr.addr, what)?;
        let tree = &self.ix.tree;
        let data = self
            .r
            .block_upto(ptr.addr, tree.geometry().node_size(), what)?;
        let node = Node::decode(
            &data,
            ptr.addr.0,
            tree.geometry(),
            tree.record_format(),
            depth,
            ptr.records,
        )?;
        self.stack.push(Frame {
            depth,
            records: node.records,
            children: node.children,
            next: 0,
            lower,
            upper,
        });
        Ok(())
    }

    /// The record `rec` as a chunk of the region, if it is one.
    fn record(&mut self, rec: &Record) -> Result<Option<ChunkRecord>> {
        let at = self.ix.tree.addr().0;
        let (addr, size, filter_mask, key) = match rec {
            Record::Chunk { addr, scaled } => (*addr, self.ix.grid.chunk_bytes, 0, scaled),
            Record::FilteredChunk {
                addr,
                size,
                filter_mask,
                scaled,
            } => (*addr, *size, *filter_mask, scaled),
            _ => return Err(Error::invalid("v2 B-tree chunk record", at)),
        };
        if self.last.as_ref().is_some_and(|l| l >= key) {
            return Err(Error::invalid("v2 B-tree chunk record order", at));
        }
        self.last = Some(key.clone());
        let inside = key
            .iter()
            .zip(self.lo.iter().zip(&self.hi))
            .all(|(s, (l, h))| l <= s && s <= h);
        if !inside {
            return Ok(None);
        }
        Ok(Some(ChunkRecord {
            offset: self.ix.grid.offset(key, at)?,
            addr,
            size,
            filter_mask,
        }))
    }

    fn step(&mut self) -> Result<Option<ChunkRecord>> {
        if !self.started {
            self.started = true;
            let h = self.ix.tree.header();
            let Some(root) = h.root else {
                return Ok(None);
            };
            let ptr = ChildPointer {
                addr: root,
                records: u64::from(h.root_records),
                total_records: h.total_records,
            };
            self.push(ptr, h.depth, None, None)?;
        }
        loop {
            let Some(top) = self.stack.last_mut() else {
                return Ok(None);
            };
            let pos = top.next;
            top.next += 1;
            let internal = top.depth > 0;
            if internal && pos % 2 == 0 {
                // Child pos / 2, between records pos/2 - 1 and pos/2.
                let i = pos / 2;
                let Some(&child) = top.children.get(i) else {
                    self.stack.pop();
                    continue;
                };
                let lower = match i.checked_sub(1) {
                    Some(j) => top.records.get(j).and_then(scaled).map(<[u64]>::to_vec),
                    None => top.lower.clone(),
                };
                let upper = match top.records.get(i) {
                    Some(rec) => scaled(rec).map(<[u64]>::to_vec),
                    None => top.upper.clone(),
                };
                let depth = top.depth - 1;
                if range_meets_box(lower.as_deref(), upper.as_deref(), &self.lo, &self.hi) {
                    self.push(child, depth, lower, upper)?;
                }
                continue;
            }
            let i = if internal { pos / 2 } else { pos };
            let Some(rec) = top.records.get(i).cloned() else {
                self.stack.pop();
                continue;
            };
            // Everything after a record beyond the region's greatest point is beyond too.
            if scaled(&rec).is_some_and(|k| k.cmp(&self.hi) == Ordering::Greater) {
                self.stack.clear();
                return Ok(None);
            }
            if let Some(c) = self.record(&rec)? {
                return Ok(Some(c));
            }
        }
    }
}

impl Iterator for V2Chunks<'_> {
    type Item = Result<ChunkRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        let out = crate::read::fused_step(&mut self.done, step);
        if self.done {
            self.stack.clear();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ranges() {
        let (blo, bhi) = ([2u64, 3], [4u64, 5]);
        assert!(range_meets_box(None, None, &blo, &bhi));
        assert!(!range_meets_box(Some(&[3, 0]), Some(&[3, 1]), &blo, &bhi));
        assert!(range_meets_box(Some(&[3, 0]), Some(&[3, 3]), &blo, &bhi));
        assert!(!range_meets_box(Some(&[4, 6]), None, &blo, &bhi));
        assert!(!range_meets_box(None, Some(&[2, 2]), &blo, &bhi));
        assert!(range_meets_box(Some(&[0, 9]), Some(&[2, 3]), &blo, &bhi));
        assert!(range_meets_box(Some(&[1, 9]), Some(&[5, 0]), &blo, &bhi));
    }
}
