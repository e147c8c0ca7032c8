//! The corrupt-file suite: systematic damage to every metadata structure the reader parses.
//!
//! For each fixture, `common::Map` lists every structure the library reads (superblock,
//! object headers and their continuation blocks, every header message, local heaps and their
//! data segments, symbol table nodes, v1 and v2 B-tree nodes, global heap collections,
//! fractal heap blocks, fixed and extensible array blocks and pages, the SOHM table, virtual
//! dataset mapping blocks, raw data). For a few instances of each type, cases are generated:
//!
//! 1. **truncation** at the structure's start, middle and last byte: the open fails with
//!    `Truncated` (the file is shorter than its end-of-file address); and again with the
//!    superblock's end-of-file address patched to the new length (checksum recomputed), so
//!    the structure's own bounds check must fire: `OutOfBounds`/`Truncated` at the cut
//!    structure (or one it leads to beyond the cut);
//! 2. **byte flips** (xor 0xff, 0x01, 0x80) of every byte of the structure's header fields:
//!    in checksummed structures a `BadChecksum` within the checksummed block (a signature or
//!    version flip may be reported as such; a flip of a field that sizes the block itself may
//!    give any format error in the block); in unchecksummed ones anything but a panic, except
//!    signatures (`BadSignature`) and version bytes (`BadVersion`); and **broken checksums**;
//! 3. **field values**: sizes and counts set to all-ones, 2^32, 2^63 and 0; addresses set to
//!    the structure itself, into the superblock, beyond the end of file, undefined and near
//!    2^64 -- with the checksum recomputed so the value itself is what the reader sees.
//!
//! Every case must finish without a panic, within [`TIME_LIMIT`], holding less than
//! [`PEAK_LIMIT`] bytes of heap, with the outcome asserted above. Failures are collected and
//! reported together.
//!
//! Environment knobs for investigating a failure: `H5OXIDE_CASE=<substring>` runs only the
//! cases whose description contains it; `H5OXIDE_SHOW=1` prints every case's errors;
//! `H5OXIDE_SILENT_FIELDS=1` lists field patches that gave no error; `H5OXIDE_TRACE_ALLOC=<n>`
//! prints a backtrace for every allocation above n bytes (with `--nocapture`).

#![allow(
    clippy::single_range_in_vec_init,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

mod common;

use common::{put, Ck, Found, Kind, Map, Outcome, Structure};
use h5oxide::FormatErrorKind as K;
use std::collections::BTreeMap;
use std::ops::Range;
use std::time::{Duration, Instant};

/// Most heap a single case may hold (the fixtures are at most a few hundred KiB).
const PEAK_LIMIT: usize = 64 << 20;
/// Longest a single case may take (cases take milliseconds; this catches hangs and blowups
/// without failing on a loaded machine).
const TIME_LIMIT: Duration = Duration::from_secs(5);

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A size or a count: patched to huge values and zero.
    Size,
    /// A file address: patched to itself, the superblock, beyond EOF, undefined.
    Addr,
}

#[derive(Debug, Clone)]
struct Field {
    name: &'static str,
    off: usize,
    width: usize,
    role: Role,
    /// The reader may legitimately not use the field in this file (sibling pointers, free
    /// lists, dense-storage addresses of compact groups, ...) or take any value of it as
    /// data (a contiguous address): no error is required, only no panic.
    lenient: bool,
}

fn field(name: &'static str, off: usize, width: usize, role: Role) -> Field {
    Field {
        name,
        off,
        width,
        role,
        lenient: false,
    }
}

/// A field whose damage need not be detected (see [`Field::lenient`]).
fn unused(name: &'static str, off: usize, width: usize, role: Role) -> Field {
    Field {
        lenient: true,
        ..field(name, off, width, role)
    }
}

/// How to damage one structure type.
#[derive(Debug, Default)]
struct Spec {
    /// Bytes from the start to flip (the header fields).
    flip: usize,
    /// Signature length at the start.
    sig: usize,
    /// Offsets of version bytes.
    versions: Vec<usize>,
    /// Byte ranges decoded before the checksum can be verified because they size the block.
    loose: Vec<Range<usize>>,
    /// Fields patched to extreme values.
    fields: Vec<Field>,
    /// Flip patterns.
    patterns: &'static [u8],
}

const PATTERNS: &[u8] = &[0xff, 0x01, 0x80];

fn le(b: &[u8], pos: usize, n: usize) -> u64 {
    (0..n)
        .rev()
        .fold(0u64, |v, i| (v << 8) | u64::from(b[pos + i]))
}

