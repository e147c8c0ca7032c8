//! Raw data of new datasets: where selected elements go (contiguous storage, chunks being
//! assembled in memory, chunks already written), and chunks encoded through the filter
//! pipeline as soon as every element of them has been written, so a dataset is streamed to
//! the file without holding it whole.

use super::Sink;
use crate::error::{Error, Result};
use crate::filter::FilterSpec;
use crate::format::Addr;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

/// One dimension of a hyperslab selection: `count` elements from `start`, `step` apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SliceDim {
    /// First index.
    pub start: u64,
    /// Number of elements.
    pub count: u64,
    /// Distance between elements (at least 1).
    pub step: u64,
}

impl SliceDim {
    /// The whole extent of a dimension of size `n`.
    pub fn all(n: u64) -> Self {
        SliceDim {
            start: 0,
            count: n,
            step: 1,
        }
    }
}

/// A chunk written to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenChunk {
    /// Where it is.
    pub addr: Addr,
    /// Stored (filtered) size in bytes.
    pub size: u64,
    /// Filters skipped for it.
    pub mask: u32,
}

/// A chunk being assembled: its bytes and which elements were written.
#[derive(Debug, Clone)]
struct Pending {
    data: Vec<u8>,
    written: Vec<u64>,
    count: u64,
}

/// Storage of a new dataset's raw data.
#[derive(Debug, Clone)]
pub enum Storage {
    /// Data kept in the object header (small datasets).
    Compact {
        /// The whole data.
        data: Vec<u8>,
    },
    /// One block, allocated at the first write.
    Contiguous {
        /// Its address once allocated.
        addr: Option<Addr>,
    },
    /// Fixed-size chunks, each filtered and written once complete.
    Chunked {
        /// Chunk dimensions in elements.
        chunk: Vec<u64>,
        /// The filter pipeline.
        filters: Vec<FilterSpec>,
        /// Chunks in the file, by chunk index (scaled coordinates).
        written: BTreeMap<Vec<u64>, WrittenChunk>,
        /// Chunks being assembled.
        pending: BTreeMap<Vec<u64>, PendingChunk>,
    },
}

/// A chunk being assembled (opaque).
#[derive(Debug, Clone)]
pub struct PendingChunk(Pending);

/// What the data writer needs to know about a dataset.
#[derive(Debug, Clone)]
pub struct DataShape {
    /// Current dimensions.
    pub dims: Vec<u64>,
    /// Element size in bytes.
    pub elem: usize,
    /// One element of the fill value (zeros when the fill value is the default).
    pub fill: Vec<u8>,
    /// Maximum dimensions (`None`: unlimited); a chunk is complete when every element it can
    /// ever hold was written, so edge chunks of growing datasets wait for their rows.
    pub max: Vec<Option<u64>>,
}

fn usage(msg: alloc::string::String) -> Error {
    Error::Usage(msg)
}

fn to_usize(v: u64) -> Result<usize> {
    usize::try_from(v).map_err(|_| usage(format!("{v} does not fit in memory")))
}

/// Number of elements in `dims`.
pub fn element_count(dims: &[u64]) -> Result<u64> {
    dims.iter()
        .try_fold(1u64, |a, &d| a.checked_mul(d))
        .ok_or_else(|| usage(alloc::string::String::from("dataset size overflows")))
}

/// Check a selection against `dims` and return its element count.
///
/// # Errors
/// [`Error::Usage`] when the selection has the wrong rank or leaves the extent.
pub fn selection_count(sel: &[SliceDim], dims: &[u64]) -> Result<u64> {
    if sel.len() != dims.len() {
        return Err(usage(format!(
            "selection of rank {} for a dataset of rank {}",
            sel.len(),
            dims.len()
        )));
    }
    let mut n = 1u64;
    for (s, &d) in sel.iter().zip(dims) {
        if s.step == 0 {
            return Err(usage(alloc::string::String::from("selection step 0")));
        }
        if s.count > 0 {
            let last = (s.count - 1)
                .checked_mul(s.step)
                .and_then(|v| v.checked_add(s.start))
                .ok_or_else(|| usage(alloc::string::String::from("selection overflows")))?;
            if last >= d {
                return Err(usage(format!(
                    "selection {}..={last} outside a dimension of {d}",
                    s.start
                )));
            }
        }
        n = n
            .checked_mul(s.count)
            .ok_or_else(|| usage(alloc::string::String::from("selection overflows")))?;
    }
    Ok(n)
}

