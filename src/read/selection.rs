//! Which elements of a dataset a read asks for: everything, a strided hyperslab
//! (`start:stop:step` per dimension) or a list of points, and how they map to the output.

use crate::error::{Error, Result};
use alloc::format;
use alloc::vec::Vec;

/// A regular hyperslab: per dimension `count` elements starting at `start`, `step` apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hyperslab {
    /// First selected index per dimension.
    pub start: Vec<u64>,
    /// Distance between selected indices (>= 1).
    pub step: Vec<u64>,
    /// Number of selected indices per dimension.
    pub count: Vec<u64>,
}

impl Hyperslab {
    /// The whole of a dataspace of `dims`.
    pub fn all(dims: &[u64]) -> Self {
        Hyperslab {
            start: alloc::vec![0; dims.len()],
            step: alloc::vec![1; dims.len()],
            count: dims.to_vec(),
        }
    }

    /// Number of selected elements (`None` on overflow).
    pub fn len(&self) -> Option<u64> {
        self.count.iter().try_fold(1u64, |a, &c| a.checked_mul(c))
    }

    /// Whether nothing is selected.
    pub fn is_empty(&self) -> bool {
        self.count.contains(&0)
    }

    /// Check the hyperslab against dataset dims.
    ///
    /// # Errors
    /// [`Error::Usage`] when the rank differs, a step is zero or a selected index is out of
    /// range.
    pub fn check(&self, dims: &[u64]) -> Result<()> {
        if self.start.len() != dims.len()
            || self.step.len() != dims.len()
            || self.count.len() != dims.len()
        {
            return Err(Error::Usage(format!(
                "selection of rank {} on a dataset of rank {}",
                self.start.len(),
                dims.len()
            )));
        }
        for (d, (((&s, &st), &c), &n)) in self
            .start
            .iter()
            .zip(&self.step)
            .zip(&self.count)
            .zip(dims)
            .enumerate()
        {
            if st == 0 {
                return Err(Error::Usage(format!("zero step in dimension {d}")));
            }
            if c == 0 {
                continue;
            }
            let last = (c - 1)
                .checked_mul(st)
                .and_then(|x| x.checked_add(s))
                .ok_or_else(|| Error::Usage(format!("selection overflows in dimension {d}")))?;
            if last >= n {
                return Err(Error::Usage(format!(
                    "selection reaches index {last} of dimension {d} of size {n}"
                )));
            }
        }
        Ok(())
    }

    /// Range of selected `k` (0..count) whose positions `start + k*step` fall in
    /// `[lo, lo + len)` along dimension `d`.
    pub(crate) fn overlap(&self, d: usize, lo: u64, len: u64) -> (u64, u64) {
        let get = |v: &[u64]| v.get(d).copied().unwrap_or(0);
        let (s, st, c) = (get(&self.start), get(&self.step).max(1), get(&self.count));
        if c == 0 || len == 0 {
            return (0, 0);
        }
        let hi = lo.saturating_add(len - 1); // inclusive
        let k_lo = if lo <= s { 0 } else { (lo - s).div_ceil(st) };
        if hi < s {
            return (0, 0);
        }
        let k_hi = ((hi - s) / st).saturating_add(1).min(c);
        if k_lo >= k_hi {
            (0, 0)
        } else {
            (k_lo, k_hi)
        }
    }
}

/// A selection of dataset elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every element.
    All,
    /// A regular hyperslab.
    Hyperslab(Hyperslab),
    /// Individual points, in output order (each has one coordinate per dimension).
    Points(Vec<Vec<u64>>),
}

impl Selection {
    /// Number of selected elements for a dataset of `dims` (`None` on overflow).
    pub fn len(&self, dims: &[u64]) -> Option<u64> {
        match self {
            Selection::All => dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d)),
            Selection::Hyperslab(h) => h.len(),
            Selection::Points(p) => Some(p.len() as u64),
        }
    }

    /// Points selected by a boolean mask over the whole dataset (C order), like numpy's
    /// `dset[mask]`.
    ///
    /// # Errors
    /// [`Error::Usage`] when the mask length differs from the number of elements.
    pub fn from_mask(dims: &[u64], mask: &[bool]) -> Result<Selection> {
        let n = dims.iter().try_fold(1u64, |a, &d| a.checked_mul(d));
        if n != Some(mask.len() as u64) {
            return Err(Error::Usage(format!(
                "mask of {} elements for a dataset of shape {dims:?}",
                mask.len()
            )));
        }
        let mut pts = Vec::new();
        for (i, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
            let mut rem = i as u64;
            let mut p = alloc::vec![0u64; dims.len()];
            for (d, &n) in dims.iter().enumerate().rev() {
                if let Some(x) = p.get_mut(d) {
                    *x = rem % n.max(1);
                }
                rem /= n.max(1);
            }
            pts.push(p);
        }
        Ok(Selection::Points(pts))
    }
}

/// A parsed numpy-style slice expression: the selection and the shape of the result (integer
/// indices drop their dimension, like numpy and h5py).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sliced {
    /// The hyperslab.
    pub selection: Selection,
    /// Shape of the result.
    pub shape: Vec<u64>,
}

fn parse_int(s: &str) -> Result<i64> {
    s.trim()
        .parse::<i64>()
        .map_err(|_| Error::Usage(format!("bad index {s:?} in slice")))
}

