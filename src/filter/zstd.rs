//! Zstandard filter (id 32015, the HDF5 registered Zstandard plugin). Client data: `[level]`.
//! Requires the `zstd` feature (decoder: the pure-Rust `ruzstd`).
//!
//! A chunk is one Zstandard frame (RFC 8878); several frames one after another, and skippable
//! frames, are accepted too.

use super::{bad, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "zstd";

/// The Zstandard filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Zstd;

impl FilterDecoder for Zstd {
    fn decode(&self, _params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        decode(&input, max_out)
    }
}

/// Decode the frames of one chunk into at most `max_out` bytes.
///
/// # Errors
/// `Format { kind: InvalidValue, what: "zstd" }` for a malformed or cut frame, a bad checksum,
/// or output beyond `max_out`.
pub fn decode(input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(max_out);
    let mut d = ruzstd::decoding::FrameDecoder::new();
    d.decode_all_to_vec(input, &mut out)
        .map_err(|_| bad(WHAT))?;
    if out.len() > max_out {
        return Err(bad(WHAT));
    }
    Ok(out)
}
