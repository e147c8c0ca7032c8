//! Fletcher-32 checksum filter (id 3): the writer appends a 4-byte checksum of the chunk; the
//! reader verifies and strips it. No client data.
//!
//! libhdf5's variant: the data is read as 16-bit words, *big-endian* (first byte high); an odd
//! final byte counts as a word whose low byte is zero. Both running sums are folded into 16 bits
//! with end-around carry (mod 65535, where a non-zero sum never folds to 0). The checksum is
//! `sum2 << 16 | sum1`, stored *little-endian* after the data. For files written by libhdf5
//! before 1.6.3, libhdf5 also accepts the checksum with the bytes of each 16-bit half swapped;
//! so do we.

use super::bits::low_u32;
use super::{truncated, FilterDecoder};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;

const WHAT: &str = "fletcher32";

/// The Fletcher-32 filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fletcher32;

impl FilterDecoder for Fletcher32 {
    fn decode(&self, _params: &[u32], input: Vec<u8>, _max_out: usize) -> Result<Vec<u8>> {
        verify_and_strip(input)
    }
}

/// Check the trailing checksum and return the data without it.
///
/// # Errors
/// `Format { kind: BadChecksum, what: "fletcher32" }` on a mismatch, `Truncated` when the input
/// is shorter than the 4-byte checksum.
pub fn verify_and_strip(mut input: Vec<u8>) -> Result<Vec<u8>> {
    let n = input.len().checked_sub(4).ok_or_else(|| truncated(WHAT))?;
    let (data, stored) = input.split_at(n);
    let stored: [u8; 4] = stored.try_into().map_err(|_| truncated(WHAT))?;
    let stored = u32::from_le_bytes(stored);
    let sum = checksum(data);
    // The pre-1.6.3 form: each 16-bit half byte-swapped.
    let swapped = ((sum & 0x00ff_00ff) << 8) | ((sum >> 8) & 0x00ff_00ff);
    if stored != sum && stored != swapped {
        return Err(Error::format(FormatErrorKind::BadChecksum, WHAT, 0));
    }
    input.truncate(n);
    Ok(input)
}

/// Append the checksum of `data` to it, as libhdf5's writer does (little-endian, after the
/// data; the form [`verify_and_strip`] checks first).
pub fn append(mut data: Vec<u8>) -> Vec<u8> {
    let sum = checksum(&data);
    data.extend_from_slice(&sum.to_le_bytes());
    data
}

/// Fold a sum to its 16-bit representative: 0 only for 0, otherwise in `1..=0xffff`.
fn fold(s: u64, nonzero: bool) -> u32 {
    if !nonzero {
        return 0;
    }
    match low_u32(s % 0xffff) {
        0 => 0xffff,
        r => r,
    }
}

