//! The read engine: turns a byte source into HDF5 objects. Reads each structure at its
//! declared size through [`Reader::block`], which bounds-checks against the source length and
//! the allocation cap of [`crate::Limits`].

pub mod attribute;
pub mod btree_v1;
pub mod btree_v2;
pub mod chunk_index;
pub mod dataset;
pub mod file;
pub mod fractal_heap;
pub mod global_heap;
pub mod group;
pub mod local_heap;
pub mod object;
pub mod shared;

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Addr, Ctx};
use crate::io::ReadAt;
use crate::limits::Limits;
use alloc::borrow::Cow;
use alloc::sync::Arc;
use alloc::vec;

/// One step of a lazy traversal that stops for good after its end or its first error: `done`
/// is the iterator's fused flag, `step` the outcome of advancing it.
pub(crate) fn fused_step<T>(done: &mut bool, step: Result<Option<T>>) -> Option<Result<T>> {
    match step {
        Ok(Some(item)) => Some(Ok(item)),
        Ok(None) => {
            *done = true;
            None
        }
        Err(e) => {
            *done = true;
            Some(Err(e))
        }
    }
}

/// A shared, thread-safe byte source.
pub type Source = Arc<dyn ReadAt + Send + Sync>;

/// Reads blocks of an HDF5 file at HDF5 addresses (relative to the base address).
#[derive(Clone)]
pub struct Reader {
    src: Source,
    /// Absolute position of HDF5 address 0 (the superblock position: user block size).
    base: u64,
    /// Length of the source in bytes.
    len: u64,
    /// Offset/length widths of this file.
    pub ctx: Ctx,
    /// Resource caps.
    pub limits: Limits,
}

impl core::fmt::Debug for Reader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Reader")
            .field("base", &self.base)
            .field("len", &self.len)
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl Reader {
    /// A reader over `src` whose HDF5 address 0 is at absolute position `base`.
    ///
    /// # Errors
    /// When the source length cannot be read.
    pub fn new(src: Source, base: u64, ctx: Ctx, limits: Limits) -> Result<Self> {
        let len = src.len()?;
        Ok(Reader {
            src,
            base,
            len,
            ctx,
            limits,
        })
    }

    /// The underlying source.
    pub fn source(&self) -> &Source {
        &self.src
    }

    /// Absolute position of HDF5 address 0.
    pub fn base(&self) -> u64 {
        self.base
    }

    /// Bytes of the file available from HDF5 address 0 on.
    pub fn available(&self) -> u64 {
        self.len.saturating_sub(self.base)
    }

    /// Read `len` bytes at HDF5 address `addr`; `what` names the structure for errors.
    /// Borrowed (zero-copy) when the source is in memory.
    ///
    /// # Errors
    /// `OutOfBounds` when the range runs past the end of the source, `LimitExceeded` when `len`
    /// is over `max_alloc`, `Io` when the source fails.
    pub fn block(&self, addr: Addr, len: u64, what: &'static str) -> Result<Cow<'_, [u8]>> {
        let end = addr.0.checked_add(len).ok_or(Error::format(
            FormatErrorKind::Overflow,
            what,
            addr.0,
        ))?;
        if end > self.available() {
            return Err(Error::format(FormatErrorKind::OutOfBounds, what, addr.0));
        }
        let n = self.limits.alloc(len)?;
        let pos = self.base + addr.0;
        if let Some(all) = self.src.as_slice() {
            let start = usize::try_from(pos)
                .map_err(|_| Error::format(FormatErrorKind::OutOfBounds, what, addr.0))?;
            let s = start
                .checked_add(n)
                .and_then(|e| all.get(start..e))
                .ok_or(Error::format(FormatErrorKind::OutOfBounds, what, addr.0))?;
            return Ok(Cow::Borrowed(s));
        }
        let mut buf = vec![0u8; n];
        self.src.read_exact_at(pos, &mut buf).map_err(|e| match e {
            Error::Io { msg, .. } => Error::Io { addr: addr.0, msg },
            e => e,
        })?;
        Ok(Cow::Owned(buf))
    }

    /// Read up to `max_len` bytes at `addr`, fewer when the file ends first (for structures
    /// whose size is only known after decoding their start). At least one byte must exist.
    ///
    /// # Errors
    /// As [`Reader::block`]; `OutOfBounds` when `addr` is at or past the end.
    pub fn block_upto(
        &self,
        addr: Addr,
        max_len: u64,
        what: &'static str,
    ) -> Result<Cow<'_, [u8]>> {
        let avail = self.available().saturating_sub(addr.0);
        if avail == 0 {
            return Err(Error::format(FormatErrorKind::OutOfBounds, what, addr.0));
        }
        self.block(addr, max_len.min(avail), what)
    }
}
