//! The array-based chunk indexes of layout message versions 4 and 5 (spec Appendix C, "Types of
//! Indexes for Dataset Chunks": "The Fixed Array Index" and "The Extensible Array Index"), and
//! the pieces both share: client IDs, the chunk elements they store, data block pages and page
//! initialisation bitmaps.
//!
//! The parsers take the bytes of one block and decode it; which blocks to read, and in which
//! order, is the business of [`crate::read::chunk_index`].

pub mod extensible_array;
pub mod fixed_array;

use super::{checksum, Addr, Ctx, Cursor, Encoder};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;

/// The "Client ID" of a fixed or extensible array: what its elements describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientId(pub u8);

impl ClientId {
    /// 0: chunks of a dataset without filters (elements are addresses).
    pub const CHUNKS: ClientId = ClientId(0);
    /// 1: chunks of a filtered dataset (address, chunk size, filter mask).
    pub const FILTERED_CHUNKS: ClientId = ClientId(1);

    /// Whether the elements describe filtered chunks; `None` for a reserved ID.
    pub fn is_filtered(self) -> Option<bool> {
        match self {
            Self::CHUNKS => Some(false),
            Self::FILTERED_CHUNKS => Some(true),
            _ => None,
        }
    }
}

impl core::fmt::Display for ClientId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.is_filtered() {
            Some(false) => f.write_str("non-filtered chunks"),
            Some(true) => f.write_str("filtered chunks"),
            None => write!(f, "reserved client {}", self.0),
        }
    }
}

/// Width in bytes of the "Chunk Size" field of a filtered-chunk record (fixed and extensible
/// array elements, version 2 B-tree type 11 records) for a dataset whose layout message has
/// version `layout_version` and whose unfiltered chunks hold `chunk_bytes` bytes.
///
/// * Layout version 4: one more than the bytes needed for `chunk_bytes`, at most 8.
/// * Layout version 5 (HDF5 2.0): the file's **Size of Lengths**. The 4.0 specification says
///   "Size of Offsets", but libhdf5 2.0 writes the length width: files with 4-byte offsets and
///   8-byte lengths store 8-byte chunk sizes, files with 8-byte offsets and 4-byte lengths
///   store 4-byte ones (see `spec-notes/chunk-indexes.md`).
pub fn filtered_size_width(layout_version: u8, ctx: Ctx, chunk_bytes: u64) -> u8 {
    if layout_version >= 5 {
        ctx.length_size
    } else {
        let needed = super::cursor::bytes_needed(chunk_bytes);
        // `needed` is at most 8, so the sum fits.
        u8::try_from(needed + 1).map_or(8, |w| w.min(8))
    }
}

/// How the elements of an array index are encoded (spec "Data Block Element for Non-filtered
/// Dataset Chunk" and "... for Filtered Dataset Chunk").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ElementFormat {
    /// File address width.
    pub offset_size: u8,
    /// Width of the chunk size field of filtered elements; `None` for non-filtered elements.
    pub chunk_size_width: Option<u8>,
}

impl ElementFormat {
    /// Elements of non-filtered chunks: one address each.
    pub fn plain(ctx: Ctx) -> Self {
        ElementFormat {
            offset_size: ctx.offset_size,
            chunk_size_width: None,
        }
    }

    /// Elements of filtered chunks with a chunk size field of `width` bytes.
    pub fn filtered(ctx: Ctx, width: u8) -> Self {
        ElementFormat {
            offset_size: ctx.offset_size,
            chunk_size_width: Some(width),
        }
    }

    /// The client ID of arrays holding such elements.
    pub fn client(&self) -> ClientId {
        if self.chunk_size_width.is_some() {
            ClientId::FILTERED_CHUNKS
        } else {
            ClientId::CHUNKS
        }
    }

    /// Encoded size of one element.
    pub fn size(&self) -> usize {
        usize::from(self.offset_size) + self.chunk_size_width.map_or(0, |w| usize::from(w) + 4)
    }

