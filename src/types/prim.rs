//! Numbers: the conversion loops for integers and floats, and their [`H5Type`] impls.
//!
//! Each loop is chosen once per buffer from the source layout and is monomorphic in both the
//! source and the memory type: same layout (a copy the optimiser turns into `memcpy`), byte
//! swap, widening or narrowing through `i128` with a range check, float rounding. Integers of
//! unusual layouts (bit offset, precision below the storage) and non-IEEE floats take a
//! per-element general path.

use super::plan::{Env, FloatSrc, IntSrc, Kind, Node};
use super::{H5Type, TypeDescriptor};
use crate::error::{Error, Result};
use crate::format::message::datatype::IntValue;
use alloc::vec::Vec;
use half::f16;

/// A fixed-size number read from little- or big-endian bytes.
pub(crate) trait Prim: Copy + Default + 'static {
    /// Bytes.
    const SIZE: usize;
    /// Rust name, for errors.
    const NAME: &'static str;
    /// From `SIZE` little-endian bytes (the default value for any other length).
    fn from_le(b: &[u8]) -> Self;
    /// From `SIZE` big-endian bytes.
    fn from_be(b: &[u8]) -> Self;
}

/// A primitive integer.
pub(crate) trait PrimInt: Prim {
    const SIGNED: bool;
    fn to_i128(self) -> i128;
    fn from_i128(v: i128) -> Option<Self>;
    /// The nearest value of the type to `v`.
    fn clamp_i128(v: i128) -> Self;
}

/// A primitive float.
pub(crate) trait PrimFloat: Prim {
    fn to_f64(self) -> f64;
    /// Rounded to nearest, ties to even.
    fn from_f64(v: f64) -> Self;
    /// Rounded to nearest, ties to even.
    fn from_i128(v: i128) -> Self;
}

macro_rules! prim_bytes {
    ($t:ty, $n:literal, $le:expr, $be:expr) => {
        impl Prim for $t {
            const SIZE: usize = $n;
            const NAME: &'static str = stringify!($t);
            #[inline]
            fn from_le(b: &[u8]) -> Self {
                <[u8; $n]>::try_from(b).map_or(<$t>::default(), $le)
            }
            #[inline]
            fn from_be(b: &[u8]) -> Self {
                <[u8; $n]>::try_from(b).map_or(<$t>::default(), $be)
            }
        }
    };
}

macro_rules! prim_int {
    ($($t:ty, $n:literal, $signed:literal);*) => {$(
        prim_bytes!($t, $n, <$t>::from_le_bytes, <$t>::from_be_bytes);
        impl PrimInt for $t {
            const SIGNED: bool = $signed;
            #[inline]
            fn to_i128(self) -> i128 {
                i128::from(self)
            }
            #[inline]
            fn from_i128(v: i128) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
            #[inline]
            fn clamp_i128(v: i128) -> Self {
                if v < 0 {
                    <$t>::try_from(v).unwrap_or(<$t>::MIN)
                } else {
                    <$t>::try_from(v).unwrap_or(<$t>::MAX)
                }
            }
        }
    )*};
}

prim_int!(i8, 1, true; i16, 2, true; i32, 4, true; i64, 8, true;
          u8, 1, false; u16, 2, false; u32, 4, false; u64, 8, false);

prim_bytes!(f16, 2, |a| f16::from_bits(u16::from_le_bytes(a)), |a| {
    f16::from_bits(u16::from_be_bytes(a))
});
prim_bytes!(f32, 4, f32::from_le_bytes, f32::from_be_bytes);
prim_bytes!(f64, 8, f64::from_le_bytes, f64::from_be_bytes);

impl PrimFloat for f16 {
    #[inline]
    fn to_f64(self) -> f64 {
        f16::to_f64(self)
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        f16::from_f64(v)
    }
    #[inline]
    #[allow(clippy::cast_precision_loss)] // rounding is the conversion
    fn from_i128(v: i128) -> Self {
        // exact in f64 for |v| < 2^53; larger values overflow f16 either way
        f16::from_f64(v as f64)
    }
}

impl PrimFloat for f32 {
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    #[allow(clippy::cast_possible_truncation)] // IEEE rounding to nearest is the conversion
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    #[inline]
    #[allow(clippy::cast_precision_loss)]
    fn from_i128(v: i128) -> Self {
        v as f32
    }
}

impl PrimFloat for f64 {
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline]
    fn from_f64(v: f64) -> Self {
        v
    }
    #[inline]
    #[allow(clippy::cast_precision_loss)]
    fn from_i128(v: i128) -> Self {
        v as f64
    }
}

