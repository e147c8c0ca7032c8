//! Reading dataset values: compact, contiguous and chunked storage, any selection, each chunk
//! decoded at most once per read, straight into the caller's buffer. Never-written chunks and
//! unallocated storage read as the fill value.

use super::chunk_index::{self, ChunkRegion};
use super::dataset::DatasetInfo;
use super::selection::{Hyperslab, Selection};
use super::Reader;
use crate::error::{Error, FormatErrorKind, Result};
use crate::filter::{FilterSpec, Registry};
use crate::format::message::dataspace::SpaceKind;
use crate::format::message::fill_value::FillValue;
use crate::format::message::layout::Layout;
use crate::format::{to_usize, Addr};
use crate::limits::Limits;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::vec::Vec;

/// Everything a read needs besides the selection.
pub struct DataSource<'a> {
    /// The file.
    pub reader: &'a Reader,
    /// The dataset's metadata.
    pub info: &'a DatasetInfo,
    /// Filter implementations.
    pub filters: &'a Registry,
    /// Reads raw data kept in external files (`None`: external storage is an error).
    pub external: Option<&'a dyn ExternalData>,
}

/// Access to a dataset's external raw-data files (spec: "External Data Files Message").
pub trait ExternalData {
    /// Fill `buf` from byte `offset` of the external file `name`.
    ///
    /// # Errors
    /// When the file cannot be found or read.
    fn read_external(&self, name: &[u8], offset: u64, buf: &mut [u8]) -> Result<()>;
}

fn usage(msg: alloc::string::String) -> Error {
    Error::Usage(msg)
}

/// Number of bytes a selection of this dataset reads into.
///
/// # Errors
/// [`Error::Usage`] for a selection that does not fit the dataset; overflow errors.
pub fn output_len(info: &DatasetInfo, sel: &Selection) -> Result<usize> {
    to_usize(output_bytes(info, sel)?, "selection size", 0)
}

/// [`output_len`] as a 64-bit count, for checking against [`Limits::max_alloc`] before a
/// buffer is allocated (on 32-bit targets it may not fit `usize`).
///
/// # Errors
/// [`Error::Usage`] for a selection that does not fit the dataset or overflows.
pub fn output_bytes(info: &DatasetInfo, sel: &Selection) -> Result<u64> {
    let dims = logical_dims(info);
    sel.len(&dims)
        .and_then(|n| n.checked_mul(info.dtype.size()))
        .ok_or_else(|| usage(format!("selection of {sel:?} overflows")))
}

/// Dimensions used for addressing: a scalar is one element of rank 1.
fn logical_dims(info: &DatasetInfo) -> Vec<u64> {
    match info.space.kind {
        SpaceKind::Scalar => alloc::vec![1],
        SpaceKind::Null => alloc::vec![0],
        SpaceKind::Simple => info.space.dims.clone(),
    }
}

/// Check, before an output buffer is allocated, that the dataset's storage can hold its
/// elements at all: a non-zero datatype size; compact data of the full size; contiguous
/// storage of the full size that lies inside the file (libhdf5 checks the same when it opens a
/// dataset); external files enabled and their segments at least as large as the data; a
/// chunked layout's element size equal to the datatype's. A damaged size then fails here
/// instead of after allocating what it claims.
///
/// # Errors
/// `InvalidValue`, `Truncated`, `OutOfBounds` or `Overflow` as the storage is inconsistent;
/// `Unsupported` for external files when `src.external` is `None`.
pub fn check_storage(src: &DataSource<'_>) -> Result<()> {
    let info = src.info;
    let elem = info.dtype.size();
    if elem == 0 {
        return Err(Error::invalid("datatype size 0", 0));
    }
    let total = logical_dims(info)
        .iter()
        .try_fold(elem, |a, &d| a.checked_mul(d))
        .ok_or(Error::format(FormatErrorKind::Overflow, "dataset size", 0))?;
    if total == 0 {
        // Nothing to read, whatever the storage.
        return Ok(());
    }
    if let Some(ext) = &info.external {
        if src.external.is_none() {
            return Err(external_disabled(ext));
        }
        let room = ext.slots.iter().fold(0u64, |a, s| a.saturating_add(s.size));
        if room < total {
            return Err(external_too_small(ext));
        }
        return Ok(());
    }
    match &info.layout.layout {
        Layout::Compact { data } if (data.len() as u64) < total => {
            Err(Error::format(FormatErrorKind::Truncated, "compact data", 0))
        }
        Layout::Contiguous {
            addr: Some(addr),
            size,
        } => {
            if size.is_some_and(|s| s < total) {
                return Err(Error::invalid("contiguous storage size", addr.0));
            }
            if addr.add(total, "contiguous data")?.0 > src.reader.available() {
                return Err(Error::format(
                    FormatErrorKind::OutOfBounds,
                    "contiguous data",
                    addr.0,
                ));
            }
            Ok(())
        }
        Layout::Chunked { element_size, .. } if *element_size != elem => Err(Error::invalid(
            "layout element size (differs from datatype)",
            0,
        )),
        _ => Ok(()),
    }
}

