//! Memory-mapped files (feature `mmap`): zero-copy reads.

use super::ReadAt;
use crate::error::Result;
use std::fs::File;
use std::path::Path;

/// A read-only memory map of a whole file.
#[derive(Debug)]
pub struct MmapSource {
    map: memmap2::Mmap,
}

impl MmapSource {
    /// Map `path` read-only.
    ///
    /// The usual caveat of memory maps applies: if another process truncates the file while it
    /// is mapped, reads may fault. Use [`super::FileSource`] where that can happen.
    ///
    /// # Errors
    /// [`crate::Error::Io`] when the file cannot be opened or mapped.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let file = File::open(path)?;
        // SAFETY: the map is read-only; see the caveat in the doc comment above.
        #[allow(unsafe_code)]
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(MmapSource { map })
    }
}

impl ReadAt for MmapSource {
    fn len(&self) -> Result<u64> {
        Ok(self.map.len() as u64)
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        let bytes: &[u8] = &self.map;
        bytes.read_exact_at(pos, buf)
    }
    fn as_slice(&self) -> Option<&[u8]> {
        Some(&self.map)
    }
}
