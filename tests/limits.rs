//! Resource limits: files that declare absurd sizes (a 1 TB chunk, a billion-element dataset or
//! attribute, heaps of 2^40 bytes, a vlen element of 2^40 bytes, continuation chains and
//! B-trees past their caps) fail fast with the exact error, holding at most [`PEAK`] bytes of
//! heap (measured by a counting global allocator); and tight user limits make ordinary
//! fixtures fail with `LimitExceeded` naming the right cap.
//!
//! The inputs are `testdata/corrupt/limits_{earliest,latest}.h5` (written by
//! `testdata/corrupt/gen.py`), patched here with checksums recomputed, and a few files built
//! byte by byte.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{measure, put, Found, Kind, Map};
use h5oxide::canon::doc::dataset_values;
use h5oxide::hl::Selection;
use h5oxide::io::ReadAt;
use h5oxide::{Error, File, FormatErrorKind as K, Limits, Object};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Most heap a limit case may hold.
const PEAK: usize = 8 << 20;
/// Longest a limit case may take (they take microseconds; the margin is for loaded machines).
const FAST: Duration = Duration::from_secs(2);

const LIBVERS: [&str; 2] = ["earliest", "latest"];

fn open(b: Vec<u8>) -> File {
    File::from_bytes(b).unwrap()
}

fn open_with(b: Vec<u8>, limits: Limits) -> Result<File, Error> {
    let src: Arc<dyn ReadAt + Send + Sync> = Arc::new(b);
    File::from_source(src, limits)
}

/// Run `f` (opening, walking, reading) and check it was fast and small; return its result.
fn bounded<R>(what: &str, f: impl FnOnce() -> R) -> R {
    let t = Instant::now();
    let (r, peak) = measure(f);
    let el = t.elapsed();
    println!("{what}: peak heap {peak} bytes, {el:?}");
    assert!(peak < PEAK, "{what}: peak heap {peak} bytes");
    assert!(el < FAST, "{what}: took {el:?}");
    r
}

fn limit(r: Result<impl std::fmt::Debug, Error>) -> &'static str {
    match r {
        Err(Error::LimitExceeded { limit, .. }) => limit,
        other => panic!("expected LimitExceeded, got {other:?}"),
    }
}

fn format(r: Result<impl std::fmt::Debug, Error>) -> (K, u64) {
    match r {
        Err(Error::Format { kind, addr, .. }) => (kind, addr),
        other => panic!("expected a format error, got {other:?}"),
    }
}

fn dataset(f: &File, path: &str) -> h5oxide::Dataset {
    f.root().unwrap().dataset(path).unwrap()
}

/// The canonical values of a whole dataset (vlen data resolved through the global heap).
fn values(d: &h5oxide::Dataset) -> Result<String, Error> {
    dataset_values(d, &Selection::All, d.shape()).map(|j| j.to_compact())
}

/// The whole document walk must also stay bounded and report the same cap or kind.
fn walk_reports(what: &str, b: Vec<u8>, pred: impl Fn(&Found) -> bool) {
    let out = bounded(what, || common::run(b));
    assert!(out.any(pred), "{what}: document errors {}", out.summary());
}

fn is_limit(name: &'static str) -> impl Fn(&Found) -> bool {
    move |f| matches!(f, Found::Limit { limit } if limit == name)
}

fn is_kind(kind: K, addr: u64) -> impl Fn(&Found) -> bool {
    move |f| f.kind() == Some(kind) && f.addr() == Some(addr)
}

// ---------------------------------------------------------------------------------------------
// Absurd sizes in patched files
// ---------------------------------------------------------------------------------------------

