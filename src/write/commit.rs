//! Writing the metadata of a new file at the end: object headers (sizes first, so every
//! address is known before anything refers to it), group storage, chunk indexes, and the
//! superblock last.
//!
//! Every object got [`HEADER_SPACE`] bytes for its header when it was created (so links and
//! references could name it at once). Here each object's storage is written (symbol tables,
//! dense link heaps, chunk indexes), then its header: in its reserved space, with a
//! continuation block for messages that do not fit.

use super::btree_v1::{write_chunk_btree, write_group_btree, GroupEntry, DEFAULT_CHUNK_K};
use super::chunk_index::{self as ci, Filtering, Shape};
use super::dataset::Storage;
use super::file::{
    DatasetNode, GroupNode, LinkTarget, NewFile, NodeKind, Profile, HEADER_SPACE, ROOT,
};
use super::local_heap::LocalHeapBuilder;
use super::Sink;
use crate::error::{Error, Result};
use crate::format::message::attribute::{AttributeMessage, Embedded};
use crate::format::message::datatype::Datatype;
use crate::format::message::fill_value::{FillValue, FillValueMessage};
use crate::format::message::filter_pipeline::{self as fp, Filter, FilterId};
use crate::format::message::group_info::GroupInfo;
use crate::format::message::layout::{ChunkIndex, Layout, LayoutMessage};
use crate::format::message::link::{Link, LinkTarget as FileLinkTarget};
use crate::format::message::link_info::LinkInfo;
use crate::format::message::misc::SymbolTableMessage;
use crate::format::message::MessageType;
use crate::format::object_header::{HeaderSpec, Message};
use crate::format::superblock::Superblock;
use crate::format::symbol_table::{Scratch, SymbolTableEntry, SymbolTableNode};
use crate::format::{Addr, Encoder};
use crate::io::WriteAt;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Group B-tree leaf K libhdf5 uses: symbol table nodes of up to 8 entries.
const GROUP_LEAF_K: u16 = 4;
/// Group B-tree internal K libhdf5 uses.
const GROUP_INTERNAL_K: u16 = 16;
/// Links a latest-profile group keeps in its header before it goes dense (libhdf5 default).
const MAX_COMPACT_LINKS: usize = 8;

/// Addresses of an object's storage, known in pass 2 (placeholders in pass 1).
#[derive(Debug, Clone, Default)]
struct Stored {
    /// Symbol table group: B-tree and local heap.
    symbol_table: Option<(Addr, Addr)>,
    /// Dense links: fractal heap, name index, creation order index.
    dense: Option<(Addr, Addr, Option<Addr>)>,
    /// Chunked dataset: the index address and type.
    chunks: Option<(Option<Addr>, ChunkIndex)>,
    /// Dense attributes: fractal heap, name index, creation order index.
    dense_attrs: Option<(Addr, Addr, Option<Addr>)>,
    /// Compact attributes: their message bodies, for the header.
    attr_messages: Vec<Vec<u8>>,
}

/// Attributes an object keeps in its header before they go dense (libhdf5 default).
const MAX_COMPACT_ATTRS: usize = 8;
/// Largest attribute message kept in a header (a header message holds at most 65535 bytes).
const MAX_COMPACT_ATTR_MESSAGE: usize = 65535;

fn internal(what: &str) -> Error {
    Error::Usage(format!("internal writer error: {what}"))
}

fn msg(kind: u16, data: Vec<u8>) -> Message {
    Message {
        kind: MessageType(kind),
        flags: 0,
        creation_order: None,
        addr: 0,
        data,
    }
}

/// The datatype with the message versions libhdf5 gives it in `profile` (compound, enum and
/// array types: version 1 for earliest, 3 for latest, readable by HDF5 1.10; revised
/// references 4 and complex numbers 5 in both).
fn versioned(t: &Datatype, profile: Profile) -> Datatype {
    let mut t = t.clone();
    t.assign_versions(match profile {
        Profile::Earliest => 1,
        Profile::Latest => 3,
    });
    t
}

