//! Finding the stored chunks of a chunked dataset: one implementation per chunk index type
//! behind the [`ChunkIndex`] trait (spec Appendix C, "Types of Indexes for Dataset Chunks",
//! and "Version 1 B-trees" for layout message versions 1 to 3).
//!
//! | index | when libhdf5 uses it | implementation |
//! |---|---|---|
//! | version 1 B-tree | layout versions 1-3 (`libver` earliest, v108) | [`crate::read::btree_v1::ChunkBTreeV1`], pruned by key ranges |
//! | single chunk | chunk = current = maximum dims | the layout message holds the address (and the size and filter mask of a filtered chunk) |
//! | implicit | fixed maximum dims, early allocation, no filters | `address + linear index * chunk bytes` |
//! | fixed array | fixed maximum dims | [`crate::format::chunk_index::fixed_array`], paged above 2^page_bits entries |
//! | extensible array | exactly one unlimited dim | [`crate::format::chunk_index::extensible_array`] |
//! | version 2 B-tree | two or more unlimited dims | [`crate::read::btree_v2::BTreeV2`] (record types 10/11), pruned by scaled-offset keys |
//!
//! Every walk is lazy: it reads only the blocks (B-tree nodes, data blocks, pages) that can hold
//! chunks of the requested [`ChunkRegion`], yields each stored chunk at most once, counts the
//! blocks it reads against [`crate::Limits::max_btree_nodes`] and reports a block reached
//! twice as a `Cycle`. Chunks outside the dataset's current extent are never yielded.
//!
//! The implicit, fixed array and extensible array indexes number chunks linearly over the chunk
//! grid of the **maximum** dimensions (see [`open`]).

mod btree;
mod extensible_array;
mod fixed_array;

use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::chunk_index::{ChunkElement, ElementFormat, Elements};
use crate::format::message::dataspace::{Dataspace, SpaceKind};
use crate::format::message::layout::{ChunkIndex as IndexType, Layout, LayoutMessage};
use crate::format::Addr;
use crate::limits::Limits;
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::collections::BTreeSet;
use alloc::vec;
use alloc::vec::Vec;

/// One stored chunk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChunkRecord {
    /// Element coordinates of the chunk's first element (one per dataset dimension).
    pub offset: Vec<u64>,
    /// Address of the chunk's stored bytes.
    pub addr: Addr,
    /// Stored (possibly filtered) size in bytes.
    pub size: u64,
    /// Bit `i` set: filter `i` of the pipeline was skipped for this chunk.
    pub filter_mask: u32,
}

/// Which chunks a read needs: the inclusive box of chunk-grid coordinates (in units of
/// chunks) overlapping the selection's bounding box.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkRegion {
    /// Least chunk coordinates, one per dimension.
    pub lo: Vec<u64>,
    /// Greatest chunk coordinates (inclusive), one per dimension.
    pub hi: Vec<u64>,
}

impl ChunkRegion {
    /// Every chunk of a dataset of rank `rank`.
    pub fn all(rank: usize) -> Self {
        ChunkRegion {
            lo: vec![0; rank],
            hi: vec![u64::MAX; rank],
        }
    }

    /// The chunks overlapping the box of elements `start[d] .. end[d]` (end exclusive) of a
    /// dataset with chunk dimensions `chunk`. An empty box gives an empty region.
    ///
    /// # Errors
    /// `Usage` when the slices differ in length or a chunk dimension is zero.
    pub fn of_elements(start: &[u64], end: &[u64], chunk: &[u64]) -> Result<Self> {
        if start.len() != chunk.len() || end.len() != chunk.len() || chunk.contains(&0) {
            return Err(Error::Usage(alloc::format!(
                "element box {start:?}..{end:?} does not fit chunks {chunk:?}"
            )));
        }
        let mut lo = Vec::with_capacity(chunk.len());
        let mut hi = Vec::with_capacity(chunk.len());
        for ((&s, &e), &c) in start.iter().zip(end).zip(chunk) {
            if e <= s {
                // An empty box: lo > hi in this dimension.
                lo.push(1);
                hi.push(0);
            } else {
                lo.push(s / c);
                hi.push((e - 1) / c);
            }
        }
        Ok(ChunkRegion { lo, hi })
    }

