//! Writing fractal heaps for managed objects: the link messages of dense groups and the
//! attribute messages of dense attribute storage. Spec: "Fractal Heap" (Level 1G); the layout
//! libhdf5 writes is in `spec-notes/fractal-heap.md` ("Writing").
//!
//! [`FractalHeapWriter`] keeps the heap in memory: each [`FractalHeapWriter::add`] returns the
//! object's heap ID at once (managed IDs hold heap offsets, not file addresses), and
//! [`FractalHeapWriter::finish`] allocates and writes the header, the direct blocks and the
//! root indirect block, and returns the header's address.
//!
//! Growth follows libhdf5: the heap starts with a root direct block of the starting block size;
//! when it is full, a root indirect block of `starting root rows` rows takes it as its first
//! block, and its row count doubles whenever the next block falls beyond it. New direct blocks
//! are taken in doubling-table order; a block too small for the object is skipped (left
//! unallocated). An object goes into the first allocated block with room for it.
//!
//! Not written: a free-space manager (its address in the header is undefined, as the spec
//! allows; reopening with libhdf5 is not verified yet), huge objects (they need the huge-object
//! v2 B-tree, or IDs long enough for an address and a length) and child indirect blocks (heaps larger than
//! the direct rows of the root indirect block: 512 KiB of managed space with the link-heap
//! parameters).

use super::Sink;
use crate::error::{Error, Result};
use crate::format::heap::fractal::{
    DirectBlock, DirectEntry, DoublingTable, Header, HeapFlags, HeapId, IndirectBlock,
};
use crate::format::{Addr, Ctx, Encoder};
use alloc::vec::Vec;

/// The creation parameters of a fractal heap (libhdf5's values for dense links and dense
/// attributes are [`HeapParams::LINKS`] and [`HeapParams::ATTRIBUTES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapParams {
    /// Heap ID length in bytes.
    pub heap_id_len: u16,
    /// Largest managed object; larger objects are huge.
    pub max_managed_size: u32,
    /// Doubling table width.
    pub table_width: u16,
    /// Size of the blocks of rows 0 and 1 (a power of two).
    pub starting_block_size: u64,
    /// Largest direct block (a power of two).
    pub max_direct_block_size: u64,
    /// log2 of the managed address space.
    pub max_heap_size_bits: u16,
    /// Rows of a new root indirect block.
    pub starting_root_rows: u16,
    /// Whether direct blocks carry a checksum.
    pub checksum_direct_blocks: bool,
}

impl HeapParams {
    /// Dense link storage as libhdf5 (1.8 to 2.0) creates it: 7-byte IDs, objects up to 4096
    /// bytes, width 4, 512-byte starting blocks, 64 KiB direct blocks, 32-bit heap, one starting
    /// root row, checksummed direct blocks.
    pub const LINKS: HeapParams = HeapParams {
        heap_id_len: 7,
        max_managed_size: 4096,
        table_width: 4,
        starting_block_size: 512,
        max_direct_block_size: 65536,
        max_heap_size_bits: 32,
        starting_root_rows: 1,
        checksum_direct_blocks: true,
    };

    /// Dense attribute storage as libhdf5 creates it: as [`HeapParams::LINKS`] but with 8-byte
    /// IDs, 1024-byte starting blocks and a 40-bit heap.
    pub const ATTRIBUTES: HeapParams = HeapParams {
        heap_id_len: 8,
        max_managed_size: 4096,
        table_width: 4,
        starting_block_size: 1024,
        max_direct_block_size: 65536,
        max_heap_size_bits: 40,
        starting_root_rows: 1,
        checksum_direct_blocks: true,
    };

    /// An empty header with these parameters (root undefined, counters 0).
    pub fn header(&self) -> Header {
        Header {
            heap_id_len: self.heap_id_len,
            filters_len: 0,
            flags: HeapFlags(if self.checksum_direct_blocks {
                HeapFlags::CHECKSUM_DIRECT_BLOCKS
            } else {
                0
            }),
            max_managed_size: self.max_managed_size,
            next_huge_id: 0,
            huge_btree: None,
            free_space: 0,
            free_space_manager: None,
            managed_space: 0,
            allocated_managed_space: 0,
            direct_block_iterator: 0,
            managed_objects: 0,
            huge_size: 0,
            huge_objects: 0,
            tiny_size: 0,
            tiny_objects: 0,
            table_width: self.table_width,
            starting_block_size: self.starting_block_size,
            max_direct_block_size: self.max_direct_block_size,
            max_heap_size_bits: self.max_heap_size_bits,
            starting_root_rows: self.starting_root_rows,
            root: None,
            current_root_rows: 0,
            filters: None,
        }
    }
}