/// A chunked layout whose chunk dimensions are (2^20, 2^20) one-byte elements: 1 TiB per chunk.
#[test]
fn one_terabyte_chunk() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let (body, _) = m.message("chunked2d", 0x08);
        let mut b = m.bytes.clone();
        match b[body] {
            3 => {
                // version, class, dimensionality, B-tree address, dims (4 bytes each)
                let o = usize::from(m.ctx.offset_size);
                put(&mut b, body + 3 + o, 4, 1 << 20);
                put(&mut b, body + 7 + o, 4, 1 << 20);
            }
            4 | 5 => {
                // version, class, flags, dimensionality, dimension size width, dims
                let w = usize::from(b[body + 4]);
                assert!(w >= 3, "chunk dimensions encoded in {w} bytes");
                put(&mut b, body + 5, w, 1 << 20);
                put(&mut b, body + 5 + w, w, 1 << 20);
            }
            v => panic!("layout version {v}"),
        }
        m.refit(&mut b);
        let what = format!("{lv}: 1 TiB chunk");
        let r = bounded(&what, || {
            let f = open(b.clone());
            let d = dataset(&f, "chunked2d");
            assert_eq!(d.shape(), &[65536, 2]);
            d.read_raw().map(|v| v.len())
        });
        assert_eq!(limit(r), "max_chunk_bytes", "{what}");
        walk_reports(&what, b, is_limit("max_chunk_bytes"));
    }
}

/// Patch the first dimension (and maximum dimension, if stored) of the dataspace message of
/// `path` to `n`.
fn set_dim0(m: &Map, b: &mut [u8], body: usize, n: u64) {
    let l = usize::from(m.ctx.length_size);
    let (version, rank, flags) = (b[body], usize::from(b[body + 1]), b[body + 2]);
    let dims = if version == 1 { body + 8 } else { body + 4 };
    put(b, dims, l, n);
    if flags & 1 != 0 {
        put(b, dims + rank * l, l, n);
    }
}

/// A contiguous dataset of 10^9 eight-byte elements: 8 GB, over `max_alloc`, refused before
/// anything is allocated.
#[test]
fn billion_element_dataset() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let (body, _) = m.message("contig_f8", 0x01);
        let mut b = m.bytes.clone();
        set_dim0(&m, &mut b, body, 1_000_000_000);
        m.refit(&mut b);
        let what = format!("{lv}: 10^9 f8 elements");
        let r = bounded(&what, || {
            let f = open(b.clone());
            let d = dataset(&f, "contig_f8");
            assert_eq!(d.len(), 1_000_000_000);
            d.read_raw().map(|v| v.len())
        });
        assert_eq!(limit(r), "max_alloc", "{what}");
        walk_reports(&what, b, is_limit("max_alloc"));
    }
}

/// 10^9 one-byte elements fit `max_alloc`, but not the contiguous storage: refused before the
/// output is allocated (the storage size says 16 bytes; with the size patched too, the
/// extent runs past the end of the file).
#[test]
fn billion_byte_dataset_past_the_file() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let (space, _) = m.message("contig_u1", 0x01);
        let (layout, _) = m.message("contig_u1", 0x08);
        let o = usize::from(m.ctx.offset_size);
        let l = usize::from(m.ctx.length_size);
        // Layout version 3 to 5, class 1: address, size.
        assert_eq!(m.bytes[layout + 1], 1);
        let data_addr = common::le_at(&m.bytes, layout + 2, o);
        for patch_size in [false, true] {
            let mut b = m.bytes.clone();
            set_dim0(&m, &mut b, space, 1_000_000_000);
            if patch_size {
                put(&mut b, layout + 2 + o, l, 1_000_000_000);
            }
            m.refit(&mut b);
            let what = format!("{lv}: 10^9 u1 elements, size patched: {patch_size}");
            let r = bounded(&what, || dataset(&open(b.clone()), "contig_u1").read_raw());
            let expect = if patch_size {
                K::OutOfBounds
            } else {
                K::InvalidValue
            };
            assert_eq!(format(r), (expect, data_addr), "{what}");
            walk_reports(&what, b, is_kind(expect, data_addr));
        }
    }
}

/// An attribute whose dataspace declares 10^9 four-byte elements, with 16 bytes of data.
#[test]
fn billion_element_attribute() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let (body, len) = m.message("/", 0x0c);
        let mut b = m.bytes.clone();
        let v = b[body];
        let name = common::le_at(&b, body + 2, 2) as usize;
        let dt = common::le_at(&b, body + 4, 2) as usize;
        let pad = |n: usize| if v == 1 { n.div_ceil(8) * 8 } else { n };
        let ds = body + if v == 3 { 9 } else { 8 } + pad(name) + pad(dt);
        set_dim0(&m, &mut b, ds, 1_000_000_000);
        m.refit(&mut b);
        let data_at = m.rel(body + len - 16);
        let what = format!("{lv}: attribute of 10^9 elements");
        let r = bounded(&what, || open(b.clone()).root().unwrap().attr("a"));
        assert_eq!(format(r), (K::Truncated, data_at), "{what}");
        walk_reports(&what, b, is_kind(K::Truncated, data_at));
    }
}

