//! LZ4 filter (id 32004, the HDF5 registered LZ4 plugin). Client data: `[block size]` (optional;
//! 0 or absent means the plugin's default of 1 GiB). Requires the `lz4` feature.
//!
//! A chunk is: the decoded size (8 bytes, big-endian), the block size in bytes (4 bytes,
//! big-endian), then per block of `min(block size, bytes left)` decoded bytes: its stored size
//! (4 bytes, big-endian) and the stored bytes, which are an LZ4 *block* (no frame), or the
//! block's bytes as they are when the stored size equals the decoded size.

use super::{bad, truncated, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "lz4";

/// The LZ4 filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lz4;

impl FilterDecoder for Lz4 {
    fn decode(&self, _params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        decode(&input, max_out)
    }
}

/// Split off a big-endian `u32`.
fn be32(s: &[u8]) -> Result<(usize, &[u8])> {
    let (h, rest) = s.split_first_chunk::<4>().ok_or_else(|| truncated(WHAT))?;
    let v = usize::try_from(u32::from_be_bytes(*h)).map_err(|_| bad(WHAT))?;
    Ok((v, rest))
}

/// Undo the LZ4 filter.
///
/// # Errors
/// `Format { what: "lz4" }`: `Truncated` for a cut chunk, `InvalidValue` for a bad block or a
/// decoded size beyond `max_out`.
pub fn decode(input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    let (total, rest) = input
        .split_first_chunk::<8>()
        .ok_or_else(|| truncated(WHAT))?;
    let total = usize::try_from(u64::from_be_bytes(*total)).map_err(|_| bad(WHAT))?;
    if total > max_out {
        return Err(bad(WHAT));
    }
    let (block, mut rest) = be32(rest)?;
    if block == 0 && total > 0 {
        return Err(bad(WHAT));
    }
    let mut out = alloc::vec![0u8; total];
    for dst in out.chunks_mut(block.max(1)) {
        let (stored, tail) = be32(rest)?;
        let (data, tail) = tail
            .split_at_checked(stored)
            .ok_or_else(|| truncated(WHAT))?;
        rest = tail;
        if stored == dst.len() {
            dst.copy_from_slice(data);
        } else {
            let n = lz4_flex::block::decompress_into(data, dst).map_err(|_| bad(WHAT))?;
            if n != dst.len() {
                return Err(bad(WHAT));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn chunk(total: u64, block: u32, blocks: &[&[u8]]) -> Vec<u8> {
        let mut v = total.to_be_bytes().to_vec();
        v.extend_from_slice(&block.to_be_bytes());
        for b in blocks {
            v.extend_from_slice(&(b.len() as u32).to_be_bytes());
            v.extend_from_slice(b);
        }
        v
    }

    #[test]
    fn raw_and_compressed_blocks() {
        let data: Vec<u8> = (0..300u32).map(|i| (i % 7) as u8).collect();
        // One sequence: literals 0..=6, a match of 244 bytes at distance 7; then 5 literals.
        let mut c0 = vec![0x7f, 0, 1, 2, 3, 4, 5, 6, 7, 0, 244 - 4 - 15, 0x50];
        c0.extend_from_slice(&data[251..256]);
        let c = chunk(300, 256, &[&c0, &data[256..]]);
        assert_eq!(decode(&c, 300).unwrap(), data);
        assert!(decode(&c, 299).is_err());
        assert!(decode(&c[..c.len() - 1], 300).is_err());
        let mut bad_block = c.clone();
        bad_block[16] ^= 0xff;
        let _ = decode(&bad_block, 300);
        assert_eq!(decode(&chunk(0, 0, &[]), 10).unwrap(), Vec::<u8>::new());
    }
}
