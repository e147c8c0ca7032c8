//! Deflate filter (id 1): each chunk is one zlib stream (RFC 1950 header, RFC 1951 deflate
//! data, Adler-32 trailer). Client data: one value, the compression level the writer used
//! (irrelevant for reading). Bytes after the end of the stream are ignored, as libhdf5 does.
//!
//! With the `std` feature the stream is inflated by zlib-rs (through flate2, with runtime CPU
//! feature detection); without it by miniz_oxide. Both paths accept and reject the same
//! streams and give identical bytes.

use super::{bad, truncated, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "deflate";

/// The deflate filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Deflate;

impl FilterDecoder for Deflate {
    fn decode(&self, _params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        inflate(&input, max_out)
    }
}

/// Inflate one zlib stream into at most `max_out` bytes.
///
/// # Errors
/// `Format { kind: Truncated, what: "deflate" }` when the stream ends early;
/// `InvalidValue` for a corrupt stream, a bad Adler-32, or output longer than `max_out`.
pub fn inflate(input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    #[cfg(feature = "std")]
    {
        inflate_zlib_rs(input, max_out)
    }
    #[cfg(not(feature = "std"))]
    {
        inflate_portable(input, max_out)
    }
}

/// Inflate with zlib-rs (the `std` path).
///
/// # Errors
/// As [`inflate`].
#[cfg(feature = "std")]
pub fn inflate_zlib_rs(input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    use flate2::{Decompress, FlushDecompress, Status};
    let mut d = Decompress::new(true);
    // One byte of room beyond the cap tells "exactly max_out" from "more than max_out".
    let mut out = Vec::with_capacity(max_out.saturating_add(1));
    loop {
        let (in_before, out_before) = (d.total_in(), d.total_out());
        let consumed = usize::try_from(in_before).map_err(|_| bad(WHAT))?;
        let rest = input.get(consumed..).unwrap_or(&[]);
        let status = d
            .decompress_vec(rest, &mut out, FlushDecompress::Finish)
            .map_err(|_| bad(WHAT))?;
        if out.len() > max_out {
            return Err(bad(WHAT));
        }
        match status {
            Status::StreamEnd => return Ok(out),
            Status::Ok | Status::BufError => {
                if d.total_in() == in_before && d.total_out() == out_before {
                    // No progress with all input given and room left: the stream is cut short.
                    return Err(truncated(WHAT));
                }
            }
        }
    }
}

/// Inflate with miniz_oxide (the `no_std` path; always compiled so it can be tested against
/// the `std` path).
///
/// # Errors
/// As [`inflate`].
pub fn inflate_portable(input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
    use miniz_oxide::inflate::TINFLStatus;
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let mut out = alloc::vec![0u8; max_out];
    let mut state = alloc::boxed::Box::<DecompressorOxide>::default();
    let (status, _, written) = decompress(&mut state, input, &mut out, 0, flags);
    match status {
        TINFLStatus::Done => {
            out.truncate(written);
            Ok(out)
        }
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => Err(truncated(WHAT)),
        // HasMoreOutput: the stream would produce more than max_out bytes.
        _ => Err(bad(WHAT)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FormatErrorKind;

    /// zlib stream of b"hello hello hello hello\n" (Python: zlib.compress(b, 6)).
    const HELLO: &[u8] = &[
        0x78, 0x9c, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0x57, 0xc8, 0x40, 0x27, 0xb9, 0x00, 0x70, 0xbe,
        0x08, 0xbb,
    ];
    const HELLO_PLAIN: &[u8] = b"hello hello hello hello\n";

    fn both(input: &[u8], max_out: usize) -> [Result<Vec<u8>>; 2] {
        #[cfg(feature = "std")]
        let a = inflate_zlib_rs(input, max_out);
        #[cfg(not(feature = "std"))]
        let a = inflate_portable(input, max_out);
        [a, inflate_portable(input, max_out)]
    }

    #[test]
    fn inflates_on_both_paths() {
        for r in both(HELLO, 100) {
            assert_eq!(r.unwrap(), HELLO_PLAIN);
        }
        // Exactly at the cap is fine.
        for r in both(HELLO, HELLO_PLAIN.len()) {
            assert_eq!(r.unwrap(), HELLO_PLAIN);
        }
        // Trailing bytes after the stream are ignored.
        let mut t = HELLO.to_vec();
        t.extend_from_slice(b"junk");
        for r in both(&t, 100) {
            assert_eq!(r.unwrap(), HELLO_PLAIN);
        }
    }

    #[test]
    fn output_over_the_cap_is_an_error() {
        for r in both(HELLO, HELLO_PLAIN.len() - 1) {
            assert_eq!(
                r.unwrap_err().format_kind(),
                Some(FormatErrorKind::InvalidValue)
            );
        }
    }

    #[test]
    fn truncated_stream_is_an_error_at_every_length() {
        for n in 0..HELLO.len() {
            let [a, b] = both(&HELLO[..n], 100);
            assert_eq!(a, b, "{n}: both paths give the same error");
            for r in [a, b] {
                let e = r.unwrap_err();
                assert!(
                    matches!(
                        e.format_kind(),
                        Some(FormatErrorKind::Truncated | FormatErrorKind::InvalidValue)
                    ),
                    "{n}: {e:?}"
                );
            }
        }
    }

    #[test]
    fn bad_adler_and_bad_header_are_errors() {
        let mut t = HELLO.to_vec();
        *t.last_mut().unwrap() ^= 1;
        for r in both(&t, 100) {
            assert_eq!(
                r.unwrap_err().format_kind(),
                Some(FormatErrorKind::InvalidValue)
            );
        }
        let mut t = HELLO.to_vec();
        t[0] = 0x79;
        for r in both(&t, 100) {
            assert!(r.is_err());
        }
    }
}
