//! The heap and symbol-table writers: structures written into a `Writer<Vec<u8>>` read back
//! with the reader, and rebuilt from h5py/libhdf5 fixtures for byte (or placement) identity.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::format::btree::v2::{BTreeType, Record, RecordParams};
use h5oxide::format::heap::local::LocalHeapHeader;
use h5oxide::format::superblock::Superblock;
use h5oxide::format::symbol_table::{Scratch, SymbolTableEntry, SymbolTableNode};
use h5oxide::format::{Addr, Ctx, Cursor, Encoder};
use h5oxide::read::btree_v1::group_entries;
use h5oxide::read::btree_v2::BTreeV2;
use h5oxide::read::fractal_heap::FractalHeap;
use h5oxide::read::global_heap::GlobalHeaps;
use h5oxide::read::local_heap::LocalHeap;
use h5oxide::read::Reader;
use h5oxide::write::fractal_heap::{FractalHeapWriter, HeapParams};
use h5oxide::write::global_heap::GlobalHeapWriter;
use h5oxide::write::local_heap::LocalHeapBuilder;
use h5oxide::write::{FileSpace, Sink, Writer};
use h5oxide::Limits;
use serde_json::Value;
use std::sync::Arc;

fn unit(name: &str) -> String {
    format!("{}/testdata/unit/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(unit(name)).unwrap()
}

fn reader(b: Vec<u8>) -> Reader {
    let sb = Superblock::decode(&b, 0).unwrap();
    Reader::new(Arc::new(b), 0, sb.ctx, Limits::default()).unwrap()
}

fn writer(ctx: Ctx) -> Writer<Vec<u8>> {
    // Leave room at 0 so that no structure sits at address 0.
    Writer::new(Vec::new(), 0, ctx, FileSpace::new(64))
}

fn read_back(w: Writer<Vec<u8>>, ctx: Ctx) -> Reader {
    Reader::new(Arc::new(w.into_dest()), 0, ctx, Limits::default()).unwrap()
}

fn scan(b: &[u8], sig: &[u8; 4]) -> Vec<u64> {
    b.windows(4)
        .enumerate()
        .filter(|(_, w)| w == sig)
        .map(|(i, _)| i as u64)
        .collect()
}

// ---------------------------------------------------------------- local heaps

#[test]
fn local_heap_with_hundreds_of_names() {
    for ctx in [
        Ctx::DEFAULT,
        Ctx {
            offset_size: 4,
            length_size: 4,
        },
    ] {
        let mut b = LocalHeapBuilder::new(ctx);
        let names: Vec<String> = (0..700)
            .map(|i| format!("n{i}_{}", "abc".repeat(i % 29)))
            .collect();
        let offs: Vec<u64> = names.iter().map(|n| b.add(n.as_bytes()).unwrap()).collect();
        let mut w = writer(ctx);
        let at = b.write(&mut w).unwrap();
        let r = read_back(w, ctx);
        let heap = LocalHeap::read(&r, at).unwrap();
        assert_eq!(heap.name(0).unwrap(), b"");
        for (o, n) in offs.iter().zip(&names) {
            assert_eq!(heap.name(*o).unwrap(), n.as_bytes());
        }
        assert_eq!(heap.header.data_segment_size, b.data_segment_size());
    }
}

/// The names of the root group of `heaps_old_*.h5` in the order libhdf5 inserted them (see
/// `fill_group` of `testdata/unit/gen_heaps_old.py`): a soft link's name, then its value.
fn root_insertions(n: usize) -> Vec<String> {
    let mut v: Vec<String> = ["target", "sub", "empty"].map(String::from).to_vec();
    for i in 0..n {
        v.push(format!("link{:04}", (i * 7919) % n));
        if i % 10 == 3 {
            v.push(format!("/target/soft{i}"));
        }
    }
    v
}

/// Rebuild the local heaps of h5py-written old-style groups from their names: the same data
/// segment bytes and the same header (libhdf5 2.0, 8- and 4-byte widths).
#[test]
fn local_heaps_rebuilt_like_libhdf5() {
    for (file, json) in [
        ("heaps_old_group.h5", "heaps_old_group.json"),
        ("heaps_old_off4.h5", "heaps_old_off4.json"),
    ] {
        let b = bytes(file);
        let sb = Superblock::decode(&b, 0).unwrap();
        let ctx = sb.ctx;
        let r = reader(b.clone());
        let oracle: Value = serde_json::from_slice(&bytes(json)).unwrap();
        let mut root = root_insertions(300);
        if file == "heaps_old_off4.h5" {
            // `gen_off4` then adds the chunked and vlen datasets to the same root group.
            root.extend(["grid", "line", "cube", "strings"].map(String::from));
        }
        let groups: [(&str, Vec<String>); 3] = [
            ("root", root),
            ("sub", vec!["a".into(), "b".into(), "/target".into()]),
            ("empty", vec![]),
        ];
        for (g, names) in groups {
            let heap_addr = Addr(oracle[g]["heap"].as_u64().unwrap());
            let theirs = LocalHeap::read(&r, heap_addr).unwrap();
            let mut mine = LocalHeapBuilder::new(ctx);
            for n in &names {
                mine.add(n.as_bytes()).unwrap();
            }
            let want = LocalHeapHeader {
                data_segment: theirs.header.data_segment,
                ..mine.header(theirs.header.data_segment)
            };
            assert_eq!(theirs.header, want, "{file} {g}");
            assert_eq!(theirs.data(), &mine.data_segment()[..], "{file} {g}");
            // A heap never grown sits right after its header, as written here.
            if g != "root" {
                let mut e = Encoder::new(ctx);
                let hdr = LocalHeapHeader::size(ctx).next_multiple_of(8);
                let mut w = Writer::new(Vec::new(), 0, ctx, FileSpace::new(heap_addr.0));
                assert_eq!(mine.write(&mut w).unwrap(), heap_addr);
                let out = w.into_dest();
                mine.header(Addr(heap_addr.0 + hdr as u64)).encode(&mut e);
                let a = heap_addr.0 as usize;
                assert_eq!(&out[a..a + e.len()], &b[a..a + e.len()], "{file} {g}");
                assert_eq!(
                    &out[a + hdr..],
                    &b[a + hdr..a + hdr + mine.data_segment_size() as usize]
                );
            }
        }
    }
}

// ---------------------------------------------------------------- symbol table nodes

/// Every SNOD of the h5py old-style group files re-encodes to the same bytes (room for
/// 2K = 8 entries, unused entries zeroed).
#[test]
fn symbol_table_nodes_reencode_byte_identical() {
    let mut checked = 0;
    for file in ["heaps_old_group.h5", "heaps_old_off4.h5"] {
        let b = bytes(file);
        let ctx = Superblock::decode(&b, 0).unwrap().ctx;
        let size = SymbolTableNode::disk_size(ctx, 4);
        for at in scan(&b, b"SNOD") {
            let at = at as usize;
            let node = SymbolTableNode::decode(&b[at..], at as u64, ctx).unwrap();
            let mut e = Encoder::new(ctx);
            node.encode(&mut e, 4).unwrap();
            assert_eq!(e.as_bytes(), &b[at..at + size], "{file} SNOD at {at}");
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}

/// The root symbol table entry of a version 0 superblock re-encodes to the same bytes.
#[test]
fn superblock_root_entry_reencodes() {
    let b = bytes("heaps_old_group.h5");
    let ctx = Superblock::decode(&b, 0).unwrap().ctx;
    let at = 8 + 16 + 4 * usize::from(ctx.offset_size);
    let n = SymbolTableEntry::size(ctx);
    let mut c = Cursor::new(&b[at..at + n], at as u64, "root entry");
    let entry = SymbolTableEntry::decode(&mut c, ctx).unwrap();
    assert!(matches!(entry.scratch, Scratch::Group { .. }));
    let mut e = Encoder::new(ctx);
    entry.encode(&mut e).unwrap();
    assert_eq!(e.as_bytes(), &b[at..at + n]);
}

/// A group written from scratch: a local heap and one SNOD, read back through the entries.
#[test]
fn written_node_and_heap_read_back() {
    let ctx = Ctx::DEFAULT;
    let mut heap = LocalHeapBuilder::new(ctx);
    let mut entries = Vec::new();
    for (i, name) in ["alpha", "beta", "gamma", "soft"].iter().enumerate() {
        let name_offset = heap.add(name.as_bytes()).unwrap();
        let (object_header, scratch) = if *name == "soft" {
            let v = heap.add(b"/alpha").unwrap();
            (
                None,
                Scratch::SoftLink {
                    value_offset: v as u32,
                },
            )
        } else {
            (Some(Addr(0x1000 + i as u64 * 0x100)), Scratch::None)
        };
        entries.push(SymbolTableEntry {
            name_offset,
            object_header,
            scratch,
        });
    }
    let node = SymbolTableNode { entries };
    let mut w = writer(ctx);
    let heap_at = heap.write(&mut w).unwrap();
    let mut e = Encoder::new(ctx);
    node.encode(&mut e, 4).unwrap();
    let node_at = w.put(e.as_bytes()).unwrap();
    let r = read_back(w, ctx);
    let lh = LocalHeap::read(&r, heap_at).unwrap();
    let data = r
        .block(node_at, SymbolTableNode::disk_size(ctx, 4) as u64, "t")
        .unwrap();
    let back = SymbolTableNode::decode(&data, node_at.0, ctx).unwrap();
    assert_eq!(back, node);
    let names: Vec<&[u8]> = back
        .entries
        .iter()
        .map(|e| lh.name(e.name_offset).unwrap())
        .collect();
    assert_eq!(names, [&b"alpha"[..], b"beta", b"gamma", b"soft"]);
    let Scratch::SoftLink { value_offset } = back.entries[3].scratch else {
        panic!()
    };
    assert_eq!(lh.name(u64::from(value_offset)).unwrap(), b"/alpha");
}

/// The old-style root group rebuilt from the fixture's names reads back through the group
/// B-tree's entries of the fixture (the name offsets agree).
#[test]
fn rebuilt_root_heap_serves_the_fixture_entries() {
    let b = bytes("heaps_old_group.h5");
    let r = reader(b);
    let oracle: Value = serde_json::from_slice(&bytes("heaps_old_group.json")).unwrap();
    let mut mine = LocalHeapBuilder::new(r.ctx);
    for n in root_insertions(300) {
        mine.add(n.as_bytes()).unwrap();
    }
    let mut w = writer(r.ctx);
    let at = mine.write(&mut w).unwrap();
    let r2 = read_back(w, r.ctx);
    let lh = LocalHeap::read(&r2, at).unwrap();
    let entries = group_entries(&r, Addr(oracle["root"]["btree"].as_u64().unwrap())).unwrap();
    let links = oracle["root"]["links"].as_array().unwrap();
    for (e, l) in entries.iter().zip(links) {
        assert_eq!(
            lh.name(e.name_offset).unwrap(),
            l["name"].as_str().unwrap().as_bytes()
        );
    }
}

// ---------------------------------------------------------------- global heaps

#[test]
fn global_heap_objects_across_collections() {
    let ctx = Ctx::DEFAULT;
    let mut w = writer(ctx);
    let mut g = GlobalHeapWriter::new(ctx);
    let mut objs: Vec<Vec<u8>> = (0..500u32)
        .map(|i| (0..(i * 37) % 300).map(|j| (i + j) as u8).collect())
        .collect();
    objs.insert(250, vec![0xab; 9000]);
    objs.insert(10, vec![]);
    let ids: Vec<_> = objs.iter().map(|o| g.add(&mut w, o).unwrap()).collect();
    let cols = g.finish(&mut w).unwrap();
    assert!(cols.len() > 10, "{}", cols.len());
    let r = read_back(w, ctx);
    let mut heaps = GlobalHeaps::new();
    for (id, o) in ids.iter().zip(&objs) {
        let got = heaps
            .object(&r, id.collection.unwrap(), id.index)
            .unwrap()
            .to_vec();
        assert_eq!(&got, o);
    }
    assert_eq!(heaps.len(), cols.len());
    // The big object has a collection of its own size.
    let big = ids[251];
    let c = heaps.collection(&r, big.collection.unwrap()).unwrap();
    assert_eq!(c.collection.header.collection_size, 16 + 16 + 9000);
    assert_eq!(c.collection.len(), 1);
    for a in &cols {
        let c = heaps.collection(&r, *a).unwrap();
        assert!(c.collection.header.collection_size >= 4096);
    }
}

#[test]
fn global_heap_four_byte_widths_and_larger_collections() {
    let ctx = Ctx {
        offset_size: 4,
        length_size: 4,
    };
    let mut w = writer(ctx);
    let mut g = GlobalHeapWriter::with_collection_size(ctx, 32768);
    let ids: Vec<_> = (0..1000u32)
        .map(|i| g.add(&mut w, format!("string {i}").as_bytes()).unwrap())
        .collect();
    let cols = g.finish(&mut w).unwrap();
    assert_eq!(cols.len(), 1);
    let r = read_back(w, ctx);
    let mut heaps = GlobalHeaps::new();
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(id.index, i as u32 + 1);
        let got = heaps.object(&r, id.collection.unwrap(), id.index).unwrap();
        assert_eq!(got, format!("string {i}").as_bytes());
    }
}

// ---------------------------------------------------------------- fractal heaps

/// A link message and the heap ID libhdf5 gave it.
type Stored = (Vec<u8>, [u8; 7]);

/// The link messages of an h5py dense group in creation order, with libhdf5's heap IDs.
fn dense_links(file: &str) -> (Vec<Stored>, FractalHeap) {
    let b = bytes(file);
    let r = reader(b.clone());
    let heaps = scan(&b, b"FRHP");
    assert_eq!(heaps.len(), 1);
    let heap = FractalHeap::open(&r, Addr(heaps[0])).unwrap();
    let params = RecordParams::default();
    let tree = scan(&b, b"BTHD")
        .into_iter()
        .map(|a| BTreeV2::open_with(&r, Addr(a), params).unwrap())
        .find(|t| t.btree_type() == BTreeType::LINK_CREATION_ORDER)
        .unwrap();
    let mut recs: Vec<(u64, [u8; 7])> = tree
        .records(&r)
        .map(|rec| match rec.unwrap() {
            Record::LinkCreationOrder { order, heap_id } => (order, heap_id),
            other => panic!("{other:?}"),
        })
        .collect();
    recs.sort();
    let out = recs
        .into_iter()
        .map(|(_, id)| (heap.get(&r, &id).unwrap(), id))
        .collect();
    (out, heap)
}

/// Rebuild the link heaps of h5py dense groups (200 and 2000 links, creation order tracked)
/// from their link messages in creation order: every object gets the heap ID libhdf5 gave it,
/// and the heap geometry fields agree.
#[test]
fn fractal_link_heaps_place_objects_like_libhdf5() {
    for file in ["heaps_new_links.h5", "heaps_new_manylinks.h5"] {
        let (links, theirs) = dense_links(file);
        let ctx = Ctx::DEFAULT;
        let mut w = FractalHeapWriter::new(ctx, HeapParams::LINKS).unwrap();
        let mut mismatched = 0;
        let mut ids = Vec::new();
        for (msg, id) in &links {
            let mine = w.add(msg).unwrap();
            if mine != id[..] {
                mismatched += 1;
            }
            ids.push(mine);
        }
        let mut out = writer(ctx);
        let at = w.finish(&mut out).unwrap();
        let r = read_back(out, ctx);
        let heap = FractalHeap::open(&r, at).unwrap();
        for ((msg, _), id) in links.iter().zip(&ids) {
            assert_eq!(&heap.get(&r, id).unwrap(), msg);
        }
        let (h, t) = (heap.header(), theirs.header());
        assert_eq!(mismatched, 0, "{file}: heap IDs differing from libhdf5's");
        assert_eq!(
            (
                h.managed_space,
                h.allocated_managed_space,
                h.direct_block_iterator,
                h.managed_objects,
                h.current_root_rows,
            ),
            (
                t.managed_space,
                t.allocated_managed_space,
                t.direct_block_iterator,
                t.managed_objects,
                t.current_root_rows,
            ),
            "{file}"
        );
        assert_eq!(h.free_space, t.free_space, "{file} free space");
    }
}

/// Write `objs` into a new heap with parameters `p`, read every object back by its ID.
fn fractal_write_read(p: HeapParams, objs: &[Vec<u8>]) -> (FractalHeap, Vec<Vec<u8>>, u32) {
    let ctx = Ctx::DEFAULT;
    let mut h = FractalHeapWriter::new(ctx, p).unwrap();
    let ids: Vec<Vec<u8>> = objs.iter().map(|o| h.add(o).unwrap()).collect();
    let rows = h.root_rows();
    let mut w = writer(ctx);
    let at = h.finish(&mut w).unwrap();
    let r = read_back(w, ctx);
    let heap = FractalHeap::open(&r, at).unwrap();
    for (id, o) in ids.iter().zip(objs) {
        assert_eq!(id.len(), usize::from(p.heap_id_len));
        assert_eq!(&heap.get(&r, id).unwrap(), o);
    }
    (heap, ids, rows)
}

#[test]
fn fractal_heap_root_direct_block() {
    let objs: Vec<Vec<u8>> = (0..20)
        .map(|i| format!("link message {i:02}").into_bytes())
        .collect();
    let (heap, ids, rows) = fractal_write_read(HeapParams::LINKS, &objs);
    assert_eq!(rows, 0);
    let h = heap.header();
    assert_eq!(h.current_root_rows, 0);
    assert_eq!((h.managed_space, h.allocated_managed_space), (512, 512));
    assert_eq!(h.direct_block_iterator, 0);
    assert_eq!(h.managed_objects, 20);
    assert_eq!(h.free_space, 512 - 21 - 20 * 15);
    // The first object follows the 21-byte prefix.
    assert_eq!(ids[0], [0, 21, 0, 0, 0, 15, 0]);
}

#[test]
fn fractal_heap_root_indirect_block() {
    // 2000 objects of 40-90 bytes: ~130 KiB, rows 0..7 of the link heap.
    let objs: Vec<Vec<u8>> = (0..2000u32)
        .map(|i| (0..40 + i % 51).map(|j| (i * 31 + j) as u8).collect())
        .collect();
    let (heap, _, rows) = fractal_write_read(HeapParams::LINKS, &objs);
    assert_eq!(rows, 8);
    let h = heap.header();
    assert_eq!(h.managed_space, 1 << (11 + 7));
    assert_eq!(h.managed_objects, 2000);
    let objs: Vec<Vec<u8>> = (0..300u32)
        .map(|i| vec![i as u8; 7 + (i as usize * 13) % 1500])
        .collect();
    let (heap, _, rows) = fractal_write_read(HeapParams::ATTRIBUTES, &objs);
    assert_eq!(rows, 8);
    let h = heap.header();
    // The first object (7 bytes) fits in an 8-byte ID: tiny.
    assert_eq!(
        (h.managed_objects, h.tiny_objects, h.tiny_size),
        (299, 1, 7)
    );
}

#[test]
fn fractal_heap_first_object_larger_than_the_starting_block() {
    let objs = vec![vec![7u8; 3000], vec![8u8; 100]];
    let (heap, ids, rows) = fractal_write_read(HeapParams::LINKS, &objs);
    // 3000 bytes need a 4096-byte block: rows 0-3 (512 to 2048 bytes) are skipped and the
    // object goes to row 4 (heap offset 16384); the root doubles 1 -> 2 -> 4 -> 8 rows.
    assert_eq!(rows, 8);
    assert_eq!(heap.header().allocated_managed_space, 4096);
    // The small object goes into the same block.
    assert_eq!(&ids[1][1..5], &(16384u32 + 21 + 3000).to_le_bytes());
}
