//! Data layout message, type 0x0008 (spec: "Data Layout Message"), versions 1 to 5.
//!
//! Version 5 (HDF5 2.0) has the same message encoding as version 4; it marks files whose
//! chunk indexes store filtered chunk sizes with a fixed width.

use crate::error::{Error, FormatErrorKind, Result};
use crate::format::cursor::bytes_needed;
use crate::format::{Addr, Ctx, Cursor, Encoder};
use alloc::vec::Vec;

/// How the chunks of a chunked dataset are indexed (layout versions 4 and 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkIndex {
    /// Version 1 B-tree (layout versions 1 to 3).
    BTreeV1,
    /// One chunk covering the whole dataset; for a filtered chunk, its size and filter mask.
    SingleChunk {
        /// Size and filter mask of the filtered chunk.
        filtered: Option<(u64, u32)>,
    },
    /// Chunks allocated contiguously in order, no index.
    Implicit,
    /// Fixed array.
    FixedArray {
        /// log2 of the number of entries in a data block page.
        page_bits: u8,
    },
    /// Extensible array.
    ExtensibleArray {
        /// Bits for the maximum number of elements.
        max_bits: u8,
        /// Elements stored in the index block.
        index_elements: u8,
        /// Minimum data block pointers of a super block.
        min_pointers: u8,
        /// Minimum elements in a data block.
        min_elements: u8,
        /// log2 of elements in a data block page.
        page_bits: u8,
    },
    /// Version 2 B-tree.
    BTreeV2 {
        /// Node size in bytes.
        node_size: u32,
        /// Split percent.
        split_percent: u8,
        /// Merge percent.
        merge_percent: u8,
    },
}

/// The storage of a dataset's raw data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// Data stored in the message itself.
    Compact {
        /// The raw data.
        data: Vec<u8>,
    },
    /// One contiguous block.
    Contiguous {
        /// Its address; `None` when not yet allocated.
        addr: Option<Addr>,
        /// Its size in bytes (computed from the dataspace for versions 1 and 2: `None`).
        size: Option<u64>,
    },
    /// Fixed-size chunks found through an index.
    Chunked {
        /// Layout flags (versions 4+; bit 0 "don't filter partial edge chunks").
        flags: u8,
        /// Chunk dimensions in elements (rank entries, without the element-size dimension).
        chunk: Vec<u64>,
        /// Element size in bytes as stored in the message.
        element_size: u64,
        /// The index type and its parameters.
        index: ChunkIndex,
        /// Address of the index (B-tree, array header, or the single chunk); `None` when no
        /// chunk was ever written.
        addr: Option<Addr>,
    },
    /// A virtual dataset: its mappings are in the global heap.
    Virtual {
        /// Global heap collection address.
        heap: Option<Addr>,
        /// Object index in that collection.
        index: u32,
    },
}

/// A decoded layout message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutMessage {
    /// Message version (1..=5).
    pub version: u8,
    /// The layout.
    pub layout: Layout,
}

/// Most dimensions a chunk may have, including the element-size dimension.
const MAX_DIMS: u8 = 33;

impl LayoutMessage {
    /// Decode a layout message body.
    ///
    /// # Errors
    /// `BadVersion`, `InvalidValue` (unknown class or index type, zero chunk dimensions),
    /// `Truncated`.
    pub fn decode(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Self> {
        c.set_what("data layout message");
        let version = c.u8()?;
        let layout = match version {
            1 | 2 => Self::decode_v1(c, ctx)?,
            3 => Self::decode_v3(c, ctx)?,
            4 | 5 => Self::decode_v4(c, ctx)?,
            _ => return Err(c.err_at(FormatErrorKind::BadVersion, "data layout version")),
        };
        Ok(LayoutMessage { version, layout })
    }

    fn dims(c: &mut Cursor<'_>, n: u8, width: usize) -> Result<Vec<u64>> {
        if n == 0 || n > MAX_DIMS {
            return Err(c.invalid("data layout dimensionality"));
        }
        let mut v = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let at = c.addr();
            let d = c.uint(width)?;
            if d == 0 {
                return Err(crate::Error::invalid("data layout chunk dimension", at));
            }
            v.push(d);
        }
        Ok(v)
    }

