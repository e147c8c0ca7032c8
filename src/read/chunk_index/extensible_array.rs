//! The extensible array chunk index over a [`Reader`] (spec "The Extensible Array Index").
//!
//! Element `i` describes the chunk whose linear index is `i`, numbering the chunk grid
//! row-major with the unlimited dimension moved to the front (slowest) and the other
//! dimensions in their order, each counted over its *maximum* size: libhdf5 "swizzles" the
//! unlimited dimension first so that the array only ever grows at its end.
//!
//! A walk visits the chunk coordinates of the region in increasing linear order and keeps one
//! secondary block, one data block and one page in memory; missing secondary blocks, data
//! blocks and uninitialised pages are skipped without reads, and the walk stops at the
//! header's "Max Index Set".

use super::{span, BoxWalk, ChunkIndex, ChunkRecord, ChunkRegion, Grid, Linear, Run, Visited};
use crate::error::{Error, Result};
use crate::format::chunk_index::extensible_array::{
    DataBlock, Geometry, Header, IndexBlock, Location, SecondaryBlock,
};
use crate::format::chunk_index::{decode_page, page_initialised, ChunkElement, ElementFormat};
use crate::format::message::dataspace::Dataspace;
use crate::format::message::layout::ChunkIndex as IndexType;
use crate::format::Addr;
use crate::read::Reader;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// An extensible array index: its header, geometry and how its elements map to chunks.
#[derive(Debug)]
pub(super) struct ExtensibleArrayIndex {
    addr: Addr,
    header: Header,
    geometry: Geometry,
    format: ElementFormat,
    grid: Grid,
    linear: Linear,
}

impl ExtensibleArrayIndex {
    /// Read the header at `addr` and check it against the layout message's parameters and
    /// the dataset.
    pub(super) fn open(
        r: &Reader,
        addr: Addr,
        grid: Grid,
        space: &Dataspace,
        format: ElementFormat,
        params: &IndexType,
    ) -> Result<Self> {
        let bytes = r.block(addr, Header::size(r.ctx) as u64, "extensible array header")?;
        let header = Header::decode(&bytes, addr.0, r.ctx)?;
        let geometry = header.geometry(addr.0)?;
        let stored = (
            header.max_elements_bits,
            header.index_block_elements,
            header.secondary_block_min_pointers,
            header.data_block_min_elements,
            header.page_bits,
        );
        let expected = match *params {
            IndexType::ExtensibleArray {
                max_bits,
                index_elements,
                min_pointers,
                min_elements,
                page_bits,
            } => (
                max_bits,
                index_elements,
                min_pointers,
                min_elements,
                page_bits,
            ),
            _ => return Err(Error::invalid("extensible array parameters", addr.0)),
        };
        if stored != expected {
            return Err(Error::invalid("extensible array parameters", addr.0 + 7));
        }
        if header.client != format.client() || usize::from(header.element_size) != format.size() {
            return Err(Error::invalid("extensible array element size", addr.0 + 6));
        }
        let max = grid.max_counts(space);
        let mut unlimited = max.iter().enumerate().filter(|(_, m)| m.is_none());
        let (Some((u, _)), None) = (unlimited.next(), unlimited.next()) else {
            return Err(Error::invalid(
                "extensible array chunk index without exactly one unlimited dimension",
                addr.0,
            ));
        };
        let mut order = Vec::with_capacity(grid.rank());
        order.push(u);
        order.extend((0..grid.rank()).filter(|&d| d != u));
        let linear = Linear::new(order, &max, addr.0)?;
        Ok(ExtensibleArrayIndex {
            addr,
            header,
            geometry,
            format,
            grid,
            linear,
        })
    }
}

impl ChunkIndex for ExtensibleArrayIndex {
    fn chunks<'a>(
        &'a self,
        r: &'a Reader,
        region: &ChunkRegion,
    ) -> Box<dyn Iterator<Item = Result<ChunkRecord>> + 'a> {
        let walk = match self.grid.clip(region) {
            Ok(Some((lo, hi))) => BoxWalk::new(lo, hi, self.linear.order.clone()),
            Ok(None) => return Box::new(core::iter::empty()),
            Err(e) => return Box::new(core::iter::once(Err(e))),
        };
        match self.header.index_block {
            None => Box::new(core::iter::empty()),
            Some(iblock) => Box::new(Chunks {
                ix: self,
                r,
                iblock_addr: iblock,
                walk,
                iblock: None,
                sblock: None,
                dblock: None,
                page: None,
                visited: Visited::default(),
                done: false,
            }),
        }
    }
}