fn spec(m: &Map, s: &Structure) -> Spec {
    use Role::{Addr, Size};
    let o = usize::from(m.ctx.offset_size);
    let l = usize::from(m.ctx.length_size);
    let b = &m.bytes;
    let p = s.pos;
    let mut sp = Spec {
        patterns: PATTERNS,
        ..Spec::default()
    };
    match s.kind {
        Kind::Superblock(v) if v < 2 => {
            let h = if v == 0 { 24 } else { 28 };
            sp.flip = s.len;
            sp.sig = 8;
            sp.versions = vec![8, 9, 10, 12];
            sp.loose = vec![13..15];
            sp.fields = vec![
                unused("group leaf K", 16, 2, Size),
                unused("group internal K", 18, 2, Size),
                unused("end of file address", h + 2 * o, o, Size),
                field("root object header address", h + 5 * o, o, Addr),
            ];
            if v == 1 {
                sp.fields.push(unused("indexed storage K", 24, 2, Size));
            }
        }
        Kind::Superblock(_) => {
            sp.flip = s.len;
            sp.sig = 8;
            sp.versions = vec![8];
            sp.loose = vec![9..11];
            sp.fields = vec![
                field("superblock extension address", 12 + o, o, Addr),
                unused("end of file address", 12 + 2 * o, o, Size),
                field("root object header address", 12 + 3 * o, o, Addr),
            ];
        }
        Kind::ObjectHeader(2) => {
            let flags = b[p + 5];
            let w = 1usize << (flags & 3);
            let plen = 6
                + if flags & 0x20 != 0 { 16 } else { 0 }
                + if flags & 0x10 != 0 { 4 } else { 0 }
                + w;
            sp.flip = plen;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.loose = vec![5..6, plen - w..plen];
            sp.fields = vec![field("size of chunk 0", plen - w, w, Size)];
        }
        Kind::ObjectHeader(_) => {
            sp.flip = 16;
            sp.versions = vec![0];
            sp.fields = vec![
                unused("number of messages", 2, 2, Size),
                field("object header size", 8, 4, Size),
            ];
        }
        Kind::ContinuationV1 => sp.flip = s.len.min(8),
        Kind::Ochk => {
            sp.flip = 4;
            sp.sig = 4;
        }
        Kind::Message(t, v) => {
            let mh = s.msg_header;
            sp.flip = s.len.min(mh + 64);
            let size_at = if v == 1 { 2 } else { 1 };
            sp.fields = vec![field("message size", size_at, 2, Size)];
            let body = mh;
            let n = s.len - mh;
            let at = |x: usize| body + x;
            let bb = |x: usize| b[p + body + x];
            match t {
                0x10 => {
                    sp.fields
                        .push(field("continuation address", at(0), o, Addr));
                    sp.fields.push(field("continuation length", at(o), l, Size));
                }
                0x11 => {
                    sp.fields
                        .push(field("symbol table B-tree address", at(0), o, Addr));
                    sp.fields
                        .push(field("symbol table heap address", at(o), o, Addr));
                }
                0x02 | 0x15 => {
                    let flags = bb(1);
                    let skip = if flags & 1 != 0 {
                        if t == 0x02 {
                            8
                        } else {
                            2
                        }
                    } else {
                        0
                    };
                    let off = 2 + skip;
                    // Compact storage ignores these (undefined) addresses.
                    let dense = le(b, p + body + off, o) != u64::MAX >> (64 - 8 * o);
                    let f = if dense { field } else { unused };
                    sp.fields.push(f("fractal heap address", at(off), o, Addr));
                    sp.fields
                        .push(f("name index address", at(off + o), o, Addr));
                    if flags & 2 != 0 {
                        // Only creation-ordered iteration reads this index.
                        sp.fields.push(unused(
                            "creation order index address",
                            at(off + 2 * o),
                            o,
                            Addr,
                        ));
                    }
                }
                0x08 => match (bb(0), bb(1)) {
                    (3..=5, 0) => sp.fields.push(field("compact size", at(2), 2, Size)),
                    (3..=5, 1) => {
                        // Any address inside the file is data; a larger size is harmless.
                        sp.fields.push(unused("contiguous address", at(2), o, Addr));
                        sp.fields
                            .push(unused("contiguous size", at(2 + o), l, Size));
                    }
                    (3, 2) => {
                        let ndims = usize::from(bb(2));
                        sp.fields
                            .push(field("chunk B-tree address", at(3), o, Addr));
                        sp.fields
                            .push(field("chunk dimension 0", at(3 + o), 4, Size));
                        sp.fields.push(field(
                            "chunk element size",
                            at(3 + o + 4 * (ndims - 1)),
                            4,
                            Size,
                        ));
                    }
                    (4 | 5, 2) => {
                        // A single-chunk index's address is the chunk's: any value is data.
                        // version, class, flags, dimensionality, dimension size width,
                        // dims, index type, index parameters, address
                        let w = usize::from(bb(4));
                        let single = bb(5 + usize::from(bb(3)) * w) == 1;
                        let f = if single { unused } else { field };
                        sp.fields.push(f("chunk index address", at(n - o), o, Addr));
                        if (1..=8).contains(&w) {
                            sp.fields.push(f("chunk dimension 0", at(5), w, Size));
                        }
                    }
                    (4 | 5, 3) => {
                        sp.fields
                            .push(field("virtual heap address", at(2), o, Addr));
                        sp.fields
                            .push(field("virtual heap index", at(2 + o), 4, Size));
                    }
                    _ => {}
                },
                0x01 => {
                    let dims = if bb(0) == 1 { 8 } else { 4 };
                    if bb(1) > 0 && n >= dims + l {
                        sp.fields.push(field("dimension 0", at(dims), l, Size));
                    }
                }
                0x03 => sp.fields.push(field("datatype size", at(4), 4, Size)),
                0x07 => {
                    // version, reserved (3), allocated slots, used slots, heap address
                    sp.fields
                        .push(field("external allocated slots", at(4), 2, Size));
                    sp.fields.push(field("external used slots", at(6), 2, Size));
                    // The names are read only when external files are enabled.
                    sp.fields
                        .push(unused("external name heap address", at(8), o, Addr));
                }
                0x0c => {
                    sp.fields.push(field("attribute name size", at(2), 2, Size));
                    sp.fields
                        .push(field("attribute datatype size", at(4), 2, Size));
                    sp.fields
                        .push(field("attribute dataspace size", at(6), 2, Size));
                }
                0x0f => {
                    sp.fields.push(field("SOHM table address", at(1), o, Addr));
                    sp.fields
                        .push(field("SOHM index count", at(1 + o), 1, Size));
                }
                0x06 => {
                    let flags = bb(1);
                    let hard = flags & 0x08 == 0 || bb(2) == 0;
                    if hard && n > o {
                        sp.fields
                            .push(field("hard link address", at(n - o), o, Addr));
                    }
                    let w = 1usize << (flags & 3);
                    let name_len_at = 2
                        + usize::from(flags & 0x08 != 0)
                        + if flags & 0x04 != 0 { 8 } else { 0 }
                        + usize::from(flags & 0x10 != 0);
                    sp.fields
                        .push(field("link name length", at(name_len_at), w, Size));
                }
                _ => {}
            }
            sp.fields.retain(|f| f.off + f.width <= s.len);
        }
        Kind::LocalHeap => {
            sp.flip = s.len;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                field("data segment size", 8, l, Size),
                unused("free list head", 8 + l, l, Size),
                unused("data segment address", 8 + 2 * l, o, Addr),
            ];
        }
        Kind::LocalHeapData => {
            sp.flip = s.len.min(16);
        }
        Kind::Snod => {
            sp.flip = s.len.min(8 + 2 * o + 24);
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                field("number of symbols", 6, 2, Size),
                field("entry 0 link name offset", 8, o, Size),
                field("entry 0 object header address", 8 + o, o, Addr),
            ];
        }
        Kind::Tree(t) => {
            let hdr = 8 + 2 * o;
            let n = le(b, p + 6, 2) as usize;
            let key = if t == 0 {
                l
            } else {
                (s.len - hdr - n * o) / (n + 1)
            };
            sp.flip = s.len.min(hdr + key + o);
            sp.sig = 4;
            sp.loose = vec![4..5];
            sp.fields = vec![
                field("node level", 5, 1, Size),
                field("entries used", 6, 2, Size),
                unused("left sibling", 8, o, Addr),
                unused("right sibling", 8 + o, o, Addr),
            ];
            if n > 0 {
                // A level-0 chunk node's children are chunks: any address is data.
                let f = if t == 1 && b[p + 5] == 0 {
                    unused
                } else {
                    field
                };
                sp.fields.push(f("child 0 address", hdr + key, o, Addr));
            }
            if t == 1 {
                sp.fields.push(field("key 0 chunk size", hdr, 4, Size));
            } else {
                // Names come from the symbol table nodes; group keys only guide searches.
                sp.fields.push(unused("key 0 heap offset", hdr, l, Size));
            }
        }
        Kind::Gcol => {
            sp.flip = s.len.min(32);
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                field("collection size", 8, l, Size),
                unused("object 1 index", 16, 2, Size),
                field("object 1 size", 24, l, Size),
            ];
        }
        Kind::Frhp => {
            sp.flip = s.len;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.loose = vec![7..9];
            let after_counts = 14 + 10 * l + 2 * o;
            sp.fields = vec![
                unused("heap ID length", 5, 2, Size),
                unused("maximum managed object size", 10, 4, Size),
                unused("huge object B-tree address", 14 + l, o, Addr),
                field("table width", after_counts, 2, Size),
                field("starting block size", after_counts + 2, l, Size),
                unused("maximum direct block size", after_counts + 2 + l, l, Size),
                field("maximum heap size", after_counts + 2 + 2 * l, 2, Size),
                unused("starting root rows", after_counts + 4 + 2 * l, 2, Size),
                field("root block address", after_counts + 6 + 2 * l, o, Addr),
                field("current root rows", after_counts + 6 + 2 * l + o, 2, Size),
            ];
        }
        Kind::Fhdb | Kind::Fhib => {
            let heap = m.base + le(b, p + 5, o) as usize;
            let bits = le(b, heap + 16 + 12 * l + 2 * o, 2) as usize;
            let w = bits.div_ceil(8);
            let prefix = 5 + o + w;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                field("heap header address", 5, o, Addr),
                field("block offset", 5 + o, w, Size),
            ];
            if s.kind == Kind::Fhdb {
                sp.flip = s.len.min(prefix + 4);
            } else {
                sp.flip = s.len.min(prefix + 16);
                sp.fields.push(field("child 0 address", prefix, o, Addr));
            }
        }
        Kind::Bthd => {
            sp.flip = s.len;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                unused("node size", 6, 4, Size),
                field("record size", 10, 2, Size),
                field("depth", 12, 2, Size),
                field("root node address", 16, o, Addr),
                field("root record count", 16 + o, 2, Size),
                unused("total record count", 18 + o, l, Size),
            ];
        }
        Kind::Btin | Kind::Btlf => {
            sp.flip = s.len.min(6 + 16);
            sp.sig = 4;
            sp.versions = vec![4];
            sp.loose = vec![5..6];
        }
        Kind::Fahd => {
            sp.flip = s.len;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                field("entry size", 6, 1, Size),
                field("page bits", 7, 1, Size),
                field("maximum entries", 8, l, Size),
                field("data block address", 8 + l, o, Addr),
            ];
        }
        Kind::Fadb | Kind::Eaib | Kind::Easb | Kind::Eadb => {
            sp.flip = s.len.min(6 + o + 16);
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![field("header address", 6, o, Addr)];
        }
        Kind::FaPage | Kind::EaPage => sp.flip = s.len.min(16),
        Kind::Eahd => {
            sp.flip = s.len;
            sp.sig = 4;
            sp.versions = vec![4];
            sp.fields = vec![
                field("element size", 6, 1, Size),
                field("maximum elements bits", 7, 1, Size),
                field("index block elements", 8, 1, Size),
                field("data block minimum elements", 9, 1, Size),
                field("secondary block minimum data pointers", 10, 1, Size),
                field("maximum data block page elements bits", 11, 1, Size),
                unused("maximum index set", 12 + 4 * l, l, Size),
                unused("number of elements", 12 + 5 * l, l, Size),
                field("index block address", 12 + 6 * l, o, Addr),
            ];
        }
        Kind::Smtb => {
            sp.flip = s.len;
            sp.sig = 4;
            let per = 14 + 2 * o;
            sp.versions = (4..s.len - 4).step_by(per).collect();
            sp.fields = vec![
                unused("index 0 address", 4 + 14, o, Addr),
                field("index 0 heap address", 4 + 14 + o, o, Addr),
            ];
        }
        Kind::VdsBlock => {
            sp.flip = s.len.min(32);
            sp.versions = vec![0];
            sp.fields = vec![field("number of entries", 1, l, Size)];
        }
        Kind::RawData => {
            sp.flip = s.len.min(2);
            sp.patterns = &[0xff];
        }
    }
    sp
}