    /// Whether the chunk at grid coordinates `scaled` lies in the region.
    pub fn contains(&self, scaled: &[u64]) -> bool {
        scaled.len() == self.lo.len()
            && scaled.len() == self.hi.len()
            && scaled
                .iter()
                .zip(self.lo.iter().zip(&self.hi))
                .all(|(s, (l, h))| l <= s && s <= h)
    }
}

/// A chunk index: finds the stored chunks of a region.
pub trait ChunkIndex {
    /// Lazily yields every allocated chunk whose grid coordinates lie in `region` (never-written
    /// chunks are simply not yielded), each at most once, pruning subtrees/pages outside the
    /// region. The order is index order (key order for B-trees, linear index order for the
    /// others). A region of the wrong rank yields one `Usage` error; a malformed index yields
    /// its error and ends.
    fn chunks<'a>(
        &'a self,
        r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a>;
}

/// Build the index of a chunked dataset from its layout message, dataspace, and whether it has
/// a filter pipeline. Reads the index header (fixed array, extensible array, v2 B-tree) and
/// checks it against the dataset: element formats against the layout version and filters, and
/// for the fixed array the entry count against the chunk grid of the maximum dimensions.
///
/// # Errors
/// `Usage` when the layout is not chunked; `InvalidValue` when the dataspace does not match the
/// chunk rank, the index type does not fit the dataspace (an implicit or fixed array index with
/// an unlimited dimension, an extensible array without exactly one), or the index header
/// contradicts the layout or the filters; header format errors (`Truncated`, `BadSignature`,
/// `BadVersion`, `BadChecksum`, `OutOfBounds`); `Overflow` for grids whose chunk counts or
/// sizes do not fit in 64 bits.
pub fn open(
    r: &Reader,
    layout: &LayoutMessage,
    space: &Dataspace,
    filtered: bool,
) -> Result<Box<dyn ChunkIndex + Send + Sync>> {
    let Layout::Chunked {
        chunk,
        element_size,
        index,
        addr,
        ..
    } = &layout.layout
    else {
        return Err(Error::Usage(alloc::string::String::from(
            "a chunk index needs a chunked layout",
        )));
    };
    let at = addr.map_or(0, |a| a.0);
    let grid = Grid::new(chunk, *element_size, space, at)?;
    let mismatch = |what| Err(Error::invalid(what, at));
    if let IndexType::SingleChunk { filtered: f } = index {
        if f.is_some() != filtered {
            return mismatch("single chunk index filter information");
        }
    }
    if matches!(index, IndexType::Implicit) && filtered {
        return mismatch("implicit chunk index of a filtered dataset");
    }
    let Some(addr) = *addr else {
        return Ok(Box::new(Empty { rank: grid.rank() }));
    };
    let format = element_format(r, layout.version, filtered, grid.chunk_bytes);
    Ok(match *index {
        IndexType::BTreeV1 => Box::new(btree::BTreeV1Index::new(addr, grid, *element_size)?),
        IndexType::SingleChunk { filtered: f } => {
            if grid.counts.iter().any(|&n| n > 1) {
                return mismatch("single chunk index of a dataset larger than its chunk");
            }
            let (size, filter_mask) = f.unwrap_or((grid.chunk_bytes, 0));
            Box::new(Single {
                // A dataset with a zero dimension has no chunk inside its extent.
                empty: grid.counts.contains(&0),
                record: ChunkRecord {
                    offset: vec![0; grid.chunk.len()],
                    addr,
                    size,
                    filter_mask,
                },
            })
        }
        IndexType::Implicit => Box::new(Implicit::new(r, addr, grid, space)?),
        IndexType::FixedArray { page_bits } => Box::new(fixed_array::FixedArrayIndex::open(
            r, addr, grid, space, format, page_bits,
        )?),
        IndexType::ExtensibleArray { .. } => Box::new(
            extensible_array::ExtensibleArrayIndex::open(r, addr, grid, space, format, index)?,
        ),
        IndexType::BTreeV2 { .. } => {
            let width = format.chunk_size_width.unwrap_or(0);
            Box::new(btree::BTreeV2Index::open(r, addr, grid, filtered, width)?)
        }
    })
}

