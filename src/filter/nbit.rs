//! N-bit filter (id 5): keeps only the *precision* bits of each number (the bits from the
//! datatype's bit offset up), packed back to back, most significant bit first, with no padding
//! between elements. Compound and array types are packed member by member; members nbit cannot
//! shrink (strings, opaque, references, enums, variable-length, ...) are copied whole, 8 bits
//! per byte, still at the running bit position.
//!
//! Client data (computed by libhdf5 from the datatype when the dataset is created):
//!
//! - `[0]` the number of client data values, `[1]` 1 when the filter does nothing (the
//!   datatype has no padding bits), `[2]` elements per chunk;
//! - from `[3]`, a description of the datatype, where each type is a class code followed by
//!   its parameters:
//!   - 1 atomic (integer, float): size in bytes, byte order (0 little-endian, 1 big-endian),
//!     precision in bits, bit offset;
//!   - 2 array: total size in bytes, then the base type's description;
//!   - 3 compound: size in bytes, member count, then per member its byte offset and its
//!     type's description;
//!   - 4 no-op (copied whole): size in bytes.
//!
//! Unpacked bits land at their offset within an otherwise zero element.

use super::bits::{low_u8, BitReader};
use super::{bad, param, truncated, usize_of, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "nbit";

const ATOMIC: u32 = 1;
const ARRAY: u32 = 2;
const COMPOUND: u32 = 3;
const NOOPTYPE: u32 = 4;

/// Deepest array/compound nesting accepted in the client data.
const MAX_DEPTH: u32 = 64;

/// The n-bit filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nbit;

impl FilterDecoder for Nbit {
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        decode(params, input, max_out)
    }
}

/// One unpacking step within an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// A number: `precision` bits at bit `bit_offset` of the `size` bytes at `at`.
    Atomic {
        at: usize,
        size: usize,
        big_endian: bool,
        precision: usize,
        bit_offset: usize,
    },
    /// `size` bytes at `at`, copied whole.
    Copy { at: usize, size: usize },
}

impl Op {
    fn shifted(self, by: usize) -> Result<Op> {
        let add = |a: usize| a.checked_add(by).ok_or_else(|| bad(WHAT));
        Ok(match self {
            Op::Atomic {
                at,
                size,
                big_endian,
                precision,
                bit_offset,
            } => Op::Atomic {
                at: add(at)?,
                size,
                big_endian,
                precision,
                bit_offset,
            },
            Op::Copy { at, size } => Op::Copy { at: add(at)?, size },
        })
    }

    fn end(self) -> Option<usize> {
        match self {
            Op::Atomic { at, size, .. } | Op::Copy { at, size } => at.checked_add(size),
        }
    }
}

