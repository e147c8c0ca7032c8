//! Serialized dataspace selections (spec: "Dataspace Selection" within the "Global Heap"
//! dataset-region objects, and the selections of revised references), as libhdf5's
//! `H5S_SELECT_SERIALIZE` writes them.
//!
//! Layout (all integers little-endian): a 32-bit selection type (0 none, 1 points,
//! 2 hyperslabs, 3 all) and a 32-bit version, then
//! - none / all (version 1): 4 reserved bytes and a 32-bit length (0);
//! - points version 1: 4 reserved bytes, 32-bit length, 32-bit rank, 32-bit point count, then
//!   `rank` 32-bit coordinates per point;
//! - points version 2: a one-byte integer width (2, 4 or 8), 32-bit rank, the point count and
//!   the coordinates at that width;
//! - hyperslab version 1: 4 reserved bytes, 32-bit length, 32-bit rank, 32-bit block count,
//!   then per block its start corner and its (inclusive) end corner, 32-bit values;
//! - hyperslab version 2: a flags byte (bit 0: regular), 32-bit length, 32-bit rank; regular:
//!   start, stride, count, block per dimension, 64-bit; otherwise a 64-bit block count and
//!   64-bit corners;
//! - hyperslab version 3: a flags byte, a one-byte integer width (2, 4 or 8), 32-bit rank,
//!   then the regular description or the block list at that width.
//!
//! Blocks are reported as libhdf5's `H5Sget_select_hyper_blocklist` reports them after reading
//! the selection back: libhdf5 rebuilds an irregular list into its span tree, which is canonical
//! (sorted, disjoint, adjacent spans with identical lower-dimension trees merged), and
//! optimizes a regular selection (stride equal to block merges into one block). Both are
//! reproduced here; see `spec-notes/selections-and-references.md`.

use super::Cursor;
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec;
use alloc::vec::Vec;

/// Selection type (libhdf5's `H5S_sel_type`): an open newtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SelectionType(pub u32);

#[allow(missing_docs)]
impl SelectionType {
    pub const NONE: Self = Self(0);
    pub const POINTS: Self = Self(1);
    pub const HYPERSLABS: Self = Self(2);
    pub const ALL: Self = Self(3);
}

/// Largest dataspace rank (libhdf5's `H5S_MAX_RANK`).
pub const MAX_RANK: usize = 32;

/// Default cap on the blocks (or points) a selection may expand to, and on the work of
/// rebuilding an irregular block list into canonical form.
pub const MAX_BLOCKS: usize = 1 << 20;

/// One dimension of a regular hyperslab.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RegularDim {
    /// First selected coordinate.
    pub start: u64,
    /// Distance between the starts of consecutive blocks.
    pub stride: u64,
    /// Number of blocks.
    pub count: u64,
    /// Block length.
    pub block: u64,
}

/// A decoded selection.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selection {
    /// Nothing selected.
    None,
    /// The whole extent.
    All,
    /// Individual points, in stored order (duplicates kept, as libhdf5 keeps them).
    Points {
        /// Coordinates per point.
        rank: usize,
        /// Point coordinates, `rank` per point.
        coords: Vec<u64>,
    },
    /// A regular hyperslab, as stored.
    Regular {
        /// Per-dimension description.
        dims: Vec<RegularDim>,
    },
    /// An irregular hyperslab: a list of blocks as stored (possibly overlapping).
    Blocks {
        /// Coordinates per corner.
        rank: usize,
        /// For each block its start corner then its inclusive end corner (`2 * rank` values).
        corners: Vec<u64>,
    },
}

/// A hyperslab block: inclusive corners.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Block {
    /// First coordinate in each dimension.
    pub start: Vec<u64>,
    /// Last coordinate in each dimension (inclusive).
    pub end: Vec<u64>,
}

fn width_of(c: &Cursor<'_>, w: u8) -> Result<usize> {
    match w {
        2 | 4 | 8 => Ok(usize::from(w)),
        _ => Err(c.invalid("selection integer width")),
    }
}

