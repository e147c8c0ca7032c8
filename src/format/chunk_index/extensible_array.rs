//! The extensible array chunk index (spec Appendix C, "The Extensible Array Index"): a header
//! ("EAHD"), an index block ("EAIB"), secondary (super) blocks ("EASB"), data blocks ("EADB")
//! and data block pages.
//!
//! The specification gives the block layouts but not how element indexes map onto blocks;
//! this module follows the scheme libhdf5 uses (checked against files written by libhdf5 2.0):
//!
//! * The first `index_block_elements` elements live in the index block itself.
//! * The rest are numbered from 0 and grouped into super blocks `s = 0, 1, ...`: super block
//!   `s` has `2^(s/2)` data blocks of `2^((s+1)/2) * data_block_min_elements` elements each, so
//!   it covers `2^s * data_block_min_elements` elements starting at
//!   `(2^s - 1) * data_block_min_elements`. There are
//!   `1 + max_elements_bits - log2(data_block_min_elements)` super blocks.
//! * The data blocks of the first `2 * log2(secondary_block_min_pointers)` super blocks are
//!   addressed directly from the index block (`2 * (secondary_block_min_pointers - 1)`
//!   addresses); every later super block has its own secondary block, addressed from the index
//!   block.
//! * A data block of more than `2^page_bits` elements is paged: the data block holds no
//!   elements, its pages of `2^page_bits` elements (each with a checksum) follow it on disk,
//!   and its secondary block carries a bitmap of the initialised pages (one bit per page of
//!   each of its data blocks, data block after data block, most significant bit first).
//! * "Block Offset" fields hold the index (after the index block elements) of a block's first
//!   element, in `ceil(max_elements_bits / 8)` bytes. Exception: for data block `d` of super
//!   block `s` addressed from the index block, libhdf5 2.0 writes
//!   `start(s) + (first data block of s + d) * elements per data block`, counting the data
//!   blocks of all earlier super blocks too; both values are accepted there.

use super::{
    check_client, check_header_addr, check_version, encode_page, ChunkElement, ClientId,
    ElementFormat, Elements,
};
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{checksum, to_usize, Addr, Ctx, Cursor, Encoder};
use alloc::vec::Vec;

/// Signature of the header.
pub const HEADER_SIGNATURE: [u8; 4] = *b"EAHD";
/// Signature of the index block.
pub const INDEX_BLOCK_SIGNATURE: [u8; 4] = *b"EAIB";
/// Signature of a secondary block.
pub const SECONDARY_BLOCK_SIGNATURE: [u8; 4] = *b"EASB";
/// Signature of a data block.
pub const DATA_BLOCK_SIGNATURE: [u8; 4] = *b"EADB";

const HEADER: &str = "extensible array header";
const INDEX_BLOCK: &str = "extensible array index block";
const SECONDARY_BLOCK: &str = "extensible array secondary block";
const DATA_BLOCK: &str = "extensible array data block";

/// The extensible array header (spec "Extensible Array Header").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// What the elements describe.
    pub client: ClientId,
    /// Size in bytes of one element.
    pub element_size: u8,
    /// Bits needed for the maximum number of elements ("Max Nelmts Bits").
    pub max_elements_bits: u8,
    /// Elements stored in the index block.
    pub index_block_elements: u8,
    /// Minimum number of elements in a data block.
    pub data_block_min_elements: u8,
    /// Minimum number of data block pointers of a secondary block.
    pub secondary_block_min_pointers: u8,
    /// log2 of the number of elements in a data block page.
    pub page_bits: u8,
    /// Statistics: secondary blocks created.
    pub secondary_blocks: u64,
    /// Statistics: total size of the secondary blocks.
    pub secondary_blocks_size: u64,
    /// Statistics: data blocks created.
    pub data_blocks: u64,
    /// Statistics: total size of the data blocks.
    pub data_blocks_size: u64,
    /// One more than the greatest element index ever set ("Max Index Set").
    pub max_index_set: u64,
    /// Statistics: elements realised.
    pub elements: u64,
    /// Address of the index block; `None` before any chunk was written.
    pub index_block: Option<Addr>,
}

impl Header {
    /// Encoded size, checksum included.
    pub fn size(ctx: Ctx) -> usize {
        4 + 8 + 6 * usize::from(ctx.length_size) + usize::from(ctx.offset_size) + 4
    }