/// Reads the client data's type description into a flat list of steps.
struct Parser<'a> {
    params: &'a [u32],
    idx: usize,
    /// Most steps one element may need (each step covers at least one byte of the element).
    max_ops: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Result<u32> {
        let v = param(self.params, self.idx, WHAT)?;
        self.idx += 1;
        Ok(v)
    }

    fn next_usize(&mut self) -> Result<usize> {
        usize_of(self.next()?, WHAT)
    }

    fn peek_usize(&self) -> Result<usize> {
        usize_of(param(self.params, self.idx, WHAT)?, WHAT)
    }

    /// The parameters after an atomic class code.
    fn atomic(&mut self, at: usize) -> Result<Op> {
        let size = self.next_usize()?;
        let big_endian = match self.next()? {
            0 => false,
            1 => true,
            _ => return Err(bad(WHAT)),
        };
        let precision = self.next_usize()?;
        let bit_offset = self.next_usize()?;
        let bits = size.checked_mul(8).ok_or_else(|| bad(WHAT))?;
        if size == 0 || precision > bits || precision.saturating_add(bit_offset) > bits {
            return Err(bad(WHAT));
        }
        Ok(Op::Atomic {
            at,
            size,
            big_endian,
            precision,
            bit_offset,
        })
    }

    fn push_repeated(&self, ops: &mut Vec<Op>, one: &[Op], n: usize, stride: usize) -> Result<()> {
        let total = one.len().checked_mul(n).ok_or_else(|| bad(WHAT))?;
        if ops.len().saturating_add(total) > self.max_ops {
            return Err(bad(WHAT));
        }
        for i in 0..n {
            let shift = i.checked_mul(stride).ok_or_else(|| bad(WHAT))?;
            for op in one {
                ops.push(op.shifted(shift)?);
            }
        }
        Ok(())
    }

    /// The parameters after an array class code, for an array at byte `at`.
    fn array(&mut self, at: usize, ops: &mut Vec<Op>, depth: u32) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(bad(WHAT));
        }
        let total = self.next_usize()?;
        let base_class = self.next()?;
        let mut one = Vec::new();
        let stride = match base_class {
            ATOMIC => {
                let op = self.atomic(0)?;
                one.push(op);
                op.end().unwrap_or(0)
            }
            ARRAY => {
                let base = self.peek_usize()?;
                self.array(0, &mut one, depth + 1)?;
                base
            }
            COMPOUND => {
                let base = self.peek_usize()?;
                self.compound(0, &mut one, depth + 1)?;
                base
            }
            NOOPTYPE => {
                self.next()?;
                ops.push(Op::Copy { at, size: total });
                return Ok(());
            }
            _ => return Err(bad(WHAT)),
        };
        if stride == 0 {
            return Err(bad(WHAT));
        }
        let shifted: Vec<Op> = one.iter().map(|op| op.shifted(at)).collect::<Result<_>>()?;
        self.push_repeated(ops, &shifted, total / stride, stride)
    }

    /// The parameters after a compound class code, for a compound at byte `at`.
    fn compound(&mut self, at: usize, ops: &mut Vec<Op>, depth: u32) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(bad(WHAT));
        }
        let size = self.next_usize()?;
        let nmembers = self.next_usize()?;
        let mut used: usize = 0;
        for _ in 0..nmembers {
            let offset = self.next_usize()?;
            let class = self.next()?;
            let member_size = self.peek_usize()?;
            used = used.checked_add(member_size).ok_or_else(|| bad(WHAT))?;
            if used > size {
                return Err(bad(WHAT));
            }
            let member_at = at.checked_add(offset).ok_or_else(|| bad(WHAT))?;
            match class {
                ATOMIC => {
                    let op = self.atomic(member_at)?;
                    self.push_repeated(ops, &[op], 1, 0)?;
                }
                ARRAY => self.array(member_at, ops, depth + 1)?,
                COMPOUND => self.compound(member_at, ops, depth + 1)?,
                NOOPTYPE => {
                    self.next()?;
                    self.push_repeated(
                        ops,
                        &[Op::Copy {
                            at: member_at,
                            size: member_size,
                        }],
                        1,
                        0,
                    )?;
                }
                _ => return Err(bad(WHAT)),
            }
        }
        Ok(())
    }
}

