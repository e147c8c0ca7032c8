//! Object and region references resolve to the objects and selections h5py reports.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::hl::{Object, Selection};
use h5oxide::types::{ObjectRef, RegionRef};
use h5oxide::File;
use serde_json::Value;
use std::path::Path;

fn points_of(sel: &Value) -> Vec<Vec<u64>> {
    let as_vec = |v: &Value| {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .collect::<Vec<u64>>()
    };
    match sel["type"].as_str().unwrap() {
        "points" => sel["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(as_vec)
            .collect(),
        "hyperslab" => {
            let mut pts = Vec::new();
            for b in sel["blocks"].as_array().unwrap() {
                let (s, e) = (as_vec(&b[0]), as_vec(&b[1]));
                let mut p = s.clone();
                loop {
                    pts.push(p.clone());
                    let mut d = p.len();
                    loop {
                        if d == 0 {
                            break;
                        }
                        d -= 1;
                        if p[d] < e[d] {
                            p[d] += 1;
                            break;
                        }
                        p[d] = s[d];
                    }
                    if p == s {
                        break;
                    }
                }
            }
            pts.sort();
            pts
        }
        "none" => vec![],
        other => panic!("selection type {other}"),
    }
}

#[test]
fn references_resolve_like_h5py() {
    let root_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let mut checked = 0;
    for stem in ["dtypes_earliest", "dtypes_latest"] {
        let doc: Value = serde_json::from_str(
            &std::fs::read_to_string(root_dir.join(format!("expected/{stem}.json"))).unwrap(),
        )
        .unwrap();
        let f = File::open(root_dir.join(format!("fixtures/{stem}.h5"))).unwrap();
        let root = f.root().unwrap();
        let addr_of = |p: &str| root.get(p).unwrap().addr();
        for o in doc["objects"].as_array().unwrap() {
            let Some(values) = o["data"].get("value") else {
                continue;
            };
            let values: Vec<Value> = match values {
                Value::Array(a) => a.clone(),
                v => vec![v.clone()],
            };
            let path = o["path"].as_str().unwrap();
            match o["dtype"].as_str() {
                Some("ref-object") => {
                    let refs = root.dataset(path).unwrap().read::<ObjectRef>().unwrap();
                    for (r, want) in refs.iter().zip(&values) {
                        match want.as_str() {
                            None => assert!(r.0.is_none() && f.dereference(r).is_err()),
                            Some(p) => assert_eq!(
                                f.dereference(r).unwrap().addr(),
                                addr_of(p),
                                "{stem}{path}"
                            ),
                        }
                        checked += 1;
                    }
                }
                Some("ref-region") => {
                    let refs = root.dataset(path).unwrap().read::<RegionRef>().unwrap();
                    for (r, want) in refs.iter().zip(&values) {
                        if want.is_null() {
                            assert!(r.0.is_none());
                            continue;
                        }
                        let (d, sel) = f.dereference_region(r).unwrap();
                        assert_eq!(d.addr(), addr_of(want["obj"].as_str().unwrap()));
                        let Selection::Points(mut pts) = sel else {
                            panic!()
                        };
                        if want["sel"]["type"] == "hyperslab" {
                            pts.sort();
                        }
                        let n = want["sel"]["npoints"].as_u64().unwrap();
                        if want["sel"]["type"] == "all" {
                            assert_eq!(pts.len() as u64, n);
                        } else {
                            assert_eq!(pts, points_of(&want["sel"]), "{stem}{path}");
                        }
                        // The referenced elements read through the selection.
                        assert_eq!(
                            d.read_raw_selection(&Selection::Points(pts)).unwrap().len() as u64,
                            n * d.dtype().size()
                        );
                        checked += 1;
                    }
                }
                _ => {}
            }
        }
        assert!(matches!(root.get("/dsets/grid"), Ok(Object::Dataset(_))));
    }
    assert!(checked >= 12, "only {checked} references checked");
}
