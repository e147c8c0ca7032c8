//! Writing the chunk index of a chunked dataset (layout message version 4; spec Appendix C
//! "Types of Indexes for Dataset Chunks"), given every stored chunk. See
//! `spec-notes/chunk-indexes.md` ("Writing").
//!
//! | index | when libhdf5 picks it | function |
//! |---|---|---|
//! | single chunk | chunk = current = maximum dims | [`single_chunk`] (nothing written) |
//! | implicit | fixed maximum dims, early allocation, no filters | [`implicit`] (nothing written) |
//! | fixed array | fixed maximum dims | [`write_fixed_array`] |
//! | extensible array | exactly one unlimited dim | [`write_extensible_array`] |
//! | version 2 B-tree | two or more unlimited dims | [`write_btree_v2`] |
//! | version 1 B-tree | layout versions 1-3 | [`super::btree_v1::write_chunk_btree`] |
//!
//! Each returns a [`WrittenIndex`]: the address the layout message stores and the
//! [`ChunkIndex`] value (type and parameters) it describes.

use super::btree_v2::{self as v2w, Params};
use super::Sink;
use crate::error::{Error, Result};
use crate::format::btree::v2::{BTreeType, Record, RecordFormat};
use crate::format::chunk_index::extensible_array as ea;
use crate::format::chunk_index::fixed_array as fa;
use crate::format::chunk_index::{
    bitmap_size, filtered_size_width, set_page_initialised, ChunkElement, ElementFormat,
};
use crate::format::message::layout::ChunkIndex;
use crate::format::{Addr, Ctx};
use alloc::collections::BTreeMap;
use alloc::vec;
use alloc::vec::Vec;

/// One stored chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkEntry {
    /// Chunk coordinates in units of chunks (element offset / chunk dims), one per dimension.
    pub scaled: Vec<u64>,
    /// Address of the chunk's stored bytes.
    pub addr: Addr,
    /// Stored (filtered) size in bytes; ignored for datasets without filters.
    pub size: u64,
    /// Filters skipped for this chunk; ignored for datasets without filters.
    pub filter_mask: u32,
}

/// The shape of a chunked dataset, as its dataspace and layout messages give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape<'a> {
    /// Current dimensions.
    pub dims: &'a [u64],
    /// Maximum dimensions, `None` for unlimited.
    pub max_dims: &'a [Option<u64>],
    /// Chunk dimensions in elements.
    pub chunk: &'a [u64],
    /// Element size in bytes.
    pub element_size: u64,
}

/// Whether the chunks are filtered, and the layout message version (which fixes the width of
/// a filtered chunk's size field, see [`filtered_size_width`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filtering {
    /// No filter pipeline: elements are addresses, records type 10.
    None,
    /// A filter pipeline: elements carry size and filter mask, records type 11.
    Filtered {
        /// Layout message version (4, or 5 for HDF5 2.0 files).
        layout_version: u8,
    },
}

/// What the layout message needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenIndex {
    /// The address stored in the layout message: the index header, the single chunk, or the
    /// first chunk of an implicit index; `None` (undefined) when no chunk is stored.
    pub addr: Option<Addr>,
    /// The index type and parameters for the layout message.
    pub index: ChunkIndex,
}

/// libhdf5's fixed array "max data block page bits".
pub const FIXED_ARRAY_PAGE_BITS: u8 = 10;

/// Creation parameters of an extensible array chunk index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtensibleArrayParams {
    /// Bits of the maximum number of elements.
    pub max_bits: u8,
    /// Elements stored in the index block.
    pub index_elements: u8,
    /// Minimum number of data block pointers of a secondary block.
    pub min_pointers: u8,
    /// Minimum number of elements of a data block.
    pub min_elements: u8,
    /// log2 of the elements of a data block page.
    pub page_bits: u8,
}

impl ExtensibleArrayParams {
    /// libhdf5's defaults for chunk indexes: 32 bits, 4 index block elements, 4 pointers,
    /// 16 elements, 10 page bits.
    pub const LIBHDF5: ExtensibleArrayParams = ExtensibleArrayParams {
        max_bits: 32,
        index_elements: 4,
        min_pointers: 4,
        min_elements: 16,
        page_bits: 10,
    };
}

/// The set elements of one data block, by position in the block.
type BlockElements = BTreeMap<u64, ChunkElement>;

fn usage(what: &str) -> Error {
    Error::Usage(alloc::format!("chunk index: {what}"))
}

