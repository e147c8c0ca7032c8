//! `#[derive(H5Type, H5Write)]`: compound datasets of the h5py fixtures read into derived
//! structs and compared with the oracle's values; derived structs written, read back, and
//! checked with h5py (skipped when python3 or h5py is missing).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::float_cmp
)]

use h5oxide::format::message::datatype::Class;
use h5oxide::types::{f16, H5Type as _, H5Write as _, TypeDescriptor};
use h5oxide::{CreateOptions, File, FileWriter, H5Type, H5Write, Profile};
use serde_json::Value;
use std::path::Path;

const VERSIONS: [&str; 5] = ["earliest", "latest", "v108", "v110", "v114"];

/// The oracle's value of dataset `path` in `dtypes_<version>.json`.
fn expected(version: &str, path: &str) -> Vec<Value> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let doc: Value = serde_json::from_slice(
        &std::fs::read(root.join(format!("expected/dtypes_{version}.json"))).unwrap(),
    )
    .unwrap();
    let o = doc["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["path"] == path)
        .unwrap_or_else(|| panic!("{path} not in dtypes_{version}.json"));
    o["data"]["value"].as_array().unwrap().clone()
}

fn read<T: h5oxide::types::H5Type>(version: &str, path: &str) -> Vec<T> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let f = File::open(root.join(format!("fixtures/dtypes_{version}.h5"))).unwrap();
    f.root()
        .unwrap()
        .dataset(path)
        .unwrap()
        .read::<T>()
        .unwrap_or_else(|e| panic!("{version} {path}: {e}"))
}

fn num(v: &Value) -> f64 {
    match v {
        Value::String(s) if s == "nan" => f64::NAN,
        v => v.as_f64().unwrap(),
    }
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap()
}

#[derive(H5Type, Debug)]
#[repr(C)]
struct Simple {
    a: i32,
    b: f64,
}

#[derive(H5Type, H5Write, Debug, Clone, Copy, PartialEq)]
#[repr(C)]
struct Pos {
    x: f32,
    y: f32,
}

#[derive(H5Type, Debug, PartialEq)]
#[repr(C)]
struct Nested {
    id: u16,
    pos: Pos,
    tag: String,
}

#[derive(H5Type, Debug, PartialEq)]
#[repr(C)]
struct ArrayMember {
    v: [[i16; 3]; 2],
    w: f32,
}

#[derive(H5Type, Debug, PartialEq)]
#[repr(C)]
struct OddNames {
    #[h5(name = "we\"ird")]
    weird: i16,
    #[h5(name = "ünïcødé")]
    unicode: u8,
}

#[derive(H5Type, Debug, PartialEq)]
#[repr(C)]
struct BigEndian {
    a: i64,
    b: f16,
    c: u16,
}

/// A reordered subset of `cmp_aligned`'s members `a: u1, b: i4, c: f8`.
#[derive(H5Type, Debug, PartialEq)]
#[repr(C)]
struct Subset {
    c: f64,
    a: u8,
}

#[derive(H5Type, Debug, PartialEq)]
#[repr(C)]
struct Strings {
    fixed: String,
    vlen: String,
    n: i8,
}

