//! Traversals of linked structures on an in-memory file image: the engine's readers follow
//! addresses from one block to the next, so cycles, depth and node counts are exercised here
//! (with tight limits). Input: `[which][ctx][addr u32][param part][image...]`; HDF5 address 0
//! is the first byte of the image. By `which`:
//! - 0: a v2 B-tree at `addr` (params: rank, chunk size width, then keys to search): walk all
//!   records, then search;
//! - 1: a fractal heap at `addr`; the params are heap IDs to read;
//! - 2: a group's v1 B-tree at `addr` (params: local heap address u32): list the entries and
//!   look their names up in the heap;
//! - 3: a chunk v1 B-tree at `addr` (params: layout dimensions as u32s): walk and find;
//! - 4: a local heap at `addr` (params: name offsets as u16s);
//! - 5: a global heap collection at `addr` (params: object indexes as u16s);
//! - 6: a chunk index (params: `[filtered][dataspace part][layout message...]`): walk all chunks
//!   and those of two sub-regions.
#![no_main]

use h5oxide::format::btree::v2::{Key, RecordParams};
use h5oxide::format::message::dataspace::Dataspace;
use h5oxide::format::message::layout::LayoutMessage;
use h5oxide::format::{Addr, Cursor};
use h5oxide::read::btree_v1::{group_entries, ChunkBTreeV1};
use h5oxide::read::btree_v2::BTreeV2;
use h5oxide::read::chunk_index::{self, ChunkRegion};
use h5oxide::read::fractal_heap::FractalHeap;
use h5oxide::read::global_heap::{GlobalHeapCollection, GlobalHeaps};
use h5oxide::read::local_heap::LocalHeap;
use h5oxide_fuzz::{ctx, reader, Input};
use libfuzzer_sys::fuzz_target;

/// Most items taken from one walk (the limits bound the blocks read, not the items).
const MAX_ITEMS: usize = 1 << 16;

fuzz_target!(|data: &[u8]| {
    let mut i = Input::new(data);
    let which = i.u8();
    let ctx = ctx(i.u8());
    let addr = Addr(u64::from(i.u32()));
    let mut params = Input::new(i.part());
    let r = reader(i.rest(), ctx);
    match which % 7 {
        0 => {
            let rank = params.u8();
            let width = params.u8();
            let p = RecordParams {
                rank: (rank != 0).then_some(rank),
                chunk_size_width: (width != 0).then_some(width),
            };
            let Ok(t) = BTreeV2::open_with(&r, addr, p) else {
                return;
            };
            for rec in t.records(&r).take(MAX_ITEMS) {
                if rec.is_err() {
                    break;
                }
            }
            let scaled = [u64::from(params.u8()), u64::from(params.u8())];
            let k = params.u64();
            for key in [
                Key::Hash(k as u32),
                Key::CreationOrder(k),
                Key::HugeId(k),
                Key::HugeAddr(Addr(k)),
                Key::Scaled(&scaled[..usize::from(rank.clamp(1, 2))]),
            ] {
                if let Ok(it) = t.search(&r, key) {
                    for rec in it.take(MAX_ITEMS) {
                        if rec.is_err() {
                            break;
                        }
                    }
                }
            }
        }
        1 => {
            let Ok(h) = FractalHeap::open(&r, addr) else {
                return;
            };
            let len = usize::from(h.header().heap_id_len).max(1);
            for id in params.rest().chunks(len).take(64) {
                let _ = h.get(&r, id);
            }
        }
        2 => {
            let heap = Addr(u64::from(params.u32()));
            let Ok(entries) = group_entries(&r, addr) else {
                return;
            };
            if let Ok(h) = LocalHeap::read(&r, heap) {
                for e in entries.iter().take(MAX_ITEMS) {
                    let _ = h.name(e.name_offset);
                }
            }
        }
        3 => {
            let mut dims = Vec::new();
            while !params.is_empty() && dims.len() < 34 {
                dims.push(u64::from(params.u32()));
            }
            let Ok(t) = ChunkBTreeV1::new(addr, &dims) else {
                return;
            };
            let mut first = None;
            for rec in t.iter(&r).take(MAX_ITEMS) {
                match rec {
                    Ok(rec) => {
                        first.get_or_insert(rec.offset);
                    }
                    Err(_) => break,
                }
            }
            let off = first.unwrap_or_else(|| vec![0; t.rank()]);
            let _ = t.find(&r, &off);
        }
        4 => {
            let Ok(h) = LocalHeap::read(&r, addr) else {
                return;
            };
            while !params.is_empty() {
                let _ = h.name(u64::from(params.u16()));
            }
        }
        5 => {
            if let Ok(c) = GlobalHeapCollection::read(&r, addr) {
                let mut p = params;
                while !p.is_empty() {
                    let _ = c.object(u32::from(p.u16()));
                }
            }
            let mut heaps = GlobalHeaps::new();
            while !params.is_empty() {
                let _ = heaps.object(&r, addr, u32::from(params.u16()));
            }
        }
        _ => {
            let filtered = params.u8() & 1 != 0;
            let space = params.part();
            let layout = params.rest();
            let Ok(space) = Dataspace::decode(&mut Cursor::new(space, 0, "dataspace"), ctx) else {
                return;
            };
            let Ok(layout) = LayoutMessage::decode(&mut Cursor::new(layout, 0, "layout"), ctx)
            else {
                return;
            };
            let Ok(index) = chunk_index::open(&r, &layout, &space, filtered) else {
                return;
            };
            let rank = space.dims.len();
            let regions = [
                ChunkRegion::all(rank),
                ChunkRegion {
                    lo: vec![0; rank],
                    hi: vec![0; rank],
                },
                ChunkRegion {
                    lo: vec![1; rank],
                    hi: vec![u64::MAX; rank],
                },
            ];
            for region in &regions {
                for c in index.chunks(&r, region).take(MAX_ITEMS) {
                    if c.is_err() {
                        break;
                    }
                }
            }
        }
    }
});
