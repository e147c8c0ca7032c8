//! Groups, datasets, named datatypes and attributes.

use super::file::File;
use crate::error::{Error, Result};
use crate::format::message::dataspace::{Dataspace, SpaceKind};
use crate::format::message::datatype::Datatype;
use crate::format::message::link::{Link, LinkTarget};
use crate::format::Addr;
use crate::read::attribute::{self, RawAttribute};
use crate::read::data;
use crate::read::dataset::{self, DatasetInfo};
use crate::read::group;
use crate::read::object::{ObjectHeader, ObjectKind};
use crate::read::selection::Selection;
use crate::types::{ConvertOptions, H5Type, Plan};
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

/// What a link is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkKind {
    /// A hard link to the object header at this address.
    Hard(Addr),
    /// A soft link to a path.
    Soft(String),
    /// An external link: file and path.
    External {
        /// File name as stored.
        file: String,
        /// Object path in that file.
        path: String,
    },
    /// A user-defined link type.
    UserDefined(u8),
}

/// One link of a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    /// Link name (lossily decoded when not UTF-8).
    pub name: String,
    /// Raw name bytes.
    pub name_bytes: Vec<u8>,
    /// Creation order, when the group tracks it.
    pub creation_order: Option<u64>,
    /// Target.
    pub kind: LinkKind,
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl From<Link> for LinkInfo {
    fn from(l: Link) -> Self {
        let kind = match l.target {
            LinkTarget::Hard(a) => LinkKind::Hard(a),
            LinkTarget::Soft(p) => LinkKind::Soft(lossy(&p)),
            LinkTarget::External { file, path } => LinkKind::External {
                file: lossy(&file),
                path: lossy(&path),
            },
            LinkTarget::UserDefined { kind, .. } => LinkKind::UserDefined(kind),
        };
        LinkInfo {
            name: lossy(&l.name),
            name_bytes: l.name,
            creation_order: l.creation_order,
            kind,
        }
    }
}

#[derive(Clone)]
struct Base {
    file: File,
    header: Arc<ObjectHeader>,
    path: String,
}

impl Base {
    fn open(file: File, addr: Addr, path: String) -> Result<Self> {
        let header = Arc::new(ObjectHeader::read(&file.inner.reader, addr)?);
        Ok(Base { file, header, path })
    }

    fn attrs(&self) -> Result<Vec<Result<Attribute>>> {
        let r = &self.file.inner.reader;
        let info = &self.file.inner.info;
        let msgs = attribute::messages(r, info, &self.header)?;
        Ok(msgs
            .into_iter()
            .map(|m| {
                m.and_then(|m| attribute::decode(r, info, m))
                    .map(|raw| Attribute {
                        raw,
                        file: self.file.clone(),
                    })
            })
            .collect())
    }

    fn attr(&self, name: &str) -> Result<Attribute> {
        for a in self.attrs()? {
            let a = a?;
            if a.raw.name == name.as_bytes() {
                return Ok(a);
            }
        }
        Err(Error::NotFound(format!(
            "attribute {name:?} of {}",
            self.path
        )))
    }
}

macro_rules! common_methods {
    () => {
        /// The path this object was opened by.
        pub fn path(&self) -> &str {
            &self.base.path
        }

        /// Address of the object header (identifies the object within the file).
        pub fn addr(&self) -> Addr {
            self.base.header.addr
        }

        /// The file this object belongs to.
        pub fn file(&self) -> &File {
            &self.base.file
        }

        /// The decoded object header.
        pub fn header(&self) -> &ObjectHeader {
            &self.base.header
        }

        /// All attributes, in storage order; one unreadable attribute is an `Err` entry
        /// without hiding the others.
        ///
        /// # Errors
        /// Format errors of the attribute storage itself.
        pub fn attrs(&self) -> Result<Vec<Result<Attribute>>> {
            self.base.attrs()
        }

        /// The attribute called `name`.
        ///
        /// # Errors
        /// [`Error::NotFound`] when absent; format errors.
        pub fn attr(&self, name: &str) -> Result<Attribute> {
            self.base.attr(name)
        }
    };
}

/// A group: a map from names to links.
#[derive(Clone)]
pub struct Group {
    base: Base,
}

impl core::fmt::Debug for Group {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Group({:?} at {})",
            self.base.path, self.base.header.addr
        )
    }
}

