//! Stored reference values (spec: "Reference" datatype class, "Global Heap" dataset-region
//! objects, and libhdf5 1.12's revised reference encoding).
//!
//! - Old object reference (`H5T_STD_REF_OBJ`, reference type 0): the object header address,
//!   in the file's offset width. Address 0 is the null reference.
//! - Old dataset region reference (`H5T_STD_REF_DSETREG`, type 1): a global heap id
//!   (collection address, 32-bit object index). The heap object holds the dataset's object
//!   header address and then the serialized selection ([`crate::format::selection`]). A
//!   collection address of 0 is the null reference.
//! - Revised references (`H5T_STD_REF`, types 2 object, 3 dataset region, 4 attribute; the
//!   datatype says type 2 and every element carries its own type). An element is
//!   `4 + 2 + offset size + 4` bytes (18 with 8-byte offsets) and starts with the reference
//!   type and a flags byte (bit 0: external, the target lives in another file). A local object
//!   reference is stored inline: a one-byte token size, the token (the object header address),
//!   the rest of the element unused. Every other reference stores a 32-bit size and a global
//!   heap id; the heap object (the "blob", `size` bytes) holds the token size and token, the
//!   file name when external (16-bit length + bytes), then for a region a 32-bit selection
//!   size, the 32-bit rank of the dataspace and the serialized selection, or for an attribute
//!   the name (16-bit length + bytes). A type byte of 0 is the null reference.

use super::selection::Selection;
use super::{Addr, Ctx, Cursor};
use crate::error::{Error, Result};
use crate::format::message::datatype::ReferenceType;
use alloc::string::String;
use alloc::vec::Vec;

/// Flag bit of a revised reference: the target is in another file (`H5R_IS_EXTERNAL`).
pub const FLAG_EXTERNAL: u8 = 0x01;

/// A global heap id: the address of a global heap collection and an object index in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalHeapId {
    /// Address of the collection.
    pub collection: Addr,
    /// Object index within the collection.
    pub index: u32,
}

impl GlobalHeapId {
    /// Decode a heap id (offset-width address, 32-bit index). A collection address of 0 or the
    /// undefined address gives `None` (libhdf5's "nil" id).
    ///
    /// # Errors
    /// `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Option<GlobalHeapId>> {
        let addr = c.offset(ctx)?;
        let index = c.u32()?;
        Ok(match addr {
            Some(a) if a.0 != 0 => Some(GlobalHeapId {
                collection: a,
                index,
            }),
            _ => None,
        })
    }
}

/// Decode an old object reference element (`H5R_OBJECT1`). `None` is the null reference
/// (address 0, or the undefined address).
///
/// # Errors
/// `Truncated`.
pub fn decode_object1(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Option<Addr>> {
    Ok(c.offset(ctx)?.filter(|a| a.0 != 0))
}

/// Decode an old dataset region reference element (`H5R_DATASET_REGION1`): the global heap
/// id of the region object, `None` for the null reference.
///
/// # Errors
/// `Truncated`.
pub fn decode_region1(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Option<GlobalHeapId>> {
    GlobalHeapId::decode(c, ctx)
}

/// The global heap object of an old dataset region reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegionObject {
    /// Object header address of the dataset.
    pub object: Addr,
    /// The selected region.
    pub selection: Selection,
}

impl RegionObject {
    /// Decode the heap object: the dataset address, then the serialized selection. `rank`
    /// (the dataset's rank), when known, is checked against the selection's.
    ///
    /// # Errors
    /// `Truncated`, `InvalidValue` for an undefined address, and the selection's errors.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx, rank: Option<usize>) -> Result<RegionObject> {
        let object = c.defined_offset(ctx, "region reference object address")?;
        let selection = Selection::decode(c, rank)?;
        Ok(RegionObject { object, selection })
    }
}

/// What a revised reference points at, beyond the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisedTarget {
    /// The object itself (`H5R_OBJECT2`).
    Object,
    /// A region of a dataset (`H5R_DATASET_REGION2`), with the rank stored beside it.
    Region {
        /// Rank of the dataspace the selection was made in.
        rank: u32,
        /// The selection.
        selection: Selection,
    },
    /// An attribute of the object (`H5R_ATTR`), by name.
    Attribute(String),
}

/// A decoded revised (1.12) reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisedRef {
    /// Reference type (2, 3 or 4).
    pub ref_type: ReferenceType,
    /// Flags byte ([`FLAG_EXTERNAL`]).
    pub flags: u8,
    /// The object token as stored (for the native file format: the object header address in
    /// the file's offset width).
    pub token: Vec<u8>,
    /// The file holding the target, for external references.
    pub file: Option<String>,
    /// The referenced region or attribute.
    pub target: RevisedTarget,
}

impl RevisedRef {
    /// The object header address the token holds (native file format: a little-endian address
    /// of up to 8 bytes).
    ///
    /// # Errors
    /// `InvalidValue` for an empty or longer-than-8-byte token, or the undefined address.
    pub fn address(&self, at: u64) -> Result<Addr> {
        if self.token.is_empty() || self.token.len() > 8 {
            return Err(Error::invalid("reference token size", at));
        }
        let v = super::cursor::le_uint(&self.token);
        if v == super::cursor::ones(self.token.len()) {
            return Err(Error::invalid("reference token", at));
        }
        Ok(Addr(v))
    }

