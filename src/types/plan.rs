//! Conversion plans: a tree of [`Node`]s built once from a file [`Datatype`] and a memory
//! [`TypeDescriptor`], then applied to whole buffers.

use super::describe::describe;
use super::{conv_err, H5Type, Heap, TypeDescriptor};
use crate::error::{ConversionErrorKind, Error, FormatErrorKind, Result};
use crate::format::message::datatype::{
    ByteOrder, Class, Datatype, Float, Integer, StringPadding, VlenKind, MAX_DEPTH,
};
use crate::format::reference::GlobalHeapId;
use crate::format::{Ctx, Cursor};
use crate::limits::Limits;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::Cell;

/// Options of a conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConvertOptions {
    /// Clamp out-of-range integers (and floats converted to integers) to the memory type's
    /// range instead of failing, as libhdf5's default conversions do; NaN becomes 0 and a
    /// boolean other than 0 or 1 becomes `true`. Off by default.
    pub saturate: bool,
    /// Most bytes one conversion call may fetch from the global heap (variable-length data and
    /// region references), bounding the expansion of many elements pointing at one large heap
    /// object. Default: [`Limits::max_alloc`].
    pub max_heap_bytes: u64,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            saturate: false,
            max_heap_bytes: Limits::default().max_alloc,
        }
    }
}

impl ConvertOptions {
    /// The defaults: exact conversions only.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set [`ConvertOptions::saturate`].
    pub fn saturate(mut self, yes: bool) -> Self {
        self.saturate = yes;
        self
    }

    /// Set [`ConvertOptions::max_heap_bytes`].
    pub fn max_heap_bytes(mut self, n: u64) -> Self {
        self.max_heap_bytes = n;
        self
    }
}

/// What a conversion needs while it runs: the heap, the file's encoding parameters, the
/// options and the remaining heap budget. Created by [`Plan::convert`]; opaque.
pub struct Env<'h> {
    heap: &'h dyn Heap,
    ctx: Ctx,
    pub(crate) saturate: bool,
    budget: Cell<u64>,
    max: u64,
}

impl<'h> Env<'h> {
    fn new(heap: &'h dyn Heap, ctx: Ctx, opts: ConvertOptions) -> Self {
        Env {
            heap,
            ctx,
            saturate: opts.saturate,
            budget: Cell::new(opts.max_heap_bytes),
            max: opts.max_heap_bytes,
        }
    }

    /// The bytes of the heap object `id`, charged against the budget.
    fn heap_object(&self, id: GlobalHeapId) -> Result<Vec<u8>> {
        let obj = self.heap.global_heap_object(id.collection, id.index)?;
        let left = self
            .budget
            .get()
            .checked_sub(obj.len() as u64)
            .ok_or(Error::LimitExceeded {
                limit: "max_heap_bytes",
                value: self.max.saturating_add(1),
                max: self.max,
            })?;
        self.budget.set(left);
        Ok(obj)
    }

    /// The file's encoding parameters.
    pub(crate) fn ctx(&self) -> Ctx {
        self.ctx
    }

    /// Decode a variable-length element (`elem`: 32-bit count, global heap id) and fetch
    /// `count * base_size` bytes of its heap object. A zero count is empty whatever the id.
    ///
    /// # Errors
    /// `Truncated`; `InvalidValue` for a non-zero count with a nil heap id;
    /// `Truncated` (at the collection) when the heap object is shorter than the count says;
    /// the heap's errors.
    pub(crate) fn vlen_bytes(&self, elem: &[u8], base_size: usize) -> Result<Vec<u8>> {
        let mut c = Cursor::new(elem, 0, "variable-length element");
        let count = c.u32()?;
        let id = GlobalHeapId::decode(&mut c, self.ctx)?;
        if count == 0 {
            return Ok(Vec::new());
        }
        let id = id.ok_or(Error::invalid("variable-length element heap id", 0))?;
        let need = u64::from(count)
            .checked_mul(base_size as u64)
            .ok_or(Error::format(
                FormatErrorKind::Overflow,
                "variable-length element size",
                id.collection.0,
            ))?;
        let mut obj = self.heap_object(id)?;
        let need = usize::try_from(need)
            .ok()
            .filter(|&n| n <= obj.len())
            .ok_or(Error::format(
                FormatErrorKind::Truncated,
                "variable-length data in the global heap",
                id.collection.0,
            ))?;
        obj.truncate(need);
        Ok(obj)
    }

