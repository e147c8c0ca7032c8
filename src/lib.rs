//! # h5oxide
//!
//! A pure-Rust HDF5 library: reader (and, later, writer and in-place editor) of the files h5py
//! and libhdf5 1.8 to 2.0 write. No C, `no_std` + `alloc`, runs on wasm32.
//!
//! ## Layers
//! Dependencies run one way, top to bottom never upwards:
//! - [`io`]: where bytes come from ([`io::ReadAt`]: slices, files, memory maps).
//! - [`format`]: what bytes mean: spec structures decoded from byte slices; uses only [`error`].
//! - [`types`]: the in-memory type model ([`types::H5Type`]) and file-to-memory conversion
//!   plans ([`types::Plan`]); uses only [`format`].
//! - [`read`]: the read engine: object headers, groups, attributes, datasets over a source.
//! - [`hl`]: the public typed API: [`File`], [`Group`], [`Dataset`], [`Attribute`].
//! - [`canon`] (feature `canon`): the canonical JSON document used by `h5oxide dump --json`.
//!
//! ## Guarantees on untrusted files
//! HDF5 files come from strangers; h5oxide is built to be pointed at anything:
//! - No input makes a public API panic, abort, hang or overflow the stack: the crate denies
//!   `unwrap`, `expect`, `panic!` and unchecked indexing by lint, decodes every byte through a
//!   bounds-checked cursor, and does all arithmetic on file values checked.
//! - Memory is bounded: every allocation driven by file contents (header and heap sizes, chunk
//!   sizes, element counts, decompressed output) is checked against [`Limits`] and against
//!   the file length first; exceeding a cap is [`Error::LimitExceeded`] naming the cap
//!   (a field of [`Limits`]). A read allocates at most its output plus the chunks it decodes.
//! - Cycles are detected: header continuations, B-tree nodes and siblings, fractal heap
//!   blocks, shared messages, soft and external links, nested virtual datasets.
//! - Corruption is reported, never returned as data: lookup3 and Fletcher-32 checksum
//!   failures, sizes running past the end of the file and impossible field values are
//!   [`Error::Format`] with the [`FormatErrorKind`] and the file address; features h5oxide does
//!   not implement are [`Error::Unsupported`].
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
pub mod types;
pub mod write;

#[cfg(feature = "canon")]
pub mod canon;
#[cfg(feature = "wasm-api")]
pub mod wasm_api;

pub use error::{ConversionErrorKind, Error, FormatErrorKind, Result};
#[cfg(feature = "derive")]
pub use h5oxide_derive::{H5Type, H5Write};
pub use hl::{
    Attribute, CreateOptions, Dataset, File, FileWriter, Group, NamedDatatype, Object, OpenOptions,
    Profile,
};
pub use limits::Limits;
