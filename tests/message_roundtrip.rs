//! Byte identity of the header message encoders against libhdf5: every object header message
//! of the encodable types in every fixture (written by h5py/libhdf5 at several `libver`
//! settings) is decoded, re-encoded with the version it was read with, and compared with the
//! stored body. Dense links and attributes (fractal heap objects) and the datatypes and
//! dataspaces embedded in attribute messages are checked the same way.
//!
//! Documented exceptions (see `spec-notes/messages.md`, "Encoding"):
//! - trailing zero bytes after the encoding (fewer than 8): the 8-byte alignment of messages in
//!   version 1 object headers (the message size counts the padding).

#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::format::btree::v2::Record;
use h5oxide::format::message::attribute::AttributeMessage;
use h5oxide::format::message::dataspace::Dataspace;
use h5oxide::format::message::datatype::{Class, Datatype};
use h5oxide::format::message::external_files::ExternalFiles;
use h5oxide::format::message::fill_value::FillValueMessage;
use h5oxide::format::message::filter_pipeline;
use h5oxide::format::message::group_info::GroupInfo;
use h5oxide::format::message::layout::LayoutMessage;
use h5oxide::format::message::link::Link;
use h5oxide::format::message::link_info::LinkInfo;
use h5oxide::format::message::misc::{
    AttributeInfo, BTreeK, ModificationTime, SharedMessageTable, SharedRef, SymbolTableMessage,
};
use h5oxide::format::message::MessageType;
use h5oxide::format::object_header::{Continuation, Message};
use h5oxide::format::{Addr, Ctx, Cursor, Encoder};
use h5oxide::hl::{LinkKind, Object};
use h5oxide::read::btree_v2::BTreeV2;
use h5oxide::read::fractal_heap::FractalHeap;
use h5oxide::read::object::ObjectHeader;
use h5oxide::File;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fixtures");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "h5"))
        .collect();
    v.sort();
    v
}

/// Every object header address reachable by hard links from the root, plus the superblock
/// extension.
fn objects(f: &File) -> Vec<Addr> {
    let root = f.root().unwrap();
    let mut seen = BTreeSet::new();
    seen.insert(root.addr());
    let mut out = vec![root.addr()];
    let mut stack = vec![root];
    while let Some(g) = stack.pop() {
        for l in g.links().unwrap() {
            if let LinkKind::Hard(a) = l.kind {
                if seen.insert(a) {
                    out.push(a);
                    if let Ok(Object::Group(cg)) = f.object_at(a) {
                        stack.push(cg);
                    }
                }
            }
        }
    }
    if let Some(ext) = f.superblock().extension {
        out.push(ext);
    }
    out
}

#[derive(Default)]
struct Tally {
    /// Checked messages by kind name.
    checked: BTreeMap<String, usize>,
    /// Matches only up to trailing zero padding (version 1 headers), by kind name.
    padded: BTreeMap<String, usize>,
    /// Mismatches: a description each.
    failures: Vec<String>,
    /// The message being checked sits in a version 1 object header (padded to 8 bytes).
    in_v1_header: bool,
    /// Datatype (class, version) pairs seen, nested types included.
    classes: BTreeSet<(u8, u8)>,
    /// Types whose versions differ from what `assign_versions` gives for the file's profile.
    profile_mismatches: Vec<String>,
}

impl Tally {
    /// Compare `encoded` with the `stored` body.
    fn compare(&mut self, what: &str, at: String, encoded: &[u8], stored: &[u8]) {
        *self.checked.entry(what.to_string()).or_default() += 1;
        if encoded == stored {
            return;
        }
        if self.in_v1_header
            && stored.len() > encoded.len()
            && stored.len() - encoded.len() < 8
            && stored.starts_with(encoded)
            && stored[encoded.len()..].iter().all(|&b| b == 0)
        {
            *self.padded.entry(what.to_string()).or_default() += 1;
            return;
        }
        self.failures.push(format!(
            "{what} at {at}:\n  stored  {}\n  encoded {}",
            hex(stored),
            hex(encoded)
        ));
    }

