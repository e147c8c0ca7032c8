//! Reading virtual datasets (VDS): each mapping copies the selected elements of a source
//! dataset (in this file or another) onto a selection of the virtual dataset; elements no
//! mapping covers, and mappings whose source file or dataset is missing (as h5py/libhdf5 do),
//! read as the virtual dataset's fill value.

use super::file::File;
use super::object::{Dataset, Object};
use crate::error::{Error, Result};
use crate::format::message::layout::Layout;
use crate::format::selection::Selection as Stored;
use crate::format::virtual_layout::{self, Mapping};
use crate::read::data;
use crate::read::global_heap::GlobalHeapCollection;
use crate::read::selection::Selection;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// Every point of a stored selection over `extent`, in the order libhdf5 pairs them (C order
/// for "all" and hyperslabs, stored order for point lists), at most `max`.
pub(crate) fn points(sel: &Stored, extent: &[u64], max: u64) -> Result<Vec<Vec<u64>>> {
    let too_many = || Error::LimitExceeded {
        limit: "max_alloc",
        value: u64::MAX,
        max,
    };
    let mut out: Vec<Vec<u64>> = Vec::new();
    match sel {
        Stored::None => {}
        Stored::Points { .. } => out.extend(sel.points().map(<[u64]>::to_vec)),
        Stored::All => {
            let n = extent
                .iter()
                .try_fold(1u64, |a, &d| a.checked_mul(d))
                .ok_or_else(too_many)?;
            if n > max {
                return Err(too_many());
            }
            let block = crate::format::selection::Block {
                start: alloc::vec![0; extent.len()],
                end: extent.iter().map(|&d| d.saturating_sub(1)).collect(),
            };
            if n > 0 {
                expand(&block, &mut out, max)?;
            }
        }
        Stored::Regular { .. } | Stored::Blocks { .. } => {
            let max_blocks = usize::try_from(max).unwrap_or(usize::MAX);
            for b in sel.blocks(max_blocks)? {
                expand(&b, &mut out, max)?;
            }
            out.sort();
            out.dedup();
        }
    }
    if out.len() as u64 > max {
        return Err(too_many());
    }
    Ok(out)
}

/// Append every point of an inclusive block, in C order.
fn expand(b: &crate::format::selection::Block, out: &mut Vec<Vec<u64>>, max: u64) -> Result<()> {
    if b.start.iter().zip(&b.end).any(|(s, e)| s > e) {
        return Ok(());
    }
    let mut p = b.start.clone();
    loop {
        if out.len() as u64 >= max {
            return Err(Error::LimitExceeded {
                limit: "max_alloc",
                value: out.len() as u64 + 1,
                max,
            });
        }
        out.push(p.clone());
        let mut d = p.len();
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            let (s, e) = (
                b.start.get(d).copied().unwrap_or(0),
                b.end.get(d).copied().unwrap_or(0),
            );
            if let Some(x) = p.get_mut(d) {
                if *x < e {
                    *x += 1;
                    break;
                }
                *x = s;
            }
        }
    }
}