fn element_format(r: &Reader, version: u8, filtered: bool, chunk_bytes: u64) -> ElementFormat {
    if filtered {
        let w = crate::format::chunk_index::filtered_size_width(version, r.ctx, chunk_bytes);
        ElementFormat::filtered(r.ctx, w)
    } else {
        ElementFormat::plain(r.ctx)
    }
}

/// The chunk grid of a dataset.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Grid {
    /// Chunk dimensions in elements.
    chunk: Vec<u64>,
    /// Chunks per dimension covering the current dimensions.
    counts: Vec<u64>,
    /// Bytes of an unfiltered chunk.
    chunk_bytes: u64,
}

impl Grid {
    fn new(chunk: &[u64], element_size: u64, space: &Dataspace, at: u64) -> Result<Self> {
        if space.kind != SpaceKind::Simple
            || space.dims.len() != chunk.len()
            || space.max_dims.len() != chunk.len()
            || chunk.contains(&0)
        {
            return Err(Error::invalid("chunk dimensionality of the dataspace", at));
        }
        let counts = space
            .dims
            .iter()
            .zip(chunk)
            .map(|(&d, &c)| d.div_ceil(c))
            .collect();
        let chunk_bytes = chunk
            .iter()
            .try_fold(element_size, |a, &c| a.checked_mul(c))
            .ok_or(Error::format(FormatErrorKind::Overflow, "chunk size", at))?;
        Ok(Grid {
            chunk: chunk.to_vec(),
            counts,
            chunk_bytes,
        })
    }

    fn rank(&self) -> usize {
        self.chunk.len()
    }

    /// Chunks per dimension covering the maximum dimensions (`None` for unlimited ones).
    fn max_counts(&self, space: &Dataspace) -> Vec<Option<u64>> {
        space
            .max_dims
            .iter()
            .zip(&self.chunk)
            .map(|(m, &c)| m.map(|m| m.div_ceil(c)))
            .collect()
    }

    /// `region` clipped to the current extent: `Ok(None)` when no chunk is left.
    ///
    /// # Errors
    /// `Usage` when the region's rank differs from the dataset's.
    fn clip(&self, region: &ChunkRegion) -> Result<Option<(Vec<u64>, Vec<u64>)>> {
        if region.lo.len() != self.rank() || region.hi.len() != self.rank() {
            return Err(Error::Usage(alloc::format!(
                "chunk region of rank {} for a dataset of rank {}",
                region.lo.len(),
                self.rank()
            )));
        }
        let mut hi = Vec::with_capacity(self.rank());
        for ((&l, &h), &n) in region.lo.iter().zip(&region.hi).zip(&self.counts) {
            let Some(last) = n.checked_sub(1) else {
                return Ok(None);
            };
            let h = h.min(last);
            if l > h {
                return Ok(None);
            }
            hi.push(h);
        }
        Ok(Some((region.lo.clone(), hi)))
    }

    /// Element offset of the chunk at grid coordinates `scaled`.
    fn offset(&self, scaled: &[u64], at: u64) -> Result<Vec<u64>> {
        scaled
            .iter()
            .zip(&self.chunk)
            .map(|(&s, &c)| {
                s.checked_mul(c)
                    .ok_or(Error::format(FormatErrorKind::Overflow, "chunk offset", at))
            })
            .collect()
    }

    /// The record of a chunk at `scaled` described by an array element.
    fn record(&self, scaled: &[u64], e: ChunkElement, at: u64) -> Result<ChunkRecord> {
        Ok(ChunkRecord {
            offset: self.offset(scaled, at)?,
            addr: e.addr,
            size: e.size.unwrap_or(self.chunk_bytes),
            filter_mask: e.filter_mask,
        })
    }
}

/// A row-major linear numbering of chunk-grid coordinates. Dimension `order[0]` varies
/// slowest; `down[k]` is the stride of dimension `order[k]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Linear {
    order: Vec<usize>,
    down: Vec<u64>,
}

