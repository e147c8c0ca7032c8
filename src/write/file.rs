//! A new file being written: the tree of groups, datasets and named datatypes with their
//! links and attributes, kept in memory while raw data streams to the file; the metadata is
//! written at [`NewFile::finish`] (children before parents, the superblock last).

use super::dataset::{DataShape, SliceDim, Storage};
use super::{FileSpace, Sink, Writer};
use crate::error::{Error, Result};
use crate::filter::FilterSpec;
use crate::format::message::dataspace::{Dataspace, SpaceKind};
use crate::format::message::datatype::Datatype;
use crate::format::Ctx;
use crate::io::WriteAt;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Which encodings a new file uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Readable by every HDF5 reader since 1.8: superblock v0, version 1 object headers,
    /// symbol-table groups, version 1 B-tree chunk indexes, layout message v3.
    #[default]
    Earliest,
    /// What libhdf5 1.10+ writes with `libver="latest"`: superblock v3, version 2 object
    /// headers, link messages, the layout v4 chunk indexes.
    Latest,
}

/// Identifies an object of a [`NewFile`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(pub usize);

/// Where a link points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// An object of this file.
    Hard(ObjectId),
    /// A path in this file, resolved when followed.
    Soft(String),
    /// An object of another file.
    External {
        /// The file name.
        file: String,
        /// The object's path in it.
        path: String,
    },
}

/// An attribute to write: name, type, shape and raw bytes (file layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttribute {
    /// Its name.
    pub name: String,
    /// Its datatype.
    pub dtype: Datatype,
    /// Its dataspace.
    pub space: Dataspace,
    /// Raw bytes of every element.
    pub data: Vec<u8>,
}

/// A group: its links in creation order.
#[derive(Debug, Clone, Default)]
pub struct GroupNode {
    /// (name, target), in creation order.
    pub links: Vec<(String, LinkTarget)>,
    /// Whether link creation order is tracked and indexed (h5py `track_order=True`).
    pub track_order: bool,
}

/// A dataset: its description and storage.
#[derive(Debug, Clone)]
pub struct DatasetNode {
    /// Element type.
    pub dtype: Datatype,
    /// Dataspace (dims and maxdims).
    pub space: Dataspace,
    /// User fill value (one element), if set.
    pub fill: Option<Vec<u8>>,
    /// The fill value is undefined (libhdf5 `H5Pset_fill_value(NULL)`): unwritten elements
    /// have no defined value (h5oxide writes zeros there).
    pub fill_undefined: bool,
    /// Raw data storage.
    pub storage: Storage,
}

/// What an object is.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// A group.
    Group(GroupNode),
    /// A dataset.
    Dataset(DatasetNode),
    /// A named (committed) datatype.
    Datatype(Datatype),
}

/// One object of the new file.
#[derive(Debug, Clone)]
pub struct Node {
    /// What it is.
    pub kind: NodeKind,
    /// Its attributes in creation order.
    pub attrs: Vec<NewAttribute>,
    /// Address of its object header: allocated when the object is created (so references
    /// to it can be written at once), filled at [`NewFile::finish`], with a continuation
    /// block when the messages outgrow [`HEADER_SPACE`].
    pub header: crate::format::Addr,
}

/// Bytes reserved for the first block of each object header when the object is created.
pub const HEADER_SPACE: u64 = 256;

/// How a dataset is laid out, as asked by the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayoutSpec {
    /// In the object header (at most 64 KiB of data).
    Compact,
    /// One block.
    Contiguous,
    /// Chunks of these dimensions through `filters`.
    Chunked {
        /// Chunk dimensions.
        chunk: Vec<u64>,
        /// Filter pipeline, in the order filters are applied.
        filters: Vec<FilterSpec>,
    },
}

/// A new HDF5 file being written to `W`.
#[derive(Debug)]
pub struct NewFile<W: WriteAt> {
    pub(crate) w: Writer<W>,
    pub(crate) profile: Profile,
    pub(crate) nodes: Vec<Node>,
    /// The global heap for variable-length data.
    pub(crate) heap: super::global_heap::GlobalHeapWriter,
}

/// The root group's id.
pub const ROOT: ObjectId = ObjectId(0);

fn usage(msg: String) -> Error {
    Error::Usage(msg)
}