fn encode_with(f: impl FnOnce(&mut Encoder) -> Result<()>) -> Result<Vec<u8>> {
    let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
    f(&mut e)?;
    Ok(e.finish())
}

impl<W: WriteAt> NewFile<W> {
    /// Write the metadata and the superblock; returns the destination.
    ///
    /// # Errors
    /// Errors of the destination and of encoding.
    pub fn finish(mut self) -> Result<W> {
        let heap = core::mem::replace(
            &mut self.heap,
            super::global_heap::GlobalHeapWriter::new(self.w.ctx()),
        );
        heap.finish(&mut self.w)?;
        for node in &mut self.nodes {
            if let NodeKind::Dataset(d) = &mut node.kind {
                let elem = usize::try_from(d.dtype.size).map_err(|_| internal("type size"))?;
                d.storage.flush(&mut self.w, elem)?;
            }
        }
        let n = self.nodes.len();
        let mut refcount = alloc::vec![0u32; n];
        if let Some(r) = refcount.first_mut() {
            *r = 1;
        }
        for node in &self.nodes {
            if let NodeKind::Group(g) = &node.kind {
                for (_, t) in &g.links {
                    if let LinkTarget::Hard(id) = t {
                        if let Some(c) = refcount.get_mut(id.0) {
                            *c = c.saturating_add(1);
                        }
                    }
                }
            }
        }
        let headers: Vec<Addr> = self.nodes.iter().map(|n| n.header).collect();
        let mut root_stab = None;
        for id in 0..n {
            let stored = self.write_storage(id, &headers)?;
            if id == ROOT.0 {
                root_stab = stored.symbol_table;
            }
            let (spec, msgs) = self.header(id, &headers, &stored, &refcount)?;
            let at = *headers.get(id).ok_or_else(|| internal("header address"))?;
            self.place_header(&spec, msgs, at)?;
        }
        let root = *headers.first().ok_or_else(|| internal("root header"))?;
        // The file ends at the end of allocation: make sure its last byte exists.
        let eoa = self.w.space().eoa();
        self.w.ensure_len(eoa)?;
        let ctx = self.w.ctx();
        let sb = Superblock {
            version: match self.profile {
                Profile::Earliest => 0,
                Profile::Latest => 3,
            },
            ctx,
            consistency_flags: 0,
            group_leaf_k: GROUP_LEAF_K,
            group_internal_k: GROUP_INTERNAL_K,
            indexed_storage_k: DEFAULT_CHUNK_K,
            base_address: self.w.base(),
            extension: None,
            eof: eoa + self.w.base(),
            root,
            root_entry: match self.profile {
                Profile::Earliest => Some(SymbolTableEntry {
                    name_offset: 0,
                    object_header: Some(root),
                    scratch: match root_stab {
                        Some((btree, heap)) => Scratch::Group { btree, heap },
                        None => Scratch::None,
                    },
                }),
                Profile::Latest => None,
            },
        };
        let bytes = sb.encode()?;
        self.w.write(Addr(0), &bytes)?;
        self.w.dest_mut().flush()?;
        Ok(self.w.into_dest())
    }

    /// How a group stores its links in this profile.
    fn group_mode(&self, g: &GroupNode) -> GroupMode {
        match self.profile {
            Profile::Earliest
                if !g
                    .links
                    .iter()
                    .any(|(_, t)| matches!(t, LinkTarget::External { .. }))
                    && !g.track_order =>
            {
                GroupMode::SymbolTable
            }
            _ if g.links.len() > MAX_COMPACT_LINKS => GroupMode::Dense,
            _ => GroupMode::Compact,
        }
    }