impl Shape<'_> {
    fn check(&self) -> Result<()> {
        if self.dims.len() != self.chunk.len()
            || self.max_dims.len() != self.chunk.len()
            || self.chunk.is_empty()
            || self.chunk.contains(&0)
        {
            return Err(usage("dims, max dims and chunk dims of different ranks"));
        }
        Ok(())
    }

    fn chunk_bytes(&self) -> Result<u64> {
        self.chunk
            .iter()
            .try_fold(self.element_size, |a, &c| a.checked_mul(c))
            .ok_or_else(|| usage("chunk size overflows"))
    }

    fn element_format(&self, ctx: Ctx, filtering: Filtering) -> Result<ElementFormat> {
        Ok(match filtering {
            Filtering::None => ElementFormat::plain(ctx),
            Filtering::Filtered { layout_version } => ElementFormat::filtered(
                ctx,
                filtered_size_width(layout_version, ctx, self.chunk_bytes()?),
            ),
        })
    }

    /// Chunks per dimension over the maximum dims (`None`: unlimited).
    fn max_counts(&self) -> Vec<Option<u64>> {
        self.max_dims
            .iter()
            .zip(self.chunk)
            .map(|(m, &c)| m.map(|m| m.div_ceil(c)))
            .collect()
    }
}

fn element(e: &ChunkEntry, filtering: Filtering) -> ChunkElement {
    match filtering {
        Filtering::None => ChunkElement {
            addr: e.addr,
            size: None,
            filter_mask: 0,
        },
        Filtering::Filtered { .. } => ChunkElement {
            addr: e.addr,
            size: Some(e.size),
            filter_mask: e.filter_mask,
        },
    }
}

/// Linear index of `scaled` over `counts` in dimension order `order` (slowest first).
fn linear(scaled: &[u64], counts: &[u64], order: &[usize]) -> Result<u64> {
    if scaled.len() != counts.len() {
        return Err(usage("chunk coordinates of the wrong rank"));
    }
    let mut idx = 0u64;
    for &d in order {
        let (Some(&s), Some(&n)) = (scaled.get(d), counts.get(d)) else {
            return Err(usage("dimension order"));
        };
        if s >= n {
            return Err(usage("chunk outside the maximum dimensions"));
        }
        idx = idx
            .checked_mul(n)
            .and_then(|i| i.checked_add(s))
            .ok_or_else(|| usage("chunk grid too large"))?;
    }
    Ok(idx)
}

/// The single chunk index (type 1): nothing to write. The layout message stores the chunk's
/// address and, for a filtered chunk, its size and filter mask (flag bit 1). `entries` holds
/// the one chunk or nothing.
///
/// # Errors
/// `Usage` for more than one chunk or a chunk not at the origin.
pub fn single_chunk(entries: &[ChunkEntry], filtering: Filtering) -> Result<WrittenIndex> {
    match entries {
        [] => Ok(WrittenIndex {
            addr: None,
            index: ChunkIndex::SingleChunk {
                filtered: matches!(filtering, Filtering::Filtered { .. }).then_some((0, 0)),
            },
        }),
        [e] if e.scaled.iter().all(|&s| s == 0) => Ok(WrittenIndex {
            addr: Some(e.addr),
            index: ChunkIndex::SingleChunk {
                filtered: matches!(filtering, Filtering::Filtered { .. })
                    .then_some((e.size, e.filter_mask)),
            },
        }),
        _ => Err(usage("a single chunk index holds one chunk at the origin")),
    }
}

/// The implicit index (type 2): nothing to write, but every chunk of the grid of the maximum
/// dims must have been allocated contiguously in row-major order (chunk `i` at
/// `first + i * chunk bytes`; [`implicit_chunk_addr`] gives each address). The layout message
/// stores `first`. Only for datasets without filters.
pub fn implicit(first: Addr) -> WrittenIndex {
    WrittenIndex {
        addr: Some(first),
        index: ChunkIndex::Implicit,
    }
}

/// The size of the space an implicit index needs (every chunk of the maximum grid) and where
/// chunk `scaled` goes in it, relative to its start.
///
/// # Errors
/// `Usage` for an unlimited dimension, a rank mismatch, a chunk outside the grid, overflow.
pub fn implicit_chunk_addr(shape: &Shape<'_>, scaled: &[u64]) -> Result<(u64, u64)> {
    shape.check()?;
    let counts: Option<Vec<u64>> = shape.max_counts().into_iter().collect();
    let counts = counts.ok_or_else(|| usage("implicit index with an unlimited dimension"))?;
    let order: Vec<usize> = (0..counts.len()).collect();
    let bytes = shape.chunk_bytes()?;
    let total = counts
        .iter()
        .try_fold(bytes, |a, &n| a.checked_mul(n))
        .ok_or_else(|| usage("implicit index too large"))?;
    let at = linear(scaled, &counts, &order)?
        .checked_mul(bytes)
        .ok_or_else(|| usage("implicit index too large"))?;
    Ok((total, at))
}

