//! The high-level API as a no_std user has it: run with
//! `cargo test --no-default-features --test nostd_api` (the library is built without `std`:
//! in-memory sources, miniz_oxide for deflate). Opens fixtures from bytes, walks them and reads
//! typed values, compared with the h5py oracle documents.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use h5oxide::hl::Object;
use h5oxide::File;
use serde_json::Value;

const FIXTURES: &[(&str, &[u8], &str)] = &[
    (
        "filtervals_latest",
        include_bytes!("../testdata/fixtures/filtervals_latest.h5"),
        include_str!("../testdata/expected/filtervals_latest.json"),
    ),
    (
        "select_earliest",
        include_bytes!("../testdata/fixtures/select_earliest.h5"),
        include_str!("../testdata/expected/select_earliest.json"),
    ),
    (
        "groups_latest",
        include_bytes!("../testdata/fixtures/groups_latest.h5"),
        include_str!("../testdata/expected/groups_latest.json"),
    ),
];

fn flatten(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| flatten(x, out)),
        x => out.push(x.clone()),
    }
}

#[test]
fn walk_and_read_from_bytes() {
    let mut checked = 0;
    for (stem, bytes, expected) in FIXTURES {
        let doc: Value = serde_json::from_str(expected).unwrap();
        let f = File::from_bytes(bytes.to_vec()).unwrap();
        let root = f.root().unwrap();
        for o in doc["objects"].as_array().unwrap() {
            let path = o["path"].as_str().unwrap();
            match o["kind"].as_str().unwrap() {
                "group" => {
                    let Object::Group(g) = root.get(path).unwrap() else {
                        panic!("{stem}{path}")
                    };
                    assert_eq!(
                        g.links().unwrap().len() as u64,
                        o["nlinks"].as_u64().unwrap()
                    );
                    assert_eq!(
                        g.attrs().unwrap().len(),
                        o["attrs"].as_object().unwrap().len()
                    );
                }
                "dataset" => {
                    let d = root.dataset(path).unwrap();
                    let shape: Vec<u64> =
                        serde_json::from_value(o["shape"].clone()).unwrap_or_default();
                    assert_eq!(d.shape(), shape.as_slice(), "{stem}{path}");
                    let dtype = o["dtype"].as_str().unwrap();
                    let Some(value) = o["data"].get("value") else {
                        continue;
                    };
                    if dtype.starts_with('i') || dtype.starts_with('u') && !dtype.starts_with("u8")
                    {
                        if dtype.contains('(') {
                            continue;
                        }
                        let mut want = Vec::new();
                        flatten(value, &mut want);
                        let got: Vec<i64> = d.read().unwrap();
                        let want: Vec<i64> = want.iter().map(|v| v.as_i64().unwrap()).collect();
                        assert_eq!(got, want, "{stem}{path}");
                        checked += 1;
                    }
                }
                _ => {}
            }
        }
    }
    assert!(checked >= 20, "only {checked} datasets checked");
}
