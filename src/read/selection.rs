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
