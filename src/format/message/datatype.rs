//! The Datatype message (spec: "Datatype Message", header message type 0x0003), versions 1 to 5,
//! every class from 0 (fixed-point) to 11 (complex).
//!
//! Every encoded datatype starts with the same eight bytes: one byte holding the class (low
//! nibble) and the version (high nibble), a 24-bit class bit field, and the 32-bit element size.
//! Class-specific properties follow. Compound, enum, variable-length, array and complex types
//! embed further encoded datatypes, each with its own header and version. The version of the
//! *enclosing* type decides how member names and offsets are laid out:
//! - version 1: compound members carry an optional 4-dimension array description; names are
//!   NUL-terminated and padded to a multiple of eight bytes;
//! - version 2: the array description is gone (arrays are class 10 types);
//! - version 3 and later: names are not padded and compound member offsets use the fewest bytes
//!   that can hold the compound size; array types drop the permutation indices;
//! - version 4: revised (1.12) references; version 5: complex numbers (HDF5 2.0). libhdf5 2.0
//!   also writes compound, enum and array types as version 5 under `libver='latest'`, laid out
//!   as version 3.
//!
//! See `spec-notes/datatypes.md` for the details and the libhdf5 behaviours found.

use super::super::cursor::bytes_needed;
use super::super::{Cursor, Encoder};
use crate::error::{Error, FormatErrorKind, Result};
use crate::limits::Limits;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// The datatype class number (bits 0-3 of the first byte): an open newtype, so unknown classes
/// are representable and printable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DatatypeClass(pub u8);

#[allow(missing_docs)]
impl DatatypeClass {
    pub const FIXED_POINT: Self = Self(0);
    pub const FLOATING_POINT: Self = Self(1);
    pub const TIME: Self = Self(2);
    pub const STRING: Self = Self(3);
    pub const BITFIELD: Self = Self(4);
    pub const OPAQUE: Self = Self(5);
    pub const COMPOUND: Self = Self(6);
    pub const REFERENCE: Self = Self(7);
    pub const ENUM: Self = Self(8);
    pub const VARIABLE_LENGTH: Self = Self(9);
    pub const ARRAY: Self = Self(10);
    pub const COMPLEX: Self = Self(11);
}

impl core::fmt::Display for DatatypeClass {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "datatype class {}", self.0)
    }
}

/// Byte order of an atomic type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Least significant byte first.
    LittleEndian,
    /// Most significant byte first.
    BigEndian,
    /// VAX order (floating-point only, datatype version 3+): little-endian 16-bit words stored
    /// most significant word first.
    Vax,
}

/// String padding (strings, and variable-length strings): an open newtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StringPadding(pub u8);

impl StringPadding {
    /// NUL-terminated (the terminator may be dropped when the string fills the field).
    pub const NULL_TERMINATE: Self = Self(0);
    /// Padded with NULs, no terminator required.
    pub const NULL_PAD: Self = Self(1);
    /// Padded with spaces (Fortran style).
    pub const SPACE_PAD: Self = Self(2);
}

/// Character set of a string: an open newtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CharacterSet(pub u8);

impl CharacterSet {
    /// US-ASCII.
    pub const ASCII: Self = Self(0);
    /// UTF-8.
    pub const UTF8: Self = Self(1);
}

/// Reference type (bits 0-3 of a reference class bit field; libhdf5's `H5R_type_t`): an open
/// newtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ReferenceType(pub u8);

impl ReferenceType {
    /// Old object reference (`H5R_OBJECT1`): an object header address.
    pub const OBJECT1: Self = Self(0);
    /// Old dataset region reference (`H5R_DATASET_REGION1`): a global heap id.
    pub const DATASET_REGION1: Self = Self(1);
    /// Revised object reference (`H5R_OBJECT2`, 1.12).
    pub const OBJECT2: Self = Self(2);
    /// Revised dataset region reference (`H5R_DATASET_REGION2`, 1.12).
    pub const DATASET_REGION2: Self = Self(3);
    /// Revised attribute reference (`H5R_ATTR`, 1.12).
    pub const ATTR: Self = Self(4);

    /// True for the revised (1.12, `H5T_STD_REF`) references, whose stored elements carry
    /// their own per-element reference type.
    pub fn is_revised(self) -> bool {
        matches!(self.0, 2..=4)
    }
}

/// Floating-point mantissa normalization (bits 4-5 of the class bit field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MantissaNorm {
    /// No normalization: the mantissa field is a plain fraction.
    None,
    /// The most significant mantissa bit is always set (and stored), as in x87 long double.
    MsbSet,
    /// The most significant bit is implied, not stored (IEEE 754).
    Implied,
}

/// Properties of a fixed-point (class 0) or bitfield (class 4) type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Integer {
    /// Byte order (never [`ByteOrder::Vax`]).
    pub order: ByteOrder,
    /// Two's complement signed (always false for bitfields).
    pub signed: bool,
    /// Padding bits below the value are ones.
    pub lo_pad: bool,
    /// Padding bits above the value are ones.
    pub hi_pad: bool,
    /// Bit position of the first significant bit.
    pub bit_offset: u16,
    /// Number of significant bits.
    pub precision: u16,
}

/// Properties of a floating-point (class 1) type. Bit positions are relative to `bit_offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Float {
    /// Byte order.
    pub order: ByteOrder,
    /// Padding bits below the value are ones.
    pub lo_pad: bool,
    /// Padding bits above the value are ones.
    pub hi_pad: bool,
    /// Unused bits inside the value are ones.
    pub int_pad: bool,
    /// Mantissa normalization.
    pub norm: MantissaNorm,
    /// Bit position of the sign bit.
    pub sign_location: u8,
    /// Bit position of the first significant bit.
    pub bit_offset: u16,
    /// Number of significant bits.
    pub precision: u16,
    /// Bit position of the exponent field.
    pub exponent_location: u8,
    /// Bits in the exponent field.
    pub exponent_size: u8,
    /// Bit position of the mantissa field.
    pub mantissa_location: u8,
    /// Bits in the mantissa field.
    pub mantissa_size: u8,
    /// Exponent bias.
    pub exponent_bias: u32,
}

impl Float {
    /// Whether this is the standard IEEE 754 binary16/32/64 layout for an element of `size`
    /// bytes, in little- or big-endian order (padding flags do not matter: no bit is padding).
    pub fn is_standard_ieee(&self, size: u64) -> bool {
        let (sign, epos, esize, msize, bias) = match size {
            2 => (15, 10, 5, 10, 15),
            4 => (31, 23, 8, 23, 127),
            8 => (63, 52, 11, 52, 1023),
            _ => return false,
        };
        self.order != ByteOrder::Vax
            && self.norm == MantissaNorm::Implied
            && self.bit_offset == 0
            && u64::from(self.precision) == 8 * size
            && self.sign_location == sign
            && self.exponent_location == epos
            && self.exponent_size == esize
            && self.mantissa_location == 0
            && self.mantissa_size == msize
            && self.exponent_bias == bias
    }
}

/// One member of a compound type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Member {
    /// Member name.
    pub name: String,
    /// Byte offset of the member inside the compound element.
    pub offset: u64,
    /// Member type. A version 1 member with array dimensions is given as an
    /// [`Class::Array`] of its stored type, as libhdf5 does.
    pub dtype: Datatype,
}

/// One member of an enumeration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EnumMember {
    /// Member name.
    pub name: String,
    /// Raw value bytes, encoded as the base type (its size, its byte order).
    pub value: Vec<u8>,
}

/// What a variable-length type holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VlenKind {
    /// A sequence of base-type elements.
    Sequence,
    /// A string (the base type is a one-byte character type).
    String {
        /// Padding type.
        padding: StringPadding,
        /// Character set.
        charset: CharacterSet,
    },
}

/// The class and class-specific properties of a datatype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Class {
    /// Class 0: integers.
    FixedPoint(Integer),
    /// Class 1: floating point.
    FloatingPoint(Float),
    /// Class 2: time (`H5T_UNIX_D*`): byte order and precision only.
    Time {
        /// Byte order.
        order: ByteOrder,
        /// Number of significant bits.
        precision: u16,
    },
    /// Class 3: fixed-length strings.
    String {
        /// Padding type.
        padding: StringPadding,
        /// Character set.
        charset: CharacterSet,
    },
    /// Class 4: bitfields (`signed` is always false).
    Bitfield(Integer),
    /// Class 5: opaque bytes with an optional tag.
    Opaque {
        /// The tag, up to its first NUL.
        tag: Vec<u8>,
    },
    /// Class 6: compound (record) types.
    Compound {
        /// Members in stored order.
        members: Vec<Member>,
    },
    /// Class 7: references.
    Reference(ReferenceType),
    /// Class 8: enumerations.
    Enum {
        /// The integer base type.
        base: Box<Datatype>,
        /// Members in stored order.
        members: Vec<EnumMember>,
    },
    /// Class 9: variable-length sequences and strings.
    VarLen {
        /// Sequence or string.
        kind: VlenKind,
        /// Element type (a one-byte character type for strings).
        base: Box<Datatype>,
    },
    /// Class 10: fixed-size arrays.
    Array {
        /// Dimension sizes, slowest-varying first.
        dims: Vec<u32>,
        /// Element type.
        base: Box<Datatype>,
    },
    /// Class 11 (HDF5 2.0): complex numbers, real part then imaginary part, both of `base`.
    Complex {
        /// The floating-point type of each part.
        base: Box<Datatype>,
    },
}

