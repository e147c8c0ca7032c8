//! External data files message, type 0x0007 (spec: "External Data Files Message").

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor, Encoder};
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

impl ExternalFiles {
    /// Encode the body (version 1): three reserved zero bytes, the allocated and used slot
    /// counts (both the number of slots, as libhdf5 writes them), the heap address, then each
    /// slot's name offset, file offset and size.
    ///
    /// # Errors
    /// [`Error::Usage`] for more than 65535 slots.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let n = u16::try_from(self.slots.len())
            .map_err(|_| Error::Usage("more than 65535 external file slots".into()))?;
        e.u8(1).zeros(3).u16(n).u16(n).offset(self.heap);
        for s in &self.slots {
            e.length(s.name_offset).length(s.offset).length(s.size);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_round_trip() {
        let x = ExternalFiles {
            heap: Addr(0x300),
            slots: alloc::vec![
                ExternalSlot {
                    name_offset: 8,
                    offset: 0,
                    size: 400
                },
                ExternalSlot {
                    name_offset: 24,
                    offset: 16,
                    size: u64::MAX
                },
            ],
        };
        let mut e = Encoder::new(Ctx::DEFAULT);
        x.encode(&mut e).unwrap();
        let b = e.finish();
        let mut c = Cursor::new(&b, 0, "");
        assert_eq!(ExternalFiles::decode(&mut c, Ctx::DEFAULT).unwrap(), x);
        assert_eq!(c.remaining(), 0);
    }
}
