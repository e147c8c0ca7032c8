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

/// Why a stored value could not be converted to the requested memory type
/// ([`Error::Conversion`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ConversionErrorKind {
    /// The file type and the memory type do not convert at all (class, shape or member
    /// mismatch); found before any value is read.
    Incompatible,
    /// A value does not fit the memory type (integer overflow, NaN or out-of-range float to an
    /// integer, a boolean other than 0 or 1) and saturation was not asked for.
    Overflow,
    /// A string is not valid UTF-8 (read it as bytes instead).
    InvalidUtf8,
}

impl fmt::Display for ConversionErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Incompatible => "incompatible types",
            Self::Overflow => "value out of range",
            Self::InvalidUtf8 => "invalid UTF-8",
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
    /// A stored value cannot be converted to the requested memory type.
    #[error("cannot convert {from} to {to}: {kind}")]
    Conversion {
        /// Why.
        kind: ConversionErrorKind,
        /// The file type (and the offending value, for value errors).
        from: String,
        /// The memory type.
        to: String,
    },
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

    /// A conversion error of `kind` from the file type `from` to the memory type `to`.
    pub fn conversion(
        kind: ConversionErrorKind,
        from: impl Into<String>,
        to: impl Into<String>,
    ) -> Self {
        Error::Conversion {
            kind,
            from: from.into(),
            to: to.into(),
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