/// A decoded datatype: an element's layout as stored in the file.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Datatype {
    /// Datatype message version of this (possibly nested) type, 1..=5.
    pub version: u8,
    /// Element size in bytes as stored.
    pub size: u32,
    /// Class and properties.
    pub class: Class,
}

/// The deepest nesting of datatypes decoded (a compound of arrays of vlens ... counts each level).
pub const MAX_DEPTH: u32 = 64;

/// Largest array rank (libhdf5's `H5S_MAX_RANK`).
pub const MAX_ARRAY_RANK: usize = 32;

impl Datatype {
    /// Decode one encoded datatype from `c`, consuming exactly its bytes (nested types
    /// included), nesting at most [`MAX_DEPTH`] levels.
    ///
    /// # Errors
    /// `Truncated` when the bytes run out; `BadVersion`; `InvalidValue` for inconsistent sizes
    /// (member beyond the compound, precision beyond the element, array size not the product of
    /// its dimensions, ...); [`Error::Unsupported`] for unknown classes and complex forms other
    /// than homogeneous rectangular; [`Error::LimitExceeded`] (`max_depth`) for deeper nesting.
    pub fn decode(c: &mut Cursor<'_>) -> Result<Datatype> {
        decode_at_depth(c, 0, MAX_DEPTH)
    }

    /// As [`Datatype::decode`], with the nesting cap taken from `limits.max_depth`.
    ///
    /// # Errors
    /// As [`Datatype::decode`].
    pub fn decode_with_limits(c: &mut Cursor<'_>, limits: &Limits) -> Result<Datatype> {
        decode_at_depth(c, 0, limits.max_depth)
    }

    /// Whether two datatypes describe the same element layout, whatever message versions
    /// encoded them (a version 1 and a version 3 compound with equal members are the same).
    pub fn same_layout(&self, other: &Datatype) -> bool {
        self.without_versions() == other.without_versions()
    }

    fn without_versions(&self) -> Datatype {
        let mut t = self.clone();
        t.clear_versions();
        t
    }

    fn clear_versions(&mut self) {
        self.version = 0;
        match &mut self.class {
            Class::Compound { members } => {
                members.iter_mut().for_each(|m| m.dtype.clear_versions())
            }
            Class::Enum { base, .. }
            | Class::VarLen { base, .. }
            | Class::Array { base, .. }
            | Class::Complex { base } => base.clear_versions(),
            _ => {}
        }
    }

    /// Element size in bytes as stored.
    pub fn size(&self) -> u64 {
        u64::from(self.size)
    }

    /// The class number.
    pub fn class_id(&self) -> DatatypeClass {
        DatatypeClass(match self.class {
            Class::FixedPoint(_) => 0,
            Class::FloatingPoint(_) => 1,
            Class::Time { .. } => 2,
            Class::String { .. } => 3,
            Class::Bitfield(_) => 4,
            Class::Opaque { .. } => 5,
            Class::Compound { .. } => 6,
            Class::Reference(_) => 7,
            Class::Enum { .. } => 8,
            Class::VarLen { .. } => 9,
            Class::Array { .. } => 10,
            Class::Complex { .. } => 11,
        })
    }
}

fn order_bit(flags: u32) -> ByteOrder {
    if flags & 1 != 0 {
        ByteOrder::BigEndian
    } else {
        ByteOrder::LittleEndian
    }
}

/// The low byte of `v`.
fn low_u8(v: u32) -> u8 {
    let [b, ..] = v.to_le_bytes();
    b
}

fn bit(flags: u32, n: u32) -> bool {
    (flags >> n) & 1 != 0
}

/// The name of a compound or enum member: NUL-terminated, padded to a multiple of eight bytes
/// (counting the NUL) before version 3.
fn member_name(c: &mut Cursor<'_>, version: u8) -> Result<String> {
    let start = c.pos();
    let raw = c.cstr()?;
    if version < 3 {
        c.align(start, 8)?;
    }
    Ok(String::from_utf8_lossy(raw).into_owned())
}

fn check(cond: bool, at: u64, what: &'static str) -> Result<()> {
    if cond {
        Ok(())
    } else {
        Err(Error::format(FormatErrorKind::InvalidValue, what, at))
    }
}

