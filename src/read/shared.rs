//! Resolving shared messages (spec: "Shared Message" and "Shared Object Header Message Table"):
//! a message whose shared flag is set holds a reference to the real message, either in another
//! object header (committed datatypes) or in a SOHM fractal heap.

use super::file::FileInfo;
use super::fractal_heap::FractalHeap;
use super::object::ObjectHeader;
use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::message::misc::SharedRef;
use crate::format::message::MessageType;
use crate::format::{Addr, Cursor};
use alloc::vec::Vec;

/// The body of a message after resolving sharing: its bytes and their file address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// File address of the body (for errors).
    pub addr: u64,
    /// The message body.
    pub data: Vec<u8>,
    /// The committed object the message came from, if any (a named datatype).
    pub committed: Option<Addr>,
}

/// Resolve a message body of `kind`: `shared` says whether `data` is a shared reference.
///
/// # Errors
/// Format errors of the reference, the target header or heap; `Cycle` when shared messages
/// refer to each other more deeply than the depth cap.
pub fn resolve(
    r: &Reader,
    info: &FileInfo,
    kind: MessageType,
    shared: bool,
    data: &[u8],
    addr: u64,
) -> Result<Body> {
    let mut body = Body {
        addr,
        data: data.to_vec(),
        committed: None,
    };
    let mut shared = shared;
    let mut depth = 0u32;
    while shared {
        depth += 1;
        if depth > r.limits.max_depth {
            return Err(Error::format(
                FormatErrorKind::Cycle,
                "shared message",
                body.addr,
            ));
        }
        let sref = SharedRef::decode(
            &mut Cursor::new(&body.data, body.addr, "shared message"),
            r.ctx,
        )?;
        match sref {
            SharedRef::ObjectHeader(target) => {
                let oh = ObjectHeader::read(r, target)?;
                let m = oh.find(kind).ok_or(Error::invalid(
                    "shared message target (no such message)",
                    target.0,
                ))?;
                shared = m.is_shared();
                body = Body {
                    addr: m.addr,
                    data: m.data.clone(),
                    committed: Some(target),
                };
            }
            SharedRef::Heap(id) => {
                let index =
                    info.shared_indexes
                        .iter()
                        .find(|i| i.holds(kind))
                        .ok_or(Error::invalid(
                            "shared message (no SOHM index for its type)",
                            body.addr,
                        ))?;
                let heap = FractalHeap::open(r, index.heap)?;
                let data = heap.get(r, &id)?;
                shared = false;
                body = Body {
                    addr: index.heap.0,
                    data,
                    committed: None,
                };
            }
        }
    }
    Ok(body)
}
