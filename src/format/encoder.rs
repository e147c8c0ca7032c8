//! The one writer all encoders produce bytes with: the mirror of [`super::Cursor`].
//!
//! Little-endian integers, offsets and lengths of the file's widths ([`Ctx`]), the undefined
//! address, zero padding, and back-patching of fields whose value is known only later (sizes,
//! checksums).

use super::{Addr, Ctx};
use crate::error::{Error, Result};
use alloc::vec::Vec;

/// A growable little-endian byte writer that knows the file's offset and length widths.
#[derive(Debug, Clone, Default)]
pub struct Encoder {
    buf: Vec<u8>,
    ctx: Ctx,
}

impl Encoder {
    /// An empty encoder for a file with widths `ctx`.
    pub fn new(ctx: Ctx) -> Self {
        Encoder {
            buf: Vec::new(),
            ctx,
        }
    }

    /// The widths this encoder writes offsets and lengths with.
    pub fn ctx(&self) -> Ctx {
        self.ctx
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing was written yet.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf
    }

    /// The finished bytes.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    /// Append one byte.
    pub fn u8(&mut self, v: u8) -> &mut Self {
        self.buf.push(v);
        self
    }

    /// Append a little-endian `u16`.
    pub fn u16(&mut self, v: u16) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// Append a little-endian `u32`.
    pub fn u32(&mut self, v: u32) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// Append a little-endian `u64`.
    pub fn u64(&mut self, v: u64) -> &mut Self {
        self.bytes(&v.to_le_bytes())
    }

    /// Append the low `n` bytes of `v`, little-endian (`n` at most 8; more is zero-extended).
    pub fn uint(&mut self, v: u64, n: usize) -> &mut Self {
        let le = v.to_le_bytes();
        for i in 0..n {
            self.buf.push(le.get(i).copied().unwrap_or(0));
        }
        self
    }

    /// Append `v` in `n` bytes, or an error when it does not fit (a field width chosen too
    /// small for the value: a bug of the caller or a file too large for its widths).
    ///
    /// # Errors
    /// [`Error::Usage`] naming `what` when `v` needs more than `n` bytes.
    pub fn uint_checked(&mut self, v: u64, n: usize, what: &str) -> Result<&mut Self> {
        if n < 8 && v >> (8 * n) != 0 {
            return Err(Error::Usage(alloc::format!(
                "{what}: {v} does not fit in {n} bytes"
            )));
        }
        Ok(self.uint(v, n))
    }

    /// Append a file address in the file's offset width.
    pub fn offset(&mut self, a: Addr) -> &mut Self {
        self.uint(a.0, usize::from(self.ctx.offset_size))
    }

    /// Append an optional address: `None` is the undefined address (all bits set).
    pub fn opt_offset(&mut self, a: Option<Addr>) -> &mut Self {
        match a {
            Some(a) => self.offset(a),
            None => self.undefined(),
        }
    }

    /// Append the undefined address (all bits set) in the file's offset width.
    pub fn undefined(&mut self) -> &mut Self {
        self.uint(u64::MAX, usize::from(self.ctx.offset_size))
    }

    /// Append a length in the file's length width.
    pub fn length(&mut self, v: u64) -> &mut Self {
        self.uint(v, usize::from(self.ctx.length_size))
    }

    /// Append raw bytes.
    pub fn bytes(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }

    /// Append `n` zero bytes.
    pub fn zeros(&mut self, n: usize) -> &mut Self {
        self.buf.resize(self.buf.len().saturating_add(n), 0);
        self
    }

    /// Pad with zeros to a multiple of `align` counted from `origin` (a position in this
    /// encoder).
    pub fn align(&mut self, origin: usize, align: usize) -> &mut Self {
        if align > 1 {
            let rel = self.buf.len().saturating_sub(origin);
            let pad = (align - rel % align) % align;
            self.zeros(pad);
        }
        self
    }

    /// Overwrite `n` bytes at `pos` with the low bytes of `v` (little-endian); positions past
    /// the end are ignored.
    pub fn patch_uint(&mut self, pos: usize, v: u64, n: usize) {
        let le = v.to_le_bytes();
        for i in 0..n {
            if let (Some(dst), Some(src)) = (self.buf.get_mut(pos.saturating_add(i)), le.get(i)) {
                *dst = *src;
            }
        }
    }

    /// Append the Jenkins lookup3 checksum of the bytes from `from` to the end.
    pub fn checksum_from(&mut self, from: usize) -> &mut Self {
        let sum = super::checksum::lookup3(self.buf.get(from..).unwrap_or(&[]), 0);
        self.u32(sum)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::Cursor;

    #[test]
    fn round_trip_through_the_cursor() {
        let ctx = Ctx {
            offset_size: 4,
            length_size: 2,
        };
        let mut e = Encoder::new(ctx);
        e.u8(1).u16(0x0203).u32(0x0405_0607).u64(9);
        e.offset(Addr(0x1234)).undefined().length(77);
        e.uint(0x0a0b0c, 3).zeros(2).align(0, 8);
        assert_eq!(e.len() % 8, 0);
        let b = e.finish();
        let mut c = Cursor::new(&b, 0, "test");
        assert_eq!(c.u8().ok(), Some(1));
        assert_eq!(c.u16().ok(), Some(0x0203));
        assert_eq!(c.u32().ok(), Some(0x0405_0607));
        assert_eq!(c.u64().ok(), Some(9));
        assert_eq!(c.offset(ctx).ok(), Some(Some(Addr(0x1234))));
        assert_eq!(c.offset(ctx).ok(), Some(None));
        assert_eq!(c.length(ctx).ok(), Some(77));
        assert_eq!(c.uint(3).ok(), Some(0x0a0b0c));
    }

    #[test]
    fn checked_widths_and_patches() {
        let mut e = Encoder::new(Ctx::DEFAULT);
        assert!(e.uint_checked(256, 1, "x").is_err());
        assert!(e.uint_checked(255, 1, "x").is_ok());
        e.u32(0);
        e.patch_uint(1, 0xdead_beef, 4);
        assert_eq!(e.as_bytes(), &[255, 0xef, 0xbe, 0xad, 0xde]);
        e.checksum_from(0);
        let b = e.finish();
        let sum = crate::format::checksum::lookup3(b.get(..5).unwrap_or(&[]), 0);
        assert_eq!(b.get(5..), Some(&sum.to_le_bytes()[..]));
    }
}
