//! [`H5Type`] for strings, raw bytes, complex numbers, arrays and variable-length sequences.

use super::plan::{Env, Kind, Node};
use super::prim::{Prim, PrimFloat};
use super::{conv_err, H5Type, TypeDescriptor};
use crate::error::{ConversionErrorKind, Error, Result};
use crate::format::message::datatype::StringPadding;
use alloc::string::String;
use alloc::vec::Vec;
use half::f16;

/// Raw bytes: the stored bytes of an opaque element, or the contents of a string (padding
/// applied, no UTF-8 check). Distinct from `Vec<u8>`, which is a variable-length sequence of
/// `u8`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Bytes(pub Vec<u8>);

impl core::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// A complex number, real part first (the layout of C99 `_Complex`, numpy's `complex64` /
/// `complex128` and of HDF5 2.0's complex class).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
#[repr(C)]
pub struct Complex<T> {
    /// Real part.
    pub re: T,
    /// Imaginary part.
    pub im: T,
}

impl<T> Complex<T> {
    /// `re + im i`.
    pub fn new(re: T, im: T) -> Self {
        Complex { re, im }
    }
}

/// The part types of [`Complex`]: `f16`, `f32`, `f64`.
pub trait ComplexPart: H5Type + sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
    impl Sealed for half::f16 {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

impl ComplexPart for f16 {}
impl ComplexPart for f32 {}
impl ComplexPart for f64 {}

impl<T: ComplexPart + PrimFloat> H5Type for Complex<T> {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Complex {
            part_size: <T as Prim>::SIZE,
        }
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        let Kind::Complex {
            re,
            re_offset,
            im,
            im_offset,
        } = &node.kind
        else {
            return Err(node.mismatch(core::any::type_name::<Self>()));
        };
        let part = |n: &Node, off: usize| {
            off.checked_add(n.size)
                .and_then(|end| elem.get(off..end))
                .ok_or(Error::format(
                    crate::FormatErrorKind::Truncated,
                    "complex element",
                    0,
                ))
                .and_then(|b| T::decode_element(n, b, env))
        };
        Ok(Complex {
            re: part(re, *re_offset)?,
            im: part(im, *im_offset)?,
        })
    }
}

/// The contents of a fixed-length string element: null-terminated and null-padded strings end
/// at the first NUL, space-padded strings lose their trailing spaces (libhdf5 2.0's string
/// conversion does the same).
pub(crate) fn fixed_content(elem: &[u8], padding: StringPadding) -> &[u8] {
    if padding == StringPadding::SPACE_PAD {
        let end = elem.iter().rposition(|&b| b != b' ').map_or(0, |p| p + 1);
        elem.get(..end).unwrap_or_default()
    } else {
        elem.split(|&b| b == 0).next().unwrap_or_default()
    }
}

/// The content bytes of a string element (fixed or variable-length) or an opaque element.
fn string_bytes(node: &Node, elem: &[u8], env: &Env<'_>, to: &str) -> Result<Vec<u8>> {
    match &node.kind {
        Kind::FixedString(p) => Ok(fixed_content(elem, *p).to_vec()),
        Kind::VlenString => {
            let mut b = env.vlen_bytes(elem, 1)?;
            // libhdf5 hands variable-length strings over as C strings
            if let Some(nul) = b.iter().position(|&x| x == 0) {
                b.truncate(nul);
            }
            Ok(b)
        }
        Kind::Opaque if to == "Bytes" => Ok(elem.to_vec()),
        _ => Err(node.mismatch(to)),
    }
}

impl H5Type for String {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::String
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        let b = string_bytes(node, elem, env, "String")?;
        String::from_utf8(b)
            .map_err(|_| conv_err(ConversionErrorKind::InvalidUtf8, &node.from, "String"))
    }
}

impl H5Type for Bytes {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Bytes
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        string_bytes(node, elem, env, "Bytes").map(Bytes)
    }
}

impl<T: H5Type> H5Type for Vec<T> {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::VarLen(alloc::boxed::Box::new(T::type_descriptor()))
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        let Kind::VarLen(base) = &node.kind else {
            return Err(node.mismatch("Vec"));
        };
        let bytes = env.vlen_bytes(elem, base.size)?;
        let mut out = Vec::with_capacity(base.count(&bytes));
        T::decode_extend(base, &bytes, &mut out, env)?;
        Ok(out)
    }
}

impl<T: H5Type, const N: usize> H5Type for [T; N] {
    fn type_descriptor() -> TypeDescriptor {
        TypeDescriptor::Array {
            len: N,
            elem: alloc::boxed::Box::new(T::type_descriptor()),
        }
    }

    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        let Kind::Array { len, base } = &node.kind else {
            return Err(node.mismatch("array"));
        };
        if *len != N {
            return Err(node.mismatch("array"));
        }
        let mut v = Vec::with_capacity(N);
        T::decode_extend(base, elem, &mut v, env)?;
        <[T; N]>::try_from(v).map_err(|_| node.mismatch("array"))
    }

    fn decode_slice(node: &Node, src: &[u8], dst: &mut [Self], env: &Env<'_>) -> Result<()> {
        let Kind::Array { len, base } = &node.kind else {
            return Err(node.mismatch("array"));
        };
        if *len != N {
            return Err(node.mismatch("array"));
        }
        // whole arrays straight into the destination: the element loop is T's own
        for (d, e) in dst.iter_mut().zip(node.elements(src)) {
            T::decode_slice(base, e, d.as_mut_slice(), env)?;
        }
        Ok(())
    }
}