/// A global heap collection claiming 2^40 bytes: the read is refused against the file size
/// before anything is allocated (`OutOfBounds` at the collection).
#[test]
fn global_heap_collection_of_a_terabyte() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let g = m.first(Kind::Gcol);
        let mut b = m.bytes.clone();
        put(&mut b, g.pos + 8, usize::from(m.ctx.length_size), 1 << 40);
        let what = format!("{lv}: global heap collection of 2^40 bytes");
        let r = bounded(&what, || values(&dataset(&open(b.clone()), "vlen")));
        assert_eq!(format(r), (K::OutOfBounds, m.rel(g.pos)), "{what}");
        walk_reports(&what, b, is_kind(K::OutOfBounds, m.rel(g.pos)));
    }
}

/// A vlen string whose heap object claims 2^40 bytes, and one whose element claims
/// 2^32 - 1 bytes of a 3-byte object.
#[test]
fn vlen_element_of_a_terabyte() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let g = m.first(Kind::Gcol);
        let l = usize::from(m.ctx.length_size);
        // The first object: index, reference count, reserved, size.
        let obj = g.pos + 8 + l;
        let mut b = m.bytes.clone();
        put(&mut b, obj + 8, l, 1 << 40);
        let what = format!("{lv}: heap object of 2^40 bytes");
        let r = bounded(&what, || values(&dataset(&open(b.clone()), "vlen")));
        assert_eq!(format(r), (K::Truncated, m.rel(obj)), "{what}");
        walk_reports(&what, b, is_kind(K::Truncated, m.rel(obj)));

        // The element itself (in the contiguous data): length, collection, index.
        let f = open(m.bytes.clone());
        let d = dataset(&f, "vlen");
        let data = match &d.info().layout.layout {
            h5oxide::format::message::layout::Layout::Contiguous { addr, .. } => {
                m.base + addr.unwrap().0 as usize
            }
            other => panic!("{other:?}"),
        };
        let mut b = m.bytes.clone();
        put(&mut b, data, 4, u64::from(u32::MAX));
        let what = format!("{lv}: vlen element of 2^32 - 1 bytes");
        let r = bounded(&what, || values(&dataset(&open(b.clone()), "vlen")));
        // The element asks for more bytes than its heap object holds.
        assert_eq!(format(r), (K::Truncated, m.rel(g.pos)), "{what}");
        walk_reports(&what, b, is_kind(K::Truncated, m.rel(g.pos)));
    }
}

/// A local heap whose data segment claims 2^40 bytes.
#[test]
fn local_heap_of_a_terabyte() {
    let m = Map::new("limits_earliest.h5");
    let h = m.first(Kind::LocalHeap);
    let l = usize::from(m.ctx.length_size);
    let o = usize::from(m.ctx.offset_size);
    let data = common::le_at(&m.bytes, h.pos + 8 + 2 * l, o);
    let mut b = m.bytes.clone();
    put(&mut b, h.pos + 8, l, 1 << 40);
    let what = "local heap data segment of 2^40 bytes";
    let r = bounded(what, || open(b.clone()).root().unwrap().links());
    assert_eq!(format(r), (K::OutOfBounds, data), "{what}");
    walk_reports(what, b, is_kind(K::OutOfBounds, data));
}