    /// Decode the header read at `addr` (at least [`Header::size`] bytes). The creation
    /// parameters are checked with [`Header::geometry`].
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` for a reserved
    /// client ID or creation parameters [`Header::geometry`] rejects.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, HEADER);
        let block = c.peek(Self::size(ctx))?;
        c.signature(&HEADER_SIGNATURE)?;
        check_version(&mut c, HEADER)?;
        checksum::verify(block, addr, HEADER)?;
        let client = check_client(&mut c, None, "extensible array client ID")?;
        let h = Header {
            client,
            element_size: c.u8()?,
            max_elements_bits: c.u8()?,
            index_block_elements: c.u8()?,
            data_block_min_elements: c.u8()?,
            secondary_block_min_pointers: c.u8()?,
            page_bits: c.u8()?,
            secondary_blocks: c.length(ctx)?,
            secondary_blocks_size: c.length(ctx)?,
            data_blocks: c.length(ctx)?,
            data_blocks_size: c.length(ctx)?,
            max_index_set: c.length(ctx)?,
            elements: c.length(ctx)?,
            index_block: c.offset(ctx)?,
        };
        h.geometry(addr)?;
        Ok(h)
    }

    /// The block geometry these creation parameters define (`addr` is the header's address,
    /// for errors).
    ///
    /// # Errors
    /// `InvalidValue` naming the field: a zero element size, max elements bits of 0 or over
    /// 64, a data block minimum or secondary block minimum that is not a power of two, page
    /// bits of 64 or more, a data block minimum over 2^max_elements_bits, or more super blocks
    /// in the index block than exist.
    pub fn geometry(&self, addr: u64) -> Result<Geometry> {
        let bad = |what, off: u64| Error::invalid(what, addr.wrapping_add(off));
        if self.element_size == 0 {
            return Err(bad("extensible array element size", 6));
        }
        let bits = u32::from(self.max_elements_bits);
        if bits == 0 || bits > 64 {
            return Err(bad("extensible array max elements bits", 7));
        }
        let min = self.data_block_min_elements;
        if !min.is_power_of_two() || min.trailing_zeros() > bits {
            return Err(bad("extensible array data block minimum elements", 9));
        }
        let ptrs = self.secondary_block_min_pointers;
        if !ptrs.is_power_of_two() {
            return Err(bad("extensible array secondary block minimum pointers", 10));
        }
        if self.page_bits >= 64 {
            return Err(bad("extensible array page bits", 11));
        }
        let super_blocks = 1 + bits - min.trailing_zeros();
        let index_block_super_blocks = 2 * ptrs.trailing_zeros();
        if index_block_super_blocks > super_blocks {
            return Err(bad("extensible array secondary block minimum pointers", 10));
        }
        Ok(Geometry {
            element_size: self.element_size,
            max_elements_bits: self.max_elements_bits,
            index_block_elements: u64::from(self.index_block_elements),
            data_block_min_elements: u64::from(min),
            index_block_super_blocks,
            index_block_data_blocks: 2 * (u64::from(ptrs) - 1),
            super_blocks,
            page_elements: 1u64 << self.page_bits,
        })
    }
}

/// The block structure derived from a header's creation parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Size in bytes of one element.
    pub element_size: u8,
    /// Bits of the maximum number of elements.
    pub max_elements_bits: u8,
    /// Elements stored in the index block.
    pub index_block_elements: u64,
    /// Minimum number of elements in a data block (a power of two).
    pub data_block_min_elements: u64,
    /// Super blocks whose data blocks are addressed directly from the index block.
    pub index_block_super_blocks: u32,
    /// Data block addresses in the index block.
    pub index_block_data_blocks: u64,
    /// Number of super blocks.
    pub super_blocks: u32,
    /// Elements in a data block page.
    pub page_elements: u64,
}

/// The extent of one super block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuperBlockInfo {
    /// Number of data blocks.
    pub data_blocks: u64,
    /// Elements in each of its data blocks.
    pub data_block_elements: u64,
    /// Index of its first element (counted after the index block elements).
    pub start: u64,
    /// Number of data blocks in all earlier super blocks.
    pub start_data_block: u64,
}

/// Where an element lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// Element `0` of the index block's elements.
    IndexBlock(u64),
    /// Element `element` of data block `data_block` of super block `super_block`.
    DataBlock {
        /// The super block.
        super_block: u32,
        /// The data block, counted within the super block.
        data_block: u64,
        /// The element, counted within the data block.
        element: u64,
    },
}

fn overflow(what: &'static str, addr: u64) -> Error {
    Error::format(FormatErrorKind::Overflow, what, addr)
}

impl Geometry {
    /// Bytes of a "Block Offset" field.
    pub fn offset_bytes(&self) -> usize {
        usize::from(self.max_elements_bits).div_ceil(8)
    }

    /// Secondary block addresses in the index block.
    pub fn index_block_secondary_blocks(&self) -> u64 {
        u64::from(
            self.super_blocks
                .saturating_sub(self.index_block_super_blocks),
        )
    }

    /// The extent of super block `s` (`addr` names the header in errors).
    ///
    /// # Errors
    /// `InvalidValue` when `s` is not a super block of this array.
    pub fn super_block(&self, s: u32, addr: u64) -> Result<SuperBlockInfo> {
        if s >= self.super_blocks {
            return Err(Error::invalid("extensible array super block index", addr));
        }
        // s <= 64 and the minimum is at most 2^7: every value fits in 128 bits.
        let min = u128::from(self.data_block_min_elements);
        let half = s / 2;
        let data_blocks = 1u128 << half;
        let data_block_elements = (1u128 << s.div_ceil(2)) * min;
        let start = ((1u128 << s) - 1) * min;
        // Data blocks before super block s: 2 (2^(s/2) - 1), plus 2^(s/2) when s is odd.
        let mut start_data_block = 2 * (data_blocks - 1);
        if s % 2 == 1 {
            start_data_block += data_blocks;
        }
        let fit = |v: u128| u64::try_from(v).map_err(|_| overflow(HEADER, addr));
        Ok(SuperBlockInfo {
            data_blocks: fit(data_blocks)?,
            data_block_elements: fit(data_block_elements)?,
            start: fit(start)?,
            start_data_block: fit(start_data_block)?,
        })
    }

    /// Where element `idx` lives.
    ///
    /// # Errors
    /// `InvalidValue` (at `addr`) when `idx` is beyond the array's capacity.
    pub fn locate(&self, idx: u64, addr: u64) -> Result<Location> {
        let Some(e) = idx.checked_sub(self.index_block_elements) else {
            return Ok(Location::IndexBlock(idx));
        };
        // Super block s holds the elements e with 2^s <= e / min + 1 < 2^(s+1).
        let q = u128::from(e / self.data_block_min_elements) + 1;
        let s = 127 - q.leading_zeros();
        let info = self.super_block(s, addr)?;
        let within = e - info.start;
        Ok(Location::DataBlock {
            super_block: s,
            data_block: within / info.data_block_elements,
            element: within % info.data_block_elements,
        })
    }

    /// Number of pages of a data block of `elements` elements; 0 when it is not paged.
    pub fn pages(&self, elements: u64) -> u64 {
        if elements > self.page_elements {
            elements.div_ceil(self.page_elements)
        } else {
            0
        }
    }

    fn prefix(&self, ctx: Ctx) -> u64 {
        4 + 1 + 1 + u64::from(ctx.offset_size)
    }

    /// Size of the index block, checksum included.
    ///
    /// # Errors
    /// `Overflow` (at `addr`).
    pub fn index_block_size(&self, ctx: Ctx, addr: u64) -> Result<u64> {
        let o = u64::from(ctx.offset_size);
        self.index_block_elements
            .checked_mul(u64::from(self.element_size))
            .and_then(|e| {
                let addrs = self
                    .index_block_data_blocks
                    .checked_add(self.index_block_secondary_blocks())?;
                e.checked_add(addrs.checked_mul(o)?)?
                    .checked_add(self.prefix(ctx) + 4)
            })
            .ok_or(overflow(INDEX_BLOCK, addr))
    }

    /// Bytes of the page bitmap of one data block of super block `info` (0 when not paged).
    fn bitmap_bytes(&self, info: &SuperBlockInfo) -> u64 {
        super::bitmap_size(self.pages(info.data_block_elements))
    }

    /// Size of the secondary block of super block `info`, checksum included.
    ///
    /// # Errors
    /// `Overflow` (at `addr`).
    pub fn secondary_block_size(&self, ctx: Ctx, info: &SuperBlockInfo, addr: u64) -> Result<u64> {
        let per_block = self
            .bitmap_bytes(info)
            .checked_add(u64::from(ctx.offset_size));
        per_block
            .and_then(|p| p.checked_mul(info.data_blocks))
            .and_then(|b| b.checked_add(self.prefix(ctx) + self.offset_bytes() as u64 + 4))
            .ok_or(overflow(SECONDARY_BLOCK, addr))
    }

    /// Size of a data block of `elements` elements (without its pages), checksum included.
    ///
    /// # Errors
    /// `Overflow` (at `addr`).
    pub fn data_block_size(&self, ctx: Ctx, elements: u64, addr: u64) -> Result<u64> {
        let body = if self.pages(elements) > 0 {
            Some(0)
        } else {
            elements.checked_mul(u64::from(self.element_size))
        };
        body.and_then(|b| b.checked_add(self.prefix(ctx) + self.offset_bytes() as u64 + 4))
            .ok_or(overflow(DATA_BLOCK, addr))
    }

    /// Size of one data block page, checksum included.
    ///
    /// # Errors
    /// `Overflow` (at `addr`).
    pub fn page_size(&self, addr: u64) -> Result<u64> {
        self.page_elements
            .checked_mul(u64::from(self.element_size))
            .and_then(|s| s.checked_add(4))
            .ok_or(overflow(DATA_BLOCK, addr))
    }

    /// Address of page `page` of the paged data block at `data_block` holding `elements`
    /// elements: the pages follow the data block.
    ///
    /// # Errors
    /// `Overflow` (at the data block address).
    pub fn page_addr(&self, ctx: Ctx, data_block: Addr, elements: u64, page: u64) -> Result<Addr> {
        let off = self
            .page_size(data_block.0)?
            .checked_mul(page)
            .and_then(|o| o.checked_add(self.data_block_size(ctx, elements, data_block.0).ok()?))
            .ok_or(overflow(DATA_BLOCK, data_block.0))?;
        data_block.add(off, "extensible array data block page")
    }

    fn check_format(&self, format: ElementFormat, client: ClientId, addr: u64) -> Result<()> {
        if format.size() != usize::from(self.element_size) || format.client() != client {
            return Err(Error::invalid("extensible array element size", addr));
        }
        Ok(())
    }
}

/// Open a block of `size` bytes at `addr`: check its signature and version, verify its
/// checksum, then check the client ID and header address common to every block.
#[allow(clippy::too_many_arguments)]
fn open_block<'a>(
    data: &'a [u8],
    addr: u64,
    size: u64,
    sig: &[u8; 4],
    ctx: Ctx,
    client: ClientId,
    header_addr: Addr,
    what: &'static str,
) -> Result<Cursor<'a>> {
    let size = to_usize(size, what, addr)?;
    let mut c = Cursor::new(data, addr, what);
    let block = c.peek(size)?;
    c.signature(sig)?;
    check_version(&mut c, what)?;
    checksum::verify(block, addr, what)?;
    check_client(&mut c, Some(client), "extensible array block client ID")?;
    check_header_addr(
        &mut c,
        ctx,
        header_addr,
        "extensible array block header address",
    )?;
    Ok(c)
}

/// Read a "Block Offset" field and check it against `expected`.
fn check_block_offset(c: &mut Cursor<'_>, g: &Geometry, expected: &[u64]) -> Result<()> {
    let at = c.addr();
    if !expected.contains(&c.uint(g.offset_bytes())?) {
        return Err(Error::invalid("extensible array block offset", at));
    }
    Ok(())
}

/// Read `n` addresses (undefined ones as `None`).
fn addresses(c: &mut Cursor<'_>, ctx: Ctx, n: u64) -> Result<Vec<Option<Addr>>> {
    let n = to_usize(n, "extensible array block addresses", c.addr())?;
    // The bytes are checked first, so the capacity is bounded by the block just read.
    let bytes = n
        .checked_mul(usize::from(ctx.offset_size))
        .ok_or_else(|| c.err(FormatErrorKind::Overflow))?;
    let mut sub = c.sub(bytes, "extensible array block addresses")?;
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        v.push(sub.offset(ctx)?);
    }
    Ok(v)
}

/// A decoded index block (spec "Extensible Array Index Block").
#[derive(Debug, Clone)]
pub struct IndexBlock<'a> {
    /// The elements stored in the index block.
    pub elements: Elements<'a>,
    /// Addresses of the data blocks of the first super blocks.
    pub data_blocks: Vec<Option<Addr>>,
    /// Addresses of the secondary blocks of the remaining super blocks.
    pub secondary_blocks: Vec<Option<Addr>>,
}

impl<'a> IndexBlock<'a> {
    /// Decode the index block read at `addr` of the array whose header `hdr` is at
    /// `header_addr`; its elements have `format`.
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` for a client
    /// ID or header address that does not match, or a format that does not match the element
    /// size.
    pub fn decode(
        data: &'a [u8],
        addr: u64,
        ctx: Ctx,
        hdr: &Header,
        header_addr: Addr,
        format: ElementFormat,
    ) -> Result<Self> {
        let g = hdr.geometry(header_addr.0)?;
        g.check_format(format, hdr.client, header_addr.0)?;
        let size = g.index_block_size(ctx, addr)?;
        let sig = &INDEX_BLOCK_SIGNATURE;
        let mut c = open_block(
            data,
            addr,
            size,
            sig,
            ctx,
            hdr.client,
            header_addr,
            INDEX_BLOCK,
        )?;
        let n = g.index_block_elements;
        let esize = to_usize(n * u64::from(g.element_size), INDEX_BLOCK, addr)?;
        let at = c.addr();
        let elements = Elements::new(c.bytes(esize)?, at, format, n)?;
        let data_blocks = addresses(&mut c, ctx, g.index_block_data_blocks)?;
        let secondary_blocks = addresses(&mut c, ctx, g.index_block_secondary_blocks())?;
        Ok(IndexBlock {
            elements,
            data_blocks,
            secondary_blocks,
        })
    }
}