/// libhdf5's Fletcher-32 of `data`.
///
/// The sums are kept modulo 65535 in 64-bit accumulators over blocks (the block size keeps
/// `sum2` from overflowing), which gives the same value as folding after every 360 words: the
/// folded sums are congruent mod 65535 and are 0 exactly when all data bytes are 0.
pub fn checksum(data: &[u8]) -> u32 {
    // Per block of B words: sum1 grows by < B * 2^16, sum2 by < B * (sum1 + B * 2^16).
    const BLOCK: usize = 1 << 14;
    let mut s1: u64 = 0;
    let mut s2: u64 = 0;
    let mut nonzero = false;
    let words = data.chunks_exact(2);
    let odd = words.remainder().first().copied();
    let full = data.len() - data.len() % 2;
    for block in data.get(..full).unwrap_or(&[]).chunks(2 * BLOCK) {
        // Within a block: s2 += n * s1_before + sum_{i} (n - i) * w_i.
        let n = (block.len() / 2) as u64;
        let mut bsum: u64 = 0;
        let mut bweighted: u64 = 0;
        let mut any: u16 = 0;
        for w in block.chunks_exact(2) {
            if let [hi, lo] = *w {
                let v = u16::from_be_bytes([hi, lo]);
                any |= v;
                bsum += u64::from(v);
                bweighted += bsum;
            }
        }
        nonzero |= any != 0;
        s2 = (s2 + n * s1 + bweighted) % 0xffff;
        s1 = (s1 + bsum) % 0xffff;
    }
    if let Some(b) = odd {
        nonzero |= b != 0;
        s1 = (s1 + (u64::from(b) << 8)) % 0xffff;
        s2 = (s2 + s1) % 0xffff;
    }
    (fold(s2, nonzero) << 16) | fold(s1, nonzero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A direct transcription of the algorithm as described: fold every 360 words.
    fn reference(data: &[u8]) -> u32 {
        let mut s1: u32 = 0;
        let mut s2: u32 = 0;
        let mut words = data.chunks_exact(2);
        let mut left = data.len() / 2;
        while left > 0 {
            let t = left.min(360);
            left -= t;
            for _ in 0..t {
                let w = words.next().unwrap();
                s1 += u32::from(u16::from_be_bytes([w[0], w[1]]));
                s2 += s1;
            }
            s1 = (s1 & 0xffff) + (s1 >> 16);
            s2 = (s2 & 0xffff) + (s2 >> 16);
        }
        if data.len() % 2 == 1 {
            s1 += u32::from(data[data.len() - 1]) << 8;
            s2 += s1;
            s1 = (s1 & 0xffff) + (s1 >> 16);
            s2 = (s2 & 0xffff) + (s2 >> 16);
        }
        s1 = (s1 & 0xffff) + (s1 >> 16);
        s2 = (s2 & 0xffff) + (s2 >> 16);
        (s2 << 16) | s1
    }

    #[test]
    fn matches_the_reference_fold() {
        let mut seeds = vec![
            vec![],
            vec![0],
            vec![0xff],
            vec![0; 1001],
            vec![0xff; 100_001],
        ];
        let mut x: u32 = 12345;
        for len in [1usize, 2, 3, 359, 720, 721, 40_000, 70_001] {
            seeds.push(
                (0..len)
                    .map(|_| {
                        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                        (x >> 16) as u8
                    })
                    .collect(),
            );
        }
        for d in seeds {
            assert_eq!(checksum(&d), reference(&d), "len {}", d.len());
        }
        assert_eq!(checksum(b""), 0);
        // "abcde": words 0x6162, 0x6364, and 0x6500.
        assert_eq!(checksum(b"abcde"), reference(b"abcde"));
        assert_eq!(checksum(b"abcde"), 0x4ff0_29c7);
    }

    #[test]
    fn verifies_strips_and_rejects() {
        let mut v = b"abcde".to_vec();
        v.extend_from_slice(&checksum(b"abcde").to_le_bytes());
        assert_eq!(verify_and_strip(v.clone()).unwrap(), b"abcde");
        // The pre-1.6.3 byte-swapped form is accepted too.
        let mut old = b"abcde".to_vec();
        let c = checksum(b"abcde").to_le_bytes();
        old.extend_from_slice(&[c[1], c[0], c[3], c[2]]);
        assert_eq!(verify_and_strip(old).unwrap(), b"abcde");
        for i in 0..v.len() {
            let mut bad = v.clone();
            bad[i] ^= 0x10;
            assert_eq!(
                verify_and_strip(bad).unwrap_err().format_kind(),
                Some(FormatErrorKind::BadChecksum),
                "byte {i}"
            );
        }
        assert_eq!(
            verify_and_strip(vec![1, 2, 3]).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(verify_and_strip(vec![0; 4]).unwrap(), Vec::<u8>::new());
    }

    #[test]
    fn append_round_trips() {
        assert_eq!(
            append(b"abcde".to_vec()),
            [b"abcde".as_slice(), &[0xc7, 0x29, 0xf0, 0x4f]].concat()
        );
        for len in [0usize, 1, 2, 3, 1000, 1001] {
            let d: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
            assert_eq!(verify_and_strip(append(d.clone())).unwrap(), d);
        }
    }
}
