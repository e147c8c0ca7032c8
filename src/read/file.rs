//! Opening a file: finding the superblock (after an optional user block), reading the
//! superblock extension, and the shared-message table.

use super::object::ObjectHeader;
use super::{Reader, Source};
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::message::misc::{BTreeK, SharedMessageTable};
use crate::format::message::MessageType;
use crate::format::superblock::{self, Superblock};
use crate::format::{Addr, Ctx, Cursor};
use crate::limits::Limits;
use alloc::vec::Vec;

/// One index of the shared object header message (SOHM) master table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedIndex {
    /// Message types kept in this index (bit 0 dataspace, 1 datatype, 2 fill value,
    /// 3 filter pipeline, 4 attribute).
    pub message_types: u16,
    /// Fractal heap holding the shared messages.
    pub heap: Addr,
}

impl SharedIndex {
    /// Whether messages of `kind` are shared through this index.
    pub fn holds(&self, kind: MessageType) -> bool {
        let bit = match kind {
            MessageType::DATASPACE => 0,
            MessageType::DATATYPE => 1,
            MessageType::FILL_VALUE => 2,
            MessageType::FILTER_PIPELINE => 3,
            MessageType::ATTRIBUTE => 4,
            _ => return false,
        };
        self.message_types & (1 << bit) != 0
    }
}

/// An opened file: the superblock and what it leads to.
#[derive(Debug, Clone)]
pub struct FileInfo {
    /// The superblock.
    pub superblock: Superblock,
    /// Bytes before the superblock (the user block).
    pub userblock: u64,
    /// SOHM indexes (empty when the file shares no messages).
    pub shared_indexes: Vec<SharedIndex>,
    /// B-tree K values (from the superblock, or the extension's B-tree K message).
    pub btree_k: BTreeK,
}

/// Find the superblock: at 0, 512, 1024, 2048, ... (spec: "Format Signature and Superblock").
///
/// # Errors
/// `BadSignature` when no signature is found before the end of the source.
pub fn find_superblock(src: &Source) -> Result<(u64, Superblock)> {
    let len = src.len()?;
    let mut pos = 0u64;
    loop {
        if pos.saturating_add(8) > len {
            return Err(Error::format(
                FormatErrorKind::BadSignature,
                "superblock",
                0,
            ));
        }
        let mut sig = [0u8; 8];
        src.read_exact_at(pos, &mut sig)?;
        if sig == superblock::SIGNATURE {
            let n = (superblock::MAX_SIZE as u64).min(len - pos);
            let mut buf = alloc::vec![0u8; crate::format::to_usize(n, "superblock", pos)?];
            src.read_exact_at(pos, &mut buf)?;
            return Ok((pos, Superblock::decode(&buf, pos)?));
        }
        pos = if pos == 0 { 512 } else { pos.saturating_mul(2) };
    }
}

/// Open a source: locate and decode the superblock, build the [`Reader`], read the
/// superblock extension.
///
/// # Errors
/// Any format error of the superblock or its extension.
pub fn open(src: Source, limits: Limits) -> Result<(Reader, FileInfo)> {
    let (pos, sb) = find_superblock(&src)?;
    // Addresses are relative to the base address. libhdf5 writes the superblock's position
    // there (the user block size) and, when reading, uses that position if the two differ.
    let r = Reader::new(src, pos, sb.ctx, limits)?;
    // Like libhdf5 ("truncated file"), refuse a source shorter than the stored end of file.
    // libhdf5 stores the end of file as relative end-of-allocation plus the base address,
    // i.e. as an absolute length.
    if r.available().saturating_add(pos) < sb.eof {
        return Err(Error::format(
            FormatErrorKind::Truncated,
            "file (shorter than the superblock's end-of-file address)",
            r.available(),
        ));
    }
    let mut info = FileInfo {
        btree_k: BTreeK {
            indexed_storage_internal: sb.indexed_storage_k,
            group_internal: sb.group_internal_k,
            group_leaf: sb.group_leaf_k,
        },
        superblock: sb,
        userblock: pos,
        shared_indexes: Vec::new(),
    };
    if let Some(ext) = info.superblock.extension {
        let oh = ObjectHeader::read(&r, ext)?;
        if let Some(m) = oh.find(MessageType::BTREE_K) {
            info.btree_k = BTreeK::decode(&mut m.cursor("B-tree K message"))?;
        }
        if let Some(m) = oh.find(MessageType::SHARED_MESSAGE_TABLE) {
            let t = SharedMessageTable::decode(&mut m.cursor(""), r.ctx)?;
            info.shared_indexes = read_master_table(&r, t)?;
        }
    }
    Ok((r, info))
}

/// Decode the SOHM master table ("SMTB"; spec: "Shared Object Header Message Table").
fn read_master_table(r: &Reader, t: SharedMessageTable) -> Result<Vec<SharedIndex>> {
    let ctx: Ctx = r.ctx;
    let per = 14 + 2 * u64::from(ctx.offset_size);
    let len = 4 + u64::from(t.nindexes) * per + 4;
    let b = r.block(t.table, len, "shared message table")?;
    crate::format::checksum::verify(&b, t.table.0, "shared message table")?;
    let mut c = Cursor::new(&b, t.table.0, "shared message table");
    c.signature(b"SMTB")?;
    let mut out = Vec::with_capacity(usize::from(t.nindexes));
    for _ in 0..t.nindexes {
        let version = c.u8()?;
        if version != 0 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "shared message index version"));
        }
        let _index_type = c.u8()?;
        let message_types = c.u16()?;
        let _min_size = c.u32()?;
        let _list_cutoff = c.u16()?;
        let _btree_cutoff = c.u16()?;
        let _nmessages = c.u16()?;
        let _index = c.offset(ctx)?;
        let heap = c.defined_offset(ctx, "shared message heap address")?;
        out.push(SharedIndex {
            message_types,
            heap,
        });
    }
    Ok(out)
}