/// Join a group path and a member name.
fn join(parent: &str, name: &str) -> String {
    if parent.ends_with('/') {
        format!("{parent}{name}")
    } else {
        format!("{parent}/{name}")
    }
}

impl Group {
    common_methods!();

    pub(crate) fn open_root(file: File) -> Result<Group> {
        let root = file.superblock().root;
        Ok(Group {
            base: Base::open(file, root, String::from("/"))?,
        })
    }

    /// All links, sorted by the bytes of their names (h5py's default order).
    ///
    /// # Errors
    /// Format errors of the group's link storage.
    pub fn links(&self) -> Result<Vec<LinkInfo>> {
        let r = &self.base.file.inner.reader;
        let mut v: Vec<LinkInfo> = group::links(r, &self.base.file.inner.info, &self.base.header)?
            .into_iter()
            .map(LinkInfo::from)
            .collect();
        v.sort_by(|a, b| a.name_bytes.cmp(&b.name_bytes));
        Ok(v)
    }

    /// Member names in name order.
    ///
    /// # Errors
    /// As [`Group::links`].
    pub fn member_names(&self) -> Result<Vec<String>> {
        Ok(self.links()?.into_iter().map(|l| l.name).collect())
    }

    /// The link called `name` (one path component).
    ///
    /// # Errors
    /// [`Error::NotFound`] when absent.
    pub fn link(&self, name: &str) -> Result<LinkInfo> {
        self.links()?
            .into_iter()
            .find(|l| l.name_bytes == name.as_bytes())
            .ok_or_else(|| Error::NotFound(join(&self.base.path, name)))
    }

    /// Open the object at `path` (absolute, or relative to this group), following hard and
    /// soft links.
    ///
    /// # Errors
    /// [`Error::NotFound`]; [`Error::LimitExceeded`] (`max_link_hops`) for soft- and
    /// external-link loops; [`Error::Unsupported`] for user-defined links and for external
    /// links unless [`crate::OpenOptions::follow_external_links`] is set.
    pub fn get(&self, path: &str) -> Result<Object> {
        let mut hops = 0u32;
        self.resolve(path, &mut hops)
    }

    fn resolve(&self, path: &str, hops: &mut u32) -> Result<Object> {
        let mut cur = if path.starts_with('/') {
            Object::Group(Group::open_root(self.base.file.clone())?)
        } else {
            Object::Group(self.clone())
        };
        for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
            let g = match cur {
                Object::Group(g) => g,
                _ => {
                    return Err(Error::NotFound(format!(
                        "{path} (a path component is not a group)"
                    )))
                }
            };
            let link = g.link(part)?;
            let child_path = join(&g.base.path, part);
            cur = match link.kind {
                LinkKind::Hard(addr) => Object::open(self.base.file.clone(), addr, child_path)?,
                LinkKind::Soft(target) => {
                    *hops += 1;
                    let max = self.base.file.inner.reader.limits.max_link_hops;
                    crate::Limits::check("max_link_hops", u64::from(*hops), u64::from(max))?;
                    g.resolve(&target, hops)?
                }
                LinkKind::External { file, path: p } => {
                    *hops += 1;
                    let max = self.base.file.inner.reader.limits.max_link_hops;
                    crate::Limits::check("max_link_hops", u64::from(*hops), u64::from(max))?;
                    g.follow_external(&file, &p, hops)?
                }
                LinkKind::UserDefined(k) => {
                    return Err(Error::unsupported(
                        format!("user-defined link type {k}"),
                        g.addr().0,
                    ))
                }
            };
        }
        Ok(cur)
    }

    #[cfg(feature = "std")]
    fn follow_external(&self, file: &str, path: &str, hops: &mut u32) -> Result<Object> {
        if !self.base.file.inner.options.follow_external_links {
            return Err(Error::unsupported(
                format!(
                    "external link to {file}:{path} (enable OpenOptions::follow_external_links)"
                ),
                self.addr().0,
            ));
        }
        let other = self.base.file.open_external(file)?;
        let root = Group::open_root(other)?;
        root.resolve(path, hops)
    }

    #[cfg(not(feature = "std"))]
    fn follow_external(&self, file: &str, path: &str, _hops: &mut u32) -> Result<Object> {
        Err(Error::unsupported(
            format!("external link to {file}:{path} (no file system without std)"),
            self.addr().0,
        ))
    }

    /// Open the group at `path`.
    ///
    /// # Errors
    /// As [`Group::get`]; [`Error::Usage`] when the object is not a group.
    pub fn group(&self, path: &str) -> Result<Group> {
        match self.get(path)? {
            Object::Group(g) => Ok(g),
            _ => Err(Error::Usage(format!("{path} is not a group"))),
        }
    }

    /// Open the dataset at `path`.
    ///
    /// # Errors
    /// As [`Group::get`]; [`Error::Usage`] when the object is not a dataset.
    pub fn dataset(&self, path: &str) -> Result<Dataset> {
        match self.get(path)? {
            Object::Dataset(d) => Ok(d),
            _ => Err(Error::Usage(format!("{path} is not a dataset"))),
        }
    }
}

