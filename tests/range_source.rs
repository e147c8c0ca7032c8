//! A reader over a user-supplied byte-range source (what a wasm app uses to read a remote
//! file by HTTP range requests): only the ranges a read needs are fetched.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use h5oxide::io::ReadAt;
use h5oxide::{File, Limits};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// A source that serves byte ranges (no zero-copy slice) and records what it served.
struct RangeSource {
    bytes: Vec<u8>,
    requests: AtomicU64,
    served: AtomicU64,
    ranges: Mutex<Vec<(u64, u64)>>,
}

impl ReadAt for RangeSource {
    fn len(&self) -> h5oxide::Result<u64> {
        Ok(self.bytes.len() as u64)
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> h5oxide::Result<()> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.served.fetch_add(buf.len() as u64, Ordering::Relaxed);
        self.ranges.lock().unwrap().push((pos, buf.len() as u64));
        self.bytes.as_slice().read_exact_at(pos, buf)
    }
}

#[test]
fn reads_only_the_needed_ranges() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fixtures/bigchunks_latest.h5");
    let bytes = std::fs::read(&p).unwrap();
    let total = bytes.len() as u64;
    let src = Arc::new(RangeSource {
        bytes,
        requests: AtomicU64::new(0),
        served: AtomicU64::new(0),
        ranges: Mutex::new(Vec::new()),
    });
    let f = File::from_source(src.clone(), Limits::default()).unwrap();
    let d = f.root().unwrap().dataset("fa_5000").unwrap();
    let before = src.served.load(Ordering::Relaxed);
    // One element of a 5000-chunk fixed-array dataset.
    let one: Vec<u8> = d
        .read_raw_selection(
            &h5oxide::hl::Sliced::parse("7", d.shape())
                .unwrap()
                .selection,
        )
        .unwrap();
    let for_one = src.served.load(Ordering::Relaxed) - before;
    assert_eq!(one.len() as u64, d.dtype().size());
    // The fixed array header, one 1024-entry page of chunk addresses (8 KiB) and the chunk.
    assert!(for_one < 8192 + 1024, "one element cost {for_one} bytes");
    // Opening and reading that element touched a small fraction of the file.
    let all_served = src.served.load(Ordering::Relaxed);
    assert!(
        all_served * 20 < total,
        "served {all_served} of {total} bytes"
    );
    // The value equals the one read from memory.
    let mem = File::from_bytes(std::fs::read(&p).unwrap()).unwrap();
    let want = mem
        .root()
        .unwrap()
        .dataset("fa_5000")
        .unwrap()
        .read_raw()
        .unwrap();
    let e = usize::try_from(d.dtype().size()).unwrap();
    assert_eq!(one, want[7 * e..8 * e].to_vec());
    // Every range lies inside the file.
    assert!(src
        .ranges
        .lock()
        .unwrap()
        .iter()
        .all(|&(p, n)| p + n <= total));
}