/// Fractal heap header sizes of 2^40 (starting block, maximum direct block) and a 64-bit
/// maximum heap size: the dense group's links fail without allocating.
#[test]
fn fractal_heap_of_a_terabyte() {
    let m = Map::new("limits_latest.h5");
    let h = m.first(Kind::Frhp);
    let l = usize::from(m.ctx.length_size);
    let o = usize::from(m.ctx.offset_size);
    let after_counts = h.pos + 14 + 10 * l + 2 * o;
    for (field, at, width, value) in [
        ("starting block size", after_counts + 2, l, 1u64 << 40),
        (
            "maximum direct block size",
            after_counts + 2 + l,
            l,
            1 << 40,
        ),
        ("maximum heap size", after_counts + 2 + 2 * l, 2, 64),
        ("table width", after_counts, 2, 0xffff),
    ] {
        let mut b = m.bytes.clone();
        put(&mut b, at, width, value);
        m.refit(&mut b);
        let what = format!("fractal heap {field} = {value}");
        let r = bounded(&what, || open(b.clone()).root().unwrap().group("many"));
        match r {
            Ok(g) => {
                let r = bounded(&what, || g.links());
                let (kind, addr) = format(r);
                assert!(
                    matches!(kind, K::InvalidValue | K::OutOfBounds | K::Truncated),
                    "{what}: {kind:?}"
                );
                assert!(
                    (m.rel(h.pos)..m.rel(h.end())).contains(&addr),
                    "{what}: {addr:#x}"
                );
            }
            Err(e) => panic!("{what}: {e:?}"),
        }
        walk_reports(&what, b, |f| {
            f.addr()
                .is_some_and(|a| (m.rel(h.pos)..m.rel(h.end())).contains(&a))
        });
    }
}

// ---------------------------------------------------------------------------------------------
// Chains and trees past their caps (hand-built files)
// ---------------------------------------------------------------------------------------------

const UNDEF: u64 = u64::MAX;

/// A version 0 superblock (8-byte offsets and lengths) whose root object header is at 96,
/// followed by `body` (at address 96).
fn v0_file(body: &[u8]) -> Vec<u8> {
    let mut b = vec![0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];
    b.extend_from_slice(&[0, 0, 0, 0, 0, 8, 8, 0]);
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    let eof = 96 + body.len() as u64;
    for v in [0, UNDEF, eof, UNDEF, 0, 96] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&[0u8; 24]);
    assert_eq!(b.len(), 96);
    b.extend_from_slice(body);
    b
}

/// A version 1 object header prefix for `size` bytes of messages.
fn v1_prefix(nmessages: u16, size: u32) -> Vec<u8> {
    let mut h = vec![1u8, 0];
    h.extend_from_slice(&nmessages.to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&size.to_le_bytes());
    h.extend_from_slice(&[0; 4]);
    h
}

/// A version 1 header message.
fn v1_message(kind: u16, body: &[u8]) -> Vec<u8> {
    let mut m = kind.to_le_bytes().to_vec();
    m.extend_from_slice(&(body.len() as u16).to_le_bytes());
    m.extend_from_slice(&[0; 4]);
    m.extend_from_slice(body);
    m
}

fn continuation(addr: u64, len: u64) -> Vec<u8> {
    let mut d = addr.to_le_bytes().to_vec();
    d.extend_from_slice(&len.to_le_bytes());
    v1_message(0x10, &d)
}

/// A root header whose messages continue through `n` continuation blocks, each holding only
/// the continuation to the next; the last holds a NIL message.
fn continuation_chain(n: usize) -> Vec<u8> {
    const BLOCK: u64 = 24;
    let mut body = v1_prefix(1, 24);
    let first = 96 + 16 + 24;
    body.extend_from_slice(&continuation(first, BLOCK));
    for i in 0..n {
        let next = first + (i as u64 + 1) * BLOCK;
        if i + 1 < n {
            body.extend_from_slice(&continuation(next, BLOCK));
        } else {
            body.extend_from_slice(&v1_message(0, &[0; 16]));
        }
    }
    v0_file(&body)
}

