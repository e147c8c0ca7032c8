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
//! Unpacked bits land at their offset within an otherwise zero element. [`encode`] is the
//! writer's side, byte-identical to libhdf5; both read the client data with one parser.

use super::bits::{low_u8, BitReader, BitWriter};
use super::{bad, param, truncated, usize_of, FilterDecoder};
use crate::error::{Error, Result};
use alloc::format;
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

/// What the client data asks of one chunk, read once for both directions.
struct Layout {
    /// Elements in the chunk (client data value 2).
    nelmts: usize,
    /// Bytes per element (the size of the top-level type).
    elem_size: usize,
    /// The steps packing one element, in the order libhdf5 visits them.
    ops: Vec<Op>,
}

impl Layout {
    /// Packed bits of one element.
    fn bits_per_element(&self) -> Result<usize> {
        self.ops.iter().try_fold(0usize, |acc, op| {
            let n = match *op {
                Op::Atomic { precision, .. } => Some(precision),
                Op::Copy { size, .. } => size.checked_mul(8),
            };
            n.and_then(|n| acc.checked_add(n)).ok_or_else(|| bad(WHAT))
        })
    }
}

/// Parse the client data: `None` when value `[1]` says the type has no padding bits (the chunk
/// passes unchanged), else the chunk's layout. `cap` bounds the chunk's unpacked size (and so
/// the number of steps an element may need).
fn layout(params: &[u32], cap: usize) -> Result<Option<Layout>> {
    let declared = usize_of(param(params, 0, WHAT)?, WHAT)?;
    if declared != params.len() {
        return Err(bad(WHAT));
    }
    if param(params, 1, WHAT)? != 0 {
        return Ok(None);
    }
    let nelmts = usize_of(param(params, 2, WHAT)?, WHAT)?;
    let class = param(params, 3, WHAT)?;
    let elem_size = usize_of(param(params, 4, WHAT)?, WHAT)?;
    let out_len = nelmts.checked_mul(elem_size).ok_or_else(|| bad(WHAT))?;
    if out_len > cap {
        return Err(bad(WHAT));
    }
    let mut p = Parser {
        params,
        idx: 4,
        max_ops: elem_size.min(cap),
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
    Ok(Some(Layout {
        nelmts,
        elem_size,
        ops,
    }))
}

/// Undo the n-bit filter.
///
/// # Errors
/// `Format { what: "nbit" }`: `InvalidValue` for inconsistent client data or output beyond
/// `max_out`, `Truncated` when the packed bits run out.
pub fn decode(params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
    let Some(l) = layout(params, max_out)? else {
        // No padding bits anywhere: the writer left the chunk as it was.
        return Ok(input);
    };
    let out_len = l.nelmts.checked_mul(l.elem_size).ok_or_else(|| bad(WHAT))?;
    let mut out = alloc::vec![0u8; out_len];
    let mut r = BitReader::new(&input);
    if l.elem_size == 0 {
        return Ok(out);
    }
    for elem in out.chunks_exact_mut(l.elem_size) {
        for op in &l.ops {
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

/// Apply the n-bit filter to one chunk as libhdf5 1.8-2.0 writes it (`H5Z__filter_nbit`), the
/// layout [`decode`] reads.
///
/// For each of the `params[2]` elements, and within it each number in type order (compound
/// members in the order the client data lists them, array elements in turn), the bits
/// `[offset, offset + precision)` are written most significant first at the running bit
/// position; bits outside that range are dropped, whatever they hold. Members nbit cannot shrink
/// are copied whole, 8 bits per byte; compound padding between members is dropped.
///
/// The output is `total_bits / 8 + 1` bytes, libhdf5's size: one zero byte more than needed
/// when the bits fill whole bytes. When client data value `[1]` is set (the type has no
/// padding bits) the chunk is returned unchanged, as libhdf5 stores it.
///
/// # Errors
/// [`Error::Usage`] for client data that does not describe a datatype (the same checks as
/// [`decode`]) or a chunk that is not `params[2]` elements of the described size.
pub fn encode(params: &[u32], input: &[u8]) -> Result<Vec<u8>> {
    let Some(l) = layout(params, input.len()).map_err(|_| bad_params())? else {
        return Ok(input.to_vec());
    };
    if l.nelmts.checked_mul(l.elem_size) != Some(input.len()) {
        return Err(Error::Usage(format!(
            "nbit: a chunk of {} bytes for {} elements of {} bytes",
            input.len(),
            l.nelmts,
            l.elem_size
        )));
    }
    let total_bits = l
        .bits_per_element()
        .ok()
        .and_then(|b| b.checked_mul(l.nelmts))
        .ok_or_else(|| Error::Usage("nbit: packed size overflows".into()))?;
    let mut w = BitWriter::with_capacity((total_bits / 8).saturating_add(1));
    if l.elem_size > 0 {
        for elem in input.chunks_exact(l.elem_size) {
            for op in &l.ops {
                let (at, size) = match *op {
                    Op::Atomic { at, size, .. } | Op::Copy { at, size } => (at, size),
                };
                let src = at
                    .checked_add(size)
                    .and_then(|end| elem.get(at..end))
                    .ok_or_else(bad_params)?;
                match *op {
                    Op::Atomic {
                        big_endian,
                        precision,
                        bit_offset,
                        ..
                    } => pack_atomic(&mut w, src, big_endian, precision, bit_offset)?,
                    Op::Copy { .. } => {
                        for &b in src {
                            w.write(8, u64::from(b));
                        }
                    }
                }
            }
        }
    }
    let mut out = w.finish();
    if total_bits % 8 == 0 {
        // libhdf5 reports the index of the byte being filled plus one.
        out.push(0);
    }
    Ok(out)
}

/// The encoder's error for client data [`layout`] rejects.
fn bad_params() -> Error {
    Error::Usage("nbit: client data that does not describe a datatype".into())
}

/// Pack one number's `precision` bits from bit `bit_offset` of `src` (`size` bytes in
/// `big_endian` order or not), most significant first.
fn pack_atomic(
    w: &mut BitWriter,
    src: &[u8],
    big_endian: bool,
    precision: usize,
    bit_offset: usize,
) -> Result<()> {
    if precision == 0 {
        return Ok(());
    }
    if src.len() <= 8 {
        // The whole number fits one u64: shift the precision bits down and write them at once.
        let fold = |v: u64, &b: &u8| (v << 8) | u64::from(b);
        let v = if big_endian {
            src.iter().fold(0, fold)
        } else {
            src.iter().rev().fold(0, fold)
        };
        let shift = u32::try_from(bit_offset).map_err(|_| bad_params())?;
        let n = u32::try_from(precision).map_err(|_| bad_params())?;
        w.write(n, v.checked_shr(shift).unwrap_or(0));
        return Ok(());
    }
    // Wider numbers (e.g. 128-bit floats): byte by byte from the most significant, as
    // `unpack_atomic` reads them back.
    let top = bit_offset.checked_add(precision).ok_or_else(bad_params)?;
    let n = src.len();
    for byte in (bit_offset / 8..=(top - 1) / 8).rev() {
        let lo = bit_offset.max(8 * byte);
        let hi = top.min(8 * byte + 8);
        let nbits = u32::try_from(hi - lo).map_err(|_| bad_params())?;
        let shift = u32::try_from(lo - 8 * byte).map_err(|_| bad_params())?;
        let phys = if big_endian {
            n.checked_sub(1 + byte)
        } else {
            Some(byte)
        };
        let b = phys.and_then(|i| src.get(i)).ok_or_else(bad_params)?;
        w.write(nbits, u64::from(*b) >> shift);
    }
    Ok(())
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

    /// Every n-bit chunk h5py / libhdf5 2.0 wrote re-encodes to the same bytes (the n-bit
    /// stage alone; for pipelines with more filters, the n-bit stage's output is what the
    /// decoder of the later filters gives back).
    #[test]
    fn h5py_chunks_re_encode_byte_identical() {
        let reg = crate::filter::Registry::default();
        let mut seen = Vec::new();
        for c in crate::filter::tests::cases() {
            let Some(pos) = c.pipeline.iter().position(|f| f.id == 5) else {
                continue;
            };
            let (first, rest) = c.pipeline.split_at(pos + 1);
            let params = &first[pos].params;
            for (k, ch) in c.chunks.iter().enumerate() {
                assert_eq!(ch.mask, 0, "{} #{k}", c.name);
                let ours = encode(params, &ch.expected).unwrap();
                // The n-bit stage's output: the stored bytes with the later filters undone
                // (their final-size check holds it to our length).
                let stage = reg
                    .decode(rest, 0, ch.stored.clone(), ours.len())
                    .unwrap_or_else(|e| panic!("{} #{k}: {e}", c.name));
                assert_eq!(ours, stage, "{} #{k}", c.name);
                assert_eq!(
                    decode(params, ours, ch.expected.len()).unwrap(),
                    ch.expected
                );
            }
            seen.push(c.name);
        }
        for name in [
            "nbit_i2_p12",
            "nbit_u4_p20_o4",
            "nbit_u2_p3_o13",
            "nbit_compound",
            "nbit_array",
            "nbit_gzip",
        ] {
            assert!(seen.iter().any(|s| s == name), "{name}");
        }
    }

    fn lcg(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (x >> 56) as u8
            })
            .collect()
    }

    /// Zero every bit of `elem` outside the packed ranges of `ops` (what decode gives back).
    fn clear_padding(elem: &mut [u8], ops: &[Op]) {
        let mut keep = vec![0u8; elem.len()];
        for op in ops {
            match *op {
                Op::Atomic {
                    at,
                    size,
                    big_endian,
                    precision,
                    bit_offset,
                } => {
                    for bit in bit_offset..bit_offset + precision {
                        let byte = bit / 8;
                        let phys = if big_endian { size - 1 - byte } else { byte };
                        keep[at + phys] |= 1 << (bit % 8);
                    }
                }
                Op::Copy { at, size } => keep[at..at + size].fill(0xff),
            }
        }
        for (e, k) in elem.iter_mut().zip(keep) {
            *e &= k;
        }
    }

    /// Random data (padding bits cleared) round trips; random padding bits are ignored.
    fn round_trip(params: &[u32], seed: u64) {
        let l = layout(params, usize::MAX).unwrap().unwrap();
        let raw = lcg(l.nelmts * l.elem_size, seed);
        let mut clean = raw.clone();
        for e in clean.chunks_exact_mut(l.elem_size) {
            clear_padding(e, &l.ops);
        }
        let bits = l.bits_per_element().unwrap() * l.nelmts;
        let packed = encode(params, &clean).unwrap();
        assert_eq!(packed.len(), bits / 8 + 1, "{params:?}");
        assert_eq!(encode(params, &raw).unwrap(), packed, "{params:?}");
        assert_eq!(
            decode(params, packed, clean.len()).unwrap(),
            clean,
            "{params:?}"
        );
    }

    #[test]
    fn random_atomics_round_trip() {
        let mut seed = 1;
        for size in [1u32, 2, 3, 4, 8, 16] {
            for order in [0u32, 1] {
                for (precision, offset) in [
                    (1, 0),
                    (size * 8 - 1, 0),
                    (size * 8 - 1, 1),
                    (size * 8, 0),
                    (3, size * 8 - 3),
                    (size * 4 + 1, size * 2 - 1),
                    (size * 8 / 3 + 1, 5.min(size * 8 - size * 8 / 3 - 1)),
                ] {
                    for nelmts in [1u32, 7, 64, 101] {
                        seed += 1;
                        round_trip(
                            &[8, 0, nelmts, ATOMIC, size, order, precision, offset],
                            seed,
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn random_nested_types_round_trip() {
        // struct { i16 a (BE, 12 bits at 2) @0; u8 pad; f32 b[3] (LE, 31 bits) @4;
        //          struct { opaque o[3] @0; u64 x (BE, 40 bits at 7) @3 } c @16 }  size 30
        let compound = [
            33, 0, 0, COMPOUND, 30, 3, // header; nelmts filled below
            0, ATOMIC, 2, 1, 12, 2, // a
            4, ARRAY, 12, ATOMIC, 4, 0, 31, 0, // b
            16, COMPOUND, 11, 2, // c
            0, NOOPTYPE, 3, // c.o
            3, ATOMIC, 8, 1, 40, 7, // c.x
        ];
        // Array of 2 x array of 3 x u16 (LE, 9 bits at 3).
        let array = [12, 0, 0, ARRAY, 12, ARRAY, 6, ATOMIC, 2, 0, 9, 3];
        for (i, nelmts) in [1u32, 5, 33].into_iter().enumerate() {
            for p in [&compound[..], &array[..]] {
                let mut p = p.to_vec();
                p[2] = nelmts;
                round_trip(&p, 100 + i as u64);
            }
        }
    }

    #[test]
    fn encoder_edge_cases() {
        // Nothing to do: unchanged.
        let p = [8, 1, 2, ATOMIC, 2, 0, 16, 0];
        assert_eq!(encode(&p, &[1, 2, 3, 4]).unwrap(), [1, 2, 3, 4]);
        // 16 bits fill two bytes: libhdf5 adds a zero byte.
        let p = [8, 0, 2, ATOMIC, 2, 0, 8, 4];
        assert_eq!(
            encode(&p, &[0x30, 0x0a, 0xff, 0xff]).unwrap(),
            [0xa3, 0xff, 0]
        );
        // The unit test of the decoder, backwards (24 bits: the extra byte again).
        let p = [8, 0, 2, ATOMIC, 2, 0, 12, 0];
        assert_eq!(
            encode(&p, &[0xbc, 0x0a, 0x23, 0x01]).unwrap(),
            [0xab, 0xc1, 0x23, 0]
        );
        // 9 bits of 2 bytes: no extra byte.
        let p = [8, 0, 1, ATOMIC, 2, 1, 9, 0];
        assert_eq!(encode(&p, &[0x01, 0x80]).unwrap(), [0xc0, 0]);
        let p = [8, 0, 1, ATOMIC, 2, 1, 9, 1];
        assert_eq!(encode(&p, &[0x03, 0x00]).unwrap(), [0xc0, 0]);
        // Wrong chunk length, bad client data.
        assert!(matches!(encode(&p, &[0; 3]), Err(Error::Usage(_))));
        assert!(matches!(encode(&p, &[0; 6]), Err(Error::Usage(_))));
        assert!(matches!(
            encode(&[8, 0, 2, ATOMIC, 2, 0, 12, 8], &[0; 4]),
            Err(Error::Usage(_))
        ));
        assert!(matches!(
            encode(&[9, 0, 2, ATOMIC, 2, 0, 12, 0], &[0; 4]),
            Err(Error::Usage(_))
        ));
        assert!(matches!(encode(&[3, 0], &[]), Err(Error::Usage(_))));
    }
}