/// A decoded secondary block (spec "Extensible Array Secondary Block").
#[derive(Debug, Clone)]
pub struct SecondaryBlock<'a> {
    /// Page initialisation bitmap of its data blocks (empty when they are not paged): bit
    /// `d * pages + p`, most significant bit first, is set when page `p` of data block `d` was
    /// written.
    pub page_bitmap: &'a [u8],
    /// Addresses of its data blocks.
    pub data_blocks: Vec<Option<Addr>>,
}

impl<'a> SecondaryBlock<'a> {
    /// Decode the secondary block of super block `s`, read at `addr`.
    ///
    /// # Errors
    /// As [`IndexBlock::decode`]; `InvalidValue` for a block offset other than the super
    /// block's first element.
    pub fn decode(
        data: &'a [u8],
        addr: u64,
        ctx: Ctx,
        hdr: &Header,
        header_addr: Addr,
        s: u32,
    ) -> Result<Self> {
        let g = hdr.geometry(header_addr.0)?;
        let info = g.super_block(s, header_addr.0)?;
        let size = g.secondary_block_size(ctx, &info, addr)?;
        let sig = &SECONDARY_BLOCK_SIGNATURE;
        let mut c = open_block(
            data,
            addr,
            size,
            sig,
            ctx,
            hdr.client,
            header_addr,
            SECONDARY_BLOCK,
        )?;
        check_block_offset(&mut c, &g, &[info.start])?;
        let bm = g.bitmap_bytes(&info).checked_mul(info.data_blocks);
        let bm = to_usize(
            bm.ok_or(overflow(SECONDARY_BLOCK, addr))?,
            SECONDARY_BLOCK,
            addr,
        )?;
        let page_bitmap = c.bytes(bm)?;
        let data_blocks = addresses(&mut c, ctx, info.data_blocks)?;
        Ok(SecondaryBlock {
            page_bitmap,
            data_blocks,
        })
    }
}

