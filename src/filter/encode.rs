//! The writer's side of the filter pipeline: chunk bytes as the datatype lays them out -> chunk
//! bytes as stored, plus the chunk's filter mask.
//!
//! Spec: "Filter Pipeline Message" (filters run in the order listed when writing) and the
//! chunk records' "Filter Mask". Like libhdf5's `H5Z_pipeline`, an *optional* filter
//! ([`FLAG_OPTIONAL`]) that fails on a chunk (in practice: compression that does not help) is
//! skipped for that chunk and its mask bit set; a mandatory filter that fails is an error.
//!
//! The [`FilterSpec`] constructors give the flags and client data libhdf5 2.0 / h5py 3.16 write
//! for each filter (checked against `dcpl.get_filter(i)` in `tests/filter_encode_check.py`).

use super::{deflate, fletcher32, id, lzf, nbit, scaleoffset, shuffle, FilterSpec, FLAG_OPTIONAL};
use super::{usize_of, MAX_FILTERS};
use crate::error::{Error, Result};
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

pub use super::scaleoffset::params as scaleoffset_params;
pub use super::scaleoffset::{NumberClass, Scale};

/// h5py's LZF filter revision (client data value 0).
pub const LZF_FILTER_REVISION: u32 = 4;
/// The liblzf version h5py records (client data value 1): 1.5.
pub const LZF_VERSION: u32 = 0x0105;

impl FilterSpec {
    /// Deflate at `level` (0-9), as h5py's `compression="gzip"` writes it: optional, client
    /// data `[level]`.
    pub fn deflate(level: u32) -> Self {
        FilterSpec {
            id: id::DEFLATE,
            flags: FLAG_OPTIONAL,
            params: vec![level],
        }
    }

    /// Shuffle of `elem_size`-byte elements (the datatype's size), as h5py's `shuffle=True`
    /// writes it: optional, client data `[elem_size]` (libhdf5's `set_local` adds the size).
    pub fn shuffle(elem_size: u32) -> Self {
        FilterSpec {
            id: id::SHUFFLE,
            flags: FLAG_OPTIONAL,
            params: vec![elem_size],
        }
    }

    /// Fletcher-32, as h5py's `fletcher32=True` writes it: mandatory, no client data.
    pub fn fletcher32() -> Self {
        FilterSpec {
            id: id::FLETCHER32,
            flags: 0,
            params: Vec::new(),
        }
    }

    /// LZF for chunks of `chunk_bytes` bytes, as h5py's `compression="lzf"` writes it:
    /// optional, client data `[4, 0x105, chunk_bytes]` (h5py's `set_local` fills the size).
    pub fn lzf(chunk_bytes: u32) -> Self {
        FilterSpec {
            id: id::LZF,
            flags: FLAG_OPTIONAL,
            params: vec![LZF_FILTER_REVISION, LZF_VERSION, chunk_bytes],
        }
    }

    /// Integer scale-offset, as h5py's `scaleoffset=min_bits` writes it: optional, the 20
    /// client data values of [`scaleoffset_params`] (`min_bits` 0 = computed per chunk).
    ///
    /// # Errors
    /// As [`scaleoffset_params`].
    pub fn scaleoffset_int(
        size: usize,
        signed: bool,
        big_endian: bool,
        min_bits: u32,
        chunk_elems: usize,
        fill: Option<&[u8]>,
    ) -> Result<Self> {
        let class = if signed {
            NumberClass::Signed
        } else {
            NumberClass::Unsigned
        };
        Ok(FilterSpec {
            id: id::SCALEOFFSET,
            flags: FLAG_OPTIONAL,
            params: scaleoffset_params(
                class,
                size,
                big_endian,
                Scale::IntBits(min_bits),
                chunk_elems,
                fill,
            )?,
        })
    }

    /// Float scale-offset with D-scaling (`decimal_digits` kept after the point; lossy), as
    /// h5py's `scaleoffset=decimal_digits` writes it for a float dataset.
    ///
    /// # Errors
    /// As [`scaleoffset_params`].
    pub fn scaleoffset_float(
        size: usize,
        big_endian: bool,
        decimal_digits: i32,
        chunk_elems: usize,
        fill: Option<&[u8]>,
    ) -> Result<Self> {
        Ok(FilterSpec {
            id: id::SCALEOFFSET,
            flags: FLAG_OPTIONAL,
            params: scaleoffset_params(
                NumberClass::Float,
                size,
                big_endian,
                Scale::FloatDecimal(decimal_digits),
                chunk_elems,
                fill,
            )?,
        })
    }
}

