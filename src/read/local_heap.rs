//! Reading local heaps: the names of an old-style group's links. Spec: "Local Heaps".

use crate::error::Result;
use crate::format::heap::local::{name_at, LocalHeapHeader};
use crate::format::Addr;
use crate::read::Reader;
use alloc::vec::Vec;

/// A local heap read into memory: its header and its whole data segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalHeap {
    /// Address of the heap header.
    pub addr: Addr,
    /// The decoded header.
    pub header: LocalHeapHeader,
    data: Vec<u8>,
}

impl LocalHeap {
    /// Read the heap whose header is at `addr`, and its data segment.
    ///
    /// # Errors
    /// Those of [`LocalHeapHeader::decode`]; `OutOfBounds` when the header or the data segment
    /// runs past the end of the file; `LimitExceeded` when the data segment is larger than
    /// [`crate::Limits::max_alloc`].
    pub fn read(r: &Reader, addr: Addr) -> Result<LocalHeap> {
        let hdr = r.block(addr, LocalHeapHeader::size(r.ctx) as u64, "local heap")?;
        let header = LocalHeapHeader::decode(&hdr, addr.0, r.ctx)?;
        let data = r
            .block(
                header.data_segment,
                header.data_segment_size,
                "local heap data segment",
            )?
            .into_owned();
        Ok(LocalHeap { addr, header, data })
    }

    /// The data segment.
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// The NUL-terminated name (or soft-link value) at `offset` in the data segment, without
    /// its NUL.
    ///
    /// # Errors
    /// `OutOfBounds` when `offset` is outside the data segment, `Truncated` when no NUL ends
    /// the name within it; both at the file address of `offset`.
    pub fn name(&self, offset: u64) -> Result<&[u8]> {
        name_at(&self.data, self.header.data_segment.0, offset)
    }
}