/// Write a fixed array index (type 3) for a dataset with fixed maximum dims: one element per
/// chunk of the grid of the **maximum** dims, row-major; the data block is paged when there
/// are more than `2^page_bits` elements ([`FIXED_ARRAY_PAGE_BITS`] is libhdf5's default).
/// The header is allocated first, then the data block with its pages right after it.
///
/// # Errors
/// `Usage` for an unlimited dimension, bad ranks, chunks outside the grid or given twice, a
/// chunk size that does not fit its field, page bits of 64 or more; the sink's errors.
pub fn write_fixed_array<S: Sink + ?Sized>(
    sink: &mut S,
    shape: &Shape<'_>,
    entries: &[ChunkEntry],
    filtering: Filtering,
    page_bits: u8,
) -> Result<WrittenIndex> {
    shape.check()?;
    let index = ChunkIndex::FixedArray { page_bits };
    if page_bits >= 64 {
        return Err(usage("fixed array page bits"));
    }
    let counts: Option<Vec<u64>> = shape.max_counts().into_iter().collect();
    let counts = counts.ok_or_else(|| usage("fixed array with an unlimited dimension"))?;
    if entries.is_empty() {
        return Ok(WrittenIndex { addr: None, index });
    }
    let ctx = sink.ctx();
    let format = shape.element_format(ctx, filtering)?;
    let max_entries = counts
        .iter()
        .try_fold(1u64, |a, &n| a.checked_mul(n))
        .ok_or_else(|| usage("chunk grid too large"))?;
    let n = usize::try_from(max_entries).map_err(|_| usage("chunk grid too large"))?;
    let order: Vec<usize> = (0..counts.len()).collect();
    let mut elements = vec![None; n];
    for e in entries {
        let i = usize::try_from(linear(&e.scaled, &counts, &order)?)
            .map_err(|_| usage("chunk grid too large"))?;
        let slot = elements.get_mut(i).ok_or_else(|| usage("chunk index"))?;
        if slot.is_some() {
            return Err(usage("a chunk given twice"));
        }
        *slot = Some(element(e, filtering));
    }
    let mut hdr = fa::Header {
        client: format.client(),
        entry_size: u8::try_from(format.size()).map_err(|_| usage("element size"))?,
        page_bits,
        max_entries,
        data_block: None,
    };
    let header_addr = sink.alloc(fa::Header::size(ctx) as u64)?;
    let block = fa::encode_data_block(ctx, &hdr, header_addr, format, &elements)?;
    hdr.data_block = Some(sink.put(&block)?);
    sink.write(header_addr, &hdr.encode(ctx))?;
    Ok(WrittenIndex {
        addr: Some(header_addr),
        index,
    })
}