/// Apply `pipeline` to one chunk, first filter first: returns the bytes to store and the
/// chunk's filter mask (bit `i` set: filter `i` was skipped).
///
/// `elem_size` is the datatype's size in bytes; shuffle uses it when its client data is empty.
///
/// Per filter:
/// - deflate (1): a zlib stream at the level of client data 0 ([`deflate::compress`]);
/// - shuffle (2): [`shuffle::shuffle`];
/// - Fletcher-32 (3): the checksum appended ([`fletcher32::append`]);
/// - n-bit (5): [`nbit::encode`] (never declines);
/// - scale-offset (6): [`scaleoffset::encode`]; declines non-finite floats;
/// - LZF (32000): [`lzf::compress`]; declines when the result is not smaller than the input
///   (h5py's filter fails then, so libhdf5 stores such chunks unfiltered).
///
/// # Errors
/// - [`Error::Unsupported`] naming the id for any other filter (whether or not optional);
/// - [`Error::Usage`] for client data the filter cannot use, more than 32 filters, or a
///   mandatory filter that declines the chunk.
pub fn encode(pipeline: &[FilterSpec], elem_size: usize, data: Vec<u8>) -> Result<(Vec<u8>, u32)> {
    if pipeline.len() > MAX_FILTERS {
        return Err(Error::Usage(format!(
            "{} filters in one pipeline (at most {MAX_FILTERS})",
            pipeline.len()
        )));
    }
    let mut data = data;
    let mut mask = 0u32;
    for (i, spec) in pipeline.iter().enumerate() {
        match encode_one(spec, elem_size, data)? {
            Ok(out) => data = out,
            Err(unchanged) => {
                if !spec.is_optional() {
                    return Err(Error::Usage(format!(
                        "mandatory filter {} (id {}) failed on a chunk",
                        i, spec.id
                    )));
                }
                mask |= 1u32 << i;
                data = unchanged;
            }
        }
    }
    Ok((data, mask))
}

