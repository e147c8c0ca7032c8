//! Version 1 B-trees, local heaps and global heaps read from h5py-written files
//! (`testdata/unit/gen_heaps_old.py`), compared with the values h5py reported
//! (`testdata/unit/heaps_old_*.json`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::format::btree::v1::{GroupNode, NodeHeader};
use h5oxide::format::heap::global::GlobalHeapId;
use h5oxide::format::superblock::Superblock;
use h5oxide::format::symbol_table::Scratch;
use h5oxide::format::{Addr, Cursor};
use h5oxide::read::btree_v1::{group_entries, ChunkBTreeV1, ChunkRecord};
use h5oxide::read::global_heap::{GlobalHeapCollection, GlobalHeaps};
use h5oxide::read::local_heap::LocalHeap;
use h5oxide::read::Reader;
use h5oxide::{Error, FormatErrorKind, Limits};
use serde_json::Value;
use std::sync::Arc;

fn path(name: &str) -> String {
    format!("{}/testdata/unit/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn bytes(name: &str) -> Vec<u8> {
    std::fs::read(path(&format!("{name}.h5"))).unwrap()
}

fn oracle(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path(&format!("{name}.json"))).unwrap()).unwrap()
}

fn reader_with(b: Vec<u8>, limits: Limits) -> Reader {
    let sb = Superblock::decode(&b, 0).unwrap();
    Reader::new(Arc::new(b), 0, sb.ctx, limits).unwrap()
}

fn reader(b: Vec<u8>) -> Reader {
    reader_with(b, Limits::default())
}

fn addr(v: &Value) -> Addr {
    Addr(v.as_u64().unwrap())
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// Every link of the group described by `g` (btree, heap, links), checked against h5py.
fn check_group(r: &Reader, g: &Value) {
    let entries = group_entries(r, addr(&g["btree"])).unwrap();
    let heap = LocalHeap::read(r, addr(&g["heap"])).unwrap();
    let links = g["links"].as_array().unwrap();
    assert_eq!(entries.len(), links.len());
    for (e, l) in entries.iter().zip(links) {
        let name = heap.name(e.name_offset).unwrap();
        assert_eq!(name, l["name"].as_str().unwrap().as_bytes());
        match l["kind"].as_str().unwrap() {
            "hard" => assert_eq!(e.object_header, Some(addr(&l["addr"]))),
            "soft" => {
                assert_eq!(e.object_header, None);
                let Scratch::SoftLink { value_offset } = e.scratch else {
                    panic!("soft link without its scratch-pad: {e:?}");
                };
                let value = heap.name(u64::from(value_offset)).unwrap();
                assert_eq!(value, l["value"].as_str().unwrap().as_bytes());
            }
            k => panic!("{k}"),
        }
    }
}

fn root_level(r: &Reader, btree: Addr) -> u8 {
    let b = r
        .block(btree, NodeHeader::size(r.ctx) as u64, "test")
        .unwrap();
    NodeHeader::decode(&b, btree.0, r.ctx).unwrap().level
}

fn check_groups(r: &Reader, o: &Value) {
    check_group(r, &o["root"]);
    check_group(r, &o["sub"]);
    check_group(r, &o["empty"]);
    // 300 links need a root above the symbol table node level.
    assert_eq!(root_level(r, addr(&o["root"]["btree"])), 1);
    assert!(o["root"]["links"].as_array().unwrap().len() > 300);
    // The empty group's root node exists and has no children.
    let b = addr(&o["empty"]["btree"]);
    let raw = r.block(b, 64, "test").unwrap();
    assert!(GroupNode::decode(&raw, b.0, r.ctx)
        .unwrap()
        .children
        .is_empty());
}

#[test]
fn group_with_300_links() {
    check_groups(
        &reader(bytes("heaps_old_group")),
        &oracle("heaps_old_group"),
    );
}

#[test]
fn group_with_4_byte_offsets() {
    let r = reader(bytes("heaps_old_off4"));
    assert_eq!((r.ctx.offset_size, r.ctx.length_size), (4, 4));
    check_groups(&r, &oracle("heaps_old_off4"));
}

/// The chunks h5py lists (`get_chunk_info(i)` for each i), in its order.
fn expected_chunks(d: &Value) -> Vec<ChunkRecord> {
    d["chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| ChunkRecord {
            size: c["size"].as_u64().unwrap() as u32,
            filter_mask: c["filter_mask"].as_u64().unwrap() as u32,
            offset: u64s(&c["offset"]),
            addr: addr(&c["addr"]),
        })
        .collect()
}

fn tree(d: &Value) -> ChunkBTreeV1 {
    ChunkBTreeV1::new(addr(&d["btree"]), &u64s(&d["layout_dims"])).unwrap()
}

