//! Local heaps ("HEAP"): the link names (and soft-link values) of an old-style group.
//! Spec: "Local Heaps" (III.D).
//!
//! The header names a data segment elsewhere in the file (libhdf5 first places it right after
//! the header, and moves it in one piece when the heap grows). Objects inside the segment are
//! NUL-terminated strings at 8-byte-aligned offsets; offset 0 is the empty string.

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::cursor::ones;
use crate::format::{Addr, Ctx, Cursor, Encoder};

/// The header signature.
pub const SIGNATURE: [u8; 4] = *b"HEAP";

/// The only local heap version the spec defines.
pub const VERSION: u8 = 0;

/// The value libhdf5 (all releases up to 2.0) writes for "no free block" in the free-list head
/// and as the last free block's "next" offset. The spec says the undefined address; both are
/// accepted.
pub const FREE_LIST_END: u64 = 1;

/// A decoded local heap header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalHeapHeader {
    /// "Data Segment Size": bytes allocated for the data segment (used and free).
    pub data_segment_size: u64,
    /// "Offset to Head of Free-list" within the data segment; `None` when there is no free
    /// block (the undefined address, or libhdf5's [`FREE_LIST_END`]).
    pub free_list_head: Option<u64>,
    /// "Address of Data Segment".
    pub data_segment: Addr,
}

impl LocalHeapHeader {
    /// Encoded size: signature, version, 3 reserved bytes, two lengths and one offset. libhdf5
    /// rounds the space it allocates up to a multiple of 8; only these bytes carry meaning.
    pub fn size(ctx: Ctx) -> usize {
        8 + 2 * usize::from(ctx.length_size) + usize::from(ctx.offset_size)
    }

    /// Decode a header from `data`, read at file address `addr`.
    ///
    /// # Errors
    /// `BadSignature` without "HEAP", `BadVersion` for a version other than 0, `Truncated`,
    /// `InvalidValue` for an undefined data segment address or a free-list head outside the
    /// data segment.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "local heap");
        c.signature(&SIGNATURE)?;
        if c.u8()? != VERSION {
            return Err(Error::format(
                FormatErrorKind::BadVersion,
                "local heap version",
                addr.saturating_add(4),
            ));
        }
        c.skip(3)?;
        let data_segment_size = c.length(ctx)?;
        let free_at = c.addr();
        let free = c.length(ctx)?;
        let free_list_head = if free == FREE_LIST_END || free == ones(usize::from(ctx.length_size))
        {
            None
        } else if free >= data_segment_size {
            return Err(Error::invalid("local heap free-list head", free_at));
        } else {
            Some(free)
        };
        let data_segment = c.defined_offset(ctx, "local heap data segment address")?;
        Ok(LocalHeapHeader {
            data_segment_size,
            free_list_head,
            data_segment,
        })
    }
}

impl LocalHeapHeader {
    /// Encode the header (exactly [`LocalHeapHeader::size`] bytes): a `None` free-list head is
    /// written as libhdf5 writes it, [`FREE_LIST_END`].
    pub fn encode(&self, e: &mut Encoder) {
        e.bytes(&SIGNATURE).u8(VERSION).zeros(3);
        e.length(self.data_segment_size);
        e.length(self.free_list_head.unwrap_or(FREE_LIST_END));
        e.offset(self.data_segment);
    }
}

/// Alignment of objects (and free blocks) in the data segment.
pub const ALIGNMENT: u64 = 8;

/// `n` rounded up to a multiple of [`ALIGNMENT`], `None` on overflow.
pub fn align8(n: u64) -> Option<u64> {
    n.checked_add(ALIGNMENT - 1)
        .map(|v| v / ALIGNMENT * ALIGNMENT)
}

/// Bytes a string of `len` bytes takes in the data segment: its NUL, padded to 8.
pub fn stored_size(len: usize) -> Option<u64> {
    align8((len as u64).checked_add(1)?)
}

/// A free block of the data segment (spec "Local Heaps": the first two lengths of a free
/// block are the offset of the next free block and the size of this one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreeBlock {
    /// Offset of the next free block; `None` for the last one (written as libhdf5 does,
    /// [`FREE_LIST_END`]).
    pub next: Option<u64>,
    /// Size of this free block, its own two fields included.
    pub size: u64,
}

impl FreeBlock {
    /// Smallest free block: its two length fields. A smaller gap cannot be on the free list.
    pub fn min_size(ctx: Ctx) -> u64 {
        2 * u64::from(ctx.length_size)
    }