/// What a case must give.
#[derive(Debug, Clone)]
enum Expect {
    /// Anything but a panic (and within the time and memory caps).
    NoPanic,
    /// Opening fails with one of these kinds.
    Open(&'static [K]),
    /// Some error of one of these kinds at an address in the range.
    At(&'static [K], Range<u64>),
    /// Some format error at an address in the range, or a limit error.
    AnyIn(Range<u64>),
    /// Some error of any kind.
    AnyErr,
    /// A cut with a patched end-of-file address at HDF5 address `.0`: `OutOfBounds` or
    /// `Truncated` at or beyond the cut, or in a structure that runs past it.
    Cut(u64),
}

struct Case {
    what: String,
    edit: Edit,
    expect: Expect,
}

/// How a case damages the file (applied when the case runs, so that cases stay small).
enum Edit {
    /// Keep the first `n` bytes.
    Cut(usize),
    /// Keep the first `n` bytes and patch the superblock's end-of-file address to match.
    CutEof(usize),
    /// Xor the byte at a position, then optionally recompute a checksum.
    Xor(usize, u8, Option<Ck>),
    /// Write a little-endian value of a width at a position, then recompute a checksum.
    Put(usize, usize, u64, Option<Ck>),
}

fn apply(m: &Map, e: &Edit) -> Vec<u8> {
    match e {
        Edit::Cut(n) => m.bytes[..*n].to_vec(),
        Edit::CutEof(n) => m.cut_with_eof(*n),
        Edit::Xor(at, pat, ck) => {
            let mut b = m.bytes.clone();
            b[*at] ^= pat;
            if let Some(ck) = ck {
                ck.fix(&mut b);
            }
            b
        }
        Edit::Put(at, width, v, ck) => {
            let mut b = m.bytes.clone();
            put(&mut b, *at, *width, *v);
            if let Some(ck) = ck {
                ck.fix(&mut b);
            }
            b
        }
    }
}

fn check(m: &Map, e: &Expect, out: &Outcome) -> bool {
    match e {
        Expect::NoPanic => true,
        Expect::Open(kinds) => out
            .open
            .as_ref()
            .and_then(h5oxide::Error::format_kind)
            .is_some_and(|k| kinds.contains(&k)),
        Expect::At(kinds, r) => out.has_at(kinds, r.clone()),
        Expect::AnyIn(r) => out.any(|f| match f {
            Found::Limit { .. } => true,
            f => f.addr().is_some_and(|a| r.contains(&a)),
        }),
        Expect::AnyErr => out.any(|f| {
            matches!(
                f,
                Found::Format { .. } | Found::Limit { .. } | Found::Unsupported { .. }
            )
        }),
        Expect::Cut(cut) => out.any(|f| match f {
            Found::Format {
                kind: K::OutOfBounds | K::Truncated,
                addr,
                ..
            } => {
                *addr >= *cut
                    || m.structures.iter().any(|s| {
                        let r = m.rel(s.pos)..m.rel(s.end());
                        r.contains(addr) && r.end > *cut
                    })
            }
            _ => false,
        }),
    }
}

/// Addresses a structure's errors may be reported at: its checksummed block (or itself);
/// the superblock reports absolute positions.
fn range_of(m: &Map, s: &Structure) -> Range<u64> {
    let (a, e) = match &s.ck {
        Some(ck) => (ck.range.start, ck.range.end),
        None => (s.pos, s.end()),
    };
    if matches!(s.kind, Kind::Superblock(_)) {
        // Absolute positions; a superblock that is not found is reported at 0.
        0..e as u64
    } else {
        m.rel(a)..m.rel(e)
    }
}

fn cases(m: &Map, s: &Structure) -> Vec<Case> {
    let sp = spec(m, s);
    let name = format!("{} at {:#x}", s.kind.name(), s.pos);
    let mut v = Vec::new();
    let range = range_of(m, s);
    let sb_end = m.superblock().end();

    // 1. Truncation.
    let mut cuts = vec![s.pos, s.pos + s.len / 2, s.end() - 1];
    cuts.dedup();
    for cut in cuts {
        if cut == 0 {
            continue;
        }
        let expect = if cut < m.base + 8 {
            Expect::Open(&[K::BadSignature])
        } else {
            Expect::Open(&[K::Truncated])
        };
        v.push(Case {
            what: format!("{name}: cut at {cut:#x}"),
            edit: Edit::Cut(cut),
            expect,
        });
        if cut >= sb_end {
            v.push(Case {
                what: format!("{name}: cut at {cut:#x}, EOF patched"),
                edit: Edit::CutEof(cut),
                expect: Expect::Cut(m.rel(cut)),
            });
        }
    }

    // 2. Byte flips.
    for i in 0..sp.flip {
        for &pat in sp.patterns {
            let in_sig = i < sp.sig;
            let in_version = sp.versions.contains(&i);
            let loose = sp.loose.iter().any(|r| r.contains(&i));
            let expect = if s.ck.is_some() {
                if in_sig {
                    Expect::At(
                        &[K::BadChecksum, K::BadSignature, K::BadVersion],
                        range.clone(),
                    )
                } else if in_version {
                    Expect::At(&[K::BadChecksum, K::BadVersion], range.clone())
                } else if loose {
                    // The block's length changes: its checksum is then looked for elsewhere.
                    Expect::AnyIn(range.start..u64::MAX)
                } else {
                    Expect::At(&[K::BadChecksum], range.clone())
                }
            } else if in_sig {
                Expect::At(&[K::BadSignature], range.clone())
            } else if in_version {
                if matches!(s.kind, Kind::Superblock(_)) && m.bytes[s.pos + i] ^ pat <= 3 {
                    // Another known superblock version: the fields move.
                    Expect::AnyErr
                } else {
                    Expect::At(&[K::BadVersion], range.clone())
                }
            } else {
                Expect::NoPanic
            };
            v.push(Case {
                what: format!("{name}: byte {i} ^ {pat:#04x}"),
                edit: Edit::Xor(s.pos + i, pat, None),
                expect,
            });
        }
    }
    // Byte flips behind a recomputed checksum: the decoders see the damaged values.
    if let Some(ck) = &s.ck {
        for i in sp.sig..sp.flip {
            if (ck.field..ck.field + 4).contains(&(s.pos + i)) {
                continue;
            }
            for pat in [0xffu8, 0x01] {
                v.push(Case {
                    what: format!("{name}: byte {i} ^ {pat:#04x}, checksum fixed"),
                    edit: Edit::Xor(s.pos + i, pat, Some(ck.clone())),
                    expect: Expect::NoPanic,
                });
            }
        }
    }
    // Pointers: values inside the structure that equal the address of another metadata
    // structure of the map (child nodes, blocks, heaps), pointed at the structure itself (a
    // cycle), into the superblock and beyond the end of file. When the value occurs nowhere
    // else in the metadata, it is the only way to that structure, so the walk follows it and
    // must fail; otherwise (sibling pointers, cached scratch-pad addresses, sizes that happen
    // to equal an address) only the absence of panics is required.
    let o = usize::from(m.ctx.offset_size);
    let targets: std::collections::BTreeSet<u64> = m
        .structures
        .iter()
        .filter(|t| {
            !matches!(
                t.kind,
                Kind::RawData | Kind::Message(..) | Kind::LocalHeapData | Kind::Superblock(_)
            ) && t.pos != s.pos
        })
        .map(|t| m.rel(t.pos))
        .collect();
    let skip = match s.kind {
        // Sibling pointers are not followed by a traversal from the root.
        Kind::Tree(_) => 8..8 + 2 * o,
        _ => 0..0,
    };
    let mut found = 0;
    for i in (0..s.len.saturating_sub(o - 1)).filter(|i| !skip.contains(i)) {
        if found == 4 {
            break;
        }
        let at = s.pos + i;
        if s.ck
            .as_ref()
            .is_some_and(|ck| at + o > ck.field && at < ck.field + 4)
        {
            continue;
        }
        if !targets.contains(&le(&m.bytes, at, o)) {
            continue;
        }
        found += 1;
        let unique = pointer_sites(m, le(&m.bytes, at, o)) == 1;
        // A child pointer of a tree or array node redirected to the node itself revisits it.
        let target = m
            .structures
            .iter()
            .find(|t| m.rel(t.pos) == le(&m.bytes, at, o) && !matches!(t.kind, Kind::Message(..)))
            .map(|t| t.kind);
        let cycle = matches!(
            (s.kind, target),
            (Kind::Btin, Some(Kind::Btin | Kind::Btlf))
                | (Kind::Tree(_), Some(Kind::Tree(_)))
                | (Kind::Eaib, Some(Kind::Eadb | Kind::Easb))
                | (Kind::Easb, Some(Kind::Eadb))
                | (Kind::Fhib, Some(Kind::Fhib))
        );
        for (label, val) in [
            ("itself", m.rel(s.pos)),
            ("superblock", 0),
            ("beyond EOF", m.bytes.len() as u64 + 4096),
        ] {
            v.push(Case {
                what: format!("{name}: pointer at byte {i} = {label}"),
                edit: Edit::Put(at, o, val, s.ck.clone()),
                expect: if unique && cycle && label == "itself" {
                    Expect::At(&[K::Cycle], m.rel(s.pos)..m.rel(s.pos) + 1)
                } else if unique {
                    Expect::AnyErr
                } else {
                    Expect::NoPanic
                },
            });
        }
    }

    // A continuation back to the block holding it (the header's first block or an earlier
    // continuation block): `Cycle` at that block.
    if let Kind::Message(0x10, _) = s.kind {
        let block = m
            .structures
            .iter()
            .find(|b| {
                matches!(
                    b.kind,
                    Kind::ObjectHeader(_) | Kind::ContinuationV1 | Kind::Ochk
                ) && b.pos <= s.pos
                    && s.pos < b.end()
            })
            .unwrap();
        let at = m.rel(block.pos);
        v.push(Case {
            what: format!("{name}: continuation back to its own block"),
            edit: Edit::Put(s.pos + s.msg_header, o, at, s.ck.clone()),
            expect: Expect::At(&[K::Cycle], at..at + 1),
        });
    }

    // Broken checksum (the stored value itself).
    if let Some(ck) = &s.ck {
        if (s.pos..s.end()).contains(&ck.field) {
            v.push(Case {
                what: format!("{name}: checksum ^ 0x01"),
                edit: Edit::Xor(ck.field, 0x01, None),
                expect: Expect::At(&[K::BadChecksum], range.clone()),
            });
        }
    }

    // 3. Extreme field values.
    let eof = m.bytes.len() as u64;
    for f in &sp.fields {
        let ones = if f.width == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * f.width)) - 1
        };
        let vals: Vec<(&str, u64)> = match f.role {
            Role::Size => {
                let mut x = vec![("all ones", ones), ("zero", 0)];
                if f.width > 4 {
                    x.push(("2^32", 1 << 32));
                }
                if f.width == 8 {
                    x.push(("2^63", 1 << 63));
                }
                x
            }
            Role::Addr => vec![
                ("itself", m.rel(s.pos)),
                ("superblock", 0),
                ("beyond EOF", eof + 4096),
                ("undefined", ones),
                ("near 2^64", ones - 7),
            ],
        };
        for (label, val) in vals {
            if le(&m.bytes, s.pos + f.off, f.width) == val {
                continue;
            }
            // "Undefined" often means "absent" and zero "empty": both may be valid.
            let may_pass = f.lenient || label == "undefined" || label == "zero";
            v.push(Case {
                what: format!("{name}: {} = {label}", f.name),
                edit: Edit::Put(s.pos + f.off, f.width, val, s.ck.clone()),
                expect: if may_pass {
                    Expect::NoPanic
                } else {
                    Expect::AnyErr
                },
            });
        }
    }
    v
}

