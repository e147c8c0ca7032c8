//! Writing new files: [`FileWriter`] (h5py's modes `w`, `w-`/`x` and in-memory files) with
//! typed dataset builders, slice writes, resizing, attributes and links.
//!
//! Objects are named by paths like h5py (`"a/b/c"`, intermediate groups created as needed);
//! the ids returned ([`ObjectId`]) name them in later calls. Raw data goes to the file as it is
//! written (chunks once complete); the metadata and the superblock are written by
//! [`FileWriter::finish`].

use crate::error::{Error, Result};
use crate::filter::FilterSpec;
use crate::format::message::datatype::Datatype;
use crate::io::WriteAt;
use crate::read::selection::Hyperslab;
use crate::types::H5Write;
use crate::write::dataset::SliceDim;
use crate::write::file::{
    scalar_space, simple_space, LayoutSpec, LinkTarget, NewAttribute, NewFile, ROOT,
};
pub use crate::write::file::{ObjectId, Profile};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::marker::PhantomData;

/// Options of a new file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CreateOptions {
    /// The encodings used (default: [`Profile::Earliest`]).
    pub profile: Profile,
    /// Bytes reserved before the HDF5 data (0, or a power of two >= 512), like h5py's
    /// `userblock_size`.
    pub user_block: u64,
    /// Blocks of at least this many bytes (raw data and metadata) start at a multiple of
    /// [`CreateOptions::alignment_interval`] (h5py's `alignment_threshold`; 0 or 1: none).
    pub alignment_threshold: u64,
    /// The alignment (h5py's `alignment_interval`; 0 or 1: none).
    pub alignment_interval: u64,
}

/// A new HDF5 file being written.
#[derive(Debug)]
pub struct FileWriter<W: WriteAt> {
    inner: NewFile<W>,
    /// Dimension scales attached to each dimension of a dataset (written at `finish` as
    /// DIMENSION_LIST / REFERENCE_LIST attributes).
    scales: alloc::collections::BTreeMap<ObjectId, Vec<Vec<ObjectId>>>,
}

/// The in-memory file type.
pub type MemWriter = FileWriter<Vec<u8>>;

impl FileWriter<Vec<u8>> {
    /// A new file in memory ([`FileWriter::finish`] returns its bytes).
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad user block size.
    pub fn in_memory(options: CreateOptions) -> Result<Self> {
        Self::new(Vec::new(), options)
    }
}

#[cfg(feature = "std")]
impl FileWriter<crate::io::FileSink> {
    /// Create `path`, truncating an existing file (h5py mode `w`).
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be created.
    pub fn create(path: impl AsRef<std::path::Path>, options: CreateOptions) -> Result<Self> {
        let f = std::fs::File::create(path)?;
        Self::new(crate::io::FileSink::new(f), options)
    }

    /// Create `path`, failing if it exists (h5py modes `w-` and `x`).
    ///
    /// # Errors
    /// [`Error::Io`] when the file exists or cannot be created.
    pub fn create_new(path: impl AsRef<std::path::Path>, options: CreateOptions) -> Result<Self> {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(path)?;
        Self::new(crate::io::FileSink::new(f), options)
    }
}

fn split(path: &str) -> Vec<&str> {
    path.split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect()
}

impl<W: WriteAt> FileWriter<W> {
    /// A new file written to `dest` (which should be empty).
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad user block size.
    pub fn new(dest: W, options: CreateOptions) -> Result<Self> {
        let mut inner = NewFile::new(dest, options.profile, options.user_block)?;
        inner.set_alignment(options.alignment_threshold, options.alignment_interval);
        Ok(FileWriter {
            inner,
            scales: alloc::collections::BTreeMap::new(),
        })
    }

    /// The root group.
    pub fn root(&self) -> ObjectId {
        ROOT
    }

    /// The low-level model (for the CLI's repack and tests).
    pub fn raw(&mut self) -> &mut NewFile<W> {
        &mut self.inner
    }