    /// The heap object of `id` (references).
    pub(crate) fn object(&self, id: GlobalHeapId) -> Result<Vec<u8>> {
        self.heap_object(id)
    }
}

/// An integer source: the file's integer layout, with the fast layout when it has one.
#[derive(Debug, Clone)]
pub(crate) struct IntSrc {
    pub(crate) int: Integer,
    pub(crate) size: usize,
    /// Full-width 1/2/4/8-byte integer: (signed, big-endian).
    pub(crate) fast: Option<(bool, bool)>,
}

/// A floating-point source.
#[derive(Debug, Clone)]
pub(crate) struct FloatSrc {
    pub(crate) float: Float,
    pub(crate) size: usize,
    /// Standard IEEE binary16/32/64: big-endian?
    pub(crate) fast: Option<bool>,
}

/// What a stored reference is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefSrc {
    /// `H5R_OBJECT1`: an address.
    Object1,
    /// `H5R_DATASET_REGION1`: a global heap id.
    Region1,
    /// `H5T_STD_REF` (1.12): per-element type.
    Revised,
}

#[derive(Debug, Clone)]
pub(crate) struct FieldNode {
    pub(crate) offset: usize,
    pub(crate) node: Node,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Integer-valued source (fixed-point, bitfield, enum base, time).
    Int(IntSrc),
    /// Floating-point source.
    Float(FloatSrc),
    /// Complex: real and imaginary parts at their offsets.
    Complex {
        re: Box<Node>,
        re_offset: usize,
        im: Box<Node>,
        im_offset: usize,
    },
    /// Fixed-length string with its padding.
    FixedString(StringPadding),
    /// Variable-length string.
    VlenString,
    /// Opaque bytes.
    Opaque,
    /// Array of `len` elements of `base`.
    Array { len: usize, base: Box<Node> },
    /// Variable-length sequence of `base`.
    VarLen(Box<Node>),
    /// Compound: one node per memory field, in memory order.
    Compound(Vec<FieldNode>),
    /// Reference.
    Ref(RefSrc),
}

/// One step of a conversion plan: how elements of one file type become values of one memory
/// type. Opaque; built by [`Plan::new`].
#[derive(Debug, Clone)]
pub struct Node {
    /// File element size in bytes (never 0).
    pub(crate) size: usize,
    /// Description of the file type, for errors.
    pub(crate) from: String,
    pub(crate) kind: Kind,
}

impl Node {
    /// The elements of `src`, each `self.size` bytes.
    pub(crate) fn elements<'a>(&self, src: &'a [u8]) -> core::slice::ChunksExact<'a, u8> {
        src.chunks_exact(self.size.max(1))
    }

    /// The number of whole elements in `src`.
    pub(crate) fn count(&self, src: &[u8]) -> usize {
        src.len() / self.size.max(1)
    }

    /// The error for a memory type `to` this node was not built for.
    pub(crate) fn mismatch(&self, to: &str) -> Error {
        conv_err(ConversionErrorKind::Incompatible, &self.from, to)
    }

    /// The error for a value `v` out of the range of `to`.
    pub(crate) fn overflow(&self, v: impl core::fmt::Display, to: &str) -> Error {
        conv_err(
            ConversionErrorKind::Overflow,
            alloc::format!("{v} ({})", self.from),
            to,
        )
    }
}

/// The fields of one compound element, handed to [`H5Type::from_fields`].
pub struct Fields<'a, 'h> {
    fields: &'a [FieldNode],
    elem: &'a [u8],
    env: &'a Env<'h>,
    next: usize,
    from: &'a str,
    to: &'static str,
}

