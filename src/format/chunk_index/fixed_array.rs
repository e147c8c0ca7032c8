//! The fixed array chunk index (spec Appendix C, "The Fixed Array Index"): a header ("FAHD")
//! pointing at one data block ("FADB") that holds either every element or, when there are more
//! than 2^page_bits elements, a page initialisation bitmap followed on disk by the pages.
//!
//! Layout on disk, as libhdf5 2.0 allocates it: the data block (prefix, elements or bitmap,
//! checksum) and, right after it, page 0, page 1, ...; every page holds 2^page_bits elements
//! and a checksum except the last, which holds the remainder.

use super::{
    check_client, check_header_addr, check_version, encode_page, set_page_initialised,
    ChunkElement, ClientId, ElementFormat, Elements,
};
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{checksum, to_usize, Addr, Ctx, Cursor, Encoder};
use alloc::vec;
use alloc::vec::Vec;

/// Signature of the header.
pub const HEADER_SIGNATURE: [u8; 4] = *b"FAHD";
/// Signature of the data block.
pub const DATA_BLOCK_SIGNATURE: [u8; 4] = *b"FADB";

const HEADER: &str = "fixed array header";
const DATA_BLOCK: &str = "fixed array data block";

/// The fixed array header (spec "Fixed Array Header").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// What the elements describe.
    pub client: ClientId,
    /// Size in bytes of one element.
    pub entry_size: u8,
    /// log2 of the number of elements in a data block page.
    pub page_bits: u8,
    /// Number of elements ("Max Num Entries").
    pub max_entries: u64,
    /// Address of the data block; `None` before any chunk was written.
    pub data_block: Option<Addr>,
}

/// How the data block of a fixed array is split into pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// Elements in a full page (2^page_bits).
    pub page_entries: u64,
    /// Number of pages; 0 when the data block holds the elements itself.
    pub pages: u64,
}

impl Header {
    /// Encoded size, checksum included.
    pub fn size(ctx: Ctx) -> usize {
        4 + 4 + usize::from(ctx.length_size) + usize::from(ctx.offset_size) + 4
    }