/// One filter: `Ok(Ok(out))` applied, `Ok(Err(input))` declined (input given back).
fn encode_one(
    spec: &FilterSpec,
    elem_size: usize,
    data: Vec<u8>,
) -> Result<core::result::Result<Vec<u8>, Vec<u8>>> {
    let missing = |what: &str| {
        Error::Usage(format!(
            "filter id {}: client data value {what} missing",
            spec.id
        ))
    };
    match spec.id {
        id::DEFLATE => {
            let level = *spec.params.first().ok_or_else(|| missing("0 (level)"))?;
            Ok(Ok(deflate::compress(&data, level)?))
        }
        id::SHUFFLE => {
            let size = match spec.params.first() {
                Some(&s) => usize_of(s, "shuffle")?,
                None => elem_size,
            };
            Ok(Ok(shuffle::shuffle(&data, size)))
        }
        id::FLETCHER32 => Ok(Ok(fletcher32::append(data))),
        id::NBIT => Ok(Ok(nbit::encode(&spec.params, &data)?)),
        id::SCALEOFFSET => match scaleoffset::encode(&spec.params, &data)? {
            Some(out) => Ok(Ok(out)),
            None => Ok(Err(data)),
        },
        id::LZF => {
            let out = lzf::compress(&data);
            if out.len() < data.len() {
                Ok(Ok(out))
            } else {
                Ok(Err(data))
            }
        }
        other => Err(Error::unsupported(format!("encoding filter id {other}"), 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Registry;
    use super::*;

    fn lcg(n: usize, seed: u32) -> Vec<u8> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            })
            .collect()
    }

    /// Smooth data: small steps, compressible.
    fn smooth(n_elems: usize, size: usize, seed: u32) -> Vec<u8> {
        let r = lcg(n_elems, seed);
        let mut v: u64 = 1000;
        let mut out = Vec::new();
        for &b in &r {
            v = v.wrapping_add(u64::from(b % 5));
            out.extend_from_slice(&v.to_le_bytes()[..size]);
        }
        out
    }

    fn round_trip(pipeline: &[FilterSpec], size: usize, data: Vec<u8>) -> u32 {
        let (stored, mask) = encode(pipeline, size, data.clone()).unwrap();
        let back = Registry::default()
            .decode(pipeline, mask, stored, data.len())
            .unwrap();
        assert_eq!(back, data, "{pipeline:?}");
        mask
    }

    #[test]
    fn lossless_pipelines_round_trip() {
        for size in [1usize, 2, 4, 8, 3] {
            let s = u32::try_from(size).unwrap();
            for (n, data) in [
                (0, Vec::new()),
                (1, smooth(1, size, 1)),
                (500, smooth(500, size, 2)),
                (500, lcg(500 * size, 3)),
            ] {
                assert_eq!(data.len(), n * size);
                let b = u32::try_from(data.len()).unwrap();
                for p in [
                    vec![FilterSpec::deflate(4)],
                    vec![FilterSpec::deflate(0)],
                    vec![FilterSpec::shuffle(s)],
                    vec![FilterSpec::fletcher32()],
                    vec![FilterSpec::shuffle(s), FilterSpec::deflate(9)],
                    vec![
                        FilterSpec::shuffle(s),
                        FilterSpec::deflate(1),
                        FilterSpec::fletcher32(),
                    ],
                    vec![FilterSpec::lzf(b)],
                    vec![
                        FilterSpec::shuffle(s),
                        FilterSpec::lzf(b),
                        FilterSpec::fletcher32(),
                    ],
                ] {
                    round_trip(&p, size, data.clone());
                }
            }
        }
    }

    #[test]
    fn lzf_declines_incompressible_chunks() {
        let p = [FilterSpec::lzf(1000), FilterSpec::fletcher32()];
        assert_eq!(round_trip(&p, 1, lcg(1000, 9)), 0b01);
        assert_eq!(round_trip(&p, 1, vec![5; 1000]), 0);
        // Mandatory LZF that declines is an error.
        let mut m = FilterSpec::lzf(1000);
        m.flags = 0;
        assert!(matches!(
            encode(&[m], 1, lcg(1000, 9)),
            Err(Error::Usage(_))
        ));
    }

    #[test]
    fn scaleoffset_integers_round_trip() {
        for (size, signed) in [
            (1, false),
            (1, true),
            (2, true),
            (2, false),
            (4, true),
            (8, true),
            (8, false),
        ] {
            for be in [false, true] {
                for fill in [None, Some(vec![0u8; size]), Some(vec![0xff; size])] {
                    for bits in [0u32, 3] {
                        let n = 64;
                        let mut data = smooth(n, size, 7);
                        if let Some(f) = &fill {
                            data[..size].copy_from_slice(f);
                        }
                        if be {
                            for e in data.chunks_exact_mut(size) {
                                e.reverse();
                            }
                        }
                        let p =
                            FilterSpec::scaleoffset_int(size, signed, be, bits, n, fill.as_deref())
                                .unwrap();
                        if bits == 0 {
                            round_trip(core::slice::from_ref(&p), size, data.clone());
                            round_trip(
                                &[
                                    p.clone(),
                                    FilterSpec::shuffle(size as u32),
                                    FilterSpec::deflate(4),
                                ],
                                size,
                                data,
                            );
                            // Constant, full range and random chunks.
                            round_trip(core::slice::from_ref(&p), size, vec![0x42; n * size]);
                            round_trip(core::slice::from_ref(&p), size, lcg(n * size, 4));
                            let mut ext = vec![0u8; n * size];
                            ext[size..2 * size].fill(0xff);
                            ext[2 * size..3 * size].fill(0x80);
                            round_trip(&[p], size, ext);
                        } else {
                            // 3 bits: only values within 7 of the minimum survive.
                            let d: Vec<u8> = (0..n)
                                .flat_map(|i| {
                                    let mut e =
                                        ((i % 7) as u64 + 20).to_le_bytes()[..size].to_vec();
                                    if be {
                                        e.reverse();
                                    }
                                    e
                                })
                                .collect();
                            round_trip(&[p], size, d);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn scaleoffset_params_match_h5py() {
        // From h5py 3.16 / libhdf5 2.0 `dcpl.get_filter(0)` (tests/filter_encode_check.py).
        let p = |v: &[u32]| {
            let mut x = v.to_vec();
            x.resize(20, 0);
            x
        };
        assert_eq!(
            FilterSpec::scaleoffset_int(4, true, true, 0, 10, Some(&(-7i32).to_be_bytes()))
                .unwrap()
                .params,
            p(&[2, 0, 10, 0, 4, 1, 1, 1, 4_294_967_289])
        );
        assert_eq!(
            FilterSpec::scaleoffset_int(
                8,
                false,
                false,
                5,
                10,
                Some(&(0x8000_0000_0000_0005u64).to_le_bytes())
            )
            .unwrap()
            .params,
            p(&[2, 5, 10, 0, 8, 0, 0, 1, 5, 0x8000_0000])
        );
        assert_eq!(
            FilterSpec::scaleoffset_float(4, true, 3, 10, Some(&1.5f32.to_be_bytes()))
                .unwrap()
                .params,
            p(&[0, 3, 10, 1, 4, 0, 1, 1, 1_069_547_520])
        );
        assert_eq!(
            FilterSpec::scaleoffset_int(1, true, false, 0, 10, Some(&[0xfe]))
                .unwrap()
                .params,
            p(&[2, 0, 10, 0, 1, 1, 0, 1, 254])
        );
        assert_eq!(
            FilterSpec::scaleoffset_int(4, true, false, 0, 10, None)
                .unwrap()
                .params,
            p(&[2, 0, 10, 0, 4, 1, 0, 0])
        );
        assert!(FilterSpec::scaleoffset_int(3, true, false, 0, 10, None).is_err());
        assert!(FilterSpec::scaleoffset_int(2, true, false, 17, 10, None).is_err());
        assert!(FilterSpec::scaleoffset_float(2, false, 1, 10, None).is_err());
        assert!(FilterSpec::scaleoffset_int(2, true, false, 0, 10, Some(&[1])).is_err());
    }

    #[test]
    fn scaleoffset_floats_are_within_half_a_step() {
        for size in [4usize, 8] {
            for d in [0i32, 2, 3] {
                for fill in [None, Some(2.5f64)] {
                    let n = 50;
                    let vals: Vec<f64> = lcg(n, 11)
                        .iter()
                        .enumerate()
                        .map(|(i, &b)| {
                            if fill.is_some() && i % 9 == 0 {
                                2.5
                            } else {
                                f64::from(b) / 7.0 - 10.0
                            }
                        })
                        .collect();
                    let enc = |x: f64| -> Vec<u8> {
                        if size == 4 {
                            (x as f32).to_le_bytes().to_vec()
                        } else {
                            x.to_le_bytes().to_vec()
                        }
                    };
                    let data: Vec<u8> = vals.iter().flat_map(|&x| enc(x)).collect();
                    let fb = fill.map(enc);
                    let p = [
                        FilterSpec::scaleoffset_float(size, false, d, n, fb.as_deref()).unwrap(),
                    ];
                    let (stored, mask) = encode(&p, size, data.clone()).unwrap();
                    assert_eq!(mask, 0);
                    let back = Registry::default()
                        .decode(&p, 0, stored, data.len())
                        .unwrap();
                    let step = 10f64.powi(-d);
                    for (i, (e, &want)) in back.chunks_exact(size).zip(&vals).enumerate() {
                        let got = if size == 4 {
                            f64::from(f32::from_le_bytes(e.try_into().unwrap()))
                        } else {
                            f64::from_le_bytes(e.try_into().unwrap())
                        };
                        let want = if size == 4 {
                            f64::from(want as f32)
                        } else {
                            want
                        };
                        if fill.is_some_and(|f| (want - f).abs() < step) {
                            // libhdf5's rule: values within 10^-D of the fill value are it.
                            assert_eq!(got, 2.5);
                            continue;
                        }
                        assert!(
                            (got - want).abs() <= step / 2.0 + 1e-4,
                            "size {size} D {d} #{i}: {got} vs {want}"
                        );
                    }
                }
            }
        }
        // Non-finite values: the optional filter is skipped.
        let data: Vec<u8> = [1.0f32, f32::NAN]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let p = [FilterSpec::scaleoffset_float(4, false, 2, 2, None).unwrap()];
        assert_eq!(encode(&p, 4, data.clone()).unwrap(), (data, 1));
    }

    /// Our encoders reproduce libhdf5's stored chunks byte for byte where the filter is
    /// deterministic (shuffle, Fletcher-32, scale-offset); deflate and LZF decode the same.
    #[test]
    fn h5py_chunks_re_encode() {
        let mut identical = 0;
        for c in crate::filter::tests::cases() {
            let (name, pipeline) = (&c.name, &c.pipeline);
            let ids: Vec<u16> = pipeline.iter().map(|f| f.id).collect();
            if ids.iter().any(|i| ![1, 2, 3, 6, 32000].contains(i)) {
                continue;
            }
            let deterministic = !ids.contains(&1) && !ids.contains(&32000);
            for (k, ch) in c.chunks.iter().enumerate() {
                let (expected, stored, mask) = (&ch.expected, &ch.stored, ch.mask);
                // Lossy float chunks: re-encode what libhdf5's decoder gives back is not the
                // original data; only the lossless ones compare.
                let lossy = pipeline
                    .iter()
                    .any(|f| f.id == 6 && f.params.first() == Some(&0));
                let (ours, our_mask) = encode(pipeline, 1, expected.clone()).unwrap();
                let back = Registry::default()
                    .decode(pipeline, our_mask, ours.clone(), expected.len())
                    .unwrap();
                if !lossy {
                    assert_eq!(&back, expected, "{name} #{k}");
                }
                if deterministic && !lossy {
                    assert_eq!(
                        (hex_str(&ours), our_mask),
                        (hex_str(stored), mask),
                        "{name} #{k}"
                    );
                    identical += 1;
                }
            }
        }
        assert!(identical > 40, "{identical}");
    }

    fn hex_str(b: &[u8]) -> alloc::string::String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
}