impl Linear {
    /// Numbering over `counts` (chunks per dimension) in the dimension order `order`; the
    /// count of the slowest dimension does not matter and may be `None` (unlimited).
    fn new(order: Vec<usize>, counts: &[Option<u64>], at: u64) -> Result<Self> {
        let mut down = vec![1u64; order.len()];
        let mut acc = 1u64;
        for k in (0..order.len()).rev() {
            if let Some(d) = down.get_mut(k) {
                *d = acc;
            }
            if k > 0 {
                let n = order
                    .get(k)
                    .and_then(|&d| counts.get(d).copied().flatten())
                    .ok_or(Error::invalid("chunk index dimension order", at))?;
                acc = acc.checked_mul(n).ok_or(Error::format(
                    FormatErrorKind::Overflow,
                    "chunk grid size",
                    at,
                ))?;
            }
        }
        Ok(Linear { order, down })
    }

    /// The linear index of `scaled` (dataset dimension order); `None` on overflow.
    fn index(&self, scaled: &[u64]) -> Option<u64> {
        self.order
            .iter()
            .zip(&self.down)
            .try_fold(0u64, |acc, (&d, &m)| {
                acc.checked_add(scaled.get(d)?.checked_mul(m)?)
            })
    }
}

/// Visits every point of the box `lo ..= hi` in increasing order of a [`Linear`] numbering
/// with the same dimension order: the last dimension of `order` fastest.
#[derive(Debug, Clone)]
struct BoxWalk {
    lo: Vec<u64>,
    hi: Vec<u64>,
    cur: Vec<u64>,
    order: Vec<usize>,
    started: bool,
    done: bool,
}

impl BoxWalk {
    fn new(lo: Vec<u64>, hi: Vec<u64>, order: Vec<usize>) -> Self {
        BoxWalk {
            cur: lo.clone(),
            lo,
            hi,
            order,
            started: false,
            done: false,
        }
    }

    /// The next point, in dataset dimension order.
    fn next(&mut self) -> Option<&[u64]> {
        if self.done {
            return None;
        }
        if !self.started {
            self.started = true;
            return Some(&self.cur);
        }
        for &d in self.order.iter().rev() {
            let (Some(c), Some(&l), Some(&h)) =
                (self.cur.get_mut(d), self.lo.get(d), self.hi.get(d))
            else {
                break;
            };
            if *c < h {
                *c += 1;
                return Some(&self.cur);
            }
            *c = l;
        }
        self.done = true;
        None
    }
}

/// Blocks read by one walk: the node-count cap, and detection of blocks reached twice for
/// blocks whose addresses come from the file.
#[derive(Debug, Default)]
struct Visited {
    seen: BTreeSet<u64>,
    blocks: u64,
}

impl Visited {
    /// Count a block against [`Limits::max_btree_nodes`].
    fn count(&mut self, r: &Reader) -> Result<()> {
        self.blocks = self.blocks.saturating_add(1);
        Limits::check("max_btree_nodes", self.blocks, r.limits.max_btree_nodes)
    }

    /// Count a block and fail with `Cycle` when its address was seen before.
    fn enter(&mut self, r: &Reader, addr: Addr, what: &'static str) -> Result<()> {
        self.count(r)?;
        if !self.seen.insert(addr.0) {
            return Err(Error::format(FormatErrorKind::Cycle, what, addr.0));
        }
        Ok(())
    }
}

/// Where a decoded run of elements lies: the address of its first element and its length.
fn span(e: &Elements<'_>) -> (u64, usize) {
    (e.addr(), e.len())
}

/// A block read into memory and the position of a run of elements inside it.
#[derive(Debug)]
struct Run<'a> {
    bytes: Cow<'a, [u8]>,
    /// File address of the block.
    addr: u64,
    /// Offset of the first element in the block.
    start: usize,
    count: u64,
    format: ElementFormat,
}

