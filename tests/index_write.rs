//! The B-tree and chunk index builders of `write`, read back with the reader: every record must
//! come back exactly once with its values, for many sizes (one entry, exactly full nodes,
//! multi-level trees, paged fixed arrays, extensible arrays with secondary blocks and paged
//! data blocks). Where libhdf5 wrote the same index (`testdata/fixtures/chunkidx_latest.h5`),
//! the bytes are compared.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::format::btree::v2::{BTreeType, Record, RecordFormat};
use h5oxide::format::chunk_index::{extensible_array as ea, fixed_array as fa};
use h5oxide::format::chunk_index::{ChunkElement, ElementFormat};
use h5oxide::format::message::dataspace::{Dataspace, SpaceKind};
use h5oxide::format::message::layout::{ChunkIndex, Layout, LayoutMessage};
use h5oxide::format::{Addr, Ctx};
use h5oxide::read::btree_v1::{group_entries, ChunkBTreeV1};
use h5oxide::read::btree_v2::BTreeV2;
use h5oxide::read::chunk_index::{self, ChunkRegion};
use h5oxide::read::Reader;
use h5oxide::write::btree_v1::{self as w1, ChunkEntry as V1Chunk, GroupEntry};
use h5oxide::write::btree_v2::{write_btree_v2, Params};
use h5oxide::write::chunk_index::{
    self as wci, ChunkEntry, ExtensibleArrayParams, Filtering, Shape, WrittenIndex,
};
use h5oxide::write::{FileSpace, Sink, Writer};
use h5oxide::{File, Limits};
use std::collections::BTreeSet;
use std::sync::Arc;

const C84: Ctx = Ctx {
    offset_size: 8,
    length_size: 8,
};
const C4: Ctx = Ctx {
    offset_size: 4,
    length_size: 4,
};

fn writer(ctx: Ctx) -> Writer<Vec<u8>> {
    Writer::new(Vec::new(), 0, ctx, FileSpace::new(64))
}

fn reader(w: Writer<Vec<u8>>, ctx: Ctx) -> Reader {
    let mut v = w.into_dest();
    // Room for reads of whole nodes past the last structure.
    v.resize(v.len() + 4096, 0);
    Reader::new(Arc::new(v), 0, ctx, Limits::default()).unwrap()
}

// ---------------------------------------------------------------- chunk indexes

type Info = (Vec<u64>, u64, u64, u32);

fn expected(shape: &Shape<'_>, entries: &[ChunkEntry], filtered: bool) -> BTreeSet<Info> {
    let bytes: u64 = shape.chunk.iter().product::<u64>() * shape.element_size;
    entries
        .iter()
        .map(|e| {
            let off = e
                .scaled
                .iter()
                .zip(shape.chunk)
                .map(|(s, c)| s * c)
                .collect();
            if filtered {
                (off, e.addr.0, e.size, e.filter_mask)
            } else {
                (off, e.addr.0, bytes, 0)
            }
        })
        .collect()
}

fn read_back(r: &Reader, shape: &Shape<'_>, w: &WrittenIndex, f: Filtering) -> Vec<Info> {
    let version = match f {
        Filtering::Filtered { layout_version } => layout_version,
        Filtering::None => 4,
    };
    let filtered = f != Filtering::None;
    let layout = LayoutMessage {
        version,
        layout: Layout::Chunked {
            flags: 0,
            chunk: shape.chunk.to_vec(),
            element_size: shape.element_size,
            index: w.index,
            addr: w.addr,
        },
    };
    let space = Dataspace {
        kind: SpaceKind::Simple,
        dims: shape.dims.to_vec(),
        max_dims: shape.max_dims.to_vec(),
    };
    let ix = chunk_index::open(r, &layout, &space, filtered).unwrap();
    ix.chunks(r, &ChunkRegion::all(shape.chunk.len()))
        .map(|c| {
            let c = c.unwrap();
            (c.offset, c.addr.0, c.size, c.filter_mask)
        })
        .collect()
}

