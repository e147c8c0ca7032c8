//! The filter pipeline: chunk bytes as stored -> chunk bytes as the datatype lays them out.
//!
//! Spec: "Filter Pipeline Message" (the list of filters, in the order the writer applied them)
//! and "Data Storage - Filtered Chunks" in the layout message / chunk index sections (each
//! chunk's *filter mask*: bit `i` set means filter `i` of the pipeline was skipped for that
//! chunk). Reading undoes the filters in reverse order.
//!
//! This module is a leaf: it knows nothing of files or datatypes, only bytes and the client
//! data each filter stores in the pipeline message. It works without `std`:
//!
//! | id | filter | module |
//! |---:|---|---|
//! | 1 | deflate (zlib stream) | [`deflate`] (zlib-rs under `std`, miniz_oxide without) |
//! | 2 | shuffle | [`shuffle`] |
//! | 3 | Fletcher-32 checksum | [`fletcher32`] |
//! | 4 | szip (CCSDS 121.0 adaptive entropy coding) | [`szip`] |
//! | 5 | n-bit | [`nbit`] |
//! | 6 | scale-offset | [`scaleoffset`] |
//! | 32000 | LZF (h5py) | [`lzf`] |
//! | 32004 | LZ4 (plugin; feature `lz4`) | `lz4` |
//! | 32008 | bitshuffle (plugin; its LZ4 / Zstandard modes need those features) | [`bitshuffle`] |
//! | 32015 | Zstandard (plugin; feature `zstd`) | `zstd` |
//!
//! Blosc (32001) has no well-kept pure-Rust decoder and is not built in. Other ids can be
//! plugged in through [`Registry::register`]. Every stage's output is capped at
//! a bound derived from the expected chunk size, so a hostile stream cannot inflate without
//! limit (no decompression bombs), and the last stage must produce exactly the expected size.
//! See `spec-notes/filters.md` for each filter's on-disk format.
//!
//! Writing: [`encode`] applies a pipeline to one chunk (deflate, shuffle, Fletcher-32,
//! scale-offset and LZF have encoders) and returns the stored bytes and the filter mask; the
//! [`FilterSpec`] constructors (`FilterSpec::deflate`, `shuffle`, `fletcher32`, `lzf`,
//! `scaleoffset_int`, `scaleoffset_float`) give the flags and client data h5py writes.

use crate::error::{Error, FormatErrorKind, Result};
use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

mod bits;
pub mod bitshuffle;
pub mod deflate;
mod encode;
pub mod fletcher32;
#[cfg(feature = "lz4")]
pub mod lz4;
pub mod lzf;
pub mod nbit;
pub mod scaleoffset;
pub mod shuffle;
pub mod szip;
#[cfg(feature = "zstd")]
pub mod zstd;

pub use encode::{
    encode, scaleoffset_params, NumberClass, Scale, LZF_FILTER_REVISION, LZF_VERSION,
};

/// Filter identifiers libhdf5 and h5py define (spec "Filter Pipeline Message", field
/// "Filter Identification Value"). Ids 0-255 are reserved for libhdf5; 256-511 for testing;
/// 512-65535 are registered with The HDF Group for third-party filters.
pub mod id {
    /// GZIP / deflate compression (zlib stream).
    pub const DEFLATE: u16 = 1;
    /// Byte shuffle.
    pub const SHUFFLE: u16 = 2;
    /// Fletcher-32 checksum.
    pub const FLETCHER32: u16 = 3;
    /// SZIP compression.
    pub const SZIP: u16 = 4;
    /// N-bit packing.
    pub const NBIT: u16 = 5;
    /// Scale-offset packing.
    pub const SCALEOFFSET: u16 = 6;
    /// LZF (h5py's registered filter).
    pub const LZF: u16 = 32000;
    /// Blosc (registered; not built in).
    pub const BLOSC: u16 = 32001;
    /// LZ4 (registered plugin; built in with the `lz4` feature).
    pub const LZ4: u16 = 32004;
    /// Bitshuffle (registered plugin; built in, its LZ4/Zstandard modes with those features).
    pub const BITSHUFFLE: u16 = 32008;
    /// Zstandard (registered plugin; built in with the `zstd` feature).
    pub const ZSTD: u16 = 32015;
}

/// Filter flag bit 0 (spec "Filter Pipeline Message", "Flags"): the filter is optional, so a
/// writer may skip it for a chunk (recording that in the chunk's filter mask).
pub const FLAG_OPTIONAL: u16 = 0x0001;

/// Most filters one pipeline may hold (one filter-mask bit each).
pub const MAX_FILTERS: usize = 32;

/// One filter of a pipeline, as the filter pipeline message stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterSpec {
    /// Filter identifier (see [`id`]).
    pub id: u16,
    /// Flags; bit 0 ([`FLAG_OPTIONAL`]) marks an optional filter.
    pub flags: u16,
    /// Client data values.
    pub params: Vec<u32>,
}

impl FilterSpec {
    /// Whether the filter is optional.
    pub fn is_optional(&self) -> bool {
        self.flags & FLAG_OPTIONAL != 0
    }
}