    /// Split the trailing element-size dimension off chunk dimensions.
    fn split_chunk(c: &Cursor<'_>, mut dims: Vec<u64>) -> Result<(Vec<u64>, u64)> {
        let elem = dims.pop().ok_or(c.invalid("data layout dimensionality"))?;
        Ok((dims, elem))
    }

    fn decode_v1(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Layout> {
        let ndims = c.u8()?;
        let class = c.u8()?;
        c.skip(5)?;
        let addr = if class == 0 { None } else { c.offset(ctx)? };
        let dims = Self::dims(c, ndims, 4)?;
        match class {
            0 => {
                let n = c.u32()?;
                let n = crate::format::to_usize(u64::from(n), "compact data size", c.addr())?;
                Ok(Layout::Compact {
                    data: c.bytes(n)?.to_vec(),
                })
            }
            1 => Ok(Layout::Contiguous { addr, size: None }),
            2 => {
                let elem = u64::from(c.u32()?);
                let (chunk, _) = Self::split_chunk(c, dims)?;
                Ok(Layout::Chunked {
                    flags: 0,
                    chunk,
                    element_size: elem,
                    index: ChunkIndex::BTreeV1,
                    addr,
                })
            }
            _ => Err(c.invalid("data layout class")),
        }
    }

    /// Classes 0 (compact) and 1 (contiguous), encoded alike in versions 3 to 5.
    fn decode_stored(c: &mut Cursor<'_>, ctx: Ctx, class: u8) -> Result<Layout> {
        if class == 0 {
            let n = c.u16()?;
            Ok(Layout::Compact {
                data: c.bytes(usize::from(n))?.to_vec(),
            })
        } else {
            Ok(Layout::Contiguous {
                addr: c.offset(ctx)?,
                size: Some(c.length(ctx)?),
            })
        }
    }

    fn decode_v3(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Layout> {
        match c.u8()? {
            class @ (0 | 1) => Self::decode_stored(c, ctx, class),
            2 => {
                let ndims = c.u8()?;
                let addr = c.offset(ctx)?;
                let dims = Self::dims(c, ndims, 4)?;
                let (chunk, element_size) = Self::split_chunk(c, dims)?;
                Ok(Layout::Chunked {
                    flags: 0,
                    chunk,
                    element_size,
                    index: ChunkIndex::BTreeV1,
                    addr,
                })
            }
            _ => Err(c.invalid("data layout class")),
        }
    }

    fn decode_v4(c: &mut Cursor<'_>, ctx: Ctx) -> Result<Layout> {
        match c.u8()? {
            class @ (0 | 1) => Self::decode_stored(c, ctx, class),
            2 => {
                let flags = c.u8()?;
                if flags & !0x03 != 0 {
                    return Err(c.invalid("data layout flags"));
                }
                let ndims = c.u8()?;
                let width = c.u8()?;
                if !(1..=8).contains(&width) {
                    return Err(c.invalid("data layout dimension size encoded length"));
                }
                let dims = Self::dims(c, ndims, usize::from(width))?;
                let (chunk, element_size) = Self::split_chunk(c, dims)?;
                let index = match c.u8()? {
                    1 => ChunkIndex::SingleChunk {
                        filtered: if flags & 0x02 != 0 {
                            Some((c.length(ctx)?, c.u32()?))
                        } else {
                            None
                        },
                    },
                    2 => ChunkIndex::Implicit,
                    3 => ChunkIndex::FixedArray { page_bits: c.u8()? },
                    4 => ChunkIndex::ExtensibleArray {
                        max_bits: c.u8()?,
                        index_elements: c.u8()?,
                        min_pointers: c.u8()?,
                        min_elements: c.u8()?,
                        page_bits: c.u8()?,
                    },
                    5 => ChunkIndex::BTreeV2 {
                        node_size: c.u32()?,
                        split_percent: c.u8()?,
                        merge_percent: c.u8()?,
                    },
                    _ => return Err(c.invalid("chunk indexing type")),
                };
                let addr = c.offset(ctx)?;
                Ok(Layout::Chunked {
                    flags,
                    chunk,
                    element_size,
                    index,
                    addr,
                })
            }
            3 => Ok(Layout::Virtual {
                heap: c.offset(ctx)?,
                index: c.u32()?,
            }),
            _ => Err(c.invalid("data layout class")),
        }
    }

    /// Encode the body in [`LayoutMessage::version`]: 3 (libver earliest), 4 (1.10 format
    /// and later) or 5 (HDF5 2.0; the same message layout as 4).
    ///
    /// Version 3 writes compact (u16 size and data), contiguous (address, size) and chunked
    /// layouts indexed by a version 1 B-tree (rank + 1 u32 dimensions, the last the element
    /// size). Versions 4 and 5 write chunk dimensions in the fewest bytes that hold the
    /// largest of them (element size included), as libhdf5 2.x requires, then the index type
    /// and its parameters; a single-chunk index carries its filtered size and mask exactly
    /// when flag bit 1 is set. An absent address is the undefined address.
    ///
    /// # Errors
    /// [`Error::Usage`] for versions 1, 2 (their contiguous form needs the dataset
    /// dimensions, which [`Layout`] does not keep) and others above 5; a layout the version
    /// cannot express (version 3 with an index other than the v1 B-tree or a virtual layout,
    /// versions 4/5 with the v1 B-tree); a contiguous layout without a size; compact data over
    /// 65535 bytes; chunk dimensions of rank 0 or above 32, or a dimension not fitting u32 in
    /// version 3; single-chunk flag bit 1 disagreeing with the filtered size.
    pub fn encode(&self, e: &mut Encoder) -> Result<()> {
        let usage = |m: &str| Error::Usage(alloc::format!("data layout: {m}"));
        let version = self.version;
        if !(3..=5).contains(&version) {
            return Err(usage("only versions 3, 4 and 5 are written"));
        }
        e.u8(version);
        match &self.layout {
            Layout::Compact { data } => {
                let n = u16::try_from(data.len())
                    .map_err(|_| usage("compact data over 65535 bytes"))?;
                e.u8(0).u16(n).bytes(data);
            }
            Layout::Contiguous { addr, size } => {
                let size = size.ok_or_else(|| usage("contiguous layout without a size"))?;
                e.u8(1).opt_offset(*addr).length(size);
            }
            Layout::Chunked {
                flags,
                chunk,
                element_size,
                index,
                addr,
            } => {
                let ndims = u8::try_from(chunk.len())
                    .ok()
                    .filter(|n| (1..MAX_DIMS).contains(n))
                    .ok_or_else(|| usage("chunk rank outside 1..=32"))?
                    .saturating_add(1);
                let dims = chunk.iter().chain(core::iter::once(element_size));
                if version == 3 {
                    if *index != ChunkIndex::BTreeV1 {
                        return Err(usage("version 3 indexes chunks by a version 1 B-tree only"));
                    }
                    e.u8(2).u8(ndims).opt_offset(*addr);
                    for &d in dims {
                        e.uint_checked(d, 4, "data layout chunk dimension")?;
                    }
                    return Ok(());
                }
                let width = bytes_needed(dims.clone().copied().max().unwrap_or(0));
                e.u8(2).u8(*flags).u8(ndims);
                e.u8(u8::try_from(width).unwrap_or(8));
                for &d in dims {
                    e.uint(d, width);
                }
                match index {
                    ChunkIndex::BTreeV1 => {
                        return Err(usage("versions 4 and 5 have no version 1 B-tree index"))
                    }
                    ChunkIndex::SingleChunk { filtered } => {
                        e.u8(1);
                        match (filtered, flags & 0x02 != 0) {
                            (Some((size, mask)), true) => {
                                e.length(*size).u32(*mask);
                            }
                            (None, false) => {}
                            _ => {
                                return Err(usage(
                                    "single chunk flag bit 1 disagrees with the filtered size",
                                ))
                            }
                        }
                    }
                    ChunkIndex::Implicit => {
                        e.u8(2);
                    }
                    ChunkIndex::FixedArray { page_bits } => {
                        e.u8(3).u8(*page_bits);
                    }
                    ChunkIndex::ExtensibleArray {
                        max_bits,
                        index_elements,
                        min_pointers,
                        min_elements,
                        page_bits,
                    } => {
                        e.u8(4)
                            .u8(*max_bits)
                            .u8(*index_elements)
                            .u8(*min_pointers)
                            .u8(*min_elements)
                            .u8(*page_bits);
                    }
                    ChunkIndex::BTreeV2 {
                        node_size,
                        split_percent,
                        merge_percent,
                    } => {
                        e.u8(5)
                            .u32(*node_size)
                            .u8(*split_percent)
                            .u8(*merge_percent);
                    }
                }
                e.opt_offset(*addr);
            }
            Layout::Virtual { heap, index } => {
                if version == 3 {
                    return Err(usage("a virtual layout needs version 4"));
                }
                e.u8(3).opt_offset(*heap).u32(*index);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::hex;
    use alloc::vec;

    fn dec(s: &str) -> Result<LayoutMessage> {
        let b = hex(s);
        LayoutMessage::decode(&mut Cursor::new(&b, 0, ""), Ctx::DEFAULT)
    }

    #[test]
    fn from_h5py() {
        // Messages copied from files written by h5py 3.16 / libhdf5 2.0.
        let v3 = dec("0302037805000000000000050000000a0000000400000000").unwrap();
        assert_eq!(
            v3.layout,
            Layout::Chunked {
                flags: 0,
                chunk: vec![5, 10],
                element_size: 4,
                index: ChunkIndex::BTreeV1,
                addr: Some(Addr(0x578))
            }
        );
        let contiguous = dec("0301f2160000000000001400000000000000").unwrap();
        assert_eq!(
            contiguous.layout,
            Layout::Contiguous {
                addr: Some(Addr(0x16f2)),
                size: Some(20)
            }
        );
        let ea = dec("0502000301050a0404200404100abf01000000000000").unwrap();
        assert_eq!(ea.version, 5);
        match ea.layout {
            Layout::Chunked { chunk, index, .. } => {
                assert_eq!(chunk, [5, 10]);
                assert_eq!(
                    index,
                    ChunkIndex::ExtensibleArray {
                        max_bits: 32,
                        index_elements: 4,
                        min_pointers: 4,
                        min_elements: 16,
                        page_bits: 10
                    }
                );
            }
            l => panic!("{l:?}"),
        }
        let single = dec("0402020201640401c90000000000000000000000420f000000000000").unwrap();
        match single.layout {
            Layout::Chunked { index, addr, .. } => {
                assert_eq!(
                    index,
                    ChunkIndex::SingleChunk {
                        filtered: Some((201, 0))
                    }
                );
                assert_eq!(addr, Some(Addr(0xf42)));
            }
            l => panic!("{l:?}"),
        }
        let fa = dec("04020002010a04030a5706000000000000").unwrap();
        assert!(matches!(
            fa.layout,
            Layout::Chunked {
                index: ChunkIndex::FixedArray { page_bits: 10 },
                ..
            }
        ));
    }

    #[test]
    fn errors() {
        assert_eq!(
            dec("06").unwrap_err().format_kind(),
            Some(FormatErrorKind::BadVersion)
        );
        assert_eq!(
            dec("0409").unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            dec("04020002090a04").unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            dec("04020002010a0409").unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            dec("030203780500").unwrap_err().format_kind(),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(
            dec("04020002010004030a").unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }

    fn enc(m: &LayoutMessage) -> Vec<u8> {
        let mut e = Encoder::new(Ctx::DEFAULT);
        m.encode(&mut e).unwrap();
        e.finish()
    }

    #[test]
    fn encode_matches_libhdf5() {
        for s in [
            "0302037805000000000000050000000a0000000400000000",
            "0301f2160000000000001400000000000000",
            "0502000301050a0404200404100abf01000000000000",
            "0402020201640401c90000000000000000000000420f000000000000",
            "04020002010a04030a5706000000000000",
        ] {
            // The first is from a version 1 object header: padded to 8 bytes with zeros.
            let (b, stored) = (enc(&dec(s).unwrap()), hex(s));
            assert_eq!(b, stored[..b.len()], "{s}");
            assert!(stored[b.len()..].iter().all(|&x| x == 0) && stored.len() - b.len() < 8);
        }
    }

    #[test]
    fn encode_round_trip() {
        let chunked = |flags, chunk: Vec<u64>, index| Layout::Chunked {
            flags,
            chunk,
            element_size: 8,
            index,
            addr: Some(Addr(4096)),
        };
        let layouts = [
            (
                3,
                Layout::Compact {
                    data: vec![1, 2, 3],
                },
            ),
            (
                4,
                Layout::Contiguous {
                    addr: None,
                    size: Some(80),
                },
            ),
            (3, chunked(0, vec![10, 70000], ChunkIndex::BTreeV1)),
            (
                4,
                chunked(0, vec![300], ChunkIndex::SingleChunk { filtered: None }),
            ),
            (
                5,
                chunked(
                    2,
                    vec![3],
                    ChunkIndex::SingleChunk {
                        filtered: Some((17, 1)),
                    },
                ),
            ),
            (4, chunked(1, vec![2, 2], ChunkIndex::Implicit)),
            (
                4,
                chunked(0, vec![1 << 40], ChunkIndex::FixedArray { page_bits: 10 }),
            ),
            (
                4,
                chunked(
                    0,
                    vec![5],
                    ChunkIndex::ExtensibleArray {
                        max_bits: 32,
                        index_elements: 4,
                        min_pointers: 4,
                        min_elements: 16,
                        page_bits: 10,
                    },
                ),
            ),
            (
                4,
                chunked(
                    0,
                    vec![5, 6],
                    ChunkIndex::BTreeV2 {
                        node_size: 2048,
                        split_percent: 100,
                        merge_percent: 40,
                    },
                ),
            ),
            (
                4,
                Layout::Virtual {
                    heap: Some(Addr(99)),
                    index: 3,
                },
            ),
        ];
        for (version, layout) in layouts {
            let m = LayoutMessage { version, layout };
            let b = enc(&m);
            let mut c = Cursor::new(&b, 0, "");
            assert_eq!(LayoutMessage::decode(&mut c, Ctx::DEFAULT).unwrap(), m);
            assert_eq!(c.remaining(), 0);
        }
        // minimal dimension width: 1 << 40 needs 6 bytes
        let b = enc(&LayoutMessage {
            version: 4,
            layout: chunked(0, vec![1 << 40], ChunkIndex::Implicit),
        });
        assert_eq!(b[4], 6);
        let mut e = Encoder::new(Ctx::DEFAULT);
        let bad = LayoutMessage {
            version: 4,
            layout: chunked(0, vec![3], ChunkIndex::BTreeV1),
        };
        assert!(bad.encode(&mut e).is_err());
        let bad = LayoutMessage {
            version: 4,
            layout: chunked(2, vec![3], ChunkIndex::SingleChunk { filtered: None }),
        };
        assert!(bad.encode(&mut e).is_err());
    }
}
