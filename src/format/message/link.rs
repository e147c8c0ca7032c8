//! Link message, type 0x0006 (spec: "Link Message"): one named link of a new-style group,
//! stored in the object header (compact) or as a fractal heap object (dense).

use crate::error::{FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor};
use alloc::vec::Vec;

/// Where a link points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
    /// A hard link: the object header address.
    Hard(Addr),
    /// A soft link: a path (absolute or relative to the group).
    Soft(Vec<u8>),
    /// An external link: a file name and an object path in that file.
    External {
        /// The file name as stored.
        file: Vec<u8>,
        /// The object path in that file.
        path: Vec<u8>,
    },
    /// A user-defined link type (>= 65) with its raw data.
    UserDefined {
        /// The link type.
        kind: u8,
        /// Its data.
        data: Vec<u8>,
    },
}

/// A decoded link message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The link name (bytes; UTF-8 when `utf8`).
    pub name: Vec<u8>,
    /// Name character set is UTF-8 (else ASCII).
    pub utf8: bool,
    /// Creation order, when tracked.
    pub creation_order: Option<u64>,
    /// The target.
    pub target: LinkTarget,
}

impl Link {
    /// Decode a link message body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (unknown link type 2..=63, empty name, bad external link
    /// encoding), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("link message");
        if c.u8()? != 1 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "link message version"));
        }
        let flags = c.u8()?;
        let kind = if flags & 0x08 != 0 { c.u8()? } else { 0 };
        let creation_order = if flags & 0x04 != 0 {
            Some(c.u64()?)
        } else {
            None
        };
        let utf8 = if flags & 0x10 != 0 {
            match c.u8()? {
                0 => false,
                1 => true,
                _ => return Err(c.invalid("link name character set")),
            }
        } else {
            false
        };
        let name_len = c.uint(1usize << (flags & 0x03))?;
        if name_len == 0 {
            return Err(c.invalid("link name length"));
        }
        let name_len = crate::format::to_usize(name_len, "link name length", c.addr())?;
        let name = c.bytes(name_len)?.to_vec();
        let target = match kind {
            0 => LinkTarget::Hard(c.defined_offset(ctx, "hard link address")?),
            1 => {
                let n = c.u16()?;
                LinkTarget::Soft(c.bytes(usize::from(n))?.to_vec())
            }
            64 => {
                let n = c.u16()?;
                let mut v = c.sub(usize::from(n), "external link value")?;
                let vf = v.u8()?;
                if vf >> 4 != 0 {
                    return Err(v.err_at(FormatErrorKind::BadVersion, "external link version"));
                }
                let file = v.cstr()?.to_vec();
                let path = v.cstr()?.to_vec();
                LinkTarget::External { file, path }
            }
            k if k >= 65 => {
                let n = c.u16()?;
                LinkTarget::UserDefined {
                    kind: k,
                    data: c.bytes(usize::from(n))?.to_vec(),
                }
            }
            _ => return Err(c.invalid("link type")),
        };
        Ok(Link {
            name,
            utf8,
            creation_order,
            target,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn kinds() {
        let ctx = Ctx::DEFAULT;
        let mut hard = vec![1u8, 0x00, 3];
        hard.extend_from_slice(b"abc");
        hard.extend_from_slice(&800u64.to_le_bytes());
        let l = Link::decode(&mut Cursor::new(&hard, 0, ""), ctx).unwrap();
        assert_eq!(
            (l.name.as_slice(), l.target),
            (&b"abc"[..], LinkTarget::Hard(Addr(800)))
        );

        let mut soft = vec![1u8, 0x1c, 1, 5, 0, 0, 0, 0, 0, 0, 9, 1, 1, b's'];
        soft.extend_from_slice(&4u16.to_le_bytes());
        soft.extend_from_slice(b"/a/b");
        let l = Link::decode(&mut Cursor::new(&soft, 0, ""), ctx).unwrap();
        assert_eq!(l.creation_order, Some(5 | (9 << 56)));
        assert!(l.utf8);
        assert_eq!(l.target, LinkTarget::Soft(b"/a/b".to_vec()));

        let mut ext = vec![1u8, 0x08, 64, 1, b'e'];
        ext.extend_from_slice(&9u16.to_le_bytes());
        ext.extend_from_slice(b"\x00f.h5\x00/x\x00");
        let l = Link::decode(&mut Cursor::new(&ext, 0, ""), ctx).unwrap();
        assert_eq!(
            l.target,
            LinkTarget::External {
                file: b"f.h5".to_vec(),
                path: b"/x".to_vec()
            }
        );
        let bad = [1u8, 0x08, 7, 1, b'e'];
        assert_eq!(
            Link::decode(&mut Cursor::new(&bad, 0, ""), ctx)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }
}
