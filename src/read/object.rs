//! Reading whole object headers: the first block, every continuation block (with cycle
//! detection and the continuation cap), and the messages in them.

use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::message::MessageType;
use crate::format::object_header::{self, Continuation, Message, Prefix};
use crate::format::Addr;
use crate::limits::Limits;
use alloc::collections::BTreeSet;
use alloc::vec::Vec;

/// What kind of object a header describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    /// A group (symbol table, link info or link messages).
    Group,
    /// A dataset (a layout message).
    Dataset,
    /// A committed (named) datatype (a datatype message and no layout).
    Datatype,
    /// None of the above.
    Unknown,
}

/// An object header with all its messages, continuations followed.
#[derive(Debug, Clone)]
pub struct ObjectHeader {
    /// Address of the header.
    pub addr: Addr,
    /// The prefix of its first block.
    pub prefix: Prefix,
    /// Every message, in file order, continuation messages included.
    pub messages: Vec<Message>,
}

impl ObjectHeader {
    /// Read the object header at `addr`.
    ///
    /// # Errors
    /// Format errors of the header and continuation blocks; `Cycle` when continuations loop;
    /// `LimitExceeded` (`max_continuations`, `max_messages`).
    pub fn read(r: &Reader, addr: Addr) -> Result<Self> {
        // Enough for any prefix: a v2 prefix is at most 4+1+1+16+4+8 bytes.
        let head = r.block_upto(addr, 40, "object header prefix")?;
        let prefix = Prefix::decode(&head, addr.0)?;
        let first = r.block(addr, prefix.block_len(), "object header")?;
        let mut messages = Vec::new();
        let prefix = object_header::decode_first_block(&first, addr.0, &mut messages)?;
        let mut seen = BTreeSet::new();
        seen.insert(addr.0);
        let mut next = 0usize;
        let mut count = 0u32;
        while let Some(m) = messages.get(next) {
            next += 1;
            if m.kind != MessageType::CONTINUATION {
                continue;
            }
            let cont = Continuation::decode(m, r.ctx)?;
            count += 1;
            Limits::check(
                "max_continuations",
                u64::from(count),
                u64::from(r.limits.max_continuations),
            )?;
            if !seen.insert(cont.addr.0) {
                return Err(Error::format(
                    FormatErrorKind::Cycle,
                    "object header continuation",
                    cont.addr.0,
                ));
            }
            let block = r.block(cont.addr, cont.len, "object header continuation block")?;
            object_header::decode_continuation_block(&block, cont.addr.0, &prefix, &mut messages)?;
            Limits::check(
                "max_messages",
                messages.len() as u64,
                u64::from(r.limits.max_messages),
            )?;
        }
        Ok(ObjectHeader {
            addr,
            prefix,
            messages,
        })
    }

    /// The first message of `kind`.
    pub fn find(&self, kind: MessageType) -> Option<&Message> {
        self.messages.iter().find(|m| m.kind == kind)
    }

    /// All messages of `kind`.
    pub fn all(&self, kind: MessageType) -> impl Iterator<Item = &Message> {
        self.messages.iter().filter(move |m| m.kind == kind)
    }

    /// Classify the object the way libhdf5 does: a group has a symbol table or link info
    /// message; a dataset has a layout message; a datatype has a datatype message.
    pub fn kind(&self) -> ObjectKind {
        let has = |k| self.find(k).is_some();
        if has(MessageType::SYMBOL_TABLE) || has(MessageType::LINK_INFO) {
            ObjectKind::Group
        } else if has(MessageType::LAYOUT) {
            ObjectKind::Dataset
        } else if has(MessageType::DATATYPE) {
            ObjectKind::Datatype
        } else if has(MessageType::LINK) || has(MessageType::GROUP_INFO) {
            ObjectKind::Group
        } else {
            ObjectKind::Unknown
        }
    }
}
