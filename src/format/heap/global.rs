//! Global heap collections ("GCOL"): variable-length data (vlen strings and sequences, region
//! references). Spec: "Global Heap" (III.E), including "Global Heap ID".
//!
//! A collection is a header followed by objects packed without gaps, each an object header
//! (index, reference count, reserved, size) and its data padded to a multiple of 8 bytes. Object
//! index 0 is the collection's free space and always comes last; when the space left at the end
//! is too small for an object header, object 0 is implied and not written.
//!
//! Headers are 8-byte aligned as libhdf5 writes them: both the collection header and each object
//! header occupy `align8(8 + Size of Lengths)` bytes, so 16 bytes with 4- or 8-byte lengths.

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor, Encoder};
use alloc::collections::BTreeMap;

/// The collection signature.
pub const SIGNATURE: [u8; 4] = *b"GCOL";

/// The only collection version the spec defines (there is no version 0).
pub const VERSION: u8 = 1;

/// The spec's default and minimum collection size. libhdf5 never writes smaller collections,
/// but a reader does not need the minimum, so it is not enforced.
pub const MIN_COLLECTION_SIZE: u64 = 4096;

/// Alignment of object headers and object data within a collection.
pub const ALIGNMENT: usize = 8;

/// Object index 0: the free space at the end of a collection.
pub const FREE_SPACE_INDEX: u16 = 0;

fn align8(n: usize) -> Option<usize> {
    n.checked_add(ALIGNMENT - 1)
        .map(|v| v / ALIGNMENT * ALIGNMENT)
}

/// The fixed fields at the start of a collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CollectionHeader {
    /// "Collection Size": bytes of the whole collection, this header included.
    pub collection_size: u64,
}

impl CollectionHeader {
    /// Bytes the header occupies: signature, version, 3 reserved bytes and one length, padded
    /// to 8 bytes.
    pub fn size(ctx: Ctx) -> usize {
        (8 + usize::from(ctx.length_size)).div_ceil(ALIGNMENT) * ALIGNMENT
    }

    /// Decode the header from `data`, read at file address `addr`.
    ///
    /// # Errors
    /// `BadSignature` without "GCOL", `BadVersion` for a version other than 1, `Truncated`,
    /// `InvalidValue` for a collection size smaller than the header.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "global heap collection");
        c.signature(&SIGNATURE)?;
        let version_at = c.addr();
        if c.u8()? != VERSION {
            return Err(Error::format(
                FormatErrorKind::BadVersion,
                "global heap collection version",
                version_at,
            ));
        }
        c.skip(3)?;
        let size_at = c.addr();
        let collection_size = c.length(ctx)?;
        if collection_size < Self::size(ctx) as u64 {
            return Err(Error::invalid("global heap collection size", size_at));
        }
        Ok(CollectionHeader { collection_size })
    }
}

impl CollectionHeader {
    /// Encode the header, padded to [`CollectionHeader::size`] bytes.
    pub fn encode(&self, e: &mut Encoder) {
        let start = e.len();
        e.bytes(&SIGNATURE)
            .u8(VERSION)
            .zeros(3)
            .length(self.collection_size);
        e.align(start, ALIGNMENT);
    }
}

/// Bytes an object with `len` bytes of data takes in a collection: its header and its data
/// padded to 8. `None` on overflow.
pub fn object_stored_size(ctx: Ctx, len: u64) -> Option<u64> {
    let data = len.checked_add(ALIGNMENT as u64 - 1)? / ALIGNMENT as u64 * ALIGNMENT as u64;
    data.checked_add(HeapObject::header_size(ctx) as u64)
}

/// Encode one object: index, reference count, 4 reserved bytes, size (padded to an 8-byte
/// header), then `data` padded with zeros to a multiple of 8.
pub fn encode_object(e: &mut Encoder, index: u16, reference_count: u16, data: &[u8]) {
    let start = e.len();
    e.u16(index)
        .u16(reference_count)
        .zeros(4)
        .length(data.len() as u64);
    e.align(start, ALIGNMENT);
    let body = e.len();
    e.bytes(data).align(body, ALIGNMENT);
}

/// Encode the free space at the end of a collection: object 0 (header with index 0 and size
/// `free`, the header counted, then zeros) when `free` can hold an object header, or `free`
/// zero bytes otherwise (object 0 implied).
pub fn encode_free_space(e: &mut Encoder, free: u64) {
    let hdr = HeapObject::header_size(e.ctx());
    let n = usize::try_from(free).unwrap_or(0);
    if n >= hdr {
        let start = e.len();
        e.u16(FREE_SPACE_INDEX).u16(0).zeros(4).length(free);
        e.align(start, ALIGNMENT);
        e.zeros(n - hdr);
    } else {
        e.zeros(n);
    }
}