/// The fill value of one element, as stored bytes.
///
/// # Errors
/// [`Error::LimitExceeded`] when one element is larger than `max_alloc`.
pub fn fill_element(info: &DatasetInfo, max_alloc: u64) -> Result<Vec<u8>> {
    Limits::check("max_alloc", info.dtype.size(), max_alloc)?;
    let elem = to_usize(info.dtype.size(), "datatype size", 0)?;
    Ok(match &info.fill.value {
        FillValue::User(b) if b.len() == elem => b.clone(),
        _ => alloc::vec![0u8; elem],
    })
}

fn fill(out: &mut [u8], pattern: &[u8]) {
    if pattern.iter().all(|&b| b == 0) {
        out.fill(0);
    } else if !pattern.is_empty() {
        for c in out.chunks_exact_mut(pattern.len()) {
            c.copy_from_slice(pattern);
        }
    }
}

/// Read the selected elements, as stored (no type conversion), into `out`, which must be
/// exactly [`output_len`] bytes.
///
/// # Errors
/// [`Error::Usage`] for a bad selection or buffer size; format errors of the storage, chunk
/// index and filters (with the chunk's address); `Unsupported` for virtual datasets and
/// unknown mandatory filters.
pub fn read(src: &DataSource<'_>, sel: &Selection, out: &mut [u8]) -> Result<()> {
    let info = src.info;
    let elem = to_usize(info.dtype.size(), "datatype size", 0)?;
    if elem == 0 {
        return Err(Error::invalid("datatype size 0", 0));
    }
    let dims = logical_dims(info);
    let need = output_len(info, sel)?;
    if out.len() != need {
        return Err(usage(format!(
            "output buffer of {} bytes for a selection of {need} bytes",
            out.len()
        )));
    }
    if need == 0 {
        return Ok(());
    }
    let sel = match sel {
        Selection::All => Selection::Hyperslab(Hyperslab::all(&dims)),
        Selection::Hyperslab(h) => {
            h.check(&dims)?;
            sel.clone()
        }
        Selection::Points(p) => {
            check_points(p, &dims)?;
            sel.clone()
        }
    };
    let plan = Plan { elem, dims: &dims };
    match &info.layout.layout {
        Layout::Compact { data } => {
            let total = plan.total_bytes()?;
            let data = data.get(..total).ok_or(Error::format(
                FormatErrorKind::Truncated,
                "compact data",
                0,
            ))?;
            plan.copy(data, &dims, &zeros(dims.len()), &sel, out)
        }
        Layout::Contiguous { addr, size } => {
            let total = plan.total_bytes()?;
            if let Some(ext) = &info.external {
                return read_external(src, ext, &plan, &sel, out);
            }
            match addr {
                None => {
                    fill(out, &fill_element(info, src.reader.limits.max_alloc)?);
                    Ok(())
                }
                Some(addr) => {
                    if let Some(s) = size {
                        if *s < total as u64 {
                            return Err(Error::invalid("contiguous storage size", addr.0));
                        }
                    }
                    let data = src.reader.block(*addr, total as u64, "contiguous data")?;
                    plan.copy(&data, &dims, &zeros(dims.len()), &sel, out)
                }
            }
        }
        Layout::Chunked {
            chunk,
            element_size,
            flags,
            ..
        } => {
            if *element_size != elem as u64 {
                return Err(Error::invalid(
                    "layout element size (differs from datatype)",
                    0,
                ));
            }
            // Layout flag bit 0: partial edge chunks are stored without the filters.
            read_chunked(src, &plan, chunk, flags & 1 != 0, &sel, out)
        }
        Layout::Virtual { heap, .. } => Err(Error::unsupported(
            "virtual dataset storage",
            heap.map_or(0, |a| a.0),
        )),
    }
}

