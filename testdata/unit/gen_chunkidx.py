#!/usr/bin/env python3
"""Fixtures and oracle of tests/chunk_index.rs (every chunk index type).

Run from anywhere: python3 testdata/unit/gen_chunkidx.py
Writes testdata/unit/chunkidx_*.h5 (extra index shapes the committed fixtures lack) and
testdata/unit/chunkidx_expected.json: for every chunked dataset of the committed fixtures
listed in COMMITTED and of the files written here, h5py's view of its stored chunks
(dset.id.get_num_chunks() / get_chunk_info(i)).

Requires h5py 3.16 (libhdf5 2.0). Generation is deterministic (fixed seeds, no timestamps).
"""
import itertools
import json
import os

import h5py
import numpy as np
from h5py import h5d, h5f, h5p, h5s, h5t

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")

COMMITTED = [
    "chunkidx_earliest.h5", "chunkidx_v114.h5",
    "chunkidx_latest.h5", "btree2_deep_latest.h5", "offsets4_earliest.h5", "offsets4_latest.h5",
    "filters_v114.h5", "filters_latest.h5",
]
BOUNDS = {"earliest": h5f.LIBVER_EARLIEST, "v114": h5f.LIBVER_V114, "latest": h5f.LIBVER_LATEST}


def new_file(path, libver, sizes=None):
    fcpl = h5p.create(h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    if sizes:
        fcpl.set_sizes(*sizes)
    fapl = h5p.create(h5p.FILE_ACCESS)
    fapl.set_libver_bounds(BOUNDS[libver], h5f.LIBVER_LATEST)
    fid = h5f.create(path.encode(), h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    return h5py.File(fid)


def dset(parent, name, **kw):
    kw.setdefault("track_times", False)
    return parent.create_dataset(name, **kw)


def implicit(parent, name, shape, maxshape, chunks, dtype, fill):
    """Early allocation, no filters, fixed max dims: the implicit index under v110+."""
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    dcpl.set_chunk(chunks)
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    dcpl.set_fill_value(np.array(fill, dtype=dtype))
    space = h5s.create_simple(shape, maxshape)
    did = h5d.create(parent.id, name.encode(), h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl)
    return h5py.Dataset(did)


def gen_extra(f):
    """Index shapes beyond the committed fixtures."""
    # Extensible array big enough for super blocks and paged data blocks: with the libhdf5
    # defaults (4 index block elements, data blocks of at least 16, super blocks of at least
    # 4 data blocks, 1024-element pages) data blocks of super block 13 onwards hold 2048+
    # elements (2 pages). Sparse writes leave data blocks unallocated and pages uninitialised.
    for name, kw, dtype in (("ea_sparse", {}, "u1"),
                            ("ea_sparse_gzip", {"compression": "gzip"}, "<i4")):
        d = dset(f, name, shape=(140000,), maxshape=(None,), chunks=(1,), dtype=dtype,
                 fillvalue=7, **kw)
        for lo, hi in ((0, 6), (100, 110), (5000, 5003), (131050, 131100), (133200, 133201),
                       (134200, 134202), (139999, 140000)):
            d[lo:hi] = (np.arange(lo, hi) % 97).astype(dtype)
    # Extensible array whose fixed dimension is shorter than its maximum, and whose
    # unlimited dimension is not the first (libhdf5 moves it to the front of the linear index).
    d = dset(f, "ea_2d_max", shape=(10, 5), maxshape=(None, 12), chunks=(3, 4), dtype="<u2")
    d[:] = np.arange(50).reshape(10, 5)
    d = dset(f, "ea_unlim_last", shape=(7, 10), maxshape=(9, None), chunks=(2, 3), dtype="<u2")
    d[:] = np.arange(70).reshape(7, 10)
    d.resize((7, 16))
    d[:, 10:16] = np.arange(42).reshape(7, 6)
    d = dset(f, "ea_3d_mid", shape=(4, 5, 6), maxshape=(8, None, 7), chunks=(3, 2, 4),
             dtype="<i2", compression="gzip")
    d[0:3, :, :] = np.arange(90).reshape(3, 5, 6)
    # Paged fixed array of filtered chunks, one page never written.
    d = dset(f, "fa_paged_gzip", shape=(3000,), chunks=(1,), dtype="<i4", compression="gzip",
             fillvalue=-1)
    d[0:100] = np.arange(100)
    d[2500:2600] = np.arange(100)
    # 3-D fixed array, every maximum dimension larger than the current one.
    d = dset(f, "fa_3d", shape=(5, 6, 7), maxshape=(10, 9, 8), chunks=(2, 4, 3), dtype="<i2")
    d[:] = np.arange(210).reshape(5, 6, 7)
    # Incompressible chunks: deflate is optional in h5py, so it is skipped (filter mask 1).
    rnd = np.random.default_rng(20240611).integers(0, 256, 64, dtype=np.uint8)
    d = dset(f, "fa_random_gzip", shape=(64,), maxshape=(128,), chunks=(16,), dtype="u1",
             compression="gzip")
    d[:] = rnd
    d[16:32] = 0
    dset(f, "single_random_gzip", data=rnd, chunks=(64,), compression="gzip")
    # Implicit index whose maximum dimensions exceed the current ones.
    d = implicit(f, "implicit_max", (20, 20), (40, 30), (5, 5), "<i2", -3)
    d[0:10, :] = np.arange(200).reshape(10, 20)
    # v2 B-tree over 3 dimensions, partly written, filtered.
    d = dset(f, "btree2_3d", shape=(6, 5, 4), maxshape=(None, None, 4), chunks=(2, 2, 3),
             dtype="<f4", compression="gzip", shuffle=True)
    d[0:4, 0:3, :] = np.arange(48, dtype="<f4").reshape(4, 3, 4)
    d[5, 4, 3] = 1.5


def gen_sizes(f, unlimited):
    """Offsets and lengths of different widths: which one sizes the filtered chunk size field
    of layout v5 indexes?"""
    data = (np.arange(64 * 64, dtype="<i4") % 1000).reshape(64, 64)
    dset(f, "fa_gzip", data=data, maxshape=(128, 128), chunks=(16, 16), compression="gzip")
    dset(f, "fa_plain", data=data, maxshape=(128, 128), chunks=(16, 16))
    dset(f, "single_gzip", data=data, chunks=(64, 64), compression="gzip")
    d = dset(f, "fa_paged_gzip", shape=(2100,), chunks=(1,), dtype="u1", compression="gzip")
    d[0:50] = 3
    d[2090:2100] = 4
    if unlimited:
        d = dset(f, "ea_gzip", shape=(300,), maxshape=(None,), chunks=(4,), dtype="<i4",
                 compression="gzip")
        d[:] = np.arange(300)
        d = dset(f, "ea_plain", shape=(300,), maxshape=(None,), chunks=(4,), dtype="<i4")
        d[:] = np.arange(300)
        d = dset(f, "bt2_gzip", shape=(20, 20), maxshape=(None, None), chunks=(2, 2),
                 dtype="<i4", compression="gzip")
        d[:] = np.arange(400).reshape(20, 20)


def stored_chunks(obj, raw):
    """[offsets..., filter_mask, byte_offset, size] of every stored chunk, and whether
    libhdf5's chunk iteration reported wrong offsets.

    get_chunk_info(i) walks the index; each chunk is cross-checked with read_direct_chunk,
    which finds a chunk by its offset through the index's lookup path: the stored bytes must
    be the file's bytes at byte_offset. libhdf5 2.0's iteration of an extensible array whose
    unlimited dimension is not the first numbers the chunks in the wrong dimension order
    (get_chunk_info and get_chunk_info_by_coord report offsets the dataset does not even
    have, while reads are right). For those datasets the chunks are found by offset with
    read_direct_chunk over the chunk grid and matched to the listed addresses by content.
    """
    infos = [obj.id.get_chunk_info(i) for i in range(obj.id.get_num_chunks())]
    stored = lambda ci: raw[ci.byte_offset:ci.byte_offset + ci.size]

    def direct(offset):
        try:
            return obj.id.read_direct_chunk(offset)
        except Exception:
            return None

    listed = [list(ci.chunk_offset) + [ci.filter_mask, ci.byte_offset, ci.size] for ci in infos]
    if all(direct(ci.chunk_offset) == (ci.filter_mask, stored(ci)) for ci in infos):
        return sorted(listed), False
    by_content = {stored(ci): ci for ci in infos}
    assert len(by_content) == len(infos), "chunk contents are not unique"
    out = []
    grid = [range(-(-s // c)) for s, c in zip(obj.shape, obj.chunks)]
    for scaled in itertools.product(*grid):
        offset = tuple(a * c for a, c in zip(scaled, obj.chunks))
        got = direct(offset)
        if got is not None:
            ci = by_content[got[1]]
            out.append(list(offset) + [got[0], ci.byte_offset, ci.size])
    assert len(out) == len(infos)
    return sorted(out), True


def chunk_infos(path):
    """{dataset path: description and stored chunks} for every chunked dataset of `path`."""
    out = {}
    with open(path, "rb") as fh:
        raw = fh.read()
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if not isinstance(obj, h5py.Dataset) or obj.chunks is None:
                return
            chunks, wrong = stored_chunks(obj, raw)
            out["/" + name] = {
                "shape": list(obj.shape),
                "maxshape": [m if m is not None else None for m in obj.maxshape],
                "chunks": list(obj.chunks),
                "filtered": obj.id.get_create_plist().get_nfilters() > 0,
                "iteration_offsets_wrong": wrong,
                "stored": chunks,
            }
        f.visititems(visit)
    return out


def main():
    written = []
    for lv in ("earliest", "v114", "latest"):
        p = os.path.join(HERE, "chunkidx_extra_%s.h5" % lv)
        with new_file(p, lv) as f:
            gen_extra(f)
        written.append(p)
    for lv in ("v114", "latest"):
        for sizes, unlimited in (((4, 8), True), ((8, 4), False)):
            p = os.path.join(HERE, "chunkidx_sizes%d%d_%s.h5" % (sizes + (lv,)))
            with new_file(p, lv, sizes) as f:
                gen_sizes(f, unlimited)
            written.append(p)
    expected = {}
    for name in COMMITTED:
        expected["fixtures/" + name] = chunk_infos(os.path.join(FIXTURES, name))
    for p in written:
        expected["unit/" + os.path.basename(p)] = chunk_infos(p)
    lines = ["{"]
    files = sorted(expected)
    for i, fname in enumerate(files):
        lines.append(" %s: {" % json.dumps(fname))
        dsets = sorted(expected[fname])
        for j, dname in enumerate(dsets):
            sep = "," if j + 1 < len(dsets) else ""
            lines.append("  %s: %s%s" % (json.dumps(dname), json.dumps(expected[fname][dname], separators=(",", ":")), sep))
        lines.append(" }" + ("," if i + 1 < len(files) else ""))
    lines.append("}")
    with open(os.path.join(HERE, "chunkidx_expected.json"), "w") as fh:
        fh.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
