//! Attribute message, type 0x000C (spec: "Attribute Message"), versions 1 to 3.
//!
//! The datatype and dataspace are kept as raw encoded bytes (with their file addresses) so the
//! read engine can resolve shared (committed) datatypes before decoding them.

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::{Cursor, Encoder};
use alloc::vec::Vec;

/// An encoded sub-message (datatype or dataspace) inside an attribute message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Embedded {
    /// File address of the encoding.
    pub addr: u64,
    /// Whether the bytes are a shared-message reference instead of the message.
    pub shared: bool,
    /// The encoded bytes.
    pub data: Vec<u8>,
}

/// A decoded attribute message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeMessage {
    /// Message version.
    pub version: u8,
    /// Name bytes without the terminating NUL.
    pub name: Vec<u8>,
    /// Name is UTF-8 (version 3 encoding byte).
    pub utf8: bool,
    /// The datatype encoding.
    pub datatype: Embedded,
    /// The dataspace encoding.
    pub dataspace: Embedded,
    /// File address of the raw data.
    pub data_addr: u64,
    /// Raw data: all remaining bytes of the message (the caller checks the expected size).
    pub data: Vec<u8>,
}

impl AttributeMessage {
    /// Decode an attribute message body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (empty name, unknown flags), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>) -> Result<Self> {
        c.set_what("attribute message");
        let version = c.u8()?;
        if !(1..=3).contains(&version) {
            return Err(c.err_at(FormatErrorKind::BadVersion, "attribute message version"));
        }
        let flags = c.u8()?;
        if version == 1 && flags != 0 || flags & !0x03 != 0 {
            return Err(c.invalid("attribute message flags"));
        }
        let name_len = usize::from(c.u16()?);
        let dt_len = usize::from(c.u16()?);
        let ds_len = usize::from(c.u16()?);
        let utf8 = if version == 3 { c.u8()? == 1 } else { false };
        let pad = |n: usize| if version == 1 { n.div_ceil(8) * 8 } else { n };
        if name_len == 0 {
            return Err(c.invalid("attribute name length"));
        }
        let name_at = c.addr();
        let raw = c.bytes(name_len)?;
        c.skip(pad(name_len) - name_len)?;
        // The stored length counts the terminating NUL.
        let end = raw.iter().position(|&b| b == 0).unwrap_or(raw.len());
        if end == 0 {
            return Err(crate::Error::invalid("attribute name", name_at));
        }
        let name = raw.get(..end).unwrap_or(raw).to_vec();
        let datatype = Embedded {
            addr: c.addr(),
            shared: flags & 1 != 0,
            data: c.bytes(dt_len)?.to_vec(),
        };
        c.skip(pad(dt_len) - dt_len)?;
        let dataspace = Embedded {
            addr: c.addr(),
            shared: flags & 2 != 0,
            data: c.bytes(ds_len)?.to_vec(),
        };
        c.skip(pad(ds_len) - ds_len)?;
        let data_addr = c.addr();
        let data = c.rest().to_vec();
        Ok(AttributeMessage {
            version,
            name,
            utf8,
            datatype,
            dataspace,
            data_addr,
            data,
        })
    }

    /// Encode the body in [`AttributeMessage::version`] (1 for libver earliest, 3 from the
    /// 1.8 format on; 2 is accepted too). The datatype and dataspace are written as their
    /// stored encodings ([`Embedded::data`], e.g. from [`super::datatype::Datatype::encode`]
    /// and [`super::dataspace::Dataspace::encode`], or a shared-message reference when
    /// [`Embedded::shared`]); the addresses are ignored. Version 1 pads the name (NUL
    /// counted), datatype and dataspace with zeros to multiples of eight, and has no flags;
    /// version 3 writes the name's character set.
    ///
    /// # Errors
    /// [`Error::Usage`] for another version, an empty name or one with a NUL byte, parts over
    /// 65535 bytes, or shared parts in version 1.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let version = self.version;
        if !(1..=3).contains(&version) {
            return Err(Error::Usage(alloc::format!(
                "attribute message version {version}"
            )));
        }
        if self.name.is_empty() || self.name.contains(&0) {
            return Err(Error::Usage(
                "attribute name empty or with a NUL byte".into(),
            ));
        }
        let flags = u8::from(self.datatype.shared) | u8::from(self.dataspace.shared) << 1;
        if version == 1 && flags != 0 {
            return Err(Error::Usage(
                "shared attribute parts need attribute message version 2".into(),
            ));
        }
        let len = |n: usize| {
            u16::try_from(n).map_err(|_| Error::Usage("attribute part over 65535 bytes".into()))
        };
        let name_len = len(self.name.len().saturating_add(1))?;
        e.u8(version)
            .u8(flags)
            .u16(name_len)
            .u16(len(self.datatype.data.len())?)
            .u16(len(self.dataspace.data.len())?);
        if version == 3 {
            e.u8(u8::from(self.utf8));
        }
        let align = if version == 1 { 8 } else { 1 };
        let start = e.len();
        e.bytes(&self.name).u8(0).align(start, align);
        let start = e.len();
        e.bytes(&self.datatype.data).align(start, align);
        let start = e.len();
        e.bytes(&self.dataspace.data).align(start, align);
        e.bytes(&self.data);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn v1_and_v3() {
        // version 1: name "ab\0" padded to 8, 8-byte datatype, 8-byte dataspace, 4 data bytes.
        let mut b = vec![1u8, 0, 3, 0, 8, 0, 8, 0];
        b.extend_from_slice(b"ab\0\0\0\0\0\0");
        b.extend_from_slice(&[0x10, 8, 0, 0, 4, 0, 0, 0]);
        b.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&[1, 2, 3, 4]);
        let a = AttributeMessage::decode(&mut Cursor::new(&b, 0, "")).unwrap();
        assert_eq!(a.name, b"ab");
        assert_eq!(a.datatype.addr, 16);
        assert_eq!(a.dataspace.data, [1, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(a.data, [1, 2, 3, 4]);

        let mut b = vec![3u8, 1, 2, 0, 2, 0, 1, 0, 1];
        b.extend_from_slice(b"x\0");
        b.extend_from_slice(&[7, 7, 9, 5]);
        let a = AttributeMessage::decode(&mut Cursor::new(&b, 0, "")).unwrap();
        assert!(a.utf8 && a.datatype.shared && !a.dataspace.shared);
        assert_eq!(
            (
                a.datatype.data.as_slice(),
                a.dataspace.data.as_slice(),
                a.data.as_slice()
            ),
            (&[7u8, 7][..], &[9u8][..], &[5u8][..])
        );
        assert_eq!(
            AttributeMessage::decode(&mut Cursor::new(&b[..11], 0, ""))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }

    #[test]
    fn encode_round_trip() {
        let mut b = vec![1u8, 0, 3, 0, 8, 0, 8, 0];
        b.extend_from_slice(b"ab\0\0\0\0\0\0");
        b.extend_from_slice(&[0x10, 8, 0, 0, 4, 0, 0, 0]);
        b.extend_from_slice(&[1, 0, 0, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&[1, 2, 3, 4]);
        let a = AttributeMessage::decode(&mut Cursor::new(&b, 0, "")).unwrap();
        let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
        a.encode(&mut e).unwrap();
        assert_eq!(e.finish(), b);
        for version in [1u8, 2, 3] {
            let shared = version > 1;
            let a = AttributeMessage {
                version,
                name: b"temperature".to_vec(),
                utf8: version == 3,
                datatype: Embedded {
                    addr: 0,
                    shared,
                    data: vec![0x10, 8, 0, 0, 2, 0, 0, 0, 0, 0, 16, 0],
                },
                dataspace: Embedded {
                    addr: 0,
                    shared: false,
                    data: vec![2, 0, 0, 0],
                },
                data_addr: 0,
                data: vec![9, 8],
            };
            let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
            a.encode(&mut e).unwrap();
            let b = e.finish();
            let mut d = AttributeMessage::decode(&mut Cursor::new(&b, 0, "")).unwrap();
            d.datatype.addr = 0;
            d.dataspace.addr = 0;
            d.data_addr = 0;
            assert_eq!(d, a);
        }
    }
}
