//! Fractal heaps: the header ("FRHP"), direct blocks ("FHDB"), indirect blocks ("FHIB"), the
//! doubling table that maps heap offsets to blocks, and heap IDs. Spec: "Fractal Heap"
//! (Disk Format: Level 1G).
//!
//! A fractal heap stores variable-size objects (link messages of dense groups, attribute
//! messages of dense attribute storage, shared messages) in three ways:
//! - *managed* objects live at an offset of the heap's linear address space, which a doubling
//!   table of direct blocks (with data) and indirect blocks (with block addresses) covers;
//! - *huge* objects live on their own in the file, found through a v2 B-tree or directly from
//!   the address written in the heap ID;
//! - *tiny* objects are stored inside the heap ID itself.
//!
//! Doubling-table geometry (all sizes powers of two; `W` = table width, `S` = starting block
//! size): rows 0 and 1 hold blocks of `S` bytes, row `r >= 1` blocks of `S * 2^(r-1)`; row `r`
//! starts at heap offset `0` for `r = 0` and at `W * S * 2^(r-1)` otherwise. Rows whose blocks
//! are at most the maximum direct block size hold direct blocks, later rows hold indirect blocks.
//! An indirect block standing for a block of size `B` has `log2(B) - log2(W * S) + 1` rows, so it
//! spans exactly `B` bytes of the heap (libhdf5's rule; the spec's text writes `log2(S)`, which
//! would not span `B`).

use super::super::checksum;
use super::super::cursor::bytes_needed;
use super::super::{Addr, Ctx, Cursor, Encoder};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;

/// Signature of the header.
pub const HEADER_SIGNATURE: [u8; 4] = *b"FRHP";
/// Signature of direct blocks.
pub const DIRECT_SIGNATURE: [u8; 4] = *b"FHDB";
/// Signature of indirect blocks.
pub const INDIRECT_SIGNATURE: [u8; 4] = *b"FHIB";
/// The only version of header and blocks this module knows.
pub const VERSION: u8 = 0;
/// Bytes at the start of a header that give its full size (signature, version, heap ID length,
/// I/O filters' encoded length).
pub const HEADER_PREFIX_SIZE: usize = 4 + 1 + 2 + 2;

/// The "Flags" bit field of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeapFlags(pub u8);

impl HeapFlags {
    /// Bit 0: the next huge object ID has wrapped around.
    pub const HUGE_ID_WRAPPED: u8 = 0x01;
    /// Bit 1: direct blocks carry a checksum.
    pub const CHECKSUM_DIRECT_BLOCKS: u8 = 0x02;

    /// Whether direct blocks are checksummed.
    pub fn checksum_direct_blocks(self) -> bool {
        self.0 & Self::CHECKSUM_DIRECT_BLOCKS != 0
    }

    /// Whether the huge object ID counter has wrapped.
    pub fn huge_id_wrapped(self) -> bool {
        self.0 & Self::HUGE_ID_WRAPPED != 0
    }
}

/// The filter information of a filtered heap (present when "I/O Filters' Encoded Length" > 0).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeapFilters {
    /// Size of the filtered root direct block.
    pub root_direct_size: u64,
    /// Filter mask of the root direct block.
    pub root_filter_mask: u32,
    /// The I/O filter pipeline, encoded as a Filter Pipeline message (raw bytes).
    pub pipeline: Vec<u8>,
}

/// The fractal heap header (spec "Fractal Heap Header").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// Length in bytes of this heap's IDs.
    pub heap_id_len: u16,
    /// Size of the encoded I/O filter pipeline (0: no filters).
    pub filters_len: u16,
    /// Status flags.
    pub flags: HeapFlags,
    /// Largest managed object; larger objects are huge.
    pub max_managed_size: u32,
    /// Next ID to hand to a huge object.
    pub next_huge_id: u64,
    /// v2 B-tree indexing the huge objects (`None`: no huge objects yet).
    pub huge_btree: Option<Addr>,
    /// Free space in managed direct blocks.
    pub free_space: u64,
    /// Free-space manager of the managed blocks.
    pub free_space_manager: Option<Addr>,
    /// Size of the managed linear address space.
    pub managed_space: u64,
    /// Managed space actually allocated.
    pub allocated_managed_space: u64,
    /// Offset of the direct block allocation iterator.
    pub direct_block_iterator: u64,
    /// Number of managed objects.
    pub managed_objects: u64,
    /// Total size of huge objects.
    pub huge_size: u64,
    /// Number of huge objects.
    pub huge_objects: u64,
    /// Total size of tiny objects.
    pub tiny_size: u64,
    /// Number of tiny objects.
    pub tiny_objects: u64,
    /// Doubling table width (columns).
    pub table_width: u16,
    /// Size of blocks in the first two rows.
    pub starting_block_size: u64,
    /// Largest direct block.
    pub max_direct_block_size: u64,
    /// log2 of the largest managed address space ("Maximum Heap Size", in bits).
    pub max_heap_size_bits: u16,
    /// Starting number of rows of the root indirect block (0: as many as the heap can need).
    pub starting_root_rows: u16,
    /// Root block: a direct block when `current_root_rows == 0`, an indirect block otherwise.
    pub root: Option<Addr>,
    /// Current number of rows of the root indirect block.
    pub current_root_rows: u16,
    /// Filter information, when the heap is filtered.
    pub filters: Option<HeapFilters>,
}

impl Header {
    /// Encoded size of a header whose filter information is `filters_len` bytes.
    pub fn size(ctx: Ctx, filters_len: u16) -> usize {
        let o = usize::from(ctx.offset_size);
        let l = usize::from(ctx.length_size);
        let base = 4 + 1 + 2 + 2 + 1 + 4 + 12 * l + 3 * o + 2 + 2 + 2 + 2 + 4;
        if filters_len > 0 {
            base + l + 4 + usize::from(filters_len)
        } else {
            base
        }
    }