/// One object of a collection (never object 0, the free space).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapObject {
    /// "Heap Object Index", unique within the collection, never 0.
    pub index: u16,
    /// "Reference Count". libhdf5 2.0 writes 0 for vlen data objects.
    pub reference_count: u16,
    /// "Object Size": bytes of data (the stored space is rounded up to a multiple of 8).
    pub size: u64,
    /// Position of the object's data relative to the start of the collection.
    pub data_offset: usize,
}

impl HeapObject {
    /// Bytes of an object header: index, reference count, 4 reserved bytes and one length,
    /// padded to 8 bytes.
    pub fn header_size(ctx: Ctx) -> usize {
        (8 + usize::from(ctx.length_size)).div_ceil(ALIGNMENT) * ALIGNMENT
    }
}

/// A decoded collection: its header and a lookup of its objects by index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// The collection header.
    pub header: CollectionHeader,
    /// Free space at the end: object 0's size (its header included), or the implied tail too
    /// small for an object header.
    pub free_space: u64,
    objects: BTreeMap<u16, HeapObject>,
}

impl Collection {
    /// Decode the collection in `data` (at least "Collection Size" bytes, read at file address
    /// `addr`), indexing its objects. The scan stops at object 0 (free space) or when the
    /// space left cannot hold an object header.
    ///
    /// # Errors
    /// Those of [`CollectionHeader::decode`]; `Truncated` when `data` is shorter than the
    /// collection or an object's data runs past the collection's end; `InvalidValue` for a
    /// repeated object index or object 0's size running past the end.
    pub fn decode(data: &[u8], addr: u64, ctx: Ctx) -> Result<Self> {
        let header = CollectionHeader::decode(data, addr, ctx)?;
        let end = usize::try_from(header.collection_size)
            .ok()
            .filter(|&n| n <= data.len())
            .ok_or(Error::format(
                FormatErrorKind::Truncated,
                "global heap collection",
                addr,
            ))?;
        let mut c = Cursor::new(data, addr, "global heap object");
        let hdr = HeapObject::header_size(ctx);
        let mut pos = CollectionHeader::size(ctx);
        let mut objects = BTreeMap::new();
        let mut free_space = 0;
        // Each pass consumes at least `hdr` (16) bytes, so the loop is bounded by the size.
        while pos < end {
            let left = end - pos;
            if left < hdr {
                free_space = left as u64;
                break;
            }
            c.seek(pos)?;
            let obj_at = c.addr();
            let index = c.u16()?;
            let reference_count = c.u16()?;
            c.skip(4)?;
            let size_at = c.addr();
            let size = c.length(ctx)?;
            if index == FREE_SPACE_INDEX {
                if size > left as u64 {
                    return Err(Error::invalid("global heap free space size", size_at));
                }
                free_space = size;
                break;
            }
            let data_offset = pos + hdr;
            let stored = usize::try_from(size)
                .ok()
                .filter(|&n| n <= end - data_offset)
                .and_then(align8)
                .ok_or(Error::format(
                    FormatErrorKind::Truncated,
                    "global heap object",
                    obj_at,
                ))?;
            let object = HeapObject {
                index,
                reference_count,
                size,
                data_offset,
            };
            if objects.insert(index, object).is_some() {
                return Err(Error::invalid(
                    "global heap object index (repeated)",
                    obj_at,
                ));
            }
            // Padding may reach past the end only for the last object.
            pos = data_offset.saturating_add(stored);
        }
        Ok(Collection {
            header,
            free_space,
            objects,
        })
    }

    /// The object with heap object index `index`.
    pub fn get(&self, index: u16) -> Option<&HeapObject> {
        self.objects.get(&index)
    }

    /// All objects, by increasing index.
    pub fn objects(&self) -> impl Iterator<Item = &HeapObject> + '_ {
        self.objects.values()
    }

    /// Number of objects (object 0 not counted).
    pub fn len(&self) -> usize {
        self.objects.len()
    }

    /// True when the collection holds no object.
    pub fn is_empty(&self) -> bool {
        self.objects.is_empty()
    }

    /// The data of object `index` within `data`, the bytes this collection was decoded from.
    pub fn data<'a>(&self, data: &'a [u8], index: u16) -> Option<&'a [u8]> {
        let o = self.objects.get(&index)?;
        let len = usize::try_from(o.size).ok()?;
        data.get(o.data_offset..o.data_offset.checked_add(len)?)
    }
}

