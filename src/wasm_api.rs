//! A small C-ABI for JavaScript hosts (feature `wasm-api`): open an HDF5 file from bytes,
//! list its tree, and read a dataset as `f64` values. `tests/wasm/h5oxide.mjs` wraps it for
//! Node.js and browsers:
//!
//! ```text
//! cargo rustc --release --lib --target wasm32-unknown-unknown \
//!     --no-default-features --features wasm-api --crate-type cdylib
//! ```
//!
//! Protocol: the host allocates with [`h5_alloc`], copies bytes in, and calls a function; every
//! function returns 0 on success or 1 on error, leaving its result (data, or the error message
//! as UTF-8) in a buffer read with [`h5_result_ptr`] / [`h5_result_len`].
// Raw pointers cross the boundary here and only here.
#![allow(unsafe_code)]

use crate::canon::dtype::dtype_string;
use crate::canon::Json;
use crate::hl::{File, LinkKind, Object};
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::sync::Mutex;

struct State {
    files: Vec<Option<File>>,
    result: Vec<u8>,
}

static STATE: Mutex<State> = Mutex::new(State {
    files: Vec::new(),
    result: Vec::new(),
});

fn with_state<T>(f: impl FnOnce(&mut State) -> T) -> T {
    let mut g = STATE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut g)
}

fn finish(r: crate::Result<Vec<u8>>) -> u32 {
    with_state(|s| match r {
        Ok(v) => {
            s.result = v;
            0
        }
        Err(e) => {
            s.result = e.to_string().into_bytes();
            1
        }
    })
}

/// Allocate `len` bytes for the host to fill; free with [`h5_free`].
#[no_mangle]
pub extern "C" fn h5_alloc(len: usize) -> *mut u8 {
    let mut v = alloc::vec![0u8; len];
    let p = v.as_mut_ptr();
    core::mem::forget(v);
    p
}

/// Free memory from [`h5_alloc`].
///
/// # Safety
/// `ptr` and `len` must come from one [`h5_alloc`] call, freed once.
#[no_mangle]
pub unsafe extern "C" fn h5_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        // SAFETY: per the contract, ptr/len describe a Vec<u8> leaked by h5_alloc.
        drop(unsafe { Vec::from_raw_parts(ptr, len, len) });
    }
}

/// The result buffer of the last call.
#[no_mangle]
pub extern "C" fn h5_result_ptr() -> *const u8 {
    with_state(|s| s.result.as_ptr())
}

/// Length of the result buffer of the last call.
#[no_mangle]
pub extern "C" fn h5_result_len() -> usize {
    with_state(|s| s.result.len())
}

/// # Safety
/// `ptr` must point to `len` readable bytes (or be null with `len` 0).
unsafe fn bytes<'a>(ptr: *const u8, len: usize) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        &[]
    } else {
        // SAFETY: guaranteed by the caller.
        unsafe { core::slice::from_raw_parts(ptr, len) }
    }
}

/// Open a file from `len` bytes at `ptr` (copied). The result is the handle as 4 LE bytes.
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn h5_open(ptr: *const u8, len: usize) -> u32 {
    // SAFETY: forwarded contract.
    let data = unsafe { bytes(ptr, len) }.to_vec();
    finish(File::from_bytes(data).map(|f| {
        with_state(|s| {
            s.files.push(Some(f));
            u32::try_from(s.files.len() - 1)
                .unwrap_or(u32::MAX)
                .to_le_bytes()
                .to_vec()
        })
    }))
}

/// Close a handle.
#[no_mangle]
pub extern "C" fn h5_close(handle: u32) {
    with_state(|s| {
        if let Some(slot) = s.files.get_mut(handle as usize) {
            *slot = None;
        }
    });
}

fn file(handle: u32) -> crate::Result<File> {
    with_state(|s| s.files.get(handle as usize).cloned().flatten())
        .ok_or_else(|| crate::Error::Usage(String::from("bad file handle")))
}

fn path_arg(ptr: *const u8, len: usize) -> crate::Result<String> {
    // SAFETY: the exported functions' contracts require readable path bytes.
    let b = unsafe { bytes(ptr, len) };
    core::str::from_utf8(b)
        .map(String::from)
        .map_err(|_| crate::Error::Usage(String::from("path is not UTF-8")))
}

/// List every object: a JSON array of `{"path", "kind", "dtype"?, "shape"?, "target"?}`.
#[no_mangle]
pub extern "C" fn h5_list(handle: u32) -> u32 {
    finish(file(handle).and_then(|f| {
        let mut out = Vec::new();
        let root = f.root()?;
        let mut seen = alloc::collections::BTreeSet::new();
        let mut stack = alloc::vec![root];
        out.push(
            Json::object()
                .with("path", Json::str("/"))
                .with("kind", Json::str("group")),
        );
        while let Some(g) = stack.pop() {
            if !seen.insert(g.addr()) {
                continue;
            }
            for l in g.links()? {
                let path = if g.path() == "/" {
                    alloc::format!("/{}", l.name)
                } else {
                    alloc::format!("{}/{}", g.path(), l.name)
                };
                let mut o = Json::object().with("path", Json::Str(path));
                match &l.kind {
                    LinkKind::Hard(_) => match g.get(&l.name)? {
                        Object::Group(c) => {
                            o.push("kind", Json::str("group"));
                            stack.push(c);
                        }
                        Object::Dataset(d) => {
                            o.push("kind", Json::str("dataset"));
                            o.push("dtype", Json::Str(dtype_string(d.dtype())));
                            o.push(
                                "shape",
                                Json::Array(d.shape().iter().map(|&x| Json::UInt(x)).collect()),
                            );
                        }
                        Object::Datatype(t) => {
                            o.push("kind", Json::str("datatype"));
                            o.push("dtype", Json::Str(dtype_string(t.dtype())));
                        }
                    },
                    k => {
                        o.push("kind", Json::str("link"));
                        o.push("target", Json::Str(k.to_string()));
                    }
                }
                out.push(o);
            }
        }
        Ok(Json::Array(out).to_compact().into_bytes())
    }))
}

/// Read the dataset at the UTF-8 path (`ptr`, `len`) as `f64` values (little-endian bytes,
/// C order); any integer or float type converts like h5py's `astype(float)`.
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn h5_read_f64(handle: u32, ptr: *const u8, len: usize) -> u32 {
    finish(file(handle).and_then(|f| {
        let path = path_arg(ptr, len)?;
        let d = f.root()?.dataset(&path)?;
        let v: Vec<f64> = d.read()?;
        Ok(v.iter().flat_map(|x| x.to_le_bytes()).collect())
    }))
}

/// The shape of the dataset at the path, as a JSON array.
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
#[no_mangle]
pub unsafe extern "C" fn h5_shape(handle: u32, ptr: *const u8, len: usize) -> u32 {
    finish(file(handle).and_then(|f| {
        let path = path_arg(ptr, len)?;
        let d = f.root()?.dataset(&path)?;
        Ok(
            Json::Array(d.shape().iter().map(|&x| Json::UInt(x)).collect())
                .to_compact()
                .into_bytes(),
        )
    }))
}