/// Number of positions inside metadata structures where the `offset_size`-byte value `v`
/// is stored.
fn pointer_sites(m: &Map, v: u64) -> usize {
    let o = usize::from(m.ctx.offset_size);
    let mut sites = std::collections::BTreeSet::new();
    for s in &m.structures {
        if matches!(s.kind, Kind::RawData | Kind::LocalHeapData) {
            continue;
        }
        for at in s.pos..s.end().saturating_sub(o - 1) {
            if le(&m.bytes, at, o) == v {
                sites.insert(at);
            }
        }
    }
    sites.len()
}

/// Up to `n` instances of each kind (first, last, middle, ...): messages once per type.
fn pick<'a>(m: &'a Map, kinds: &dyn Fn(Kind) -> bool, n: usize) -> Vec<&'a Structure> {
    let mut by: BTreeMap<Kind, Vec<&Structure>> = BTreeMap::new();
    for s in &m.structures {
        if kinds(s.kind) {
            by.entry(s.kind).or_default().push(s);
        }
    }
    let mut out = Vec::new();
    for (k, v) in by {
        let want = match k {
            Kind::Message(..) | Kind::RawData => 1,
            _ => n,
        };
        let mut idx = vec![0, v.len() - 1, v.len() / 2];
        idx.dedup();
        idx.sort_unstable();
        idx.dedup();
        out.extend(idx.into_iter().take(want).map(|i| v[i]));
    }
    out
}