    /// Encode the two fields of the block, then zeros up to its size (libhdf5 leaves stale
    /// bytes there; a new heap has zeros).
    pub fn encode(&self, e: &mut Encoder) {
        e.length(self.next.unwrap_or(FREE_LIST_END));
        e.length(self.size);
        let fields = Self::min_size(e.ctx());
        e.zeros(usize::try_from(self.size.saturating_sub(fields)).unwrap_or(0));
    }
}

/// The NUL-terminated string at `offset` in a local heap data segment `segment` (which starts
/// at file address `segment_addr`), without its NUL.
///
/// # Errors
/// `OutOfBounds` when `offset` is outside the segment, `Truncated` when no NUL follows it
/// before the end of the segment. Both name the file address of `offset`.
pub fn name_at(segment: &[u8], segment_addr: u64, offset: u64) -> Result<&[u8]> {
    let at = segment_addr.saturating_add(offset);
    let start = usize::try_from(offset)
        .ok()
        .filter(|&o| o < segment.len())
        .ok_or(Error::format(
            FormatErrorKind::OutOfBounds,
            "local heap name offset",
            at,
        ))?;
    let mut c = Cursor::new(segment, segment_addr, "local heap name");
    c.seek(start)?;
    c.cstr()
        .map_err(|_| Error::format(FormatErrorKind::Truncated, "local heap name", at))
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    fn heap(ctx: Ctx, size: u64, free: u64, data: u64) -> Vec<u8> {
        let (l, o) = (usize::from(ctx.length_size), usize::from(ctx.offset_size));
        let mut b = b"HEAP\0\0\0\0".to_vec();
        b.extend_from_slice(&size.to_le_bytes()[..l]);
        b.extend_from_slice(&free.to_le_bytes()[..l]);
        b.extend_from_slice(&data.to_le_bytes()[..o]);
        b
    }

    #[test]
    fn header() {
        let ctx = Ctx::DEFAULT;
        let b = heap(ctx, 88, 32, 712);
        assert_eq!(b.len(), LocalHeapHeader::size(ctx));
        let h = LocalHeapHeader::decode(&b, 680, ctx).unwrap();
        assert_eq!(
            h,
            LocalHeapHeader {
                data_segment_size: 88,
                free_list_head: Some(32),
                data_segment: Addr(712),
            }
        );
        // libhdf5's "no free block" and the spec's undefined address.
        let h = LocalHeapHeader::decode(&heap(ctx, 88, 1, 712), 0, ctx).unwrap();
        assert_eq!(h.free_list_head, None);
        let h = LocalHeapHeader::decode(&heap(ctx, 88, u64::MAX, 712), 0, ctx).unwrap();
        assert_eq!(h.free_list_head, None);

        let e = LocalHeapHeader::decode(&b[..b.len() - 1], 680, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        let mut bad = b.clone();
        bad[3] = b'X';
        let e = LocalHeapHeader::decode(&bad, 680, ctx).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::BadSignature, "local heap", 680)
        );
        let mut bad = b.clone();
        bad[4] = 1;
        let e = LocalHeapHeader::decode(&bad, 680, ctx).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::BadVersion, "local heap version", 684)
        );
        let e = LocalHeapHeader::decode(&heap(ctx, 88, 88, 712), 680, ctx).unwrap_err();
        assert_eq!(e, Error::invalid("local heap free-list head", 680 + 16));
        let e = LocalHeapHeader::decode(&heap(ctx, 88, 32, u64::MAX), 680, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn header_four_byte_offsets() {
        let ctx = Ctx {
            offset_size: 4,
            length_size: 4,
        };
        let b = heap(ctx, 80, 0xffff_ffff, 1368);
        assert_eq!(b.len(), 20);
        let h = LocalHeapHeader::decode(&b, 1344, ctx).unwrap();
        assert_eq!(h.data_segment_size, 80);
        assert_eq!(h.free_list_head, None);
        assert_eq!(h.data_segment, Addr(1368));
    }

    #[test]
    fn names() {
        let seg = b"\0\0\0\0\0\0\0\0alpha\0\0\0beta\0\0\0\0unterminated";
        assert_eq!(name_at(seg, 100, 0).unwrap(), b"");
        assert_eq!(name_at(seg, 100, 8).unwrap(), b"alpha");
        assert_eq!(name_at(seg, 100, 16).unwrap(), b"beta");
        assert_eq!(name_at(seg, 100, 10).unwrap(), b"pha");
        let e = name_at(seg, 100, 24).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::Truncated, "local heap name", 124)
        );
        let e = name_at(seg, 100, seg.len() as u64).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::OutOfBounds));
        let e = name_at(seg, 100, u64::MAX).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::OutOfBounds));
    }
}
