//! WHERE bytes come from. Knows nothing of HDF5: a positional-read trait and its sources
//! (byte slices and vectors without std; files with std; memory maps with the `mmap` feature).

use crate::error::{Error, Result};
use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

#[cfg(feature = "std")]
mod file;
#[cfg(feature = "std")]
pub use file::FileSink;
#[cfg(feature = "std")]
pub use file::FileSource;
#[cfg(feature = "mmap")]
mod mmap;
#[cfg(feature = "mmap")]
pub use mmap::MmapSource;

/// A source of bytes readable at any position: a slice, a file, a memory map, an HTTP
/// range reader. Implementations must be usable from several threads.
pub trait ReadAt {
    /// Total length in bytes.
    ///
    /// # Errors
    /// When the length cannot be determined.
    fn len(&self) -> Result<u64>;

    /// Fill `buf` from position `pos`; fewer bytes than asked is an error.
    ///
    /// # Errors
    /// [`Error::Io`] when the range is not readable.
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()>;

    /// The whole source as one slice, when it is in memory (enables zero-copy reads).
    fn as_slice(&self) -> Option<&[u8]> {
        None
    }

    /// True when the source is empty.
    ///
    /// # Errors
    /// When the length cannot be determined.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }
}

fn short_read(pos: u64) -> Error {
    Error::Io {
        addr: pos,
        msg: alloc::string::String::from("read past end of source"),
    }
}

/// Copy `buf.len()` bytes at `pos` out of `data`.
fn read_slice(data: &[u8], pos: u64, buf: &mut [u8]) -> Result<()> {
    let start = usize::try_from(pos).map_err(|_| short_read(pos))?;
    let end = start
        .checked_add(buf.len())
        .ok_or_else(|| short_read(pos))?;
    let src = data.get(start..end).ok_or_else(|| short_read(pos))?;
    buf.copy_from_slice(src);
    Ok(())
}

macro_rules! impl_slice_source {
    ($($t:ty),*) => {$(
        impl ReadAt for $t {
            fn len(&self) -> Result<u64> {
                Ok(<[u8]>::len(self) as u64)
            }
            fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
                read_slice(self, pos, buf)
            }
            fn as_slice(&self) -> Option<&[u8]> {
                Some(self)
            }
        }
    )*};
}
impl_slice_source!([u8], Vec<u8>, Arc<[u8]>);

impl<const N: usize> ReadAt for [u8; N] {
    fn len(&self) -> Result<u64> {
        Ok(N as u64)
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        read_slice(self, pos, buf)
    }
    fn as_slice(&self) -> Option<&[u8]> {
        Some(self)
    }
}

impl<T: ReadAt + ?Sized> ReadAt for &T {
    fn len(&self) -> Result<u64> {
        (**self).len()
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        (**self).read_exact_at(pos, buf)
    }
    fn as_slice(&self) -> Option<&[u8]> {
        (**self).as_slice()
    }
}

impl<T: ReadAt + ?Sized> ReadAt for Box<T> {
    fn len(&self) -> Result<u64> {
        (**self).len()
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        (**self).read_exact_at(pos, buf)
    }
    fn as_slice(&self) -> Option<&[u8]> {
        (**self).as_slice()
    }
}

/// A destination of bytes writable at any position: a growable vector, a file. Writing past
/// the end extends it (with zeros in any gap).
pub trait WriteAt {
    /// Write all of `buf` at position `pos`.
    ///
    /// # Errors
    /// [`Error::Io`] when the destination fails.
    fn write_all_at(&mut self, pos: u64, buf: &[u8]) -> Result<()>;

    /// Make what was written durable (a file's data reaches the disk); a no-op in memory.
    ///
    /// # Errors
    /// [`Error::Io`] when the destination fails.
    fn flush(&mut self) -> Result<()> {
        Ok(())
    }
}

impl WriteAt for Vec<u8> {
    fn write_all_at(&mut self, pos: u64, buf: &[u8]) -> Result<()> {
        let too_far = || Error::Io {
            addr: pos,
            msg: alloc::string::String::from("position past the addressable memory"),
        };
        let start = usize::try_from(pos).map_err(|_| too_far())?;
        let end = start.checked_add(buf.len()).ok_or_else(too_far)?;
        if self.len() < end {
            self.resize(end, 0);
        }
        if let Some(dst) = self.get_mut(start..end) {
            dst.copy_from_slice(buf);
        }
        Ok(())
    }
}

impl<T: WriteAt + ?Sized> WriteAt for &mut T {
    fn write_all_at(&mut self, pos: u64, buf: &[u8]) -> Result<()> {
        (**self).write_all_at(pos, buf)
    }
    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
}

impl<T: WriteAt + ?Sized> WriteAt for Box<T> {
    fn write_all_at(&mut self, pos: u64, buf: &[u8]) -> Result<()> {
        (**self).write_all_at(pos, buf)
    }
    fn flush(&mut self) -> Result<()> {
        (**self).flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_reads_are_bounded() {
        let v: Vec<u8> = (0..10).collect();
        let mut b = [0u8; 3];
        v.read_exact_at(7, &mut b).unwrap();
        assert_eq!(b, [7, 8, 9]);
        assert!(matches!(
            v.read_exact_at(8, &mut b),
            Err(Error::Io { addr: 8, .. })
        ));
        assert!(v.read_exact_at(u64::MAX, &mut b).is_err());
    }

    #[test]
    fn vector_writes_grow_with_zeros() {
        let mut v: Vec<u8> = Vec::new();
        v.write_all_at(3, &[1, 2]).unwrap();
        v.write_all_at(0, &[9]).unwrap();
        assert_eq!(v, [9, 0, 0, 1, 2]);
        assert!(v.write_all_at(u64::MAX, &[1]).is_err());
    }
}