    /// The object at `path`, following hard links only.
    ///
    /// # Errors
    /// [`Error::NotFound`] when a component is missing or not a hard link.
    pub fn object(&self, path: &str) -> Result<ObjectId> {
        let mut at = ROOT;
        for part in split(path) {
            match self.inner.link(at, part) {
                Some(LinkTarget::Hard(id)) => at = *id,
                _ => return Err(Error::NotFound(String::from(path))),
            }
        }
        Ok(at)
    }

    /// The parent group of `path` (created with its ancestors when missing) and the last
    /// name.
    fn parent<'p>(&mut self, path: &'p str) -> Result<(ObjectId, &'p str)> {
        let parts = split(path);
        let Some((last, dirs)) = parts.split_last() else {
            return Err(Error::Usage(format!("path {path:?} names no object")));
        };
        let mut at = ROOT;
        for part in dirs {
            at = match self.inner.link(at, part) {
                Some(LinkTarget::Hard(id)) => *id,
                Some(_) => {
                    return Err(Error::Usage(format!("{part:?} in {path:?} is not a group")))
                }
                None => self.inner.create_group(at, part, false)?,
            };
        }
        Ok((at, last))
    }

    /// Create group `path` (and missing ancestors).
    ///
    /// # Errors
    /// [`Error::Usage`] when the name exists.
    pub fn create_group(&mut self, path: &str) -> Result<ObjectId> {
        let (parent, name) = self.parent(path)?;
        self.inner.create_group(parent, name, false)
    }

    /// Create group `path` that tracks link creation order (h5py `track_order=True`).
    ///
    /// # Errors
    /// [`Error::Usage`] when the name exists.
    pub fn create_group_ordered(&mut self, path: &str) -> Result<ObjectId> {
        let (parent, name) = self.parent(path)?;
        self.inner.create_group(parent, name, true)
    }

    /// A soft link at `path` to `target`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the name exists.
    pub fn link_soft(&mut self, path: &str, target: &str) -> Result<()> {
        let (parent, name) = self.parent(path)?;
        self.inner
            .add_link(parent, name, LinkTarget::Soft(String::from(target)))
    }

    /// An external link at `path` to object `obj_path` of file `file`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the name exists.
    pub fn link_external(&mut self, path: &str, file: &str, obj_path: &str) -> Result<()> {
        let (parent, name) = self.parent(path)?;
        self.inner.add_link(
            parent,
            name,
            LinkTarget::External {
                file: String::from(file),
                path: String::from(obj_path),
            },
        )
    }

    /// Another hard link at `path` to `obj`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the name exists.
    pub fn link_hard(&mut self, path: &str, obj: ObjectId) -> Result<()> {
        let (parent, name) = self.parent(path)?;
        self.inner.add_link(parent, name, LinkTarget::Hard(obj))
    }

    /// Commit `dtype` as named datatype `path`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the name exists.
    pub fn commit_datatype(&mut self, path: &str, dtype: Datatype) -> Result<ObjectId> {
        let (parent, name) = self.parent(path)?;
        self.inner.commit_datatype(parent, name, dtype)
    }

    /// Start a dataset of element type `T`.
    pub fn new_dataset<T: H5Write>(&mut self) -> DatasetBuilder<'_, W, T> {
        self.builder(T::file_type())
    }

    /// Start a dataset of file type `dtype` (raw writes).
    pub fn new_dataset_raw(&mut self, dtype: Datatype) -> DatasetBuilder<'_, W, u8> {
        self.builder(dtype)
    }

    fn builder<T>(&mut self, dtype: Datatype) -> DatasetBuilder<'_, W, T> {
        DatasetBuilder {
            file: self,
            dtype,
            shape: None,
            maxshape: None,
            chunk: None,
            filters: Vec::new(),
            fill: None,
            compact: false,
            null: false,
            fill_undefined: false,
            _t: PhantomData,
        }
    }

    /// Write all of dataset `ds` from `data` (C order).
    ///
    /// # Errors
    /// [`Error::Usage`] for a wrong length or type size; errors of the destination.
    pub fn write<T: H5Write>(&mut self, ds: ObjectId, data: &[T]) -> Result<()> {
        let mut raw = Vec::new();
        T::encode(data, &mut raw);
        self.inner.write_raw(ds, None, &raw)
    }

    /// Write the elements a numpy-style slice selects (`"0:10, ::2"`: start:stop:step per
    /// dimension, as [`crate::hl::Sliced`] parses it), from `data` in C order.
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad slice or length; errors of the destination.
    pub fn write_slice<T: H5Write>(&mut self, ds: ObjectId, slice: &str, data: &[T]) -> Result<()> {
        let dims = self.dims(ds)?;
        let sliced = crate::read::selection::Sliced::parse(slice, &dims)?;
        let sel = match sliced.selection {
            crate::read::selection::Selection::Hyperslab(h) => to_dims(&h),
            crate::read::selection::Selection::All => {
                dims.iter().map(|&n| SliceDim::all(n)).collect()
            }
            _ => {
                return Err(Error::Usage(format!(
                    "slice {slice:?}: only start:stop:step slices can be written"
                )))
            }
        };
        let mut raw = Vec::new();
        T::encode(data, &mut raw);
        self.inner.write_raw(ds, Some(&sel), &raw)
    }

    /// Write raw bytes (file layout) to the selection `sel` (`None`: everything).
    ///
    /// # Errors
    /// As [`NewFile::write_raw`].
    pub fn write_raw(&mut self, ds: ObjectId, sel: Option<&[SliceDim]>, data: &[u8]) -> Result<()> {
        self.inner.write_raw(ds, sel, data)
    }

    /// Current dimensions of dataset `ds`.
    ///
    /// # Errors
    /// [`Error::Usage`] when `ds` is not a dataset.
    pub fn dims(&self, ds: ObjectId) -> Result<Vec<u64>> {
        match &self.inner.node(ds)?.kind {
            crate::write::file::NodeKind::Dataset(d) => Ok(d.space.dims.clone()),
            _ => Err(Error::Usage(format!("object {} is not a dataset", ds.0))),
        }
    }

    /// Resize dataset `ds` (chunked, within its maxshape; growing only while writing).
    ///
    /// # Errors
    /// As [`NewFile::resize`].
    pub fn resize(&mut self, ds: ObjectId, dims: &[u64]) -> Result<()> {
        self.inner.resize(ds, dims)
    }

    /// Append `data` along the first dimension of dataset `ds` (which must be resizable
    /// there): grows it by `data.len() / row` rows and writes them.
    ///
    /// # Errors
    /// [`Error::Usage`] when `data` is not whole rows; as [`FileWriter::resize`].
    pub fn append<T: H5Write>(&mut self, ds: ObjectId, data: &[T]) -> Result<()> {
        let mut dims = self.dims(ds)?;
        let row: u64 = dims.iter().skip(1).product();
        let n = data.len() as u64;
        if dims.is_empty() || row == 0 || n % row != 0 {
            return Err(Error::Usage(format!(
                "{n} values are not whole rows of {row}"
            )));
        }
        let old = dims.first().copied().unwrap_or(0);
        if let Some(d0) = dims.first_mut() {
            *d0 = old + n / row;
        }
        self.inner.resize(ds, &dims)?;
        let mut sel: Vec<SliceDim> = dims.iter().map(|&d| SliceDim::all(d)).collect();
        if let Some(s0) = sel.first_mut() {
            *s0 = SliceDim {
                start: old,
                count: n / row,
                step: 1,
            };
        }
        let mut raw = Vec::new();
        T::encode(data, &mut raw);
        self.inner.write_raw(ds, Some(&sel), &raw)
    }

    /// Set attribute `name` of `obj` to the values `data` with shape `shape` (`[]`: scalar).
    ///
    /// # Errors
    /// [`Error::Usage`] when it exists or the shape does not match.
    pub fn set_attr<T: H5Write>(
        &mut self,
        obj: ObjectId,
        name: &str,
        shape: &[u64],
        data: &[T],
    ) -> Result<()> {
        let mut raw = Vec::new();
        T::encode(data, &mut raw);
        self.set_attr_raw(obj, name, T::file_type(), shape, raw)
    }

    /// Set attribute `name` of `obj` from raw bytes of type `dtype`.
    ///
    /// # Errors
    /// As [`FileWriter::set_attr`].
    pub fn set_attr_raw(
        &mut self,
        obj: ObjectId,
        name: &str,
        dtype: Datatype,
        shape: &[u64],
        data: Vec<u8>,
    ) -> Result<()> {
        let space = if shape.is_empty() {
            scalar_space()
        } else {
            simple_space(shape, None)
        };
        self.set_attr_space(obj, name, dtype, space, data)
    }

    /// Set attribute `name` of `obj` from raw bytes of type `dtype` and dataspace `space`
    /// (null spaces included).
    ///
    /// # Errors
    /// As [`FileWriter::set_attr`].
    pub fn set_attr_space(
        &mut self,
        obj: ObjectId,
        name: &str,
        dtype: Datatype,
        space: crate::format::message::dataspace::Dataspace,
        data: Vec<u8>,
    ) -> Result<()> {
        self.inner.add_attribute(
            obj,
            NewAttribute {
                name: String::from(name),
                dtype,
                space,
                data,
            },
        )
    }

    /// Set attribute `name` of `obj` to the string `value`, as h5py stores a Python `str`:
    /// a scalar variable-length UTF-8 string.
    ///
    /// # Errors
    /// As [`FileWriter::set_attr`].
    pub fn set_attr_str(&mut self, obj: ObjectId, name: &str, value: &str) -> Result<()> {
        let (coll, index) = self.inner.heap_put(value.as_bytes())?;
        let len = u32::try_from(value.len())
            .map_err(|_| Error::Usage(String::from("string over 4 GiB")))?;
        let raw = crate::write::vlen::encode_element(self.inner.ctx(), len, Some((coll, index)));
        self.set_attr_raw(obj, name, crate::types::vlen_string_type(true), &[], raw)
    }

    /// Make dataset `ds` a dimension scale (h5py `make_scale(name)`, libhdf5 `H5DSset_scale`):
    /// attribute CLASS = "DIMENSION_SCALE" and, when `name` is not empty, NAME.
    ///
    /// # Errors
    /// [`Error::Usage`] when `ds` is not a dataset or already has those attributes.
    pub fn make_scale(&mut self, ds: ObjectId, name: &str) -> Result<()> {
        self.dims(ds)?;
        let class = b"DIMENSION_SCALE\0".to_vec();
        self.set_attr_raw(
            ds,
            "CLASS",
            crate::types::fixed_string_type(16, false),
            &[],
            class,
        )?;
        let mut n = name.as_bytes().to_vec();
        n.push(0);
        let size = u32::try_from(n.len()).map_err(|_| Error::Usage(String::from("long name")))?;
        self.set_attr_raw(
            ds,
            "NAME",
            crate::types::fixed_string_type(size, false),
            &[],
            n,
        )
    }

    /// Attach dimension scale `scale` to dimension `dim` of dataset `ds` (h5py
    /// `ds.dims[dim].attach_scale(scale)`). The DIMENSION_LIST attribute of `ds` and the
    /// REFERENCE_LIST attribute of `scale` are written by [`FileWriter::finish`], with the
    /// types libhdf5's `H5DSattach_scale` uses.
    ///
    /// # Errors
    /// [`Error::Usage`] when `dim` is out of range or `scale` is not a dataset.
    pub fn attach_scale(&mut self, ds: ObjectId, scale: ObjectId, dim: usize) -> Result<()> {
        let rank = self.dims(ds)?.len();
        self.dims(scale)?;
        if dim >= rank {
            return Err(Error::Usage(format!(
                "dimension {dim} of a rank-{rank} dataset"
            )));
        }
        let lists = self
            .scales
            .entry(ds)
            .or_insert_with(|| alloc::vec![Vec::new(); rank]);
        if let Some(l) = lists.get_mut(dim) {
            if !l.contains(&scale) {
                l.push(scale);
            }
        }
        Ok(())
    }

    fn write_scale_attributes(&mut self) -> Result<()> {
        let ctx = self.inner.ctx();
        let scales = core::mem::take(&mut self.scales);
        let mut back: alloc::collections::BTreeMap<ObjectId, Vec<(ObjectId, u32)>> =
            alloc::collections::BTreeMap::new();
        for (ds, lists) in &scales {
            let mut raw = Vec::new();
            for (dim, list) in lists.iter().enumerate() {
                let element = if list.is_empty() {
                    crate::write::vlen::encode_element(ctx, 0, None)
                } else {
                    let mut refs = Vec::new();
                    for s in list {
                        refs.extend_from_slice(&self.inner.header_addr(*s)?.0.to_le_bytes());
                        back.entry(*s)
                            .or_default()
                            .push((*ds, u32::try_from(dim).unwrap_or(u32::MAX)));
                    }
                    let id = self.inner.heap_put(&refs)?;
                    let n = u32::try_from(list.len()).unwrap_or(u32::MAX);
                    crate::write::vlen::encode_element(ctx, n, Some(id))
                };
                raw.extend_from_slice(&element);
            }
            let t = crate::types::vlen_sequence_type(crate::types::object_ref_type());
            let shape = [lists.len() as u64];
            self.set_attr_raw(*ds, "DIMENSION_LIST", t, &shape, raw)?;
        }
        for (scale, refs) in back {
            let mut raw = Vec::new();
            for (ds, dim) in &refs {
                raw.extend_from_slice(&self.inner.header_addr(*ds)?.0.to_le_bytes());
                raw.extend_from_slice(&dim.to_le_bytes());
                raw.extend_from_slice(&[0; 4]);
            }
            let t = crate::types::compound_type(
                16,
                &[
                    ("dataset", 0, crate::types::object_ref_type()),
                    ("dimension", 8, crate::types::int_type(4, false)),
                ],
            );
            self.set_attr_raw(scale, "REFERENCE_LIST", t, &[refs.len() as u64], raw)?;
        }
        Ok(())
    }

    /// Write the metadata and the superblock; returns the destination (the bytes of an
    /// in-memory file).
    ///
    /// # Errors
    /// Errors of the destination and of encoding.
    pub fn finish(mut self) -> Result<W> {
        self.write_scale_attributes()?;
        self.inner.finish()
    }
}

