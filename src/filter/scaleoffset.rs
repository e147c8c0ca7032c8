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

use super::bits::{low_u32, BitReader, BitWriter};
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

/// The kind of numbers a scale-offset dataset holds (client data 3 and 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberClass {
    /// Unsigned integers (class 0, sign 0).
    Unsigned,
    /// Two's complement integers (class 0, sign 1).
    Signed,
    /// IEEE floats (class 1, sign 0).
    Float,
}

/// How the filter reduces the numbers (client data 0 and 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Integers (scale type 2) stored in this many bits each; 0 means the fewest bits each
    /// chunk's range needs (h5py `scaleoffset=0`, libhdf5 `H5Z_SO_INT_MINBITS_DEFAULT`).
    IntBits(u32),
    /// Floats keeping `D` decimal digits after the point ("D-scaling", scale type 0; lossy:
    /// each value is rounded to the nearest multiple of `10^-D` above the chunk's minimum).
    FloatDecimal(i32),
}

fn usage(msg: alloc::string::String) -> Error {
    Error::Usage(msg)
}

/// The 20 client data values of the scale-offset filter, as libhdf5's `set_local` fills them
/// from the dataset's datatype, chunk and fill value (h5py passes only the scale type and
/// factor; libhdf5 adds the rest at dataset creation).
///
/// - `class`, `size`: the datatype (integers of 1, 2, 4 or 8 bytes, floats of 4 or 8);
/// - `big_endian`: the datatype's byte order;
/// - `scale`: [`Scale::IntBits`] for integers, [`Scale::FloatDecimal`] for floats;
/// - `chunk_elems`: elements in one chunk (the product of the chunk dimensions);
/// - `fill`: the dataset's fill value as the fill value message stores it (`size` bytes in the
///   datatype's byte order), or `None` when it is undefined. libhdf5 counts the default fill
///   value (zero) as defined, so pass `Some(&[0; size])` to match an h5py dataset without an
///   explicit fill value.
///
/// The fill value is stored as its numeric value's bytes, least significant first, four per
/// client data value from value 8 on (whatever the datatype's byte order).
///
/// # Errors
/// [`Error::Usage`] for a class/scale mismatch, a size the filter does not handle, a bit
/// count above the element width, a fill value of the wrong length, or more than `u32::MAX`
/// elements per chunk.
pub fn params(
    class: NumberClass,
    size: usize,
    big_endian: bool,
    scale: Scale,
    chunk_elems: usize,
    fill: Option<&[u8]>,
) -> Result<Vec<u32>> {
    let size_ok = match class {
        NumberClass::Unsigned | NumberClass::Signed => matches!(size, 1 | 2 | 4 | 8),
        NumberClass::Float => matches!(size, 4 | 8),
    };
    if !size_ok {
        return Err(usage(alloc::format!(
            "scaleoffset: {class:?} of {size} bytes"
        )));
    }
    let (scale_type, factor) = match (class, scale) {
        (NumberClass::Unsigned | NumberClass::Signed, Scale::IntBits(bits)) => {
            if usize_of(bits, WHAT).map_or(true, |b| b > size * 8) {
                return Err(usage(alloc::format!(
                    "scaleoffset: {bits} bits for a {size}-byte integer"
                )));
            }
            (2, bits)
        }
        (NumberClass::Float, Scale::FloatDecimal(d)) => (0, d as u32),
        _ => {
            return Err(usage(alloc::format!(
                "scaleoffset: {scale:?} for {class:?} data"
            )))
        }
    };
    let nelmts = u32::try_from(chunk_elems).map_err(|_| {
        usage(alloc::format!(
            "scaleoffset: {chunk_elems} elements per chunk"
        ))
    })?;
    let mut p = alloc::vec![0u32; 20];
    let head = [
        scale_type,
        factor,
        nelmts,
        u32::from(class == NumberClass::Float),
        u32::try_from(size).unwrap_or(0),
        u32::from(class == NumberClass::Signed),
        u32::from(big_endian),
        u32::from(fill.is_some()),
    ];
    for (d, v) in p.iter_mut().zip(head) {
        *d = v;
    }
    if let Some(f) = fill {
        if f.len() != size {
            return Err(usage(alloc::format!(
                "scaleoffset: fill value of {} bytes for a {size}-byte type",
                f.len()
            )));
        }
        let mut le = f.to_vec();
        if big_endian {
            le.reverse();
        }
        for (d, word) in p.iter_mut().skip(8).zip(le.chunks(4)) {
            let mut b = [0u8; 4];
            for (x, y) in b.iter_mut().zip(word) {
                *x = *y;
            }
            *d = u32::from_le_bytes(b);
        }
    }
    Ok(p)
}