fn zeros(n: usize) -> Vec<u64> {
    alloc::vec![0; n]
}

fn check_points(points: &[Vec<u64>], dims: &[u64]) -> Result<()> {
    for p in points {
        if p.len() != dims.len() || p.iter().zip(dims).any(|(&x, &n)| x >= n) {
            return Err(usage(format!(
                "point {p:?} outside a dataset of shape {dims:?}"
            )));
        }
    }
    Ok(())
}

struct Plan<'a> {
    elem: usize,
    dims: &'a [u64],
}

fn strides(dims: &[u64]) -> Vec<u64> {
    let mut s = alloc::vec![1u64; dims.len()];
    let mut acc = 1u64;
    for (x, &d) in s.iter_mut().zip(dims).rev() {
        *x = acc;
        acc = acc.saturating_mul(d);
    }
    s
}

fn range_err() -> Error {
    Error::format(
        FormatErrorKind::Truncated,
        "dataset storage (selection outside the data)",
        0,
    )
}

fn copy_elems(src: &[u8], s: u64, out: &mut [u8], o: u64, n: u64, elem: usize) -> Result<()> {
    let e = elem as u64;
    let (s, o, n) = (
        to_usize(s * e, "offset", 0)?,
        to_usize(o * e, "offset", 0)?,
        to_usize(n * e, "length", 0)?,
    );
    let from = src.get(s..s + n).ok_or_else(range_err)?;
    out.get_mut(o..o + n)
        .ok_or_else(range_err)?
        .copy_from_slice(from);
    Ok(())
}

impl Plan<'_> {
    fn total_bytes(&self) -> Result<usize> {
        let n = self
            .dims
            .iter()
            .try_fold(self.elem as u64, |a, &d| a.checked_mul(d))
            .ok_or(Error::format(FormatErrorKind::Overflow, "dataset size", 0))?;
        to_usize(n, "dataset size", 0)
    }

    /// Copy the part of `sel` that lies in the block `src` (dims `bdims`, first element at
    /// `origin`) into `out`.
    fn copy(
        &self,
        src: &[u8],
        bdims: &[u64],
        origin: &[u64],
        sel: &Selection,
        out: &mut [u8],
    ) -> Result<()> {
        match sel {
            Selection::Hyperslab(h) => self.copy_hyperslab(src, bdims, origin, h, out),
            Selection::Points(pts) => {
                let bs = strides(bdims);
                for (i, p) in pts.iter().enumerate() {
                    let inside = p
                        .iter()
                        .zip(origin)
                        .zip(bdims)
                        .all(|((&x, &o), &n)| x >= o && x - o < n);
                    if inside {
                        let s: u64 = p
                            .iter()
                            .zip(origin)
                            .zip(&bs)
                            .map(|((&x, &o), &st)| (x - o) * st)
                            .sum();
                        copy_elems(src, s, out, i as u64, 1, self.elem)?;
                    }
                }
                Ok(())
            }
            Selection::All => Err(usage(alloc::string::String::from(
                "internal: unnormalised selection",
            ))),
        }
    }

    fn copy_hyperslab(
        &self,
        src: &[u8],
        bdims: &[u64],
        origin: &[u64],
        h: &Hyperslab,
        out: &mut [u8],
    ) -> Result<()> {
        let rank = bdims.len();
        let mut ranges = Vec::with_capacity(rank);
        for (d, (&o, &n)) in origin.iter().zip(bdims).enumerate() {
            let (lo, hi) = h.overlap(d, o, n);
            if lo >= hi {
                return Ok(());
            }
            ranges.push((lo, hi));
        }
        let bs = strides(bdims);
        let os = strides(&h.count);
        let Some((&(last_lo, last_hi), outer)) = ranges.split_last() else {
            return Ok(());
        };
        let last = rank - 1;
        let (l_start, l_step) = (
            h.start.get(last).copied().unwrap_or(0),
            h.step.get(last).copied().unwrap_or(1),
        );
        let l_origin = origin.get(last).copied().unwrap_or(0);
        let l_bs = bs.get(last).copied().unwrap_or(1);
        let mut k: Vec<u64> = outer.iter().map(|r| r.0).collect();
        loop {
            // Base offsets of this row in the block and in the output.
            let mut sb = 0u64;
            let mut ob = 0u64;
            for (d, &kd) in k.iter().enumerate() {
                let get = |v: &[u64]| v.get(d).copied().unwrap_or(0);
                let pos = get(&h.start) + kd * get(&h.step);
                sb += (pos - get(origin)) * get(&bs);
                ob += kd * get(&os);
            }
            let first = l_start + last_lo * l_step - l_origin;
            if l_step == 1 && l_bs == 1 {
                copy_elems(
                    src,
                    sb + first,
                    out,
                    ob + last_lo,
                    last_hi - last_lo,
                    self.elem,
                )?;
            } else {
                for kk in last_lo..last_hi {
                    let pos = l_start + kk * l_step - l_origin;
                    copy_elems(src, sb + pos * l_bs, out, ob + kk, 1, self.elem)?;
                }
            }
            // Advance the odometer over the outer dimensions.
            let mut d = k.len();
            loop {
                if d == 0 {
                    return Ok(());
                }
                d -= 1;
                let (lo, hi) = outer.get(d).copied().unwrap_or((0, 0));
                if let Some(x) = k.get_mut(d) {
                    *x += 1;
                    if *x < hi {
                        break;
                    }
                    *x = lo;
                }
            }
        }
    }
}

