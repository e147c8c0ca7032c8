//! Version 1 B-tree nodes ("TREE"). Spec: "Version 1 B-trees" (III.A.1).
//!
//! A node holds a 24-byte header (for 8-byte offsets) followed by `N` child pointers
//! interleaved between `N + 1` keys, where `N` is the node's "Entries Used". Every node of one
//! tree is *allocated* for `2K` children and `2K + 1` keys ([`disk_size`]), where K is the
//! superblock's group internal K for group trees (node type 0) and the indexed storage K for
//! chunk trees (node type 1); only the first `N` entries are meaningful, so a reader may read
//! just [`used_size`] bytes.
//!
//! Two key formats exist:
//! - group nodes: one "Size of Lengths" field, an offset into the group's local heap
//!   ([`GroupKey`]);
//! - chunk nodes: chunk size (u32), filter mask (u32) and `ndims` **64-bit** chunk offsets,
//!   whatever the file's "Size of Offsets" ([`ChunkKey`]). `ndims` is the layout message's
//!   dimensionality: the dataset rank plus one trailing dimension for the element size.

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor, Encoder};
use alloc::vec::Vec;

/// The node signature.
pub const SIGNATURE: [u8; 4] = *b"TREE";

/// The "Node Type" field: what the tree indexes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeType(pub u8);

impl NodeType {
    /// Type 0: a group's symbol table; level-0 children are symbol table nodes ("SNOD").
    pub const GROUP: NodeType = NodeType(0);
    /// Type 1: the chunks of a chunked dataset; level-0 children are raw data chunks.
    pub const RAW_DATA_CHUNK: NodeType = NodeType(1);

    /// The spec's name of the type, if the value is known.
    pub fn name(self) -> Option<&'static str> {
        match self.0 {
            0 => Some("group"),
            1 => Some("raw data chunk"),
            _ => None,
        }
    }
}

impl core::fmt::Display for NodeType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "unknown ({})", self.0),
        }
    }
}

/// The fixed part of a node: everything before the first key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeHeader {
    /// What the tree indexes.
    pub node_type: NodeType,
    /// Level in the tree; leaves are level 0, their children are data (chunks or "SNOD"s).
    pub level: u8,
    /// Number of children in use (`N`); the node holds `N + 1` meaningful keys.
    pub entries_used: u16,
    /// Left sibling at the same level; `None` for the left-most node.
    pub left_sibling: Option<Addr>,
    /// Right sibling at the same level; `None` for the right-most node.
    pub right_sibling: Option<Addr>,
}

impl NodeHeader {
    /// Encoded size: signature, type, level, entries used and two sibling addresses.
    pub fn size(ctx: Ctx) -> usize {
        8 + 2 * usize::from(ctx.offset_size)
    }

    /// Decode the header at the start of `data`, which was read at file address `addr`.
    ///
    /// # Errors
    /// `BadSignature` without "TREE", `InvalidValue` for a node type other than 0 or 1,
    /// `Truncated` when `data` is shorter than [`NodeHeader::size`].
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "v1 B-tree node");
        Self::decode_from(&mut c, ctx)
    }

    fn decode_from(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.signature(&SIGNATURE)?;
        let type_at = c.addr();
        let node_type = NodeType(c.u8()?);
        if node_type.name().is_none() {
            return Err(Error::invalid("v1 B-tree node type", type_at));
        }
        let level = c.u8()?;
        let entries_used = c.u16()?;
        let left_sibling = c.offset(ctx)?;
        let right_sibling = c.offset(ctx)?;
        Ok(NodeHeader {
            node_type,
            level,
            entries_used,
            left_sibling,
            right_sibling,
        })
    }
}

/// Which key format a node carries; fixes the key size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyFormat {
    /// Node type 0: one "Size of Lengths" heap offset.
    Group,
    /// Node type 1: size, filter mask and `ndims` 64-bit offsets (`ndims` = rank + 1).
    Chunk {
        /// Number of 64-bit offsets in each key: the layout dimensionality (rank + 1).
        ndims: usize,
    },
}

impl KeyFormat {
    /// The node type that carries this key format.
    pub fn node_type(self) -> NodeType {
        match self {
            KeyFormat::Group => NodeType::GROUP,
            KeyFormat::Chunk { .. } => NodeType::RAW_DATA_CHUNK,
        }
    }