/// The parsed client data, for the encoder.
struct Config {
    kind: Kind,
    signed: bool,
    size: usize,
    /// Bits per element (`size * 8`, at most 64).
    width: u32,
    big_endian: bool,
    nelmts: usize,
    /// Integers: the bit count (0 = per chunk). Floats: `D`.
    factor: i32,
    fill: Option<u64>,
}

fn config(params: &[u32]) -> Result<Config> {
    let get = |i: usize| {
        params
            .get(i)
            .copied()
            .ok_or_else(|| usage(alloc::format!("scaleoffset: client data value {i} missing")))
    };
    let scale_type = get(0)?;
    let factor = get(1)? as i32;
    let nelmts = usize_of(get(2)?, WHAT)?;
    let class = get(3)?;
    let size = usize_of(get(4)?, WHAT)?;
    let signed = get(5)? == 1;
    let big_endian = get(6)? == 1;
    let fill_defined = get(7)? == 1;
    let kind = match (class, size, scale_type) {
        (0, 1 | 2 | 4 | 8, 2) => Kind::Int,
        (1, 4, 0) => Kind::F32,
        (1, 8, 0) => Kind::F64,
        (1, 4 | 8, 1) => return Err(Error::unsupported("scaleoffset E-scaling", 0)),
        _ => {
            return Err(usage(alloc::format!(
                "scaleoffset: class {class}, size {size}, scale type {scale_type}"
            )))
        }
    };
    let fill = if fill_defined {
        let lo = u64::from(get(8)?);
        let hi = if size > 4 { u64::from(get(9)?) } else { 0 };
        Some((hi << 32) | lo)
    } else {
        None
    };
    Ok(Config {
        kind,
        signed,
        size,
        width: u32::try_from(size * 8).map_err(|_| bad(WHAT))?,
        big_endian,
        nelmts,
        factor,
        fill,
    })
}

/// Apply the scale-offset filter to one chunk, as libhdf5 writes it (the layout [`decode`]
/// reads): integers lossless, floats D-scaled.
///
/// Integers: the chunk's minimum and maximum (ignoring fill values) give the bit count
/// `ceil(log2(max - min + 1))`, one more value when a fill value is defined (its code is the
/// all-ones offset); a range too wide stores the elements whole. Floats: each value becomes
/// `round(v * 10^D - min * 10^D)` in the element's own precision, with the bit count from the
/// largest; a scaled range beyond the signed integer of the element's width stores them whole.
///
/// Returns `None` when the filter declines the chunk: floats that are not finite (libhdf5
/// would store garbage; as an optional filter the chunk is then stored unfiltered).
///
/// # Errors
/// [`Error::Usage`] for client data the filter cannot use or a chunk that is not
/// `elements x size` bytes; [`Error::Unsupported`] for E-scaling.
pub fn encode(params: &[u32], input: &[u8]) -> Result<Option<Vec<u8>>> {
    let c = config(params)?;
    let width = c.size * 8;
    if c.kind == Kind::Int {
        let bits = c.factor.max(0);
        if bits as usize > width {
            return Err(usage(alloc::format!(
                "scaleoffset: {bits} bits for {width}-bit data"
            )));
        }
        if bits as usize == width {
            // libhdf5: "no need to process data".
            return Ok(Some(input.to_vec()));
        }
    }
    if c.nelmts.checked_mul(c.size) != Some(input.len()) {
        return Err(usage(alloc::format!(
            "scaleoffset: a chunk of {} bytes for {} elements of {} bytes",
            input.len(),
            c.nelmts,
            c.size
        )));
    }
    let raws: Vec<u64> = input
        .chunks_exact(c.size)
        .map(|e| load(e, c.big_endian))
        .collect();
    let plan = match c.kind {
        Kind::Int => plan_int(&c, &raws),
        Kind::F32 => plan_float::<f32>(&c, &raws),
        Kind::F64 => plan_float::<f64>(&c, &raws),
    };
    let Some(Plan {
        minbits,
        minval,
        offsets,
    }) = plan
    else {
        return Ok(None);
    };
    let mut out = Vec::with_capacity(HEADER + input.len() + 1);
    out.extend_from_slice(&minbits.to_le_bytes());
    out.push(8);
    out.extend_from_slice(&minval.to_le_bytes());
    out.resize(HEADER, 0);
    match offsets {
        None => {
            // Full precision: the elements as they are, little-endian.
            for r in &raws {
                out.extend(r.to_le_bytes().iter().take(c.size));
            }
        }
        Some(offsets) => {
            let body_len = c
                .nelmts
                .checked_mul(usize_of(minbits, WHAT)?)
                .ok_or_else(|| bad(WHAT))?
                / 8
                + 1;
            let mut w = BitWriter::with_capacity(body_len);
            for o in offsets {
                w.write(minbits, o);
            }
            let mut body = w.finish();
            body.resize(body_len, 0);
            out.extend_from_slice(&body);
        }
    }
    Ok(Some(out))
}