/// Read `n` values of `width` bytes, after checking they are present (so a huge count cannot
/// drive an allocation).
fn values(c: &mut Cursor<'_>, n: u64, width: usize) -> Result<Vec<u64>> {
    let bytes = n
        .checked_mul(width as u64)
        .ok_or_else(|| c.err(FormatErrorKind::Overflow))?;
    if bytes > c.remaining() as u64 {
        return Err(c.err(FormatErrorKind::Truncated));
    }
    let mut v = Vec::with_capacity(usize::try_from(n).unwrap_or(0));
    for _ in 0..n {
        v.push(c.uint(width)?);
    }
    Ok(v)
}

fn rank_of(c: &Cursor<'_>, stored: u32, expected: Option<usize>) -> Result<usize> {
    let rank = usize::try_from(stored).unwrap_or(usize::MAX);
    if rank == 0 || rank > MAX_RANK || expected.is_some_and(|r| r != rank) {
        return Err(c.invalid("selection rank"));
    }
    Ok(rank)
}

impl Selection {
    /// Decode one serialized selection. `rank`, when known (the rank of the dataspace the
    /// selection applies to), is checked against the rank stored with point and hyperslab
    /// selections.
    ///
    /// # Errors
    /// `Truncated`; `BadVersion`; `InvalidValue` for an unknown selection type, flag, integer
    /// width, a rank of 0, above 32 or different from `rank`, a block whose end precedes its
    /// start, or overlapping regular blocks (stride below block, which libhdf5 rejects);
    /// [`Error::Unsupported`] for unlimited counts or blocks (only virtual datasets use them).
    pub fn decode(c: &mut Cursor<'_>, rank: Option<usize>) -> Result<Selection> {
        let at = c.addr();
        let ty = SelectionType(c.u32()?);
        let version_at = c.addr();
        let version = c.u32()?;
        let bad_version =
            || Error::format(FormatErrorKind::BadVersion, "selection version", version_at);
        match ty {
            SelectionType::NONE | SelectionType::ALL => {
                if version != 1 {
                    return Err(bad_version());
                }
                c.skip(8)?; // reserved, length
                Ok(if ty == SelectionType::NONE {
                    Selection::None
                } else {
                    Selection::All
                })
            }
            SelectionType::POINTS => {
                let (width, stored_rank, n) = match version {
                    1 => {
                        c.skip(8)?; // reserved, length
                        let r = c.u32()?;
                        (4, r, u64::from(c.u32()?))
                    }
                    2 => {
                        let w = c.u8()?;
                        let w = width_of(c, w)?;
                        let r = c.u32()?;
                        (w, r, c.uint(w)?)
                    }
                    _ => return Err(bad_version()),
                };
                let rank = rank_of(c, stored_rank, rank)?;
                let total = n
                    .checked_mul(rank as u64)
                    .ok_or_else(|| c.err(FormatErrorKind::Overflow))?;
                let coords = values(c, total, width)?;
                Ok(Selection::Points { rank, coords })
            }
            SelectionType::HYPERSLABS => {
                let (flags, width) = match version {
                    1 => {
                        c.skip(8)?; // reserved, length
                        (0, 4)
                    }
                    2 => {
                        let f = c.u8()?;
                        c.skip(4)?; // length
                        (f, 8)
                    }
                    3 => {
                        let f = c.u8()?;
                        let w = c.u8()?;
                        (f, width_of(c, w)?)
                    }
                    _ => return Err(bad_version()),
                };
                if flags & !1 != 0 {
                    return Err(c.invalid("selection hyperslab flags"));
                }
                let stored_rank = c.u32()?;
                let rank = rank_of(c, stored_rank, rank)?;
                if flags & 1 != 0 {
                    let unlimited = super::cursor::ones(width);
                    let mut dims = Vec::with_capacity(rank);
                    for _ in 0..rank {
                        let d = RegularDim {
                            start: c.uint(width)?,
                            stride: c.uint(width)?,
                            count: c.uint(width)?,
                            block: c.uint(width)?,
                        };
                        if d.count == unlimited || d.block == unlimited {
                            return Err(Error::unsupported("unlimited hyperslab selection", at));
                        }
                        if d.count > 1 && d.stride < d.block {
                            return Err(Error::invalid(
                                "selection hyperslab overlapping blocks",
                                at,
                            ));
                        }
                        dims.push(d);
                    }
                    Ok(Selection::Regular { dims })
                } else {
                    let n = c.uint(width)?;
                    let total = n
                        .checked_mul(2 * rank as u64)
                        .ok_or_else(|| c.err(FormatErrorKind::Overflow))?;
                    let corners = values(c, total, width)?;
                    for b in corners.chunks_exact(2 * rank) {
                        let (s, e) = b.split_at(rank);
                        if s.iter().zip(e).any(|(s, e)| s > e || *e == u64::MAX) {
                            return Err(Error::invalid("selection hyperslab block", at));
                        }
                    }
                    Ok(Selection::Blocks { rank, corners })
                }
            }
            _ => Err(Error::invalid("selection type", at)),
        }
    }