impl<'a, 'h> Fields<'a, 'h> {
    pub(crate) fn new(
        node: &'a Node,
        elem: &'a [u8],
        env: &'a Env<'h>,
        to: &'static str,
    ) -> Result<Self> {
        match &node.kind {
            Kind::Compound(fields) => Ok(Fields {
                fields,
                elem,
                env,
                next: 0,
                from: &node.from,
                to,
            }),
            _ => Err(node.mismatch(to)),
        }
    }

    /// The value of the next field (in the order of the type descriptor's fields), converted
    /// from the file member of the same name.
    ///
    /// # Errors
    /// The member's conversion errors; [`Error::Conversion`] when all fields were read already
    /// or `F` is not the field's type.
    pub fn field<F: H5Type>(&mut self) -> Result<F> {
        let f = self.fields.get(self.next).ok_or_else(|| {
            conv_err(
                ConversionErrorKind::Incompatible,
                self.from,
                alloc::format!("{} (more fields read than described)", self.to),
            )
        })?;
        self.next += 1;
        let bytes = f
            .offset
            .checked_add(f.node.size)
            .and_then(|end| self.elem.get(f.offset..end))
            .ok_or(Error::format(
                FormatErrorKind::Truncated,
                "compound element",
                0,
            ))?;
        F::decode_element(&f.node, bytes, self.env)
    }

    /// The error of a compound type without [`H5Type::from_fields`].
    pub(crate) fn not_compound(&self) -> Error {
        conv_err(
            ConversionErrorKind::Incompatible,
            self.from,
            alloc::format!("{} (no from_fields)", self.to),
        )
    }
}

/// A conversion plan from one file datatype to one memory type, checked once and applied to
/// any number of buffers.
#[derive(Debug, Clone)]
pub struct Plan {
    file: Datatype,
    mem: TypeDescriptor,
    ctx: Ctx,
    opts: ConvertOptions,
    root: Node,
}

impl Plan {
    /// Plan the conversion of elements of the file type `file` into values described by
    /// `mem`; `ctx` gives the file's address width (variable-length and reference elements
    /// hold addresses).
    ///
    /// # Errors
    /// [`Error::Conversion`] ([`ConversionErrorKind::Incompatible`]) naming both types when
    /// they do not convert (the rules are in the [module docs](super)); [`Error::Usage`] for a
    /// malformed descriptor (an integer of 3 bytes, ...); [`Error::Unsupported`] for file
    /// types without conversions (integers above 64 bits, unknown string paddings, floats
    /// whose fields exceed 128 bits); `InvalidValue` when a variable-length or reference
    /// type's size disagrees with the file's address width.
    pub fn new(
        file: &Datatype,
        mem: &TypeDescriptor,
        ctx: Ctx,
        opts: ConvertOptions,
    ) -> Result<Plan> {
        let root = build(file, mem, ctx, 0)?;
        Ok(Plan {
            file: file.clone(),
            mem: mem.clone(),
            ctx,
            opts,
            root,
        })
    }

    /// [`Plan::new`] for the memory type of `T`.
    ///
    /// # Errors
    /// As [`Plan::new`].
    pub fn for_type<T: H5Type>(file: &Datatype, ctx: Ctx, opts: ConvertOptions) -> Result<Plan> {
        Self::new(file, &T::type_descriptor(), ctx, opts)
    }

    /// The file datatype.
    pub fn file_type(&self) -> &Datatype {
        &self.file
    }

    /// The memory type.
    pub fn memory_type(&self) -> &TypeDescriptor {
        &self.mem
    }

    /// The options.
    pub fn options(&self) -> ConvertOptions {
        self.opts
    }

    /// Bytes of one file element.
    pub fn element_size(&self) -> usize {
        self.root.size
    }

    fn check<T: H5Type>(&self) -> Result<()> {
        let t = T::type_descriptor();
        if t == self.mem {
            Ok(())
        } else {
            Err(Error::Usage(alloc::format!(
                "plan made for {} used to read {t}",
                self.mem
            )))
        }
    }

