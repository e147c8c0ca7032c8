//! Link info message, type 0x0002 (spec: "Link Info Message"): where a new-style group keeps
//! its links when they are stored densely.

use crate::error::{FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor};

/// A decoded link info message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkInfo {
    /// Creation order is tracked (flag bit 0).
    pub tracks_creation_order: bool,
    /// Creation order is indexed (flag bit 1).
    pub indexes_creation_order: bool,
    /// Maximum creation index so far.
    pub max_creation_index: Option<u64>,
    /// Fractal heap holding the link messages (undefined while links are compact).
    pub fractal_heap: Option<Addr>,
    /// Version 2 B-tree indexing links by name hash.
    pub name_index: Option<Addr>,
    /// Version 2 B-tree indexing links by creation order.
    pub creation_order_index: Option<Addr>,
}

impl LinkInfo {
    /// Decode a link info message body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (unknown flags), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("link info message");
        if c.u8()? != 0 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "link info version"));
        }
        let flags = c.u8()?;
        if flags & !0x03 != 0 {
            return Err(c.invalid("link info flags"));
        }
        let max_creation_index = if flags & 1 != 0 { Some(c.u64()?) } else { None };
        let fractal_heap = c.offset(ctx)?;
        let name_index = c.offset(ctx)?;
        let creation_order_index = if flags & 2 != 0 { c.offset(ctx)? } else { None };
        Ok(LinkInfo {
            tracks_creation_order: flags & 1 != 0,
            indexes_creation_order: flags & 2 != 0,
            max_creation_index,
            fractal_heap,
            name_index,
            creation_order_index,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn decode() {
        let mut b = vec![0u8, 3];
        b.extend_from_slice(&7u64.to_le_bytes());
        b.extend_from_slice(&100u64.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(&300u64.to_le_bytes());
        let li = LinkInfo::decode(&mut Cursor::new(&b, 0, ""), Ctx::DEFAULT).unwrap();
        assert_eq!(li.max_creation_index, Some(7));
        assert_eq!(li.fractal_heap, Some(Addr(100)));
        assert_eq!(li.name_index, None);
        assert_eq!(li.creation_order_index, Some(Addr(300)));
        assert!(LinkInfo::decode(&mut Cursor::new(&b[..12], 0, ""), Ctx::DEFAULT).is_err());
    }
}
