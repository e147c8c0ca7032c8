//! Scale-offset filter (id 6): stores each element as a small unsigned offset from the chunk's
//! minimum, packed with the fewest bits that hold the chunk's range. Integers are lossless;
//! floats are first scaled by `10^D` and rounded ("D-scaling", lossy).
//!
//! Client data (20 values, filled in by libhdf5 when the dataset is created):
//!
//! | index | meaning |
//! |---:|---|
//! | 0 | scale type: 0 float D-scaling, 1 float E-scaling (never implemented by libhdf5), 2 integer |
//! | 1 | scale factor: `D` for D-scaling; for integers the bit count (0 = computed per chunk) |
//! | 2 | number of elements in a chunk |
//! | 3 | datatype class: 0 integer, 1 float |
//! | 4 | datatype size in bytes |
//! | 5 | sign: 0 unsigned, 1 two's complement |
//! | 6 | byte order: 0 little-endian, 1 big-endian |
//! | 7 | 1 when the dataset has a fill value (then 8.. hold it) |
//! | 8.. | the fill value's bytes, least significant first, four per value |
//!
//! A chunk starts with a 21-byte header: the bit count `minbits` (4 bytes, little-endian), the
//! byte count of the minimum (1 byte, 8 from libhdf5), the minimum (little-endian, for floats
//! the float's bit pattern in the low bytes) and zero padding to 21 bytes. Then come the
//! elements' offsets, `minbits` bits each, most significant bit first. `minbits == 0` means
//! every element equals the minimum; `minbits` equal to the element width means the elements
//! follow as they are (little-endian as written on little-endian machines). With a fill value,
//! the all-ones offset stands for the fill value. An integer scale factor equal to the element
//! width means the filter did nothing.

use super::bits::{low_u32, BitReader};
use super::{bad, param, truncated, usize_of, FilterDecoder};
use crate::error::{Error, Result};
use alloc::vec::Vec;

const WHAT: &str = "scaleoffset";
const HEADER: usize = 21;

/// The scale-offset filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScaleOffset;

impl FilterDecoder for ScaleOffset {
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        decode(params, input, max_out)
    }
}

/// What the elements are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    F32,
    F64,
}