    /// Convert the elements stored in `src` (file layout, C order) into `dst`, one value per
    /// element.
    ///
    /// # Errors
    /// [`Error::Usage`] when `src` is not `dst.len()` elements or `T` is not the plan's memory
    /// type; [`Error::Conversion`] for values out of range (without
    /// [`ConvertOptions::saturate`]) and invalid UTF-8; format errors of variable-length
    /// elements and references; the heap's errors; [`Error::LimitExceeded`]
    /// (`max_heap_bytes`). On error `dst` holds a mix of converted and old values.
    pub fn convert<T: H5Type>(&self, src: &[u8], dst: &mut [T], heap: &dyn Heap) -> Result<()> {
        self.check::<T>()?;
        if (dst.len() as u64).checked_mul(self.root.size as u64) != Some(src.len() as u64) {
            return Err(Error::Usage(alloc::format!(
                "{} bytes are not {} elements of {} bytes",
                src.len(),
                dst.len(),
                self.root.size
            )));
        }
        let env = Env::new(heap, self.ctx, self.opts);
        T::decode_slice(&self.root, src, dst, &env)
    }

    /// Convert the elements stored in `src` into a new vector.
    ///
    /// # Errors
    /// [`Error::Usage`] when `src` is not a whole number of elements; otherwise as
    /// [`Plan::convert`].
    pub fn convert_vec<T: H5Type>(&self, src: &[u8], heap: &dyn Heap) -> Result<Vec<T>> {
        self.check::<T>()?;
        if src.len() % self.root.size != 0 {
            return Err(Error::Usage(alloc::format!(
                "{} bytes are not a whole number of {}-byte elements",
                src.len(),
                self.root.size
            )));
        }
        let env = Env::new(heap, self.ctx, self.opts);
        let mut out = Vec::with_capacity(self.root.count(src));
        T::decode_extend(&self.root, src, &mut out, &env)?;
        Ok(out)
    }
}

fn incompatible(file: &Datatype, mem: &TypeDescriptor) -> Error {
    conv_err(
        ConversionErrorKind::Incompatible,
        describe(file),
        mem.to_string(),
    )
}

fn size_of(dt: &Datatype) -> Result<usize> {
    usize::try_from(dt.size)
        .map_err(|_| Error::format(FormatErrorKind::Overflow, "datatype size", 0))
}

fn int_src(int: &Integer, size: u32) -> Result<IntSrc> {
    if int.precision == 0 || int.precision > 64 || int.order == ByteOrder::Vax {
        return Err(Error::unsupported(
            alloc::format!("conversion of a {}-bit integer", int.precision),
            0,
        ));
    }
    let size = usize::try_from(size)
        .map_err(|_| Error::format(FormatErrorKind::Overflow, "datatype size", 0))?;
    let full = matches!(size, 1 | 2 | 4 | 8)
        && int.bit_offset == 0
        && usize::from(int.precision) == 8 * size;
    Ok(IntSrc {
        int: *int,
        size,
        fast: full.then_some((int.signed, int.order == ByteOrder::BigEndian)),
    })
}

fn float_src(f: &Float, size: u32) -> Result<FloatSrc> {
    if f.mantissa_size > 128 || f.exponent_size > 64 {
        return Err(Error::unsupported("conversion of a float this wide", 0));
    }
    let usize_ = usize::try_from(size)
        .map_err(|_| Error::format(FormatErrorKind::Overflow, "datatype size", 0))?;
    Ok(FloatSrc {
        float: *f,
        size: usize_,
        fast: f
            .is_standard_ieee(u64::from(size))
            .then_some(f.order == ByteOrder::BigEndian),
    })
}

/// The integer layout of a time (class 2) value: signed, at bit 0.
fn time_int(order: ByteOrder, precision: u16) -> Integer {
    Integer {
        order,
        signed: true,
        lo_pad: false,
        hi_pad: false,
        bit_offset: 0,
        precision,
    }
}

