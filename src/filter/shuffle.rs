//! Shuffle filter (id 2): regroups the bytes of fixed-size elements by significance, so the
//! chunk holds byte 0 of every element, then byte 1 of every element, and so on. Client data:
//! one value, the element size in bytes. Bytes past the last whole element (a chunk whose size
//! is not a multiple of the element size) are stored as they are, at the end; a chunk smaller
//! than one element, or an element size of 0 or 1, is stored unchanged.

use super::{param, usize_of, FilterDecoder};
use crate::error::Result;
use alloc::vec::Vec;

const WHAT: &str = "shuffle";

/// The shuffle filter's decoder.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shuffle;

impl FilterDecoder for Shuffle {
    fn decode(&self, params: &[u32], input: Vec<u8>, _max_out: usize) -> Result<Vec<u8>> {
        let size = usize_of(param(params, 0, WHAT)?, WHAT)?;
        Ok(unshuffle(input, size))
    }
}

/// Undo the shuffle of elements of `size` bytes.
pub fn unshuffle(input: Vec<u8>, size: usize) -> Vec<u8> {
    if size <= 1 || input.len() < size {
        return input;
    }
    let count = input.len() / size;
    let body = count * size;
    let mut out = alloc::vec![0u8; input.len()];
    let (planes, tail) = input.split_at(body);
    let (out_body, out_tail) = out.split_at_mut(body);
    match size {
        2 => unshuffle_fixed::<2>(planes, count, out_body),
        4 => unshuffle_fixed::<4>(planes, count, out_body),
        8 => unshuffle_fixed::<8>(planes, count, out_body),
        16 => unshuffle_fixed::<16>(planes, count, out_body),
        _ => {
            for (j, plane) in planes.chunks_exact(count).enumerate() {
                for (d, &v) in out_body.iter_mut().skip(j).step_by(size).zip(plane) {
                    *d = v;
                }
            }
        }
    }
    out_tail.copy_from_slice(tail);
    out
}

/// Unshuffle for an element size known at compile time: one pass over the output, reading the
/// `S` planes in step.
fn unshuffle_fixed<const S: usize>(planes: &[u8], count: usize, out: &mut [u8]) {
    let mut its: [core::slice::Iter<'_, u8>; S] =
        core::array::from_fn(|j| planes.get(j * count..(j + 1) * count).unwrap_or(&[]).iter());
    for elem in out.chunks_exact_mut(S) {
        for (d, it) in elem.iter_mut().zip(its.iter_mut()) {
            if let Some(&v) = it.next() {
                *d = v;
            }
        }
    }
}

/// Shuffle elements of `size` bytes (the writer's direction; libhdf5's layout, byte for byte).
pub fn shuffle(input: &[u8], size: usize) -> Vec<u8> {
    if size <= 1 || input.len() < size {
        return input.to_vec();
    }
    let count = input.len() / size;
    let body = count * size;
    let mut out = Vec::with_capacity(input.len());
    let (elems, tail) = input.split_at(body);
    for j in 0..size {
        out.extend(elems.iter().skip(j).step_by(size));
    }
    out.extend_from_slice(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn unshuffle_known_bytes() {
        // Three u16 elements 0x0201, 0x0403, 0x0605 (little-endian) shuffled, plus one tail byte.
        let shuffled = vec![1, 3, 5, 2, 4, 6, 0xee];
        assert_eq!(unshuffle(shuffled, 2), vec![1, 2, 3, 4, 5, 6, 0xee]);
    }

    #[test]
    fn round_trips_every_size_and_tail() {
        for size in [1usize, 2, 3, 4, 5, 7, 8, 12, 16, 17] {
            for len in [
                0usize,
                1,
                size.saturating_sub(1),
                size,
                3 * size + 1,
                100,
                257,
            ] {
                let data: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
                let s = shuffle(&data, size);
                assert_eq!(s.len(), len);
                if size > 1 && len > size {
                    // The tail is untouched.
                    let tail = len % size;
                    assert_eq!(s[len - tail..], data[len - tail..]);
                }
                assert_eq!(unshuffle(s, size), data, "size {size} len {len}");
            }
        }
    }

    #[test]
    fn missing_param_is_an_error() {
        assert!(Shuffle.decode(&[], vec![1, 2], 2).is_err());
    }
}
