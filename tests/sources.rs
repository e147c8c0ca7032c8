//! Byte sources and external links: the same file read by positional reads, a memory map and
//! from memory gives the same document; external links are followed only when enabled.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use h5oxide::{Error, File, Object, OpenOptions};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn td(p: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(p)
}

fn doc(f: &File) -> String {
    h5oxide::canon::doc::document(f, h5oxide::canon::doc::Options { values: true }).to_compact()
}

#[test]
fn sources_agree() {
    for name in [
        "fixtures/dtypes_earliest.h5",
        "fixtures/attrs_latest.h5",
        "sample.h5",
    ] {
        let p = td(name);
        let by_pread = doc(&File::open(&p).unwrap());
        let by_bytes = doc(&File::from_bytes(std::fs::read(&p).unwrap()).unwrap());
        assert_eq!(by_pread, by_bytes, "{name}");
        #[cfg(feature = "mmap")]
        assert_eq!(by_pread, doc(&File::open_mmap(&p).unwrap()), "{name}");
    }
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(td("unit/ext/expected.json")).unwrap()).unwrap()
}

#[test]
fn external_links_are_opt_in() {
    let f = File::open(td("unit/ext/main.h5")).unwrap();
    match f.root().unwrap().get("to_data") {
        Err(Error::Unsupported { what, .. }) => {
            assert!(what.contains("follow_external_links"), "{what}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn external_links_resolve_relative_to_the_file() {
    let e = expected();
    let opts = OpenOptions::new().follow_external_links(true);
    let f = File::open_with(td("unit/ext/main.h5"), opts).unwrap();
    let root = f.root().unwrap();
    let d = root.dataset("to_data").unwrap();
    let shape: Vec<u64> = serde_json::from_value(e["to_data"]["shape"].clone()).unwrap();
    assert_eq!(d.shape(), shape.as_slice());
    let units = d.attr("units").unwrap();
    let v = i16::from_le_bytes(units.raw_bytes().try_into().unwrap());
    assert_eq!(i64::from(v), e["to_data"]["units"].as_i64().unwrap());
    let members: Vec<String> = serde_json::from_value(e["to_grp_members"].clone()).unwrap();
    assert_eq!(
        root.group("to_grp").unwrap().member_names().unwrap(),
        members
    );
    // main.h5 -> sub/target.h5:/back -> ../main.h5:/local (relative to sub/).
    let g = root.group("round_trip").unwrap();
    let here = f64::from_le_bytes(g.attr("here").unwrap().raw_bytes().try_into().unwrap());
    assert_eq!(here, e["round_trip_here"].as_f64().unwrap());
    match root.get("loop") {
        Err(Error::LimitExceeded { limit, .. }) => assert_eq!(limit, "max_link_hops"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(root.get("missing"), Err(Error::NotFound(_))));
    assert!(matches!(root.get("to_grp"), Ok(Object::Group(_))));
}