/// The index block, as far as a walk needs it.
struct IndexBlockState<'a> {
    elements: Run<'a>,
    data_blocks: Vec<Option<Addr>>,
    secondary_blocks: Vec<Option<Addr>>,
}

/// The current secondary block: its super block, data block addresses and page bitmap.
struct SecondaryState {
    super_block: u32,
    data_blocks: Vec<Option<Addr>>,
    bitmap: Vec<u8>,
}

/// The current data block: (super block, data block) and its elements when not paged.
struct DataBlockState<'a> {
    key: (u32, u64),
    addr: Addr,
    elements: Option<Run<'a>>,
}

/// The walk over one region.
struct Chunks<'a> {
    ix: &'a ExtensibleArrayIndex,
    r: &'a Reader,
    iblock_addr: Addr,
    walk: BoxWalk,
    iblock: Option<IndexBlockState<'a>>,
    /// The current secondary block; `Some((s, None))` when super block `s` has none.
    sblock: Option<(u32, Option<SecondaryState>)>,
    dblock: Option<DataBlockState<'a>>,
    /// The current page: (super block, data block, page) and its elements.
    page: Option<((u32, u64, u64), Run<'a>)>,
    visited: Visited,
    done: bool,
}

impl<'a> Chunks<'a> {
    fn load_index_block(&mut self) -> Result<()> {
        let (r, ix) = (self.r, self.ix);
        let what = "extensible array index block";
        self.visited.enter(r, self.iblock_addr, what)?;
        let size = ix.geometry.index_block_size(r.ctx, self.iblock_addr.0)?;
        let bytes = r.block(self.iblock_addr, size, what)?;
        let b = IndexBlock::decode(
            &bytes,
            self.iblock_addr.0,
            r.ctx,
            &ix.header,
            ix.addr,
            ix.format,
        )?;
        let (elements, data_blocks, secondary_blocks) =
            (span(&b.elements), b.data_blocks, b.secondary_blocks);
        self.iblock = Some(IndexBlockState {
            elements: Run::new(bytes, self.iblock_addr.0, elements, ix.format),
            data_blocks,
            secondary_blocks,
        });
        Ok(())
    }

    /// Make super block `s`'s secondary block current (reading it unless it is missing).
    fn load_secondary(&mut self, s: u32, addr: Option<Addr>) -> Result<()> {
        let (r, ix) = (self.r, self.ix);
        let Some(addr) = addr else {
            self.sblock = Some((s, None));
            return Ok(());
        };
        let what = "extensible array secondary block";
        self.visited.enter(r, addr, what)?;
        let info = ix.geometry.super_block(s, ix.addr.0)?;
        let size = ix.geometry.secondary_block_size(r.ctx, &info, addr.0)?;
        let bytes = r.block(addr, size, what)?;
        let b = SecondaryBlock::decode(&bytes, addr.0, r.ctx, &ix.header, ix.addr, s)?;
        self.sblock = Some((
            s,
            Some(SecondaryState {
                super_block: s,
                data_blocks: b.data_blocks,
                bitmap: b.page_bitmap.to_vec(),
            }),
        ));
        Ok(())
    }

    fn load_data_block(&mut self, key: (u32, u64), addr: Addr, elements: u64) -> Result<()> {
        let (r, ix) = (self.r, self.ix);
        let what = "extensible array data block";
        self.visited.enter(r, addr, what)?;
        let size = ix.geometry.data_block_size(r.ctx, elements, addr.0)?;
        let bytes = r.block(addr, size, what)?;
        let (s, d) = key;
        let b = DataBlock::decode(&bytes, addr.0, r.ctx, &ix.header, ix.addr, ix.format, s, d)?;
        let run = if b.pages > 0 {
            None
        } else {
            let e = span(&b.elements);
            Some(Run::new(bytes, addr.0, e, ix.format))
        };
        self.dblock = Some(DataBlockState {
            key,
            addr,
            elements: run,
        });
        Ok(())
    }