/// Maps dataset coordinates to output element indexes of the requested selection.
enum OutIndex<'a> {
    All(&'a [u64]),
    Slab(&'a crate::read::selection::Hyperslab),
    Points(BTreeMap<&'a [u64], Vec<usize>>),
}

impl OutIndex<'_> {
    fn lookup(&self, p: &[u64], mut f: impl FnMut(usize)) {
        match self {
            OutIndex::All(dims) => {
                let mut i = 0u64;
                for (&x, &n) in p.iter().zip(dims.iter()) {
                    i = i * n + x;
                }
                f(usize::try_from(i).unwrap_or(usize::MAX));
            }
            OutIndex::Slab(h) => {
                let mut i = 0u64;
                for (d, &x) in p.iter().enumerate() {
                    let get = |v: &[u64]| v.get(d).copied().unwrap_or(0);
                    let (s, st, c) = (get(&h.start), get(&h.step).max(1), get(&h.count));
                    if x < s || (x - s) % st != 0 || (x - s) / st >= c {
                        return;
                    }
                    i = i * c + (x - s) / st;
                }
                f(usize::try_from(i).unwrap_or(usize::MAX));
            }
            OutIndex::Points(m) => {
                if let Some(v) = m.get(p) {
                    v.iter().copied().for_each(f);
                }
            }
        }
    }
}

/// One source's share of a read of a virtual dataset.
#[derive(Debug, Clone)]
pub struct SourcePart {
    /// The source dataset (in this file or another).
    pub source: Dataset,
    /// Whether the source's elements must be converted to the virtual dataset's type.
    pub converting: bool,
    /// Source points to read, one per entry of `targets`.
    pub points: Vec<Vec<u64>>,
    /// Output element index of each point.
    pub targets: Vec<usize>,
}

/// Which output elements of a read of `ds` come from which source points. Output elements no
/// part mentions hold the fill value. Missing source files and datasets give no part.
pub(crate) fn plan(ds: &Dataset, sel: &Selection, depth: u32) -> Result<Vec<SourcePart>> {
    let file = ds.file();
    let r = file.reader();
    crate::Limits::check(
        "max_link_hops",
        u64::from(depth),
        u64::from(r.limits.max_link_hops),
    )?;
    let info = ds.info();
    let (heap, index) = match &info.layout.layout {
        Layout::Virtual {
            heap: Some(h),
            index,
        } => (*h, *index),
        _ => {
            return Err(Error::invalid(
                "virtual dataset layout (no mapping block)",
                ds.addr().0,
            ))
        }
    };
    let elem = info.dtype.size().max(1);
    let coll = GlobalHeapCollection::read(r, heap)?;
    let block = coll.object(index)?;
    let dims = ds.shape().to_vec();
    // Errors in the block name its own address: the collection's plus the object's offset.
    let block_addr = u16::try_from(index)
        .ok()
        .and_then(|i| coll.collection.get(i))
        .map_or(heap.0, |o| heap.0.saturating_add(o.data_offset as u64));
    let mappings = virtual_layout::decode(block, block_addr, r.ctx, dims.len())?;
    let max_points = r.limits.max_alloc / elem;
    let outidx = match sel {
        Selection::All => OutIndex::All(&dims),
        Selection::Hyperslab(h) => {
            h.check(&dims)?;
            OutIndex::Slab(h)
        }
        Selection::Points(pts) => {
            let mut m: BTreeMap<&[u64], Vec<usize>> = BTreeMap::new();
            for (i, p) in pts.iter().enumerate() {
                m.entry(p.as_slice()).or_default().push(i);
            }
            OutIndex::Points(m)
        }
    };
    let mut parts = Vec::new();
    for m in &mappings {
        let Some(source) = open_source(file, m)? else {
            continue; // missing source: fill value, as libhdf5 does
        };
        let converting = !source.dtype().same_layout(ds.dtype());
        let vpts = points(&m.virtual_sel, &dims, max_points)?;
        let spts = points(&m.source, source.shape(), max_points)?;
        if vpts.len() != spts.len() {
            return Err(Error::invalid(
                "virtual dataset mapping (source and virtual selections differ in size)",
                heap.0,
            ));
        }
        let mut part = SourcePart {
            source,
            converting,
            points: Vec::new(),
            targets: Vec::new(),
        };
        for (vp, sp) in vpts.iter().zip(&spts) {
            outidx.lookup(vp, |o| {
                part.targets.push(o);
                part.points.push(sp.clone());
            });
        }
        if !part.points.is_empty() {
            parts.push(part);
        }
    }
    Ok(parts)
}

/// Whether reading `ds` needs another file's heaps (variable-length data or references taken
/// from a source in another file): such values have no raw form in this file.
pub(crate) fn crosses_files(ds: &Dataset, parts: &[SourcePart]) -> bool {
    holds_heap_data(ds.dtype())
        && parts
            .iter()
            .any(|p| !Arc::ptr_eq(&p.source.file().inner, &ds.file().inner))
}

/// Read a selection of the virtual dataset `ds` into `out` (raw bytes of its datatype).
pub(crate) fn read(ds: &Dataset, sel: &Selection, out: &mut [u8], depth: u32) -> Result<()> {
    let info = ds.info();
    let need = data::output_len(info, sel)?;
    if out.len() != need {
        return Err(Error::Usage(format!(
            "output buffer of {} bytes for {need}",
            out.len()
        )));
    }
    let elem =
        usize::try_from(info.dtype.size()).map_err(|_| Error::invalid("datatype size", 0))?;
    let fill = data::fill_element(info, ds.file().reader().limits.max_alloc)?;
    for c in out.chunks_exact_mut(elem.max(1)) {
        c.copy_from_slice(&fill);
    }
    let parts = plan(ds, sel, depth)?;
    if crosses_files(ds, &parts) {
        // Variable-length data and references of another file point into that file's heaps;
        // as raw bytes of this file they would decode garbage. Typed reads and the canonical
        // document resolve them per source instead.
        return Err(Error::unsupported(
            "raw read of a virtual dataset with variable-length or reference data from another file",
            ds.addr().0,
        ));
    }
    for part in parts {
        let src = &part.source;
        let mut values = src.read_raw_depth(&Selection::Points(part.points), depth + 1)?;
        if part.converting {
            values =
                crate::read::convert::convert(src.dtype(), ds.dtype(), &values).map_err(|_| {
                    Error::unsupported("virtual dataset source datatype (conversion)", src.addr().0)
                })?;
        }
        for (s, o) in part.targets.into_iter().enumerate() {
            let from = values
                .get(s * elem..(s + 1) * elem)
                .ok_or(Error::invalid("virtual dataset read", ds.addr().0))?;
            out.get_mut(o * elem..(o + 1) * elem)
                .ok_or(Error::invalid("virtual dataset output", ds.addr().0))?
                .copy_from_slice(from);
        }
    }
    Ok(())
}

/// Whether elements of `dt` refer into the file's heaps or objects (vlen data, references).
fn holds_heap_data(dt: &crate::format::message::datatype::Datatype) -> bool {
    use crate::format::message::datatype::Class;
    match &dt.class {
        Class::VarLen { .. } | Class::Reference(_) => true,
        Class::Compound { members } => members.iter().any(|m| holds_heap_data(&m.dtype)),
        Class::Enum { base, .. } | Class::Array { base, .. } | Class::Complex { base } => {
            holds_heap_data(base)
        }
        _ => false,
    }
}

/// Open a mapping's source dataset; `None` when its file or dataset does not exist.
fn open_source(file: &File, m: &Mapping) -> Result<Option<Dataset>> {
    let path = String::from_utf8_lossy(&m.dataset).into_owned();
    let src_file = match &m.file {
        None => file.clone(),
        Some(name) => match open_file(file, name)? {
            Some(f) => f,
            None => return Ok(None),
        },
    };
    match src_file.root()?.get(&path) {
        Ok(Object::Dataset(d)) => Ok(Some(d)),
        Ok(_) => Err(Error::invalid("virtual dataset source (not a dataset)", 0)),
        Err(Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(feature = "std")]
fn open_file(file: &File, name: &[u8]) -> Result<Option<File>> {
    let name = core::str::from_utf8(name)
        .map_err(|_| Error::Usage(format!("source file name {name:?} is not UTF-8")))?;
    for c in file.relative_candidates(std::path::Path::new(name)) {
        if c.is_file() {
            return File::open_with(&c, file.options()).map(Some);
        }
    }
    Ok(None)
}

#[cfg(not(feature = "std"))]
fn open_file(_file: &File, _name: &[u8]) -> Result<Option<File>> {
    Err(Error::unsupported(
        "virtual dataset source in another file (no file system)",
        0,
    ))
}