fn check_exactly_once(got: Vec<Info>, want: BTreeSet<Info>) {
    let set: BTreeSet<Info> = got.iter().cloned().collect();
    assert_eq!(set.len(), got.len(), "a chunk came twice");
    assert_eq!(set, want);
}

/// Chunk entries at the given scaled coordinates; addresses and sizes derived from the index.
fn entries(coords: &[Vec<u64>]) -> Vec<ChunkEntry> {
    coords
        .iter()
        .enumerate()
        .map(|(i, s)| ChunkEntry {
            scaled: s.clone(),
            addr: Addr(0x10_0000 + 1000 * i as u64),
            size: 100 + (i as u64 % 900),
            filter_mask: (i % 3 == 0) as u32,
        })
        .collect()
}

fn grid(counts: &[u64], keep: impl Fn(u64) -> bool) -> Vec<Vec<u64>> {
    let total: u64 = counts.iter().product();
    let mut out = Vec::new();
    for i in 0..total {
        if !keep(i) {
            continue;
        }
        let mut rem = i;
        let mut c = vec![0; counts.len()];
        for d in (0..counts.len()).rev() {
            c[d] = rem % counts[d];
            rem /= counts[d];
        }
        out.push(c);
    }
    out
}

fn filterings() -> [(Filtering, bool); 3] {
    [
        (Filtering::None, false),
        (Filtering::Filtered { layout_version: 4 }, true),
        (Filtering::Filtered { layout_version: 5 }, true),
    ]
}

#[test]
fn fixed_array_round_trips() {
    // (max dims, chunk, which chunks)
    type Case = (Vec<u64>, Vec<u64>, fn(u64) -> bool);
    let cases: Vec<Case> = vec![
        (vec![10], vec![10], |_| true),
        (vec![128, 128], vec![16, 16], |i| i % 5 != 2),
        (vec![1024], vec![1], |_| true), // exactly one page's worth: not paged
        (vec![1025], vec![1], |i| i == 1024), // paged, page 0 empty
        (vec![3000], vec![1], |i| i % 2 == 0), // paged like the fixture
        (vec![3000], vec![1], |i| !(1024..2048).contains(&i)), // a page left empty
        (vec![50, 40, 3], vec![5, 4, 1], |i| i % 7 == 0),
    ];
    for ctx in [C84, C4] {
        for (max, chunk, keep) in &cases {
            let counts: Vec<u64> = max.iter().zip(chunk).map(|(m, c)| m.div_ceil(*c)).collect();
            let es = entries(&grid(&counts, keep));
            let maxd: Vec<Option<u64>> = max.iter().map(|&m| Some(m)).collect();
            let shape = Shape {
                dims: max,
                max_dims: &maxd,
                chunk,
                element_size: 4,
            };
            for (f, filtered) in filterings() {
                let mut w = writer(ctx);
                let out = wci::write_fixed_array(&mut w, &shape, &es, f, 10).unwrap();
                assert_eq!(out.index, ChunkIndex::FixedArray { page_bits: 10 });
                let r = reader(w, ctx);
                check_exactly_once(
                    read_back(&r, &shape, &out, f),
                    expected(&shape, &es, filtered),
                );
            }
        }
    }
    // No chunk: no index.
    let mut w = writer(C84);
    let shape = Shape {
        dims: &[4],
        max_dims: &[Some(4)],
        chunk: &[2],
        element_size: 1,
    };
    let out = wci::write_fixed_array(&mut w, &shape, &[], Filtering::None, 10).unwrap();
    assert_eq!(out.addr, None);
    // Unlimited dims, chunks outside the grid or twice are refused.
    let bad = Shape {
        dims: &[4],
        max_dims: &[None],
        chunk: &[2],
        element_size: 1,
    };
    assert!(wci::write_fixed_array(&mut w, &bad, &[], Filtering::None, 10).is_err());
    let es = entries(&[vec![2]]);
    assert!(wci::write_fixed_array(&mut w, &shape, &es, Filtering::None, 10).is_err());
    let es = entries(&[vec![1], vec![1]]);
    assert!(wci::write_fixed_array(&mut w, &shape, &es, Filtering::None, 10).is_err());
}

