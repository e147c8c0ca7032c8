//! The write side of the type model: the file datatype a Rust value is stored as, and its
//! bytes. Numbers are stored little-endian in their own width (what h5py writes for numpy's
//! native types on little-endian machines); `bool` as h5py's enum of `i8` (FALSE = 0,
//! TRUE = 1).

use crate::format::message::datatype::{
    ByteOrder, CharacterSet, Class, Datatype, EnumMember, Float, Integer, MantissaNorm, Member,
    ReferenceType, StringPadding, VlenKind,
};
use alloc::boxed::Box;
use alloc::vec::Vec;

/// A type whose values h5oxide can write: its file datatype and an encoder into file bytes.
pub trait H5Write: Sized {
    /// The datatype a value of this type is stored as.
    fn file_type() -> Datatype;

    /// Append the file bytes of `values` to `out` (each `file_type().size` bytes).
    fn encode(values: &[Self], out: &mut Vec<u8>);
}

/// A little-endian integer datatype of `size` bytes.
pub fn int_type(size: u32, signed: bool) -> Datatype {
    Datatype {
        version: 1,
        size,
        class: Class::FixedPoint(Integer {
            order: ByteOrder::LittleEndian,
            signed,
            lo_pad: false,
            hi_pad: false,
            bit_offset: 0,
            precision: u16::try_from(size.saturating_mul(8)).unwrap_or(u16::MAX),
        }),
    }
}

/// A little-endian IEEE 754 float datatype of 2, 4 or 8 bytes (other sizes: 8).
pub fn float_type(size: u32) -> Datatype {
    let (exp_loc, exp_size, mant_size, bias) = match size {
        2 => (10, 5, 10, 15),
        4 => (23, 8, 23, 127),
        _ => (52, 11, 52, 1023),
    };
    let size = if matches!(size, 2 | 4) { size } else { 8 };
    let bits = u16::try_from(size * 8).unwrap_or(64);
    Datatype {
        version: 1,
        size,
        class: Class::FloatingPoint(Float {
            order: ByteOrder::LittleEndian,
            lo_pad: false,
            hi_pad: false,
            int_pad: false,
            norm: MantissaNorm::Implied,
            sign_location: u8::try_from(bits - 1).unwrap_or(63),
            bit_offset: 0,
            precision: bits,
            exponent_location: exp_loc,
            exponent_size: exp_size,
            mantissa_location: 0,
            mantissa_size: mant_size,
            exponent_bias: bias,
        }),
    }
}

/// h5py's boolean type: an enum of `i8` with members FALSE = 0 and TRUE = 1.
pub fn bool_type() -> Datatype {
    Datatype {
        version: 1,
        size: 1,
        class: Class::Enum {
            base: Box::new(int_type(1, true)),
            members: alloc::vec![
                EnumMember {
                    name: alloc::string::String::from("FALSE"),
                    value: alloc::vec![0],
                },
                EnumMember {
                    name: alloc::string::String::from("TRUE"),
                    value: alloc::vec![1],
                },
            ],
        },
    }
}

/// A fixed-length string type of `size` bytes (NUL-terminated, ASCII or UTF-8), as h5py
/// writes `numpy.bytes_` values.
pub fn fixed_string_type(size: u32, utf8: bool) -> Datatype {
    Datatype {
        version: 1,
        size,
        class: Class::String {
            padding: StringPadding::NULL_TERMINATE,
            charset: if utf8 {
                CharacterSet::UTF8
            } else {
                CharacterSet::ASCII
            },
        },
    }
}

/// A variable-length string type (NUL-terminated; ASCII or UTF-8), as h5py writes `str`
/// values; elements are 16 bytes (length, global heap collection, index) in a file with
/// 8-byte offsets.
pub fn vlen_string_type(utf8: bool) -> Datatype {
    let charset = if utf8 {
        CharacterSet::UTF8
    } else {
        CharacterSet::ASCII
    };
    Datatype {
        version: 1,
        size: 16,
        class: Class::VarLen {
            kind: VlenKind::String {
                padding: StringPadding::NULL_TERMINATE,
                charset,
            },
            // libhdf5 stores the characters' type as an unsigned byte.
            base: Box::new(int_type(1, false)),
        },
    }
}

/// The object reference type (`H5T_STD_REF_OBJ`): an object header address.
pub fn object_ref_type() -> Datatype {
    Datatype {
        version: 1,
        size: 8,
        class: Class::Reference(ReferenceType::OBJECT1),
    }
}

/// A variable-length sequence of `base` (16-byte elements with 8-byte offsets).
pub fn vlen_sequence_type(base: Datatype) -> Datatype {
    Datatype {
        version: 1,
        size: 16,
        class: Class::VarLen {
            kind: VlenKind::Sequence,
            base: Box::new(base),
        },
    }
}

/// A compound type of `(name, offset, type)` members and `size` bytes.
pub fn compound_type(size: u32, members: &[(&str, u64, Datatype)]) -> Datatype {
    Datatype {
        version: 1,
        size,
        class: Class::Compound {
            members: members
                .iter()
                .map(|(name, offset, dtype)| Member {
                    name: alloc::string::String::from(*name),
                    offset: *offset,
                    dtype: dtype.clone(),
                })
                .collect(),
        },
    }
}

macro_rules! write_num {
    ($($t:ty => $dt:expr),* $(,)?) => {$(
        impl H5Write for $t {
            fn file_type() -> Datatype {
                $dt
            }
            fn encode(values: &[Self], out: &mut Vec<u8>) {
                out.reserve(values.len() * core::mem::size_of::<$t>());
                for v in values {
                    out.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
    )*};
}

write_num! {
    i8 => int_type(1, true),
    i16 => int_type(2, true),
    i32 => int_type(4, true),
    i64 => int_type(8, true),
    u8 => int_type(1, false),
    u16 => int_type(2, false),
    u32 => int_type(4, false),
    u64 => int_type(8, false),
    f32 => float_type(4),
    f64 => float_type(8),
    half::f16 => float_type(2),
}

impl H5Write for bool {
    fn file_type() -> Datatype {
        bool_type()
    }
    fn encode(values: &[Self], out: &mut Vec<u8>) {
        out.extend(values.iter().map(|&b| u8::from(b)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_types_are_standard_ieee() {
        for size in [2u32, 4, 8] {
            let t = float_type(size);
            let Class::FloatingPoint(f) = &t.class else {
                panic!("not a float")
            };
            assert!(f.is_standard_ieee(u64::from(size)), "{size}");
        }
    }

    #[test]
    fn values_are_little_endian() {
        let mut out = Vec::new();
        i32::encode(&[1, -2], &mut out);
        assert_eq!(out, [1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff]);
        let mut out = Vec::new();
        bool::encode(&[true, false], &mut out);
        assert_eq!(out, [1, 0]);
        assert_eq!(bool::file_type().size, 1);
    }
}

/// Complex numbers as h5py writes numpy's `complex64` / `complex128`: a compound of `r` and
/// `i` of the part's float type.
macro_rules! write_complex {
    ($($t:ty),*) => {$(
        impl H5Write for super::Complex<$t> {
            fn file_type() -> Datatype {
                let part = <$t as H5Write>::file_type();
                let n = u64::from(part.size);
                compound_type(part.size * 2, &[("r", 0, part.clone()), ("i", n, part)])
            }
            fn encode(values: &[Self], out: &mut Vec<u8>) {
                for v in values {
                    out.extend_from_slice(&v.re.to_le_bytes());
                    out.extend_from_slice(&v.im.to_le_bytes());
                }
            }
        }
    )*};
}

write_complex!(f32, f64);
