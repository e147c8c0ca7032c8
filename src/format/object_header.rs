//! Object headers, versions 1 and 2, and their continuation blocks (spec: "Data Object Headers").
//!
//! The parsers here decode one block at a time (the first block with its prefix, or one
//! continuation block); following continuations is the read engine's job.

use super::checksum;
use super::message::MessageType;
use super::{Addr, Ctx, Cursor, Encoder};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::string::String;
use alloc::vec::Vec;

/// Signature of a version 2 object header.
pub const OHDR: &[u8; 4] = b"OHDR";
/// Signature of a version 2 continuation block.
pub const OCHK: &[u8; 4] = b"OCHK";

/// Header message flag: the message is constant.
pub const MSG_CONSTANT: u8 = 0x01;
/// Header message flag: the message is shared (its body is a shared-message reference).
pub const MSG_SHARED: u8 = 0x02;

/// One header message: its type, flags and body bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Message type.
    pub kind: MessageType,
    /// Message flags (bit 1: shared).
    pub flags: u8,
    /// Creation order (version 2 headers that track it).
    pub creation_order: Option<u16>,
    /// File address of the message body.
    pub addr: u64,
    /// The message body.
    pub data: Vec<u8>,
}

impl Message {
    /// Whether the body is a shared-message reference rather than the message itself.
    pub fn is_shared(&self) -> bool {
        self.flags & MSG_SHARED != 0
    }

    /// A cursor over the body.
    pub fn cursor(&self, what: &'static str) -> Cursor<'_> {
        Cursor::new(&self.data, self.addr, what)
    }
}

/// The prefix of an object header: everything before the first message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prefix {
    /// Header version (1 or 2).
    pub version: u8,
    /// Version 2 header flags.
    pub flags: u8,
    /// Number of messages (version 1 only).
    pub nmessages: u16,
    /// Object reference count (version 1; version 2 keeps it in a message).
    pub refcount: u32,
    /// Access, modification, change and birth times (version 2, flag bit 5).
    pub times: Option<[u32; 4]>,
    /// Maximum compact / minimum dense attribute counts (version 2, flag bit 4).
    pub attr_phase_change: Option<(u16, u16)>,
    /// Length of the prefix in bytes (where the first message starts).
    pub prefix_len: usize,
    /// Bytes of messages (and gap) in the first block.
    pub chunk0_len: u64,
}

impl Prefix {
    /// Whether version 2 messages carry a creation order field.
    pub fn tracks_creation_order(&self) -> bool {
        self.version == 2 && self.flags & 0x04 != 0
    }

    /// Total bytes of the first block: prefix, messages and (version 2) checksum.
    pub fn block_len(&self) -> u64 {
        let ck = if self.version == 2 { 4 } else { 0 };
        (self.prefix_len as u64)
            .saturating_add(self.chunk0_len)
            .saturating_add(ck)
    }

    /// Decode the prefix from the start of `data` (read at `addr`).
    ///
    /// # Errors
    /// `BadVersion`, `BadSignature`, `InvalidValue` (unknown flags), `Truncated`.
    pub fn decode(data: &[u8], addr: u64) -> Result<Prefix> {
        let mut c = Cursor::new(data, addr, "object header prefix");
        if c.peek(4)? == OHDR {
            c.skip(4)?;
            let version = c.u8()?;
            if version != 2 {
                return Err(Error::format(
                    FormatErrorKind::BadVersion,
                    "object header version",
                    addr + 4,
                ));
            }
            let flags = c.u8()?;
            if flags & 0xc0 != 0 {
                return Err(c.invalid("object header flags"));
            }
            let times = if flags & 0x20 != 0 {
                Some([c.u32()?, c.u32()?, c.u32()?, c.u32()?])
            } else {
                None
            };
            let attr_phase_change = if flags & 0x10 != 0 {
                Some((c.u16()?, c.u16()?))
            } else {
                None
            };
            let chunk0_len = c.uint(1usize << (flags & 0x03))?;
            Ok(Prefix {
                version,
                flags,
                nmessages: 0,
                refcount: 1,
                times,
                attr_phase_change,
                prefix_len: c.pos(),
                chunk0_len,
            })
        } else {
            let version = c.u8()?;
            if version != 1 {
                return Err(Error::format(
                    FormatErrorKind::BadVersion,
                    "object header version",
                    addr,
                ));
            }
            c.skip(1)?;
            let nmessages = c.u16()?;
            let refcount = c.u32()?;
            let chunk0_len = u64::from(c.u32()?);
            // The version 1 prefix is padded to 16 bytes so messages are 8-byte aligned.
            c.skip(4)?;
            Ok(Prefix {
                version,
                flags: 0,
                nmessages,
                refcount,
                times: None,
                attr_phase_change: None,
                prefix_len: 16,
                chunk0_len,
            })
        }
    }
}