/// An integer-valued source of `file`, if it has one: fixed-point, bitfield, enum, time.
fn int_like(file: &Datatype) -> Result<Option<IntSrc>> {
    Ok(match &file.class {
        Class::FixedPoint(i) | Class::Bitfield(i) => Some(int_src(i, file.size)?),
        Class::Enum { base, .. } => match &base.class {
            Class::FixedPoint(i) => Some(int_src(i, base.size)?),
            _ => None,
        },
        Class::Time { order, precision } => {
            Some(int_src(&time_int(*order, *precision), file.size)?)
        }
        _ => None,
    })
}

fn check_padding(p: StringPadding) -> Result<StringPadding> {
    if matches!(
        p,
        StringPadding::NULL_TERMINATE | StringPadding::NULL_PAD | StringPadding::SPACE_PAD
    ) {
        Ok(p)
    } else {
        Err(Error::unsupported(
            alloc::format!("string padding {}", p.0),
            0,
        ))
    }
}

fn check_size(file: &Datatype, want: u64, what: &'static str) -> Result<()> {
    if file.size() == want {
        Ok(())
    } else {
        Err(Error::invalid(what, 0))
    }
}

/// Names h5py (and others) give the parts of a complex compound.
const COMPLEX_NAMES: [(&str, &str); 3] = [("r", "i"), ("re", "im"), ("real", "imag")];