#[derive(Default)]
struct Stats {
    cases: usize,
    by_kind: BTreeMap<String, usize>,
    failures: Vec<String>,
    silent_fields: Vec<String>,
}

fn run_case(m: &Map, c: Case, st: &mut Stats) {
    st.cases += 1;
    let t = Instant::now();
    let bytes = apply(m, &c.edit);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| common::run(bytes)));
    let out = match r {
        Ok(o) => o,
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            st.failures
                .push(format!("{}: {}: PANIC {msg}", m.name, c.what));
            return;
        }
    };
    let el = t.elapsed();
    if el > TIME_LIMIT {
        st.failures
            .push(format!("{}: {}: SLOW {el:?}", m.name, c.what));
    }
    if out.peak > PEAK_LIMIT {
        st.failures.push(format!(
            "{}: {}: MEMORY peak {} MiB",
            m.name,
            c.what,
            out.peak >> 20
        ));
    }
    if std::env::var_os("H5OXIDE_SHOW").is_some() {
        println!("  {}: {}: [{}]", m.name, c.what, out.summary());
    }
    if !check(m, &c.expect, &out) {
        st.failures.push(format!(
            "{}: {}: expected {:?}, got [{}]",
            m.name,
            c.what,
            c.expect,
            out.summary()
        ));
    }
    if matches!(c.expect, Expect::NoPanic) && c.what.contains(" = ") && out.errors.is_empty() {
        st.silent_fields.push(format!("{}: {}", m.name, c.what));
    }
}

