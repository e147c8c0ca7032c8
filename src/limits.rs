//! Caps on every resource a file's contents can make the library spend.

/// Resource caps. Every allocation, loop and recursion driven by file contents is bounded by one
/// of these; exceeding one gives [`crate::Error::LimitExceeded`] naming the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest single allocation driven by a file value (a heap, a header block, an attribute).
    pub max_alloc: u64,
    /// Largest chunk (decoded) in bytes. A decoded chunk is also one allocation, so
    /// [`Limits::max_alloc`] applies to it as well.
    pub max_chunk_bytes: u64,
    /// Most object header continuation blocks per object header.
    pub max_continuations: u32,
    /// Deepest B-tree (v1 or v2) or fractal-heap indirect-block nesting.
    pub max_btree_depth: u32,
    /// Most B-tree nodes visited in one traversal.
    pub max_btree_nodes: u64,
    /// Most soft/external link hops when resolving one path.
    pub max_link_hops: u32,
    /// Deepest recursion in nested datatypes and group walks.
    pub max_depth: u32,
    /// Most messages in one object header.
    pub max_messages: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_alloc: 1 << 30,
            max_chunk_bytes: 1 << 32,
            max_continuations: 1 << 16,
            max_btree_depth: 64,
            max_btree_nodes: 1 << 24,
            max_link_hops: 40,
            max_depth: 64,
            max_messages: 1 << 20,
        }
    }
}

impl Limits {
    /// Check `value <= max`, naming the cap on failure.
    ///
    /// # Errors
    /// [`crate::Error::LimitExceeded`] when the value is over the cap.
    pub fn check(limit: &'static str, value: u64, max: u64) -> crate::Result<()> {
        if value > max {
            Err(crate::Error::LimitExceeded { limit, value, max })
        } else {
            Ok(())
        }
    }

    /// Check an allocation size against [`Limits::max_alloc`].
    ///
    /// # Errors
    /// [`crate::Error::LimitExceeded`] naming `max_alloc`.
    pub fn alloc(&self, bytes: u64) -> crate::Result<usize> {
        Self::check("max_alloc", bytes, self.max_alloc)?;
        usize::try_from(bytes).map_err(|_| crate::Error::LimitExceeded {
            limit: "max_alloc",
            value: bytes,
            max: self.max_alloc,
        })
    }
}