    /// Decode the encoding that follows the two header bytes (type, flags): token, file name
    /// when external, then the region or attribute name.
    ///
    /// # Errors
    /// `Truncated`; `InvalidValue` for a reference type outside 2..=4 or a token longer than
    /// 16 bytes (libhdf5's `H5O_MAX_TOKEN_SIZE`); the selection's errors.
    pub fn decode_body(
        ref_type: ReferenceType,
        flags: u8,
        c: &mut Cursor<'_>,
    ) -> Result<RevisedRef> {
        let at = c.addr();
        if !ref_type.is_revised() {
            return Err(Error::invalid("reference type", at));
        }
        let token_size = usize::from(c.u8()?);
        if token_size > 16 {
            return Err(Error::invalid("reference token size", at));
        }
        let token = c.bytes(token_size)?.to_vec();
        let file = if flags & FLAG_EXTERNAL != 0 {
            Some(short_string(c)?)
        } else {
            None
        };
        let target = match ref_type {
            ReferenceType::DATASET_REGION2 => {
                let size = c.u32()?;
                let rank = c.u32()?;
                let n = usize::try_from(size).map_err(|_| c.invalid("reference selection size"))?;
                let mut sub = c.sub(n, "reference selection")?;
                let r = usize::try_from(rank).ok();
                let selection = Selection::decode(&mut sub, r)?;
                RevisedTarget::Region { rank, selection }
            }
            ReferenceType::ATTR => RevisedTarget::Attribute(short_string(c)?),
            _ => RevisedTarget::Object,
        };
        Ok(RevisedRef {
            ref_type,
            flags,
            token,
            file,
            target,
        })
    }
}

/// A 16-bit length and that many bytes (names in revised references).
fn short_string(c: &mut Cursor<'_>) -> Result<String> {
    let n = usize::from(c.u16()?);
    Ok(String::from_utf8_lossy(c.bytes(n)?).into_owned())
}

/// One stored revised reference element, before any global heap lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisedElement {
    /// The null reference (type byte 0).
    Null,
    /// A local object reference, stored inline.
    Inline(RevisedRef),
    /// Everything else: the encoding lives in a global heap object of `size` bytes.
    Heap {
        /// Reference type from the element header.
        ref_type: ReferenceType,
        /// Flags from the element header.
        flags: u8,
        /// Size of the heap object's encoding.
        size: u32,
        /// Where the encoding is.
        id: GlobalHeapId,
    },
}

