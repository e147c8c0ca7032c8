//! Writing local heaps: the link names (and soft-link values) of an old-style group.
//! Spec: "Local Heaps" (III.D); libhdf5's sizing is described in
//! `spec-notes/local-and-global-heaps.md` ("Writing").
//!
//! [`LocalHeapBuilder`] places strings as libhdf5 (observed with 2.0 through h5py 3.16) does, so
//! a heap rebuilt from the same insertions in the same order has the same bytes: the data
//! segment starts at the group heap's size hint, strings go into the free block at its tail
//! when they fill it exactly or leave at least a free-block header, and otherwise the segment
//! grows by `max(current size, bytes missing)`; a tail smaller than a free-block header is
//! given back.

use super::Sink;
use crate::error::{Error, Result};
use crate::format::heap::local::{align8, stored_size, FreeBlock, LocalHeapHeader};
use crate::format::{Addr, Ctx, Encoder};
use alloc::vec::Vec;

/// Builds a local heap in memory: strings are added one by one (each gets its offset at once),
/// then the heap is written to a [`Sink`].
#[derive(Debug, Clone)]
pub struct LocalHeapBuilder {
    ctx: Ctx,
    /// The data segment up to the free block at its tail (or all of it).
    data: Vec<u8>,
    /// Data segment size.
    size: u64,
}

fn too_big() -> Error {
    Error::Usage(alloc::string::String::from(
        "local heap data segment larger than the address space",
    ))
}

impl LocalHeapBuilder {
    /// libhdf5's data segment size for a new group's heap (the group creation defaults of 4
    /// entries with 8-byte names): 8 for the empty string, 4 names of 16 bytes, and one free
    /// block header. 88 bytes with 8-byte lengths, 80 with 4-byte lengths.
    pub fn default_size_hint(ctx: Ctx) -> u64 {
        8 + 4 * 16 + FreeBlock::min_size(ctx)
    }

    /// A new group's heap as libhdf5 makes it: [`LocalHeapBuilder::default_size_hint`] bytes
    /// holding the empty string at offset 0.
    pub fn new(ctx: Ctx) -> Self {
        Self::with_size_hint(ctx, Self::default_size_hint(ctx))
    }

    /// A heap whose data segment starts at `hint` bytes (rounded up to 8; libhdf5's "local
    /// heap size hint" of the group creation properties), holding the empty string at
    /// offset 0.
    pub fn with_size_hint(ctx: Ctx, hint: u64) -> Self {
        let size = align8(hint).unwrap_or(hint);
        let mut b = LocalHeapBuilder {
            ctx,
            data: Vec::new(),
            size,
        };
        // The empty string needs 8 bytes; a heap this small cannot overflow.
        let _ = b.add(b"");
        b
    }

    /// Bytes used by strings (the data segment up to the free block at its tail).
    pub fn used(&self) -> u64 {
        self.data.len() as u64
    }

    /// The data segment size.
    pub fn data_segment_size(&self) -> u64 {
        self.size
    }

    /// Offset of the free block, which is always at the tail of the segment (`None`: no free
    /// block).
    pub fn free_list_head(&self) -> Option<u64> {
        (self.size > self.used()).then_some(self.used())
    }

    /// Add `s` (without NUL) and return its offset in the data segment. Strings are not
    /// shared: adding the same name twice stores it twice, as libhdf5 does.
    ///
    /// # Errors
    /// [`Error::Usage`] when `s` contains a NUL byte or the segment would outgrow the address
    /// space.
    pub fn add(&mut self, s: &[u8]) -> Result<u64> {
        if s.contains(&0) {
            return Err(Error::Usage(alloc::string::String::from(
                "a local heap string cannot contain a NUL byte",
            )));
        }
        let need = stored_size(s.len()).ok_or_else(too_big)?;
        let min_free = FreeBlock::min_size(self.ctx);
        let at = self.used();
        let free = self.size - at;
        if free == need || (free > need && free - need >= min_free) {
            // The free block at the tail takes it (exactly, or keeping a valid free block).
        } else {
            // Grow by the larger of the current size and the bytes missing.
            let missing = need.saturating_sub(free);
            let grow = self.size.max(missing);
            self.size = self.size.checked_add(grow).ok_or_else(too_big)?;
            let rest = self.size - at - need;
            if rest > 0 && rest < min_free {
                // Too small for a free block: libhdf5 gives the space back.
                self.size -= rest;
            }
        }
        let end =
            usize::try_from(at.checked_add(need).ok_or_else(too_big)?).map_err(|_| too_big())?;
        self.data.extend_from_slice(s);
        self.data.resize(end, 0);
        Ok(at)
    }

    /// The encoded data segment: the strings, then the free block (if any) with its two fields
    /// and zeros.
    pub fn data_segment(&self) -> Vec<u8> {
        let mut e = Encoder::new(self.ctx);
        e.bytes(&self.data);
        if let Some(head) = self.free_list_head() {
            FreeBlock {
                next: None,
                size: self.size - head,
            }
            .encode(&mut e);
        }
        e.finish()
    }

    /// The header for a data segment at `data_segment`.
    pub fn header(&self, data_segment: Addr) -> LocalHeapHeader {
        LocalHeapHeader {
            data_segment_size: self.size,
            free_list_head: self.free_list_head(),
            data_segment,
        }
    }

