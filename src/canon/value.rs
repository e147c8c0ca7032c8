//! Canonical bytes and JSON values of stored elements (`DUMP-FORMAT.md`, "Canonical bytes" and
//! "JSON values").
//!
//! Elements are read exactly as stored (file byte order, file widths); variable-length data and
//! references are followed through a [`Resolver`], which the read engine implements. Choices
//! beyond DUMP-FORMAT.md (documented in `spec-notes/datatypes.md` and
//! `spec-notes/selections-and-references.md`):
//! - time (class 2) values encode as their stored bytes in little-endian order, the JSON value
//!   the signed integer of all those bytes (as the h5py oracle reads them);
//! - a variable-length string ends at its first NUL (libhdf5 hands strings to h5py as C
//!   strings); a zero length (libhdf5 writes a nil heap id for never-written elements) is the
//!   empty string;
//! - floats of non-standard layout (and NaNs among them) convert as
//!   [`Float::decode_f64`] describes;
//! - revised references: a local object reference encodes as an old one (the path), a region
//!   reference as an old one (the region object), an attribute reference as the compact JSON
//!   `{"obj": path, "attr": name}`; a reference into another file as
//!   `{"file": name, "token": hex, "kind": "object"|"region"|"attribute"}` (plus `"attr"`);
//! - a hyperslab or point selection with no elements reports type `"none"`, as libhdf5 does.
//!
//! All work is bounded: the output (canonical bytes plus one unit per element and per JSON
//! list) may not exceed [`Resolver::max_output_bytes`], heap objects must hold the bytes their
//! elements claim, and selections expand to at most [`MAX_BLOCKS`] blocks.

use super::Json;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::message::datatype::{
    to_little_endian, Class, Datatype, Float, IntValue, Integer, ReferenceType, StringPadding,
    VlenKind,
};
use crate::format::reference::{
    decode_object1, decode_region1, GlobalHeapId, RegionObject, RevisedElement, RevisedRef,
    RevisedTarget,
};
use crate::format::selection::{Selection, MAX_BLOCKS};
use crate::format::{Addr, Ctx, Cursor};
use crate::limits::Limits;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

/// Budget units charged for one JSON node (its in-memory size).
const JSON_NODE: u64 = core::mem::size_of::<Json>() as u64;

/// What the value encoder needs from the file beyond the element bytes.
pub trait Resolver {
    /// Bytes of object `index` in the global heap collection at `collection`.
    ///
    /// # Errors
    /// When the collection or object cannot be read.
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>>;

    /// Canonical path of the object whose header is at `addr` (the path where the dump's
    /// traversal first emits it).
    ///
    /// # Errors
    /// When no object of the file lives at `addr`.
    fn object_path(&self, addr: Addr) -> Result<String>;

    /// Current dimensions of the dataspace of the dataset whose header is at `addr` (`[]` for
    /// a scalar). Region references need them: an "all" selection counts the dataset's
    /// elements, and a stored selection's rank must match.
    ///
    /// # Errors
    /// When `addr` is not a readable dataset.
    fn dataspace_dims(&self, addr: Addr) -> Result<Vec<u64>>;

    /// Cap on the work of one encoding call: canonical bytes produced plus one unit per
    /// element and per JSON list. Bounds the expansion of variable-length data and references.
    fn max_output_bytes(&self) -> u64 {
        Limits::default().max_alloc
    }
}

/// Append the canonical bytes of all elements of `data` (C order; `shape` the dataspace
/// dimensions, `[]` for a scalar) to `bytes`, and return the JSON value nested as lists of
/// `shape` (a scalar for `[]`).
///
/// # Errors
/// [`Error::Usage`] when `data` is not exactly `product(shape) * dt.size()` bytes; format
/// errors of variable-length data and references (`Truncated` heap objects, invalid ids);
/// [`Error::Unsupported`] for values that cannot be represented (integers above 64 bits);
/// [`Error::LimitExceeded`] (`max_output_bytes`, `max_blocks`); the resolver's errors.
pub fn encode_elements(
    dt: &Datatype,
    data: &[u8],
    shape: &[u64],
    ctx: Ctx,
    res: &dyn Resolver,
    bytes: &mut Vec<u8>,
) -> Result<Json> {
    let n = check_len(dt, data, shape)?;
    let mut enc = Encoder::new(ctx, res, true);
    let mut items = Vec::new();
    for_each_element(dt, data, n, |e| {
        items.push(enc.element(dt, e, bytes)?);
        Ok(())
    })?;
    let mut it = items.into_iter();
    enc.nest(&mut it, shape)
}

/// Append the canonical bytes of all elements of `data` (C order) to `bytes`, without building
/// JSON (for hashing large datasets). Returns the number of elements.
///
/// # Errors
/// [`Error::Usage`] when `data` is not a whole number of elements; otherwise as
/// [`encode_elements`].
pub fn encode_bytes(
    dt: &Datatype,
    data: &[u8],
    ctx: Ctx,
    res: &dyn Resolver,
    bytes: &mut Vec<u8>,
) -> Result<u64> {
    let size = dt.size();
    if size == 0 {
        return Err(Error::Usage("zero-size elements need a shape".into()));
    }
    if data.len() as u64 % size != 0 {
        return Err(Error::Usage(
            "data is not a whole number of elements".into(),
        ));
    }
    let n = data.len() as u64 / size;
    if let Some(swap) = plain_layout(dt) {
        if swap {
            let size = usize::try_from(size).unwrap_or(1);
            for e in data.chunks_exact(size) {
                bytes.extend(e.iter().rev());
            }
        } else {
            bytes.extend_from_slice(data);
        }
        return Ok(n);
    }
    let mut enc = Encoder::new(ctx, res, false);
    for_each_element(dt, data, n, |e| enc.element(dt, e, bytes).map(|_| ()))?;
    Ok(n)
}

