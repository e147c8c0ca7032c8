#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]
//! Typed reads (`h5oxide::types`) of attributes of every class in the committed fixtures,
//! compared with what h5py / libhdf5 produce for the same memory types.
//!
//! `testdata/unit/convert_h5py.json` is made by `testdata/unit/gen_convert.py` from
//! `testdata/fixtures/{dtypes,newtypes}_{earliest,latest}.h5`: each case names an attribute, a
//! Rust memory type, whether to saturate, and either libhdf5's converted values or the error
//! h5oxide must give (overflow without saturation, invalid UTF-8, incompatible types).

use h5oxide::format::selection::{Selection, MAX_BLOCKS};
use h5oxide::format::Addr;
use h5oxide::read::global_heap::GlobalHeaps;
use h5oxide::read::Reader;
use h5oxide::types::f16;
use h5oxide::types::{
    Bytes, Complex, Compound, ConvertOptions, Field, Fields, H5Type, Heap, ObjectRef, Plan,
    Reference, RegionRef, TypeDescriptor,
};
use h5oxide::{ConversionErrorKind, Error, File, Object, Result};
use serde_json::Value;
use std::cell::RefCell;
use std::collections::HashMap;

/// The file's global heap, through the reader, collections cached.
struct FileHeap<'r> {
    reader: &'r Reader,
    heaps: RefCell<GlobalHeaps>,
}

impl Heap for FileHeap<'_> {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        Ok(self
            .heaps
            .borrow_mut()
            .object(self.reader, collection, index)?
            .to_vec())
    }
}

/// What a value is compared against: the file (object paths to addresses).
struct Cx<'f> {
    file: &'f File,
}

impl Cx<'_> {
    fn addr_of(&self, path: &str) -> Addr {
        self.file.root().unwrap().get(path).unwrap().addr()
    }
}

/// A value compared with its expected JSON.
trait Expect {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String>;
}

fn fail<T: std::fmt::Debug>(got: &T, want: &Value) -> Result<(), String> {
    Err(format!("got {got:?}, want {want}"))
}

macro_rules! expect_int {
    ($($t:ty),*) => {$(
        impl Expect for $t {
            fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
                let ok = v.as_i64().map(i128::from).or(v.as_u64().map(i128::from))
                    == Some(i128::from(*self));
                if ok { Ok(()) } else { fail(self, v) }
            }
        }
    )*};
}
expect_int!(i8, i16, i32, i64, u8, u16, u32, u64);

fn check_f64(x: f64, v: &Value) -> Result<(), String> {
    let ok = match v {
        Value::String(s) if s == "nan" => x.is_nan(),
        Value::String(s) if s == "inf" => x == f64::INFINITY,
        Value::String(s) if s == "-inf" => x == f64::NEG_INFINITY,
        // exact, sign of zero included
        Value::Number(n) => n.as_f64().is_some_and(|y| y.to_bits() == x.to_bits()),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        fail(&x, v)
    }
}

impl Expect for f64 {
    fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
        check_f64(*self, v)
    }
}
impl Expect for f32 {
    fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
        check_f64(f64::from(*self), v)
    }
}
impl Expect for f16 {
    fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
        check_f64(self.to_f64(), v)
    }
}
impl Expect for bool {
    fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
        if v.as_bool() == Some(*self) {
            Ok(())
        } else {
            fail(self, v)
        }
    }
}
impl Expect for String {
    fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
        if v.as_str() == Some(self.as_str()) {
            Ok(())
        } else {
            fail(self, v)
        }
    }
}
impl Expect for Bytes {
    fn check(&self, v: &Value, _: &Cx<'_>) -> Result<(), String> {
        let hex: String = self.0.iter().map(|b| format!("{b:02x}")).collect();
        if v["hex"].as_str() == Some(hex.as_str()) {
            Ok(())
        } else {
            fail(&hex, v)
        }
    }
}
impl<T: Expect> Expect for Complex<T> {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
        self.re.check(&v[0], cx).map_err(|e| format!("re: {e}"))?;
        self.im.check(&v[1], cx).map_err(|e| format!("im: {e}"))
    }
}
fn check_list<T: Expect>(items: &[T], v: &Value, cx: &Cx<'_>) -> Result<(), String> {
    let want = v.as_array().ok_or(format!("want {v}, got a list"))?;
    if want.len() != items.len() {
        return Err(format!("{} items, want {}", items.len(), want.len()));
    }
    for (i, (x, w)) in items.iter().zip(want).enumerate() {
        x.check(w, cx).map_err(|e| format!("[{i}] {e}"))?;
    }
    Ok(())
}
impl<T: Expect> Expect for Vec<T> {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
        check_list(self, v, cx)
    }
}
impl<T: Expect, const N: usize> Expect for [T; N] {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
        check_list(self, v, cx)
    }
}

impl Expect for ObjectRef {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
        let want = v.as_str().map(|p| cx.addr_of(p));
        if want == self.0 {
            Ok(())
        } else {
            fail(self, v)
        }
    }
}

