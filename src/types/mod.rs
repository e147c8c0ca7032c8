//! The in-memory type model and file-to-memory conversion plans: typed reads with the
//! conversions h5py (through libhdf5) performs.
//!
//! - [`H5Type`] is implemented by every Rust type a value can be read into: the integers
//!   `i8`..`u64`, `f32`, `f64`, [`half::f16`], `bool`, [`Complex`], `String`, [`Bytes`],
//!   `[T; N]` (HDF5 array types), `Vec<T>` (variable-length sequences), the reference types
//!   [`ObjectRef`], [`RegionRef`] and [`Reference`], and user structs (compound types, matched
//!   to the file's members by name).
//! - [`TypeDescriptor`] describes a memory type; [`H5Type::type_descriptor`] gives it.
//! - [`Plan`] is built once per read from the file [`Datatype`] and a memory descriptor. It
//!   checks convertibility up front (an incompatible pair is an [`Error::Conversion`] of kind
//!   [`ConversionErrorKind::Incompatible`] naming both types) and then converts whole buffers
//!   straight into the caller's `&mut [T]`: the kind of conversion is decided once per call,
//!   and the element loop is monomorphic (same layout, byte swap, integer widening or
//!   narrowing, float rounding each have their own loop; no per-element trait objects).
//!
//! Conversion rules (details and the libhdf5/h5py behaviours they follow or differ from are in
//! `spec-notes/type-conversion.md`):
//! - integers (fixed-point, enum base values, bitfields, time) convert to any integer type
//!   when the value fits; a value that does not fit is an error unless
//!   [`ConvertOptions::saturate`] is set, which clamps like libhdf5's default conversion;
//! - floats round to nearest (f64 to f32 overflows to infinity, as IEEE 754 and libhdf5 do);
//!   integers convert to floats rounding to nearest; floats convert to integers truncating
//!   toward zero, NaN and out-of-range values being errors (saturate: clamped, NaN to 0);
//! - strings are read with their padding applied (null-terminated: up to the first NUL;
//!   null-padded: trailing NULs removed; space-padded: trailing spaces removed; variable-length:
//!   up to the first NUL); invalid UTF-8 is an error for `String` and kept by [`Bytes`];
//! - compounds match members by name: memory members may be a reordered subset of the file's,
//!   a memory member absent from the file is an error.
//!
//! This layer uses only [`crate::format`] and [`crate::error`]; variable-length data and
//! references reach the file through the [`Heap`] trait the read engine implements.

mod describe;
mod impls;
mod plan;
mod prim;
mod reference;
#[cfg(test)]
mod tests;
mod write;

pub use half::f16;
pub use impls::{Bytes, Complex, ComplexPart};
pub use plan::{ConvertOptions, Env, Fields, Node, Plan};
pub use reference::{ObjectRef, Reference, Region, RegionRef};
pub use write::{
    bool_type, compound_type, fixed_string_type, float_type, int_type, object_ref_type,
    vlen_sequence_type, vlen_string_type, H5Write,
};

use crate::error::{ConversionErrorKind, Error, Result};
use crate::format::Addr;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

#[cfg(doc)]
use crate::format::message::datatype::Datatype;

/// Access to the global heap, where variable-length data and region references live.
/// Spec: "Global Heap". The read engine implements it over the file (with a cache of
/// collections); [`NoHeap`] serves conversions that never touch the heap.
pub trait Heap {
    /// The bytes of object `index` of the global heap collection at `collection`.
    ///
    /// # Errors
    /// When the collection cannot be read or holds no such object.
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>>;
}

/// A [`Heap`] with nothing in it: for conversions of fixed-size data (every lookup is an
/// [`Error::Usage`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoHeap;

impl Heap for NoHeap {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        Err(Error::Usage(alloc::format!(
            "no global heap to read object {index} of the collection at {collection}"
        )))
    }
}

/// The description of an in-memory type: what a [`Plan`] converts file values into.
///
/// A derive (later) generates [`TypeDescriptor::Compound`] for structs; a manual
/// [`H5Type`] impl builds it with [`Compound::new`] and [`Field::of`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TypeDescriptor {
    /// A native integer of `size` bytes (1, 2, 4 or 8).
    Integer {
        /// Bytes.
        size: usize,
        /// Two's complement signed.
        signed: bool,
    },
    /// A native IEEE float of `size` bytes (2: [`half::f16`], 4, 8).
    Float {
        /// Bytes.
        size: usize,
    },
    /// `bool`: read from integers and enums whose value is 0 or 1 (h5py's boolean is an enum
    /// `{FALSE = 0, TRUE = 1}` of `i1`).
    Bool,
    /// [`Complex`] with parts of `part_size` bytes (2, 4 or 8): from class 11 (HDF5 2.0) or
    /// from h5py's compound `{r, i}`.
    Complex {
        /// Bytes of each part.
        part_size: usize,
    },
    /// An owned UTF-8 `String`, from fixed-length or variable-length strings.
    String,
    /// Raw bytes ([`Bytes`]): opaque elements, or string contents without UTF-8 validation.
    Bytes,
    /// A fixed-size array `[T; len]` (HDF5 array class). A nested memory array matches the
    /// file dimensions one by one; a flat one matches their product.
    Array {
        /// Number of elements.
        len: usize,
        /// Element type.
        elem: Box<TypeDescriptor>,
    },
    /// A variable-length sequence `Vec<T>`.
    VarLen(Box<TypeDescriptor>),
    /// A record type whose members are matched to the file's by name.
    Compound(Compound),
    /// An object reference ([`ObjectRef`]).
    ObjectRef,
    /// A dataset region reference ([`RegionRef`]).
    RegionRef,
    /// Any reference ([`Reference`]).
    Reference,
}