/// Append the canonical bytes of one element (`elem`: its stored bytes) and return its JSON
/// value.
///
/// # Errors
/// As [`encode_elements`].
pub fn encode_element(
    dt: &Datatype,
    elem: &[u8],
    ctx: Ctx,
    res: &dyn Resolver,
    bytes: &mut Vec<u8>,
) -> Result<Json> {
    if elem.len() as u64 != dt.size() {
        return Err(Error::Usage(
            "element length differs from the datatype size".into(),
        ));
    }
    Encoder::new(ctx, res, true).element(dt, elem, bytes)
}

/// The canonical JSON of a selection of a dataset with dimensions `dims`:
/// `{"npoints": N, "type": "all"|"none"|"points"|"hyperslab"}` plus `"points"` (stored order)
/// or `"blocks"` (`[[start...], [end...]]`, libhdf5's block-list order).
///
/// # Errors
/// `Overflow`, [`Error::LimitExceeded`] (`max_blocks`).
pub fn selection_json(sel: &Selection, dims: &[u64]) -> Result<Json> {
    let overflow = || Error::format(FormatErrorKind::Overflow, "selection size", 0);
    let coords = |v: &[u64]| Json::Array(v.iter().map(|&x| uint(x)).collect());
    let (npoints, ty, extra) = match sel {
        Selection::None => (0, "none", None),
        Selection::All => (sel.npoints(dims)?, "all", None),
        Selection::Points { .. } => {
            let n = sel.npoints(dims)?;
            let pts: Vec<Json> = sel.points().map(coords).collect();
            (n, "points", Some(("points", Json::Array(pts))))
        }
        Selection::Regular { .. } | Selection::Blocks { .. } => {
            let blocks = sel.blocks(MAX_BLOCKS)?;
            let mut n = 0u64;
            let mut list = Vec::with_capacity(blocks.len());
            for b in &blocks {
                let v = b
                    .start
                    .iter()
                    .zip(&b.end)
                    .try_fold(1u64, |a, (s, e)| a.checked_mul(e - s + 1))
                    .ok_or_else(overflow)?;
                n = n.checked_add(v).ok_or_else(overflow)?;
                list.push(Json::Array(alloc::vec![coords(&b.start), coords(&b.end)]));
            }
            (n, "hyperslab", Some(("blocks", Json::Array(list))))
        }
    };
    let mut j = Json::object().with("npoints", uint(npoints));
    if npoints == 0 {
        return Ok(j.with("type", Json::str("none")));
    }
    j.push("type", Json::str(ty));
    if let Some((k, v)) = extra {
        j.push(k, v);
    }
    Ok(j)
}

fn uint(v: u64) -> Json {
    i64::try_from(v).map_or(Json::UInt(v), Json::Int)
}

fn hex_json(b: &[u8]) -> Json {
    Json::object().with("hex", Json::Str(hex(b)))
}

/// Lower-case hex of `b`.
pub(crate) fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(2 * b.len());
    for x in b {
        let _ = write!(s, "{x:02x}");
    }
    s
}

/// A string value: the text when valid UTF-8, else `{"hex": ...}`.
fn text_json(b: &[u8]) -> Json {
    match core::str::from_utf8(b) {
        Ok(s) => Json::str(s),
        Err(_) => hex_json(b),
    }
}

fn put_len_prefixed(out: &mut Vec<u8>, b: &[u8]) {
    out.extend_from_slice(&(b.len() as u64).to_le_bytes());
    out.extend_from_slice(b);
}

const NULL_REF: &[u8] = b"<null>";

fn check_len(dt: &Datatype, data: &[u8], shape: &[u64]) -> Result<u64> {
    let n = shape
        .iter()
        .try_fold(1u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| Error::Usage("shape overflows".into()))?;
    if n.checked_mul(dt.size()) != Some(data.len() as u64) {
        return Err(Error::Usage(alloc::format!(
            "data holds {} bytes, shape and datatype need {} x {}",
            data.len(),
            n,
            dt.size()
        )));
    }
    Ok(n)
}

/// Call `f` on each of the `n` elements of `data` (zero-size elements are empty slices).
fn for_each_element(
    dt: &Datatype,
    data: &[u8],
    n: u64,
    mut f: impl FnMut(&[u8]) -> Result<()>,
) -> Result<()> {
    match usize::try_from(dt.size()) {
        Ok(0) => (0..n).try_for_each(|_| f(&[])),
        Ok(size) => data.chunks_exact(size).try_for_each(f),
        Err(_) => Err(Error::Usage(
            "element size exceeds the address space".into(),
        )),
    }
}

/// `Some(swap)` when the canonical bytes of `dt` are its stored bytes, byte-swapped per element
/// when `swap`: full-width integers and standard IEEE floats of 1, 2, 4 or 8 bytes.
fn plain_layout(dt: &Datatype) -> Option<bool> {
    use crate::format::message::datatype::ByteOrder;
    let order = match &dt.class {
        Class::FixedPoint(i) | Class::Bitfield(i) if is_full_width(i, dt.size()) => i.order,
        Class::FloatingPoint(f) if f.is_standard_ieee(dt.size()) => f.order,
        _ => return None,
    };
    Some(order == ByteOrder::BigEndian && dt.size > 1)
}

fn is_full_width(i: &Integer, size: u64) -> bool {
    matches!(size, 1 | 2 | 4 | 8) && i.bit_offset == 0 && u64::from(i.precision) == 8 * size
}

struct Encoder<'r> {
    ctx: Ctx,
    res: &'r dyn Resolver,
    json: bool,
    budget: u64,
    max: u64,
}

impl<'r> Encoder<'r> {
    fn new(ctx: Ctx, res: &'r dyn Resolver, json: bool) -> Self {
        let max = res.max_output_bytes();
        Encoder {
            ctx,
            res,
            json,
            budget: max,
            max,
        }
    }

    fn charge(&mut self, n: u64) -> Result<()> {
        self.budget = self.budget.checked_sub(n).ok_or(Error::LimitExceeded {
            limit: "max_output_bytes",
            value: self.max.saturating_add(1),
            max: self.max,
        })?;
        Ok(())
    }

