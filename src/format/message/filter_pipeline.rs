//! Filter pipeline message, type 0x000B (spec: "Filter Pipeline Message"), versions 1 and 2.

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Cursor, Encoder};
use alloc::vec::Vec;

/// A filter identifier: an open newtype with the ids libhdf5 and h5py define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FilterId(pub u16);

#[allow(missing_docs)]
impl FilterId {
    pub const DEFLATE: Self = Self(1);
    pub const SHUFFLE: Self = Self(2);
    pub const FLETCHER32: Self = Self(3);
    pub const SZIP: Self = Self(4);
    pub const NBIT: Self = Self(5);
    pub const SCALEOFFSET: Self = Self(6);
    pub const LZF: Self = Self(32000);
}

/// One filter of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Filter identifier.
    pub id: FilterId,
    /// Filter flags (bit 0: optional).
    pub flags: u16,
    /// Name, when stored.
    pub name: Option<Vec<u8>>,
    /// Client data values.
    pub params: Vec<u32>,
}

impl Filter {
    /// Whether the filter is optional (may be skipped for a chunk, per the chunk's filter mask).
    pub fn is_optional(&self) -> bool {
        self.flags & 1 != 0
    }
}

/// Most filters a pipeline may hold (H5Z_MAX_NFILTERS).
pub const MAX_FILTERS: u8 = 32;

/// Decode a filter pipeline message body into its filters, in application order.
///
/// # Errors
/// `BadVersion`, `InvalidValue` (more than 32 filters), `Truncated`.
pub fn decode(c: &mut Cursor<'_>) -> Result<Vec<Filter>> {
    c.set_what("filter pipeline message");
    let version = c.u8()?;
    let n = c.u8()?;
    if n > MAX_FILTERS {
        return Err(c.invalid("filter pipeline filter count"));
    }
    match version {
        1 => c.skip(6)?,
        2 => {}
        _ => return Err(c.err_at(FormatErrorKind::BadVersion, "filter pipeline version")),
    }
    let mut out = Vec::with_capacity(usize::from(n));
    for _ in 0..n {
        let id = FilterId(c.u16()?);
        let name_len = if version == 1 || id.0 >= 256 {
            c.u16()?
        } else {
            0
        };
        let flags = c.u16()?;
        let nvalues = c.u16()?;
        let name = if name_len > 0 {
            let raw = c.bytes(usize::from(name_len))?;
            if version == 1 {
                // Padded to a multiple of eight bytes.
                let pad = (8 - usize::from(name_len) % 8) % 8;
                c.skip(pad)?;
            }
            let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
            Some(raw.get(..end).unwrap_or(raw).to_vec())
        } else {
            None
        };
        let mut params = Vec::with_capacity(usize::from(nvalues).min(c.remaining() / 4));
        for _ in 0..nvalues {
            params.push(c.u32()?);
        }
        if version == 1 && nvalues % 2 == 1 {
            c.skip(4)?;
        }
        out.push(Filter {
            id,
            flags,
            name,
            params,
        });
    }
    Ok(out)
}

