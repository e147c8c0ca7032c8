//! Building the whole canonical document of a file.

use super::dtype::{dtype_string, memory_layout};
use super::json::Json;
use super::value::{encode_bytes, encode_elements, hex, Resolver};
use crate::error::{Error, Result};
use crate::format::message::dataspace::{Dataspace, SpaceKind};
use crate::format::message::datatype::Datatype;
use crate::format::message::fill_value::FillValue;
use crate::format::message::layout::Layout;
use crate::format::{Addr, Ctx};
use crate::hl::{Attribute, File, Group, LinkKind, Object};
use crate::read::global_heap::GlobalHeaps;
use crate::read::Reader;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;
use sha2::{Digest, Sha256};

/// Options of the document.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Include `value` in dataset `data` fields when the canonical bytes are at most 1024.
    pub values: bool,
}

/// Values up to this many canonical bytes are shown inline.
const INLINE_MAX: usize = 1024;

enum Entry {
    Object(String, Object),
    HardLink(String, Addr),
    Soft(String, String),
    External(String, String, String),
    Error(String, String),
}

fn err_json(e: &Error) -> Json {
    Json::object().with("error", Json::Str(e.to_string()))
}

struct Ctxt<'a> {
    file: &'a File,
    reader: &'a Reader,
    ctx: Ctx,
    paths: BTreeMap<Addr, String>,
    heaps: RefCell<GlobalHeaps>,
}

impl<'a> Ctxt<'a> {
    fn new(file: &'a File, paths: BTreeMap<Addr, String>) -> Self {
        Ctxt {
            file,
            reader: file.reader(),
            ctx: file.reader().ctx,
            paths,
            heaps: RefCell::new(GlobalHeaps::default()),
        }
    }
}

/// The context with a small output budget, for inline values (at most 1 KiB of canonical
/// bytes, so a budget of 1 MiB of output and JSON nodes only stops pathological shapes).
struct Inline<'a, 'b>(&'a Ctxt<'b>);

impl Resolver for Inline<'_, '_> {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        self.0.global_heap_object(collection, index)
    }
    fn object_path(&self, addr: Addr) -> Result<String> {
        self.0.object_path(addr)
    }
    fn dataspace_dims(&self, addr: Addr) -> Result<Vec<u64>> {
        self.0.dataspace_dims(addr)
    }
    fn max_output_bytes(&self) -> u64 {
        1 << 20
    }
}

/// The JSON value of `data` (elements of `dt` in `shape`), within the inline budget.
fn inline_value(c: &Ctxt<'_>, dt: &Datatype, data: &[u8], shape: &[u64]) -> Json {
    let mut scratch = Vec::new();
    encode_elements(dt, data, shape, c.ctx, &Inline(c), &mut scratch)
        .unwrap_or_else(|e| err_json(&e))
}

impl Resolver for Ctxt<'_> {
    fn global_heap_object(&self, collection: Addr, index: u32) -> Result<Vec<u8>> {
        self.heaps
            .borrow_mut()
            .object(self.reader, collection, index)
            .map(<[u8]>::to_vec)
    }

    fn object_path(&self, addr: Addr) -> Result<String> {
        self.paths.get(&addr).cloned().ok_or(Error::invalid(
            "object reference target (not reachable from the root)",
            addr.0,
        ))
    }

    fn dataspace_dims(&self, addr: Addr) -> Result<Vec<u64>> {
        let path = self.object_path(addr)?;
        match Object::open(self.file.clone(), addr, path)? {
            Object::Dataset(d) => Ok(d.shape().to_vec()),
            _ => Err(Error::invalid(
                "region reference target (not a dataset)",
                addr.0,
            )),
        }
    }
}

