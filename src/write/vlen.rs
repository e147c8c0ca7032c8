//! File pointers inside raw data copied from another file: variable-length elements (a length
//! and a global heap ID; spec "Variable-length" datatype and "Global Heap") and object
//! references (an object header address). [`rewrite`] moves every referenced heap object
//! (recursively, for vlen inside vlen) into the new file's heap, maps every object reference
//! to the new file's object, and puts the new values in place.

use crate::error::{Error, Result};
use crate::format::message::datatype::{Class, Datatype};
use crate::format::{Addr, Ctx, Cursor, Encoder};
use alloc::vec::Vec;

/// Fetch a heap object of the source file: `(collection, index) -> bytes`.
pub type Fetch<'a> = dyn FnMut(Addr, u32) -> Result<Vec<u8>> + 'a;
/// Store bytes in the new file's heap: `bytes -> (collection, index)`.
pub type Put<'a> = dyn FnMut(&[u8]) -> Result<(Addr, u32)> + 'a;
/// Map an object header address of the source file to the new file's.
pub type MapObject<'a> = dyn FnMut(Addr) -> Result<Addr> + 'a;

/// What [`rewrite`] uses to move file pointers.
pub struct Movers<'a, 'b> {
    /// Reads source heap objects.
    pub fetch: &'a mut Fetch<'b>,
    /// Stores heap objects in the new file.
    pub put: &'a mut Put<'b>,
    /// Maps object references.
    pub object: &'a mut MapObject<'b>,
}

/// Whether values of `t` hold file pointers (global heap IDs or references).
pub fn has_vlen(t: &Datatype) -> bool {
    match &t.class {
        Class::VarLen { .. } | Class::Reference(_) => true,
        Class::Compound { members } => members.iter().any(|m| has_vlen(&m.dtype)),
        Class::Array { base, .. } | Class::Enum { base, .. } | Class::Complex { base } => {
            has_vlen(base)
        }
        _ => false,
    }
}

fn size_of(t: &Datatype) -> Result<usize> {
    usize::try_from(t.size).map_err(|_| Error::Usage(alloc::string::String::from("type size")))
}

/// Encode one vlen element: `len` items stored as heap object `id` (`None`: empty).
pub fn encode_element(ctx: Ctx, len: u32, id: Option<(Addr, u32)>) -> Vec<u8> {
    let mut e = Encoder::new(ctx);
    e.u32(len);
    match id {
        Some((a, i)) => {
            e.offset(a).u32(i);
        }
        None => {
            e.offset(Addr(0)).u32(0);
        }
    }
    e.finish()
}

/// Rewrite the elements of `t` in `raw` (a whole number of elements, `src` widths) for a
/// file of widths `dst`, moving heap objects and mapping object references with `m`. The
/// element sizes must be the same in both files (same offset width).
///
/// # Errors
/// [`Error::Unsupported`] when the offset widths differ, for region and revised references;
/// errors of the movers; format errors of truncated elements.
pub fn rewrite(
    t: &Datatype,
    raw: &[u8],
    src: Ctx,
    dst: Ctx,
    m: &mut Movers<'_, '_>,
) -> Result<Vec<u8>> {
    if src.offset_size != dst.offset_size && has_vlen(t) {
        return Err(Error::unsupported(
            "copying variable-length data between files of different offset sizes",
            0,
        ));
    }
    let mut out = raw.to_vec();
    if !has_vlen(t) {
        return Ok(out);
    }
    let n = size_of(t)?;
    if n == 0 {
        return Ok(out);
    }
    for start in (0..raw.len()).step_by(n) {
        rewrite_one(t, &mut out, start, src, dst, m)?;
    }
    Ok(out)
}

fn rewrite_one(
    t: &Datatype,
    buf: &mut [u8],
    at: usize,
    src: Ctx,
    dst: Ctx,
    m: &mut Movers<'_, '_>,
) -> Result<()> {
    match &t.class {
        Class::Reference(r) if *r == crate::format::message::datatype::ReferenceType::OBJECT1 => {
            let n = usize::from(src.offset_size);
            let elem = buf
                .get(at..at + n)
                .ok_or_else(|| Error::invalid("object reference", 0))?;
            let mut c = Cursor::new(elem, 0, "object reference");
            if let Some(a) = c.offset(src)?.filter(|a| a.0 != 0) {
                let mut e = Encoder::new(dst);
                e.offset((m.object)(a)?);
                if let Some(d) = buf.get_mut(at..at + n) {
                    d.copy_from_slice(e.as_bytes());
                }
            }
            Ok(())
        }
        Class::Reference(r)
            if *r == crate::format::message::datatype::ReferenceType::DATASET_REGION1 =>
        {
            // A global heap ID; the heap object is the object's header address followed by
            // the serialized selection (spec "Dataset Region References").
            let o = usize::from(src.offset_size);
            let n = o + 4;
            let elem = buf
                .get(at..at + n)
                .ok_or_else(|| Error::invalid("region reference", 0))?;
            let mut c = Cursor::new(elem, 0, "region reference");
            let coll = c.offset(src)?;
            let index = c.u32()?;
            if let Some(a) = coll.filter(|a| a.0 != 0) {
                let mut obj = (m.fetch)(a, index)?;
                let mut oc = Cursor::new(&obj, 0, "region reference object");
                if let Some(target) = oc.offset(src)? {
                    let mut e = Encoder::new(dst);
                    e.offset((m.object)(target)?);
                    if let Some(d) = obj.get_mut(..o) {
                        d.copy_from_slice(e.as_bytes());
                    }
                }
                let (na, ni) = (m.put)(&obj)?;
                let mut e = Encoder::new(dst);
                e.offset(na).u32(ni);
                if let Some(d) = buf.get_mut(at..at + n) {
                    d.copy_from_slice(e.as_bytes());
                }
            }
            Ok(())
        }
        Class::Reference(_) => Err(Error::unsupported(
            "writing revised (HDF5 1.12) references",
            0,
        )),
        Class::VarLen { base, .. } => {
            let n = size_of(t)?;
            let elem = buf
                .get(at..at + n)
                .ok_or_else(|| Error::invalid("variable-length element", 0))?;
            let mut c = Cursor::new(elem, 0, "variable-length element");
            let len = c.u32()?;
            let coll = c.offset(src)?;
            let index = c.u32()?;
            let new = match coll {
                Some(a) if a.0 != 0 && len > 0 => {
                    let obj = (m.fetch)(a, index)?;
                    let obj = if has_vlen(base) {
                        rewrite(base, &obj, src, dst, m)?
                    } else {
                        obj
                    };
                    encode_element(dst, len, Some((m.put)(&obj)?))
                }
                _ => encode_element(dst, len, None),
            };
            if let Some(d) = buf.get_mut(at..at + new.len()) {
                d.copy_from_slice(&new);
            }
            Ok(())
        }
        Class::Compound { members } => {
            for mem in members {
                let off = usize::try_from(mem.offset)
                    .map_err(|_| Error::invalid("compound member offset", 0))?;
                rewrite_one(&mem.dtype, buf, at + off, src, dst, m)?;
            }
            Ok(())
        }
        Class::Array { dims, base } => {
            let count: usize = dims.iter().map(|&d| d as usize).product();
            let n = size_of(base)?;
            for i in 0..count {
                rewrite_one(base, buf, at + i * n, src, dst, m)?;
            }
            Ok(())
        }
        _ => Ok(()),
    }
}
