//! Metadata benchmarks: open a file and walk all of it (every group, link, header and
//! attribute value), on fixtures of each group storage. Compare with
//! `benches/h5py_metadata.py`, which times the same walks in h5py.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/fixtures")
            .join(name),
    )
    .expect("fixture")
}

fn walk(c: &mut Criterion) {
    for name in [
        "groups_earliest.h5",
        "groups_latest.h5",
        "attrs_latest.h5",
        "dtypes_latest.h5",
    ] {
        let bytes = fixture(name);
        c.bench_function(&format!("document/{name}"), |b| {
            b.iter(|| {
                let f = h5oxide::File::from_bytes(bytes.clone()).unwrap();
                let doc =
                    h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options::default());
                std::hint::black_box(doc);
            })
        });
        c.bench_function(&format!("list_root/{name}"), |b| {
            b.iter(|| {
                let f = h5oxide::File::from_bytes(bytes.clone()).unwrap();
                std::hint::black_box(f.root().unwrap().links().unwrap());
            })
        });
    }
}

criterion_group!(benches, walk);
criterion_main!(benches);