fn filter_specs(info: &DatasetInfo) -> Vec<FilterSpec> {
    info.filters
        .iter()
        .map(|f| FilterSpec {
            id: f.id.0,
            flags: f.flags,
            params: f.params.clone(),
        })
        .collect()
}

fn at_chunk(e: Error, addr: Addr) -> Error {
    match e {
        Error::Format { kind, what, .. } => Error::Format {
            kind,
            what,
            addr: addr.0,
        },
        e => e,
    }
}

/// Selected points grouped by the element offset of their chunk: (output index, point).
type PointsByChunk = BTreeMap<Vec<u64>, Vec<(u64, Vec<u64>)>>;

fn read_chunked(
    src: &DataSource<'_>,
    plan: &Plan<'_>,
    chunk: &[u64],
    unfiltered_edges: bool,
    sel: &Selection,
    out: &mut [u8],
) -> Result<()> {
    let info = src.info;
    let r = src.reader;
    if chunk.len() != plan.dims.len() {
        return Err(Error::invalid("chunk rank (differs from the dataspace)", 0));
    }
    let chunk_bytes = chunk
        .iter()
        .try_fold(plan.elem as u64, |a, &c| a.checked_mul(c))
        .ok_or(Error::format(FormatErrorKind::Overflow, "chunk size", 0))?;
    Limits::check("max_chunk_bytes", chunk_bytes, r.limits.max_chunk_bytes)?;
    // A decoded chunk is one allocation: within max_alloc too, as stored chunks already are.
    let chunk_len = r.limits.alloc(chunk_bytes)?;
    fill(out, &fill_element(info, src.reader.limits.max_alloc)?);
    let region = match sel {
        Selection::Hyperslab(h) => {
            if h.is_empty() {
                return Ok(());
            }
            let lo = h.start.iter().zip(chunk).map(|(&s, &c)| s / c).collect();
            let hi = h
                .start
                .iter()
                .zip(&h.step)
                .zip(&h.count)
                .zip(chunk)
                .map(|(((&s, &st), &n), &c)| (s + (n - 1) * st) / c)
                .collect();
            ChunkRegion { lo, hi }
        }
        Selection::Points(pts) => {
            let mut lo = alloc::vec![u64::MAX; chunk.len()];
            let mut hi = alloc::vec![0u64; chunk.len()];
            for p in pts {
                for (((l, h), &x), &c) in lo.iter_mut().zip(hi.iter_mut()).zip(p).zip(chunk) {
                    *l = (*l).min(x / c);
                    *h = (*h).max(x / c);
                }
            }
            ChunkRegion { lo, hi }
        }
        Selection::All => {
            return Err(usage(alloc::string::String::from(
                "internal: unnormalised selection",
            )))
        }
    };
    // Points are grouped per chunk so each chunk is decoded once.
    let by_chunk: Option<PointsByChunk> = match sel {
        Selection::Points(pts) => {
            let mut m = PointsByChunk::new();
            for (i, p) in pts.iter().enumerate() {
                let key: Vec<u64> = p.iter().zip(chunk).map(|(&x, &c)| x / c * c).collect();
                m.entry(key).or_default().push((i as u64, p.clone()));
            }
            Some(m)
        }
        _ => None,
    };
    let specs = filter_specs(info);
    let index = chunk_index::open(r, &info.layout, &info.space, !specs.is_empty())?;
    for rec in index.chunks(r, &region) {
        let rec = rec?;
        if rec.offset.len() != chunk.len() {
            return Err(Error::invalid("chunk record rank", rec.addr.0));
        }
        if let Some(m) = &by_chunk {
            if !m.contains_key(&rec.offset) {
                continue;
            }
        } else if let Selection::Hyperslab(h) = sel {
            let misses = rec
                .offset
                .iter()
                .zip(chunk)
                .enumerate()
                .any(|(d, (&o, &c))| {
                    let (lo, hi) = h.overlap(d, o, c);
                    lo >= hi
                });
            if misses {
                continue;
            }
        }
        let stored = r.block(rec.addr, rec.size, "chunk")?;
        let decoded;
        let edge = rec
            .offset
            .iter()
            .zip(chunk)
            .zip(plan.dims)
            .any(|((&o, &c), &n)| o.saturating_add(c) > n);
        let data: &[u8] = if specs.is_empty() || (unfiltered_edges && edge) {
            &stored
        } else {
            decoded = src
                .filters
                .decode(&specs, rec.filter_mask, stored.into_owned(), chunk_len)
                .map_err(|e| at_chunk(e, rec.addr))?;
            &decoded
        };
        let data = data.get(..chunk_len).ok_or(Error::format(
            FormatErrorKind::Truncated,
            "chunk (shorter than the chunk size)",
            rec.addr.0,
        ))?;
        match (&by_chunk, sel) {
            (Some(m), _) => {
                let pts = m.get(&rec.offset).map(Vec::as_slice).unwrap_or(&[]);
                let cs = strides(chunk);
                for (i, p) in pts {
                    let s: u64 = p
                        .iter()
                        .zip(&rec.offset)
                        .zip(&cs)
                        .map(|((&x, &o), &st)| (x - o) * st)
                        .sum();
                    copy_elems(data, s, out, *i, 1, plan.elem)
                        .map_err(|e| at_chunk(e, rec.addr))?;
                }
            }
            (None, Selection::Hyperslab(h)) => plan
                .copy_hyperslab(data, chunk, &rec.offset, h, out)
                .map_err(|e| at_chunk(e, rec.addr))?,
            _ => {}
        }
    }
    Ok(())
}