#[test]
fn fixtures_read_into_derived_structs() {
    for ver in VERSIONS {
        let got: Vec<Simple> = read(ver, "dsets/cmp_simple");
        let want = expected(ver, "/dsets/cmp_simple");
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(i64::from(g.a), int(&w["a"]));
            let b = num(&w["b"]);
            assert!(g.b == b || (g.b.is_nan() && b.is_nan()), "{ver}: {g:?} {w}");
        }

        let got: Vec<Nested> = read(ver, "dsets/cmp_nested");
        let want: Vec<Nested> = expected(ver, "/dsets/cmp_nested")
            .iter()
            .map(|w| Nested {
                id: int(&w["id"]) as u16,
                pos: Pos {
                    x: num(&w["pos"]["x"]) as f32,
                    y: num(&w["pos"]["y"]) as f32,
                },
                tag: w["tag"].as_str().unwrap().to_owned(),
            })
            .collect();
        assert_eq!(got, want, "{ver}");

        let got: Vec<ArrayMember> = read(ver, "dsets/cmp_array_member");
        let want: Vec<ArrayMember> = expected(ver, "/dsets/cmp_array_member")
            .iter()
            .map(|w| {
                let mut v = [[0i16; 3]; 2];
                for (i, row) in v.iter_mut().enumerate() {
                    for (j, x) in row.iter_mut().enumerate() {
                        *x = int(&w["v"][i][j]) as i16;
                    }
                }
                ArrayMember {
                    v,
                    w: num(&w["w"]) as f32,
                }
            })
            .collect();
        assert_eq!(got, want, "{ver}");

        let got: Vec<OddNames> = read(ver, "dsets/cmp_odd_names");
        let want: Vec<OddNames> = expected(ver, "/dsets/cmp_odd_names")
            .iter()
            .map(|w| OddNames {
                weird: int(&w["we\"ird"]) as i16,
                unicode: int(&w["ünïcødé"]) as u8,
            })
            .collect();
        assert_eq!(got, want, "{ver}");

        let got: Vec<BigEndian> = read(ver, "dsets/cmp_bigendian");
        let want: Vec<BigEndian> = expected(ver, "/dsets/cmp_bigendian")
            .iter()
            .map(|w| BigEndian {
                a: int(&w["a"]),
                b: f16::from_f64(num(&w["b"])),
                c: int(&w["c"]) as u16,
            })
            .collect();
        assert_eq!(got, want, "{ver}");

        let got: Vec<Subset> = read(ver, "dsets/cmp_aligned");
        let want: Vec<Subset> = expected(ver, "/dsets/cmp_aligned")
            .iter()
            .map(|w| Subset {
                c: num(&w["c"]),
                a: int(&w["a"]) as u8,
            })
            .collect();
        assert_eq!(got, want, "{ver}");

        let got: Vec<Strings> = read(ver, "dsets/cmp_strings");
        let want: Vec<Strings> = expected(ver, "/dsets/cmp_strings")
            .iter()
            .map(|w| Strings {
                fixed: w["fixed"].as_str().unwrap().to_owned(),
                vlen: w["vlen"].as_str().unwrap().to_owned(),
                n: int(&w["n"]) as i8,
            })
            .collect();
        assert_eq!(got, want, "{ver}");
    }
}

