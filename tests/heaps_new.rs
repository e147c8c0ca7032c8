//! Version 2 B-trees and fractal heaps against files written by h5py 3.16 / HDF5 2.0
//! (`testdata/unit/gen_heaps_new.py`, oracle values in `heaps_new_expected.json`).
//!
//! The structures are located by scanning the file for their signatures, so these tests do not
//! depend on the object header reader.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::format::btree::v2::{BTreeType, Key, Record, RecordParams};
use h5oxide::format::checksum::lookup3;
use h5oxide::format::heap::fractal::HeapId;
use h5oxide::format::superblock::Superblock;
use h5oxide::format::Addr;
use h5oxide::read::btree_v2::BTreeV2;
use h5oxide::read::fractal_heap::FractalHeap;
use h5oxide::read::Reader;
use h5oxide::{Error, FormatErrorKind, Limits};
use std::collections::BTreeSet;
use std::sync::Arc;

fn path(name: &str) -> String {
    format!("{}/testdata/unit/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(path(name)).unwrap()
}

fn reader(b: Vec<u8>) -> Reader {
    let sb = Superblock::decode(&b, 0).unwrap();
    Reader::new(Arc::new(b), 0, sb.ctx, Limits::default()).unwrap()
}

fn expected() -> serde_json::Value {
    serde_json::from_slice(&bytes("heaps_new_expected.json")).unwrap()
}

/// Addresses of every occurrence of `sig`.
fn scan(b: &[u8], sig: &[u8; 4]) -> Vec<Addr> {
    b.windows(4)
        .enumerate()
        .filter(|(_, w)| w == sig)
        .map(|(i, _)| Addr(i as u64))
        .collect()
}

/// The only fractal heap of a file.
fn heap(b: &[u8], r: &Reader) -> FractalHeap {
    let at = scan(b, b"FRHP");
    assert_eq!(at.len(), 1, "{at:?}");
    FractalHeap::open(r, at[0]).unwrap()
}

/// The v2 B-tree of type `t` (exactly one per file).
fn tree(b: &[u8], r: &Reader, t: BTreeType, params: RecordParams) -> BTreeV2 {
    let trees: Vec<BTreeV2> = scan(b, b"BTHD")
        .into_iter()
        .map(|a| BTreeV2::open_with(r, a, params).unwrap())
        .filter(|x| x.btree_type() == t)
        .collect();
    assert_eq!(trees.len(), 1);
    trees.into_iter().next().unwrap()
}

#[derive(Debug, PartialEq)]
struct Link {
    name: String,
    order: Option<u64>,
    soft: Option<String>,
}

/// Decode a Link message (spec "Link Message") enough for the tests.
fn link(msg: &[u8]) -> Link {
    assert_eq!(msg[0], 1, "link message version");
    let flags = msg[1];
    let mut p = 2;
    let mut kind = 0;
    if flags & 0x08 != 0 {
        kind = msg[p];
        p += 1;
    }
    let mut order = None;
    if flags & 0x04 != 0 {
        order = Some(u64::from_le_bytes(msg[p..p + 8].try_into().unwrap()));
        p += 8;
    }
    if flags & 0x10 != 0 {
        p += 1;
    }
    let w = 1usize << (flags & 3);
    let mut n = 0usize;
    for (i, b) in msg[p..p + w].iter().enumerate() {
        n |= usize::from(*b) << (8 * i);
    }
    p += w;
    let name = String::from_utf8(msg[p..p + n].to_vec()).unwrap();
    p += n;
    let soft = (kind == 1).then(|| {
        let l = usize::from(u16::from_le_bytes([msg[p], msg[p + 1]]));
        String::from_utf8(msg[p + 2..p + 2 + l].to_vec()).unwrap()
    });
    Link { name, order, soft }
}

/// Decode an Attribute message (spec "Attribute Message", version 3): name and raw data.
fn attribute(msg: &[u8]) -> (String, Vec<u8>) {
    assert_eq!(msg[0], 3, "attribute message version");
    let name_size = usize::from(u16::from_le_bytes([msg[2], msg[3]]));
    let dt_size = usize::from(u16::from_le_bytes([msg[4], msg[5]]));
    let ds_size = usize::from(u16::from_le_bytes([msg[6], msg[7]]));
    let p = 9;
    let name = String::from_utf8(msg[p..p + name_size - 1].to_vec()).unwrap();
    let data = msg[p + name_size + dt_size + ds_size..].to_vec();
    (name, data)
}

fn link_heap_id(rec: &Record) -> [u8; 7] {
    match rec {
        Record::LinkName { heap_id, .. } | Record::LinkCreationOrder { heap_id, .. } => *heap_id,
        r => panic!("{r:?}"),
    }
}

#[test]
fn dense_group_links_by_name_and_creation_order() {
    let b = bytes("heaps_new_links.h5");
    let r = reader(b.clone());
    let exp = expected();
    let want_order: Vec<String> = exp["links"]["creation_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(want_order.len(), 200);
    let heap = heap(&b, &r);
    assert_eq!(heap.header().heap_id_len, 7);
    assert_eq!(heap.header().managed_objects, 200);

    // Type 5: records ordered by name hash; every name hashes to its record's hash.
    let by_name = tree(&b, &r, BTreeType::LINK_NAME, RecordParams::default());
    assert_eq!(by_name.header().total_records, 200);
    assert!(
        by_name.header().depth >= 1,
        "the fixture should need internal nodes"
    );
    let mut last = 0u32;
    let mut names = Vec::new();
    for rec in by_name.records(&r) {
        let rec = rec.unwrap();
        let Record::LinkName { hash, heap_id } = rec else {
            panic!("{rec:?}")
        };
        assert!(hash >= last);
        last = hash;
        let l = link(&heap.get(&r, &heap_id).unwrap());
        assert_eq!(lookup3(l.name.as_bytes(), 0), hash, "{}", l.name);
        let target = exp["links"]["targets"][&l.name].as_str().unwrap();
        assert_eq!(l.soft.as_deref(), Some(target));
        names.push(l.name);
    }
    let mut sorted = want_order.clone();
    sorted.sort();
    names.sort();
    assert_eq!(names, sorted);

    // Type 6: records in creation order, names in h5py's creation order.
    let by_order = tree(
        &b,
        &r,
        BTreeType::LINK_CREATION_ORDER,
        RecordParams::default(),
    );
    let recs: Vec<Record> = by_order.records(&r).map(Result::unwrap).collect();
    assert_eq!(recs.len(), 200);
    for (i, rec) in recs.iter().enumerate() {
        let Record::LinkCreationOrder { order, heap_id } = rec else {
            panic!("{rec:?}")
        };
        assert_eq!(*order, i as u64);
        let l = link(&heap.get(&r, heap_id).unwrap());
        assert_eq!(l.order, Some(i as u64));
        assert_eq!(l.name, want_order[i]);
    }

    // Keyed searches find one link without a full scan.
    for name in ["lnk000", "lnk123", "lnk199", &want_order[77]] {
        let hash = lookup3(name.as_bytes(), 0);
        let mut it = by_name.search(&r, Key::Hash(hash)).unwrap();
        let found = it
            .by_ref()
            .map(Result::unwrap)
            .map(|rec| link(&heap.get(&r, &link_heap_id(&rec)).unwrap()))
            .find(|l| l.name == name)
            .unwrap();
        assert_eq!(found.name, name);
        assert!(it.nodes_read() <= 3, "{}", it.nodes_read());
    }
    assert!(by_name
        .find(&r, Key::Hash(lookup3(b"absent", 0)))
        .unwrap()
        .is_none());
    let rec = by_order.find(&r, Key::CreationOrder(57)).unwrap().unwrap();
    assert_eq!(
        link(&heap.get(&r, &link_heap_id(&rec)).unwrap()).name,
        want_order[57]
    );
}

#[test]
fn links_heap_with_nested_indirect_blocks() {
    let b = bytes("heaps_new_biglinks.h5");
    let r = reader(b.clone());
    let heap = heap(&b, &r);
    let h = heap.header();
    let t = *heap.table();
    assert!(
        u32::from(h.current_root_rows) > t.max_direct_rows,
        "root indirect block should have indirect rows: {} <= {}",
        h.current_root_rows,
        t.max_direct_rows
    );
    let by_name = tree(&b, &r, BTreeType::LINK_NAME, RecordParams::default());
    let mut names = BTreeSet::new();
    let mut nested = 0;
    for rec in by_name.records(&r) {
        let id = link_heap_id(&rec.unwrap());
        let HeapId::Managed { offset, .. } = HeapId::decode(&id, h, r.ctx, 0).unwrap() else {
            panic!()
        };
        if t.lookup(offset).unwrap().0 >= t.max_direct_rows {
            nested += 1;
        }
        let l = link(&heap.get(&r, &id).unwrap());
        assert_eq!(l.soft.as_deref(), Some("/t"));
        names.insert(l.name);
    }
    let want: BTreeSet<String> = (0..620)
        .map(|i| {
            format!(
                "n{i:04}_{}",
                std::iter::repeat(char::from(b'a' + (i % 26) as u8))
                    .take(950)
                    .collect::<String>()
            )
        })
        .collect();
    assert_eq!(names, want);
    assert!(nested > 0, "no object in a child indirect block");
}

#[test]
fn dense_attributes_and_huge_attribute() {
    let b = bytes("heaps_new_attrs.h5");
    let r = reader(b.clone());
    let exp = expected();
    let small: Vec<(String, i32)> = exp["attrs"]["small"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_string(),
                p[1].as_i64().unwrap() as i32,
            )
        })
        .collect();
    assert_eq!(small.len(), 40);
    let huge: Vec<u8> = (0..70000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) % 251) as u8)
        .collect();
    let heap = heap(&b, &r);
    assert_eq!(heap.header().heap_id_len, 8);
    assert_eq!(heap.header().huge_objects, 1);

    // Type 9: creation order; the small ones first in h5py's order, then "huge".
    let by_order = tree(
        &b,
        &r,
        BTreeType::ATTRIBUTE_CREATION_ORDER,
        RecordParams::default(),
    );
    let mut got = Vec::new();
    for (i, rec) in by_order.records(&r).enumerate() {
        let rec = rec.unwrap();
        let Record::AttributeCreationOrder {
            heap_id,
            creation_order,
            ..
        } = rec
        else {
            panic!("{rec:?}")
        };
        assert_eq!(creation_order as usize, i);
        got.push(attribute(&heap.get(&r, &heap_id).unwrap()));
    }
    assert_eq!(got.len(), 41);
    for (i, (name, v)) in small.iter().enumerate() {
        assert_eq!(&got[i].0, name);
        assert_eq!(got[i].1, v.to_le_bytes());
    }
    assert_eq!(got[40].0, "huge");
    assert_eq!(got[40].1, huge);

    // Type 8: by name hash; the huge attribute's ID is a huge-object ID.
    let by_name = tree(&b, &r, BTreeType::ATTRIBUTE_NAME, RecordParams::default());
    let mut n = 0;
    for rec in by_name.records(&r) {
        let Record::AttributeName {
            heap_id,
            hash,
            creation_order,
            ..
        } = rec.unwrap()
        else {
            panic!()
        };
        let (name, _) = attribute(&heap.get(&r, &heap_id).unwrap());
        assert_eq!(lookup3(name.as_bytes(), 0), hash);
        assert_eq!(name, got[creation_order as usize].0);
        if name == "huge" {
            assert!(matches!(
                HeapId::decode(&heap_id, heap.header(), r.ctx, 0).unwrap(),
                HeapId::HugeIndirect { id: 1 }
            ));
        }
        n += 1;
    }
    assert_eq!(n, 41);
    let rec = by_name
        .find(&r, Key::Hash(lookup3(b"attr29", 0)))
        .unwrap()
        .unwrap();
    let Record::AttributeName { heap_id, .. } = rec else {
        panic!()
    };
    let (name, data) = attribute(&heap.get(&r, &heap_id).unwrap());
    let want = small.iter().find(|(n, _)| n == "attr29").unwrap();
    assert_eq!(
        (name.as_str(), data),
        (want.0.as_str(), want.1.to_le_bytes().to_vec())
    );

    // The huge-object B-tree (type 1) is the one the heap header names.
    let huge_tree = tree(&b, &r, BTreeType::HUGE_INDIRECT, RecordParams::default());
    assert_eq!(Some(huge_tree.addr()), heap.header().huge_btree);
    let Some(Record::HugeIndirect { len, .. }) = huge_tree.find(&r, Key::HugeId(1)).unwrap() else {
        panic!()
    };
    assert!(len > 70000);
}