    /// Encoded size of one key, or `None` on overflow (absurd `ndims`).
    pub fn key_size(self, ctx: Ctx) -> Option<usize> {
        match self {
            KeyFormat::Group => Some(usize::from(ctx.length_size)),
            KeyFormat::Chunk { ndims } => ndims.checked_mul(8)?.checked_add(8),
        }
    }
}

/// Bytes occupied by the header and the meaningful part of a node with `entries_used`
/// children: `N` child addresses and `N + 1` keys. `None` on overflow.
pub fn used_size(ctx: Ctx, keys: KeyFormat, entries_used: u16) -> Option<usize> {
    let n = usize::from(entries_used);
    let key = keys.key_size(ctx)?;
    let children = n.checked_mul(usize::from(ctx.offset_size))?;
    let keys = n.checked_add(1)?.checked_mul(key)?;
    NodeHeader::size(ctx)
        .checked_add(children)?
        .checked_add(keys)
}

/// Bytes allocated on disk for every node of a tree with parameter `k`: `2K` child addresses
/// and `2K + 1` keys after the header. `k` is the superblock's group internal K (default 16)
/// for group trees and its indexed storage K (default 32) for chunk trees. `None` on overflow.
pub fn disk_size(ctx: Ctx, keys: KeyFormat, k: u16) -> Option<usize> {
    used_size(ctx, keys, k.checked_mul(2)?)
}

/// A group-node key: offset in the group's local heap of a link name. Key `i + 1` names the
/// greatest link in child `i`; key 0 is normally offset 0, the empty string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKey {
    /// Byte offset of a NUL-terminated name in the local heap's data segment.
    pub heap_offset: u64,
}

/// A chunk-node key. Key `i` describes the least chunk in child `i`; the last key of a node is a
/// bound past the node's chunks (libhdf5 gives it size 0 and offsets one chunk beyond).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChunkKey {
    /// Size of the chunk in bytes as stored (after filters).
    pub size: u32,
    /// Bit `i` set: filter `i` of the pipeline was skipped for this chunk.
    pub filter_mask: u32,
    /// Offset of the chunk in dataset elements, `ndims` values; the last is the offset within
    /// the element and is 0 for a real chunk.
    pub offset: Vec<u64>,
}

/// A decoded node: header plus the meaningful keys and child addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node<K> {
    /// The fixed fields.
    pub header: NodeHeader,
    /// `entries_used + 1` keys; child `i` lies between key `i` and key `i + 1`.
    pub keys: Vec<K>,
    /// `entries_used` child addresses: subtrees above level 0, data at level 0.
    pub children: Vec<Addr>,
}

/// A node of a group's B-tree.
pub type GroupNode = Node<GroupKey>;
/// A node of a chunked dataset's B-tree.
pub type ChunkNode = Node<ChunkKey>;

impl<K> Node<K> {
    fn decode_with(
        data: &[u8],
        addr: u64,
        ctx: Ctx,
        format: KeyFormat,
        mut key: impl FnMut(&mut Cursor<'_>) -> Result<K>,
    ) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "v1 B-tree node");
        let header = NodeHeader::decode_from(&mut c, ctx)?;
        if header.node_type != format.node_type() {
            return Err(Error::invalid(
                "v1 B-tree node type (not the tree's type)",
                addr,
            ));
        }
        let n = usize::from(header.entries_used);
        let need = used_size(ctx, format, header.entries_used).ok_or(Error::format(
            FormatErrorKind::Overflow,
            "v1 B-tree node size",
            addr,
        ))?;
        if data.len() < need {
            return Err(Error::format(
                FormatErrorKind::Truncated,
                "v1 B-tree node",
                addr,
            ));
        }
        // Capacities are bounded by the bytes present (checked just above).
        let mut keys = Vec::with_capacity(n + 1);
        let mut children = Vec::with_capacity(n);
        keys.push(key(&mut c)?);
        for _ in 0..n {
            children.push(c.defined_offset(ctx, "v1 B-tree child address")?);
            keys.push(key(&mut c)?);
        }
        Ok(Node {
            header,
            keys,
            children,
        })
    }
}

