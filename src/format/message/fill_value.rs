//! Fill value messages: the old form, type 0x0004, and the new form, type 0x0005 (spec: "Fill
//! Value (Old) Message", "Fill Value Message").

use crate::error::{FormatErrorKind, Result};
use crate::format::Cursor;
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
}