fn suite(p: &Plan) {
    let name = p.name;
    common::trace_from_env();
    let t = Instant::now();
    let m = Map::new(name);
    let pristine = common::run(m.bytes.clone());
    assert!(
        pristine.open.is_none(),
        "{name} does not open: {:?}",
        pristine.open
    );
    let mut st = Stats::default();
    for s in pick(&m, &p.kinds, p.per_kind) {
        let cs = cases(&m, s);
        *st.by_kind.entry(s.kind.name()).or_default() += cs.len();
        let only = std::env::var("H5OXIDE_CASE").ok();
        for c in cs {
            if only.as_ref().is_some_and(|o| !c.what.contains(o.as_str())) {
                continue;
            }
            run_case(&m, c, &mut st);
        }
    }
    println!(
        "{name}: {} cases in {:.1}s ({} kinds)",
        st.cases,
        t.elapsed().as_secs_f64(),
        st.by_kind.len()
    );
    for (k, n) in &st.by_kind {
        println!("  {k}: {n}");
    }
    if std::env::var_os("H5OXIDE_SILENT_FIELDS").is_some() {
        for s in &st.silent_fields {
            println!("  no error: {s}");
        }
    }
    if !st.failures.is_empty() {
        let n = st.failures.len();
        st.failures.truncate(60);
        panic!(
            "{name}: {n} of {} cases failed:\n{}",
            st.cases,
            st.failures.join("\n")
        );
    }
}

