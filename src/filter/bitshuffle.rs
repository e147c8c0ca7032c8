//! Bitshuffle filter (id 32008, the bitshuffle HDF5 plugin). Client data:
//! `[major version, minor version, element size, block size in elements (0 = default),
//! compression (0 none, 2 LZ4, 3 Zstandard), compression level]`.
//!
//! The chunk's elements are cut into blocks of `block size` elements (a multiple of 8); within
//! a block of `n` elements the bits are transposed: the block holds, for each byte `j` of an
//! element and each bit `b` (least significant first) of that byte, a row of `n` bits, bit `b` of
//! byte `j` of element `i` at bit `i % 8` of the row's byte `i / 8`. A final partial block is
//! shortened to a multiple of 8 elements; the last `count % 8` elements follow untransposed.
//!
//! Uncompressed, the blocks simply follow each other. Compressed, the chunk starts with the
//! decoded size (8 bytes, big-endian) and the block size in bytes (4 bytes, big-endian), then each
//! block is stored as its compressed size (4 bytes, big-endian) and an LZ4 block or a Zstandard
//! frame (features `lz4` / `zstd`); the untransposed tail comes last, as it is.

use super::{bad, param, truncated, usize_of, FilterDecoder};
use crate::error::{Error, Result};
use alloc::vec::Vec;

const WHAT: &str = "bitshuffle";

/// The bitshuffle filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bitshuffle;

impl FilterDecoder for Bitshuffle {
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        decode(params, &input, max_out)
    }
}

/// The plugin's default block size for `elem_size`-byte elements: about 8 KiB, a multiple of
/// 8 elements, at least 128.
pub fn default_block_size(elem_size: usize) -> usize {
    let b = (8192 / elem_size.max(1)) / 8 * 8;
    b.max(128)
}

/// Undo the bitshuffle filter.
///
/// # Errors
/// `Format { what: "bitshuffle" }` for malformed data or bad client data; `Unsupported` for a
/// compression whose feature is not enabled.
pub fn decode(params: &[u32], input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    let elem_size = usize_of(param(params, 2, WHAT)?, WHAT)?;
    if elem_size == 0 {
        return Err(bad(WHAT));
    }
    let compression = params.get(4).copied().unwrap_or(0);
    let (total, block_elems, mut body) = if compression == 0 {
        let b = params.get(3).copied().unwrap_or(0);
        let b = if b == 0 {
            default_block_size(elem_size)
        } else {
            usize_of(b, WHAT)?
        };
        (input.len(), b, input)
    } else {
        let (t, rest) = input
            .split_first_chunk::<8>()
            .ok_or_else(|| truncated(WHAT))?;
        let (b, rest) = rest
            .split_first_chunk::<4>()
            .ok_or_else(|| truncated(WHAT))?;
        let t = usize::try_from(u64::from_be_bytes(*t)).map_err(|_| bad(WHAT))?;
        let b = usize_of(u32::from_be_bytes(*b), WHAT)? / elem_size;
        (t, b, rest)
    };
    if total > max_out || total % elem_size != 0 || block_elems == 0 || block_elems % 8 != 0 {
        return Err(bad(WHAT));
    }
    let count = total / elem_size;
    let mut out = alloc::vec![0u8; total];
    let transposed = count - count % 8;
    let mut done = 0;
    while done < transposed {
        let n = block_elems.min(transposed - done);
        let bytes = n * elem_size;
        let start = done * elem_size;
        let dst = out.get_mut(start..start + bytes).ok_or_else(|| bad(WHAT))?;
        let decoded: Vec<u8>;
        let src: &[u8] = match compression {
            0 => {
                let (s, rest) = body
                    .split_at_checked(bytes)
                    .ok_or_else(|| truncated(WHAT))?;
                body = rest;
                s
            }
            2 | 3 => {
                let (len, rest) = body
                    .split_first_chunk::<4>()
                    .ok_or_else(|| truncated(WHAT))?;
                let len = usize_of(u32::from_be_bytes(*len), WHAT)?;
                let (c, rest) = rest.split_at_checked(len).ok_or_else(|| truncated(WHAT))?;
                body = rest;
                decoded = decompress_block(compression, c, bytes)?;
                &decoded
            }
            _ => {
                return Err(Error::unsupported(
                    alloc::format!("bitshuffle compression {compression}"),
                    0,
                ))
            }
        };
        untranspose(src, dst, n, elem_size)?;
        done += n;
    }
    // The last count % 8 elements, as they are.
    let tail = out.get_mut(transposed * elem_size..).unwrap_or(&mut []);
    let src = body.get(..tail.len()).ok_or_else(|| truncated(WHAT))?;
    tail.copy_from_slice(src);
    Ok(out)
}