/// One allocated direct block.
#[derive(Debug, Clone)]
struct Block {
    /// Heap offset of the block.
    offset: u64,
    /// Block size.
    size: u64,
    /// Row and column in the root indirect block.
    row: u32,
    col: u64,
    /// Object bytes after the prefix.
    payload: Vec<u8>,
}

/// Builds a fractal heap of managed (and tiny) objects in memory and writes it.
#[derive(Debug, Clone)]
pub struct FractalHeapWriter {
    ctx: Ctx,
    header: Header,
    table: DoublingTable,
    blocks: Vec<Block>,
    /// Rows of the root indirect block; 0 while the root is a direct block (or no block).
    root_rows: u32,
    /// Heap offset of the next direct block to allocate.
    next_block: u64,
    /// Huge objects (larger than the largest managed object): ID and bytes, stored on their
    /// own and indexed by a v2 B-tree of type 1 at `finish`.
    huge: Vec<(u64, Vec<u8>)>,
}

fn usage(msg: &str) -> Error {
    Error::Usage(alloc::string::String::from(msg))
}

impl FractalHeapWriter {
    /// An empty heap with parameters `p`.
    ///
    /// # Errors
    /// `InvalidValue` when the parameters make an impossible doubling table (sizes not powers
    /// of two, direct blocks larger than the heap).
    pub fn new(ctx: Ctx, p: HeapParams) -> Result<Self> {
        let header = p.header();
        let table = header.table(0)?;
        if header.offset_width() + header.managed_length_width() + 1 > usize::from(p.heap_id_len) {
            return Err(usage(
                "fractal heap ID length too short for a managed object ID",
            ));
        }
        Ok(FractalHeapWriter {
            ctx,
            header,
            table,
            blocks: Vec::new(),
            root_rows: 0,
            next_block: 0,
            huge: Vec::new(),
        })
    }

    /// The header as it stands (root address and header address are set by
    /// [`FractalHeapWriter::finish`]).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// Number of allocated direct blocks.
    pub fn direct_blocks(&self) -> usize {
        self.blocks.len()
    }

    /// Rows of the root indirect block (0: the root is a direct block).
    pub fn root_rows(&self) -> u32 {
        self.root_rows
    }

    fn prefix(&self) -> u64 {
        self.header.direct_block_prefix(self.ctx) as u64
    }

    /// Add `obj` and return its heap ID (the heap's ID length in bytes). Objects up to
    /// [`Header::tiny_max_len`] bytes are stored in the ID itself (tiny), as libhdf5 does;
    /// others are managed objects.
    ///
    /// # Errors
    /// [`Error::Usage`] for an empty object; [`Error::Unsupported`] for an object larger than
    /// the maximum managed object size (a huge object) or when the heap would need a child
    /// indirect block.
    pub fn add(&mut self, obj: &[u8]) -> Result<Vec<u8>> {
        let n = obj.len() as u64;
        if n == 0 {
            return Err(usage("fractal heap objects cannot be empty"));
        }
        let mut e = Encoder::new(self.ctx);
        if obj.len() <= self.header.tiny_max_len() {
            HeapId::Tiny(obj).encode(&mut e, &self.header)?;
            self.header.tiny_objects += 1;
            self.header.tiny_size += n;
            return Ok(e.finish());
        }
        if n > u64::from(self.header.max_managed_size)
            || n > self.header.max_direct_block_size - self.prefix()
        {
            // A huge object: stored on its own, found through the huge-object B-tree by an
            // ID (the IDs of this heap are too short for an address and a length).
            let id = self.header.next_huge_id.saturating_add(1);
            self.header.next_huge_id = id;
            self.header.huge_objects += 1;
            self.header.huge_size += n;
            self.huge.push((id, obj.to_vec()));
            HeapId::HugeIndirect { id }.encode(&mut e, &self.header)?;
            return Ok(e.finish());
        }
        let prefix = self.prefix();
        let fit = self
            .blocks
            .iter()
            .position(|b| b.size - prefix - b.payload.len() as u64 >= n);
        let i = match fit {
            Some(i) => i,
            None => self.new_block(n)?,
        };
        let b = self
            .blocks
            .get_mut(i)
            .ok_or_else(|| usage("fractal heap block"))?;
        let offset = b.offset + prefix + b.payload.len() as u64;
        b.payload.extend_from_slice(obj);
        self.header.managed_objects += 1;
        HeapId::Managed { offset, length: n }.encode(&mut e, &self.header)?;
        Ok(e.finish())
    }