fn to_dims(h: &Hyperslab) -> Vec<SliceDim> {
    h.start
        .iter()
        .zip(&h.count)
        .zip(&h.step)
        .map(|((&start, &count), &step)| SliceDim { start, count, step })
        .collect()
}

/// A dataset being described: `shape` is required; the rest is optional.
#[derive(Debug)]
pub struct DatasetBuilder<'f, W: WriteAt, T> {
    file: &'f mut FileWriter<W>,
    dtype: Datatype,
    shape: Option<Vec<u64>>,
    maxshape: Option<Vec<Option<u64>>>,
    chunk: Option<Vec<u64>>,
    filters: Vec<FilterSpec>,
    fill: Option<Vec<u8>>,
    compact: bool,
    null: bool,
    fill_undefined: bool,
    _t: PhantomData<T>,
}

impl<W: WriteAt, T> DatasetBuilder<'_, W, T> {
    /// Dimensions (`[]`: scalar).
    #[must_use]
    pub fn shape(mut self, dims: &[u64]) -> Self {
        self.shape = Some(dims.to_vec());
        self
    }

    /// Maximum dimensions (`None`: unlimited); makes the dataset chunked.
    #[must_use]
    pub fn maxshape(mut self, max: &[Option<u64>]) -> Self {
        self.maxshape = Some(max.to_vec());
        self
    }

    /// Chunk dimensions.
    #[must_use]
    pub fn chunk(mut self, chunk: &[u64]) -> Self {
        self.chunk = Some(chunk.to_vec());
        self
    }

    /// Add a filter to the pipeline (chunked datasets).
    #[must_use]
    pub fn filter(mut self, f: FilterSpec) -> Self {
        self.filters.push(f);
        self
    }

    /// A null dataspace: a dataset with no elements at all (h5py's `h5py.Empty`).
    #[must_use]
    pub fn null_space(mut self) -> Self {
        self.null = true;
        self.shape = Some(Vec::new());
        self
    }

    /// Store the data in the object header (small fixed-size datasets).
    #[must_use]
    pub fn compact(mut self) -> Self {
        self.compact = true;
        self
    }

    /// No fill value at all (libhdf5's undefined fill value).
    #[must_use]
    pub fn fill_undefined(mut self) -> Self {
        self.fill_undefined = true;
        self
    }

    /// Fill value as raw bytes of one element.
    #[must_use]
    pub fn fill_raw(mut self, fill: Vec<u8>) -> Self {
        self.fill = Some(fill);
        self
    }

    /// Create the dataset at `path`.
    ///
    /// # Errors
    /// [`Error::Usage`] for a missing shape, inconsistent maxshape/chunks, or an existing
    /// name.
    pub fn create(self, path: &str) -> Result<ObjectId> {
        let shape = self
            .shape
            .ok_or_else(|| Error::Usage(String::from("dataset shape not given")))?;
        let space = if self.null {
            crate::format::message::dataspace::Dataspace {
                kind: crate::format::message::dataspace::SpaceKind::Null,
                dims: Vec::new(),
                max_dims: Vec::new(),
            }
        } else if shape.is_empty() {
            scalar_space()
        } else {
            simple_space(&shape, self.maxshape.as_deref())
        };
        let chunked = self.chunk.is_some() || self.maxshape.is_some() || !self.filters.is_empty();
        let layout = if chunked {
            let chunk = match self.chunk {
                Some(c) => c,
                None => guess_chunk(&shape, self.maxshape.as_deref(), self.dtype.size),
            };
            LayoutSpec::Chunked {
                chunk,
                filters: self.filters,
            }
        } else if self.compact {
            LayoutSpec::Compact
        } else {
            LayoutSpec::Contiguous
        };
        let (parent, name) = self.file.parent(path)?;
        let id = self
            .file
            .inner
            .create_dataset(parent, name, self.dtype, space, layout, self.fill)?;
        if self.fill_undefined {
            self.file.inner.set_fill_undefined(id)?;
        }
        Ok(id)
    }
}

