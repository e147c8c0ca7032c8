//! External data files message, type 0x0007 (spec: "External Data Files Message").

use crate::error::{FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor};
use alloc::vec::Vec;

/// One slot: a segment of raw data in an external file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExternalSlot {
    /// Offset of the file name in the message's local heap.
    pub name_offset: u64,
    /// Byte offset of the data in that file.
    pub offset: u64,
    /// Bytes of data in this segment (all ones: to the end of the file).
    pub size: u64,
}

/// A decoded external data files message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalFiles {
    /// Local heap holding the file names.
    pub heap: Addr,
    /// The slots in use, in data order.
    pub slots: Vec<ExternalSlot>,
}

impl ExternalFiles {
    /// Decode the body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (used > allocated), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("external data files message");
        if c.u8()? != 1 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "external data files version"));
        }
        c.skip(3)?;
        let allocated = c.u16()?;
        let used = c.u16()?;
        if used > allocated {
            return Err(c.invalid("external data files slot count"));
        }
        let heap = c.defined_offset(ctx, "external data files heap address")?;
        let mut slots = Vec::with_capacity(usize::from(used).min(c.remaining() / 3));
        for _ in 0..used {
            slots.push(ExternalSlot {
                name_offset: c.length(ctx)?,
                offset: c.length(ctx)?,
                size: c.length(ctx)?,
            });
        }
        Ok(ExternalFiles { heap, slots })
    }
}
