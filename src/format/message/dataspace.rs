//! Dataspace message, type 0x0001 (spec: "Dataspace Message").

use crate::error::Error;
use crate::error::{FormatErrorKind, Result};
use crate::format::{Ctx, Cursor, Encoder};
use alloc::vec::Vec;

/// The kind of dataspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceKind {
    /// One element, rank 0.
    Scalar,
    /// No elements at all.
    Null,
    /// An N-dimensional array.
    Simple,
}

/// A decoded dataspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataspace {
    /// Scalar, null or simple.
    pub kind: SpaceKind,
    /// Current dimension sizes (empty for scalar and null).
    pub dims: Vec<u64>,
    /// Maximum sizes; `None` entries are unlimited. Equal to `dims` when not stored.
    pub max_dims: Vec<Option<u64>>,
}

/// Largest rank libhdf5 allows (H5S_MAX_RANK).
pub const MAX_RANK: u8 = 32;

impl Dataspace {
    /// A scalar dataspace.
    pub fn scalar() -> Self {
        Dataspace {
            kind: SpaceKind::Scalar,
            dims: Vec::new(),
            max_dims: Vec::new(),
        }
    }

    /// Number of elements (0 for null; 1 for scalar); `None` on overflow.
    pub fn nelements(&self) -> Option<u64> {
        match self.kind {
            SpaceKind::Null => Some(0),
            SpaceKind::Scalar => Some(1),
            SpaceKind::Simple => self.dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d)),
        }
    }

    /// Decode a dataspace message body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (rank over 32, unknown type, max < current), `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("dataspace message");
        let version = c.u8()?;
        let rank = c.u8()?;
        let flags = c.u8()?;
        if rank > MAX_RANK {
            return Err(c.invalid("dataspace rank"));
        }
        let kind = match version {
            1 => {
                c.skip(5)?;
                if rank == 0 {
                    SpaceKind::Scalar
                } else {
                    SpaceKind::Simple
                }
            }
            2 => match c.u8()? {
                0 => SpaceKind::Scalar,
                1 => SpaceKind::Simple,
                2 => SpaceKind::Null,
                _ => return Err(c.invalid("dataspace type")),
            },
            _ => return Err(c.err_at(FormatErrorKind::BadVersion, "dataspace version")),
        };
        if kind != SpaceKind::Simple && rank != 0 {
            return Err(c.invalid("dataspace rank of a scalar or null space"));
        }
        let mut dims = Vec::with_capacity(usize::from(rank));
        for _ in 0..rank {
            dims.push(c.length(ctx)?);
        }
        let unlimited = crate::format::cursor::ones(usize::from(ctx.length_size));
        let mut max_dims = Vec::with_capacity(usize::from(rank));
        if flags & 1 != 0 {
            for &d in &dims {
                let at = c.addr();
                let m = c.length(ctx)?;
                if m == unlimited {
                    max_dims.push(None);
                } else if m < d {
                    return Err(crate::Error::invalid("dataspace maximum dimension", at));
                } else {
                    max_dims.push(Some(m));
                }
            }
        } else {
            max_dims.extend(dims.iter().map(|&d| Some(d)));
        }
        if version == 1 && flags & 2 != 0 {
            // Permutation indices were never implemented by libhdf5; skip them.
            for _ in 0..rank {
                c.length(ctx)?;
            }
        }
        Ok(Dataspace {
            kind,
            dims,
            max_dims,
        })
    }

    /// Encode the message body in `version` 1 (libver earliest) or 2 (v1.8 format and later).
    ///
    /// A simple dataspace always stores its maximum dimensions (unlimited as all ones), as
    /// libhdf5 does for every dataspace it creates; version 1 writes rank 0 for a scalar and
    /// its five reserved bytes as zeros, version 2 the dataspace type.
    ///
    /// # Errors
    /// [`Error::Usage`] for another version, a null dataspace in version 1 (it has no
    /// encoding there), rank above 32, a scalar or null space with dimensions, or `max_dims`
    /// of another length than `dims`.
    pub fn encode(&self, e: &mut Encoder, version: u8) -> Result<()> {
        let rank = match self.kind {
            SpaceKind::Simple => u8::try_from(self.dims.len())
                .ok()
                .filter(|&r| r <= MAX_RANK)
                .ok_or_else(|| Error::Usage("dataspace rank above 32".into()))?,
            _ if !self.dims.is_empty() => {
                return Err(Error::Usage(
                    "scalar or null dataspace with dimensions".into(),
                ))
            }
            _ => 0,
        };
        if self.kind == SpaceKind::Simple && self.max_dims.len() != self.dims.len() {
            return Err(Error::Usage(
                "dataspace maximum dimensions of another rank".into(),
            ));
        }
        let flags = u8::from(rank > 0);
        match version {
            1 => {
                if self.kind == SpaceKind::Null {
                    return Err(Error::Usage(
                        "a null dataspace needs dataspace message version 2".into(),
                    ));
                }
                e.u8(1).u8(rank).u8(flags).zeros(5);
            }
            2 => {
                let kind = match self.kind {
                    SpaceKind::Scalar => 0,
                    SpaceKind::Simple => 1,
                    SpaceKind::Null => 2,
                };
                e.u8(2).u8(rank).u8(flags).u8(kind);
            }
            v => return Err(Error::Usage(alloc::format!("dataspace version {v}"))),
        }
        if rank > 0 {
            for &d in &self.dims {
                e.length(d);
            }
            for m in &self.max_dims {
                e.length(m.unwrap_or(u64::MAX));
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
    fn versions() {
        let ctx = Ctx::DEFAULT;
        let mut b = vec![2u8, 2, 1, 1];
        b.extend_from_slice(&10u64.to_le_bytes());
        b.extend_from_slice(&20u64.to_le_bytes());
        b.extend_from_slice(&u64::MAX.to_le_bytes());
        b.extend_from_slice(&20u64.to_le_bytes());
        let s = Dataspace::decode(&mut Cursor::new(&b, 0, ""), ctx).unwrap();
        assert_eq!(s.kind, SpaceKind::Simple);
        assert_eq!(s.dims, [10, 20]);
        assert_eq!(s.max_dims, [None, Some(20)]);
        assert_eq!(s.nelements(), Some(200));
        let null = Dataspace::decode(&mut Cursor::new(&[2, 0, 0, 2], 0, ""), ctx).unwrap();
        assert_eq!((null.kind, null.nelements()), (SpaceKind::Null, Some(0)));
        let v1 =
            Dataspace::decode(&mut Cursor::new(&[1, 0, 0, 0, 0, 0, 0, 0], 0, ""), ctx).unwrap();
        assert_eq!(v1.kind, SpaceKind::Scalar);
        let mut bad = b.clone();
        bad[24..32].copy_from_slice(&5u64.to_le_bytes());
        assert_eq!(
            Dataspace::decode(&mut Cursor::new(&bad, 0, ""), ctx)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            Dataspace::decode(&mut Cursor::new(&[3, 0, 0, 0], 0, ""), ctx)
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
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
            let spaces = [
                Dataspace::scalar(),
                Dataspace {
                    kind: SpaceKind::Null,
                    dims: vec![],
                    max_dims: vec![],
                },
                Dataspace {
                    kind: SpaceKind::Simple,
                    dims: vec![3, 0, 7],
                    max_dims: vec![Some(3), None, Some(9)],
                },
            ];
            for s in spaces {
                for v in [1u8, 2] {
                    let mut e = Encoder::new(ctx);
                    if s.kind == SpaceKind::Null && v == 1 {
                        assert!(s.encode(&mut e, v).is_err());
                        continue;
                    }
                    s.encode(&mut e, v).unwrap();
                    let b = e.finish();
                    let mut c = Cursor::new(&b, 0, "");
                    assert_eq!(Dataspace::decode(&mut c, ctx).unwrap(), s);
                    assert_eq!(c.remaining(), 0);
                }
            }
        }
        let mut e = Encoder::new(Ctx::DEFAULT);
        assert!(Dataspace::scalar().encode(&mut e, 3).is_err());
    }
}
