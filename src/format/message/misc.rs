//! Small header messages: symbol table (0x0011), B-tree 'K' values (0x0013), shared message
//! table (0x000F), attribute info (0x0015), and shared-message references (spec: "Shared
//! Message", the body of any message whose shared flag is set), and object modification time
//! (0x0012).

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor, Encoder};

/// Symbol table message: the v1 B-tree and local heap of an old-style group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SymbolTableMessage {
    /// Address of the group's v1 B-tree.
    pub btree: Addr,
    /// Address of the group's local heap.
    pub heap: Addr,
}

impl SymbolTableMessage {
    /// Decode the body.
    ///
    /// # Errors
    /// `Truncated`, `InvalidValue` for undefined addresses.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("symbol table message");
        Ok(SymbolTableMessage {
            btree: c.defined_offset(ctx, "symbol table message B-tree address")?,
            heap: c.defined_offset(ctx, "symbol table message heap address")?,
        })
    }

    /// Encode the body: the B-tree and local heap addresses.
    pub fn encode(&self, e: &mut Encoder) {
        e.offset(self.btree).offset(self.heap);
    }
}

/// B-tree 'K' values message (superblock extension).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BTreeK {
    /// Indexed storage internal node K.
    pub indexed_storage_internal: u16,
    /// Group internal node K.
    pub group_internal: u16,
    /// Group leaf node K.
    pub group_leaf: u16,
}

impl BTreeK {
    /// Decode the body.
    ///
    /// # Errors
    /// `BadVersion`, `Truncated`.
    pub fn decode(c: &mut Cursor<'_>) -> Result<Self> {
        c.set_what("B-tree K message");
        if c.u8()? != 0 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "B-tree K message version"));
        }
        Ok(BTreeK {
            indexed_storage_internal: c.u16()?,
            group_internal: c.u16()?,
            group_leaf: c.u16()?,
        })
    }

    /// Encode the body (version 0).
    pub fn encode(&self, e: &mut Encoder) {
        e.u8(0)
            .u16(self.indexed_storage_internal)
            .u16(self.group_internal)
            .u16(self.group_leaf);
    }
}

/// Shared message table message (superblock extension): where the SOHM master table is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedMessageTable {
    /// Address of the master table ("SMTB").
    pub table: Addr,
    /// Number of indexes.
    pub nindexes: u8,
}

impl SharedMessageTable {
    /// Decode the body.
    ///
    /// # Errors
    /// `BadVersion`, `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("shared message table message");
        if c.u8()? != 0 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "shared message table version"));
        }
        Ok(SharedMessageTable {
            table: c.defined_offset(ctx, "shared message table address")?,
            nindexes: c.u8()?,
        })
    }

    /// Encode the body (version 0).
    pub fn encode(&self, e: &mut Encoder) {
        e.u8(0).offset(self.table).u8(self.nindexes);
    }
}

/// Attribute info message: where an object keeps its attributes when stored densely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeInfo {
    /// Creation order is tracked (flag bit 0).
    pub tracks_creation_order: bool,
    /// Creation order is indexed (flag bit 1).
    pub indexes_creation_order: bool,
    /// Maximum creation index so far.
    pub max_creation_index: Option<u16>,
    /// Fractal heap of attribute messages.
    pub fractal_heap: Option<Addr>,
    /// Version 2 B-tree by name hash.
    pub name_index: Option<Addr>,
    /// Version 2 B-tree by creation order.
    pub creation_order_index: Option<Addr>,
}