    /// The "I/O Filters' Encoded Length" from the first [`HEADER_PREFIX_SIZE`] bytes, to learn the
    /// header's size before reading it whole.
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`.
    pub fn peek_filters_len(data: &[u8], addr: u64) -> Result<u16> {
        let mut c = Cursor::new(data, addr, "fractal heap header");
        c.signature(&HEADER_SIGNATURE)?;
        c.skip(3)?;
        c.u16()
    }

    /// Decode a header from `data` (read at `addr`; at least [`Header::size`] bytes).
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` when the
    /// doubling-table parameters are not powers of two or inconsistent (see [`DoublingTable`]),
    /// or the heap ID length is zero.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let filters_len = Self::peek_filters_len(data, addr)?;
        let mut all = Cursor::new(data, addr, "fractal heap header");
        let all = all.sub(Self::size(ctx, filters_len), "fractal heap header")?;
        let mut c = all.clone();
        c.skip(4)?;
        if c.u8()? != VERSION {
            return Err(Error::format(
                FormatErrorKind::BadVersion,
                "fractal heap header version",
                addr + 4,
            ));
        }
        checksum::verify(all.data(), addr, "fractal heap header")?;
        let heap_id_len = c.u16()?;
        c.skip(2)?;
        let flags = HeapFlags(c.u8()?);
        let max_managed_size = c.u32()?;
        let next_huge_id = c.length(ctx)?;
        let huge_btree = c.offset(ctx)?;
        let free_space = c.length(ctx)?;
        let free_space_manager = c.offset(ctx)?;
        let managed_space = c.length(ctx)?;
        let allocated_managed_space = c.length(ctx)?;
        let direct_block_iterator = c.length(ctx)?;
        let managed_objects = c.length(ctx)?;
        let huge_size = c.length(ctx)?;
        let huge_objects = c.length(ctx)?;
        let tiny_size = c.length(ctx)?;
        let tiny_objects = c.length(ctx)?;
        let table_width = c.u16()?;
        let starting_block_size = c.length(ctx)?;
        let max_direct_block_size = c.length(ctx)?;
        let max_heap_size_bits = c.u16()?;
        let starting_root_rows = c.u16()?;
        let root = c.offset(ctx)?;
        let current_root_rows = c.u16()?;
        let filters = if filters_len > 0 {
            Some(HeapFilters {
                root_direct_size: c.length(ctx)?,
                root_filter_mask: c.u32()?,
                pipeline: c.bytes(usize::from(filters_len))?.to_vec(),
            })
        } else {
            None
        };
        let h = Header {
            heap_id_len,
            filters_len,
            flags,
            max_managed_size,
            next_huge_id,
            huge_btree,
            free_space,
            free_space_manager,
            managed_space,
            allocated_managed_space,
            direct_block_iterator,
            managed_objects,
            huge_size,
            huge_objects,
            tiny_size,
            tiny_objects,
            table_width,
            starting_block_size,
            max_direct_block_size,
            max_heap_size_bits,
            starting_root_rows,
            root,
            current_root_rows,
            filters,
        };
        if heap_id_len == 0 {
            return Err(Error::invalid("fractal heap ID length", addr + 5));
        }
        let t = h.table(addr)?;
        if u32::from(current_root_rows) > t.max_root_rows {
            return Err(Error::invalid(
                "fractal heap root indirect block rows",
                addr,
            ));
        }
        Ok(h)
    }

    /// Encode the header, checksum included ([`Header::size`] bytes).
    ///
    /// # Errors
    /// [`Error::Usage`] when `filters_len` and the filter information disagree.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let pipeline_len = self.filters.as_ref().map_or(0, |f| f.pipeline.len());
        if usize::from(self.filters_len) != pipeline_len {
            return Err(Error::Usage(alloc::string::String::from(
                "fractal heap header: filters_len differs from the filter pipeline's length",
            )));
        }
        let start = e.len();
        e.bytes(&HEADER_SIGNATURE).u8(VERSION);
        e.u16(self.heap_id_len)
            .u16(self.filters_len)
            .u8(self.flags.0);
        e.u32(self.max_managed_size);
        e.length(self.next_huge_id).opt_offset(self.huge_btree);
        e.length(self.free_space)
            .opt_offset(self.free_space_manager);
        e.length(self.managed_space)
            .length(self.allocated_managed_space)
            .length(self.direct_block_iterator)
            .length(self.managed_objects);
        e.length(self.huge_size).length(self.huge_objects);
        e.length(self.tiny_size).length(self.tiny_objects);
        e.u16(self.table_width)
            .length(self.starting_block_size)
            .length(self.max_direct_block_size);
        e.u16(self.max_heap_size_bits).u16(self.starting_root_rows);
        e.opt_offset(self.root).u16(self.current_root_rows);
        if let Some(f) = &self.filters {
            e.length(f.root_direct_size)
                .u32(f.root_filter_mask)
                .bytes(&f.pipeline);
        }
        e.checksum_from(start);
        Ok(())
    }

    /// Longest object stored inside a heap ID ("tiny"): the ID length less the first byte, and
    /// less one more byte in the extended form (ID length above 18).
    pub fn tiny_max_len(&self) -> usize {
        let id = usize::from(self.heap_id_len);
        if id > 18 {
            id - 2
        } else {
            id.saturating_sub(1)
        }
    }

    /// The doubling table of this heap (whose header is at `addr`, for errors).
    ///
    /// # Errors
    /// `InvalidValue` as [`DoublingTable::new`].
    pub fn table(&self, addr: u64) -> Result<DoublingTable> {
        DoublingTable::new(self, addr)
    }

    /// Whether objects and direct blocks pass through I/O filters.
    pub fn is_filtered(&self) -> bool {
        self.filters_len > 0
    }

    /// Width of the "Block Offset" fields of blocks and of the offset of managed heap IDs:
    /// `ceil(max heap size bits / 8)`.
    pub fn offset_width(&self) -> usize {
        usize::from(self.max_heap_size_bits).div_ceil(8)
    }

    /// Width of the length of managed heap IDs: bytes needed for
    /// `min(max direct block size, max managed object size)`.
    pub fn managed_length_width(&self) -> usize {
        bytes_needed(
            self.max_direct_block_size
                .min(u64::from(self.max_managed_size)),
        )
    }

    /// Bytes before the object data of a direct block: signature, version, heap header address,
    /// block offset and (when the flags say so) the checksum.
    pub fn direct_block_prefix(&self, ctx: Ctx) -> usize {
        let sum = if self.flags.checksum_direct_blocks() {
            4
        } else {
            0
        };
        4 + 1 + usize::from(ctx.offset_size) + self.offset_width() + sum
    }
}

/// The doubling table parameters of a heap, validated, with the arithmetic that maps heap
/// offsets to rows and columns. All quantities are powers of two and kept as bit counts, so no
/// computation can overflow for valid rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoublingTable {
    /// Table width (columns).
    pub width: u64,
    /// log2 of the width.
    pub width_bits: u32,
    /// log2 of the starting block size.
    pub start_bits: u32,
    /// log2 of the maximum direct block size.
    pub max_direct_bits: u32,
    /// log2 of the size of the managed address space.
    pub max_heap_bits: u32,
    /// log2 of the span of row 0 (`width * starting block size`).
    pub first_row_bits: u32,
    /// Most rows a root indirect block can have.
    pub max_root_rows: u32,
    /// Rows of direct blocks in an indirect block (later rows hold indirect blocks).
    pub max_direct_rows: u32,
    addr: u64,
}