/// Continuation chains one block longer than `max_continuations`, with the default cap and a
/// tight one; exactly at the cap the header reads. Unlike the declared sizes above, a chain
/// is made of real bytes: 65537 blocks of 24 bytes are 1.5 MiB, and reading them costs memory
/// in proportion (a message record and a visited-address entry per block, about six times
/// the block bytes), so the bound asserted is relative to the file.
#[test]
fn continuation_chain_past_the_cap() {
    let default = Limits::default().max_continuations as usize;
    let b = continuation_chain(default + 1);
    let what = "default cap";
    let f = open(b.clone());
    let t = Instant::now();
    let (r, peak) = measure(|| f.root().map(|_| ()));
    assert_eq!(limit(r), "max_continuations", "{what}");
    assert!(t.elapsed() < FAST, "{what}: took {:?}", t.elapsed());
    println!("{what}: peak heap {peak} bytes for a file of {}", b.len());
    assert!(
        peak < 8 * b.len(),
        "{what}: peak heap {peak} bytes for a file of {}",
        b.len()
    );
    let out = common::run(b);
    assert!(out.any(is_limit("max_continuations")), "{}", out.summary());

    let mut tight = Limits::default();
    tight.max_continuations = 10;
    let r = open_with(continuation_chain(11), tight).unwrap().root();
    assert_eq!(limit(r), "max_continuations");
    let g = open_with(continuation_chain(10), tight)
        .unwrap()
        .root()
        .unwrap();
    assert_eq!(g.header().messages.len(), 11);
}

/// An old-style group whose B-tree is a chain of `depth` nodes (levels depth-1 .. 0), the
/// leaf pointing at a symbol table node with one entry.
fn deep_group_btree(depth: usize) -> Vec<u8> {
    // Layout (addresses): 96 root header (16 + 8 + 16 bytes), 136 local heap header (32),
    // 168 heap data (16), 184 symbol table node (8 + 8 * 40, allocated for 2K = 8 entries),
    // 512 the B-tree nodes, 48 bytes each.
    let heap = 136u64;
    let snod = 184u64;
    let tree = 512u64;
    let mut st = tree.to_le_bytes().to_vec();
    st.extend_from_slice(&heap.to_le_bytes());
    let mut body = v1_prefix(1, 24);
    body.extend_from_slice(&v1_message(0x11, &st));
    // Local heap: "HEAP", version 0, data segment of 16 bytes at 168, no free block.
    body.extend_from_slice(b"HEAP\0\0\0\0");
    body.extend_from_slice(&16u64.to_le_bytes());
    body.extend_from_slice(&UNDEF.to_le_bytes());
    body.extend_from_slice(&168u64.to_le_bytes());
    body.extend_from_slice(b"\0\0\0\0\0\0\0\0a\0\0\0\0\0\0\0");
    // Symbol table node: one entry "a" -> the root header (a hard link to itself).
    body.extend_from_slice(b"SNOD\x01\0\x01\0");
    body.extend_from_slice(&8u64.to_le_bytes());
    body.extend_from_slice(&96u64.to_le_bytes());
    body.extend_from_slice(&[0; 24]);
    body.resize((tree - 96) as usize, 0);
    for k in 0..depth {
        let level = (depth - 1 - k) as u8;
        let child = if level == 0 {
            snod
        } else {
            tree + (k as u64 + 1) * 48
        };
        body.extend_from_slice(b"TREE\0");
        body.push(level);
        body.extend_from_slice(&1u16.to_le_bytes());
        body.extend_from_slice(&UNDEF.to_le_bytes());
        body.extend_from_slice(&UNDEF.to_le_bytes());
        body.extend_from_slice(&0u64.to_le_bytes());
        body.extend_from_slice(&child.to_le_bytes());
        body.extend_from_slice(&8u64.to_le_bytes());
    }
    v0_file(&body)
}

/// v1 B-trees deeper than `max_btree_depth` (default and tight); at the cap the group lists.
#[test]
fn v1_btree_past_the_depth_cap() {
    let default = Limits::default().max_btree_depth as usize;
    let b = deep_group_btree(default + 1);
    let what = "v1 B-tree of depth max + 1";
    let r = bounded(what, || open(b.clone()).root().unwrap().links());
    assert_eq!(limit(r), "max_btree_depth", "{what}");
    walk_reports(what, b, is_limit("max_btree_depth"));
    let links = open(deep_group_btree(default))
        .root()
        .unwrap()
        .links()
        .unwrap();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].name, "a");

    let mut tight = Limits::default();
    tight.max_btree_depth = 3;
    let r = open_with(deep_group_btree(4), tight)
        .unwrap()
        .root()
        .unwrap()
        .links();
    assert_eq!(limit(r), "max_btree_depth");
    tight.max_btree_nodes = 3;
    tight.max_btree_depth = 64;
    let r = open_with(deep_group_btree(3), tight)
        .unwrap()
        .root()
        .unwrap()
        .links();
    assert_eq!(limit(r), "max_btree_nodes");
}