/// Read every element of `src` as `S` (little- or big-endian) and store `f(value)`.
#[inline]
fn each<S: Prim, T>(
    src: &[u8],
    dst: &mut [T],
    big: bool,
    mut f: impl FnMut(S) -> Result<T>,
) -> Result<()> {
    let chunks = src.chunks_exact(S::SIZE);
    if big {
        for (d, s) in dst.iter_mut().zip(chunks) {
            *d = f(S::from_be(s))?;
        }
    } else {
        for (d, s) in dst.iter_mut().zip(chunks) {
            *d = f(S::from_le(s))?;
        }
    }
    Ok(())
}

/// Same layout: a plain copy (little-endian) or a byte swap (big-endian).
#[inline]
fn copy<T: Prim>(src: &[u8], dst: &mut [T], big: bool) {
    let chunks = src.chunks_exact(T::SIZE);
    if big {
        for (d, s) in dst.iter_mut().zip(chunks) {
            *d = T::from_be(s);
        }
    } else {
        for (d, s) in dst.iter_mut().zip(chunks) {
            *d = T::from_le(s);
        }
    }
}

/// The value of one element of an integer source (any layout).
fn int_value(src: &IntSrc, e: &[u8]) -> Result<i128> {
    match src.int.decode_value(e) {
        Some(IntValue::Signed(v)) => Ok(i128::from(v)),
        Some(IntValue::Unsigned(v)) => Ok(i128::from(v)),
        None => Err(Error::unsupported("integer layout", 0)),
    }
}

/// Dispatch on the fast layout of an integer source: `$body` runs with `$S` the source type.
macro_rules! with_int_src {
    ($src:expr, $S:ident, $body:expr, $general:expr) => {
        match ($src.fast, $src.size) {
            (Some((true, _)), 1) => {
                type $S = i8;
                $body
            }
            (Some((true, _)), 2) => {
                type $S = i16;
                $body
            }
            (Some((true, _)), 4) => {
                type $S = i32;
                $body
            }
            (Some((true, _)), 8) => {
                type $S = i64;
                $body
            }
            (Some((false, _)), 1) => {
                type $S = u8;
                $body
            }
            (Some((false, _)), 2) => {
                type $S = u16;
                $body
            }
            (Some((false, _)), 4) => {
                type $S = u32;
                $body
            }
            (Some((false, _)), 8) => {
                type $S = u64;
                $body
            }
            _ => $general,
        }
    };
}

/// Dispatch on the fast layout of a float source.
macro_rules! with_float_src {
    ($src:expr, $S:ident, $body:expr, $general:expr) => {
        match ($src.fast, $src.size) {
            (Some(_), 2) => {
                type $S = f16;
                $body
            }
            (Some(_), 4) => {
                type $S = f32;
                $body
            }
            (Some(_), 8) => {
                type $S = f64;
                $body
            }
            _ => $general,
        }
    };
}

#[inline]
fn store_int<T: PrimInt>(node: &Node, v: i128, saturate: bool) -> Result<T> {
    match T::from_i128(v) {
        Some(x) => Ok(x),
        None if saturate => Ok(T::clamp_i128(v)),
        None => Err(node.overflow(v, T::NAME)),
    }
}

/// Float to integer: truncation toward zero; NaN and out-of-range values fail (saturate:
/// clamp, NaN to 0).
#[inline]
fn float_to_int<T: PrimInt>(node: &Node, x: f64, saturate: bool) -> Result<T> {
    if x.is_nan() {
        return if saturate {
            Ok(T::default())
        } else {
            Err(node.overflow(x, T::NAME))
        };
    }
    // `as` truncates toward zero and saturates at the i128 range, which holds every T.
    #[allow(clippy::cast_possible_truncation)]
    let v = x as i128;
    match T::from_i128(v) {
        Some(t) => Ok(t),
        None if saturate => Ok(T::clamp_i128(v)),
        None => Err(node.overflow(x, T::NAME)),
    }
}

/// The value of one element of a float source of any layout.
fn float_value(src: &FloatSrc, e: &[u8]) -> Result<f64> {
    src.float
        .decode_f64(e)
        .ok_or_else(|| Error::unsupported("floating-point layout", 0))
}

fn int_slice<T: PrimInt>(node: &Node, src: &[u8], dst: &mut [T], env: &Env<'_>) -> Result<()> {
    let sat = env.saturate;
    match &node.kind {
        Kind::Int(s) => {
            let big = s.fast.is_some_and(|(_, b)| b);
            if s.fast.is_some_and(|(signed, _)| signed == T::SIGNED) && s.size == T::SIZE {
                copy(src, dst, big);
                return Ok(());
            }
            with_int_src!(
                s,
                S,
                each(src, dst, big, |v: S| store_int(node, v.to_i128(), sat)),
                {
                    for (d, e) in dst.iter_mut().zip(node.elements(src)) {
                        *d = store_int(node, int_value(s, e)?, sat)?;
                    }
                    Ok(())
                }
            )
        }
        Kind::Float(s) => {
            let big = s.fast == Some(true);
            with_float_src!(
                s,
                S,
                each(src, dst, big, |v: S| float_to_int(node, v.to_f64(), sat)),
                {
                    for (d, e) in dst.iter_mut().zip(node.elements(src)) {
                        *d = float_to_int(node, float_value(s, e)?, sat)?;
                    }
                    Ok(())
                }
            )
        }
        _ => Err(node.mismatch(T::NAME)),
    }
}

