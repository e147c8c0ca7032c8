//! Version 2 B-trees: the header ("BTHD"), internal nodes ("BTIN"), leaf nodes ("BTLF") and the
//! records of every stored tree type. Spec: "Version 2 B-trees" (Disk Format: Level 1A2).
//!
//! A v2 B-tree keeps all nodes the same size ([`Header::node_size`]) and all records the same
//! size ([`Header::record_size`]). Internal nodes hold one more child pointer than records; each
//! pointer carries the child's record count, and above the lowest internal level also the total
//! record count of the child's subtree. The byte widths of those two counts are not stored: they
//! follow from the node size, the record size, the file's offset width and the depth of the node
//! ([`Geometry`]).
//!
//! The node checksum covers only the used part of a node (prefix, records, child pointers) and is
//! stored right after it; the rest of the node is unused.

use super::super::checksum;
use super::super::cursor::bytes_needed;
use super::super::{Addr, Ctx, Cursor, Encoder};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;
use core::cmp::Ordering;

/// Signature of the header.
pub const HEADER_SIGNATURE: [u8; 4] = *b"BTHD";
/// Signature of internal nodes.
pub const INTERNAL_SIGNATURE: [u8; 4] = *b"BTIN";
/// Signature of leaf nodes.
pub const LEAF_SIGNATURE: [u8; 4] = *b"BTLF";
/// The only header and node version this module knows.
pub const VERSION: u8 = 0;
/// Bytes of every node that are not records or child pointers: signature, version, type and
/// checksum.
pub const NODE_PREFIX_SIZE: u64 = 4 + 1 + 1 + 4;
/// Largest dataset rank HDF5 allows (the number of scaled offsets in a chunk record).
pub const MAX_RANK: u8 = 32;

/// The "Type" field of a v2 B-tree: what its records index. Open: unknown values are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BTreeType(pub u8);

impl BTreeType {
    /// 0: testing only, never in real files.
    pub const TESTING: Self = Self(0);
    /// 1: indirectly accessed, non-filtered huge fractal heap objects.
    pub const HUGE_INDIRECT: Self = Self(1);
    /// 2: indirectly accessed, filtered huge fractal heap objects.
    pub const HUGE_INDIRECT_FILTERED: Self = Self(2);
    /// 3: directly accessed, non-filtered huge fractal heap objects.
    pub const HUGE_DIRECT: Self = Self(3);
    /// 4: directly accessed, filtered huge fractal heap objects.
    pub const HUGE_DIRECT_FILTERED: Self = Self(4);
    /// 5: link names of an indexed ("dense") group, ordered by name hash.
    pub const LINK_NAME: Self = Self(5);
    /// 6: link creation order of an indexed group.
    pub const LINK_CREATION_ORDER: Self = Self(6);
    /// 7: shared object header messages.
    pub const SHARED_MESSAGE: Self = Self(7);
    /// 8: attribute names of dense attribute storage, ordered by name hash.
    pub const ATTRIBUTE_NAME: Self = Self(8);
    /// 9: attribute creation order of dense attribute storage.
    pub const ATTRIBUTE_CREATION_ORDER: Self = Self(9);
    /// 10: chunks of a non-filtered dataset with more than one unlimited dimension.
    pub const CHUNK: Self = Self(10);
    /// 11: chunks of a filtered dataset with more than one unlimited dimension.
    pub const FILTERED_CHUNK: Self = Self(11);

    /// The spec's name of this type, or `None` for an unknown value.
    pub fn name(self) -> Option<&'static str> {
        Some(match self.0 {
            0 => "testing",
            1 => "huge objects, indirect, non-filtered",
            2 => "huge objects, indirect, filtered",
            3 => "huge objects, direct, non-filtered",
            4 => "huge objects, direct, filtered",
            5 => "link name",
            6 => "link creation order",
            7 => "shared object header messages",
            8 => "attribute name",
            9 => "attribute creation order",
            10 => "non-filtered chunks",
            11 => "filtered chunks",
            _ => return None,
        })
    }
}

impl core::fmt::Display for BTreeType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(n) => write!(f, "{} ({n})", self.0),
            None => write!(f, "{} (unknown)", self.0),
        }
    }
}

/// The version 2 B-tree header (spec "Version 2 B-tree Header").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// What the records index.
    pub btree_type: BTreeType,
    /// Size in bytes of every node.
    pub node_size: u32,
    /// Size in bytes of every record.
    pub record_size: u16,
    /// Depth of the tree: 0 when the root is a leaf.
    pub depth: u16,
    /// Percent full above which a node splits.
    pub split_percent: u8,
    /// Percent full below which a node merges.
    pub merge_percent: u8,
    /// Address of the root node; `None` for an empty tree.
    pub root: Option<Addr>,
    /// Number of records in the root node.
    pub root_records: u16,
    /// Number of records in the whole tree.
    pub total_records: u64,
}

impl Header {
    /// Encoded size, checksum included.
    pub fn size(ctx: Ctx) -> usize {
        4 + 1
            + 1
            + 4
            + 2
            + 2
            + 1
            + 1
            + usize::from(ctx.offset_size)
            + 2
            + usize::from(ctx.length_size)
            + 4
    }

