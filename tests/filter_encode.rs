//! The filter encoders against libhdf5: chunks encoded by `h5oxide::filter::encode` are written
//! raw into h5py datasets with the same filters (`write_direct_chunk`) and read back by h5py
//! (`tests/filter_encode_check.py`), which also checks that our `FilterSpec` constructors give
//! the pipeline h5py creates and that deterministic filters (shuffle, Fletcher-32,
//! scale-offset) give the chunk bytes libhdf5 writes. Skipped (with a message) without h5py.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::filter::{encode, FilterSpec, Registry};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

const CHUNK: usize = 256;
const NCHUNKS: usize = 3;

fn lcg(n: usize, seed: u32) -> Vec<u32> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            x >> 8
        })
        .collect()
}

/// A slowly varying integer series (compressible), `n` values.
fn smooth(n: usize, seed: u32) -> Vec<i64> {
    let mut v: i64 = 300;
    lcg(n, seed)
        .into_iter()
        .map(|r| {
            v += i64::from(r % 7) - 3;
            v
        })
        .collect()
}

/// Element bytes of a numpy-style dtype string like `<i4`, `>f8`.
fn to_bytes(dtype: &str, vals: &[f64]) -> Vec<u8> {
    let be = dtype.starts_with('>');
    let kind = &dtype[1..2];
    let size: usize = dtype[2..].parse().unwrap();
    let mut out = Vec::new();
    for &v in vals {
        let mut le: Vec<u8> = match (kind, size) {
            ("f", 4) => (v as f32).to_le_bytes().to_vec(),
            ("f", 8) => v.to_le_bytes().to_vec(),
            _ => (v as i64).to_le_bytes()[..size].to_vec(),
        };
        if be {
            le.reverse();
        }
        out.extend(le);
    }
    out
}

struct Case {
    name: &'static str,
    dtype: &'static str,
    h5py: Value,
    fill: Option<f64>,
    pipeline: Vec<FilterSpec>,
    values: Vec<f64>,
    /// libhdf5's chunks must equal ours byte for byte.
    identical: bool,
}

fn elem_size(dtype: &str) -> usize {
    dtype[2..].parse().unwrap()
}