/// A continuation message: where the next block of messages is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Continuation {
    /// Address of the continuation block.
    pub addr: Addr,
    /// Its length in bytes.
    pub len: u64,
}

impl Continuation {
    /// Decode a continuation message body (spec: "Object Header Continuation Message").
    ///
    /// # Errors
    /// `Truncated`; `InvalidValue` for an undefined address or zero length.
    pub fn decode(m: &Message, ctx: Ctx) -> Result<Self> {
        let mut c = m.cursor("continuation message");
        let addr = c.defined_offset(ctx, "continuation address")?;
        let len = c.length(ctx)?;
        if len == 0 {
            return Err(Error::invalid("continuation length", m.addr));
        }
        Ok(Continuation { addr, len })
    }

    /// Encode a continuation message body: the block's address and length.
    pub fn encode(&self, e: &mut Encoder) {
        e.offset(self.addr).length(self.len);
    }
}

/// Decode the messages of a version 1 block (`data` holds only messages, starting at `addr`).
///
/// # Errors
/// `Truncated` when a message runs past the block.
pub fn decode_v1_messages(data: &[u8], addr: u64, out: &mut Vec<Message>) -> Result<()> {
    let mut c = Cursor::new(data, addr, "object header v1 message");
    // A trailing fragment shorter than a message header is unused space.
    while c.remaining() >= 8 {
        let kind = MessageType(c.u16()?);
        let size = c.u16()?;
        let flags = c.u8()?;
        c.skip(3)?;
        let body_addr = c.addr();
        let data = c.bytes(usize::from(size))?;
        out.push(Message {
            kind,
            flags,
            creation_order: None,
            addr: body_addr,
            data: data.to_vec(),
        });
    }
    Ok(())
}

/// Decode the messages of a version 2 block. `data` spans from the first message to just
/// before the checksum; `addr` is the address of `data[0]`.
///
/// # Errors
/// `Truncated` when a message runs past the block.
pub fn decode_v2_messages(
    data: &[u8],
    addr: u64,
    tracks_creation_order: bool,
    out: &mut Vec<Message>,
) -> Result<()> {
    let mut c = Cursor::new(data, addr, "object header v2 message");
    let header = if tracks_creation_order { 6 } else { 4 };
    // Fewer bytes than a message header at the end is a gap.
    while c.remaining() >= header {
        let kind = MessageType(u16::from(c.u8()?));
        let size = c.u16()?;
        let flags = c.u8()?;
        let creation_order = if tracks_creation_order {
            Some(c.u16()?)
        } else {
            None
        };
        let body_addr = c.addr();
        let data = c.bytes(usize::from(size))?;
        out.push(Message {
            kind,
            flags,
            creation_order,
            addr: body_addr,
            data: data.to_vec(),
        });
    }
    Ok(())
}

/// Decode the first block of an object header: `data` holds exactly
/// [`Prefix::block_len`] bytes read at `addr`. Verifies the version 2 checksum.
///
/// # Errors
/// As [`Prefix::decode`], plus `BadChecksum` and `Truncated`.
pub fn decode_first_block(data: &[u8], addr: u64, out: &mut Vec<Message>) -> Result<Prefix> {
    let p = Prefix::decode(data, addr)?;
    let mut c = Cursor::new(data, addr, "object header");
    let len = super::to_usize(p.block_len(), "object header size", addr)?;
    let block = c.bytes(len)?;
    let mut b = Cursor::new(block, addr, "object header");
    b.skip(p.prefix_len)?;
    let n = super::to_usize(p.chunk0_len, "object header size", addr)?;
    let msgs_addr = b.addr();
    let msgs = b.bytes(n)?;
    if p.version == 2 {
        checksum::verify(block, addr, "object header")?;
        decode_v2_messages(msgs, msgs_addr, p.tracks_creation_order(), out)?;
    } else {
        decode_v1_messages(msgs, msgs_addr, out)?;
    }
    Ok(p)
}

