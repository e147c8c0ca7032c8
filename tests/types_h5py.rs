#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Datatypes and values written by h5py 3.16 / libhdf5 2.0, checked against what h5py reads.
//!
//! `testdata/unit/types_h5py.json` is made by `testdata/unit/types_h5py.py`: for each small
//! dataset (libver earliest and latest) the stored datatype message, the raw element bytes, the
//! file's global heap objects, and the dtype string, JSON value and canonical bytes computed in
//! Python from h5py's reading of the dataset.

use h5oxide::canon::dtype::{dtype_string, memory_layout};
use h5oxide::canon::value::{encode_elements, Resolver};
use h5oxide::format::message::datatype::Datatype;
use h5oxide::format::{Addr, Ctx, Cursor};
use h5oxide::{Error, Result};
use std::collections::HashMap;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Heap(HashMap<(u64, u32), Vec<u8>>);

impl Resolver for Heap {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        self.0
            .get(&(collection.0, index))
            .cloned()
            .ok_or_else(|| Error::NotFound(format!("heap object {collection}:{index}")))
    }
    fn object_path(&self, addr: Addr) -> Result<String> {
        Err(Error::NotFound(format!("object {addr}")))
    }
    fn dataspace_dims(&self, addr: Addr) -> Result<Vec<u64>> {
        Err(Error::NotFound(format!("dataset {addr}")))
    }
}

#[test]
fn h5py_datatypes_and_values() {
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("../testdata/unit/types_h5py.json")).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() >= 50);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        let msg = unhex(case["dtype_msg"].as_str().unwrap());
        let mut c = Cursor::new(&msg, 0, "datatype message");
        let dt = Datatype::decode(&mut c).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            c.rest().iter().all(|&b| b == 0),
            "{name}: only padding follows the type"
        );
        // h5py's view of a dataset's type is libhdf5's H5Dget_type: in-memory layout
        let view = memory_layout(&dt);
        assert_eq!(
            dtype_string(&view),
            case["dtype"].as_str().unwrap(),
            "{name}: dtype"
        );

        let heap = Heap(
            case["heap"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let (a, i) = k.split_once(':').unwrap();
                    (
                        (a.parse().unwrap(), i.parse().unwrap()),
                        unhex(v.as_str().unwrap()),
                    )
                })
                .collect(),
        );
        let shape: Vec<u64> = case["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        let data = unhex(case["data"].as_str().unwrap());
        let mut bytes = Vec::new();
        let json = encode_elements(&dt, &data, &shape, Ctx::DEFAULT, &heap, &mut bytes)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let got: serde_json::Value = serde_json::from_str(&json.to_compact()).unwrap();
        assert_eq!(got, case["json"], "{name}: JSON value");
        assert_eq!(
            bytes,
            unhex(case["bytes"].as_str().unwrap()),
            "{name}: canonical bytes"
        );
    }
}
