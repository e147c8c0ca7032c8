//! The n-bit encoder (`h5oxide::filter::nbit::encode`, routed from `filter::encode` for id 5)
//! against libhdf5: every n-bit chunk h5py / libhdf5 2.0 wrote in
//! `testdata/unit/filters_cases.json` re-encodes to the stored bytes, and random data round
//! trips through the public pipeline for several precisions, offsets, byte orders and types.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::filter::{encode, id, nbit, FilterSpec, Registry, FLAG_OPTIONAL};
use h5oxide::Error;
use serde_json::Value;

const CASES: &str = include_str!("../testdata/unit/filters_cases.json");

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

struct Case {
    name: String,
    pipeline: Vec<FilterSpec>,
    /// (mask, stored, expected)
    chunks: Vec<(u32, Vec<u8>, Vec<u8>)>,
}

fn nbit_cases() -> Vec<Case> {
    let doc: Value = serde_json::from_str(CASES).unwrap();
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
                .map(|k| {
                    (
                        k["mask"].as_u64().unwrap() as u32,
                        hex(k["stored"].as_str().unwrap()),
                        hex(k["expected"].as_str().unwrap()),
                    )
                })
                .collect(),
        })
        .filter(|c: &Case| c.pipeline.iter().any(|f| f.id == id::NBIT))
        .collect()
}

/// Byte identity with libhdf5: n-bit alone through the pipeline gives the stored chunk; with
/// deflate after it, the n-bit stage equals the stored chunk inflated, and our whole pipeline
/// decodes back to the data.
#[test]
fn h5py_nbit_chunks_are_byte_identical() {
    let reg = Registry::default();
    let cases = nbit_cases();
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for want in [
        "nbit_i2_p12",
        "nbit_u4_p20_o4",
        "nbit_u2_p3_o13",
        "nbit_compound",
        "nbit_array",
        "nbit_gzip",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let mut identical = 0;
    for c in &cases {
        let pos = c.pipeline.iter().position(|f| f.id == id::NBIT).unwrap();
        let params = &c.pipeline[pos].params;
        for (k, (mask, stored, expected)) in c.chunks.iter().enumerate() {
            assert_eq!(*mask, 0, "{} #{k}", c.name);
            let ours = nbit::encode(params, expected).unwrap();
            let stage = reg
                .decode(&c.pipeline[pos + 1..], 0, stored.clone(), ours.len())
                .unwrap_or_else(|e| panic!("{} #{k}: {e}", c.name));
            assert_eq!(ours, stage, "{} #{k}", c.name);

            let (whole, our_mask) = encode(&c.pipeline, 1, expected.clone()).unwrap();
            assert_eq!(our_mask, 0);
            if c.pipeline.len() == 1 {
                assert_eq!(&whole, stored, "{} #{k}", c.name);
            }
            let back = reg
                .decode(&c.pipeline, our_mask, whole, expected.len())
                .unwrap();
            assert_eq!(&back, expected, "{} #{k}", c.name);
            identical += 1;
        }
    }
    assert!(identical >= 25, "{identical}");
}

struct Rng(u64);

impl Rng {
    fn byte(&mut self) -> u8 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 56) as u8
    }
}

/// `n` random `size`-byte numbers with only bits `[offset, offset + precision)` set.
fn random_atomics(
    rng: &mut Rng,
    n: usize,
    size: usize,
    big_endian: bool,
    precision: usize,
    offset: usize,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * size);
    for _ in 0..n {
        let mut le: Vec<u8> = (0..size).map(|_| rng.byte()).collect();
        for bit in 0..size * 8 {
            if bit < offset || bit >= offset + precision {
                le[bit / 8] &= !(1 << (bit % 8));
            }
        }
        if big_endian {
            le.reverse();
        }
        out.extend_from_slice(&le);
    }
    out
}

fn nbit_spec(params: Vec<u32>) -> FilterSpec {
    FilterSpec {
        id: id::NBIT,
        flags: FLAG_OPTIONAL,
        params,
    }
}