    fn chunk_index_kind(&self, d: &DatasetNode) -> ChunkIndex {
        let Storage::Chunked { chunk, .. } = &d.storage else {
            return ChunkIndex::BTreeV1;
        };
        if self.profile == Profile::Earliest {
            return ChunkIndex::BTreeV1;
        }
        let filtered = match &d.storage {
            Storage::Chunked { filters, .. } if !filters.is_empty() => Some((0, 0)),
            _ => None,
        };
        let unlimited = d.space.max_dims.iter().filter(|m| m.is_none()).count();
        let fixed = d
            .space
            .max_dims
            .iter()
            .zip(&d.space.dims)
            .all(|(m, n)| *m == Some(*n));
        if fixed && chunk == &d.space.dims {
            ChunkIndex::SingleChunk { filtered }
        } else if unlimited == 0 {
            ChunkIndex::FixedArray {
                page_bits: ci::FIXED_ARRAY_PAGE_BITS,
            }
        } else if unlimited == 1 {
            let p = ci::ExtensibleArrayParams::LIBHDF5;
            ChunkIndex::ExtensibleArray {
                max_bits: p.max_bits,
                index_elements: p.index_elements,
                min_pointers: p.min_pointers,
                min_elements: p.min_elements,
                page_bits: p.page_bits,
            }
        } else {
            let p = super::btree_v2::Params::CHUNKS;
            ChunkIndex::BTreeV2 {
                node_size: p.node_size,
                split_percent: p.split_percent,
                merge_percent: p.merge_percent,
            }
        }
    }

    /// Write the storage of object `id`.
    fn write_storage(&mut self, id: usize, headers: &[Addr]) -> Result<Stored> {
        let mut s = Stored::default();
        let kind = match self.nodes.get(id) {
            Some(n) => n.kind.clone(),
            None => return Err(internal("object id")),
        };
        match &kind {
            NodeKind::Group(g) => match self.group_mode(g) {
                GroupMode::SymbolTable => {
                    s.symbol_table = Some(self.write_symbol_table(g, headers)?);
                }
                GroupMode::Dense => s.dense = Some(self.write_dense_links(g, headers)?),
                GroupMode::Compact => {}
            },
            NodeKind::Dataset(d) => {
                if let Storage::Chunked { .. } = d.storage {
                    s.chunks = Some(self.write_chunk_index(d)?);
                }
            }
            NodeKind::Datatype(_) => {}
        }
        // Each attribute message is encoded once: into the dense heap, or kept for the header.
        let node = self.nodes.get(id).ok_or_else(|| internal("object id"))?;
        let bodies = node
            .attrs
            .iter()
            .map(|a| self.attr_message(a))
            .collect::<Result<Vec<_>>>()?;
        if self.attrs_dense(&bodies) {
            let names: Vec<String> = node.attrs.iter().map(|a| a.name.clone()).collect();
            let track = self.tracks_attr_order(node);
            s.dense_attrs = Some(self.write_dense_attrs(&names, &bodies, track)?);
        } else {
            s.attr_messages = bodies;
        }
        Ok(s)
    }

    fn write_symbol_table(&mut self, g: &GroupNode, headers: &[Addr]) -> Result<(Addr, Addr)> {
        let ctx = self.w.ctx();
        let mut heap = LocalHeapBuilder::new(ctx);
        let mut links: Vec<&(String, LinkTarget)> = g.links.iter().collect();
        links.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
        let mut entries = Vec::with_capacity(links.len());
        for (name, target) in links {
            let name_offset = heap.add(name.as_bytes())?;
            let entry = match target {
                LinkTarget::Hard(t) => SymbolTableEntry {
                    name_offset,
                    object_header: Some(*headers.get(t.0).ok_or_else(|| internal("link"))?),
                    scratch: Scratch::None,
                },
                LinkTarget::Soft(path) => {
                    let value = heap.add(path.as_bytes())?;
                    SymbolTableEntry {
                        name_offset,
                        object_header: None,
                        scratch: Scratch::SoftLink {
                            value_offset: u32::try_from(value)
                                .map_err(|_| internal("soft link offset"))?,
                        },
                    }
                }
                LinkTarget::External { .. } => {
                    return Err(internal("external link in a symbol table"))
                }
            };
            entries.push(entry);
        }
        let heap_addr = heap.write(&mut self.w)?;
        let cap = 2 * usize::from(GROUP_LEAF_K);
        let mut group_entries = Vec::new();
        for node in entries.chunks(cap) {
            let last = node.last().map_or(0, |e| e.name_offset);
            let bytes = encode_with(|e| {
                SymbolTableNode {
                    entries: node.to_vec(),
                }
                .encode(e, GROUP_LEAF_K)
            })?;
            let snod = self.w.put(&bytes)?;
            group_entries.push(GroupEntry {
                last_name_offset: last,
                snod,
            });
        }
        let btree = write_group_btree(&mut self.w, &group_entries, GROUP_INTERNAL_K)?;
        Ok((btree, heap_addr))
    }