/// A compound memory type: the Rust struct's size and its fields in declaration order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Compound {
    /// `size_of` the struct.
    pub size: usize,
    /// Fields, in the order [`H5Type::from_fields`] reads them.
    pub fields: Vec<Field>,
}

impl Compound {
    /// A compound of `size` bytes with `fields`.
    pub fn new(size: usize, fields: Vec<Field>) -> Self {
        Compound { size, fields }
    }
}

/// One field of a [`Compound`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Field {
    /// The member name it is matched with in the file type.
    pub name: String,
    /// Byte offset of the field in the Rust struct (`core::mem::offset_of!`).
    pub offset: usize,
    /// Its type.
    pub ty: TypeDescriptor,
}

impl Field {
    /// A field named `name` at `offset`, of type `T`.
    pub fn of<T: H5Type>(name: &str, offset: usize) -> Self {
        Field {
            name: String::from(name),
            offset,
            ty: T::type_descriptor(),
        }
    }
}

impl core::fmt::Display for TypeDescriptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Integer { size, signed } => {
                write!(f, "{}{}", if *signed { 'i' } else { 'u' }, size * 8)
            }
            Self::Float { size } => write!(f, "f{}", size * 8),
            Self::Bool => f.write_str("bool"),
            Self::Complex { part_size } => write!(f, "Complex<f{}>", part_size * 8),
            Self::String => f.write_str("String"),
            Self::Bytes => f.write_str("Bytes"),
            Self::Array { len, elem } => write!(f, "[{elem}; {len}]"),
            Self::VarLen(elem) => write!(f, "Vec<{elem}>"),
            Self::Compound(c) => {
                f.write_str("struct {")?;
                for (i, fl) in c.fields.iter().enumerate() {
                    let sep = if i == 0 { "" } else { ", " };
                    write!(f, "{sep}{}: {}", fl.name, fl.ty)?;
                }
                f.write_str("}")
            }
            Self::ObjectRef => f.write_str("ObjectRef"),
            Self::RegionRef => f.write_str("RegionRef"),
            Self::Reference => f.write_str("Reference"),
        }
    }
}

/// A Rust type that HDF5 values can be read into.
///
/// Implemented here for the primitive and library types listed in the [module docs](self).
/// A user struct implements [`H5Type::type_descriptor`] (a [`TypeDescriptor::Compound`]) and
/// [`H5Type::from_fields`]:
///
/// ```
/// use h5oxide::types::{Compound, Field, Fields, H5Type, TypeDescriptor};
///
/// #[repr(C)]
/// struct Point {
///     x: f64,
///     id: i32,
/// }
///
/// impl H5Type for Point {
///     fn type_descriptor() -> TypeDescriptor {
///         TypeDescriptor::Compound(Compound::new(
///             core::mem::size_of::<Point>(),
///             vec![
///                 Field::of::<f64>("x", core::mem::offset_of!(Point, x)),
///                 Field::of::<i32>("id", core::mem::offset_of!(Point, id)),
///             ],
///         ))
///     }
///     fn from_fields(f: &mut Fields<'_, '_>) -> h5oxide::Result<Self> {
///         Ok(Point { x: f.field()?, id: f.field()? })
///     }
/// }
/// ```
///
/// The hidden `decode_*` methods are the conversion machinery: the library's impls override
/// them with specialised loops; user impls leave them alone.
pub trait H5Type: Sized {
    /// The memory type.
    fn type_descriptor() -> TypeDescriptor;

    /// Build a value of a compound type from its fields, read in the order of
    /// [`Compound::fields`] with [`Fields::field`]. Only compound types implement it.
    ///
    /// # Errors
    /// Those of [`Fields::field`]; the default is an [`Error::Conversion`] (not a compound).
    fn from_fields(fields: &mut Fields<'_, '_>) -> Result<Self> {
        Err(fields.not_compound())
    }

    /// Convert one element (`elem`: its file bytes) as `node` says.
    #[doc(hidden)]
    fn decode_element(node: &Node, elem: &[u8], env: &Env<'_>) -> Result<Self> {
        let mut fields = Fields::new(node, elem, env, core::any::type_name::<Self>())?;
        Self::from_fields(&mut fields)
    }

    /// Convert the elements of `src` into `dst` (equal counts: the caller checked).
    #[doc(hidden)]
    fn decode_slice(node: &Node, src: &[u8], dst: &mut [Self], env: &Env<'_>) -> Result<()> {
        for (d, e) in dst.iter_mut().zip(node.elements(src)) {
            *d = Self::decode_element(node, e, env)?;
        }
        Ok(())
    }

    /// Convert the elements of `src`, appending them to `out`.
    #[doc(hidden)]
    fn decode_extend(node: &Node, src: &[u8], out: &mut Vec<Self>, env: &Env<'_>) -> Result<()> {
        for e in node.elements(src) {
            out.push(Self::decode_element(node, e, env)?);
        }
        Ok(())
    }
}

/// A conversion error of `kind` from the file type `from` to the memory type `to`.
pub(crate) fn conv_err(
    kind: ConversionErrorKind,
    from: impl Into<String>,
    to: impl Into<String>,
) -> Error {
    Error::conversion(kind, from, to)
}