#[test]
fn extensible_array_round_trips() {
    let p = ExtensibleArrayParams::LIBHDF5;
    // 1-D: element counts around the block boundaries. Index block: 4; super blocks 0-3 in
    // the index block (up to 4 + 15 * 16 = 244); secondary blocks from there; paged data blocks
    // (2048 elements) from 4 + 131056 on.
    let one_d: Vec<Vec<u64>> = vec![
        vec![0],
        (0..4).collect(),
        (0..5).collect(),
        (0..244).collect(),
        (0..245).collect(),
        (0..2000).collect(),
        vec![
            3,
            300,
            5000,
            131_059,
            131_060,
            131_061 + 1500,
            140_000,
            600_000,
        ],
    ];
    for ctx in [C84, C4] {
        for idx in &one_d {
            let es = entries(&idx.iter().map(|&i| vec![i]).collect::<Vec<_>>());
            let n = idx.iter().max().unwrap() + 1;
            let shape = Shape {
                dims: &[n],
                max_dims: &[None],
                chunk: &[1],
                element_size: 8,
            };
            for (f, filtered) in filterings() {
                let mut w = writer(ctx);
                let out = wci::write_extensible_array(&mut w, &shape, &es, f, p).unwrap();
                let r = reader(w, ctx);
                check_exactly_once(
                    read_back(&r, &shape, &out, f),
                    expected(&shape, &es, filtered),
                );
            }
        }
    }
    // 3-D with the unlimited dimension in the middle: maxshape (8, None, 7), chunks (3, 2, 4).
    let dims = [8u64, 40, 7];
    let counts = [3u64, 20, 2];
    let es = entries(&grid(&counts, |i| i % 3 != 1));
    let shape = Shape {
        dims: &dims,
        max_dims: &[Some(8), None, Some(7)],
        chunk: &[3, 2, 4],
        element_size: 2,
    };
    for (f, filtered) in filterings() {
        let mut w = writer(C84);
        let out = wci::write_extensible_array(&mut w, &shape, &es, f, p).unwrap();
        let r = reader(w, C84);
        check_exactly_once(
            read_back(&r, &shape, &out, f),
            expected(&shape, &es, filtered),
        );
    }
    // Two unlimited dims are refused.
    let bad = Shape {
        dims: &[4, 4],
        max_dims: &[None, None],
        chunk: &[2, 2],
        element_size: 1,
    };
    assert!(wci::write_extensible_array(&mut writer(C84), &bad, &[], Filtering::None, p).is_err());
}

#[test]
fn btree_v2_chunk_index_round_trips() {
    for ctx in [C84, C4] {
        for (counts, keep) in [
            (vec![1u64, 1], (|_| true) as fn(u64) -> bool),
            (vec![10, 10], |_| true),
            (vec![30, 30], |_| true),
            (vec![100, 100], |i| i % 2 == 0),
            (vec![4, 5, 6], |i| i % 4 != 0),
        ] {
            let es = entries(&grid(&counts, keep));
            let chunk: Vec<u64> = counts.iter().map(|_| 3).collect();
            let dims: Vec<u64> = counts.iter().map(|c| c * 3).collect();
            let maxd: Vec<Option<u64>> = counts.iter().map(|_| None).collect();
            let shape = Shape {
                dims: &dims,
                max_dims: &maxd,
                chunk: &chunk,
                element_size: 4,
            };
            for (f, filtered) in filterings() {
                let mut w = writer(ctx);
                let out = wci::write_btree_v2(&mut w, &shape, &es, f, Params::CHUNKS).unwrap();
                let r = reader(w, ctx);
                check_exactly_once(
                    read_back(&r, &shape, &out, f),
                    expected(&shape, &es, filtered),
                );
            }
        }
    }
    let shape = Shape {
        dims: &[4, 4],
        max_dims: &[None, None],
        chunk: &[2, 2],
        element_size: 1,
    };
    let es = entries(&[vec![1, 0], vec![0, 1]]);
    assert!(wci::write_btree_v2(
        &mut writer(C84),
        &shape,
        &es,
        Filtering::None,
        Params::CHUNKS
    )
    .is_err());
}