    fn fail(&mut self, what: &str, at: String, err: impl std::fmt::Debug) {
        self.failures.push(format!("{what} at {at}: {err:?}"));
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn enc(ctx: Ctx, f: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut e = Encoder::new(ctx);
    f(&mut e);
    e.finish()
}

fn try_enc(
    ctx: Ctx,
    f: impl FnOnce(&mut Encoder) -> h5oxide::Result<()>,
) -> h5oxide::Result<Vec<u8>> {
    let mut e = Encoder::new(ctx);
    f(&mut e)?;
    Ok(e.finish())
}

/// Re-encode a datatype and compare.
fn check_datatype(t: &mut Tally, ctx: Ctx, at: String, stored: &[u8]) {
    match Datatype::decode(&mut Cursor::new(stored, 0, "datatype")) {
        Ok(dt) => match try_enc(ctx, |e| {
            record_classes(t, &dt, &at);
            dt.encode(e)
        }) {
            Ok(b) => t.compare("datatype", at, &b, stored),
            Err(e) => t.fail("datatype (encode)", at, e),
        },
        Err(e) => t.fail("datatype (decode)", at, e),
    }
}

fn record_classes(t: &mut Tally, dt: &Datatype, at: &str) {
    fn walk(t: &mut Tally, dt: &Datatype) {
        t.classes.insert((dt.class_id().0, dt.version));
        match &dt.class {
            Class::Compound { members } => members.iter().for_each(|m| walk(t, &m.dtype)),
            Class::Enum { base, .. }
            | Class::VarLen { base, .. }
            | Class::Array { base, .. }
            | Class::Complex { base } => walk(t, base),
            _ => {}
        }
    }
    walk(t, dt);
    // The versions libhdf5 2.0 picks per `libver` (file name suffix).
    let container = if at.contains("_earliest") {
        Some(1)
    } else if at.contains("_v108") || at.contains("_v110") {
        Some(3)
    } else if at.contains("_v114") {
        Some(4)
    } else if at.contains("_latest") {
        Some(5)
    } else {
        None
    };
    if let Some(c) = container {
        let mut p = dt.clone();
        p.assign_versions(c);
        if &p != dt {
            t.profile_mismatches.push(format!("{at}: {dt:?}"));
        }
    }
}

fn check_dataspace(t: &mut Tally, ctx: Ctx, at: String, stored: &[u8]) {
    let version = stored.first().copied().unwrap_or(0);
    match Dataspace::decode(&mut Cursor::new(stored, 0, "dataspace"), ctx) {
        Ok(ds) => match try_enc(ctx, |e| ds.encode(e, version)) {
            Ok(b) => t.compare("dataspace", at, &b, stored),
            Err(e) => t.fail("dataspace (encode)", at, e),
        },
        Err(e) => t.fail("dataspace (decode)", at, e),
    }
}

fn check_attribute(t: &mut Tally, ctx: Ctx, at: String, stored: &[u8]) {
    let a = match AttributeMessage::decode(&mut Cursor::new(stored, 0, "attribute")) {
        Ok(a) => a,
        Err(e) => return t.fail("attribute (decode)", at, e),
    };
    match try_enc(ctx, |e| a.encode(e)) {
        Ok(b) => t.compare("attribute", at.clone(), &b, stored),
        Err(e) => t.fail("attribute (encode)", at.clone(), e),
    }
    if a.datatype.shared {
        check_shared(
            t,
            ctx,
            format!("{at} (attribute datatype)"),
            &a.datatype.data,
        );
    } else {
        check_datatype(
            t,
            ctx,
            format!("{at} (attribute datatype)"),
            &a.datatype.data,
        );
    }
    if a.dataspace.shared {
        check_shared(
            t,
            ctx,
            format!("{at} (attribute dataspace)"),
            &a.dataspace.data,
        );
    } else {
        check_dataspace(
            t,
            ctx,
            format!("{at} (attribute dataspace)"),
            &a.dataspace.data,
        );
    }
}

fn check_link(t: &mut Tally, ctx: Ctx, at: String, stored: &[u8]) {
    match Link::decode(&mut Cursor::new(stored, 0, "link"), ctx) {
        Ok(l) => match try_enc(ctx, |e| l.encode(e)) {
            Ok(b) => t.compare("link", at, &b, stored),
            Err(e) => t.fail("link (encode)", at, e),
        },
        Err(e) => t.fail("link (decode)", at, e),
    }
}

fn check_shared(t: &mut Tally, ctx: Ctx, at: String, stored: &[u8]) {
    let version = stored.first().copied().unwrap_or(0);
    match SharedRef::decode(&mut Cursor::new(stored, 0, "shared"), ctx) {
        Ok(r) => match try_enc(ctx, |e| r.encode(e, version)) {
            Ok(b) => t.compare(&format!("shared message v{version}"), at, &b, stored),
            Err(e) => t.fail("shared message (encode)", at, e),
        },
        Err(e) => t.fail("shared message (decode)", at, e),
    }
}

fn check_message(t: &mut Tally, ctx: Ctx, m: &Message, at: String) {
    let body = &m.data[..];
    let cur = || Cursor::new(body, m.addr, "message");
    if m.is_shared() {
        return check_shared(t, ctx, at, body);
    }
    match m.kind {
        MessageType::DATASPACE => check_dataspace(t, ctx, at, body),
        MessageType::DATATYPE => check_datatype(t, ctx, at, body),
        MessageType::ATTRIBUTE => check_attribute(t, ctx, at, body),
        MessageType::LINK => check_link(t, ctx, at, body),
        MessageType::LINK_INFO => match LinkInfo::decode(&mut cur(), ctx) {
            Ok(v) => t.compare("link info", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("link info", at, e),
        },
        MessageType::GROUP_INFO => match GroupInfo::decode(&mut cur()) {
            Ok(v) => t.compare("group info", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("group info", at, e),
        },
        MessageType::ATTRIBUTE_INFO => match AttributeInfo::decode(&mut cur(), ctx) {
            Ok(v) => t.compare("attribute info", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("attribute info", at, e),
        },
        MessageType::SYMBOL_TABLE => match SymbolTableMessage::decode(&mut cur(), ctx) {
            Ok(v) => t.compare("symbol table", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("symbol table", at, e),
        },
        MessageType::MODIFICATION_TIME => match ModificationTime::decode(&mut cur()) {
            Ok(v) => t.compare("modification time", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("modification time", at, e),
        },
        MessageType::BTREE_K => match BTreeK::decode(&mut cur()) {
            Ok(v) => t.compare("B-tree K", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("B-tree K", at, e),
        },
        MessageType::SHARED_MESSAGE_TABLE => match SharedMessageTable::decode(&mut cur(), ctx) {
            Ok(v) => t.compare("shared message table", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("shared message table", at, e),
        },
        MessageType::CONTINUATION => match Continuation::decode(m, ctx) {
            Ok(v) => t.compare("continuation", at, &enc(ctx, |e| v.encode(e)), body),
            Err(e) => t.fail("continuation", at, e),
        },
        MessageType::EXTERNAL_FILES => match ExternalFiles::decode(&mut cur(), ctx) {
            Ok(v) => match try_enc(ctx, |e| v.encode(e)) {
                Ok(b) => t.compare("external files", at, &b, body),
                Err(e) => t.fail("external files (encode)", at, e),
            },
            Err(e) => t.fail("external files", at, e),
        },
        MessageType::FILL_VALUE | MessageType::FILL_VALUE_OLD => {
            let name = if m.kind == MessageType::FILL_VALUE {
                "fill value"
            } else {
                "fill value (old)"
            };
            let r = if m.kind == MessageType::FILL_VALUE {
                FillValueMessage::decode(&mut cur())
            } else {
                FillValueMessage::decode_old(&mut cur())
            };
            match r {
                Ok(v) => match try_enc(ctx, |e| v.encode(e)) {
                    Ok(b) => t.compare(name, at, &b, body),
                    Err(e) => t.fail(name, at, e),
                },
                Err(e) => t.fail(name, at, e),
            }
        }
        MessageType::LAYOUT => match LayoutMessage::decode(&mut cur(), ctx) {
            Ok(v) => match try_enc(ctx, |e| v.encode(e)) {
                Ok(b) => t.compare(&format!("layout v{}", v.version), at, &b, body),
                Err(e) => t.fail("layout (encode)", at, e),
            },
            Err(e) => t.fail("layout", at, e),
        },
        MessageType::FILTER_PIPELINE => {
            let version = body.first().copied().unwrap_or(0);
            match filter_pipeline::decode(&mut cur()) {
                Ok(v) => match try_enc(ctx, |e| filter_pipeline::encode(e, &v, version)) {
                    Ok(b) => t.compare("filter pipeline", at, &b, body),
                    Err(e) => t.fail("filter pipeline (encode)", at, e),
                },
                Err(e) => t.fail("filter pipeline", at, e),
            }
        }
        _ => {}
    }
}

/// Messages stored as fractal heap objects: dense links (type 5 B-tree records) and dense
/// attributes (type 8).
fn check_dense(t: &mut Tally, f: &File, oh: &ObjectHeader, name: &str) {
    let r = f.reader();
    let ctx = r.ctx;
    let mut dense = Vec::new();
    if let Some(m) = oh.find(MessageType::LINK_INFO) {
        let li = LinkInfo::decode(&mut m.cursor(""), ctx).unwrap();
        if let (Some(h), Some(i)) = (li.fractal_heap, li.name_index) {
            dense.push((h, i));
        }
    }
    if let Some(m) = oh.find(MessageType::ATTRIBUTE_INFO) {
        let ai = AttributeInfo::decode(&mut m.cursor(""), ctx).unwrap();
        if let (Some(h), Some(i)) = (ai.fractal_heap, ai.name_index) {
            dense.push((h, i));
        }
    }
    for (h, i) in dense {
        let heap = FractalHeap::open(r, h).unwrap();
        let tree = BTreeV2::open(r, i).unwrap();
        for rec in tree.records(r) {
            let at = format!("{name}: dense object of heap {h} (header {})", oh.addr);
            match rec.unwrap() {
                Record::LinkName { heap_id, .. } => {
                    let b = heap.get(r, &heap_id).unwrap();
                    check_link(t, ctx, at, &b);
                }
                Record::AttributeName { heap_id, flags, .. } => {
                    let b = heap.get(r, &heap_id).unwrap();
                    if flags & h5oxide::format::object_header::MSG_SHARED != 0 {
                        check_shared(t, ctx, at, &b);
                    } else {
                        check_attribute(t, ctx, at, &b);
                    }
                }
                other => panic!("unexpected record {other:?}"),
            }
        }
    }
}

#[test]
fn reencoded_messages_are_byte_identical_to_libhdf5() {
    let mut t = Tally::default();
    let mut files = 0;
    for path in fixtures() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Ok(f) = File::open(&path) else {
            continue;
        };
        files += 1;
        let ctx = f.reader().ctx;
        for a in objects(&f) {
            let oh = ObjectHeader::read(f.reader(), a).unwrap();
            t.in_v1_header = oh.prefix.version == 1;
            for m in &oh.messages {
                check_message(
                    &mut t,
                    ctx,
                    m,
                    format!("{name}: {:#x} ({})", m.addr, m.kind),
                );
            }
            t.in_v1_header = false;
            check_dense(&mut t, &f, &oh, &name);
        }
    }
    eprintln!(
        "{files} fixtures; messages checked by kind: {:?}",
        t.checked
    );
    eprintln!("matched up to trailing zero padding: {:?}", t.padded);
    eprintln!("datatype (class, version) pairs: {:?}", t.classes);
    for m in &t.profile_mismatches {
        eprintln!("profile versions differ: {m}");
    }
    for f in &t.failures {
        eprintln!("{f}");
    }
    for must in [
        "dataspace",
        "datatype",
        "attribute",
        "link",
        "link info",
        "group info",
        "attribute info",
        "symbol table",
        "continuation",
        "fill value",
        "filter pipeline",
        "layout v3",
        "layout v4",
        "layout v5",
        "external files",
        "shared message v2",
        "shared message v3",
    ] {
        assert!(
            t.checked.contains_key(must),
            "no {must} message in the fixtures"
        );
    }
    assert!(t.failures.is_empty(), "{} mismatches", t.failures.len());
    assert!(
        t.profile_mismatches.is_empty(),
        "{} types with other versions than assign_versions",
        t.profile_mismatches.len()
    );
}
