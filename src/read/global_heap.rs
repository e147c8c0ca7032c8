//! Reading global heap collections: the storage of variable-length data. Spec: "Global Heap".

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::heap::global::{Collection, CollectionHeader};
use crate::format::Addr;
use crate::read::Reader;
use alloc::collections::btree_map::{BTreeMap, Entry};
use alloc::vec::Vec;

/// A global heap collection read into memory, with its objects indexed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlobalHeapCollection {
    /// Address of the collection.
    pub addr: Addr,
    /// The decoded collection (header and object lookup).
    pub collection: Collection,
    data: Vec<u8>,
}

impl GlobalHeapCollection {
    /// Read the collection at `addr`: its header first, then the whole collection.
    ///
    /// # Errors
    /// Those of [`Collection::decode`]; `OutOfBounds` when the collection runs past the end
    /// of the file; `LimitExceeded` when it is larger than [`crate::Limits::max_alloc`].
    pub fn read(r: &Reader, addr: Addr) -> Result<Self> {
        let what = "global heap collection";
        let hdr = r.block(addr, CollectionHeader::size(r.ctx) as u64, what)?;
        let header = CollectionHeader::decode(&hdr, addr.0, r.ctx)?;
        let data = r.block(addr, header.collection_size, what)?.into_owned();
        let collection = Collection::decode(&data, addr.0, r.ctx)?;
        Ok(GlobalHeapCollection {
            addr,
            collection,
            data,
        })
    }

    /// The data of the object with heap object index `index`.
    ///
    /// # Errors
    /// `InvalidValue` at the collection's address when no object has that index (a dangling
    /// heap ID; index 0, the free space, is never an object).
    pub fn object(&self, index: u32) -> Result<&[u8]> {
        u16::try_from(index)
            .ok()
            .and_then(|i| self.collection.data(&self.data, i))
            .ok_or(Error::format(
                FormatErrorKind::InvalidValue,
                "global heap object index (no such object)",
                self.addr.0,
            ))
    }
}

/// A cache of the global heap collections read so far, by address: reading many vlen values
/// touches each collection once.
#[derive(Debug, Clone, Default)]
pub struct GlobalHeaps {
    collections: BTreeMap<Addr, GlobalHeapCollection>,
}

impl GlobalHeaps {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    /// The collection at `addr`, read on first use.
    ///
    /// # Errors
    /// Those of [`GlobalHeapCollection::read`].
    pub fn collection(&mut self, r: &Reader, addr: Addr) -> Result<&GlobalHeapCollection> {
        Ok(match self.collections.entry(addr) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(v) => v.insert(GlobalHeapCollection::read(r, addr)?),
        })
    }

    /// The data of object `index` in the collection at `addr`.
    ///
    /// # Errors
    /// Those of [`GlobalHeapCollection::read`] and [`GlobalHeapCollection::object`].
    pub fn object(&mut self, r: &Reader, addr: Addr, index: u32) -> Result<&[u8]> {
        self.collection(r, addr)?.object(index)
    }

    /// Number of collections held.
    pub fn len(&self) -> usize {
        self.collections.len()
    }

    /// True when no collection is held.
    pub fn is_empty(&self) -> bool {
        self.collections.is_empty()
    }

    /// Drop every cached collection.
    pub fn clear(&mut self) {
        self.collections.clear();
    }
}