/// Any object a hard link can point to.
#[derive(Debug, Clone)]
pub enum Object {
    /// A group.
    Group(Group),
    /// A dataset.
    Dataset(Dataset),
    /// A committed datatype.
    Datatype(NamedDatatype),
}

impl Object {
    /// Open the object whose header is at `addr`, naming it `path`.
    ///
    /// # Errors
    /// Format errors of the header and (for datasets and datatypes) its messages;
    /// [`Error::Unsupported`] for headers that are none of the three kinds.
    pub fn open(file: File, addr: Addr, path: String) -> Result<Object> {
        let base = Base::open(file, addr, path)?;
        match base.header.kind() {
            ObjectKind::Group => Ok(Object::Group(Group { base })),
            ObjectKind::Dataset => {
                let info = {
                    let f = &base.file.inner;
                    dataset::info(&f.reader, &f.info, &base.header)?
                };
                Ok(Object::Dataset(Dataset {
                    base,
                    info: Arc::new(info),
                }))
            }
            ObjectKind::Datatype => {
                let f = &base.file.inner;
                let m = base
                    .header
                    .find(crate::format::message::MessageType::DATATYPE)
                    .ok_or(Error::invalid("named datatype", addr.0))?;
                let b = crate::read::shared::resolve(
                    &f.reader,
                    &f.info,
                    crate::format::message::MessageType::DATATYPE,
                    m.is_shared(),
                    &m.data,
                    m.addr,
                )?;
                let dtype = Datatype::decode_with_limits(
                    &mut crate::format::Cursor::new(&b.data, b.addr, "datatype message"),
                    &f.reader.limits,
                )?;
                Ok(Object::Datatype(NamedDatatype {
                    base,
                    dtype: Arc::new(dtype),
                }))
            }
            ObjectKind::Unknown => Err(Error::unsupported("object header of unknown kind", addr.0)),
        }
    }

    /// The object's header address.
    pub fn addr(&self) -> Addr {
        match self {
            Object::Group(g) => g.addr(),
            Object::Dataset(d) => d.addr(),
            Object::Datatype(t) => t.addr(),
        }
    }
}

/// A dataset: typed, shaped raw data with its storage description.
#[derive(Clone)]
pub struct Dataset {
    base: Base,
    info: Arc<DatasetInfo>,
}

impl core::fmt::Debug for Dataset {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "Dataset({:?} at {})",
            self.base.path, self.base.header.addr
        )
    }
}

impl Dataset {
    common_methods!();

    /// Element datatype.
    pub fn dtype(&self) -> &Datatype {
        &self.info.dtype
    }

    /// Dataspace.
    pub fn space(&self) -> &Dataspace {
        &self.info.space
    }

    /// Current shape (empty for scalar and null spaces).
    pub fn shape(&self) -> &[u64] {
        &self.info.space.dims
    }

    /// Whether the dataspace is null (no elements, not even a scalar).
    pub fn is_null(&self) -> bool {
        self.info.space.kind == SpaceKind::Null
    }

    /// All storage metadata.
    pub fn info(&self) -> &DatasetInfo {
        &self.info
    }

    /// Number of elements (0 for a null space, 1 for a scalar).
    pub fn len(&self) -> u64 {
        self.info.space.nelements().unwrap_or(0)
    }

    /// Whether the dataset holds no elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Read the selected elements exactly as stored (no conversion) into `out`, which must
    /// hold `selection size x datatype size` bytes. Allocates nothing for unfiltered data.
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad selection or buffer; format errors of the storage and
    /// filters; [`Error::Unsupported`] for storage h5oxide cannot read (never a wrong value).
    pub fn read_raw_into(&self, sel: &Selection, out: &mut [u8]) -> Result<()> {
        self.read_raw_into_depth(sel, out, 0)
    }

