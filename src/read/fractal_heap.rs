//! Reading fractal heap objects by heap ID. Spec: "Fractal Heap".
//!
//! Managed objects are found by walking from the root block down the doubling table (a direct
//! root block, or a root indirect block with direct and indirect children of any depth); huge
//! objects are read at the address in their ID or found in the huge-object v2 B-tree; tiny
//! objects are inside the ID. Nothing is cached: each [`FractalHeap::get`] reads the blocks it
//! needs.
//!
//! Filtered heaps (I/O filters on direct blocks and huge objects) are not supported yet: there is
//! no filter module; their managed and huge objects give [`Error::Unsupported`]. Tiny objects of
//! filtered heaps are read as usual.

use super::btree_v2::BTreeV2;
use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::format::btree::v2::{BTreeType, Key, Record};
use crate::format::heap::fractal::{
    DirectBlock, DoublingTable, Header, HeapId, IndirectBlock, HEADER_PREFIX_SIZE,
};
use crate::format::{Addr, Cursor};
use alloc::vec::Vec;

/// An open fractal heap: its header and doubling table.
#[derive(Debug, Clone)]
pub struct FractalHeap {
    addr: Addr,
    header: Header,
    table: DoublingTable,
}

/// Where a managed object's direct block is.
struct DirectLocation {
    addr: Addr,
    block_offset: u64,
    size: u64,
    filtered: bool,
}

impl FractalHeap {
    /// Open the heap whose header is at `addr`.
    ///
    /// # Errors
    /// Header decode errors (`Truncated`, `BadSignature`, `BadVersion`, `BadChecksum`,
    /// `InvalidValue` for an impossible doubling table), `OutOfBounds` when the header is outside
    /// the file.
    pub fn open(r: &Reader, addr: Addr) -> Result<Self> {
        let prefix = r.block(addr, HEADER_PREFIX_SIZE as u64, "fractal heap header")?;
        let filters_len = Header::peek_filters_len(&prefix, addr.0)?;
        let size = Header::size(r.ctx, filters_len) as u64;
        let data = r.block(addr, size, "fractal heap header")?;
        let header = Header::decode(&data, addr.0, r.ctx)?;
        let table = header.table(addr.0)?;
        Ok(FractalHeap {
            addr,
            header,
            table,
        })
    }

    /// Address of the header.
    pub fn addr(&self) -> Addr {
        self.addr
    }

    /// The decoded header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The doubling table.
    pub fn table(&self) -> &DoublingTable {
        &self.table
    }

    /// The object with heap ID `id` (its bytes, as long as the heap's ID length).
    ///
    /// # Errors
    /// Heap ID errors (`BadVersion`, `InvalidValue`, `Truncated`); block decode errors
    /// (`BadSignature`, `BadChecksum`, ...); `InvalidValue` when the object lies outside its
    /// block, a block on the way is not allocated or belongs to another heap, or a huge object ID
    /// is not in the huge-object B-tree; `LimitExceeded` for indirect blocks nested deeper than
    /// `max_btree_depth` or objects over `max_alloc`; `Unsupported` for objects of filtered heaps.
    pub fn get(&self, r: &Reader, id: &[u8]) -> Result<Vec<u8>> {
        match HeapId::decode(id, &self.header, r.ctx, self.addr.0)? {
            HeapId::Tiny(data) => Ok(data.to_vec()),
            HeapId::Managed { offset, length } => self.managed(r, offset, length),
            HeapId::HugeDirect { addr, length } => Ok(r
                .block(addr, length, "huge fractal heap object")?
                .into_owned()),
            HeapId::HugeDirectFiltered { addr, .. } => Err(Error::unsupported(
                "filtered huge fractal heap object (no filter module yet)",
                addr.0,
            )),
            HeapId::HugeIndirect { id } => self.huge(r, id),
        }
    }