    /// Decode one element; `None` when its address is undefined (the chunk was never written).
    ///
    /// # Errors
    /// `Truncated`; `InvalidValue` for a chunk size width over 8.
    pub fn decode(&self, c: &mut Cursor<'_>) -> Result<Option<ChunkElement>> {
        let ctx = Ctx {
            offset_size: self.offset_size,
            length_size: 8,
        };
        let addr = c.offset(ctx)?;
        let (size, filter_mask) = match self.chunk_size_width {
            None => (None, 0),
            Some(w) => (Some(c.uint(usize::from(w))?), c.u32()?),
        };
        Ok(addr.map(|addr| ChunkElement {
            addr,
            size,
            filter_mask,
        }))
    }
}

impl ElementFormat {
    /// Encode one element (the mirror of [`ElementFormat::decode`]); `None` is a chunk never
    /// written: the undefined address, and a zero size and filter mask for filtered elements
    /// (as libhdf5 fills them).
    ///
    /// # Errors
    /// `Usage` when a filtered chunk's size does not fit the chunk size width.
    pub fn encode(&self, e: &mut Encoder, el: Option<&ChunkElement>) -> Result<()> {
        let ctx = Ctx {
            offset_size: self.offset_size,
            length_size: 8,
        };
        let mut own = Encoder::new(ctx);
        own.opt_offset(el.map(|el| el.addr));
        if let Some(w) = self.chunk_size_width {
            let (size, mask) = el.map_or((0, 0), |el| (el.size.unwrap_or(0), el.filter_mask));
            own.uint_checked(size, usize::from(w), "filtered chunk size")?;
            own.u32(mask);
        }
        e.bytes(own.as_bytes());
        Ok(())
    }
}

/// Encode a data block page (the mirror of [`decode_page`]): the elements, then the checksum.
///
/// # Errors
/// As [`ElementFormat::encode`].
pub fn encode_page(
    ctx: Ctx,
    format: ElementFormat,
    elements: &[Option<ChunkElement>],
) -> Result<Vec<u8>> {
    let mut e = Encoder::new(ctx);
    for el in elements {
        format.encode(&mut e, el.as_ref())?;
    }
    e.checksum_from(0);
    Ok(e.finish())
}

/// Mark page `i` initialised in a page bitmap (bit `i` from the most significant bit of byte
/// 0, see [`page_initialised`]); bits past the end of `bitmap` are ignored.
pub fn set_page_initialised(bitmap: &mut [u8], i: u64) {
    if let Some(b) = usize::try_from(i / 8).ok().and_then(|b| bitmap.get_mut(b)) {
        *b |= 0x80u8 >> (i % 8);
    }
}

/// One array element: a stored chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkElement {
    /// Address of the chunk.
    pub addr: Addr,
    /// Stored size of a filtered chunk; `None` for non-filtered elements (the chunk has its
    /// unfiltered size).
    pub size: Option<u64>,
    /// Filters skipped for this chunk (0 for non-filtered elements).
    pub filter_mask: u32,
}

/// A run of encoded elements inside a block, decoded on demand.
#[derive(Debug, Clone, Copy)]
pub struct Elements<'a> {
    data: &'a [u8],
    addr: u64,
    format: ElementFormat,
}

impl<'a> Elements<'a> {
    /// `count` elements of `format` at the start of `data`, whose first byte is at file address
    /// `addr`.
    ///
    /// # Errors
    /// `Truncated` when `data` is shorter than `count` elements; `Overflow` when their size does
    /// not fit in memory.
    pub fn new(data: &'a [u8], addr: u64, format: ElementFormat, count: u64) -> Result<Self> {
        let what = "chunk index elements";
        let len = u64::try_from(format.size())
            .ok()
            .and_then(|s| s.checked_mul(count))
            .ok_or(Error::format(FormatErrorKind::Overflow, what, addr))?;
        let len = super::to_usize(len, what, addr)?;
        let data = Cursor::new(data, addr, what).bytes(len)?;
        Ok(Elements { data, addr, format })
    }