    /// Decode a header from `data` (read at file address `addr`, at least [`Header::size`]
    /// bytes; more are ignored).
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` when the node
    /// size is too small to hold one record, the record size is zero, or an empty tree claims
    /// records.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "v2 B-tree header");
        let all = c.sub(Self::size(ctx), "v2 B-tree header")?;
        let mut c = all.clone();
        c.signature(&HEADER_SIGNATURE)?;
        if c.u8()? != VERSION {
            return Err(Error::format(
                FormatErrorKind::BadVersion,
                "v2 B-tree header version",
                addr + 4,
            ));
        }
        checksum::verify(all.data(), addr, "v2 B-tree header")?;
        let btree_type = BTreeType(c.u8()?);
        let node_size = c.u32()?;
        let record_size = c.u16()?;
        let depth = c.u16()?;
        let split_percent = c.u8()?;
        let merge_percent = c.u8()?;
        let root = c.offset(ctx)?;
        let root_records = c.u16()?;
        let total_records = c.length(ctx)?;
        let h = Header {
            btree_type,
            node_size,
            record_size,
            depth,
            split_percent,
            merge_percent,
            root,
            root_records,
            total_records,
        };
        if record_size == 0 {
            return Err(Error::invalid("v2 B-tree record size", addr + 10));
        }
        if u64::from(node_size) < NODE_PREFIX_SIZE + u64::from(record_size) {
            return Err(Error::invalid("v2 B-tree node size", addr + 6));
        }
        if root.is_none() && (root_records != 0 || total_records != 0) {
            return Err(Error::invalid(
                "v2 B-tree record count of an empty tree",
                addr,
            ));
        }
        Ok(h)
    }

    /// The node geometry of this tree (whose header is at `addr`): how many records fit in a
    /// node of each level and how wide the record counts in child pointers are. `max_depth` caps
    /// the depth (use
    /// [`crate::Limits::max_btree_depth`]).
    ///
    /// # Errors
    /// `LimitExceeded` (`max_btree_depth`) when the tree is deeper than `max_depth`;
    /// `InvalidValue` when a node of some level cannot hold a single record.
    pub fn geometry(&self, addr: u64, ctx: Ctx, max_depth: u32) -> Result<Geometry> {
        Geometry::new(self, addr, ctx, max_depth)
    }
}

/// Capacity and field widths of the nodes of one level of a tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Level {
    /// Most records a node of this level holds.
    pub max_records: u64,
    /// Most records a subtree rooted at a node of this level holds (saturating).
    pub max_total_records: u64,
    /// Bytes of the "Total Number of Records" field in pointers *to* nodes of this level (0
    /// for leaves, whose parents do not store it).
    pub total_width: usize,
}

/// The derived node geometry of a tree (spec: "Number of Records in Child Node" and "Total Number
/// of Records in Child Node" of "Version 2 B-tree Internal Node").
///
/// - A leaf holds `(node size - 10) / record size` records.
/// - "Number of Records for Child Node" fields are as wide as that leaf capacity needs, at every
///   level (libhdf5 uses the leaf capacity, the largest of all levels, for all of them).
/// - A node at depth `d >= 1` holds `(node size - 10 - P) / (record size + P)` records where
///   `P` is its child pointer size: offset width + count width + (for `d > 1`) the total width
///   of level `d - 1`.
/// - The total capacity of a subtree at level `d` is `(max_d + 1) * total_{d-1} + max_d`; its
///   width is the bytes needed for that number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Geometry {
    /// Per level, index 0 = leaves, up to the tree's depth.
    levels: Vec<Level>,
    /// Width of "Number of Records for Child Node" fields.
    records_width: usize,
    /// Offset width of the file.
    offset_size: usize,
    record_size: u64,
    node_size: u64,
    /// Address of the header, for errors.
    addr: u64,
}

impl Geometry {
    fn new(h: &Header, addr: u64, ctx: Ctx, max_depth: u32) -> Result<Self> {
        crate::Limits::check("max_btree_depth", u64::from(h.depth), u64::from(max_depth))?;
        let node_size = u64::from(h.node_size);
        let record_size = u64::from(h.record_size);
        let offset_size = usize::from(ctx.offset_size);
        let usable = node_size
            .checked_sub(NODE_PREFIX_SIZE)
            .ok_or(Error::invalid("v2 B-tree node size", addr))?;
        let leaf_max = usable.checked_div(record_size).unwrap_or(0);
        if leaf_max == 0 {
            return Err(Error::invalid("v2 B-tree node size", addr));
        }
        let records_width = bytes_needed(leaf_max);
        // Bounded by max_depth, checked above.
        let mut levels = Vec::with_capacity(usize::from(h.depth) + 1);
        let leaf = Level {
            max_records: leaf_max,
            max_total_records: leaf_max,
            total_width: 0,
        };
        levels.push(leaf);
        let mut below = leaf;
        for d in 1..=h.depth {
            let ptr =
                (offset_size + records_width + if d > 1 { below.total_width } else { 0 }) as u64;
            let max = usable.saturating_sub(ptr) / (record_size + ptr);
            if max == 0 {
                return Err(Error::invalid(
                    "v2 B-tree node size (internal node capacity)",
                    addr,
                ));
            }
            let total = max
                .saturating_add(1)
                .saturating_mul(below.max_total_records)
                .saturating_add(max);
            let lvl = Level {
                max_records: max,
                max_total_records: total,
                total_width: bytes_needed(total),
            };
            levels.push(lvl);
            below = lvl;
        }
        Ok(Geometry {
            levels,
            records_width,
            offset_size,
            record_size,
            node_size,
            addr,
        })
    }

    /// The level info of nodes at depth `d` (0 = leaves).
    ///
    /// # Errors
    /// `InvalidValue` when `d` is deeper than the tree.
    pub fn level(&self, d: u16) -> Result<Level> {
        self.levels
            .get(usize::from(d))
            .copied()
            .ok_or(Error::invalid("v2 B-tree node depth", self.addr))
    }

    /// Width in bytes of every "Number of Records for Child Node" field.
    pub fn records_width(&self) -> usize {
        self.records_width
    }

    /// Size of one child pointer in a node at depth `d >= 1`.
    ///
    /// # Errors
    /// `InvalidValue` when `d` is 0 or deeper than the tree.
    pub fn pointer_size(&self, d: u16) -> Result<usize> {
        if d == 0 {
            return Err(Error::invalid("v2 B-tree node depth", self.addr));
        }
        let below = self.level(d - 1)?;
        self.level(d)?;
        Ok(self.offset_size + self.records_width + below.total_width)
    }

    /// Bytes a node of depth `d` holding `nrec` records uses, checksum included.
    ///
    /// # Errors
    /// `InvalidValue` for a bad depth; `Overflow` never happens for counts within capacity.
    pub fn used_size(&self, d: u16, nrec: u64) -> Result<u64> {
        let recs = nrec.saturating_mul(self.record_size);
        let ptrs = if d == 0 {
            0
        } else {
            (nrec.saturating_add(1)).saturating_mul(self.pointer_size(d)? as u64)
        };
        Ok(NODE_PREFIX_SIZE.saturating_add(recs).saturating_add(ptrs))
    }

    /// The node size of the tree.
    pub fn node_size(&self) -> u64 {
        self.node_size
    }
}

/// Parameters that a record layout needs beyond the header: only chunk records (types 10 and
/// 11) need them; they come from the dataset's dataspace and layout message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RecordParams {
    /// Dataset rank: the number of scaled offsets in a chunk record. When `None`, it is derived
    /// from the record size (type 10 always; type 11 when `chunk_size_width` is given).
    pub rank: Option<u8>,
    /// Width of the "Chunk Size" field of type 11 records: for layout message version 4 one more
    /// than the bytes needed for an unfiltered chunk size (at most 8), for version 5 and later the
    /// file's length width (libhdf5 2.0; the spec says offset width, see
    /// `spec-notes/chunk-indexes.md`). When `None`, it is derived from the record size and `rank`.
    pub chunk_size_width: Option<u8>,
}

impl RecordParams {
    /// Parameters for a chunk index of a dataset of rank `rank`, with the given chunk size width
    /// (ignored for non-filtered chunks).
    pub fn chunks(rank: u8, chunk_size_width: u8) -> Self {
        RecordParams {
            rank: Some(rank),
            chunk_size_width: Some(chunk_size_width),
        }
    }
}

/// How to decode the records of one tree: the header's type and record size plus the file widths
/// and [`RecordParams`], checked against each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordFormat {
    /// The tree type.
    pub btree_type: BTreeType,
    /// Record size from the header (the stride of records in a node).
    pub record_size: u16,
    /// File widths.
    pub ctx: Ctx,
    /// Rank of chunk records (0 for other types).
    pub rank: u8,
    /// Chunk size width of type-11 records (0 for other types).
    pub chunk_size_width: u8,
}

impl RecordFormat {
    /// Check the record size of the header at `addr` against what its type needs and derive
    /// chunk parameters.
    ///
    /// # Errors
    /// `InvalidValue` when the record size is too small for the type (or, for chunk records, does
    /// not match rank and widths exactly); `Usage` when a type-11 tree is given neither a rank
    /// nor a chunk size width.
    pub fn new(h: &Header, addr: u64, ctx: Ctx, params: RecordParams) -> Result<Self> {
        let o = usize::from(ctx.offset_size);
        let l = usize::from(ctx.length_size);
        let rs = usize::from(h.record_size);
        let bad = || Error::invalid("v2 B-tree record size", addr + 10);
        let mut f = RecordFormat {
            btree_type: h.btree_type,
            record_size: h.record_size,
            ctx,
            rank: 0,
            chunk_size_width: 0,
        };
        let need = match h.btree_type.0 {
            1 => o + 2 * l,
            2 => o + 3 * l + 4,
            3 => o + l,
            4 => o + 2 * l + 4,
            5 => 4 + 7,
            6 => 8 + 7,
            7 => 1 + 4 + core::cmp::max(4 + 8, 1 + 1 + 2 + o),
            8 => 8 + 1 + 4 + 4,
            9 => 8 + 1 + 4,
            10 => {
                let body = rs.checked_sub(o).ok_or_else(bad)?;
                let rank = match params.rank {
                    Some(r) => r,
                    None => u8::try_from(body / 8).map_err(|_| bad())?,
                };
                if rank == 0 || rank > MAX_RANK || o + 8 * usize::from(rank) != rs {
                    return Err(bad());
                }
                f.rank = rank;
                rs
            }
            11 => {
                let body = rs.checked_sub(o + 4).ok_or_else(bad)?;
                let (rank, width) = match (params.rank, params.chunk_size_width) {
                    (Some(r), Some(w)) => (r, w),
                    (Some(r), None) => {
                        let w = body.checked_sub(8 * usize::from(r)).ok_or_else(bad)?;
                        (r, u8::try_from(w).map_err(|_| bad())?)
                    }
                    (None, Some(w)) => {
                        let rest = body.checked_sub(usize::from(w)).ok_or_else(bad)?;
                        (u8::try_from(rest / 8).map_err(|_| bad())?, w)
                    }
                    (None, None) => return Err(Error::Usage(alloc::string::String::from(
                        "a filtered-chunk v2 B-tree needs the dataset rank or the chunk size width",
                    ))),
                };
                if rank == 0
                    || rank > MAX_RANK
                    || width == 0
                    || width > 8
                    || o + usize::from(width) + 4 + 8 * usize::from(rank) != rs
                {
                    return Err(bad());
                }
                f.rank = rank;
                f.chunk_size_width = width;
                rs
            }
            _ => 0,
        };
        if rs < need {
            return Err(bad());
        }
        Ok(f)
    }

    /// Decode one record from the next [`RecordFormat::record_size`] bytes of `c`.
    ///
    /// # Errors
    /// `Truncated`; `InvalidValue` for an undefined address or an unknown message location of a
    /// type-7 record.
    pub fn decode(&self, c: &mut Cursor<'_>) -> Result<Record> {
        let mut r = c.sub(usize::from(self.record_size), "v2 B-tree record")?;
        let ctx = self.ctx;
        Ok(match self.btree_type.0 {
            1 => Record::HugeIndirect {
                addr: r.defined_offset(ctx, "huge object address")?,
                len: r.length(ctx)?,
                id: r.length(ctx)?,
            },
            2 => Record::HugeIndirectFiltered {
                addr: r.defined_offset(ctx, "huge object address")?,
                len: r.length(ctx)?,
                filter_mask: r.u32()?,
                memory_size: r.length(ctx)?,
                id: r.length(ctx)?,
            },
            3 => Record::HugeDirect {
                addr: r.defined_offset(ctx, "huge object address")?,
                len: r.length(ctx)?,
            },
            4 => Record::HugeDirectFiltered {
                addr: r.defined_offset(ctx, "huge object address")?,
                len: r.length(ctx)?,
                filter_mask: r.u32()?,
                memory_size: r.length(ctx)?,
            },
            5 => Record::LinkName {
                hash: r.u32()?,
                heap_id: r.array()?,
            },
            6 => Record::LinkCreationOrder {
                order: r.u64()?,
                heap_id: r.array()?,
            },
            7 => {
                let at = r.addr();
                match r.u8()? {
                    0 => Record::SharedMessageInHeap {
                        hash: r.u32()?,
                        ref_count: r.u32()?,
                        heap_id: r.array()?,
                    },
                    1 => {
                        let hash = r.u32()?;
                        r.skip(1)?;
                        Record::SharedMessageInHeader {
                            hash,
                            message_type: r.u8()?,
                            index: r.u16()?,
                            object_header: r
                                .defined_offset(ctx, "shared message object header address")?,
                        }
                    }
                    _ => return Err(Error::invalid("shared message record location", at)),
                }
            }
            8 => Record::AttributeName {
                heap_id: r.array()?,
                flags: r.u8()?,
                creation_order: r.u32()?,
                hash: r.u32()?,
            },
            9 => Record::AttributeCreationOrder {
                heap_id: r.array()?,
                flags: r.u8()?,
                creation_order: r.u32()?,
            },
            10 => {
                let addr = r.defined_offset(ctx, "chunk address")?;
                Record::Chunk {
                    addr,
                    scaled: scaled(&mut r, self.rank)?,
                }
            }
            11 => {
                let addr = r.defined_offset(ctx, "chunk address")?;
                let size = r.uint(usize::from(self.chunk_size_width))?;
                let filter_mask = r.u32()?;
                Record::FilteredChunk {
                    addr,
                    size,
                    filter_mask,
                    scaled: scaled(&mut r, self.rank)?,
                }
            }
            _ => Record::Unknown {
                btree_type: self.btree_type,
                bytes: r.rest().to_vec(),
            },
        })
    }
}

fn scaled(c: &mut Cursor<'_>, rank: u8) -> Result<Vec<u64>> {
    let mut v = Vec::with_capacity(usize::from(rank));
    for _ in 0..rank {
        v.push(c.u64()?);
    }
    Ok(v)
}

/// One v2 B-tree record, by tree type (spec: "Version 2 B-tree, Type N Record Layout").
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Record {
    /// Type 1: an indirectly accessed, non-filtered huge object.
    HugeIndirect {
        /// Address of the object.
        addr: Addr,
        /// Length of the object.
        len: u64,
        /// The huge object ID (the key stored in heap IDs).
        id: u64,
    },
    /// Type 2: an indirectly accessed, filtered huge object.
    HugeIndirectFiltered {
        /// Address of the filtered object.
        addr: Addr,
        /// Length of the filtered object.
        len: u64,
        /// Filters skipped (bit per pipeline index).
        filter_mask: u32,
        /// Size of the de-filtered object.
        memory_size: u64,
        /// The huge object ID.
        id: u64,
    },
    /// Type 3: a directly accessed, non-filtered huge object.
    HugeDirect {
        /// Address of the object.
        addr: Addr,
        /// Length of the object.
        len: u64,
    },
    /// Type 4: a directly accessed, filtered huge object.
    HugeDirectFiltered {
        /// Address of the filtered object.
        addr: Addr,
        /// Length of the filtered object.
        len: u64,
        /// Filters skipped.
        filter_mask: u32,
        /// Size of the de-filtered object.
        memory_size: u64,
    },
    /// Type 5: a link of a dense group, by name hash.
    LinkName {
        /// lookup3 hash of the link name.
        hash: u32,
        /// Fractal heap ID of the link message.
        heap_id: [u8; 7],
    },
    /// Type 6: a link of a dense group, by creation order.
    LinkCreationOrder {
        /// Creation order of the link.
        order: u64,
        /// Fractal heap ID of the link message.
        heap_id: [u8; 7],
    },
    /// Type 7, message location 0: a shared message stored in the shared message heap.
    SharedMessageInHeap {
        /// lookup3 hash of the encoded message.
        hash: u32,
        /// Number of objects referencing the message.
        ref_count: u32,
        /// Fractal heap ID of the message.
        heap_id: [u8; 8],
    },
    /// Type 7, message location 1: a shared message stored in an object header.
    SharedMessageInHeader {
        /// lookup3 hash of the encoded message.
        hash: u32,
        /// Header message type of the message.
        message_type: u8,
        /// The message is the n-th of its type in the header.
        index: u16,
        /// Address of the object header holding it.
        object_header: Addr,
    },
    /// Type 8: an attribute of dense attribute storage, by name hash.
    AttributeName {
        /// Fractal heap ID of the attribute message.
        heap_id: [u8; 8],
        /// Object header message flags of the attribute message.
        flags: u8,
        /// Creation order of the attribute.
        creation_order: u32,
        /// lookup3 hash of the attribute name.
        hash: u32,
    },
    /// Type 9: an attribute of dense attribute storage, by creation order.
    AttributeCreationOrder {
        /// Fractal heap ID of the attribute message.
        heap_id: [u8; 8],
        /// Object header message flags of the attribute message.
        flags: u8,
        /// Creation order of the attribute.
        creation_order: u32,
    },
    /// Type 10: a chunk of a non-filtered dataset.
    Chunk {
        /// Address of the chunk.
        addr: Addr,
        /// Chunk offset divided by the chunk dimensions, slowest dimension first.
        scaled: Vec<u64>,
    },
    /// Type 11: a chunk of a filtered dataset.
    FilteredChunk {
        /// Address of the chunk.
        addr: Addr,
        /// Size of the stored (filtered) chunk in bytes.
        size: u64,
        /// Filters skipped for this chunk.
        filter_mask: u32,
        /// Chunk offset divided by the chunk dimensions, slowest dimension first.
        scaled: Vec<u64>,
    },
    /// A record of a type this library does not know (or the testing type 0): the raw bytes.
    Unknown {
        /// The tree type.
        btree_type: BTreeType,
        /// The record bytes.
        bytes: Vec<u8>,
    },
}

/// A search key for trees whose records are ordered by a key (see [`Record::compare`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'k> {
    /// Name hash: types 5 and 8 (several names may share a hash: all records with the hash
    /// match), and the message hash of type 7.
    Hash(u32),
    /// Creation order: types 6 and 9.
    CreationOrder(u64),
    /// Huge object ID: types 1 and 2.
    HugeId(u64),
    /// Huge object address: types 3 and 4.
    HugeAddr(Addr),
    /// Chunk scaled offsets: types 10 and 11 (lexicographic, slowest dimension first).
    Scaled(&'k [u64]),
}

impl Key<'_> {
    /// Whether this key orders the records of trees of type `t`.
    pub fn applies_to(&self, t: BTreeType) -> bool {
        matches!(
            (self, t.0),
            (Key::Hash(_), 5 | 7 | 8)
                | (Key::CreationOrder(_), 6 | 9)
                | (Key::HugeId(_), 1 | 2)
                | (Key::HugeAddr(_), 3 | 4)
                | (Key::Scaled(_), 10 | 11)
        )
    }
}

impl Record {
    /// How this record's key compares with `key` (`Less`: the record sorts before the key).
    /// `None` when the key does not apply to this record's type.
    ///
    /// libhdf5 orders type 5 and 8 records by hash and then by name, type 7 by hash and then by
    /// message, so records sharing a hash compare `Equal` here and must be told apart by the
    /// caller.
    pub fn compare(&self, key: &Key<'_>) -> Option<Ordering> {
        Some(match (self, key) {
            (Record::LinkName { hash, .. }, Key::Hash(k))
            | (Record::AttributeName { hash, .. }, Key::Hash(k))
            | (Record::SharedMessageInHeap { hash, .. }, Key::Hash(k))
            | (Record::SharedMessageInHeader { hash, .. }, Key::Hash(k)) => hash.cmp(k),
            (Record::LinkCreationOrder { order, .. }, Key::CreationOrder(k)) => order.cmp(k),
            (Record::AttributeCreationOrder { creation_order, .. }, Key::CreationOrder(k)) => {
                u64::from(*creation_order).cmp(k)
            }
            (Record::HugeIndirect { id, .. }, Key::HugeId(k))
            | (Record::HugeIndirectFiltered { id, .. }, Key::HugeId(k)) => id.cmp(k),
            (Record::HugeDirect { addr, .. }, Key::HugeAddr(k))
            | (Record::HugeDirectFiltered { addr, .. }, Key::HugeAddr(k)) => addr.cmp(k),
            (Record::Chunk { scaled, .. }, Key::Scaled(k))
            | (Record::FilteredChunk { scaled, .. }, Key::Scaled(k)) => scaled.as_slice().cmp(k),
            _ => return None,
        })
    }
}

/// A child pointer of an internal node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildPointer {
    /// Address of the child node.
    pub addr: Addr,
    /// Number of records in the child node itself.
    pub records: u64,
    /// Number of records in the child's whole subtree (equal to `records` for leaf children,
    /// whose parents do not store it).
    pub total_records: u64,
}

/// A decoded node: a leaf (no children) or an internal node (`children.len() ==
/// records.len() + 1`). Spec: "Version 2 B-tree Internal Node", "Version 2 B-tree Leaf Node".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Depth of the node (0 = leaf).
    pub depth: u16,
    /// The records, in key order.
    pub records: Vec<Record>,
    /// The child pointers (empty for leaves).
    pub children: Vec<ChildPointer>,
}