impl AttributeInfo {
    /// Decode the body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (unknown flags), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("attribute info message");
        if c.u8()? != 0 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "attribute info version"));
        }
        let flags = c.u8()?;
        if flags & !0x03 != 0 {
            return Err(c.invalid("attribute info flags"));
        }
        let max_creation_index = if flags & 1 != 0 { Some(c.u16()?) } else { None };
        let fractal_heap = c.offset(ctx)?;
        let name_index = c.offset(ctx)?;
        let creation_order_index = if flags & 2 != 0 { c.offset(ctx)? } else { None };
        Ok(AttributeInfo {
            tracks_creation_order: flags & 1 != 0,
            indexes_creation_order: flags & 2 != 0,
            max_creation_index,
            fractal_heap,
            name_index,
            creation_order_index,
        })
    }

    /// Encode the body (version 0): flags, the maximum creation index when creation order is
    /// tracked (0 when not given), the fractal heap and name index addresses, and the
    /// creation-order index address when creation order is indexed.
    pub fn encode(&self, e: &mut Encoder) {
        let flags =
            u8::from(self.tracks_creation_order) | u8::from(self.indexes_creation_order) << 1;
        e.u8(0).u8(flags);
        if self.tracks_creation_order {
            e.u16(self.max_creation_index.unwrap_or(0));
        }
        e.opt_offset(self.fractal_heap).opt_offset(self.name_index);
        if self.indexes_creation_order {
            e.opt_offset(self.creation_order_index);
        }
    }
}

/// Where the real message of a shared message lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SharedRef {
    /// In another object header (a committed datatype, or an old-style shared message).
    ObjectHeader(Addr),
    /// In the shared-message (SOHM) fractal heap, by heap ID.
    Heap([u8; 8]),
}

impl SharedRef {
    /// Decode the body of a message whose "shared" flag is set.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (unknown sharing type), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("shared message");
        let version = c.u8()?;
        let kind = c.u8()?;
        match version {
            1 => {
                c.skip(6)?;
                Ok(SharedRef::ObjectHeader(
                    c.defined_offset(ctx, "shared message address")?,
                ))
            }
            2 => Ok(SharedRef::ObjectHeader(
                c.defined_offset(ctx, "shared message address")?,
            )),
            3 => match kind {
                1 => Ok(SharedRef::Heap(c.array()?)),
                2 => Ok(SharedRef::ObjectHeader(
                    c.defined_offset(ctx, "shared message address")?,
                )),
                _ => Err(c.invalid("shared message type")),
            },
            _ => Err(c.err_at(FormatErrorKind::BadVersion, "shared message version")),
        }
    }

    /// Encode the body of a shared message in `version`: 1 (type byte 0, six reserved zero
    /// bytes, the address), 2 (what libhdf5 writes for a committed datatype under libver
    /// earliest: type byte 2, the address) or 3 (1.8 format and later: type 1 and the 8-byte
    /// heap ID, or type 2 and the address).
    ///
    /// # Errors
    /// [`Error::Usage`] for another version, or a heap reference below version 3.
    pub fn encode(&self, e: &mut Encoder, version: u8) -> Result<()> {
        match (self, version) {
            (SharedRef::ObjectHeader(a), 1) => {
                e.u8(1).u8(0).zeros(6).offset(*a);
            }
            (SharedRef::ObjectHeader(a), 2 | 3) => {
                e.u8(version).u8(2).offset(*a);
            }
            (SharedRef::Heap(id), 3) => {
                e.u8(3).u8(1).bytes(id);
            }
            (SharedRef::Heap(_), 1 | 2) => {
                return Err(Error::Usage(
                    "a shared message in the heap needs shared message version 3".into(),
                ))
            }
            (_, v) => return Err(Error::Usage(alloc::format!("shared message version {v}"))),
        }
        Ok(())
    }
}

/// Object modification time message, type 0x0012 (spec: "Object Modification Time Message").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModificationTime {
    /// Seconds since the UNIX epoch.
    pub seconds: u32,
}

