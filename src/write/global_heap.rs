//! Writing global heap collections: the storage of variable-length data (vlen strings and
//! sequences of datasets and attributes). Spec: "Global Heap" (III.E), "Global Heap ID".
//!
//! [`GlobalHeapWriter::add`] appends an object to the open collection and returns its heap ID
//! at once: a collection's file space is allocated from the [`Sink`] when the collection is
//! opened, so its address is known before its bytes are. A collection that cannot take the
//! next object is written and a new one opened; [`GlobalHeapWriter::finish`] writes the last.
//!
//! Sizes as libhdf5 2.0 chooses them for a new collection: `max(4096, header + object)` (a
//! 5000-byte string gets a collection of exactly 5032 bytes, with no free-space object).
//! libhdf5 also grows a collection in place when it is the last block of the file (h5py vlen
//! writes of ~15 KB give one 32768-byte collection); that is not done here, but
//! [`GlobalHeapWriter::with_collection_size`] opens larger collections.

use super::Sink;
use crate::error::{Error, Result};
use crate::format::heap::global::{
    encode_free_space, encode_object, object_stored_size, CollectionHeader, GlobalHeapId,
    MIN_COLLECTION_SIZE,
};
use crate::format::{Addr, Ctx, Encoder};
use alloc::vec::Vec;

/// The collection being filled.
#[derive(Debug, Clone)]
struct Open {
    addr: Addr,
    size: u64,
    enc: Encoder,
    next_index: u16,
}

/// Appends objects to global heap collections.
#[derive(Debug, Clone)]
pub struct GlobalHeapWriter {
    ctx: Ctx,
    min_size: u64,
    reference_count: u16,
    open: Option<Open>,
    written: Vec<Addr>,
}

fn too_big() -> Error {
    Error::Usage(alloc::string::String::from(
        "global heap object larger than the address space",
    ))
}

impl GlobalHeapWriter {
    /// A writer with libhdf5's minimum collection size (4096 bytes).
    pub fn new(ctx: Ctx) -> Self {
        Self::with_collection_size(ctx, MIN_COLLECTION_SIZE)
    }

    /// A writer whose new collections have at least `size` bytes (raised to 4096, rounded up
    /// to a multiple of 8); an object that needs more gets a collection of its own size.
    pub fn with_collection_size(ctx: Ctx, size: u64) -> Self {
        GlobalHeapWriter {
            ctx,
            min_size: size.max(MIN_COLLECTION_SIZE).next_multiple_of(8),
            reference_count: 0,
            open: None,
            written: Vec::new(),
        }
    }

    /// Store `reference_count` in the objects added from now on (libhdf5 2.0 writes 0 for
    /// vlen data, the default here).
    pub fn set_reference_count(&mut self, reference_count: u16) {
        self.reference_count = reference_count;
    }

    /// Addresses of the collections opened so far, in order (the last may still be open).
    pub fn collections(&self) -> Vec<Addr> {
        let mut v = self.written.clone();
        v.extend(self.open.as_ref().map(|o| o.addr));
        v
    }

    /// Add `data` as a new object and return its heap ID (collection address and index, as a
    /// vlen element or a region reference stores it). Allocates a new collection from `sink`
    /// (after writing the full one) when the open collection has no room left.
    ///
    /// # Errors
    /// Those of the sink; [`Error::Usage`] when the object would pass the address space.
    pub fn add<S: Sink + ?Sized>(&mut self, sink: &mut S, data: &[u8]) -> Result<GlobalHeapId> {
        let need = object_stored_size(self.ctx, data.len() as u64).ok_or_else(too_big)?;
        let fits = self.open.as_ref().is_some_and(|o| {
            o.next_index != 0 && (o.enc.len() as u64).saturating_add(need) <= o.size
        });
        if !fits {
            self.close(sink)?;
            let hdr = CollectionHeader::size(self.ctx) as u64;
            let size = hdr
                .checked_add(need)
                .ok_or_else(too_big)?
                .max(self.min_size);
            let addr = sink.alloc(size)?;
            let mut enc = Encoder::new(self.ctx);
            CollectionHeader {
                collection_size: size,
            }
            .encode(&mut enc);
            self.open = Some(Open {
                addr,
                size,
                enc,
                next_index: 1,
            });
        }
        let o = self.open.as_mut().ok_or_else(too_big)?;
        let index = o.next_index;
        encode_object(&mut o.enc, index, self.reference_count, data);
        // After index 65535 the collection is full (index 0 is the free space).
        o.next_index = o.next_index.wrapping_add(1);
        Ok(GlobalHeapId {
            collection: Some(o.addr),
            index: u32::from(index),
        })
    }

    /// Write the open collection, with its free space as object 0.
    fn close<S: Sink + ?Sized>(&mut self, sink: &mut S) -> Result<()> {
        if let Some(mut o) = self.open.take() {
            let free = o.size.saturating_sub(o.enc.len() as u64);
            encode_free_space(&mut o.enc, free);
            sink.write(o.addr, o.enc.as_bytes())?;
            self.written.push(o.addr);
        }
        Ok(())
    }

    /// Write the open collection and return the addresses of all collections written.
    ///
    /// # Errors
    /// Those of the sink.
    pub fn finish<S: Sink + ?Sized>(mut self, sink: &mut S) -> Result<Vec<Addr>> {
        self.close(sink)?;
        Ok(self.written)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::format::heap::global::Collection;
    use crate::write::{FileSpace, Writer};
    use alloc::vec;

    #[test]
    fn sizes_like_libhdf5() {
        let ctx = Ctx::DEFAULT;
        let mut w = Writer::new(Vec::new(), 0, ctx, FileSpace::new(0));
        let mut g = GlobalHeapWriter::new(ctx);
        let big = g.add(&mut w, &vec![b'x'; 5000]).unwrap();
        let a = g.add(&mut w, b"zzzzzzzzzz").unwrap();
        let b = g.add(&mut w, b"yyy").unwrap();
        let c = g.add(&mut w, &vec![b'w'; 4070]).unwrap();
        assert_eq!(big.collection, Some(Addr(0)));
        assert_eq!((a.collection, a.index), (Some(Addr(5032)), 1));
        assert_eq!((b.collection, b.index), (Some(Addr(5032)), 2));
        assert_eq!((c.collection, c.index), (Some(Addr(5032 + 4096)), 1));
        let cols = g.finish(&mut w).unwrap();
        assert_eq!(cols, [Addr(0), Addr(5032), Addr(9128)]);
        let f = w.into_dest();
        assert_eq!(f.len(), 5032 + 4096 + 4104);
        let col = Collection::decode(&f[5032..], 5032, ctx).unwrap();
        assert_eq!(col.header.collection_size, 4096);
        assert_eq!(col.data(&f[5032..], 2), Some(&b"yyy"[..]));
        assert_eq!(col.free_space, 4096 - 16 - 32 - 24);
        let col = Collection::decode(&f, 0, ctx).unwrap();
        assert_eq!(col.free_space, 0);
        assert_eq!(col.data(&f, 1).unwrap().len(), 5000);
    }
}
