//! Pipeline tests: real chunks written by h5py / libhdf5 2.0 (`testdata/unit/gen_filters.py`),
//! the filter mask, custom filters, and malformed input (errors, never panics).

use super::*;
use crate::error::FormatErrorKind;
use crate::testutil::hex;
use alloc::string::String;
use alloc::vec;

const CASES: &str = include_str!("../../testdata/unit/filters_cases.json");
const PLUGIN_CASES: &str = include_str!("../../testdata/unit/filters_plugins.json");

/// One chunk of a case: its filter mask, stored bytes and decoded bytes.
pub(crate) struct Chunk {
    pub(crate) mask: u32,
    pub(crate) stored: Vec<u8>,
    pub(crate) expected: Vec<u8>,
}

/// A dataset h5py wrote: its pipeline and chunks.
pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) pipeline: Vec<FilterSpec>,
    pub(crate) chunks: Vec<Chunk>,
}

/// The h5py cases of `testdata/unit/filters_cases.json`.
pub(crate) fn cases() -> Vec<Case> {
    parse_cases(CASES)
}

fn parse_cases(json: &str) -> Vec<Case> {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    doc["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().into(),
            pipeline: c["pipeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| FilterSpec {
                    id: f[0].as_u64().unwrap() as u16,
                    flags: f[1].as_u64().unwrap() as u16,
                    params: f[2]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| v.as_u64().unwrap() as u32)
                        .collect(),
                })
                .collect(),
            chunks: c["chunk_data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| Chunk {
                    mask: k["mask"].as_u64().unwrap() as u32,
                    stored: hex(k["stored"].as_str().unwrap()),
                    expected: hex(k["expected"].as_str().unwrap()),
                })
                .collect(),
        })
        .collect()
}

#[test]
fn h5py_chunks_decode_exactly() {
    let reg = Registry::default();
    let all = cases();
    assert!(all.len() >= 45);
    let mut seen_ids = BTreeMap::new();
    let mut masked = 0;
    for case in &all {
        for (i, ch) in case.chunks.iter().enumerate() {
            let got = reg
                .decode(
                    &case.pipeline,
                    ch.mask,
                    ch.stored.clone(),
                    ch.expected.len(),
                )
                .unwrap_or_else(|e| panic!("{} chunk {i}: {e}", case.name));
            assert!(got == ch.expected, "{} chunk {i}: wrong bytes", case.name);
            for (j, f) in case.pipeline.iter().enumerate() {
                if ch.mask & (1 << j) == 0 {
                    *seen_ids.entry(f.id).or_insert(0) += 1;
                } else {
                    masked += 1;
                }
            }
        }
    }
    // Every built-in filter was exercised on real data, and some chunks skipped filters.
    for id in [
        id::DEFLATE,
        id::SHUFFLE,
        id::FLETCHER32,
        id::SZIP,
        id::NBIT,
        id::SCALEOFFSET,
        id::LZF,
    ] {
        assert!(seen_ids.get(&id).copied().unwrap_or(0) >= 3, "filter {id}");
    }
    assert!(masked >= 10);
}

/// Whether decoding `pipeline` needs a codec feature that is not enabled.
fn needs_missing_feature(pipeline: &[FilterSpec]) -> bool {
    pipeline.iter().any(|f| {
        let codec = if f.id == id::BITSHUFFLE {
            match f.params.get(4) {
                Some(2) => id::LZ4,
                Some(3) => id::ZSTD,
                _ => 0,
            }
        } else {
            f.id
        };
        (codec == id::LZ4 && !cfg!(feature = "lz4"))
            || (codec == id::ZSTD && !cfg!(feature = "zstd"))
    })
}