/// Which structures of which fixture the suite damages: together the fixtures hold every
/// structure type the reader parses; each takes the types it is the smallest carrier of.
struct Plan {
    name: &'static str,
    kinds: fn(Kind) -> bool,
    /// Instances per structure type (messages and raw data: one per type).
    per_kind: usize,
}

const PLANS: &[Plan] = &[
    // v0 superblock, v1 headers and continuation blocks, symbol tables (TREE, SNOD, HEAP),
    // plus a v2 header and a dense group among them (UTF-8 names).
    Plan {
        name: "groups_earliest.h5",
        kinds: |_| true,
        per_kind: 2,
    },
    // v3 superblock, OHDR/OCHK, link messages, dense links: FRHP, FHDB, FHIB, BTHD/BTIN/BTLF.
    Plan {
        name: "groups_latest.h5",
        kinds: |_| true,
        per_kind: 2,
    },
    // Dense attributes (v2 B-tree type 8), many continuation blocks, attribute messages.
    Plan {
        name: "attrs_latest.h5",
        kinds: |k| {
            matches!(
                k,
                Kind::Ochk
                    | Kind::Frhp
                    | Kind::Fhdb
                    | Kind::Fhib
                    | Kind::Bthd
                    | Kind::Btin
                    | Kind::Btlf
                    | Kind::Gcol
                    | Kind::Message(0x0c | 0x15 | 0x10, _)
            )
        },
        per_kind: 2,
    },
    // Chunk indexes: fixed array (paged), extensible array, v2 B-tree (types 10, 11).
    Plan {
        name: "chunkidx_latest.h5",
        kinds: |k| {
            matches!(
                k,
                Kind::Fahd
                    | Kind::Fadb
                    | Kind::FaPage
                    | Kind::Eahd
                    | Kind::Eaib
                    | Kind::Easb
                    | Kind::Eadb
                    | Kind::Bthd
                    | Kind::Btin
                    | Kind::Btlf
                    | Kind::Message(0x08 | 0x0b, _)
                    | Kind::RawData
            )
        },
        per_kind: 2,
    },
    // v1 B-trees of chunks.
    Plan {
        name: "chunkidx_earliest.h5",
        kinds: |k| {
            matches!(
                k,
                Kind::Tree(1) | Kind::Message(0x04 | 0x08 | 0x0b, _) | Kind::RawData
            )
        },
        per_kind: 2,
    },
    // Shared messages: the SOHM table and the superblock extension.
    Plan {
        name: "sohm_btree_latest.h5",
        kinds: |_| true,
        per_kind: 1,
    },
    // Version 2 superblock, SOHM list index.
    Plan {
        name: "sohm_list_v108.h5",
        kinds: |k| matches!(k, Kind::Superblock(_) | Kind::Smtb | Kind::Message(0x0f, _)),
        per_kind: 2,
    },
    // External raw data files: the message and the local heap of their names.
    Plan {
        name: "external_earliest.h5",
        kinds: |k| {
            matches!(
                k,
                Kind::Message(0x07, _) | Kind::LocalHeap | Kind::LocalHeapData
            )
        },
        per_kind: 2,
    },
    Plan {
        name: "external_latest.h5",
        kinds: |k| matches!(k, Kind::Message(0x07, _)),
        per_kind: 1,
    },
    // Virtual dataset mapping blocks in the global heap.
    Plan {
        name: "vds_latest.h5",
        kinds: |k| matches!(k, Kind::VdsBlock | Kind::Gcol | Kind::Message(0x08, _)),
        per_kind: 3,
    },
    // Filtered chunks (fletcher32, deflate, ...) in fixed arrays.
    Plan {
        name: "filters_latest.h5",
        kinds: |k| {
            matches!(
                k,
                Kind::Fadb | Kind::Message(0x0b | 0x08, _) | Kind::RawData
            )
        },
        per_kind: 2,
    },
    // 4-byte offsets and lengths.
    Plan {
        name: "offsets4_earliest.h5",
        kinds: |_| true,
        per_kind: 1,
    },
    Plan {
        name: "offsets4_latest.h5",
        kinds: |_| true,
        per_kind: 1,
    },
    // A user block: addresses relative to a base of 512.
    Plan {
        name: "userblock512_latest.h5",
        kinds: |_| true,
        per_kind: 1,
    },
    // Version 1 superblock (testdata/corrupt/gen.py).
    Plan {
        name: "sb1_earliest.h5",
        kinds: |_| true,
        per_kind: 1,
    },
    // Extensible array secondary blocks and paged data blocks (testdata/corrupt/gen.py).
    Plan {
        name: "eapages_latest.h5",
        kinds: |k| matches!(k, Kind::EaPage | Kind::Easb),
        per_kind: 1,
    },
];