    /// Decode the header read at `addr` (at least [`Header::size`] bytes).
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` for a reserved
    /// client ID, a zero entry size or page bits of 64 or more (the page size would not fit).
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, HEADER);
        let block = c.peek(Self::size(ctx))?;
        c.signature(&HEADER_SIGNATURE)?;
        check_version(&mut c, HEADER)?;
        checksum::verify(block, addr, HEADER)?;
        let client = check_client(&mut c, None, "fixed array client ID")?;
        let at = c.addr();
        let entry_size = c.u8()?;
        if entry_size == 0 {
            return Err(Error::invalid("fixed array entry size", at));
        }
        let at = c.addr();
        let page_bits = c.u8()?;
        if page_bits >= 64 {
            return Err(Error::invalid("fixed array page bits", at));
        }
        let max_entries = c.length(ctx)?;
        let data_block = c.offset(ctx)?;
        Ok(Header {
            client,
            entry_size,
            page_bits,
            max_entries,
            data_block,
        })
    }

    /// The paging of the data block.
    pub fn paging(&self) -> Paging {
        // page_bits < 64 is checked by `decode`; a hand-made header saturates.
        let page_entries = 1u64
            .checked_shl(u32::from(self.page_bits))
            .unwrap_or(1 << 63);
        let pages = if self.max_entries > page_entries {
            self.max_entries.div_ceil(page_entries)
        } else {
            0
        };
        Paging {
            page_entries,
            pages,
        }
    }

    fn prefix_size(ctx: Ctx) -> u64 {
        4 + 1 + 1 + u64::from(ctx.offset_size)
    }

    /// Size of the data block (without its pages), checksum included.
    ///
    /// # Errors
    /// `Overflow` (at `addr`, the header's address) when it does not fit in 64 bits.
    pub fn data_block_size(&self, ctx: Ctx, addr: u64) -> Result<u64> {
        let p = self.paging();
        let body = if p.pages > 0 {
            Some(super::bitmap_size(p.pages))
        } else {
            u64::from(self.entry_size).checked_mul(self.max_entries)
        };
        body.and_then(|b| b.checked_add(Self::prefix_size(ctx) + 4))
            .ok_or(Error::format(FormatErrorKind::Overflow, DATA_BLOCK, addr))
    }

    /// Number of elements in page `page` (the last page holds the remainder).
    pub fn page_entries(&self, page: u64) -> u64 {
        let p = self.paging();
        let start = page.saturating_mul(p.page_entries);
        self.max_entries.saturating_sub(start).min(p.page_entries)
    }

    /// Size of page `page` on disk: its elements and a checksum.
    ///
    /// # Errors
    /// `Overflow` (at `addr`).
    pub fn page_size(&self, page: u64, addr: u64) -> Result<u64> {
        u64::from(self.entry_size)
            .checked_mul(self.page_entries(page))
            .and_then(|s| s.checked_add(4))
            .ok_or(Error::format(FormatErrorKind::Overflow, DATA_BLOCK, addr))
    }

    /// Address of page `page` of the data block at `data_block`: the pages follow the data
    /// block, each but the last holding 2^page_bits elements.
    ///
    /// # Errors
    /// `Overflow` (at the data block address).
    pub fn page_addr(&self, ctx: Ctx, data_block: Addr, page: u64) -> Result<Addr> {
        let full = self.page_size(0, data_block.0)?;
        let off = full
            .checked_mul(page)
            .and_then(|o| o.checked_add(self.data_block_size(ctx, data_block.0).ok()?))
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                DATA_BLOCK,
                data_block.0,
            ))?;
        data_block.add(off, "fixed array data block page")
    }
}

/// A decoded fixed array data block (spec "Fixed Array Data Block").
#[derive(Debug, Clone, Copy)]
pub struct DataBlock<'a> {
    /// What the elements describe.
    pub client: ClientId,
    /// The page initialisation bitmap (empty when not paged): bit `i` (from the most
    /// significant bit of byte 0) is set when page `i` was written.
    pub page_bitmap: &'a [u8],
    /// The elements (empty when paged).
    pub elements: Elements<'a>,
}

impl<'a> DataBlock<'a> {
    /// Decode the data block read at `addr` for the header `hdr` read at `header_addr`, whose
    /// elements have `format` (its size must equal the header's entry size).
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` when the client
    /// ID differs from the header's, the header address does not point back at `header_addr`,
    /// or `format` does not match the entry size.
    pub fn decode(
        data: &'a [u8],
        addr: u64,
        ctx: Ctx,
        hdr: &Header,
        header_addr: Addr,
        format: ElementFormat,
    ) -> Result<Self> {
        if format.size() != usize::from(hdr.entry_size) || format.client() != hdr.client {
            return Err(Error::invalid("fixed array entry size", header_addr.0));
        }
        let size = to_usize(hdr.data_block_size(ctx, header_addr.0)?, DATA_BLOCK, addr)?;
        let mut c = Cursor::new(data, addr, DATA_BLOCK);
        let block = c.peek(size)?;
        c.signature(&DATA_BLOCK_SIGNATURE)?;
        check_version(&mut c, DATA_BLOCK)?;
        checksum::verify(block, addr, DATA_BLOCK)?;
        let client = check_client(&mut c, Some(hdr.client), "fixed array data block client ID")?;
        check_header_addr(
            &mut c,
            ctx,
            header_addr,
            "fixed array data block header address",
        )?;
        let p = hdr.paging();
        if p.pages > 0 {
            let n = to_usize(super::bitmap_size(p.pages), DATA_BLOCK, addr)?;
            Ok(DataBlock {
                client,
                page_bitmap: c.bytes(n)?,
                elements: Elements::empty(format),
            })
        } else {
            let at = c.addr();
            Ok(DataBlock {
                client,
                page_bitmap: &[],
                elements: Elements::new(c.rest(), at, format, hdr.max_entries)?,
            })
        }
    }
}

impl Header {
    /// Encode the header, checksum included (the mirror of [`Header::decode`]).
    pub fn encode(&self, ctx: Ctx) -> Vec<u8> {
        let mut e = Encoder::new(ctx);
        e.bytes(&HEADER_SIGNATURE)
            .u8(0)
            .u8(self.client.0)
            .u8(self.entry_size)
            .u8(self.page_bits)
            .length(self.max_entries)
            .opt_offset(self.data_block)
            .checksum_from(0);
        e.finish()
    }
}

