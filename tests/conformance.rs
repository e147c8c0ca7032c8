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

mod oracle;

use oracle::{diff, ours};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
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