fn log2_exact(v: u64, what: &'static str, addr: u64) -> Result<u32> {
    if v == 0 || !v.is_power_of_two() {
        return Err(Error::invalid(what, addr));
    }
    Ok(v.trailing_zeros())
}

impl DoublingTable {
    /// Validate the header's table parameters.
    ///
    /// # Errors
    /// `InvalidValue` when the width, starting block size or maximum direct block size is not a
    /// power of two, the maximum direct block size is below the starting size or above the
    /// maximum heap size, or the maximum heap size is 0, above 64 bits or too small for one row.
    pub fn new(h: &Header, addr: u64) -> Result<Self> {
        let width_bits = log2_exact(u64::from(h.table_width), "fractal heap table width", addr)?;
        let start_bits = log2_exact(
            h.starting_block_size,
            "fractal heap starting block size",
            addr,
        )?;
        let max_direct_bits = log2_exact(
            h.max_direct_block_size,
            "fractal heap maximum direct block size",
            addr,
        )?;
        let max_heap_bits = u32::from(h.max_heap_size_bits);
        let first_row_bits = start_bits + width_bits;
        if max_direct_bits < start_bits || max_direct_bits > max_heap_bits {
            return Err(Error::invalid(
                "fractal heap maximum direct block size",
                addr,
            ));
        }
        if max_heap_bits == 0 || max_heap_bits > 64 || first_row_bits > max_heap_bits {
            return Err(Error::invalid("fractal heap maximum heap size", addr));
        }
        Ok(DoublingTable {
            width: u64::from(h.table_width),
            width_bits,
            start_bits,
            max_direct_bits,
            max_heap_bits,
            first_row_bits,
            max_root_rows: max_heap_bits - first_row_bits + 1,
            max_direct_rows: max_direct_bits - start_bits + 2,
            addr,
        })
    }

    fn check_row(&self, row: u32) -> Result<()> {
        if row >= self.max_root_rows {
            return Err(Error::invalid("fractal heap doubling table row", self.addr));
        }
        Ok(())
    }

    /// log2 of the size of the blocks of `row`.
    ///
    /// # Errors
    /// `InvalidValue` when `row` is beyond the heap's maximum rows.
    pub fn row_block_bits(&self, row: u32) -> Result<u32> {
        self.check_row(row)?;
        Ok(self.start_bits + row.saturating_sub(1))
    }

    /// Size of the blocks of `row`.
    ///
    /// # Errors
    /// As [`DoublingTable::row_block_bits`].
    pub fn row_block_size(&self, row: u32) -> Result<u64> {
        let b = self.row_block_bits(row)?;
        1u64.checked_shl(b).ok_or(Error::format(
            FormatErrorKind::Overflow,
            "fractal heap block size",
            self.addr,
        ))
    }

    /// Heap offset (relative to the indirect block) where `row` starts.
    ///
    /// # Errors
    /// As [`DoublingTable::row_block_bits`].
    pub fn row_offset(&self, row: u32) -> Result<u64> {
        self.check_row(row)?;
        if row == 0 {
            return Ok(0);
        }
        1u64.checked_shl(self.first_row_bits + row - 1)
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                "fractal heap row offset",
                self.addr,
            ))
    }

    /// Heap offset (relative to the indirect block) of the block at `row`, `col`.
    ///
    /// # Errors
    /// As [`DoublingTable::row_block_bits`]; `InvalidValue` when `col` is not below the width.
    pub fn block_offset(&self, row: u32, col: u64) -> Result<u64> {
        if col >= self.width {
            return Err(Error::invalid(
                "fractal heap doubling table column",
                self.addr,
            ));
        }
        let size = self.row_block_size(row)?;
        let start = self.row_offset(row)?;
        col.checked_mul(size)
            .and_then(|v| v.checked_add(start))
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                "fractal heap block offset",
                self.addr,
            ))
    }

    /// The (row, column) of the block holding heap offset `off`, relative to the start of an
    /// indirect block (or of the heap).
    ///
    /// # Errors
    /// `InvalidValue` when `off` is beyond the heap's maximum size.
    pub fn lookup(&self, off: u64) -> Result<(u32, u64)> {
        if self.max_heap_bits < 64 && off >> self.max_heap_bits != 0 {
            return Err(Error::invalid("fractal heap offset", self.addr));
        }
        if off >> self.first_row_bits == 0 {
            return Ok((0, off >> self.start_bits));
        }
        let high = 63 - off.leading_zeros();
        let row = high - self.first_row_bits + 1;
        let col = (off - (1u64 << high)) >> (self.start_bits + row - 1);
        Ok((row, col))
    }

    /// Whether blocks of `row` are direct blocks.
    pub fn is_direct_row(&self, row: u32) -> bool {
        row < self.max_direct_rows
    }

    /// Rows of the indirect block standing at `row` of its parent.
    ///
    /// # Errors
    /// `InvalidValue` when `row` holds direct blocks or the result would have no rows.
    pub fn child_indirect_rows(&self, row: u32) -> Result<u32> {
        let bits = self.row_block_bits(row)?;
        if self.is_direct_row(row) || bits < self.first_row_bits {
            return Err(Error::invalid("fractal heap indirect block row", self.addr));
        }
        Ok(bits - self.first_row_bits + 1)
    }

    /// Number of direct-block entries (K) and indirect-block entries (N) of an indirect block
    /// with `nrows` rows.
    pub fn entries(&self, nrows: u32) -> (u64, u64) {
        let direct_rows = nrows.min(self.max_direct_rows);
        let indirect_rows = nrows.saturating_sub(self.max_direct_rows);
        (
            u64::from(direct_rows).saturating_mul(self.width),
            u64::from(indirect_rows).saturating_mul(self.width),
        )
    }

    /// Heap address space spanned by an indirect block of `nrows` rows:
    /// `2^(first_row_bits + nrows - 1)`.
    ///
    /// # Errors
    /// `InvalidValue` when `nrows` is 0 or beyond the maximum; `Overflow` when the span is 2^64.
    pub fn indirect_span(&self, nrows: u32) -> Result<u64> {
        if nrows == 0 || nrows > self.max_root_rows {
            return Err(Error::invalid(
                "fractal heap indirect block rows",
                self.addr,
            ));
        }
        1u64.checked_shl(self.first_row_bits + nrows - 1)
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                "fractal heap indirect block span",
                self.addr,
            ))
    }
}

/// One direct-block entry of an indirect block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectEntry {
    /// Address of the direct block (`None`: not allocated).
    pub addr: Option<Addr>,
    /// Size of the filtered block (filtered heaps only, else 0).
    pub filtered_size: u64,
    /// Filter mask of the block (filtered heaps only, else 0).
    pub filter_mask: u32,
}