    fn load_page(&mut self, key: (u32, u64, u64), dblk: Addr, elements: u64) -> Result<()> {
        let (r, g) = (self.r, &self.ix.geometry);
        let what = "extensible array data block page";
        let addr = g.page_addr(r.ctx, dblk, elements, key.2)?;
        // Pages follow their data block, which was checked for repeats.
        self.visited.count(r)?;
        let bytes = r.block(addr, g.page_size(addr.0)?, what)?;
        let e = span(&decode_page(
            &bytes,
            addr.0,
            self.ix.format,
            g.page_elements,
        )?);
        self.page = Some((key, Run::new(bytes, addr.0, e, self.ix.format)));
        Ok(())
    }

    /// The element with index `idx`, `None` when its block was never allocated.
    fn element(&mut self, idx: u64) -> Result<Option<ChunkElement>> {
        let ix = self.ix;
        let g = &ix.geometry;
        if self.iblock.is_none() {
            self.load_index_block()?;
        }
        let Some(ib) = &self.iblock else {
            return Ok(None);
        };
        let (s, d, e) = match g.locate(idx, ix.addr.0)? {
            Location::IndexBlock(i) => return ib.elements.get(i),
            Location::DataBlock {
                super_block,
                data_block,
                element,
            } => (super_block, data_block, element),
        };
        let info = g.super_block(s, ix.addr.0)?;
        // The data block's address, and the page bitmap of its secondary block.
        let dblk = if s < g.index_block_super_blocks {
            let i = info.start_data_block.checked_add(d);
            let slot = i.and_then(|i| ib.data_blocks.get(usize::try_from(i).ok()?));
            *slot.ok_or(Error::invalid(
                "extensible array data block index",
                ix.addr.0,
            ))?
        } else {
            if self.sblock.as_ref().map(|(k, _)| *k) != Some(s) {
                let i = usize::try_from(s - g.index_block_super_blocks).ok();
                let addr = i
                    .and_then(|i| ib.secondary_blocks.get(i))
                    .copied()
                    .flatten();
                self.load_secondary(s, addr)?;
            }
            match &self.sblock {
                Some((_, Some(sb))) => sb
                    .data_blocks
                    .get(usize::try_from(d).unwrap_or(usize::MAX))
                    .copied()
                    .flatten(),
                _ => None,
            }
        };
        let Some(dblk) = dblk else {
            return Ok(None);
        };
        let n = info.data_block_elements;
        if self.dblock.as_ref().map(|b| b.key) != Some((s, d)) {
            self.load_data_block((s, d), dblk, n)?;
        }
        let Some(db) = &self.dblock else {
            return Ok(None);
        };
        if let Some(run) = &db.elements {
            return run.get(e);
        }
        // A paged data block: the secondary block says which pages exist.
        let pages = g.pages(n);
        let page = e / g.page_elements;
        let bitmap = match &self.sblock {
            Some((_, Some(sb))) if sb.super_block == s && s >= g.index_block_super_blocks => {
                sb.bitmap.as_slice()
            }
            _ => {
                return Err(Error::unsupported(
                    "paged extensible array data block addressed from the index block",
                    db.addr.0,
                ))
            }
        };
        let bit = d.checked_mul(pages).and_then(|b| b.checked_add(page));
        if !bit.is_some_and(|b| page_initialised(bitmap, b)) {
            return Ok(None);
        }
        let key = (s, d, page);
        if self.page.as_ref().map(|(k, _)| *k) != Some(key) {
            let addr = db.addr;
            self.load_page(key, addr, n)?;
        }
        match &self.page {
            Some((_, run)) => run.get(e % g.page_elements),
            None => Ok(None),
        }
    }

    fn step(&mut self) -> Result<Option<ChunkRecord>> {
        let at = self.ix.addr.0;
        loop {
            let Some(scaled) = self.walk.next() else {
                return Ok(None);
            };
            let scaled = scaled.to_vec();
            let idx = self
                .ix
                .linear
                .index(&scaled)
                .ok_or(Error::invalid("extensible array element index", at))?;
            if idx >= self.ix.header.max_index_set {
                // Indexes only grow from here on, and none at or above this was ever set.
                return Ok(None);
            }
            if let Some(e) = self.element(idx)? {
                return self.ix.grid.record(&scaled, e, at).map(Some);
            }
        }
    }
}

impl Iterator for Chunks<'_> {
    type Item = Result<ChunkRecord>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let step = self.step();
        let out = crate::read::fused_step(&mut self.done, step);
        if self.done {
            self.iblock = None;
            self.sblock = None;
            self.dblock = None;
            self.page = None;
        }
        out
    }
}
