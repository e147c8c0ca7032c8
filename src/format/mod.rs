//! WHAT bytes mean: the on-disk structures of the HDF5 File Format Specification (version 4.0),
//! decoded from byte slices. No I/O and no policy live here; every parser takes bytes and a
//! [`Ctx`], and reports errors at file addresses.
//!
//! This layer depends only on [`crate::error`] (and [`crate::limits`] for caps).

pub mod btree;
pub mod checksum;
pub mod chunk_index;
pub mod cursor;
pub mod encoder;
pub mod heap;
pub mod message;
pub mod object_header;
pub mod reference;
pub mod selection;
pub mod superblock;
pub mod symbol_table;
pub mod virtual_layout;

pub use cursor::Cursor;
pub use encoder::Encoder;

/// The file-wide encoding parameters every parser needs: the "Size of Offsets" and "Size of
/// Lengths" fields of the superblock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ctx {
    /// Bytes in a file address (2, 4 or 8).
    pub offset_size: u8,
    /// Bytes in a length field (2, 4 or 8).
    pub length_size: u8,
}

impl Ctx {
    /// The common case: 8-byte offsets and lengths.
    pub const DEFAULT: Ctx = Ctx {
        offset_size: 8,
        length_size: 8,
    };
}

impl Default for Ctx {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A file address (relative to the superblock's base address). The "undefined address"
/// (all bits set) is decoded as `None` by [`Cursor::offset`], so an `Addr` is always defined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Addr(pub u64);

impl Addr {
    /// The raw value.
    pub fn get(self) -> u64 {
        self.0
    }

    /// `self + n`, or an overflow error reported at `self`.
    ///
    /// # Errors
    /// [`crate::FormatErrorKind::Overflow`] when the sum does not fit in 64 bits.
    pub fn add(self, n: u64, what: &'static str) -> crate::Result<Addr> {
        self.0.checked_add(n).map(Addr).ok_or(crate::Error::format(
            crate::FormatErrorKind::Overflow,
            what,
            self.0,
        ))
    }
}

impl core::fmt::Display for Addr {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// Convert a file-supplied `u64` to `usize`, reporting an overflow at `addr`.
///
/// # Errors
/// [`crate::FormatErrorKind::Overflow`] on 32-bit targets when the value does not fit.
pub fn to_usize(v: u64, what: &'static str, addr: u64) -> crate::Result<usize> {
    usize::try_from(v)
        .map_err(|_| crate::Error::format(crate::FormatErrorKind::Overflow, what, addr))
}