impl Node {
    /// Decode the node at `addr` of depth `depth` holding `nrec` records (the count comes from
    /// the parent's pointer or, for the root, from the header). `data` is the node as read,
    /// normally [`Header::node_size`] bytes. The checksum is verified.
    ///
    /// # Errors
    /// `Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`; `InvalidValue` when the node's
    /// type differs from the tree's, `nrec` exceeds the level capacity, or a child pointer has an
    /// undefined address or an impossible count.
    pub fn decode(
        data: &[u8],
        addr: u64,
        geom: &Geometry,
        fmt: &RecordFormat,
        depth: u16,
        nrec: u64,
    ) -> Result<Self> {
        let (sig, what) = if depth == 0 {
            (&LEAF_SIGNATURE, "v2 B-tree leaf node")
        } else {
            (&INTERNAL_SIGNATURE, "v2 B-tree internal node")
        };
        let level = geom.level(depth)?;
        let mut c = Cursor::new(data, addr, what);
        c.signature(sig)?;
        if c.u8()? != VERSION {
            return Err(Error::format(FormatErrorKind::BadVersion, what, addr + 4));
        }
        if c.u8()? != fmt.btree_type.0 {
            return Err(Error::invalid("v2 B-tree node type", addr + 5));
        }
        if nrec > level.max_records {
            return Err(Error::invalid("v2 B-tree node record count", addr));
        }
        let used = usize::try_from(geom.used_size(depth, nrec)?)
            .map_err(|_| Error::format(FormatErrorKind::Truncated, what, addr))?;
        let block = Cursor::new(data, addr, what).sub(used, what)?;
        checksum::verify(block.data(), addr, what)?;
        // Capacity bounded by the level capacity and by the bytes just checked.
        let n = usize::try_from(nrec)
            .map_err(|_| Error::invalid("v2 B-tree node record count", addr))?;
        let mut records = Vec::with_capacity(n);
        for _ in 0..n {
            records.push(fmt.decode(&mut c)?);
        }
        let mut children = Vec::new();
        if depth > 0 {
            let below = geom.level(depth - 1)?;
            let rw = geom.records_width();
            children.reserve_exact(n + 1);
            for _ in 0..=n {
                let at = c.addr();
                let child = c.defined_offset(fmt.ctx, "v2 B-tree child node address")?;
                let records = c.uint(rw)?;
                let total_records = if depth > 1 {
                    c.uint(below.total_width)?
                } else {
                    records
                };
                if records > below.max_records
                    || total_records < records
                    || total_records > below.max_total_records
                {
                    return Err(Error::invalid("v2 B-tree child record count", at));
                }
                children.push(ChildPointer {
                    addr: child,
                    records,
                    total_records,
                });
            }
        }
        Ok(Node {
            depth,
            records,
            children,
        })
    }
}