#[test]
fn a_missing_member_is_a_conversion_error() {
    #[derive(H5Type, Debug)]
    #[repr(C)]
    struct Missing {
        a: i32,
        zz: f64,
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    let f = File::open(root.join("fixtures/dtypes_latest.h5")).unwrap();
    let e = f
        .root()
        .unwrap()
        .dataset("dsets/cmp_simple")
        .unwrap()
        .read::<Missing>()
        .unwrap_err();
    assert!(matches!(e, h5oxide::Error::Conversion { .. }), "{e:?}");
}

#[test]
fn descriptor_records_real_offsets() {
    let TypeDescriptor::Compound(c) = Nested::type_descriptor() else {
        panic!("not a compound")
    };
    assert_eq!(c.size, std::mem::size_of::<Nested>());
    let got: Vec<(&str, usize)> = c
        .fields
        .iter()
        .map(|f| (f.name.as_str(), f.offset))
        .collect();
    assert_eq!(
        got,
        [
            ("id", std::mem::offset_of!(Nested, id)),
            ("pos", std::mem::offset_of!(Nested, pos)),
            ("tag", std::mem::offset_of!(Nested, tag)),
        ]
    );
    assert_eq!(c.fields[1].ty, Pos::type_descriptor());
    assert_eq!(c.fields[2].ty, TypeDescriptor::String);
    let TypeDescriptor::Compound(c) = OddNames::type_descriptor() else {
        panic!("not a compound")
    };
    assert_eq!(c.fields[0].name, "we\"ird");
    assert_eq!(c.fields[1].name, "ünïcødé");
}

/// Written by the derive: every field kind the writer supports.
#[derive(H5Type, H5Write, Debug, Clone, PartialEq)]
#[repr(C)]
struct Record {
    id: u32,
    pos: [f64; 3],
    grid: [[i16; 3]; 2],
    flag: bool,
    inner: Pos,
    #[h5(name = "mass (kg)")]
    mass: f32,
    h: f16,
    r#type: i8,
}

fn records() -> Vec<Record> {
    (0..5)
        .map(|i| Record {
            id: i * 7 + 1,
            pos: [f64::from(i), -0.5 * f64::from(i), 1e300],
            grid: [[i as i16, -1, 2], [3, i16::MIN, i16::MAX]],
            flag: i % 2 == 0,
            inner: Pos {
                x: i as f32 / 4.0,
                y: -(i as f32),
            },
            mass: 0.25 * i as f32,
            h: f16::from_f32(i as f32 - 2.5),
            r#type: -(i as i8),
        })
        .collect()
}

#[test]
fn write_type_is_packed() {
    let t = Record::file_type();
    let Class::Compound { members } = &t.class else {
        panic!("not a compound")
    };
    let got: Vec<(&str, u64, u32)> = members
        .iter()
        .map(|m| (m.name.as_str(), m.offset, m.dtype.size))
        .collect();
    assert_eq!(
        got,
        [
            ("id", 0, 4),
            ("pos", 4, 24),
            ("grid", 28, 12),
            ("flag", 40, 1),
            ("inner", 41, 8),
            ("mass (kg)", 49, 4),
            ("h", 53, 2),
            ("type", 55, 1),
        ]
    );
    assert_eq!(t.size, 56);
    let Class::Array { dims, base } = &members[2].dtype.class else {
        panic!("not an array")
    };
    assert_eq!(dims, &[2, 3]);
    assert_eq!(**base, i16::file_type());
    let mut out = Vec::new();
    Record::encode(&records(), &mut out);
    assert_eq!(out.len(), 5 * 56);
}

#[test]
fn generic_structs_derive() {
    #[derive(H5Type, H5Write, Debug, PartialEq)]
    #[repr(C)]
    struct Pair<T> {
        first: T,
        second: T,
    }
    let vals = vec![
        Pair {
            first: 1i64,
            second: -2,
        },
        Pair {
            first: 3,
            second: 4,
        },
    ];
    let mut w = FileWriter::in_memory(CreateOptions::default()).unwrap();
    let id = w
        .new_dataset::<Pair<i64>>()
        .shape(&[2])
        .create("p")
        .unwrap();
    w.write(id, &vals).unwrap();
    let f = File::from_bytes(w.finish().unwrap()).unwrap();
    assert_eq!(
        f.root()
            .unwrap()
            .dataset("p")
            .unwrap()
            .read::<Pair<i64>>()
            .unwrap(),
        vals
    );
}

#[test]
fn written_structs_read_back_and_h5py_agrees() {
    for profile in [Profile::Earliest, Profile::Latest] {
        write_and_check(profile);
    }
}

fn write_and_check(profile: Profile) {
    let vals = records();
    let opts = CreateOptions {
        profile,
        ..CreateOptions::default()
    };
    let mut w = FileWriter::in_memory(opts).unwrap();
    let id = w
        .new_dataset::<Record>()
        .shape(&[vals.len() as u64])
        .create("x")
        .unwrap();
    w.write(id, &vals).unwrap();
    let bytes = w.finish().unwrap();
    let f = File::from_bytes(bytes.clone()).unwrap();
    assert_eq!(
        f.root()
            .unwrap()
            .dataset("x")
            .unwrap()
            .read::<Record>()
            .unwrap(),
        vals
    );

    let have_h5py = std::process::Command::new("python3")
        .args(["-c", "import h5py"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_h5py {
        eprintln!("skipped the h5py check: python3 with h5py not found");
        return;
    }
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("derive_record_{profile:?}.h5"));
    std::fs::write(&path, &bytes).unwrap();
    let script = r#"
import h5py, json, sys
with h5py.File(sys.argv[1], "r") as f:
    d = f["x"]
    print(json.dumps({
        "descr": d.dtype.descr,
        "itemsize": d.dtype.itemsize,
        "offsets": [d.dtype.fields[n][1] for n in d.dtype.names],
        "values": d[()].tolist(),
    }, default=lambda o: o.tolist()))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let descr = serde_json::json!([
        ["id", "<u4"],
        ["pos", "<f8", [3]],
        ["grid", "<i2", [2, 3]],
        ["flag", "|b1"],
        ["inner", [["x", "<f4"], ["y", "<f4"]]],
        ["mass (kg)", "<f4"],
        ["h", "<f2"],
        ["type", "|i1"],
    ]);
    assert_eq!(got["descr"], descr);
    assert_eq!(got["itemsize"], 56);
    assert_eq!(
        got["offsets"],
        serde_json::json!([0, 4, 28, 40, 41, 49, 53, 55])
    );
    let values = got["values"].as_array().unwrap();
    assert_eq!(values.len(), vals.len());
    for (v, r) in values.iter().zip(&vals) {
        let want = serde_json::json!([
            r.id,
            r.pos,
            r.grid,
            r.flag,
            [r.inner.x, r.inner.y],
            r.mass,
            r.h.to_f64(),
            r.r#type,
        ]);
        assert_eq!(v, &want, "{profile:?} {r:?}");
    }
}