/// Decode a continuation block of a header of `version`: `data` holds the whole block
/// (for version 2: "OCHK", messages, checksum).
///
/// # Errors
/// `BadSignature`, `BadChecksum`, `Truncated`.
pub fn decode_continuation_block(
    data: &[u8],
    addr: u64,
    prefix: &Prefix,
    out: &mut Vec<Message>,
) -> Result<()> {
    if prefix.version == 2 {
        let mut c = Cursor::new(data, addr, "object header continuation block");
        c.signature(OCHK)?;
        checksum::verify(data, addr, "object header continuation block")?;
        let n = data
            .len()
            .checked_sub(8)
            .ok_or(c.err(FormatErrorKind::Truncated))?;
        let msgs = c.bytes(n)?;
        decode_v2_messages(msgs, addr + 4, prefix.tracks_creation_order(), out)
    } else {
        decode_v1_messages(data, addr, out)
    }
}

/// How a new object header is written (spec "Data Object Headers"): the prefix fields the
/// writer chooses. Messages are given as [`Message`] values (their `addr` is ignored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderSpec {
    /// 1 (earliest profile) or 2 ("OHDR", latest profile).
    pub version: u8,
    /// Version 1 object reference count (hard links to the object); version 2 headers keep a
    /// reference count message instead when it is not 1.
    pub refcount: u32,
    /// Version 2: access, modification, change and birth times.
    pub times: Option<[u32; 4]>,
    /// Version 2: (maximum compact, minimum dense) attribute counts when not the defaults.
    pub attr_phase_change: Option<(u16, u16)>,
    /// Version 2: attribute creation order tracked (messages carry a creation order field).
    pub track_attr_order: bool,
    /// Version 2: attribute creation order indexed.
    pub index_attr_order: bool,
}

impl HeaderSpec {
    /// A version 1 header with reference count 1.
    pub fn v1() -> Self {
        HeaderSpec {
            version: 1,
            refcount: 1,
            times: None,
            attr_phase_change: None,
            track_attr_order: false,
            index_attr_order: false,
        }
    }

    /// A version 2 header without times or creation order.
    pub fn v2() -> Self {
        HeaderSpec {
            version: 2,
            ..Self::v1()
        }
    }

    /// Bytes a message with a body of `body` bytes takes in a block of this header.
    pub fn message_len(&self, body: usize) -> usize {
        if self.version == 1 {
            8 + body.div_ceil(8) * 8
        } else {
            let co = if self.track_attr_order { 2 } else { 0 };
            4 + co + body
        }
    }

    fn encode_messages(&self, e: &mut Encoder, msgs: &[Message]) -> Result<()> {
        for m in msgs {
            // Larger messages (big attributes) need dense storage with huge heap objects.
            let size = u16::try_from(m.data.len()).map_err(|_| {
                Error::unsupported(
                    alloc::format!(
                        "writing a header message of type {} of {} bytes (over 65535)",
                        m.kind.0,
                        m.data.len()
                    ),
                    0,
                )
            })?;
            if self.version == 1 {
                let padded = m.data.len().div_ceil(8) * 8;
                let padded16 = u16::try_from(padded).map_err(|_| {
                    Error::Usage(alloc::format!(
                        "header message of type {} is {padded} bytes, over 65535",
                        m.kind.0
                    ))
                })?;
                e.u16(m.kind.0).u16(padded16).u8(m.flags).zeros(3);
                e.bytes(&m.data).zeros(padded - m.data.len());
            } else {
                let kind = u8::try_from(m.kind.0).map_err(|_| {
                    Error::Usage(alloc::format!("message type {} in a v2 header", m.kind.0))
                })?;
                e.u8(kind).u16(size).u8(m.flags);
                if self.track_attr_order {
                    e.u16(m.creation_order.unwrap_or(0));
                }
                e.bytes(&m.data);
            }
        }
        Ok(())
    }

