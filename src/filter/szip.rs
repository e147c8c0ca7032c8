//! Szip filter (id 4): Rice coding as standardised in CCSDS 121.0-B ("Lossless Data
//! Compression"), the adaptive entropy coder of the szip library and of libaec's szip
//! compatibility layer. Decoder written from the CCSDS description.
//!
//! Client data (libhdf5 fills in the last two when the dataset is created):
//! `[options mask, pixels per block, bits per pixel, pixels per scanline]`. Mask bits used for
//! decoding: 16 = samples stored most significant byte first (else least), 32 = the
//! "nearest neighbour" preprocessor (unit-delay prediction with the mapping of CCSDS 121.0
//! section 4) is on. libhdf5 also always sets 4 (entropy coding) and 128 (raw: no szip header),
//! and 8 for little-endian data.
//!
//! A chunk is a 4-byte little-endian size of the decoded chunk followed by the coded stream.
//! Samples are `bits per pixel` wide in 1-, 2- or 4-byte containers; 32- and 64-bit pixels are
//! coded as 8-bit samples of the chunk's byte planes (byte `j` of every element, then byte
//! `j + 1`, ...: the shuffle layout). The stream is a sequence of reference sample intervals
//! (RSIs) of `ceil(pixels per scanline / pixels per block)` blocks: one per scanline, a scanline
//! whose length is not a multiple of the block size being padded to whole blocks by the
//! encoder. Each block starts with an option id:
//! - 0 then one bit: 0 = a run of all-zero blocks (its length a fundamental sequence, with
//!   the "remainder of segment" code 4), 1 = the second extension (pairs of samples coded
//!   together);
//! - all ones: the block's samples uncoded;
//! - otherwise split-sample option `k = id - 1`: one fundamental sequence per sample (its high
//!   part) followed by the samples' `k` low bits.
//!
//! With the preprocessor, the first block of each RSI begins with a reference sample, stored
//! whole after the option id (and after the extra bit of option 0).

use super::bits::{low_u32, BitReader};
use super::{bad, param, truncated, usize_of, FilterDecoder};
use crate::error::{Error, Result};
use alloc::vec::Vec;

const WHAT: &str = "szip";

/// Mask bit: samples are most significant byte first.
pub const MSB_OPTION_MASK: u32 = 16;
/// Mask bit: the nearest-neighbour preprocessor is on.
pub const NN_OPTION_MASK: u32 = 32;

/// Largest block size accepted (libhdf5 allows 32; libaec's encoder up to 64 without checks).
const MAX_BLOCK: usize = 256;
/// Most blocks per RSI accepted (libaec's own bound).
const MAX_RSI_BLOCKS: usize = 4096;

/// The szip filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Szip;

impl FilterDecoder for Szip {
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        decode(params, &input, max_out)
    }
}

/// Second-extension code `m` -> (sum of the pair, first code with that sum).
const fn se_entry(m: u32) -> (u32, u32) {
    let mut sum = 0;
    let mut first = 0;
    while first + sum < m {
        first += sum + 1;
        sum += 1;
    }
    (sum, first)
}

/// Highest second-extension code: pairs summing to at most 12.
const SE_MAX: u64 = 90;

/// The coder's parameters for one chunk.
struct Aec {
    bits_per_sample: u32,
    block_size: usize,
    /// Blocks per RSI.
    rsi_blocks: usize,
    id_len: u32,
    preprocess: bool,
    xmax: u32,
}