impl<'a> Run<'a> {
    /// The block `bytes` read at `addr`, whose elements (as decoded) are `elements`.
    fn new(bytes: Cow<'a, [u8]>, addr: u64, elements: (u64, usize), format: ElementFormat) -> Self {
        let start = usize::try_from(elements.0.saturating_sub(addr)).unwrap_or(usize::MAX);
        Run {
            bytes,
            addr,
            start,
            count: elements.1 as u64,
            format,
        }
    }

    /// Element `i` of the run.
    fn get(&self, i: u64) -> Result<Option<ChunkElement>> {
        let at = self.addr.wrapping_add(self.start as u64);
        let data = self.bytes.get(self.start..).unwrap_or(&[]);
        let i = crate::format::to_usize(i, "chunk index element", at)?;
        Elements::new(data, at, self.format, self.count)?.get(i)
    }
}

/// Yield one `Usage` error when `region` does not have rank `rank`, else nothing.
fn check_rank<'a>(
    rank: usize,
    region: &ChunkRegion,
) -> Option<Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a>> {
    if region.lo.len() == rank && region.hi.len() == rank {
        return None;
    }
    Some(Box::new(core::iter::once(Err(Error::Usage(
        alloc::format!(
            "chunk region of rank {} for a dataset of rank {rank}",
            region.lo.len()
        ),
    )))))
}

/// An index of a dataset none of whose chunks was ever written (undefined index address).
#[derive(Debug)]
struct Empty {
    rank: usize,
}

impl ChunkIndex for Empty {
    fn chunks<'a>(
        &'a self,
        _r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
        check_rank(self.rank, region).unwrap_or_else(|| Box::new(core::iter::empty()))
    }
}

/// The single chunk index (spec "The Single Chunk Index"): one chunk at the layout message's
/// address; a filtered chunk's size and filter mask are in the layout message too.
#[derive(Debug)]
struct Single {
    empty: bool,
    record: ChunkRecord,
}

impl ChunkIndex for Single {
    fn chunks<'a>(
        &'a self,
        _r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
        if let Some(err) = check_rank(self.record.offset.len(), region) {
            return err;
        }
        let hit = !self.empty && region.contains(&self.record.offset);
        Box::new(hit.then(|| Ok(self.record.clone())).into_iter())
    }
}

/// The implicit index (spec "The Implicit Index"): every chunk of the chunk grid of the
/// maximum dimensions is allocated when the dataset is created, contiguously in linear order,
/// so chunk `i` is at `address + i * chunk bytes`.
#[derive(Debug)]
struct Implicit {
    base: Addr,
    grid: Grid,
    linear: Linear,
}

impl Implicit {
    fn new(r: &Reader, base: Addr, grid: Grid, space: &Dataspace) -> Result<Self> {
        let max = grid.max_counts(space);
        if max.iter().any(Option::is_none) {
            return Err(Error::invalid(
                "implicit chunk index with an unlimited dimension",
                base.0,
            ));
        }
        let linear = Linear::new((0..grid.rank()).collect(), &max, base.0)?;
        // All chunks of the maximum grid must lie in the file.
        let total = max
            .iter()
            .try_fold(grid.chunk_bytes, |a, n| a.checked_mul((*n)?))
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                "implicit chunk index",
                base.0,
            ))?;
        let end = base.add(total, "implicit chunk index")?;
        if end.0 > r.available() {
            return Err(Error::format(
                FormatErrorKind::OutOfBounds,
                "implicit chunk index",
                base.0,
            ));
        }
        Ok(Implicit { base, grid, linear })
    }
}