fn join(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// Depth-first pre-order walk, links in byte order of names; hard links followed once.
fn walk(file: &File) -> (Vec<Entry>, BTreeMap<Addr, String>) {
    let mut entries = Vec::new();
    let mut paths = BTreeMap::new();
    let root = match file.root() {
        Ok(g) => g,
        Err(e) => {
            entries.push(Entry::Error(String::from("/"), e.to_string()));
            return (entries, paths);
        }
    };
    paths.insert(root.addr(), String::from("/"));
    let limit = file.reader().limits.max_depth;
    visit_group(file, root, &mut entries, &mut paths, 0, limit);
    (entries, paths)
}

fn visit_group(
    file: &File,
    g: Group,
    entries: &mut Vec<Entry>,
    paths: &mut BTreeMap<Addr, String>,
    depth: u32,
    limit: u32,
) {
    let path = String::from(g.path());
    let links = g.links();
    entries.push(Entry::Object(path.clone(), Object::Group(g)));
    let links = match links {
        Ok(l) => l,
        Err(e) => {
            entries.push(Entry::Error(join(&path, "*"), e.to_string()));
            return;
        }
    };
    for l in links {
        let child = join(&path, &l.name);
        match l.kind {
            LinkKind::Hard(addr) => {
                if paths.contains_key(&addr) {
                    entries.push(Entry::HardLink(child, addr));
                    continue;
                }
                paths.insert(addr, child.clone());
                match Object::open(file.clone(), addr, child.clone()) {
                    Ok(Object::Group(cg)) => {
                        if depth + 1 > limit {
                            entries.push(Entry::Error(
                                child,
                                String::from("group nesting over max_depth"),
                            ));
                        } else {
                            visit_group(file, cg, entries, paths, depth + 1, limit);
                        }
                    }
                    Ok(o) => entries.push(Entry::Object(child, o)),
                    Err(e) => entries.push(Entry::Error(child, e.to_string())),
                }
            }
            LinkKind::Soft(t) => entries.push(Entry::Soft(child, t)),
            LinkKind::External { file: f, path: p } => entries.push(Entry::External(child, f, p)),
            LinkKind::UserDefined(k) => {
                entries.push(Entry::Error(child, format!("user-defined link type {k}")))
            }
        }
    }
}

fn space_json(s: &Dataspace) -> (Json, Json, Json) {
    match s.kind {
        SpaceKind::Null => (Json::str("null"), Json::Null, Json::Null),
        SpaceKind::Scalar => (
            Json::str("scalar"),
            Json::Array(vec![]),
            Json::Array(vec![]),
        ),
        SpaceKind::Simple => (
            Json::str("simple"),
            Json::Array(s.dims.iter().map(|&d| Json::UInt(d)).collect()),
            Json::Array(
                s.max_dims
                    .iter()
                    .map(|m| m.map_or(Json::Null, Json::UInt))
                    .collect(),
            ),
        ),
    }
}

/// Encode `data` (elements of `dt` in `shape`) canonically: (bytes, value).
fn encode(c: &Ctxt<'_>, dt: &Datatype, data: &[u8], shape: &[u64]) -> Result<(Vec<u8>, Json)> {
    let mut bytes = Vec::new();
    let v = encode_elements(dt, data, shape, c.ctx, c, &mut bytes)?;
    Ok((bytes, v))
}

fn attr_json(c: &Ctxt<'_>, a: &Attribute) -> Json {
    let (space, shape, _) = space_json(a.space());
    let mut o = Json::object()
        .with("dtype", Json::Str(dtype_string(&memory_layout(a.dtype()))))
        .with("space", space)
        .with("shape", shape);
    if a.space().kind == SpaceKind::Null {
        return o.with("nbytes", Json::UInt(0)).with("value", Json::Null);
    }
    let mut bytes = Vec::new();
    match encode_bytes(a.dtype(), a.raw_bytes(), c.ctx, c, &mut bytes) {
        Ok(_) => {
            o.push("nbytes", Json::UInt(bytes.len() as u64));
            o.push("sha256", Json::Str(hex(&Sha256::digest(&bytes))));
            if bytes.len() <= INLINE_MAX {
                o.push(
                    "value",
                    inline_value(c, a.dtype(), a.raw_bytes(), a.shape()),
                );
            }
            o
        }
        Err(e) => o.with("value", err_json(&e)),
    }
}

fn attrs_json(c: &Ctxt<'_>, attrs: Result<Vec<Result<Attribute>>>) -> Json {
    let attrs = match attrs {
        Ok(a) => a,
        Err(e) => return err_json(&e),
    };
    let mut named: Vec<(Vec<u8>, Json)> = Vec::new();
    let mut nerr = 0usize;
    for a in attrs {
        match a {
            Ok(a) => named.push((a.name_bytes().to_vec(), attr_json(c, &a))),
            Err(e) => {
                nerr += 1;
                named.push((
                    format!("<unreadable attribute {nerr}>").into_bytes(),
                    err_json(&e),
                ));
            }
        }
    }
    named.sort_by(|a, b| a.0.cmp(&b.0));
    Json::Object(
        named
            .into_iter()
            .map(|(k, v)| (String::from_utf8_lossy(&k).into_owned(), v))
            .collect(),
    )
}

fn dataset_json(c: &Ctxt<'_>, path: &str, d: &crate::hl::Dataset, values: bool) -> Json {
    let info = d.info();
    let (space, shape, maxshape) = space_json(&info.space);
    let (layout, chunks) = match &info.layout.layout {
        Layout::Compact { .. } => ("compact", Json::Null),
        Layout::Contiguous { .. } => ("contiguous", Json::Null),
        Layout::Chunked { chunk, .. } => (
            "chunked",
            Json::Array(chunk.iter().map(|&x| Json::UInt(x)).collect()),
        ),
        Layout::Virtual { .. } => ("virtual", Json::Null),
    };
    let filters = Json::Array(
        info.filters
            .iter()
            .map(|f| {
                Json::object()
                    .with("id", Json::UInt(u64::from(f.id.0)))
                    .with(
                        "params",
                        Json::Array(f.params.iter().map(|&p| Json::UInt(u64::from(p))).collect()),
                    )
            })
            .collect(),
    );
    let fill = match &info.fill.value {
        FillValue::Undefined => Json::object()
            .with("status", Json::str("undefined"))
            .with("value", Json::Null),
        FillValue::Default => {
            // The element size comes from the file: allocate it only within the caps.
            let v = c
                .reader
                .limits
                .alloc(info.dtype.size())
                .and_then(|size| encode(c, &info.dtype, &vec![0u8; size], &[]))
                .map_or_else(|e| err_json(&e), |(_, v)| v);
            Json::object()
                .with("status", Json::str("default"))
                .with("value", v)
        }
        FillValue::User(b) => {
            let v = encode(c, &info.dtype, b, &[]).map_or_else(|e| err_json(&e), |(_, v)| v);
            Json::object()
                .with("status", Json::str("user"))
                .with("value", v)
        }
    };
    let data = if info.space.kind == SpaceKind::Null {
        Json::Null
    } else {
        data_json(c, d, values).unwrap_or_else(|e| err_json(&e))
    };
    Json::object()
        .with("path", Json::str(path))
        .with("kind", Json::str("dataset"))
        .with(
            "dtype",
            Json::Str(dtype_string(&memory_layout(&info.dtype))),
        )
        .with("space", space)
        .with("shape", shape)
        .with("maxshape", maxshape)
        .with("layout", Json::str(layout))
        .with("chunks", chunks)
        .with("filters", filters)
        .with("fillvalue", fill)
        .with("data", data)
        .with("attrs", attrs_json(c, d.attrs()))
}

/// `{"nelements", "nbytes", "sha256"[, "value"]}` of a dataset's values.
/// Nest a flat list of values as lists of `shape` (a scalar for `[]`).
fn nest(items: &mut alloc::vec::IntoIter<Json>, shape: &[u64]) -> Json {
    match shape.split_first() {
        None => items.next().unwrap_or(Json::Null),
        Some((&n, rest)) => Json::Array((0..n).map(|_| nest(items, rest)).collect()),
    }
}

/// The data of a virtual dataset whose values live in other files' heaps: each element is
/// encoded in the file its value comes from.
fn cross_file_data(
    c: &Ctxt<'_>,
    d: &crate::hl::Dataset,
    parts: Vec<crate::hl::SourcePart>,
    values: bool,
) -> Result<Json> {
    let info = d.info();
    let fill = crate::read::data::fill_element(info, c.reader.limits.max_alloc)?;
    let (fill_bytes, fill_json) = encode(c, d.dtype(), &fill, &[])?;
    let n = usize::try_from(d.len()).map_err(|_| Error::invalid("dataset size", 0))?;
    let mut elems: Vec<(Vec<u8>, Json)> = vec![(fill_bytes, fill_json); n];
    for part in parts {
        let src = &part.source;
        if part.converting {
            return Err(Error::unsupported(
                "conversion of variable-length data between files",
                src.addr().0,
            ));
        }
        let raw = src.read_raw_selection(&crate::hl::Selection::Points(part.points))?;
        let sc = Ctxt::new(src.file(), BTreeMap::new());
        let size =
            usize::try_from(src.dtype().size()).map_err(|_| Error::invalid("datatype size", 0))?;
        for (e, o) in raw.chunks_exact(size.max(1)).zip(part.targets) {
            let enc = encode(&sc, src.dtype(), e, &[])?;
            if let Some(slot) = elems.get_mut(o) {
                *slot = enc;
            }
        }
    }
    let mut bytes = Vec::new();
    let mut items = Vec::with_capacity(n);
    for (b, j) in elems {
        bytes.extend_from_slice(&b);
        items.push(j);
    }
    let mut o = Json::object()
        .with("nelements", Json::UInt(n as u64))
        .with("nbytes", Json::UInt(bytes.len() as u64))
        .with("sha256", Json::Str(hex(&Sha256::digest(&bytes))));
    if values && bytes.len() <= INLINE_MAX {
        o.push("value", nest(&mut items.into_iter(), d.shape()));
    }
    Ok(o)
}

fn data_json(c: &Ctxt<'_>, d: &crate::hl::Dataset, values: bool) -> Result<Json> {
    if let Some(parts) = d.cross_file_parts(&crate::hl::Selection::All)? {
        return cross_file_data(c, d, parts, values);
    }
    let raw = d.read_raw()?;
    let mut bytes = Vec::new();
    let n = encode_bytes(d.dtype(), &raw, c.ctx, c, &mut bytes)?;
    let mut o = Json::object()
        .with("nelements", Json::UInt(n))
        .with("nbytes", Json::UInt(bytes.len() as u64))
        .with("sha256", Json::Str(hex(&Sha256::digest(&bytes))));
    if values && bytes.len() <= INLINE_MAX {
        o.push("value", inline_value(c, d.dtype(), &raw, d.shape()));
    }
    Ok(o)
}

/// The values of a selection of `d` as JSON (the canonical JSON values: numbers, strings,
/// objects for compounds, paths for references), nested as lists of `shape`.
///
/// # Errors
/// Errors of reading the values (see [`crate::hl::Dataset::read_raw_into`]) or decoding them.
pub fn dataset_values(
    d: &crate::hl::Dataset,
    sel: &crate::hl::Selection,
    shape: &[u64],
) -> Result<Json> {
    let file = d.file();
    let (_, paths) = walk(file);
    let c = Ctxt::new(file, paths);
    let raw = d.read_raw_selection(sel)?;
    Ok(encode(&c, d.dtype(), &raw, shape)?.1)
}

/// The canonical document of `file` (format `h5canon/1`).
pub fn document(file: &File, opts: Options) -> Json {
    let (entries, paths) = walk(file);
    let c = Ctxt::new(file, paths);
    let sb = file.superblock();
    let mut objects = Vec::with_capacity(entries.len());
    for e in &entries {
        objects.push(match e {
            Entry::Object(p, Object::Group(g)) => Json::object()
                .with("path", Json::str(p))
                .with("kind", Json::str("group"))
                .with(
                    "nlinks",
                    g.links()
                        .map_or_else(|e| err_json(&e), |l| Json::UInt(l.len() as u64)),
                )
                .with("attrs", attrs_json(&c, g.attrs())),
            Entry::Object(p, Object::Dataset(d)) => dataset_json(&c, p, d, opts.values),
            Entry::Object(p, Object::Datatype(t)) => Json::object()
                .with("path", Json::str(p))
                .with("kind", Json::str("datatype"))
                .with("dtype", Json::Str(dtype_string(&memory_layout(t.dtype()))))
                .with("attrs", attrs_json(&c, t.attrs())),
            Entry::HardLink(p, addr) => Json::object()
                .with("path", Json::str(p))
                .with("kind", Json::str("hardlink"))
                .with(
                    "target",
                    Json::Str(c.paths.get(addr).cloned().unwrap_or_default()),
                ),
            Entry::Soft(p, t) => Json::object()
                .with("path", Json::str(p))
                .with("kind", Json::str("softlink"))
                .with("target", Json::str(t)),
            Entry::External(p, f, t) => Json::object()
                .with("path", Json::str(p))
                .with("kind", Json::str("extlink"))
                .with("file", Json::str(f))
                .with("target", Json::str(t)),
            Entry::Error(p, m) => Json::object()
                .with("path", Json::str(p))
                .with("error", Json::str(m)),
        });
    }
    Json::object()
        .with("format", Json::str("h5canon/1"))
        .with(
            "file",
            Json::object()
                .with("superblock_version", Json::UInt(u64::from(sb.version)))
                .with("userblock", Json::UInt(file.userblock()))
                .with("sizeof_offsets", Json::UInt(u64::from(sb.ctx.offset_size)))
                .with("sizeof_lengths", Json::UInt(u64::from(sb.ctx.length_size))),
        )
        .with("objects", Json::Array(objects))
}
