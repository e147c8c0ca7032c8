//! Group info message, type 0x000A (spec: "Group Info Message").

use crate::error::{FormatErrorKind, Result};
use crate::format::{Cursor, Encoder};

/// A decoded group info message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupInfo {
    /// Maximum links stored compactly / minimum links stored densely (flag bit 0).
    pub link_phase_change: Option<(u16, u16)>,
    /// Estimated number of entries and name length (flag bit 1).
    pub estimates: Option<(u16, u16)>,
}

impl GroupInfo {
    /// Decode a group info message body.
    ///
    /// # Errors
    /// `BadVersion`, `Truncated`.
    pub fn decode(c: &mut Cursor<'_>) -> Result<Self> {
        c.set_what("group info message");
        if c.u8()? != 0 {
            return Err(c.err_at(FormatErrorKind::BadVersion, "group info version"));
        }
        let flags = c.u8()?;
        let link_phase_change = if flags & 1 != 0 {
            Some((c.u16()?, c.u16()?))
        } else {
            None
        };
        let estimates = if flags & 2 != 0 {
            Some((c.u16()?, c.u16()?))
        } else {
            None
        };
        Ok(GroupInfo {
            link_phase_change,
            estimates,
        })
    }

    /// Encode the body (version 0): flags, then the link phase change values and the
    /// estimates when present (libhdf5 stores them only when they differ from its defaults
    /// 8/6 and 4/8).
    pub fn encode(&self, e: &mut Encoder) {
        let flags =
            u8::from(self.link_phase_change.is_some()) | u8::from(self.estimates.is_some()) << 1;
        e.u8(0).u8(flags);
        if let Some((a, b)) = self.link_phase_change {
            e.u16(a).u16(b);
        }
        if let Some((a, b)) = self.estimates {
            e.u16(a).u16(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode() {
        let g = GroupInfo::decode(&mut Cursor::new(&[0, 1, 8, 0, 6, 0], 0, "")).unwrap();
        assert_eq!(g.link_phase_change, Some((8, 6)));
        assert_eq!(g.estimates, None);
        assert!(GroupInfo::decode(&mut Cursor::new(&[1, 0], 0, "")).is_err());
    }

    #[test]
    fn encode_round_trip() {
        for g in [
            GroupInfo::default(),
            GroupInfo {
                link_phase_change: Some((20, 10)),
                estimates: Some((5, 30)),
            },
            GroupInfo {
                link_phase_change: None,
                estimates: Some((5, 30)),
            },
        ] {
            let mut e = Encoder::new(crate::format::Ctx::DEFAULT);
            g.encode(&mut e);
            let b = e.finish();
            let mut c = Cursor::new(&b, 0, "");
            assert_eq!(GroupInfo::decode(&mut c).unwrap(), g);
            assert_eq!(c.remaining(), 0);
        }
    }
}
