//! Repacking: read a whole file with the reader and write it with the writer, dataset by
//! dataset and chunk by chunk (memory bounded by one chunk, or one block of rows for
//! contiguous data), optionally changing profile, filters and chunk shapes.

use super::file::File;
use super::object::{Dataset, Group, LinkKind, Object};
use super::writer::{guess_chunk, FileWriter, ObjectId};
use crate::error::{Error, Result};
use crate::filter::FilterSpec;
use crate::format::message::datatype::{Class, Datatype};
use crate::format::message::fill_value::FillValue;
use crate::format::message::layout::Layout;
use crate::format::Addr;
use crate::io::WriteAt;
use crate::read::selection::{Hyperslab, Selection};
use crate::write::dataset::SliceDim;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

/// How chunk shapes are chosen for the output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ChunkChoice {
    /// Keep each dataset's layout (chunked stays chunked with its chunks; others unchanged,
    /// unless filters are asked for, which need chunks: then h5py's guess).
    #[default]
    Keep,
    /// Chunk every non-scalar dataset with h5py's guess.
    Auto,
    /// Chunk every dataset of the same rank with these dimensions (clipped to the shape).
    Dims(Vec<u64>),
}

/// What repacking changes.
#[derive(Debug, Clone, Default)]
pub struct RepackOptions {
    /// Replace every dataset's filter pipeline (`None`: keep each one's).
    pub filters: Option<Vec<FilterSpec>>,
    /// Chunk shapes.
    pub chunks: ChunkChoice,
}

/// Bytes read at once from a contiguous or compact dataset.
const BLOCK: u64 = 4 << 20;

/// Copy everything of `src` into `dst`: groups (with their link order tracking), datasets,
/// named datatypes, attributes, hard links (an object linked twice is written once), soft and
/// external links. `progress(bytes)` is called after each block of data with the number of
/// bytes copied so far.
///
/// # Errors
/// Errors of reading and writing; [`Error::Unsupported`] for what the writer cannot write
/// yet (HDF5 1.12 references, user-defined links). Virtual datasets and external
/// storage are copied as their values (materialised), not as mappings.
pub fn repack<W: WriteAt>(
    src: &File,
    dst: &mut FileWriter<W>,
    opts: &RepackOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let mut r = Repack {
        src,
        dst,
        opts,
        seen: BTreeMap::new(),
        todo: Vec::new(),
        done: 0,
        progress,
    };
    let root = src.root()?;
    r.seen.insert(root.addr(), r.dst.root());
    // First every object and link (so references to any object can be mapped), then the
    // attributes and the data.
    r.copy_group(&root, "")?;
    r.copy_attrs(&Object::Group(root), r.dst.root())?;
    for (obj, id) in core::mem::take(&mut r.todo) {
        if let Object::Dataset(d) = &obj {
            r.copy_data_of(d, id)?;
        }
        r.copy_attrs(&obj, id)?;
    }
    Ok(())
}

struct Repack<'a, W: WriteAt> {
    src: &'a File,
    dst: &'a mut FileWriter<W>,
    opts: &'a RepackOptions,
    seen: BTreeMap<Addr, ObjectId>,
    /// Objects created, whose attributes and data are still to copy.
    todo: Vec<(Object, ObjectId)>,
    done: u64,
    progress: &'a mut dyn FnMut(u64),
}

/// Whether a type holds data the writer cannot copy yet (HDF5 1.12 references).
fn unsupported_type(t: &Datatype) -> bool {
    match &t.class {
        Class::Reference(r) => r.is_revised(),
        Class::VarLen { base, .. } => unsupported_type(base),
        Class::Compound { members } => members.iter().any(|m| unsupported_type(&m.dtype)),
        Class::Array { base, .. } | Class::Enum { base, .. } | Class::Complex { base } => {
            unsupported_type(base)
        }
        _ => false,
    }
}

