//! Symbol table entries and symbol table nodes ("SNOD"): the leaves of an old-style
//! (version 1 B-tree + local heap) group. Spec: "Symbol Table Entry", "Group Symbol Table Nodes".

use super::{Addr, Ctx, Cursor};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;

/// What the scratch-pad of a symbol table entry caches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scratch {
    /// Cache type 0: nothing cached.
    None,
    /// Cache type 1: the entry is a group; addresses of its v1 B-tree and local heap.
    Group {
        /// Address of the group's v1 B-tree.
        btree: Addr,
        /// Address of the group's local heap.
        heap: Addr,
    },
    /// Cache type 2: the entry is a soft link; offset of its value in the local heap.
    SoftLink {
        /// Offset of the link value in the parent group's local heap.
        value_offset: u32,
    },
}

/// A symbol table entry (spec "Symbol Table Entry").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolTableEntry {
    /// Offset of the link name in the group's local heap.
    pub name_offset: u64,
    /// Address of the object header; `None` (undefined) for soft links.
    pub object_header: Option<Addr>,
    /// The cached scratch-pad contents.
    pub scratch: Scratch,
}

impl SymbolTableEntry {
    /// Encoded size: two offsets, two 4-byte fields and a 16-byte scratch pad.
    pub fn size(ctx: Ctx) -> usize {
        2 * usize::from(ctx.offset_size) + 24
    }

    /// Decode one entry.
    ///
    /// # Errors
    /// `Truncated` when the cursor is short; `InvalidValue` for an unknown cache type.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        let name_offset = c.uint(usize::from(ctx.offset_size))?;
        let object_header = c.offset(ctx)?;
        let cache_at = c.addr();
        let cache_type = c.u32()?;
        c.skip(4)?;
        let mut pad = c.sub(16, "symbol table entry scratch-pad")?;
        let scratch = match cache_type {
            0 => Scratch::None,
            1 => Scratch::Group {
                btree: pad.defined_offset(ctx, "symbol table entry B-tree address")?,
                heap: pad.defined_offset(ctx, "symbol table entry heap address")?,
            },
            2 => Scratch::SoftLink {
                value_offset: pad.u32()?,
            },
            _ => {
                return Err(Error::format(
                    FormatErrorKind::InvalidValue,
                    "symbol table entry cache type",
                    cache_at,
                ))
            }
        };
        Ok(SymbolTableEntry {
            name_offset,
            object_header,
            scratch,
        })
    }
}

/// A symbol table node: up to 2K entries, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SymbolTableNode {
    /// The entries in use.
    pub entries: Vec<SymbolTableEntry>,
}

impl SymbolTableNode {
    /// Decode a node from `data` (read at address `addr`).
    ///
    /// # Errors
    /// `BadSignature`, `BadVersion`, `Truncated`.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "symbol table node");
        c.signature(b"SNOD")?;
        let v = c.u8()?;
        if v != 1 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "symbol table node version"));
        }
        c.skip(1)?;
        let n = c.u16()?;
        // Capacity bounded by the bytes present: each entry is at least 24 bytes.
        let mut entries = Vec::with_capacity(usize::from(n).min(c.remaining() / 24));
        for _ in 0..n {
            entries.push(SymbolTableEntry::decode(&mut c, ctx)?);
        }
        Ok(SymbolTableNode { entries })
    }

    /// Bytes a node with group leaf K `leaf_k` occupies on disk (2K entries + 8-byte header).
    pub fn disk_size(ctx: Ctx, leaf_k: u16) -> usize {
        8 + 2 * usize::from(leaf_k) * SymbolTableEntry::size(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_node() {
        let ctx = Ctx::DEFAULT;
        let mut b = b"SNOD\x01\x00\x02\x00".to_vec();
        // entry 1: group with cached B-tree/heap
        b.extend_from_slice(&8u64.to_le_bytes());
        b.extend_from_slice(&800u64.to_le_bytes());
        b.extend_from_slice(&1u32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&136u64.to_le_bytes());
        b.extend_from_slice(&680u64.to_le_bytes());
        // entry 2: soft link
        b.extend_from_slice(&16u64.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&24u32.to_le_bytes());
        b.extend_from_slice(&[0; 12]);
        let n = SymbolTableNode::decode(&b, 0, ctx).unwrap();
        assert_eq!(n.entries.len(), 2);
        assert_eq!(n.entries[0].object_header, Some(Addr(800)));
        assert_eq!(
            n.entries[0].scratch,
            Scratch::Group {
                btree: Addr(136),
                heap: Addr(680)
            }
        );
        assert_eq!(n.entries[1].object_header, None);
        assert_eq!(n.entries[1].scratch, Scratch::SoftLink { value_offset: 24 });
        let mut bad = b.clone();
        bad[4] = 2;
        assert_eq!(
            SymbolTableNode::decode(&bad, 0, ctx)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        assert_eq!(
            SymbolTableNode::decode(&b[..50], 0, ctx)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }
}