impl<W: WriteAt> NewFile<W> {
    /// Start a new file in `dest` (which should be empty), with a user block of
    /// `user_block` bytes (0, or a power of two of at least 512) before the superblock.
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad user block size.
    pub fn new(dest: W, profile: Profile, user_block: u64) -> Result<Self> {
        if user_block != 0 && (user_block < 512 || !user_block.is_power_of_two()) {
            return Err(usage(format!(
                "user block of {user_block} bytes: 0 or a power of two >= 512"
            )));
        }
        let ctx = Ctx::DEFAULT;
        let sb_version = match profile {
            Profile::Earliest => 0,
            Profile::Latest => 3,
        };
        let start = crate::format::superblock::Superblock::encoded_size(sb_version, ctx);
        let mut w = Writer::new(dest, user_block, ctx, FileSpace::new(start));
        let root = w.alloc(HEADER_SPACE)?;
        Ok(NewFile {
            w,
            profile,
            heap: super::global_heap::GlobalHeapWriter::new(ctx),
            nodes: alloc::vec![Node {
                kind: NodeKind::Group(GroupNode::default()),
                attrs: Vec::new(),
                header: root,
            }],
        })
    }

    /// Align blocks of at least `threshold` bytes allocated from now on to multiples of
    /// `interval` (libhdf5's `H5Pset_alignment`).
    pub fn set_alignment(&mut self, threshold: u64, interval: u64) {
        let space = self.w.space().clone().with_alignment(threshold, interval);
        *self.w.space_mut() = space;
    }

    /// The profile.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The object `id`.
    ///
    /// # Errors
    /// [`Error::Usage`] for an unknown id.
    pub fn node(&self, id: ObjectId) -> Result<&Node> {
        self.nodes
            .get(id.0)
            .ok_or_else(|| usage(format!("no object {}", id.0)))
    }

    fn node_mut(&mut self, id: ObjectId) -> Result<&mut Node> {
        self.nodes
            .get_mut(id.0)
            .ok_or_else(|| usage(format!("no object {}", id.0)))
    }

    fn group_mut(&mut self, id: ObjectId) -> Result<&mut GroupNode> {
        match &mut self.node_mut(id)?.kind {
            NodeKind::Group(g) => Ok(g),
            _ => Err(usage(format!("object {} is not a group", id.0))),
        }
    }

    /// The target of link `name` in group `parent`.
    pub fn link(&self, parent: ObjectId, name: &str) -> Option<&LinkTarget> {
        match &self.nodes.get(parent.0)?.kind {
            NodeKind::Group(g) => g.links.iter().find(|(n, _)| n == name).map(|(_, t)| t),
            _ => None,
        }
    }

    /// Add link `name` to group `parent`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the name is empty, holds `/`, or exists already.
    pub fn add_link(&mut self, parent: ObjectId, name: &str, target: LinkTarget) -> Result<()> {
        if name.is_empty() || name.contains('/') || name == "." {
            return Err(usage(format!("invalid link name {name:?}")));
        }
        if let LinkTarget::Hard(t) = &target {
            self.node(*t)?;
        }
        let g = self.group_mut(parent)?;
        if g.links.iter().any(|(n, _)| n == name) {
            return Err(usage(format!("link {name:?} exists already")));
        }
        g.links.push((String::from(name), target));
        Ok(())
    }

    fn add_node(&mut self, parent: ObjectId, name: &str, kind: NodeKind) -> Result<ObjectId> {
        let id = ObjectId(self.nodes.len());
        self.nodes.push(Node {
            kind,
            attrs: Vec::new(),
            header: crate::format::Addr(0),
        });
        if let Err(e) = self.add_link(parent, name, LinkTarget::Hard(id)) {
            self.nodes.pop();
            return Err(e);
        }
        let header = self.w.alloc(HEADER_SPACE)?;
        if let Some(n) = self.nodes.get_mut(id.0) {
            n.header = header;
        }
        Ok(id)
    }

    /// The object header address of `id` (what a hard link or an object reference stores).
    ///
    /// # Errors
    /// [`Error::Usage`] for an unknown id.
    pub fn header_addr(&self, id: ObjectId) -> Result<crate::format::Addr> {
        Ok(self.node(id)?.header)
    }

    /// Create group `name` in `parent`.
    ///
    /// # Errors
    /// As [`NewFile::add_link`].
    pub fn create_group(
        &mut self,
        parent: ObjectId,
        name: &str,
        track_order: bool,
    ) -> Result<ObjectId> {
        let kind = NodeKind::Group(GroupNode {
            links: Vec::new(),
            track_order,
        });
        self.add_node(parent, name, kind)
    }

    /// Make the root group track link creation order.
    ///
    /// # Errors
    /// Never for the root.
    pub fn set_track_order(&mut self, group: ObjectId, on: bool) -> Result<()> {
        self.group_mut(group)?.track_order = on;
        Ok(())
    }