/// A filter's decoder: undoes the filter for one chunk.
///
/// `params` are the filter's client data values; `input` is the chunk as the next filter (in
/// reading order) left it; the output must not be longer than `max_out` bytes (a decoder that
/// would produce more must stop and fail rather than allocate it).
pub trait FilterDecoder: Send + Sync {
    /// Undo the filter.
    ///
    /// # Errors
    /// A [`Error::Format`] for malformed input, [`Error::Unsupported`] for parameters the
    /// decoder does not implement.
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>>;
}

/// The filter decoders known by id: the built-ins plus any a user registers.
pub struct Registry {
    decoders: BTreeMap<u16, Box<dyn FilterDecoder>>,
}

impl core::fmt::Debug for Registry {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Registry")
            .field("ids", &self.decoders.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Default for Registry {
    /// A registry with every built-in filter.
    fn default() -> Self {
        let mut r = Registry::empty();
        r.register(id::DEFLATE, Box::new(deflate::Deflate));
        r.register(id::SHUFFLE, Box::new(shuffle::Shuffle));
        r.register(id::FLETCHER32, Box::new(fletcher32::Fletcher32));
        r.register(id::SZIP, Box::new(szip::Szip));
        r.register(id::NBIT, Box::new(nbit::Nbit));
        r.register(id::SCALEOFFSET, Box::new(scaleoffset::ScaleOffset));
        r.register(id::LZF, Box::new(lzf::Lzf));
        r.register(id::BITSHUFFLE, Box::new(bitshuffle::Bitshuffle));
        #[cfg(feature = "lz4")]
        r.register(id::LZ4, Box::new(lz4::Lz4));
        #[cfg(feature = "zstd")]
        r.register(id::ZSTD, Box::new(zstd::Zstd));
        r
    }
}

/// Bytes an intermediate stage may produce beyond the expected chunk size.
///
/// Encoders can grow data a little (Fletcher-32 appends 4 bytes, scale-offset a 21-byte header,
/// szip a 4-byte size, deflate a few bytes per 16 KiB of incompressible input), so a stage
/// whose output feeds another filter may legitimately exceed the chunk size by that much.
/// The final stage must match the chunk size exactly.
pub fn stage_cap(expected_len: usize) -> usize {
    expected_len
        .saturating_add(expected_len / 256)
        .saturating_add(4096)
}

impl Registry {
    /// A registry with no filters at all.
    pub fn empty() -> Self {
        Registry {
            decoders: BTreeMap::new(),
        }
    }

    /// Add (or replace) the decoder for filter `id`.
    pub fn register(&mut self, id: u16, f: Box<dyn FilterDecoder>) {
        self.decoders.insert(id, f);
    }

    /// Whether a decoder for `id` is registered.
    pub fn contains(&self, id: u16) -> bool {
        self.decoders.contains_key(&id)
    }

    /// Undo `pipeline` on one chunk's stored bytes.
    ///
    /// Filters run in reverse order; filter `i` is skipped when bit `i` of `filter_mask` is set
    /// (spec "Filter Pipeline Message" and the chunk records' "Filter Mask"). Every stage's
    /// output is capped at [`stage_cap`]`(expected_len)` and the final output must be exactly
    /// `expected_len` bytes.
    ///
    /// # Errors
    /// - [`Error::Unsupported`] naming the id when a filter that applies to this chunk has no
    ///   registered decoder (whether or not it is optional: an optional filter that *was*
    ///   applied must still be undone).
    /// - [`Error::Format`] with `what` the filter's name for malformed data (`BadChecksum` for
    ///   a Fletcher-32 mismatch), and `what: "filter pipeline"` when the pipeline holds more
    ///   than 32 filters or the decoded size is not `expected_len`. `addr` is 0; the caller
    ///   knows the chunk's address.
    pub fn decode(
        &self,
        pipeline: &[FilterSpec],
        filter_mask: u32,
        data: Vec<u8>,
        expected_len: usize,
    ) -> Result<Vec<u8>> {
        if pipeline.len() > MAX_FILTERS {
            return Err(Error::invalid("filter pipeline", 0));
        }
        let cap = stage_cap(expected_len);
        let mut data = data;
        for (i, spec) in pipeline.iter().enumerate().rev() {
            if filter_mask & (1u32 << i) != 0 {
                continue;
            }
            let decoder = self
                .decoders
                .get(&spec.id)
                .ok_or_else(|| Error::unsupported(format!("filter id {}", spec.id), 0))?;
            data = decoder.decode(&spec.params, data, cap)?;
            if data.len() > cap {
                return Err(Error::invalid("filter pipeline", 0));
            }
        }
        if data.len() != expected_len {
            return Err(Error::invalid("filter pipeline", 0));
        }
        Ok(data)
    }
}

/// A format error in filter `what` (address 0: the caller knows the chunk's address).
pub(crate) fn bad(what: &'static str) -> Error {
    Error::format(FormatErrorKind::InvalidValue, what, 0)
}

/// A truncated-input error in filter `what`.
pub(crate) fn truncated(what: &'static str) -> Error {
    Error::format(FormatErrorKind::Truncated, what, 0)
}

/// Client data value `i`, or an invalid-value error naming `what`.
pub(crate) fn param(params: &[u32], i: usize, what: &'static str) -> Result<u32> {
    params.get(i).copied().ok_or_else(|| bad(what))
}

/// A client data value as a `usize`.
pub(crate) fn usize_of(v: u32, what: &'static str) -> Result<usize> {
    usize::try_from(v).map_err(|_| bad(what))
}

#[cfg(test)]
mod tests;