/// Resolve a possibly negative index against a dimension of size `n` (numpy rules).
fn resolve(i: i64, n: u64, clamp: bool) -> Result<u64> {
    let n_i = i64::try_from(n).unwrap_or(i64::MAX);
    let v = if i < 0 { i.saturating_add(n_i) } else { i };
    if clamp {
        Ok(u64::try_from(v.clamp(0, n_i)).unwrap_or(0))
    } else if v < 0 || v >= n_i {
        Err(Error::Usage(format!(
            "index {i} out of range for a dimension of size {n}"
        )))
    } else {
        Ok(u64::try_from(v).unwrap_or(0))
    }
}

impl Sliced {
    /// Parse `"0:10, 5, ::2, -3:"` against `dims`: one item per leading dimension
    /// (`start:stop:step` with numpy defaults and negative indices, or a single index);
    /// missing trailing dimensions are taken whole. Steps must be positive (as in h5py).
    ///
    /// # Errors
    /// [`Error::Usage`] for malformed items, zero or negative steps, too many items or
    /// out-of-range indices.
    pub fn parse(spec: &str, dims: &[u64]) -> Result<Sliced> {
        let items: Vec<&str> = if spec.trim().is_empty() {
            Vec::new()
        } else {
            spec.split(',').collect()
        };
        if items.len() > dims.len() {
            return Err(Error::Usage(format!(
                "{} slice items for a dataset of rank {}",
                items.len(),
                dims.len()
            )));
        }
        let mut h = Hyperslab::all(dims);
        let mut shape = Vec::new();
        for (d, &n) in dims.iter().enumerate() {
            let item = items.get(d).map(|s| s.trim()).unwrap_or(":");
            let (start, step, count, keep) = if item.contains(':') {
                let parts: Vec<&str> = item.split(':').collect();
                if parts.len() > 3 {
                    return Err(Error::Usage(format!("bad slice {item:?}")));
                }
                let part = |i: usize| parts.get(i).map(|s| s.trim()).filter(|s| !s.is_empty());
                let step = match part(2) {
                    Some(s) => parse_int(s)?,
                    None => 1,
                };
                if step <= 0 {
                    return Err(Error::Usage(format!(
                        "slice step must be positive in {item:?}"
                    )));
                }
                let start = match part(0) {
                    Some(s) => resolve(parse_int(s)?, n, true)?,
                    None => 0,
                };
                let stop = match part(1) {
                    Some(s) => resolve(parse_int(s)?, n, true)?,
                    None => n,
                };
                let step = u64::try_from(step).unwrap_or(1);
                let count = if stop > start {
                    (stop - start).div_ceil(step)
                } else {
                    0
                };
                (start, step, count, true)
            } else {
                (resolve(parse_int(item)?, n, false)?, 1, 1, false)
            };
            if let (Some(s), Some(st), Some(c)) =
                (h.start.get_mut(d), h.step.get_mut(d), h.count.get_mut(d))
            {
                *s = start;
                *st = step;
                *c = count;
            }
            if keep {
                shape.push(count);
            }
        }
        Ok(Sliced {
            selection: Selection::Hyperslab(h),
            shape,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numpy_slices() {
        let s = Sliced::parse("1:7:2, -1", &[10, 4]).unwrap();
        assert_eq!(s.shape, [3]);
        assert_eq!(
            s.selection,
            Selection::Hyperslab(Hyperslab {
                start: alloc::vec![1, 3],
                step: alloc::vec![2, 1],
                count: alloc::vec![3, 1]
            })
        );
        let s = Sliced::parse("-3:, :100", &[10, 4]).unwrap();
        assert_eq!(s.shape, [3, 4]);
        assert_eq!(Sliced::parse("", &[5]).unwrap().shape, [5]);
        assert_eq!(Sliced::parse("5:2", &[10]).unwrap().shape, [0]);
        assert!(Sliced::parse("10", &[10]).is_err());
        assert!(Sliced::parse("::0", &[10]).is_err());
        assert!(Sliced::parse("::-1", &[10]).is_err());
        assert!(Sliced::parse("1,2", &[10]).is_err());
        assert!(Sliced::parse("a:b", &[10]).is_err());
    }

    #[test]
    fn overlap_ranges() {
        let h = Hyperslab {
            start: alloc::vec![3],
            step: alloc::vec![4],
            count: alloc::vec![5],
        }; // 3, 7, 11, 15, 19
        assert_eq!(h.overlap(0, 0, 8), (0, 2));
        assert_eq!(h.overlap(0, 8, 8), (2, 4));
        assert_eq!(h.overlap(0, 16, 8), (4, 5));
        assert_eq!(h.overlap(0, 12, 3), (0, 0));
        assert_eq!(h.overlap(0, 24, 8), (0, 0));
        assert!(h.check(&[20]).is_ok());
        assert!(h.check(&[19]).is_err());
    }

    #[test]
    fn masks() {
        let s = Selection::from_mask(&[2, 3], &[false, true, false, false, false, true]).unwrap();
        assert_eq!(
            s,
            Selection::Points(alloc::vec![alloc::vec![0, 1], alloc::vec![1, 2]])
        );
        assert!(Selection::from_mask(&[2, 3], &[true]).is_err());
    }
}