    fn huge(&self, r: &Reader, id: u64) -> Result<Vec<u8>> {
        let at = self.addr.0;
        let bt_addr = self.header.huge_btree.ok_or(Error::invalid(
            "fractal heap huge object B-tree address",
            at,
        ))?;
        let tree = BTreeV2::open(r, bt_addr)?;
        match tree.btree_type() {
            BTreeType::HUGE_INDIRECT => {}
            BTreeType::HUGE_INDIRECT_FILTERED => {
                return Err(Error::unsupported(
                    "filtered huge fractal heap object (no filter module yet)",
                    bt_addr.0,
                ))
            }
            _ => {
                return Err(Error::invalid(
                    "fractal heap huge object B-tree type",
                    bt_addr.0,
                ))
            }
        }
        match tree.find(r, Key::HugeId(id))? {
            Some(Record::HugeIndirect { addr, len, .. }) => {
                Ok(r.block(addr, len, "huge fractal heap object")?.into_owned())
            }
            _ => Err(Error::invalid(
                "fractal heap huge object ID (not in the B-tree)",
                bt_addr.0,
            )),
        }
    }

    /// Find the direct block holding heap offset `offset`.
    fn locate(&self, r: &Reader, offset: u64) -> Result<DirectLocation> {
        let h = &self.header;
        let t = &self.table;
        let at = self.addr.0;
        let root = h.root.ok_or(Error::invalid(
            "fractal heap root block (heap is empty)",
            at,
        ))?;
        if h.current_root_rows == 0 {
            return Ok(DirectLocation {
                addr: root,
                block_offset: 0,
                size: h.starting_block_size,
                filtered: h.is_filtered(),
            });
        }
        let mut iblock_addr = root;
        let mut iblock_offset = 0u64;
        let mut nrows = u32::from(h.current_root_rows);
        let mut visited: Vec<u64> = Vec::new();
        loop {
            if visited.contains(&iblock_addr.0) {
                return Err(Error::format(
                    FormatErrorKind::Cycle,
                    "fractal heap indirect block",
                    iblock_addr.0,
                ));
            }
            visited.push(iblock_addr.0);
            crate::Limits::check(
                "max_btree_depth",
                visited.len() as u64,
                u64::from(r.limits.max_btree_depth),
            )?;
            let size = IndirectBlock::size(h, t, r.ctx, nrows)?;
            let data = r.block(iblock_addr, size, "fractal heap indirect block")?;
            let ib = IndirectBlock::decode(&data, iblock_addr.0, r.ctx, h, t, nrows)?;
            if ib.heap_header != self.addr {
                return Err(Error::invalid(
                    "fractal heap indirect block header address",
                    iblock_addr.0,
                ));
            }
            if ib.block_offset != iblock_offset {
                return Err(Error::invalid(
                    "fractal heap indirect block offset",
                    iblock_addr.0,
                ));
            }
            let rel = offset
                .checked_sub(iblock_offset)
                .ok_or(Error::invalid("fractal heap offset", iblock_addr.0))?;
            let (row, col) = t.lookup(rel)?;
            if row >= nrows {
                return Err(Error::invalid(
                    "fractal heap offset (beyond the indirect block)",
                    iblock_addr.0,
                ));
            }
            let child_offset =
                iblock_offset
                    .checked_add(t.block_offset(row, col)?)
                    .ok_or(Error::format(
                        FormatErrorKind::Overflow,
                        "fractal heap block offset",
                        iblock_addr.0,
                    ))?;
            let unallocated =
                || Error::invalid("fractal heap block (not allocated)", iblock_addr.0);
            if t.is_direct_row(row) {
                let entry = u64::from(row) * t.width + col;
                let e = usize::try_from(entry)
                    .ok()
                    .and_then(|i| ib.direct.get(i))
                    .ok_or_else(unallocated)?;
                return Ok(DirectLocation {
                    addr: e.addr.ok_or_else(unallocated)?,
                    block_offset: child_offset,
                    size: t.row_block_size(row)?,
                    filtered: h.is_filtered(),
                });
            }
            let entry = u64::from(row - t.max_direct_rows) * t.width + col;
            iblock_addr = usize::try_from(entry)
                .ok()
                .and_then(|i| ib.indirect.get(i).copied())
                .flatten()
                .ok_or_else(unallocated)?;
            nrows = t.child_indirect_rows(row)?;
            iblock_offset = child_offset;
        }
    }