fn decode_at_depth(c: &mut Cursor<'_>, depth: u32, max_depth: u32) -> Result<Datatype> {
    if depth >= max_depth {
        return Err(Error::LimitExceeded {
            limit: "max_depth",
            value: u64::from(depth) + 1,
            max: u64::from(max_depth),
        });
    }
    let at = c.addr();
    let head = c.u8()?;
    let class = DatatypeClass(head & 0x0f);
    let version = head >> 4;
    let flags = u32::try_from(c.uint(3)?).unwrap_or(0);
    if !(1..=5).contains(&version) {
        return Err(Error::format(
            FormatErrorKind::BadVersion,
            "datatype message version",
            at,
        ));
    }
    let size = c.u32()?;
    let bits = u64::from(size) * 8;
    let nested = |c: &mut Cursor<'_>| decode_at_depth(c, depth + 1, max_depth);

    let class = match class {
        DatatypeClass::FIXED_POINT | DatatypeClass::BITFIELD => {
            let int = Integer {
                order: order_bit(flags),
                signed: class == DatatypeClass::FIXED_POINT && bit(flags, 3),
                lo_pad: bit(flags, 1),
                hi_pad: bit(flags, 2),
                bit_offset: c.u16()?,
                precision: c.u16()?,
            };
            check(
                int.precision > 0 && u64::from(int.bit_offset) + u64::from(int.precision) <= bits,
                at,
                "datatype integer precision and offset",
            )?;
            if class == DatatypeClass::FIXED_POINT {
                Class::FixedPoint(int)
            } else {
                Class::Bitfield(int)
            }
        }
        DatatypeClass::FLOATING_POINT => {
            let order = match (bit(flags, 0), bit(flags, 6)) {
                (false, false) => ByteOrder::LittleEndian,
                (true, false) => ByteOrder::BigEndian,
                (true, true) => ByteOrder::Vax,
                (false, true) => return Err(Error::invalid("datatype float byte order", at)),
            };
            let norm = match (flags >> 4) & 3 {
                0 => MantissaNorm::None,
                1 => MantissaNorm::MsbSet,
                2 => MantissaNorm::Implied,
                _ => return Err(Error::invalid("datatype float mantissa normalization", at)),
            };
            let f = Float {
                order,
                lo_pad: bit(flags, 1),
                hi_pad: bit(flags, 2),
                int_pad: bit(flags, 3),
                norm,
                sign_location: low_u8(flags >> 8),
                bit_offset: c.u16()?,
                precision: c.u16()?,
                exponent_location: c.u8()?,
                exponent_size: c.u8()?,
                mantissa_location: c.u8()?,
                mantissa_size: c.u8()?,
                exponent_bias: c.u32()?,
            };
            let prec = u32::from(f.precision);
            check(
                f.precision > 0 && u64::from(f.bit_offset) + u64::from(f.precision) <= bits,
                at,
                "datatype float precision and offset",
            )?;
            check(
                u32::from(f.sign_location) < prec
                    && f.exponent_size > 0
                    && f.exponent_size <= 64
                    && u32::from(f.exponent_location) + u32::from(f.exponent_size) <= prec
                    && f.mantissa_size > 0
                    && u32::from(f.mantissa_location) + u32::from(f.mantissa_size) <= prec,
                at,
                "datatype float field locations",
            )?;
            Class::FloatingPoint(f)
        }
        DatatypeClass::TIME => {
            let precision = c.u16()?;
            check(
                precision > 0 && u64::from(precision) <= bits,
                at,
                "datatype time precision",
            )?;
            Class::Time {
                order: order_bit(flags),
                precision,
            }
        }
        DatatypeClass::STRING => {
            check(size > 0, at, "datatype string size")?;
            Class::String {
                padding: StringPadding(low_u8(flags & 0x0f)),
                charset: CharacterSet(low_u8((flags >> 4) & 0x0f)),
            }
        }
        DatatypeClass::OPAQUE => {
            check(size > 0, at, "datatype opaque size")?;
            let n = usize::from(low_u8(flags));
            let raw = c.bytes(n)?;
            let tag = raw.iter().take_while(|&&b| b != 0).copied().collect();
            Class::Opaque { tag }
        }
        DatatypeClass::COMPOUND => {
            let n = flags & 0xffff;
            let offset_width = bytes_needed(u64::from(size));
            let mut members = Vec::new();
            for _ in 0..n {
                let member_at = c.addr();
                let name = member_name(c, version)?;
                let offset = if version >= 3 {
                    c.uint(offset_width)?
                } else {
                    u64::from(c.u32()?)
                };
                let mut v1_dims = Vec::new();
                if version == 1 {
                    let ndims = usize::from(c.u8()?);
                    c.skip(3)?; // reserved
                    let _permutation = c.u32()?;
                    c.skip(4)?; // reserved
                    let dims = [c.u32()?, c.u32()?, c.u32()?, c.u32()?];
                    check(
                        ndims <= 4,
                        member_at,
                        "datatype compound member dimensionality",
                    )?;
                    v1_dims.extend(dims.iter().take(ndims));
                }
                let mut dtype = nested(c)?;
                if !v1_dims.is_empty() {
                    dtype = array_of(v1_dims, dtype, member_at)?;
                }
                let end = offset.checked_add(dtype.size());
                check(
                    end.is_some_and(|e| e <= u64::from(size)),
                    member_at,
                    "datatype compound member offset and size",
                )?;
                members.push(Member {
                    name,
                    offset,
                    dtype,
                });
            }
            Class::Compound { members }
        }
        DatatypeClass::REFERENCE => Class::Reference(ReferenceType(low_u8(flags & 0x0f))),
        DatatypeClass::ENUM => {
            let n = flags & 0xffff;
            let base = nested(c)?;
            check(
                matches!(base.class, Class::FixedPoint(_)),
                at,
                "datatype enum base class",
            )?;
            check(base.size == size, at, "datatype enum size")?;
            let mut names = Vec::new();
            for _ in 0..n {
                names.push(member_name(c, version)?);
            }
            let width = usize::try_from(base.size)
                .map_err(|_| Error::format(FormatErrorKind::Overflow, "datatype enum size", at))?;
            let mut members = Vec::with_capacity(names.len());
            for name in names {
                let value = c.bytes(width)?.to_vec();
                members.push(EnumMember { name, value });
            }
            Class::Enum {
                base: Box::new(base),
                members,
            }
        }
        DatatypeClass::VARIABLE_LENGTH => {
            let kind = match flags & 0x0f {
                0 => VlenKind::Sequence,
                1 => VlenKind::String {
                    padding: StringPadding(low_u8((flags >> 4) & 0x0f)),
                    charset: CharacterSet(low_u8((flags >> 8) & 0x0f)),
                },
                _ => return Err(Error::invalid("datatype variable-length type", at)),
            };
            Class::VarLen {
                kind,
                base: Box::new(nested(c)?),
            }
        }
        DatatypeClass::ARRAY => {
            if version < 2 {
                return Err(Error::format(
                    FormatErrorKind::BadVersion,
                    "datatype array version",
                    at,
                ));
            }
            let ndims = usize::from(c.u8()?);
            check(
                (1..=MAX_ARRAY_RANK).contains(&ndims),
                at,
                "datatype array rank",
            )?;
            if version == 2 {
                c.skip(3)?; // reserved
            }
            let mut dims = Vec::with_capacity(ndims);
            for _ in 0..ndims {
                dims.push(c.u32()?);
            }
            if version == 2 {
                c.skip(4 * ndims)?; // permutation indices, unused by libhdf5
            }
            let base = nested(c)?;
            let arr = array_of(dims, base, at)?;
            check(arr.size == size, at, "datatype array size")?;
            arr.class
        }
        DatatypeClass::COMPLEX => {
            if version < 5 {
                return Err(Error::format(
                    FormatErrorKind::BadVersion,
                    "datatype complex version",
                    at,
                ));
            }
            if flags & 1 == 0 {
                return Err(Error::unsupported(
                    "heterogeneous complex number datatype",
                    at,
                ));
            }
            if (flags >> 1) & 3 != 0 {
                return Err(Error::unsupported(
                    "non-rectangular complex number datatype",
                    at,
                ));
            }
            let base = nested(c)?;
            check(
                matches!(base.class, Class::FloatingPoint(_)),
                at,
                "datatype complex base class",
            )?;
            check(
                base.size().checked_mul(2) == Some(u64::from(size)),
                at,
                "datatype complex size",
            )?;
            Class::Complex {
                base: Box::new(base),
            }
        }
        other => {
            return Err(Error::unsupported(alloc::format!("{other}"), at));
        }
    };
    Ok(Datatype {
        version,
        size,
        class,
    })
}

/// An array type of `dims` over `base`, its size the product (checked against overflow).
fn array_of(dims: Vec<u32>, base: Datatype, at: u64) -> Result<Datatype> {
    let mut n = base.size();
    for &d in &dims {
        if d == 0 {
            return Err(Error::invalid("datatype array dimension", at));
        }
        n = n.checked_mul(u64::from(d)).ok_or(Error::format(
            FormatErrorKind::Overflow,
            "datatype array size",
            at,
        ))?;
    }
    let size = u32::try_from(n)
        .map_err(|_| Error::format(FormatErrorKind::Overflow, "datatype array size", at))?;
    Ok(Datatype {
        version: base.version.max(2),
        size,
        class: Class::Array {
            dims,
            base: Box::new(base),
        },
    })
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/// A usage error: the value cannot be encoded as asked.
fn usage(msg: impl Into<String>) -> Error {
    Error::Usage(msg.into())
}

fn order_flags(order: ByteOrder) -> u32 {
    match order {
        ByteOrder::LittleEndian => 0,
        ByteOrder::BigEndian => 1,
        ByteOrder::Vax => 1 | (1 << 6),
    }
}

fn integer_flags(i: &Integer) -> u32 {
    order_flags(i.order)
        | u32::from(i.lo_pad) << 1
        | u32::from(i.hi_pad) << 2
        | u32::from(i.signed) << 3
}

/// Write a member name: NUL-terminated, padded with zeros so that name and NUL fill a multiple
/// of eight bytes before version 3.
fn encode_member_name(e: &mut Encoder, name: &str, version: u8) -> Result<()> {
    if name.as_bytes().contains(&0) {
        return Err(usage("datatype member name contains a NUL byte"));
    }
    let start = e.len();
    e.bytes(name.as_bytes()).u8(0);
    if version < 3 {
        e.align(start, 8);
    }
    Ok(())
}

fn count_u16(n: usize, what: &str) -> Result<u32> {
    u16::try_from(n)
        .map(u32::from)
        .map_err(|_| usage(alloc::format!("{what}: {n} members (at most 65535)")))
}

impl Datatype {
    /// Encode this datatype (spec: "Datatype Message") in the version each (nested) type
    /// carries in its [`Datatype::version`] field; the version of an enclosing type decides
    /// how its member names and offsets are laid out (see the module docs). Use
    /// [`Datatype::assign_versions`] to pick the versions of a writer profile.
    ///
    /// The encoding is exactly the one libhdf5 writes for the same type and versions: compound
    /// members of an array class inside a version 1 compound use the version 1 dimension
    /// fields; version 2 array permutation indices are the identity; opaque tags are NUL-padded
    /// to a multiple of eight bytes; revised references carry encoding version 1.
    ///
    /// # Errors
    /// [`Error::Usage`] when the type cannot be written in its version (version outside 1..=5,
    /// an array below version 2, complex below version 5, a revised reference below version
    /// 4, a version 1 compound array member of rank above 4, more than 65535 members, an
    /// opaque tag over 255 bytes, a member name with a NUL byte, a member offset too wide).
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        encode_at_depth(self, e, 0)
    }

    /// Set the message version of this type and every nested type the way libhdf5 does for a
    /// writer profile: `container` is the version given to compound, enum and array types
    /// (1 for libver earliest; 3 for v108/v110; 4 for v112/v114; 5 for libhdf5 2.0 latest).
    /// Atomic types stay version 1 (libhdf5 never upgrades them), revised references are
    /// version 4, complex types version 5, arrays at least 2, a compound holding an array
    /// member at least 2, and a compound, enum, array or variable-length type never below
    /// the versions of the types it holds; the compound, enum and array types inside a
    /// compound are raised to its version (libhdf5 upgrades a compound's whole member tree
    /// when an array member upgrades it; as h5py builds types, members inserted after that
    /// upgrade would keep their version: such types are not reproduced).
    pub fn assign_versions(&mut self, container: u8) {
        let v = match &mut self.class {
            Class::FixedPoint(_)
            | Class::FloatingPoint(_)
            | Class::Time { .. }
            | Class::String { .. }
            | Class::Bitfield(_)
            | Class::Opaque { .. } => 1,
            Class::Reference(r) => {
                if r.is_revised() {
                    4
                } else {
                    1
                }
            }
            Class::Compound { members } => {
                let mut v = container.max(1);
                for m in members.iter_mut() {
                    m.dtype.assign_versions(container);
                    v = v.max(m.dtype.version);
                    if matches!(m.dtype.class, Class::Array { .. }) {
                        v = v.max(2);
                    }
                }
                // libhdf5 upgrades the whole member tree with the compound.
                for m in members.iter_mut() {
                    m.dtype.upgrade(v);
                }
                v
            }
            Class::Enum { base, .. } => {
                base.assign_versions(container);
                container.max(1).max(base.version)
            }
            Class::VarLen { base, .. } => {
                base.assign_versions(container);
                base.version.max(1)
            }
            Class::Array { base, .. } => {
                base.assign_versions(container);
                container.max(2).max(base.version)
            }
            Class::Complex { base } => {
                base.assign_versions(container);
                5
            }
        };
        self.version = v;
    }

    /// Raise the versions of the compound, enum and array types in this tree to at least `v`
    /// (what libhdf5's version upgrade of an enclosing compound does).
    fn upgrade(&mut self, v: u8) {
        match &mut self.class {
            Class::Compound { members } => {
                self.version = self.version.max(v);
                members.iter_mut().for_each(|m| m.dtype.upgrade(v));
            }
            Class::Enum { base, .. } | Class::Array { base, .. } => {
                self.version = self.version.max(v);
                base.upgrade(v);
            }
            Class::VarLen { base, .. } | Class::Complex { base } => base.upgrade(v),
            _ => {}
        }
    }
}