fn check_chunks(r: &Reader, o: &Value) {
    for name in ["grid", "line", "cube"] {
        let d = &o[name];
        let got: Vec<ChunkRecord> = tree(d).iter(r).collect::<Result<_, _>>().unwrap();
        // Same records in the same order as libhdf5's, which is key order.
        assert_eq!(got, expected_chunks(d), "{name}");
        assert!(got.windows(2).all(|w| w[0].offset < w[1].offset), "{name}");
    }
    let grid = &o["grid"];
    assert_eq!(root_level(r, addr(&grid["btree"])), 1);
    let t = tree(grid);
    assert_eq!(t.rank(), 2);
    assert_eq!(expected_chunks(grid).len(), 101);
    // The chunk written with write_direct_chunk(filter_mask=1).
    let c = t.find(r, &[36, 55]).unwrap().unwrap();
    assert_eq!((c.filter_mask, c.size), (1, 80));
    // A never-written chunk.
    assert_eq!(t.find(r, &[0, 25]).unwrap(), None);

    // A selection inside the last leaf: rows 30..40, columns 50..60.
    let (start, end) = ([30u64, 50], [40u64, 60]);
    let want: Vec<ChunkRecord> = expected_chunks(grid)
        .into_iter()
        .filter(|c| (0..2).all(|d| c.offset[d] < end[d] && c.offset[d] + [4, 5][d] > start[d]))
        .collect();
    // (28, 50), (32, 50), (36, 50), (36, 55): (28, 55) and (32, 55) were never written.
    let offsets: Vec<&[u64]> = want.iter().map(|c| c.offset.as_slice()).collect();
    assert_eq!(offsets, [[28, 50], [32, 50], [36, 50], [36, 55]]);
    let pruned = |r: &Reader| -> Result<Vec<ChunkRecord>, Error> {
        let mut v = Vec::new();
        for c in t.iter_pruned(r, |range| range.may_intersect(&start, &end)) {
            let c = c?;
            if want.contains(&c) {
                v.push(c);
            }
        }
        Ok(v)
    };
    assert_eq!(pruned(r).unwrap(), want);
    // Proof that pruning skips the first leaf: two nodes (root + last leaf) are enough.
    let mut limits = Limits::default();
    limits.max_btree_nodes = 2;
    let r2 = reader_with(
        r.block(Addr(0), r.available(), "test")
            .unwrap()
            .into_owned(),
        limits,
    );
    assert_eq!(pruned(&r2).unwrap(), want);
    let full: Result<Vec<_>, _> = t.iter(&r2).collect();
    assert!(matches!(
        full,
        Err(Error::LimitExceeded {
            limit: "max_btree_nodes",
            ..
        })
    ));
}

#[test]
fn chunk_btrees() {
    check_chunks(
        &reader(bytes("heaps_old_chunks")),
        &oracle("heaps_old_chunks"),
    );
}

#[test]
fn chunk_btrees_with_4_byte_offsets() {
    check_chunks(
        &reader(bytes("heaps_old_off4")),
        &oracle("heaps_old_off4")["chunks"],
    );
}

fn check_vlen(r: &Reader, v: &Value, strings: &[Value]) -> GlobalHeaps {
    let count = v["count"].as_u64().unwrap() as usize;
    assert_eq!(count, strings.len());
    let elem = 4 + GlobalHeapId::size(r.ctx);
    let raw = r
        .block(addr(&v["data_addr"]), (count * elem) as u64, "test")
        .unwrap();
    let mut c = Cursor::new(&raw, v["data_addr"].as_u64().unwrap(), "vlen data");
    let mut heaps = GlobalHeaps::new();
    for s in strings {
        let s = s.as_str().unwrap().as_bytes();
        let len = c.u32().unwrap() as usize;
        let id = GlobalHeapId::decode(&mut c, r.ctx).unwrap();
        let data = heaps.object(r, id.collection.unwrap(), id.index).unwrap();
        assert_eq!(len, s.len());
        assert_eq!(data, s);
    }
    heaps
}

#[test]
fn vlen_strings_in_two_collections() {
    let r = reader(bytes("heaps_old_vlen"));
    let o = oracle("heaps_old_vlen");
    let strings = o["strings"].as_array().unwrap();
    let heaps = check_vlen(&r, &o, strings);
    assert_eq!(heaps.len(), 2);
    assert!(strings[17].as_str().unwrap().len() > 4096);
}

#[test]
fn vlen_strings_with_4_byte_offsets() {
    let r = reader(bytes("heaps_old_off4"));
    let o = oracle("heaps_old_off4");
    let strings = oracle("heaps_old_vlen")["strings"]
        .as_array()
        .unwrap()
        .clone();
    let heaps = check_vlen(&r, &o["vlen"], &strings);
    assert!(!heaps.is_empty());
}

