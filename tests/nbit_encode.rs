//! The n-bit encoder (`h5oxide::filter::nbit::encode`, routed from `filter::encode` for id 5)
//! through the public pipeline: random data round trips for several precisions, offsets, byte
//! orders and types. Byte identity with every n-bit chunk h5py wrote is a module test of
//! `src/filter/nbit.rs`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation
)]

use h5oxide::filter::{encode, id, nbit, FilterSpec, Registry, FLAG_OPTIONAL};
use h5oxide::Error;

/// A small deterministic generator.
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