    /// The stored selection type.
    pub fn selection_type(&self) -> SelectionType {
        match self {
            Selection::None => SelectionType::NONE,
            Selection::All => SelectionType::ALL,
            Selection::Points { .. } => SelectionType::POINTS,
            Selection::Regular { .. } | Selection::Blocks { .. } => SelectionType::HYPERSLABS,
        }
    }

    /// The rank stored with a point or hyperslab selection.
    pub fn rank(&self) -> Option<usize> {
        match self {
            Selection::None | Selection::All => None,
            Selection::Points { rank, .. } | Selection::Blocks { rank, .. } => Some(*rank),
            Selection::Regular { dims } => Some(dims.len()),
        }
    }

    /// Number of selected elements: for `All` the product of `extent` (the dimensions of the
    /// dataspace the selection applies to); for points the stored count (duplicates included);
    /// for hyperslabs the size of the union of the blocks.
    ///
    /// # Errors
    /// `Overflow`; [`Error::LimitExceeded`] when an irregular block list is too large to
    /// rebuild (see [`Selection::blocks`]).
    pub fn npoints(&self, extent: &[u64]) -> Result<u64> {
        let overflow = || Error::format(FormatErrorKind::Overflow, "selection size", 0);
        match self {
            Selection::None => Ok(0),
            Selection::All => extent
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d))
                .ok_or_else(overflow),
            Selection::Points { rank, coords } => Ok((coords.len() / rank.max(&1)) as u64),
            Selection::Regular { dims } => dims
                .iter()
                .try_fold(1u64, |a, d| a.checked_mul(d.count.checked_mul(d.block)?))
                .ok_or_else(overflow),
            Selection::Blocks { .. } => {
                let mut n = 0u64;
                for b in self.blocks(MAX_BLOCKS)? {
                    let v = b
                        .start
                        .iter()
                        .zip(&b.end)
                        .try_fold(1u64, |a, (s, e)| a.checked_mul(e - s + 1))
                        .ok_or_else(overflow)?;
                    n = n.checked_add(v).ok_or_else(overflow)?;
                }
                Ok(n)
            }
        }
    }

    /// The points of a point selection, in stored order (nothing for other selections).
    pub fn points(&self) -> impl Iterator<Item = &[u64]> {
        let (rank, coords): (usize, &[u64]) = match self {
            Selection::Points { rank, coords } => (*rank, coords),
            _ => (1, &[]),
        };
        coords.chunks_exact(rank.max(1))
    }

    /// The blocks of a hyperslab selection (nothing for other selections), in the order
    /// libhdf5's `H5Sget_select_hyper_blocklist` returns them for this selection read back from
    /// the file: disjoint, canonical, in C order of the span tree (for a regular hyperslab:
    /// every block of the optimized description, C order over the count grid).
    ///
    /// # Errors
    /// [`Error::LimitExceeded`] (`max_blocks`) when there would be more than `max_blocks`
    /// blocks or rebuilding an irregular list needs more than `max_blocks` steps; `Overflow`
    /// for coordinates past 2^64.
    pub fn blocks(&self, max_blocks: usize) -> Result<Vec<Block>> {
        match self {
            Selection::Regular { dims } => regular_blocks(dims, max_blocks),
            Selection::Blocks { rank, corners } => {
                let list: Vec<&[u64]> = corners.chunks_exact(2 * rank).collect();
                let mut budget = max_blocks;
                let tree = build_spans(&list, *rank, 0, &mut budget, max_blocks)?;
                let mut out = Vec::new();
                let mut start = vec![0; *rank];
                let mut end = vec![0; *rank];
                emit_spans(&tree, 0, &mut start, &mut end, &mut out, max_blocks)?;
                Ok(out)
            }
            _ => Ok(Vec::new()),
        }
    }
}