/// Offset of the first occurrence of `sig` at or after `from`.
fn find(b: &[u8], sig: &[u8], from: usize) -> usize {
    from + b[from..].windows(sig.len()).position(|w| w == sig).unwrap()
}

/// Child `i` of the 2-D grid's root node (8-byte offsets, 32-byte keys).
fn leaf_addr(grid: &Value, i: usize) -> u64 {
    let root = grid["btree"].as_u64().unwrap();
    let r = reader(bytes("heaps_old_chunks"));
    let raw = r.block(Addr(root), 200, "test").unwrap();
    let mut c = Cursor::new(&raw, root, "test");
    c.skip(24 + 32 + i * 40).unwrap();
    c.u64().unwrap()
}

#[test]
fn corrupt_files() {
    let o = oracle("heaps_old_chunks");
    let grid = &o["grid"];
    let root = grid["btree"].as_u64().unwrap() as usize;

    // A damaged signature in the grid's second leaf: records of the first leaf come out, then
    // the error at the leaf's address, then nothing.
    let mut b = bytes("heaps_old_chunks");
    let leaf = leaf_addr(grid, 1) as usize;
    b[leaf] = b'X';
    let r = reader(b);
    let got: Vec<_> = tree(grid).iter(&r).collect();
    let first_leaf = got.iter().take_while(|x| x.is_ok()).count();
    assert_eq!(got.len(), first_leaf + 1);
    assert_eq!(
        got.last().unwrap().clone().unwrap_err(),
        Error::format(FormatErrorKind::BadSignature, "v1 B-tree node", leaf as u64)
    );

    // A child address pointing back at the root: a cycle.
    let mut b = bytes("heaps_old_chunks");
    b[root + 24 + 32..root + 24 + 40].copy_from_slice(&(root as u64).to_le_bytes());
    let e = tree(grid).iter(&reader(b)).next().unwrap().unwrap_err();
    assert_eq!(
        e,
        Error::format(FormatErrorKind::Cycle, "v1 B-tree node", root as u64)
    );
    // The root's level raised to 2: its children (level 0) are one level too low.
    let mut b = bytes("heaps_old_chunks");
    b[root + 5] = 2;
    let e = tree(grid).iter(&reader(b)).next().unwrap().unwrap_err();
    assert_eq!(
        e,
        Error::invalid("v1 B-tree node level", leaf_addr(grid, 0))
    );

    // The file cut short after the root node: the leaves are out of bounds.
    let b = bytes("heaps_old_chunks")[..root + 200].to_vec();
    let e = tree(grid).iter(&reader(b)).next().unwrap().unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::OutOfBounds));

    // Wrong dimensionality. The 2-D grid's tree read as a 1-D index: child addresses are read
    // from inside the keys (here 0, the superblock).
    let b = bytes("heaps_old_chunks");
    let t = ChunkBTreeV1::new(Addr(root as u64), &[4, 4]).unwrap();
    let e = t.iter(&reader(b.clone())).find_map(|x| x.err()).unwrap();
    assert_eq!(
        e,
        Error::format(FormatErrorKind::BadSignature, "v1 B-tree node", 0)
    );
    // The 1-D line's leaf read as a 2-D index: the element offset of the first key is not 0.
    let line = addr(&o["line"]["btree"]);
    let t = ChunkBTreeV1::new(line, &[10, 10, 8]).unwrap();
    let e = t.iter(&reader(b)).next().unwrap().unwrap_err();
    assert_eq!(e, Error::invalid("v1 B-tree chunk offset", line.0));

    // Local heap with a bad version; global heap collection with a bad signature.
    let go = oracle("heaps_old_group");
    let heap = go["root"]["heap"].as_u64().unwrap() as usize;
    let mut b = bytes("heaps_old_group");
    b[heap + 4] = 1;
    let e = LocalHeap::read(&reader(b), Addr(heap as u64)).unwrap_err();
    assert_eq!(
        e,
        Error::format(
            FormatErrorKind::BadVersion,
            "local heap version",
            heap as u64 + 4
        )
    );

    let mut b = bytes("heaps_old_vlen");
    let gcol = find(&b, b"GCOL", 0);
    b[gcol + 1] = b'X';
    let e = GlobalHeapCollection::read(&reader(b.clone()), Addr(gcol as u64)).unwrap_err();
    assert_eq!(
        e,
        Error::format(
            FormatErrorKind::BadSignature,
            "global heap collection",
            gcol as u64
        )
    );
    // A dangling heap ID.
    b[gcol + 1] = b'C';
    let col = GlobalHeapCollection::read(&reader(b), Addr(gcol as u64)).unwrap();
    assert_eq!(
        col.object(1).unwrap().len(),
        col.collection.get(1).unwrap().size as usize
    );
    let e = col.object(60000).unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    assert!(col.object(0).is_err());
    assert!(col.object(1 << 20).is_err());
}