/// Undo the scale-offset filter.
///
/// # Errors
/// `Format { what: "scaleoffset" }` for missing or inconsistent client data or a short chunk;
/// `Unsupported` for E-scaling and element sizes libhdf5 cannot write.
pub fn decode(params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
    let scale_type = param(params, 0, WHAT)?;
    let scale_factor = param(params, 1, WHAT)? as i32;
    let nelmts = usize_of(param(params, 2, WHAT)?, WHAT)?;
    let class = param(params, 3, WHAT)?;
    let size = usize_of(param(params, 4, WHAT)?, WHAT)?;
    let order_be = match param(params, 6, WHAT)? {
        0 => false,
        1 => true,
        _ => return Err(bad(WHAT)),
    };
    let fill_defined = match param(params, 7, WHAT)? {
        0 => false,
        1 => true,
        _ => return Err(bad(WHAT)),
    };
    let kind = match (class, size) {
        (0, 1 | 2 | 4 | 8) => Kind::Int,
        (1, 4) => Kind::F32,
        (1, 8) => Kind::F64,
        (0 | 1, _) => {
            return Err(Error::unsupported(
                alloc::format!("scaleoffset element size {size}"),
                0,
            ))
        }
        _ => return Err(bad(WHAT)),
    };
    let width = size * 8;
    let decimal = match kind {
        Kind::Int => {
            if scale_type != 2 {
                return Err(bad(WHAT));
            }
            let bits = scale_factor.max(0);
            if bits as usize > width {
                return Err(bad(WHAT));
            }
            if bits as usize == width {
                // The writer stored the chunk unchanged.
                return Ok(input);
            }
            0
        }
        Kind::F32 | Kind::F64 => match scale_type {
            0 => scale_factor,
            1 => return Err(Error::unsupported("scaleoffset E-scaling", 0)),
            _ => return Err(bad(WHAT)),
        },
    };
    // Fill value: bytes least significant first, four per client data value.
    let fill: u64 = if fill_defined {
        let lo = u64::from(param(params, 8, WHAT)?);
        let hi = if size > 4 {
            u64::from(param(params, 9, WHAT)?)
        } else {
            0
        };
        (hi << 32) | lo
    } else {
        0
    };

    let out_len = nelmts.checked_mul(size).ok_or_else(|| bad(WHAT))?;
    if out_len > max_out {
        return Err(bad(WHAT));
    }
    let (header, body) = input
        .split_at_checked(HEADER)
        .ok_or_else(|| truncated(WHAT))?;
    let mut h = header.iter().copied();
    let mut next = || h.next().unwrap_or(0);
    let minbits = u32::from_le_bytes([next(), next(), next(), next()]);
    let minval_len = usize::from(next()).min(8);
    let mut minval: u64 = 0;
    for i in 0..minval_len {
        minval |= u64::from(next()) << (8 * i);
    }
    let minbits_usize = usize_of(minbits, WHAT)?;
    if minbits_usize > width {
        return Err(bad(WHAT));
    }
    if minbits_usize == width {
        // Elements stored whole, in the writer's (little-endian) order.
        let raw = body.get(..out_len).ok_or_else(|| truncated(WHAT))?;
        let mut out = raw.to_vec();
        if order_be {
            for e in out.chunks_exact_mut(size) {
                e.reverse();
            }
        }
        return Ok(out);
    }
    let needed_bits = (nelmts as u128) * u128::from(minbits);
    if (body.len() as u128) * 8 < needed_bits {
        return Err(truncated(WHAT));
    }

    let all_ones: u64 = (1u64 << minbits) - 1; // minbits < width <= 64
    let mut r = BitReader::new(body);
    let mut out = Vec::with_capacity(out_len);
    let pow = pow10(decimal);
    // libhdf5 divides floats by powf(10, D): the f32 nearest to 10^D.
    #[allow(clippy::cast_possible_truncation)]
    let pow_f32 = pow as f32;
    for _ in 0..nelmts {
        let v = if minbits == 0 {
            0
        } else {
            r.read_wide(minbits).ok_or_else(|| truncated(WHAT))?
        };
        let is_fill = fill_defined && v == all_ones;
        let bits: u64 = match kind {
            Kind::Int => {
                if is_fill {
                    fill
                } else {
                    v.wrapping_add(minval)
                }
            }
            Kind::F32 => {
                if is_fill {
                    fill & 0xffff_ffff
                } else {
                    let min = f32::from_bits(low_u32(minval));
                    // v < 2^minbits <= 2^31: the integer the writer rounded to.
                    let x = (low_u32(v) as i32) as f32 / pow_f32 + min;
                    u64::from(x.to_bits())
                }
            }
            Kind::F64 => {
                if is_fill {
                    fill
                } else {
                    let min = f64::from_bits(minval);
                    let x = (v as i64) as f64 / pow + min;
                    x.to_bits()
                }
            }
        };
        let le = bits.to_le_bytes();
        let e = le.get(..size).unwrap_or(&[]);
        if order_be {
            out.extend(e.iter().rev());
        } else {
            out.extend_from_slice(e);
        }
    }
    Ok(out)
}