impl RevisedElement {
    /// Decode one element of a revised reference dataset or attribute.
    ///
    /// # Errors
    /// `Truncated`; `InvalidValue` for a reference type other than 0, 2, 3, 4, a type-0 element
    /// with a heap id, or a heap element without a heap id.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<RevisedElement> {
        let at = c.addr();
        let ref_type = ReferenceType(c.u8()?);
        let flags = c.u8()?;
        if ref_type == ReferenceType::OBJECT2 && flags & FLAG_EXTERNAL == 0 {
            return Ok(RevisedElement::Inline(RevisedRef::decode_body(
                ref_type, flags, c,
            )?));
        }
        let size = c.u32()?;
        let id = GlobalHeapId::decode(c, ctx)?;
        match (ref_type, id) {
            (ReferenceType(0), None) => Ok(RevisedElement::Null),
            (t, Some(id)) if t.is_revised() => Ok(RevisedElement::Heap {
                ref_type,
                flags,
                size,
                id,
            }),
            _ => Err(Error::invalid("reference element", at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::selection::RegularDim;
    use crate::testutil::hex;
    use alloc::vec;

    const CTX: Ctx = Ctx::DEFAULT;
    const CTX4: Ctx = Ctx {
        offset_size: 4,
        length_size: 4,
    };

    #[test]
    fn object1() {
        let b = hex("2003000000000000");
        assert_eq!(
            decode_object1(&mut Cursor::new(&b, 0, "t"), CTX).unwrap(),
            Some(Addr(800))
        );
        let b = hex("0000000000000000");
        assert_eq!(
            decode_object1(&mut Cursor::new(&b, 0, "t"), CTX).unwrap(),
            None
        );
        let b = hex("ffffffffffffffff");
        assert_eq!(
            decode_object1(&mut Cursor::new(&b, 0, "t"), CTX).unwrap(),
            None
        );
        let b = hex("20030000");
        assert_eq!(
            decode_object1(&mut Cursor::new(&b, 0, "t"), CTX4).unwrap(),
            Some(Addr(800))
        );
    }

    #[test]
    fn region1_element_and_heap_object() {
        // h5py regionref element (libver earliest): collection 0x990, index 1
        let b = hex("900900000000000001000000");
        let id = decode_region1(&mut Cursor::new(&b, 0, "t"), CTX)
            .unwrap()
            .unwrap();
        assert_eq!(
            id,
            GlobalHeapId {
                collection: Addr(0x990),
                index: 1
            }
        );
        let b = hex("000000000000000000000000");
        assert_eq!(
            decode_region1(&mut Cursor::new(&b, 0, "t"), CTX).unwrap(),
            None
        );
        // a heap object (libver latest file): dataset at 0xb3, hyperslab [1:3, 2:5] (libver latest, v3 regular)
        let b = hex("b300000000000000020000000300000001020200000001000100010002000200010001000300");
        let r = RegionObject::decode(&mut Cursor::new(&b, 0, "t"), CTX, Some(2)).unwrap();
        assert_eq!(r.object, Addr(0xb3));
        assert_eq!(
            r.selection,
            Selection::Regular {
                dims: vec![
                    RegularDim {
                        start: 1,
                        stride: 1,
                        count: 1,
                        block: 2
                    },
                    RegularDim {
                        start: 2,
                        stride: 1,
                        count: 1,
                        block: 3
                    },
                ]
            }
        );
        // rank mismatch with the dataset
        assert!(RegionObject::decode(&mut Cursor::new(&b, 0, "t"), CTX, Some(3)).is_err());
    }

    // Elements and heap objects written by libhdf5 2.0 (H5Rcreate_* and H5T_STD_REF): object
    // /g at 800, dataset /d at 1832 (0x728), attribute "a" of /d.

    #[test]
    fn revised_inline_object() {
        let b = hex("020008200300000000000000000000000000");
        let e = RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).unwrap();
        let RevisedElement::Inline(r) = e else {
            panic!()
        };
        assert_eq!(r.ref_type, ReferenceType::OBJECT2);
        assert_eq!(r.address(0).unwrap(), Addr(800));
        assert_eq!(r.target, RevisedTarget::Object);
        assert_eq!(r.file, None);
    }

    #[test]
    fn revised_null() {
        let b = [0u8; 18];
        let e = RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).unwrap();
        assert_eq!(e, RevisedElement::Null);
    }

    #[test]
    fn revised_region() {
        let b = hex("030039000000e21000000000000001000000");
        let e = RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).unwrap();
        let RevisedElement::Heap {
            ref_type,
            flags,
            size,
            id,
        } = e
        else {
            panic!()
        };
        assert_eq!(
            (ref_type, flags, size),
            (ReferenceType::DATASET_REGION2, 0, 57)
        );
        assert_eq!(id.collection, Addr(0x10e2));
        let blob = hex(
            "082807000000000000280000000200000002000000010000000000000018000000020000000100\
             000001000000010000000200000003000000",
        );
        assert_eq!(blob.len(), 57);
        let r = RevisedRef::decode_body(ref_type, flags, &mut Cursor::new(&blob, 0, "t")).unwrap();
        assert_eq!(r.address(0).unwrap(), Addr(0x728));
        let RevisedTarget::Region { rank, selection } = r.target else {
            panic!()
        };
        assert_eq!(rank, 2);
        assert_eq!(
            selection,
            Selection::Blocks {
                rank: 2,
                corners: vec![1, 1, 2, 3]
            }
        );
    }

    #[test]
    fn revised_attribute_and_external() {
        let b = hex("04000c000000e21000000000000002000000");
        let RevisedElement::Heap {
            ref_type,
            flags,
            size,
            ..
        } = RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).unwrap()
        else {
            panic!()
        };
        assert_eq!(size, 12);
        let blob = hex("082807000000000000010061");
        let r = RevisedRef::decode_body(ref_type, flags, &mut Cursor::new(&blob, 0, "t")).unwrap();
        assert_eq!(r.target, RevisedTarget::Attribute("a".into()));
        // an external object reference: file name after the token
        let mut blob = hex("082807000000000000");
        blob.extend(hex("0600"));
        blob.extend(b"x.h5xx");
        let r = RevisedRef::decode_body(
            ReferenceType::OBJECT2,
            FLAG_EXTERNAL,
            &mut Cursor::new(&blob, 0, "t"),
        )
        .unwrap();
        assert_eq!(r.file.as_deref(), Some("x.h5xx"));
        // external object references go to the heap
        let b = hex("020130000000e21000000000000002000000");
        assert!(matches!(
            RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).unwrap(),
            RevisedElement::Heap { .. }
        ));
    }

    #[test]
    fn revised_invalid() {
        // type 1 is an old-style type
        let b = hex("010039000000e21000000000000001000000");
        assert!(RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).is_err());
        // heap reference with a nil heap id
        let b = hex("030039000000000000000000000001000000");
        assert!(RevisedElement::decode(&mut Cursor::new(&b, 0, "t"), CTX).is_err());
        // truncated blob
        let blob = hex("0828070000");
        assert!(
            RevisedRef::decode_body(ReferenceType::ATTR, 0, &mut Cursor::new(&blob, 0, "t"))
                .is_err()
        );
        // empty token
        let r = RevisedRef::decode_body(ReferenceType::OBJECT2, 0, &mut Cursor::new(&[0], 0, "t"))
            .unwrap();
        assert!(r.address(0).is_err());
    }
}