    /// Allocate the next direct block able to hold `n` bytes; returns its index.
    fn new_block(&mut self, n: u64) -> Result<usize> {
        let prefix = self.prefix();
        let t = self.table;
        let start = self.header.starting_block_size;
        if self.blocks.is_empty() && self.root_rows == 0 && start - prefix >= n {
            // The root direct block.
            self.blocks.push(Block {
                offset: 0,
                size: start,
                row: 0,
                col: 0,
                payload: Vec::new(),
            });
            self.next_block = start;
            return Ok(0);
        }
        loop {
            let (row, col) = t.lookup(self.next_block).map_err(|_| self.too_big())?;
            let size = t.row_block_size(row)?;
            if !t.is_direct_row(row) {
                return Err(self.too_big());
            }
            // Grow the root indirect block until it has this row.
            if self.root_rows == 0 {
                self.root_rows = u32::from(self.header.starting_root_rows).max(1);
            }
            while row >= self.root_rows {
                self.root_rows = self
                    .root_rows
                    .saturating_mul(2)
                    .min(t.max_root_rows)
                    .max(row + 1);
            }
            let offset = self.next_block;
            self.next_block = offset.checked_add(size).ok_or_else(|| self.too_big())?;
            if size - prefix >= n {
                self.blocks.push(Block {
                    offset,
                    size,
                    row,
                    col,
                    payload: Vec::new(),
                });
                return Ok(self.blocks.len() - 1);
            }
            // Too small: skipped, left unallocated (libhdf5 keeps it as free space).
        }
    }

    fn too_big(&self) -> Error {
        Error::unsupported(
            "writing a fractal heap larger than its root indirect block's direct rows",
            0,
        )
    }

    /// The header fields that follow from the blocks: managed and allocated space, iterator,
    /// free space (free bytes of allocated blocks plus the usable bytes of the root indirect
    /// block's unallocated direct blocks, as libhdf5 counts it), root rows.
    fn fill_header(&mut self) -> Result<()> {
        let prefix = self.prefix();
        let t = self.table;
        let used: u64 = self.blocks.iter().map(|b| b.payload.len() as u64).sum();
        let allocated: u64 = self.blocks.iter().map(|b| b.size).sum();
        let h = &mut self.header;
        h.allocated_managed_space = allocated;
        h.current_root_rows = u16::try_from(self.root_rows).map_err(|_| usage("rows"))?;
        let nblocks = self.blocks.len() as u64;
        let mut free = allocated - nblocks * prefix - used;
        if self.root_rows == 0 {
            h.managed_space = if self.blocks.is_empty() {
                0
            } else {
                h.starting_block_size
            };
            h.direct_block_iterator = 0;
        } else {
            h.managed_space = t.indirect_span(self.root_rows)?;
            h.direct_block_iterator = self.next_block;
            let (k, _) = t.entries(self.root_rows);
            for entry in 0..k {
                let (row, col) = (entry / t.width, entry % t.width);
                let row = u32::try_from(row).map_err(|_| usage("rows"))?;
                if !self.blocks.iter().any(|b| b.row == row && b.col == col) {
                    free += t.row_block_size(row)? - prefix;
                }
            }
        }
        h.free_space = free;
        Ok(())
    }