    /// The JSON value of the next items, nested as lists of `shape`.
    fn nest(&mut self, it: &mut impl Iterator<Item = Json>, shape: &[u64]) -> Result<Json> {
        match shape.split_first() {
            None => Ok(it.next().unwrap_or(Json::Null)),
            Some((&d, rest)) => {
                // Every list costs its node's memory, so shapes like [10^12, 0] (no elements,
                // a trillion empty lists) hit the budget instead of building them.
                self.charge(JSON_NODE)?;
                let mut v = Vec::new();
                for _ in 0..d {
                    self.charge(JSON_NODE)?;
                    v.push(self.nest(it, rest)?);
                }
                Ok(Json::Array(v))
            }
        }
    }

    fn element(&mut self, dt: &Datatype, elem: &[u8], out: &mut Vec<u8>) -> Result<Json> {
        let before = out.len();
        let j = self.element_inner(dt, elem, out)?;
        self.charge((out.len() - before) as u64 + 1)?;
        Ok(if self.json { j } else { Json::Null })
    }

    fn element_inner(&mut self, dt: &Datatype, elem: &[u8], out: &mut Vec<u8>) -> Result<Json> {
        match &dt.class {
            Class::FixedPoint(i) | Class::Bitfield(i) => integer(i, dt.size(), elem, out),
            Class::Time { order, .. } => {
                // As the h5py oracle reads it: the stored bytes in little-endian order, the
                // value a signed integer of all of them.
                let le = to_little_endian(*order, elem)
                    .ok_or_else(|| Error::unsupported("time byte order", 0))?;
                let v = time_value(&le)
                    .ok_or_else(|| Error::unsupported("time wider than 8 bytes", 0))?;
                out.extend_from_slice(&le);
                Ok(Json::Int(v))
            }
            Class::Enum { base, .. } => self.element_inner(base, elem, out),
            Class::FloatingPoint(f) => float(f, dt.size(), elem, out),
            Class::Complex { base } => {
                let Class::FloatingPoint(f) = &base.class else {
                    return Err(Error::unsupported("complex base type", 0));
                };
                let (re, im) = elem.split_at(elem.len() / 2);
                let narrow = base.size() <= 4;
                let re = complex_part(f, base.size(), re, narrow, out)?;
                let im = complex_part(f, base.size(), im, narrow, out)?;
                Ok(Json::Array(alloc::vec![re, im]))
            }
            Class::String { padding, .. } => {
                let content = fixed_string(*padding, elem)?;
                out.extend_from_slice(content);
                out.resize(out.len() + (elem.len() - content.len()), 0);
                Ok(text_json(content))
            }
            Class::Opaque { .. } => {
                out.extend_from_slice(elem);
                Ok(hex_json(elem))
            }
            Class::Compound { members } => {
                let mut obj = Vec::with_capacity(members.len());
                for m in members {
                    let start = usize::try_from(m.offset).ok();
                    let sub = start
                        .and_then(|s| {
                            Some(s..s.checked_add(usize::try_from(m.dtype.size()).ok()?)?)
                        })
                        .and_then(|r| elem.get(r))
                        .ok_or_else(|| Error::invalid("compound member range", 0))?;
                    let v = self.element(&m.dtype, sub, out)?;
                    obj.push((m.name.clone(), v));
                }
                Ok(Json::Object(obj))
            }
            Class::Array { dims, base } => {
                let n = dims.iter().map(|&d| u64::from(d)).product::<u64>();
                let mut items = Vec::new();
                for_each_element(base, elem, n, |e| {
                    items.push(self.element(base, e, out)?);
                    Ok(())
                })?;
                let shape: Vec<u64> = dims.iter().map(|&d| u64::from(d)).collect();
                self.nest(&mut items.into_iter(), &shape)
            }
            Class::VarLen { kind, base } => self.vlen(*kind, base, elem, out),
            Class::Reference(r) => self.reference(*r, dt.size(), elem, out),
        }
    }

