//! Corrupt and truncated files: every case is an `Err` of the expected kind (or, for sweeps,
//! any outcome but a panic or hang).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::{Error, File, FormatErrorKind};
use std::path::Path;

fn unit(name: &str) -> Vec<u8> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/unit")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn kind(r: Result<impl std::fmt::Debug, Error>) -> FormatErrorKind {
    match r {
        Err(Error::Format { kind, .. }) => kind,
        other => panic!("expected a format error, got {other:?}"),
    }
}

/// Open, walk and describe everything; errors are fine, panics are not.
fn exercise(bytes: Vec<u8>) {
    if let Ok(f) = File::from_bytes(bytes) {
        let doc = h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options { values: true });
        let _ = doc.to_compact();
    }
}

const V0: &str = "heaps_old_group.h5";
const V3: &str = "heaps_new_links.h5";

#[test]
fn superblock_signature() {
    let mut b = unit(V0);
    b[1] = b'X';
    assert_eq!(kind(File::from_bytes(b)), FormatErrorKind::BadSignature);
    assert_eq!(
        kind(File::from_bytes(vec![0u8; 10])),
        FormatErrorKind::BadSignature
    );
}

#[test]
fn superblock_version_and_sizes() {
    let mut b = unit(V0);
    b[8] = 7;
    assert_eq!(kind(File::from_bytes(b)), FormatErrorKind::BadVersion);
    let mut b = unit(V0);
    b[13] = 3; // size of offsets
    assert_eq!(kind(File::from_bytes(b)), FormatErrorKind::InvalidValue);
}

#[test]
fn superblock_checksum() {
    let mut b = unit(V3);
    assert_eq!(b[8], 3, "fixture has a version 3 superblock");
    b[13] ^= 0x10; // inside the base address
    assert_eq!(kind(File::from_bytes(b)), FormatErrorKind::BadChecksum);
}

#[test]
fn truncated_files_are_refused() {
    let b = unit(V3);
    for cut in [20usize, 47, 48, 200, b.len() / 2, b.len() - 1] {
        let r = File::from_bytes(b[..cut].to_vec());
        let k = kind(r);
        assert!(
            matches!(
                k,
                FormatErrorKind::Truncated | FormatErrorKind::BadSignature
            ),
            "cut {cut}: {k:?}"
        );
    }
}

#[test]
fn object_header_checksum() {
    let b = unit(V3);
    let f = File::from_bytes(b.clone()).unwrap();
    let root = f.superblock().root.0 as usize;
    assert_eq!(&b[root..root + 4], b"OHDR");
    let mut bad = b.clone();
    bad[root + 6] ^= 0x01;
    let f = File::from_bytes(bad).unwrap();
    assert_eq!(kind(f.root()), FormatErrorKind::BadChecksum);
    let mut bad = b;
    bad[root + 4] = 9;
    let f = File::from_bytes(bad).unwrap();
    assert_eq!(kind(f.root()), FormatErrorKind::BadVersion);
}

/// A minimal version 0 file whose root object header is at 96.
fn v0_file(root_header: &[u8]) -> Vec<u8> {
    let mut b = vec![0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];
    b.extend_from_slice(&[0, 0, 0, 0, 0, 8, 8, 0]);
    b.extend_from_slice(&4u16.to_le_bytes());
    b.extend_from_slice(&16u16.to_le_bytes());
    b.extend_from_slice(&0u32.to_le_bytes());
    let eof = 96 + root_header.len() as u64;
    for v in [0u64, u64::MAX, eof, u64::MAX, 0, 96] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&[0u8; 24]);
    assert_eq!(b.len(), 96);
    b.extend_from_slice(root_header);
    b
}

fn v1_header(messages: &[(u16, Vec<u8>)]) -> Vec<u8> {
    let mut body = Vec::new();
    for (t, d) in messages {
        body.extend_from_slice(&t.to_le_bytes());
        body.extend_from_slice(&(d.len() as u16).to_le_bytes());
        body.extend_from_slice(&[0, 0, 0, 0]);
        body.extend_from_slice(d);
    }
    let mut h = vec![1u8, 0];
    h.extend_from_slice(&(messages.len() as u16).to_le_bytes());
    h.extend_from_slice(&1u32.to_le_bytes());
    h.extend_from_slice(&(body.len() as u32).to_le_bytes());
    h.extend_from_slice(&[0; 4]);
    h.extend_from_slice(&body);
    h
}

fn continuation(addr: u64, len: u64) -> (u16, Vec<u8>) {
    let mut d = addr.to_le_bytes().to_vec();
    d.extend_from_slice(&len.to_le_bytes());
    (0x10, d)
}

#[test]
fn continuation_cycle() {
    // The root header's continuation points back at the header itself.
    let f = File::from_bytes(v0_file(&v1_header(&[continuation(96, 40)]))).unwrap();
    assert_eq!(kind(f.root()), FormatErrorKind::Cycle);
}

#[test]
fn continuation_out_of_bounds() {
    let f = File::from_bytes(v0_file(&v1_header(&[continuation(5000, 40)]))).unwrap();
    assert_eq!(kind(f.root()), FormatErrorKind::OutOfBounds);
    let f = File::from_bytes(v0_file(&v1_header(&[continuation(u64::MAX - 3, 40)]))).unwrap();
    assert!(matches!(
        kind(f.root()),
        FormatErrorKind::Overflow | FormatErrorKind::OutOfBounds | FormatErrorKind::InvalidValue
    ));
}

#[test]
fn message_overruns_header() {
    let mut h = v1_header(&[(0x11, vec![0; 16])]);
    h[16 + 2] = 200; // message size larger than the block
    let f = File::from_bytes(v0_file(&h)).unwrap();
    assert_eq!(kind(f.root()), FormatErrorKind::Truncated);
}

#[test]
fn link_loops_are_bounded() {
    for libver in ["earliest", "latest"] {
        let f = File::from_bytes(unit(&format!("links_loop_{libver}.h5"))).unwrap();
        let root = f.root().unwrap();
        for p in ["a", "b", "self", "/a/x"] {
            match root.get(p) {
                Err(Error::LimitExceeded { limit, .. }) => assert_eq!(limit, "max_link_hops"),
                other => panic!("{libver} {p}: {other:?}"),
            }
        }
        // The hard-link cycle g/up -> / is followed by path, and reported once by the walk.
        let d = root.dataset("g/up/g/up/g/data").unwrap();
        assert_eq!(d.shape(), &[3]);
        let doc =
            h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options::default()).to_compact();
        assert!(
            doc.contains(r#"{"path":"/g/up","kind":"hardlink","target":"/"}"#),
            "{doc}"
        );
    }
}

/// Flip bytes of the metadata of small real files in three patterns: nothing may panic.
#[test]
fn byte_flip_sweep_never_panics() {
    for name in [V0, V3, "heaps_old_off4.h5"] {
        let b = unit(name);
        let n = b.len().min(6000);
        for i in 0..n {
            for pat in [0xffu8, 0x01, 0x80] {
                let mut c = b.clone();
                c[i] ^= pat;
                exercise(c);
            }
        }
    }
}