    /// No elements at all.
    pub fn empty(format: ElementFormat) -> Self {
        Elements {
            data: &[],
            addr: 0,
            format,
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len().checked_div(self.format.size()).unwrap_or(0)
    }

    /// No elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// File address of the first element.
    pub fn addr(&self) -> u64 {
        self.addr
    }

    /// Element `i`, `None` when its chunk was never written.
    ///
    /// # Errors
    /// `Truncated` when `i` is past the end.
    pub fn get(&self, i: usize) -> Result<Option<ChunkElement>> {
        let mut c = Cursor::new(self.data, self.addr, "chunk index element");
        let at = i
            .checked_mul(self.format.size())
            .ok_or_else(|| c.err(FormatErrorKind::Truncated))?;
        c.seek(at)?;
        self.format.decode(&mut c)
    }
}

/// Whether page `i` is marked initialised in a page bitmap: bit `i` counts from the most
/// significant bit of the first byte (libhdf5 2.0 sets bit 0x80 of byte 0 for page 0).
pub fn page_initialised(bitmap: &[u8], i: u64) -> bool {
    let byte = usize::try_from(i / 8).ok().and_then(|b| bitmap.get(b));
    // i % 8 < 8, so the shift is in range.
    byte.is_some_and(|&b| b & (0x80u8 >> (i % 8)) != 0)
}

/// Bytes of a page bitmap of `pages` bits.
pub fn bitmap_size(pages: u64) -> u64 {
    pages.div_ceil(8)
}

/// Size of a data block page of `count` elements: the elements and a checksum.
///
/// # Errors
/// `Overflow`.
pub fn page_size(format: ElementFormat, count: u64, addr: u64) -> Result<u64> {
    u64::try_from(format.size())
        .ok()
        .and_then(|s| s.checked_mul(count)?.checked_add(4))
        .ok_or(Error::format(
            FormatErrorKind::Overflow,
            "chunk index page size",
            addr,
        ))
}

/// Decode a data block page (spec "Fixed Array Data Block Page", "Extensible Array Data Block
/// Page"): `count` elements followed by a checksum. `data` is the page as read at `addr`.
///
/// # Errors
/// `Truncated`, `BadChecksum`.
pub fn decode_page(
    data: &[u8],
    addr: u64,
    format: ElementFormat,
    count: u64,
) -> Result<Elements<'_>> {
    let what = "chunk index data block page";
    let len = page_size(format, count, addr)?;
    let len = super::to_usize(len, what, addr)?;
    let block = Cursor::new(data, addr, what).bytes(len)?;
    checksum::verify(block, addr, what)?;
    Elements::new(block, addr, format, count)
}

/// Check the "Version" byte of an array structure (all describe version 0).
fn check_version(c: &mut Cursor<'_>, what: &'static str) -> Result<()> {
    let at = c.addr();
    if c.u8()? != 0 {
        return Err(Error::format(FormatErrorKind::BadVersion, what, at));
    }
    Ok(())
}

/// Read a client ID byte and check it against `expected` (when given).
fn check_client(
    c: &mut Cursor<'_>,
    expected: Option<ClientId>,
    what: &'static str,
) -> Result<ClientId> {
    let at = c.addr();
    let client = ClientId(c.u8()?);
    if client.is_filtered().is_none() || expected.is_some_and(|e| e != client) {
        return Err(Error::invalid(what, at));
    }
    Ok(client)
}