fn encode_at_depth(t: &Datatype, e: &mut Encoder, depth: u32) -> Result<()> {
    if depth >= MAX_DEPTH {
        return Err(usage("datatype nesting deeper than MAX_DEPTH"));
    }
    let version = t.version;
    if !(1..=5).contains(&version) {
        return Err(usage(alloc::format!("datatype version {version}")));
    }
    let class = t.class_id();
    let head = e.len();
    // Class and version, then the class bit field, patched below once known.
    e.u8(class.0 | (version << 4)).uint(0, 3).u32(t.size);
    let nested = |e: &mut Encoder, b: &Datatype| encode_at_depth(b, e, depth + 1);
    let flags: u32 = match &t.class {
        Class::FixedPoint(i) | Class::Bitfield(i) => {
            e.u16(i.bit_offset).u16(i.precision);
            let f = integer_flags(i);
            if class == DatatypeClass::BITFIELD {
                f & !(1 << 3)
            } else {
                f
            }
        }
        Class::FloatingPoint(f) => {
            e.u16(f.bit_offset)
                .u16(f.precision)
                .u8(f.exponent_location)
                .u8(f.exponent_size)
                .u8(f.mantissa_location)
                .u8(f.mantissa_size)
                .u32(f.exponent_bias);
            let norm: u32 = match f.norm {
                MantissaNorm::None => 0,
                MantissaNorm::MsbSet => 1,
                MantissaNorm::Implied => 2,
            };
            order_flags(f.order)
                | u32::from(f.lo_pad) << 1
                | u32::from(f.hi_pad) << 2
                | u32::from(f.int_pad) << 3
                | norm << 4
                | u32::from(f.sign_location) << 8
        }
        Class::Time { order, precision } => {
            e.u16(*precision);
            order_flags(*order) & 1
        }
        Class::String { padding, charset } => {
            u32::from(padding.0 & 0x0f) | u32::from(charset.0 & 0x0f) << 4
        }
        Class::Opaque { tag } => {
            let field = tag.len().div_ceil(8) * 8;
            let n = u8::try_from(field)
                .map_err(|_| usage("datatype opaque tag longer than 248 bytes"))?;
            let start = e.len();
            e.bytes(tag);
            e.align(start, 8);
            u32::from(n)
        }
        Class::Compound { members } => {
            let n = count_u16(members.len(), "datatype compound")?;
            let width = bytes_needed(u64::from(t.size));
            for m in members {
                encode_member_name(e, &m.name, version)?;
                if version >= 3 {
                    e.uint_checked(m.offset, width, "datatype compound member offset")?;
                } else {
                    e.uint_checked(m.offset, 4, "datatype compound member offset")?;
                }
                match (&m.dtype.class, version) {
                    (Class::Array { dims, base }, 1) => {
                        let ndims = u8::try_from(dims.len())
                            .ok()
                            .filter(|&n| n <= 4)
                            .ok_or(usage("version 1 compound array member of rank above 4"))?;
                        e.u8(ndims).zeros(3).u32(0).zeros(4);
                        for k in 0..4 {
                            e.u32(dims.get(k).copied().unwrap_or(0));
                        }
                        nested(e, base)?;
                    }
                    (_, 1) => {
                        e.zeros(28);
                        nested(e, &m.dtype)?;
                    }
                    _ => nested(e, &m.dtype)?,
                }
            }
            n
        }
        Class::Reference(r) => {
            if r.is_revised() {
                if version < 4 {
                    return Err(usage("revised reference datatype below version 4"));
                }
                u32::from(r.0 & 0x0f) | 1 << 4
            } else {
                u32::from(r.0 & 0x0f)
            }
        }
        Class::Enum { base, members } => {
            let n = count_u16(members.len(), "datatype enum")?;
            nested(e, base)?;
            for m in members {
                encode_member_name(e, &m.name, version)?;
            }
            for m in members {
                if m.value.len() as u64 != base.size() {
                    return Err(usage("datatype enum value size differs from the base size"));
                }
                e.bytes(&m.value);
            }
            n
        }
        Class::VarLen { kind, base } => {
            let f = match kind {
                VlenKind::Sequence => 0,
                VlenKind::String { padding, charset } => {
                    1 | u32::from(padding.0 & 0x0f) << 4 | u32::from(charset.0 & 0x0f) << 8
                }
            };
            nested(e, base)?;
            f
        }
        Class::Array { dims, base } => {
            if version < 2 {
                return Err(usage("array datatype below version 2"));
            }
            let ndims = u8::try_from(dims.len())
                .ok()
                .filter(|n| (1..=32).contains(n))
                .ok_or(usage("array datatype rank outside 1..=32"))?;
            e.u8(ndims);
            if version == 2 {
                e.zeros(3);
            }
            for &d in dims {
                e.u32(d);
            }
            if version == 2 {
                for k in 0..u32::from(ndims) {
                    e.u32(k);
                }
            }
            nested(e, base)?;
            0
        }
        Class::Complex { base } => {
            if version < 5 {
                return Err(usage("complex datatype below version 5"));
            }
            nested(e, base)?;
            1
        }
    };
    e.patch_uint(head.saturating_add(1), u64::from(flags), 3);
    Ok(())
}

/// An integer read from an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IntValue {
    /// From a signed type.
    Signed(i64),
    /// From an unsigned type (or a bitfield).
    Unsigned(u64),
}

/// The bytes of one element in little-endian order: big-endian reversed, VAX 16-bit words
/// reversed (as libhdf5's conversions do). `None` for VAX with an odd size.
pub fn to_little_endian(order: ByteOrder, bytes: &[u8]) -> Option<Vec<u8>> {
    let mut v = bytes.to_vec();
    match order {
        ByteOrder::LittleEndian => {}
        ByteOrder::BigEndian => v.reverse(),
        ByteOrder::Vax => {
            if v.len() % 2 != 0 {
                return None;
            }
            let mut out = Vec::with_capacity(v.len());
            for w in v.chunks_exact(2).rev() {
                out.extend_from_slice(w);
            }
            v = out;
        }
    }
    Some(v)
}

/// Bits `pos..pos + len` (len <= 128) of a little-endian byte string, as an integer.
fn get_bits(le: &[u8], pos: usize, len: usize) -> u128 {
    let mut v = 0u128;
    for i in 0..len.min(128) {
        let p = pos + i;
        if le.get(p / 8).is_some_and(|b| (b >> (p % 8)) & 1 != 0) {
            v |= 1u128 << i;
        }
    }
    v
}

impl Integer {
    /// The value of one element (`bytes`: the element's stored bytes), honouring byte order,
    /// bit offset, precision and sign (two's complement, sign-extended from the precision).
    /// `None` when the precision is above 64 bits.
    pub fn decode_value(&self, bytes: &[u8]) -> Option<IntValue> {
        let prec = usize::from(self.precision);
        if prec == 0 || prec > 64 {
            return None;
        }
        let le = to_little_endian(self.order, bytes)?;
        let raw = get_bits(&le, usize::from(self.bit_offset), prec);
        let raw = u64::try_from(raw).ok()?;
        Some(if self.signed {
            let shift = 64 - prec;
            IntValue::Signed(i64::from_le_bytes((raw << shift).to_le_bytes()) >> shift)
        } else {
            IntValue::Unsigned(raw)
        })
    }
}

/// `2^k` as an `f64`, for `k` in the normal range.
fn pow2(k: i64) -> f64 {
    let biased = u64::try_from(k + 1023).unwrap_or(0).min(2046);
    f64::from_bits(biased << 52)
}