    /// Bytes of the header and the segment as placed by [`LocalHeapBuilder::write`]: the
    /// header padded to 8, then the segment.
    pub fn encoded_len(&self) -> u64 {
        let hdr = LocalHeapHeader::size(self.ctx) as u64;
        align8(hdr)
            .and_then(|h| h.checked_add(self.size))
            .unwrap_or(u64::MAX)
    }

    /// Write the heap as libhdf5 writes a new heap: one block holding the header (padded to a
    /// multiple of 8) and right after it the data segment. Returns the header's address (what
    /// the symbol table message names).
    ///
    /// # Errors
    /// Those of the sink.
    pub fn write<S: Sink + ?Sized>(&self, sink: &mut S) -> Result<Addr> {
        let hdr = align8(LocalHeapHeader::size(self.ctx) as u64).ok_or_else(too_big)?;
        let total = hdr.checked_add(self.size).ok_or_else(too_big)?;
        let at = sink.alloc(total)?;
        let data_at = at.add(hdr, "local heap data segment")?;
        let mut e = Encoder::new(self.ctx);
        self.header(data_at).encode(&mut e);
        e.zeros(
            usize::try_from(hdr)
                .map_err(|_| too_big())?
                .saturating_sub(e.len()),
        );
        e.bytes(&self.data_segment());
        sink.write(at, e.as_bytes())?;
        Ok(at)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::format::heap::local::name_at;
    use crate::format::Cursor;
    use crate::write::{FileSpace, Writer};
    use alloc::string::String;
    use alloc::{format, vec};

    fn names_of(b: &LocalHeapBuilder) -> (u64, Option<u64>) {
        (b.data_segment_size(), b.free_list_head())
    }

    #[test]
    fn new_group_heap() {
        let b = LocalHeapBuilder::new(Ctx::DEFAULT);
        assert_eq!(names_of(&b), (88, Some(8)));
        let seg = b.data_segment();
        assert_eq!(seg.len(), 88);
        // Empty string, then the free block: next = 1 (libhdf5's end marker), size 80.
        assert_eq!(&seg[..8], &[0; 8]);
        assert_eq!(
            &seg[8..24],
            &[1, 0, 0, 0, 0, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0]
        );
        let c4 = Ctx {
            offset_size: 4,
            length_size: 4,
        };
        assert_eq!(names_of(&LocalHeapBuilder::new(c4)), (80, Some(8)));
    }

    /// Growth as observed in libhdf5 2.0 (h5py 3.16 `create_group` sequences).
    #[test]
    fn growth_like_libhdf5() {
        let mut b = LocalHeapBuilder::new(Ctx::DEFAULT);
        assert_eq!(b.add(&[b'a'; 79]).unwrap(), 8);
        assert_eq!(names_of(&b), (88, None));
        assert_eq!(b.add(&[b'b'; 79]).unwrap(), 88);
        // 176 would leave 8 bytes, too few for a free block: given back.
        assert_eq!(names_of(&b), (168, None));
        assert_eq!(b.add(&[b'c'; 7]).unwrap(), 168);
        assert_eq!(names_of(&b), (336, Some(176)));

        // A tail of 24 does not take 16 bytes (8 would be left): the heap grows.
        let mut b = LocalHeapBuilder::new(Ctx::DEFAULT);
        for s in [&b"a0"[..], &[b'b'; 15], &[b'c'; 15], &[b'd'; 15]] {
            b.add(s).unwrap();
        }
        assert_eq!(names_of(&b), (88, Some(64)));
        assert_eq!(b.add(&[b'e'; 10]).unwrap(), 64);
        assert_eq!(names_of(&b), (176, Some(80)));
        for (s, off) in [(7, 80), (20, 88), (60, 112), (200, 176)] {
            assert_eq!(b.add(&vec![b'x'; s]).unwrap(), off);
        }
        assert_eq!(names_of(&b), (384, None));
        assert!(b.add(b"a\0b").is_err());
    }

    #[test]
    fn write_and_read_back() {
        let ctx = Ctx::DEFAULT;
        let mut b = LocalHeapBuilder::new(ctx);
        let offs: Vec<(u64, String)> = (0..300)
            .map(|i| {
                let s = format!("name{i:03}{}", "z".repeat(i % 17));
                (b.add(s.as_bytes()).unwrap(), s)
            })
            .collect();
        let mut w = Writer::new(Vec::new(), 0, ctx, FileSpace::new(0));
        let at = b.write(&mut w).unwrap().0;
        let f = w.into_dest();
        let h = LocalHeapHeader::decode(&f[at as usize..], at, ctx).unwrap();
        assert_eq!(h.data_segment, Addr(at + 32));
        let seg = &f[h.data_segment.0 as usize..][..h.data_segment_size as usize];
        for (o, s) in &offs {
            assert_eq!(name_at(seg, 0, *o).unwrap(), s.as_bytes());
        }
        assert_eq!(name_at(seg, 0, 0).unwrap(), b"");
        // The free block at the tail covers the rest of the segment.
        let head = h.free_list_head.unwrap();
        let mut c = Cursor::new(seg, 0, "t");
        c.seek(head as usize).unwrap();
        assert_eq!(c.length(ctx).unwrap(), 1);
        assert_eq!(c.length(ctx).unwrap(), h.data_segment_size - head);
    }
}
