//! Property tests: any hyperslab, point list or mask read from a dataset equals a full read
//! followed by the same slicing, for every dataset of the fixtures (all layouts, chunk
//! indexes, filters, edge chunks).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_precision_loss
)]

use h5oxide::hl::{Dataset, Hyperslab, Object, Selection};
use h5oxide::File;
use proptest::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// (dataset, full raw read) for every readable dataset of rank >= 1 in the fixtures.
fn datasets() -> &'static Vec<(String, Dataset, Vec<u8>)> {
    static CELL: OnceLock<Vec<(String, Dataset, Vec<u8>)>> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/fixtures");
        let mut out = Vec::new();
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        names.sort();
        for p in names
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "h5"))
        {
            let Ok(f) = File::open(p) else { continue };
            let mut stack = vec![f.root().unwrap()];
            let mut seen = std::collections::HashSet::new();
            while let Some(g) = stack.pop() {
                if !seen.insert(g.addr()) {
                    continue;
                }
                for l in g.links().unwrap_or_default() {
                    match g.get(&l.name) {
                        Ok(Object::Group(c)) => stack.push(c),
                        Ok(Object::Dataset(d))
                            if !d.shape().is_empty() && !d.is_empty() && d.len() <= 200_000 =>
                        {
                            if let Ok(raw) = d.read_raw() {
                                out.push((format!("{}:{}", p.display(), d.path()), d, raw));
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        assert!(out.len() > 50, "too few datasets: {}", out.len());
        out
    })
}

fn strides(dims: &[u64]) -> Vec<u64> {
    let mut s = vec![1u64; dims.len()];
    for d in (0..dims.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1] * dims[d + 1];
    }
    s
}

fn element(raw: &[u8], elem: usize, dims: &[u64], p: &[u64]) -> Vec<u8> {
    let i: u64 = p.iter().zip(strides(dims)).map(|(&x, s)| x * s).sum();
    raw[i as usize * elem..(i as usize + 1) * elem].to_vec()
}

/// The reference: pick the selected elements out of the full read.
fn reference(raw: &[u8], elem: usize, dims: &[u64], sel: &Selection) -> Vec<u8> {
    let mut out = Vec::new();
    match sel {
        Selection::All => out.extend_from_slice(raw),
        Selection::Points(pts) => pts
            .iter()
            .for_each(|p| out.extend(element(raw, elem, dims, p))),
        Selection::Hyperslab(h) => {
            if h.count.contains(&0) {
                return out;
            }
            let mut k = vec![0u64; dims.len()];
            loop {
                let p: Vec<u64> = (0..dims.len())
                    .map(|d| h.start[d] + k[d] * h.step[d])
                    .collect();
                out.extend(element(raw, elem, dims, &p));
                let mut d = dims.len();
                loop {
                    if d == 0 {
                        return out;
                    }
                    d -= 1;
                    k[d] += 1;
                    if k[d] < h.count[d] {
                        break;
                    }
                    k[d] = 0;
                }
            }
        }
    }
    out
}

/// A random selection of `dims` built from uniform numbers in [0, 1).
fn selection(dims: &[u64], kind: u8, r: &[f64]) -> Selection {
    let pick = |i: usize, n: u64| ((r[i % r.len()] * n as f64) as u64).min(n.saturating_sub(1));
    match kind % 3 {
        0 => {
            let mut h = Hyperslab::all(dims);
            for (d, &n) in dims.iter().enumerate() {
                let start = pick(3 * d, n);
                let step = 1 + pick(3 * d + 1, 4.min(n));
                let max = (n - start).div_ceil(step);
                let count = 1 + pick(3 * d + 2, max);
                h.start[d] = start;
                h.step[d] = step;
                h.count[d] = count;
            }
            Selection::Hyperslab(h)
        }
        1 => Selection::Points(
            (0..1 + (r[0] * 20.0) as usize)
                .map(|i| {
                    dims.iter()
                        .enumerate()
                        .map(|(d, &n)| pick(i * 7 + d + 1, n))
                        .collect()
                })
                .collect(),
        ),
        _ => {
            let n: u64 = dims.iter().product();
            let mask: Vec<bool> = (0..n as usize).map(|i| r[i % r.len()] < 0.3).collect();
            Selection::from_mask(dims, &mask).unwrap()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn selection_equals_sliced_full_read(which in any::<prop::sample::Index>(), kind in 0u8..3,
                                         r in prop::collection::vec(0.0f64..1.0, 16)) {
        let all = datasets();
        let (name, d, raw) = &all[which.index(all.len())];
        let dims = d.shape().to_vec();
        let elem = d.dtype().size() as usize;
        let sel = selection(&dims, kind, &r);
        let got = d.read_raw_selection(&sel).unwrap_or_else(|e| panic!("{name} {sel:?}: {e}"));
        prop_assert_eq!(got, reference(raw, elem, &dims, &sel), "{} {:?}", name, sel);
    }
}
