//! Writing the metadata of a new file at the end: object headers (sizes first, so every
//! address is known before anything refers to it), group storage, chunk indexes, and the
//! superblock last.

use super::file::NewFile;
use crate::error::{Error, Result};
use crate::io::WriteAt;

impl<W: WriteAt> NewFile<W> {
    /// Write the metadata and the superblock; returns the destination.
    ///
    /// # Errors
    /// Errors of the destination and of encoding.
    pub fn finish(self) -> Result<W> {
        Err(Error::unsupported("writing metadata", 0))
    }
}