/// Visit the selected points in C order: `f(coords, index_in_selection)`.
fn for_each_point(sel: &[SliceDim], mut f: impl FnMut(&[u64], u64) -> Result<()>) -> Result<()> {
    if sel.iter().any(|s| s.count == 0) {
        return Ok(());
    }
    let rank = sel.len();
    let mut idx = vec![0u64; rank];
    let mut coords: Vec<u64> = sel.iter().map(|s| s.start).collect();
    let mut n = 0u64;
    loop {
        f(&coords, n)?;
        n += 1;
        let mut d = rank;
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            let (Some(i), Some(c), Some(s)) = (idx.get_mut(d), coords.get_mut(d), sel.get(d))
            else {
                return Ok(());
            };
            *i += 1;
            if *i < s.count {
                *c += s.step;
                break;
            }
            *i = 0;
            *c = s.start;
        }
    }
}

/// Linear index of `coords` in an array of `dims` (C order).
fn linear(coords: &[u64], dims: &[u64]) -> u64 {
    coords
        .iter()
        .zip(dims)
        .fold(0u64, |a, (&c, &d)| a.wrapping_mul(d).wrapping_add(c))
}

impl Storage {
    /// Write the elements of `sel` (their bytes in `data`, C order) into storage.
    ///
    /// # Errors
    /// [`Error::Usage`] for a bad selection or buffer; errors of the sink and filters.
    pub fn write(
        &mut self,
        sink: &mut dyn Sink,
        shape: &DataShape,
        sel: &[SliceDim],
        data: &[u8],
    ) -> Result<()> {
        let n = selection_count(sel, &shape.dims)?;
        let need = n
            .checked_mul(shape.elem as u64)
            .ok_or_else(|| usage(alloc::string::String::from("selection overflows")))?;
        if data.len() as u64 != need {
            return Err(usage(format!(
                "{} bytes given for a selection of {need} bytes",
                data.len()
            )));
        }
        let elem = shape.elem;
        let total = element_count(&shape.dims)?
            .checked_mul(elem as u64)
            .ok_or_else(|| usage(alloc::string::String::from("dataset size overflows")))?;
        match self {
            Storage::Compact { data: buf } => {
                if buf.len() as u64 != total {
                    *buf = shape
                        .fill
                        .iter()
                        .copied()
                        .cycle()
                        .take(to_usize(total)?)
                        .collect();
                }
                for_each_point(sel, |c, i| {
                    let at = to_usize(linear(c, &shape.dims))? * elem;
                    let src = to_usize(i)? * elem;
                    copy(buf, at, data, src, elem)
                })
            }
            Storage::Contiguous { addr } => {
                // No storage for no data: libhdf5 takes a defined address with size 0 for
                // corruption ("invalid dataset size").
                if total == 0 {
                    return Ok(());
                }
                let base = match addr {
                    Some(a) => *a,
                    None => {
                        let a = sink.alloc(total)?;
                        if shape.fill.iter().any(|&b| b != 0) {
                            write_fill(sink, a, total, &shape.fill)?;
                        }
                        *addr = Some(a);
                        a
                    }
                };
                write_runs(sink, base, shape, sel, data)
            }
            Storage::Chunked {
                chunk,
                filters,
                written,
                pending,
            } => {
                let chunk_elems = element_count(chunk)?;
                let chunk_bytes = to_usize(chunk_elems)? * elem;
                let mut ready: Vec<Vec<u64>> = Vec::new();
                for_each_point(sel, |c, i| {
                    let idx: Vec<u64> = c.iter().zip(chunk.iter()).map(|(&x, &k)| x / k).collect();
                    let within: Vec<u64> =
                        c.iter().zip(chunk.iter()).map(|(&x, &k)| x % k).collect();
                    let p = match pending.get_mut(&idx) {
                        Some(p) => p,
                        None => {
                            let data = match written.get(&idx) {
                                Some(_) => {
                                    return Err(Error::unsupported(
                                        "rewriting a chunk already written to the file",
                                        0,
                                    ))
                                }
                                None => shape
                                    .fill
                                    .iter()
                                    .copied()
                                    .cycle()
                                    .take(chunk_bytes)
                                    .collect(),
                            };
                            let words = to_usize(chunk_elems.div_ceil(64))?;
                            pending.entry(idx.clone()).or_insert(PendingChunk(Pending {
                                data,
                                written: vec![0; words],
                                count: 0,
                            }))
                        }
                    };
                    let p = &mut p.0;
                    let li = linear(&within, chunk);
                    let w = to_usize(li / 64)?;
                    let bit = 1u64 << (li % 64);
                    if let Some(word) = p.written.get_mut(w) {
                        if *word & bit == 0 {
                            *word |= bit;
                            p.count += 1;
                        }
                    }
                    copy(
                        &mut p.data,
                        to_usize(li)? * elem,
                        data,
                        to_usize(i)? * elem,
                        elem,
                    )?;
                    if p.count == in_extent(&idx, chunk, &shape.max) {
                        ready.push(idx);
                    }
                    Ok(())
                })?;
                for idx in ready {
                    if let Some(p) = pending.remove(&idx) {
                        let rec = store_chunk(sink, filters, elem, p.0.data)?;
                        written.insert(idx, rec);
                    }
                }
                Ok(())
            }
        }
    }

