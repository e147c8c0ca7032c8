//! LZF filter (id 32000, registered by h5py). Client data: `[filter revision, LZF version,
//! chunk size in bytes]` (h5py fills the third at dataset creation; 0 means unknown).
//!
//! The chunk is one raw LZF stream (liblzf format, no header): a sequence of
//! - literal runs: a control byte `c < 32` followed by `c + 1` bytes copied as they are;
//! - back references: a control byte `c >= 32` whose top 3 bits give the length `l`
//!   (`l == 7` means a further length byte is added), then one more byte; the match copies
//!   `l + 2` bytes starting `((c & 31) << 8 | byte) + 1` bytes back in the output, which may
//!   overlap the bytes being written (a run).
//!
//! h5py's encoder gives up when the output would not be smaller than the input; the filter is
//! optional, so such chunks are stored raw with the filter's mask bit set.

use super::{bad, truncated, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "lzf";

/// The LZF filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lzf;

impl FilterDecoder for Lzf {
    fn decode(&self, params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        // The stored chunk size is only a capacity hint; the cap is what bounds the output.
        let hint = params
            .get(2)
            .and_then(|&n| usize::try_from(n).ok())
            .filter(|&n| n > 0)
            .unwrap_or(max_out)
            .min(max_out);
        decompress(&input, max_out, hint)
    }
}

/// Decompress one LZF stream into at most `max_out` bytes (`capacity` is a size hint).
///
/// # Errors
/// `Format { what: "lzf" }`: `Truncated` when a run or reference is cut short, `InvalidValue`
/// for a reference before the start of the output or output beyond `max_out`.
pub fn decompress(input: &[u8], max_out: usize, capacity: usize) -> Result<Vec<u8>> {
    let mut out: Vec<u8> = Vec::with_capacity(capacity.min(max_out));
    let mut rest = input;
    while let Some((&ctrl, tail)) = rest.split_first() {
        rest = tail;
        if ctrl < 32 {
            let len = usize::from(ctrl) + 1;
            let (lit, tail) = rest.split_at_checked(len).ok_or_else(|| truncated(WHAT))?;
            if out.len() + len > max_out {
                return Err(bad(WHAT));
            }
            out.extend_from_slice(lit);
            rest = tail;
        } else {
            let mut len = usize::from(ctrl >> 5);
            if len == 7 {
                let (&more, tail) = rest.split_first().ok_or_else(|| truncated(WHAT))?;
                len += usize::from(more);
                rest = tail;
            }
            len += 2;
            let (&low, tail) = rest.split_first().ok_or_else(|| truncated(WHAT))?;
            rest = tail;
            let back = ((usize::from(ctrl & 0x1f) << 8) | usize::from(low)) + 1;
            let start = out.len().checked_sub(back).ok_or_else(|| bad(WHAT))?;
            if out.len() + len > max_out {
                return Err(bad(WHAT));
            }
            // The source may overlap the destination: copy in pieces no longer than the bytes
            // already present from `start` (the piece doubles each time for short distances).
            let mut left = len;
            while left > 0 {
                let n = left.min(out.len() - start);
                out.extend_from_within(start..start + n);
                left -= n;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormatErrorKind;
    use alloc::vec;

    #[test]
    fn literals_and_references() {
        // "abcabcabcabc": literal "abc" then a back reference of length 9, distance 3.
        // ctrl = (9 - 2) -> 7 => 0xE0 | 0 (high distance bits), extra length byte 0, low = 2.
        let stream = [2, b'a', b'b', b'c', 0xe0, 0x00, 0x02];
        assert_eq!(decompress(&stream, 100, 0).unwrap(), b"abcabcabcabc");
        // Short reference: length 3 (ctrl top bits 1), distance 1: run of 'a'.
        let stream = [0, b'a', 0x20, 0x00];
        assert_eq!(decompress(&stream, 100, 0).unwrap(), b"aaaa");
        assert_eq!(decompress(&[], 100, 0).unwrap(), b"");
    }

    #[test]
    fn malformed_streams_are_errors() {
        let k = |r: Result<Vec<u8>>| r.unwrap_err().format_kind();
        // Literal run cut short.
        assert_eq!(
            k(decompress(&[3, 1, 2], 100, 0)),
            Some(FormatErrorKind::Truncated)
        );
        // Reference missing its distance byte / extra length byte.
        assert_eq!(
            k(decompress(&[0, 1, 0x20], 100, 0)),
            Some(FormatErrorKind::Truncated)
        );
        assert_eq!(
            k(decompress(&[0, 1, 0xe0], 100, 0)),
            Some(FormatErrorKind::Truncated)
        );
        // Reference before the start of the output.
        assert_eq!(
            k(decompress(&[0, 1, 0x20, 0x01], 100, 0)),
            Some(FormatErrorKind::InvalidValue)
        );
        // Output beyond the cap (a bomb): 1 + 264 bytes into 100.
        assert_eq!(
            k(decompress(&[0, 1, 0xe0, 0xff, 0x00], 100, 0)),
            Some(FormatErrorKind::InvalidValue)
        );
        assert_eq!(
            decompress(&[0, 1, 0xe0, 0xff, 0x00], 265, 0).unwrap(),
            vec![1; 265]
        );
    }
}