    /// Commit datatype `dtype` as `name` in `parent`.
    ///
    /// # Errors
    /// As [`NewFile::add_link`].
    pub fn commit_datatype(
        &mut self,
        parent: ObjectId,
        name: &str,
        dtype: Datatype,
    ) -> Result<ObjectId> {
        self.add_node(parent, name, NodeKind::Datatype(dtype))
    }

    /// Create dataset `name` in `parent`.
    ///
    /// # Errors
    /// [`Error::Usage`] for inconsistent shapes, chunks or an empty type; as
    /// [`NewFile::add_link`].
    pub fn create_dataset(
        &mut self,
        parent: ObjectId,
        name: &str,
        dtype: Datatype,
        space: Dataspace,
        layout: LayoutSpec,
        fill: Option<Vec<u8>>,
    ) -> Result<ObjectId> {
        if dtype.size == 0 {
            return Err(usage(String::from("datatype of size 0")));
        }
        if let Some(f) = &fill {
            if f.len() as u64 != u64::from(dtype.size) {
                return Err(usage(format!(
                    "fill value of {} bytes for a type of {}",
                    f.len(),
                    dtype.size
                )));
            }
        }
        let unlimited = space.max_dims.iter().any(Option::is_none);
        let resizable = space
            .max_dims
            .iter()
            .zip(&space.dims)
            .any(|(m, d)| m.map_or(true, |m| m > *d));
        let storage = match layout {
            LayoutSpec::Compact | LayoutSpec::Contiguous if resizable || unlimited => {
                return Err(usage(String::from(
                    "a resizable dataset (maxshape > shape) must be chunked",
                )))
            }
            LayoutSpec::Compact => Storage::Compact { data: Vec::new() },
            LayoutSpec::Contiguous => Storage::Contiguous { addr: None },
            LayoutSpec::Chunked { chunk, filters } => {
                if space.kind != SpaceKind::Simple
                    || chunk.len() != space.dims.len()
                    || chunk.iter().any(|&c| c == 0 || c > u64::from(u32::MAX))
                {
                    return Err(usage(format!(
                        "chunk shape {chunk:?} for dataset shape {:?}",
                        space.dims
                    )));
                }
                let chunk_bytes = chunk
                    .iter()
                    .try_fold(u64::from(dtype.size), |a, &c| a.checked_mul(c))
                    .and_then(|b| u32::try_from(b).ok())
                    .ok_or_else(|| usage(format!("chunk {chunk:?} is over 4 GiB")))?;
                let filters = filters
                    .into_iter()
                    .map(|f| set_local(f, dtype.size, chunk_bytes))
                    .collect();
                Storage::Chunked {
                    chunk,
                    filters,
                    written: Default::default(),
                    pending: Default::default(),
                }
            }
        };
        if space.kind == SpaceKind::Simple && space.dims.len() != space.max_dims.len() {
            return Err(usage(String::from("dims and maxdims of different ranks")));
        }
        let kind = NodeKind::Dataset(DatasetNode {
            dtype,
            space,
            fill,
            fill_undefined: false,
            storage,
        });
        self.add_node(parent, name, kind)
    }

    fn dataset_mut(&mut self, id: ObjectId) -> Result<&mut DatasetNode> {
        match &mut self.node_mut(id)?.kind {
            NodeKind::Dataset(d) => Ok(d),
            _ => Err(usage(format!("object {} is not a dataset", id.0))),
        }
    }

    /// Write raw bytes (file layout) of the elements `sel` selects in dataset `id`; `None`
    /// selects everything.
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad selection or buffer; errors of the destination and filters.
    pub fn write_raw(&mut self, id: ObjectId, sel: Option<&[SliceDim]>, data: &[u8]) -> Result<()> {
        let Some(Node {
            kind: NodeKind::Dataset(d),
            ..
        }) = self.nodes.get_mut(id.0)
        else {
            return Err(usage(format!("object {} is not a dataset", id.0)));
        };
        let dims = logical_dims(&d.space);
        let elem = usize::try_from(d.dtype.size).map_err(|_| usage(String::from("type size")))?;
        let shape = DataShape {
            dims: dims.clone(),
            elem,
            fill: d.fill.clone().unwrap_or_else(|| alloc::vec![0; elem]),
            max: match d.space.kind {
                SpaceKind::Simple => d.space.max_dims.clone(),
                _ => dims.iter().map(|&n| Some(n)).collect(),
            },
        };
        let all: Vec<SliceDim> = dims.iter().map(|&n| SliceDim::all(n)).collect();
        let sel = sel.unwrap_or(&all);
        d.storage.write(&mut self.w, &shape, sel, data)
    }

