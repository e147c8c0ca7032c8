//! Comparing canonical documents (h5oxide's and the h5py oracle's, `testdata/oracle.py`),
//! shared by the conformance and writer tests.

#![allow(dead_code, clippy::indexing_slicing)]

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Compare `a` (ours) against `b` (oracle), collecting differences under `at`.
pub fn diff(at: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    let err_of = |v: &Value| v.get("error").and_then(Value::as_str).map(str::to_owned);
    match (a, b) {
        // Both sides failed to read the same thing: messages differ between implementations.
        (Value::Object(_), Value::Object(_)) if err_of(a).is_some() && err_of(b).is_some() => {}
        (Value::Object(_), Value::Object(_)) if err_of(a).is_some() => {
            out.push(format!(
                "{at}: ours failed: {}",
                err_of(a).unwrap_or_default()
            ));
        }
        (Value::Object(x), Value::Object(y)) => {
            for (k, vb) in y {
                let here = format!("{at}.{k}");
                match x.get(k) {
                    None => out.push(format!("{here}: missing (oracle {vb})")),
                    Some(va) => diff(&here, va, vb, out),
                }
            }
            for k in x.keys().filter(|k| !y.contains_key(*k)) {
                out.push(format!("{at}.{k}: extra (ours {})", x[k]));
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!("{at}: length {} != oracle {}", x.len(), y.len()));
            }
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                let tag = va
                    .get("path")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("[{i}]"), |p| format!("[{p}]"));
                diff(&format!("{at}{tag}"), va, vb, out);
            }
        }
        (Value::Number(x), Value::Number(y))
            if x.as_f64() == y.as_f64() && x.is_f64() == y.is_f64() => {}
        _ if a == b => {}
        // Both sides failed to read the same thing: messages differ between implementations.
        _ if a.get("error").is_some() && b.get("error").is_some() => {}
        _ => out.push(format!("{at}: ours {a} != oracle {b}")),
    }
}

/// `doc` without the keys of `skip` in its objects (e.g. storage fields: `layout`, `chunks`,
/// `filters`) and without the top-level `file` name.
pub fn without(doc: &Value, skip: &[&str]) -> Value {
    let mut d = doc.clone();
    if let Some(m) = d.as_object_mut() {
        m.remove("file");
    }
    if let Some(objs) = d.get_mut("objects").and_then(Value::as_array_mut) {
        for o in objs {
            if let Some(m) = o.as_object_mut() {
                for k in skip {
                    m.remove(*k);
                }
            }
        }
    }
    d
}

/// h5oxide's document (with values) of the file at `path`.
pub fn ours(path: &Path) -> Value {
    let opts = h5oxide::OpenOptions::new().external_files(true);
    let f =
        h5oxide::File::open_with(path, opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let doc = h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options { values: true });
    serde_json::from_str(&doc.to_pretty()).expect("our JSON parses")
}

/// The oracle's documents (with values) of `files`, computed in one python process; `None`
/// when python3 with h5py is not available.
pub fn oracle_docs(files: &[PathBuf], outdir: &Path) -> Option<Vec<Value>> {
    if files.is_empty() {
        return Some(Vec::new());
    }
    let have_h5py = Command::new("python3")
        .args(["-c", "import h5py, numpy"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_h5py {
        return None;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/oracle.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg("--outdir")
        .arg(outdir)
        .args(files)
        .arg("--values")
        .status()
        .ok()?;
    assert!(status.success(), "oracle.py failed");
    Some(
        files
            .iter()
            .map(|f| {
                let stem = f.file_stem().and_then(|s| s.to_str()).expect("stem");
                let text = std::fs::read_to_string(outdir.join(format!("{stem}.json")))
                    .expect("oracle output");
                serde_json::from_str(&text).expect("oracle JSON")
            })
            .collect(),
    )
}