/// A global heap ID (spec "Global Heap ID"): where a variable-length value lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalHeapId {
    /// Address of the collection; `None` (undefined or 0) for "no object", as libhdf5 writes
    /// for a nil vlen value.
    pub collection: Option<Addr>,
    /// Object index in the collection (4 bytes on disk; collections use 16-bit indices).
    pub index: u32,
}

impl GlobalHeapId {
    /// Encoded size: one offset and a 4-byte index.
    pub fn size(ctx: Ctx) -> usize {
        usize::from(ctx.offset_size) + 4
    }

    /// Encode an ID: the collection address (0 for `None`, as libhdf5 writes a nil vlen
    /// value) and the 4-byte index.
    pub fn encode(&self, e: &mut Encoder) {
        e.offset(self.collection.unwrap_or(Addr(0))).u32(self.index);
    }

    /// Decode an ID.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        let collection = c.offset(ctx)?.filter(|a| a.0 != 0);
        let index = c.u32()?;
        Ok(GlobalHeapId { collection, index })
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation, clippy::field_reassign_with_default)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    const C4: Ctx = Ctx {
        offset_size: 4,
        length_size: 4,
    };

    /// A collection of `size` bytes holding `objs` (index, refcount, data), then object 0.
    fn collection(ctx: Ctx, size: u64, objs: &[(u16, u16, &[u8])]) -> Vec<u8> {
        let l = usize::from(ctx.length_size);
        let mut b = b"GCOL\x01\0\0\0".to_vec();
        b.extend_from_slice(&size.to_le_bytes()[..l]);
        b.resize(CollectionHeader::size(ctx), 0);
        for (i, rc, d) in objs {
            b.extend_from_slice(&i.to_le_bytes());
            b.extend_from_slice(&rc.to_le_bytes());
            b.extend_from_slice(&[0; 4]);
            b.extend_from_slice(&(d.len() as u64).to_le_bytes()[..l]);
            b.resize(b.len().next_multiple_of(8), 0);
            b.extend_from_slice(d);
            b.resize(b.len().next_multiple_of(8), 0);
        }
        let size = size as usize;
        if size - b.len() >= HeapObject::header_size(ctx) {
            let free = (size - b.len()) as u64;
            b.extend_from_slice(&[0; 8]);
            b.extend_from_slice(&free.to_le_bytes()[..l]);
        }
        b.resize(size, 0);
        b
    }

    #[test]
    fn encode_matches_the_test_builder() {
        for ctx in [Ctx::DEFAULT, C4] {
            let objs: [(u16, u16, &[u8]); 3] =
                [(1, 0, b"hello"), (3, 2, b""), (2, 1, b"0123456789")];
            let want = collection(ctx, 4096, &objs);
            let mut e = Encoder::new(ctx);
            CollectionHeader {
                collection_size: 4096,
            }
            .encode(&mut e);
            for (i, rc, d) in objs {
                encode_object(&mut e, i, rc, d);
            }
            let free = 4096 - e.len() as u64;
            encode_free_space(&mut e, free);
            assert_eq!(e.finish(), want);
            assert_eq!(object_stored_size(ctx, 10), Some(32));
            assert_eq!(object_stored_size(ctx, 0), Some(16));
        }
        // Implied free space (fewer bytes than an object header).
        let mut e = Encoder::new(C4);
        encode_free_space(&mut e, 8);
        assert_eq!(e.finish(), [0; 8]);
        let id = GlobalHeapId {
            collection: Some(Addr(77184)),
            index: 69,
        };
        let mut e = Encoder::new(C4);
        id.encode(&mut e);
        GlobalHeapId {
            collection: None,
            index: 0,
        }
        .encode(&mut e);
        let b = e.finish();
        let mut c = Cursor::new(&b, 0, "vlen");
        assert_eq!(GlobalHeapId::decode(&mut c, C4).unwrap(), id);
        assert_eq!(GlobalHeapId::decode(&mut c, C4).unwrap().collection, None);
    }

    #[test]
    fn decode_collection() {
        let ctx = Ctx::DEFAULT;
        let b = collection(
            ctx,
            4096,
            &[(1, 0, b"hello"), (3, 2, b""), (2, 1, b"0123456789")],
        );
        let col = Collection::decode(&b, 6848, ctx).unwrap();
        assert_eq!(col.header.collection_size, 4096);
        assert_eq!(col.len(), 3);
        assert_eq!(col.data(&b, 1), Some(&b"hello"[..]));
        assert_eq!(col.data(&b, 2), Some(&b"0123456789"[..]));
        assert_eq!(col.data(&b, 3), Some(&b""[..]));
        assert_eq!(col.data(&b, 4), None);
        assert_eq!(col.get(0), None);
        let o = col.get(2).unwrap();
        assert_eq!(
            (o.reference_count, o.size, o.data_offset),
            (1, 10, 16 + 24 + 16 + 16)
        );
        let idx: Vec<u16> = col.objects().map(|o| o.index).collect();
        assert_eq!(idx, [1, 2, 3]);
        // Free space: everything after the three objects (24 + 16 + 32 bytes) and the header.
        assert_eq!(col.free_space, 4096 - 16 - 24 - 16 - 32);
    }

    #[test]
    fn four_byte_lengths_and_implied_free_space() {
        // Object headers are still 16 bytes (12 padded to 8); 8 bytes left at the end are too
        // few for object 0's header, so it is implied.
        let b = collection(C4, 16 + 16 + 8 + 8, &[(7, 1, b"abc")]);
        let col = Collection::decode(&b, 0, C4).unwrap();
        assert_eq!(col.data(&b, 7), Some(&b"abc"[..]));
        assert_eq!(col.get(7).unwrap().data_offset, 32);
        assert_eq!(col.free_space, 8);
        // No free space at all.
        let b = collection(C4, 16 + 16 + 8, &[(1, 1, b"abcdefgh")]);
        let col = Collection::decode(&b, 0, C4).unwrap();
        assert_eq!(col.data(&b, 1), Some(&b"abcdefgh"[..]));
        assert_eq!(col.free_space, 0);
    }

    #[test]
    fn errors() {
        let ctx = Ctx::DEFAULT;
        let b = collection(ctx, 256, &[(1, 0, b"hello")]);
        let mut bad = b.clone();
        bad[0] = b'X';
        let e = Collection::decode(&bad, 100, ctx).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::BadSignature, "global heap collection", 100)
        );
        let mut bad = b.clone();
        bad[4] = 0;
        let e = Collection::decode(&bad, 100, ctx).unwrap_err();
        assert_eq!(
            e,
            Error::format(
                FormatErrorKind::BadVersion,
                "global heap collection version",
                104
            )
        );
        // The bytes end before the declared collection size.
        let e = Collection::decode(&b[..255], 100, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        let e = CollectionHeader::decode(&b[..12], 100, ctx).unwrap_err();
        assert_eq!(e.format_kind(), Some(FormatErrorKind::Truncated));
        // Collection size smaller than its own header.
        let mut bad = b.clone();
        bad[8..16].copy_from_slice(&8u64.to_le_bytes());
        let e = Collection::decode(&bad, 100, ctx).unwrap_err();
        assert_eq!(e, Error::invalid("global heap collection size", 108));
        // An object whose data runs past the end of the collection.
        let mut bad = b.clone();
        bad[24..32].copy_from_slice(&300u64.to_le_bytes());
        let e = Collection::decode(&bad, 100, ctx).unwrap_err();
        assert_eq!(
            e,
            Error::format(FormatErrorKind::Truncated, "global heap object", 116)
        );
        // A repeated index.
        let b2 = collection(ctx, 256, &[(1, 0, b"a"), (1, 0, b"b")]);
        let e = Collection::decode(&b2, 0, ctx).unwrap_err();
        assert_eq!(e, Error::invalid("global heap object index (repeated)", 40));
        // Object 0 claiming more than what is left.
        let mut bad = b.clone();
        bad[40 + 8..40 + 16].copy_from_slice(&1000u64.to_le_bytes());
        let e = Collection::decode(&bad, 0, ctx).unwrap_err();
        assert_eq!(e, Error::invalid("global heap free space size", 48));
    }

    #[test]
    fn heap_id() {
        let mut b = 77184u32.to_le_bytes().to_vec();
        b.extend_from_slice(&69u32.to_le_bytes());
        b.extend_from_slice(&[0; 8]);
        let mut c = Cursor::new(&b, 0, "vlen");
        let id = GlobalHeapId::decode(&mut c, C4).unwrap();
        assert_eq!(
            id,
            GlobalHeapId {
                collection: Some(Addr(77184)),
                index: 69
            }
        );
        let id = GlobalHeapId::decode(&mut c, C4).unwrap();
        assert_eq!(id.collection, None);
        assert_eq!(GlobalHeapId::size(Ctx::DEFAULT), 12);
        assert_eq!(
            GlobalHeapId::decode(&mut c, C4).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }
}