impl GroupNode {
    /// Decode a group node (type 0) from `data`, read at file address `addr`. `data` must hold
    /// at least [`used_size`] bytes; more (the full allocated node) is fine.
    ///
    /// # Errors
    /// `BadSignature`, `Truncated`, `InvalidValue` for a node of another type or an undefined
    /// child address.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        Self::decode_with(data, addr, ctx, KeyFormat::Group, |c| {
            Ok(GroupKey {
                heap_offset: c.length(ctx)?,
            })
        })
    }
}

impl ChunkNode {
    /// Decode a chunk node (type 1) whose keys carry `ndims` offsets (the layout message's
    /// dimensionality: dataset rank + 1), from `data` read at file address `addr`.
    ///
    /// # Errors
    /// `BadSignature`, `Truncated`, `InvalidValue` for a node of another type, `ndims == 0` or
    /// an undefined child address; `Overflow` for an absurd `ndims`.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx, ndims: usize) -> Result<Self> {
        if ndims == 0 {
            return Err(Error::invalid("v1 B-tree chunk key dimensionality", addr));
        }
        Self::decode_with(data, addr, ctx, KeyFormat::Chunk { ndims }, |c| {
            let size = c.u32()?;
            let filter_mask = c.u32()?;
            let mut offset = Vec::with_capacity(ndims.min(c.remaining() / 8));
            for _ in 0..ndims {
                offset.push(c.u64()?);
            }
            Ok(ChunkKey {
                size,
                filter_mask,
                offset,
            })
        })
    }
}

impl NodeHeader {
    /// Encode the header (the mirror of [`NodeHeader::decode`]).
    pub fn encode(&self, e: &mut Encoder) {
        e.bytes(&SIGNATURE)
            .u8(self.node_type.0)
            .u8(self.level)
            .u16(self.entries_used)
            .opt_offset(self.left_sibling)
            .opt_offset(self.right_sibling);
    }
}

impl<K> Node<K> {
    /// Encode a node padded with zeros to the allocation of a tree with parameter `k`
    /// ([`disk_size`]); `key` writes one key.
    fn encode_with(
        &self,
        ctx: Ctx,
        format: KeyFormat,
        k: u16,
        mut key: impl FnMut(&mut Encoder, &K) -> Result<()>,
    ) -> Result<Vec<u8>> {
        let usage = |what: &str| Error::Usage(alloc::format!("v1 B-tree node: {what}"));
        let n = usize::from(self.header.entries_used);
        if self.children.len() != n || self.keys.len() != n + 1 {
            return Err(usage("entries used does not match the keys and children"));
        }
        if self.header.node_type != format.node_type() {
            return Err(usage("node type does not match the key format"));
        }
        let size = disk_size(ctx, format, k).ok_or_else(|| usage("size overflows"))?;
        if n > usize::from(k) * 2 {
            return Err(usage("more than 2K children"));
        }
        let mut e = Encoder::new(ctx);
        self.header.encode(&mut e);
        let mut keys = self.keys.iter();
        if let Some(first) = keys.next() {
            key(&mut e, first)?;
        }
        for (child, k) in self.children.iter().zip(keys) {
            e.offset(*child);
            key(&mut e, k)?;
        }
        let pad = size.saturating_sub(e.len());
        e.zeros(pad);
        Ok(e.finish())
    }
}

impl GroupNode {
    /// Encode a group node (type 0) padded to the allocation of a tree with group internal
    /// node K `k` ([`disk_size`]; unused entries are zeros).
    ///
    /// # Errors
    /// `Usage` when the key and child counts do not match `entries_used`, there are more than
    /// `2k` children, or the header is not a group node's.
    pub fn encode(&self, ctx: Ctx, k: u16) -> Result<Vec<u8>> {
        self.encode_with(ctx, KeyFormat::Group, k, |e, key| {
            e.uint_checked(
                key.heap_offset,
                usize::from(ctx.length_size),
                "v1 B-tree group key",
            )?;
            Ok(())
        })
    }
}

