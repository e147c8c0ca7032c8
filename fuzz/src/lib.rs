//! Helpers shared by the fuzz targets: a forgiving byte reader for target parameters, file
//! parameter choices, tight resource limits, and readers over in-memory images.
//!
//! Input conventions (kept in sync with `seed.py`, which writes seeds in these layouts):
//! - a *ctx byte* selects the offset/length widths with [`ctx`];
//! - a *part* is a little-endian `u16` length followed by that many bytes (shorter at the end of
//!   the input);
//! - missing bytes read as zero, so every input is valid for the harness.

use h5oxide::format::{Ctx, Cursor};
use h5oxide::read::Reader;
use h5oxide::Limits;
use std::sync::Arc;

/// Fake file address of the first structure given to a per-structure target (non-zero, so that
/// address arithmetic in errors is exercised).
pub const ADDR: u64 = 0x1000;
/// Fake file address of the second structure of a per-structure target.
pub const ADDR2: u64 = 0x8000;

/// Offset and length widths a ctx byte chooses from (the first is the common 8/8).
const CTXS: [(u8, u8); 6] = [(8, 8), (4, 4), (4, 8), (8, 4), (2, 2), (2, 8)];

/// The file widths chosen by a ctx byte.
pub fn ctx(b: u8) -> Ctx {
    let (offset_size, length_size) = CTXS[usize::from(b) % CTXS.len()];
    Ctx {
        offset_size,
        length_size,
    }
}

/// The inverse of [`ctx`] for seeds: the byte choosing these widths (0 when not listed).
pub fn ctx_byte(c: Ctx) -> u8 {
    CTXS.iter()
        .position(|&(o, l)| o == c.offset_size && l == c.length_size)
        .map_or(0, |i| i as u8)
}

/// Tight limits: runs stay fast and memory-bounded (64 MiB per allocation, few nodes).
pub fn limits() -> Limits {
    let mut l = Limits::default();
    l.max_alloc = 64 << 20;
    l.max_chunk_bytes = 64 << 20;
    l.max_continuations = 256;
    l.max_btree_depth = 16;
    l.max_btree_nodes = 4096;
    l.max_link_hops = 8;
    l.max_depth = 16;
    l.max_messages = 4096;
    l
}

/// A reader over `image` (HDF5 address 0 = first byte) with the given widths and [`limits`].
pub fn reader(image: &[u8], ctx: Ctx) -> Reader {
    let src: h5oxide::read::Source = Arc::new(image.to_vec());
    match Reader::new(src, 0, ctx, limits()) {
        Ok(r) => r,
        // The length of a vector is always known.
        Err(e) => unreachable!("in-memory reader: {e}"),
    }
}

/// A cursor over `data` at address [`ADDR`].
pub fn cursor<'a>(data: &'a [u8], what: &'static str) -> Cursor<'a> {
    Cursor::new(data, ADDR, what)
}

/// Reads target parameters from the front of the fuzz input; never fails (missing bytes are 0).
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    data: &'a [u8],
}

impl<'a> Input<'a> {
    /// Wrap the fuzz input.
    pub fn new(data: &'a [u8]) -> Self {
        Input { data }
    }

    /// The next `n` bytes (fewer at the end).
    pub fn bytes(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.data.split_at(n.min(self.data.len()));
        self.data = b;
        a
    }

    fn int<const N: usize>(&mut self) -> [u8; N] {
        let mut v = [0u8; N];
        let b = self.bytes(N);
        v[..b.len()].copy_from_slice(b);
        v
    }

    /// The next byte.
    pub fn u8(&mut self) -> u8 {
        self.int::<1>()[0]
    }

    /// The next little-endian `u16`.
    pub fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.int())
    }

    /// The next little-endian `u32`.
    pub fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.int())
    }

    /// The next little-endian `u64`.
    pub fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.int())
    }

    /// The next part: a `u16` length and that many bytes.
    pub fn part(&mut self) -> &'a [u8] {
        let n = self.u16();
        self.bytes(usize::from(n))
    }

    /// Everything left.
    pub fn rest(&mut self) -> &'a [u8] {
        self.bytes(self.data.len())
    }

    /// Whether nothing is left.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}