fn limit(value: u64, max: usize) -> Error {
    Error::LimitExceeded {
        limit: "max_blocks",
        value,
        max: max as u64,
    }
}

fn overflow() -> Error {
    Error::format(FormatErrorKind::Overflow, "selection coordinates", 0)
}

/// libhdf5's optimization of a regular hyperslab (`H5S_select_hyperslab`): a dimension whose
/// stride equals its block becomes one block; a single block gets stride 1. A zero count or
/// block selects nothing.
fn regular_blocks(dims: &[RegularDim], max_blocks: usize) -> Result<Vec<Block>> {
    let mut opt = Vec::with_capacity(dims.len());
    for d in dims {
        if d.count == 0 || d.block == 0 {
            return Ok(Vec::new());
        }
        if d.stride == d.block {
            let block = d.block.checked_mul(d.count).ok_or_else(overflow)?;
            opt.push(RegularDim {
                start: d.start,
                stride: 1,
                count: 1,
                block,
            });
        } else {
            opt.push(*d);
        }
    }
    let total = opt
        .iter()
        .try_fold(1u64, |a, d| a.checked_mul(d.count))
        .unwrap_or(u64::MAX);
    if total > max_blocks as u64 {
        return Err(limit(total, max_blocks));
    }
    // Largest coordinate must fit.
    for d in &opt {
        (d.count - 1)
            .checked_mul(d.stride)
            .and_then(|x| x.checked_add(d.start))
            .and_then(|x| x.checked_add(d.block - 1))
            .ok_or_else(overflow)?;
    }
    let mut out = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
    let mut idx = vec![0u64; opt.len()];
    'grid: loop {
        let start: Vec<u64> = opt
            .iter()
            .zip(&idx)
            .map(|(d, &i)| d.start + i * d.stride)
            .collect();
        let end = start
            .iter()
            .zip(&opt)
            .map(|(s, d)| s + (d.block - 1))
            .collect();
        out.push(Block { start, end });
        // Odometer over the count grid, last dimension fastest.
        for (i, d) in idx.iter_mut().zip(&opt).rev() {
            *i += 1;
            if *i < d.count {
                continue 'grid;
            }
            *i = 0;
        }
        break;
    }
    Ok(out)
}

/// A node of libhdf5's span tree: the coordinates `lo..=hi` of one dimension, each holding the
/// same tree `down` of the remaining dimensions (empty in the last dimension).
#[derive(Debug, PartialEq, Eq)]
struct Span {
    lo: u64,
    hi: u64,
    down: Vec<Span>,
}