    /// Encode the first (and possibly only) block of a header holding `msgs`, followed by
    /// `gap` bytes of free space (version 1: a null message; version 2: a null message when
    /// at least a message header fits, else a gap) so the header can grow in place.
    ///
    /// # Errors
    /// [`Error::Usage`] for a message over 65535 bytes or an unknown version.
    pub fn encode(&self, msgs: &[Message], gap: usize) -> Result<Vec<u8>> {
        let mut e = Encoder::new(Ctx::DEFAULT);
        let mut all: Vec<Message> = msgs.to_vec();
        let null_header = self.message_len(0);
        if gap >= null_header {
            let body = if self.version == 1 {
                (gap - 8) / 8 * 8
            } else {
                gap - null_header
            };
            all.push(Message {
                kind: MessageType(0),
                flags: 0,
                creation_order: None,
                addr: 0,
                data: alloc::vec![0; body],
            });
        }
        let data_len: usize = all.iter().map(|m| self.message_len(m.data.len())).sum();
        match self.version {
            1 => {
                let n = u16::try_from(all.len())
                    .map_err(|_| Error::Usage(String::from("more than 65535 messages")))?;
                let len = u32::try_from(data_len)
                    .map_err(|_| Error::Usage(String::from("object header over 4 GiB")))?;
                e.u8(1).u8(0).u16(n).u32(self.refcount).u32(len).zeros(4);
                self.encode_messages(&mut e, &all)?;
            }
            2 => {
                // A gap too small for a null message is counted in the chunk size.
                let tail = if gap > 0 && gap < null_header { gap } else { 0 };
                let len = (data_len + tail) as u64;
                let width: u8 = match len {
                    0..=0xff => 0,
                    0x100..=0xffff => 1,
                    0x1_0000..=0xffff_ffff => 2,
                    _ => 3,
                };
                let mut flags = width;
                if self.track_attr_order {
                    flags |= 0x04;
                }
                if self.index_attr_order {
                    flags |= 0x08;
                }
                if self.attr_phase_change.is_some() {
                    flags |= 0x10;
                }
                if self.times.is_some() {
                    flags |= 0x20;
                }
                e.bytes(OHDR).u8(2).u8(flags);
                if let Some(t) = self.times {
                    for v in t {
                        e.u32(v);
                    }
                }
                if let Some((max_compact, min_dense)) = self.attr_phase_change {
                    e.u16(max_compact).u16(min_dense);
                }
                e.uint(len, 1usize << width);
                self.encode_messages(&mut e, &all)?;
                e.zeros(tail);
                e.checksum_from(0);
            }
            v => {
                return Err(Error::Usage(alloc::format!(
                    "object header version {v} cannot be written"
                )))
            }
        }
        Ok(e.finish())
    }