#[test]
fn random_integers_and_floats_round_trip() {
    let reg = Registry::default();
    let mut rng = Rng(7);
    for size in [1usize, 2, 4, 8, 16] {
        let bits = size * 8;
        for big_endian in [false, true] {
            for (precision, offset) in [
                (1, 0),
                (bits - 1, 0),
                (bits - 1, 1),
                (bits / 2, bits / 4),
                (3, bits - 3),
                (bits.min(23), 0),
            ] {
                let n = 37;
                let data = random_atomics(&mut rng, n, size, big_endian, precision, offset);
                let params = vec![
                    8,
                    0,
                    n as u32,
                    1,
                    size as u32,
                    u32::from(big_endian),
                    precision as u32,
                    offset as u32,
                ];
                let packed = nbit::encode(&params, &data).unwrap();
                assert_eq!(packed.len(), n * precision / 8 + 1);
                for pipeline in [
                    vec![nbit_spec(params.clone())],
                    vec![nbit_spec(params.clone()), FilterSpec::deflate(6)],
                    vec![
                        nbit_spec(params.clone()),
                        FilterSpec::shuffle(size as u32),
                        FilterSpec::fletcher32(),
                    ],
                ] {
                    let (stored, mask) = encode(&pipeline, size, data.clone()).unwrap();
                    assert_eq!(mask, 0);
                    let back = reg.decode(&pipeline, mask, stored, data.len()).unwrap();
                    assert_eq!(
                        back, data,
                        "size {size} BE {big_endian} p{precision} o{offset}"
                    );
                }
            }
        }
    }
}

#[test]
fn random_compound_round_trips() {
    // struct { i16 a (BE, 11 bits at 3) @0; f64 b (LE, 52 bits at 0) @2; char s[3] @10;
    //          u8 c[2] (5 bits at 1 each) @13 }  size 16 (one padding byte, dropped)
    let params = vec![
        29, 0, 20, 3, 16, 4, //
        0, 1, 2, 1, 11, 3, //
        2, 1, 8, 0, 52, 0, //
        10, 4, 3, //
        13, 2, 2, 1, 1, 0, 5, 1,
    ];
    assert_eq!(params.len(), 29);
    let mut rng = Rng(99);
    let mut data = Vec::new();
    for _ in 0..20 {
        data.extend(random_atomics(&mut rng, 1, 2, true, 11, 3));
        data.extend(random_atomics(&mut rng, 1, 8, false, 52, 0));
        data.extend((0..3).map(|_| rng.byte()));
        data.extend(random_atomics(&mut rng, 2, 1, false, 5, 1));
        data.push(0);
    }
    let packed = nbit::encode(&params, &data).unwrap();
    assert_eq!(packed.len(), 20 * (11 + 52 + 24 + 10) / 8 + 1);
    let back = nbit::decode(&params, packed, data.len()).unwrap();
    assert_eq!(back, data);
    // Garbage in the padding byte and the unused bits changes nothing.
    let mut noisy = data.clone();
    for (i, b) in noisy.iter_mut().enumerate() {
        *b |= match i % 16 {
            0 => 0xc0,       // a: bits 14, 15
            1 => 0x07,       // a: bits 0..3
            9 => 0xf0,       // b: bits 60..64 (above its 52-bit precision)
            13 | 14 => 0xc1, // c: bits 0, 6, 7
            15 => 0xff,      // padding byte
            _ => 0,
        };
    }
    assert_eq!(
        nbit::encode(&params, &noisy).unwrap(),
        nbit::encode(&params, &data).unwrap()
    );
}

#[test]
fn bad_client_data_is_a_usage_error() {
    let p = FilterSpec {
        id: id::NBIT,
        flags: 0,
        params: vec![8, 0, 4, 1, 2, 0, 17, 0],
    };
    assert!(matches!(encode(&[p], 2, vec![0; 8]), Err(Error::Usage(_))));
    let p = nbit_spec(vec![8, 0, 4, 1, 2, 0, 12, 0]);
    assert!(matches!(encode(&[p], 2, vec![0; 7]), Err(Error::Usage(_))));
}
