//! Fill value messages: the old form, type 0x0004, and the new form, type 0x0005 (spec: "Fill
//! Value (Old) Message", "Fill Value Message").

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Cursor, Encoder};
use alloc::vec::Vec;

/// What h5py's `dcpl.fill_value_defined()` reports (libhdf5 `H5D_fill_value_t`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FillValue {
    /// Explicitly undefined: no value.
    Undefined,
    /// The library default (all zero bytes).
    Default,
    /// A value given by the writer (raw bytes of one element in the file's datatype).
    User(Vec<u8>),
}

/// A decoded fill value message (either form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillValueMessage {
    /// Message version (0 for the old form).
    pub version: u8,
    /// Space allocation time (1 early, 2 late, 3 incremental; 0 for the old form).
    pub alloc_time: u8,
    /// Fill value write time (0 on allocation, 1 never, 2 if set).
    pub fill_time: u8,
    /// The value.
    pub value: FillValue,
}

impl FillValueMessage {
    /// Decode an old-form (0x0004) body: a size and that many bytes.
    ///
    /// # Errors
    /// `Truncated`.
    pub fn decode_old(c: &mut Cursor<'_>) -> Result<Self> {
        c.set_what("fill value (old) message");
        let n = c.u32()?;
        let n = crate::format::to_usize(u64::from(n), "fill value size", c.addr())?;
        let value = if n == 0 {
            FillValue::Default
        } else {
            FillValue::User(c.bytes(n)?.to_vec())
        };
        Ok(FillValueMessage {
            version: 0,
            alloc_time: 0,
            fill_time: 2,
            value,
        })
    }