/// An element's bits as an unsigned integer (zero-extended).
fn load(e: &[u8], big_endian: bool) -> u64 {
    let mut b = [0u8; 8];
    for (d, s) in b.iter_mut().zip(e) {
        *d = *s;
    }
    if big_endian {
        if let Some(part) = b.get_mut(..e.len()) {
            part.reverse();
        }
    }
    u64::from_le_bytes(b)
}

/// The bit count, the header's minimum and the packed offsets (`None`: elements stored whole).
struct Plan {
    minbits: u32,
    minval: u64,
    offsets: Option<Vec<u64>>,
}

/// libhdf5's `H5Z__scaleoffset_log2`: `ceil(log2(num))`, 1 for 0.
fn ceil_log2(num: u64) -> u32 {
    match num {
        0 => 1,
        n if n.is_power_of_two() => n.trailing_zeros(),
        n => 64 - n.leading_zeros(),
    }
}

fn plan_int(c: &Config, raws: &[u64]) -> Option<Plan> {
    let width = c.width;
    let mask = u64::MAX >> (64 - width);
    // Order-preserving keys: flipping the sign bit maps signed values onto unsigned order.
    let flip = if c.signed { 1u64 << (width - 1) } else { 0 };
    let key = |r: u64| r ^ flip;
    let fill = c.fill.map(|f| f & mask);
    let mut it = raws.iter().copied().filter(|&r| Some(r) != fill).map(key);
    let first = it.next().unwrap_or(key(0));
    let (min_k, max_k) = it.fold((first, first), |(lo, hi), k| (lo.min(k), hi.max(k)));
    let min_raw = min_k ^ flip;
    // The minimum as libhdf5 stores it: sign-extended for signed types.
    let min_val = if c.signed && width < 64 && min_raw & (1 << (width - 1)) != 0 {
        min_raw | !mask
    } else {
        min_raw
    };
    let minbits = if c.factor > 0 {
        c.factor.unsigned_abs()
    } else {
        let diff = max_k - min_k;
        if diff > mask - 2 {
            // libhdf5 returns early here, leaving the stored minimum at 0 (except for signed
            // chars without a fill value).
            let minval = if width == 8 && c.signed && fill.is_none() {
                min_val
            } else {
                0
            };
            return Some(Plan {
                minbits: width,
                minval,
                offsets: None,
            });
        }
        ceil_log2(diff + 1 + u64::from(fill.is_some()))
    };
    if minbits >= width {
        return Some(Plan {
            minbits: width,
            minval: min_val,
            offsets: None,
        });
    }
    let ones = (1u64 << minbits) - 1;
    let offsets = raws
        .iter()
        .map(|&r| {
            if Some(r) == fill {
                ones
            } else {
                key(r).wrapping_sub(min_k) & ones
            }
        })
        .collect();
    Some(Plan {
        minbits,
        minval: min_val,
        offsets: Some(offsets),
    })
}