impl Header {
    /// Encode the header, checksum included (the mirror of [`Header::decode`]).
    pub fn encode(&self, ctx: Ctx) -> Vec<u8> {
        let mut e = Encoder::new(ctx);
        e.bytes(&HEADER_SIGNATURE)
            .u8(VERSION)
            .u8(self.btree_type.0)
            .u32(self.node_size)
            .u16(self.record_size)
            .u16(self.depth)
            .u8(self.split_percent)
            .u8(self.merge_percent)
            .opt_offset(self.root)
            .u16(self.root_records)
            .length(self.total_records)
            .checksum_from(0);
        e.finish()
    }
}

impl RecordFormat {
    /// The record format a writer uses for a tree of type `btree_type` in a file of widths
    /// `ctx`: the record size each type needs. `rank` (types 10 and 11) and `chunk_size_width`
    /// (type 11, see [`crate::format::chunk_index::filtered_size_width`]) are ignored by the
    /// other types.
    ///
    /// # Errors
    /// `Usage` for a type without a known record layout (0 and unknown values), a chunk rank
    /// of 0 or over [`MAX_RANK`], or a chunk size width of 0 or over 8.
    pub fn for_writing(
        btree_type: BTreeType,
        ctx: Ctx,
        rank: u8,
        chunk_size_width: u8,
    ) -> Result<Self> {
        let usage = |what: &str| Error::Usage(alloc::format!("v2 B-tree records: {what}"));
        let o = usize::from(ctx.offset_size);
        let l = usize::from(ctx.length_size);
        let mut f = RecordFormat {
            btree_type,
            record_size: 0,
            ctx,
            rank: 0,
            chunk_size_width: 0,
        };
        let chunk_rank = || {
            if rank == 0 || rank > MAX_RANK {
                Err(usage("chunk rank out of range"))
            } else {
                Ok(usize::from(rank))
            }
        };
        let size = match btree_type.0 {
            1 => o + 2 * l,
            2 => o + 3 * l + 4,
            3 => o + l,
            4 => o + 2 * l + 4,
            5 => 4 + 7,
            6 => 8 + 7,
            7 => 1 + 4 + core::cmp::max(4 + 8, 1 + 1 + 2 + o),
            8 => 8 + 1 + 4 + 4,
            9 => 8 + 1 + 4,
            10 => {
                let r = chunk_rank()?;
                f.rank = rank;
                o + 8 * r
            }
            11 => {
                let r = chunk_rank()?;
                if chunk_size_width == 0 || chunk_size_width > 8 {
                    return Err(usage("chunk size width out of range"));
                }
                f.rank = rank;
                f.chunk_size_width = chunk_size_width;
                o + usize::from(chunk_size_width) + 4 + 8 * r
            }
            _ => return Err(usage("no known record layout for this type")),
        };
        f.record_size = u16::try_from(size).map_err(|_| usage("record size overflows"))?;
        Ok(f)
    }