/// A v2 B-tree header declaring a depth past the cap (the dense group's name index).
#[test]
fn v2_btree_past_the_depth_cap() {
    let m = Map::new("limits_latest.h5");
    let h = m.first(Kind::Bthd);
    let depth = Limits::default().max_btree_depth + 1;
    let mut b = m.bytes.clone();
    put(&mut b, h.pos + 12, 2, u64::from(depth));
    m.refit(&mut b);
    let what = "v2 B-tree depth max + 1";
    let r = bounded(what, || {
        open(b.clone())
            .root()
            .unwrap()
            .group("many")
            .unwrap()
            .links()
    });
    assert_eq!(limit(r), "max_btree_depth", "{what}");
    walk_reports(what, b, is_limit("max_btree_depth"));
}

// ---------------------------------------------------------------------------------------------
// Tight user limits on ordinary fixtures
// ---------------------------------------------------------------------------------------------

fn fixture(name: &str, limits: Limits) -> File {
    open_with(common::load(name), limits).unwrap()
}

#[test]
fn tight_max_alloc() {
    // Every block read counts: the root header of limits_latest is 131 bytes.
    let mut l = Limits::default();
    l.max_alloc = 100;
    let f = open_with(common::load("limits_latest.h5"), l).unwrap();
    assert_eq!(limit(f.root()), "max_alloc");
    // d2_contig is 6808 bytes, d1_contig 4000.
    l.max_alloc = 4000;
    let f = fixture("select_earliest.h5", l);
    assert_eq!(limit(dataset(&f, "d2_contig").read_raw()), "max_alloc");
    assert_eq!(dataset(&f, "d1_contig").read_raw().unwrap().len(), 4000);
    // A global heap collection is read whole (4096 bytes).
    let f = fixture("limits_earliest.h5", l);
    assert_eq!(limit(values(&dataset(&f, "vlen"))), "max_alloc");
}

#[test]
fn tight_max_chunk_bytes() {
    let mut l = Limits::default();
    l.max_chunk_bytes = 100;
    let f = fixture("chunkidx_latest.h5", l);
    let root = f.root().unwrap();
    let mut hit = 0;
    for link in root.links().unwrap() {
        if let Ok(Object::Dataset(d)) = root.get(&link.name) {
            if let h5oxide::format::message::layout::Layout::Chunked { chunk, .. } =
                &d.info().layout.layout
            {
                let bytes = chunk.iter().product::<u64>() * d.dtype().size();
                let r = d.read_raw();
                if bytes > 100 && !d.is_empty() {
                    assert_eq!(limit(r), "max_chunk_bytes", "{}", d.path());
                    hit += 1;
                } else {
                    r.unwrap();
                }
            }
        }
    }
    assert!(hit >= 3, "{hit} datasets with chunks over 100 bytes");
}

#[test]
fn tight_max_continuations_and_messages() {
    // attrs_latest keeps 25 attributes of /grow in continuation blocks.
    let mut l = Limits::default();
    l.max_continuations = 0;
    let f = fixture("attrs_latest.h5", l);
    assert_eq!(
        limit(f.root().unwrap().get("grow").map(|_| ())),
        "max_continuations"
    );
    let mut l = Limits::default();
    l.max_messages = 3;
    let f = fixture("attrs_latest.h5", l);
    assert_eq!(
        limit(f.root().unwrap().get("grow").map(|_| ())),
        "max_messages"
    );
}