    fn link_message(
        &self,
        name: &str,
        target: &LinkTarget,
        order: Option<u64>,
        headers: &[Addr],
    ) -> Result<Vec<u8>> {
        let target = match target {
            LinkTarget::Hard(t) => {
                FileLinkTarget::Hard(*headers.get(t.0).ok_or_else(|| internal("link"))?)
            }
            LinkTarget::Soft(p) => FileLinkTarget::Soft(p.as_bytes().to_vec()),
            LinkTarget::External { file, path } => FileLinkTarget::External {
                file: file.as_bytes().to_vec(),
                path: path.as_bytes().to_vec(),
            },
        };
        encode_with(|e| {
            Link {
                name: name.as_bytes().to_vec(),
                utf8: !name.is_ascii(),
                creation_order: order,
                target,
            }
            .encode(e)
        })
    }

    fn write_dense_links(
        &mut self,
        g: &GroupNode,
        headers: &[Addr],
    ) -> Result<(Addr, Addr, Option<Addr>)> {
        use super::fractal_heap::{FractalHeapWriter, HeapParams};
        use crate::format::btree::v2::Record;
        let ctx = self.w.ctx();
        let mut heap = FractalHeapWriter::new(ctx, HeapParams::LINKS)?;
        let mut by_name = Vec::new();
        let mut by_order = Vec::new();
        for (i, (name, target)) in g.links.iter().enumerate() {
            let order = g.track_order.then_some(i as u64);
            let body = self.link_message(name, target, order, headers)?;
            let id = heap.add(&body)?;
            let heap_id: [u8; 7] = id
                .as_slice()
                .try_into()
                .map_err(|_| internal("link heap id length"))?;
            let hash = crate::format::checksum::lookup3(name.as_bytes(), 0);
            by_name.push((hash, Record::LinkName { hash, heap_id }));
            if let Some(order) = order {
                by_order.push(Record::LinkCreationOrder { order, heap_id });
            }
        }
        let heap_addr = heap.finish(&mut self.w)?;
        let by_order = g.track_order.then_some(by_order);
        let (names, orders) = self.write_dense_indexes(5, by_name, 6, by_order)?;
        Ok((heap_addr, names, orders))
    }

    /// The indexes of dense links or attributes: by name hash (v2 B-tree `name_type`) and,
    /// when creation order is tracked, by creation order (`order_type`), with libhdf5's
    /// node parameters. Returns the two B-tree header addresses.
    fn write_dense_indexes(
        &mut self,
        name_type: u8,
        mut by_name: Vec<(u32, crate::format::btree::v2::Record)>,
        order_type: u8,
        by_order: Option<Vec<crate::format::btree::v2::Record>>,
    ) -> Result<(Addr, Option<Addr>)> {
        use crate::format::btree::v2::{BTreeType, RecordFormat};
        let ctx = self.w.ctx();
        let params = super::btree_v2::Params::LINKS_AND_ATTRIBUTES;
        by_name.sort_by_key(|(hash, _)| *hash);
        let records: Vec<_> = by_name.into_iter().map(|(_, r)| r).collect();
        let f = RecordFormat::for_writing(BTreeType(name_type), ctx, 0, 0)?;
        let names = super::btree_v2::write_btree_v2(&mut self.w, &f, &records, params)?;
        let orders = match by_order {
            Some(records) => {
                let f = RecordFormat::for_writing(BTreeType(order_type), ctx, 0, 0)?;
                Some(super::btree_v2::write_btree_v2(&mut self.w, &f, &records, params)?.header)
            }
            None => None,
        };
        Ok((names.header, orders))
    }