    fn managed(&self, r: &Reader, offset: u64, length: u64) -> Result<Vec<u8>> {
        let at = self.addr.0;
        if length == 0 {
            return Err(Error::invalid("fractal heap managed object length", at));
        }
        let loc = self.locate(r, offset)?;
        if loc.filtered {
            return Err(Error::unsupported(
                "filtered fractal heap direct block (no filter module yet)",
                loc.addr.0,
            ));
        }
        let what = "fractal heap direct block";
        let within = offset
            .checked_sub(loc.block_offset)
            .ok_or(Error::invalid("fractal heap offset", loc.addr.0))?;
        let end = within
            .checked_add(length)
            .filter(|&e| e <= loc.size)
            .ok_or(Error::invalid(
                "fractal heap managed object (runs past its direct block)",
                loc.addr.0,
            ))?;
        let prefix = self.header.direct_block_prefix(r.ctx) as u64;
        if within < prefix {
            return Err(Error::invalid(
                "fractal heap managed object offset (inside the block prefix)",
                loc.addr.0,
            ));
        }
        // A checksummed block is read whole to verify it; otherwise up to the object's end.
        let read_len = if self.header.flags.checksum_direct_blocks() {
            loc.size
        } else {
            end
        };
        let data = r.block(loc.addr, read_len, what)?;
        let db = DirectBlock::decode(&data, loc.addr.0, r.ctx, &self.header)?;
        if db.heap_header != self.addr {
            return Err(Error::invalid(
                "fractal heap direct block header address",
                loc.addr.0,
            ));
        }
        if db.block_offset != loc.block_offset {
            return Err(Error::invalid(
                "fractal heap direct block offset",
                loc.addr.0,
            ));
        }
        let mut c = Cursor::new(&data, loc.addr.0, what);
        c.seek(crate::format::to_usize(within, what, loc.addr.0)?)?;
        let n = r.limits.alloc(length)?;
        Ok(c.bytes(n)?.to_vec())
    }
}

#[cfg(test)]
#[allow(clippy::cast_possible_truncation)]
mod tests {
    use super::*;
    use crate::format::checksum::lookup3;
    use crate::format::Ctx;
    use crate::testutil::seal;
    use crate::Limits;
    use alloc::sync::Arc;
    use alloc::vec;

    fn put(file: &mut Vec<u8>, at: u64, bytes: &[u8]) {
        let at = at as usize;
        if file.len() < at + bytes.len() {
            file.resize(at + bytes.len(), 0);
        }
        file[at..at + bytes.len()].copy_from_slice(bytes);
    }

    const HDR: u64 = 0x100;

