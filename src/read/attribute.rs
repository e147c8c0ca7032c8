//! Attributes of an object, compact (attribute messages in the header) or dense (a fractal
//! heap indexed by name in a v2 B-tree, found through the attribute info message).

use super::btree_v2::BTreeV2;
use super::file::FileInfo;
use super::fractal_heap::FractalHeap;
use super::object::ObjectHeader;
use super::shared;
use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::btree::v2::Record;
use crate::format::message::attribute::AttributeMessage;
use crate::format::message::dataspace::Dataspace;
use crate::format::message::datatype::Datatype;
use crate::format::message::misc::AttributeInfo;
use crate::format::message::MessageType;
use crate::format::{Addr, Cursor};
use alloc::vec::Vec;

/// A decoded attribute: name, type, shape and raw value bytes (in the file's encoding).
#[derive(Debug, Clone)]
pub struct RawAttribute {
    /// Name bytes (UTF-8 or ASCII).
    pub name: Vec<u8>,
    /// Element datatype (shared/committed types resolved).
    pub dtype: Datatype,
    /// The committed datatype object the type came from, if any.
    pub committed_type: Option<Addr>,
    /// Shape.
    pub space: Dataspace,
    /// Raw value bytes: exactly `nelements * dtype.size()` bytes.
    pub data: Vec<u8>,
    /// File address of the value bytes.
    pub data_addr: u64,
}

/// The attribute messages of `oh`, compact and dense, in storage order. Each message is
/// returned undecoded so one bad attribute does not hide the others.
///
/// # Errors
/// Format errors of the attribute info message, its heap or B-tree.
pub fn messages(
    r: &Reader,
    info: &FileInfo,
    oh: &ObjectHeader,
) -> Result<Vec<Result<AttributeMessage>>> {
    let mut out = Vec::new();
    for m in oh.all(MessageType::ATTRIBUTE) {
        out.push(
            shared::resolve(
                r,
                info,
                MessageType::ATTRIBUTE,
                m.is_shared(),
                &m.data,
                m.addr,
            )
            .and_then(|b| {
                AttributeMessage::decode(&mut Cursor::new(&b.data, b.addr, "attribute message"))
            }),
        );
    }
    if let Some(m) = oh.find(MessageType::ATTRIBUTE_INFO) {
        let ai = AttributeInfo::decode(&mut m.cursor(""), r.ctx)?;
        if let (Some(heap), Some(index)) = (ai.fractal_heap, ai.name_index) {
            let heap = FractalHeap::open(r, heap)?;
            let tree = BTreeV2::open(r, index)?;
            for rec in tree.records(r) {
                let (id, flags) = match rec? {
                    Record::AttributeName { heap_id, flags, .. } => (heap_id, flags),
                    _ => {
                        return Err(Error::invalid(
                            "attribute name index (not a type 8 B-tree)",
                            index.0,
                        ))
                    }
                };
                let shared = flags & crate::format::object_header::MSG_SHARED != 0;
                out.push(heap.get(r, &id).and_then(|data| {
                    let b = shared::resolve(
                        r,
                        info,
                        MessageType::ATTRIBUTE,
                        shared,
                        &data,
                        heap.addr().0,
                    )?;
                    AttributeMessage::decode(&mut Cursor::new(&b.data, b.addr, "attribute message"))
                }));
            }
        }
    }
    Ok(out)
}

/// Decode an attribute message's datatype, dataspace and value.
///
/// # Errors
/// Format errors of the embedded datatype or dataspace; `Truncated` when the value is shorter
/// than the shape and type require.
pub fn decode(r: &Reader, info: &FileInfo, m: AttributeMessage) -> Result<RawAttribute> {
    let dt = shared::resolve(
        r,
        info,
        MessageType::DATATYPE,
        m.datatype.shared,
        &m.datatype.data,
        m.datatype.addr,
    )?;
    let dtype = Datatype::decode_with_limits(
        &mut Cursor::new(&dt.data, dt.addr, "datatype message"),
        &r.limits,
    )?;
    let ds = shared::resolve(
        r,
        info,
        MessageType::DATASPACE,
        m.dataspace.shared,
        &m.dataspace.data,
        m.dataspace.addr,
    )?;
    let space = Dataspace::decode(
        &mut Cursor::new(&ds.data, ds.addr, "dataspace message"),
        r.ctx,
    )?;
    let n = space
        .nelements()
        .and_then(|n| n.checked_mul(dtype.size()))
        .ok_or(Error::format(
            FormatErrorKind::Overflow,
            "attribute size",
            m.data_addr,
        ))?;
    let n = crate::format::to_usize(n, "attribute size", m.data_addr)?;
    let mut data = m.data;
    if data.len() < n {
        return Err(Error::format(
            FormatErrorKind::Truncated,
            "attribute data",
            m.data_addr,
        ));
    }
    data.truncate(n);
    Ok(RawAttribute {
        name: m.name,
        dtype,
        committed_type: dt.committed,
        space,
        data,
        data_addr: m.data_addr,
    })
}
