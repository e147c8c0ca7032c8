//! The write engine: file-space allocation, and the encoders of `format` turned into blocks
//! placed in a file. The superblock is written last (the commit point).
//!
//! Pieces that build on-disk structures take a [`Sink`]: it hands out file space and writes
//! bytes at file addresses. [`Writer`] is the sink over any [`WriteAt`] destination.

pub mod btree_v1;
pub mod btree_v2;
pub mod chunk_index;
pub mod commit;
pub mod dataset;
pub mod file;
pub mod fractal_heap;
pub mod global_heap;
pub mod local_heap;
pub mod space;
pub mod vlen;

use crate::error::Result;
use crate::format::{Addr, Ctx};
use crate::io::WriteAt;
pub use space::FileSpace;

/// Where encoded structures go: file space and positional writes, in file addresses
/// (relative to the base address, like every address inside the file).
pub trait Sink {
    /// Offset and length widths of the file.
    fn ctx(&self) -> Ctx;

    /// Allocate `len` bytes of file space for a structure.
    ///
    /// # Errors
    /// When the file would grow past the widths' addressable range.
    fn alloc(&mut self, len: u64) -> Result<Addr>;

    /// Write `bytes` at `addr`.
    ///
    /// # Errors
    /// When the destination fails.
    fn write(&mut self, addr: Addr, bytes: &[u8]) -> Result<()>;

    /// Allocate space for `bytes` and write them there.
    ///
    /// # Errors
    /// As [`Sink::alloc`] and [`Sink::write`].
    fn put(&mut self, bytes: &[u8]) -> Result<Addr> {
        let a = self.alloc(bytes.len() as u64)?;
        self.write(a, bytes)?;
        Ok(a)
    }
}

/// A [`Sink`] over a [`WriteAt`] destination with an append-style [`FileSpace`]. Addresses
/// are relative to `base` (the size of a user block before the superblock).
#[derive(Debug)]
pub struct Writer<W> {
    dest: W,
    base: u64,
    ctx: Ctx,
    space: FileSpace,
    /// End of the bytes written so far (relative).
    end: u64,
}

impl<W: WriteAt> Writer<W> {
    /// A writer whose file space starts at relative address `start` (after the superblock).
    pub fn new(dest: W, base: u64, ctx: Ctx, space: FileSpace) -> Self {
        Writer {
            dest,
            base,
            ctx,
            space,
            end: 0,
        }
    }

    /// The allocator.
    pub fn space(&self) -> &FileSpace {
        &self.space
    }

    /// The allocator, to change its state.
    pub fn space_mut(&mut self) -> &mut FileSpace {
        &mut self.space
    }

    /// The destination.
    pub fn dest_mut(&mut self) -> &mut W {
        &mut self.dest
    }

    /// The destination, giving up the writer.
    pub fn into_dest(self) -> W {
        self.dest
    }

    /// Make the destination at least `len` bytes long (relative), writing a zero byte at the
    /// end when nothing was written there: readers refuse a file shorter than its
    /// end-of-file address.
    ///
    /// # Errors
    /// Errors of the destination.
    pub fn ensure_len(&mut self, len: u64) -> Result<()> {
        if self.end < len {
            self.write(Addr(len - 1), &[0])?;
        }
        Ok(())
    }

    /// The base address (user block size).
    pub fn base(&self) -> u64 {
        self.base
    }
}

impl<W: WriteAt> Sink for Writer<W> {
    fn ctx(&self) -> Ctx {
        self.ctx
    }

    fn alloc(&mut self, len: u64) -> Result<Addr> {
        self.space.alloc(len, self.ctx)
    }

    fn write(&mut self, addr: Addr, bytes: &[u8]) -> Result<()> {
        let pos = self
            .base
            .checked_add(addr.0)
            .ok_or_else(|| crate::Error::Io {
                addr: addr.0,
                msg: alloc::string::String::from("address past the end of the address space"),
            })?;
        self.dest.write_all_at(pos, bytes)?;
        self.end = self.end.max(addr.0.saturating_add(bytes.len() as u64));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn writes_land_after_the_base() {
        let mut w = Writer::new(Vec::new(), 4, Ctx::DEFAULT, FileSpace::new(8));
        let a = w.put(&[1, 2, 3]).unwrap();
        assert_eq!(a, Addr(8));
        let b = w.put(&[4]).unwrap();
        assert_eq!(b, Addr(11));
        let v = w.into_dest();
        assert_eq!(v, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4]);
    }
}