/// Undo the szip filter.
///
/// # Errors
/// `Format { what: "szip" }`: `Truncated` when the coded stream ends before the chunk is
/// complete, `InvalidValue` for bad client data, a bad code or a size beyond `max_out`.
pub fn decode(params: &[u32], input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    let mask = param(params, 0, WHAT)?;
    let ppb = usize_of(param(params, 1, WHAT)?, WHAT)?;
    let bpp = param(params, 2, WHAT)?;
    let pps = usize_of(param(params, 3, WHAT)?, WHAT)?;
    let (size, stream) = input.split_at_checked(4).ok_or_else(|| truncated(WHAT))?;
    let mut size_le = [0u8; 4];
    size_le.copy_from_slice(size);
    let n = usize_of(u32::from_le_bytes(size_le), WHAT)?;
    if n > max_out {
        return Err(bad(WHAT));
    }
    let interleave = bpp == 32 || bpp == 64;
    let bits_per_sample = if interleave { 8 } else { bpp };
    if bits_per_sample == 0 || bits_per_sample > 32 {
        return Err(bad(WHAT));
    }
    if ppb < 2 || ppb % 2 != 0 || ppb > MAX_BLOCK || pps == 0 {
        return Err(bad(WHAT));
    }
    let rsi_blocks = pps.div_ceil(ppb);
    if rsi_blocks > MAX_RSI_BLOCKS {
        return Err(Error::unsupported(
            "szip scanline longer than 4096 blocks",
            0,
        ));
    }
    let (bytes_per_sample, id_len) = match bits_per_sample {
        1..=8 => (1, 3),
        9..=16 => (2, 4),
        _ => (4, 5),
    };
    if n % bytes_per_sample != 0 || (interleave && n % (bpp as usize / 8) != 0) {
        return Err(bad(WHAT));
    }
    let aec = Aec {
        bits_per_sample,
        block_size: ppb,
        rsi_blocks,
        id_len,
        preprocess: mask & NN_OPTION_MASK != 0,
        xmax: u32::MAX >> (32 - bits_per_sample),
    };
    let msb = mask & MSB_OPTION_MASK != 0;
    let nsamples = n / bytes_per_sample;

    let mut out = Vec::with_capacity(n);
    let mut r = BitReader::new(stream);
    let rsi_len = rsi_blocks * ppb;
    let mut rsi = Vec::with_capacity(rsi_len);
    let mut done = 0usize;
    while done < nsamples {
        let left = nsamples - done;
        // Decode whole RSIs (padding included) except for the last, which stops at the end of
        // the chunk.
        let target = if left > pps { rsi_len } else { left };
        aec.decode_rsi(&mut r, &mut rsi, target)?;
        if aec.preprocess {
            aec.unmap(&mut rsi);
        }
        let keep = rsi.len().min(pps).min(left);
        for &s in rsi.iter().take(keep) {
            let b = s.to_le_bytes();
            match (bytes_per_sample, msb) {
                (1, _) => out.push(b[0]),
                (2, false) => out.extend_from_slice(&[b[0], b[1]]),
                (2, true) => out.extend_from_slice(&[b[1], b[0]]),
                (_, false) => out.extend_from_slice(&b),
                (_, true) => out.extend_from_slice(&s.to_be_bytes()),
            }
        }
        done += keep;
    }
    if interleave {
        out = super::shuffle::unshuffle(out, bpp as usize / 8);
    }
    Ok(out)
}

