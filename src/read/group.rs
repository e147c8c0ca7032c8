//! The links of a group, from any of the three storages (spec: "Groups"): a symbol table
//! (v1 B-tree + local heap), link messages in the header (compact), or a fractal heap indexed
//! by a v2 B-tree (dense).

use super::btree_v2::BTreeV2;
use super::file::FileInfo;
use super::fractal_heap::FractalHeap;
use super::local_heap::LocalHeap;
use super::object::ObjectHeader;
use super::Reader;
use crate::error::{Error, Result};
use crate::format::btree::v2::Record;
use crate::format::message::link::{Link, LinkTarget};
use crate::format::message::link_info::LinkInfo;
use crate::format::message::misc::SymbolTableMessage;
use crate::format::message::MessageType;
use crate::format::symbol_table::Scratch;
use crate::format::Cursor;
use alloc::vec::Vec;

/// All links of the group whose header is `oh`, in no particular order.
///
/// # Errors
/// Format errors of the group's structures.
pub fn links(r: &Reader, info: &FileInfo, oh: &ObjectHeader) -> Result<Vec<Link>> {
    let mut out = Vec::new();
    if let Some(m) = oh.find(MessageType::SYMBOL_TABLE) {
        let st = SymbolTableMessage::decode(&mut m.cursor(""), r.ctx)?;
        symbol_table_links(r, info, st, &mut out)?;
    }
    for m in oh.all(MessageType::LINK) {
        out.push(Link::decode(&mut m.cursor(""), r.ctx)?);
    }
    if let Some(m) = oh.find(MessageType::LINK_INFO) {
        let li = LinkInfo::decode(&mut m.cursor(""), r.ctx)?;
        if let (Some(heap), Some(index)) = (li.fractal_heap, li.name_index) {
            dense_links(r, heap, index, &mut out)?;
        }
    }
    Ok(out)
}

fn symbol_table_links(
    r: &Reader,
    info: &FileInfo,
    st: SymbolTableMessage,
    out: &mut Vec<Link>,
) -> Result<()> {
    let _ = info;
    let heap = LocalHeap::read(r, st.heap)?;
    for e in super::btree_v1::group_entries(r, st.btree)? {
        let name = heap.name(e.name_offset)?.to_vec();
        let target = match (e.scratch, e.object_header) {
            (Scratch::SoftLink { value_offset }, _) => {
                LinkTarget::Soft(heap.name(u64::from(value_offset))?.to_vec())
            }
            (_, Some(addr)) => LinkTarget::Hard(addr),
            (_, None) => {
                return Err(Error::invalid(
                    "symbol table entry (no object header address)",
                    st.btree.0,
                ))
            }
        };
        out.push(Link {
            name,
            utf8: false,
            creation_order: None,
            target,
        });
    }
    Ok(())
}

fn dense_links(
    r: &Reader,
    heap: crate::format::Addr,
    index: crate::format::Addr,
    out: &mut Vec<Link>,
) -> Result<()> {
    let heap = FractalHeap::open(r, heap)?;
    let tree = BTreeV2::open(r, index)?;
    for rec in tree.records(r) {
        let id = match rec? {
            Record::LinkName { heap_id, .. } => heap_id,
            _ => {
                return Err(Error::invalid(
                    "link name index (not a type 5 B-tree)",
                    index.0,
                ))
            }
        };
        let data = heap.get(r, &id)?;
        out.push(Link::decode(
            &mut Cursor::new(&data, heap.addr().0, "link message"),
            r.ctx,
        )?);
    }
    Ok(())
}
