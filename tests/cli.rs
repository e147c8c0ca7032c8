//! The command-line tool, checked against the h5py oracle: `dump --json` must produce the
//! fixture's expected document (metadata fields), and `ls -r` must list exactly the paths the
//! oracle's traversal reaches.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_h5oxide"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run h5oxide");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn expected(stem: &str) -> Value {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("testdata/expected/{stem}.json"));
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

#[test]
fn dump_json_matches_oracle_metadata() {
    let doc: Value = serde_json::from_str(&run(&[
        "dump",
        "--json",
        "testdata/fixtures/groups_earliest.h5",
    ]))
    .unwrap();
    let exp = expected("groups_earliest");
    assert_eq!(doc["file"], exp["file"]);
    let ours = doc["objects"].as_array().unwrap();
    let theirs = exp["objects"].as_array().unwrap();
    assert_eq!(ours.len(), theirs.len());
    for (a, b) in ours.iter().zip(theirs) {
        for key in [
            "path", "kind", "target", "nlinks", "attrs", "dtype", "shape", "maxshape",
        ] {
            assert_eq!(a.get(key), b.get(key), "{} {key}", b["path"]);
        }
    }
}

#[test]
fn ls_recursive_lists_every_path() {
    let exp = expected("groups_latest");
    let mut want: Vec<String> = exp["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap().to_string())
        .filter(|p| p != "/")
        .collect();
    // `ls -r` does not descend into a group reached a second time (a hard link); the oracle
    // lists that link once, as its own record, and so does ls.
    want.sort();
    let text = run(&["ls", "-r", "testdata/fixtures/groups_latest.h5"]);
    let mut got: Vec<String> = text
        .lines()
        .map(|l| {
            // `NAME<padding> DESCRIPTION`; names may hold spaces, so cut at the description.
            let cut = [
                " Group",
                " Dataset ",
                " Type ",
                " Soft Link {",
                " External Link {",
            ]
            .iter()
            .filter_map(|k| l.rfind(k))
            .min()
            .unwrap_or_else(|| panic!("no description in {l:?}"));
            format!("/{}", l[..cut].trim_end())
        })
        .collect();
    got.sort();
    assert_eq!(got, want);
}

/// `repack` with new filters and chunks: the output holds the same objects, types, shapes,
/// attributes and values (the input's oracle document without the storage fields), and every
/// non-scalar dataset now carries the asked-for pipeline.
#[test]
fn repack_changes_storage_not_content() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_repack");
    std::fs::create_dir_all(&out_dir).unwrap();
    for (stem, libver) in [
        ("layouts_latest", "latest"),
        ("groups_earliest", "earliest"),
    ] {
        let out = out_dir.join(format!("{stem}_{libver}.h5"));
        let out_s = out.to_str().unwrap();
        run(&[
            "repack",
            &format!("testdata/fixtures/{stem}.h5"),
            out_s,
            "--libver",
            libver,
            "--filter",
            "shuffle,gzip=5",
            "--chunk",
            "auto",
        ]);
        let doc: Value =
            serde_json::from_str(&run(&["dump", "--json", "--values", out_s])).unwrap();
        let want = expected(stem);
        let objs = |d: &Value| d["objects"].as_array().unwrap().clone();
        let (got, want) = (objs(&doc), objs(&want));
        assert_eq!(got.len(), want.len(), "{stem}");
        let mut filtered = 0;
        for (g, w) in got.iter().zip(&want) {
            for key in [
                "path",
                "kind",
                "dtype",
                "shape",
                "maxshape",
                "attrs",
                "data",
                "fillvalue",
            ] {
                assert_eq!(g.get(key), w.get(key), "{stem} {} {key}", w["path"]);
            }
            if g["kind"] == "dataset" && g["shape"].as_array().is_some_and(|s| !s.is_empty()) {
                let ids: Vec<u64> = g["filters"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|f| f["id"].as_u64().unwrap())
                    .collect();
                assert_eq!(ids, [2, 1], "{stem} {}: shuffle then deflate", g["path"]);
                filtered += 1;
            }
        }
        assert!(filtered > 0, "{stem}: no dataset was filtered");
    }
}