/// The float operations D-scaling needs, in the element's own precision.
trait Flt: Copy + PartialOrd + core::ops::Mul<Output = Self> + core::ops::Sub<Output = Self> {
    const WIDTH: u32;
    fn from_raw(r: u64) -> Self;
    fn raw(self) -> u64;
    fn pow10(d: i32) -> Self;
    fn finite(self) -> bool;
    fn wide(self) -> f64;
}

impl Flt for f32 {
    const WIDTH: u32 = 32;
    fn from_raw(r: u64) -> Self {
        f32::from_bits(low_u32(r))
    }
    fn raw(self) -> u64 {
        u64::from(self.to_bits())
    }
    fn pow10(d: i32) -> Self {
        #[allow(clippy::cast_possible_truncation)]
        let p = pow10(d) as f32;
        p
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn wide(self) -> f64 {
        f64::from(self)
    }
}

impl Flt for f64 {
    const WIDTH: u32 = 64;
    fn from_raw(r: u64) -> Self {
        f64::from_bits(r)
    }
    fn raw(self) -> u64 {
        self.to_bits()
    }
    fn pow10(d: i32) -> Self {
        pow10(d)
    }
    fn finite(self) -> bool {
        self.is_finite()
    }
    fn wide(self) -> f64 {
        self
    }
}

/// C's `round`: to the nearest integer, halves away from zero (exact for every finite value).
fn round_half_away(x: f64) -> f64 {
    // 2^52: from there on every f64 is an integer.
    const EXACT: f64 = 4_503_599_627_370_496.0;
    if !x.is_finite() || x >= EXACT || x <= -EXACT {
        return x;
    }
    #[allow(clippy::cast_possible_truncation)]
    let t = (x as i64) as f64;
    let frac = x - t;
    if frac >= 0.5 {
        t + 1.0
    } else if frac <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

fn plan_float<T: Flt>(c: &Config, raws: &[u64]) -> Option<Plan> {
    let width = T::WIDTH;
    let p = T::pow10(c.factor);
    let eps = T::pow10(c.factor.saturating_neg());
    let fill = c.fill.map(T::from_raw);
    // libhdf5 treats values within 10^-D of the fill value as the fill value.
    let is_fill = |v: T| match fill {
        Some(f) => {
            let d = v - f;
            d < eps && T::from_raw(0) - d < eps
        }
        None => false,
    };
    let vals: Vec<T> = raws.iter().map(|&r| T::from_raw(r)).collect();
    let mut it = vals.iter().copied().filter(|&v| !is_fill(v));
    let zero = T::from_raw(0);
    let first = it.next().unwrap_or(zero);
    let mut lo = first;
    let mut hi = first;
    for v in core::iter::once(first).chain(it) {
        if !v.finite() {
            return None;
        }
        if v < lo {
            lo = v;
        }
        if v > hi {
            hi = v;
        }
    }
    let range = round_half_away((hi * p - lo * p).wide());
    // The scaled range must fit the signed integer of the element's width.
    let bound = pow10_two(width - 1);
    if range.is_nan() || range > bound {
        return Some(Plan {
            minbits: width,
            minval: 0,
            offsets: None,
        });
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let span = (range as u64).saturating_add(1);
    let minbits = ceil_log2(span.saturating_add(u64::from(fill.is_some())));
    if minbits >= width {
        return Some(Plan {
            minbits: width,
            minval: lo.raw(),
            offsets: None,
        });
    }
    let ones = (1u64 << minbits) - 1;
    let offsets = vals
        .iter()
        .map(|&v| {
            if is_fill(v) {
                ones
            } else {
                let x = round_half_away((v * p - lo * p).wide());
                #[allow(clippy::cast_possible_truncation)]
                let i = x as i64;
                (i as u64) & ones
            }
        })
        .collect();
    Some(Plan {
        minbits,
        minval: lo.raw(),
        offsets: Some(offsets),
    })
}

/// `2^e` as an `f64`.
fn pow10_two(e: u32) -> f64 {
    let mut x = 1.0f64;
    for _ in 0..e.min(1100) {
        x *= 2.0;
    }
    x
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
