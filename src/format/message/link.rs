//! Link message, type 0x0006 (spec: "Link Message"): one named link of a new-style group,
//! stored in the object header (compact) or as a fractal heap object (dense).

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Addr, Ctx, Cursor, Encoder};
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

    /// Encode the body (version 1), with the flags libhdf5 derives from the link: the name
    /// length in the fewest of 1, 2, 4 or 8 bytes, the creation order when given, the link
    /// type only for links other than hard, the character set only when UTF-8. Soft link
    /// values are stored without a NUL; external link values as a zero flags byte, then the
    /// file name and the object path, each NUL-terminated.
    ///
    /// # Errors
    /// [`Error::Usage`] for an empty name, a user-defined type below 65, a link value over
    /// 65535 bytes, or an external file name or path containing a NUL byte.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let usage = |m: &str| Error::Usage(alloc::format!("link message: {m}"));
        if self.name.is_empty() {
            return Err(usage("empty name"));
        }
        let n = self.name.len() as u64;
        let width_code: u8 = if n > 0xffff_ffff {
            3
        } else if n > 0xffff {
            2
        } else if n > 0xff {
            1
        } else {
            0
        };
        let kind = match &self.target {
            LinkTarget::Hard(_) => 0,
            LinkTarget::Soft(_) => 1,
            LinkTarget::External { .. } => 64,
            LinkTarget::UserDefined { kind, .. } => {
                if *kind < 65 {
                    return Err(usage("user-defined link type below 65"));
                }
                *kind
            }
        };
        let mut flags = width_code;
        if self.creation_order.is_some() {
            flags |= 0x04;
        }
        if kind != 0 {
            flags |= 0x08;
        }
        if self.utf8 {
            flags |= 0x10;
        }
        e.u8(1).u8(flags);
        if kind != 0 {
            e.u8(kind);
        }
        if let Some(o) = self.creation_order {
            e.u64(o);
        }
        if self.utf8 {
            e.u8(1);
        }
        e.uint(n, 1usize << width_code).bytes(&self.name);
        let value_len =
            |n: usize| u16::try_from(n).map_err(|_| usage("link value over 65535 bytes"));
        match &self.target {
            LinkTarget::Hard(a) => {
                e.offset(*a);
            }
            LinkTarget::Soft(p) => {
                e.u16(value_len(p.len())?).bytes(p);
            }
            LinkTarget::External { file, path } => {
                if file.contains(&0) || path.contains(&0) {
                    return Err(usage("external link file or path contains a NUL byte"));
                }
                let total = file.len().saturating_add(path.len()).saturating_add(3);
                e.u16(value_len(total)?)
                    .u8(0)
                    .bytes(file)
                    .u8(0)
                    .bytes(path)
                    .u8(0);
            }
            LinkTarget::UserDefined { data, .. } => {
                e.u16(value_len(data.len())?).bytes(data);
            }
        }
        Ok(())
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

    #[test]
    fn encode_round_trip() {
        let long = vec![b'n'; 300];
        let links = [
            Link {
                name: b"abc".to_vec(),
                utf8: false,
                creation_order: None,
                target: LinkTarget::Hard(Addr(800)),
            },
            Link {
                name: long,
                utf8: true,
                creation_order: Some(7),
                target: LinkTarget::Soft(b"/a/b".to_vec()),
            },
            Link {
                name: "é".as_bytes().to_vec(),
                utf8: true,
                creation_order: Some(0),
                target: LinkTarget::External {
                    file: b"f.h5".to_vec(),
                    path: b"/x".to_vec(),
                },
            },
            Link {
                name: b"u".to_vec(),
                utf8: false,
                creation_order: None,
                target: LinkTarget::UserDefined {
                    kind: 70,
                    data: vec![1, 2],
                },
            },
        ];
        for l in links {
            let mut e = Encoder::new(Ctx::DEFAULT);
            l.encode(&mut e).unwrap();
            let b = e.finish();
            let mut c = Cursor::new(&b, 0, "");
            assert_eq!(Link::decode(&mut c, Ctx::DEFAULT).unwrap(), l);
            assert_eq!(c.remaining(), 0);
        }
        // the bytes of `kinds`' hard link
        let mut hard = vec![1u8, 0x00, 3];
        hard.extend_from_slice(b"abc");
        hard.extend_from_slice(&800u64.to_le_bytes());
        let l = Link::decode(&mut Cursor::new(&hard, 0, ""), Ctx::DEFAULT).unwrap();
        let mut e = Encoder::new(Ctx::DEFAULT);
        l.encode(&mut e).unwrap();
        assert_eq!(e.finish(), hard);
    }
}
