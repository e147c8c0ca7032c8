//! Every chunk index type against files written by h5py 3.16 / libhdf5 2.0: the committed
//! fixtures (`testdata/fixtures/chunkidx_*`, `btree2_deep_latest`, `offsets4_*`, `filters_*`)
//! and the extra index shapes of `testdata/unit/gen_chunkidx.py`, whose oracle
//! (`chunkidx_expected.json`) lists h5py's `get_chunk_info` for every stored chunk.
//!
//! For every chunked dataset, the full set of chunk records must equal h5py's; region queries
//! must return exactly the expected chunks inside the region, and read only the blocks they
//! need; corrupted indexes must fail with the exact error.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::format::btree::v2::Node;
use h5oxide::format::checksum::lookup3;
use h5oxide::format::chunk_index::{extensible_array as ea, fixed_array as fa};
use h5oxide::format::message::layout::{ChunkIndex as IndexType, Layout};
use h5oxide::format::Addr;
use h5oxide::io::ReadAt;
use h5oxide::read::btree_v2::BTreeV2;
use h5oxide::read::chunk_index::{self, ChunkRecord, ChunkRegion};
use h5oxide::{Error, File, FormatErrorKind, Limits};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

fn testdata(rel: &str) -> String {
    format!("{}/testdata/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn expected() -> BTreeMap<String, BTreeMap<String, Value>> {
    let b = std::fs::read(testdata("unit/chunkidx_expected.json")).unwrap();
    serde_json::from_slice(&b).unwrap()
}

/// One chunk as the oracle lists it: offsets, filter mask, address, size.
type Info = (Vec<u64>, u32, u64, u64);

fn info_of(rec: &ChunkRecord) -> Info {
    (rec.offset.clone(), rec.filter_mask, rec.addr.0, rec.size)
}

fn oracle_chunks(d: &Value) -> BTreeSet<Info> {
    d["stored"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let v: Vec<u64> = c
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect();
            let n = v.len();
            (v[..n - 3].to_vec(), v[n - 3] as u32, v[n - 2], v[n - 1])
        })
        .collect()
}

fn u64s(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap())
        .collect()
}

/// The chunks an index yields for `region`, checking that none comes twice.
fn query(ds: &h5oxide::Dataset, region: &ChunkRegion) -> Result<BTreeSet<Info>, Error> {
    let info = ds.info();
    let r = ds.file().reader();
    let ix = chunk_index::open(r, &info.layout, &info.space, !info.filters.is_empty())?;
    let mut out = BTreeSet::new();
    for rec in ix.chunks(r, region) {
        let i = info_of(&rec?);
        assert!(out.insert(i.clone()), "{}: {i:?} yielded twice", ds.path());
    }
    Ok(out)
}

fn index_name(l: &Layout) -> &'static str {
    match l {
        Layout::Chunked { index, .. } => match index {
            IndexType::BTreeV1 => "v1 B-tree",
            IndexType::SingleChunk { filtered: None } => "single chunk",
            IndexType::SingleChunk { filtered: Some(_) } => "single filtered chunk",
            IndexType::Implicit => "implicit",
            IndexType::FixedArray { .. } => "fixed array",
            IndexType::ExtensibleArray { .. } => "extensible array",
            IndexType::BTreeV2 { .. } => "v2 B-tree",
        },
        _ => "not chunked",
    }
}

/// Regions to query: the middle third of the grid, one chunk, a row of chunks, an empty box,
/// and a box reaching past the extent.
fn regions(counts: &[u64], stored: &BTreeSet<Info>, chunk: &[u64]) -> Vec<ChunkRegion> {
    let rank = counts.len();
    let mut out = vec![
        ChunkRegion {
            lo: counts.iter().map(|&n| n / 3).collect(),
            hi: counts.iter().map(|&n| (2 * n / 3).max(n / 3)).collect(),
        },
        ChunkRegion {
            lo: vec![1; rank],
            hi: vec![0; rank],
        },
        ChunkRegion {
            lo: counts.iter().map(|&n| n.saturating_sub(1)).collect(),
            hi: vec![u64::MAX; rank],
        },
    ];
    // One stored chunk from the middle of the list, and the row (last dimension) holding it.
    if let Some((off, ..)) = stored.iter().nth(stored.len() / 2) {
        let scaled: Vec<u64> = off.iter().zip(chunk).map(|(o, c)| o / c).collect();
        out.push(ChunkRegion {
            lo: scaled.clone(),
            hi: scaled.clone(),
        });
        let mut lo = scaled.clone();
        let mut hi = scaled;
        lo[rank - 1] = 0;
        hi[rank - 1] = counts[rank - 1] - 1;
        out.push(ChunkRegion { lo, hi });
    }
    out
}