    fn write_chunk_index(&mut self, d: &DatasetNode) -> Result<(Option<Addr>, ChunkIndex)> {
        let kind = self.chunk_index_kind(d);
        let Storage::Chunked {
            chunk,
            filters,
            written,
            ..
        } = &d.storage
        else {
            return Err(internal("not chunked"));
        };
        let elem = u64::from(d.dtype.size);
        if kind == ChunkIndex::BTreeV1 {
            let entries: Vec<super::btree_v1::ChunkEntry> = written
                .iter()
                .map(|(k, c)| {
                    Ok(super::btree_v1::ChunkEntry {
                        scaled: k.clone(),
                        size: u32::try_from(c.size)
                            .map_err(|_| Error::Usage(String::from("chunk over 4 GiB")))?,
                        filter_mask: c.mask,
                        addr: c.addr,
                    })
                })
                .collect::<Result<_>>()?;
            let addr = write_chunk_btree(&mut self.w, &entries, chunk, elem, DEFAULT_CHUNK_K)?;
            return Ok((addr, kind));
        }
        let entries: Vec<ci::ChunkEntry> = written
            .iter()
            .map(|(k, c)| ci::ChunkEntry {
                scaled: k.clone(),
                addr: c.addr,
                size: c.size,
                filter_mask: c.mask,
            })
            .collect();
        let shape = Shape {
            dims: &d.space.dims,
            max_dims: &d.space.max_dims,
            chunk,
            element_size: elem,
        };
        let filtering = if filters.is_empty() {
            Filtering::None
        } else {
            Filtering::Filtered { layout_version: 4 }
        };
        let w = match kind {
            ChunkIndex::SingleChunk { .. } => ci::single_chunk(&entries, filtering)?,
            ChunkIndex::FixedArray { page_bits } => {
                ci::write_fixed_array(&mut self.w, &shape, &entries, filtering, page_bits)?
            }
            ChunkIndex::ExtensibleArray { .. } => ci::write_extensible_array(
                &mut self.w,
                &shape,
                &entries,
                filtering,
                ci::ExtensibleArrayParams::LIBHDF5,
            )?,
            _ => ci::write_btree_v2(
                &mut self.w,
                &shape,
                &entries,
                filtering,
                super::btree_v2::Params::CHUNKS,
            )?,
        };
        Ok((w.addr, w.index))
    }