/// A fractal heap indirect block (spec "Fractal Heap Indirect Block").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndirectBlock {
    /// Address of the heap header the block belongs to.
    pub heap_header: Addr,
    /// Offset of the block in the heap's address space.
    pub block_offset: u64,
    /// Number of rows (not stored: from the header or the parent entry).
    pub nrows: u32,
    /// The direct block entries, row by row (`K` of the spec).
    pub direct: Vec<DirectEntry>,
    /// The indirect block entries, row by row (`N` of the spec).
    pub indirect: Vec<Option<Addr>>,
}

impl IndirectBlock {
    /// Encoded size of an indirect block of `nrows` rows.
    ///
    /// # Errors
    /// `Overflow` for absurd row counts.
    pub fn size(h: &Header, t: &DoublingTable, ctx: Ctx, nrows: u32) -> Result<u64> {
        let o = u64::from(ctx.offset_size);
        let entry = if h.is_filtered() {
            o + u64::from(ctx.length_size) + 4
        } else {
            o
        };
        let (k, n) = t.entries(nrows);
        let fixed = 4 + 1 + o + h.offset_width() as u64 + 4;
        k.checked_mul(entry)
            .and_then(|a| n.checked_mul(o).and_then(|b| a.checked_add(b)))
            .and_then(|v| v.checked_add(fixed))
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                "fractal heap indirect block size",
                t.addr,
            ))
    }

    /// Decode an indirect block of `nrows` rows from `data` (read at `addr`, at least
    /// [`IndirectBlock::size`] bytes). The checksum is verified.
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`.
    pub fn decode(
        data: &[u8],
        addr: u64,
        ctx: Ctx,
        h: &Header,
        t: &DoublingTable,
        nrows: u32,
    ) -> Result<Self> {
        let what = "fractal heap indirect block";
        let size = usize::try_from(Self::size(h, t, ctx, nrows)?)
            .map_err(|_| Error::format(FormatErrorKind::Truncated, what, addr))?;
        let all = Cursor::new(data, addr, what).sub(size, what)?;
        let mut c = all.clone();
        c.signature(&INDIRECT_SIGNATURE)?;
        if c.u8()? != VERSION {
            return Err(Error::format(FormatErrorKind::BadVersion, what, addr + 4));
        }
        checksum::verify(all.data(), addr, what)?;
        let heap_header = c.defined_offset(ctx, "fractal heap indirect block header address")?;
        let block_offset = c.uint(h.offset_width())?;
        let (k, n) = t.entries(nrows);
        // Both counts are bounded by the bytes of the block, checked above.
        let k =
            usize::try_from(k).map_err(|_| Error::format(FormatErrorKind::Overflow, what, addr))?;
        let n =
            usize::try_from(n).map_err(|_| Error::format(FormatErrorKind::Overflow, what, addr))?;
        let mut direct = Vec::with_capacity(k);
        for _ in 0..k {
            let a = c.offset(ctx)?;
            let (filtered_size, filter_mask) = if h.is_filtered() {
                (c.length(ctx)?, c.u32()?)
            } else {
                (0, 0)
            };
            direct.push(DirectEntry {
                addr: a,
                filtered_size,
                filter_mask,
            });
        }
        let mut indirect = Vec::with_capacity(n);
        for _ in 0..n {
            indirect.push(c.offset(ctx)?);
        }
        Ok(IndirectBlock {
            heap_header,
            block_offset,
            nrows,
            direct,
            indirect,
        })
    }
}

impl IndirectBlock {
    /// Encode the block, checksum included ([`IndirectBlock::size`] bytes for `self.nrows`).
    ///
    /// # Errors
    /// [`Error::Usage`] when the entry counts do not match `self.nrows` (see
    /// [`DoublingTable::entries`]) or the block offset does not fit its width.
    pub fn encode(&self, e: &mut Encoder, h: &Header, t: &DoublingTable) -> Result<()> {
        let (k, n) = t.entries(self.nrows);
        if self.direct.len() as u64 != k || self.indirect.len() as u64 != n {
            return Err(Error::Usage(alloc::format!(
                "fractal heap indirect block of {} rows needs {k} direct and {n} indirect entries",
                self.nrows
            )));
        }
        let start = e.len();
        e.bytes(&INDIRECT_SIGNATURE)
            .u8(VERSION)
            .offset(self.heap_header);
        e.uint_checked(
            self.block_offset,
            h.offset_width(),
            "fractal heap indirect block offset",
        )?;
        for d in &self.direct {
            e.opt_offset(d.addr);
            if h.is_filtered() {
                e.length(d.filtered_size).u32(d.filter_mask);
            }
        }
        for a in &self.indirect {
            e.opt_offset(*a);
        }
        e.checksum_from(start);
        Ok(())
    }
}

/// The prefix of a fractal heap direct block (spec "Fractal Heap Direct Block"); the object data
/// follows it. Managed object offsets count from the start of the block, prefix included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectBlock {
    /// Address of the heap header the block belongs to.
    pub heap_header: Addr,
    /// Offset of the block in the heap's address space.
    pub block_offset: u64,
}

impl DirectBlock {
    /// Decode the prefix of a direct block; `data` is the whole (unfiltered) block, read at
    /// `addr`. When the heap checksums direct blocks, the checksum, computed over the whole block
    /// with the checksum field taken as zero, is verified.
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx, h: &Header) -> Result<Self> {
        let what = "fractal heap direct block";
        let mut c = Cursor::new(data, addr, what);
        c.signature(&DIRECT_SIGNATURE)?;
        if c.u8()? != VERSION {
            return Err(Error::format(FormatErrorKind::BadVersion, what, addr + 4));
        }
        let heap_header = c.defined_offset(ctx, "fractal heap direct block header address")?;
        let block_offset = c.uint(h.offset_width())?;
        if h.flags.checksum_direct_blocks() {
            let at = c.pos();
            let stored = c.u32()?;
            let mut zeroed = data.to_vec();
            if let Some(s) = zeroed.get_mut(at..at + 4) {
                s.fill(0);
            }
            if checksum::enforced() && checksum::lookup3(&zeroed, 0) != stored {
                return Err(Error::format(
                    FormatErrorKind::BadChecksum,
                    what,
                    addr + at as u64,
                ));
            }
        }
        Ok(DirectBlock {
            heap_header,
            block_offset,
        })
    }
}

impl DirectBlock {
    /// Encode a whole direct block of `block_size` bytes: the prefix
    /// ([`Header::direct_block_prefix`] bytes), then `payload` (the bytes after the prefix),
    /// then zeros; when the heap checksums direct blocks, the checksum of the whole block
    /// (computed with its own field as zero) goes into the prefix.
    ///
    /// # Errors
    /// [`Error::Usage`] when `payload` does not fit in the block or the block offset does not
    /// fit its width.
    pub fn encode(
        &self,
        e: &mut Encoder,
        h: &Header,
        block_size: u64,
        payload: &[u8],
    ) -> Result<()> {
        let prefix = h.direct_block_prefix(e.ctx());
        let size = usize::try_from(block_size)
            .ok()
            .filter(|&n| n >= prefix && n - prefix >= payload.len())
            .ok_or_else(|| {
                Error::Usage(alloc::string::String::from(
                    "fractal heap direct block: payload larger than the block",
                ))
            })?;
        let start = e.len();
        e.bytes(&DIRECT_SIGNATURE)
            .u8(VERSION)
            .offset(self.heap_header);
        e.uint_checked(
            self.block_offset,
            h.offset_width(),
            "fractal heap direct block offset",
        )?;
        let sum_at = e.len();
        if h.flags.checksum_direct_blocks() {
            e.u32(0);
        }
        e.bytes(payload);
        e.zeros(start.saturating_add(size).saturating_sub(e.len()));
        if h.flags.checksum_direct_blocks() {
            let sum = checksum::lookup3(e.as_bytes().get(start..).unwrap_or(&[]), 0);
            e.patch_uint(sum_at, u64::from(sum), 4);
        }
        Ok(())
    }
}

/// The type bits (4-5) of a heap ID's first byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeapIdType(pub u8);

impl HeapIdType {
    /// 0: managed object.
    pub const MANAGED: Self = Self(0);
    /// 1: huge object.
    pub const HUGE: Self = Self(1);
    /// 2: tiny object.
    pub const TINY: Self = Self(2);
}

/// A decoded fractal heap ID (spec: "Fractal Heap ID for ... Objects").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeapId<'a> {
    /// A managed object at `offset` of the heap's address space.
    Managed {
        /// Heap offset of the object.
        offset: u64,
        /// Length of the object.
        length: u64,
    },
    /// A tiny object: the data is inside the ID.
    Tiny(&'a [u8]),
    /// A huge object found through the huge-object v2 B-tree by its ID (types 1 and 2).
    HugeIndirect {
        /// The huge object ID (v2 B-tree key).
        id: u64,
    },
    /// A huge object whose address and length are in the ID (non-filtered heaps).
    HugeDirect {
        /// Address of the object.
        addr: Addr,
        /// Length of the object.
        length: u64,
    },
    /// A filtered huge object whose address, length, mask and size are in the ID.
    HugeDirectFiltered {
        /// Address of the filtered object.
        addr: Addr,
        /// Length of the filtered object.
        length: u64,
        /// Filter mask.
        filter_mask: u32,
        /// De-filtered size.
        memory_size: u64,
    },
}

impl HeapId<'_> {
    /// Encode the ID in exactly the heap's ID length (zero-padded), in the sub-form
    /// [`HeapId::decode`] expects for this heap.
    ///
    /// # Errors
    /// [`Error::Usage`] when a field does not fit its width, a tiny object is empty or longer
    /// than [`Header::tiny_max_len`], or the ID would be longer than the heap's ID length.
    pub fn encode(&self, e: &mut Encoder, h: &Header) -> Result<()> {
        let start = e.len();
        let id_len = usize::from(h.heap_id_len);
        match *self {
            HeapId::Managed { offset, length } => {
                e.u8(HeapIdType::MANAGED.0 << 4);
                e.uint_checked(offset, h.offset_width(), "fractal heap ID offset")?;
                e.uint_checked(length, h.managed_length_width(), "fractal heap ID length")?;
            }
            HeapId::Tiny(data) => {
                let n = data.len();
                if n == 0 || n > h.tiny_max_len() {
                    return Err(Error::Usage(alloc::format!(
                        "tiny fractal heap object of {n} bytes (1 to {} allowed)",
                        h.tiny_max_len()
                    )));
                }
                let m = n - 1;
                let t = HeapIdType::TINY.0 << 4;
                if id_len > 18 {
                    let high = u8::try_from(m >> 8).unwrap_or(0x0f) & 0x0f;
                    e.u8(t | high).u8(u8::try_from(m & 0xff).unwrap_or(0));
                } else {
                    e.u8(t | (u8::try_from(m).unwrap_or(0x0f) & 0x0f));
                }
                e.bytes(data);
            }
            HeapId::HugeIndirect { id } => {
                e.u8(HeapIdType::HUGE.0 << 4);
                let body = id_len.saturating_sub(1).min(8);
                e.uint_checked(id, body, "fractal heap huge object ID")?;
            }
            HeapId::HugeDirect { addr, length } => {
                e.u8(HeapIdType::HUGE.0 << 4).offset(addr).length(length);
            }
            HeapId::HugeDirectFiltered {
                addr,
                length,
                filter_mask,
                memory_size,
            } => {
                e.u8(HeapIdType::HUGE.0 << 4).offset(addr).length(length);
                e.u32(filter_mask).length(memory_size);
            }
        }
        let used = e.len().saturating_sub(start);
        if used > id_len {
            return Err(Error::Usage(alloc::format!(
                "fractal heap ID of {used} bytes for a heap with {id_len}-byte IDs"
            )));
        }
        e.zeros(id_len - used);
        Ok(())
    }
}

impl<'a> HeapId<'a> {
    /// Decode heap ID bytes `id` of heap `h`. `addr` (the heap header address) is used in errors.
    /// The sub-form of tiny and huge IDs follows from the heap's ID length: tiny IDs use the
    /// extended (12-bit) length when the ID length exceeds 18; huge IDs are direct when the ID
    /// can hold address and length (plus mask and size when filtered), otherwise they hold a
    /// B-tree key of `min(ID length - 1, 8)` bytes.
    ///
    /// # Errors
    /// `Truncated` when `id` is too short; `BadVersion` for an ID version other than 0;
    /// `InvalidValue` for ID type 3.
    pub fn decode(id: &'a [u8], h: &Header, ctx: Ctx, addr: u64) -> Result<Self> {
        let mut c = Cursor::new(id, addr, "fractal heap ID");
        let first = c.u8()?;
        if first >> 6 != 0 {
            return Err(Error::format(
                FormatErrorKind::BadVersion,
                "fractal heap ID version",
                addr,
            ));
        }
        let id_len = usize::from(h.heap_id_len);
        let body = id_len.saturating_sub(1);
        let o = usize::from(ctx.offset_size);
        let l = usize::from(ctx.length_size);
        match HeapIdType((first >> 4) & 3) {
            HeapIdType::MANAGED => Ok(HeapId::Managed {
                offset: c.uint(h.offset_width())?,
                length: c.uint(h.managed_length_width())?,
            }),
            HeapIdType::TINY => {
                let low = usize::from(first & 0x0f);
                let len = if id_len > 18 {
                    ((low << 8) | usize::from(c.u8()?)) + 1
                } else {
                    low + 1
                };
                Ok(HeapId::Tiny(c.bytes(len)?))
            }
            HeapIdType::HUGE => {
                if !h.is_filtered() && body >= o + l {
                    Ok(HeapId::HugeDirect {
                        addr: c.defined_offset(ctx, "huge object address")?,
                        length: c.length(ctx)?,
                    })
                } else if h.is_filtered() && body >= o + l + 4 + l {
                    Ok(HeapId::HugeDirectFiltered {
                        addr: c.defined_offset(ctx, "huge object address")?,
                        length: c.length(ctx)?,
                        filter_mask: c.u32()?,
                        memory_size: c.length(ctx)?,
                    })
                } else {
                    Ok(HeapId::HugeIndirect {
                        id: c.uint(body.min(8))?,
                    })
                }
            }
            _ => Err(Error::invalid("fractal heap ID type", addr)),
        }
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use crate::format::checksum::lookup3;
    use crate::testutil::seal;
    use alloc::vec;

    /// The header of an h5py link heap (values seen in h5py 3.16 files), root `root`,
    /// `rows` root rows.
    fn header_bytes(root: u64, rows: u16, flags: u8) -> Vec<u8> {
        let mut b = b"FRHP\x00".to_vec();
        b.extend_from_slice(&7u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.push(flags);
        b.extend_from_slice(&4096u32.to_le_bytes());
        for v in [
            0u64,
            u64::MAX,
            10158,
            733,
            16384,
            7168,
            7168,
            200,
            0,
            0,
            0,
            0,
        ] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&4u16.to_le_bytes());
        b.extend_from_slice(&512u64.to_le_bytes());
        b.extend_from_slice(&65536u64.to_le_bytes());
        b.extend_from_slice(&32u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&root.to_le_bytes());
        b.extend_from_slice(&rows.to_le_bytes());
        seal(b)
    }

    #[test]
    fn header_decode() {
        let ctx = Ctx::DEFAULT;
        let b = header_bytes(0x3b6f, 3, 2);
        assert_eq!(b.len(), Header::size(ctx, 0));
        let h = Header::decode(&b, 511, ctx).unwrap();
        assert_eq!(h.heap_id_len, 7);
        assert!(h.flags.checksum_direct_blocks());
        assert!(!h.flags.huge_id_wrapped());
        assert_eq!(h.max_managed_size, 4096);
        assert_eq!(h.huge_btree, None);
        assert_eq!(h.free_space, 10158);
        assert_eq!(h.free_space_manager, Some(Addr(733)));
        assert_eq!(h.managed_space, 16384);
        assert_eq!(h.managed_objects, 200);
        assert_eq!(
            (
                h.table_width,
                h.starting_block_size,
                h.max_direct_block_size
            ),
            (4, 512, 65536)
        );
        assert_eq!(h.max_heap_size_bits, 32);
        assert_eq!((h.root, h.current_root_rows), (Some(Addr(0x3b6f)), 3));
        assert_eq!(h.filters, None);
        assert_eq!(h.offset_width(), 4);
        assert_eq!(h.managed_length_width(), 2);
        assert_eq!(h.direct_block_prefix(ctx), 4 + 1 + 8 + 4 + 4);

        assert_eq!(
            Header::decode(&b[..100], 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let mut bad = b.clone();
        bad[1] = b'r';
        assert_eq!(
            Header::decode(&bad, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadSignature)
        );
        let mut bad = b.clone();
        bad[4] = 1;
        assert_eq!(
            Header::decode(&bad, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        let mut bad = b.clone();
        bad[30] ^= 8;
        assert_eq!(
            Header::decode(&bad, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        // A width that is not a power of two, properly sealed.
        let mut bad = b[..b.len() - 4].to_vec();
        // The table width sits after 10 lengths and 2 offsets.
        let w = 4 + 1 + 2 + 2 + 1 + 4 + 10 * 8 + 2 * 8;
        assert_eq!(&bad[w..w + 2], &[4, 0]);
        bad[w] = 3;
        let bad = seal(bad);
        assert_eq!(
            Header::decode(&bad, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }

    #[test]
    fn encode_round_trips() {
        let ctx = Ctx::DEFAULT;
        let b = header_bytes(0x3b6f, 3, 2);
        let h = Header::decode(&b, 0, ctx).unwrap();
        let mut e = Encoder::new(ctx);
        h.encode(&mut e).unwrap();
        assert_eq!(e.finish(), b);
        let mut bad = h.clone();
        bad.filters_len = 3;
        assert!(bad.encode(&mut Encoder::new(ctx)).is_err());

        // Indirect block: the same bytes as the decoder's test block.
        let t = h.table(0).unwrap();
        let mut ib = b"FHIB\x00".to_vec();
        ib.extend_from_slice(&511u64.to_le_bytes());
        ib.extend_from_slice(&0u32.to_le_bytes());
        for i in 0..8u64 {
            let a = if i < 5 { 0x1000 + i * 0x200 } else { u64::MAX };
            ib.extend_from_slice(&a.to_le_bytes());
        }
        let ib = seal(ib);
        let d = IndirectBlock::decode(&ib, 0, ctx, &h, &t, 2).unwrap();
        let mut e = Encoder::new(ctx);
        d.encode(&mut e, &h, &t).unwrap();
        assert_eq!(e.finish(), ib);
        let mut short = d.clone();
        short.direct.pop();
        assert!(short.encode(&mut Encoder::new(ctx), &h, &t).is_err());

        // Direct block with checksum.
        let mut e = Encoder::new(ctx);
        let db = DirectBlock {
            heap_header: Addr(511),
            block_offset: 0x800,
        };
        db.encode(&mut e, &h, 512, b"object data").unwrap();
        let b = e.finish();
        assert_eq!(b.len(), 512);
        assert_eq!(&b[21..32], b"object data");
        assert_eq!(DirectBlock::decode(&b, 0, ctx, &h).unwrap(), db);
        assert!(db
            .encode(&mut Encoder::new(ctx), &h, 512, &[0; 492])
            .is_err());

        // Heap IDs of each form decode back.
        let mut h20 = h.clone();
        h20.heap_id_len = 20;
        let big = [9u8; 18];
        for (hh, id) in [
            (
                &h,
                HeapId::Managed {
                    offset: 0x211,
                    length: 0x4b,
                },
            ),
            (&h, HeapId::Tiny(b"abcdef")),
            (
                &h,
                HeapId::HugeIndirect {
                    id: 0x0100_0000_0005,
                },
            ),
            (&h20, HeapId::Tiny(&big)),
            (
                &h20,
                HeapId::HugeDirect {
                    addr: Addr(0x5000),
                    length: 70000,
                },
            ),
        ] {
            let mut e = Encoder::new(ctx);
            id.encode(&mut e, hh).unwrap();
            let b = e.finish();
            assert_eq!(b.len(), usize::from(hh.heap_id_len));
            assert_eq!(HeapId::decode(&b, hh, ctx, 0).unwrap(), id);
        }
        assert_eq!(h.tiny_max_len(), 6);
        assert_eq!(h20.tiny_max_len(), 18);
        for id in [
            HeapId::Tiny(b""),
            HeapId::Tiny(b"abcdefg"),
            HeapId::Managed {
                offset: 1 << 32,
                length: 1,
            },
            HeapId::HugeDirect {
                addr: Addr(1),
                length: 1,
            },
        ] {
            assert!(id.encode(&mut Encoder::new(ctx), &h).is_err(), "{id:?}");
        }
    }

    #[test]
    fn filtered_header() {
        let ctx = Ctx::DEFAULT;
        let mut b = header_bytes(0x1000, 0, 0);
        b.truncate(b.len() - 4);
        b[7] = 5; // filters_len
        b.extend_from_slice(&300u64.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&[1, 2, 3, 4, 5]);
        let b = seal(b);
        assert_eq!(b.len(), Header::size(ctx, 5));
        let h = Header::decode(&b, 0, ctx).unwrap();
        assert!(h.is_filtered());
        assert_eq!(
            h.filters,
            Some(HeapFilters {
                root_direct_size: 300,
                root_filter_mask: 1,
                pipeline: vec![1, 2, 3, 4, 5]
            })
        );
    }

    fn table() -> (Header, DoublingTable) {
        let h = Header::decode(&header_bytes(1, 0, 2), 0, Ctx::DEFAULT).unwrap();
        let t = h.table(0).unwrap();
        (h, t)
    }

    #[test]
    fn doubling_table() {
        let (_, t) = table();
        // width 4, start 512, max direct 64 KiB, 32 bits.
        assert_eq!((t.start_bits, t.width_bits, t.first_row_bits), (9, 2, 11));
        assert_eq!(t.max_direct_rows, 16 - 9 + 2);
        assert_eq!(t.max_root_rows, 32 - 11 + 1);
        assert_eq!(t.row_block_size(0).unwrap(), 512);
        assert_eq!(t.row_block_size(1).unwrap(), 512);
        assert_eq!(t.row_block_size(2).unwrap(), 1024);
        assert_eq!(t.row_block_size(8).unwrap(), 65536);
        assert_eq!(t.row_offset(0).unwrap(), 0);
        assert_eq!(t.row_offset(1).unwrap(), 2048);
        assert_eq!(t.row_offset(2).unwrap(), 4096);
        assert_eq!(t.row_offset(3).unwrap(), 8192);
        assert_eq!(t.lookup(0).unwrap(), (0, 0));
        assert_eq!(t.lookup(511).unwrap(), (0, 0));
        assert_eq!(t.lookup(512).unwrap(), (0, 1));
        assert_eq!(t.lookup(2047).unwrap(), (0, 3));
        assert_eq!(t.lookup(2048).unwrap(), (1, 0));
        assert_eq!(t.lookup(4095).unwrap(), (1, 3));
        assert_eq!(t.lookup(4096).unwrap(), (2, 0));
        assert_eq!(t.lookup(5120).unwrap(), (2, 1));
        assert_eq!(t.lookup(8191).unwrap(), (2, 3));
        assert_eq!(t.lookup(0xffff_ffff).unwrap(), (21, 3));
        assert!(t.lookup(1 << 32).is_err());
        for off in [0u64, 700, 2048, 5000, 70_000, 1 << 20, 0xdead_beef] {
            let (r, c) = t.lookup(off).unwrap();
            let start = t.block_offset(r, c).unwrap();
            assert!(
                start <= off && off < start + t.row_block_size(r).unwrap(),
                "{off}"
            );
        }
        assert!(t.is_direct_row(8));
        assert!(!t.is_direct_row(9));
        // Row 9 blocks are 128 KiB: an indirect block of 7 rows spans exactly that.
        assert_eq!(t.child_indirect_rows(9).unwrap(), 7);
        assert_eq!(t.indirect_span(7).unwrap(), 128 * 1024);
        assert_eq!(t.indirect_span(1).unwrap(), 2048);
        assert!(t.child_indirect_rows(8).is_err());
        assert!(t.row_block_size(22).is_err());
        assert_eq!(t.entries(3), (12, 0));
        assert_eq!(t.entries(11), (36, 8));
    }

    #[test]
    fn table_edges() {
        // 64-bit heaps, width 1: the last row ends at 2^64 exactly; no overflow.
        let mut b = header_bytes(1, 0, 2);
        b.truncate(b.len() - 4);
        let w = 4 + 1 + 2 + 2 + 1 + 4 + 10 * 8 + 2 * 8;
        b[w] = 1;
        b[w + 18] = 64;
        let h = Header::decode(&seal(b), 0, Ctx::DEFAULT).unwrap();
        let t = h.table(0).unwrap();
        assert_eq!(t.max_root_rows, 64 - 9 + 1);
        assert_eq!(t.lookup(u64::MAX).unwrap(), (55, 0));
        assert_eq!(t.row_offset(55).unwrap(), 1 << 63);
        assert_eq!(t.row_block_size(55).unwrap(), 1 << 63);
        assert_eq!(h.offset_width(), 8);
    }

    #[test]
    fn direct_blocks_larger_than_the_heap_are_refused() {
        // Maximum direct block size 2^40 in a heap of 2^32 bytes.
        let mut b = header_bytes(1, 0, 2);
        b.truncate(b.len() - 4);
        let w = 4 + 1 + 2 + 2 + 1 + 4 + 10 * 8 + 2 * 8;
        b[w + 2 + 8..w + 2 + 16].copy_from_slice(&(1u64 << 40).to_le_bytes());
        assert_eq!(
            Header::decode(&seal(b), 0x40, Ctx::DEFAULT).unwrap_err(),
            Error::invalid("fractal heap maximum direct block size", 0x40)
        );
    }

    #[test]
    fn indirect_block() {
        let ctx = Ctx::DEFAULT;
        let (h, t) = table();
        let mut b = b"FHIB\x00".to_vec();
        b.extend_from_slice(&511u64.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        for i in 0..8u64 {
            let a = if i < 5 { 0x1000 + i * 0x200 } else { u64::MAX };
            b.extend_from_slice(&a.to_le_bytes());
        }
        let b = seal(b);
        assert_eq!(b.len() as u64, IndirectBlock::size(&h, &t, ctx, 2).unwrap());
        let ib = IndirectBlock::decode(&b, 0x4000, ctx, &h, &t, 2).unwrap();
        assert_eq!(ib.heap_header, Addr(511));
        assert_eq!(ib.block_offset, 0);
        assert_eq!(ib.direct.len(), 8);
        assert!(ib.indirect.is_empty());
        assert_eq!(ib.direct[4].addr, Some(Addr(0x1800)));
        assert_eq!(ib.direct[5].addr, None);
        assert_eq!(
            IndirectBlock::decode(&b[..b.len() - 1], 0, ctx, &h, &t, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let mut bad = b.clone();
        bad[0] = b'X';
        assert_eq!(
            IndirectBlock::decode(&bad, 0, ctx, &h, &t, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadSignature)
        );
        let mut bad = b.clone();
        bad[20] ^= 1;
        assert_eq!(
            IndirectBlock::decode(&bad, 0, ctx, &h, &t, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        let mut bad = b.clone();
        bad[4] = 9;
        assert_eq!(
            IndirectBlock::decode(&bad, 0, ctx, &h, &t, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        // 11 rows: 36 direct entries and 8 indirect ones.
        assert_eq!(
            IndirectBlock::size(&h, &t, ctx, 11).unwrap(),
            4 + 1 + 8 + 4 + 36 * 8 + 8 * 8 + 4
        );
    }

    #[test]
    fn direct_block() {
        let ctx = Ctx::DEFAULT;
        let (h, _) = table();
        let mut b = b"FHDB\x00".to_vec();
        b.extend_from_slice(&511u64.to_le_bytes());
        b.extend_from_slice(&0x800u32.to_le_bytes());
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(b"object data");
        b.resize(512, 0);
        let s = lookup3(&b, 0);
        b[17..21].copy_from_slice(&s.to_le_bytes());
        let d = DirectBlock::decode(&b, 0x9000, ctx, &h).unwrap();
        assert_eq!(d.heap_header, Addr(511));
        assert_eq!(d.block_offset, 0x800);
        let mut bad = b.clone();
        bad[300] = 1;
        assert_eq!(
            DirectBlock::decode(&bad, 0, ctx, &h)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        assert_eq!(
            DirectBlock::decode(&b[..15], 0, ctx, &h)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let mut bad = b.clone();
        bad[2] = 0;
        assert_eq!(
            DirectBlock::decode(&bad, 0, ctx, &h)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadSignature)
        );
        // Without the checksum flag the same bytes (with garbage) decode.
        let h2 = Header::decode(&header_bytes(1, 0, 0), 0, ctx).unwrap();
        let mut nb = b.clone();
        nb[300] = 1;
        assert_eq!(
            DirectBlock::decode(&nb, 0, ctx, &h2).unwrap().block_offset,
            0x800
        );
    }

    #[test]
    fn heap_ids() {
        let ctx = Ctx::DEFAULT;
        let (h, _) = table();
        // Managed: 4-byte offset, 2-byte length.
        let id = [0x00, 0x11, 0x02, 0, 0, 0x4b, 0];
        assert_eq!(
            HeapId::decode(&id, &h, ctx, 0).unwrap(),
            HeapId::Managed {
                offset: 0x211,
                length: 0x4b
            }
        );
        assert_eq!(
            HeapId::decode(&id[..5], &h, ctx, 0)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        // Tiny, normal form (ID length 7 <= 18): length in the low nibble.
        let id = [0x22, b'a', b'b', b'c', 0, 0, 0];
        assert_eq!(
            HeapId::decode(&id, &h, ctx, 0).unwrap(),
            HeapId::Tiny(b"abc")
        );
        let id = [0x2f, 1, 2];
        assert_eq!(
            HeapId::decode(&id, &h, ctx, 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        // Huge with a 7-byte ID: indirect, 6-byte key.
        let id = [0x10, 5, 0, 0, 0, 0, 1];
        assert_eq!(
            HeapId::decode(&id, &h, ctx, 0).unwrap(),
            HeapId::HugeIndirect {
                id: 0x0100_0000_0005
            }
        );
        // Version bits and type 3.
        assert_eq!(
            HeapId::decode(&[0x40, 0, 0, 0, 0, 0, 0], &h, ctx, 0)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        assert_eq!(
            HeapId::decode(&[0x30, 0, 0, 0, 0, 0, 0], &h, ctx, 0)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            HeapId::decode(&[], &h, ctx, 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );

        // A heap with 20-byte IDs: extended tiny lengths, direct huge IDs.
        let mut h20 = h.clone();
        h20.heap_id_len = 20;
        let mut id = vec![0x21, 0x03];
        id.extend(0..=0xffu8);
        id.extend(0..=0xffu8);
        let HeapId::Tiny(d) = HeapId::decode(&id, &h20, ctx, 0).unwrap() else {
            panic!()
        };
        assert_eq!(d.len(), 0x104);
        let mut id = vec![0x10];
        id.extend_from_slice(&0x5000u64.to_le_bytes());
        id.extend_from_slice(&70000u64.to_le_bytes());
        id.extend_from_slice(&[0; 3]);
        assert_eq!(
            HeapId::decode(&id, &h20, ctx, 0).unwrap(),
            HeapId::HugeDirect {
                addr: Addr(0x5000),
                length: 70000
            }
        );
        // Filtered heap with 30-byte IDs: direct filtered huge IDs.
        let mut hf = h20.clone();
        hf.heap_id_len = 30;
        hf.filters_len = 4;
        let mut id = vec![0x10];
        id.extend_from_slice(&0x5000u64.to_le_bytes());
        id.extend_from_slice(&700u64.to_le_bytes());
        id.extend_from_slice(&0u32.to_le_bytes());
        id.extend_from_slice(&70000u64.to_le_bytes());
        id.push(0);
        assert_eq!(
            HeapId::decode(&id, &hf, ctx, 0).unwrap(),
            HeapId::HugeDirectFiltered {
                addr: Addr(0x5000),
                length: 700,
                filter_mask: 0,
                memory_size: 70000
            }
        );
        // Filtered heap with 20-byte IDs: too short for direct filtered, so indirect (8-byte key).
        hf.heap_id_len = 20;
        assert_eq!(
            HeapId::decode(&id, &hf, ctx, 0).unwrap(),
            HeapId::HugeIndirect { id: 0x5000 }
        );
    }
}
