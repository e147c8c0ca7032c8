//! The superblock, versions 0 to 3 (spec: "Superblock").

use super::checksum;
use super::symbol_table::SymbolTableEntry;
use super::{Addr, Ctx, Cursor, Encoder};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;

/// The eight-byte format signature that starts every superblock.
pub const SIGNATURE: [u8; 8] = [0x89, b'H', b'D', b'F', b'\r', b'\n', 0x1a, b'\n'];

/// Bytes enough to decode any superblock version (v1 with 8-byte offsets is 96 bytes).
pub const MAX_SIZE: usize = 8 + 16 + 8 + 4 * 8 + 40 + 16;

/// A decoded superblock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Superblock {
    /// Superblock format version (0..=3).
    pub version: u8,
    /// Offset/length widths.
    pub ctx: Ctx,
    /// File consistency flags.
    pub consistency_flags: u32,
    /// Group leaf node K (versions 0 and 1; default 4).
    pub group_leaf_k: u16,
    /// Group internal node K (versions 0 and 1; default 16).
    pub group_internal_k: u16,
    /// Indexed storage internal node K (version 1; default 32).
    pub indexed_storage_k: u16,
    /// Base address as stored. libhdf5 uses the superblock's own position instead when the two
    /// differ (a user block); so does h5oxide.
    pub base_address: u64,
    /// Superblock extension object header (versions 2 and 3).
    pub extension: Option<Addr>,
    /// End-of-file address (relative to the base).
    pub eof: u64,
    /// Root group object header address.
    pub root: Addr,
    /// Root group symbol table entry (versions 0 and 1).
    pub root_entry: Option<SymbolTableEntry>,
}

fn check_size(c: &Cursor<'_>, v: u8, what: &'static str) -> Result<u8> {
    match v {
        2 | 4 | 8 => Ok(v),
        _ => Err(c.invalid(what)),
    }
}

impl Superblock {
    /// Decode a superblock from `data`, which starts with the signature at file position
    /// `addr` (absolute, used in errors). `data` may extend beyond the superblock.
    ///
    /// # Errors
    /// `BadSignature`, `BadVersion`, `InvalidValue` (offset sizes), `BadChecksum`, `Truncated`.
    pub fn decode(data: &[u8], addr: u64) -> Result<Self> {
        let mut c = Cursor::new(data, addr, "superblock");
        let sig = c.bytes(8)?;
        if sig != SIGNATURE {
            return Err(Error::format(
                FormatErrorKind::BadSignature,
                "superblock",
                addr,
            ));
        }
        let version = c.u8()?;
        match version {
            0 | 1 => Self::decode_v0_v1(c, version),
            2 | 3 => Self::decode_v2_v3(c, version, data, addr),
            _ => Err(Error::format(
                FormatErrorKind::BadVersion,
                "superblock version",
                addr + 8,
            )),
        }
    }

    fn decode_v0_v1(mut c: Cursor<'_>, version: u8) -> Result<Self> {
        // The free-space storage, root group symbol table entry and shared header message
        // format versions: 0 is the only one defined (libhdf5 refuses others too).
        for (skip, what) in [
            (0, "superblock free-space storage version"),
            (0, "superblock root group symbol table entry version"),
            (1, "superblock shared header message format version"),
        ] {
            c.skip(skip)?;
            if c.clone().u8()? != 0 {
                return Err(c.err_at(FormatErrorKind::BadVersion, what));
            }
            c.skip(1)?;
        }
        let offset_size = check_size(&c, c.clone().u8()?, "superblock size of offsets")?;
        c.skip(1)?;
        let length_size = check_size(&c, c.clone().u8()?, "superblock size of lengths")?;
        c.skip(2)?;
        let ctx = Ctx {
            offset_size,
            length_size,
        };
        let group_leaf_k = c.u16()?;
        let group_internal_k = c.u16()?;
        if group_leaf_k == 0 || group_internal_k == 0 {
            return Err(c.invalid("superblock group B-tree K"));
        }
        let consistency_flags = c.u32()?;
        let mut indexed_storage_k = 32;
        if version == 1 {
            indexed_storage_k = c.u16()?;
            c.skip(2)?;
        }
        let base_address = c.uint(usize::from(offset_size))?;
        let _free_space = c.offset(ctx)?;
        let eof = c.uint(usize::from(offset_size))?;
        let _driver = c.offset(ctx)?;
        let entry = SymbolTableEntry::decode(&mut c, ctx)?;
        let root = entry
            .object_header
            .ok_or(c.invalid("superblock root group object header address"))?;
        Ok(Superblock {
            version,
            ctx,
            consistency_flags,
            group_leaf_k,
            group_internal_k,
            indexed_storage_k,
            base_address,
            extension: None,
            eof,
            root,
            root_entry: Some(entry),
        })
    }

