//! The fixed array chunk index over a [`Reader`] (spec "The Fixed Array Index").
//!
//! Element `i` of the array describes the chunk whose linear index (row-major over the chunk
//! grid of the *maximum* dimensions) is `i`. A walk visits the chunk coordinates of the region
//! in increasing linear order, reads the data block once and each needed page once, and skips
//! pages whose bit in the page initialisation bitmap is clear without reading them.

use super::{span, BoxWalk, ChunkIndex, ChunkRecord, ChunkRegion, Grid, Linear, Run, Visited};
use crate::error::{Error, Result};
use crate::format::chunk_index::fixed_array::{DataBlock, Header};
use crate::format::chunk_index::{decode_page, page_initialised, ElementFormat};
use crate::format::message::dataspace::Dataspace;
use crate::format::Addr;
use crate::read::Reader;
use alloc::boxed::Box;
use alloc::vec::Vec;

/// A fixed array index: its header and how its elements map to chunks.
#[derive(Debug)]
pub(super) struct FixedArrayIndex {
    addr: Addr,
    header: Header,
    format: ElementFormat,
    grid: Grid,
    linear: Linear,
}

impl FixedArrayIndex {
    /// Read the header at `addr` and check it against the dataset.
    pub(super) fn open(
        r: &Reader,
        addr: Addr,
        grid: Grid,
        space: &Dataspace,
        format: ElementFormat,
        page_bits: u8,
    ) -> Result<Self> {
        let bytes = r.block(addr, Header::size(r.ctx) as u64, "fixed array header")?;
        let header = Header::decode(&bytes, addr.0, r.ctx)?;
        if header.page_bits != page_bits {
            return Err(Error::invalid("fixed array page bits", addr.0 + 7));
        }
        if header.client != format.client() || usize::from(header.entry_size) != format.size() {
            return Err(Error::invalid("fixed array entry size", addr.0 + 6));
        }
        let max = grid.max_counts(space);
        if max.iter().any(Option::is_none) {
            return Err(Error::invalid(
                "fixed array chunk index with an unlimited dimension",
                addr.0,
            ));
        }
        let linear = Linear::new((0..grid.rank()).collect(), &max, addr.0)?;
        // One entry per chunk of the grid of the maximum dimensions.
        let entries = max.iter().try_fold(1u64, |a, n| a.checked_mul((*n)?));
        if entries != Some(header.max_entries) {
            return Err(Error::invalid("fixed array entry count", addr.0 + 8));
        }
        Ok(FixedArrayIndex {
            addr,
            header,
            format,
            grid,
            linear,
        })
    }
}

impl ChunkIndex for FixedArrayIndex {
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
        match self.header.data_block {
            None => Box::new(core::iter::empty()),
            Some(dblk) => Box::new(Chunks {
                ix: self,
                r,
                dblk,
                walk,
                bitmap: None,
                run: None,
                visited: Visited::default(),
                done: false,
            }),
        }
    }
}

/// The walk over one region.
struct Chunks<'a> {
    ix: &'a FixedArrayIndex,
    r: &'a Reader,
    dblk: Addr,
    walk: BoxWalk,
    /// Page bitmap of a paged data block, once the data block was read.
    bitmap: Option<Vec<u8>>,
    /// The loaded elements: the data block's (key `u64::MAX`) or a page's (key = page).
    run: Option<(u64, Run<'a>)>,
    visited: Visited,
    done: bool,
}

impl<'a> Chunks<'a> {
    /// Read and check the data block; keep its elements or its page bitmap.
    fn load_data_block(&mut self) -> Result<()> {
        let (r, h) = (self.r, &self.ix.header);
        let what = "fixed array data block";
        // Read once per walk; page addresses follow from it, so nothing can repeat.
        self.visited.count(r)?;
        let size = h.data_block_size(r.ctx, self.ix.addr.0)?;
        let bytes = r.block(self.dblk, size, what)?;
        let d = DataBlock::decode(&bytes, self.dblk.0, r.ctx, h, self.ix.addr, self.ix.format)?;
        if h.paging().pages > 0 {
            self.bitmap = Some(d.page_bitmap.to_vec());
        } else {
            let elements = span(&d.elements);
            self.bitmap = Some(Vec::new());
            self.run = Some((
                u64::MAX,
                Run::new(bytes, self.dblk.0, elements, self.ix.format),
            ));
        }
        Ok(())
    }

    fn load_page(&mut self, page: u64) -> Result<()> {
        let (r, h) = (self.r, &self.ix.header);
        let what = "fixed array data block page";
        let addr = h.page_addr(r.ctx, self.dblk, page)?;
        self.visited.count(r)?;
        let bytes = r.block(addr, h.page_size(page, addr.0)?, what)?;
        let elements = span(&decode_page(
            &bytes,
            addr.0,
            self.ix.format,
            h.page_entries(page),
        )?);
        self.run = Some((page, Run::new(bytes, addr.0, elements, self.ix.format)));
        Ok(())
    }

    fn step(&mut self) -> Result<Option<ChunkRecord>> {
        let at = self.ix.addr.0;
        let paging = self.ix.header.paging();
        loop {
            let Some(scaled) = self.walk.next() else {
                return Ok(None);
            };
            let scaled = scaled.to_vec();
            let idx = self
                .ix
                .linear
                .index(&scaled)
                .filter(|&i| i < self.ix.header.max_entries)
                .ok_or(Error::invalid("fixed array element index", at))?;
            if self.bitmap.is_none() {
                self.load_data_block()?;
            }
            let (key, i) = if paging.pages > 0 {
                let page = idx / paging.page_entries;
                let bitmap = self.bitmap.as_deref().unwrap_or(&[]);
                if !page_initialised(bitmap, page) {
                    continue;
                }
                if self.run.as_ref().map(|(k, _)| *k) != Some(page) {
                    self.load_page(page)?;
                }
                (page, idx % paging.page_entries)
            } else {
                (u64::MAX, idx)
            };
            let run = match &self.run {
                Some((k, run)) if *k == key => run,
                _ => return Err(Error::invalid("fixed array data block", self.dblk.0)),
            };
            if let Some(e) = run.get(i)? {
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
            self.run = None;
        }
        out
    }
}