/// The selection as the generator describes it: type, blocks or points.
fn check_selection(obj: Addr, sel: &Selection, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
    if cx.addr_of(v["obj"].as_str().unwrap()) != obj {
        return fail(&obj, v);
    }
    let blocks = sel.blocks(MAX_BLOCKS).map_err(|e| e.to_string())?;
    let (ty, detail) = match sel {
        Selection::None => ("none", Value::Null),
        Selection::All => ("all", Value::Null),
        Selection::Points { .. } => {
            let pts: Vec<Vec<u64>> = sel.points().map(<[u64]>::to_vec).collect();
            ("points", serde_json::json!(pts))
        }
        _ if blocks.is_empty() => ("none", Value::Null),
        _ => {
            let b: Vec<[Vec<u64>; 2]> = blocks
                .iter()
                .map(|b| [b.start.clone(), b.end.clone()])
                .collect();
            ("hyperslab", serde_json::json!(b))
        }
    };
    let want_ty = v["type"]
        .as_str()
        .or(v["sel"]["type"].as_str())
        .unwrap_or("?");
    if ty != want_ty {
        return fail(&sel, v);
    }
    let key = if ty == "points" { "points" } else { "blocks" };
    let want = if v.get("sel").is_some() {
        &v["sel"][key]
    } else {
        &v[key]
    };
    if !detail.is_null() && &detail != want {
        return fail(&detail, v);
    }
    Ok(())
}

impl Expect for RegionRef {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
        match (&self.0, v) {
            (None, Value::Null) => Ok(()),
            (Some(r), Value::Object(_)) => check_selection(r.object, &r.selection, v, cx),
            _ => fail(self, v),
        }
    }
}

/// The oracle's form of revised references: a path, `{"obj", "sel"}`, `{"obj", "attr"}`, null.
impl Expect for Reference {
    fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
        match (self, v) {
            (Reference::Null, Value::Null) => Ok(()),
            (Reference::Object(a), Value::String(p)) if cx.addr_of(p) == *a => Ok(()),
            (Reference::Region(r), Value::Object(_)) => {
                check_selection(r.object, &r.selection, v, cx)
            }
            (Reference::Attribute { object, name }, Value::Object(o))
                if cx.addr_of(o["obj"].as_str().unwrap()) == *object
                    && o["attr"].as_str() == Some(name.as_str()) =>
            {
                Ok(())
            }
            _ => fail(self, v),
        }
    }
}

/// A `#[repr(C)]` struct with an [`H5Type`] impl matching file members by name (what the
/// derive will generate) and an [`Expect`] impl reading the JSON object by field name.
macro_rules! record {
    ($name:ident { $($f:ident : $t:ty = $h5:expr),* $(,)? }) => {
        #[derive(Debug, Default, Clone, PartialEq)]
        #[repr(C)]
        struct $name {
            $($f: $t),*
        }
        impl H5Type for $name {
            fn type_descriptor() -> TypeDescriptor {
                TypeDescriptor::Compound(Compound::new(
                    std::mem::size_of::<$name>(),
                    vec![$(Field::of::<$t>($h5, std::mem::offset_of!($name, $f))),*],
                ))
            }
            fn from_fields(f: &mut Fields<'_, '_>) -> Result<Self> {
                Ok($name { $($f: f.field()?),* })
            }
        }
        impl Expect for $name {
            fn check(&self, v: &Value, cx: &Cx<'_>) -> Result<(), String> {
                $(
                    self.$f
                        .check(&v[stringify!($f)], cx)
                        .map_err(|e| format!("{}: {e}", stringify!($f)))?;
                )*
                Ok(())
            }
        }
    };
}

record!(Simple {
    b: f64 = "b",
    a: i32 = "a"
});
record!(OnlyB { b: f32 = "b" });
record!(Aligned {
    c: f64 = "c",
    a: u8 = "a"
});
record!(Pos {
    y: f64 = "y",
    x: f64 = "x"
});
record!(Nested {
    pos: Pos = "pos",
    id: i32 = "id"
});
record!(BigEndian {
    c: u32 = "c",
    a: i64 = "a",
    b: f32 = "b"
});
record!(ArrayMember {
    w: f64 = "w",
    v: [[i32; 3]; 2] = "v"
});
record!(Strings {
    vlen: String = "vlen",
    fixed: String = "fixed",
    n: i8 = "n"
});
record!(Missing {
    a: i32 = "a",
    zz: i16 = "zz"
});
record!(NarrowA { a: i16 = "a" });
record!(OddNames {
    quoted: i16 = "we\"ird",
    unicode: u8 = "\u{fc}n\u{ef}c\u{f8}d\u{e9}"
});
record!(PQ {
    p: i32 = "p",
    q: f32 = "q"
});