    fn decode_v2_v3(mut c: Cursor<'_>, version: u8, data: &[u8], addr: u64) -> Result<Self> {
        let offset_size = check_size(&c, c.clone().u8()?, "superblock size of offsets")?;
        c.skip(1)?;
        let length_size = check_size(&c, c.clone().u8()?, "superblock size of lengths")?;
        c.skip(1)?;
        let ctx = Ctx {
            offset_size,
            length_size,
        };
        let consistency_flags = u32::from(c.u8()?);
        let base_address = c.uint(usize::from(offset_size))?;
        let extension = c.offset(ctx)?;
        let eof = c.uint(usize::from(offset_size))?;
        let root = c.defined_offset(ctx, "superblock root group object header address")?;
        let len = c.pos() + 4;
        let block = data.get(..len).ok_or(Error::format(
            FormatErrorKind::Truncated,
            "superblock",
            addr,
        ))?;
        checksum::verify(block, addr, "superblock")?;
        Ok(Superblock {
            version,
            ctx,
            consistency_flags,
            group_leaf_k: 4,
            group_internal_k: 16,
            indexed_storage_k: 32,
            base_address,
            extension,
            eof,
            root,
            root_entry: None,
        })
    }
}

impl Superblock {
    /// Encode this superblock (spec "Superblock", versions 0 to 3). Version 0 and 1 write the
    /// root group's symbol table entry ([`Superblock::root_entry`], or one with no cached
    /// addresses); versions 2 and 3 end with their checksum. Free-space and driver addresses
    /// are written undefined (h5oxide writes neither).
    ///
    /// # Errors
    /// [`Error::Usage`] for an unknown version.
    pub fn encode(&self) -> Result<Vec<u8>> {
        let ctx = self.ctx;
        let mut e = Encoder::new(ctx);
        e.bytes(&SIGNATURE).u8(self.version);
        match self.version {
            0 | 1 => {
                // Free-space, root entry and shared header format versions, reserved.
                e.u8(0).u8(0).u8(0).u8(0);
                e.u8(ctx.offset_size).u8(ctx.length_size).u8(0);
                e.u16(self.group_leaf_k).u16(self.group_internal_k);
                e.u32(self.consistency_flags);
                if self.version == 1 {
                    e.u16(self.indexed_storage_k).u16(0);
                }
                e.offset(Addr(self.base_address))
                    .undefined()
                    .offset(Addr(self.eof))
                    .undefined();
                let entry = self.root_entry.unwrap_or(SymbolTableEntry {
                    name_offset: 0,
                    object_header: Some(self.root),
                    scratch: crate::format::symbol_table::Scratch::None,
                });
                encode_entry(&mut e, &entry);
            }
            2 | 3 => {
                e.u8(ctx.offset_size).u8(ctx.length_size);
                e.u8(u8::try_from(self.consistency_flags).unwrap_or(0));
                e.offset(Addr(self.base_address))
                    .opt_offset(self.extension)
                    .offset(Addr(self.eof))
                    .offset(self.root);
                e.checksum_from(0);
            }
            v => {
                return Err(Error::Usage(alloc::format!(
                    "superblock version {v} cannot be written"
                )))
            }
        }
        Ok(e.finish())
    }

    /// Size of the encoded superblock of `version` with widths `ctx`.
    pub fn encoded_size(version: u8, ctx: Ctx) -> u64 {
        let o = u64::from(ctx.offset_size);
        match version {
            0 => 24 + 4 * o + (2 * o + 24),
            1 => 28 + 4 * o + (2 * o + 24),
            _ => 12 + 4 * o + 4,
        }
    }
}