    /// Mark the fill value of dataset `id` undefined.
    ///
    /// # Errors
    /// [`Error::Usage`] when `id` is not a dataset or has a user fill value.
    pub fn set_fill_undefined(&mut self, id: ObjectId) -> Result<()> {
        let d = self.dataset_mut(id)?;
        if d.fill.is_some() {
            return Err(usage(String::from("a user fill value is set")));
        }
        d.fill_undefined = true;
        Ok(())
    }

    /// Change the dimensions of chunked dataset `id` within its maximum dimensions. Growing
    /// keeps what was written; shrinking is refused once data outside the new extent exists.
    ///
    /// # Errors
    /// [`Error::Usage`] outside the maximum dimensions or for a non-chunked dataset.
    pub fn resize(&mut self, id: ObjectId, dims: &[u64]) -> Result<()> {
        let d = self.dataset_mut(id)?;
        if !matches!(d.storage, Storage::Chunked { .. }) {
            return Err(usage(String::from("only chunked datasets can be resized")));
        }
        if dims.len() != d.space.dims.len()
            || dims
                .iter()
                .zip(&d.space.max_dims)
                .any(|(&n, m)| m.is_some_and(|m| n > m))
        {
            return Err(usage(format!(
                "new shape {dims:?} outside the maximum shape {:?}",
                d.space.max_dims
            )));
        }
        if dims.iter().zip(&d.space.dims).any(|(n, o)| n < o) {
            return Err(Error::unsupported("shrinking a dataset being written", 0));
        }
        d.space.dims = dims.to_vec();
        Ok(())
    }

    /// Add attribute `attr` to object `id`.
    ///
    /// # Errors
    /// [`Error::Usage`] when an attribute of that name exists or the data size is wrong.
    pub fn add_attribute(&mut self, id: ObjectId, attr: NewAttribute) -> Result<()> {
        let n = super::dataset::element_count(&logical_dims(&attr.space))?;
        if n.checked_mul(u64::from(attr.dtype.size)) != Some(attr.data.len() as u64) {
            return Err(usage(format!(
                "attribute {:?}: {} bytes for {n} elements of {} bytes",
                attr.name,
                attr.data.len(),
                attr.dtype.size
            )));
        }
        let node = self.node_mut(id)?;
        if node.attrs.iter().any(|a| a.name == attr.name) {
            return Err(usage(format!("attribute {:?} exists already", attr.name)));
        }
        node.attrs.push(attr);
        Ok(())
    }

    /// Store `bytes` as a new global heap object (the data of one variable-length element);
    /// returns its collection address and index.
    ///
    /// # Errors
    /// Errors of the destination.
    pub fn heap_put(&mut self, bytes: &[u8]) -> Result<(crate::format::Addr, u32)> {
        let id = self.heap.add(&mut self.w, bytes)?;
        Ok((id.collection.unwrap_or_default(), id.index))
    }

    /// Offset and length widths of the file.
    pub fn ctx(&self) -> Ctx {
        super::Sink::ctx(&self.w)
    }

    /// The sink raw data and metadata go to.
    pub fn sink(&mut self) -> &mut dyn Sink {
        &mut self.w
    }
}

/// Fill in the client data a filter takes from the dataset, as libhdf5's `set_local`
/// callbacks do: shuffle's element size, LZF's chunk size.
fn set_local(f: FilterSpec, type_size: u32, chunk_bytes: u32) -> FilterSpec {
    use crate::filter::id;
    match f.id {
        id::SHUFFLE => FilterSpec {
            params: alloc::vec![type_size],
            ..f
        },
        id::LZF => FilterSpec::lzf(chunk_bytes),
        _ => f,
    }
}

/// Dimensions used for addressing: a scalar is rank 0 (one element); a null space has no
/// elements.
pub(crate) fn logical_dims(space: &Dataspace) -> Vec<u64> {
    match space.kind {
        SpaceKind::Scalar => Vec::new(),
        SpaceKind::Null => alloc::vec![0],
        SpaceKind::Simple => space.dims.clone(),
    }
}

/// A simple dataspace of `dims`, with maximum dimensions `max` (`None` entries unlimited;
/// `max` itself `None`: fixed).
pub fn simple_space(dims: &[u64], max: Option<&[Option<u64>]>) -> Dataspace {
    Dataspace {
        kind: SpaceKind::Simple,
        dims: dims.to_vec(),
        max_dims: max.map_or_else(|| dims.iter().map(|&d| Some(d)).collect(), <[_]>::to_vec),
    }
}

/// The scalar dataspace.
pub fn scalar_space() -> Dataspace {
    Dataspace {
        kind: SpaceKind::Scalar,
        dims: Vec::new(),
        max_dims: Vec::new(),
    }
}
