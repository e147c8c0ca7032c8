//! Differential: the same bytes opened three ways must describe identically (the canonical
//! document, values included, or the same open error):
//! - in memory (zero-copy blocks borrowed from the slice),
//! - as a file on disk (`File::open_with`, positional reads),
//! - through a source that is not in memory (no `as_slice`: `Reader::block` copies).
#![no_main]

use h5oxide::canon::doc::{document, Options};
use h5oxide::io::ReadAt;
use h5oxide::{File, OpenOptions, Result};
use h5oxide_fuzz::limits;
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

/// A byte source that hides its bytes behind positional reads.
struct Copying(Vec<u8>);

impl ReadAt for Copying {
    fn len(&self) -> Result<u64> {
        Ok(self.0.len() as u64)
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> Result<()> {
        let start = usize::try_from(pos).unwrap_or(usize::MAX);
        match start.checked_add(buf.len()).and_then(|e| self.0.get(start..e)) {
            Some(s) => {
                buf.copy_from_slice(s);
                Ok(())
            }
            None => Err(h5oxide::Error::Io {
                addr: pos,
                msg: "read past end of source".into(),
            }),
        }
    }
}

/// This process's scratch file, in a directory of its own (so that file names the input
/// mentions, resolved next to the file, find nothing there).
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!(
            "h5oxide-fuzz-differential-{}-{nanos:08x}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        dir.join(format!("input-{nanos:08x}.h5"))
    })
}

fn describe(f: Result<File>) -> String {
    match f {
        Ok(f) => document(&f, Options { values: true }).to_compact(),
        Err(e) => format!("open: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let opts = OpenOptions::new().limits(limits());
    let memory = describe(File::from_source_with(Arc::new(data.to_vec()), opts));
    let copying = describe(File::from_source_with(Arc::new(Copying(data.to_vec())), opts));
    assert_eq!(memory, copying, "in-memory and copying sources differ");
    let path = scratch();
    std::fs::write(path, data).expect("write scratch file");
    let on_disk = describe(File::open_with(path, opts));
    assert_eq!(memory, on_disk, "in-memory and on-disk files differ");
});