    /// Encode the object header of `id`.
    /// Write a header of `msgs` at `at` (its reserved [`HEADER_SPACE`]): in place when they
    /// fit, else the messages that fit plus a continuation message there, the rest in a
    /// continuation block at the end of the file.
    fn place_header(&mut self, spec: &HeaderSpec, msgs: Vec<Message>, at: Addr) -> Result<()> {
        let space = usize::try_from(HEADER_SPACE).map_err(|_| internal("header space"))?;
        let prefix = spec.encode(&[], 0)?.len();
        let all = spec.encode(&msgs, 0)?;
        if all.len() <= space {
            let bytes = spec.encode(&msgs, space - all.len())?;
            return self.w.write(at, &bytes);
        }
        let ctx = self.w.ctx();
        let cont_body = usize::from(ctx.offset_size) + usize::from(ctx.length_size);
        let room = space
            .checked_sub(prefix + spec.message_len(cont_body))
            .ok_or_else(|| internal("header space too small"))?;
        let mut used = 0usize;
        let mut split = 0usize;
        for m in &msgs {
            let len = spec.message_len(m.data.len());
            if used + len > room {
                break;
            }
            used += len;
            split += 1;
        }
        let (first, rest) = msgs.split_at(split);
        let block = spec.encode_continuation(rest)?;
        let cont_at = self.w.alloc(block.len() as u64)?;
        self.w.write(cont_at, &block)?;
        let mut body = Encoder::new(ctx);
        crate::format::object_header::Continuation {
            addr: cont_at,
            len: block.len() as u64,
        }
        .encode(&mut body);
        let mut head: Vec<Message> = first.to_vec();
        head.push(msg(0x10, body.finish()));
        let size = spec.encode(&head, 0)?.len();
        let gap = space
            .checked_sub(size)
            .ok_or_else(|| internal("header does not fit its space"))?;
        let bytes = spec.encode(&head, gap)?;
        self.w.write(at, &bytes)
    }

    /// The header prefix and messages of object `id`.
    fn header(
        &self,
        id: usize,
        headers: &[Addr],
        stored: &Stored,
        refcount: &[u32],
    ) -> Result<(HeaderSpec, Vec<Message>)> {
        let node = self.nodes.get(id).ok_or_else(|| internal("object id"))?;
        let latest = self.profile == Profile::Latest;
        let mut spec = if latest {
            HeaderSpec::v2()
        } else {
            HeaderSpec::v1()
        };
        let count = refcount.get(id).copied().unwrap_or(1).max(1);
        let mut msgs = Vec::new();
        let mut track_attrs = false;
        match &node.kind {
            NodeKind::Group(g) => {
                track_attrs = latest && g.track_order;
                match self.group_mode(g) {
                    GroupMode::SymbolTable => {
                        let (btree, heap) = stored.symbol_table.ok_or_else(|| internal("stab"))?;
                        msgs.push(msg(
                            0x11,
                            encode_with(|e| {
                                SymbolTableMessage { btree, heap }.encode(e);
                                Ok(())
                            })?,
                        ));
                    }
                    mode => {
                        let dense = if mode == GroupMode::Dense {
                            stored.dense
                        } else {
                            None
                        };
                        let info = LinkInfo {
                            tracks_creation_order: g.track_order,
                            indexes_creation_order: g.track_order,
                            max_creation_index: g.track_order.then_some(g.links.len() as u64),
                            fractal_heap: dense.map(|d| d.0),
                            name_index: dense.map(|d| d.1),
                            creation_order_index: dense.and_then(|d| d.2),
                        };
                        msgs.push(msg(
                            0x02,
                            encode_with(|e| {
                                info.encode(e);
                                Ok(())
                            })?,
                        ));
                        msgs.push(msg(
                            0x0a,
                            encode_with(|e| {
                                GroupInfo {
                                    link_phase_change: None,
                                    estimates: None,
                                }
                                .encode(e);
                                Ok(())
                            })?,
                        ));
                        if mode == GroupMode::Compact {
                            for (i, (name, target)) in g.links.iter().enumerate() {
                                let order = g.track_order.then_some(i as u64);
                                msgs.push(msg(
                                    0x06,
                                    self.link_message(name, target, order, headers)?,
                                ));
                            }
                        }
                    }
                }
            }
            NodeKind::Dataset(d) => self.dataset_messages(d, stored, &mut msgs)?,
            NodeKind::Datatype(t) => {
                let t = versioned(t, self.profile);
                msgs.push(msg(0x03, encode_with(|e| t.encode(e))?));
            }
        }
        let dense = stored.dense_attrs;
        if track_attrs || dense.is_some() {
            spec.track_attr_order = track_attrs;
            spec.index_attr_order = track_attrs;
            let info = crate::format::message::misc::AttributeInfo {
                tracks_creation_order: track_attrs,
                indexes_creation_order: track_attrs,
                max_creation_index: track_attrs
                    .then(|| u16::try_from(node.attrs.len()).unwrap_or(u16::MAX)),
                fractal_heap: dense.map(|d| d.0),
                name_index: dense.map(|d| d.1),
                creation_order_index: dense.and_then(|d| d.2),
            };
            msgs.push(msg(
                0x15,
                encode_with(|e| {
                    info.encode(e);
                    Ok(())
                })?,
            ));
        }
        if dense.is_none() {
            for (i, body) in stored.attr_messages.iter().enumerate() {
                let mut m = msg(0x0c, body.clone());
                if track_attrs {
                    m.creation_order = Some(u16::try_from(i).unwrap_or(u16::MAX));
                }
                msgs.push(m);
            }
        }
        if latest {
            if count > 1 {
                let mut b = alloc::vec![0u8];
                b.extend_from_slice(&count.to_le_bytes());
                msgs.push(msg(0x16, b));
            }
        } else {
            spec.refcount = count;
        }
        Ok((spec, msgs))
    }