    pub(crate) fn read_raw_depth(&self, sel: &Selection, depth: u32) -> Result<Vec<u8>> {
        let inner = &self.base.file.inner;
        let n = inner
            .reader
            .limits
            .alloc(data::output_bytes(&self.info, sel)?)?;
        if !matches!(
            self.info.layout.layout,
            crate::format::message::layout::Layout::Virtual { .. }
        ) {
            // Refuse inconsistent storage before allocating the output it claims.
            self.with_source(data::check_storage)?;
        }
        let mut out = alloc::vec![0u8; n];
        self.read_raw_into_depth(sel, &mut out, depth)?;
        Ok(out)
    }

    fn read_raw_into_depth(&self, sel: &Selection, out: &mut [u8], depth: u32) -> Result<()> {
        if matches!(
            self.info.layout.layout,
            crate::format::message::layout::Layout::Virtual { .. }
        ) {
            return super::vds::read(self, sel, out, depth);
        }
        self.with_source(|src| data::read(src, sel, out))
    }

    /// Run `f` with the data source of this dataset (reader, metadata, filters, external files
    /// when enabled).
    fn with_source<R>(&self, f: impl FnOnce(&data::DataSource<'_>) -> R) -> R {
        let inner = &self.base.file.inner;
        #[cfg(feature = "std")]
        let ext = ExternalFiles {
            file: &self.base.file,
        };
        #[cfg(feature = "std")]
        let external: Option<&dyn data::ExternalData> = if inner.options.external_files {
            Some(&ext)
        } else {
            None
        };
        #[cfg(not(feature = "std"))]
        let external = None;
        let src = data::DataSource {
            reader: &inner.reader,
            info: &self.info,
            filters: &inner.filters,
            external,
        };
        f(&src)
    }

    /// Read the selected elements exactly as stored (no conversion).
    ///
    /// # Errors
    /// As [`Dataset::read_raw_into`].
    pub fn read_raw_selection(&self, sel: &Selection) -> Result<Vec<u8>> {
        self.read_raw_depth(sel, 0)
    }

    /// Read every element converted to `T` (h5py's conversions: widening, byte order, strings,
    /// compounds by member name; overflow is an error), in C order.
    ///
    /// # Errors
    /// [`Error::Conversion`] when the file type cannot become `T`; as
    /// [`Dataset::read_raw_into`].
    pub fn read<T: H5Type>(&self) -> Result<Vec<T>> {
        self.read_selection_with(&Selection::All, ConvertOptions::default())
    }

    /// Read the elements selected by a numpy-style slice such as `"0:10, ::2, -1"`.
    ///
    /// # Errors
    /// [`Error::Usage`] for a malformed slice; as [`Dataset::read`].
    pub fn read_slice<T: H5Type>(&self, slice: &str) -> Result<Vec<T>> {
        let s = crate::read::selection::Sliced::parse(slice, self.shape())?;
        self.read_selection_with(&s.selection, ConvertOptions::default())
    }

    /// Read a selection converted to `T` into `dst`, which must hold exactly the selected
    /// number of elements. The stored bytes pass through one temporary buffer (the raw,
    /// allocation-free read is [`Dataset::read_raw_into`]).
    ///
    /// # Errors
    /// [`Error::Usage`] when `dst` has the wrong length; as [`Dataset::read`].
    pub fn read_into<T: H5Type>(&self, sel: &Selection, dst: &mut [T]) -> Result<()> {
        let raw = self.read_raw_selection(sel)?;
        let file = &self.base.file;
        let plan = Plan::for_type::<T>(
            &self.info.dtype,
            file.inner.reader.ctx,
            ConvertOptions::default(),
        )?;
        let n = raw.len()
            / usize::try_from(self.info.dtype.size())
                .unwrap_or(usize::MAX)
                .max(1);
        if n != dst.len() {
            return Err(Error::Usage(format!(
                "destination of {} elements for a selection of {n}",
                dst.len()
            )));
        }
        plan.convert(&raw, dst, &FileHeap::new(file))
    }

    /// Read a selection with explicit conversion options (e.g. saturating like libhdf5).
    ///
    /// # Errors
    /// As [`Dataset::read`].
    pub fn read_selection_with<T: H5Type>(
        &self,
        sel: &Selection,
        opts: ConvertOptions,
    ) -> Result<Vec<T>> {
        if let Some(parts) = self.cross_file_parts(sel)? {
            return self.read_virtual_typed(sel, parts, opts);
        }
        let raw = self.read_raw_selection(sel)?;
        convert(&self.base.file, &self.info.dtype, &raw, opts)
    }

    /// For a virtual dataset whose values live in other files' heaps (variable-length data,
    /// references), the parts of a read of `sel`; `None` when raw bytes suffice.
    ///
    /// # Errors
    /// Errors of the mapping block and of opening the sources.
    pub fn cross_file_parts(&self, sel: &Selection) -> Result<Option<Vec<super::vds::SourcePart>>> {
        if !matches!(
            self.info.layout.layout,
            crate::format::message::layout::Layout::Virtual { .. }
        ) {
            return Ok(None);
        }
        let parts = super::vds::plan(self, sel, 0)?;
        Ok(super::vds::crosses_files(self, &parts).then_some(parts))
    }

    /// Typed read of a virtual dataset part by part, each part's values resolved in its own
    /// file; elements no part covers hold the fill value.
    fn read_virtual_typed<T: H5Type>(
        &self,
        sel: &Selection,
        parts: Vec<super::vds::SourcePart>,
        opts: ConvertOptions,
    ) -> Result<Vec<T>> {
        let n = data::output_len(&self.info, sel)?
            / usize::try_from(self.info.dtype.size())
                .unwrap_or(usize::MAX)
                .max(1);
        let fill = data::fill_element(&self.info, self.base.file.inner.reader.limits.max_alloc)?;
        let fills: Vec<u8> = fill.iter().copied().cycle().take(fill.len() * n).collect();
        let mut out: Vec<T> = convert(&self.base.file, &self.info.dtype, &fills, opts)?;
        for part in parts {
            let values: Vec<T> = part
                .source
                .read_selection_with(&Selection::Points(part.points), opts)?;
            for (v, o) in values.into_iter().zip(part.targets) {
                if let Some(slot) = out.get_mut(o) {
                    *slot = v;
                }
            }
        }
        Ok(out)
    }
    /// Read the single element of a scalar (or one-element) dataset.
    ///
    /// # Errors
    /// [`Error::Usage`] when the dataset does not hold exactly one element; as
    /// [`Dataset::read`].
    pub fn read_scalar<T: H5Type>(&self) -> Result<T> {
        if self.len() != 1 {
            return Err(Error::Usage(format!(
                "{} holds {} elements, not one",
                self.path(),
                self.len()
            )));
        }
        self.read::<T>()?
            .pop()
            .ok_or_else(|| Error::Usage(String::from("empty read")))
    }

    /// Read every element into an `ndarray` of the dataset's shape.
    ///
    /// # Errors
    /// As [`Dataset::read`].
    #[cfg(feature = "ndarray")]
    pub fn read_array<T: H5Type>(&self) -> Result<ndarray::ArrayD<T>> {
        let v = self.read::<T>()?;
        let shape: Vec<usize> = self
            .shape()
            .iter()
            .map(|&d| usize::try_from(d).unwrap_or(usize::MAX))
            .collect();
        ndarray::ArrayD::from_shape_vec(shape, v).map_err(|e| Error::Usage(format!("{e}")))
    }

    /// Read every element exactly as stored (no conversion), in C order.
    ///
    /// # Errors
    /// As [`Dataset::read_raw_into`].
    pub fn read_raw(&self) -> Result<Vec<u8>> {
        self.read_raw_selection(&Selection::All)
    }
}

/// The file's global heap, for variable-length data in typed reads.
pub(crate) struct FileHeap<'a> {
    reader: &'a crate::read::Reader,
    heaps: core::cell::RefCell<crate::read::global_heap::GlobalHeaps>,
}