/// Decompress one block of exactly `bytes` bytes.
fn decompress_block(compression: u32, input: &[u8], bytes: usize) -> Result<Vec<u8>> {
    match compression {
        #[cfg(feature = "lz4")]
        2 => {
            let mut v = alloc::vec![0u8; bytes];
            let n = lz4_flex::block::decompress_into(input, &mut v).map_err(|_| bad(WHAT))?;
            if n != bytes {
                return Err(bad(WHAT));
            }
            Ok(v)
        }
        #[cfg(feature = "zstd")]
        3 => {
            let v = super::zstd::decode(input, bytes)?;
            if v.len() != bytes {
                return Err(bad(WHAT));
            }
            Ok(v)
        }
        _ => {
            let _ = (input, bytes);
            Err(Error::unsupported(
                alloc::format!("bitshuffle compression {compression} (feature not enabled)"),
                0,
            ))
        }
    }
}

/// Transpose an 8x8 bit matrix held in a `u64`: bit `c` of byte `r` <-> bit `r` of byte `c`.
#[inline]
fn transpose8(mut x: u64) -> u64 {
    let t = (x ^ (x >> 7)) & 0x00aa_00aa_00aa_00aa;
    x ^= t ^ (t << 7);
    let t = (x ^ (x >> 14)) & 0x0000_cccc_0000_cccc;
    x ^= t ^ (t << 14);
    let t = (x ^ (x >> 28)) & 0x0000_0000_f0f0_f0f0;
    x ^= t ^ (t << 28);
    x
}

/// Undo the bit transposition of one block of `n` elements (`n % 8 == 0`).
fn untranspose(src: &[u8], dst: &mut [u8], n: usize, elem_size: usize) -> Result<()> {
    let row = n / 8; // bytes per bit row
    if src.len() != n * elem_size || dst.len() != n * elem_size {
        return Err(bad(WHAT));
    }
    // Rows for byte j are src[j * 8 * row ..][kk * row ..] for bit kk.
    for (j, rows) in src.chunks_exact(8 * row.max(1)).enumerate().take(elem_size) {
        for g in 0..row {
            // Byte kk of x: bits of elements 8g..8g+8 for bit kk of byte j.
            let mut x: u64 = 0;
            for (kk, r) in rows.chunks_exact(row).enumerate() {
                x |= u64::from(r.get(g).copied().unwrap_or(0)) << (8 * kk);
            }
            let y = transpose8(x).to_le_bytes();
            // Byte r of y: byte j of element 8g + r.
            for (r, &v) in y.iter().enumerate() {
                if let Some(d) = dst.get_mut((8 * g + r) * elem_size + j) {
                    *d = v;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// The writer's transposition, written from the description.
    fn transpose_block(src: &[u8], n: usize, elem_size: usize) -> Vec<u8> {
        let mut out = vec![0u8; src.len()];
        for i in 0..n {
            for j in 0..elem_size {
                for b in 0..8 {
                    let bit = (src[i * elem_size + j] >> b) & 1;
                    let row = j * 8 + b;
                    out[row * (n / 8) + i / 8] |= bit << (i % 8);
                }
            }
        }
        out
    }

    #[test]
    fn transpose8_is_an_involution_and_transposes() {
        let x = 0x0123_4567_89ab_cdefu64;
        assert_eq!(transpose8(transpose8(x)), x);
        // A single bit: byte 2, bit 5 -> byte 5, bit 2.
        assert_eq!(transpose8(1 << (2 * 8 + 5)), 1 << (5 * 8 + 2));
    }

    #[test]
    fn untransposes_blocks_and_tail() {
        for elem_size in [1usize, 2, 4, 8, 3] {
            let count = 8 * 21 + 5;
            let data: Vec<u8> = (0..count * elem_size)
                .map(|i| (i * 37 + i / 5) as u8)
                .collect();
            let block = 64;
            let mut stored = Vec::new();
            let transposed = count - count % 8;
            let mut done = 0;
            while done < transposed {
                let n = block.min(transposed - done);
                let s = &data[done * elem_size..(done + n) * elem_size];
                stored.extend(transpose_block(s, n, elem_size));
                done += n;
            }
            stored.extend_from_slice(&data[transposed * elem_size..]);
            let params = [0, 4, elem_size as u32, block as u32, 0];
            assert_eq!(
                decode(&params, &stored, data.len()).unwrap(),
                data,
                "{elem_size}"
            );
            let _ = decode(&params, &stored[..stored.len() - 1], data.len());
        }
    }

    #[test]
    fn bad_params() {
        assert!(decode(&[0, 4, 0, 0, 0], &[0; 8], 8).is_err());
        assert!(decode(&[0, 4, 1, 12, 0], &[0; 8], 8).is_err());
        assert!(decode(&[0, 4, 1, 0, 9], &[0; 16], 8).is_err());
        assert_eq!(default_block_size(4), 2048);
        assert_eq!(default_block_size(1), 8192);
        assert_eq!(default_block_size(128), 128);
    }
}