#[test]
fn every_index_matches_h5py() {
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    let mut versions = BTreeSet::new();
    let mut checked = 0;
    for (file, dsets) in expected() {
        let f = File::open(testdata(&file)).unwrap();
        let root = f.root().unwrap();
        for (path, d) in dsets {
            let ds = root.dataset(&path).unwrap();
            let info = ds.info();
            *kinds.entry(index_name(&info.layout.layout)).or_default() += 1;
            versions.insert(info.layout.version);
            let what = format!("{file} {path} ({})", index_name(&info.layout.layout));
            let want = oracle_chunks(&d);
            let rank = info.space.dims.len();
            let got = query(&ds, &ChunkRegion::all(rank)).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(got, want, "{what}");
            // Region queries: exactly the expected chunks inside the region.
            let chunk = u64s(&d["chunks"]);
            let shape = u64s(&d["shape"]);
            let counts: Vec<u64> = shape
                .iter()
                .zip(&chunk)
                .map(|(s, c)| s.div_ceil(*c))
                .collect();
            for region in regions(&counts, &want, &chunk) {
                let inside: BTreeSet<Info> = want
                    .iter()
                    .filter(|(off, ..)| {
                        let scaled: Vec<u64> = off.iter().zip(&chunk).map(|(o, c)| o / c).collect();
                        region.contains(&scaled)
                    })
                    .cloned()
                    .collect();
                let got = query(&ds, &region).unwrap_or_else(|e| panic!("{what} {region:?}: {e}"));
                assert_eq!(got, inside, "{what} {region:?}");
            }
            // A region of the wrong rank is a usage error.
            assert!(matches!(
                query(&ds, &ChunkRegion::all(rank + 1)),
                Err(Error::Usage(_))
            ));
            checked += 1;
        }
    }
    // Every index type and layout version is exercised.
    for k in [
        "v1 B-tree",
        "single chunk",
        "single filtered chunk",
        "implicit",
        "fixed array",
        "extensible array",
        "v2 B-tree",
    ] {
        assert!(kinds.get(k).copied().unwrap_or(0) >= 3, "{k}: {kinds:?}");
    }
    assert_eq!(versions, BTreeSet::from([3, 4, 5]), "layout versions");
    assert!(checked > 140, "{checked}");
}

/// A file source that counts the bytes read from it (and offers no zero-copy slice, so every
/// read goes through `read_exact_at`).
struct Counting {
    data: Vec<u8>,
    read: Arc<AtomicU64>,
}