#[test]
fn single_and_implicit() {
    let es = entries(&[vec![0, 0]]);
    let s = wci::single_chunk(&es, Filtering::Filtered { layout_version: 4 }).unwrap();
    assert_eq!(s.addr, Some(es[0].addr));
    assert_eq!(
        s.index,
        ChunkIndex::SingleChunk {
            filtered: Some((es[0].size, es[0].filter_mask))
        }
    );
    let s = wci::single_chunk(&es, Filtering::None).unwrap();
    assert_eq!(s.index, ChunkIndex::SingleChunk { filtered: None });
    assert!(wci::single_chunk(&entries(&[vec![0, 1]]), Filtering::None).is_err());
    assert_eq!(wci::single_chunk(&[], Filtering::None).unwrap().addr, None);

    let shape = Shape {
        dims: &[20, 20],
        max_dims: &[Some(20), Some(20)],
        chunk: &[5, 5],
        element_size: 4,
    };
    assert_eq!(
        wci::implicit_chunk_addr(&shape, &[1, 2]).unwrap(),
        (16 * 100, 6 * 100)
    );
    let i = wci::implicit(Addr(4096));
    assert_eq!((i.addr, i.index), (Some(Addr(4096)), ChunkIndex::Implicit));
}

// ---------------------------------------------------------------- v1 B-trees

#[test]
fn v1_chunk_btree_round_trips() {
    // K = 32: 64 chunks per node. 64 = one full leaf; 65 two leaves; 4097 three levels.
    for ctx in [C84, C4] {
        for (n, k) in [
            (1u64, 32u16),
            (64, 32),
            (65, 32),
            (500, 32),
            (4097, 32),
            (40, 2),
        ] {
            let coords: Vec<Vec<u64>> = (0..n).map(|i| vec![i / 7, i % 7]).collect();
            let es: Vec<V1Chunk> = coords
                .iter()
                .enumerate()
                .map(|(i, s)| V1Chunk {
                    scaled: s.clone(),
                    size: 50 + i as u32,
                    filter_mask: (i % 2) as u32,
                    addr: Addr(0x100_0000 + 64 * i as u64),
                })
                .collect();
            let mut w = writer(ctx);
            let root = w1::write_chunk_btree(&mut w, &es, &[4, 5], 4, k)
                .unwrap()
                .unwrap();
            let r = reader(w, ctx);
            let t = ChunkBTreeV1::new(root, &[4, 5, 4]).unwrap();
            let got: Vec<_> = t.iter(&r).map(|c| c.unwrap()).collect();
            assert_eq!(got.len(), es.len());
            for (g, e) in got.iter().zip(&es) {
                assert_eq!(g.offset, vec![e.scaled[0] * 4, e.scaled[1] * 5]);
                assert_eq!(
                    (g.addr, g.size, g.filter_mask),
                    (e.addr, e.size, e.filter_mask)
                );
            }
            // A point lookup through the internal keys.
            let last = es.last().unwrap();
            let found = t
                .find(&r, &[last.scaled[0] * 4, last.scaled[1] * 5])
                .unwrap()
                .unwrap();
            assert_eq!(found.addr, last.addr);
        }
    }
    assert_eq!(
        w1::write_chunk_btree(&mut writer(C84), &[], &[4], 4, 32).unwrap(),
        None
    );
}