/// A decoded data block (spec "Extensible Array Data Block").
#[derive(Debug, Clone, Copy)]
pub struct DataBlock<'a> {
    /// The elements (empty when the data block is paged).
    pub elements: Elements<'a>,
    /// Number of pages following the block (0 when not paged).
    pub pages: u64,
}

impl<'a> DataBlock<'a> {
    /// Decode data block `d` of super block `s`, read at `addr`; its elements have `format`.
    ///
    /// # Errors
    /// As [`SecondaryBlock::decode`].
    #[allow(clippy::too_many_arguments)]
    pub fn decode(
        data: &'a [u8],
        addr: u64,
        ctx: Ctx,
        hdr: &Header,
        header_addr: Addr,
        format: ElementFormat,
        s: u32,
        d: u64,
    ) -> Result<Self> {
        let g = hdr.geometry(header_addr.0)?;
        g.check_format(format, hdr.client, header_addr.0)?;
        let info = g.super_block(s, header_addr.0)?;
        let n = info.data_block_elements;
        let offset = |k: u64| {
            k.checked_mul(n)
                .and_then(|o| o.checked_add(info.start))
                .ok_or(overflow(DATA_BLOCK, addr))
        };
        let mut offsets = [offset(d)?, offset(d)?];
        if s < g.index_block_super_blocks {
            // libhdf5 2.0 numbers the data blocks of the index block from the first super
            // block on when it writes their block offset.
            let k = info.start_data_block.checked_add(d);
            offsets[1] = offset(k.ok_or(overflow(DATA_BLOCK, addr))?)?;
        }
        let size = g.data_block_size(ctx, n, addr)?;
        let sig = &DATA_BLOCK_SIGNATURE;
        let mut c = open_block(
            data,
            addr,
            size,
            sig,
            ctx,
            hdr.client,
            header_addr,
            DATA_BLOCK,
        )?;
        check_block_offset(&mut c, &g, &offsets)?;
        let pages = g.pages(n);
        let elements = if pages > 0 {
            Elements::empty(format)
        } else {
            let at = c.addr();
            Elements::new(c.rest(), at, format, n)?
        };
        Ok(DataBlock { elements, pages })
    }
}

impl Header {
    /// Encode the header, checksum included (the mirror of [`Header::decode`]).
    pub fn encode(&self, ctx: Ctx) -> Vec<u8> {
        let mut e = Encoder::new(ctx);
        e.bytes(&HEADER_SIGNATURE)
            .u8(0)
            .u8(self.client.0)
            .u8(self.element_size)
            .u8(self.max_elements_bits)
            .u8(self.index_block_elements)
            .u8(self.data_block_min_elements)
            .u8(self.secondary_block_min_pointers)
            .u8(self.page_bits)
            .length(self.secondary_blocks)
            .length(self.secondary_blocks_size)
            .length(self.data_blocks)
            .length(self.data_blocks_size)
            .length(self.max_index_set)
            .length(self.elements)
            .opt_offset(self.index_block)
            .checksum_from(0);
        e.finish()
    }
}

fn usage(what: &str) -> Error {
    Error::Usage(alloc::format!("extensible array: {what}"))
}

/// Signature, version, client ID and header address: the start of every block.
fn block_prefix(ctx: Ctx, sig: &[u8; 4], client: ClientId, header_addr: Addr) -> Encoder {
    let mut e = Encoder::new(ctx);
    e.bytes(sig).u8(0).u8(client.0).offset(header_addr);
    e
}