#[test]
fn chunk_index_trees() {
    let b = bytes("heaps_new_chunks.h5");
    let r = reader(b.clone());
    let data: Vec<i32> = (0..100).collect();
    let all: BTreeSet<Vec<u64>> = (0..5u64)
        .flat_map(|i| (0..4u64).map(move |j| vec![i, j]))
        .collect();

    // Type 10 (record: address + 2 scaled offsets).
    let params = RecordParams::chunks(2, r.ctx.offset_size);
    let plain = tree(&b, &r, BTreeType::CHUNK, params);
    let mut seen = BTreeSet::new();
    for rec in plain.records(&r) {
        let Record::Chunk { addr, scaled } = rec.unwrap() else {
            panic!()
        };
        let raw = r.block(addr, 2 * 3 * 4, "chunk").unwrap();
        for di in 0..2u64 {
            for dj in 0..3u64 {
                let (i, j) = (scaled[0] * 2 + di, scaled[1] * 3 + dj);
                if i < 10 && j < 10 {
                    let k = (di * 3 + dj) as usize * 4;
                    let v = i32::from_le_bytes(raw[k..k + 4].try_into().unwrap());
                    assert_eq!(v, data[(i * 10 + j) as usize]);
                }
            }
        }
        seen.insert(scaled);
    }
    assert_eq!(seen, all);
    let rec = plain.find(&r, Key::Scaled(&[3, 2])).unwrap().unwrap();
    assert!(matches!(rec, Record::Chunk { ref scaled, .. } if scaled == &[3, 2]));
    assert!(plain.find(&r, Key::Scaled(&[5, 0])).unwrap().is_none());
    // Without parameters the rank is derived from the record size (8 + 2 * 8).
    let derived = BTreeV2::open(&r, plain.addr()).unwrap();
    assert_eq!(derived.records(&r).count(), 20);

    // Type 11 (layout v5 under HDF5 2.0: chunk sizes as wide as offsets).
    let gz = tree(&b, &r, BTreeType::FILTERED_CHUNK, params);
    let mut seen = BTreeSet::new();
    for rec in gz.records(&r) {
        let Record::FilteredChunk {
            addr,
            size,
            filter_mask,
            scaled,
        } = rec.unwrap()
        else {
            panic!()
        };
        assert_eq!(filter_mask, 0);
        assert!(size > 2 && size < 64, "{size}");
        let raw = r.block(addr, size, "chunk").unwrap();
        assert_eq!(raw[0], 0x78, "zlib stream header");
        seen.insert(scaled);
    }
    assert_eq!(seen, all);
    // Without parameters a type-11 tree is ambiguous.
    let at = gz.addr();
    assert!(matches!(BTreeV2::open(&r, at), Err(Error::Usage(_))));
}

