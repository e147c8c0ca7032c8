//! The one bounds-checked reader all parsers decode bytes with.

use super::{Addr, Ctx};
use crate::error::{Error, FormatErrorKind, Result};

/// A bounds-checked little-endian reader over a byte slice that knows the file address of its
/// first byte, so every error names an address. Sub-cursors of a declared length keep a parser
/// from running into the next structure.
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
    base: u64,
    what: &'static str,
}

impl<'a> Cursor<'a> {
    /// A cursor over `data`, whose first byte sits at file address `base`; `what` names the
    /// structure in errors.
    pub fn new(data: &'a [u8], base: u64, what: &'static str) -> Self {
        Cursor {
            data,
            pos: 0,
            base,
            what,
        }
    }

    /// Rename the structure reported in errors.
    pub fn set_what(&mut self, what: &'static str) {
        self.what = what;
    }

    /// The structure name used in errors.
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// File address of the next byte.
    pub fn addr(&self) -> u64 {
        self.base.wrapping_add(self.pos as u64)
    }

    /// File address of the first byte.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Position relative to the start of the cursor.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes left.
    pub fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// No bytes left.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// All bytes of the cursor, from its start.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// An error of `kind` at the current address.
    pub fn err(&self, kind: FormatErrorKind) -> Error {
        Error::format(kind, self.what, self.addr())
    }

    /// An error of `kind` naming `what` at the current address.
    pub fn err_at(&self, kind: FormatErrorKind, what: &'static str) -> Error {
        Error::format(kind, what, self.addr())
    }

    /// An invalid-value error naming `what` at the current address.
    pub fn invalid(&self, what: &'static str) -> Error {
        Error::format(FormatErrorKind::InvalidValue, what, self.addr())
    }

    /// Move to absolute position `pos` (relative to the cursor start).
    ///
    /// # Errors
    /// `Truncated` when `pos` is past the end.
    pub fn seek(&mut self, pos: usize) -> Result<()> {
        if pos > self.data.len() {
            return Err(self.err(FormatErrorKind::Truncated));
        }
        self.pos = pos;
        Ok(())
    }