fn float_slice<T: PrimFloat>(node: &Node, src: &[u8], dst: &mut [T], _: &Env<'_>) -> Result<()> {
    match &node.kind {
        Kind::Float(s) => {
            let big = s.fast == Some(true);
            if s.fast.is_some() && s.size == T::SIZE {
                copy(src, dst, big);
                return Ok(());
            }
            with_float_src!(
                s,
                S,
                each(src, dst, big, |v: S| Ok(T::from_f64(v.to_f64()))),
                {
                    for (d, e) in dst.iter_mut().zip(node.elements(src)) {
                        *d = T::from_f64(float_value(s, e)?);
                    }
                    Ok(())
                }
            )
        }
        Kind::Int(s) => {
            let big = s.fast.is_some_and(|(_, b)| b);
            with_int_src!(
                s,
                S,
                each(src, dst, big, |v: S| Ok(T::from_i128(v.to_i128()))),
                {
                    for (d, e) in dst.iter_mut().zip(node.elements(src)) {
                        *d = T::from_i128(int_value(s, e)?);
                    }
                    Ok(())
                }
            )
        }
        _ => Err(node.mismatch(T::NAME)),
    }
}

/// Append the elements of `src` to `out` through `T::decode_slice` (for `Copy` numbers).
fn extend_prim<T: Prim + H5Type>(
    node: &Node,
    src: &[u8],
    out: &mut Vec<T>,
    env: &Env<'_>,
) -> Result<()> {
    let start = out.len();
    out.resize(start + node.count(src), T::default());
    let tail = out.get_mut(start..).unwrap_or_default();
    T::decode_slice(node, src, tail, env)
}

macro_rules! h5type_number {
    ($($t:ty => $slice:ident, $desc:expr);* $(;)?) => {$(
        impl H5Type for $t {
            fn type_descriptor() -> TypeDescriptor {
                $desc
            }
            fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
                let mut v = [<$t>::default()];
                Self::decode_slice(node, elem, &mut v, env)?;
                let [x] = v;
                Ok(x)
            }
            fn decode_slice(
                node: &Node,
                src: &[u8],
                dst: &mut [Self],
                env: &Env<'_>,
            ) -> Result<()> {
                $slice(node, src, dst, env)
            }
            fn decode_extend(
                node: &Node,
                src: &[u8],
                out: &mut Vec<Self>,
                env: &Env<'_>,
            ) -> Result<()> {
                extend_prim(node, src, out, env)
            }
        }
    )*};
}

const fn int_desc(size: usize, signed: bool) -> TypeDescriptor {
    TypeDescriptor::Integer { size, signed }
}

h5type_number! {
    i8 => int_slice, int_desc(1, true);
    i16 => int_slice, int_desc(2, true);
    i32 => int_slice, int_desc(4, true);
    i64 => int_slice, int_desc(8, true);
    u8 => int_slice, int_desc(1, false);
    u16 => int_slice, int_desc(2, false);
    u32 => int_slice, int_desc(4, false);
    u64 => int_slice, int_desc(8, false);
    f16 => float_slice, TypeDescriptor::Float { size: 2 };
    f32 => float_slice, TypeDescriptor::Float { size: 4 };
    f64 => float_slice, TypeDescriptor::Float { size: 8 };
}

impl H5Type for bool {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Bool
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        let Kind::Int(s) = &node.kind else {
            return Err(node.mismatch("bool"));
        };
        let v = with_int_src!(
            s,
            S,
            {
                let big = s.fast.is_some_and(|(_, b)| b);
                let v = if big {
                    <S as Prim>::from_be(elem)
                } else {
                    <S as Prim>::from_le(elem)
                };
                v.to_i128()
            },
            int_value(s, elem)?
        );
        match v {
            0 => Ok(false),
            1 => Ok(true),
            _ if env.saturate => Ok(true),
            _ => Err(node.overflow(v, "bool")),
        }
    }

    fn decode_slice(node: &Node, src: &[u8], dst: &mut [Self], env: &Env<'_>) -> Result<()> {
        for (d, e) in dst.iter_mut().zip(node.elements(src)) {
            *d = Self::decode_element(node, e, env)?;
        }
        Ok(())
    }
}