impl ReadAt for Counting {
    fn len(&self) -> h5oxide::Result<u64> {
        Ok(self.data.len() as u64)
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> h5oxide::Result<()> {
        self.read.fetch_add(buf.len() as u64, Ordering::Relaxed);
        let p = pos as usize;
        buf.copy_from_slice(&self.data[p..p + buf.len()]);
        Ok(())
    }
}

/// Bytes read by a query of `region` on `path`, and the chunks it found.
fn cost(file: &str, path: &str, region: &ChunkRegion) -> (u64, usize) {
    let read = Arc::new(AtomicU64::new(0));
    let src = Counting {
        data: std::fs::read(testdata(file)).unwrap(),
        read: read.clone(),
    };
    let f = File::from_reader(src).unwrap();
    let ds = f.root().unwrap().dataset(path).unwrap();
    let info = ds.info();
    let r = f.reader();
    let ix = chunk_index::open(r, &info.layout, &info.space, !info.filters.is_empty()).unwrap();
    let before = read.load(Ordering::Relaxed);
    let n = ix
        .chunks(r, region)
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
        .len();
    (read.load(Ordering::Relaxed) - before, n)
}

fn one(at: &[u64]) -> ChunkRegion {
    ChunkRegion {
        lo: at.to_vec(),
        hi: at.to_vec(),
    }
}

#[test]
fn queries_read_only_what_they_need() {
    // v2 B-tree of 10 000 chunks: one chunk costs a root-to-leaf path, not the tree.
    let (all, n) = cost(
        "fixtures/btree2_deep_latest.h5",
        "/deep",
        &ChunkRegion::all(2),
    );
    assert_eq!(n, 10_000);
    let (some, n) = cost("fixtures/btree2_deep_latest.h5", "/deep", &one(&[57, 31]));
    assert_eq!(n, 1);
    assert!(some * 20 < all, "{some} of {all}");
    // Paged fixed array: a chunk of page 2 reads the data block and that page only
    // (1024 eight-byte entries); page 1 was never written and costs nothing.
    let (some, n) = cost("fixtures/chunkidx_latest.h5", "/fixed_paged", &one(&[2500]));
    assert_eq!(n, 1);
    assert!(some < 8196 + 100, "{some}");
    let region = ChunkRegion {
        lo: vec![1024],
        hi: vec![2047],
    };
    assert_eq!(
        cost("fixtures/chunkidx_latest.h5", "/fixed_paged", &region),
        (19, 0)
    );
    // Extensible array: one chunk in a paged data block of super block 13 reads the index
    // block, one secondary block, one data block and one page.
    let (some, n) = cost(
        "unit/chunkidx_extra_latest.h5",
        "/ea_sparse",
        &one(&[134_201]),
    );
    assert_eq!(n, 1);
    assert_eq!(some, 298 + (18 + 64 + 64 * 8 + 4) + 22 + (1024 * 8 + 4));
    let (all, n) = cost(
        "unit/chunkidx_extra_latest.h5",
        "/ea_sparse",
        &ChunkRegion::all(1),
    );
    assert_eq!(n, 73);
    assert!(all > 4 * some, "{all}");
    // v1 B-tree: one chunk of 900 reads a small part of the tree.
    let (all, _) = cost(
        "fixtures/chunkidx_earliest.h5",
        "/btree2",
        &ChunkRegion::all(2),
    );
    let (some, n) = cost("fixtures/chunkidx_earliest.h5", "/btree2", &one(&[17, 3]));
    assert_eq!(n, 1);
    assert!(some * 4 < all, "{some} of {all}");
}

/// The index of `path` in the in-memory file `bytes`.
fn index_of(bytes: Vec<u8>, path: &str) -> Result<Vec<ChunkRecord>, Error> {
    let f = File::from_bytes(bytes)?;
    let ds = f.root()?.dataset(path)?;
    let info = ds.info();
    let r = f.reader();
    let ix = chunk_index::open(r, &info.layout, &info.space, !info.filters.is_empty())?;
    ix.chunks(r, &ChunkRegion::all(info.space.dims.len()))
        .collect()
}

fn index_addr(file: &str, path: &str) -> (Vec<u8>, u64) {
    let bytes = std::fs::read(testdata(file)).unwrap();
    let f = File::from_bytes(bytes.clone()).unwrap();
    let ds = f.root().unwrap().dataset(path).unwrap();
    match &ds.info().layout.layout {
        Layout::Chunked { addr, .. } => (bytes, addr.unwrap().0),
        l => panic!("{l:?}"),
    }
}

/// Recompute the lookup3 checksum of the `len`-byte structure at `at` (checksum last).
fn reseal(b: &mut [u8], at: usize, len: usize) {
    let sum = lookup3(&b[at..at + len - 4], 0);
    b[at + len - 4..at + len].copy_from_slice(&sum.to_le_bytes());
}

#[test]
fn corrupt_fixed_array() {
    let (bytes, h) = index_addr("fixtures/chunkidx_latest.h5", "/fixed_paged");
    assert!(index_of(bytes.clone(), "/fixed_paged").is_ok());
    let hdr = fa::Header::decode(&bytes[h as usize..], h, h5oxide::format::Ctx::DEFAULT).unwrap();
    let dblk = hdr.data_block.unwrap();
    let ctx = h5oxide::format::Ctx::DEFAULT;
    // A flipped bit in page 2: its checksum fails, at the page's checksum field.
    let p2 = hdr.page_addr(ctx, dblk, 2).unwrap().0;
    let mut b = bytes.clone();
    b[p2 as usize + 100] ^= 1;
    assert_eq!(
        index_of(b, "/fixed_paged").unwrap_err(),
        Error::Format {
            kind: FormatErrorKind::BadChecksum,
            what: "chunk index data block page",
            addr: p2 + 952 * 8
        }
    );
    // A bad data block signature.
    let mut b = bytes.clone();
    b[dblk.0 as usize] = b'X';
    assert_eq!(
        index_of(b, "/fixed_paged").unwrap_err(),
        Error::format(
            FormatErrorKind::BadSignature,
            "fixed array data block",
            dblk.0
        )
    );
    // Page bits 64 (the layout message says 10 too, but the header is checked first): an
    // error, not a shift overflow.
    let mut b = bytes.clone();
    b[h as usize + 7] = 64;
    reseal(&mut b, h as usize, 28);
    assert_eq!(
        index_of(b, "/fixed_paged").unwrap_err(),
        Error::invalid("fixed array page bits", h + 7)
    );
    // An entry count other than the chunk grid of the maximum dimensions.
    let mut b = bytes.clone();
    b[h as usize + 8] ^= 1;
    reseal(&mut b, h as usize, 28);
    assert_eq!(
        index_of(b, "/fixed_paged").unwrap_err(),
        Error::invalid("fixed array entry count", h + 8)
    );
    // A header checksum mismatch.
    let mut b = bytes.clone();
    b[h as usize + 8] ^= 1;
    assert_eq!(
        index_of(b, "/fixed_paged").unwrap_err(),
        Error::format(FormatErrorKind::BadChecksum, "fixed array header", h + 24)
    );
    // The data block truncated away.
    let b = bytes[..dblk.0 as usize + 10].to_vec();
    assert!(index_of(b, "/fixed_paged").is_err());
}

#[test]
fn corrupt_extensible_array() {
    let ctx = h5oxide::format::Ctx::DEFAULT;
    let (bytes, h) = index_addr("unit/chunkidx_extra_latest.h5", "/ea_sparse");
    let hdr = ea::Header::decode(&bytes[h as usize..], h, ctx).unwrap();
    let ib = hdr.index_block.unwrap().0 as usize;
    // Max elements bits of 65: an error, not a shift overflow.
    let mut b = bytes.clone();
    b[h as usize + 7] = 65;
    reseal(&mut b, h as usize, 72);
    assert_eq!(
        index_of(b, "/ea_sparse").unwrap_err(),
        Error::invalid("extensible array max elements bits", h + 7)
    );
    // Secondary block 13's page bitmap corrupted: its checksum fails.
    let g = hdr.geometry(h).unwrap();
    let sb13 = {
        let i = 13 - g.index_block_super_blocks as usize;
        let at = ib + 14 + 4 * 8 + 6 * 8 + i * 8;
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    };
    let mut b = bytes.clone();
    b[sb13 as usize + 18] ^= 0x40;
    let len = g
        .secondary_block_size(ctx, &g.super_block(13, 0).unwrap(), 0)
        .unwrap();
    assert_eq!(
        index_of(b.clone(), "/ea_sparse").unwrap_err(),
        Error::format(
            FormatErrorKind::BadChecksum,
            "extensible array secondary block",
            sb13 + len - 4
        )
    );
    // With a valid checksum, the bitmap now claims page 1 of data block 0, which holds
    // zeros (never written): its page checksum fails.
    reseal(&mut b, sb13 as usize, len as usize);
    let err = index_of(b, "/ea_sparse").unwrap_err();
    assert_eq!(
        err.format_kind(),
        Some(FormatErrorKind::BadChecksum),
        "{err}"
    );
    // Two index block slots of super block 2 pointing at the same data block: the block's
    // offset gives the alias away.
    let mut b = bytes.clone();
    let slot = |k: usize| ib + 14 + 4 * 8 + k * 8;
    let second: [u8; 8] = b[slot(3)..slot(3) + 8].try_into().unwrap();
    b[slot(2)..slot(2) + 8].copy_from_slice(&second);
    reseal(&mut b, ib, 298);
    assert_eq!(
        index_of(b, "/ea_sparse").unwrap_err(),
        Error::invalid(
            "extensible array block offset",
            u64::from_le_bytes(second) + 14
        )
    );
    // An index block pointing at the header.
    let mut b = bytes.clone();
    b[h as usize + 12 + 48..h as usize + 12 + 56].copy_from_slice(&h.to_le_bytes());
    reseal(&mut b, h as usize, 72);
    assert_eq!(
        index_of(b, "/ea_sparse").unwrap_err(),
        Error::format(
            FormatErrorKind::BadSignature,
            "extensible array index block",
            h
        )
    );
}

#[test]
fn corrupt_v2_btree() {
    let (bytes, h) = index_addr("fixtures/btree2_deep_latest.h5", "/deep");
    let f = File::from_bytes(bytes.clone()).unwrap();
    let r = f.reader();
    let tree = BTreeV2::open_with(
        r,
        Addr(h),
        h5oxide::format::btree::v2::RecordParams::chunks(2, 8),
    )
    .unwrap();
    let hd = *tree.header();
    assert!(hd.depth >= 1);
    let root = hd.root.unwrap().0 as usize;
    let node = Node::decode(
        &bytes[root..],
        root as u64,
        tree.geometry(),
        tree.record_format(),
        hd.depth,
        u64::from(hd.root_records),
    )
    .unwrap();
    // Point the root's second child at its first: reached twice, a cycle.
    let (c0, c1) = (node.children[0].addr.0, node.children[1].addr.0);
    let used = tree
        .geometry()
        .used_size(hd.depth, u64::from(hd.root_records))
        .unwrap() as usize;
    let mut b = bytes.clone();
    let pos = b[root..root + used]
        .windows(8)
        .position(|w| w == c1.to_le_bytes())
        .unwrap();
    b[root + pos..root + pos + 8].copy_from_slice(&c0.to_le_bytes());
    reseal(&mut b, root, used);
    let leaf = if hd.depth == 1 {
        "v2 B-tree leaf node"
    } else {
        "v2 B-tree internal node"
    };
    assert_eq!(
        index_of(b, "/deep").unwrap_err(),
        Error::format(FormatErrorKind::Cycle, leaf, c0)
    );
    // A flipped byte in a leaf: that leaf's checksum.
    let mut b = bytes.clone();
    b[c1 as usize + 10] ^= 1;
    let err = index_of(b, "/deep").unwrap_err();
    assert_eq!(
        err.format_kind(),
        Some(FormatErrorKind::BadChecksum),
        "{err}"
    );
    // The node budget.
    let mut lim = Limits::default();
    lim.max_btree_nodes = 3;
    let f = File::from_source(Arc::new(bytes), lim).unwrap();
    let ds = f.root().unwrap().dataset("/deep").unwrap();
    let info = ds.info();
    let ix = chunk_index::open(f.reader(), &info.layout, &info.space, false).unwrap();
    let err = ix
        .chunks(f.reader(), &ChunkRegion::all(2))
        .find_map(Result::err)
        .unwrap();
    assert!(matches!(
        err,
        Error::LimitExceeded {
            limit: "max_btree_nodes",
            ..
        }
    ));
}

#[test]
fn index_must_fit_the_dataset() {
    // The filter flag decides the element format: a filtered fixed array read as plain.
    let f = File::open(testdata("fixtures/chunkidx_latest.h5")).unwrap();
    let root = f.root().unwrap();
    let r = f.reader();
    let ds = root.dataset("/fixed_gzip").unwrap();
    let info = ds.info();
    assert_eq!(
        chunk_index::open(r, &info.layout, &info.space, false)
            .err()
            .unwrap()
            .format_kind(),
        Some(FormatErrorKind::InvalidValue)
    );
    // A dataspace of another rank.
    let ds2 = root.dataset("/earray").unwrap();
    assert!(chunk_index::open(r, &info.layout, &ds2.info().space, true).is_err());
    // A v2 B-tree of type 10 opened as filtered.
    let ds = root.dataset("/btree2").unwrap();
    let info = ds.info();
    assert!(chunk_index::open(r, &info.layout, &info.space, true).is_err());
    // Not a chunked layout.
    let ds = root.dataset("/fixed").unwrap();
    let mut l = ds.info().layout.clone();
    l.layout = Layout::Contiguous {
        addr: None,
        size: None,
    };
    assert!(matches!(
        chunk_index::open(r, &l, &ds.info().space, false),
        Err(Error::Usage(_))
    ));
}