fn plan(name: &str) -> &'static Plan {
    PLANS.iter().find(|p| p.name == name).unwrap()
}

/// Every structure type the reader parses is damaged by some plan.
#[test]
fn every_structure_type_is_covered() {
    let mut covered = std::collections::BTreeSet::new();
    let mut messages = std::collections::BTreeSet::new();
    for p in PLANS {
        let m = Map::new(p.name);
        for s in pick(&m, &p.kinds, p.per_kind) {
            match s.kind {
                Kind::Message(t, v) => {
                    messages.insert((t, v));
                    covered.insert(Kind::Message(0, 0));
                }
                k => {
                    covered.insert(k);
                }
            }
        }
    }
    let want = [
        Kind::Superblock(0),
        Kind::Superblock(1),
        Kind::Superblock(2),
        Kind::Superblock(3),
        Kind::ObjectHeader(1),
        Kind::ObjectHeader(2),
        Kind::ContinuationV1,
        Kind::Ochk,
        Kind::Message(0, 0),
        Kind::LocalHeap,
        Kind::LocalHeapData,
        Kind::Snod,
        Kind::Tree(0),
        Kind::Tree(1),
        Kind::Gcol,
        Kind::Frhp,
        Kind::Fhdb,
        Kind::Fhib,
        Kind::Bthd,
        Kind::Btin,
        Kind::Btlf,
        Kind::Fahd,
        Kind::Fadb,
        Kind::FaPage,
        Kind::Eahd,
        Kind::Eaib,
        Kind::Easb,
        Kind::Eadb,
        Kind::EaPage,
        Kind::Smtb,
        Kind::VdsBlock,
        Kind::RawData,
    ];
    let missing: Vec<_> = want.iter().filter(|k| !covered.contains(k)).collect();
    assert!(missing.is_empty(), "not covered: {missing:?}");
    // Header messages of both header versions: dataspace, link info, datatype, fill value,
    // link, layout, group info, filter pipeline, attribute, SOHM table, continuation,
    // symbol table, attribute info, reference count (and NIL).
    // Every message type the reader decodes, in the header versions the fixtures use it in:
    // NIL, dataspace, link info, datatype, old and new fill value, link, external files,
    // layout, group info, filter pipeline, attribute, SOHM table, continuation, symbol table,
    // attribute info, reference count.
    for t in [
        0x00u16, 0x01, 0x02, 0x03, 0x05, 0x06, 0x08, 0x0a, 0x0b, 0x0c, 0x10,
    ] {
        for v in [1u8, 2] {
            assert!(messages.contains(&(t, v)), "message {t:#x} in v{v} headers");
        }
    }
    for (t, v) in [
        (0x04, 1),
        (0x07, 1),
        (0x07, 2),
        (0x0f, 2),
        (0x11, 1),
        (0x15, 2),
        (0x16, 2),
    ] {
        assert!(messages.contains(&(t, v)), "message {t:#x} in v{v} headers");
    }
    println!("message types (type, header version): {messages:?}");
}

#[test]
fn groups_earliest() {
    suite(plan("groups_earliest.h5"));
}

#[test]
fn groups_latest() {
    suite(plan("groups_latest.h5"));
}

#[test]
fn attrs_latest() {
    suite(plan("attrs_latest.h5"));
}

#[test]
fn chunkidx_latest() {
    suite(plan("chunkidx_latest.h5"));
}

#[test]
fn chunkidx_earliest() {
    suite(plan("chunkidx_earliest.h5"));
}

#[test]
fn sohm_btree_latest() {
    suite(plan("sohm_btree_latest.h5"));
}

#[test]
fn sohm_list_v108() {
    suite(plan("sohm_list_v108.h5"));
}

#[test]
fn vds_latest() {
    suite(plan("vds_latest.h5"));
}

#[test]
fn filters_latest() {
    suite(plan("filters_latest.h5"));
}

#[test]
fn offsets4_earliest() {
    suite(plan("offsets4_earliest.h5"));
}

#[test]
fn offsets4_latest() {
    suite(plan("offsets4_latest.h5"));
}

#[test]
fn userblock512_latest() {
    suite(plan("userblock512_latest.h5"));
}

#[test]
fn sb1_earliest() {
    suite(plan("sb1_earliest.h5"));
}

#[test]
fn external_earliest() {
    suite(plan("external_earliest.h5"));
}

#[test]
fn external_latest() {
    suite(plan("external_latest.h5"));
}

#[test]
fn eapages_latest() {
    suite(plan("eapages_latest.h5"));
}