#[test]
fn tight_btree_caps() {
    let mut l = Limits::default();
    l.max_btree_depth = 1;
    let f = fixture("btree2_deep_latest.h5", l);
    let root = f.root().unwrap();
    let d = root.dataset("deep").unwrap();
    assert_eq!(limit(d.read_raw()), "max_btree_depth");

    let mut l = Limits::default();
    l.max_btree_nodes = 10;
    let f = fixture("btree2_deep_latest.h5", l);
    let d = f.root().unwrap().dataset("deep").unwrap();
    assert_eq!(limit(d.read_raw()), "max_btree_nodes");

    // v1 B-tree of a group with 300 hard links (two levels under earliest).
    let addr = fixture("groups_earliest.h5", Limits::default())
        .root()
        .unwrap()
        .group("hardmany")
        .unwrap()
        .addr();
    let mut l = Limits::default();
    l.max_btree_nodes = 2;
    let f = fixture("groups_earliest.h5", l);
    match f.object_at(addr).unwrap() {
        Object::Group(g) => assert_eq!(limit(g.links()), "max_btree_nodes"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tight_link_hops_and_depth() {
    let mut l = Limits::default();
    l.max_link_hops = 0;
    let f = fixture("groups_earliest.h5", l);
    let links = f.root().unwrap().group("links").unwrap();
    let soft = links
        .links()
        .unwrap()
        .into_iter()
        .find(|k| matches!(k.kind, h5oxide::hl::LinkKind::Soft(_)))
        .unwrap();
    assert_eq!(limit(links.get(&soft.name)), "max_link_hops");

    // A nested compound datatype deeper than max_depth.
    let mut l = Limits::default();
    l.max_depth = 1;
    let f = fixture("dtypes_latest.h5", l);
    let r = f.root().unwrap().dataset("dsets/cmp_nested");
    assert_eq!(limit(r), "max_depth");
}

/// A virtual dataset of vlen strings from another file, patched to 10^9 elements: its values
/// are resolved per source file, and the output is still refused against `max_alloc` before
/// anything is allocated.
#[test]
fn billion_element_virtual_dataset() {
    let m = Map::new("vds_latest.h5");
    let (body, _) = m.message("vlen_strings", 0x01);
    let mut b = m.bytes.clone();
    set_dim0(&m, &mut b, body, 1_000_000_000);
    m.refit(&mut b);
    // The sources are found next to the file: write it beside copies of them.
    // Cargo's per-target scratch directory (the host path; the WASI runner maps "/" to "/").
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("limits-vds");
    std::fs::create_dir_all(&dir).unwrap();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fixtures");
    std::fs::copy(fixtures.join("vdssrc_a.h5"), dir.join("vdssrc_a.h5")).unwrap();
    let path = dir.join("vds.h5");
    std::fs::write(&path, &b).unwrap();
    let what = "virtual dataset of 10^9 vlen strings";
    let f = File::open(&path).unwrap();
    let d = dataset(&f, "vlen_strings");
    assert_eq!(d.len(), 1_000_000_000);
    let r = bounded(what, || values(&d));
    assert_eq!(limit(r), "max_alloc", "{what}");
    let r = bounded(what, || d.read_raw().map(|v| v.len()));
    assert_eq!(limit(r), "max_alloc", "{what}");
    let (doc, peak) = measure(|| h5oxide::canon::doc::document(&f, Default::default()));
    assert!(peak < PEAK, "{what}: document peak {peak}");
    let mut errors = Vec::new();
    fn collect(j: &h5oxide::canon::Json, out: &mut Vec<String>) {
        match j {
            h5oxide::canon::Json::Object(kv) => {
                for (k, v) in kv {
                    match (k.as_str(), v) {
                        ("error", h5oxide::canon::Json::Str(s)) => out.push(s.clone()),
                        _ => collect(v, out),
                    }
                }
            }
            h5oxide::canon::Json::Array(a) => a.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    collect(&doc, &mut errors);
    assert!(
        errors.iter().any(|e| e.contains("max_alloc")),
        "{what}: {errors:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A datatype of 2^32 - 1 bytes per element: reading refuses the output against
/// `max_alloc`, and the document's default fill value is not materialised either.
#[test]
fn four_gigabyte_datatype() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let (body, _) = m.message("contig_u1", 0x03);
        let mut b = m.bytes.clone();
        put(&mut b, body + 4, 4, u64::from(u32::MAX));
        m.refit(&mut b);
        let what = format!("{lv}: datatype of 2^32 - 1 bytes");
        let r = bounded(&what, || {
            let d = dataset(&open(b.clone()), "contig_u1");
            assert_eq!(d.dtype().size(), u64::from(u32::MAX));
            d.read_raw().map(|v| v.len())
        });
        assert_eq!(limit(r), "max_alloc", "{what}");
        walk_reports(&what, b, is_limit("max_alloc"));
    }
}

/// A datatype of 2^24 bytes per element (16 elements: 256 MiB, within `max_alloc`): the
/// contiguous storage (16 bytes) cannot hold it, which is found before the output is
/// allocated.
#[test]
fn sixteen_megabyte_datatype() {
    for lv in LIBVERS {
        let m = Map::new(&format!("limits_{lv}.h5"));
        let (body, _) = m.message("contig_u1", 0x03);
        let (layout, _) = m.message("contig_u1", 0x08);
        let o = usize::from(m.ctx.offset_size);
        let data_addr = common::le_at(&m.bytes, layout + 2, o);
        let mut b = m.bytes.clone();
        put(&mut b, body + 4, 4, 1 << 24);
        m.refit(&mut b);
        let what = format!("{lv}: datatype of 2^24 bytes");
        let r = bounded(&what, || dataset(&open(b.clone()), "contig_u1").read_raw());
        assert_eq!(format(r), (K::InvalidValue, data_addr), "{what}");
    }
}

/// A deflate-compressed chunk whose layout claims 2^29 bytes per chunk (within `max_alloc` and
/// `max_chunk_bytes`): the few hundred bytes of stream inflate to what they hold, the size
/// mismatch is an error, and the claimed size is never allocated. With the claim over
/// `max_alloc` (2^31 bytes, under `max_chunk_bytes`) the read is refused up front. (Layout
/// version 3: chunk dimensions are 4 bytes wide; h5py's version 4/5 layouts use the fewest
/// bytes the real dimensions need.)
#[test]
fn deflate_chunk_claiming_half_a_gigabyte() {
    let m = Map::new("filters_earliest.h5");
    let (body, _) = m.message("gzip9", 0x08);
    let o = usize::from(m.ctx.offset_size);
    assert_eq!(m.bytes[body], 3);
    for (bytes, expect) in [(1u64 << 29, None), (1 << 31, Some("max_alloc"))] {
        let mut b = m.bytes.clone();
        // gzip9 is (1000,) i4 in chunks of 128: claim bytes / 4 elements.
        put(&mut b, body + 3 + o, 4, bytes / 4);
        let what = format!("deflate chunk of {bytes} bytes");
        let r = bounded(&what, || dataset(&open(b.clone()), "gzip9").read_raw());
        match expect {
            Some(cap) => assert_eq!(limit(r), cap, "{what}"),
            None => assert_eq!(format(r).0, K::InvalidValue, "{what}"),
        }
    }
}

/// External raw data with a datatype patched to 2^23 bytes (100 elements: 800 MiB, within
/// `max_alloc`): refused before the output is allocated -- `Unsupported` while external files
/// are not enabled, `InvalidValue` when they are (400 bytes of segments cannot hold it).
#[test]
fn external_dataset_with_a_huge_datatype() {
    for lv in LIBVERS {
        let m = Map::new(&format!("external_{lv}.h5"));
        let (body, _) = m.message("one_segment", 0x03);
        let mut b = m.bytes.clone();
        put(&mut b, body + 4, 4, 1 << 23);
        m.refit(&mut b);
        let what = format!("{lv}: external data of 800 MiB");
        let r = bounded(&what, || {
            dataset(&open(b.clone()), "one_segment").read_raw()
        });
        assert!(matches!(r, Err(Error::Unsupported { .. })), "{what}: {r:?}");
        let options = h5oxide::OpenOptions::new().external_files(true);
        let r = bounded(&what, || {
            let src: Arc<dyn ReadAt + Send + Sync> = Arc::new(b.clone());
            let f = File::from_source_with(src, options).unwrap();
            dataset(&f, "one_segment").read_raw()
        });
        assert_eq!(format(r).0, K::InvalidValue, "{what}");
    }
}