impl ChunkIndex for Implicit {
    fn chunks<'a>(
        &'a self,
        _r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
        let (lo, hi) = match self.grid.clip(region) {
            Ok(Some(b)) => b,
            Ok(None) => return Box::new(core::iter::empty()),
            Err(e) => return Box::new(core::iter::once(Err(e))),
        };
        let mut walk = BoxWalk::new(lo, hi, self.linear.order.clone());
        let mut failed = false;
        Box::new(core::iter::from_fn(move || {
            if failed {
                return None;
            }
            let scaled = walk.next()?;
            let rec =
                (|| {
                    let at = self.base.0;
                    let i = self.linear.index(scaled);
                    let off = i.and_then(|i| i.checked_mul(self.grid.chunk_bytes)).ok_or(
                        Error::format(FormatErrorKind::Overflow, "implicit chunk index", at),
                    )?;
                    Ok(ChunkRecord {
                        offset: self.grid.offset(scaled, at)?,
                        addr: self.base.add(off, "implicit chunk index")?,
                        size: self.grid.chunk_bytes,
                        filter_mask: 0,
                    })
                })();
            failed = rec.is_err();
            Some(rec)
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions() {
        let r = ChunkRegion::of_elements(&[0, 10], &[5, 31], &[4, 10]).unwrap();
        assert_eq!(r.lo, [0, 1]);
        assert_eq!(r.hi, [1, 3]);
        assert!(r.contains(&[1, 1]));
        assert!(!r.contains(&[2, 1]));
        assert!(!r.contains(&[1]));
        let empty = ChunkRegion::of_elements(&[3], &[3], &[4]).unwrap();
        assert!(!empty.contains(&[0]));
        assert!(ChunkRegion::of_elements(&[3], &[3], &[0]).is_err());
        assert!(ChunkRegion::all(2).contains(&[7, u64::MAX]));
    }

    fn space(dims: &[u64], max: &[Option<u64>]) -> Dataspace {
        Dataspace {
            kind: SpaceKind::Simple,
            dims: dims.to_vec(),
            max_dims: max.to_vec(),
        }
    }

    #[test]
    fn grid_and_linear() {
        // 64 x 64 in 128 x 128, chunks 16 x 16: 4 x 4 current chunks, 8 x 8 maximum.
        let s = space(&[64, 64], &[Some(128), Some(128)]);
        let g = Grid::new(&[16, 16], 2, &s, 0).unwrap();
        assert_eq!(g.counts, [4, 4]);
        assert_eq!(g.chunk_bytes, 512);
        assert_eq!(g.max_counts(&s), [Some(8), Some(8)]);
        let l = Linear::new(vec![0, 1], &g.max_counts(&s), 0).unwrap();
        assert_eq!(l.index(&[1, 2]), Some(10));
        assert_eq!(g.offset(&[1, 2], 0).unwrap(), [16, 32]);
        assert_eq!(
            g.clip(&ChunkRegion::all(2)).unwrap(),
            Some((vec![0, 0], vec![3, 3]))
        );
        let r = ChunkRegion {
            lo: vec![4, 0],
            hi: vec![9, 9],
        };
        assert_eq!(g.clip(&r).unwrap(), None);
        assert!(matches!(g.clip(&ChunkRegion::all(3)), Err(Error::Usage(_))));
        // Extensible array order: the unlimited dimension 1 first, then dimension 0
        // (max 9 -> 5 chunks of 2).
        let s = space(&[7, 16], &[Some(9), None]);
        let g = Grid::new(&[2, 3], 2, &s, 0).unwrap();
        let l = Linear::new(vec![1, 0], &g.max_counts(&s), 0).unwrap();
        assert_eq!(l.down, [5, 1]);
        assert_eq!(l.index(&[3, 5]), Some(28));
        // Walk order follows the numbering.
        let mut w = BoxWalk::new(vec![1, 2], vec![2, 3], vec![1, 0]);
        let mut got = Vec::new();
        while let Some(p) = w.next() {
            got.push(l.index(p).unwrap());
        }
        assert_eq!(got, [11, 12, 16, 17]);
        assert!(w.next().is_none());
        // Errors: rank mismatch, zero chunk, overflowing grids.
        assert!(Grid::new(&[2], 2, &s, 0).is_err());
        assert!(Grid::new(&[2, 0], 2, &s, 0).is_err());
        assert!(Grid::new(&[1 << 32, 1 << 32], 2, &s, 0).is_err());
        let big = [Some(1u64 << 40), Some(1 << 40), Some(1 << 40)];
        assert_eq!(
            Linear::new(vec![0, 1, 2], &big, 7).unwrap_err(),
            Error::format(FormatErrorKind::Overflow, "chunk grid size", 7)
        );
        assert!(Linear::new(vec![0, 1], &[Some(1), None], 0).is_err());
    }
}