/// Write an extensible array index (type 4) for a dataset with exactly one unlimited
/// dimension. Chunks are numbered row-major over the chunk grid with the unlimited dimension
/// moved to the front and the others counted over their maximum dims (libhdf5's swizzled
/// order, see `spec-notes/chunk-indexes.md`). Only the blocks holding a chunk are created:
/// the index block always, a data block (and, past the index block's super blocks, its
/// secondary block) when one of its elements is set, a page when one of its elements is set.
/// The header's statistics count the created blocks the way libhdf5 does.
///
/// Placement: the header, the index block, then for each super block its secondary block
/// followed by its data blocks (each data block with its pages right after it).
///
/// # Errors
/// `Usage` when not exactly one dimension is unlimited, for bad ranks, chunks outside the
/// grid or given twice, parameters the extensible array rejects, a chunk index past
/// `2^max_bits`; the sink's errors.
pub fn write_extensible_array<S: Sink + ?Sized>(
    sink: &mut S,
    shape: &Shape<'_>,
    entries: &[ChunkEntry],
    filtering: Filtering,
    params: ExtensibleArrayParams,
) -> Result<WrittenIndex> {
    shape.check()?;
    let index = ChunkIndex::ExtensibleArray {
        max_bits: params.max_bits,
        index_elements: params.index_elements,
        min_pointers: params.min_pointers,
        min_elements: params.min_elements,
        page_bits: params.page_bits,
    };
    let max = shape.max_counts();
    let mut unlimited = max.iter().enumerate().filter(|(_, m)| m.is_none());
    let (Some((u, _)), None) = (unlimited.next(), unlimited.next()) else {
        return Err(usage(
            "extensible array without exactly one unlimited dimension",
        ));
    };
    if entries.is_empty() {
        return Ok(WrittenIndex { addr: None, index });
    }
    let ctx = sink.ctx();
    let format = shape.element_format(ctx, filtering)?;
    let mut order = vec![u];
    order.extend((0..max.len()).filter(|&d| d != u));
    // The unlimited dimension is the slowest: its count does not matter.
    let counts: Vec<u64> = max.iter().map(|m| m.unwrap_or(u64::MAX)).collect();
    let mut hdr = ea::Header {
        client: format.client(),
        element_size: u8::try_from(format.size()).map_err(|_| usage("element size"))?,
        max_elements_bits: params.max_bits,
        index_block_elements: params.index_elements,
        data_block_min_elements: params.min_elements,
        secondary_block_min_pointers: params.min_pointers,
        page_bits: params.page_bits,
        secondary_blocks: 0,
        secondary_blocks_size: 0,
        data_blocks: 0,
        data_blocks_size: 0,
        max_index_set: 0,
        elements: 0,
        index_block: None,
    };
    let g = hdr
        .geometry(0)
        .map_err(|_| usage("extensible array parameters"))?;
    let capacity = 1u128 << g.max_elements_bits;

    // Place every element: the index block's, and per data block (super block, block).
    let ib_len = usize::from(params.index_elements);
    let mut ib_elements = vec![None; ib_len];
    let mut blocks: BTreeMap<(u32, u64), BlockElements> = BTreeMap::new();
    for e in entries {
        let i = linear(&e.scaled, &counts, &order)?;
        if u128::from(i) >= capacity {
            return Err(usage("chunk index past the extensible array's capacity"));
        }
        hdr.max_index_set = hdr.max_index_set.max(i + 1);
        let el = element(e, filtering);
        let dup = match g.locate(i, 0)? {
            ea::Location::IndexBlock(k) => usize::try_from(k)
                .ok()
                .and_then(|k| ib_elements.get_mut(k))
                .ok_or_else(|| usage("index block element"))?
                .replace(el)
                .is_some(),
            ea::Location::DataBlock {
                super_block,
                data_block,
                element,
            } => blocks
                .entry((super_block, data_block))
                .or_default()
                .insert(element, el)
                .is_some(),
        };
        if dup {
            return Err(usage("a chunk given twice"));
        }
    }

    // libhdf5 counts the index block's elements among the realised ones.
    hdr.elements = u64::from(params.index_elements);
    let header_addr = sink.alloc(ea::Header::size(ctx) as u64)?;
    let ib_size = g.index_block_size(ctx, header_addr.0)?;
    let ib_addr = sink.alloc(ib_size)?;
    let n_ib_dblocks = usize::try_from(g.index_block_data_blocks).map_err(|_| usage("geometry"))?;
    let n_sblocks =
        usize::try_from(g.index_block_secondary_blocks()).map_err(|_| usage("geometry"))?;
    let mut ib_dblocks = vec![None; n_ib_dblocks];
    let mut ib_sblocks = vec![None; n_sblocks];

    let mut by_super: BTreeMap<u32, Vec<(u64, BlockElements)>> = BTreeMap::new();
    for ((s, d), els) in blocks {
        by_super.entry(s).or_default().push((d, els));
    }
    for (s, dblocks) in by_super {
        let info = g.super_block(s, header_addr.0)?;
        let n = usize::try_from(info.data_block_elements).map_err(|_| usage("geometry"))?;
        let pages = g.pages(info.data_block_elements);
        let secondary = s >= g.index_block_super_blocks;
        let sb = if secondary {
            let size = g.secondary_block_size(ctx, &info, header_addr.0)?;
            hdr.secondary_blocks += 1;
            hdr.secondary_blocks_size += size;
            Some(sink.alloc(size)?)
        } else {
            None
        };
        let per_block_bm = bitmap_size(pages);
        let nb = usize::try_from(info.data_blocks).map_err(|_| usage("geometry"))?;
        let bm_len = usize::try_from(per_block_bm.saturating_mul(info.data_blocks))
            .map_err(|_| usage("geometry"))?;
        let mut bitmap = vec![0u8; bm_len];
        let mut sb_dblocks = vec![None; nb];
        for (d, els) in dblocks {
            let mut all = vec![None; n];
            for (k, el) in els {
                let k = usize::try_from(k).map_err(|_| usage("geometry"))?;
                *all.get_mut(k).ok_or_else(|| usage("data block element"))? = Some(el);
            }
            if pages > 0 {
                let per = usize::try_from(g.page_elements).map_err(|_| usage("geometry"))?;
                for (p, page) in all.chunks(per.max(1)).enumerate() {
                    if page.iter().any(Option::is_some) {
                        set_page_initialised(&mut bitmap, d * pages + p as u64);
                    }
                }
            }
            let bytes = ea::encode_data_block(ctx, &hdr, header_addr, format, s, d, &all)?;
            hdr.data_blocks += 1;
            hdr.data_blocks_size += g.data_block_size(ctx, info.data_block_elements, 0)?;
            hdr.elements += info.data_block_elements;
            let addr = sink.put(&bytes)?;
            if secondary {
                *usize::try_from(d)
                    .ok()
                    .and_then(|d| sb_dblocks.get_mut(d))
                    .ok_or_else(|| usage("data block"))? = Some(addr);
            } else {
                let k = info
                    .start_data_block
                    .checked_add(d)
                    .and_then(|k| usize::try_from(k).ok());
                *k.and_then(|k| ib_dblocks.get_mut(k))
                    .ok_or_else(|| usage("data block"))? = Some(addr);
            }
        }
        if let Some(sb) = sb {
            let bytes =
                ea::encode_secondary_block(ctx, &hdr, header_addr, s, &bitmap, &sb_dblocks)?;
            sink.write(sb, &bytes)?;
            let k = s
                .checked_sub(g.index_block_super_blocks)
                .and_then(|k| usize::try_from(k).ok());
            *k.and_then(|k| ib_sblocks.get_mut(k))
                .ok_or_else(|| usage("secondary block"))? = Some(sb);
        }
    }
    let ib = ea::encode_index_block(
        ctx,
        &hdr,
        header_addr,
        format,
        &ib_elements,
        &ib_dblocks,
        &ib_sblocks,
    )?;
    sink.write(ib_addr, &ib)?;
    hdr.index_block = Some(ib_addr);
    sink.write(header_addr, &hdr.encode(ctx))?;
    Ok(WrittenIndex {
        addr: Some(header_addr),
        index,
    })
}