    /// Decode a new-form (0x0005) body, versions 1 to 3.
    ///
    /// Versions 1 and 2 store a "defined" byte: defined with size 0 is the default value,
    /// not defined is undefined (version 1 always stores a size). Version 3 packs the times
    /// into flags, with bit 4 "undefined" and bit 5 "value present".
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (unknown flags or both undefined and present), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>) -> Result<Self> {
        c.set_what("fill value message");
        let version = c.u8()?;
        match version {
            1 | 2 => {
                let alloc_time = c.u8()?;
                let fill_time = c.u8()?;
                let defined = c.u8()?;
                let value = if version == 1 || defined != 0 {
                    Self::sized_value(c)?
                } else {
                    FillValue::Undefined
                };
                Ok(FillValueMessage {
                    version,
                    alloc_time,
                    fill_time,
                    value,
                })
            }
            3 => {
                let flags = c.u8()?;
                if flags & 0xc0 != 0 || flags & 0x30 == 0x30 {
                    return Err(c.invalid("fill value flags"));
                }
                let value = if flags & 0x10 != 0 {
                    FillValue::Undefined
                } else if flags & 0x20 != 0 {
                    Self::sized_value(c)?
                } else {
                    FillValue::Default
                };
                Ok(FillValueMessage {
                    version,
                    alloc_time: flags & 0x03,
                    fill_time: (flags >> 2) & 0x03,
                    value,
                })
            }
            _ => Err(c.err_at(FormatErrorKind::BadVersion, "fill value version")),
        }
    }

    fn sized_value(c: &mut Cursor<'_>) -> Result<FillValue> {
        let n = c.u32()?;
        let n = crate::format::to_usize(u64::from(n), "fill value size", c.addr())?;
        Ok(if n == 0 {
            FillValue::Default
        } else {
            FillValue::User(c.bytes(n)?.to_vec())
        })
    }

    /// Encode the body in [`FillValueMessage::version`]: 0 is the old form (type 0x0004, the
    /// value or, for a default or undefined value, size 0), 1 to 3 the new form (type 0x0005).
    ///
    /// Versions 1 and 2 write the "defined" byte (0 only for an undefined value) and, when
    /// defined (always in version 1), the size and value; a default value is defined with
    /// size 0. Version 3 packs allocation and fill times into the flags with bit 4
    /// (undefined) or bit 5 (value present). libhdf5 writes version 2 under libver earliest
    /// and version 3 from the 1.8 format on.
    ///
    /// # Errors
    /// [`Error::Usage`] for another version, times above 3, or a value over 4 GiB.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        if self.alloc_time > 3 || self.fill_time > 3 {
            return Err(Error::Usage("fill value times above 3".into()));
        }
        let value: &[u8] = match &self.value {
            FillValue::User(v) => v,
            _ => &[],
        };
        let size = u32::try_from(value.len())
            .map_err(|_| Error::Usage("fill value larger than 4 GiB".into()))?;
        match self.version {
            0 => {
                e.u32(size).bytes(value);
            }
            1 | 2 => {
                let defined = self.version == 1 || self.value != FillValue::Undefined;
                e.u8(self.version)
                    .u8(self.alloc_time)
                    .u8(self.fill_time)
                    .u8(u8::from(self.value != FillValue::Undefined));
                if defined {
                    e.u32(size).bytes(value);
                }
            }
            3 => {
                let mut flags = self.alloc_time | self.fill_time << 2;
                match &self.value {
                    FillValue::Undefined => {
                        e.u8(3).u8(flags | 0x10);
                    }
                    FillValue::Default => {
                        e.u8(3).u8(flags);
                    }
                    FillValue::User(_) => {
                        flags |= 0x20;
                        e.u8(3).u8(flags).u32(size).bytes(value);
                    }
                }
            }
            v => return Err(Error::Usage(alloc::format!("fill value version {v}"))),
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn dec(b: &[u8]) -> Result<FillValueMessage> {
        FillValueMessage::decode(&mut Cursor::new(b, 0, ""))
    }

    #[test]
    fn versions() {
        // Bytes as h5py (libhdf5 2.0, libver earliest) writes them.
        assert_eq!(
            dec(&[2, 3, 2, 1, 0, 0, 0, 0]).unwrap().value,
            FillValue::Default
        );
        assert_eq!(
            dec(&[2, 3, 2, 1, 2, 0, 0, 0, 7, 0]).unwrap().value,
            FillValue::User(vec![7, 0])
        );
        assert_eq!(dec(&[2, 3, 2, 0]).unwrap().value, FillValue::Undefined);
        assert_eq!(dec(&[3, 0x09]).unwrap().value, FillValue::Default);
        assert_eq!(dec(&[3, 0x10]).unwrap().value, FillValue::Undefined);
        let v = dec(&[3, 0x2a, 1, 0, 0, 0, 5]).unwrap();
        assert_eq!(
            (v.alloc_time, v.fill_time, v.value),
            (2, 2, FillValue::User(vec![5]))
        );
        assert_eq!(
            dec(&[3, 0x30]).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            dec(&[4, 0]).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        assert_eq!(
            dec(&[2, 3, 2, 1, 9, 0, 0, 0, 7]).unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        let old =
            FillValueMessage::decode_old(&mut Cursor::new(&[2, 0, 0, 0, 7, 0], 0, "")).unwrap();
        assert_eq!(old.value, FillValue::User(vec![7, 0]));
    }

    #[test]
    fn encode_round_trip() {
        for version in [1u8, 2, 3] {
            for value in [
                FillValue::Undefined,
                FillValue::Default,
                FillValue::User(vec![1, 2, 3]),
            ] {
                if version == 1 && value == FillValue::Undefined {
                    continue; // version 1 always stores a size: undefined reads as default
                }
                let m = FillValueMessage {
                    version,
                    alloc_time: 2,
                    fill_time: 1,
                    value,
                };
                let mut e = crate::format::Encoder::new(crate::format::Ctx::DEFAULT);
                m.encode(&mut e).unwrap();
                let b = e.finish();
                let mut c = Cursor::new(&b, 0, "");
                assert_eq!(FillValueMessage::decode(&mut c).unwrap(), m);
                assert_eq!(c.remaining(), 0);
            }
        }
        // Bytes libhdf5 writes (see `versions`).
        let m = dec(&[2, 3, 2, 1, 2, 0, 0, 0, 7, 0]).unwrap();
        let mut e = crate::format::Encoder::new(crate::format::Ctx::DEFAULT);
        m.encode(&mut e).unwrap();
        assert_eq!(e.finish(), [2, 3, 2, 1, 2, 0, 0, 0, 7, 0]);
        let old = FillValueMessage {
            version: 0,
            alloc_time: 0,
            fill_time: 2,
            value: FillValue::User(vec![7, 0]),
        };
        let mut e = crate::format::Encoder::new(crate::format::Ctx::DEFAULT);
        old.encode(&mut e).unwrap();
        let b = e.finish();
        assert_eq!(
            FillValueMessage::decode_old(&mut Cursor::new(&b, 0, "")).unwrap(),
            old
        );
    }
}