/// Encode the index block (the mirror of [`IndexBlock::decode`]) of the array whose header
/// `hdr` is at `header_addr`: its `index_block_elements` elements (`None`: never written),
/// then the data block and secondary block addresses (`None`: not allocated), exactly as many
/// as the geometry has.
///
/// # Errors
/// `Usage` when a count or the element format does not match the header, or a chunk size does
/// not fit; the header's geometry errors.
pub fn encode_index_block(
    ctx: Ctx,
    hdr: &Header,
    header_addr: Addr,
    format: ElementFormat,
    elements: &[Option<ChunkElement>],
    data_blocks: &[Option<Addr>],
    secondary_blocks: &[Option<Addr>],
) -> Result<Vec<u8>> {
    let g = hdr.geometry(header_addr.0)?;
    g.check_format(format, hdr.client, header_addr.0)?;
    if elements.len() as u64 != g.index_block_elements
        || data_blocks.len() as u64 != g.index_block_data_blocks
        || secondary_blocks.len() as u64 != g.index_block_secondary_blocks()
    {
        return Err(usage("index block counts do not match the geometry"));
    }
    let mut e = block_prefix(ctx, &INDEX_BLOCK_SIGNATURE, hdr.client, header_addr);
    for el in elements {
        format.encode(&mut e, el.as_ref())?;
    }
    for a in data_blocks.iter().chain(secondary_blocks) {
        e.opt_offset(*a);
    }
    e.checksum_from(0);
    Ok(e.finish())
}

/// Encode the secondary block of super block `s` (the mirror of [`SecondaryBlock::decode`]):
/// block offset, the page bitmap (`data blocks * ceil(pages / 8)` bytes when its data blocks
/// are paged, empty otherwise), the data block addresses.
///
/// # Errors
/// `Usage` when the bitmap or address count does not match the super block.
pub fn encode_secondary_block(
    ctx: Ctx,
    hdr: &Header,
    header_addr: Addr,
    s: u32,
    page_bitmap: &[u8],
    data_blocks: &[Option<Addr>],
) -> Result<Vec<u8>> {
    let g = hdr.geometry(header_addr.0)?;
    let info = g.super_block(s, header_addr.0)?;
    let bm = g.bitmap_bytes(&info).checked_mul(info.data_blocks);
    if bm != Some(page_bitmap.len() as u64) || data_blocks.len() as u64 != info.data_blocks {
        return Err(usage("secondary block sizes do not match the super block"));
    }
    let mut e = block_prefix(ctx, &SECONDARY_BLOCK_SIGNATURE, hdr.client, header_addr);
    e.uint_checked(
        info.start,
        g.offset_bytes(),
        "extensible array block offset",
    )?;
    e.bytes(page_bitmap);
    for a in data_blocks {
        e.opt_offset(*a);
    }
    e.checksum_from(0);
    Ok(e.finish())
}

/// The "Block Offset" libhdf5 2.0 writes for data block `d` of super block `s`: the index of
/// its first element, except for data blocks addressed from the index block, where it counts
/// the data blocks of all earlier super blocks too (see the module docs).
///
/// # Errors
/// `InvalidValue` for a super block outside the array, `Overflow`.
pub fn data_block_offset(g: &Geometry, s: u32, d: u64, header_addr: Addr) -> Result<u64> {
    let info = g.super_block(s, header_addr.0)?;
    let k = if s < g.index_block_super_blocks {
        info.start_data_block.checked_add(d)
    } else {
        Some(d)
    };
    k.and_then(|k| k.checked_mul(info.data_block_elements))
        .and_then(|o| o.checked_add(info.start))
        .ok_or(overflow(DATA_BLOCK, header_addr.0))
}

