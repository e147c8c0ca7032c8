//! Corrupted raw data: a damaged chunk, a wrong Fletcher-32 checksum, a truncated file or a
//! filter h5oxide cannot decode gives a typed error naming the chunk, never a wrong value.
//! Chunk locations come from h5py (`get_chunk_info`), recorded by the test itself from the
//! library's own index so the cases stay valid when fixtures are regenerated.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::filter::Registry;
use h5oxide::read::chunk_index::{self, ChunkRegion};
use h5oxide::{Error, File, FormatErrorKind};
use std::path::Path;

const FIXTURE: &str = "testdata/fixtures/filters_earliest.h5";

fn bytes() -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap()
}

/// Address and size of the first chunk of `path`.
fn first_chunk(f: &File, path: &str) -> (u64, u64) {
    let d = f.root().unwrap().dataset(path).unwrap();
    let info = d.info();
    let idx = chunk_index::open(
        f.reader(),
        &info.layout,
        &info.space,
        !info.filters.is_empty(),
    )
    .unwrap();
    let rank = d.shape().len();
    let rec = idx
        .chunks(
            f.reader(),
            &ChunkRegion {
                lo: vec![0; rank],
                hi: vec![u64::MAX; rank],
            },
        )
        .next()
        .unwrap()
        .unwrap();
    (rec.addr.0 + f.userblock(), rec.size)
}

fn corrupt_and_read(path: &str, flip_at: impl Fn(u64, u64) -> u64) -> Result<Vec<u8>, Error> {
    let mut b = bytes();
    let f = File::from_bytes(b.clone()).unwrap();
    let (addr, size) = first_chunk(&f, path);
    let at = flip_at(addr, size) as usize;
    b[at] ^= 0x55;
    let f = File::from_bytes(b).unwrap();
    f.root().unwrap().dataset(path).unwrap().read_raw()
}

fn format_error(r: Result<Vec<u8>, Error>) -> (FormatErrorKind, u64) {
    match r {
        Err(Error::Format { kind, addr, .. }) => (kind, addr),
        other => panic!("expected a format error, got {other:?}"),
    }
}

#[test]
fn fletcher32_mismatch_is_bad_checksum_at_the_chunk() {
    let f = File::from_bytes(bytes()).unwrap();
    let (addr, _) = first_chunk(&f, "fletcher32_i2");
    // A flipped data byte and a flipped checksum byte are both caught.
    for at in [|a: u64, _s: u64| a + 1, |a: u64, s: u64| a + s - 1] {
        let (kind, where_) = format_error(corrupt_and_read("fletcher32_i2", at));
        assert_eq!(kind, FormatErrorKind::BadChecksum);
        assert_eq!(where_, addr);
    }
}

#[test]
fn damaged_deflate_chunk_is_an_error() {
    // Damage the middle of a compressed stream: zlib's Adler-32 or the stream itself fails.
    let r = corrupt_and_read("gzip9", |a, s| a + s / 2);
    let (kind, _) = format_error(r);
    assert!(
        matches!(
            kind,
            FormatErrorKind::InvalidValue
                | FormatErrorKind::Truncated
                | FormatErrorKind::BadChecksum
        ),
        "{kind:?}"
    );
}

#[test]
fn damaged_lzf_chunk_is_an_error_or_exact_size() {
    // LZF has no checksum: damage may decode to other bytes of the right size (as in
    // libhdf5), but never panics and never yields a wrong-sized chunk.
    let f = File::from_bytes(bytes()).unwrap();
    let d = f.root().unwrap().dataset("lzf").unwrap();
    let full = (d.len() * d.dtype().size()) as usize;
    for off in [0u64, 1, 2, 5] {
        match corrupt_and_read("lzf", |a, _| a + off) {
            Ok(v) => assert_eq!(v.len(), full),
            Err(Error::Format { .. }) => {}
            Err(e) => panic!("{e:?}"),
        }
    }
}

#[test]
fn unknown_mandatory_filter_is_unsupported() {
    let f = File::from_bytes(bytes())
        .unwrap()
        .with_filters(Registry::empty());
    match f
        .root()
        .unwrap()
        .dataset("fletcher32_i2")
        .unwrap()
        .read_raw()
    {
        Err(Error::Unsupported { what, .. }) => assert!(what.contains('3'), "{what}"),
        other => panic!("{other:?}"),
    }
    // A filtered dataset that has no chunks needs no decoder: it reads as its fill value,
    // the same bytes as with the full registry.
    let d = f.root().unwrap().dataset("gzip_unwritten").unwrap();
    let full = File::from_bytes(bytes())
        .unwrap()
        .root()
        .unwrap()
        .dataset("gzip_unwritten")
        .unwrap()
        .read_raw()
        .unwrap();
    assert_eq!(d.read_raw().unwrap(), full);
}

#[test]
fn truncated_file_is_refused() {
    let b = bytes();
    let r = File::from_bytes(b[..b.len() - 100].to_vec());
    assert!(
        matches!(
            r,
            Err(Error::Format {
                kind: FormatErrorKind::Truncated,
                ..
            })
        ),
        "{r:?}"
    );
}
