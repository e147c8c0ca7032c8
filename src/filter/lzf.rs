//! LZF filter (id 32000, registered by h5py). Client data: `[filter revision, LZF version,
//! chunk size in bytes]` (h5py fills the third at dataset creation; 0 means unknown).
//!
//! The chunk is one raw LZF stream (liblzf format, no header): a sequence of
//! - literal runs: a control byte `c < 32` followed by `c + 1` bytes copied as they are;
//! - back references: a control byte `c >= 32` whose top 3 bits give the length `l`
//!   (`l == 7` means a further length byte is added), then one more byte; the match copies
//!   `l + 2` bytes starting `((c & 31) << 8 | byte) + 1` bytes back in the output, which may
//!   overlap the bytes being written (a run).
//!
//! h5py's encoder gives up when the output would not be smaller than the input; the filter is
//! optional, so such chunks are stored raw with the filter's mask bit set.

use super::{bad, truncated, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "lzf";

/// The LZF filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lzf;

impl FilterDecoder for Lzf {
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        // The stored chunk size is only a capacity hint; the cap is what bounds the output.
        let hint = params
            .get(2)
            .and_then(|&n| usize::try_from(n).ok())
            .filter(|&n| n > 0)
            .unwrap_or(max_out)
            .min(max_out);
        decompress(&input, max_out, hint)
    }
}

/// Decompress one LZF stream into at most `max_out` bytes (`capacity` is a size hint).
///
/// # Errors
/// `Format { what: "lzf" }`: `Truncated` when a run or reference is cut short, `InvalidValue`
/// for a reference before the start of the output or output beyond `max_out`.
pub fn decompress(input: &[u8], max_out: usize, capacity: usize) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(capacity.min(max_out));
    let mut rest = input;
    while let Some((&ctrl, tail)) = rest.split_first() {
        rest = tail;
        if ctrl < 32 {
            let len = usize::from(ctrl) + 1;
            let (lit, tail) = rest.split_at_checked(len).ok_or_else(|| truncated(WHAT))?;
            if out.len() + len > max_out {
                return Err(bad(WHAT));
            }
            out.extend_from_slice(lit);
            rest = tail;
        } else {
            let mut len = usize::from(ctrl >> 5);
            if len == 7 {
                let (&more, tail) = rest.split_first().ok_or_else(|| truncated(WHAT))?;
                len += usize::from(more);
                rest = tail;
            }
            len += 2;
            let (&low, tail) = rest.split_first().ok_or_else(|| truncated(WHAT))?;
            rest = tail;
            let back = ((usize::from(ctrl & 0x1f) << 8) | usize::from(low)) + 1;
            let start = out.len().checked_sub(back).ok_or_else(|| bad(WHAT))?;
            if out.len() + len > max_out {
                return Err(bad(WHAT));
            }
            // The source may overlap the destination: copy in pieces no longer than the bytes
            // already present from `start` (the piece doubles each time for short distances).
            let mut left = len;
            while left > 0 {
                let n = left.min(out.len() - start);
                out.extend_from_within(start..start + n);
                left -= n;
            }
        }
    }
    Ok(out)
}

/// Longest literal run one control byte announces.
const MAX_LIT: usize = 32;
/// Farthest back reference: 13 bits of distance, stored minus one.
const MAX_OFF: usize = 1 << 13;
/// Longest back reference: 7 + 255 in the length fields, plus 2.
const MAX_REF: usize = 264;
/// log2 of the hash table size.
const HLOG: u32 = 14;

/// Hash of the 3 bytes at the start of `w`.
#[inline]
fn hash3(w: [u8; 3]) -> usize {
    let v = (u32::from(w[0]) << 16) | (u32::from(w[1]) << 8) | u32::from(w[2]);
    let h = v.wrapping_mul(0x9E37_79B1) >> (32 - HLOG);
    // h < 2^HLOG: fits any usize.
    h as usize
}

/// Emit `lit` as literal runs of at most 32 bytes.
fn flush_literals(out: &mut Vec<u8>, lit: &[u8]) {
    for run in lit.chunks(MAX_LIT) {
        // 1 <= run.len() <= 32.
        out.push(super::bits::low_u8(run.len() as u64 - 1));
        out.extend_from_slice(run);
    }
}

/// Emit a back reference of `len` bytes (`3..=264`) from `off + 1` bytes back (`off < 8192`).
fn push_ref(out: &mut Vec<u8>, len: usize, off: usize) {
    use super::bits::low_u8;
    let l = len - 2;
    let hi = low_u8((off >> 8) as u64);
    if l < 7 {
        out.push(low_u8((l as u64) << 5) | hi);
    } else {
        out.push(0xe0 | hi);
        out.push(low_u8((l - 7) as u64));
    }
    out.push(low_u8(off as u64));
}