impl<W: WriteAt> Repack<'_, W> {
    /// Raw elements of `t` with their variable-length data moved into the new file's heap.
    fn vlen(&mut self, t: &Datatype, raw: &[u8]) -> Result<Vec<u8>> {
        if !crate::write::vlen::has_vlen(t) {
            return Ok(raw.to_vec());
        }
        let heap = super::object::FileHeap::new(self.src);
        let src_ctx = self.src.inner.reader.ctx;
        let dst = self.dst.raw();
        let dst_ctx = dst.ctx();
        let seen = &self.seen;
        let mut fetch = |a: Addr, i: u32| crate::types::Heap::global_heap_object(&heap, a, i);
        let headers: BTreeMap<Addr, Addr> = seen
            .iter()
            .map(|(a, id)| Ok((*a, dst.header_addr(*id)?)))
            .collect::<Result<_>>()?;
        let mut object = |a: Addr| {
            headers.get(&a).copied().ok_or_else(|| {
                Error::unsupported(
                    format!("a reference to the object at {a}, which no link reaches"),
                    a.0,
                )
            })
        };
        let mut put = |b: &[u8]| dst.heap_put(b);
        let mut movers = crate::write::vlen::Movers {
            fetch: &mut fetch,
            put: &mut put,
            object: &mut object,
        };
        crate::write::vlen::rewrite(t, raw, src_ctx, dst_ctx, &mut movers)
    }

    fn copy_group(&mut self, g: &Group, path: &str) -> Result<()> {
        for link in g.links()? {
            let child = format!("{path}/{}", link.name);
            match &link.kind {
                LinkKind::Hard(addr) => {
                    if let Some(id) = self.seen.get(addr) {
                        self.dst.link_hard(&child, *id)?;
                        continue;
                    }
                    let obj = g.get(&link.name)?;
                    let id = match &obj {
                        Object::Group(sub) => {
                            let id = if link.creation_order.is_some() {
                                self.dst.create_group_ordered(&child)?
                            } else {
                                self.dst.create_group(&child)?
                            };
                            self.seen.insert(*addr, id);
                            self.copy_group(sub, &child)?;
                            id
                        }
                        Object::Dataset(d) => self.copy_dataset(d, &child)?,
                        Object::Datatype(t) => {
                            self.dst.commit_datatype(&child, t.dtype().clone())?
                        }
                    };
                    self.seen.insert(*addr, id);
                    self.todo.push((obj, id));
                }
                LinkKind::Soft(target) => self.dst.link_soft(&child, target)?,
                LinkKind::External { file, path } => self.dst.link_external(&child, file, path)?,
                LinkKind::UserDefined(t) => {
                    return Err(Error::unsupported(
                        format!("user-defined link type {t} at {child}"),
                        0,
                    ))
                }
            }
        }
        Ok(())
    }

    fn copy_attrs(&mut self, obj: &Object, id: ObjectId) -> Result<()> {
        let attrs = match obj {
            Object::Group(g) => g.attrs()?,
            Object::Dataset(d) => d.attrs()?,
            Object::Datatype(t) => t.attrs()?,
        };
        for a in attrs {
            let a = a?;
            let data = self.vlen(a.dtype(), a.raw_bytes())?;
            if unsupported_type(a.dtype()) {
                return Err(Error::unsupported(
                    format!("writing attribute {:?} of a reference type", a.name()),
                    0,
                ));
            }
            self.dst
                .set_attr_space(id, &a.name(), a.dtype().clone(), a.space().clone(), data)?;
        }
        Ok(())
    }

    fn copy_dataset(&mut self, d: &Dataset, path: &str) -> Result<ObjectId> {
        let info = d.info();
        if unsupported_type(&info.dtype) {
            return Err(Error::unsupported(
                format!("writing dataset {path} of a reference type"),
                0,
            ));
        }
        // Virtual datasets and datasets in external files are written with their values
        // (read through their sources, which the source `File` must be allowed to open:
        // `OpenOptions::external_files`); their mappings and external files are not kept.
        let src_chunk = match &info.layout.layout {
            Layout::Chunked { chunk, .. } => Some(chunk.clone()),
            _ => None,
        };
        let filters: Vec<FilterSpec> = match &self.opts.filters {
            Some(f) => f.clone(),
            None => info
                .filters
                .iter()
                .map(|f| FilterSpec {
                    id: f.id.0,
                    flags: f.flags,
                    params: f.params.clone(),
                })
                .collect(),
        };
        let simple = info.space.kind == crate::format::message::dataspace::SpaceKind::Simple;
        let dims = info.space.dims.clone();
        let max: Vec<Option<u64>> = info.space.max_dims.clone();
        let resizable = max
            .iter()
            .zip(&dims)
            .any(|(m, d)| m.map_or(true, |m| m > *d));
        let chunk = match (&self.opts.chunks, &src_chunk) {
            _ if !simple => None,
            (ChunkChoice::Keep, Some(c)) => Some(c.clone()),
            (ChunkChoice::Keep, None) if !filters.is_empty() || resizable => {
                Some(guess_chunk(&dims, None, info.dtype.size))
            }
            (ChunkChoice::Keep, None) => None,
            (ChunkChoice::Auto, _) => Some(guess_chunk(&dims, None, info.dtype.size)),
            (ChunkChoice::Dims(c), _) if c.len() == dims.len() => Some(
                c.iter()
                    .zip(&dims)
                    .map(|(&c, &d)| c.min(d.max(1)).max(1))
                    .collect(),
            ),
            (ChunkChoice::Dims(_), _) => Some(guess_chunk(&dims, None, info.dtype.size)),
        };
        let mut b = self.dst.new_dataset_raw(info.dtype.clone());
        b = b.shape(if simple { &dims } else { &[] });
        match &info.fill.value {
            FillValue::User(v) => b = b.fill_raw(v.clone()),
            FillValue::Undefined => b = b.fill_undefined(),
            FillValue::Default => {}
        }
        if let Some(c) = &chunk {
            b = b.chunk(c).maxshape(&max);
            for f in &filters {
                b = b.filter(f.clone());
            }
        } else if matches!(info.layout.layout, Layout::Compact { .. }) {
            b = b.compact();
        }
        if info.space.kind == crate::format::message::dataspace::SpaceKind::Null {
            b = b.null_space();
        }
        b.create(path)
    }

    /// Copy the values of `d` into the new dataset `id`.
    fn copy_data_of(&mut self, d: &Dataset, id: ObjectId) -> Result<()> {
        let dims = d.info().space.dims.clone();
        let src_chunk = match &d.info().layout.layout {
            Layout::Chunked { chunk, .. } => Some(chunk.clone()),
            _ => None,
        };
        let dst_chunk = match &self.dst.raw().node(id)?.kind {
            crate::write::file::NodeKind::Dataset(n) => match &n.storage {
                crate::write::dataset::Storage::Chunked { chunk, .. } => Some(chunk.clone()),
                _ => None,
            },
            _ => None,
        };
        self.copy_data(d, id, &dims, dst_chunk.as_deref().or(src_chunk.as_deref()))
    }

    /// Copy the values block by block: one chunk of the output (or of the source) at a time,
    /// else slabs of whole rows of about [`BLOCK`] bytes.
    fn copy_data(
        &mut self,
        d: &Dataset,
        id: ObjectId,
        dims: &[u64],
        chunk: Option<&[u64]>,
    ) -> Result<()> {
        let elem = u64::from(d.info().dtype.size);
        if d.info().space.kind == crate::format::message::dataspace::SpaceKind::Null {
            return Ok(());
        }
        if dims.is_empty() {
            let raw = d.read_raw()?;
            let raw = self.vlen(&d.info().dtype, &raw)?;
            self.dst.write_raw(id, None, &raw)?;
            self.done += raw.len() as u64;
            (self.progress)(self.done);
            return Ok(());
        }
        if dims.contains(&0) {
            return Ok(());
        }
        let block: Vec<u64> = match chunk {
            Some(c) => c.to_vec(),
            None => {
                let row: u64 = dims
                    .iter()
                    .skip(1)
                    .product::<u64>()
                    .saturating_mul(elem)
                    .max(1);
                let mut b = dims.to_vec();
                if let Some(b0) = b.first_mut() {
                    *b0 = (BLOCK / row).clamp(1, *b0);
                }
                b
            }
        };
        let grid: Vec<u64> = dims
            .iter()
            .zip(&block)
            .map(|(&n, &k)| n.div_ceil(k.max(1)))
            .collect();
        let mut idx = alloc::vec![0u64; dims.len()];
        loop {
            let start: Vec<u64> = idx.iter().zip(&block).map(|(&i, &k)| i * k).collect();
            let count: Vec<u64> = start
                .iter()
                .zip(&block)
                .zip(dims)
                .map(|((&s, &k), &n)| k.min(n - s))
                .collect();
            let h = Hyperslab {
                start: start.clone(),
                step: alloc::vec![1; dims.len()],
                count: count.clone(),
            };
            let raw = d.read_raw_selection(&Selection::Hyperslab(h))?;
            let raw = self.vlen(&d.info().dtype, &raw)?;
            let sel: Vec<SliceDim> = start
                .iter()
                .zip(&count)
                .map(|(&start, &count)| SliceDim {
                    start,
                    count,
                    step: 1,
                })
                .collect();
            self.dst.write_raw(id, Some(&sel), &raw)?;
            self.done += raw.len() as u64;
            (self.progress)(self.done);
            // Next block, C order.
            let mut k = dims.len();
            loop {
                if k == 0 {
                    return Ok(());
                }
                k -= 1;
                let (Some(i), Some(g)) = (idx.get_mut(k), grid.get(k)) else {
                    return Ok(());
                };
                *i += 1;
                if *i < *g {
                    break;
                }
                *i = 0;
            }
        }
    }
}