/// Encode a filter pipeline message body holding `filters` (in application order) in
/// `version` 1 (libver earliest) or 2 (v1.8 format and later).
///
/// Version 1 stores every filter's name (those without one get a zero name length): the
/// name length counts the NUL and is rounded up to a multiple of eight, the name padded with
/// zeros, and an odd number of client data values is followed by four zero bytes. Version 2
/// stores names only for filter ids of 256 and above (a missing name has length 0), unpadded
/// with their NUL.
///
/// # Errors
/// [`Error::Usage`] for another version, more than 32 filters, more than 65535 values, a
/// name with a NUL byte or too long for its 16-bit length.
pub fn encode(e: &mut Encoder, filters: &[Filter], version: u8) -> Result<()> {
    let n = u8::try_from(filters.len())
        .ok()
        .filter(|&n| n <= MAX_FILTERS)
        .ok_or_else(|| Error::Usage("more than 32 filters in a pipeline".into()))?;
    match version {
        1 => e.u8(1).u8(n).zeros(6),
        2 => e.u8(2).u8(n),
        v => return Err(Error::Usage(alloc::format!("filter pipeline version {v}"))),
    };
    for f in filters {
        let nvalues = u16::try_from(f.params.len())
            .map_err(|_| Error::Usage("more than 65535 filter client data values".into()))?;
        let name = match &f.name {
            Some(name) if version == 1 || f.id.0 >= 256 => {
                if name.contains(&0) {
                    return Err(Error::Usage("filter name contains a NUL byte".into()));
                }
                Some(name.as_slice())
            }
            _ => None,
        };
        let stored_len = name.map_or(0, |n| {
            let with_nul = n.len().saturating_add(1);
            if version == 1 {
                with_nul.div_ceil(8).saturating_mul(8)
            } else {
                with_nul
            }
        });
        let stored_len =
            u16::try_from(stored_len).map_err(|_| Error::Usage("filter name too long".into()))?;
        e.u16(f.id.0);
        if version == 1 || f.id.0 >= 256 {
            e.u16(stored_len);
        }
        e.u16(f.flags).u16(nvalues);
        if let Some(name) = name {
            let start = e.len();
            e.bytes(name).u8(0);
            if version == 1 {
                e.align(start, 8);
            }
        }
        for &p in &f.params {
            e.u32(p);
        }
        if version == 1 && nvalues % 2 == 1 {
            e.zeros(4);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn v1_from_h5py() {
        // shuffle + fletcher32 as libhdf5 2.0 writes them under libver earliest.
        let b = hex("0102000000000000020008000100010073687566666c650002000000000000000300100000000000666c6574636865723332000000000000");
        let f = decode(&mut Cursor::new(&b, 0, "")).unwrap();
        assert_eq!(f.len(), 2);
        assert_eq!(
            (f[0].id, f[0].params.as_slice()),
            (FilterId::SHUFFLE, &[2u32][..])
        );
        assert!(f[0].is_optional());
        assert_eq!(f[1].name.as_deref(), Some(&b"fletcher32"[..]));
        assert!(f[1].params.is_empty());
        assert_eq!(
            decode(&mut Cursor::new(&b[..20], 0, ""))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }

    #[test]
    fn v2() {
        let b = [2u8, 1, 1, 0, 1, 0, 1, 0, 4, 0, 0, 0];
        let f = decode(&mut Cursor::new(&b, 0, "")).unwrap();
        assert_eq!(
            (f[0].id, f[0].params.as_slice(), f[0].name.as_ref()),
            (FilterId::DEFLATE, &[4u32][..], None)
        );
        assert_eq!(
            decode(&mut Cursor::new(&[3, 0], 0, ""))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
    }

    #[test]
    fn encode_matches_libhdf5_and_round_trips() {
        let b = hex("0102000000000000020008000100010073687566666c650002000000000000000300100000000000666c6574636865723332000000000000");
        let f = decode(&mut Cursor::new(&b, 0, "")).unwrap();
        let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
        encode(&mut e, &f, 1).unwrap();
        assert_eq!(e.finish(), b);
        let filters = [
            Filter {
                id: FilterId::DEFLATE,
                flags: 1,
                name: None,
                params: alloc::vec![4],
            },
            Filter {
                id: FilterId::LZF,
                flags: 1,
                name: Some(b"lzf".to_vec()),
                params: alloc::vec![4, 0, 200],
            },
            Filter {
                id: FilterId(300),
                flags: 0,
                name: None,
                params: alloc::vec![],
            },
        ];
        for v in [1, 2] {
            let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
            encode(&mut e, &filters, v).unwrap();
            let b = e.finish();
            let mut c = Cursor::new(&b, 0, "");
            assert_eq!(decode(&mut c).unwrap(), filters);
            assert_eq!(c.remaining(), 0);
        }
        let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
        assert!(encode(&mut e, &filters, 3).is_err());
    }
}
