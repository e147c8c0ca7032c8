//! The metadata of a dataset: datatype, dataspace, layout, filters, fill value and external
//! files, gathered from its object header.

use super::file::FileInfo;
use super::object::ObjectHeader;
use super::shared;
use super::Reader;
use crate::error::{Error, Result};
use crate::format::message::dataspace::Dataspace;
use crate::format::message::datatype::Datatype;
use crate::format::message::external_files::ExternalFiles;
use crate::format::message::fill_value::{FillValue, FillValueMessage};
use crate::format::message::filter_pipeline::{self, Filter};
use crate::format::message::layout::LayoutMessage;
use crate::format::message::MessageType;
use crate::format::{Addr, Cursor};
use alloc::vec::Vec;

/// Everything the header says about a dataset.
#[derive(Debug, Clone)]
pub struct DatasetInfo {
    /// Element type.
    pub dtype: Datatype,
    /// The committed datatype the type came from, if any.
    pub committed_type: Option<Addr>,
    /// Shape.
    pub space: Dataspace,
    /// Storage layout.
    pub layout: LayoutMessage,
    /// Filter pipeline, in application order.
    pub filters: Vec<Filter>,
    /// Fill value (the new message wins over the old one; none at all is the default).
    pub fill: FillValueMessage,
    /// External raw data files, if any.
    pub external: Option<ExternalFiles>,
}

fn body(
    r: &Reader,
    info: &FileInfo,
    oh: &ObjectHeader,
    kind: MessageType,
) -> Result<Option<shared::Body>> {
    oh.find(kind)
        .map(|m| shared::resolve(r, info, kind, m.is_shared(), &m.data, m.addr))
        .transpose()
}

/// Gather the dataset metadata of `oh`.
///
/// # Errors
/// `InvalidValue` when a required message (datatype, dataspace, layout) is missing; format
/// errors of the messages.
pub fn info(r: &Reader, info: &FileInfo, oh: &ObjectHeader) -> Result<DatasetInfo> {
    let missing = |what| Error::invalid(what, oh.addr.0);
    let dt = body(r, info, oh, MessageType::DATATYPE)?
        .ok_or(missing("dataset (no datatype message)"))?;
    let dtype = Datatype::decode_with_limits(
        &mut Cursor::new(&dt.data, dt.addr, "datatype message"),
        &r.limits,
    )?;
    let ds = body(r, info, oh, MessageType::DATASPACE)?
        .ok_or(missing("dataset (no dataspace message)"))?;
    let space = Dataspace::decode(
        &mut Cursor::new(&ds.data, ds.addr, "dataspace message"),
        r.ctx,
    )?;
    let lm = oh
        .find(MessageType::LAYOUT)
        .ok_or(missing("dataset (no layout message)"))?;
    let layout = LayoutMessage::decode(&mut lm.cursor(""), r.ctx)?;
    let filters = match body(r, info, oh, MessageType::FILTER_PIPELINE)? {
        Some(b) => filter_pipeline::decode(&mut Cursor::new(&b.data, b.addr, ""))?,
        None => Vec::new(),
    };
    let fill = if let Some(b) = body(r, info, oh, MessageType::FILL_VALUE)? {
        FillValueMessage::decode(&mut Cursor::new(&b.data, b.addr, ""))?
    } else if let Some(b) = body(r, info, oh, MessageType::FILL_VALUE_OLD)? {
        FillValueMessage::decode_old(&mut Cursor::new(&b.data, b.addr, ""))?
    } else {
        FillValueMessage {
            version: 0,
            alloc_time: 0,
            fill_time: 2,
            value: FillValue::Default,
        }
    };
    let external = oh
        .find(MessageType::EXTERNAL_FILES)
        .map(|m| ExternalFiles::decode(&mut m.cursor(""), r.ctx))
        .transpose()?;
    Ok(DatasetInfo {
        dtype,
        committed_type: dt.committed,
        space,
        layout,
        filters,
        fill,
        external,
    })
}
