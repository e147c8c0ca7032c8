//! Helpers shared by the unit tests.

use alloc::string::String;
use alloc::vec::Vec;

/// Decode a hex string (whitespace ignored) into bytes.
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Append the lookup3 checksum of `b` to it, as every version 2 structure ends.
pub fn seal(mut b: Vec<u8>) -> Vec<u8> {
    let s = crate::format::checksum::lookup3(&b, 0);
    b.extend_from_slice(&s.to_le_bytes());
    b
}
