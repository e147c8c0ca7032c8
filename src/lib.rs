//! # h5oxide
//!
//! A pure-Rust HDF5 library: reader (and, later, writer and in-place editor) of the files h5py
//! and libhdf5 1.8 to 2.0 write. No C, `no_std` + `alloc`, runs on wasm32.
//!
//! ## Layers
//! Dependencies run one way, top to bottom never upwards:
//! - [`io`]: where bytes come from ([`io::ReadAt`]: slices, files, memory maps).
//! - [`format`]: what bytes mean: spec structures decoded from byte slices; uses only [`error`].
//! - [`read`]: the read engine: object headers, groups, attributes, datasets over a source.
//! - [`hl`]: the public typed API: [`File`], [`Group`], [`Dataset`], [`Attribute`].
//! - [`canon`] (feature `canon`): the canonical JSON document used by `h5oxide dump --json`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::cast_possible_truncation
    )
)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod error;
pub mod filter;
pub mod format;
pub mod hl;
pub mod io;
pub mod limits;
pub mod read;
#[cfg(test)]
mod testutil;

#[cfg(feature = "canon")]
pub mod canon;

pub use error::{Error, FormatErrorKind, Result};
pub use hl::{Attribute, Dataset, File, Group, NamedDatatype, Object, OpenOptions};
pub use limits::Limits;
