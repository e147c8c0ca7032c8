//! Inputs the fuzzers reported (`fuzz/FUZZING.md`), kept as regression tests on stable.
//!
//! Every file under `testdata/fuzz/` goes through what the `whole_file` target does (open from
//! bytes, build the canonical document with values), under the counting allocator: it must
//! finish, describe the file, and stay within a peak heap bound. A few inputs also have
//! checks of their own, below.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::measure;
use h5oxide::canon::doc::{document, Options};
use h5oxide::canon::Json;
use h5oxide::File;
use std::path::{Path, PathBuf};

/// Peak heap allowed for an input with no larger need of its own (listed in [`needs`]).
const PEAK: usize = 32 << 20;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fuzz")
}

fn load(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap()
}

/// The whole-file target's procedure: the document (with values) of the bytes, if they open,
/// and the peak heap it took.
fn whole_file(bytes: Vec<u8>) -> (Option<Json>, usize) {
    measure(|| {
        File::from_bytes(bytes)
            .ok()
            .map(|f| document(&f, Options { values: true }))
    })
}

fn objects(doc: &Json) -> &[Json] {
    match field(doc, "objects") {
        Some(Json::Array(v)) => v,
        other => panic!("no objects list: {other:?}"),
    }
}

fn field<'a>(j: &'a Json, name: &str) -> Option<&'a Json> {
    match j {
        Json::Object(kv) => kv.iter().find(|(k, _)| k == name).map(|(_, v)| v),
        _ => None,
    }
}

fn uint(j: Option<&Json>) -> u64 {
    match j {
        Some(Json::Int(v)) => u64::try_from(*v).unwrap(),
        Some(Json::UInt(v)) => *v,
        other => panic!("not an integer: {other:?}"),
    }
}

/// Bytes an input legitimately needs beyond [`PEAK`] (what h5py would need for the same
/// reads): the object's declared data.
fn needs(name: &str) -> usize {
    match name {
        // Reads 2 x 10^8 bytes of values of one dataset (the output, and its canonical
        // byte-order copy for the hash).
        "whole_file_slow_522a6621.h5" => 3 * 201_326_520,
        _ => 0,
    }
}

#[test]
fn every_reproducer_finishes_within_bounded_memory() {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".h5"))
        .collect();
    names.sort();
    assert!(names.len() >= 3, "{names:?}");
    for name in names {
        let (doc, peak) = whole_file(load(&name));
        let bound = PEAK + needs(&name);
        println!("{name}: peak heap {peak} bytes");
        assert!(peak < bound, "{name}: peak heap {peak} bytes > {bound}");
        if let Some(doc) = doc {
            // The document is complete enough to serialise.
            assert!(!doc.to_compact().is_empty(), "{name}");
        }
    }
}

/// Timeout: a dataset whose corrupt shape has no elements but a huge leading dimension (like
/// `[10^12, 0]`) made the dump build 10^12 empty JSON lists. Inline values now have their own
/// small budget; the rest of the file is still described.
#[test]
fn empty_but_huge_shape_does_not_hang() {
    let (doc, _) = whole_file(load("whole_file_timeout_398308a2.h5"));
    let doc = doc.unwrap().to_compact();
    assert!(doc.contains("max_output_bytes"), "{doc}");
    assert!(doc.contains("\"kind\":\"dataset\""));
}

/// Slow unit: a chunked dataset whose extent was changed to `[16777210, 6]` (`i2`, a user fill
/// value, few chunks written) reads 2 x 10^8 bytes, most of them fill. That is the work asked
/// for; the values are described by count, size and hash, all consistent with the shape.
#[test]
fn huge_mostly_fill_dataset_is_read_in_full() {
    let (doc, _) = whole_file(load("whole_file_slow_522a6621.h5"));
    let doc = doc.unwrap();
    let ds = objects(&doc)
        .iter()
        .find(|o| matches!(field(o, "path"), Some(Json::Str(p)) if p == "/fill/user_2d_partial"))
        .expect("the dataset is described");
    let Some(Json::Array(shape)) = field(ds, "shape") else {
        panic!("no shape: {ds:?}")
    };
    let n: u64 = shape.iter().map(|d| uint(Some(d))).product();
    assert!(n > 100_000_000, "{shape:?}");
    let data = field(ds, "data").unwrap();
    assert_eq!(uint(field(data, "nelements")), n);
    assert_eq!(uint(field(data, "nbytes")), 2 * n);
    assert!(
        matches!(field(data, "sha256"), Some(Json::Str(h)) if h.len() == 64),
        "{data:?}"
    );
}

/// ASan reported an out-of-memory at its 4 GB RSS cap for this input (ASan's quarantine keeps
/// freed blocks); natively it is described with a small peak, the damaged parts as errors.
#[test]
fn asan_oom_input_is_described_with_little_memory() {
    let (doc, peak) = whole_file(load("whole_file_oom_dfc30f0b.h5"));
    assert!(peak < 8 << 20, "peak heap {peak}");
    let doc = doc.unwrap();
    assert!(!objects(&doc).is_empty());
}