/// Encode the data block of the array described by `hdr` (whose header is at `header_addr`)
/// together with its pages, as one run of bytes to be placed at the data block's address:
/// the data block (elements, or the page bitmap when paged) and, when paged, every page right
/// after it (the mirror of [`DataBlock::decode`] and [`Header::page_addr`]).
///
/// `elements` holds exactly `max_entries` elements, `None` for chunks never written. A page
/// whose elements are all `None` is left uninitialised, as libhdf5 leaves it: its bit is clear
/// and its bytes are zeros (no checksum).
///
/// # Errors
/// `Usage` when the element count or format does not match the header, or a chunk size does
/// not fit; `Overflow` for sizes past memory.
pub fn encode_data_block(
    ctx: Ctx,
    hdr: &Header,
    header_addr: Addr,
    format: ElementFormat,
    elements: &[Option<ChunkElement>],
) -> Result<Vec<u8>> {
    if format.size() != usize::from(hdr.entry_size)
        || format.client() != hdr.client
        || elements.len() as u64 != hdr.max_entries
    {
        return Err(Error::Usage(alloc::string::String::from(
            "fixed array data block: elements do not match the header",
        )));
    }
    let mut e = Encoder::new(ctx);
    e.bytes(&DATA_BLOCK_SIGNATURE)
        .u8(0)
        .u8(hdr.client.0)
        .offset(header_addr);
    let p = hdr.paging();
    if p.pages == 0 {
        for el in elements {
            format.encode(&mut e, el.as_ref())?;
        }
        e.checksum_from(0);
        return Ok(e.finish());
    }
    let bm_len = to_usize(super::bitmap_size(p.pages), DATA_BLOCK, header_addr.0)?;
    let mut bitmap = vec![0u8; bm_len];
    let per = to_usize(p.page_entries, DATA_BLOCK, header_addr.0)?;
    let mut pages = Vec::new();
    for (i, chunk) in elements.chunks(per.max(1)).enumerate() {
        if chunk.iter().any(Option::is_some) {
            set_page_initialised(&mut bitmap, i as u64);
            pages.extend(encode_page(ctx, format, chunk)?);
        } else {
            let len = hdr.page_size(i as u64, header_addr.0)?;
            pages.resize(pages.len() + to_usize(len, DATA_BLOCK, header_addr.0)?, 0);
        }
    }
    e.bytes(&bitmap).checksum_from(0).bytes(&pages);
    Ok(e.finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::seal;
    use alloc::vec::Vec;

    fn header(client: u8, entry: u8, bits: u8, n: u64, dblk: u64) -> Vec<u8> {
        let mut b = b"FAHD\0".to_vec();
        b.extend_from_slice(&[client, entry, bits]);
        b.extend_from_slice(&n.to_le_bytes());
        b.extend_from_slice(&dblk.to_le_bytes());
        seal(b)
    }

    #[test]
    fn header_decode() {
        let ctx = Ctx::DEFAULT;
        // The paged array of chunkidx_latest.h5 (/fixed_paged): 3000 one-address entries.
        let b = header(0, 8, 10, 3000, 0x6383);
        let h = Header::decode(&b, 0x79d, ctx).unwrap();
        assert_eq!(
            h,
            Header {
                client: ClientId::CHUNKS,
                entry_size: 8,
                page_bits: 10,
                max_entries: 3000,
                data_block: Some(Addr(0x6383))
            }
        );
        assert_eq!(
            h.paging(),
            Paging {
                page_entries: 1024,
                pages: 3
            }
        );
        assert_eq!(h.data_block_size(ctx, 0).unwrap(), 14 + 1 + 4);
        assert_eq!(h.page_entries(0), 1024);
        assert_eq!(h.page_entries(2), 952);
        assert_eq!(h.page_entries(3), 0);
        assert_eq!(
            h.page_addr(ctx, Addr(0x6383), 0).unwrap(),
            Addr(0x6383 + 19)
        );
        assert_eq!(
            h.page_addr(ctx, Addr(0x6383), 2).unwrap(),
            Addr(0x6383 + 19 + 2 * (8 * 1024 + 4))
        );
        // Unpaged: 64 filtered entries of 20 bytes.
        let h = Header::decode(&header(1, 20, 10, 64, u64::MAX), 0, ctx).unwrap();
        assert_eq!(h.data_block, None);
        assert_eq!(h.paging().pages, 0);
        assert_eq!(h.data_block_size(ctx, 0).unwrap(), 14 + 64 * 20 + 4);
        // Exactly 2^page_bits entries are not paged.
        let h = Header::decode(&header(0, 8, 10, 1024, 0), 0, ctx).unwrap();
        assert_eq!(h.paging().pages, 0);
        assert_eq!(Header::size(ctx), 28);
    }

    #[test]
    fn header_errors() {
        let ctx = Ctx::DEFAULT;
        let kind = |b: &[u8]| Header::decode(b, 0x40, ctx).unwrap_err();
        let mut b = header(0, 8, 10, 3000, 0x6383);
        b[0] = b'X';
        assert_eq!(
            kind(&b),
            Error::format(FormatErrorKind::BadSignature, HEADER, 0x40)
        );
        let mut b = header(0, 8, 10, 3000, 0x6383);
        b[9] ^= 1;
        assert_eq!(
            kind(&b),
            Error::format(FormatErrorKind::BadChecksum, HEADER, 0x40 + 24)
        );
        let b = header(0, 8, 10, 3000, 0x6383);
        assert_eq!(
            kind(&b[..27]),
            Error::format(FormatErrorKind::Truncated, HEADER, 0x40)
        );
        let mut v = b"FAHD\x01".to_vec();
        v.extend_from_slice(&b[5..]);
        assert_eq!(
            kind(&seal(v[..24].to_vec())),
            Error::format(FormatErrorKind::BadVersion, HEADER, 0x44)
        );
        // Page bits of 64 would shift a page size out of range.
        assert_eq!(
            kind(&header(0, 8, 64, 3000, 0)),
            Error::invalid("fixed array page bits", 0x47)
        );
        assert!(Header::decode(&header(0, 8, 63, u64::MAX, 0), 0, ctx).is_ok());
        assert_eq!(
            kind(&header(2, 8, 10, 3000, 0)),
            Error::invalid("fixed array client ID", 0x45)
        );
        assert_eq!(
            kind(&header(0, 0, 10, 3000, 0)),
            Error::invalid("fixed array entry size", 0x46)
        );
        // Sizes overflowing 64 bits.
        let h = Header::decode(&header(1, 20, 63, 1 << 63, 0), 0, ctx).unwrap();
        assert_eq!(h.paging().pages, 0);
        assert_eq!(
            h.data_block_size(ctx, 0x40).unwrap_err(),
            Error::format(FormatErrorKind::Overflow, DATA_BLOCK, 0x40)
        );
        let h = Header::decode(&header(0, 8, 62, u64::MAX, 0), 0, ctx).unwrap();
        assert_eq!(h.paging().pages, 4);
        assert!(h.page_addr(ctx, Addr(0), 1).is_err());
    }

    fn data_block(client: u8, hdr: u64, body: &[u8]) -> Vec<u8> {
        let mut b = b"FADB\0".to_vec();
        b.push(client);
        b.extend_from_slice(&hdr.to_le_bytes());
        b.extend_from_slice(body);
        seal(b)
    }

    #[test]
    fn data_blocks() {
        let ctx = Ctx::DEFAULT;
        let fmt = ElementFormat::plain(ctx);
        // Unpaged, 3 entries, the second never written.
        let hdr = Header::decode(&header(0, 8, 10, 3, 0x500), 0, ctx).unwrap();
        let mut body = Vec::new();
        for a in [0x1000u64, u64::MAX, 0x2000] {
            body.extend_from_slice(&a.to_le_bytes());
        }
        let b = data_block(0, 0x40, &body);
        let d = DataBlock::decode(&b, 0x500, ctx, &hdr, Addr(0x40), fmt).unwrap();
        assert_eq!(d.page_bitmap, &[] as &[u8]);
        assert_eq!(d.elements.len(), 3);
        assert_eq!(d.elements.addr(), 0x50e);
        assert_eq!(d.elements.get(0).unwrap().unwrap().addr, Addr(0x1000));
        assert_eq!(d.elements.get(1).unwrap(), None);
        assert_eq!(d.elements.get(2).unwrap().unwrap().addr, Addr(0x2000));
        // Wrong header address, client, signature, checksum, element format.
        assert_eq!(
            DataBlock::decode(&b, 0x500, ctx, &hdr, Addr(0x48), fmt).unwrap_err(),
            Error::invalid("fixed array data block header address", 0x506)
        );
        let b1 = data_block(1, 0x40, &body);
        assert_eq!(
            DataBlock::decode(&b1, 0x500, ctx, &hdr, Addr(0x40), fmt).unwrap_err(),
            Error::invalid("fixed array data block client ID", 0x505)
        );
        let mut bad = b.clone();
        bad[1] = b'X';
        assert_eq!(
            DataBlock::decode(&bad, 0x500, ctx, &hdr, Addr(0x40), fmt).unwrap_err(),
            Error::format(FormatErrorKind::BadSignature, DATA_BLOCK, 0x500)
        );
        let mut bad = b.clone();
        bad[20] ^= 0x80;
        assert_eq!(
            DataBlock::decode(&bad, 0x500, ctx, &hdr, Addr(0x40), fmt)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        assert_eq!(
            DataBlock::decode(&b[..b.len() - 1], 0x500, ctx, &hdr, Addr(0x40), fmt)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(
            DataBlock::decode(
                &b,
                0x500,
                ctx,
                &hdr,
                Addr(0x40),
                ElementFormat::filtered(ctx, 8)
            )
            .unwrap_err(),
            Error::invalid("fixed array entry size", 0x40)
        );
        // Paged: 3000 entries, pages 0 and 2 written.
        let hdr = Header::decode(&header(0, 8, 10, 3000, 0x500), 0, ctx).unwrap();
        let b = data_block(0, 0x40, &[0xa0]);
        let d = DataBlock::decode(&b, 0x500, ctx, &hdr, Addr(0x40), fmt).unwrap();
        assert_eq!(d.page_bitmap, &[0xa0]);
        assert!(d.elements.is_empty());
        let init: Vec<u64> = (0..3)
            .filter(|&p| super::super::page_initialised(d.page_bitmap, p))
            .collect();
        assert_eq!(init, [0, 2]);
    }

    #[test]
    fn encode_round_trip() {
        use crate::format::chunk_index::{decode_page, page_initialised, ChunkElement};
        let ctx = Ctx::DEFAULT;
        let b = header(0, 8, 10, 3000, 0x6383);
        let h = Header::decode(&b, 0x79d, ctx).unwrap();
        assert_eq!(h.encode(ctx), b);

        // Small, filtered: elements in the block.
        let f = ElementFormat::filtered(ctx, 3);
        let h = Header {
            client: ClientId::FILTERED_CHUNKS,
            entry_size: 15,
            page_bits: 10,
            max_entries: 3,
            data_block: Some(Addr(0x900)),
        };
        let el = |a: u64| {
            Some(ChunkElement {
                addr: Addr(a),
                size: Some(a / 2),
                filter_mask: 1,
            })
        };
        let els = [el(0x1000), None, el(0x2000)];
        let b = encode_data_block(ctx, &h, Addr(0x800), f, &els).unwrap();
        assert_eq!(b.len() as u64, h.data_block_size(ctx, 0).unwrap());
        let d = DataBlock::decode(&b, 0x900, ctx, &h, Addr(0x800), f).unwrap();
        for (i, e) in els.iter().enumerate() {
            assert_eq!(d.elements.get(i).unwrap(), *e);
        }
        assert!(encode_data_block(ctx, &h, Addr(0x800), f, &els[..2]).is_err());

        // Paged: 2500 plain elements in pages of 1024; page 1 left empty.
        let f = ElementFormat::plain(ctx);
        let h = Header {
            client: ClientId::CHUNKS,
            entry_size: 8,
            page_bits: 10,
            max_entries: 2500,
            data_block: Some(Addr(0x900)),
        };
        let els: Vec<_> = (0..2500u64)
            .map(|i| {
                (!(1024..2048).contains(&i)).then_some(ChunkElement {
                    addr: Addr(0x10000 + i),
                    size: None,
                    filter_mask: 0,
                })
            })
            .collect();
        let b = encode_data_block(ctx, &h, Addr(0x800), f, &els).unwrap();
        let d = DataBlock::decode(&b, 0x900, ctx, &h, Addr(0x800), f).unwrap();
        assert_eq!(d.page_bitmap, &[0xa0]);
        assert!(page_initialised(d.page_bitmap, 0) && !page_initialised(d.page_bitmap, 1));
        let last = h.page_addr(ctx, Addr(0x900), 2).unwrap().0 - 0x900;
        assert_eq!(b.len() as u64, last + h.page_size(2, 0).unwrap());
        let p = decode_page(&b[last as usize..], 0, f, h.page_entries(2)).unwrap();
        assert_eq!(p.get(451).unwrap(), els[2048 + 451]);
    }
}