/// `(-1)^neg * m * 2^e2`, rounded to nearest (ties to even) as an `f64`.
fn compose_f64(neg: bool, m: u128, e2: i64) -> f64 {
    let sign = if neg { -1.0 } else { 1.0 };
    if m == 0 {
        return sign * 0.0;
    }
    let nbits = 128 - i64::from(m.leading_zeros());
    let top = nbits - 1 + e2; // exponent of the leading bit
    if top > 1023 {
        return sign * f64::INFINITY;
    }
    // Significant bits kept: 53 for normals, fewer for subnormals.
    let keep = if top >= -1022 { 53 } else { 53 - (-1022 - top) };
    let shift = nbits - keep; // bits dropped (negative: widened)
    let (mant, k) = if shift <= 0 {
        (m << u32::try_from(-shift).unwrap_or(0), e2 + shift)
    } else {
        let (kept, rem, half) = if shift >= 128 {
            let half = if shift > 128 {
                None
            } else {
                Some(1u128 << (shift - 1))
            };
            (0, m, half)
        } else {
            let s = u32::try_from(shift).unwrap_or(0);
            (m >> s, m & ((1u128 << s) - 1), Some(1u128 << (s - 1)))
        };
        let up = half.is_some_and(|h| rem > h || (rem == h && kept & 1 == 1));
        (kept + u128::from(up), e2 + shift)
    };
    // mant <= 2^53 is exact in f64; scale in two steps to stay exact below the normal range.
    #[allow(clippy::cast_precision_loss)]
    let mant = mant as f64;
    if k < -1000 {
        sign * (mant * pow2(k + 600)) * pow2(-600)
    } else if k > 1000 {
        sign * (mant * pow2(k - 600)) * pow2(600)
    } else {
        sign * mant * pow2(k)
    }
}