/// Compress `input` into one raw LZF stream (the format [`decompress`] and liblzf read).
///
/// A greedy coder: a hash table of 3-byte sequences finds the last earlier occurrence within
/// 8 KiB; a match is extended up to 264 bytes (it may overlap the bytes it produces), anything
/// else goes out as literal runs of up to 32 bytes. Incompressible input grows by one byte per
/// 32; the filter encoder then declines, as h5py does.
pub fn compress(input: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len() + input.len() / MAX_LIT + 1);
    let mut table = alloc::vec![usize::MAX; 1 << HLOG];
    let mut ip = 0usize;
    let mut lit_start = 0usize;
    while let Some(&[a, b, c]) = input.get(ip..ip + 3) {
        let h = hash3([a, b, c]);
        let Some(slot) = table.get_mut(h) else {
            ip += 1;
            continue;
        };
        let cand = core::mem::replace(slot, ip);
        let hit =
            cand < ip && ip - cand <= MAX_OFF && input.get(cand..cand + 3) == Some(&[a, b, c][..]);
        if !hit {
            ip += 1;
            continue;
        }
        let max = (input.len() - ip).min(MAX_REF);
        let ahead = input.get(ip + 3..ip + max).unwrap_or(&[]);
        let behind = input.get(cand + 3..).unwrap_or(&[]);
        let len = 3 + ahead.iter().zip(behind).take_while(|(x, y)| x == y).count();
        flush_literals(&mut out, input.get(lit_start..ip).unwrap_or(&[]));
        push_ref(&mut out, len, ip - cand - 1);
        // Index the positions the match covers (up to the last one that starts 3 bytes).
        let end = ip + len;
        for p in ip + 1..end.min(input.len().saturating_sub(2)) {
            if let Some(&[x, y, z]) = input.get(p..p + 3) {
                if let Some(slot) = table.get_mut(hash3([x, y, z])) {
                    *slot = p;
                }
            }
        }
        ip = end;
        lit_start = ip;
    }
    flush_literals(&mut out, input.get(lit_start..).unwrap_or(&[]));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormatErrorKind;
    use alloc::vec;

    #[test]
    fn literals_and_references() {
        // "abcabcabcabc": literal "abc" then a back reference of length 9, distance 3.
        // ctrl = (9 - 2) -> 7 => 0xE0 | 0 (high distance bits), extra length byte 0, low = 2.
        let stream = [2, b'a', b'b', b'c', 0xe0, 0x00, 0x02];
        assert_eq!(decompress(&stream, 100, 0).unwrap(), b"abcabcabcabc");
        // Short reference: length 3 (ctrl top bits 1), distance 1: run of 'a'.
        let stream = [0, b'a', 0x20, 0x00];
        assert_eq!(decompress(&stream, 100, 0).unwrap(), b"aaaa");
        assert_eq!(decompress(&[], 100, 0).unwrap(), b"");
    }

    fn lcg_bytes(n: usize, seed: u32, alphabet: u32) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                ((x >> 16) % alphabet) as u8
            })
            .collect()
    }

    #[test]
    fn compress_round_trips() {
        let mut inputs: Vec<Vec<u8>> = vec![
            vec![],
            vec![1],
            vec![1, 2],
            vec![7; 3],
            vec![7; 1000],
            b"abcabcabcabcabcabc".to_vec(),
            (0..100_000u32).map(|i| (i / 7) as u8).collect(),
        ];
        for (n, alpha) in [(10, 256), (5000, 256), (5000, 4), (40_000, 16), (70_000, 2)] {
            inputs.push(lcg_bytes(n, n as u32, alpha));
        }
        // A repeat farther than 8 KiB, and one just inside.
        let block = lcg_bytes(9000, 1, 256);
        inputs.push([&block[..], &block[..]].concat());
        inputs.push([&block[..8192], &block[..8192]].concat());
        for d in inputs {
            let z = compress(&d);
            assert_eq!(
                decompress(&z, d.len(), d.len()).unwrap(),
                d,
                "len {}",
                d.len()
            );
            assert!(z.len() <= d.len() + d.len() / 32 + 1);
        }
        // Runs compress well: 264-byte references of distance 1.
        let z = compress(&[9; 2640]);
        assert!(z.len() < 40, "{}", z.len());
    }

    #[test]
    fn malformed_streams_are_errors() {
        let k = |r: Result<Vec<u8>>| r.unwrap_err().format_kind();
        // Literal run cut short.
        assert_eq!(
            k(decompress(&[3, 1, 2], 100, 0)),
            Some(FormatErrorKind::Truncated)
        );
        // Reference missing its distance byte / extra length byte.
        assert_eq!(
            k(decompress(&[0, 1, 0x20], 100, 0)),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(
            k(decompress(&[0, 1, 0xe0], 100, 0)),
            Some(FormatErrorKind::Truncated)
        );
        // Reference before the start of the output.
        assert_eq!(
            k(decompress(&[0, 1, 0x20, 0x01], 100, 0)),
            Some(FormatErrorKind::InvalidValue)
        );
        // Output beyond the cap (a bomb): 1 + 264 bytes into 100.
        assert_eq!(
            k(decompress(&[0, 1, 0xe0, 0xff, 0x00], 100, 0)),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            decompress(&[0, 1, 0xe0, 0xff, 0x00], 265, 0).unwrap(),
            vec![1; 265]
        );
    }
}