    /// Encode `rec` as one record of this format (the mirror of [`RecordFormat::decode`]):
    /// exactly [`RecordFormat::record_size`] bytes.
    ///
    /// # Errors
    /// `Usage` when the record is not of this format's type, a chunk record has the wrong
    /// rank, or a value does not fit its field.
    pub fn encode(&self, e: &mut Encoder, rec: &Record) -> Result<()> {
        let start = e.len();
        let mismatch = || {
            Error::Usage(alloc::format!(
                "v2 B-tree record {rec:?} in a tree of type {}",
                self.btree_type
            ))
        };
        let scaled = |e: &mut Encoder, scaled: &[u64]| -> Result<()> {
            if scaled.len() != usize::from(self.rank) {
                return Err(mismatch());
            }
            for &s in scaled {
                e.u64(s);
            }
            Ok(())
        };
        match (self.btree_type.0, rec) {
            (1, Record::HugeIndirect { addr, len, id }) => {
                e.offset(*addr).length(*len).length(*id);
            }
            (
                2,
                Record::HugeIndirectFiltered {
                    addr,
                    len,
                    filter_mask,
                    memory_size,
                    id,
                },
            ) => {
                e.offset(*addr)
                    .length(*len)
                    .u32(*filter_mask)
                    .length(*memory_size)
                    .length(*id);
            }
            (3, Record::HugeDirect { addr, len }) => {
                e.offset(*addr).length(*len);
            }
            (
                4,
                Record::HugeDirectFiltered {
                    addr,
                    len,
                    filter_mask,
                    memory_size,
                },
            ) => {
                e.offset(*addr)
                    .length(*len)
                    .u32(*filter_mask)
                    .length(*memory_size);
            }
            (5, Record::LinkName { hash, heap_id }) => {
                e.u32(*hash).bytes(heap_id);
            }
            (6, Record::LinkCreationOrder { order, heap_id }) => {
                e.u64(*order).bytes(heap_id);
            }
            (
                7,
                Record::SharedMessageInHeap {
                    hash,
                    ref_count,
                    heap_id,
                },
            ) => {
                e.u8(0).u32(*hash).u32(*ref_count).bytes(heap_id);
            }
            (
                7,
                Record::SharedMessageInHeader {
                    hash,
                    message_type,
                    index,
                    object_header,
                },
            ) => {
                e.u8(1)
                    .u32(*hash)
                    .u8(0)
                    .u8(*message_type)
                    .u16(*index)
                    .offset(*object_header);
            }
            (
                8,
                Record::AttributeName {
                    heap_id,
                    flags,
                    creation_order,
                    hash,
                },
            ) => {
                e.bytes(heap_id).u8(*flags).u32(*creation_order).u32(*hash);
            }
            (
                9,
                Record::AttributeCreationOrder {
                    heap_id,
                    flags,
                    creation_order,
                },
            ) => {
                e.bytes(heap_id).u8(*flags).u32(*creation_order);
            }
            (10, Record::Chunk { addr, scaled: s }) => {
                e.offset(*addr);
                scaled(e, s)?;
            }
            (
                11,
                Record::FilteredChunk {
                    addr,
                    size,
                    filter_mask,
                    scaled: s,
                },
            ) => {
                e.offset(*addr);
                e.uint_checked(*size, usize::from(self.chunk_size_width), "chunk size")?;
                e.u32(*filter_mask);
                scaled(e, s)?;
            }
            (_, Record::Unknown { btree_type, bytes }) if *btree_type == self.btree_type => {
                e.bytes(bytes);
            }
            _ => return Err(mismatch()),
        }
        let used = e.len().saturating_sub(start);
        let want = usize::from(self.record_size);
        if used > want {
            return Err(mismatch());
        }
        e.zeros(want - used);
        Ok(())
    }
}