/// Undo the n-bit filter.
///
/// # Errors
/// `Format { what: "nbit" }`: `InvalidValue` for inconsistent client data or output beyond
/// `max_out`, `Truncated` when the packed bits run out.
pub fn decode(params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
    let declared = usize_of(param(params, 0, WHAT)?, WHAT)?;
    if declared != params.len() {
        return Err(bad(WHAT));
    }
    if param(params, 1, WHAT)? != 0 {
        // No padding bits anywhere: the writer left the chunk as it was.
        return Ok(input);
    }
    let nelmts = usize_of(param(params, 2, WHAT)?, WHAT)?;
    let class = param(params, 3, WHAT)?;
    let elem_size = usize_of(param(params, 4, WHAT)?, WHAT)?;
    let out_len = nelmts.checked_mul(elem_size).ok_or_else(|| bad(WHAT))?;
    if out_len > max_out {
        return Err(bad(WHAT));
    }
    let mut p = Parser {
        params,
        idx: 4,
        max_ops: elem_size,
    };
    let mut ops = Vec::new();
    match class {
        ATOMIC => ops.push(p.atomic(0)?),
        ARRAY => p.array(0, &mut ops, 0)?,
        COMPOUND => p.compound(0, &mut ops, 0)?,
        _ => return Err(bad(WHAT)),
    }
    if ops
        .iter()
        .any(|op| !matches!(op.end(), Some(e) if e <= elem_size))
    {
        return Err(bad(WHAT));
    }

    let mut out = alloc::vec![0u8; out_len];
    let mut r = BitReader::new(&input);
    if elem_size == 0 {
        return Ok(out);
    }
    for elem in out.chunks_exact_mut(elem_size) {
        for op in &ops {
            match *op {
                Op::Atomic {
                    at,
                    size,
                    big_endian,
                    precision,
                    bit_offset,
                } => {
                    let dst = elem.get_mut(at..at + size).ok_or_else(|| bad(WHAT))?;
                    unpack_atomic(&mut r, dst, big_endian, precision, bit_offset)?;
                }
                Op::Copy { at, size } => {
                    let dst = elem.get_mut(at..at + size).ok_or_else(|| bad(WHAT))?;
                    for d in dst {
                        *d = low_u8(r.read(8).ok_or_else(|| truncated(WHAT))?);
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Unpack one number's `precision` bits into `dst` (zeroed), at bit `bit_offset`, writing the
/// most significant byte first as the packer read it.
fn unpack_atomic(
    r: &mut BitReader<'_>,
    dst: &mut [u8],
    big_endian: bool,
    precision: usize,
    bit_offset: usize,
) -> Result<()> {
    if precision == 0 {
        return Ok(());
    }
    let top = bit_offset + precision; // exclusive, <= 8 * dst.len()
    let first = bit_offset / 8;
    let last = (top - 1) / 8;
    let n = dst.len();
    for byte in (first..=last).rev() {
        let lo = bit_offset.max(8 * byte);
        let hi = top.min(8 * byte + 8);
        let nbits = u32::try_from(hi - lo).map_err(|_| bad(WHAT))?;
        let v = r.read(nbits).ok_or_else(|| truncated(WHAT))?;
        let phys = if big_endian { n - 1 - byte } else { byte };
        if let Some(d) = dst.get_mut(phys) {
            *d = low_u8(v << (lo - 8 * byte));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormatErrorKind;
    use alloc::vec;

    #[test]
    fn atomic_12_bit_little_endian() {
        // Two i16 values with precision 12, offset 0: 0xabc and 0x123.
        // Packed: 1010 1011 1100 0001 0010 0011.
        let params = [8, 0, 2, ATOMIC, 2, 0, 12, 0];
        let out = decode(&params, vec![0xab, 0xc1, 0x23], 4).unwrap();
        assert_eq!(out, [0xbc, 0x0a, 0x23, 0x01]);
        // Big-endian storage of the same.
        let params = [8, 0, 2, ATOMIC, 2, 1, 12, 0];
        let out = decode(&params, vec![0xab, 0xc1, 0x23], 4).unwrap();
        assert_eq!(out, [0x0a, 0xbc, 0x01, 0x23]);
    }

    #[test]
    fn atomic_with_bit_offset() {
        // u32, precision 5 at offset 10: value 0b10110 -> bits 10..15 -> 0x5800.
        let params = [8, 0, 1, ATOMIC, 4, 0, 5, 10];
        let out = decode(&params, vec![0b1011_0000], 4).unwrap();
        assert_eq!(out, 0x5800u32.to_le_bytes());
    }

    #[test]
    fn compound_with_array_and_noop() {
        // struct { u8 a (precision 3) @0; u8 b[2] (precision 4 each) @1; opaque c[2] @3 }
        let params = [
            23, 0, 1, COMPOUND, 5, 3, // size 5, three members
            0, ATOMIC, 1, 0, 3, 0, // a
            1, ARRAY, 2, ATOMIC, 1, 0, 4, // b: total 2, base atomic size 1, LE, prec 4
            0, // b's offset 0 (continues the atomic)
            3, NOOPTYPE, 2, // c
        ];
        // Bits: a=101, b0=1100, b1=0011, c=0xff, 0x01 -> 101 1100 0011 11111111 00000001
        // -> 1011_1000 0111_1111 1110_0000 0010_0000 (padded)
        let out = decode(
            &params,
            vec![0b1011_1000, 0b0111_1111, 0b1110_0000, 0b0010_0000],
            5,
        )
        .unwrap();
        assert_eq!(out, [0b101, 0b1100, 0b0011, 0xff, 0x01]);
    }

    #[test]
    fn identity_and_errors() {
        assert_eq!(
            decode(&[8, 1, 2, ATOMIC, 2, 0, 16, 0], vec![1, 2, 3, 4], 4).unwrap(),
            [1, 2, 3, 4]
        );
        // Count mismatch, precision beyond the size, output beyond the cap, short input.
        assert!(decode(&[9, 0, 1, ATOMIC, 2, 0, 12, 0], vec![0; 2], 2).is_err());
        assert!(decode(&[8, 0, 1, ATOMIC, 2, 0, 12, 8], vec![0; 4], 2).is_err());
        assert!(decode(&[8, 0, 100, ATOMIC, 2, 0, 12, 0], vec![0; 200], 2).is_err());
        assert_eq!(
            decode(&[8, 0, 2, ATOMIC, 2, 0, 12, 0], vec![0; 2], 4)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        // An array whose base size is zero.
        assert!(decode(&[10, 0, 1, ARRAY, 4, NOOPTYPE, 0, 0, 0, 0], vec![0; 4], 4).is_ok());
        assert!(decode(&[10, 0, 1, ARRAY, 4, ARRAY, 0, ATOMIC, 1, 0], vec![0; 4], 4).is_err());
    }
}