impl Float {
    /// The value of one element (`bytes`: the element's stored bytes) as an `f64`, for any
    /// layout: sign, exponent and mantissa fields are read at their positions and the value is
    /// rounded to nearest (ties to even). An all-ones exponent is infinity when the mantissa is
    /// zero (or, without implied normalization, only its top bit is set) and NaN otherwise; a
    /// NaN is returned as libhdf5's conversions produce it: all exponent and mantissa bits set,
    /// the sign kept. `None` for a mantissa wider than 128 bits or VAX order with an odd size.
    pub fn decode_f64(&self, bytes: &[u8]) -> Option<f64> {
        let msize = usize::from(self.mantissa_size);
        let esize = usize::from(self.exponent_size);
        if msize > 128 || esize > 64 {
            return None;
        }
        let le = to_little_endian(self.order, bytes)?;
        let off = usize::from(self.bit_offset);
        let neg = get_bits(&le, off + usize::from(self.sign_location), 1) == 1;
        let e = get_bits(&le, off + usize::from(self.exponent_location), esize);
        let m = get_bits(&le, off + usize::from(self.mantissa_location), msize);
        let e_max = if esize == 128 {
            u128::MAX
        } else {
            (1u128 << esize) - 1
        };
        if e == e_max {
            let inf = m == 0 || (self.norm != MantissaNorm::Implied && m == 1u128 << (msize - 1));
            let sign_bit = u64::from(neg) << 63;
            return Some(if inf {
                f64::from_bits(sign_bit | 0x7ff0_0000_0000_0000)
            } else {
                f64::from_bits(sign_bit | 0x7fff_ffff_ffff_ffff)
            });
        }
        let e = i128::try_from(e).ok()?;
        let bias = i128::from(self.exponent_bias);
        let msize_i = i128::try_from(msize).ok()?;
        let (mant, e2) = if e == 0 {
            (m, 1 - bias - msize_i)
        } else if self.norm == MantissaNorm::Implied {
            if msize >= 128 {
                return None;
            }
            (m | (1u128 << msize), e - bias - msize_i)
        } else {
            (m, e + 1 - bias - msize_i)
        };
        // Clamp far beyond f64's range (m has at most 128 significant bits).
        let e2 = i64::try_from(e2.clamp(-4000, 4000)).ok()?;
        Some(compose_f64(neg, mant, e2))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;
    use alloc::string::ToString;
    use alloc::vec;

    /// Decode `bytes` and check that exactly `consumed` bytes were used.
    fn dec_n(bytes: &[u8], consumed: usize) -> Datatype {
        let mut c = Cursor::new(bytes, 0x100, "test");
        let dt = Datatype::decode(&mut c).unwrap();
        assert_eq!(c.pos(), consumed, "consumed");
        dt
    }

    fn dec(bytes: &[u8]) -> Datatype {
        dec_n(bytes, bytes.len())
    }

    fn dec_err(bytes: &[u8]) -> Error {
        Datatype::decode(&mut Cursor::new(bytes, 0x100, "test")).unwrap_err()
    }

    fn int(order: ByteOrder, signed: bool, size: u32) -> Datatype {
        Datatype {
            version: 1,
            size,
            class: Class::FixedPoint(Integer {
                order,
                signed,
                lo_pad: false,
                hi_pad: false,
                bit_offset: 0,
                precision: u16::try_from(size * 8).unwrap(),
            }),
        }
    }

    const F8LE: &str = "11203f000800000000004000340b0034ff030000";

    #[test]
    fn fixed_point() {
        // h5py '<i4'
        assert_eq!(
            dec(&hex("100800000400000000002000")),
            int(ByteOrder::LittleEndian, true, 4)
        );
        // h5py '>u8'
        assert_eq!(
            dec(&hex("100100000800000000004000")),
            int(ByteOrder::BigEndian, false, 8)
        );
        // H5T_STD_I32LE with precision 12, offset 4
        let dt = dec(&hex("100800000400000004000c00"));
        let Class::FixedPoint(i) = dt.class else {
            panic!()
        };
        assert_eq!((i.bit_offset, i.precision, i.signed), (4, 12, true));
        // pad flags
        let dt = dec(&hex("100600000200000000001000"));
        let Class::FixedPoint(i) = dt.class else {
            panic!()
        };
        assert!(i.lo_pad && i.hi_pad && !i.signed);
    }

    #[test]
    fn fixed_point_precision_beyond_size() {
        // 2-byte integer with offset 4 + precision 13 > 16 bits
        let e = dec_err(&hex("100000000200000004000d00"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        assert!(matches!(e, Error::Format { addr: 0x100, .. }));
        // precision 0
        let e = dec_err(&hex("100000000200000000000000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn floating_point() {
        let dt = dec(&hex(F8LE));
        let Class::FloatingPoint(f) = dt.class else {
            panic!()
        };
        assert!(f.is_standard_ieee(8));
        assert_eq!(f.norm, MantissaNorm::Implied);
        assert_eq!(
            (f.sign_location, f.exponent_location, f.exponent_size),
            (63, 52, 11)
        );
        assert_eq!(
            (f.mantissa_location, f.mantissa_size, f.exponent_bias),
            (0, 52, 1023)
        );
        // '>f4'
        let dt = dec(&hex("11211f000400000000002000170800177f000000"));
        let Class::FloatingPoint(f) = dt.class else {
            panic!()
        };
        assert_eq!(f.order, ByteOrder::BigEndian);
        assert!(f.is_standard_ieee(4));
        // '<f2'
        let dt = dec(&hex("11200f0002000000000010000a05000a0f000000"));
        let Class::FloatingPoint(f) = dt.class else {
            panic!()
        };
        assert!(f.is_standard_ieee(2));
        // HDF5 2.0 H5T_FLOAT_BFLOAT16LE: not IEEE half
        let dt = dec(&hex("11200f000200000000001000070800077f000000"));
        let Class::FloatingPoint(f) = dt.class else {
            panic!()
        };
        assert!(!f.is_standard_ieee(2));
        assert_eq!(
            (f.exponent_size, f.mantissa_size, f.exponent_bias),
            (8, 7, 127)
        );
        // H5T_NATIVE_LDOUBLE (x86-64): 16 bytes, 80-bit precision, no normalization
        let dt = dec(&hex("11004f001000000000005000400f0040ff3f0000"));
        let Class::FloatingPoint(f) = dt.class else {
            panic!()
        };
        assert_eq!(f.norm, MantissaNorm::None);
        assert_eq!(
            (f.precision, f.sign_location, f.mantissa_size),
            (80, 79, 64)
        );
        // VAX order: bits 0 and 6 set (version 3)
        let dt = dec(&hex("31613f000800000000004000340b0034ff030000"));
        let Class::FloatingPoint(f) = dt.class else {
            panic!()
        };
        assert_eq!(f.order, ByteOrder::Vax);
    }

    #[test]
    fn floating_point_invalid() {
        // exponent field past the precision
        let e = dec_err(&hex("11203f000800000000004000360b0034ff030000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        // normalization 3
        let e = dec_err(&hex("11303f000800000000004000340b0034ff030000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        // reserved byte order (bit 6 without bit 0)
        let e = dec_err(&hex("11603f000800000000004000340b0034ff030000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        // truncated properties
        let e = dec_err(&hex("11203f000800000000004000340b"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
    }

    #[test]
    fn time_string_bitfield_opaque() {
        // H5T_UNIX_D64BE
        let dt = dec(&hex("12010000080000004000"));
        assert_eq!(
            dt.class,
            Class::Time {
                order: ByteOrder::BigEndian,
                precision: 64
            }
        );
        // S10 nullpad ascii (h5py)
        let dt = dec(&hex("130100000a000000"));
        assert_eq!(dt.size, 10);
        assert_eq!(
            dt.class,
            Class::String {
                padding: StringPadding::NULL_PAD,
                charset: CharacterSet::ASCII
            }
        );
        // spacepad utf-8
        let dt = dec(&hex("1312000004000000"));
        assert_eq!(
            dt.class,
            Class::String {
                padding: StringPadding::SPACE_PAD,
                charset: CharacterSet::UTF8
            }
        );
        // H5T_STD_B16BE
        let dt = dec(&hex("140100000200000000001000"));
        let Class::Bitfield(b) = dt.class else {
            panic!()
        };
        assert_eq!(
            (b.order, b.precision, b.signed),
            (ByteOrder::BigEndian, 16, false)
        );
        // opaque, no tag (h5py 'V7')
        assert_eq!(
            dec(&hex("1500000007000000")).class,
            Class::Opaque { tag: vec![] }
        );
        // opaque tagged "hello tag", tag field 16 bytes
        let dt = dec(&hex("151000001000000068656c6c6f2074616700000000000000"));
        assert_eq!(
            dt.class,
            Class::Opaque {
                tag: b"hello tag".to_vec()
            }
        );
        assert_eq!(dt.size(), 16);
    }

    #[test]
    fn compound_v1_with_array_member_and_trailing_padding() {
        // h5py [('a','<i4',(2,3)),('b','u1')] under libver earliest: version 2 (array member),
        // followed by the zero padding of the v1 object header message.
        let b = hex(
            "26020000190000006100000000000000000000002a000000180000000200000002000000030000\
             000000000001000000100800000400000000002000620000000000000018000000100000000100\
             00000000080000000000",
        );
        let dt = dec_n(&b, b.len() - 4);
        let Class::Compound { members } = &dt.class else {
            panic!()
        };
        assert_eq!(members.len(), 2);
        assert_eq!((members[0].name.as_str(), members[0].offset), ("a", 0));
        let Class::Array { dims, base } = &members[0].dtype.class else {
            panic!()
        };
        assert_eq!(dims, &[2, 3]);
        assert_eq!(**base, int(ByteOrder::LittleEndian, true, 4));
        assert_eq!((members[1].name.as_str(), members[1].offset), ("b", 24));
        assert_eq!(members[1].dtype, int(ByteOrder::LittleEndian, false, 1));
    }

    #[test]
    fn compound_v1_member_dims() {
        // Version 1 compound whose member "x" carries dimensionality 2 (2x3) of u2.
        let mut b = hex("16010000 0c000000");
        b.extend(hex("7800000000000000")); // "x" padded to 8
        b.extend(hex("00000000")); // offset 0
        b.extend(hex(
            "02 000000 00000000 00000000 02000000 03000000 00000000 00000000",
        ));
        b.extend(hex("100000000200000000001000"));
        let dt = dec(&b);
        let Class::Compound { members } = &dt.class else {
            panic!()
        };
        let Class::Array { dims, base } = &members[0].dtype.class else {
            panic!()
        };
        assert_eq!(dims, &[2, 3]);
        assert_eq!(base.size, 2);
        assert_eq!(members[0].dtype.size, 12);
    }

    #[test]
    fn compound_v1_eight_char_name() {
        // a name of exactly 8 characters takes 16 bytes (NUL plus padding)
        let mut b = hex("16010000 08000000");
        b.extend(b"abcdefgh\0\0\0\0\0\0\0\0");
        b.extend(hex(
            "00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000",
        ));
        b.extend(hex(F8LE));
        let dt = dec(&b);
        let Class::Compound { members } = &dt.class else {
            panic!()
        };
        assert_eq!(members[0].name, "abcdefgh");
    }

    #[test]
    fn compound_v3_v4_v5() {
        // h5py [('a','<i4'),('bb','<f8')] under libver v108 (3), v112 (4), latest (5)
        for v in ["3", "4", "5"] {
            let b = hex(&alloc::format!(
                "{v}60200000c0000006100001008000004000000000020006262000411203f000800000000004000340b0034ff030000"
            ));
            let dt = dec(&b);
            assert_eq!(dt.version.to_string(), v);
            let Class::Compound { members } = &dt.class else {
                panic!()
            };
            assert_eq!(members[0].name, "a");
            assert_eq!(members[0].offset, 0);
            assert_eq!(members[1].name, "bb");
            assert_eq!(members[1].offset, 4);
            let Class::FloatingPoint(_) = members[1].dtype.class else {
                panic!()
            };
        }
    }

    #[test]
    fn compound_v3_two_byte_offsets() {
        // size 300 needs 2-byte member offsets
        let mut b = hex("36010000 2c010000");
        b.extend(b"m\0");
        b.extend(hex("2801")); // offset 296
        b.extend(hex("100800000400000000002000"));
        let dt = dec(&b);
        let Class::Compound { members } = &dt.class else {
            panic!()
        };
        assert_eq!(members[0].offset, 296);
    }

    #[test]
    fn compound_member_beyond_size() {
        // member at offset 10 of size 4 in a compound of 12 bytes
        let mut b = hex("36010000 0c000000");
        b.extend(b"m\0");
        b.extend(hex("0a"));
        b.extend(hex("100800000400000000002000"));
        let e = dec_err(&b);
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        assert!(matches!(e, Error::Format { addr: 0x108, .. }), "{e:?}");
    }

    #[test]
    fn references() {
        assert_eq!(
            dec(&hex("1700000008000000")).class,
            Class::Reference(ReferenceType::OBJECT1)
        );
        let dt = dec(&hex("170100000c000000"));
        assert_eq!(dt.class, Class::Reference(ReferenceType::DATASET_REGION1));
        assert_eq!(dt.size, 12);
        // H5T_STD_REF as stored by libhdf5 2.0 (version 4, type OBJECT2, encoding version 1)
        let dt = dec(&hex("4712000012000000"));
        assert_eq!(dt.class, Class::Reference(ReferenceType::OBJECT2));
        assert_eq!(dt.version, 4);
        assert!(ReferenceType::OBJECT2.is_revised());
    }

    #[test]
    fn enums() {
        // h5py enum {'RED':0,'GREEN':1,'BLUE':42} base i4, version 1 (padded names)
        let dt = dec(&hex(
            "1803000004000000100800000400000000002000424c554500000000475245454e0000005245440000\
             0000002a0000000100000000000000",
        ));
        let Class::Enum { base, members } = &dt.class else {
            panic!()
        };
        assert_eq!(**base, int(ByteOrder::LittleEndian, true, 4));
        let names: Vec<_> = members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["BLUE", "GREEN", "RED"]);
        assert_eq!(members[0].value, [42, 0, 0, 0]);
        // version 3 (unpadded names), base i2
        let dt = dec(&hex(
            "3802000002000000100800000200000000001000475245454e005245440001000000",
        ));
        let Class::Enum { members, .. } = &dt.class else {
            panic!()
        };
        assert_eq!(members[1].name, "RED");
        assert_eq!(members[1].value, [0, 0]);
        assert_eq!(members[0].value, [1, 0]);
        // h5py bool
        let dt = dec(&hex(
            "180200000100000010080000010000000000080046414c534500000054525545000000000001",
        ));
        let Class::Enum { members, .. } = &dt.class else {
            panic!()
        };
        assert_eq!(
            (members[0].name.as_str(), members[1].value.as_slice()),
            ("FALSE", &[1u8][..])
        );
    }

    #[test]
    fn enum_size_mismatch() {
        let e = dec_err(&hex("3801000004000000100800000200000000001000410001000000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn variable_length() {
        // h5py string_dtype('utf-8') as stored (size 16: length + global heap id)
        let dt = dec(&hex("1901010010000000100000000100000000000800"));
        let Class::VarLen { kind, base } = &dt.class else {
            panic!()
        };
        assert_eq!(
            *kind,
            VlenKind::String {
                padding: StringPadding::NULL_TERMINATE,
                charset: CharacterSet::UTF8
            }
        );
        assert_eq!(base.size, 1);
        // vlen_dtype('<i4')
        let dt = dec(&hex("1900000010000000100800000400000000002000"));
        let Class::VarLen { kind, base } = &dt.class else {
            panic!()
        };
        assert_eq!(*kind, VlenKind::Sequence);
        assert_eq!(**base, int(ByteOrder::LittleEndian, true, 4));
        // vlen type 2 is invalid
        let e = dec_err(&hex("1902000010000000100800000400000000002000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn arrays() {
        // version 2: reserved bytes and permutation indices
        let dt = dec(&hex(
            "2a00000018000000020000000200000003000000000000000100000011201f000400000000002000170800177f000000",
        ));
        let Class::Array { dims, base } = &dt.class else {
            panic!()
        };
        assert_eq!(dims, &[2, 3]);
        assert_eq!(base.size, 4);
        // versions 3, 4, 5: no permutation
        for v in ["3", "4", "5"] {
            let dt = dec(&hex(&alloc::format!(
                "{v}a0000001800000002020000000300000011201f000400000000002000170800177f000000"
            )));
            let Class::Array { dims, .. } = &dt.class else {
                panic!()
            };
            assert_eq!(dims, &[2, 3]);
        }
        // size not the product of the dimensions
        let e = dec_err(&hex(
            "3a0000001400000002020000000300000011201f000400000000002000170800177f000000",
        ));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        // version 1 arrays do not exist
        let e = dec_err(&hex(
            "1a0000001800000002020000000300000011201f000400000000002000170800177f000000",
        ));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::BadVersion));
    }

    #[test]
    fn complex() {
        // H5T_COMPLEX_IEEE_F64LE (HDF5 2.0)
        let dt = dec(&hex(
            "5b0100001000000011203f000800000000004000340b0034ff030000",
        ));
        let Class::Complex { base } = &dt.class else {
            panic!()
        };
        assert_eq!(base.size, 8);
        assert_eq!(dt.class_id(), DatatypeClass::COMPLEX);
        // H5T_COMPLEX_IEEE_F32BE
        let dt = dec(&hex(
            "5b0100000800000011211f000400000000002000170800177f000000",
        ));
        let Class::Complex { base } = &dt.class else {
            panic!()
        };
        let Class::FloatingPoint(f) = base.class else {
            panic!()
        };
        assert_eq!(f.order, ByteOrder::BigEndian);
        // heterogeneous flag clear
        let e = dec_err(&hex(
            "5b0000001000000011203f000800000000004000340b0034ff030000",
        ));
        assert!(matches!(e, Error::Unsupported { .. }));
        // version 4 cannot hold class 11
        let e = dec_err(&hex(
            "4b0100001000000011203f000800000000004000340b0034ff030000",
        ));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::BadVersion));
        // size not twice the base
        let e = dec_err(&hex(
            "5b0100000c00000011203f000800000000004000340b0034ff030000",
        ));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn bad_version_and_class() {
        let e = dec_err(&hex("0008000004000000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::BadVersion));
        let e = dec_err(&hex("6008000004000000"));
        assert_eq!(e.format_kind(), Some(FormatErrorKind::BadVersion));
        let e = dec_err(&hex("1c00000004000000"));
        assert!(matches!(e, Error::Unsupported { .. }));
    }

    #[test]
    fn nesting_is_capped() {
        // 100 nested vlen sequences around an i4: over the depth cap
        let mut b = Vec::new();
        for _ in 0..100 {
            b.extend(hex("1900000010000000"));
        }
        b.extend(hex("100800000400000000002000"));
        let e = dec_err(&b);
        assert!(
            matches!(
                e,
                Error::LimitExceeded {
                    limit: "max_depth",
                    ..
                }
            ),
            "{e:?}"
        );
        // 63 levels of nesting are fine
        let mut b = Vec::new();
        for _ in 0..63 {
            b.extend(hex("1900000010000000"));
        }
        b.extend(hex("100800000400000000002000"));
        dec(&b);
    }

    #[test]
    fn truncated_member_list() {
        // compound claiming 2 members with only one present
        let mut b = hex("36020000 0c000000");
        b.extend(b"m\0");
        b.extend(hex("00"));
        b.extend(hex("100800000400000000002000"));
        let e = dec_err(&b);
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
    }

    fn float_of(hexs: &str) -> Float {
        let Class::FloatingPoint(f) = dec(&hex(hexs)).class else {
            panic!()
        };
        f
    }

    #[test]
    fn integer_values() {
        let i2be = Integer {
            order: ByteOrder::BigEndian,
            signed: true,
            lo_pad: false,
            hi_pad: false,
            bit_offset: 0,
            precision: 16,
        };
        assert_eq!(i2be.decode_value(&[0xff, 0xfe]), Some(IntValue::Signed(-2)));
        // precision 12 at bit offset 4: -3
        let odd = Integer {
            order: ByteOrder::LittleEndian,
            bit_offset: 4,
            precision: 12,
            ..i2be
        };
        assert_eq!(
            odd.decode_value(&[0xd0, 0xff, 0xab, 0xcd]),
            Some(IntValue::Signed(-3))
        );
        let odd_u = Integer {
            signed: false,
            ..odd
        };
        assert_eq!(
            odd_u.decode_value(&[0xd0, 0xff, 0xab, 0xcd]),
            Some(IntValue::Unsigned(0xffd))
        );
        let u8be = Integer {
            signed: false,
            precision: 64,
            ..i2be
        };
        assert_eq!(
            u8be.decode_value(&[0xff; 8]),
            Some(IntValue::Unsigned(u64::MAX))
        );
        let wide = Integer {
            precision: 65,
            ..u8be
        };
        assert_eq!(wide.decode_value(&[0xff; 16]), None);
    }

    #[test]
    fn float_values() {
        let f2 = float_of("11200f0002000000000010000a05000a0f000000");
        let v = |f: &Float, b: &[u8]| f.decode_f64(b).unwrap();
        assert_eq!(v(&f2, &0x3c00u16.to_le_bytes()), 1.0);
        assert_eq!(v(&f2, &0xc000u16.to_le_bytes()), -2.0);
        assert_eq!(v(&f2, &0x0001u16.to_le_bytes()), 2f64.powi(-24));
        assert_eq!(v(&f2, &0x7bffu16.to_le_bytes()), 65504.0);
        assert_eq!(v(&f2, &0x7c00u16.to_le_bytes()), f64::INFINITY);
        assert_eq!(v(&f2, &0xfc00u16.to_le_bytes()), f64::NEG_INFINITY);
        assert_eq!(
            v(&f2, &0x7e00u16.to_le_bytes()).to_bits(),
            0x7fff_ffff_ffff_ffff
        );
        assert_eq!(
            v(&f2, &0x8000u16.to_le_bytes()).to_bits(),
            0x8000_0000_0000_0000
        );
        // IEEE single and double agree with the hardware, both byte orders
        let f4 = float_of("11201f000400000000002000170800177f000000");
        let f4be = float_of("11211f000400000000002000170800177f000000");
        let f8 = float_of(F8LE);
        for x in [0.1f32, -3.5e-39, 1.0e38, 7.0, f32::MIN_POSITIVE] {
            assert_eq!(v(&f4, &x.to_le_bytes()), f64::from(x));
            assert_eq!(v(&f4be, &x.to_be_bytes()), f64::from(x));
        }
        for x in [0.1f64, -2.5e-320, 1.7e308, f64::MIN_POSITIVE, 5e-324] {
            assert_eq!(v(&f8, &x.to_le_bytes()), x);
        }
        // bfloat16
        let bf = float_of("11200f000200000000001000070800077f000000");
        assert_eq!(v(&bf, &0x3f80u16.to_le_bytes()), 1.0);
        assert_eq!(v(&bf, &0x4049u16.to_le_bytes()), 3.140625);
        // FP8 E4M3 (HDF5 2.0 H5T_FLOAT_F8E4M3): 0x38 is 1.0, 0x01 the smallest subnormal
        let e4m3 = float_of("1120070001000000000008000304000307000000");
        assert_eq!(v(&e4m3, &[0x38]), 1.0);
        assert_eq!(v(&e4m3, &[0x01]), 2f64.powi(-9));
        assert_eq!(v(&e4m3, &[0xc4]), -3.0);
        // x87 long double, explicit leading bit: 1.0 and pi (rounded to nearest double)
        let ld = float_of("11004f001000000000005000400f0040ff3f0000");
        let mut one = [0u8; 16];
        one[7] = 0x80;
        one[8] = 0xff;
        one[9] = 0x3f;
        assert_eq!(v(&ld, &one), 1.0);
        let mut pi = [0u8; 16];
        pi[..8].copy_from_slice(&0xC90F_DAA2_2168_C235u64.to_le_bytes());
        pi[8] = 0x00;
        pi[9] = 0x40;
        assert_eq!(v(&ld, &pi), core::f64::consts::PI);
        // x87 infinity: all-ones exponent, only the explicit bit set
        let mut inf = [0u8; 16];
        inf[7] = 0x80;
        inf[8] = 0xff;
        inf[9] = 0x7f;
        assert_eq!(v(&ld, &inf), f64::INFINITY);
        // VAX word order with IEEE fields: 1.0f stored as words (3f80, 0000)
        let vax = float_of("31611f000400000000002000170800177f000000");
        assert_eq!(v(&vax, &[0x80, 0x3f, 0x00, 0x00]), 1.0);
    }

    #[test]
    fn float_rounding_to_subnormal() {
        assert_eq!(compose_f64(false, 3, -1076).to_bits(), 1); // 0.75 ulp rounds up
        assert_eq!(compose_f64(false, 1, -1075).to_bits(), 0); // tie rounds to even 0
        assert_eq!(compose_f64(false, 3, -1075).to_bits(), 2); // 1.5 ulp: tie to even 2
        assert_eq!(compose_f64(true, 1, -2000), -0.0);
        assert_eq!(compose_f64(false, u128::MAX, 0), 2f64.powi(128));
        assert_eq!(compose_f64(false, 1, 1024), f64::INFINITY);
        assert_eq!(compose_f64(false, (1 << 53) - 1, 971), f64::MAX);
        assert_eq!(compose_f64(false, (1 << 54) - 1, 970), f64::INFINITY); // rounds past MAX
    }

    fn enc_dt(t: &Datatype) -> Vec<u8> {
        let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
        t.encode(&mut e).unwrap();
        e.finish()
    }

    #[test]
    fn encode_matches_libhdf5_bytes() {
        for s in [
            "100800000400000000002000",
            "100100000800000000004000",
            F8LE,
            "11200f0002000000000010000a05000a0f000000",
            "11004f001000000000005000400f0040ff3f0000",
            "31611f000400000000002000170800177f000000",
            "12010000080000004000",
            "130100000a000000",
            "1312000004000000",
            "140100000200000000001000",
            "1500000007000000",
            "151000001000000068656c6c6f2074616700000000000000",
            "1700000008000000",
            "170100000c000000",
            "4712000012000000",
            "1803000004000000100800000400000000002000424c554500000000475245454e0000005245440000\
             0000002a0000000100000000000000",
            "3802000002000000100800000200000000001000475245454e005245440001000000",
            "1901010010000000100000000100000000000800",
            "1900000010000000100800000400000000002000",
            "2a00000018000000020000000200000003000000000000000100000011201f000400000000002000170800177f000000",
            "3a0000001800000002020000000300000011201f000400000000002000170800177f000000",
            "5b0100001000000011203f000800000000004000340b0034ff030000",
            "560200000c0000006100001008000004000000000020006262000411203f000800000000004000340b0034ff030000",
        ] {
            let b = hex(s);
            assert_eq!(enc_dt(&dec(&b)), b, "{s}");
        }
        // h5py [('a','<i4',(2,3)),('b','u1')] under libver earliest (version 2, then the
        // v1 header's padding)
        let b = hex(
            "26020000190000006100000000000000000000002a000000180000000200000002000000030000\
             000000000001000000100800000400000000002000620000000000000018000000100000000100\
             00000000080000000000",
        );
        let dt = dec_n(&b, b.len() - 4);
        assert_eq!(enc_dt(&dt), b[..b.len() - 4]);
    }

    fn round_trip(t: &Datatype) {
        let b = enc_dt(t);
        assert_eq!(&dec(&b), t, "{}", b.len());
    }

    #[test]
    fn encode_round_trips_every_class_and_version() {
        let i4 = int(ByteOrder::LittleEndian, true, 4);
        let f8 = dec(&hex(F8LE));
        let atomics = [
            i4.clone(),
            int(ByteOrder::BigEndian, false, 2),
            f8.clone(),
            Datatype {
                version: 1,
                size: 8,
                class: Class::Time {
                    order: ByteOrder::BigEndian,
                    precision: 64,
                },
            },
            Datatype {
                version: 1,
                size: 7,
                class: Class::String {
                    padding: StringPadding::SPACE_PAD,
                    charset: CharacterSet::UTF8,
                },
            },
            Datatype {
                version: 1,
                size: 2,
                class: Class::Bitfield(Integer {
                    order: ByteOrder::BigEndian,
                    signed: false,
                    lo_pad: true,
                    hi_pad: false,
                    bit_offset: 3,
                    precision: 9,
                }),
            },
            Datatype {
                version: 1,
                size: 3,
                class: Class::Opaque {
                    tag: b"exactly8".to_vec(),
                },
            },
            Datatype {
                version: 1,
                size: 8,
                class: Class::Reference(ReferenceType::OBJECT1),
            },
            Datatype {
                version: 4,
                size: 18,
                class: Class::Reference(ReferenceType::ATTR),
            },
        ];
        for t in &atomics {
            round_trip(t);
        }
        for v in 1..=5u8 {
            let arr = Datatype {
                version: v.max(2),
                size: 48,
                class: Class::Array {
                    dims: vec![2, 3],
                    base: Box::new(f8.clone()),
                },
            };
            let vlen = Datatype {
                version: v,
                size: 16,
                class: Class::VarLen {
                    kind: VlenKind::String {
                        padding: StringPadding::NULL_PAD,
                        charset: CharacterSet::UTF8,
                    },
                    base: Box::new(Datatype {
                        version: 1,
                        size: 1,
                        class: Class::String {
                            padding: StringPadding::NULL_PAD,
                            charset: CharacterSet::UTF8,
                        },
                    }),
                },
            };
            let en = Datatype {
                version: v,
                size: 4,
                class: Class::Enum {
                    base: Box::new(i4.clone()),
                    members: vec![
                        EnumMember {
                            name: "seven chars".into(),
                            value: vec![7, 0, 0, 0],
                        },
                        EnumMember {
                            name: "b".into(),
                            value: vec![255, 255, 255, 255],
                        },
                    ],
                },
            };
            // 300 bytes: two-byte member offsets from version 3 on
            let cmp = Datatype {
                version: v.max(if v == 1 { 1 } else { 2 }),
                size: 300,
                class: Class::Compound {
                    members: vec![
                        Member {
                            name: "abcdefgh".into(),
                            offset: 0,
                            dtype: arr.clone(),
                        },
                        Member {
                            name: "e".into(),
                            offset: 48,
                            dtype: en.clone(),
                        },
                        Member {
                            name: "s".into(),
                            offset: 56,
                            dtype: vlen.clone(),
                        },
                        Member {
                            name: "t".into(),
                            offset: 284,
                            dtype: atomics[4].clone(),
                        },
                    ],
                },
            };
            round_trip(&arr);
            round_trip(&vlen);
            round_trip(&en);
            round_trip(&cmp);
            if v == 5 {
                round_trip(&Datatype {
                    version: 5,
                    size: 16,
                    class: Class::Complex {
                        base: Box::new(f8.clone()),
                    },
                });
            }
        }
        // what cannot be written
        let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
        let bad = [
            Datatype {
                version: 1,
                size: 16,
                class: Class::Array {
                    dims: vec![2],
                    base: Box::new(f8.clone()),
                },
            },
            Datatype {
                version: 4,
                size: 16,
                class: Class::Complex {
                    base: Box::new(f8.clone()),
                },
            },
            Datatype {
                version: 3,
                size: 18,
                class: Class::Reference(ReferenceType::OBJECT2),
            },
            Datatype {
                version: 6,
                ..i4.clone()
            },
            Datatype {
                version: 3,
                size: 255,
                class: Class::Compound {
                    members: vec![Member {
                        name: "m".into(),
                        offset: 256,
                        dtype: i4.clone(),
                    }],
                },
            },
        ];
        for t in bad {
            assert!(matches!(t.encode(&mut e), Err(Error::Usage(_))), "{t:?}");
        }
    }

    #[test]
    fn profile_versions() {
        let i4 = int(ByteOrder::LittleEndian, true, 4);
        let arr = Datatype {
            version: 0,
            size: 8,
            class: Class::Array {
                dims: vec![2],
                base: Box::new(i4.clone()),
            },
        };
        let inner = Datatype {
            version: 0,
            size: 4,
            class: Class::Compound {
                members: vec![Member {
                    name: "x".into(),
                    offset: 0,
                    dtype: i4.clone(),
                }],
            },
        };
        let mut t = Datatype {
            version: 0,
            size: 12,
            class: Class::Compound {
                members: vec![
                    Member {
                        name: "c".into(),
                        offset: 0,
                        dtype: inner,
                    },
                    Member {
                        name: "a".into(),
                        offset: 4,
                        dtype: arr,
                    },
                ],
            },
        };
        t.assign_versions(1);
        let Class::Compound { members } = &t.class else {
            panic!()
        };
        assert_eq!(
            (
                t.version,
                members[0].dtype.version,
                members[1].dtype.version
            ),
            (2, 2, 2)
        );
        let Class::Array { base, .. } = &members[1].dtype.class else {
            panic!()
        };
        assert_eq!(base.version, 1);
        t.assign_versions(5);
        assert_eq!(t.version, 5);
        let mut r = Datatype {
            version: 0,
            size: 18,
            class: Class::Reference(ReferenceType::OBJECT2),
        };
        r.assign_versions(1);
        assert_eq!(r.version, 4);
    }
}