fn cases() -> Vec<Case> {
    let n = CHUNK * NCHUNKS;
    let ints = |seed| {
        smooth(n, seed)
            .into_iter()
            .map(|v| v as f64)
            .collect::<Vec<_>>()
    };
    let floats = |seed| {
        smooth(n, seed)
            .into_iter()
            .map(|v| v as f64 / 7.0 - 20.0)
            .collect::<Vec<_>>()
    };
    let random = |seed| {
        lcg(n, seed)
            .into_iter()
            .map(|r| f64::from(r % 256))
            .collect::<Vec<_>>()
    };
    let cb = |dtype: &str| (CHUNK * elem_size(dtype)) as u32;
    let so_int = |dtype: &str, signed, bits, fill: Option<f64>| {
        let size = elem_size(dtype);
        let fb = to_bytes(dtype, &[fill.unwrap_or(0.0)]);
        FilterSpec::scaleoffset_int(size, signed, dtype.starts_with('>'), bits, CHUNK, Some(&fb))
            .unwrap()
    };
    let so_float = |dtype: &str, d, fill: Option<f64>| {
        let size = elem_size(dtype);
        let fb = to_bytes(dtype, &[fill.unwrap_or(0.0)]);
        FilterSpec::scaleoffset_float(size, dtype.starts_with('>'), d, CHUNK, Some(&fb)).unwrap()
    };
    let with_fill = |mut v: Vec<f64>, f: f64| {
        for x in v.iter_mut().step_by(11) {
            *x = f;
        }
        v
    };
    vec![
        Case {
            name: "gzip_i4",
            dtype: "<i4",
            h5py: json!({"compression": "gzip", "compression_opts": 4}),
            fill: None,
            pipeline: vec![FilterSpec::deflate(4)],
            values: ints(1),
            identical: false,
        },
        Case {
            name: "shuffle_gzip_f8",
            dtype: "<f8",
            h5py: json!({"compression": "gzip", "compression_opts": 6, "shuffle": true}),
            fill: None,
            pipeline: vec![FilterSpec::shuffle(8), FilterSpec::deflate(6)],
            values: floats(2),
            identical: false,
        },
        Case {
            name: "shuffle_gzip_fletcher32_i2",
            dtype: "<i2",
            h5py: json!({"compression": "gzip", "compression_opts": 1, "shuffle": true,
                         "fletcher32": true}),
            fill: None,
            pipeline: vec![
                FilterSpec::shuffle(2),
                FilterSpec::deflate(1),
                FilterSpec::fletcher32(),
            ],
            values: ints(3),
            identical: false,
        },
        Case {
            name: "gzip0_random_u1",
            dtype: "|u1",
            h5py: json!({"compression": "gzip", "compression_opts": 0}),
            fill: None,
            pipeline: vec![FilterSpec::deflate(0)],
            values: random(4),
            identical: false,
        },
        Case {
            name: "shuffle_i8",
            dtype: "<i8",
            h5py: json!({"shuffle": true}),
            fill: None,
            pipeline: vec![FilterSpec::shuffle(8)],
            values: ints(5),
            identical: true,
        },
        Case {
            name: "fletcher32_u1",
            dtype: "|u1",
            h5py: json!({"fletcher32": true}),
            fill: None,
            pipeline: vec![FilterSpec::fletcher32()],
            values: random(6),
            identical: true,
        },
        Case {
            name: "shuffle_fletcher32_be_u4",
            dtype: ">u4",
            h5py: json!({"shuffle": true, "fletcher32": true}),
            fill: None,
            pipeline: vec![FilterSpec::shuffle(4), FilterSpec::fletcher32()],
            values: ints(7),
            identical: true,
        },
        Case {
            name: "lzf_i4",
            dtype: "<i4",
            h5py: json!({"compression": "lzf"}),
            fill: None,
            pipeline: vec![FilterSpec::lzf(cb("<i4"))],
            values: ints(8),
            identical: false,
        },
        Case {
            name: "lzf_random_u1",
            dtype: "|u1",
            h5py: json!({"compression": "lzf"}),
            fill: None,
            pipeline: vec![FilterSpec::lzf(cb("|u1"))],
            values: random(9),
            identical: false,
        },
        Case {
            name: "shuffle_lzf_fletcher32_f4",
            dtype: "<f4",
            h5py: json!({"compression": "lzf", "shuffle": true, "fletcher32": true}),
            fill: None,
            pipeline: vec![
                FilterSpec::shuffle(4),
                FilterSpec::lzf(cb("<f4")),
                FilterSpec::fletcher32(),
            ],
            values: floats(10),
            identical: false,
        },
        Case {
            name: "so_i4",
            dtype: "<i4",
            h5py: json!({"scaleoffset": 0}),
            fill: None,
            pipeline: vec![so_int("<i4", true, 0, None)],
            values: ints(11),
            identical: true,
        },
        Case {
            name: "so_i2_be_fill",
            dtype: ">i2",
            h5py: json!({"scaleoffset": 0}),
            fill: Some(-1.0),
            pipeline: vec![so_int(">i2", true, 0, Some(-1.0))],
            values: with_fill(ints(12), -1.0),
            identical: true,
        },
        Case {
            name: "so_u1_random",
            dtype: "|u1",
            h5py: json!({"scaleoffset": 0}),
            fill: Some(200.0),
            pipeline: vec![so_int("|u1", false, 0, Some(200.0))],
            values: random(13),
            identical: true,
        },
        Case {
            name: "so_u8_bits12",
            dtype: "<u8",
            h5py: json!({"scaleoffset": 12}),
            fill: None,
            pipeline: vec![so_int("<u8", false, 12, None)],
            values: ints(14),
            identical: true,
        },
        Case {
            name: "so_i8_shuffle_gzip",
            dtype: "<i8",
            h5py: json!({"scaleoffset": 0, "shuffle": true, "compression": "gzip",
                         "compression_opts": 4}),
            fill: None,
            pipeline: vec![
                so_int("<i8", true, 0, None),
                FilterSpec::shuffle(8),
                FilterSpec::deflate(4),
            ],
            values: ints(15).into_iter().map(|v| v * 1e9).collect(),
            identical: false,
        },
        Case {
            name: "so_f8_d3",
            dtype: "<f8",
            h5py: json!({"scaleoffset": 3}),
            fill: None,
            pipeline: vec![so_float("<f8", 3, None)],
            values: floats(16),
            identical: true,
        },
        Case {
            name: "so_f4_d2_be_fill",
            dtype: ">f4",
            h5py: json!({"scaleoffset": 2}),
            fill: Some(1.5),
            pipeline: vec![so_float(">f4", 2, Some(1.5))],
            values: with_fill(floats(17), 1.5),
            identical: true,
        },
    ]
}

