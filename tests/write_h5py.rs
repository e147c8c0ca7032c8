//! The writer against h5py: files written by h5oxide are read back by h5py (the oracle
//! script's canonical document) and by h5oxide, and both must equal what was written.
//! Needs python3 with h5py (installed by `.ci/run`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use std::process::Command;

/// h5py's own chunk guess for `shape` (0 = unlimited) and element size.
fn h5py_guess(shape: &[u64], typesize: u32) -> Vec<u64> {
    let dims: Vec<String> = shape.iter().map(u64::to_string).collect();
    let code = format!(
        "from h5py._hl.filters import guess_chunk; print(','.join(map(str, guess_chunk(({},), None, {typesize}))))",
        dims.join(",")
    );
    let out = Command::new("python3")
        .arg("-c")
        .arg(code)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .trim()
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect()
}

#[test]
fn chunk_guess_matches_h5py() {
    let cases: &[(&[u64], u32)] = &[
        (&[100], 8),
        (&[1000, 1000], 4),
        (&[0], 4),
        (&[8192, 8192], 4),
        (&[10, 20, 30], 2),
        (&[1], 1),
        (&[3_000_000], 8),
        (&[0, 10], 8),
        (&[7, 7, 7, 7], 8),
        (&[123_457, 3], 16),
        (&[5, 0, 100], 1),
        (&[65_536, 65_536], 8),
    ];
    for (shape, ts) in cases {
        let ours = h5oxide::hl::guess_chunk(shape, None, *ts);
        assert_eq!(ours, h5py_guess(shape, *ts), "{shape:?} x {ts}");
    }
}