    /// Write every chunk still being assembled (elements never written hold the fill value).
    ///
    /// # Errors
    /// Errors of the sink and filters.
    pub fn flush(&mut self, sink: &mut dyn Sink, elem: usize) -> Result<()> {
        if let Storage::Chunked {
            filters,
            written,
            pending,
            ..
        } = self
        {
            for (idx, p) in core::mem::take(pending) {
                let rec = store_chunk(sink, filters, elem, p.0.data)?;
                written.insert(idx, rec);
            }
        }
        Ok(())
    }
}

/// Elements of chunk `idx` inside the largest extent the dataset may reach (edge chunks of
/// fixed dimensions are partial).
fn in_extent(idx: &[u64], chunk: &[u64], max: &[Option<u64>]) -> u64 {
    idx.iter()
        .zip(chunk)
        .zip(max)
        .map(|((&i, &k), m)| match m {
            Some(d) => d.saturating_sub(i.saturating_mul(k)).min(k),
            None => k,
        })
        .product()
}

fn copy(dst: &mut [u8], at: usize, src: &[u8], from: usize, n: usize) -> Result<()> {
    let d = dst
        .get_mut(at..at.saturating_add(n))
        .ok_or_else(|| usage(alloc::string::String::from("element outside the buffer")))?;
    let s = src
        .get(from..from.saturating_add(n))
        .ok_or_else(|| usage(alloc::string::String::from("element outside the data")))?;
    d.copy_from_slice(s);
    Ok(())
}

/// Fill `total` bytes at `addr` with copies of `fill`, in blocks of at most 1 MiB.
fn write_fill(sink: &mut dyn Sink, addr: Addr, total: u64, fill: &[u8]) -> Result<()> {
    let per = (1usize << 20) / fill.len().max(1);
    let block: Vec<u8> = fill
        .iter()
        .copied()
        .cycle()
        .take(per.max(1) * fill.len())
        .collect();
    let mut done = 0u64;
    while done < total {
        let n = (total - done).min(block.len() as u64);
        let part = block.get(..to_usize(n)?).unwrap_or(&[]);
        sink.write(Addr(addr.0 + done), part)?;
        done += n;
    }
    Ok(())
}

/// Write the selected elements into contiguous storage at `base`, one run per stretch of
/// consecutive elements along the last dimension.
fn write_runs(
    sink: &mut dyn Sink,
    base: Addr,
    shape: &DataShape,
    sel: &[SliceDim],
    data: &[u8],
) -> Result<()> {
    let elem = shape.elem as u64;
    let Some((last, outer)) = sel.split_last() else {
        // Scalar: one element.
        return sink.write(base, data);
    };
    if last.count == 0 || outer.iter().any(|s| s.count == 0) {
        return Ok(());
    }
    let run = if last.step == 1 { last.count } else { 1 };
    let runs_per_row = last.count / run;
    let mut pos = 0usize;
    let mut row_sel: Vec<SliceDim> = outer.to_vec();
    row_sel.push(SliceDim {
        start: last.start,
        count: runs_per_row,
        step: last.step * run,
    });
    let run_bytes = to_usize(run * elem)?;
    for_each_point(&row_sel, |c, _| {
        let off = linear(c, &shape.dims)
            .checked_mul(elem)
            .ok_or_else(|| usage(alloc::string::String::from("offset overflows")))?;
        let part = data
            .get(pos..pos + run_bytes)
            .ok_or_else(|| usage(alloc::string::String::from("data too short")))?;
        pos += run_bytes;
        sink.write(Addr(base.0 + off), part)
    })
}

/// Filter one chunk and write it.
fn store_chunk(
    sink: &mut dyn Sink,
    filters: &[FilterSpec],
    elem: usize,
    data: Vec<u8>,
) -> Result<WrittenChunk> {
    let (bytes, mask) = if filters.is_empty() {
        (data, 0)
    } else {
        crate::filter::encode(filters, elem, data)?
    };
    let addr = sink.put(&bytes)?;
    Ok(WrittenChunk {
        addr,
        size: bytes.len() as u64,
        mask,
    })
}