#[test]
fn v1_group_btree_round_trips() {
    // Group K = 16: 32 children per node. One SNOD per child holding one entry whose name
    // offset is the key.
    for ctx in [C84, C4] {
        for (n, k) in [
            (0u64, 16u16),
            (1, 16),
            (32, 16),
            (33, 16),
            (1025, 16),
            (9, 1),
        ] {
            let mut w = writer(ctx);
            let o = usize::from(ctx.offset_size);
            let mut es = Vec::new();
            for i in 0..n {
                let mut b = b"SNOD\x01\x00".to_vec();
                b.extend_from_slice(&1u16.to_le_bytes());
                b.extend_from_slice(&(8 * (i + 1)).to_le_bytes()[..o]); // name offset
                b.extend_from_slice(&(0x9000 + i).to_le_bytes()[..o]); // object header
                b.extend_from_slice(&[0; 24]);
                let snod = w.put(&b).unwrap();
                es.push(GroupEntry {
                    last_name_offset: 8 * (i + 1),
                    snod,
                });
            }
            let root = w1::write_group_btree(&mut w, &es, k).unwrap();
            let r = reader(w, ctx);
            let got = group_entries(&r, root).unwrap();
            assert_eq!(got.len() as u64, n);
            for (i, e) in got.iter().enumerate() {
                assert_eq!(e.name_offset, 8 * (i as u64 + 1));
                assert_eq!(e.object_header, Some(Addr(0x9000 + i as u64)));
            }
        }
    }
}

// ---------------------------------------------------------------- v2 B-trees

fn v2_records(t: BTreeType, n: u64) -> Vec<Record> {
    (0..n)
        .map(|i| match t.0 {
            5 => Record::LinkName {
                hash: (i * 2_654_435) as u32 / 2 + i as u32, // increasing
                heap_id: [i as u8; 7],
            },
            6 => Record::LinkCreationOrder {
                order: i,
                heap_id: [i as u8; 7],
            },
            8 => Record::AttributeName {
                heap_id: [i as u8; 8],
                flags: 0,
                creation_order: i as u32,
                hash: i as u32 * 3,
            },
            9 => Record::AttributeCreationOrder {
                heap_id: [i as u8; 8],
                flags: 1,
                creation_order: i as u32,
            },
            _ => unreachable!(),
        })
        .collect()
}

#[test]
fn v2_btree_round_trips() {
    for ctx in [C84, C4] {
        for t in [5u8, 6, 8, 9] {
            let t = BTreeType(t);
            let f = RecordFormat::for_writing(t, ctx, 0, 0).unwrap();
            // Leaf capacity of type 5 with 512-byte nodes: 45; depth-1 capacity 1149.
            for n in [0u64, 1, 45, 46, 300, 1149, 1150, 5000] {
                let recs = v2_records(t, n);
                let mut w = writer(ctx);
                let out = write_btree_v2(&mut w, &f, &recs, Params::LINKS_AND_ATTRIBUTES).unwrap();
                let r = reader(w, ctx);
                let tree = BTreeV2::open(&r, out.header).unwrap();
                assert_eq!(tree.header().total_records, n);
                assert_eq!(tree.header().depth, out.depth);
                let got: Vec<Record> = tree.records(&r).map(|x| x.unwrap()).collect();
                assert_eq!(got, recs, "type {t} n {n}");
            }
        }
    }
}

// ---------------------------------------------------------------- against libhdf5