impl ChunkNode {
    /// Encode a chunk node (type 1) whose keys carry `ndims` offsets (dataset rank + 1), padded
    /// to the allocation of a tree with indexed storage K `k` ([`disk_size`]).
    ///
    /// # Errors
    /// `Usage` as [`GroupNode::encode`], or when a key does not have `ndims` offsets.
    pub fn encode(&self, ctx: Ctx, ndims: usize, k: u16) -> Result<Vec<u8>> {
        self.encode_with(ctx, KeyFormat::Chunk { ndims }, k, |e, key| {
            if key.offset.len() != ndims {
                return Err(Error::Usage(alloc::format!(
                    "v1 B-tree chunk key with {} offsets, expected {ndims}",
                    key.offset.len()
                )));
            }
            e.u32(key.size).u32(key.filter_mask);
            for &o in &key.offset {
                e.u64(o);
            }
            Ok(())
        })
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    const C4: Ctx = Ctx {
        offset_size: 4,
        length_size: 4,
    };

    fn header(b: &mut Vec<u8>, t: u8, level: u8, n: u16, ctx: Ctx) {
        b.extend_from_slice(b"TREE");
        b.extend_from_slice(&[t, level]);
        b.extend_from_slice(&n.to_le_bytes());
        let w = usize::from(ctx.offset_size);
        b.extend_from_slice(&[0xff; 8][..w]); // no left sibling
        b.extend_from_slice(&0x1234u64.to_le_bytes()[..w]); // right sibling
    }

    fn chunk_key(b: &mut Vec<u8>, size: u32, mask: u32, off: &[u64]) {
        b.extend_from_slice(&size.to_le_bytes());
        b.extend_from_slice(&mask.to_le_bytes());
        for o in off {
            b.extend_from_slice(&o.to_le_bytes());
        }
    }

    #[test]
    fn group_node() {
        let ctx = Ctx::DEFAULT;
        let mut b = Vec::new();
        header(&mut b, 0, 1, 2, ctx);
        for (k, child) in [(0u64, 1000u64), (8, 2000)] {
            b.extend_from_slice(&k.to_le_bytes());
            b.extend_from_slice(&child.to_le_bytes());
        }
        b.extend_from_slice(&24u64.to_le_bytes());
        assert_eq!(b.len(), used_size(ctx, KeyFormat::Group, 2).unwrap());
        let n = GroupNode::decode(&b, 136, ctx).unwrap();
        assert_eq!(n.header.node_type, NodeType::GROUP);
        assert_eq!(n.header.level, 1);
        assert_eq!(n.header.entries_used, 2);
        assert_eq!(n.header.left_sibling, None);
        assert_eq!(n.header.right_sibling, Some(Addr(0x1234)));
        let keys: Vec<u64> = n.keys.iter().map(|k| k.heap_offset).collect();
        assert_eq!(keys, [0, 8, 24]);
        assert_eq!(n.children, [Addr(1000), Addr(2000)]);
        // The node h5py allocates for the default group internal K = 16: 544 bytes.
        assert_eq!(disk_size(ctx, KeyFormat::Group, 16), Some(544));

        // Truncated in the last key.
        let e = GroupNode::decode(&b[..b.len() - 1], 136, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        // Truncated in the header.
        let e = NodeHeader::decode(&b[..10], 136, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        // Bad signature.
        let mut bad = b.clone();
        bad[0] = b'X';
        let e = GroupNode::decode(&bad, 136, ctx).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::BadSignature, "v1 B-tree node", 136)
        );
        // Unknown node type.
        let mut bad = b.clone();
        bad[4] = 7;
        let e = GroupNode::decode(&bad, 136, ctx).unwrap_err();
        assert_eq!(e, Error::invalid("v1 B-tree node type", 140));
        // A chunk node where a group node is expected.
        let mut bad = b.clone();
        bad[4] = 1;
        let e = GroupNode::decode(&bad, 136, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        // Undefined child address.
        let mut bad = b.clone();
        bad[32..40].copy_from_slice(&[0xff; 8]);
        let e = GroupNode::decode(&bad, 136, ctx).unwrap_err();
        assert_eq!(e, Error::invalid("v1 B-tree child address", 136 + 32));
    }

    #[test]
    fn chunk_node_with_four_byte_offsets() {
        // Two chunks of a 2-D dataset (chunk 4 x 5 of 4-byte elements), 4-byte file offsets:
        // child addresses are 4 bytes, key offsets still 8 bytes each.
        let mut b = Vec::new();
        header(&mut b, 1, 0, 2, C4);
        chunk_key(&mut b, 45, 0, &[0, 0, 0]);
        b.extend_from_slice(&4096u32.to_le_bytes());
        chunk_key(&mut b, 80, 1, &[0, 5, 0]);
        b.extend_from_slice(&4141u32.to_le_bytes());
        chunk_key(&mut b, 0, 0, &[4, 10, 4]);
        let fmt = KeyFormat::Chunk { ndims: 3 };
        assert_eq!(fmt.key_size(C4), Some(32));
        assert_eq!(b.len(), used_size(C4, fmt, 2).unwrap());
        assert_eq!(b.len(), 16 + 2 * 4 + 3 * 32);
        let n = ChunkNode::decode(&b, 9776, C4, 3).unwrap();
        assert_eq!(n.header.node_type, NodeType::RAW_DATA_CHUNK);
        assert_eq!(n.header.level, 0);
        assert_eq!(n.header.right_sibling, Some(Addr(0x1234)));
        assert_eq!(n.children, [Addr(4096), Addr(4141)]);
        assert_eq!(n.keys[0].size, 45);
        assert_eq!(n.keys[1].filter_mask, 1);
        assert_eq!(n.keys[1].offset, [0, 5, 0]);
        assert_eq!(n.keys[2].offset, [4, 10, 4]);
        // Full allocation for the default indexed storage K = 32 with 8-byte offsets, 2-D.
        assert_eq!(
            disk_size(Ctx::DEFAULT, fmt, 32),
            Some(24 + 64 * 8 + 65 * 32)
        );

        let e = ChunkNode::decode(&b[..b.len() - 8], 9776, C4, 3).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        // Wrong dimensionality: the node is too short for 4 offsets per key.
        let e = ChunkNode::decode(&b, 9776, C4, 4).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        let e = ChunkNode::decode(&b, 9776, C4, 0).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        // A group node where a chunk node is expected.
        let mut bad = b.clone();
        bad[4] = 0;
        let e = ChunkNode::decode(&bad, 9776, C4, 3).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
        assert!(used_size(C4, KeyFormat::Chunk { ndims: usize::MAX }, 1).is_none());
    }

    #[test]
    fn empty_root() {
        // An empty group's B-tree: a level-0 root with no children and one key.
        let ctx = Ctx::DEFAULT;
        let mut b = Vec::new();
        header(&mut b, 0, 0, 0, ctx);
        b.extend_from_slice(&0u64.to_le_bytes());
        let n = GroupNode::decode(&b, 0, ctx).unwrap();
        assert!(n.children.is_empty());
        assert_eq!(n.keys, [GroupKey { heap_offset: 0 }]);
        assert_eq!(NodeType(9).to_string(), "unknown (9)");
        assert_eq!(NodeType::RAW_DATA_CHUNK.to_string(), "raw data chunk");
    }

    #[test]
    fn encode_round_trip() {
        let ctx = C4;
        let node = GroupNode {
            header: NodeHeader {
                node_type: NodeType::GROUP,
                level: 0,
                entries_used: 2,
                left_sibling: Some(Addr(100)),
                right_sibling: None,
            },
            keys: vec![
                GroupKey { heap_offset: 0 },
                GroupKey { heap_offset: 8 },
                GroupKey { heap_offset: 24 },
            ],
            children: vec![Addr(1000), Addr(2000)],
        };
        let b = node.encode(ctx, 2).unwrap();
        assert_eq!(b.len(), disk_size(ctx, KeyFormat::Group, 2).unwrap());
        assert_eq!(GroupNode::decode(&b, 0, ctx).unwrap(), node);
        assert!(node.encode(ctx, 0).is_err());
        let mut bad = node.clone();
        bad.header.entries_used = 3;
        assert!(bad.encode(ctx, 4).is_err());

        let node = ChunkNode {
            header: NodeHeader {
                node_type: NodeType::RAW_DATA_CHUNK,
                level: 1,
                entries_used: 1,
                left_sibling: None,
                right_sibling: None,
            },
            keys: vec![
                ChunkKey {
                    size: 45,
                    filter_mask: 1,
                    offset: vec![0, 5, 0],
                },
                ChunkKey {
                    size: 0,
                    filter_mask: 0,
                    offset: vec![4, 10, 4],
                },
            ],
            children: vec![Addr(4096)],
        };
        let b = node.encode(ctx, 3, 32).unwrap();
        assert_eq!(b.len(), 16 + 64 * 4 + 65 * 32);
        assert_eq!(ChunkNode::decode(&b, 0, ctx, 3).unwrap(), node);
        assert!(node.encode(ctx, 2, 32).is_err());
    }
}