    /// The attribute message body of `a`.
    fn attr_message(&self, a: &super::file::NewAttribute) -> Result<Vec<u8>> {
        let latest = self.profile == Profile::Latest;
        let t = versioned(&a.dtype, self.profile);
        let space_version = space_version(&a.space, latest);
        let am = AttributeMessage {
            version: if latest { 3 } else { 1 },
            name: a.name.as_bytes().to_vec(),
            utf8: !a.name.is_ascii(),
            datatype: Embedded {
                addr: 0,
                shared: false,
                data: encode_with(|e| t.encode(e))?,
            },
            dataspace: Embedded {
                addr: 0,
                shared: false,
                data: encode_with(|e| a.space.encode(e, space_version))?,
            },
            data_addr: 0,
            data: a.data.clone(),
        };
        encode_with(|e| am.encode(e))
    }

    /// Whether an object with attribute messages `bodies` keeps them densely (latest profile:
    /// more than 8, or one too large for a header message).
    fn attrs_dense(&self, bodies: &[Vec<u8>]) -> bool {
        self.profile == Profile::Latest
            && (bodies.len() > MAX_COMPACT_ATTRS
                || bodies.iter().any(|b| b.len() > MAX_COMPACT_ATTR_MESSAGE))
    }

    /// Whether object `id` tracks the creation order of its attributes (groups created with
    /// `track_order`, in the latest profile).
    fn tracks_attr_order(&self, node: &super::file::Node) -> bool {
        self.profile == Profile::Latest && matches!(&node.kind, NodeKind::Group(g) if g.track_order)
    }

    /// Dense attribute storage of `node`: the messages in a fractal heap, indexed by name hash
    /// (v2 B-tree type 8) and, when tracked, by creation order (type 9).
    fn write_dense_attrs(
        &mut self,
        names: &[String],
        bodies: &[Vec<u8>],
        track: bool,
    ) -> Result<(Addr, Addr, Option<Addr>)> {
        use super::fractal_heap::{FractalHeapWriter, HeapParams};
        use crate::format::btree::v2::Record;
        let ctx = self.w.ctx();
        let mut heap = FractalHeapWriter::new(ctx, HeapParams::ATTRIBUTES)?;
        let mut by_name = Vec::new();
        let mut by_order = Vec::new();
        for (i, (name, body)) in names.iter().zip(bodies).enumerate() {
            let id = heap.add(body)?;
            let heap_id: [u8; 8] = id
                .as_slice()
                .try_into()
                .map_err(|_| internal("attribute heap id length"))?;
            let order = u32::try_from(i).map_err(|_| internal("attribute count"))?;
            let hash = crate::format::checksum::lookup3(name.as_bytes(), 0);
            by_name.push((
                hash,
                Record::AttributeName {
                    heap_id,
                    flags: 0,
                    creation_order: order,
                    hash,
                },
            ));
            by_order.push(Record::AttributeCreationOrder {
                heap_id,
                flags: 0,
                creation_order: order,
            });
        }
        let heap_addr = heap.finish(&mut self.w)?;
        let by_order = track.then_some(by_order);
        let (names, orders) = self.write_dense_indexes(8, by_name, 9, by_order)?;
        Ok((heap_addr, names, orders))
    }

