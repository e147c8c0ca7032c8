//! Small header messages: symbol table (0x0011), B-tree 'K' values (0x0013), shared message
//! table (0x000F), attribute info (0x0015), and shared-message references (spec: "Shared
//! Message", the body of any message whose shared flag is set).

use crate::error::{FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor};

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
}

/// Attribute info message: where an object keeps its attributes when stored densely.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttributeInfo {
    /// Creation order is tracked.
    pub tracks_creation_order: bool,
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
            max_creation_index,
            fractal_heap,
            name_index,
            creation_order_index,
        })
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
}