fn build(file: &Datatype, mem: &TypeDescriptor, ctx: Ctx, depth: u32) -> Result<Node> {
    if depth >= MAX_DEPTH {
        return Err(Error::LimitExceeded {
            limit: "max_depth",
            value: u64::from(depth) + 1,
            max: u64::from(MAX_DEPTH),
        });
    }
    let size = size_of(file)?;
    if size == 0 {
        return Err(incompatible(file, mem));
    }
    let fail = || incompatible(file, mem);
    let addr_size = u64::from(ctx.offset_size);
    let kind = match mem {
        TypeDescriptor::Integer { size: s, signed: _ } => {
            if !matches!(s, 1 | 2 | 4 | 8) {
                return Err(Error::Usage(alloc::format!("no {s}-byte integer type")));
            }
            match (&file.class, int_like(file)?) {
                (_, Some(src)) => Kind::Int(src),
                (Class::FloatingPoint(f), None) => Kind::Float(float_src(f, file.size)?),
                _ => return Err(fail()),
            }
        }
        TypeDescriptor::Float { size: s } => {
            if !matches!(s, 2 | 4 | 8) {
                return Err(Error::Usage(alloc::format!("no {s}-byte float type")));
            }
            match &file.class {
                Class::FloatingPoint(f) => Kind::Float(float_src(f, file.size)?),
                Class::FixedPoint(i) => Kind::Int(int_src(i, file.size)?),
                _ => return Err(fail()),
            }
        }
        TypeDescriptor::Bool => match &file.class {
            Class::FixedPoint(_) | Class::Enum { .. } | Class::Bitfield(_) => {
                Kind::Int(int_like(file)?.ok_or_else(fail)?)
            }
            _ => return Err(fail()),
        },
        TypeDescriptor::Complex { part_size } => {
            let part = TypeDescriptor::Float { size: *part_size };
            match &file.class {
                Class::Complex { base } => Kind::Complex {
                    re: Box::new(build(base, &part, ctx, depth + 1)?),
                    re_offset: 0,
                    im: Box::new(build(base, &part, ctx, depth + 1)?),
                    im_offset: size_of(base)?,
                },
                Class::Compound { members } if members.len() == 2 => {
                    let find = |n: &str| members.iter().find(|m| m.name == n);
                    let (re, im) = COMPLEX_NAMES
                        .iter()
                        .find_map(|(r, i)| Some((find(r)?, find(i)?)))
                        .ok_or_else(fail)?;
                    if !matches!(re.dtype.class, Class::FloatingPoint(_))
                        || !matches!(im.dtype.class, Class::FloatingPoint(_))
                    {
                        return Err(fail());
                    }
                    Kind::Complex {
                        re: Box::new(build(&re.dtype, &part, ctx, depth + 1)?),
                        re_offset: offset_of(re.offset)?,
                        im: Box::new(build(&im.dtype, &part, ctx, depth + 1)?),
                        im_offset: offset_of(im.offset)?,
                    }
                }
                _ => return Err(fail()),
            }
        }
        TypeDescriptor::String | TypeDescriptor::Bytes => match &file.class {
            Class::String { padding, .. } => Kind::FixedString(check_padding(*padding)?),
            Class::VarLen {
                kind: VlenKind::String { padding, .. },
                ..
            } => {
                check_padding(*padding)?;
                check_size(file, 8 + addr_size, "variable-length string size")?;
                Kind::VlenString
            }
            Class::Opaque { .. } if *mem == TypeDescriptor::Bytes => Kind::Opaque,
            _ => return Err(fail()),
        },
        TypeDescriptor::Array { len, elem } => {
            let Class::Array { dims, base } = &file.class else {
                return Err(fail());
            };
            let (first, rest) = dims.split_first().ok_or_else(fail)?;
            if matches!(**elem, TypeDescriptor::Array { .. }) && !rest.is_empty() {
                // [[T; b]; a] against array(a x b ...): one dimension per level
                if usize::try_from(*first).ok() != Some(*len) {
                    return Err(fail());
                }
                let inner_size = file.size / *first;
                let inner = Datatype {
                    version: file.version,
                    size: inner_size,
                    class: Class::Array {
                        dims: rest.to_vec(),
                        base: base.clone(),
                    },
                };
                Kind::Array {
                    len: *len,
                    base: Box::new(build(&inner, elem, ctx, depth + 1)?),
                }
            } else {
                let n = dims
                    .iter()
                    .try_fold(1u64, |a, &d| a.checked_mul(u64::from(d)))
                    .ok_or_else(fail)?;
                if n != *len as u64 {
                    return Err(fail());
                }
                Kind::Array {
                    len: *len,
                    base: Box::new(build(base, elem, ctx, depth + 1)?),
                }
            }
        }
        TypeDescriptor::VarLen(elem) => match &file.class {
            Class::VarLen {
                kind: VlenKind::Sequence,
                base,
            } => {
                check_size(file, 8 + addr_size, "variable-length sequence size")?;
                Kind::VarLen(Box::new(build(base, elem, ctx, depth + 1)?))
            }
            _ => return Err(fail()),
        },
        TypeDescriptor::Compound(c) => {
            let Class::Compound { members } = &file.class else {
                return Err(fail());
            };
            let mut fields = Vec::with_capacity(c.fields.len());
            for f in &c.fields {
                let m = members.iter().find(|m| m.name == f.name).ok_or_else(|| {
                    conv_err(
                        ConversionErrorKind::Incompatible,
                        describe(file),
                        alloc::format!("{mem} (no member named {:?} in the file)", f.name),
                    )
                })?;
                fields.push(FieldNode {
                    offset: offset_of(m.offset)?,
                    node: build(&m.dtype, &f.ty, ctx, depth + 1)?,
                });
            }
            Kind::Compound(fields)
        }
        TypeDescriptor::ObjectRef | TypeDescriptor::RegionRef | TypeDescriptor::Reference => {
            let Class::Reference(t) = &file.class else {
                return Err(fail());
            };
            let src = match t.0 {
                0 => RefSrc::Object1,
                1 => RefSrc::Region1,
                _ if t.is_revised() => RefSrc::Revised,
                _ => {
                    return Err(Error::unsupported(
                        alloc::format!("reference type {}", t.0),
                        0,
                    ))
                }
            };
            match (mem, src) {
                (TypeDescriptor::ObjectRef, RefSrc::Region1)
                | (TypeDescriptor::RegionRef, RefSrc::Object1) => return Err(fail()),
                _ => {}
            }
            match src {
                RefSrc::Object1 => check_size(file, addr_size, "object reference size")?,
                RefSrc::Region1 => check_size(file, addr_size + 4, "region reference size")?,
                RefSrc::Revised => {}
            }
            Kind::Ref(src)
        }
    };
    Ok(Node {
        size,
        from: describe(file),
        kind,
    })
}

fn offset_of(o: u64) -> Result<usize> {
    usize::try_from(o)
        .map_err(|_| Error::format(FormatErrorKind::Overflow, "compound member offset", 0))
}