impl<'a> FileHeap<'a> {
    pub(crate) fn new(file: &'a File) -> Self {
        FileHeap {
            reader: &file.inner.reader,
            heaps: core::cell::RefCell::new(crate::read::global_heap::GlobalHeaps::default()),
        }
    }
}

impl crate::types::Heap for FileHeap<'_> {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        self.heaps
            .borrow_mut()
            .object(self.reader, collection, index)
            .map(<[u8]>::to_vec)
    }
}

/// Convert raw elements of `dtype` into `T` with h5py's rules.
fn convert<T: H5Type>(
    file: &File,
    dtype: &Datatype,
    raw: &[u8],
    opts: ConvertOptions,
) -> Result<Vec<T>> {
    let plan = Plan::for_type::<T>(dtype, file.inner.reader.ctx, opts)?;
    plan.convert_vec(raw, &FileHeap::new(file))
}

/// External raw-data files of a dataset, resolved like external links.
#[cfg(feature = "std")]
struct ExternalFiles<'a> {
    file: &'a File,
}

#[cfg(feature = "std")]
impl data::ExternalData for ExternalFiles<'_> {
    fn read_external(&self, name: &[u8], offset: u64, buf: &mut [u8]) -> Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let name = std::str::from_utf8(name)
            .map_err(|_| Error::Usage(format!("external file name {name:?} is not UTF-8")))?;
        let path = self
            .file
            .relative_candidates(std::path::Path::new(name))
            .into_iter()
            .find(|p| p.is_file())
            .ok_or_else(|| Error::NotFound(format!("external data file {name:?}")))?;
        let mut f = std::fs::File::open(&path)?;
        f.seek(SeekFrom::Start(offset))?;
        // Like libhdf5, bytes past the end of an external file read as zeros.
        let mut done = 0;
        while let Some(rest) = buf.get_mut(done..).filter(|r| !r.is_empty()) {
            let n = f.read(rest)?;
            if n == 0 {
                rest.fill(0);
                break;
            }
            done += n;
        }
        Ok(())
    }
}

