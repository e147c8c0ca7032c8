//! Jenkins lookup3 `hashlittle`, the checksum of every version-2 HDF5 metadata structure
//! (spec: "Checksum" fields; libhdf5 `H5_checksum_lookup3` with an initial value of 0).

use crate::error::{Error, FormatErrorKind, Result};

#[inline]
fn mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(4);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(6);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(8);
    *b = b.wrapping_add(*a);
    *a = a.wrapping_sub(*c);
    *a ^= c.rotate_left(16);
    *c = c.wrapping_add(*b);
    *b = b.wrapping_sub(*a);
    *b ^= a.rotate_left(19);
    *a = a.wrapping_add(*c);
    *c = c.wrapping_sub(*b);
    *c ^= b.rotate_left(4);
    *b = b.wrapping_add(*a);
}

#[inline]
fn final_mix(a: &mut u32, b: &mut u32, c: &mut u32) {
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(14));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(11));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(25));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(16));
    *a ^= *c;
    *a = a.wrapping_sub(c.rotate_left(4));
    *b ^= *a;
    *b = b.wrapping_sub(a.rotate_left(14));
    *c ^= *b;
    *c = c.wrapping_sub(b.rotate_left(24));
}

fn word(s: &[u8]) -> u32 {
    let mut w = [0u8; 4];
    for (d, s) in w.iter_mut().zip(s) {
        *d = *s;
    }
    u32::from_le_bytes(w)
}

/// Jenkins lookup3 `hashlittle(data, initval)`.
pub fn lookup3(data: &[u8], initval: u32) -> u32 {
    // The length is folded in modulo 2^32, exactly as the reference does.
    #[allow(clippy::cast_possible_truncation)]
    let len = data.len() as u32;
    let init = 0xdead_beef_u32.wrapping_add(len).wrapping_add(initval);
    let (mut a, mut b, mut c) = (init, init, init);
    let mut rest = data;
    while rest.len() > 12 {
        let (blk, tail) = rest.split_at(12);
        let (x, yz) = blk.split_at(4);
        let (y, z) = yz.split_at(4);
        a = a.wrapping_add(word(x));
        b = b.wrapping_add(word(y));
        c = c.wrapping_add(word(z));
        mix(&mut a, &mut b, &mut c);
        rest = tail;
    }
    if rest.is_empty() {
        return c;
    }
    let (x, yz) = rest.split_at(rest.len().min(4));
    let (y, z) = yz.split_at(yz.len().min(4));
    a = a.wrapping_add(word(x));
    b = b.wrapping_add(word(y));
    c = c.wrapping_add(word(z));
    final_mix(&mut a, &mut b, &mut c);
    c
}

/// Verify that the last four bytes of `block` are the lookup3 checksum of the bytes before them.
/// `addr` is the file address of `block`; `what` names the structure.
///
/// Fuzz builds (`cfg(fuzzing)`, set by cargo-fuzz) accept any checksum, so that the fuzzer can
/// reach the decoding behind it; see [`enforced`].
///
/// # Errors
/// `Truncated` if the block is shorter than 4 bytes, `BadChecksum` on mismatch.
pub fn verify(block: &[u8], addr: u64, what: &'static str) -> Result<()> {
    let n =
        block
            .len()
            .checked_sub(4)
            .ok_or(Error::format(FormatErrorKind::Truncated, what, addr))?;
    let (body, sum) = block.split_at(n);
    if enforced() && lookup3(body, 0) != word(sum) {
        return Err(Error::format(
            FormatErrorKind::BadChecksum,
            what,
            addr.wrapping_add(n as u64),
        ));
    }
    Ok(())
}

/// Whether checksum mismatches are errors: always, except in fuzz builds (`cfg(fuzzing)`), where
/// a checksum would stop the fuzzer at every mutated block. Regression inputs taken from fuzz
/// findings must therefore carry valid checksums to reproduce in normal builds.
#[inline]
pub fn enforced() -> bool {
    !cfg!(fuzzing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_vectors() {
        // Vectors from the lookup3 reference driver.
        assert_eq!(lookup3(b"", 0), 0xdead_beef);
        assert_eq!(lookup3(b"Four score and seven years ago", 0), 0x1777_0551);
        assert_eq!(lookup3(b"Four score and seven years ago", 1), 0xcd62_8161);
    }

    #[test]
    fn verify_detects_flip() {
        let mut b = b"hello world, a block!".to_vec();
        let s = lookup3(&b, 0);
        b.extend_from_slice(&s.to_le_bytes());
        verify(&b, 0, "t").unwrap();
        b[3] ^= 1;
        assert_eq!(
            verify(&b, 0, "t").unwrap_err().format_kind(),
            Some(FormatErrorKind::BadChecksum)
        );
    }
}