    fn vlen(
        &mut self,
        kind: VlenKind,
        base: &Datatype,
        elem: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Json> {
        let mut c = Cursor::new(elem, 0, "variable-length element");
        let len = c.u32()?;
        let id = GlobalHeapId::decode(&mut c, self.ctx)?;
        let empty = |out: &mut Vec<u8>| {
            out.extend_from_slice(&0u64.to_le_bytes());
            match kind {
                VlenKind::String { .. } => Json::str(""),
                VlenKind::Sequence => Json::Array(Vec::new()),
            }
        };
        if len == 0 {
            return Ok(empty(out));
        }
        let id = id.ok_or_else(|| Error::invalid("variable-length heap id", 0))?;
        let obj = self.res.global_heap_object(id.collection, id.index)?;
        let need = u64::from(len).checked_mul(base.size()).ok_or_else(|| {
            Error::format(
                FormatErrorKind::Overflow,
                "variable-length size",
                id.collection.0,
            )
        })?;
        let data = usize::try_from(need)
            .ok()
            .and_then(|n| obj.get(..n))
            .ok_or_else(|| {
                Error::format(
                    FormatErrorKind::Truncated,
                    "variable-length heap object",
                    id.collection.0,
                )
            })?;
        match kind {
            VlenKind::String { .. } => {
                let s = data.split(|&b| b == 0).next().unwrap_or(&[]);
                put_len_prefixed(out, s);
                Ok(text_json(s))
            }
            VlenKind::Sequence => {
                out.extend_from_slice(&u64::from(len).to_le_bytes());
                let mut items = Vec::new();
                for_each_element(base, data, u64::from(len), |e| {
                    items.push(self.element(base, e, out)?);
                    Ok(())
                })?;
                Ok(Json::Array(items))
            }
        }
    }

    fn reference(
        &mut self,
        r: ReferenceType,
        size: u64,
        elem: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<Json> {
        let mut c = Cursor::new(elem, 0, "reference element");
        let null = |out: &mut Vec<u8>| {
            put_len_prefixed(out, NULL_REF);
            Ok(Json::Null)
        };
        match r {
            ReferenceType::OBJECT1 => match decode_object1(&mut c, self.ctx)? {
                None => null(out),
                Some(addr) => self.path_ref(addr, out),
            },
            ReferenceType::DATASET_REGION1 => match decode_region1(&mut c, self.ctx)? {
                None => null(out),
                Some(id) => {
                    let obj = self.res.global_heap_object(id.collection, id.index)?;
                    let mut oc = Cursor::new(&obj, id.collection.0, "region reference object");
                    let region = RegionObject::decode(&mut oc, self.ctx, None)?;
                    self.region_ref(region.object, &region.selection, None, out)
                }
            },
            t if t.is_revised() => match RevisedElement::decode(&mut c, self.ctx)? {
                RevisedElement::Null => null(out),
                RevisedElement::Inline(rr) => self.revised(&rr, 0, out),
                RevisedElement::Heap {
                    ref_type,
                    flags,
                    size,
                    id,
                } => {
                    let obj = self.res.global_heap_object(id.collection, id.index)?;
                    let blob = usize::try_from(size)
                        .ok()
                        .and_then(|n| obj.get(..n))
                        .ok_or_else(|| {
                            Error::format(
                                FormatErrorKind::Truncated,
                                "reference heap object",
                                id.collection.0,
                            )
                        })?;
                    let mut bc = Cursor::new(blob, id.collection.0, "reference heap object");
                    let rr = RevisedRef::decode_body(ref_type, flags, &mut bc)?;
                    self.revised(&rr, id.collection.0, out)
                }
            },
            other => Err(Error::unsupported(
                alloc::format!("reference type {} ({size}-byte elements)", other.0),
                0,
            )),
        }
    }

    fn path_ref(&mut self, addr: Addr, out: &mut Vec<u8>) -> Result<Json> {
        let path = self.res.object_path(addr)?;
        put_len_prefixed(out, path.as_bytes());
        Ok(Json::Str(path))
    }

    fn json_ref(&mut self, j: Json, out: &mut Vec<u8>) -> Json {
        put_len_prefixed(out, j.to_compact().as_bytes());
        j
    }

    fn region_ref(
        &mut self,
        object: Addr,
        sel: &Selection,
        stored_rank: Option<u32>,
        out: &mut Vec<u8>,
    ) -> Result<Json> {
        let dims = self.res.dataspace_dims(object)?;
        let rank_ok = sel.rank().map_or(true, |r| r == dims.len())
            && stored_rank.map_or(true, |r| usize::try_from(r).ok() == Some(dims.len()));
        if !rank_ok {
            return Err(Error::invalid("region reference selection rank", object.0));
        }
        let path = self.res.object_path(object)?;
        let j = Json::object()
            .with("obj", Json::Str(path))
            .with("sel", selection_json(sel, &dims)?);
        Ok(self.json_ref(j, out))
    }

    fn revised(&mut self, rr: &RevisedRef, at: u64, out: &mut Vec<u8>) -> Result<Json> {
        if let Some(file) = &rr.file {
            let kind = match rr.target {
                RevisedTarget::Object => "object",
                RevisedTarget::Region { .. } => "region",
                RevisedTarget::Attribute(_) => "attribute",
            };
            let mut j = Json::object()
                .with("file", Json::str(file))
                .with("token", Json::Str(hex(&rr.token)))
                .with("kind", Json::str(kind));
            if let RevisedTarget::Attribute(name) = &rr.target {
                j.push("attr", Json::str(name));
            }
            return Ok(self.json_ref(j, out));
        }
        let addr = rr.address(at)?;
        match &rr.target {
            RevisedTarget::Object => self.path_ref(addr, out),
            RevisedTarget::Region { rank, selection } => {
                self.region_ref(addr, selection, Some(*rank), out)
            }
            RevisedTarget::Attribute(name) => {
                let path = self.res.object_path(addr)?;
                let j = Json::object()
                    .with("obj", Json::Str(path))
                    .with("attr", Json::str(name));
                Ok(self.json_ref(j, out))
            }
        }
    }
}

/// A little-endian two's complement integer of 1 to 8 bytes.
fn time_value(le: &[u8]) -> Option<i64> {
    let n = le.len();
    if n == 0 || n > 8 {
        return None;
    }
    let shift = 64 - 8 * u32::try_from(n).ok()?;
    let raw = crate::format::cursor::le_uint(le);
    Some(i64::from_le_bytes((raw << shift).to_le_bytes()) >> shift)
}

fn integer(i: &Integer, size: u64, elem: &[u8], out: &mut Vec<u8>) -> Result<Json> {
    let v = i
        .decode_value(elem)
        .ok_or_else(|| Error::unsupported("integer precision above 64 bits", 0))?;
    let width = if matches!(size, 1 | 2 | 4 | 8) {
        size
    } else {
        8
    };
    let width = usize::try_from(width).unwrap_or(8);
    let (le, j) = match v {
        IntValue::Signed(x) => (x.to_le_bytes(), Json::Int(x)),
        IntValue::Unsigned(x) => (x.to_le_bytes(), uint(x)),
    };
    out.extend(le.iter().take(width));
    Ok(j)
}

fn float(f: &Float, size: u64, elem: &[u8], out: &mut Vec<u8>) -> Result<Json> {
    let v = f
        .decode_f64(elem)
        .ok_or_else(|| Error::unsupported("floating-point layout", 0))?;
    if f.is_standard_ieee(size) {
        out.extend(to_little_endian(f.order, elem).unwrap_or_default());
        Ok(Json::Float(v))
    } else {
        out.extend_from_slice(&v.to_le_bytes());
        Ok(Json::Float(v))
    }
}

fn le4(b: &[u8]) -> [u8; 4] {
    let mut a = [0u8; 4];
    for (d, s) in a.iter_mut().zip(b) {
        *d = *s;
    }
    a
}

/// One part of a complex number: `narrow` parts (at most 4 bytes) as f32, others as f64.
fn complex_part(
    f: &Float,
    size: u64,
    part: &[u8],
    narrow: bool,
    out: &mut Vec<u8>,
) -> Result<Json> {
    let le = to_little_endian(f.order, part).unwrap_or_default();
    if narrow {
        let x = if size == 4 && f.is_standard_ieee(4) {
            f32::from_le_bytes(le4(&le))
        } else {
            let v = f
                .decode_f64(part)
                .ok_or_else(|| Error::unsupported("floating-point layout", 0))?;
            #[allow(clippy::cast_possible_truncation)]
            let x = v as f32;
            x
        };
        out.extend_from_slice(&x.to_le_bytes());
        Ok(Json::Float(f64::from(x)))
    } else {
        let v = f
            .decode_f64(part)
            .ok_or_else(|| Error::unsupported("floating-point layout", 0))?;
        if size == 8 && f.is_standard_ieee(8) {
            out.extend(le);
        } else {
            out.extend_from_slice(&v.to_le_bytes());
        }
        Ok(Json::Float(v))
    }
}

/// The logical content of a fixed-length string: up to the first NUL (null-terminated and
/// null-padded), trailing spaces removed (space-padded).
fn fixed_string(p: StringPadding, b: &[u8]) -> Result<&[u8]> {
    match p {
        StringPadding::NULL_TERMINATE | StringPadding::NULL_PAD => {
            Ok(b.split(|&x| x == 0).next().unwrap_or(&[]))
        }
        StringPadding::SPACE_PAD => {
            let end = b.iter().rposition(|&x| x != b' ').map_or(0, |p| p + 1);
            Ok(b.get(..end).unwrap_or(&[]))
        }
        StringPadding(n) => Err(Error::unsupported(alloc::format!("string padding {n}"), 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::message::datatype::{
        ByteOrder, CharacterSet, EnumMember, MantissaNorm, Member,
    };
    use crate::testutil::hex;
    use alloc::boxed::Box;
    use alloc::collections::BTreeMap;
    use alloc::vec;

    #[derive(Default)]
    struct Mock {
        heap: BTreeMap<(u64, u32), Vec<u8>>,
        paths: BTreeMap<u64, String>,
        dims: BTreeMap<u64, Vec<u64>>,
        max: Option<u64>,
    }

    impl Resolver for Mock {
        fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
            self.heap
                .get(&(collection.0, index))
                .cloned()
                .ok_or_else(|| Error::NotFound("heap object".into()))
        }
        fn object_path(&self, addr: Addr) -> Result<String> {
            self.paths
                .get(&addr.0)
                .cloned()
                .ok_or_else(|| Error::NotFound("object".into()))
        }
        fn dataspace_dims(&self, addr: Addr) -> Result<Vec<u64>> {
            self.dims
                .get(&addr.0)
                .cloned()
                .ok_or_else(|| Error::NotFound("dataset".into()))
        }
        fn max_output_bytes(&self) -> u64 {
            self.max.unwrap_or(1 << 20)
        }
    }

    fn dt(h: &str) -> Datatype {
        let b = hex(h);
        Datatype::decode(&mut Cursor::new(&b, 0, "t")).unwrap()
    }

    const I4LE: &str = "100800000400000000002000";
    const F8LE: &str = "11203f000800000000004000340b0034ff030000";

    /// Encode with the mock; returns (canonical bytes, compact JSON).
    fn enc(t: &Datatype, data: &[u8], shape: &[u64], m: &Mock) -> (Vec<u8>, String) {
        let mut b = Vec::new();
        let j = encode_elements(t, data, shape, Ctx::DEFAULT, m, &mut b).unwrap();
        // the bytes-only path agrees
        if t.size > 0 {
            let mut b2 = Vec::new();
            encode_bytes(t, data, Ctx::DEFAULT, m, &mut b2).unwrap();
            assert_eq!(b, b2, "encode_bytes agrees");
        }
        (b, j.to_compact())
    }

    fn le64(v: u64) -> Vec<u8> {
        v.to_le_bytes().to_vec()
    }

    #[test]
    fn integers() {
        let m = Mock::default();
        let (b, j) = enc(&dt(I4LE), &hex("01000000 feffffff"), &[2], &m);
        assert_eq!(b, hex("01000000 feffffff"));
        assert_eq!(j, "[1,-2]");
        // big-endian i2 → little-endian
        let (b, j) = enc(&dt("100900000200000000001000"), &hex("fffe 0102"), &[2], &m);
        assert_eq!(b, hex("feff 0201"));
        assert_eq!(j, "[-2,258]");
        // u8 above i64::MAX
        let (b, j) = enc(&dt("100000000800000000004000"), &[0xff; 8], &[], &m);
        assert_eq!(b, [0xff; 8]);
        assert_eq!(j, "18446744073709551615");
        // 3-byte signed integer widens to 8 bytes
        let (b, j) = enc(
            &dt("100800000300000000001800"),
            &hex("feffff 050000"),
            &[2],
            &m,
        );
        assert_eq!(b, hex("feffffffffffffff 0500000000000000"));
        assert_eq!(j, "[-2,5]");
        // precision 12 at offset 4, signed, 4 bytes: -3 and 7
        let (b, j) = enc(
            &dt("100800000400000004000c00"),
            &hex("d0ffabcd 70000000"),
            &[2],
            &m,
        );
        assert_eq!(b, hex("fdffffff 07000000"));
        assert_eq!(j, "[-3,7]");
        // bitfield b2> and time(8<)
        let (b, j) = enc(&dt("140100000200000000001000"), &hex("8001"), &[], &m);
        assert_eq!((b, j.as_str()), (hex("0180"), "32769"));
        let (b, j) = enc(
            &dt("12000000080000004000"),
            &hex("0100000000000000"),
            &[],
            &m,
        );
        assert_eq!((b, j.as_str()), (hex("0100000000000000"), "1"));
    }

    #[test]
    fn floats() {
        let m = Mock::default();
        let (b, j) = enc(
            &dt(F8LE),
            &[0.5f64.to_le_bytes(), f64::NAN.to_le_bytes()].concat(),
            &[2],
            &m,
        );
        assert_eq!(&b[..8], 0.5f64.to_le_bytes());
        assert_eq!(j, "[0.5,\"nan\"]");
        // f4 big-endian: stored width, little-endian; JSON widened exactly
        let (b, j) = enc(
            &dt("11211f000400000000002000170800177f000000"),
            &0.1f32.to_be_bytes(),
            &[],
            &m,
        );
        assert_eq!(b, 0.1f32.to_le_bytes());
        assert_eq!(j, "0.10000000149011612");
        // f2 keeps 2 bytes
        let (b, j) = enc(
            &dt("11200f0002000000000010000a05000a0f000000"),
            &hex("00bc 007c"),
            &[2],
            &m,
        );
        assert_eq!(b, hex("00bc 007c"));
        assert_eq!(j, "[-1.0,\"inf\"]");
        // bfloat16 converts to f8
        let (b, j) = enc(
            &dt("11200f000200000000001000070800077f000000"),
            &hex("4940"),
            &[],
            &m,
        );
        assert_eq!(b, 3.140625f64.to_le_bytes());
        assert_eq!(j, "3.140625");
        // non-IEEE NaN: libhdf5's all-ones pattern
        let (b, _) = enc(
            &dt("11200f000200000000001000070800077f000000"),
            &hex("c1ff"),
            &[],
            &m,
        );
        assert_eq!(b, hex("ffffffffffffffff"));
        // a standard layout with a mantissa normalization other than implied is not IEEE
        let t = dt("11003f000800000000004000340b0034ff030000");
        let Class::FloatingPoint(f) = &t.class else {
            panic!()
        };
        assert_eq!(f.norm, MantissaNorm::None);
        // m * 2^(e + 1 - bias - 52): the IEEE pattern of 1.5 reads as 2^51 * 2^-51
        let (b, j) = enc(&t, &0x3ff8_0000_0000_0000u64.to_le_bytes(), &[], &m);
        assert_eq!(b, 1.0f64.to_le_bytes());
        assert_eq!(j, "1.0");
    }

    #[test]
    fn complex() {
        let m = Mock::default();
        let c16 = dt("5b0100001000000011203f000800000000004000340b0034ff030000");
        let data = [1.5f64.to_le_bytes(), (-2.0f64).to_le_bytes()].concat();
        let (b, j) = enc(&c16, &data, &[], &m);
        assert_eq!(b, data);
        assert_eq!(j, "[1.5,-2.0]");
        // c8 big-endian
        let c8 = dt("5b0100000800000011211f000400000000002000170800177f000000");
        let data = [0.25f32.to_be_bytes(), 3.0f32.to_be_bytes()].concat();
        let (b, j) = enc(&c8, &data, &[1], &m);
        assert_eq!(b, [0.25f32.to_le_bytes(), 3.0f32.to_le_bytes()].concat());
        assert_eq!(j, "[[0.25,3.0]]");
        // complex of f2: parts widen to f4 (c8)
        let ch = dt("5b010000040000001120 0f0002000000000010000a05000a0f000000");
        let (b, j) = enc(&ch, &hex("003c 00c0"), &[], &m);
        assert_eq!(b, [1.0f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat());
        assert_eq!(j, "[1.0,-2.0]");
    }

    #[test]
    fn fixed_strings_and_opaque() {
        let m = Mock::default();
        let t = dt("1300000005000000"); // S5 nullterm
        let (b, j) = enc(&t, b"ab\0cdhello", &[2], &m);
        assert_eq!(b, b"ab\0\0\0hello");
        assert_eq!(j, "[\"ab\",\"hello\"]");
        let t = dt("1302000004000000"); // S4 spacepad
        let (b, j) = enc(&t, b"a   ", &[], &m);
        assert_eq!((b.as_slice(), j.as_str()), (&b"a\0\0\0"[..], "\"a\""));
        let t = dt("1301000002000000"); // S2 nullpad, invalid UTF-8
        let (b, j) = enc(&t, &[0xff, 0x01], &[], &m);
        assert_eq!((b, j.as_str()), (vec![0xff, 0x01], "{\"hex\":\"ff01\"}"));
        let (b, j) = enc(&dt("1500000003000000"), &[1, 2, 0xab], &[], &m);
        assert_eq!((b, j.as_str()), (vec![1, 2, 0xab], "{\"hex\":\"0102ab\"}"));
    }

    #[test]
    fn enums() {
        let m = Mock::default();
        let t = dt("180200000100000010080000010000000000080046414c534500000054525545000000000001");
        let (b, j) = enc(&t, &[1, 0, 1], &[3], &m);
        assert_eq!((b, j.as_str()), (vec![1, 0, 1], "[1,0,1]"));
        let t = dt("38010000 02000000 100900000200000000001000 4100 fffe");
        let (b, j) = enc(&t, &hex("fffe"), &[], &m);
        assert_eq!((b, j.as_str()), (hex("feff"), "-2"));
    }

    fn vlen_elem(len: u32, addr: u64, idx: u32) -> Vec<u8> {
        [
            len.to_le_bytes().to_vec(),
            le64(addr),
            idx.to_le_bytes().to_vec(),
        ]
        .concat()
    }

    #[test]
    fn vlen_strings() {
        let mut m = Mock::default();
        m.heap.insert((0x840, 1), b"abc".to_vec());
        m.heap.insert((0x840, 2), b"h\xc3\xa9llo\0\0\0".to_vec());
        m.heap.insert((0x840, 3), b"a\0b".to_vec());
        m.heap.insert((0x840, 4), vec![]);
        let t = dt("1901010010000000100000000100000000000800");
        let data = [
            vlen_elem(3, 0x840, 1),
            vlen_elem(6, 0x840, 2),
            vlen_elem(3, 0x840, 3),
            vlen_elem(0, 0x840, 4), // '' as libhdf5 writes it
            vlen_elem(0, 0, 0),     // never written (NULL)
        ]
        .concat();
        let (b, j) = enc(&t, &data, &[5], &m);
        let expect = [
            le64(3),
            b"abc".to_vec(),
            le64(6),
            b"h\xc3\xa9llo".to_vec(),
            le64(1),
            b"a".to_vec(),
            le64(0),
            le64(0),
        ]
        .concat();
        assert_eq!(b, expect);
        assert_eq!(j, "[\"abc\",\"héllo\",\"a\",\"\",\"\"]");
        // heap object shorter than the stored length
        let mut out = Vec::new();
        let e =
            encode_element(&t, &vlen_elem(9, 0x840, 1), Ctx::DEFAULT, &m, &mut out).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        // nonzero length with a nil heap id
        let e = encode_element(&t, &vlen_elem(2, 0, 0), Ctx::DEFAULT, &m, &mut out).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn vlen_sequences_nested() {
        let mut m = Mock::default();
        m.heap.insert((0x900, 1), hex("0100 feff 0300"));
        // vlen(vlen(i2<)): outer heap object holds two inner vlen elements
        m.heap.insert(
            (0x900, 2),
            [vlen_elem(3, 0x900, 1), vlen_elem(0, 0, 0)].concat(),
        );
        let inner = "1900000010000000100800000200000000001000";
        let t = dt(inner);
        let (b, j) = enc(
            &t,
            &[vlen_elem(3, 0x900, 1), vlen_elem(0, 0, 0)].concat(),
            &[2],
            &m,
        );
        assert_eq!(b, [le64(3), hex("0100 feff 0300"), le64(0)].concat());
        assert_eq!(j, "[[1,-2,3],[]]");
        let t = dt(&alloc::format!("1900000010000000{inner}"));
        let (b, j) = enc(&t, &vlen_elem(2, 0x900, 2), &[], &m);
        assert_eq!(
            b,
            [le64(2), le64(3), hex("0100 feff 0300"), le64(0)].concat()
        );
        assert_eq!(j, "[[1,-2,3],[]]");
    }

    #[test]
    fn vlen_amplification_is_bounded() {
        // one heap object of 1000 i4 referenced by 1000 elements: 4 MB of output
        let mut m = Mock {
            max: Some(100_000),
            ..Mock::default()
        };
        m.heap.insert((0x900, 1), vec![0u8; 4000]);
        let t = dt("1900000010000000100800000400000000002000");
        let data: Vec<u8> = (0..1000).flat_map(|_| vlen_elem(1000, 0x900, 1)).collect();
        let mut out = Vec::new();
        let e = encode_elements(&t, &data, &[1000], Ctx::DEFAULT, &m, &mut out).unwrap_err();
        assert!(
            matches!(
                e,
                Error::LimitExceeded {
                    limit: "max_output_bytes",
                    ..
                }
            ),
            "{e:?}"
        );
        // a huge count in a tiny heap object is refused before any work
        let e = encode_element(
            &t,
            &vlen_elem(u32::MAX, 0x900, 1),
            Ctx::DEFAULT,
            &m,
            &mut out,
        )
        .unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
    }

    #[test]
    fn compound_array_nested() {
        let mut m = Mock::default();
        m.heap.insert((0x900, 7), b"xyz".to_vec());
        // compound[24]{"a"@0:i2>, "arr"@2:array(2x2,u1), "s"@8:vlen-str-ascii}
        let i2be = Datatype {
            version: 1,
            size: 2,
            class: Class::FixedPoint(Integer {
                order: ByteOrder::BigEndian,
                signed: true,
                lo_pad: false,
                hi_pad: false,
                bit_offset: 0,
                precision: 16,
            }),
        };
        let u1 = dt("100000000100000000000800");
        let arr = Datatype {
            version: 3,
            size: 4,
            class: Class::Array {
                dims: vec![2, 2],
                base: Box::new(u1),
            },
        };
        let vs = dt("1901000010000000100000000100000000000800");
        let t = Datatype {
            version: 3,
            size: 24,
            class: Class::Compound {
                members: vec![
                    Member {
                        name: "a".into(),
                        offset: 0,
                        dtype: i2be,
                    },
                    Member {
                        name: "arr".into(),
                        offset: 2,
                        dtype: arr,
                    },
                    Member {
                        name: "s".into(),
                        offset: 8,
                        dtype: vs,
                    },
                ],
            },
        };
        assert_eq!(
            crate::canon::dtype::dtype_string(&t),
            "compound[24]{\"a\"@0:i2>,\"arr\"@2:array(2x2,u1),\"s\"@8:vlen-str-ascii}"
        );
        let data = [hex("fffe 01020304 0000"), vlen_elem(3, 0x900, 7)].concat();
        let (b, j) = enc(&t, &data, &[], &m);
        assert_eq!(b, [hex("feff 01020304"), le64(3), b"xyz".to_vec()].concat());
        assert_eq!(j, "{\"a\":-2,\"arr\":[[1,2],[3,4]],\"s\":\"xyz\"}");
    }

    #[test]
    fn shapes() {
        let m = Mock::default();
        let t = dt("100000000100000000000800");
        assert_eq!(
            enc(&t, &[1, 2, 3, 4, 5, 6], &[2, 3], &m).1,
            "[[1,2,3],[4,5,6]]"
        );
        assert_eq!(enc(&t, &[9], &[], &m).1, "9");
        assert_eq!(enc(&t, &[], &[2, 0], &m).1, "[[],[]]");
        assert_eq!(enc(&t, &[], &[0, 5], &m).1, "[]");
        let mut out = Vec::new();
        let e = encode_elements(&t, &[1, 2], &[3], Ctx::DEFAULT, &m, &mut out).unwrap_err();
        assert!(matches!(e, Error::Usage(_)));
    }

    fn refs_mock() -> Mock {
        let mut m = Mock::default();
        m.paths.insert(800, "/g".into());
        m.paths.insert(0xb3, "/d".into());
        m.paths.insert(0x728, "/d".into());
        m.dims.insert(0xb3, vec![10, 10]);
        m.dims.insert(0x728, vec![4, 5]);
        // old region objects from a libhdf5 2.0 (libver latest) file
        for (i, h) in [
            (1, "b300000000000000020000000300000001020200000001000100010002000200010001000300"),
            (3, "b30000000000000003000000010000000000000000000000"),
            (4, "b30000000000000000000000010000000000000000000000"),
            (5, "b300000000000000010000000200000002020000000300010007000300040009000000"),
            (8, "b300000000000000020000000300000000020200000004000000000000000100000004000000050001000000010005000200000003000300"),
        ] {
            m.heap.insert((0x990, i), hex(h));
        }
        // revised blobs (libhdf5 2.0 H5Rcreate_region / H5Rcreate_attr)
        m.heap.insert(
            (0x10e2, 1),
            hex("082807000000000000280000000200000002000000010000000000000018000000020000000100000001000000010000000200000003000000"),
        );
        m.heap.insert((0x10e2, 2), hex("082807000000000000010061"));
        m
    }

    fn ref_str(b: &[u8]) -> String {
        let (n, s) = b.split_at(8);
        assert_eq!(u64::from_le_bytes(n.try_into().unwrap()), s.len() as u64);
        String::from_utf8(s.to_vec()).unwrap()
    }

    #[test]
    fn object_references() {
        let m = refs_mock();
        let t = dt("1700000008000000");
        let (b, j) = enc(&t, &[le64(800), le64(0)].concat(), &[2], &m);
        assert_eq!(
            b,
            [le64(2), b"/g".to_vec(), le64(6), b"<null>".to_vec()].concat()
        );
        assert_eq!(j, "[\"/g\",null]");
        // an address nothing lives at is the resolver's error
        let mut out = Vec::new();
        assert!(encode_element(&t, &le64(12345), Ctx::DEFAULT, &m, &mut out).is_err());
    }

    #[test]
    fn region_references() {
        let m = refs_mock();
        let t = dt("170100000c000000");
        let el = |i: u32| [le64(0x990), i.to_le_bytes().to_vec()].concat();
        let one = |i: u32| {
            let (b, j) = enc(&t, &el(i), &[], &m);
            assert_eq!(ref_str(&b), j);
            j
        };
        assert_eq!(
            one(1),
            r#"{"obj":"/d","sel":{"npoints":6,"type":"hyperslab","blocks":[[[1,2],[2,4]]]}}"#
        );
        assert_eq!(one(3), r#"{"obj":"/d","sel":{"npoints":100,"type":"all"}}"#);
        assert_eq!(one(4), r#"{"obj":"/d","sel":{"npoints":0,"type":"none"}}"#);
        assert_eq!(
            one(5),
            r#"{"obj":"/d","sel":{"npoints":3,"type":"points","points":[[1,7],[3,4],[9,0]]}}"#
        );
        assert_eq!(
            one(8),
            r#"{"obj":"/d","sel":{"npoints":18,"type":"hyperslab","blocks":[[[0,0],[0,1]],[[0,4],[0,5]],[[1,0],[1,5]],[[2,0],[3,3]]]}}"#
        );
        // null
        let (b, j) = enc(&t, &[0u8; 12], &[], &m);
        assert_eq!((ref_str(&b).as_str(), j.as_str()), ("<null>", "null"));
        // rank mismatch between the selection and the dataset
        let mut m2 = refs_mock();
        m2.dims.insert(0xb3, vec![100]);
        let mut out = Vec::new();
        let e = encode_element(&t, &el(1), Ctx::DEFAULT, &m2, &mut out).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    }

    #[test]
    fn revised_references() {
        let m = refs_mock();
        let t = dt("4712000012000000");
        let data = hex("020008200300000000000000000000000000\
             030039000000e21000000000000001000000\
             04000c000000e21000000000000002000000\
             000000000000000000000000000000000000");
        let (b, j) = enc(&t, &data, &[4], &m);
        assert_eq!(
            j,
            r#"["/g",{"obj":"/d","sel":{"npoints":6,"type":"hyperslab","blocks":[[[1,1],[2,3]]]}},{"obj":"/d","attr":"a"},null]"#
        );
        let mut rest = b.as_slice();
        let mut strs = Vec::new();
        while !rest.is_empty() {
            let n = usize::try_from(u64::from_le_bytes(rest[..8].try_into().unwrap())).unwrap();
            strs.push(String::from_utf8(rest[8..8 + n].to_vec()).unwrap());
            rest = &rest[8 + n..];
        }
        assert_eq!(strs[0], "/g");
        assert_eq!(strs[2], r#"{"obj":"/d","attr":"a"}"#);
        assert_eq!(strs[3], "<null>");
        // blob shorter than the element's size field
        let mut m2 = refs_mock();
        m2.heap.insert((0x10e2, 2), hex("0828070000"));
        let mut out = Vec::new();
        let e = encode_element(&t, &data[36..54], Ctx::DEFAULT, &m2, &mut out).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
    }

    #[test]
    fn four_byte_offsets() {
        let mut m = Mock::default();
        m.paths.insert(0x60, "/x".into());
        m.heap.insert((0x200, 1), b"hi".to_vec());
        let t = dt("1700000004000000");
        let mut out = Vec::new();
        let ctx = Ctx {
            offset_size: 4,
            length_size: 4,
        };
        let j = encode_element(&t, &hex("60000000"), ctx, &m, &mut out).unwrap();
        assert_eq!(j, Json::str("/x"));
        // vlen string element of 12 bytes: length, 4-byte address, index
        let t = Datatype {
            size: 12,
            ..dt("1901000010000000100000000100000000000800")
        };
        let j = encode_element(&t, &hex("02000000 00020000 01000000"), ctx, &m, &mut out).unwrap();
        assert_eq!(j, Json::str("hi"));
    }

    #[test]
    fn json_value_helpers() {
        assert_eq!(uint(5), Json::Int(5));
        assert_eq!(uint(u64::MAX), Json::UInt(u64::MAX));
        let _ = (
            CharacterSet::ASCII,
            EnumMember {
                name: String::new(),
                value: vec![],
            },
        );
    }
}