/// Encode data block `d` of super block `s` (the mirror of [`DataBlock::decode`]) with its
/// pages, as one run of bytes for the data block's address: `elements` holds the block's
/// elements (`None`: never written). A paged block holds no elements; its pages follow it, and
/// a page whose elements are all `None` is left uninitialised (zeros, no checksum; its bit in
/// the secondary block's bitmap must stay clear).
///
/// # Errors
/// `Usage` when the element count or format does not match; geometry errors.
#[allow(clippy::too_many_arguments)]
pub fn encode_data_block(
    ctx: Ctx,
    hdr: &Header,
    header_addr: Addr,
    format: ElementFormat,
    s: u32,
    d: u64,
    elements: &[Option<ChunkElement>],
) -> Result<Vec<u8>> {
    let g = hdr.geometry(header_addr.0)?;
    g.check_format(format, hdr.client, header_addr.0)?;
    let info = g.super_block(s, header_addr.0)?;
    if elements.len() as u64 != info.data_block_elements || d >= info.data_blocks {
        return Err(usage("data block elements do not match the super block"));
    }
    let mut e = block_prefix(ctx, &DATA_BLOCK_SIGNATURE, hdr.client, header_addr);
    e.uint_checked(
        data_block_offset(&g, s, d, header_addr)?,
        g.offset_bytes(),
        "extensible array block offset",
    )?;
    if g.pages(info.data_block_elements) == 0 {
        for el in elements {
            format.encode(&mut e, el.as_ref())?;
        }
        e.checksum_from(0);
        return Ok(e.finish());
    }
    e.checksum_from(0);
    let per = to_usize(g.page_elements, DATA_BLOCK, header_addr.0)?;
    let page_len = to_usize(g.page_size(header_addr.0)?, DATA_BLOCK, header_addr.0)?;
    for page in elements.chunks(per.max(1)) {
        if page.iter().any(Option::is_some) {
            e.bytes(&encode_page(ctx, format, page)?);
        } else {
            e.zeros(page_len);
        }
    }
    Ok(e.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::seal;
    use alloc::vec;

    /// The parameters libhdf5 2.0 uses for chunk indexes: 32 bits, 4 index block elements,
    /// data blocks of at least 16, secondary blocks of at least 4 pointers, 1024-element pages.
    fn header_bytes(
        client: u8,
        esize: u8,
        bits: u8,
        page_bits: u8,
        max_set: u64,
        iblock: u64,
    ) -> Vec<u8> {
        let mut b = b"EAHD\0".to_vec();
        b.extend_from_slice(&[client, esize, bits, 4, 16, 4, page_bits]);
        for v in [3u64, 1282, 7, 59954, max_set, 7476] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&iblock.to_le_bytes());
        seal(b)
    }

    fn hdr() -> Header {
        Header::decode(
            &header_bytes(0, 8, 32, 10, 140_000, 0x207),
            0x1bf,
            Ctx::DEFAULT,
        )
        .unwrap()
    }

    #[test]
    fn header_and_geometry() {
        let h = hdr();
        assert_eq!(h.client, ClientId::CHUNKS);
        assert_eq!(h.max_index_set, 140_000);
        assert_eq!(h.elements, 7476);
        assert_eq!(h.index_block, Some(Addr(0x207)));
        assert_eq!(Header::size(Ctx::DEFAULT), 72);
        let g = h.geometry(0).unwrap();
        assert_eq!(g.super_blocks, 29);
        assert_eq!(g.index_block_super_blocks, 4);
        assert_eq!(g.index_block_data_blocks, 6);
        assert_eq!(g.index_block_secondary_blocks(), 25);
        assert_eq!(g.offset_bytes(), 4);
        // The index block of /ea_sparse in chunkidx_extra_latest.h5 is 298 bytes.
        assert_eq!(g.index_block_size(Ctx::DEFAULT, 0).unwrap(), 298);
        let info = |s| g.super_block(s, 0).unwrap();
        assert_eq!(
            info(0),
            SuperBlockInfo {
                data_blocks: 1,
                data_block_elements: 16,
                start: 0,
                start_data_block: 0
            }
        );
        assert_eq!(info(3).start_data_block, 4);
        assert_eq!(info(4).start_data_block, 6);
        assert_eq!(info(8).start, 4080);
        assert_eq!(info(8).data_block_elements, 256);
        assert_eq!(info(13).start, 131_056);
        assert_eq!(info(13).data_blocks, 64);
        assert_eq!(info(13).data_block_elements, 2048);
        assert_eq!(g.pages(2048), 2);
        assert_eq!(g.pages(1024), 0);
        assert!(g.super_block(29, 0).is_err());
        // Sizes of blocks seen in that file.
        assert_eq!(
            g.secondary_block_size(Ctx::DEFAULT, &info(13), 0).unwrap(),
            18 + 64 + 64 * 8 + 4
        );
        assert_eq!(
            g.secondary_block_size(Ctx::DEFAULT, &info(8), 0).unwrap(),
            18 + 16 * 8 + 4
        );
        assert_eq!(g.data_block_size(Ctx::DEFAULT, 2048, 0).unwrap(), 22);
        assert_eq!(
            g.data_block_size(Ctx::DEFAULT, 256, 0).unwrap(),
            22 + 256 * 8
        );
        assert_eq!(
            g.page_addr(Ctx::DEFAULT, Addr(0x3c98), 2048, 1).unwrap(),
            Addr(0x3c98 + 22 + 8196)
        );
        // Locations.
        assert_eq!(g.locate(3, 0).unwrap(), Location::IndexBlock(3));
        let dl = |s, d, e| Location::DataBlock {
            super_block: s,
            data_block: d,
            element: e,
        };
        assert_eq!(g.locate(4, 0).unwrap(), dl(0, 0, 0));
        assert_eq!(g.locate(20, 0).unwrap(), dl(1, 0, 0));
        assert_eq!(g.locate(4 + 48 + 33, 0).unwrap(), dl(2, 1, 1));
        assert_eq!(g.locate(139_999, 0).unwrap(), dl(13, 4, 747));
        assert_eq!(
            g.locate(4 + (1u64 << 32) - 17, 0).unwrap(),
            dl(27, 8191, (1 << 18) - 1)
        );
        assert_eq!(g.locate(4 + (1u64 << 32) - 16, 0).unwrap(), dl(28, 0, 0));
        assert_eq!(
            g.locate(4 + (1u64 << 33) - 17, 0).unwrap(),
            dl(28, 16383, (1 << 18) - 1)
        );
        assert_eq!(
            g.locate(4 + (1u64 << 33) - 16, 0).unwrap_err(),
            Error::invalid("extensible array super block index", 0)
        );
    }

    #[test]
    fn header_errors() {
        let ctx = Ctx::DEFAULT;
        let err = |b: Vec<u8>| Header::decode(&b, 0x100, ctx).unwrap_err();
        let mut b = header_bytes(0, 8, 32, 10, 5, 0x207);
        b[3] = b'X';
        assert_eq!(
            err(b),
            Error::format(FormatErrorKind::BadSignature, HEADER, 0x100)
        );
        let mut b = header_bytes(0, 8, 32, 10, 5, 0x207);
        b[30] ^= 1;
        assert_eq!(
            err(b),
            Error::format(FormatErrorKind::BadChecksum, HEADER, 0x100 + 68)
        );
        let b = header_bytes(0, 8, 32, 10, 5, 0x207);
        assert_eq!(
            err(b[..60].to_vec()),
            Error::format(FormatErrorKind::Truncated, HEADER, 0x100)
        );
        let mut b = header_bytes(0, 8, 32, 10, 5, 0x207);
        b[4] = 1;
        assert_eq!(
            err(seal(b[..68].to_vec())),
            Error::format(FormatErrorKind::BadVersion, HEADER, 0x104)
        );
        // Max elements bits over 64, page bits of 64: shifts out of range.
        assert_eq!(
            err(header_bytes(0, 8, 65, 10, 5, 0)),
            Error::invalid("extensible array max elements bits", 0x107)
        );
        assert_eq!(
            err(header_bytes(0, 8, 0, 10, 5, 0)),
            Error::invalid("extensible array max elements bits", 0x107)
        );
        assert_eq!(
            err(header_bytes(0, 8, 32, 64, 5, 0)),
            Error::invalid("extensible array page bits", 0x10b)
        );
        assert_eq!(
            err(header_bytes(0, 0, 32, 10, 5, 0)),
            Error::invalid("extensible array element size", 0x106)
        );
        assert_eq!(
            err(header_bytes(3, 8, 32, 10, 5, 0)),
            Error::invalid("extensible array client ID", 0x105)
        );
        let mut b = header_bytes(0, 8, 32, 10, 5, 0);
        b[9] = 12;
        assert_eq!(
            err(seal(b[..68].to_vec())),
            Error::invalid("extensible array data block minimum elements", 0x109)
        );
        let mut b = header_bytes(0, 8, 3, 10, 5, 0);
        b[9] = 16;
        assert_eq!(
            err(seal(b[..68].to_vec())),
            Error::invalid("extensible array data block minimum elements", 0x109)
        );
        let mut b = header_bytes(0, 8, 32, 10, 5, 0);
        b[10] = 0;
        assert_eq!(
            err(seal(b[..68].to_vec())),
            Error::invalid("extensible array secondary block minimum pointers", 0x10a)
        );
        // 64 bits with a minimum of 1: the last super block starts at 2^64 - 1.
        let mut b = header_bytes(0, 8, 64, 10, 5, 0);
        b[9] = 1;
        b[10] = 1;
        let h = Header::decode(&seal(b[..68].to_vec()), 0, ctx).unwrap();
        let g = h.geometry(0).unwrap();
        assert_eq!(g.super_blocks, 65);
        assert_eq!(g.super_block(64, 0).unwrap().start, u64::MAX);
        assert!(g.super_block(64, 0).is_ok());
        assert!(g.locate(u64::MAX, 0).is_ok());
    }

    fn prefix(sig: &[u8; 4], client: u8, hdr: u64) -> Vec<u8> {
        let mut b = sig.to_vec();
        b.push(0);
        b.push(client);
        b.extend_from_slice(&hdr.to_le_bytes());
        b
    }

    #[test]
    fn blocks() {
        let ctx = Ctx::DEFAULT;
        let h = hdr();
        let fmt = ElementFormat::plain(ctx);
        let ha = Addr(0x1bf);
        // Index block: 4 elements, 6 data block and 25 secondary block addresses.
        let mut b = prefix(&INDEX_BLOCK_SIGNATURE, 0, 0x1bf);
        for a in [0x800u64, 0x801, u64::MAX, 0x803] {
            b.extend_from_slice(&a.to_le_bytes());
        }
        for i in 0..31u64 {
            let a = if i == 0 || i == 10 {
                0x1000 + i
            } else {
                u64::MAX
            };
            b.extend_from_slice(&a.to_le_bytes());
        }
        let ib = seal(b);
        assert_eq!(ib.len(), 298);
        let d = IndexBlock::decode(&ib, 0x207, ctx, &h, ha, fmt).unwrap();
        assert_eq!(d.elements.len(), 4);
        assert_eq!(d.elements.get(1).unwrap().unwrap().addr, Addr(0x801));
        assert_eq!(d.elements.get(2).unwrap(), None);
        assert_eq!(d.data_blocks.len(), 6);
        assert_eq!(d.data_blocks[0], Some(Addr(0x1000)));
        assert_eq!(d.secondary_blocks.len(), 25);
        assert_eq!(d.secondary_blocks[4], Some(Addr(0x100a)));
        let mut bad = ib.clone();
        bad[0] = b'X';
        assert_eq!(
            IndexBlock::decode(&bad, 0x207, ctx, &h, ha, fmt).unwrap_err(),
            Error::format(FormatErrorKind::BadSignature, INDEX_BLOCK, 0x207)
        );
        let mut bad = ib.clone();
        bad[100] ^= 1;
        assert_eq!(
            IndexBlock::decode(&bad, 0x207, ctx, &h, ha, fmt).unwrap_err(),
            Error::format(FormatErrorKind::BadChecksum, INDEX_BLOCK, 0x207 + 294)
        );
        assert_eq!(
            IndexBlock::decode(&ib[..297], 0x207, ctx, &h, ha, fmt).unwrap_err(),
            Error::format(FormatErrorKind::Truncated, INDEX_BLOCK, 0x207)
        );
        assert_eq!(
            IndexBlock::decode(&ib, 0x207, ctx, &h, Addr(0x1c0), fmt).unwrap_err(),
            Error::invalid("extensible array block header address", 0x207 + 6)
        );
        assert_eq!(
            IndexBlock::decode(&ib, 0x207, ctx, &h, ha, ElementFormat::filtered(ctx, 2))
                .unwrap_err(),
            Error::invalid("extensible array element size", 0x1bf)
        );

        // Secondary block of super block 13: offset 131056, 64 one-byte bitmaps, 64 addresses.
        let mut b = prefix(&SECONDARY_BLOCK_SIGNATURE, 0, 0x1bf);
        b.extend_from_slice(&131_056u32.to_le_bytes());
        let mut bm = vec![0u8; 64];
        bm[0] = 0xb0;
        bm[1] = 0x80;
        b.extend_from_slice(&bm);
        for i in 0..64u64 {
            let a = if i < 2 { 0x3c98 + i * 0x4000 } else { u64::MAX };
            b.extend_from_slice(&a.to_le_bytes());
        }
        let sb = seal(b);
        let s = SecondaryBlock::decode(&sb, 0x3a42, ctx, &h, ha, 13).unwrap();
        assert_eq!(s.page_bitmap.len(), 64);
        assert_eq!(s.data_blocks.len(), 64);
        assert_eq!(s.data_blocks[1], Some(Addr(0x7c98)));
        assert_eq!(s.data_blocks[2], None);
        assert_eq!(
            SecondaryBlock::decode(&sb, 0x3a42, ctx, &h, ha, 12)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        let mut bad = sb.clone();
        bad[14] = 0xf1;
        let bad = seal(bad[..bad.len() - 4].to_vec());
        assert_eq!(
            SecondaryBlock::decode(&bad, 0x3a42, ctx, &h, ha, 13).unwrap_err(),
            Error::invalid("extensible array block offset", 0x3a42 + 14)
        );
        let mut bad = sb.clone();
        bad[5] = 1;
        let bad = seal(bad[..bad.len() - 4].to_vec());
        assert_eq!(
            SecondaryBlock::decode(&bad, 0x3a42, ctx, &h, ha, 13).unwrap_err(),
            Error::invalid("extensible array block client ID", 0x3a42 + 5)
        );

        // Data blocks: unpaged (super block 0, 16 elements) and paged (super block 13).
        let mut b = prefix(&DATA_BLOCK_SIGNATURE, 0, 0x1bf);
        b.extend_from_slice(&0u32.to_le_bytes());
        for i in 0..16u64 {
            b.extend_from_slice(&(0x5000 + i).to_le_bytes());
        }
        let db = seal(b);
        let d = DataBlock::decode(&db, 0x331, ctx, &h, ha, fmt, 0, 0).unwrap();
        assert_eq!(d.pages, 0);
        assert_eq!(d.elements.len(), 16);
        assert_eq!(d.elements.get(15).unwrap().unwrap().addr, Addr(0x500f));
        assert_eq!(
            DataBlock::decode(&db, 0x331, ctx, &h, ha, fmt, 1, 0)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        // Data block 1 of super block 2 (addressed from the index block): libhdf5 writes
        // 48 + (2 + 1) * 32 = 144 where 48 + 32 = 80 is its first element.
        let dblk21 = |off: u32| {
            let mut b = prefix(&DATA_BLOCK_SIGNATURE, 0, 0x1bf);
            b.extend_from_slice(&off.to_le_bytes());
            b.extend_from_slice(&[0xff; 32 * 8]);
            seal(b)
        };
        for ok in [80, 144] {
            let b = dblk21(ok);
            assert_eq!(
                DataBlock::decode(&b, 0x4d3, ctx, &h, ha, fmt, 2, 1)
                    .unwrap()
                    .elements
                    .len(),
                32
            );
        }
        assert_eq!(
            DataBlock::decode(&dblk21(112), 0x4d3, ctx, &h, ha, fmt, 2, 1).unwrap_err(),
            Error::invalid("extensible array block offset", 0x4d3 + 14)
        );
        let mut b = prefix(&DATA_BLOCK_SIGNATURE, 0, 0x1bf);
        b.extend_from_slice(&133_104u32.to_le_bytes());
        let db = seal(b);
        let d = DataBlock::decode(&db, 0x7cb6, ctx, &h, ha, fmt, 13, 1).unwrap();
        assert_eq!(d.pages, 2);
        assert!(d.elements.is_empty());
        assert_eq!(
            DataBlock::decode(&db, 0x7cb6, ctx, &h, ha, fmt, 13, 0).unwrap_err(),
            Error::invalid("extensible array block offset", 0x7cb6 + 14)
        );
        let mut bad = db.clone();
        bad[8] ^= 1;
        assert_eq!(
            DataBlock::decode(&bad, 0x7cb6, ctx, &h, ha, fmt, 13, 1).unwrap_err(),
            Error::format(FormatErrorKind::BadChecksum, DATA_BLOCK, 0x7cb6 + 18)
        );
    }

    #[test]
    fn encode_round_trip() {
        use crate::format::chunk_index::{decode_page, ChunkElement};
        let ctx = Ctx::DEFAULT;
        let b = header_bytes(0, 8, 32, 10, 140_000, 0x207);
        let h = Header::decode(&b, 0x1bf, ctx).unwrap();
        assert_eq!(h.encode(ctx), b);
        let g = h.geometry(0x1bf).unwrap();
        let f = ElementFormat::plain(ctx);
        let ha = Addr(0x1bf);
        let el = |a: u64| {
            Some(ChunkElement {
                addr: Addr(a),
                size: None,
                filter_mask: 0,
            })
        };
        // Index block.
        let els = [el(1), None, el(3), None];
        let dbs: Vec<_> = (0..g.index_block_data_blocks)
            .map(|i| (i % 2 == 0).then_some(Addr(0x5000 + i)))
            .collect();
        let sbs: Vec<_> = (0..g.index_block_secondary_blocks())
            .map(|i| (i == 1).then_some(Addr(0x9000)))
            .collect();
        let b = encode_index_block(ctx, &h, ha, f, &els, &dbs, &sbs).unwrap();
        assert_eq!(b.len() as u64, g.index_block_size(ctx, 0).unwrap());
        let ib = IndexBlock::decode(&b, 0x207, ctx, &h, ha, f).unwrap();
        assert_eq!(
            (ib.data_blocks, ib.secondary_blocks),
            (dbs.clone(), sbs.clone())
        );
        assert_eq!(ib.elements.get(2).unwrap(), els[2]);
        assert!(encode_index_block(ctx, &h, ha, f, &els[..3], &dbs, &sbs).is_err());
        // Secondary block of super block 13 (paged data blocks of 2048 elements).
        let info = g.super_block(13, 0).unwrap();
        let bm_len = (g.bitmap_bytes(&info) * info.data_blocks) as usize;
        let mut bm = vec![0u8; bm_len];
        bm[0] = 0xb0;
        let addrs: Vec<_> = (0..info.data_blocks)
            .map(|i| (i < 2).then_some(Addr(0x7000 + i)))
            .collect();
        let b = encode_secondary_block(ctx, &h, ha, 13, &bm, &addrs).unwrap();
        let sb = SecondaryBlock::decode(&b, 0x3000, ctx, &h, ha, 13).unwrap();
        assert_eq!(sb.page_bitmap, &bm[..]);
        assert_eq!(sb.data_blocks, addrs);
        assert!(encode_secondary_block(ctx, &h, ha, 13, &bm[1..], &addrs).is_err());
        // Data blocks: one of the index block (libhdf5's block offset), one of a secondary
        // block, one paged.
        for (s, d) in [(2u32, 1u64), (4, 2), (13, 1)] {
            let info = g.super_block(s, 0).unwrap();
            let n = info.data_block_elements;
            let els: Vec<_> = (0..n)
                .map(|i| {
                    (i % 3 == 0 && i < 1024).then_some(ChunkElement {
                        addr: Addr(0x10_0000 + i),
                        size: None,
                        filter_mask: 0,
                    })
                })
                .collect();
            let b = encode_data_block(ctx, &h, ha, f, s, d, &els).unwrap();
            let db = DataBlock::decode(&b, 0x4000, ctx, &h, ha, f, s, d).unwrap();
            if db.pages == 0 {
                assert_eq!(db.elements.get(3).unwrap(), els[3]);
            } else {
                let p0 = g.page_addr(ctx, Addr(0), n, 0).unwrap().0 as usize;
                let p = decode_page(&b[p0..], 0, f, g.page_elements).unwrap();
                assert_eq!(p.get(999).unwrap(), els[999]);
                // The second page is uninitialised: zeros.
                let p1 = g.page_addr(ctx, Addr(0), n, 1).unwrap().0 as usize;
                assert!(b[p1..].iter().all(|&x| x == 0));
                assert_eq!(b.len() - p1, g.page_size(0).unwrap() as usize);
            }
        }
        assert_eq!(data_block_offset(&g, 2, 1, ha).unwrap(), 144);
        assert_eq!(data_block_offset(&g, 4, 2, ha).unwrap(), 240 + 2 * 64);
    }
}
