//! Symbol table entries and symbol table nodes ("SNOD"): the leaves of an old-style
//! (version 1 B-tree + local heap) group. Spec: "Symbol Table Entry", "Group Symbol Table Nodes".

use super::{Addr, Ctx, Cursor, Encoder};
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

impl SymbolTableEntry {
    /// The cache type written for this entry's scratch-pad (0, 1 or 2).
    pub fn cache_type(&self) -> u32 {
        match self.scratch {
            Scratch::None => 0,
            Scratch::Group { .. } => 1,
            Scratch::SoftLink { .. } => 2,
        }
    }

    /// Encode one entry ([`SymbolTableEntry::size`] bytes): used in symbol table nodes and
    /// as the root group entry of superblocks version 0 and 1. The scratch-pad is zero-filled
    /// past what its cache type uses.
    ///
    /// # Errors
    /// [`Error::Usage`] when the name offset does not fit in the offset width.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let o = usize::from(e.ctx().offset_size);
        e.uint_checked(self.name_offset, o, "symbol table entry name offset")?;
        e.opt_offset(self.object_header);
        e.u32(self.cache_type()).zeros(4);
        let pad = e.len();
        match self.scratch {
            Scratch::None => {}
            Scratch::Group { btree, heap } => {
                e.offset(btree).offset(heap);
            }
            Scratch::SoftLink { value_offset } => {
                e.u32(value_offset);
            }
        }
        let used = e.len().saturating_sub(pad);
        e.zeros(16usize.saturating_sub(used));
        Ok(())
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

    /// Encode the node as libhdf5 writes it: signature, version 1, a reserved byte, the entry
    /// count, the entries, then zeros for the unused entries up to
    /// [`SymbolTableNode::disk_size`] (the node always occupies room for 2K entries).
    ///
    /// # Errors
    /// [`Error::Usage`] when there are more than 2K entries, or as
    /// [`SymbolTableEntry::encode`].
    pub fn encode(&self, e: &mut Encoder, leaf_k: u16) -> Result<()> {
        let cap = 2 * usize::from(leaf_k);
        let n = u16::try_from(self.entries.len())
            .ok()
            .filter(|&n| usize::from(n) <= cap)
            .ok_or_else(|| {
                Error::Usage(alloc::format!(
                    "symbol table node: {} entries for a node of {cap}",
                    self.entries.len()
                ))
            })?;
        let start = e.len();
        e.bytes(b"SNOD").u8(1).u8(0).u16(n);
        for entry in &self.entries {
            entry.encode(e)?;
        }
        let end = start.saturating_add(Self::disk_size(e.ctx(), leaf_k));
        e.zeros(end.saturating_sub(e.len()));
        Ok(())
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

        // Encoding gives the same bytes, zero-padded to room for 2K entries.
        let mut e = Encoder::new(ctx);
        n.encode(&mut e, 4).unwrap();
        let enc = e.finish();
        assert_eq!(enc.len(), SymbolTableNode::disk_size(ctx, 4));
        assert_eq!(&enc[..b.len()], &b[..]);
        assert!(enc[b.len()..].iter().all(|&x| x == 0));
        let mut e = Encoder::new(ctx);
        assert!(n.encode(&mut e, 0).is_err());
    }

    #[test]
    fn entry_round_trip_four_byte_offsets() {
        let ctx = Ctx {
            offset_size: 4,
            length_size: 4,
        };
        for scratch in [
            Scratch::None,
            Scratch::Group {
                btree: Addr(96),
                heap: Addr(1344),
            },
            Scratch::SoftLink { value_offset: 40 },
        ] {
            let entry = SymbolTableEntry {
                name_offset: 8,
                object_header: Some(Addr(0x330)),
                scratch,
            };
            let mut e = Encoder::new(ctx);
            entry.encode(&mut e).unwrap();
            let b = e.finish();
            assert_eq!(b.len(), SymbolTableEntry::size(ctx));
            let mut c = Cursor::new(&b, 0, "t");
            assert_eq!(SymbolTableEntry::decode(&mut c, ctx).unwrap(), entry);
        }
        let big = SymbolTableEntry {
            name_offset: 1 << 40,
            object_header: None,
            scratch: Scratch::None,
        };
        assert!(big.encode(&mut Encoder::new(ctx)).is_err());
    }
}