impl Aec {
    /// Decode one RSI's samples (mapped, if preprocessed) into `rsi`, stopping after `target`
    /// samples.
    fn decode_rsi(&self, r: &mut BitReader<'_>, rsi: &mut Vec<u32>, target: usize) -> Result<()> {
        rsi.clear();
        let t = || truncated(WHAT);
        let uncoded = (1u64 << self.id_len) - 1;
        let bps = self.bits_per_sample;
        let mut first = true;
        while rsi.len() < target {
            let refsample = first && self.preprocess;
            first = false;
            let id = r.read(self.id_len).ok_or_else(t)?;
            let want = |rsi: &[u32]| rsi.len() < target;
            if id == 0 {
                let second_extension = r.read(1).ok_or_else(t)? == 1;
                if refsample {
                    rsi.push(low_u32(r.read(bps).ok_or_else(t)?));
                }
                if second_extension {
                    let mut i = usize::from(refsample);
                    while i < self.block_size && want(rsi) {
                        let m = r.unary().ok_or_else(t)?;
                        if m > SE_MAX {
                            return Err(bad(WHAT));
                        }
                        let (sum, first_code) = se_entry(low_u32(m));
                        let second = low_u32(m) - first_code;
                        if i % 2 == 0 {
                            rsi.push(sum - second);
                            i += 1;
                            if !want(rsi) {
                                break;
                            }
                        }
                        rsi.push(second);
                        i += 1;
                    }
                } else {
                    let fs = r.unary().ok_or_else(t)?;
                    let mut blocks = usize::try_from(fs)
                        .map_err(|_| bad(WHAT))?
                        .saturating_add(1);
                    let used = rsi.len() / self.block_size;
                    if blocks == 5 {
                        // Remainder of segment: to the end of this 64-block segment or RSI.
                        blocks = (self.rsi_blocks - used).min(64 - used % 64);
                    } else if blocks > 5 {
                        blocks -= 1;
                    }
                    let zeros = blocks
                        .checked_mul(self.block_size)
                        .and_then(|z| z.checked_sub(usize::from(refsample)))
                        .ok_or_else(|| bad(WHAT))?;
                    if zeros > self.rsi_blocks * self.block_size - rsi.len() {
                        return Err(bad(WHAT));
                    }
                    let zeros = zeros.min(target - rsi.len());
                    rsi.resize(rsi.len() + zeros, 0);
                }
            } else if id == uncoded {
                for _ in 0..self.block_size {
                    if !want(rsi) {
                        break;
                    }
                    rsi.push(low_u32(r.read(bps).ok_or_else(t)?));
                }
            } else {
                let k = low_u32(id - 1);
                if refsample {
                    rsi.push(low_u32(r.read(bps).ok_or_else(t)?));
                }
                let start = rsi.len();
                let coded = self.block_size - usize::from(refsample);
                // All the block's high parts come first; only the wanted low parts are read.
                for _ in 0..coded {
                    let fs = r.unary().ok_or_else(t)?;
                    rsi.push(low_u32(fs).wrapping_shl(k));
                }
                let keep = (target - start).min(coded);
                rsi.truncate(start + keep);
                if k > 0 {
                    for s in rsi.iter_mut().skip(start) {
                        *s = s.wrapping_add(low_u32(r.read(k).ok_or_else(t)?));
                    }
                }
            }
        }
        Ok(())
    }