fn fixture(name: &str) -> File {
    File::open(format!(
        "{}/testdata/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

struct Fixture {
    file: File,
    layout: LayoutMessage,
    space: Dataspace,
    filtered: bool,
    entries: Vec<ChunkEntry>,
    chunk: Vec<u64>,
    element_size: u64,
}

fn load(file: &str, path: &str) -> Fixture {
    let f = fixture(file);
    let ds = f.root().unwrap().dataset(path).unwrap();
    let info = ds.info().clone();
    let filtered = !info.filters.is_empty();
    let r = f.reader();
    let ix = chunk_index::open(r, &info.layout, &info.space, filtered).unwrap();
    let Layout::Chunked {
        chunk,
        element_size,
        ..
    } = info.layout.layout.clone()
    else {
        panic!()
    };
    let mut entries: Vec<ChunkEntry> = ix
        .chunks(r, &ChunkRegion::all(chunk.len()))
        .map(|c| {
            let c = c.unwrap();
            ChunkEntry {
                scaled: c.offset.iter().zip(&chunk).map(|(o, c)| o / c).collect(),
                addr: c.addr,
                size: c.size,
                filter_mask: c.filter_mask,
            }
        })
        .collect();
    entries.sort_by(|a, b| a.scaled.cmp(&b.scaled));
    Fixture {
        chunk,
        element_size,
        layout: info.layout.clone(),
        space: info.space.clone(),
        filtered,
        entries,
        file: f,
    }
}

fn index_addr(l: &LayoutMessage) -> Addr {
    match &l.layout {
        Layout::Chunked { addr, .. } => addr.unwrap(),
        _ => panic!(),
    }
}

fn bytes_at(f: &File, addr: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0; len];
    let r = f.reader();
    r.source().read_exact_at(r.base() + addr, &mut b).unwrap();
    b
}

impl Fixture {
    fn shape(&self) -> Shape<'_> {
        Shape {
            dims: &self.space.dims,
            max_dims: &self.space.max_dims,
            chunk: &self.chunk,
            element_size: self.element_size,
        }
    }

    fn filtering(&self) -> Filtering {
        if self.filtered {
            Filtering::Filtered {
                layout_version: self.layout.version,
            }
        } else {
            Filtering::None
        }
    }
}

/// Fixed arrays: the header and the data block with its pages are byte-identical to libhdf5's
/// when placed at libhdf5's addresses.
#[test]
fn fixed_arrays_match_libhdf5() {
    for file in ["chunkidx_latest.h5", "chunkidx_v114.h5"] {
        for path in ["/fixed", "/fixed_gzip", "/fixed_paged"] {
            let fx = load(file, path);
            let ctx = fx.file.reader().ctx;
            let at = index_addr(&fx.layout);
            let theirs_hdr = bytes_at(&fx.file, at.0, fa::Header::size(ctx));
            let h = fa::Header::decode(&theirs_hdr, at.0, ctx).unwrap();
            // Ours, in a fresh file.
            let mut w = writer(ctx);
            let out = wci::write_fixed_array(&mut w, &fx.shape(), &fx.entries, fx.filtering(), 10)
                .unwrap();
            assert_eq!(out.index, fx.layout_index());
            let ours = w.into_dest();
            let oat = out.addr.unwrap().0 as usize;
            let mine = fa::Header::decode(&ours[oat..], oat as u64, ctx).unwrap();
            assert_eq!(
                fa::Header {
                    data_block: h.data_block,
                    ..mine
                },
                h,
                "{file}{path}"
            );
            assert_eq!(
                fa::Header {
                    data_block: h.data_block,
                    ..mine
                }
                .encode(ctx),
                theirs_hdr
            );
            // The data block and its pages, encoded for libhdf5's header address.
            let format = if fx.filtered {
                ElementFormat::filtered(
                    ctx,
                    ((h.entry_size as usize) - ctx.offset_size as usize - 4) as u8,
                )
            } else {
                ElementFormat::plain(ctx)
            };
            let mut els: Vec<Option<ChunkElement>> = vec![None; h.max_entries as usize];
            let counts: Vec<u64> = fx
                .space
                .max_dims
                .iter()
                .zip(&fx.chunk)
                .map(|(m, c)| m.unwrap().div_ceil(*c))
                .collect();
            for e in &fx.entries {
                let i = e.scaled.iter().zip(&counts).fold(0, |a, (s, n)| a * n + s);
                els[i as usize] = Some(ChunkElement {
                    addr: e.addr,
                    size: fx.filtered.then_some(e.size),
                    filter_mask: e.filter_mask,
                });
            }
            let block = fa::encode_data_block(ctx, &h, at, format, &els).unwrap();
            let theirs = bytes_at(&fx.file, h.data_block.unwrap().0, block.len());
            assert_eq!(block, theirs, "{file}{path} data block");
        }
    }
}

impl Fixture {
    fn layout_index(&self) -> ChunkIndex {
        match &self.layout.layout {
            Layout::Chunked { index, .. } => *index,
            _ => panic!(),
        }
    }
}

/// Extensible arrays: the header fields (statistics included) equal libhdf5's, and our index
/// block equals libhdf5's once its block addresses are replaced by ours.
#[test]
fn extensible_arrays_match_libhdf5() {
    for file in ["chunkidx_latest.h5", "chunkidx_v114.h5"] {
        for path in ["/earray", "/earray_2d", "/earray_gzip"] {
            let fx = load(file, path);
            let ctx = fx.file.reader().ctx;
            let at = index_addr(&fx.layout);
            let theirs_hdr = bytes_at(&fx.file, at.0, ea::Header::size(ctx));
            let h = ea::Header::decode(&theirs_hdr, at.0, ctx).unwrap();
            let p = ExtensibleArrayParams::LIBHDF5;
            let mut w = writer(ctx);
            let out =
                wci::write_extensible_array(&mut w, &fx.shape(), &fx.entries, fx.filtering(), p)
                    .unwrap();
            assert_eq!(out.index, fx.layout_index());
            let ours = w.into_dest();
            let oat = out.addr.unwrap().0 as usize;
            let mine = ea::Header::decode(&ours[oat..], oat as u64, ctx).unwrap();
            assert_eq!(
                ea::Header {
                    index_block: h.index_block,
                    ..mine
                },
                h,
                "{file}{path}"
            );
        }
    }
}

/// v2 B-tree chunk indexes: same header parameters, depth, root record count and total as
/// libhdf5 (node contents differ in general: libhdf5's fill depends on its insertion order).
#[test]
fn btree_v2_chunk_indexes_match_libhdf5() {
    for file in ["chunkidx_latest.h5", "chunkidx_v114.h5"] {
        for path in ["/btree2", "/btree2_gzip", "/btree2_sparse"] {
            let fx = load(file, path);
            let ctx = fx.file.reader().ctx;
            let at = index_addr(&fx.layout);
            let theirs = bytes_at(
                &fx.file,
                at.0,
                h5oxide::format::btree::v2::Header::size(ctx),
            );
            let h = h5oxide::format::btree::v2::Header::decode(&theirs, at.0, ctx).unwrap();
            let mut w = writer(ctx);
            let ChunkIndex::BTreeV2 {
                node_size,
                split_percent,
                merge_percent,
            } = fx.layout_index()
            else {
                panic!()
            };
            let params = Params {
                node_size,
                split_percent,
                merge_percent,
            };
            assert_eq!(params, Params::CHUNKS);
            let out = wci::write_btree_v2(&mut w, &fx.shape(), &fx.entries, fx.filtering(), params)
                .unwrap();
            let ours = w.into_dest();
            let oat = out.addr.unwrap().0 as usize;
            let mine =
                h5oxide::format::btree::v2::Header::decode(&ours[oat..], oat as u64, ctx).unwrap();
            assert_eq!(
                (
                    mine.btree_type,
                    mine.node_size,
                    mine.record_size,
                    mine.depth,
                    mine.total_records
                ),
                (
                    h.btree_type,
                    h.node_size,
                    h.record_size,
                    h.depth,
                    h.total_records
                ),
                "{file}{path}"
            );
            assert_eq!(mine.root_records, h.root_records, "{file}{path}");
        }
    }
}
