//! Link info message, type 0x0002 (spec: "Link Info Message"): where a new-style group keeps
//! its links when they are stored densely.

use crate::error::{FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor, Encoder};

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

    /// Encode the body (version 0): flags, the maximum creation index when creation order
    /// is tracked (0 when not given), the fractal heap and name index addresses, and the
    /// creation-order index address when creation order is indexed. Absent addresses are the
    /// undefined address (links stored compactly).
    pub fn encode(&self, e: &mut Encoder) {
        let flags =
            u8::from(self.tracks_creation_order) | u8::from(self.indexes_creation_order) << 1;
        e.u8(0).u8(flags);
        if self.tracks_creation_order {
            e.u64(self.max_creation_index.unwrap_or(0));
        }
        e.opt_offset(self.fractal_heap).opt_offset(self.name_index);
        if self.indexes_creation_order {
            e.opt_offset(self.creation_order_index);
        }
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

    #[test]
    fn encode_round_trip() {
        for ctx in [
            Ctx::DEFAULT,
            Ctx {
                offset_size: 4,
                length_size: 4,
            },
        ] {
            for li in [
                LinkInfo {
                    tracks_creation_order: false,
                    indexes_creation_order: false,
                    max_creation_index: None,
                    fractal_heap: None,
                    name_index: None,
                    creation_order_index: None,
                },
                LinkInfo {
                    tracks_creation_order: true,
                    indexes_creation_order: true,
                    max_creation_index: Some(12),
                    fractal_heap: Some(Addr(100)),
                    name_index: Some(Addr(200)),
                    creation_order_index: None,
                },
            ] {
                let mut e = Encoder::new(ctx);
                li.encode(&mut e);
                let b = e.finish();
                let mut c = Cursor::new(&b, 0, "");
                assert_eq!(LinkInfo::decode(&mut c, ctx).unwrap(), li);
                assert_eq!(c.remaining(), 0);
            }
        }
    }
}
