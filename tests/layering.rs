//! The one-way dependency rule of `../shared/STYLE.md`, checked by scanning `use`/path lines:
//! `format` uses only `error`/`limits`; `io` and `filter` are leaves; `read` never reaches up
//! into `hl` or `canon`; `types` uses only `format` (and `error`/`limits`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read dir") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn violations(layer: &str, forbidden: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join(layer);
    let mut files = Vec::new();
    if root.is_dir() {
        rust_files(&root, &mut files);
    }
    let mut bad = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read");
        for (i, line) in text.lines().enumerate() {
            let l = line.trim_start();
            if l.starts_with("//") {
                continue;
            }
            for m in forbidden {
                if l.contains(&format!("crate::{m}::"))
                    || l.contains(&format!("crate::{m}}}"))
                    || l.contains(&format!("crate::{m};"))
                {
                    bad.push(format!(
                        "{}:{}: {layer} uses {m}: {}",
                        f.display(),
                        i + 1,
                        l
                    ));
                }
            }
        }
    }
    bad
}

#[test]
fn layers_depend_one_way() {
    let mut bad = Vec::new();
    bad.extend(violations(
        "format",
        &["read", "write", "hl", "io", "canon", "filter", "types"],
    ));
    bad.extend(violations(
        "io",
        &["format", "read", "write", "hl", "canon", "filter", "types"],
    ));
    bad.extend(violations(
        "filter",
        &["format", "read", "write", "hl", "io", "canon", "types"],
    ));
    bad.extend(violations(
        "types",
        &["read", "write", "hl", "io", "canon", "filter"],
    ));
    bad.extend(violations("read", &["hl", "canon", "write"]));
    bad.extend(violations("write", &["hl", "canon", "read"]));
    assert!(bad.is_empty(), "layering violations:\n{}", bad.join("\n"));
}
