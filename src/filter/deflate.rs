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
    // One byte of room beyond the cap tells "exactly max_out" from "more than max_out". The
    // buffer grows with the output instead of starting at the cap: a damaged size must not
    // allocate what a few bytes of stream claim to expand to.
    let limit = max_out.saturating_add(1);
    let mut out = Vec::with_capacity(input.len().saturating_mul(4).max(4096).min(limit));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= limit {
                return Err(bad(WHAT));
            }
            let room = out.capacity().saturating_mul(2).min(limit) - out.len();
            out.reserve_exact(room);
        }
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
                let stalled = d.total_in() == in_before && d.total_out() == out_before;
                if stalled && out.len() < out.capacity() {
                    // No progress with all input given and room left: the stream is cut short.
                    return Err(truncated(WHAT));
                }
            }
        }
    }
}

/// Inflate with miniz_oxide (the `no_std` path; always compiled so it can be tested against
/// the `std` path). The output grows with the data, up to `max_out`.
///
/// # Errors
/// As [`inflate`].
pub fn inflate_portable(input: &[u8], max_out: usize) -> Result<Vec<u8>> {
    use miniz_oxide::inflate::{decompress_to_vec_zlib_with_limit, TINFLStatus};
    decompress_to_vec_zlib_with_limit(input, max_out).map_err(|e| match e.status {
        TINFLStatus::FailedCannotMakeProgress | TINFLStatus::NeedsMoreInput => truncated(WHAT),
        // HasMoreOutput: the stream would produce more than max_out bytes.
        _ => bad(WHAT),
    })
}

/// Compress `data` into one zlib stream at `level` (0-9), as libhdf5's deflate filter writes
/// chunks (zlib's `compress2`). Any conforming zlib stream decodes the same; the bytes may
/// differ from libhdf5's zlib.
///
/// With `std` the stream comes from zlib-rs (through flate2), without it from miniz_oxide.
///
/// # Errors
/// [`Error::Usage`](crate::Error::Usage) for a level above 9.
pub fn compress(data: &[u8], level: u32) -> Result<Vec<u8>> {
    check_level(level)?;
    #[cfg(feature = "std")]
    {
        compress_zlib_rs(data, level)
    }
    #[cfg(not(feature = "std"))]
    {
        compress_portable(data, level)
    }
}

fn check_level(level: u32) -> Result<()> {
    if level > 9 {
        return Err(crate::error::Error::Usage(alloc::format!(
            "deflate level {level} (0-9)"
        )));
    }
    Ok(())
}

/// Compress with zlib-rs (the `std` path).
///
/// # Errors
/// As [`compress`].
#[cfg(feature = "std")]
pub fn compress_zlib_rs(data: &[u8], level: u32) -> Result<Vec<u8>> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    check_level(level)?;
    let mut c = Compress::new(Compression::new(level), true);
    // zlib's compressBound: the stream never needs more than this.
    let bound = data
        .len()
        .saturating_add(data.len() >> 12)
        .saturating_add(data.len() >> 14)
        .saturating_add(data.len() >> 25)
        .saturating_add(64);
    let mut out = Vec::with_capacity(bound);
    loop {
        let consumed = usize::try_from(c.total_in()).map_err(|_| bad(WHAT))?;
        let rest = data.get(consumed..).unwrap_or(&[]);
        let status = c
            .compress_vec(rest, &mut out, FlushCompress::Finish)
            .map_err(|_| bad(WHAT))?;
        match status {
            Status::StreamEnd => return Ok(out),
            Status::Ok | Status::BufError => out.reserve(out.capacity().max(64)),
        }
    }
}

/// Compress with miniz_oxide (the `no_std` path; always compiled so it can be tested against
/// the `std` path).
///
/// # Errors
/// As [`compress`].
pub fn compress_portable(data: &[u8], level: u32) -> Result<Vec<u8>> {
    check_level(level)?;
    let level = u8::try_from(level).map_err(|_| bad(WHAT))?;
    Ok(miniz_oxide::deflate::compress_to_vec_zlib(data, level))
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
    fn the_output_grows_with_the_data_not_the_cap() {
        // A cap far beyond memory (a damaged chunk size) is not allocated up front.
        for r in both(HELLO, usize::MAX / 2) {
            let v = r.unwrap();
            assert_eq!(v, HELLO_PLAIN);
            assert!(v.capacity() <= 8192, "{}", v.capacity());
        }
        // Output larger than the first buffer, at, under and over the cap.
        let plain: Vec<u8> = (0..300_000u32)
            .map(|i| (i % 251) as u8 ^ (i >> 11) as u8)
            .collect();
        let z = miniz_oxide::deflate::compress_to_vec_zlib(&plain, 6);
        for cap in [plain.len(), plain.len() + 1, 10 * plain.len()] {
            for r in both(&z, cap) {
                assert_eq!(r.unwrap(), plain, "cap {cap}");
            }
        }
        for r in both(&z, plain.len() - 1) {
            assert_eq!(
                r.unwrap_err().format_kind(),
                Some(FormatErrorKind::InvalidValue)
            );
        }
        for n in [z.len() / 2, z.len() - 5] {
            let [a, b] = both(&z[..n], plain.len());
            assert_eq!(a, b);
            assert_eq!(
                a.unwrap_err().format_kind(),
                Some(FormatErrorKind::Truncated)
            );
        }
    }

    #[test]
    fn compress_round_trips_on_both_paths() {
        let plain: Vec<u8> = (0..70_000u32)
            .map(|i| ((i * 7) % 253) as u8 ^ (i >> 9) as u8)
            .collect();
        for level in 0..=9 {
            for data in [&plain[..], &[], b"a"] {
                let a = compress(data, level).unwrap();
                let b = compress_portable(data, level).unwrap();
                for z in [a, b] {
                    for r in both(&z, data.len()) {
                        assert_eq!(r.unwrap(), data, "level {level}");
                    }
                }
            }
        }
        assert!(compress(b"x", 10).is_err());
        assert!(compress_portable(b"x", 10).is_err());
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