    /// Allocate and write the header, the direct blocks and the root indirect block; returns
    /// the header's address (what a link info or attribute info message names).
    ///
    /// # Errors
    /// Those of the sink and of the encoders.
    pub fn finish<S: Sink + ?Sized>(mut self, sink: &mut S) -> Result<Addr> {
        self.fill_header()?;
        if !self.huge.is_empty() {
            use crate::format::btree::v2::{BTreeType, Record, RecordFormat};
            let mut records = Vec::with_capacity(self.huge.len());
            for (id, data) in &self.huge {
                let addr = sink.put(data)?;
                records.push(Record::HugeIndirect {
                    addr,
                    len: data.len() as u64,
                    id: *id,
                });
            }
            let f = RecordFormat::for_writing(BTreeType(1), self.ctx, 0, 0)?;
            let params = super::btree_v2::Params::LINKS_AND_ATTRIBUTES;
            let t = super::btree_v2::write_btree_v2(sink, &f, &records, params)?;
            self.header.huge_btree = Some(t.header);
        }
        let hsize = Header::size(self.ctx, 0) as u64;
        let haddr = sink.alloc(hsize)?;
        let t = self.table;
        let (k, n) = t.entries(self.root_rows);
        let mut direct = Vec::new();
        if self.root_rows > 0 {
            let k = usize::try_from(k).map_err(|_| usage("rows"))?;
            direct.resize(
                k,
                DirectEntry {
                    addr: None,
                    filtered_size: 0,
                    filter_mask: 0,
                },
            );
        }
        for b in &self.blocks {
            let mut e = Encoder::new(self.ctx);
            DirectBlock {
                heap_header: haddr,
                block_offset: b.offset,
            }
            .encode(&mut e, &self.header, b.size, &b.payload)?;
            let a = sink.put(e.as_bytes())?;
            if self.root_rows == 0 {
                self.header.root = Some(a);
            } else {
                let i = u64::from(b.row) * t.width + b.col;
                if let Some(d) = usize::try_from(i).ok().and_then(|i| direct.get_mut(i)) {
                    d.addr = Some(a);
                }
            }
        }
        if self.root_rows > 0 {
            let ib = IndirectBlock {
                heap_header: haddr,
                block_offset: 0,
                nrows: self.root_rows,
                direct,
                indirect: alloc::vec![None; usize::try_from(n).map_err(|_| usage("rows"))?],
            };
            let mut e = Encoder::new(self.ctx);
            ib.encode(&mut e, &self.header, &t)?;
            self.header.root = Some(sink.put(e.as_bytes())?);
        }
        let mut e = Encoder::new(self.ctx);
        self.header.encode(&mut e)?;
        sink.write(haddr, e.as_bytes())?;
        Ok(haddr)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    // Write-then-read tests are in tests/heap_write.rs (the write layer does not use `read`).
    use super::*;

    #[test]
    fn tiny_huge_and_empty_objects() {
        let mut w = FractalHeapWriter::new(Ctx::DEFAULT, HeapParams::ATTRIBUTES).unwrap();
        assert_eq!(
            w.add(b"tiny!!").unwrap(),
            [0x25, b't', b'i', b'n', b'y', b'!', b'!', 0]
        );
        // Huge: an 8-byte indirect ID (type bits 01, then the B-tree key 1).
        assert_eq!(w.add(&[1; 4097]).unwrap(), [0x10, 1, 0, 0, 0, 0, 0, 0]);
        assert_eq!((w.header().huge_objects, w.header().huge_size), (1, 4097));
        assert!(w.add(b"").is_err());
        assert_eq!((w.header().tiny_objects, w.header().tiny_size), (1, 6));
        assert_eq!(w.direct_blocks(), 0);
    }

    #[test]
    fn child_indirect_blocks_are_unsupported() {
        // Rows 0-7 of the attribute heap hold 512 KiB; more needs a child indirect block.
        let mut w = FractalHeapWriter::new(Ctx::DEFAULT, HeapParams::ATTRIBUTES).unwrap();
        let mut err = None;
        for _ in 0..200 {
            if let Err(e) = w.add(&[5; 4000]) {
                err = Some(e);
                break;
            }
        }
        assert!(matches!(err, Some(Error::Unsupported { .. })), "{err:?}");
        assert_eq!(w.root_rows(), 8);
    }
}
