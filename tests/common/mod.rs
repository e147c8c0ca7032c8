//! Shared machinery of the hostile-input tests (`corrupt_suite.rs`, `limits.rs`):
//!
//! - a counting global allocator that tracks the peak of live heap bytes per thread;
//! - [`run`]: open a file, walk its canonical document (which reads *everything*: every
//!   object, attribute, link and dataset value), and collect every error, typed;
//! - [`Map`]: the structure map of a fixture: every metadata structure the library reads, with
//!   its file position, length, type and checksummed range. Built by recording every block
//!   the library reads during a document walk (a [`ReadAt`] wrapper), classified by signature
//!   and by the object headers found by walking the groups with the public API;
//! - byte patching helpers (superblock end-of-file address, lookup3 checksums).

#![allow(
    dead_code,
    unsafe_code,
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::canon::doc::{document, Options};
use h5oxide::canon::json::Json;
use h5oxide::format::checksum::lookup3;
use h5oxide::format::message::layout::Layout;
use h5oxide::format::message::MessageType;
use h5oxide::format::object_header::Continuation;
use h5oxide::format::{Addr, Ctx};
use h5oxide::hl::{LinkKind, Object};
use h5oxide::io::ReadAt;
use h5oxide::read::object::ObjectHeader;
use h5oxide::{Error, File, FormatErrorKind, Limits};
use std::alloc::{GlobalAlloc, Layout as AllocLayout, System};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Mutex};

// ---------------------------------------------------------------------------------------------
// Counting allocator
// ---------------------------------------------------------------------------------------------

thread_local! {
    static CUR: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static TRACING: Cell<bool> = const { Cell::new(false) };
}

/// Debugging aid: print a backtrace for every allocation above this many bytes (set from
/// the environment variable `H5OXIDE_TRACE_ALLOC` by [`trace_from_env`]).
pub static TRACE_ABOVE: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(usize::MAX);

/// Read `H5OXIDE_TRACE_ALLOC` (bytes) into [`TRACE_ABOVE`].
pub fn trace_from_env() {
    if let Some(n) = std::env::var("H5OXIDE_TRACE_ALLOC")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        TRACE_ABOVE.store(n, std::sync::atomic::Ordering::Relaxed);
    }
}

fn trace(n: usize) {
    if n > TRACE_ABOVE.load(std::sync::atomic::Ordering::Relaxed) && !TRACING.with(Cell::get) {
        TRACING.with(|t| t.set(true));
        eprintln!(
            "allocation of {n} bytes at\n{}",
            std::backtrace::Backtrace::force_capture()
        );
        TRACING.with(|t| t.set(false));
    }
}

/// `System`, counting the live bytes allocated by each thread and their peak.
pub struct Counting;

fn grow(n: usize) {
    trace(n);
    let _ = CUR.try_with(|c| {
        let v = c.get().wrapping_add(n as isize);
        c.set(v);
        let _ = PEAK.try_with(|p| {
            if v > p.get() {
                p.set(v);
            }
        });
    });
}

fn shrink(n: usize) {
    let _ = CUR.try_with(|c| c.set(c.get().wrapping_sub(n as isize)));
}