fn pipeline_json(p: &[FilterSpec]) -> Value {
    Value::Array(p.iter().map(|f| json!([f.id, f.flags, f.params])).collect())
}

fn out_dir() -> PathBuf {
    // Cargo's per-target scratch directory (a host path; the WASI runner maps "/" to "/").
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join("filter_encode");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Encode every case, check our own decoder gives the data back (lossless filters) and write
/// the chunks and a manifest for the h5py check. Returns the directory.
fn write_cases(dir: &Path) -> usize {
    let reg = Registry::default();
    let mut manifest = Vec::new();
    let mut masked = 0;
    for c in cases() {
        let size = elem_size(c.dtype);
        let input = to_bytes(c.dtype, &c.values);
        let lossy = c
            .pipeline
            .iter()
            .any(|f| f.id == 6 && f.params.first() == Some(&0));
        let mut chunks = Vec::new();
        let mut expected = Vec::new();
        for (k, part) in input.chunks(CHUNK * size).enumerate() {
            let (stored, mask) = encode(&c.pipeline, size, part.to_vec()).unwrap();
            masked += usize::from(mask != 0);
            let back = reg
                .decode(&c.pipeline, mask, stored.clone(), part.len())
                .unwrap();
            if !lossy {
                assert_eq!(back, part, "{} chunk {k}", c.name);
            }
            expected.extend_from_slice(&back);
            let file = format!("{}_{k}.bin", c.name);
            std::fs::write(dir.join(&file), &stored).unwrap();
            chunks.push(json!({"file": file, "mask": mask}));
        }
        std::fs::write(dir.join(format!("{}_input.bin", c.name)), &input).unwrap();
        std::fs::write(dir.join(format!("{}_expected.bin", c.name)), &expected).unwrap();
        manifest.push(json!({
            "name": c.name,
            "dtype": c.dtype,
            "chunk": CHUNK,
            "nchunks": NCHUNKS,
            "h5py": c.h5py,
            "fillvalue": c.fill,
            "pipeline": pipeline_json(&c.pipeline),
            "chunks": chunks,
            "input": format!("{}_input.bin", c.name),
            "expected": format!("{}_expected.bin", c.name),
            "identical": c.identical,
        }));
    }
    std::fs::write(
        dir.join("manifest.json"),
        serde_json::to_string_pretty(&json!({ "cases": manifest })).unwrap(),
    )
    .unwrap();
    masked
}

fn have_h5py() -> bool {
    Command::new("python3")
        .args(["-c", "import h5py, numpy"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn encoded_chunks_round_trip_and_h5py_reads_them() {
    let dir = out_dir();
    let masked = write_cases(&dir);
    // The random LZF chunks do not compress: stored raw with the mask bit set.
    assert_eq!(masked, NCHUNKS);
    if !have_h5py() {
        println!("skipping the h5py check: python3 with h5py and numpy is not available");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/filter_encode_check.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{stdout}");
    assert!(
        out.status.success(),
        "h5py check failed:\n{stdout}\n{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unknown_filters_are_unsupported() {
    for flags in [0, 1] {
        let p = [FilterSpec {
            id: 32001,
            flags,
            params: vec![],
        }];
        let e = encode(&p, 1, vec![1, 2, 3]).unwrap_err();
        assert!(
            matches!(&e, h5oxide::Error::Unsupported { what, .. } if what.contains("32001")),
            "{e:?}"
        );
    }
    assert_eq!(encode(&[], 4, vec![1, 2, 3]).unwrap(), (vec![1, 2, 3], 0));
}