    /// Take the next `n` bytes.
    ///
    /// # Errors
    /// `Truncated` when fewer than `n` bytes remain.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.err(FormatErrorKind::Truncated))?;
        let s = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.err(FormatErrorKind::Truncated))?;
        self.pos = end;
        Ok(s)
    }

    /// Take the next `N` bytes as an array.
    ///
    /// # Errors
    /// `Truncated` when fewer than `N` bytes remain.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let s = self.bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    /// Skip `n` bytes.
    ///
    /// # Errors
    /// `Truncated` when fewer than `n` bytes remain.
    pub fn skip(&mut self, n: usize) -> Result<()> {
        self.bytes(n).map(|_| ())
    }

    /// Everything not yet read.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = self.data.get(self.pos..).unwrap_or(&[]);
        self.pos = self.data.len();
        s
    }

    /// Peek at the next `n` bytes without consuming them.
    ///
    /// # Errors
    /// `Truncated` when fewer than `n` bytes remain.
    pub fn peek(&self, n: usize) -> Result<&'a [u8]> {
        self.clone().bytes(n)
    }

    /// A sub-cursor over the next `n` bytes (consumed from this one), named `what`.
    ///
    /// # Errors
    /// `Truncated` when fewer than `n` bytes remain.
    pub fn sub(&mut self, n: usize, what: &'static str) -> Result<Cursor<'a>> {
        let base = self.addr();
        let data = self.bytes(n)?;
        Ok(Cursor::new(data, base, what))
    }

    /// Check a 4-byte signature.
    ///
    /// # Errors
    /// `BadSignature` when the bytes differ, `Truncated` when too short.
    pub fn signature(&mut self, sig: &[u8; 4]) -> Result<()> {
        let at = self.addr();
        let got = self.bytes(4)?;
        if got != sig {
            return Err(Error::format(FormatErrorKind::BadSignature, self.what, at));
        }
        Ok(())
    }

    /// One byte.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    /// Little-endian u16.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn u16(&mut self) -> Result<u16> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    /// Little-endian u32.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    /// Little-endian u64.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(self.array()?))
    }

    /// Little-endian unsigned integer of `n` bytes (0..=8).
    ///
    /// # Errors
    /// `Truncated`, or `InvalidValue` when `n > 8`.
    pub fn uint(&mut self, n: usize) -> Result<u64> {
        if n > 8 {
            return Err(self.invalid("integer width"));
        }
        let s = self.bytes(n)?;
        Ok(le_uint(s))
    }

    /// A file address of the file's offset width; the undefined address (all ones) is `None`.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn offset(&mut self, ctx: Ctx) -> Result<Option<Addr>> {
        let n = usize::from(ctx.offset_size);
        let v = self.uint(n)?;
        Ok(if v == ones(n) { None } else { Some(Addr(v)) })
    }

    /// A file address that must be defined.
    ///
    /// # Errors
    /// `Truncated`, or `InvalidValue` naming `what` for the undefined address.
    pub fn defined_offset(&mut self, ctx: Ctx, what: &'static str) -> Result<Addr> {
        let at = self.addr();
        self.offset(ctx)?
            .ok_or(Error::format(FormatErrorKind::InvalidValue, what, at))
    }

    /// A length of the file's length width.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn length(&mut self, ctx: Ctx) -> Result<u64> {
        self.uint(usize::from(ctx.length_size))
    }

    /// Bytes up to (not including) a NUL, consuming the NUL.
    ///
    /// # Errors
    /// `Truncated` when no NUL is found.
    pub fn cstr(&mut self) -> Result<&'a [u8]> {
        let rest = self.data.get(self.pos..).unwrap_or(&[]);
        let n = rest
            .iter()
            .position(|&b| b == 0)
            .ok_or_else(|| self.err(FormatErrorKind::Truncated))?;
        let s = self.bytes(n)?;
        self.skip(1)?;
        Ok(s)
    }

    /// Skip padding so that the position is a multiple of `align` relative to `origin`.
    ///
    /// # Errors
    /// `Truncated` when the padding runs past the end.
    pub fn align(&mut self, origin: usize, align: usize) -> Result<()> {
        if align <= 1 {
            return Ok(());
        }
        let rel = self.pos.saturating_sub(origin);
        let pad = (align - rel % align) % align;
        self.skip(pad)
    }
}

/// All-ones value of an `n`-byte unsigned integer.
pub fn ones(n: usize) -> u64 {
    if n >= 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    }
}

/// Decode up to 8 little-endian bytes.
pub fn le_uint(s: &[u8]) -> u64 {
    s.iter()
        .take(8)
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// Bytes needed to hold `v` (at least 1), as libhdf5 sizes variable-width fields.
pub fn bytes_needed(v: u64) -> usize {
    let bits = 64 - v.leading_zeros() as usize;
    bits.div_ceil(8).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_bounds() {
        let b = [1u8, 2, 3, 4, 5, 6, 7, 8, 9, 0xff, 0xff, 0xff, 0xff];
        let mut c = Cursor::new(&b, 100, "t");
        assert_eq!(c.u8().unwrap(), 1);
        assert_eq!(c.u16().unwrap(), 0x0302);
        assert_eq!(c.addr(), 103);
        let mut s = c.sub(2, "sub").unwrap();
        assert_eq!(s.u16().unwrap(), 0x0504);
        assert_eq!(
            s.u8().unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(c.uint(3).unwrap(), 0x080706);
        c.skip(1).unwrap();
        let ctx = Ctx {
            offset_size: 4,
            length_size: 4,
        };
        assert_eq!(c.offset(ctx).unwrap(), None);
        match c.u8().unwrap_err() {
            Error::Format { kind, addr, .. } => {
                assert_eq!(kind, FormatErrorKind::Truncated);
                assert_eq!(addr, 113);
            }
            e => panic!("{e:?}"),
        }
    }

    #[test]
    fn cstr_and_align() {
        let b = b"abc\0\0\0\0\0x";
        let mut c = Cursor::new(b, 0, "t");
        assert_eq!(c.cstr().unwrap(), b"abc");
        c.align(0, 8).unwrap();
        assert_eq!(c.u8().unwrap(), b'x');
        assert_eq!(bytes_needed(0), 1);
        assert_eq!(bytes_needed(255), 1);
        assert_eq!(bytes_needed(256), 2);
    }
}
