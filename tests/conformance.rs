//! Conformance: for every committed fixture, h5oxide's canonical document must equal the one
//! the h5py oracle (`testdata/oracle.py`) wrote to `testdata/expected/`, field by field.
//! Every field is compared, dataset `data` (element count, canonical byte count, SHA-256 of the
//! canonical bytes, and the values themselves for small datasets) included.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use serde_json::Value;
use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

fn ours(fixture: &Path) -> Value {
    // The oracle reads external raw-data files (relative to the fixture's directory).
    let opts = h5oxide::OpenOptions::new().external_files(true);
    let f = h5oxide::File::open_with(fixture, opts)
        .unwrap_or_else(|e| panic!("{}: {e}", fixture.display()));
    let doc = h5oxide::canon::doc::document(&f, h5oxide::canon::doc::Options { values: true });
    serde_json::from_str(&doc.to_pretty()).expect("our JSON parses")
}

/// Compare `a` (ours) against `b` (oracle), collecting differences under `at`.
fn diff(at: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
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

#[test]
fn every_fixture_matches_the_oracle() {
    let expected = testdata().join("expected");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&expected)
        .expect("testdata/expected exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 10, "too few fixtures: {}", names.len());
    let mut failures = Vec::new();
    for exp in &names {
        let stem = exp
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("utf-8 name");
        let fixture = testdata().join("fixtures").join(format!("{stem}.h5"));
        let oracle: Value = serde_json::from_str(&std::fs::read_to_string(exp).expect("read"))
            .expect("oracle JSON");
        let mine = ours(&fixture);
        let mut out = Vec::new();
        diff(stem, &mine, &oracle, &mut out);
        if !out.is_empty() {
            failures.push(format!(
                "{stem}: {} differences\n  {}",
                out.len(),
                out.iter()
                    .take(15)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}