/// A committed (named) datatype.
#[derive(Clone)]
pub struct NamedDatatype {
    base: Base,
    dtype: Arc<Datatype>,
}

impl core::fmt::Debug for NamedDatatype {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "NamedDatatype({:?} at {})",
            self.base.path, self.base.header.addr
        )
    }
}

impl NamedDatatype {
    common_methods!();

    /// The datatype.
    pub fn dtype(&self) -> &Datatype {
        &self.dtype
    }
}

/// An attribute: a small named value attached to an object.
#[derive(Debug, Clone)]
pub struct Attribute {
    raw: RawAttribute,
    file: File,
}

impl Attribute {
    /// Name (lossily decoded when not UTF-8).
    pub fn name(&self) -> String {
        lossy(&self.raw.name)
    }

    /// Raw name bytes.
    pub fn name_bytes(&self) -> &[u8] {
        &self.raw.name
    }

    /// Element datatype.
    pub fn dtype(&self) -> &Datatype {
        &self.raw.dtype
    }

    /// Dataspace.
    pub fn space(&self) -> &Dataspace {
        &self.raw.space
    }

    /// Shape (empty for scalar and null).
    pub fn shape(&self) -> &[u64] {
        &self.raw.space.dims
    }

    /// The value bytes exactly as stored in the file (no conversion).
    pub fn raw_bytes(&self) -> &[u8] {
        &self.raw.data
    }

    /// The decoded attribute record.
    pub fn raw(&self) -> &RawAttribute {
        &self.raw
    }

    /// All elements converted to `T` (h5py's conversions), in C order.
    ///
    /// # Errors
    /// [`Error::Conversion`] when the type cannot become `T`.
    pub fn read<T: H5Type>(&self) -> Result<Vec<T>> {
        convert(
            &self.file,
            &self.raw.dtype,
            &self.raw.data,
            ConvertOptions::default(),
        )
    }

    /// The single element of a scalar attribute.
    ///
    /// # Errors
    /// [`Error::Usage`] unless the attribute holds exactly one element; as
    /// [`Attribute::read`].
    pub fn read_scalar<T: H5Type>(&self) -> Result<T> {
        let mut v = self.read::<T>()?;
        if v.len() != 1 {
            return Err(Error::Usage(format!(
                "attribute {} holds {} elements, not one",
                self.name(),
                v.len()
            )));
        }
        v.pop()
            .ok_or_else(|| Error::Usage(String::from("empty read")))
    }
}

impl core::fmt::Display for LinkKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LinkKind::Hard(a) => write!(f, "hard {a}"),
            LinkKind::Soft(p) => write!(f, "soft -> {p}"),
            LinkKind::External { file, path } => write!(f, "external -> {file}:{path}"),
            LinkKind::UserDefined(k) => write!(f, "user-defined type {k}"),
        }
    }
}