/// `10^d` as libhdf5's `pow(10, d)` gives it: exact for `|d| <= 22`; a correctly rounded
/// reciprocal for negative `d` in that range.
fn pow10(d: i32) -> f64 {
    let mut p = 1.0f64;
    for _ in 0..d.unsigned_abs().min(400) {
        p *= 10.0;
    }
    if d < 0 {
        1.0 / p
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormatErrorKind;
    use alloc::vec;

    fn params(
        scale_type: u32,
        factor: i32,
        n: u32,
        class: u32,
        size: u32,
        fill: Option<u64>,
    ) -> Vec<u32> {
        let mut p = vec![scale_type, factor as u32, n, class, size, 1, 0, 0];
        p.resize(20, 0);
        if let Some(f) = fill {
            p[7] = 1;
            p[8] = f as u32;
            p[9] = (f >> 32) as u32;
        }
        p
    }

    fn header(minbits: u32, minval: u64) -> Vec<u8> {
        let mut h = minbits.to_le_bytes().to_vec();
        h.push(8);
        h.extend_from_slice(&minval.to_le_bytes());
        h.resize(21, 0);
        h
    }

    #[test]
    fn integers_with_offsets() {
        // i16 values 100, 103, 101, 107: min 100, offsets 0, 3, 1, 7 in 3 bits each:
        // 000 011 001 111 -> 0000_1100 1111_0000.
        let mut d = header(3, 100);
        d.extend_from_slice(&[0b0000_1100, 0b1111_0000]);
        let out = decode(&params(2, 0, 4, 0, 2, None), d, 8).unwrap();
        assert_eq!(out, [100i16, 103, 101, 107].map(i16::to_le_bytes).concat());
        // Negative minimum (two's complement in the 8-byte field).
        let mut d = header(3, (-5i64) as u64);
        d.extend_from_slice(&[0b0000_1100, 0b1111_0000]);
        let p = params(2, 0, 4, 0, 4, None);
        let out = decode(&p, d, 16).unwrap();
        assert_eq!(out, [-5i32, -2, -4, 2].map(i32::to_le_bytes).concat());
    }

    #[test]
    fn fill_value_all_ones_and_big_endian() {
        // minbits 2: offsets 0, 3 (= fill), 1.
        let mut d = header(2, 10);
        d.push(0b0011_0100);
        let mut p = params(2, 0, 3, 0, 2, Some(0xabcd));
        p[6] = 1; // big-endian dataset
        let out = decode(&p, d, 6).unwrap();
        assert_eq!(out, [10u16, 0xabcd, 11].map(u16::to_be_bytes).concat());
    }

    #[test]
    fn minbits_zero_and_full_and_identity() {
        let out = decode(&params(2, 0, 3, 0, 1, None), header(0, 7), 3).unwrap();
        assert_eq!(out, [7, 7, 7]);
        let mut d = header(16, 0);
        d.extend_from_slice(&[1, 2, 3, 4]);
        assert_eq!(
            decode(&params(2, 0, 2, 0, 2, None), d, 4).unwrap(),
            [1, 2, 3, 4]
        );
        // Scale factor equal to the width: the chunk is stored unchanged (no header).
        assert_eq!(
            decode(&params(2, 16, 2, 0, 2, None), vec![9, 8, 7, 6], 4).unwrap(),
            [9, 8, 7, 6]
        );
    }

    #[test]
    fn floats_d_scaled() {
        // f32 with D = 2: min 1.5, offsets 0, 25, 100 -> 1.5, 1.75, 2.5.
        let mut d = header(7, u64::from(1.5f32.to_bits()));
        // 0000000 0011001 1100100 -> 0000_0000 0110_0111 0010_0000
        d.extend_from_slice(&[0b0000_0000, 0b0110_0111, 0b0010_0000]);
        let out = decode(&params(0, 2, 3, 1, 4, None), d, 12).unwrap();
        let want: Vec<u8> = [1.5f32, 1.75, 2.5]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        assert_eq!(out, want);
        // f64, D = 1, one element offset 3 from -1.0 -> -0.7 as libhdf5 computes it.
        let mut d = header(2, (-1.0f64).to_bits());
        d.push(0b1100_0000);
        let out = decode(&params(0, 1, 1, 1, 8, None), d, 8).unwrap();
        assert_eq!(out, (3.0f64 / 10.0 + -1.0).to_le_bytes());
    }

    #[test]
    fn malformed() {
        let k = |r: Result<Vec<u8>>| r.unwrap_err();
        // Short header, short body.
        assert_eq!(
            k(decode(&params(2, 0, 4, 0, 2, None), vec![0; 20], 8)).format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(
            k(decode(&params(2, 0, 4, 0, 2, None), header(3, 0), 8)).format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        // minbits beyond the width; too many elements for the cap; bad scale type; E-scaling.
        assert!(decode(&params(2, 0, 1, 0, 1, None), header(9, 0), 8).is_err());
        assert!(decode(&params(2, 0, 100, 0, 1, None), header(1, 0), 8).is_err());
        assert!(decode(&params(0, 0, 1, 0, 1, None), header(1, 0), 8).is_err());
        assert!(matches!(
            k(decode(&params(1, 0, 1, 1, 4, None), header(1, 0), 8)),
            Error::Unsupported { .. }
        ));
        assert!(decode(&[2, 0, 1], header(1, 0), 8).is_err());
    }
}