    /// Encode a continuation block holding `msgs` (version 2: "OCHK", messages, checksum).
    ///
    /// # Errors
    /// As [`HeaderSpec::encode`].
    pub fn encode_continuation(&self, msgs: &[Message]) -> Result<Vec<u8>> {
        let mut e = Encoder::new(Ctx::DEFAULT);
        if self.version == 2 {
            e.bytes(OCHK);
            self.encode_messages(&mut e, msgs)?;
            e.checksum_from(0);
        } else {
            self.encode_messages(&mut e, msgs)?;
        }
        Ok(e.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn msg(kind: u16, data: &[u8], co: Option<u16>) -> Message {
        Message {
            kind: MessageType(kind),
            flags: 0,
            creation_order: co,
            addr: 0,
            data: data.to_vec(),
        }
    }

    #[test]
    fn encoded_headers_decode_to_their_messages() {
        let msgs = vec![
            msg(1, &[1, 2, 3], None),
            msg(3, &[7; 300], None),
            msg(8, &[], None),
        ];
        for mut spec in [HeaderSpec::v1(), HeaderSpec::v2()] {
            for (track, times) in [(false, None), (true, Some([1, 2, 3, 4]))] {
                if spec.version == 1 && track {
                    continue;
                }
                spec.track_attr_order = track;
                spec.times = times;
                for gap in [0usize, 2, 5, 64] {
                    let b = spec.encode(&msgs, gap).unwrap();
                    let mut out = Vec::new();
                    let p = decode_first_block(&b, 100, &mut out).unwrap();
                    assert_eq!(p.block_len(), b.len() as u64);
                    assert_eq!(p.times, times);
                    let got: Vec<_> = out.iter().filter(|m| m.kind.0 != 0).collect();
                    assert_eq!(got.len(), 3, "{spec:?} gap {gap}");
                    for (g, w) in got.iter().zip(&msgs) {
                        assert_eq!(g.kind, w.kind);
                        assert_eq!(&g.data[..w.data.len()], &w.data[..]);
                    }
                    let c = spec.encode_continuation(&msgs).unwrap();
                    let mut out = Vec::new();
                    decode_continuation_block(&c, 0, &p, &mut out).unwrap();
                    assert_eq!(out.len(), 3);
                }
            }
        }
        let big = [msg(1, &[0; 70_000], None)];
        assert!(HeaderSpec::v2().encode(&big, 0).is_err());
    }

    fn v2_header(msgs: &[(u8, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (t, d) in msgs {
            body.push(*t);
            body.extend_from_slice(&(d.len() as u16).to_le_bytes());
            body.push(0);
            body.extend_from_slice(d);
        }
        body.extend_from_slice(&[0, 0]); // a gap
        let mut b = b"OHDR\x02\x00".to_vec();
        b.push(body.len() as u8);
        b.extend_from_slice(&body);
        let s = checksum::lookup3(&b, 0);
        b.extend_from_slice(&s.to_le_bytes());
        b
    }

    #[test]
    fn v2_first_block() {
        let b = v2_header(&[(0x11, &[1, 2, 3]), (0x00, &[0; 4])]);
        let mut out = Vec::new();
        let p = decode_first_block(&b, 1000, &mut out).unwrap();
        assert_eq!(p.version, 2);
        assert_eq!(p.block_len() as usize, b.len());
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].kind, MessageType::SYMBOL_TABLE);
        assert_eq!(out[0].data, [1, 2, 3]);
        assert_eq!(out[0].addr, 1000 + 7 + 4);
        let mut bad = b.clone();
        bad[9] ^= 1;
        assert_eq!(
            decode_first_block(&bad, 0, &mut Vec::new())
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        assert_eq!(
            decode_first_block(&b[..b.len() - 1], 0, &mut Vec::new())
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }

    #[test]
    fn v1_first_block() {
        let mut b = vec![1u8, 0, 1, 0, 1, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0];
        b.extend_from_slice(&[0x11, 0, 8, 0, 0, 0, 0, 0]);
        b.extend_from_slice(&[9; 8]);
        let mut out = Vec::new();
        let p = decode_first_block(&b, 0, &mut out).unwrap();
        assert_eq!((p.version, p.nmessages, p.refcount), (1, 1, 1));
        assert_eq!(out[0].data, [9; 8]);
        b[0] = 3;
        assert_eq!(
            decode_first_block(&b, 0, &mut Vec::new())
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
    }

    #[test]
    fn v1_message_overrun() {
        let b = [0x11u8, 0, 64, 0, 0, 0, 0, 0, 1, 2];
        assert_eq!(
            decode_v1_messages(&b, 0, &mut Vec::new())
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Truncated)
        );
    }

    #[test]
    fn continuation_encode_round_trip() {
        let c = Continuation {
            addr: Addr(4096),
            len: 200,
        };
        let mut e = Encoder::new(Ctx::DEFAULT);
        c.encode(&mut e);
        let m = Message {
            kind: MessageType::CONTINUATION,
            flags: 0,
            creation_order: None,
            addr: 0,
            data: e.finish(),
        };
        assert_eq!(m.data.len(), 16);
        assert_eq!(Continuation::decode(&m, Ctx::DEFAULT).unwrap(), c);
    }
}
