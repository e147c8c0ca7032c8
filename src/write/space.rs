//! File-space allocation for new files: space is handed out at the end of the file, with
//! optional alignment of large blocks (libhdf5's `H5Pset_alignment`: blocks of at least
//! `threshold` bytes start at a multiple of `alignment`).

use crate::error::{Error, Result};
use crate::format::{Addr, Ctx};

/// An append allocator: the end of allocated space ("end of allocation" in the superblock),
/// and the alignment rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpace {
    eoa: u64,
    threshold: u64,
    alignment: u64,
}

impl FileSpace {
    /// Allocation starting at relative address `start`, no alignment.
    pub fn new(start: u64) -> Self {
        FileSpace {
            eoa: start,
            threshold: 1,
            alignment: 1,
        }
    }

    /// Align every block of at least `threshold` bytes to a multiple of `alignment`
    /// (`alignment` 0 or 1: no alignment).
    #[must_use]
    pub fn with_alignment(mut self, threshold: u64, alignment: u64) -> Self {
        self.threshold = threshold.max(1);
        self.alignment = alignment.max(1);
        self
    }

    /// The end of allocated space: the file's logical size.
    pub fn eoa(&self) -> u64 {
        self.eoa
    }

    /// Allocate `len` bytes.
    ///
    /// # Errors
    /// [`Error::Usage`] when the file would pass what its offset width can address.
    pub fn alloc(&mut self, len: u64, ctx: Ctx) -> Result<Addr> {
        let mut at = self.eoa;
        if self.alignment > 1 && len >= self.threshold {
            let rem = at % self.alignment;
            if rem != 0 {
                at = at.checked_add(self.alignment - rem).ok_or_else(too_big)?;
            }
        }
        let end = at.checked_add(len).ok_or_else(too_big)?;
        let bits = u32::from(ctx.offset_size).saturating_mul(8);
        // The all-ones value is the undefined address: stay below it.
        if bits < 64 && end >= 1u64 << bits {
            return Err(too_big());
        }
        self.eoa = end;
        Ok(Addr(at))
    }
}

fn too_big() -> Error {
    Error::Usage(alloc::string::String::from(
        "the file would be larger than its offset size can address",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_and_unaligned_blocks() {
        let mut s = FileSpace::new(10).with_alignment(100, 64);
        assert_eq!(s.alloc(5, Ctx::DEFAULT).ok(), Some(Addr(10)));
        assert_eq!(s.alloc(100, Ctx::DEFAULT).ok(), Some(Addr(64)));
        assert_eq!(s.eoa(), 164);
        let small = Ctx {
            offset_size: 2,
            length_size: 2,
        };
        assert!(s.alloc(70_000, small).is_err());
    }
}