/// Build the canonical span tree of the union of `blocks` (each `2 * rank` values: start
/// corner, end corner) over dimensions `dim..rank`.
fn build_spans(
    blocks: &[&[u64]],
    rank: usize,
    dim: usize,
    budget: &mut usize,
    max: usize,
) -> Result<Vec<Span>> {
    let lo_of = |b: &[u64]| b.get(dim).copied().unwrap_or(0);
    let hi_of = |b: &[u64]| b.get(rank + dim).copied().unwrap_or(0);
    // Elementary intervals: between consecutive block boundaries of this dimension.
    let mut cuts: Vec<u64> = Vec::with_capacity(2 * blocks.len());
    for b in blocks {
        cuts.push(lo_of(b));
        cuts.push(hi_of(b).checked_add(1).ok_or_else(overflow)?);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let nint = cuts.len().saturating_sub(1);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); nint];
    for (bi, b) in blocks.iter().enumerate() {
        let first = cuts.partition_point(|&x| x < lo_of(b));
        let stop = cuts.partition_point(|&x| x <= hi_of(b));
        for m in members.iter_mut().take(stop).skip(first) {
            *budget = budget
                .checked_sub(1)
                .ok_or_else(|| limit(max as u64 + 1, max))?;
            m.push(bi);
        }
    }
    let mut out: Vec<Span> = Vec::new();
    for ((m, &lo), &next) in members.iter().zip(&cuts).zip(cuts.iter().skip(1)) {
        if m.is_empty() {
            continue;
        }
        let hi = next - 1;
        let down = if dim + 1 == rank {
            Vec::new()
        } else {
            let sub: Vec<&[u64]> = m.iter().filter_map(|&i| blocks.get(i).copied()).collect();
            build_spans(&sub, rank, dim + 1, budget, max)?
        };
        match out.last_mut() {
            Some(last) if last.hi.checked_add(1) == Some(lo) && last.down == down => last.hi = hi,
            _ => out.push(Span { lo, hi, down }),
        }
    }
    Ok(out)
}