impl Node {
    /// Encode the node as a whole node of [`Geometry::node_size`] bytes: prefix, records,
    /// child pointers (internal nodes), the checksum right after them, zeros to the end (the
    /// mirror of [`Node::decode`]).
    ///
    /// # Errors
    /// `Usage` when the record count exceeds the level capacity, an internal node does not
    /// have one more child than records (or a leaf has children), a count does not fit its
    /// field, or a record does not fit `fmt`.
    pub fn encode(&self, geom: &Geometry, fmt: &RecordFormat) -> Result<Vec<u8>> {
        let usage = |what: &str| Error::Usage(alloc::format!("v2 B-tree node: {what}"));
        let level = geom.level(self.depth)?;
        let n = self.records.len() as u64;
        if n > level.max_records {
            return Err(usage("more records than the node holds"));
        }
        let internal = self.depth > 0;
        if internal == self.children.is_empty()
            || (internal && self.children.len() != self.records.len() + 1)
        {
            return Err(usage("child count does not match the record count"));
        }
        let mut e = Encoder::new(fmt.ctx);
        e.bytes(if internal {
            &INTERNAL_SIGNATURE
        } else {
            &LEAF_SIGNATURE
        })
        .u8(VERSION)
        .u8(fmt.btree_type.0);
        for r in &self.records {
            fmt.encode(&mut e, r)?;
        }
        if internal {
            let below = geom.level(self.depth - 1)?;
            for c in &self.children {
                e.offset(c.addr);
                e.uint_checked(c.records, geom.records_width(), "v2 B-tree child records")?;
                if self.depth > 1 {
                    e.uint_checked(
                        c.total_records,
                        below.total_width,
                        "v2 B-tree child total records",
                    )?;
                }
            }
        }
        e.checksum_from(0);
        let size = usize::try_from(geom.node_size()).map_err(|_| usage("node size"))?;
        if e.len() > size {
            return Err(usage("node overflows its size"));
        }
        let pad = size - e.len();
        e.zeros(pad);
        Ok(e.finish())
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;

    use crate::testutil::seal;
    use alloc::format;
    use alloc::vec;

    fn header_bytes(
        t: u8,
        node: u32,
        rec: u16,
        depth: u16,
        root: u64,
        nroot: u16,
        total: u64,
    ) -> Vec<u8> {
        let mut b = b"BTHD".to_vec();
        b.push(0);
        b.push(t);
        b.extend_from_slice(&node.to_le_bytes());
        b.extend_from_slice(&rec.to_le_bytes());
        b.extend_from_slice(&depth.to_le_bytes());
        b.push(100);
        b.push(40);
        b.extend_from_slice(&root.to_le_bytes());
        b.extend_from_slice(&nroot.to_le_bytes());
        b.extend_from_slice(&total.to_le_bytes());
        seal(b)
    }

    #[test]
    fn header_decode_and_errors() {
        let ctx = Ctx::DEFAULT;
        let b = header_bytes(5, 512, 11, 1, 2863, 5, 200);
        assert_eq!(b.len(), Header::size(ctx));
        let h = Header::decode(&b, 657, ctx).unwrap();
        assert_eq!(h.btree_type, BTreeType::LINK_NAME);
        assert_eq!((h.node_size, h.record_size, h.depth), (512, 11, 1));
        assert_eq!((h.split_percent, h.merge_percent), (100, 40));
        assert_eq!(h.root, Some(Addr(2863)));
        assert_eq!((h.root_records, h.total_records), (5, 200));

        let e = Header::decode(&b[..20], 0, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        let mut bad = b.clone();
        bad[0] = b'X';
        assert_eq!(
            Header::decode(&bad, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadSignature)
        );
        let mut bad = b.clone();
        bad[4] = 1;
        assert_eq!(
            Header::decode(&bad, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        let mut bad = b.clone();
        bad[12] ^= 0x40;
        let e = Header::decode(&bad, 100, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::BadChecksum));
        // Sealed but nonsensical: a node that cannot hold one record.
        let b = header_bytes(5, 20, 11, 0, 0, 0, 0);
        assert_eq!(
            Header::decode(&b, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // Empty tree claiming records.
        let b = header_bytes(5, 512, 11, 0, u64::MAX, 1, 1);
        assert_eq!(
            Header::decode(&b, 0, ctx).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        let b = header_bytes(5, 512, 11, 0, u64::MAX, 0, 0);
        assert_eq!(Header::decode(&b, 0, ctx).unwrap().root, None);
    }

    #[test]
    fn geometry_widths() {
        let ctx = Ctx::DEFAULT;
        // Link-name trees of h5py files: node 512, record 11.
        let h = Header::decode(&header_bytes(5, 512, 11, 3, 1, 1, 1), 0, ctx).unwrap();
        let g = h.geometry(0, ctx, 64).unwrap();
        // Leaf: (512 - 10) / 11 = 45 -> 1-byte counts.
        assert_eq!(g.level(0).unwrap().max_records, 45);
        assert_eq!(g.records_width(), 1);
        // Depth 1: pointers of 8 + 1 bytes: (502 - 9) / (11 + 9) = 24.
        let l1 = g.level(1).unwrap();
        assert_eq!(l1.max_records, 24);
        assert_eq!(l1.max_total_records, 25 * 45 + 24);
        assert_eq!(l1.total_width, 2);
        // Depth 2: pointers of 8 + 1 + 2 bytes: (502 - 11) / 22 = 22.
        let l2 = g.level(2).unwrap();
        assert_eq!(g.pointer_size(2).unwrap(), 11);
        assert_eq!(l2.max_records, 22);
        assert_eq!(l2.max_total_records, 23 * (25 * 45 + 24) + 22);
        assert_eq!(l2.total_width, 2);
        // Depth 3: pointers 8 + 1 + 2.
        assert_eq!(g.pointer_size(3).unwrap(), 11);
        assert_eq!(g.level(3).unwrap().max_records, 22);
        assert!(g.level(4).is_err());
        assert!(g.pointer_size(0).is_err());
        // Big nodes: a leaf of 65536-byte nodes with 8-byte records holds 8190 -> 2-byte counts.
        let h = Header::decode(&header_bytes(9, 65536, 8, 1, 1, 1, 1), 0, ctx).unwrap();
        let g = h.geometry(0, ctx, 64).unwrap();
        assert_eq!(g.level(0).unwrap().max_records, 8190);
        assert_eq!(g.records_width(), 2);
        // Depth limit.
        let h = Header::decode(&header_bytes(5, 512, 11, 70, 1, 1, 1), 0, ctx).unwrap();
        assert!(matches!(
            h.geometry(0, ctx, 64),
            Err(Error::LimitExceeded {
                limit: "max_btree_depth",
                ..
            })
        ));
        // Internal nodes that cannot hold a record.
        let h = Header::decode(&header_bytes(5, 35, 11, 1, 1, 1, 1), 0, ctx).unwrap();
        assert_eq!(
            h.geometry(0, ctx, 64).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }

    fn fmt_for(t: u8, rec: u16, params: RecordParams) -> Result<RecordFormat> {
        let ctx = Ctx::DEFAULT;
        let h = Header::decode(&header_bytes(t, 512, rec, 0, 1, 1, 1), 0, ctx).unwrap();
        RecordFormat::new(&h, 0, ctx, params)
    }

    #[test]
    fn record_types() {
        let p = RecordParams::default();
        let dec = |t: u8, rec: u16, bytes: &[u8], params: RecordParams| {
            let f = fmt_for(t, rec, params).unwrap();
            f.decode(&mut Cursor::new(bytes, 0, "t")).unwrap()
        };
        let mut b = 0x1000u64.to_le_bytes().to_vec();
        b.extend_from_slice(&70046u64.to_le_bytes());
        b.extend_from_slice(&1u64.to_le_bytes());
        assert_eq!(
            dec(1, 24, &b, p),
            Record::HugeIndirect {
                addr: Addr(0x1000),
                len: 70046,
                id: 1
            }
        );
        let mut b2 = 0x1000u64.to_le_bytes().to_vec();
        b2.extend_from_slice(&50u64.to_le_bytes());
        b2.extend_from_slice(&3u32.to_le_bytes());
        b2.extend_from_slice(&70u64.to_le_bytes());
        b2.extend_from_slice(&9u64.to_le_bytes());
        assert_eq!(
            dec(2, 36, &b2, p),
            Record::HugeIndirectFiltered {
                addr: Addr(0x1000),
                len: 50,
                filter_mask: 3,
                memory_size: 70,
                id: 9
            }
        );
        assert_eq!(
            dec(3, 16, &b[..16], p),
            Record::HugeDirect {
                addr: Addr(0x1000),
                len: 70046
            }
        );
        assert_eq!(
            dec(4, 28, &b2[..28], p),
            Record::HugeDirectFiltered {
                addr: Addr(0x1000),
                len: 50,
                filter_mask: 3,
                memory_size: 70
            }
        );
        let b5 = [0x78, 0x56, 0x34, 0x12, 0, 1, 2, 3, 4, 5, 6];
        assert_eq!(
            dec(5, 11, &b5, p),
            Record::LinkName {
                hash: 0x1234_5678,
                heap_id: [0, 1, 2, 3, 4, 5, 6]
            }
        );
        let mut b6 = 7u64.to_le_bytes().to_vec();
        b6.extend_from_slice(&[9; 7]);
        assert_eq!(
            dec(6, 15, &b6, p),
            Record::LinkCreationOrder {
                order: 7,
                heap_id: [9; 7]
            }
        );
        let mut b7 = vec![0u8];
        b7.extend_from_slice(&5u32.to_le_bytes());
        b7.extend_from_slice(&2u32.to_le_bytes());
        b7.extend_from_slice(&[1; 8]);
        assert_eq!(
            dec(7, 17, &b7, p),
            Record::SharedMessageInHeap {
                hash: 5,
                ref_count: 2,
                heap_id: [1; 8]
            }
        );
        let mut b7 = vec![1u8];
        b7.extend_from_slice(&5u32.to_le_bytes());
        b7.extend_from_slice(&[0, 3, 2, 0]);
        b7.extend_from_slice(&0x300u64.to_le_bytes());
        assert_eq!(
            dec(7, 17, &b7, p),
            Record::SharedMessageInHeader {
                hash: 5,
                message_type: 3,
                index: 2,
                object_header: Addr(0x300)
            }
        );
        b7[0] = 2;
        let f = fmt_for(7, 17, p).unwrap();
        assert_eq!(
            f.decode(&mut Cursor::new(&b7, 0, "t"))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        let mut b8 = vec![2u8; 8];
        b8.push(1);
        b8.extend_from_slice(&12u32.to_le_bytes());
        b8.extend_from_slice(&0xabcdu32.to_le_bytes());
        assert_eq!(
            dec(8, 17, &b8, p),
            Record::AttributeName {
                heap_id: [2; 8],
                flags: 1,
                creation_order: 12,
                hash: 0xabcd
            }
        );
        assert_eq!(
            dec(9, 13, &b8[..13], p),
            Record::AttributeCreationOrder {
                heap_id: [2; 8],
                flags: 1,
                creation_order: 12
            }
        );
        let mut b10 = 0x2000u64.to_le_bytes().to_vec();
        b10.extend_from_slice(&4u64.to_le_bytes());
        b10.extend_from_slice(&3u64.to_le_bytes());
        assert_eq!(
            dec(10, 24, &b10, p),
            Record::Chunk {
                addr: Addr(0x2000),
                scaled: vec![4, 3]
            }
        );
        let mut b11 = 0x2000u64.to_le_bytes().to_vec();
        b11.extend_from_slice(&[0x34, 0x12]);
        b11.extend_from_slice(&1u32.to_le_bytes());
        b11.extend_from_slice(&4u64.to_le_bytes());
        b11.extend_from_slice(&3u64.to_le_bytes());
        let r = Record::FilteredChunk {
            addr: Addr(0x2000),
            size: 0x1234,
            filter_mask: 1,
            scaled: vec![4, 3],
        };
        assert_eq!(dec(11, 30, &b11, RecordParams::chunks(2, 2)), r);
        assert_eq!(
            dec(
                11,
                30,
                &b11,
                RecordParams {
                    rank: Some(2),
                    chunk_size_width: None
                }
            ),
            r
        );
        assert_eq!(
            dec(
                11,
                30,
                &b11,
                RecordParams {
                    rank: None,
                    chunk_size_width: Some(2)
                }
            ),
            r
        );
        assert!(matches!(fmt_for(11, 30, p), Err(Error::Usage(_))));
        assert_eq!(
            fmt_for(11, 30, RecordParams::chunks(3, 2))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            fmt_for(10, 25, p).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            fmt_for(5, 10, p).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            dec(0, 3, &[1, 2, 3], p),
            Record::Unknown {
                btree_type: BTreeType::TESTING,
                bytes: vec![1, 2, 3]
            }
        );
        assert_eq!(
            dec(200, 2, &[1, 2], p),
            Record::Unknown {
                btree_type: BTreeType(200),
                bytes: vec![1, 2]
            }
        );
        // A record shorter than declared.
        let f = fmt_for(5, 11, p).unwrap();
        assert_eq!(
            f.decode(&mut Cursor::new(&b5[..10], 0, "t"))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }

    #[test]
    fn compare_keys() {
        let r = Record::LinkName {
            hash: 10,
            heap_id: [0; 7],
        };
        assert_eq!(r.compare(&Key::Hash(10)), Some(Ordering::Equal));
        assert_eq!(r.compare(&Key::Hash(11)), Some(Ordering::Less));
        assert_eq!(r.compare(&Key::CreationOrder(1)), None);
        let c = Record::Chunk {
            addr: Addr(1),
            scaled: vec![1, 5],
        };
        assert_eq!(c.compare(&Key::Scaled(&[1, 4])), Some(Ordering::Greater));
        assert_eq!(c.compare(&Key::Scaled(&[2, 0])), Some(Ordering::Less));
        assert!(Key::Hash(1).applies_to(BTreeType::ATTRIBUTE_NAME));
        assert!(!Key::Hash(1).applies_to(BTreeType::CHUNK));
        assert_eq!(format!("{}", BTreeType(5)), "5 (link name)");
        assert_eq!(format!("{}", BTreeType(99)), "99 (unknown)");
    }

    /// A leaf and a depth-1 root over it, as libhdf5 lays them out.
    #[test]
    fn nodes() {
        let ctx = Ctx::DEFAULT;
        let h = Header::decode(&header_bytes(5, 512, 11, 1, 1, 1, 3), 0, ctx).unwrap();
        let g = h.geometry(0, ctx, 64).unwrap();
        let f = RecordFormat::new(&h, 0, ctx, RecordParams::default()).unwrap();
        let rec = |hash: u32| {
            let mut v = hash.to_le_bytes().to_vec();
            v.extend_from_slice(&[hash as u8; 7]);
            v
        };
        let mut leaf = b"BTLF\x00\x05".to_vec();
        leaf.extend(rec(1));
        leaf.extend(rec(2));
        let mut leaf = seal(leaf);
        let used = leaf.len();
        leaf.resize(512, 0);
        let n = Node::decode(&leaf, 0x800, &g, &f, 0, 2).unwrap();
        assert_eq!(n.records.len(), 2);
        assert!(n.children.is_empty());
        assert_eq!(
            n.records[1],
            Record::LinkName {
                hash: 2,
                heap_id: [2; 7]
            }
        );
        // Truncated, bad signature, bad checksum, wrong type, too many records.
        assert_eq!(
            Node::decode(&leaf[..used - 1], 0, &g, &f, 0, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let mut bad = leaf.clone();
        bad[3] = b'N';
        assert_eq!(
            Node::decode(&bad, 0, &g, &f, 0, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadSignature)
        );
        let mut bad = leaf.clone();
        bad[9] ^= 1;
        assert_eq!(
            Node::decode(&bad, 0, &g, &f, 0, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        let mut bad = leaf.clone();
        bad[4] = 1;
        assert_eq!(
            Node::decode(&bad, 0, &g, &f, 0, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        let mut bad = leaf.clone();
        bad[5] = 6;
        assert_eq!(
            Node::decode(&bad, 0, &g, &f, 0, 2)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            Node::decode(&leaf, 0, &g, &f, 0, 46)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // With 1 record claimed, the checksum lands elsewhere: mismatch.
        assert_eq!(
            Node::decode(&leaf, 0, &g, &f, 0, 1)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );

        let mut int = b"BTIN\x00\x05".to_vec();
        int.extend(rec(3));
        int.extend_from_slice(&0x800u64.to_le_bytes());
        int.push(2);
        int.extend_from_slice(&0xa00u64.to_le_bytes());
        int.push(1);
        let mut int = seal(int);
        assert_eq!(int.len(), 6 + 11 + 2 * 9 + 4);
        int.resize(512, 0);
        let n = Node::decode(&int, 0x600, &g, &f, 1, 1).unwrap();
        assert_eq!(
            n.records,
            vec![Record::LinkName {
                hash: 3,
                heap_id: [3; 7]
            }]
        );
        assert_eq!(
            n.children,
            vec![
                ChildPointer {
                    addr: Addr(0x800),
                    records: 2,
                    total_records: 2
                },
                ChildPointer {
                    addr: Addr(0xa00),
                    records: 1,
                    total_records: 1
                },
            ]
        );
        // A child count above the leaf capacity.
        let mut bad = int[..6 + 11 + 18].to_vec();
        bad[6 + 11 + 8] = 46;
        let bad = seal(bad);
        assert_eq!(
            Node::decode(&bad, 0, &g, &f, 1, 1)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }

    #[test]
    fn encode_round_trip() {
        let ctx = Ctx::DEFAULT;
        let b = header_bytes(5, 512, 11, 1, 2863, 5, 200);
        let h = Header::decode(&b, 0, ctx).unwrap();
        assert_eq!(h.encode(ctx), b);

        let c4 = Ctx {
            offset_size: 4,
            length_size: 8,
        };
        let recs = [
            (
                1,
                Record::HugeIndirect {
                    addr: Addr(7),
                    len: 9,
                    id: 3,
                },
            ),
            (
                2,
                Record::HugeIndirectFiltered {
                    addr: Addr(7),
                    len: 9,
                    filter_mask: 1,
                    memory_size: 20,
                    id: 3,
                },
            ),
            (
                3,
                Record::HugeDirect {
                    addr: Addr(7),
                    len: 9,
                },
            ),
            (
                4,
                Record::HugeDirectFiltered {
                    addr: Addr(7),
                    len: 9,
                    filter_mask: 2,
                    memory_size: 30,
                },
            ),
            (
                5,
                Record::LinkName {
                    hash: 0xdead,
                    heap_id: [1, 2, 3, 4, 5, 6, 7],
                },
            ),
            (
                6,
                Record::LinkCreationOrder {
                    order: 77,
                    heap_id: [7; 7],
                },
            ),
            (
                7,
                Record::SharedMessageInHeap {
                    hash: 5,
                    ref_count: 2,
                    heap_id: [9; 8],
                },
            ),
            (
                7,
                Record::SharedMessageInHeader {
                    hash: 5,
                    message_type: 3,
                    index: 1,
                    object_header: Addr(0x300),
                },
            ),
            (
                8,
                Record::AttributeName {
                    heap_id: [4; 8],
                    flags: 1,
                    creation_order: 6,
                    hash: 0xbeef,
                },
            ),
            (
                9,
                Record::AttributeCreationOrder {
                    heap_id: [4; 8],
                    flags: 0,
                    creation_order: 6,
                },
            ),
            (
                10,
                Record::Chunk {
                    addr: Addr(0x4000),
                    scaled: vec![1, 2],
                },
            ),
            (
                11,
                Record::FilteredChunk {
                    addr: Addr(0x4000),
                    size: 1000,
                    filter_mask: 1,
                    scaled: vec![3, 4],
                },
            ),
        ];
        for ctx in [Ctx::DEFAULT, c4] {
            for (t, rec) in &recs {
                let f = RecordFormat::for_writing(BTreeType(*t), ctx, 2, 3).unwrap();
                let mut e = Encoder::new(ctx);
                f.encode(&mut e, rec).unwrap();
                let b = e.finish();
                assert_eq!(b.len(), usize::from(f.record_size), "type {t}");
                // The decoder agrees on the size and the value.
                let mut h = Header::decode(
                    &header_bytes(*t, 512, f.record_size, 0, 1, 1, 1),
                    0,
                    Ctx::DEFAULT,
                )
                .unwrap();
                h.record_size = f.record_size;
                let g = RecordFormat::new(&h, 0, ctx, RecordParams::chunks(2, 3)).unwrap();
                assert_eq!(g, f);
                assert_eq!(&f.decode(&mut Cursor::new(&b, 0, "t")).unwrap(), rec);
            }
        }
        // Wrong type, wrong rank, too large a chunk size, no layout for type 0.
        let f = RecordFormat::for_writing(BTreeType::CHUNK, ctx, 3, 0).unwrap();
        let mut e = Encoder::new(ctx);
        assert!(f.encode(&mut e, &recs[0].1).is_err());
        assert!(f.encode(&mut e, &recs[10].1).is_err());
        let f = RecordFormat::for_writing(BTreeType::FILTERED_CHUNK, ctx, 2, 1).unwrap();
        assert!(f.encode(&mut e, &recs[11].1).is_err());
        assert!(RecordFormat::for_writing(BTreeType(0), ctx, 2, 1).is_err());
        assert!(RecordFormat::for_writing(BTreeType::FILTERED_CHUNK, ctx, 2, 9).is_err());
        assert!(RecordFormat::for_writing(BTreeType::CHUNK, ctx, 0, 0).is_err());

        // Nodes: a leaf and an internal node of a depth-2 link-name tree.
        let h = Header::decode(&header_bytes(5, 512, 11, 2, 1, 1, 3), 0, ctx).unwrap();
        let g = h.geometry(0, ctx, 64).unwrap();
        let f = RecordFormat::for_writing(BTreeType::LINK_NAME, ctx, 0, 0).unwrap();
        let rec = |hash: u32| Record::LinkName {
            hash,
            heap_id: [hash as u8; 7],
        };
        let leaf = Node {
            depth: 0,
            records: vec![rec(1), rec(2)],
            children: vec![],
        };
        let b = leaf.encode(&g, &f).unwrap();
        assert_eq!(b.len(), 512);
        assert_eq!(Node::decode(&b, 0, &g, &f, 0, 2).unwrap(), leaf);
        let int = Node {
            depth: 2,
            records: vec![rec(50)],
            children: vec![
                ChildPointer {
                    addr: Addr(0x1000),
                    records: 20,
                    total_records: 700,
                },
                ChildPointer {
                    addr: Addr(0x2000),
                    records: 3,
                    total_records: 90,
                },
            ],
        };
        let b = int.encode(&g, &f).unwrap();
        assert_eq!(Node::decode(&b, 0, &g, &f, 2, 1).unwrap(), int);
        let mut bad = int.clone();
        bad.children.pop();
        assert!(bad.encode(&g, &f).is_err());
        let mut bad = leaf.clone();
        bad.records = (0..46).map(rec).collect();
        assert!(bad.encode(&g, &f).is_err());
    }
}