#[test]
fn plugin_chunks_decode_exactly() {
    // LZ4, Zstandard and bitshuffle chunks written by hdf5plugin 7.1.0.
    let reg = Registry::default();
    let all = parse_cases(PLUGIN_CASES);
    assert_eq!(all.len(), 12);
    let mut decoded = 0;
    for case in &all {
        for (i, ch) in case.chunks.iter().enumerate() {
            let r = reg.decode(
                &case.pipeline,
                ch.mask,
                ch.stored.clone(),
                ch.expected.len(),
            );
            if needs_missing_feature(&case.pipeline) {
                assert!(matches!(r, Err(Error::Unsupported { .. })), "{}", case.name);
                continue;
            }
            let got = r.unwrap_or_else(|e| panic!("{} chunk {i}: {e}", case.name));
            assert!(got == ch.expected, "{} chunk {i}: wrong bytes", case.name);
            decoded += 1;
            // Cut chunks are errors, not panics.
            for cut in [0, 8, ch.stored.len() / 2, ch.stored.len() - 1] {
                let r = reg.decode(
                    &case.pipeline,
                    ch.mask,
                    ch.stored[..cut].to_vec(),
                    ch.expected.len(),
                );
                assert!(
                    r.is_err() || case.pipeline[0].id == id::BITSHUFFLE,
                    "{} cut {cut}",
                    case.name
                );
            }
        }
    }
    assert!(decoded >= 10);
}

/// The deflate decoder of the `no_std` build, registered explicitly.
struct PortableDeflate;

impl FilterDecoder for PortableDeflate {
    fn decode(&self, _params: &[u32], input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        deflate::inflate_portable(&input, max_out)
    }
}

#[test]
fn no_std_deflate_path_gives_the_same_bytes() {
    let std_reg = Registry::default();
    let mut portable = Registry::default();
    portable.register(id::DEFLATE, Box::new(PortableDeflate));
    let mut n = 0;
    for case in cases() {
        if !case.pipeline.iter().any(|f| f.id == id::DEFLATE) {
            continue;
        }
        for ch in &case.chunks {
            let a = std_reg.decode(
                &case.pipeline,
                ch.mask,
                ch.stored.clone(),
                ch.expected.len(),
            );
            let b = portable.decode(
                &case.pipeline,
                ch.mask,
                ch.stored.clone(),
                ch.expected.len(),
            );
            assert_eq!(a.as_ref().unwrap(), &ch.expected, "{}", case.name);
            assert_eq!(a, b, "{}", case.name);
            // Cut streams fail on both paths alike.
            if ch.mask & 1 == 0 && case.pipeline.len() == 1 {
                for cut in [0, 2, ch.stored.len() / 2, ch.stored.len() - 1] {
                    let a = deflate::inflate(&ch.stored[..cut], ch.expected.len());
                    let b = deflate::inflate_portable(&ch.stored[..cut], ch.expected.len());
                    assert!(a.is_err() && b.is_err(), "{} cut {cut}", case.name);
                    assert_eq!(a, b, "{} cut {cut}", case.name);
                }
                // Corrupt streams: the same verdict on both paths.
                for pos in (0..ch.stored.len()).step_by(7) {
                    let mut bad = ch.stored.clone();
                    bad[pos] ^= 0x55;
                    let a = deflate::inflate(&bad, ch.expected.len());
                    let b = deflate::inflate_portable(&bad, ch.expected.len());
                    assert_eq!(a, b, "{} byte {pos}", case.name);
                }
            }
            n += 1;
        }
    }
    assert!(n >= 20);
}

fn spec(id: u16, flags: u16, params: &[u32]) -> FilterSpec {
    FilterSpec {
        id,
        flags,
        params: params.to_vec(),
    }
}

fn find(name: &str) -> Case {
    cases().into_iter().find(|c| c.name == name).unwrap()
}