#[test]
fn corrupted_real_nodes_and_blocks() {
    // A flipped byte in a real leaf node: the walk reports its checksum.
    let b = bytes("heaps_new_links.h5");
    let leaf = scan(&b, b"BTLF")[0].0 as usize;
    let mut bad = b.clone();
    bad[leaf + 8] ^= 0x10;
    let r = reader(bad.clone());
    let mut errs = Vec::new();
    for t in [BTreeType::LINK_NAME, BTreeType::LINK_CREATION_ORDER] {
        let tr = tree(&bad, &r, t, RecordParams::default());
        errs.extend(tr.records(&r).filter_map(Result::err));
    }
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert_eq!(errs[0].format_kind(), Some(FormatErrorKind::BadChecksum));

    // A flipped byte in a real direct block (its checksum covers the whole block).
    let r = reader(b.clone());
    let heap = heap(&b, &r);
    let by_name = tree(&b, &r, BTreeType::LINK_NAME, RecordParams::default());
    let ids: Vec<[u8; 7]> = by_name
        .records(&r)
        .map(|x| link_heap_id(&x.unwrap()))
        .collect();
    let db = scan(&b, b"FHDB")[0].0 as usize;
    let mut bad = b.clone();
    let last = db + heap.header().starting_block_size as usize - 1;
    bad[last] ^= 1;
    let r = reader(bad);
    let errs: Vec<Error> = ids.iter().filter_map(|id| heap.get(&r, id).err()).collect();
    assert!(!errs.is_empty());
    assert!(
        errs.iter()
            .all(|e| e.format_kind() == Some(FormatErrorKind::BadChecksum)),
        "{errs:?}"
    );

    // A truncated file: the heap header is there, its blocks are not.
    let r = reader(b[..heap.addr().0 as usize + 200].to_vec());
    let e = heap.get(&r, &ids[0]).unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::OutOfBounds));
}

