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
    pub(crate) options: OpenOptions,
    /// Filter implementations used to decode chunks.
    pub(crate) filters: crate::filter::Registry,
    /// Where the file was opened from (external links resolve relative to it).
    #[cfg(feature = "std")]
    pub(crate) path: Option<std::path::PathBuf>,
}

/// How to open a file.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct OpenOptions {
    /// Resource caps.
    pub limits: Limits,
    /// Follow external links when resolving paths (off by default, as opening other files
    /// named by a file's contents is a security decision). Relative file names are resolved
    /// against the directory of the file holding the link, then against the current directory.
    pub follow_external_links: bool,
    /// Read raw data that datasets keep in external files (off by default). Relative names
    /// are resolved against the directory of the HDF5 file, then the current directory.
    pub external_files: bool,
}

impl OpenOptions {
    /// Default options: default limits, external links not followed.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the resource caps.
    #[must_use]
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Read (or not) datasets' external raw-data files.
    #[must_use]
    pub fn external_files(mut self, yes: bool) -> Self {
        self.external_files = yes;
        self
    }

    /// Follow (or not) external links.
    #[must_use]
    pub fn follow_external_links(mut self, yes: bool) -> Self {
        self.follow_external_links = yes;
        self
    }
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
        Self::open_with(path, OpenOptions::default())
    }

    /// Open the file at `path` with options.
    ///
    /// # Errors
    /// As [`File::open`].
    #[cfg(feature = "std")]
    pub fn open_with(path: impl AsRef<std::path::Path>, options: OpenOptions) -> Result<File> {
        let path = path.as_ref();
        let src: Source = Arc::new(crate::io::FileSource::open(path)?);
        Self::build(src, options, Some(path.to_path_buf()))
    }

    /// Open the file at `path` through a memory map (zero-copy reads).
    ///
    /// # Errors
    /// As [`File::open`].
    #[cfg(feature = "mmap")]
    pub fn open_mmap(path: impl AsRef<std::path::Path>) -> Result<File> {
        let path = path.as_ref();
        let src: Source = Arc::new(crate::io::MmapSource::open(path)?);
        Self::build(src, OpenOptions::default(), Some(path.to_path_buf()))
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
        Self::from_source_with(src, OpenOptions::default().limits(limits))
    }

    /// Open any byte source with options (external links, if followed, resolve against the
    /// current directory).
    ///
    /// # Errors
    /// Format errors of the superblock and its extension.
    pub fn from_source_with(src: Source, options: OpenOptions) -> Result<File> {
        #[cfg(feature = "std")]
        return Self::build(src, options, None);
        #[cfg(not(feature = "std"))]
        {
            let (reader, info) = file::open(src, options.limits)?;
            Ok(File {
                inner: Arc::new(FileInner {
                    reader,
                    info,
                    options,
                    filters: crate::filter::Registry::default(),
                }),
            })
        }
    }

    #[cfg(feature = "std")]
    fn build(src: Source, options: OpenOptions, path: Option<std::path::PathBuf>) -> Result<File> {
        let (reader, info) = file::open(src, options.limits)?;
        Ok(File {
            inner: Arc::new(FileInner {
                reader,
                info,
                options,
                filters: crate::filter::Registry::default(),
                path,
            }),
        })
    }

    /// The same file decoding chunks with `filters` (to plug in filters h5oxide lacks).
    pub fn with_filters(&self, filters: crate::filter::Registry) -> File {
        File {
            inner: Arc::new(FileInner {
                reader: self.inner.reader.clone(),
                info: self.inner.info.clone(),
                options: self.inner.options,
                filters,
                #[cfg(feature = "std")]
                path: self.inner.path.clone(),
            }),
        }
    }

    /// The object whose header is at `addr` (what an object reference holds). Its path is
    /// unknown and reported as the address.
    ///
    /// # Errors
    /// Format errors of the header; [`crate::Error::Unsupported`] for unknown object kinds.
    pub fn object_at(&self, addr: crate::format::Addr) -> Result<super::Object> {
        super::Object::open(self.clone(), addr, alloc::format!("<object at {addr}>"))
    }

    /// The object an object reference points to.
    ///
    /// # Errors
    /// [`crate::Error::Usage`] for a null reference; as [`File::object_at`].
    pub fn dereference(&self, r: &crate::types::ObjectRef) -> Result<super::Object> {
        let addr = r.0.ok_or_else(|| {
            crate::Error::Usage(alloc::string::String::from("null object reference"))
        })?;
        self.object_at(addr)
    }

    /// The dataset and the selection a region reference points to. The selection is given as
    /// points in the order libhdf5 iterates it (C order for hyperslabs and "all").
    ///
    /// # Errors
    /// [`crate::Error::Usage`] for a null reference or a target that is not a dataset;
    /// [`crate::Error::LimitExceeded`] for selections over the allocation cap.
    pub fn dereference_region(
        &self,
        r: &crate::types::RegionRef,
    ) -> Result<(super::Dataset, crate::read::selection::Selection)> {
        let region = r.0.as_ref().ok_or_else(|| {
            crate::Error::Usage(alloc::string::String::from("null region reference"))
        })?;
        let d = match self.object_at(region.object)? {
            super::Object::Dataset(d) => d,
            _ => {
                return Err(crate::Error::Usage(alloc::string::String::from(
                    "region reference to a non-dataset",
                )))
            }
        };
        let max = self.inner.reader.limits.max_alloc / d.dtype().size().max(1);
        let pts = super::vds::points(&region.selection, d.shape(), max)?;
        Ok((d, crate::read::selection::Selection::Points(pts)))
    }

    /// The options the file was opened with.
    pub fn options(&self) -> OpenOptions {
        self.inner.options
    }

    /// The path the file was opened from, if any.
    #[cfg(feature = "std")]
    pub fn path(&self) -> Option<&std::path::Path> {
        self.inner.path.as_deref()
    }

    /// Open the file an external link names: relative names against this file's directory
    /// first, then as given; with this file's options.
    #[cfg(feature = "std")]
    pub(crate) fn open_external(&self, name: &str) -> Result<File> {
        for c in &self.relative_candidates(std::path::Path::new(name)) {
            if c.is_file() {
                return File::open_with(c, self.inner.options);
            }
        }
        Err(crate::Error::NotFound(alloc::format!(
            "external file {name:?}"
        )))
    }

    /// Candidate paths of a relative file name: this file's directory, then as given.
    #[cfg(feature = "std")]
    pub(crate) fn relative_candidates(&self, name: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut v = Vec::new();
        if name.is_relative() {
            if let Some(dir) = self.path().and_then(std::path::Path::parent) {
                v.push(dir.join(name));
            }
        }
        v.push(name.to_path_buf());
        v
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
