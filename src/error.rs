//! The public error type.
//!
//! Every failure says *what* broke and *where* (the HDF5 file address, relative to the
//! superblock's base address, as h5dump and the spec print them).

use alloc::string::String;
use core::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// What kind of malformation a [`Error::Format`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FormatErrorKind {
    /// A structure runs past the end of the bytes that hold it.
    Truncated,
    /// A four-byte signature ("OHDR", "TREE", ...) or the superblock signature is wrong.
    BadSignature,
    /// A version number this library does not know.
    BadVersion,
    /// A Jenkins lookup3 or Fletcher-32 checksum does not match.
    BadChecksum,
    /// A field holds a value the specification does not allow.
    InvalidValue,
    /// An address or size points outside the file.
    OutOfBounds,
    /// A structure refers back to itself (continuations, B-tree siblings, links).
    Cycle,
    /// Arithmetic on file values overflowed.
    Overflow,
}

impl fmt::Display for FormatErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Truncated => "truncated",
            Self::BadSignature => "bad signature",
            Self::BadVersion => "unknown version",
            Self::BadChecksum => "checksum mismatch",
            Self::InvalidValue => "invalid value",
            Self::OutOfBounds => "address out of bounds",
            Self::Cycle => "cycle",
            Self::Overflow => "arithmetic overflow",
        })
    }
}

/// Every error h5oxide returns.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The byte source failed (file read error, short read).
    #[error("I/O error at address {addr:#x}: {msg}")]
    Io {
        /// Where the read was attempted.
        addr: u64,
        /// The underlying error, as text (no_std has no `io::Error`).
        msg: String,
    },
    /// The file is malformed.
    #[error("{kind} in {what} at address {addr:#x}")]
    Format {
        /// The kind of malformation.
        kind: FormatErrorKind,
        /// The structure and field, e.g. `"superblock version"`.
        what: &'static str,
        /// File address of the offending bytes.
        addr: u64,
    },
    /// A valid feature this library does not implement.
    #[error("unsupported {what} at address {addr:#x}")]
    Unsupported {
        /// What is unsupported.
        what: String,
        /// File address of the structure.
        addr: u64,
    },
    /// A [`crate::Limits`] cap was hit.
    #[error("limit {limit} exceeded: {value} > {max}")]
    LimitExceeded {
        /// Name of the cap (a field of [`crate::Limits`]).
        limit: &'static str,
        /// The value the file asked for.
        value: u64,
        /// The cap.
        max: u64,
    },
    /// A path or name does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The caller asked for something that does not make sense for this object.
    #[error("usage: {0}")]
    Usage(String),
}

impl Error {
    /// A format error of `kind` in `what` at `addr`.
    pub fn format(kind: FormatErrorKind, what: &'static str, addr: u64) -> Self {
        Error::Format { kind, what, addr }
    }

    /// An invalid-value format error.
    pub fn invalid(what: &'static str, addr: u64) -> Self {
        Error::Format {
            kind: FormatErrorKind::InvalidValue,
            what,
            addr,
        }
    }

    /// An unsupported-feature error.
    pub fn unsupported(what: impl Into<String>, addr: u64) -> Self {
        Error::Unsupported {
            what: what.into(),
            addr,
        }
    }

    /// The format error kind, if this is a format error.
    pub fn format_kind(&self) -> Option<FormatErrorKind> {
        match self {
            Error::Format { kind, .. } => Some(*kind),
            _ => None,
        }
    }
}

#[cfg(feature = "std")]
impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io {
            addr: 0,
            msg: alloc::string::ToString::to_string(&e),
        }
    }
}