// SAFETY: every call is forwarded to `System` unchanged; the bookkeeping touches only
// const-initialised thread-locals without destructors (no allocation, no re-entrance).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: AllocLayout) -> *mut u8 {
        let p = System.alloc(l);
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, l: AllocLayout) -> *mut u8 {
        let p = System.alloc_zeroed(l);
        if !p.is_null() {
            grow(l.size());
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, l: AllocLayout) {
        System.dealloc(p, l);
        shrink(l.size());
    }
    unsafe fn realloc(&self, p: *mut u8, l: AllocLayout, new: usize) -> *mut u8 {
        let q = System.realloc(p, l, new);
        if !q.is_null() {
            // Old and new block may coexist while copying: count both at the peak.
            grow(new);
            shrink(l.size());
        }
        q
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Run `f` and return its result with the peak of heap bytes it held live at once (on this
/// thread, above what was live when it started).
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let start = CUR.with(Cell::get);
    PEAK.with(|p| p.set(start));
    let r = f();
    let peak = PEAK.with(Cell::get);
    (r, usize::try_from(peak - start).unwrap_or(0))
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

/// Bytes of a fixture: `testdata/fixtures/NAME`, else `testdata/corrupt/NAME`.
pub fn load(name: &str) -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata");
    for dir in ["fixtures", "corrupt"] {
        let p = root.join(dir).join(name);
        if p.is_file() {
            return std::fs::read(&p).unwrap();
        }
    }
    panic!("fixture {name} not found")
}

// ---------------------------------------------------------------------------------------------
// Outcomes
// ---------------------------------------------------------------------------------------------

/// One error, as typed as the document lets us have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    /// `Error::Format`.
    Format {
        kind: FormatErrorKind,
        what: String,
        addr: u64,
    },
    /// `Error::LimitExceeded`.
    Limit { limit: String },
    /// `Error::Unsupported`.
    Unsupported { what: String, addr: u64 },
    /// Anything else (not found, usage, conversion, I/O, document-level notes).
    Other(String),
}

const KINDS: [(FormatErrorKind, &str); 8] = [
    (FormatErrorKind::Truncated, "truncated"),
    (FormatErrorKind::BadSignature, "bad signature"),
    (FormatErrorKind::BadVersion, "unknown version"),
    (FormatErrorKind::BadChecksum, "checksum mismatch"),
    (FormatErrorKind::InvalidValue, "invalid value"),
    (FormatErrorKind::OutOfBounds, "address out of bounds"),
    (FormatErrorKind::Cycle, "cycle"),
    (FormatErrorKind::Overflow, "arithmetic overflow"),
];

fn parse_hex(s: &str) -> Option<u64> {
    u64::from_str_radix(s.trim_start_matches("0x"), 16).ok()
}

impl Found {
    /// Parse the `Display` text of an [`Error`] (as the document stores it).
    pub fn parse(s: &str) -> Found {
        for (kind, text) in KINDS {
            if let Some(rest) = s.strip_prefix(text).and_then(|r| r.strip_prefix(" in ")) {
                if let Some((what, addr)) = rest.rsplit_once(" at address ") {
                    if let Some(addr) = parse_hex(addr) {
                        return Found::Format {
                            kind,
                            what: what.to_string(),
                            addr,
                        };
                    }
                }
            }
        }
        if let Some(rest) = s.strip_prefix("limit ") {
            if let Some((limit, _)) = rest.split_once(" exceeded") {
                return Found::Limit {
                    limit: limit.to_string(),
                };
            }
        }
        if let Some(rest) = s.strip_prefix("unsupported ") {
            if let Some((what, addr)) = rest.rsplit_once(" at address ") {
                if let Some(addr) = parse_hex(addr) {
                    return Found::Unsupported {
                        what: what.to_string(),
                        addr,
                    };
                }
            }
        }
        Found::Other(s.to_string())
    }

    /// From a typed error.
    pub fn from_error(e: &Error) -> Found {
        match e {
            Error::Format { kind, what, addr } => Found::Format {
                kind: *kind,
                what: what.to_string(),
                addr: *addr,
            },
            Error::LimitExceeded { limit, .. } => Found::Limit {
                limit: limit.to_string(),
            },
            Error::Unsupported { what, addr } => Found::Unsupported {
                what: what.clone(),
                addr: *addr,
            },
            e => Found::Other(e.to_string()),
        }
    }

    pub fn kind(&self) -> Option<FormatErrorKind> {
        match self {
            Found::Format { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    pub fn addr(&self) -> Option<u64> {
        match self {
            Found::Format { addr, .. } | Found::Unsupported { addr, .. } => Some(*addr),
            _ => None,
        }
    }
}

/// What opening and walking a file gave.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The error of `File::from_bytes`, if opening failed.
    pub open: Option<Error>,
    /// Every error of the open and the document walk.
    pub errors: Vec<Found>,
    /// Peak heap bytes held during the run.
    pub peak: usize,
    /// Wall time.
    pub time: std::time::Duration,
}

impl Outcome {
    pub fn any(&self, f: impl Fn(&Found) -> bool) -> bool {
        self.errors.iter().any(f)
    }

    /// Some format error of `kind` at an address in `range`.
    pub fn has_at(&self, kinds: &[FormatErrorKind], range: std::ops::Range<u64>) -> bool {
        self.any(|e| match e {
            Found::Format { kind, addr, .. } => kinds.contains(kind) && range.contains(addr),
            _ => false,
        })
    }

    pub fn summary(&self) -> String {
        let mut v: Vec<String> = self.errors.iter().map(|e| format!("{e:?}")).collect();
        v.dedup();
        v.truncate(6);
        v.join("; ")
    }
}

fn collect_errors(j: &Json, out: &mut Vec<Found>) {
    match j {
        Json::Object(kv) => {
            for (k, v) in kv {
                match (k.as_str(), v) {
                    ("error", Json::Str(s)) => out.push(Found::parse(s)),
                    _ => collect_errors(v, out),
                }
            }
        }
        Json::Array(a) => a.iter().for_each(|v| collect_errors(v, out)),
        _ => {}
    }
}

/// Open `bytes` with `limits`, walk the whole canonical document (values included) and
/// collect every error; measure the time and the peak heap use (the input bytes excluded).
pub fn run_with(bytes: Vec<u8>, limits: Limits) -> Outcome {
    let t = std::time::Instant::now();
    let src: Arc<dyn ReadAt + Send + Sync> = Arc::new(bytes);
    let ((open, errors), peak) = measure(move || match File::from_source(src, limits) {
        Err(e) => {
            let f = Found::from_error(&e);
            (Some(e), vec![f])
        }
        Ok(f) => {
            let doc = document(&f, Options { values: true });
            let mut errors = Vec::new();
            collect_errors(&doc, &mut errors);
            // Serialising exercises the value encoders' output too.
            let _ = doc.to_compact();
            (None, errors)
        }
    });
    Outcome {
        open,
        errors,
        peak,
        time: t.elapsed(),
    }
}

/// [`run_with`] under the default limits.
pub fn run(bytes: Vec<u8>) -> Outcome {
    run_with(bytes, Limits::default())
}

// ---------------------------------------------------------------------------------------------
// Recording source
// ---------------------------------------------------------------------------------------------

/// A byte vector that records every read (absolute position, length); it offers no slice,
/// so the library reads each block through `read_exact_at`.
struct Recorder {
    data: Vec<u8>,
    reads: Mutex<Vec<(usize, usize)>>,
}

impl ReadAt for Recorder {
    fn len(&self) -> h5oxide::Result<u64> {
        Ok(self.data.len() as u64)
    }
    fn read_exact_at(&self, pos: u64, buf: &mut [u8]) -> h5oxide::Result<()> {
        let p = pos as usize;
        self.reads.lock().unwrap().push((p, buf.len()));
        buf.copy_from_slice(&self.data[p..p + buf.len()]);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Structure map
// ---------------------------------------------------------------------------------------------

/// The type of a metadata structure (or of raw data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Superblock(u8),
    /// Object header first block, version 1 or 2 ("OHDR").
    ObjectHeader(u8),
    /// Continuation block of a version 1 header (messages only).
    ContinuationV1,
    /// "OCHK".
    Ochk,
    /// A header message: its type and the header version.
    Message(u16, u8),
    /// "HEAP".
    LocalHeap,
    /// A local heap's data segment.
    LocalHeapData,
    /// "SNOD".
    Snod,
    /// "TREE", node type 0 (group) or 1 (chunks).
    Tree(u8),
    /// "GCOL".
    Gcol,
    Frhp,
    Fhdb,
    Fhib,
    Bthd,
    Btin,
    Btlf,
    Fahd,
    Fadb,
    /// A page of a paged fixed array data block.
    FaPage,
    Eahd,
    Eaib,
    Easb,
    Eadb,
    /// A page of a paged extensible array data block.
    EaPage,
    /// "SMTB".
    Smtb,
    /// The mapping block of a virtual dataset (a global heap object).
    VdsBlock,
    /// Raw data read by the walk: chunks, contiguous data, huge heap objects.
    RawData,
}

impl Kind {
    /// The name used in reports (messages grouped by type).
    pub fn name(self) -> String {
        match self {
            Kind::Superblock(v) => format!("superblock v{v}"),
            Kind::ObjectHeader(1) => "object header v1".into(),
            Kind::ObjectHeader(_) => "OHDR".into(),
            Kind::ContinuationV1 => "continuation block v1".into(),
            Kind::Message(t, v) => format!("message {t:#04x} (header v{v})"),
            Kind::Tree(0) => "TREE (group)".into(),
            Kind::Tree(_) => "TREE (chunks)".into(),
            k => format!("{k:?}"),
        }
    }
}

/// One structure instance.
#[derive(Debug, Clone)]
pub struct Structure {
    pub kind: Kind,
    /// Absolute position in the file.
    pub pos: usize,
    /// Length in bytes (what the library reads of it; for v2 B-tree nodes the used part).
    pub len: usize,
    /// The checksummed block it lies in, if any.
    pub ck: Option<Ck>,
    /// For messages: the length of the message header (the body follows).
    pub msg_header: usize,
}

impl Structure {
    pub fn end(&self) -> usize {
        self.pos + self.len
    }
}

/// Every structure of one file.
#[derive(Debug, Clone)]
pub struct Map {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Absolute position of address 0 (the user block size).
    pub base: usize,
    pub ctx: Ctx,
    pub structures: Vec<Structure>,
}

fn objects(f: &File) -> Vec<u64> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let root = f.root().unwrap();
    seen.insert(root.addr().0);
    out.push(root.addr().0);
    let mut stack = vec![root];
    while let Some(g) = stack.pop() {
        for l in g.links().unwrap() {
            if let LinkKind::Hard(a) = l.kind {
                if seen.insert(a.0) {
                    out.push(a.0);
                    if let Ok(Object::Group(cg)) = f.object_at(a) {
                        stack.push(cg);
                    }
                }
            }
        }
    }
    if let Some(ext) = f.superblock().extension {
        out.push(ext.0);
    }
    out
}

fn le(b: &[u8], pos: usize, n: usize) -> u64 {
    let mut v = 0u64;
    for i in (0..n).rev() {
        v = (v << 8) | u64::from(b[pos + i]);
    }
    v
}

/// A block covered by a lookup3 checksum (absolute positions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ck {
    /// The block, checksum field included.
    pub range: std::ops::Range<usize>,
    /// Position of the 4-byte checksum field: the last four bytes of the block, or (fractal
    /// heap direct blocks) a field inside it, taken as zero when hashing the whole block.
    pub field: usize,
}

impl Ck {
    /// A block whose last four bytes are the checksum of the bytes before them.
    pub fn at_end(range: std::ops::Range<usize>) -> Ck {
        Ck {
            field: range.end - 4,
            range,
        }
    }

    fn compute(&self, b: &[u8]) -> u32 {
        if self.field + 4 == self.range.end {
            lookup3(&b[self.range.start..self.field], 0)
        } else {
            let mut v = b[self.range.clone()].to_vec();
            let at = self.field - self.range.start;
            v[at..at + 4].fill(0);
            lookup3(&v, 0)
        }
    }

    /// Whether the stored checksum matches.
    pub fn ok(&self, b: &[u8]) -> bool {
        self.range.len() >= 4
            && self.range.end <= b.len()
            && self.compute(b) == le(b, self.field, 4) as u32
    }

    /// Recompute and store the checksum.
    pub fn fix(&self, b: &mut [u8]) {
        let s = self.compute(b);
        b[self.field..self.field + 4].copy_from_slice(&s.to_le_bytes());
    }

    /// HDF5 addresses (relative to `base`) of the block.
    pub fn rel(&self, base: usize) -> std::ops::Range<u64> {
        (self.range.start.wrapping_sub(base) as u64)..(self.range.end.wrapping_sub(base) as u64)
    }
}

/// Write `v` little-endian in `n` bytes at `pos`.
pub fn put(b: &mut [u8], pos: usize, n: usize, v: u64) {
    for i in 0..n {
        b[pos + i] = (v >> (8 * i)) as u8;
    }
}

/// The smallest `len` in `min..=max` for which `b[pos..pos+len]` ends with its checksum.
fn checksummed_len(b: &[u8], pos: usize, min: usize, max: usize) -> Option<usize> {
    (min..=max.min(b.len() - pos)).find(|&n| Ck::at_end(pos..pos + n).ok(b))
}

impl Map {
    /// Build the map of fixture `name`.
    pub fn new(name: &str) -> Map {
        Self::of(name, load(name))
    }

    /// Build the map of `bytes`.
    pub fn of(name: &str, bytes: Vec<u8>) -> Map {
        // 1. Every block the library reads during a full walk.
        let rec = Arc::new(Recorder {
            data: bytes.clone(),
            reads: Mutex::new(Vec::new()),
        });
        let src: Arc<dyn ReadAt + Send + Sync> = rec.clone();
        let f = File::from_source(src, Limits::default()).unwrap();
        let doc = document(&f, Options { values: true });
        let mut errs = Vec::new();
        collect_errors(&doc, &mut errs);
        // 2. Object headers, by walking groups (and the superblock extension).
        let ohs = objects(&f);
        let base = f.userblock() as usize;
        let ctx = f.reader().ctx;
        let o = usize::from(ctx.offset_size);
        let l = usize::from(ctx.length_size);
        let mut reads: BTreeMap<usize, usize> = BTreeMap::new();
        for &(p, n) in rec.reads.lock().unwrap().iter() {
            let e = reads.entry(p).or_insert(0);
            *e = (*e).max(n);
        }
        let b = &bytes;
        let mut out: Vec<Structure> = Vec::new();
        let mut claimed: BTreeSet<usize> = BTreeSet::new();

        // Superblock.
        let sbv = f.superblock().version;
        let sb_len = match sbv {
            0 => 24 + 4 * o + 2 * o + 24,
            1 => 28 + 4 * o + 2 * o + 24,
            _ => 12 + 4 * o + 4,
        };
        out.push(Structure {
            kind: Kind::Superblock(sbv),
            pos: base,
            len: sb_len,
            ck: (sbv >= 2).then(|| Ck::at_end(base..base + sb_len)),
            msg_header: 0,
        });
        claimed.insert(base);

        // Object headers, their continuation blocks and messages.
        let mut oh_addrs: BTreeSet<u64> = ohs.into_iter().collect();
        for (&p, _) in reads.iter() {
            if p >= base && b.get(p..p + 4) == Some(b"OHDR") {
                oh_addrs.insert((p - base) as u64);
            }
        }
        for &a in &oh_addrs {
            let h = ObjectHeader::read(f.reader(), Addr(a)).unwrap();
            let v = h.prefix.version;
            let pos = base + a as usize;
            let first = pos..pos + h.prefix.block_len() as usize;
            claimed.insert(pos);
            out.push(Structure {
                kind: Kind::ObjectHeader(v),
                pos,
                len: first.len(),
                ck: (v == 2).then(|| Ck::at_end(first.clone())),
                msg_header: 0,
            });
            let mut blocks = vec![first];
            for m in h.all(MessageType::CONTINUATION) {
                let c = Continuation::decode(m, ctx).unwrap();
                let cp = base + c.addr.0 as usize;
                let r = cp..cp + c.len as usize;
                claimed.insert(cp);
                out.push(Structure {
                    kind: if v == 2 {
                        Kind::Ochk
                    } else {
                        Kind::ContinuationV1
                    },
                    pos: cp,
                    len: r.len(),
                    ck: (v == 2).then(|| Ck::at_end(r.clone())),
                    msg_header: 0,
                });
                blocks.push(r);
            }
            let mh = if v == 1 {
                8
            } else if h.prefix.tracks_creation_order() {
                6
            } else {
                4
            };
            for m in &h.messages {
                let body = base + m.addr as usize;
                let block = blocks
                    .iter()
                    .find(|r| r.contains(&(body - mh)))
                    .unwrap()
                    .clone();
                out.push(Structure {
                    kind: Kind::Message(m.kind.0, v),
                    pos: body - mh,
                    len: mh + m.data.len(),
                    ck: (v == 2).then(|| Ck::at_end(block)),
                    msg_header: mh,
                });
            }
        }

        // Virtual dataset mapping blocks (global heap objects).
        for &a in &oh_addrs {
            if let Ok(Object::Dataset(d)) = f.object_at(Addr(a)) {
                if let Layout::Virtual {
                    heap: Some(heap),
                    index,
                } = &d.info().layout.layout
                {
                    let gp = base + heap.0 as usize;
                    let size = le(b, gp + 8, l) as usize;
                    let coll = h5oxide::format::heap::global::Collection::decode(
                        &b[gp..gp + size],
                        heap.0,
                        ctx,
                    )
                    .unwrap();
                    let obj = coll.get(*index as u16).unwrap();
                    let p = gp + obj.data_offset;
                    out.push(Structure {
                        kind: Kind::VdsBlock,
                        pos: p,
                        len: obj.size as usize,
                        ck: Some(Ck::at_end(p..p + obj.size as usize)),
                        msg_header: 0,
                    });
                }
            }
        }

        // Everything else the walk read, by signature.
        let mut pending_raw = Vec::new();
        for (&p, &n) in reads.iter() {
            if claimed.contains(&p) || p < base + sb_len {
                continue;
            }
            let sig: [u8; 4] = b[p..p + 4.min(b.len() - p)].try_into().unwrap_or([0; 4]);
            let whole = |k: Kind, ck: bool| Structure {
                kind: k,
                pos: p,
                len: n,
                ck: ck.then(|| Ck::at_end(p..p + n)),
                msg_header: 0,
            };
            let s = match &sig {
                b"HEAP" => {
                    let hl = 8 + 2 * l + o;
                    let size = le(b, p + 8, l) as usize;
                    let data = base + le(b, p + 8 + 2 * l, o) as usize;
                    if size > 0 {
                        out.push(Structure {
                            kind: Kind::LocalHeapData,
                            pos: data,
                            len: size,
                            ck: None,
                            msg_header: 0,
                        });
                        claimed.insert(data);
                    }
                    Structure {
                        len: hl,
                        ..whole(Kind::LocalHeap, false)
                    }
                }
                b"SNOD" => whole(Kind::Snod, false),
                b"TREE" => whole(Kind::Tree(b[p + 4]), false),
                b"GCOL" => whole(Kind::Gcol, false),
                b"FRHP" => whole(Kind::Frhp, true),
                b"FHDB" => {
                    let heap = base + le(b, p + 5, o) as usize;
                    // The checksum (when the heap keeps one) follows the block offset, whose
                    // width is the heap's "Maximum Heap Size" in bytes.
                    let ck = b[heap + 9] & 0x02 != 0;
                    let max_heap_bits = le(b, heap + 14 + 10 * l + 2 * o + 2 + 2 * l, 2) as usize;
                    let field = p + 5 + o + max_heap_bits.div_ceil(8);
                    Structure {
                        ck: ck.then(|| Ck {
                            range: p..p + n,
                            field,
                        }),
                        ..whole(Kind::Fhdb, false)
                    }
                }
                b"FHIB" => whole(Kind::Fhib, true),
                b"BTHD" => whole(Kind::Bthd, true),
                b"BTIN" | b"BTLF" => {
                    let k = if &sig == b"BTIN" {
                        Kind::Btin
                    } else {
                        Kind::Btlf
                    };
                    let used = checksummed_len(b, p, 10, n).expect("v2 B-tree node checksum");
                    Structure {
                        len: used,
                        ck: Some(Ck::at_end(p..p + used)),
                        ..whole(k, true)
                    }
                }
                b"FAHD" => whole(Kind::Fahd, true),
                b"FADB" => whole(Kind::Fadb, true),
                b"EAHD" => whole(Kind::Eahd, true),
                b"EAIB" => whole(Kind::Eaib, true),
                b"EASB" => whole(Kind::Easb, true),
                b"EADB" => whole(Kind::Eadb, true),
                b"SMTB" => whole(Kind::Smtb, true),
                b"OCHK" => whole(Kind::Ochk, true),
                _ => {
                    pending_raw.push((p, n));
                    continue;
                }
            };
            claimed.insert(p);
            out.push(s);
        }
        // Pages of paged array data blocks: checksummed blocks without a signature, after
        // a fixed or extensible array data block; everything else is raw data.
        out.sort_by_key(|s| s.pos);
        for (p, n) in pending_raw {
            if claimed.contains(&p) {
                continue;
            }
            let prev = out
                .iter()
                .rev()
                .find(|s| s.pos < p && matches!(s.kind, Kind::Fadb | Kind::Eadb))
                .map(|s| s.kind);
            let kind = match prev {
                Some(k) if n >= 8 && Ck::at_end(p..p + n).ok(b) => {
                    if k == Kind::Fadb {
                        Kind::FaPage
                    } else {
                        Kind::EaPage
                    }
                }
                _ => Kind::RawData,
            };
            out.push(Structure {
                kind,
                pos: p,
                len: n,
                ck: (kind != Kind::RawData).then(|| Ck::at_end(p..p + n)),
                msg_header: 0,
            });
        }
        out.sort_by_key(|s| (s.pos, s.kind));
        // Sanity: every checksummed block of the pristine file verifies.
        for s in &out {
            if let Some(ck) = &s.ck {
                assert!(
                    ck.ok(b),
                    "{name}: {} at {:#x}+{}: checksum does not verify",
                    s.kind.name(),
                    s.pos,
                    s.len
                );
            }
        }
        Map {
            name: name.to_string(),
            bytes,
            base,
            ctx,
            structures: out,
        }
    }

    /// HDF5 address (relative to the base) of absolute position `pos`.
    pub fn rel(&self, pos: usize) -> u64 {
        pos.wrapping_sub(self.base) as u64
    }

    /// The superblock.
    pub fn superblock(&self) -> &Structure {
        &self.structures[self
            .structures
            .iter()
            .position(|s| matches!(s.kind, Kind::Superblock(_)))
            .unwrap()]
    }

    /// Absolute position of the superblock's end-of-file address field.
    pub fn eof_field(&self) -> usize {
        let o = usize::from(self.ctx.offset_size);
        let sb = self.superblock();
        let v = match sb.kind {
            Kind::Superblock(v) => v,
            _ => unreachable!(),
        };
        sb.pos
            + match v {
                0 => 24 + 2 * o,
                1 => 28 + 2 * o,
                _ => 12 + 2 * o,
            }
    }

    /// `bytes` cut at absolute position `cut`, with the superblock's end-of-file address set
    /// to the new length (and the superblock checksum recomputed for versions 2 and 3), so
    /// that the open succeeds and the structures' own bounds checks are what fails.
    pub fn cut_with_eof(&self, cut: usize) -> Vec<u8> {
        let mut b = self.bytes[..cut].to_vec();
        let sb = self.superblock().clone();
        if cut >= sb.end() {
            put(
                &mut b,
                self.eof_field(),
                usize::from(self.ctx.offset_size),
                cut as u64,
            );
            if let Some(ck) = sb.ck {
                ck.fix(&mut b);
            }
        }
        b
    }
}

impl Map {
    /// Recompute every checksum of the map that `b` (a patched copy of the map's bytes)
    /// breaks, so the patched values are what the reader sees.
    pub fn refit(&self, b: &mut [u8]) {
        for s in &self.structures {
            if let Some(ck) = &s.ck {
                if ck.range.end <= b.len() && !ck.ok(b) {
                    ck.fix(b);
                }
            }
        }
    }

    /// The first structure of `kind`.
    pub fn first(&self, kind: Kind) -> &Structure {
        self.structures
            .iter()
            .find(|s| s.kind == kind)
            .unwrap_or_else(|| panic!("{}: no {}", self.name, kind.name()))
    }

    /// Absolute position and length of the body of the first message of type `kind` in the
    /// header of the object at `path` (`"/"`: the root group).
    pub fn message(&self, path: &str, kind: u16) -> (usize, usize) {
        let f = File::from_bytes(self.bytes.clone()).unwrap();
        let root = f.root().unwrap();
        let header = if path == "/" {
            root.header().clone()
        } else {
            match root.get(path).unwrap() {
                Object::Group(g) => g.header().clone(),
                Object::Dataset(d) => d.header().clone(),
                Object::Datatype(t) => t.header().clone(),
            }
        };
        let m = header
            .find(MessageType(kind))
            .unwrap_or_else(|| panic!("{}: no message {kind:#x} in {path}", self.name));
        (self.base + m.addr as usize, m.data.len())
    }
}

/// The little-endian `n`-byte value at `pos`.
pub fn le_at(b: &[u8], pos: usize, n: usize) -> u64 {
    le(b, pos, n)
}
