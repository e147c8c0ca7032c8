//! [`File`]: an open HDF5 file.

use super::object::Group;
use crate::error::Result;
use crate::format::superblock::Superblock;
use crate::io::ReadAt;
use crate::limits::Limits;
use crate::read::file::{self, FileInfo};
use crate::read::{Reader, Source};
use alloc::sync::Arc;
use alloc::vec::Vec;

pub(crate) struct FileInner {
    pub(crate) reader: Reader,
    pub(crate) info: FileInfo,
}

/// An open HDF5 file (read-only). Cloning is cheap; clones share the file.
#[derive(Clone)]
pub struct File {
    pub(crate) inner: Arc<FileInner>,
}

impl core::fmt::Debug for File {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("File")
            .field("superblock_version", &self.superblock().version)
            .field("userblock", &self.userblock())
            .finish_non_exhaustive()
    }
}

impl File {
    /// Open the file at `path` with positional reads.
    ///
    /// # Errors
    /// [`crate::Error::Io`] when the file cannot be read; format errors of the superblock.
    #[cfg(feature = "std")]
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<File> {
        Self::from_source(
            Arc::new(crate::io::FileSource::open(path)?),
            Limits::default(),
        )
    }

    /// Open the file at `path` through a memory map (zero-copy reads).
    ///
    /// # Errors
    /// As [`File::open`].
    #[cfg(feature = "mmap")]
    pub fn open_mmap(path: impl AsRef<std::path::Path>) -> Result<File> {
        Self::from_source(
            Arc::new(crate::io::MmapSource::open(path)?),
            Limits::default(),
        )
    }

    /// Open an in-memory file.
    ///
    /// # Errors
    /// Format errors of the superblock.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Result<File> {
        Self::from_source(Arc::new(bytes.into()), Limits::default())
    }

    /// Open any byte source with explicit limits.
    ///
    /// # Errors
    /// Format errors of the superblock and its extension.
    pub fn from_source(src: Source, limits: Limits) -> Result<File> {
        let (reader, info) = file::open(src, limits)?;
        Ok(File {
            inner: Arc::new(FileInner { reader, info }),
        })
    }

    /// Open a borrowed source (copied into an `Arc` is not needed: any `ReadAt` works).
    ///
    /// # Errors
    /// As [`File::from_source`].
    pub fn from_reader<R: ReadAt + Send + Sync + 'static>(src: R) -> Result<File> {
        Self::from_source(Arc::new(src), Limits::default())
    }

    /// The root group `/`.
    ///
    /// # Errors
    /// Format errors of the root group's object header.
    pub fn root(&self) -> Result<Group> {
        Group::open_root(self.clone())
    }

    /// The decoded superblock.
    pub fn superblock(&self) -> &Superblock {
        &self.inner.info.superblock
    }

    /// Size of the user block (bytes before the superblock).
    pub fn userblock(&self) -> u64 {
        self.inner.info.userblock
    }

    /// The low-level reader (for advanced use and tools).
    pub fn reader(&self) -> &Reader {
        &self.inner.reader
    }

    /// File-level information gathered at open.
    pub fn info(&self) -> &FileInfo {
        &self.inner.info
    }
}