/// Read the attribute as `T`; compare with the case.
fn run<T: H5Type + Expect + std::fmt::Debug>(case: &Value, file: &File) -> Result<(), String> {
    let root = file.root().unwrap();
    let attr = match root.get(case["obj"].as_str().unwrap()).unwrap() {
        Object::Group(g) => g.attr(case["attr"].as_str().unwrap()),
        Object::Dataset(d) => d.attr(case["attr"].as_str().unwrap()),
        Object::Datatype(t) => t.attr(case["attr"].as_str().unwrap()),
    }
    .unwrap();
    let opts = ConvertOptions::new().saturate(case["saturate"].as_bool().unwrap());
    let heap = FileHeap {
        reader: file.reader(),
        heaps: RefCell::new(GlobalHeaps::new()),
    };
    let got = Plan::for_type::<T>(attr.dtype(), file.reader().ctx, opts)
        .and_then(|p| p.convert_vec::<T>(attr.raw_bytes(), &heap));
    let want_n: u64 = attr.shape().iter().product();
    match (got, case.get("error").and_then(Value::as_str)) {
        (Ok(v), None) => {
            assert_eq!(v.len() as u64, want_n);
            check_list(&v, &case["expect"], &Cx { file })
        }
        (Err(Error::Conversion { kind, .. }), Some(want)) => {
            let want_kind = match want {
                "overflow" => ConversionErrorKind::Overflow,
                "utf8" => ConversionErrorKind::InvalidUtf8,
                _ => ConversionErrorKind::Incompatible,
            };
            if kind == want_kind {
                Ok(())
            } else {
                Err(format!("error {kind:?}, want {want}"))
            }
        }
        (Ok(v), Some(want)) => Err(format!("got {v:?}, want error {want}")),
        (Err(e), _) => Err(format!("error {e}")),
    }
}

#[test]
fn attributes_convert_like_h5py() {
    let doc: Value =
        serde_json::from_str(include_str!("../testdata/unit/convert_h5py.json")).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 1000);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/fixtures/");
    let mut files: HashMap<String, File> = HashMap::new();
    let mut failures = Vec::new();
    let mut kinds = std::collections::BTreeSet::new();
    for case in cases {
        let fname = case["file"].as_str().unwrap().to_string();
        let file = files
            .entry(fname.clone())
            .or_insert_with(|| File::open(format!("{dir}{fname}")).unwrap());
        let to = case["to"].as_str().unwrap();
        kinds.insert(to.to_string());
        let r = match to {
            "i8" => run::<i8>(case, file),
            "i16" => run::<i16>(case, file),
            "i32" => run::<i32>(case, file),
            "i64" => run::<i64>(case, file),
            "u8" => run::<u8>(case, file),
            "u16" => run::<u16>(case, file),
            "u32" => run::<u32>(case, file),
            "u64" => run::<u64>(case, file),
            "f16" => run::<f16>(case, file),
            "f32" => run::<f32>(case, file),
            "f64" => run::<f64>(case, file),
            "bool" => run::<bool>(case, file),
            "String" => run::<String>(case, file),
            "Bytes" => run::<Bytes>(case, file),
            "Complex<f32>" => run::<Complex<f32>>(case, file),
            "Complex<f64>" => run::<Complex<f64>>(case, file),
            "[i32;4]" => run::<[i32; 4]>(case, file),
            "[i8;4]" => run::<[i8; 4]>(case, file),
            "[[f64;3];2]" => run::<[[f64; 3]; 2]>(case, file),
            "[f32;6]" => run::<[f32; 6]>(case, file),
            "[f32;5]" => run::<[f32; 5]>(case, file),
            "[PQ;2]" => run::<[PQ; 2]>(case, file),
            "Vec<i64>" => run::<Vec<i64>>(case, file),
            "Vec<i16>" => run::<Vec<i16>>(case, file),
            "Vec<u16>" => run::<Vec<u16>>(case, file),
            "Vec<f64>" => run::<Vec<f64>>(case, file),
            "Vec<f32>" => run::<Vec<f32>>(case, file),
            "Vec<PQ>" => run::<Vec<PQ>>(case, file),
            "Simple" => run::<Simple>(case, file),
            "OnlyB" => run::<OnlyB>(case, file),
            "Aligned" => run::<Aligned>(case, file),
            "Nested" => run::<Nested>(case, file),
            "BigEndian" => run::<BigEndian>(case, file),
            "ArrayMember" => run::<ArrayMember>(case, file),
            "Strings" => run::<Strings>(case, file),
            "Missing" => run::<Missing>(case, file),
            "NarrowA" => run::<NarrowA>(case, file),
            "OddNames" => run::<OddNames>(case, file),
            "ObjectRef" => run::<ObjectRef>(case, file),
            "RegionRef" => run::<RegionRef>(case, file),
            "Reference" => run::<Reference>(case, file),
            other => Err(format!("no Rust type for {other}")),
        };
        if let Err(e) = r {
            failures.push(format!(
                "{} {}@{} -> {to} (saturate {}): {e}",
                fname, case["obj"], case["attr"], case["saturate"]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(kinds.len() >= 40, "{kinds:?}");
}