impl<W: WriteAt, T: H5Write> DatasetBuilder<'_, W, T> {
    /// Fill value.
    #[must_use]
    pub fn fill(mut self, v: T) -> Self {
        let mut raw = Vec::new();
        T::encode(core::slice::from_ref(&v), &mut raw);
        self.fill = Some(raw);
        self
    }
}

/// h5py's chunk shape guess (`h5py._hl.filters.guess_chunk`): start from the shape
/// (unlimited or zero dimensions count as 1024) and halve dimensions in turn until a chunk is
/// near a target size that grows with the dataset (8 KiB to 1 MiB).
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // positive whole floats
pub fn guess_chunk(shape: &[u64], _max: Option<&[Option<u64>]>, typesize: u32) -> Vec<u64> {
    const BASE: f64 = 16.0 * 1024.0;
    const MIN: f64 = 8.0 * 1024.0;
    const MAX: f64 = 1024.0 * 1024.0;
    let mut chunks: Vec<f64> = shape
        .iter()
        .map(|&x| if x == 0 { 1024.0 } else { x as f64 })
        .collect();
    if chunks.is_empty() {
        return Vec::new();
    }
    let ts = f64::from(typesize);
    let size: f64 = chunks.iter().product::<f64>() * ts;
    let target = (BASE * libm::exp2(libm::log10(size / (1024.0 * 1024.0)))).clamp(MIN, MAX);
    let n = chunks.len();
    let mut idx = 0usize;
    loop {
        let prod: f64 = chunks.iter().product();
        let bytes = prod * ts;
        if (bytes < target || libm::fabs(bytes - target) / target < 0.5) && bytes < MAX {
            break;
        }
        if prod <= 1.0 {
            break;
        }
        if let Some(c) = chunks.get_mut(idx % n) {
            *c = libm::ceil(*c / 2.0);
        }
        idx += 1;
    }
    chunks.iter().map(|&c| c as u64).collect()
}
