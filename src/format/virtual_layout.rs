//! The mapping table of a virtual dataset (spec: "Global Heap Block for Virtual Dataset"),
//! stored as one global heap object that the version 4 layout message points to.

use super::selection::Selection;
use super::{checksum, to_usize, Ctx, Cursor};
use crate::error::{Error, FormatErrorKind, Result};
use alloc::vec::Vec;

/// One source-to-virtual mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    /// Source file name; `None` for the virtual dataset's own file (stored as ".").
    pub file: Option<Vec<u8>>,
    /// Source dataset path.
    pub dataset: Vec<u8>,
    /// Selection in the source dataset.
    pub source: Selection,
    /// Selection in the virtual dataset.
    pub virtual_sel: Selection,
}

/// Decode the mapping block (the global heap object's bytes, read at `addr`); `rank` is the
/// virtual dataset's rank.
///
/// Version 0 stores both names of every entry; version 1 (HDF5 1.14/2.0) adds a flags byte per
/// entry: bit 0 / bit 1 "file / dataset name is that of entry N" (N follows as a length-sized
/// index instead of the string), bit 2 "source is this file" (no file name stored).
///
/// # Errors
/// `BadVersion`, `BadChecksum`, `Truncated`, `InvalidValue` (bad flags, index of a later
/// entry).
pub fn decode(data: &[u8], addr: u64, ctx: Ctx, rank: usize) -> Result<Vec<Mapping>> {
    checksum::verify(data, addr, "virtual dataset mapping block")?;
    let body = data.get(..data.len().saturating_sub(4)).unwrap_or(&[]);
    let mut c = Cursor::new(body, addr, "virtual dataset mapping block");
    let version = c.u8()?;
    if version > 1 {
        return Err(c.err_at(
            FormatErrorKind::BadVersion,
            "virtual dataset mapping version",
        ));
    }
    let n = c.length(ctx)?;
    let n = to_usize(n, "virtual dataset mapping count", addr)?;
    let mut out = Vec::with_capacity(n.min(c.remaining() / 4));
    for _ in 0..n {
        let flags = if version == 1 { c.u8()? } else { 0 };
        if flags & !0x07 != 0 {
            return Err(c.invalid("virtual dataset mapping flags"));
        }
        // Bit 0 / bit 1: the file / dataset name is that of an earlier entry, given by its
        // index (a length-sized field); bit 2: the source is this file (no file name).
        let file = if flags & 0x04 != 0 {
            None
        } else if flags & 0x01 != 0 {
            let at = c.addr();
            let i = to_usize(c.length(ctx)?, "virtual dataset mapping index", at)?;
            let prev: &Mapping = out
                .get(i)
                .ok_or(Error::invalid("virtual dataset shared file name index", at))?;
            prev.file.clone()
        } else {
            let f = c.cstr()?;
            if f == b"." {
                None
            } else {
                Some(f.to_vec())
            }
        };
        let dataset = if flags & 0x02 != 0 {
            let at = c.addr();
            let i = to_usize(c.length(ctx)?, "virtual dataset mapping index", at)?;
            let prev: &Mapping = out.get(i).ok_or(Error::invalid(
                "virtual dataset shared dataset name index",
                at,
            ))?;
            prev.dataset.clone()
        } else {
            c.cstr()?.to_vec()
        };
        let source = Selection::decode(&mut c, None)?;
        let virtual_sel = Selection::decode(&mut c, Some(rank))?;
        out.push(Mapping {
            file,
            dataset,
            source,
            virtual_sel,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;

    #[test]
    fn from_libhdf5() {
        // Written by h5py 3.16 / libhdf5 2.0: version 1, one same-file mapping of "same" (all)
        // onto a regular hyperslab of a 1-D virtual dataset.
        let b = hex("0101000000000000000473616d65000300000001000000000000000000000002000000030000000102010000000000010001000a0023e2bcfa");
        let m = decode(&b, 0, Ctx::DEFAULT, 1).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].file, None);
        assert_eq!(m[0].dataset, b"same");
        assert_eq!(m[0].source, Selection::All);
        assert!(matches!(m[0].virtual_sel, Selection::Regular { .. }));
        let mut bad = b.clone();
        bad[12] ^= 1;
        assert_eq!(
            decode(&bad, 0, Ctx::DEFAULT, 1).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
    }
}