    /// Undo the preprocessor on one RSI: the first sample is the reference, each later one a
    /// mapped prediction error relative to its predecessor (CCSDS 121.0 section 4.3).
    fn unmap(&self, rsi: &mut [u32]) {
        let xmax = self.xmax;
        let upper_half = (xmax >> 1) + 1;
        let Some((first, rest)) = rsi.split_first_mut() else {
            return;
        };
        let mut x = *first;
        for d in rest {
            let delta = *d;
            let half = (delta >> 1) + (delta & 1);
            // Distance to the nearer end of the sample range.
            let mirror = if x & upper_half != 0 { xmax } else { 0 };
            let theta = mirror ^ x;
            x = if half <= theta {
                if delta & 1 == 0 {
                    x.wrapping_add(delta >> 1)
                } else {
                    x.wrapping_sub((delta >> 1) + 1)
                }
            } else {
                mirror ^ delta
            };
            *d = x;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn second_extension_table() {
        // Codes enumerate pairs by sum: m = sum*(sum+1)/2 + second.
        assert_eq!(se_entry(0), (0, 0));
        assert_eq!(se_entry(1), (1, 1));
        assert_eq!(se_entry(2), (1, 1));
        assert_eq!(se_entry(3), (2, 3));
        assert_eq!(se_entry(5), (2, 3));
        assert_eq!(se_entry(90), (12, 78));
    }

    fn aec(bps: u32, pp: bool) -> Aec {
        Aec {
            bits_per_sample: bps,
            block_size: 8,
            rsi_blocks: 2,
            id_len: 3,
            preprocess: pp,
            xmax: u32::MAX >> (32 - bps),
        }
    }

    /// Bits written most significant first.
    fn bits(spec: &[(u64, u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut n) = (0u64, 0u32);
        for &(v, w) in spec {
            for i in (0..w).rev() {
                acc = (acc << 1) | ((v >> i) & 1);
                n += 1;
                if n == 8 {
                    out.push(acc as u8);
                    acc = 0;
                    n = 0;
                }
            }
        }
        if n > 0 {
            out.push((acc << (8 - n)) as u8);
        }
        out
    }

    #[test]
    fn block_options() {
        let a = aec(8, false);
        // Uncoded block (id 7) of 8 samples.
        let mut spec = vec![(7, 3)];
        spec.extend((1..=8).map(|v| (v, 8)));
        // Split k=1 (id 2): high parts 0,1,2,0,0,0,0,3 as unary, low bits 1,0,1,0,1,0,1,0.
        spec.push((2, 3));
        for fs in [0u64, 1, 2, 0, 0, 0, 0, 3] {
            spec.push((1, (fs + 1) as u32));
        }
        for lsb in [1u64, 0, 1, 0, 1, 0, 1, 0] {
            spec.push((lsb, 1));
        }
        let d = bits(&spec);
        let mut r = BitReader::new(&d);
        let mut rsi = Vec::new();
        a.decode_rsi(&mut r, &mut rsi, 16).unwrap();
        assert_eq!(rsi, [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 5, 0, 1, 0, 1, 6]);
    }

    #[test]
    fn zero_blocks_and_second_extension() {
        let a = aec(8, false);
        // id 0, bit 0 (zero run), fs 0 -> one zero block; id 0, bit 1 (SE): codes for pairs
        // (0,0) m=0, (1,0) m=1, (0,1) m=2, (1,1) m=4.
        let mut spec = vec![(0, 3), (0, 1), (1, 1), (0, 3), (1, 1)];
        for m in [0u64, 1, 2, 4] {
            spec.push((1, (m + 1) as u32));
        }
        let d = bits(&spec);
        let mut r = BitReader::new(&d);
        let mut rsi = Vec::new();
        a.decode_rsi(&mut r, &mut rsi, 16).unwrap();
        assert_eq!(rsi, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1, 1]);
    }

    #[test]
    fn preprocessor_inverse() {
        let a = aec(8, true);
        // Reference 10, then +1 (d=2), -1 (d=1), +0 (d=0); near the top: from 250, d=20 is
        // beyond 2*theta (theta = 5): 255 - 20 = 235.
        let mut v = vec![10, 2, 1, 0];
        a.unmap(&mut v);
        assert_eq!(v, [10, 11, 10, 10]);
        let mut v = vec![250, 20];
        a.unmap(&mut v);
        assert_eq!(v, [250, 235]);
        // Near the bottom: from 3, d = 10 > 2*3 -> 10.
        let mut v = vec![3, 10];
        a.unmap(&mut v);
        assert_eq!(v, [3, 10]);
    }

    #[test]
    fn reference_sample_in_split_and_zero_blocks() {
        let a = aec(8, true);
        // Split k=0 (id 1) with reference 100: ref then 7 fs values 0..7.
        let mut spec = vec![(1, 3), (100, 8)];
        for fs in 0..7u64 {
            spec.push((1, (fs + 1) as u32));
        }
        // Second block: zero run with fs=4 (remainder of segment): one block left in the RSI.
        spec.extend([(0, 3), (0, 1), (1, 5)]);
        let d = bits(&spec);
        let mut r = BitReader::new(&d);
        let mut rsi = Vec::new();
        a.decode_rsi(&mut r, &mut rsi, 16).unwrap();
        assert_eq!(rsi, [100, 0, 1, 2, 3, 4, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0]);
    }

    #[test]
    fn bad_params_and_short_input() {
        assert!(decode(&[0, 8, 8, 16], &[16, 0, 0], 100).is_err());
        assert!(decode(&[0, 7, 8, 16], &[16, 0, 0, 0], 100).is_err());
        assert!(decode(&[0, 8, 0, 16], &[16, 0, 0, 0], 100).is_err());
        // Size beyond the cap.
        assert!(decode(&[0, 8, 8, 16], &[200, 0, 0, 0], 100).is_err());
        // Stream too short.
        assert_eq!(
            decode(&[0, 8, 8, 16], &[16, 0, 0, 0, 0xff], 100)
                .unwrap_err()
                .format_kind(),
            Some(crate::error::FormatErrorKind::Truncated)
        );
    }
}