fn emit_spans(
    spans: &[Span],
    dim: usize,
    start: &mut Vec<u64>,
    end: &mut Vec<u64>,
    out: &mut Vec<Block>,
    max_blocks: usize,
) -> Result<()> {
    for s in spans {
        if let (Some(a), Some(b)) = (start.get_mut(dim), end.get_mut(dim)) {
            *a = s.lo;
            *b = s.hi;
        }
        if s.down.is_empty() {
            if out.len() >= max_blocks {
                return Err(limit(out.len() as u64 + 1, max_blocks));
            }
            out.push(Block {
                start: start.clone(),
                end: end.clone(),
            });
        } else {
            emit_spans(&s.down, dim + 1, start, end, out, max_blocks)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    fn dec(b: &[u8], rank: Option<usize>) -> Selection {
        let mut c = Cursor::new(b, 0, "t");
        let s = Selection::decode(&mut c, rank).unwrap();
        assert!(c.is_empty(), "consumed all");
        s
    }

    fn blocks(s: &Selection) -> Vec<(Vec<u64>, Vec<u64>)> {
        s.blocks(MAX_BLOCKS)
            .unwrap()
            .into_iter()
            .map(|b| (b.start, b.end))
            .collect()
    }

    fn bl(v: &[[[u64; 2]; 2]]) -> Vec<(Vec<u64>, Vec<u64>)> {
        v.iter().map(|[s, e]| (s.to_vec(), e.to_vec())).collect()
    }

    // Selections serialized by libhdf5 2.0 for h5py region references on a 10x10 dataset
    // (global heap objects with the 8-byte object address removed); the expected blocks,
    // points and counts are what h5py reports for them.

    #[test]
    fn hyperslab_v1_single_block() {
        // d.regionref[1:3, 2:5], libver earliest
        let s = dec(
            &hex(
                "020000000100000000000000180000000200000001000000010000000200000002000000 04000000",
            ),
            Some(2),
        );
        assert_eq!(blocks(&s), bl(&[[[1, 2], [2, 4]]]));
        assert_eq!(s.npoints(&[10, 10]).unwrap(), 6);
    }

    #[test]
    fn hyperslab_v3_regular_two_byte() {
        // d.regionref[1:3, 2:5], libver latest: version 3, regular, 2-byte values
        let s = dec(
            &hex("0200000003000000010202000000010001000100020002000100010003 00"),
            Some(2),
        );
        assert_eq!(
            s,
            Selection::Regular {
                dims: vec![
                    RegularDim {
                        start: 1,
                        stride: 1,
                        count: 1,
                        block: 2
                    },
                    RegularDim {
                        start: 2,
                        stride: 1,
                        count: 1,
                        block: 3
                    },
                ]
            }
        );
        assert_eq!(blocks(&s), bl(&[[[1, 2], [2, 4]]]));
        assert_eq!(s.npoints(&[]).unwrap(), 6);
    }

    #[test]
    fn hyperslab_v3_regular_strided() {
        // d.regionref[::2, 1:9:3], libver latest
        let s = dec(
            &hex("0200000003000000010202000000000002000500010001000300030001 00"),
            Some(2),
        );
        assert_eq!(s.npoints(&[]).unwrap(), 15);
        let b = blocks(&s);
        assert_eq!(b.len(), 15);
        assert_eq!(b[0], (vec![0, 1], vec![0, 1]));
        assert_eq!(b[1], (vec![0, 4], vec![0, 4]));
        assert_eq!(b[3], (vec![2, 1], vec![2, 1]));
        assert_eq!(b[14], (vec![8, 7], vec![8, 7]));
    }

    #[test]
    fn hyperslab_v1_regular_as_block_list() {
        // the same selection under libver earliest: 15 blocks of one element
        let mut b = hex("02000000 01000000 00000000 f8000000 02000000 0f000000");
        for r in [0u32, 2, 4, 6, 8] {
            for col in [1u32, 4, 7] {
                for v in [r, col, r, col] {
                    b.extend(v.to_le_bytes());
                }
            }
        }
        let s = dec(&b, Some(2));
        let regular = dec(
            &hex("0200000003000000010202000000000002000500010001000300030001 00"),
            Some(2),
        );
        assert_eq!(blocks(&s), blocks(&regular));
        assert_eq!(s.npoints(&[]).unwrap(), 15);
    }

    #[test]
    fn hyperslab_irregular_union_is_canonical() {
        // OR of [0:2,0:2], [0:2,4:6], [2:4,0:2], [1:4,1:4] as libhdf5 2.0 stores it under
        // earliest (already canonical) and h5py's blocklist for it.
        let s = dec(
            &hex("020000000100000000000000480000000200000004000000\
                 00000000000000000000000001000000 00000000040000000000000005000000\
                 01000000000000000100000005000000 02000000000000000300000003000000"),
            Some(2),
        );
        let expect = bl(&[
            [[0, 0], [0, 1]],
            [[0, 4], [0, 5]],
            [[1, 0], [1, 5]],
            [[2, 0], [3, 3]],
        ]);
        assert_eq!(blocks(&s), expect);
        assert_eq!(s.npoints(&[]).unwrap(), 18);
        // The same union given as the four overlapping blocks the user selected, in another
        // order, rebuilds to the same canonical list.
        let raw = Selection::Blocks {
            rank: 2,
            corners: vec![1, 1, 3, 3, 2, 0, 3, 1, 0, 4, 1, 5, 0, 0, 1, 1],
        };
        assert_eq!(blocks(&raw), expect);
        assert_eq!(raw.npoints(&[]).unwrap(), 18);
    }

    #[test]
    fn hyperslab_adjacent_blocks_merge() {
        let raw = Selection::Blocks {
            rank: 2,
            corners: vec![0, 0, 1, 1, 2, 0, 3, 1, 0, 2, 3, 2],
        };
        assert_eq!(blocks(&raw), bl(&[[[0, 0], [3, 2]]]));
        // a regular hyperslab with stride == block is one block
        let reg = Selection::Regular {
            dims: vec![RegularDim {
                start: 2,
                stride: 3,
                count: 4,
                block: 3,
            }],
        };
        assert_eq!(
            reg.blocks(MAX_BLOCKS).unwrap(),
            vec![Block {
                start: vec![2],
                end: vec![13]
            }]
        );
    }

    #[test]
    fn hyperslab_v3_irregular_two_byte() {
        // the OR selection above, libver latest: version 3, irregular, 2-byte values
        let s = dec(
            &hex("020000000300000000020200000004000000000000000100000004000000050001000000010005000200000003000300"),
            Some(2),
        );
        assert_eq!(s.npoints(&[]).unwrap(), 18);
        assert_eq!(blocks(&s)[3], (vec![2, 0], vec![3, 3]));
    }

    #[test]
    fn hyperslab_v3_irregular_and_v2_regular() {
        // v3 irregular, 8-byte values: 2 blocks in 1-D
        let mut b = hex("02000000 03000000 00 08 01000000");
        for v in [2u64, 5, 6, 0, 1] {
            b.extend(v.to_le_bytes());
        }
        let s = dec(&b, Some(1));
        assert_eq!(
            s.blocks(10).unwrap(),
            vec![
                Block {
                    start: vec![0],
                    end: vec![1]
                },
                Block {
                    start: vec![5],
                    end: vec![6]
                }
            ]
        );
        assert_eq!(s.npoints(&[]).unwrap(), 4);
        // v2 regular, 8-byte values
        let mut b = hex("02000000 02000000 01 24000000 01000000");
        for v in [1u64, 4, 3, 2] {
            b.extend(v.to_le_bytes());
        }
        let s = dec(&b, None);
        assert_eq!(s.npoints(&[]).unwrap(), 6);
        assert_eq!(s.blocks(10).unwrap().len(), 3);
        assert!(matches!(
            s.blocks(2),
            Err(Error::LimitExceeded {
                limit: "max_blocks",
                ..
            })
        ));
    }

    #[test]
    fn points_v1_and_v2() {
        // mask selection (1,7),(3,4),(9,0), earliest: version 1
        let s = dec(
            &hex("010000000100000000000000200000000200000003000000010000000700000003000000040000000900000000000000"),
            Some(2),
        );
        let p: Vec<_> = s.points().collect();
        assert_eq!(p, [&[1, 7][..], &[3, 4], &[9, 0]]);
        assert_eq!(s.npoints(&[]).unwrap(), 3);
        // latest: version 2 with 2-byte coordinates; duplicates are kept
        let s = dec(
            &hex("010000000200000002020000000300050005000000000005000500"),
            Some(2),
        );
        let p: Vec<_> = s.points().collect();
        assert_eq!(p, [&[5, 5][..], &[0, 0], &[5, 5]]);
        assert_eq!(s.npoints(&[]).unwrap(), 3);
        assert!(s.blocks(10).unwrap().is_empty());
    }

    #[test]
    fn all_and_none() {
        let s = dec(&hex("03000000010000000000000000000000"), None);
        assert_eq!(s, Selection::All);
        assert_eq!(s.npoints(&[10, 10]).unwrap(), 100);
        let s = dec(&hex("00000000010000000000000000000000"), Some(2));
        assert_eq!(s, Selection::None);
        assert_eq!(s.npoints(&[10, 10]).unwrap(), 0);
    }

    #[test]
    fn errors() {
        let e = |b: &str, r| Selection::decode(&mut Cursor::new(&hex(b), 0, "t"), r).unwrap_err();
        // wrong rank
        assert_eq!(
            e(
                "010000000200000002020000000300050005000000000005000500",
                Some(3)
            )
            .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // version 2 of "all"
        assert_eq!(
            e("03000000020000000000000000000000", None).format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        // unknown type
        assert_eq!(
            e("07000000010000000000000000000000", None).format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // width 3
        assert_eq!(
            e("0200000003000000000302000000", None).format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // a billion points in a few bytes
        assert_eq!(
            e("0100000001000000000000000000000002000000ffffffff", None).format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        // end before start
        assert_eq!(
            e(
                "02000000010000000000000000000000010000000100000005000000 04000000",
                None
            )
            .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // overlapping regular blocks
        assert_eq!(
            e("02000000030000000102010000000000020002000300", None).format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // unlimited count
        assert!(matches!(
            e("020000000300000001020100000000000100ffff0100", None),
            Error::Unsupported { .. }
        ));
        // unknown flag
        assert_eq!(
            e("02000000030000000202010000000000010001000100", None).format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }

    #[test]
    fn zero_count_regular_selects_nothing() {
        let s = Selection::Regular {
            dims: vec![RegularDim {
                start: 0,
                stride: 1,
                count: 0,
                block: 1,
            }],
        };
        assert_eq!(s.npoints(&[]).unwrap(), 0);
        assert!(s.blocks(10).unwrap().is_empty());
    }
}