/// Read the "Header Address" of a block and check that it points back at `header`.
fn check_header_addr(c: &mut Cursor<'_>, ctx: Ctx, header: Addr, what: &'static str) -> Result<()> {
    let at = c.addr();
    if c.offset(ctx)? != Some(header) {
        return Err(Error::invalid(what, at));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::seal;
    use alloc::vec::Vec;

    #[test]
    fn widths() {
        let c88 = Ctx::DEFAULT;
        let c48 = Ctx {
            offset_size: 4,
            length_size: 8,
        };
        let c84 = Ctx {
            offset_size: 8,
            length_size: 4,
        };
        // Layout v4: bytes for the unfiltered size, plus one.
        assert_eq!(filtered_size_width(4, c88, 16), 2);
        assert_eq!(filtered_size_width(4, c88, 255), 2);
        assert_eq!(filtered_size_width(4, c88, 256), 3);
        assert_eq!(filtered_size_width(4, c88, 1024), 3);
        assert_eq!(filtered_size_width(4, c88, u64::MAX), 8);
        assert_eq!(filtered_size_width(4, c48, 1 << 20), 4);
        // Layout v5: the length width, whatever the chunk size.
        assert_eq!(filtered_size_width(5, c88, 16), 8);
        assert_eq!(filtered_size_width(5, c48, 16), 8);
        assert_eq!(filtered_size_width(5, c84, 1 << 40), 4);
    }

    #[test]
    fn elements_and_pages() {
        let f = ElementFormat::filtered(Ctx::DEFAULT, 2);
        assert_eq!(f.size(), 14);
        assert_eq!(f.client(), ClientId::FILTERED_CHUNKS);
        let mut b = Vec::new();
        b.extend_from_slice(&0x1234u64.to_le_bytes());
        b.extend_from_slice(&[0x10, 0x02]);
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(&[0xff; 6]);
        let page = seal(b.clone());
        let e = decode_page(&page, 0x100, f, 2).unwrap();
        assert_eq!(e.len(), 2);
        assert_eq!(
            e.get(0).unwrap(),
            Some(ChunkElement {
                addr: Addr(0x1234),
                size: Some(0x210),
                filter_mask: 1
            })
        );
        assert_eq!(e.get(1).unwrap(), None);
        assert_eq!(
            e.get(2).unwrap_err(),
            Error::format(FormatErrorKind::Truncated, "chunk index element", 0x11c)
        );
        // A flipped bit: the checksum (at 0x100 + 28) no longer matches.
        let mut bad = page.clone();
        bad[3] ^= 4;
        assert_eq!(
            decode_page(&bad, 0x100, f, 2).unwrap_err(),
            Error::format(
                FormatErrorKind::BadChecksum,
                "chunk index data block page",
                0x11c
            )
        );
        assert_eq!(
            decode_page(&page[..20], 0x100, f, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let p = ElementFormat::plain(Ctx {
            offset_size: 4,
            length_size: 4,
        });
        assert_eq!(p.size(), 4);
        let e = Elements::new(&[1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff], 0, p, 2).unwrap();
        assert_eq!(e.get(0).unwrap().unwrap().addr, Addr(1));
        assert_eq!(e.get(0).unwrap().unwrap().size, None);
        assert_eq!(e.get(1).unwrap(), None);
        assert!(Elements::new(&[0; 7], 0, p, 2).is_err());
        assert!(Elements::empty(p).is_empty());
    }

    #[test]
    fn bitmaps() {
        // Pages 0, 2, 3 and 8 initialised, as libhdf5 2.0 writes them.
        let bm = [0xb0, 0x80];
        let set: Vec<u64> = (0..16).filter(|&i| page_initialised(&bm, i)).collect();
        assert_eq!(set, [0, 2, 3, 8]);
        assert!(!page_initialised(&bm, 1 << 40));
        assert_eq!(bitmap_size(3), 1);
        assert_eq!(bitmap_size(8), 1);
        assert_eq!(bitmap_size(9), 2);
        assert_eq!(ClientId(7).is_filtered(), None);
        assert_eq!(alloc::format!("{}", ClientId(7)), "reserved client 7");
    }
}