#[test]
fn flipped_fletcher32_byte_is_bad_checksum() {
    for name in [
        "fletcher32_u1_7",
        "fletcher32_i2",
        "shuffle_gzip_fletcher32",
    ] {
        let case = find(name);
        let ch = &case.chunks[0];
        for pos in [0, ch.stored.len() / 2, ch.stored.len() - 1] {
            let mut bad = ch.stored.clone();
            bad[pos] ^= 0x01;
            let e = Registry::default()
                .decode(&case.pipeline, ch.mask, bad, ch.expected.len())
                .unwrap_err();
            assert_eq!(
                e,
                Error::format(FormatErrorKind::BadChecksum, "fletcher32", 0),
                "{name} byte {pos}"
            );
        }
    }
}

#[test]
fn truncated_deflate_stream_is_an_error() {
    let case = find("gzip4");
    let ch = &case.chunks[1];
    let cut = ch.stored[..ch.stored.len() - 6].to_vec();
    let e = Registry::default()
        .decode(&case.pipeline, 0, cut, ch.expected.len())
        .unwrap_err();
    assert_eq!(e, Error::format(FormatErrorKind::Truncated, "deflate", 0));
}

#[test]
fn deflate_bomb_is_an_error() {
    // 1 MiB of zeros deflates to about 1 KiB; the chunk is declared as 4 KiB.
    let zeros = vec![0u8; 1 << 20];
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&zeros, 6);
    assert!(bomb.len() < 4096);
    let p = [spec(id::DEFLATE, 1, &[6])];
    let e = Registry::default()
        .decode(&p, 0, bomb.clone(), 4096)
        .unwrap_err();
    assert_eq!(e.format_kind(), Some(FormatErrorKind::InvalidValue));
    assert!(deflate::inflate_portable(&bomb, 4096).is_err());
    // The same stream is fine when the chunk really is that large.
    assert_eq!(
        Registry::default().decode(&p, 0, bomb, 1 << 20).unwrap(),
        zeros
    );
}

#[test]
fn lzf_bomb_is_an_error() {
    // One literal then 100 maximal runs: 26 401 bytes from 303.
    let mut s = vec![0u8, 7];
    for _ in 0..100 {
        s.extend_from_slice(&[0xe0, 0xff, 0x00]);
    }
    let p = [spec(id::LZF, 1, &[4, 261, 1000])];
    assert!(Registry::default().decode(&p, 0, s.clone(), 1000).is_err());
    assert_eq!(
        Registry::default().decode(&p, 0, s, 26_401).unwrap(),
        vec![7u8; 26_401]
    );
}

#[test]
fn unknown_filters() {
    let reg = Registry::default();
    // Mandatory or optional: an applied filter without a decoder is Unsupported, naming the id.
    for flags in [0, FLAG_OPTIONAL] {
        let p = [spec(id::SHUFFLE, 1, &[2]), spec(31999, flags, &[])];
        let e = reg.decode(&p, 0, vec![1, 2, 3, 4], 4).unwrap_err();
        assert_eq!(e, Error::unsupported("filter id 31999", 0));
    }
    // Skipped for this chunk (mask bit 1): not needed.
    let p = [spec(id::SHUFFLE, 1, &[2]), spec(31999, FLAG_OPTIONAL, &[])];
    assert_eq!(
        reg.decode(&p, 0b10, vec![1, 3, 2, 4], 4).unwrap(),
        [1, 2, 3, 4]
    );
    // Both skipped.
    assert_eq!(
        reg.decode(&p, 0b11, vec![1, 3, 2, 4], 4).unwrap(),
        [1, 3, 2, 4]
    );
}

#[test]
fn final_length_must_match() {
    let reg = Registry::default();
    let p = [spec(id::SHUFFLE, 1, &[2])];
    let e = reg.decode(&p, 0, vec![1, 2, 3, 4], 5).unwrap_err();
    assert_eq!(e, Error::invalid("filter pipeline", 0));
    // Empty pipeline: the stored bytes are the chunk.
    assert_eq!(reg.decode(&[], 0, vec![9, 8], 2).unwrap(), [9, 8]);
    assert!(reg.decode(&[], 0, vec![9, 8], 3).is_err());
    // More than 32 filters cannot be described by a 32-bit mask.
    let many = vec![spec(id::SHUFFLE, 1, &[1]); 33];
    assert!(reg.decode(&many, 0, vec![1], 1).is_err());
}