/// Contiguous data kept in external files: map each selected byte range onto the slots.
fn read_external(
    src: &DataSource<'_>,
    ext: &crate::format::message::external_files::ExternalFiles,
    plan: &Plan<'_>,
    sel: &Selection,
    out: &mut [u8],
) -> Result<()> {
    let Some(files) = src.external else {
        return Err(external_disabled(ext));
    };
    let total = plan.total_bytes()?;
    Limits::check("max_alloc", total as u64, src.reader.limits.max_alloc)?;
    let heap = super::local_heap::LocalHeap::read(src.reader, ext.heap)?;
    let mut whole = alloc::vec![0u8; total];
    let mut pos = 0usize;
    for slot in &ext.slots {
        if pos >= total {
            break;
        }
        let name = heap.name(slot.name_offset)?;
        let want = (total - pos) as u64;
        let n = if slot.size == u64::MAX {
            want
        } else {
            slot.size.min(want)
        };
        let n = to_usize(n, "external slot size", ext.heap.0)?;
        let buf = whole.get_mut(pos..pos + n).ok_or_else(range_err)?;
        files.read_external(name, slot.offset, buf)?;
        pos += n;
    }
    if pos < total {
        return Err(external_too_small(ext));
    }
    plan.copy(&whole, plan.dims, &zeros(plan.dims.len()), sel, out)
}

fn external_disabled(ext: &crate::format::message::external_files::ExternalFiles) -> Error {
    Error::unsupported(
        "external raw data files (enable OpenOptions::external_files)",
        ext.heap.0,
    )
}

fn external_too_small(ext: &crate::format::message::external_files::ExternalFiles) -> Error {
    Error::invalid(
        "external data files (slots smaller than the dataset)",
        ext.heap.0,
    )
}
