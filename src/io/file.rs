//! Positional reads from an open file (std).

use super::{ReadAt, WriteAt};
use crate::error::{Error, Result};
use alloc::string::ToString;
use std::fs::File;
use std::path::Path;

/// A file read with positional reads (`pread` on Unix, `seek_read` on Windows); shareable
/// between threads without a lock.
#[derive(Debug)]
pub struct FileSource {
    file: File,
    len: u64,
}

impl FileSource {
    /// Open `path` for reading.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be opened.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let file = File::open(path)?;
        Self::new(file)
    }

    /// Wrap an open file.
    ///
    /// # Errors
    /// [`Error::Io`] when its length cannot be read.
    pub fn new(file: File) -> Result<Self> {
        let len = file.metadata()?.len();
        Ok(FileSource { file, len })
    }
}

fn io_err(pos: u64, e: &std::io::Error) -> Error {
    Error::Io {
        addr: pos,
        msg: e.to_string(),
    }
}

impl ReadAt for FileSource {
    fn len(&self) -> Result<u64> {
        Ok(self.len)
    }

    #[cfg(unix)]
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        self.file
            .read_exact_at(buf, pos)
            .map_err(|e| io_err(pos, &e))
    }

    #[cfg(windows)]
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        use std::os::windows::fs::FileExt;
        let mut done = 0usize;
        while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
            let at = pos + done as u64;
            match self.file.seek_read(rest, at) {
                Ok(0) => return Err(io_err(at, &std::io::ErrorKind::UnexpectedEof.into())),
                Ok(n) => done += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(io_err(at, &e)),
            }
        }
        Ok(())
    }

    #[cfg(not(any(unix, windows)))]
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = &self.file;
        f.seek(SeekFrom::Start(pos)).map_err(|e| io_err(pos, &e))?;
        f.read_exact(buf).map_err(|e| io_err(pos, &e))
    }
}

/// A file written at positions (`pwrite` on Unix, `seek_write` on Windows).
#[derive(Debug)]
pub struct FileSink {
    file: File,
}

impl FileSink {
    /// Wrap a file opened for writing.
    pub fn new(file: File) -> Self {
        FileSink { file }
    }

    /// The file.
    pub fn into_inner(self) -> File {
        self.file
    }
}

impl WriteAt for FileSink {
    #[cfg(unix)]
    fn write_all_at(&mut self, pos: u64, buf: &[u8]) -> Result<()> {
        use std::os::unix::fs::FileExt;
        self.file
            .write_all_at(buf, pos)
            .map_err(|e| io_err(pos, &e))
    }

    #[cfg(not(unix))]
    fn write_all_at(&mut self, pos: u64, buf: &[u8]) -> Result<()> {
        use std::io::{Seek, SeekFrom, Write};
        self.file
            .seek(SeekFrom::Start(pos))
            .map_err(|e| io_err(pos, &e))?;
        self.file.write_all(buf).map_err(|e| io_err(pos, &e))
    }

    fn flush(&mut self) -> Result<()> {
        self.file.sync_data().map_err(|e| io_err(0, &e))
    }
}