/// A user filter: XOR every byte with the first client data value.
struct Xor;

impl FilterDecoder for Xor {
    fn decode(&self, params: &[u32], mut input: Vec<u8>, _max_out: usize) -> Result<Vec<u8>> {
        let k = *params.first().ok_or(Error::invalid("xor", 0))? as u8;
        input.iter_mut().for_each(|b| *b ^= k);
        Ok(input)
    }
}

/// A user filter that ignores the cap.
struct Grow;

impl FilterDecoder for Grow {
    fn decode(&self, _params: &[u32], _input: Vec<u8>, max_out: usize) -> Result<Vec<u8>> {
        Ok(vec![0; max_out + 1])
    }
}

#[test]
fn registered_filters_run_in_reverse_order() {
    let mut reg = Registry::default();
    assert!(!reg.contains(40000));
    reg.register(40000, Box::new(Xor));
    assert!(reg.contains(40000));
    // Written as shuffle(2) then xor 0xff: read as un-xor then unshuffle.
    let p = [spec(id::SHUFFLE, 1, &[2]), spec(40000, 0, &[0xff])];
    let stored = shuffle::shuffle(&[1, 2, 3, 4], 2)
        .iter()
        .map(|b| b ^ 0xff)
        .collect();
    assert_eq!(reg.decode(&p, 0, stored, 4).unwrap(), [1, 2, 3, 4]);
    // A decoder that ignores the cap is stopped by the pipeline.
    reg.register(40001, Box::new(Grow));
    let e = reg
        .decode(&[spec(40001, 0, &[])], 0, vec![], 10)
        .unwrap_err();
    assert_eq!(e, Error::invalid("filter pipeline", 0));
    assert!(format!("{reg:?}").contains("40001"));
    assert!(!Registry::empty().contains(id::DEFLATE));
}

/// Cut and corrupted real chunks of every filter give errors or (for lossless reinterpretation)
/// some bytes, never a panic.
#[test]
fn corrupt_chunks_never_panic() {
    let reg = Registry::default();
    let mut x: u32 = 0x1234_5678;
    let mut errors = 0;
    for case in cases() {
        for ch in case.chunks.iter().take(2) {
            let n = ch.stored.len();
            let mut inputs: Vec<Vec<u8>> = [0, 1, 4, n / 3, n / 2, n.saturating_sub(1)]
                .iter()
                .map(|&c| ch.stored[..c.min(n)].to_vec())
                .collect();
            for _ in 0..12 {
                let mut b = ch.stored.clone();
                if b.is_empty() {
                    break;
                }
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                let pos = (x >> 8) as usize % b.len();
                b[pos] ^= (x >> 24) as u8 | 1;
                inputs.push(b);
            }
            // Header bytes set to extremes.
            let mut big = ch.stored.clone();
            big.iter_mut().take(8).for_each(|b| *b = 0xff);
            inputs.push(big);
            for input in inputs {
                for mask in [ch.mask, 0, u32::MAX] {
                    match reg.decode(&case.pipeline, mask, input.clone(), ch.expected.len()) {
                        Ok(out) => assert_eq!(out.len(), ch.expected.len()),
                        Err(_) => errors += 1,
                    }
                }
            }
        }
    }
    assert!(errors > 500);
}

#[test]
fn corrupt_client_data_never_panics() {
    let reg = Registry::default();
    for case in cases() {
        let ch = &case.chunks[0];
        for i in 0..case.pipeline.len() {
            let nparams = case.pipeline[i].params.len();
            for j in 0..nparams.max(1) {
                for v in [0u32, 1, 2, 3, 7, 64, 255, 4096, u32::MAX, u32::MAX / 2] {
                    let mut p = case.pipeline.clone();
                    if nparams > 0 {
                        p[i].params[j] = v;
                    } else {
                        p[i].params.push(v);
                    }
                    let _ = reg.decode(&p, 0, ch.stored.clone(), ch.expected.len());
                }
                // Too few values.
                let mut p = case.pipeline.clone();
                p[i].params.truncate(j);
                let _ = reg.decode(&p, 0, ch.stored.clone(), ch.expected.len());
            }
        }
    }
}

