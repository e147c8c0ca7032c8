//! A most-significant-bit-first bit reader, shared by the n-bit, scale-offset and szip decoders
//! (all three pack values starting at the top bit of each byte), and its mirror, the bit writer
//! of the scale-offset encoder.

use alloc::vec::Vec;

/// Reads bits from a byte slice, most significant bit of each byte first.
///
/// The accumulator holds `nbits` valid bits left-aligned (bit 63 is the next bit); the bits
/// below them are always zero.
pub(crate) struct BitReader<'a> {
    data: &'a [u8],
    pos: usize,
    acc: u64,
    nbits: u32,
}

impl<'a> BitReader<'a> {
    /// A reader at the first bit of `data`.
    pub(crate) fn new(data: &'a [u8]) -> Self {
        BitReader {
            data,
            pos: 0,
            acc: 0,
            nbits: 0,
        }
    }

    /// Load whole bytes until at least 57 bits are held or the input ends.
    #[inline]
    fn refill(&mut self) {
        if let Some(word) = self.data.get(self.pos..).and_then(|s| s.first_chunk::<8>()) {
            let take = (64 - self.nbits) / 8;
            let w = u64::from_be_bytes(*word);
            self.acc |= w >> self.nbits;
            self.pos += take as usize;
            self.nbits += take * 8;
            // Clear the bits of the partly loaded next byte: they are loaded again later.
            self.acc &= !u64::MAX.checked_shr(self.nbits).unwrap_or(0);
            return;
        }
        while self.nbits <= 56 {
            let Some(&b) = self.data.get(self.pos) else {
                break;
            };
            self.acc |= u64::from(b) << (56 - self.nbits);
            self.pos += 1;
            self.nbits += 8;
        }
    }

    /// The next `n` bits (`n <= 57`) as an integer, or `None` when the input is too short.
    #[inline]
    pub(crate) fn read(&mut self, n: u32) -> Option<u64> {
        debug_assert!(n <= 57);
        if n == 0 {
            return Some(0);
        }
        if self.nbits < n {
            self.refill();
            if self.nbits < n {
                return None;
            }
        }
        let v = self.acc >> (64 - n);
        self.acc = self.acc.checked_shl(n).unwrap_or(0);
        self.nbits -= n;
        Some(v)
    }

    /// The next `n` bits (`n <= 64`) as an integer.
    pub(crate) fn read_wide(&mut self, n: u32) -> Option<u64> {
        if n <= 32 {
            return self.read(n);
        }
        let hi = self.read(n - 32)?;
        let lo = self.read(32)?;
        Some((hi << 32) | lo)
    }

    /// A fundamental sequence: the number of 0 bits before the next 1 bit (which is consumed).
    #[inline]
    pub(crate) fn unary(&mut self) -> Option<u64> {
        let mut count: u64 = 0;
        loop {
            if self.nbits == 0 {
                self.refill();
                if self.nbits == 0 {
                    return None;
                }
            }
            let lz = self.acc.leading_zeros();
            if lz < self.nbits {
                self.acc = self.acc.checked_shl(lz + 1).unwrap_or(0);
                self.nbits -= lz + 1;
                return Some(count + u64::from(lz));
            }
            count += u64::from(self.nbits);
            self.acc = 0;
            self.nbits = 0;
        }
    }
}

/// Writes bits most significant bit of each byte first (the mirror of [`BitReader`]); the
/// bits of a partly filled last byte are zero.
pub(crate) struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    nbits: u32,
}

impl BitWriter {
    /// A writer with room for `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        BitWriter {
            out: Vec::with_capacity(capacity),
            acc: 0,
            nbits: 0,
        }
    }

    /// Append the low `n` bits of `v` (`n <= 32`), most significant first.
    #[inline]
    fn write_narrow(&mut self, n: u32, v: u64) {
        debug_assert!(n <= 32 && self.nbits < 8);
        if n == 0 {
            return;
        }
        let v = v & (u64::MAX >> (64 - n));
        self.acc |= v << (64 - self.nbits - n);
        self.nbits += n;
        while self.nbits >= 8 {
            self.out.push(low_u8(self.acc >> 56));
            self.acc <<= 8;
            self.nbits -= 8;
        }
    }

    /// Append the low `n` bits of `v` (`n <= 64`), most significant first.
    pub(crate) fn write(&mut self, n: u32, v: u64) {
        if n > 32 {
            self.write_narrow(n - 32, v >> 32);
            self.write_narrow(32, v);
        } else {
            self.write_narrow(n, v);
        }
    }

    /// The bytes written, the last one padded with zero bits.
    pub(crate) fn finish(mut self) -> Vec<u8> {
        if self.nbits > 0 {
            self.out.push(low_u8(self.acc >> 56));
        }
        self.out
    }
}

/// The least significant byte of `v`.
#[inline]
pub(crate) fn low_u8(v: u64) -> u8 {
    v.to_le_bytes()[0]
}

/// The least significant 32 bits of `v`.
#[inline]
pub(crate) fn low_u32(v: u64) -> u32 {
    let b = v.to_le_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_msb_first_across_bytes() {
        let d = [
            0b1011_0011,
            0b0101_1100,
            0xff,
            0x00,
            0x12,
            0x34,
            0x56,
            0x78,
            0x9a,
            0xbc,
        ];
        let mut r = BitReader::new(&d);
        assert_eq!(r.read(3), Some(0b101));
        assert_eq!(r.read(7), Some(0b100_1101));
        assert_eq!(r.read(6), Some(0b01_1100));
        assert_eq!(r.read_wide(64), Some(0xff00_1234_5678_9abc));
        assert_eq!(r.read(1), None);
    }

    #[test]
    fn writer_mirrors_reader() {
        let vals: [(u32, u64); 7] = [
            (3, 0b101),
            (7, 0b100_1101),
            (0, 0),
            (64, 0xff00_1234_5678_9abc),
            (33, 0x1_8000_0001),
            (1, 1),
            (13, 0x1abc),
        ];
        let mut w = BitWriter::with_capacity(0);
        for &(n, v) in &vals {
            w.write(n, v | if n < 64 { 1u64 << n } else { 0 });
        }
        let bytes = w.finish();
        let total: u32 = vals.iter().map(|&(n, _)| n).sum();
        assert_eq!(bytes.len(), total.div_ceil(8) as usize);
        let mut r = BitReader::new(&bytes);
        for &(n, v) in &vals {
            assert_eq!(r.read_wide(n), Some(v), "{n}");
        }
        // Padding bits are zero.
        assert_eq!(r.read(total.next_multiple_of(8) - total), Some(0));
    }

    #[test]
    fn unary_counts_zeros() {
        // 0001 1 0000000 00000000 01...
        let d = [0b0001_1000, 0x00, 0b0100_0000];
        let mut r = BitReader::new(&d);
        assert_eq!(r.unary(), Some(3));
        assert_eq!(r.unary(), Some(0));
        assert_eq!(r.unary(), Some(3 + 8 + 1));
        assert_eq!(r.read(6), Some(0));
        assert_eq!(r.unary(), None);
    }
}