#[test]
fn depth_two_trees_of_a_big_group() {
    let b = bytes("heaps_new_manylinks.h5");
    let r = reader(b.clone());
    let name = |i: u64| format!("m{:05}_{}", (i * 7919) % 2000, "x".repeat(53));
    let exp = expected();
    assert_eq!(exp["manylinks"]["first"].as_str().unwrap(), name(0));
    assert_eq!(exp["manylinks"]["last"].as_str().unwrap(), name(1999));
    let heap = heap(&b, &r);
    assert!(
        heap.header().current_root_rows > 0,
        "root should be an indirect block"
    );

    for t in [BTreeType::LINK_NAME, BTreeType::LINK_CREATION_ORDER] {
        let tr = tree(&b, &r, t, RecordParams::default());
        let h = *tr.header();
        assert_eq!(h.depth, 2, "{t}");
        assert_eq!(h.total_records, 2000);
        // The root's child pointers carry subtree totals whose width comes from the geometry:
        // they must add up to the header's total.
        let g = tr.geometry();
        let root = h.root.unwrap();
        let data = r.block(root, u64::from(h.node_size), "root").unwrap();
        let fmt = h5oxide::format::btree::v2::RecordFormat::new(
            &h,
            tr.addr().0,
            r.ctx,
            RecordParams::default(),
        )
        .unwrap();
        let node = h5oxide::format::btree::v2::Node::decode(
            &data,
            root.0,
            g,
            &fmt,
            2,
            u64::from(h.root_records),
        )
        .unwrap();
        let sum: u64 =
            node.children.iter().map(|c| c.total_records).sum::<u64>() + node.records.len() as u64;
        assert_eq!(sum, 2000, "{t}");
        assert_eq!(g.level(1).unwrap().total_width, 2);
        assert!(node.children.iter().all(|c| c.total_records > c.records));
    }

    let by_order = tree(
        &b,
        &r,
        BTreeType::LINK_CREATION_ORDER,
        RecordParams::default(),
    );
    for (i, rec) in by_order.records(&r).enumerate() {
        let rec = rec.unwrap();
        let l = link(&heap.get(&r, &link_heap_id(&rec)).unwrap());
        assert_eq!(l.name, name(i as u64));
        assert_eq!(l.order, Some(i as u64));
    }
    let by_name = tree(&b, &r, BTreeType::LINK_NAME, RecordParams::default());
    let mut names = BTreeSet::new();
    let mut last = 0;
    for rec in by_name.records(&r) {
        let rec = rec.unwrap();
        let Record::LinkName { hash, heap_id } = rec else {
            panic!()
        };
        assert!(hash >= last);
        last = hash;
        let l = link(&heap.get(&r, &heap_id).unwrap());
        assert_eq!(lookup3(l.name.as_bytes(), 0), hash);
        names.insert(l.name);
    }
    assert_eq!(names, (0..2000).map(name).collect::<BTreeSet<_>>());
    for i in [0u64, 999, 1999, 1234] {
        let n = name(i);
        let mut it = by_name
            .search(&r, Key::Hash(lookup3(n.as_bytes(), 0)))
            .unwrap();
        let rec = it.next().unwrap().unwrap();
        assert_eq!(link(&heap.get(&r, &link_heap_id(&rec)).unwrap()).name, n);
        assert!(it.nodes_read() <= 3, "{}", it.nodes_read());
        let rec = by_order.find(&r, Key::CreationOrder(i)).unwrap().unwrap();
        assert_eq!(link(&heap.get(&r, &link_heap_id(&rec)).unwrap()).name, n);
    }
}