/// Rough throughput check (run with `--release --ignored --nocapture`).
#[cfg(feature = "std")]
#[test]
#[ignore]
fn throughput() {
    extern crate std;
    use std::time::Instant;
    let n = 64 << 20;
    let data: Vec<u8> = (0..n)
        .map(|i| ((i * 2_654_435_761usize) >> 13) as u8)
        .collect();
    for size in [2usize, 4, 8, 3] {
        let s = shuffle::shuffle(&data, size);
        let mut dt = f64::MAX;
        let small = &s[..1 << 20];
        for _ in 0..5 {
            let t = Instant::now();
            for _ in 0..64 {
                let u = shuffle::unshuffle(small.to_vec(), size);
                assert_eq!(u.len(), 1 << 20);
            }
            dt = dt.min(t.elapsed().as_secs_f64());
        }
        std::println!("unshuffle {size}: {:.0} MB/s", n as f64 / dt / 1e6);
    }
    let t = Instant::now();
    let c = fletcher32::checksum(&data);
    std::println!(
        "fletcher32: {:.0} MB/s ({c:x})",
        n as f64 / t.elapsed().as_secs_f64() / 1e6
    );
    // LZF: a stream of literals and references.
    let mut s = Vec::new();
    while s.len() < n / 4 {
        s.extend_from_slice(&[15, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
        s.extend_from_slice(&[0x60, 0x0f, 0xe0, 0x10, 0x07]);
    }
    let t = Instant::now();
    let out = lzf::decompress(&s, n * 4, n * 4).unwrap();
    std::println!(
        "lzf: {:.0} MB/s out",
        out.len() as f64 / t.elapsed().as_secs_f64() / 1e6
    );
    let z = miniz_oxide::deflate::compress_to_vec_zlib(&data[..16 << 20], 6);
    let t = Instant::now();
    let out = deflate::inflate(&z, 16 << 20).unwrap();
    std::println!(
        "inflate zlib-rs: {:.0} MB/s out",
        out.len() as f64 / t.elapsed().as_secs_f64() / 1e6
    );
    let t = Instant::now();
    let out = deflate::inflate_portable(&z, 16 << 20).unwrap();
    std::println!(
        "inflate miniz: {:.0} MB/s out",
        out.len() as f64 / t.elapsed().as_secs_f64() / 1e6
    );
}

/// Random client data and random bytes for every built-in filter: errors or output of the
/// expected size, never a panic, never more than the cap.
#[test]
fn random_inputs_never_panic() {
    let reg = Registry::default();
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let ids = [
        id::DEFLATE,
        id::SHUFFLE,
        id::FLETCHER32,
        id::SZIP,
        id::NBIT,
        id::SCALEOFFSET,
        id::LZF,
        id::BITSHUFFLE,
        id::LZ4,
        id::ZSTD,
    ];
    for round in 0..4000 {
        let fid = ids[round % ids.len()];
        let nparams = (next() % 24) as usize;
        let params: Vec<u32> = (0..nparams)
            .map(|_| match next() % 4 {
                0 => (next() % 8) as u32,
                1 => (next() % 70) as u32,
                2 => next() as u32,
                _ => (next() % 5000) as u32,
            })
            .collect();
        let len = (next() % 300) as usize;
        let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        let expected = (next() % 600) as usize;
        let p = [spec(fid, 1, &params)];
        if let Ok(out) = reg.decode(&p, 0, data, expected) {
            assert_eq!(out.len(), expected);
        }
    }
}