impl ModificationTime {
    /// Decode the body: version 1, three reserved bytes, the time.
    ///
    /// # Errors
    /// `BadVersion`, `Truncated`.
    pub fn decode(c: &mut Cursor<'_>) -> Result<Self> {
        c.set_what("modification time message");
        if c.u8()? != 1 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "modification time version"));
        }
        c.skip(3)?;
        Ok(ModificationTime { seconds: c.u32()? })
    }

    /// Encode the body (version 1, reserved bytes zero).
    pub fn encode(&self, e: &mut Encoder) {
        e.u8(1).zeros(3).u32(self.seconds);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn shared_refs() {
        let ctx = Ctx::DEFAULT;
        let mut v3 = vec![3u8, 1];
        v3.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(
            SharedRef::decode(&mut Cursor::new(&v3, 0, ""), ctx).unwrap(),
            SharedRef::Heap([1, 2, 3, 4, 5, 6, 7, 8])
        );
        let mut v1 = vec![1u8, 0, 0, 0, 0, 0, 0, 0];
        v1.extend_from_slice(&96u64.to_le_bytes());
        assert_eq!(
            SharedRef::decode(&mut Cursor::new(&v1, 0, ""), ctx).unwrap(),
            SharedRef::ObjectHeader(Addr(96))
        );
        assert_eq!(
            SharedRef::decode(&mut Cursor::new(&[4, 0], 0, ""), ctx)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
    }

    #[test]
    fn attribute_info() {
        let mut b = vec![0u8, 1, 3, 0];
        b.extend_from_slice(&64u64.to_le_bytes());
        b.extend_from_slice(&128u64.to_le_bytes());
        let a = AttributeInfo::decode(&mut Cursor::new(&b, 0, ""), Ctx::DEFAULT).unwrap();
        assert_eq!(a.max_creation_index, Some(3));
        assert_eq!(a.fractal_heap, Some(Addr(64)));
        assert_eq!(a.creation_order_index, None);
    }

    fn bytes(f: impl FnOnce(&mut Encoder)) -> alloc::vec::Vec<u8> {
        let mut e = Encoder::new(Ctx::DEFAULT);
        f(&mut e);
        e.finish()
    }

    #[test]
    fn encode_round_trips() {
        let ctx = Ctx::DEFAULT;
        let st = SymbolTableMessage {
            btree: Addr(136),
            heap: Addr(680),
        };
        let b = bytes(|e| st.encode(e));
        assert_eq!(
            SymbolTableMessage::decode(&mut Cursor::new(&b, 0, ""), ctx).unwrap(),
            st
        );
        let k = BTreeK {
            indexed_storage_internal: 32,
            group_internal: 16,
            group_leaf: 4,
        };
        let b = bytes(|e| k.encode(e));
        assert_eq!(BTreeK::decode(&mut Cursor::new(&b, 0, "")).unwrap(), k);
        let t = SharedMessageTable {
            table: Addr(96),
            nindexes: 2,
        };
        let b = bytes(|e| t.encode(e));
        assert_eq!(
            SharedMessageTable::decode(&mut Cursor::new(&b, 0, ""), ctx).unwrap(),
            t
        );
        for ai in [
            AttributeInfo {
                tracks_creation_order: false,
                indexes_creation_order: false,
                max_creation_index: None,
                fractal_heap: None,
                name_index: None,
                creation_order_index: None,
            },
            AttributeInfo {
                tracks_creation_order: true,
                indexes_creation_order: true,
                max_creation_index: Some(9),
                fractal_heap: Some(Addr(1)),
                name_index: Some(Addr(2)),
                creation_order_index: Some(Addr(3)),
            },
        ] {
            let b = bytes(|e| ai.encode(e));
            let mut c = Cursor::new(&b, 0, "");
            assert_eq!(AttributeInfo::decode(&mut c, ctx).unwrap(), ai);
            assert_eq!(c.remaining(), 0);
        }
        for (r, v) in [
            (SharedRef::ObjectHeader(Addr(96)), 1),
            (SharedRef::ObjectHeader(Addr(96)), 2),
            (SharedRef::ObjectHeader(Addr(96)), 3),
            (SharedRef::Heap([1, 2, 3, 4, 5, 6, 7, 8]), 3),
        ] {
            let mut e = Encoder::new(ctx);
            r.encode(&mut e, v).unwrap();
            let b = e.finish();
            let mut c = Cursor::new(&b, 0, "");
            assert_eq!(SharedRef::decode(&mut c, ctx).unwrap(), r);
            assert_eq!(c.remaining(), 0);
        }
        let mut e = Encoder::new(ctx);
        assert!(SharedRef::Heap([0; 8]).encode(&mut e, 2).is_err());
        let m = ModificationTime {
            seconds: 1_700_000_000,
        };
        let b = bytes(|e| m.encode(e));
        assert_eq!(b.len(), 8);
        assert_eq!(
            ModificationTime::decode(&mut Cursor::new(&b, 0, "")).unwrap(),
            m
        );
    }
}