/// One symbol table entry (spec "Symbol Table Entry"): name offset, header address, cache
/// type, reserved, and the 16-byte scratch pad.
fn encode_entry(e: &mut Encoder, entry: &SymbolTableEntry) {
    use crate::format::symbol_table::Scratch;
    e.uint(entry.name_offset, usize::from(e.ctx().offset_size));
    e.opt_offset(entry.object_header);
    match entry.scratch {
        Scratch::None => {
            e.u32(0).u32(0).zeros(16);
        }
        Scratch::Group { btree, heap } => {
            e.u32(1).u32(0).offset(btree).offset(heap);
            let used = 2 * usize::from(e.ctx().offset_size);
            e.zeros(16usize.saturating_sub(used));
        }
        Scratch::SoftLink { value_offset } => {
            e.u32(2).u32(0).u32(value_offset).zeros(12);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v2(offsets: u8) -> alloc::vec::Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&[2, offsets, offsets, 0]);
        let w = usize::from(offsets);
        b.extend_from_slice(&0u64.to_le_bytes()[..w]);
        b.extend_from_slice(&u64::MAX.to_le_bytes()[..w]);
        b.extend_from_slice(&4096u64.to_le_bytes()[..w]);
        b.extend_from_slice(&48u64.to_le_bytes()[..w]);
        let s = checksum::lookup3(&b, 0);
        b.extend_from_slice(&s.to_le_bytes());
        b
    }

    /// A version 0 or 1 superblock with 8-byte offsets and the root header at `root`.
    fn v0(version: u8, istore_k: u16) -> alloc::vec::Vec<u8> {
        let mut b = SIGNATURE.to_vec();
        b.extend_from_slice(&[version, 0, 0, 0, 0, 8, 8, 0]);
        b.extend_from_slice(&4u16.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        if version == 1 {
            b.extend_from_slice(&istore_k.to_le_bytes());
            b.extend_from_slice(&[0, 0]);
        }
        for v in [0u64, u64::MAX, 2048, u64::MAX, 0, 96] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&1u32.to_le_bytes()); // cache type 1: B-tree + heap cached
        b.extend_from_slice(&[0; 4]);
        b.extend_from_slice(&136u64.to_le_bytes());
        b.extend_from_slice(&680u64.to_le_bytes());
        b
    }

    fn e_what(e: &Error) -> &'static str {
        match e {
            Error::Format { what, .. } => what,
            _ => "",
        }
    }

    #[test]
    fn encode_round_trips_every_version() {
        for version in [0u8, 1, 2, 3] {
            for ctx in [
                Ctx::DEFAULT,
                Ctx {
                    offset_size: 4,
                    length_size: 4,
                },
            ] {
                let sb = Superblock {
                    version,
                    ctx,
                    consistency_flags: 0,
                    group_leaf_k: 4,
                    group_internal_k: 16,
                    indexed_storage_k: 32,
                    base_address: 0,
                    extension: None,
                    eof: 4096,
                    root: Addr(96),
                    root_entry: (version < 2).then_some(SymbolTableEntry {
                        name_offset: 0,
                        object_header: Some(Addr(96)),
                        scratch: crate::format::symbol_table::Scratch::Group {
                            btree: Addr(136),
                            heap: Addr(680),
                        },
                    }),
                };
                let b = sb.encode().unwrap();
                assert_eq!(b.len() as u64, Superblock::encoded_size(version, ctx));
                assert_eq!(Superblock::decode(&b, 0).unwrap(), sb, "version {version}");
            }
        }
    }

    #[test]
    fn v0_and_v1() {
        let s = Superblock::decode(&v0(0, 0), 0).unwrap();
        assert_eq!(
            (
                s.version,
                s.group_leaf_k,
                s.group_internal_k,
                s.indexed_storage_k
            ),
            (0, 4, 16, 32)
        );
        assert_eq!((s.root, s.eof), (Addr(96), 2048));
        let s = Superblock::decode(&v0(1, 64), 512).unwrap();
        assert_eq!((s.version, s.indexed_storage_k, s.root), (1, 64, Addr(96)));
        assert!(matches!(
            s.root_entry.unwrap().scratch,
            crate::format::symbol_table::Scratch::Group { .. }
        ));
        let b = v0(1, 64);
        assert_eq!(
            Superblock::decode(&b[..b.len() - 20], 0)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        for (at, v) in [(9usize, 1u8), (10, 2), (12, 0x80)] {
            let mut bad = v0(0, 0);
            bad[at] = v; // free-space, root entry, shared header format versions
            let e = Superblock::decode(&bad, 512).unwrap_err();
            assert_eq!(
                e,
                Error::format(FormatErrorKind::BadVersion, e_what(&e), 512 + at as u64)
            );
        }
        let mut bad = v0(0, 0);
        bad[16] = 0; // group leaf K
        assert_eq!(
            Superblock::decode(&bad, 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }

    #[test]
    fn v2_round() {
        for w in [4u8, 8] {
            let b = v2(w);
            let s = Superblock::decode(&b, 0).unwrap();
            assert_eq!(s.version, 2);
            assert_eq!(s.ctx.offset_size, w);
            assert_eq!(s.extension, None);
            assert_eq!(s.eof, 4096);
            assert_eq!(s.root, Addr(48));
        }
    }

    #[test]
    fn v2_errors() {
        let mut b = v2(8);
        let n = b.len();
        b[n - 10] ^= 0x40;
        assert_eq!(
            Superblock::decode(&b, 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        let b = v2(8);
        assert_eq!(
            Superblock::decode(&b[..30], 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let mut b = v2(8);
        b[8] = 9;
        assert_eq!(
            Superblock::decode(&b, 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        let mut b = v2(8);
        b[9] = 3;
        assert_eq!(
            Superblock::decode(&b, 0).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }
}