    /// Width 2, start 256, max direct 512, 16-bit heap: rows 0,1 of 256-byte blocks, row 2 of
    /// 512-byte blocks, rows >= 3 indirect (max_direct_rows = 9 - 8 + 2 = 3). Row 3 blocks
    /// (1 KiB) are indirect blocks of 3 - 1 = 2 rows.
    fn header(root: u64, rows: u16, flags: u8, huge_bt: u64) -> Vec<u8> {
        let mut b = b"FRHP\x00".to_vec();
        b.extend_from_slice(&7u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.push(flags);
        b.extend_from_slice(&100u32.to_le_bytes());
        for v in [1u64, huge_bt, 0, u64::MAX, 0, 0, 0, 0, 0, 0, 0, 0] {
            b.extend_from_slice(&v.to_le_bytes());
        }
        b.extend_from_slice(&2u16.to_le_bytes());
        b.extend_from_slice(&256u64.to_le_bytes());
        b.extend_from_slice(&512u64.to_le_bytes());
        b.extend_from_slice(&16u16.to_le_bytes());
        b.extend_from_slice(&0u16.to_le_bytes());
        b.extend_from_slice(&root.to_le_bytes());
        b.extend_from_slice(&rows.to_le_bytes());
        seal(b)
    }

    /// A direct block at heap offset `off` of `size` bytes holding `obj` at `within`.
    fn dblock(off: u64, size: usize, within: usize, obj: &[u8], checksum: bool) -> Vec<u8> {
        let mut b = b"FHDB\x00".to_vec();
        b.extend_from_slice(&HDR.to_le_bytes());
        b.extend_from_slice(&(off as u16).to_le_bytes());
        let sum_at = b.len();
        if checksum {
            b.extend_from_slice(&[0; 4]);
        }
        b.resize(size, 0);
        b[within..within + obj.len()].copy_from_slice(obj);
        if checksum {
            let s = lookup3(&b, 0);
            b[sum_at..sum_at + 4].copy_from_slice(&s.to_le_bytes());
        }
        b
    }

    fn iblock(off: u64, direct: &[u64], indirect: &[u64]) -> Vec<u8> {
        let mut b = b"FHIB\x00".to_vec();
        b.extend_from_slice(&HDR.to_le_bytes());
        b.extend_from_slice(&(off as u16).to_le_bytes());
        for a in direct.iter().chain(indirect) {
            b.extend_from_slice(&a.to_le_bytes());
        }
        seal(b)
    }

    fn reader(f: Vec<u8>) -> Reader {
        Reader::new(Arc::new(f), 0, Ctx::DEFAULT, Limits::default()).unwrap()
    }

    fn managed_id(off: u16, len: u8) -> [u8; 7] {
        // 16-bit heap: 2-byte offsets; min(512, 100) = 100 -> 1-byte lengths.
        let o = off.to_le_bytes();
        [0, o[0], o[1], len, 0, 0, 0]
    }

    #[test]
    fn root_direct_block_and_tiny() {
        let mut f = vec![0u8; 0x100];
        put(&mut f, HDR, &header(0x400, 0, 2, u64::MAX));
        put(&mut f, 0x400, &dblock(0, 256, 20, b"hello heap", true));
        let r = reader(f.clone());
        let h = FractalHeap::open(&r, Addr(HDR)).unwrap();
        assert_eq!(h.header().starting_block_size, 256);
        assert_eq!(h.get(&r, &managed_id(20, 10)).unwrap(), b"hello heap");
        assert_eq!(h.get(&r, &managed_id(21, 4)).unwrap(), b"ello");
        assert_eq!(h.get(&r, &[0x21, b'h', b'i', 0, 0, 0, 0]).unwrap(), b"hi");
        // Past the block, inside the prefix, zero length.
        for id in [managed_id(250, 10), managed_id(3, 4), managed_id(20, 0)] {
            assert_eq!(
                h.get(&r, &id).unwrap_err().format_kind(),
                Some(FormatErrorKind::InvalidValue)
            );
        }
        // Flipped byte in the block.
        let mut bad = f.clone();
        bad[0x400 + 200] ^= 1;
        let r = reader(bad);
        assert_eq!(
            h.get(&r, &managed_id(20, 10)).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        // Header corruption.
        let mut bad = f.clone();
        bad[HDR as usize + 40] ^= 1;
        let r = reader(bad);
        assert_eq!(
            FractalHeap::open(&r, Addr(HDR)).unwrap_err().format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        let r = reader(f[..0x120].to_vec());
        assert_eq!(
            FractalHeap::open(&r, Addr(HDR)).unwrap_err().format_kind(),
            Some(FormatErrorKind::OutOfBounds)
        );
    }

    /// Root indirect block of 4 rows: rows 0-2 direct, row 3 indirect blocks of 2 rows.
    fn two_level() -> Vec<u8> {
        let mut f = vec![0u8; 0x100];
        put(&mut f, HDR, &header(0x1000, 4, 0, u64::MAX));
        // Root: direct entries for rows 0..3 (6 entries), then 2 indirect entries (row 3).
        // Row 0: offsets 0, 256; row 1: 512, 768; row 2: 1024, 1536 (512 bytes each);
        // row 3: 2048 and 3072, indirect blocks of 2 rows (4 direct entries of 256 bytes).
        let und = u64::MAX;
        put(
            &mut f,
            0x1000,
            &iblock(
                0,
                &[0x2000, 0x2100, 0x2200, und, 0x2400, und],
                &[0x3000, und],
            ),
        );
        put(&mut f, 0x2000, &dblock(0, 256, 30, b"first", false));
        put(&mut f, 0x2200, &dblock(512, 256, 40, b"row one", false));
        put(&mut f, 0x2400, &dblock(1024, 512, 500, b"row two", false));
        put(&mut f, 0x3000, &iblock(2048, &[und, und, 0x3200, und], &[]));
        put(
            &mut f,
            0x3200,
            &dblock(2048 + 512, 256, 100, b"nested", false),
        );
        f.resize(0x3400, 0);
        f
    }

    #[test]
    fn indirect_blocks() {
        let f = two_level();
        let r = reader(f.clone());
        let h = FractalHeap::open(&r, Addr(HDR)).unwrap();
        assert_eq!(h.table().max_direct_rows, 3);
        assert_eq!(h.get(&r, &managed_id(30, 5)).unwrap(), b"first");
        assert_eq!(h.get(&r, &managed_id(512 + 40, 7)).unwrap(), b"row one");
        assert_eq!(h.get(&r, &managed_id(1024 + 500, 7)).unwrap(), b"row two");
        assert_eq!(
            h.get(&r, &managed_id(2048 + 512 + 100, 6)).unwrap(),
            b"nested"
        );
        // Unallocated direct block, unallocated indirect block, beyond the root rows.
        for off in [768 + 20, 3072 + 20, 4096 + 20] {
            assert_eq!(
                h.get(&r, &managed_id(off, 2)).unwrap_err().format_kind(),
                Some(FormatErrorKind::InvalidValue),
                "{off}"
            );
        }
        // An object running across the end of a 512-byte block.
        assert_eq!(
            h.get(&r, &managed_id(1024 + 510, 7))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // Wrong block offset in the nested direct block.
        let mut bad = f.clone();
        put(&mut bad, 0x3200, &dblock(2048, 256, 100, b"nested", false));
        let r2 = reader(bad);
        assert_eq!(
            h.get(&r2, &managed_id(2048 + 512 + 100, 6))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // Flipped byte in the nested indirect block.
        let mut bad = f.clone();
        bad[0x3000 + 20] ^= 1;
        let r2 = reader(bad);
        assert_eq!(
            h.get(&r2, &managed_id(2048 + 512 + 100, 6))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
        // A child indirect block pointing back at the root.
        let mut bad = f.clone();
        let und = u64::MAX;
        put(
            &mut bad,
            0x1000,
            &iblock(
                0,
                &[0x2000, 0x2100, 0x2200, und, 0x2400, und],
                &[0x1000, und],
            ),
        );
        let r2 = reader(bad);
        assert_eq!(
            h.get(&r2, &managed_id(2048 + 512 + 100, 6))
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::Cycle)
        );
        // Depth limit.
        let lim = Limits {
            max_btree_depth: 1,
            ..Limits::default()
        };
        let r3 = Reader::new(Arc::new(f), 0, Ctx::DEFAULT, lim).unwrap();
        assert!(matches!(
            h.get(&r3, &managed_id(2048 + 512 + 100, 6)),
            Err(Error::LimitExceeded {
                limit: "max_btree_depth",
                ..
            })
        ));
        assert_eq!(h.get(&r3, &managed_id(30, 5)).unwrap(), b"first");
    }

    #[test]
    fn huge_objects() {
        let mut f = vec![0u8; 0x100];
        put(&mut f, HDR, &header(u64::MAX, 0, 0, 0x600));
        // Huge object B-tree of type 1, one leaf with IDs 1 and 2.
        let mut bt = b"BTHD\x00\x01".to_vec();
        bt.extend_from_slice(&512u32.to_le_bytes());
        bt.extend_from_slice(&24u16.to_le_bytes());
        bt.extend_from_slice(&0u16.to_le_bytes());
        bt.extend_from_slice(&[100, 40]);
        bt.extend_from_slice(&0x700u64.to_le_bytes());
        bt.extend_from_slice(&2u16.to_le_bytes());
        bt.extend_from_slice(&2u64.to_le_bytes());
        put(&mut f, 0x600, &seal(bt));
        let mut leaf = b"BTLF\x00\x01".to_vec();
        for (addr, len, id) in [(0x900u64, 300u64, 1u64), (0xb00, 5, 2)] {
            leaf.extend_from_slice(&addr.to_le_bytes());
            leaf.extend_from_slice(&len.to_le_bytes());
            leaf.extend_from_slice(&id.to_le_bytes());
        }
        put(&mut f, 0x700, &seal(leaf));
        let big: Vec<u8> = (0..300u32).map(|i| (i * 7) as u8).collect();
        put(&mut f, 0x900, &big);
        put(&mut f, 0xb00, b"small");
        f.resize(0xc00, 0);
        let r = reader(f);
        let h = FractalHeap::open(&r, Addr(HDR)).unwrap();
        assert_eq!(h.get(&r, &[0x10, 1, 0, 0, 0, 0, 0]).unwrap(), big);
        assert_eq!(h.get(&r, &[0x10, 2, 0, 0, 0, 0, 0]).unwrap(), b"small");
        assert_eq!(
            h.get(&r, &[0x10, 3, 0, 0, 0, 0, 0])
                .unwrap_err()
                .format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
        // Managed objects of an empty heap.
        assert_eq!(
            h.get(&r, &managed_id(30, 5)).unwrap_err().format_kind(),
            Some(FormatErrorKind::InvalidValue)
        );
    }
}