/// Write a version 2 B-tree index (type 5) for a dataset with two or more unlimited dims:
/// record type 10 (no filters) or 11 (filtered), keyed by the scaled chunk coordinates,
/// `entries` sorted lexicographically. [`Params::CHUNKS`] are libhdf5's parameters. An empty
/// list gives an undefined address (libhdf5 creates the tree with the first chunk).
///
/// # Errors
/// `Usage` for bad ranks, unsorted or repeated chunks, a chunk size that does not fit its
/// field; [`v2w::write_btree_v2`]'s errors.
pub fn write_btree_v2<S: Sink + ?Sized>(
    sink: &mut S,
    shape: &Shape<'_>,
    entries: &[ChunkEntry],
    filtering: Filtering,
    params: Params,
) -> Result<WrittenIndex> {
    shape.check()?;
    let index = ChunkIndex::BTreeV2 {
        node_size: params.node_size,
        split_percent: params.split_percent,
        merge_percent: params.merge_percent,
    };
    if entries.is_empty() {
        return Ok(WrittenIndex { addr: None, index });
    }
    let ctx = sink.ctx();
    let rank = u8::try_from(shape.chunk.len()).map_err(|_| usage("rank"))?;
    let ef = shape.element_format(ctx, filtering)?;
    let (t, width) = match ef.chunk_size_width {
        None => (BTreeType::CHUNK, 0),
        Some(w) => (BTreeType::FILTERED_CHUNK, w),
    };
    let format = RecordFormat::for_writing(t, ctx, rank, width)?;
    let mut records = Vec::with_capacity(entries.len());
    for e in entries {
        if e.scaled.len() != shape.chunk.len() {
            return Err(usage("chunk coordinates of the wrong rank"));
        }
        records.push(match filtering {
            Filtering::None => Record::Chunk {
                addr: e.addr,
                scaled: e.scaled.clone(),
            },
            Filtering::Filtered { .. } => Record::FilteredChunk {
                addr: e.addr,
                size: e.size,
                filter_mask: e.filter_mask,
                scaled: e.scaled.clone(),
            },
        });
    }
    let w = v2w::write_btree_v2(sink, &format, &records, params)?;
    Ok(WrittenIndex {
        addr: Some(w.header),
        index,
    })
}