    fn dataset_messages(
        &self,
        d: &DatasetNode,
        stored: &Stored,
        msgs: &mut Vec<Message>,
    ) -> Result<()> {
        let latest = self.profile == Profile::Latest;
        msgs.push(msg(
            0x01,
            encode_with(|e| d.space.encode(e, space_version(&d.space, latest)))?,
        ));
        let t = versioned(&d.dtype, self.profile);
        msgs.push(msg(0x03, encode_with(|e| t.encode(e))?));
        let alloc_time = match d.storage {
            Storage::Compact { .. } => 1,
            Storage::Contiguous { .. } => 2,
            Storage::Chunked { .. } => 3,
        };
        let fill = FillValueMessage {
            version: if latest { 3 } else { 2 },
            alloc_time,
            fill_time: 2,
            value: match &d.fill {
                Some(v) => FillValue::User(v.clone()),
                None if d.fill_undefined => FillValue::Undefined,
                None => FillValue::Default,
            },
        };
        msgs.push(msg(0x05, encode_with(|e| fill.encode(e))?));
        let total = super::dataset::element_count(&super::file::logical_dims(&d.space))?
            .saturating_mul(u64::from(d.dtype.size));
        let layout = match &d.storage {
            Storage::Compact { data } => {
                let data = if data.len() as u64 == total {
                    data.clone()
                } else {
                    let fill = d
                        .fill
                        .clone()
                        .unwrap_or_else(|| alloc::vec![0; d.dtype.size as usize]);
                    fill.iter()
                        .copied()
                        .cycle()
                        .take(usize::try_from(total).map_err(|_| internal("size"))?)
                        .collect()
                };
                Layout::Compact { data }
            }
            Storage::Contiguous { addr } => Layout::Contiguous {
                addr: *addr,
                size: Some(total),
            },
            Storage::Chunked { chunk, .. } => {
                let (addr, index) = stored.chunks.ok_or_else(|| internal("chunks"))?;
                // Layout v4 flag bit 1: the single chunk is filtered (size and mask stored).
                let flags = match index {
                    ChunkIndex::SingleChunk { filtered: Some(_) } => 0x02,
                    _ => 0,
                };
                Layout::Chunked {
                    flags,
                    chunk: chunk.clone(),
                    element_size: u64::from(d.dtype.size),
                    index,
                    addr,
                }
            }
        };
        let version = if latest && matches!(layout, Layout::Chunked { .. }) {
            4
        } else {
            3
        };
        msgs.push(msg(
            0x08,
            encode_with(|e| LayoutMessage { version, layout }.encode(e))?,
        ));
        if let Storage::Chunked { filters, .. } = &d.storage {
            if !filters.is_empty() {
                let fs: Vec<Filter> = filters
                    .iter()
                    .map(|f| Filter {
                        id: FilterId(f.id),
                        flags: f.flags,
                        name: None,
                        params: f.params.clone(),
                    })
                    .collect();
                msgs.push(msg(
                    0x0b,
                    encode_with(|e| fp::encode(e, &fs, if latest { 2 } else { 1 }))?,
                ));
            }
        }
        Ok(())
    }
}

/// Dataspace message version: 1 in the earliest profile, except for a null dataspace, which
/// only version 2 can express (libhdf5 upgrades it the same way).
fn space_version(space: &crate::format::message::dataspace::Dataspace, latest: bool) -> u8 {
    if latest || space.kind == crate::format::message::dataspace::SpaceKind::Null {
        2
    } else {
        1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GroupMode {
    SymbolTable,
    Compact,
    Dense,
}
