#!/usr/bin/env python3
"""Generate h5oxide's HDF5 conformance fixtures.

    python3 testdata/gen_fixtures.py [OUTDIR]      (default: testdata/fixtures)

Pinned writer: h5py 3.16.0 (`pip install h5py==3.16.0`), which bundles libhdf5 2.0.0.
Other versions may write different bytes (and, for new library versions, different
format versions); testdata/regen.sh refuses to compare against other versions.

Everything is deterministic: fixed random seeds, no timestamps (object time
tracking is switched off for every object we create), fixed creation order.
Running the script twice produces byte-identical files.

Fixture families (see testdata/README.md for the full list):

  <family>_<libver>.h5   for libver in earliest, v108, v110, v114, latest
      groups    nested/empty groups, >= 40 links (dense), creation order, long
                names, hard/soft/external links, cycles, 300 hard links
      datasets  dataspaces (scalar/null/simple/zero-size/unlimited), layouts
                (compact/contiguous/chunked), fill values (default/user/undefined)
      chunkidx  chunk indexes: single chunk, implicit, fixed array (+paged),
                extensible array, v2 B-tree (v1 B-tree under earliest/v108)
      filters   gzip, shuffle, fletcher32, lzf, scaleoffset, nbit, combinations,
                incompressible data, filtered vlen strings
      dtypes    every datatype class as datasets and attributes, committed types
      newtypes  complex class 11, time, revised (1.12) references
                (h5dump 1.10 cannot read these)
      attrs     attribute storage: many/dense, creation order, large (> 64 KiB),
                null/scalar/array attributes, continuation blocks
  plus targeted files: userblocks, 4-byte offsets, shared messages, paged file
  space, a deep v2 B-tree, attributes larger than 64 KiB.

  Dataset values (distinct values everywhere, edge / partial / never-written chunks):
      edges       every chunk index with edge chunks and user fill values
                  (earliest, v110, latest)
      filtervals  every filter and combination (earliest, v110, v114, latest)
      typevals    every datatype, both byte orders, chunked + compressed
                  (earliest, v110, v114, latest)
      layouts     contiguous (allocated or not) and compact (all five libvers)
      vds         virtual datasets (all five); sources vdssrc_a.h5, vdssrc/b.h5
      bigchunks   thousands of tiny chunks (earliest, latest)
      external    external raw-data files *.bin next to the fixture (earliest, latest)
      select      arange values in 1-D..4-D, many chunk shapes (earliest, latest)

A few properties h5py does not expose (undefined fill value, shared object
header message indexes, revised references) are set with ctypes calls into the
libhdf5 that h5py itself loaded.
"""

import ctypes
import os
import sys

# libhdf5 reads these when resolving external raw-data files and VDS / external-link
# sources; the documented behaviour (README.md) is that of the defaults
for _var in ("HDF5_EXTFILE_PREFIX", "HDF5_VDS_PREFIX", "HDF5_EXT_PREFIX"):
    os.environ.pop(_var, None)

import numpy as np
import h5py
from h5py import h5a, h5d, h5f, h5p, h5r, h5s, h5t, h5z

PINNED_H5PY = "3.16.0"
LIBVERS = ["earliest", "v108", "v110", "v114", "latest"]
_BOUNDS = {"earliest": h5f.LIBVER_EARLIEST, "v108": h5f.LIBVER_V18, "v110": h5f.LIBVER_V110,
           "v114": h5f.LIBVER_V114, "latest": h5f.LIBVER_LATEST}


# ---------------------------------------------------------------------------
# libhdf5 through ctypes (only for what h5py does not wrap)
# ---------------------------------------------------------------------------

def _find_libhdf5():
    with open("/proc/self/maps") as maps:
        for line in maps:
            parts = line.split()
            path = parts[-1] if len(parts) >= 6 else ""
            base = os.path.basename(path)
            if base.startswith("libhdf5") and not base.startswith("libhdf5_hl") and ".so" in base:
                return path
    raise RuntimeError("libhdf5 loaded by h5py not found")


class _Lib:
    def __init__(self):
        lib = ctypes.CDLL(_find_libhdf5())
        hid, herr, vp, cp = ctypes.c_int64, ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p

        def fn(name, *argtypes):
            f = getattr(lib, name)
            f.restype = herr
            f.argtypes = list(argtypes)
            return f

        self.H5Pset_fill_value = fn("H5Pset_fill_value", hid, hid, vp)
        self.H5Pset_shared_mesg_nindexes = fn("H5Pset_shared_mesg_nindexes", hid, ctypes.c_uint)
        self.H5Pset_shared_mesg_index = fn("H5Pset_shared_mesg_index", hid, ctypes.c_uint,
                                           ctypes.c_uint, ctypes.c_uint)
        self.H5Pset_shared_mesg_phase_change = fn("H5Pset_shared_mesg_phase_change", hid,
                                                  ctypes.c_uint, ctypes.c_uint)
        self.H5Rcreate_object = fn("H5Rcreate_object", hid, cp, hid, vp)
        self.H5Rcreate_region = fn("H5Rcreate_region", hid, cp, hid, hid, vp)
        self.H5Rcreate_attr = fn("H5Rcreate_attr", hid, cp, cp, hid, vp)
        self.H5Rdestroy = fn("H5Rdestroy", vp)
        self.H5Dwrite = fn("H5Dwrite", hid, hid, hid, hid, hid, vp)
        self.H5Awrite = fn("H5Awrite", hid, hid, vp)
        self.H5Pcreate = getattr(lib, "H5Pcreate")
        self.H5Pcreate.restype = hid
        self.H5Pcreate.argtypes = [hid]
        self.H5Pclose = fn("H5Pclose", hid)
        self.H5Pset_obj_track_times = fn("H5Pset_obj_track_times", hid, ctypes.c_bool)
        self.H5Tcommit2 = fn("H5Tcommit2", hid, cp, hid, hid, hid, hid)
        self.tcpl_class = hid.in_dll(lib, "H5P_CLS_DATATYPE_CREATE_ID_g").value
        self.H5Tcopy = getattr(lib, "H5Tcopy")
        self.H5Tcopy.restype = hid
        self.H5Tcopy.argtypes = [hid]
        self.std_ref = hid.in_dll(lib, "H5T_STD_REF_g").value
        self.H5Pset_chunk_opts = fn("H5Pset_chunk_opts", hid, ctypes.c_uint)

    @staticmethod
    def ok(status, what):
        if status < 0:
            raise RuntimeError(what + " failed")


LIB = _Lib()
H5O_SHMESG_ALL_FLAG = 0x1f       # dataspace | datatype | fill | pipeline | attribute


# ---------------------------------------------------------------------------
# creation helpers
# ---------------------------------------------------------------------------

def new_file(path, libver, userblock=0, sizes=None, sohm=None, page=False):
    """Create a file with explicit creation/access properties and no time tracking."""
    fcpl = h5p.create(h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    if userblock:
        fcpl.set_userblock(userblock)
    if sizes:
        fcpl.set_sizes(*sizes)
    if sohm is not None:
        # sohm = (min message size, max list size or None for the default phase change)
        min_size, max_list = sohm
        LIB.ok(LIB.H5Pset_shared_mesg_nindexes(fcpl.id, 1), "H5Pset_shared_mesg_nindexes")
        LIB.ok(LIB.H5Pset_shared_mesg_index(fcpl.id, 0, H5O_SHMESG_ALL_FLAG, min_size),
               "H5Pset_shared_mesg_index")
        if max_list is not None:
            LIB.ok(LIB.H5Pset_shared_mesg_phase_change(fcpl.id, max_list, 0),
                   "H5Pset_shared_mesg_phase_change")
    if page:
        fcpl.set_file_space_strategy(h5f.FSPACE_STRATEGY_PAGE, True, 1)
        fcpl.set_file_space_page_size(4096)
    fapl = h5p.create(h5p.FILE_ACCESS)
    fapl.set_libver_bounds(_BOUNDS[libver], h5f.LIBVER_LATEST)
    fid = h5f.create(path.encode(), h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    return h5py.File(fid)


def name_lcpl(name):
    """Link creation properties as h5py's high-level API makes them: ASCII names
    are stored as ASCII, others as UTF-8.  (A UTF-8 link cannot live in a symbol
    table, so libhdf5 converts such a group to link messages even under earliest.)"""
    lcpl = h5p.create(h5p.LINK_CREATE)
    lcpl.set_char_encoding(h5t.CSET_ASCII if name.isascii() else h5t.CSET_UTF8)
    return lcpl


def group(parent, name, track_order=False, attr_phase=None):
    """Create a group without timestamps (optionally creation-ordered)."""
    gcpl = h5p.create(h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    if track_order:
        gcpl.set_link_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
        gcpl.set_attr_creation_order(h5p.CRT_ORDER_TRACKED | h5p.CRT_ORDER_INDEXED)
    if attr_phase:
        gcpl.set_attr_phase_change(*attr_phase)
    gid = h5py.h5g.create(parent.id, name.encode(), lcpl=name_lcpl(name), gcpl=gcpl)
    return h5py.Group(gid)


def dset(parent, name, **kw):
    """h5py create_dataset without timestamps."""
    kw.setdefault("track_times", False)
    return parent.create_dataset(name, **kw)


def commit_type(parent, name, dtype):
    """Commit a numpy dtype as a named datatype, without timestamps (h5py's own
    Group.__setitem__ cannot pass a datatype creation property list)."""
    tid = h5t.py_create(np.dtype(dtype), logical=True)
    lcpl = name_lcpl(name)      # keep a reference: h5py closes the id when collected
    tcpl = LIB.H5Pcreate(LIB.tcpl_class)
    try:
        LIB.ok(LIB.H5Pset_obj_track_times(tcpl, False), "H5Pset_obj_track_times")
        LIB.ok(LIB.H5Tcommit2(parent.id.id, name.encode(), tid.id, lcpl.id, tcpl, 0), "H5Tcommit2")
    finally:
        LIB.H5Pclose(tcpl)
    return parent[name]


def space_of(shape, maxshape=None):
    if shape is None:
        return h5s.create(h5s.NULL)
    if shape == ():
        return h5s.create(h5s.SCALAR)
    if maxshape is not None:
        maxshape = tuple(h5s.UNLIMITED if m is None else m for m in maxshape)
    return h5s.create_simple(tuple(shape), maxshape)


def new_dcpl():
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    return dcpl


def ll_dset(parent, name, ftype, shape, data=None, mtype=None, dcpl=None, maxshape=None):
    """Low-level dataset with an explicit file datatype.

    `data` is a numpy array whose memory layout matches `mtype` (default: the
    file type itself, i.e. a raw write)."""
    did = h5d.create(parent.id, name.encode(), ftype, space_of(shape, maxshape),
                     dcpl=dcpl if dcpl is not None else new_dcpl(), lcpl=name_lcpl(name))
    if data is not None:
        did.write(h5s.ALL, h5s.ALL, as_elements(data, shape), mtype=mtype if mtype is not None else ftype)
    return h5py.Dataset(did)


def ll_attr(obj, name, ftype, shape, data=None, mtype=None):
    """Low-level attribute with an explicit file datatype."""
    aid = h5a.create(obj.id, name.encode(), ftype, space_of(shape))
    if data is not None:
        aid.write(as_elements(data, shape), mtype=mtype if mtype is not None else ftype)
    return aid


def as_elements(data, shape):
    """View raw memory data as an array of `shape` whose elements are opaque
    blocks of one memory element each (so h5py's shape checks pass for array
    datatypes, whose numpy form has extra dimensions)."""
    data = np.ascontiguousarray(data)
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if data.shape == tuple(shape) or n == 0:
        return data
    return np.frombuffer(data.tobytes(), dtype="V%d" % (data.nbytes // n)).reshape(shape).copy()


def both(dgrp, agrp, name, data, dtype=None):
    """The same values as dataset dgrp/name and as attribute agrp.attrs[name]."""
    dset(dgrp, name, data=data, dtype=dtype)
    agrp.attrs.create(name, data, dtype=dtype)


def both_ll(dgrp, agrp, name, ftype, shape, data, mtype=None):
    ll_dset(dgrp, name, ftype, shape, data, mtype)
    ll_attr(agrp, name, ftype, shape, data, mtype)


def raw(values, size):
    """numpy 'V<size>' array holding exactly the given byte strings."""
    arr = np.zeros(len(values), dtype="V%d" % size)
    for i, v in enumerate(values):
        arr[i] = np.void(v.ljust(size, b"\0"))
    return arr


def rng(seed):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------------------
# groups_<libver>
# ---------------------------------------------------------------------------

def gen_groups(f, lv):
    f.attrs["fixture"] = "groups"
    # nested groups with a dataset at the bottom
    a = group(f, "a")
    b = group(a, "b")
    c = group(b, "c")
    group(c, "d")
    dset(b, "data", data=np.arange(6, dtype="<i4").reshape(2, 3))
    c.attrs["depth"] = np.int32(3)
    group(f, "empty")

    # >= 40 links -> dense link storage (fractal heap + v2 B-tree) under v108+,
    # several symbol-table nodes under earliest; created in a shuffled order
    many = group(f, "many")
    order = rng(1).permutation(45)
    for i in order:
        if i % 3 == 0:
            dset(many, "item%02d" % i, data=np.int16(i))
        else:
            group(many, "item%02d" % i)
    # a long (> 300 byte) name inside the dense group
    group(many, "long_" + "n" * 320)

    # the same with a creation-order index, inserted in reverse name order
    ordered = group(f, "many_ordered", track_order=True)
    for i in reversed(range(42)):
        group(ordered, "g%02d" % i)
    for i in (5, 1, 3):
        ordered.attrs["attr%d" % i] = np.int8(i)

    # names whose byte order differs from creation order / case order / code points
    names = group(f, "names")
    for n in ["zeta", "Zeta", "_under", "alpha", "Alpha", "10", "9", "with space", "dot.name",
              "\u00fcml\u00e4ut", "\u65e5\u672c\u8a9e", "\U0001f600", "~tilde"]:
        group(names, n)

    # long names in a compact group: a dataset, a group and a soft link
    longg = group(f, "long")
    dset(longg, "D" * 310, data=np.arange(3, dtype="<u2"))
    group(longg, "G" * 400)
    longg["S" * 305] = h5py.SoftLink("/" + "t" * 350)

    # hard / soft links (symbol-table group under earliest)
    links = group(f, "links")
    links["hard_ds"] = b["data"]                       # same dataset twice
    links["hard_group"] = c                            # same group twice
    links["soft_ds"] = h5py.SoftLink("/a/b/data")
    links["soft_rel"] = h5py.SoftLink("hard_ds")       # relative
    links["dangling"] = h5py.SoftLink("/does/not/exist")
    # a hard link that sorts before the original: /0first is where /a/b/c is
    # emitted first; /a/b/c then becomes a hardlink record
    f["0first"] = c
    # a cycle: /a/b/c/up -> /a
    c["up"] = a

    # external links in their own group
    ext = group(f, "extlinks")
    ext["ext"] = h5py.ExternalLink("other_file.h5", "/some/object")
    ext["ext_long"] = h5py.ExternalLink("dir/" + "f" * 200 + ".h5", "/" + "p" * 200)
    ext["soft_too"] = h5py.SoftLink("/a")

    # 300 hard links to one dataset: multi-level v1 B-tree under earliest,
    # multi-block fractal heap and multi-node v2 B-tree name index under v108+
    hm = group(f, "hardmany")
    target = dset(hm, "target", data=np.arange(4, dtype="<i8"))
    for i in range(300):
        hm["h%03d" % i] = target


# ---------------------------------------------------------------------------
# datasets_<libver>
# ---------------------------------------------------------------------------

def set_undefined_fill(dcpl, ftype):
    LIB.ok(LIB.H5Pset_fill_value(dcpl.id, ftype.id, None), "H5Pset_fill_value(NULL)")


def gen_datasets(f, lv):
    f.attrs["fixture"] = "datasets"
    # dataspaces
    dset(f, "scalar_f8", data=np.float64(3.5))
    dset(f, "scalar_i4", data=np.int32(-7))
    dset(f, "null_f4", data=h5py.Empty("<f4"))
    dset(f, "null_i8", data=h5py.Empty("<i8"))
    dset(f, "contig_1d", data=np.arange(100, dtype="<i4"))
    dset(f, "contig_3d", data=(np.arange(120, dtype="<f4") / 8).reshape(4, 5, 6))
    dset(f, "zero_1d", shape=(0,), dtype="<i4")
    dset(f, "zero_2d", shape=(3, 0), dtype="<f8")
    dset(f, "zero_chunked", shape=(0,), maxshape=(None,), chunks=(4,), dtype="<i2")
    dset(f, "zero_unlimited_2d", shape=(0, 5), maxshape=(None, 5), chunks=(2, 5), dtype="<u1")
    d = dset(f, "resizable", shape=(10,), maxshape=(None,), chunks=(8,), dtype="<i8")
    d[:] = np.arange(10) * 11
    d.resize((25,))
    d[10:] = -np.arange(15)
    dset(f, "maxshape_2d", data=np.arange(30, dtype="<u2").reshape(6, 5), maxshape=(None, 10),
         chunks=(4, 4))
    dset(f, "chunked_edge", data=np.arange(70, dtype=">u2").reshape(10, 7), chunks=(4, 3))
    dset(f, "chunked_4d", data=np.arange(2 * 3 * 4 * 5, dtype="<i1").reshape(2, 3, 4, 5),
         chunks=(1, 2, 3, 2))

    # compact layout (raw data inside the object header)
    dcpl = new_dcpl()
    dcpl.set_layout(h5d.COMPACT)
    ll_dset(f, "compact_i2", h5t.STD_I16LE, (10,), np.arange(-5, 5, dtype="<i2"), dcpl=dcpl)
    dcpl = new_dcpl()
    dcpl.set_layout(h5d.COMPACT)
    ll_dset(f, "compact_scalar", h5t.IEEE_F64BE, (), np.array(2.5, dtype=">f8"), dcpl=dcpl)
    dcpl = new_dcpl()
    dcpl.set_layout(h5d.COMPACT)
    ll_dset(f, "compact_2d", h5t.STD_U8LE, (3, 4), np.arange(12, dtype="u1").reshape(3, 4), dcpl=dcpl)

    # fill values
    fill = group(f, "fill")
    dset(fill, "default_contig_unwritten", shape=(5,), dtype="<i4")
    dset(fill, "user_contig_unwritten", shape=(5,), dtype="<i4", fillvalue=-7)
    dset(fill, "user_chunked_unwritten", shape=(20,), chunks=(5,), dtype="<i4", fillvalue=42)
    d = dset(fill, "user_chunked_partial", shape=(20,), chunks=(5,), dtype="<f4", fillvalue=9.5)
    d[0:5] = np.arange(5)
    d[15:18] = [-1, -2, -3]
    d = dset(fill, "user_2d_partial", shape=(6, 6), chunks=(3, 3), maxshape=(None, None),
             dtype=">i2", fillvalue=-1)
    d[0:3, 0:3] = np.arange(9).reshape(3, 3)
    dset(fill, "user_string", shape=(3,), dtype="S8", fillvalue=b"none")
    cdt = np.dtype([("a", "<i4"), ("b", "<f8")])
    dset(fill, "user_compound", shape=(2,), dtype=cdt, fillvalue=np.array((1, 2.5), dtype=cdt))
    dset(fill, "default_vlen_str", shape=(2,), dtype=h5py.string_dtype())
    dset(fill, "user_nan", shape=(3,), chunks=(3,), dtype="<f8", fillvalue=np.nan)
    # undefined fill value (H5Pset_fill_value with NULL): fully written
    dcpl = new_dcpl()
    set_undefined_fill(dcpl, h5t.STD_I32LE)
    ll_dset(fill, "undefined_contig", h5t.STD_I32LE, (4,), np.arange(4, dtype="<i4"), dcpl=dcpl)
    dcpl = new_dcpl()
    dcpl.set_chunk((2,))
    set_undefined_fill(dcpl, h5t.IEEE_F32LE)
    ll_dset(fill, "undefined_chunked", h5t.IEEE_F32LE, (6,), np.arange(6, dtype="<f4") / 4, dcpl=dcpl)
    # early allocation, never written: reads the fill value from allocated storage
    dcpl = new_dcpl()
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    dcpl.set_fill_value(np.array(5, dtype="<i2"))
    ll_dset(fill, "early_alloc_user", h5t.STD_I16LE, (7,), dcpl=dcpl)
    dcpl = new_dcpl()
    dcpl.set_fill_time(h5d.FILL_TIME_NEVER)
    dcpl.set_chunk((4,))
    dcpl.set_fill_value(np.array(3, dtype="<u1"))
    ll_dset(fill, "fill_time_never_written", h5t.STD_U8LE, (8,), np.arange(8, dtype="u1"), dcpl=dcpl)


# ---------------------------------------------------------------------------
# chunkidx_<libver>
# ---------------------------------------------------------------------------

def gen_chunkidx(f, lv):
    f.attrs["fixture"] = "chunk indexes"
    # single chunk (chunk == max shape), plain and filtered
    dset(f, "single", data=np.arange(100, dtype="<i4").reshape(10, 10), chunks=(10, 10))
    dset(f, "single_gzip", data=np.arange(100, dtype="<i4").reshape(10, 10), chunks=(10, 10),
         compression="gzip", compression_opts=6)
    dset(f, "single_unwritten", shape=(4, 4), chunks=(4, 4), dtype="<f4", fillvalue=1.25)

    # implicit index: early allocation, fixed size, no filters
    dcpl = new_dcpl()
    dcpl.set_chunk((5, 5))
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    dcpl.set_fill_value(np.array(-3, dtype="<i2"))
    d = ll_dset(f, "implicit", h5t.STD_I16LE, (20, 20), dcpl=dcpl)
    d[0:10, :] = np.arange(200, dtype="<i2").reshape(10, 20)   # half written

    # fixed array: maxshape > shape, the chunk grid runs over the *maximum* dims
    dset(f, "fixed", data=np.arange(64 * 64, dtype="<i2").reshape(64, 64), maxshape=(128, 128),
         chunks=(16, 16))
    dset(f, "fixed_gzip", data=(np.arange(64 * 64, dtype="<i4") % 1000).reshape(64, 64),
         maxshape=(128, 128), chunks=(16, 16), compression="gzip")
    # fixed array with more than 1024 entries -> paged (1024 entries a page):
    # pages 0 and 2 partly written, page 1 not at all
    d = dset(f, "fixed_paged", shape=(3000,), chunks=(1,), dtype="u1", fillvalue=255)
    d[0:700] = np.arange(700) % 251
    d[2200:3000] = np.arange(800) % 13

    # extensible array: one unlimited dimension, many chunks, some unwritten
    d = dset(f, "earray", shape=(2000,), maxshape=(None,), chunks=(1,), dtype="u1", fillvalue=200)
    d[0:1500] = np.arange(1500) % 199
    d[1900:2000] = np.arange(100)
    d = dset(f, "earray_gzip", shape=(1200,), maxshape=(None,), chunks=(4,), dtype="<i4",
             compression="gzip", compression_opts=1)
    d[:] = np.arange(1200) // 3
    d = dset(f, "earray_2d", shape=(40, 6), maxshape=(None, 6), chunks=(3, 4), dtype="<u2")
    d[:] = np.arange(240).reshape(40, 6)

    # v2 B-tree: two unlimited dimensions
    d = dset(f, "btree2", shape=(30, 30), maxshape=(None, None), chunks=(1, 1), dtype="u1")
    d[:] = (np.arange(900) % 256).reshape(30, 30)
    d = dset(f, "btree2_gzip", shape=(20, 20), maxshape=(None, None), chunks=(2, 2), dtype="<i4",
             compression="gzip", shuffle=True)
    d[:] = np.arange(400).reshape(20, 20)
    d = dset(f, "btree2_sparse", shape=(50, 50), maxshape=(None, None), chunks=(5, 5), dtype="<f8",
             fillvalue=-0.5)
    d[10:15, 20:30] = 1.0
    d[45:50, 45:50] = 2.0


# ---------------------------------------------------------------------------
# filters_<libver>
# ---------------------------------------------------------------------------

def gen_filters(f, lv):
    f.attrs["fixture"] = "filters"
    ints = (np.arange(1000, dtype="<i4") * 7) % 300
    dset(f, "gzip1", data=ints, chunks=(100,), compression="gzip", compression_opts=1)
    dset(f, "gzip9", data=ints, chunks=(128,), compression="gzip", compression_opts=9)
    dset(f, "shuffle", data=ints, chunks=(100,), shuffle=True)
    dset(f, "shuffle_gzip_fletcher32",
         data=(np.arange(31 * 17, dtype="<f8") / 3).reshape(31, 17), chunks=(8, 5),
         shuffle=True, compression="gzip", compression_opts=4, fletcher32=True)
    # fletcher32 over odd-sized chunks (7 bytes, 14 bytes, 15 bytes)
    dset(f, "fletcher32_u1", data=np.arange(101, dtype="u1"), chunks=(7,), fletcher32=True)
    dset(f, "fletcher32_i2", data=np.arange(50, dtype="<i2") - 25, chunks=(7,), fletcher32=True)
    c3 = np.dtype([("a", "u1"), ("b", "<i2")])
    dset(f, "fletcher32_c3", data=np.array([(i, -i) for i in range(12)], dtype=c3), chunks=(5,),
         fletcher32=True)
    dset(f, "lzf", data=ints, chunks=(100,), compression="lzf")
    dset(f, "lzf_shuffle", data=ints, chunks=(100,), compression="lzf", shuffle=True)
    # incompressible data: optional filters are skipped per chunk (filter mask set)
    noise = rng(7).integers(0, 256, 4096, dtype=np.uint8)
    dset(f, "lzf_random", data=noise, chunks=(1024,), compression="lzf")
    dset(f, "gzip_random", data=noise, chunks=(1024,), compression="gzip", compression_opts=9)
    dset(f, "shuffle_gzip_random_partial", data=noise[:1000].view("<i2"), chunks=(128,),
         compression="gzip", shuffle=True)
    # shuffle with a 3-byte element type (trailing partial elements untouched)
    dset(f, "shuffle_c3", data=np.array([(i, 1000 * i) for i in range(20)], dtype=c3),
         chunks=(7,), shuffle=True)
    # scale-offset: integer (automatic min bits) and float (D-scale 3)
    dset(f, "scaleoffset_int", data=np.arange(1000, 1200, dtype="<i4"), chunks=(50,), scaleoffset=0)
    dset(f, "scaleoffset_int_fill", data=np.arange(60, dtype="<i2") * 3, chunks=(16,),
         scaleoffset=0, fillvalue=-1)
    dset(f, "scaleoffset_float", data=np.round(rng(3).normal(size=100), 3).astype("<f8"),
         chunks=(25,), scaleoffset=3)
    # n-bit: 12-bit integers in 2 bytes, 20-bit unsigned at bit offset 4 in 4 bytes
    for name, ftype, data in [
            ("nbit_i2_p12", _int_type(h5t.STD_I16LE, 12, 0), np.arange(-2048, 2048, 40, dtype="<i2")),
            ("nbit_u4_p20_o4", _int_type(h5t.STD_U32BE, 20, 4), np.arange(0, 1 << 20, 9973, dtype="<u4"))]:
        dcpl = new_dcpl()
        dcpl.set_chunk((16,))
        dcpl.set_filter(h5z.FILTER_NBIT, h5z.FLAG_OPTIONAL, ())
        mtype = h5t.STD_I16LE if data.dtype == np.dtype("<i2") else h5t.STD_U32LE
        ll_dset(f, name, ftype, data.shape, data, mtype=mtype, dcpl=dcpl)
    # filtered vlen strings: global heap IDs inside compressed chunks
    strs = ["entry %d \u00e9\u00e8" % i * (i % 4) for i in range(20)]
    dset(f, "gzip_vlen_str", data=np.array(strs, dtype=h5py.string_dtype()), chunks=(6,),
         compression="gzip")
    cdt = np.dtype([("id", "<u4"), ("x", "<f4"), ("name", "S6")])
    dset(f, "gzip_compound", data=np.array([(i, i / 2, b"n%d" % i) for i in range(50)], dtype=cdt),
         chunks=(10,), compression="gzip", shuffle=True)
    dset(f, "gzip_unwritten", shape=(100,), chunks=(10,), dtype="<i4", compression="gzip",
         fillvalue=3)
    d = dset(f, "gzip_partial", shape=(100,), chunks=(10,), dtype="<i4", compression="gzip")
    d[0:25] = np.arange(25)
    d[99] = 99


def _int_type(base, precision, offset):
    t = base.copy()
    t.set_precision(precision)
    t.set_offset(offset)
    return t


# ---------------------------------------------------------------------------
# dtypes_<libver>: every class as datasets (/dsets) and attributes (/attrs)
# ---------------------------------------------------------------------------

def gen_dtypes(f, lv):
    f.attrs["fixture"] = "datatypes"
    types = group(f, "types")
    ds = group(f, "dsets")
    at = group(f, "attrs")

    # integers, both byte orders, extreme values
    for kind in "iu":
        for size in (1, 2, 4, 8):
            for order in "<>":
                dt = np.dtype("%s%s%d" % (order, kind, size))
                info = np.iinfo(dt)
                vals = [info.min, 0, 1, info.max] if kind == "u" else [info.min, -1, 0, 1, info.max]
                name = "%s%d%s" % (kind, size, "le" if order == "<" else "be")
                both(ds, at, name, np.array(vals, dtype=dt))
    # integers not using all bits of their storage
    both_ll(ds, at, "i2_p12", _int_type(h5t.STD_I16LE, 12, 0), (4,),
            np.array([-2048, -1, 0, 2047], dtype="<i2"), mtype=h5t.STD_I16LE)
    both_ll(ds, at, "u4be_p20_o4", _int_type(h5t.STD_U32BE, 20, 4), (3,),
            np.array([0, 12345, (1 << 20) - 1], dtype="<u4"), mtype=h5t.STD_U32LE)
    i3 = h5t.STD_I32LE.copy()
    i3.set_precision(24)
    i3.set_size(3)
    both_ll(ds, at, "i3", i3, (3,), np.array([-(1 << 23), 5, (1 << 23) - 1], dtype="<i4"),
            mtype=h5t.STD_I32LE)

    # IEEE floats, both orders, special values
    for size in (2, 4, 8):
        for order in "<>":
            dt = np.dtype("%sf%d" % (order, size))
            fi = np.finfo(dt)
            vals = [0.0, -0.0, 1.5, -2.25, np.nan, np.inf, -np.inf, fi.max, fi.tiny, fi.smallest_subnormal]
            both(ds, at, "f%d%s" % (size, "le" if order == "<" else "be"), np.array(vals, dtype=dt))
    # a non-IEEE float: bfloat16 layout
    bf16 = h5t.IEEE_F32LE.copy()
    bf16.set_fields(15, 7, 8, 0, 7)
    bf16.set_precision(16)
    bf16.set_size(2)
    bf16.set_ebias(127)
    both_ll(ds, at, "bfloat16", bf16, (5,), np.array([0.0, 1.5, -2.25, 256.0, 0.125], dtype="<f4"),
            mtype=h5t.IEEE_F32LE)

    # fixed-length strings: all paddings and character sets, raw bytes as stored
    for pad_name, pad in (("nullterm", h5t.STR_NULLTERM), ("nullpad", h5t.STR_NULLPAD),
                          ("spacepad", h5t.STR_SPACEPAD)):
        for cset_name, cset in (("ascii", h5t.CSET_ASCII), ("utf8", h5t.CSET_UTF8)):
            t = h5t.C_S1.copy()
            t.set_size(8)
            t.set_strpad(pad)
            t.set_cset(cset)
            fillc = b" " if pad == h5t.STR_SPACEPAD else b"\0"
            text = "h\u00e9llo".encode() if cset == h5t.CSET_UTF8 else b"hello"
            vals = [b"", b"a", text, b"12345678", b"ab" + b"\0" + b"cd", b"x\xff"]
            data = raw([v.ljust(8, fillc) if v != b"ab\0cd" else v for v in vals], 8)
            both_ll(ds, at, "S8_%s_%s" % (pad_name, cset_name), t, (len(vals),), data)
    both(ds, at, "S1_numpy", np.array([b"a", b"", b"z"], dtype="S1"))
    both(ds, at, "S5_numpy_scalar", np.array(b"abc", dtype="S5"))

    # variable-length strings
    both(ds, at, "vlen_ascii", np.array([b"", b"hello", b"x" * 50], dtype=h5py.string_dtype("ascii")))
    both(ds, at, "vlen_utf8", np.array(["", "h\u00e9llo w\u00f6rld", "\u65e5\u672c\u8a9e", "\U0001f600"],
                                        dtype=h5py.string_dtype()))
    both(ds, at, "vlen_utf8_scalar", np.array("scalar \u00e9", dtype=h5py.string_dtype()))
    both(ds, at, "vlen_2d", np.array([["a", "bb"], ["ccc", ""]], dtype=h5py.string_dtype()))

    # compounds
    simple = np.dtype([("a", "<i4"), ("b", "<f8")])
    both(ds, at, "cmp_simple", np.array([(1, 1.5), (-2, np.nan)], dtype=simple))
    aligned = np.dtype([("a", "u1"), ("b", "<i4"), ("c", "<f8")], align=True)
    both(ds, at, "cmp_aligned", np.array([(1, 2, 3.0), (4, 5, 6.0)], dtype=aligned))
    nested = np.dtype([("id", "<u2"), ("pos", [("x", "<f4"), ("y", "<f4")]), ("tag", "S4")])
    both(ds, at, "cmp_nested", np.array([(1, (0.5, -0.5), b"ab"), (2, (1e3, 2e-3), b"wxyz")], dtype=nested))
    arrm = np.dtype([("v", "<i2", (2, 3)), ("w", ">f4")])
    both(ds, at, "cmp_array_member", np.array([(np.arange(6).reshape(2, 3), 1.0),
                                               (-np.arange(6).reshape(2, 3), -1.0)], dtype=arrm))
    strm = np.dtype([("fixed", "S5"), ("vlen", h5py.string_dtype()), ("n", "<i1")])
    both(ds, at, "cmp_strings", np.array([(b"abc", "d\u00e9f", 1), (b"", "", -1)], dtype=strm))
    bem = np.dtype([("a", ">i8"), ("b", ">f2"), ("c", ">u2")])
    both(ds, at, "cmp_bigendian", np.array([(-1, 0.5, 65535), (1 << 40, -8.0, 1)], dtype=bem))
    quoted = np.dtype([('we"ird', "<i2"), ("\u00fcn\u00efc\u00f8d\u00e9", "<u1")])
    both(ds, at, "cmp_odd_names", np.array([(1, 2)], dtype=quoted))

    # enums: member order as inserted (low-level), int8/int32/big-endian/unsigned bases
    for name, base, members in [
            ("enum_i1", h5t.STD_I8LE, [("RED", 0), ("GREEN", 1), ("BLUE", 2)]),
            ("enum_i4", h5t.STD_I32LE, [("NEG", -100), ("ZERO", 0), ("BIG", 1 << 30)]),
            ("enum_i4be", h5t.STD_I32BE, [("A", 7), ("B", -7), ("C", 70000)]),
            ("enum_u2", h5t.STD_U16LE, [("LOW", 1), ("HIGH", 65535)])]:
        t = h5t.enum_create(base)
        for mname, val in members:
            t.enum_insert(mname.encode(), val)
        vals = [v for _, v in members]
        # raw write: values in the base type's own numpy form (byte order included)
        both_ll(ds, at, name, t, (len(vals) + 1,), np.array(vals + [vals[0]], dtype=base.dtype))
    both(ds, at, "bool", np.array([True, False, True]))

    # HDF5 array datatypes
    both_ll(ds, at, "array_2x3_f4", h5t.array_create(h5t.IEEE_F32LE, (2, 3)), (2,),
            np.arange(12, dtype="<f4").reshape(2, 2, 3), mtype=h5t.array_create(h5t.IEEE_F32LE, (2, 3)))
    both_ll(ds, at, "array_4_i2be", h5t.array_create(h5t.STD_I16BE, (4,)), (3,),
            np.arange(12, dtype="<i2").reshape(3, 4) - 6, mtype=h5t.array_create(h5t.STD_I16LE, (4,)))
    ct = h5t.create(h5t.COMPOUND, 8)
    ct.insert(b"p", 0, h5t.STD_I32LE)
    ct.insert(b"q", 4, h5t.IEEE_F32LE)
    pq = np.dtype([("p", "<i4"), ("q", "<f4")])
    both_ll(ds, at, "array_2_compound", h5t.array_create(ct, (2,)), (2,),
            np.array([[(1, 0.5), (2, 1.5)], [(3, 2.5), (4, 3.5)]], dtype=pq),
            mtype=h5t.array_create(ct, (2,)))

    # variable-length sequences
    vi4 = h5py.vlen_dtype(np.dtype("<i4"))
    both(ds, at, "vlen_i4", _objarr([np.array([1], "<i4"), np.array([2, 3], "<i4"), np.array([], "<i4"),
                                     np.array([4, 5, 6], "<i4")], vi4))
    vf8 = h5py.vlen_dtype(np.dtype("<f8"))
    both(ds, at, "vlen_f8", _objarr([np.array([0.5, np.inf]), np.array([]), np.array([-1e300])], vf8))
    vbe = h5py.vlen_dtype(np.dtype(">i2"))
    both(ds, at, "vlen_i2be", _objarr([np.array([1, 2, 3], ">i2"), np.array([-300], ">i2")], vbe))
    vc = h5py.vlen_dtype(pq)
    both(ds, at, "vlen_compound", _objarr([np.array([(1, 2.0)], pq), np.array([(3, 4.0), (5, 6.0)], pq)], vc))

    # opaque
    both(ds, at, "opaque_v16", rng(5).integers(0, 256, (3, 16), dtype=np.uint8).view("V16").reshape(3))
    stamps = np.array([0, 1, 86400], dtype="M8[s]")
    both(ds, at, "opaque_tagged_numpy", stamps.astype(h5py.opaque_dtype(stamps.dtype)))
    ot = h5t.create(h5t.OPAQUE, 6)
    ot.set_tag(b'tag with "quotes" and \xc3\xa9')
    both_ll(ds, at, "opaque_tag_quoted", ot, (2,), raw([b"abcdef", b"\x00\x01\x02\x03\x04\x05"], 6))

    # bitfields
    both_ll(ds, at, "bitfield_b8le", h5t.STD_B8LE, (4,), np.array([0, 1, 0x80, 0xff], "u1"),
            mtype=h5t.STD_B8LE)
    both_ll(ds, at, "bitfield_b16be", h5t.STD_B16BE, (3,), np.array([1, 0x1234, 0xffff], "<u2"),
            mtype=h5t.STD_B16LE)
    both_ll(ds, at, "bitfield_b32le", h5t.STD_B32LE, (2,), np.array([0xdeadbeef, 1], "<u4"),
            mtype=h5t.STD_B32LE)

    # complex numbers as h5py's default compound {r, i}
    both(ds, at, "complex_c8_compound", np.array([1 + 2j, -0.5j, np.nan], dtype="<c8"))
    both(ds, at, "complex_c16_compound", np.array([1e300 - 1j, 0], dtype="<c16"))

    # references
    grid = dset(ds, "grid", data=np.arange(48, dtype="<i4").reshape(6, 8))
    t_cmp = np.dtype([("x", "<i2"), ("label", h5py.string_dtype())])
    commit_type(types, "t_cmp", t_cmp)
    commit_type(types, "t_enum", h5py.enum_dtype({"OFF": 0, "ON": 1, "AUTO": 2}, basetype="<u1"))
    commit_type(types, "t_vstr", h5py.string_dtype())
    commit_type(types, "t_int_be", np.dtype(">i4"))
    types["t_cmp"].attrs["doc"] = "a committed compound"
    types["t_int_be"].attrs["scale"] = np.float32(0.25)
    refs = np.array([f.ref, ds.ref, grid.ref, types["t_cmp"].ref, h5py.Reference()], dtype=h5py.ref_dtype)
    both(ds, at, "ref_object", refs)
    both(ds, at, "ref_object_scalar", np.array(grid.ref, dtype=h5py.ref_dtype))
    sp = grid.id.get_space()
    regions = []
    sp.select_hyperslab((1, 2), (1, 1), block=(2, 3))                     # one block
    regions.append(h5r.create(grid.id, b".", h5r.DATASET_REGION, sp))
    sp.select_hyperslab((0, 0), (2, 2), stride=(3, 4), block=(2, 2))      # 4 blocks
    sp.select_hyperslab((5, 7), (1, 1), op=h5s.SELECT_OR)
    regions.append(h5r.create(grid.id, b".", h5r.DATASET_REGION, sp))
    sp.select_elements(np.array([[5, 7], [0, 0], [3, 1]]))                # points, stored order
    regions.append(h5r.create(grid.id, b".", h5r.DATASET_REGION, sp))
    sp.select_all()
    regions.append(h5r.create(grid.id, b".", h5r.DATASET_REGION, sp))
    sp.select_none()
    regions.append(h5r.create(grid.id, b".", h5r.DATASET_REGION, sp))
    regions.append(h5py.RegionReference())
    both(ds, at, "ref_region", np.array(regions, dtype=h5py.regionref_dtype))

    # committed datatypes used by datasets and attributes
    dset(ds, "named_cmp", data=np.array([(1, "one"), (2, "two")], dtype=t_cmp), dtype=types["t_cmp"])
    dset(ds, "named_int_be", data=np.arange(3, dtype=">i4"), dtype=types["t_int_be"])
    at.attrs.create("named_enum", np.array([0, 2, 1], dtype="u1"), dtype=types["t_enum"])
    at.attrs.create("named_vstr", np.array("committed", dtype=h5py.string_dtype()), dtype=types["t_vstr"])

    # scalar, null-space and 2-D attributes alongside
    at.attrs["null_f8"] = h5py.Empty("<f8")
    at.attrs["null_vstr"] = h5py.Empty(h5py.string_dtype())


def _objarr(items, dtype):
    arr = np.empty(len(items), dtype=dtype)
    for i, it in enumerate(items):
        arr[i] = it
    return arr


# ---------------------------------------------------------------------------
# newtypes_<libver>: complex class 11, time, revised references
# ---------------------------------------------------------------------------

def gen_newtypes(f, lv):
    f.attrs["fixture"] = "HDF5 1.12/2.0 datatypes"
    cx = group(f, "complex")
    for name, ftype, mtype, npdt, vals in [
            ("c16le", h5t.COMPLEX_IEEE_F64LE, h5t.COMPLEX_IEEE_F64LE, "<c16", [1 + 2j, -0.5j, complex(np.inf, np.nan)]),
            ("c16be", h5t.COMPLEX_IEEE_F64BE, h5t.COMPLEX_IEEE_F64LE, "<c16", [3 - 4j, 1e-300j]),
            ("c8le", h5t.COMPLEX_IEEE_F32LE, h5t.COMPLEX_IEEE_F32LE, "<c8", [1.5 + 2.5j, -1j]),
            ("c8be", h5t.COMPLEX_IEEE_F32BE, h5t.COMPLEX_IEEE_F32LE, "<c8", [0.25 - 0.125j]),
            ("c4le", h5t.COMPLEX_IEEE_F16LE, h5t.COMPLEX_IEEE_F32LE, "<c8", [0.5 + 1j, -2 - 65504j])]:
        data = np.array(vals, dtype=npdt)
        ll_dset(cx, name, ftype, data.shape, data, mtype=mtype)
        ll_attr(cx, name, ftype, data.shape, data, mtype=mtype)
    ll_dset(cx, "c16_scalar", h5t.COMPLEX_IEEE_F64LE, (), np.array(1 - 1j, "<c16"))
    dcpl = new_dcpl()
    dcpl.set_chunk((4,))
    dcpl.set_deflate(5)
    ll_dset(cx, "c16_gzip", h5t.COMPLEX_IEEE_F64LE, (10,), (np.arange(10) * (1 + 1j)).astype("<c16"),
            dcpl=dcpl)
    # a group holding class-11 datasets next to ordinary ones
    mixed = group(f, "mixed")
    dset(mixed, "a_int", data=np.arange(4, dtype="<i4"))
    ll_dset(mixed, "b_complex", h5t.COMPLEX_IEEE_F64LE, (2,), np.array([1j, 2], "<c16"))
    dset(mixed, "c_string", data=np.array(["after", "complex"], dtype=h5py.string_dtype()))
    dset(mixed, "d_compound_complex", data=np.array([1 + 1j], "<c16"))
    mixed.attrs["e_attr"] = np.float64(2.0)
    ll_attr(mixed, "f_complex_attr", h5t.COMPLEX_IEEE_F32LE, (), np.array(3 + 4j, "<c8"))

    # time datatype (raw bytes; no conversions exist for it)
    tm = group(f, "time")
    ll_dset(tm, "unix_d32le", h5t.UNIX_D32LE, (3,), np.array([0, 86400, -1], "<i4").view("V4"))
    ll_dset(tm, "unix_d64be", h5t.UNIX_D64BE, (2,), np.array([1700000000, -5], ">i8").view("V8"))
    ll_attr(tm, "unix_d64le", h5t.UNIX_D64LE, (), np.array(123456789, "<i8").view("V8").reshape(()))

    # revised (HDF5 1.12) references: object, region, attribute, null
    rr = group(f, "revised_refs")
    target = dset(rr, "target", data=np.arange(20, dtype="<i2").reshape(4, 5))
    target.attrs["an_attr"] = np.int32(1)
    grp = group(rr, "target_group")
    buf = np.zeros(6, dtype="V64")
    ptr = [ctypes.c_void_p(buf.ctypes.data + 64 * i) for i in range(6)]
    LIB.ok(LIB.H5Rcreate_object(f.id.id, b"/revised_refs/target_group", 0, ptr[0]), "H5Rcreate_object")
    LIB.ok(LIB.H5Rcreate_object(rr.id.id, b"target", 0, ptr[1]), "H5Rcreate_object")
    sp = target.id.get_space()
    sp.select_hyperslab((1, 1), (2, 3))
    LIB.ok(LIB.H5Rcreate_region(rr.id.id, b"target", sp.id, 0, ptr[2]), "H5Rcreate_region")
    sp.select_elements(np.array([[3, 4], [0, 0]]))
    LIB.ok(LIB.H5Rcreate_region(rr.id.id, b"target", sp.id, 0, ptr[3]), "H5Rcreate_region")
    LIB.ok(LIB.H5Rcreate_attr(rr.id.id, b"target", b"an_attr", 0, ptr[4]), "H5Rcreate_attr")
    # element 5 stays all-zero: a null reference
    rtype = h5t.typewrap(LIB.H5Tcopy(LIB.std_ref))
    did = h5d.create(rr.id, b"refs", rtype, h5s.create_simple((6,)), dcpl=new_dcpl())
    LIB.ok(LIB.H5Dwrite(did.id, LIB.std_ref, 0, 0, 0, buf.ctypes.data), "H5Dwrite")
    aid = h5a.create(grp.id, b"refs", rtype, h5s.create_simple((6,)))
    LIB.ok(LIB.H5Awrite(aid.id, LIB.std_ref, buf.ctypes.data), "H5Awrite")
    for p in ptr[:5]:
        LIB.ok(LIB.H5Rdestroy(p), "H5Rdestroy")
    del did, aid


# ---------------------------------------------------------------------------
# attrs_<libver>
# ---------------------------------------------------------------------------

def gen_attrs(f, lv):
    # root attributes of several shapes and types
    f.attrs["title"] = "attribute fixture \u00e9"
    f.attrs["version"] = np.array([1, 2, 3], dtype="<i4")
    f.attrs["empty_f8"] = h5py.Empty("<f8")
    f.attrs["matrix"] = (np.arange(12, dtype="<f8") / 7).reshape(3, 4)
    f.attrs["zero_size"] = np.zeros((0,), dtype="<i4")
    f.attrs["fixed_str"] = np.array(b"fixed", dtype="S5")
    f.attrs["vstr_list"] = np.array(["a", "bc", "\u00e9"], dtype=h5py.string_dtype())
    ll_attr(f, "array_typed", h5t.array_create(h5t.STD_I32LE, (2, 2)), (), np.arange(4, dtype="<i4"),
            mtype=h5t.array_create(h5t.STD_I32LE, (2, 2)))
    ll_attr(f, "array_typed_1d", h5t.array_create(h5t.IEEE_F64BE, (3,)), (2,),
            np.arange(6, dtype="<f8"), mtype=h5t.array_create(h5t.IEEE_F64LE, (3,)))

    # >= 30 attributes on one object: dense storage under v108+
    many = group(f, "many_attrs")
    for i in range(40):
        if i % 4 == 0:
            many.attrs["attr%02d" % i] = "value %d" % i
        elif i % 4 == 1:
            many.attrs["attr%02d" % i] = np.arange(i, dtype="<i2")
        else:
            many.attrs["attr%02d" % i] = np.float64(i) / 3

    # creation-order tracked attributes, created in reverse name order
    tracked = group(f, "tracked", track_order=True)
    for i in reversed(range(35)):
        tracked.attrs["t%02d" % i] = np.int32(i)

    # attributes on a dataset and on a named datatype
    d = dset(f, "dataset_with_attrs", data=np.arange(5, dtype="<u8"))
    d.attrs["units"] = "m/s"
    d.attrs["scale"] = np.float32(0.5)
    d.attrs["null"] = h5py.Empty("<i4")
    commit_type(f, "named_type", np.dtype([("a", "<i4"), ("b", "S3")]))
    f["named_type"].attrs["doc"] = "attribute on a committed datatype"
    f["named_type"].attrs["ids"] = np.arange(3, dtype=">i8")

    # a 20000-byte attribute among 10: under v108+ the attributes go dense and the
    # large one is a "huge" object of the attribute fractal heap (bigger than its
    # maximum managed object size); attributes > 64 KiB are in bigattr_latest.h5
    big = group(f, "big")
    big.attrs["large"] = (np.arange(5000, dtype="<i4") * 31) % 1000
    for i in range(9):
        big.attrs["small%d" % i] = np.int8(i)

    # object headers that grow after other objects were created -> continuation
    # blocks (attribute storage kept compact with a high phase-change threshold)
    grow = group(f, "grow", attr_phase=(1000, 900))
    dcpl = new_dcpl()
    dcpl.set_attr_phase_change(1000, 900)
    gds = ll_dset(f, "grow_ds", h5t.STD_I32LE, (4,), np.arange(4, dtype="<i4"), dcpl=dcpl)
    for i in range(3):
        dset(f, "sibling%d" % i, data=np.arange(10, dtype="<i4") + i)
    for i in range(25):
        grow.attrs["a%02d" % i] = np.arange(16, dtype="<i4") + i
        gds.attrs["b%02d" % i] = "grown %02d " % i + "x" * 40
        dset(f, "interleaved%02d" % i, data=np.int16(i))


# ---------------------------------------------------------------------------
# targeted files
# ---------------------------------------------------------------------------

def gen_small_content(f):
    """Modest content shared by the userblock / 4-byte offset / SOHM / page files."""
    f.attrs["title"] = "small content"
    g = group(f, "g")
    g.attrs["count"] = np.int32(3)
    dset(g, "ints", data=np.arange(10, dtype="<i4"))
    dset(f, "chunked", data=np.arange(200, dtype="<f8").reshape(20, 10), chunks=(5, 5), compression="gzip")
    dset(f, "strings", data=np.array(["one", "two", "\u00fe\u00f8\u00fe"], dtype=h5py.string_dtype()))


# ---------------------------------------------------------------------------
# superblock extension timestamps
# ---------------------------------------------------------------------------
#
# libhdf5 creates the superblock extension object header itself, with the default
# group creation properties, i.e. *with* timestamps; no property reaches it.  To
# keep the fixtures byte-reproducible, pin_extension_times() zeroes those four
# timestamps and recomputes the header checksum (Jenkins lookup3, as libhdf5 does).
# The stored checksum is verified before patching, so a parsing mistake cannot
# silently corrupt a fixture.

def lookup3(data, initval=0):
    """Bob Jenkins' lookup3 hashlittle(), byte-wise, as H5_checksum_lookup3."""
    M = 0xffffffff

    def rot(x, k):
        return ((x << k) | (x >> (32 - k))) & M

    length = len(data)
    a = b = c = (0xdeadbeef + length + initval) & M
    i = 0
    while length > 12:
        a = (a + int.from_bytes(data[i:i + 4], "little")) & M
        b = (b + int.from_bytes(data[i + 4:i + 8], "little")) & M
        c = (c + int.from_bytes(data[i + 8:i + 12], "little")) & M
        a = (a - c) & M; a ^= rot(c, 4); c = (c + b) & M
        b = (b - a) & M; b ^= rot(a, 6); a = (a + c) & M
        c = (c - b) & M; c ^= rot(b, 8); b = (b + a) & M
        a = (a - c) & M; a ^= rot(c, 16); c = (c + b) & M
        b = (b - a) & M; b ^= rot(a, 19); a = (a + c) & M
        c = (c - b) & M; c ^= rot(b, 4); b = (b + a) & M
        length -= 12
        i += 12
    if length == 0:
        return c
    tail = bytes(data[i:i + length]).ljust(12, b"\0")
    a = (a + int.from_bytes(tail[0:4], "little")) & M
    b = (b + int.from_bytes(tail[4:8], "little")) & M
    c = (c + int.from_bytes(tail[8:12], "little")) & M
    c ^= b; c = (c - rot(b, 14)) & M
    a ^= c; a = (a - rot(c, 11)) & M
    b ^= a; b = (b - rot(a, 25)) & M
    c ^= b; c = (c - rot(b, 16)) & M
    a ^= c; a = (a - rot(c, 4)) & M
    b ^= a; b = (b - rot(a, 14)) & M
    c ^= b; c = (c - rot(b, 24)) & M
    return c


def pin_extension_times(path):
    """Zero the timestamps of the superblock extension's (v2) object header."""
    with open(path, "rb") as fh:
        data = bytearray(fh.read())
    sig = b"\x89HDF\r\n\x1a\n"
    base = 0
    while data[base:base + 8] != sig:
        base = 512 if base == 0 else base * 2
        if base >= len(data):
            raise RuntimeError("%s: no superblock" % path)
    if data[base + 8] < 2:
        return                                   # v0/v1 superblock: no extension
    osize = data[base + 9]
    addr = lambda p: int.from_bytes(data[p:p + osize], "little")
    base_addr = addr(base + 12)
    ext = addr(base + 12 + osize)
    if ext == (1 << (8 * osize)) - 1:
        return                                   # undefined address: no extension
    p = base_addr + ext
    if data[p:p + 4] != b"OHDR" or data[p + 4] != 2:
        raise RuntimeError("%s: superblock extension is not a v2 object header" % path)
    flags = data[p + 5]
    if not flags & 0x20:
        return                                   # no timestamps stored
    q = p + 6
    times = q
    q += 16
    if flags & 0x10:
        q += 4                                   # attribute phase change values
    nsize = 1 << (flags & 3)
    chunk0 = int.from_bytes(data[q:q + nsize], "little")
    end = q + nsize + chunk0                     # the checksum follows chunk 0
    stored = int.from_bytes(data[end:end + 4], "little")
    if lookup3(data[p:end]) != stored:
        raise RuntimeError("%s: superblock extension checksum mismatch" % path)
    data[times:times + 16] = bytes(16)
    data[end:end + 4] = lookup3(data[p:end]).to_bytes(4, "little")
    with open(path, "r+b") as fh:
        fh.write(data)


def write_userblock_text(path, size):
    text = b"h5oxide user block fixture; the HDF5 superblock follows at byte %d.\n" % size
    with open(path, "r+b") as fh:
        fh.write((text * (size // len(text) + 1))[:size - 1] + b"\n")


def gen_offsets4(f, lv):
    f.attrs["title"] = "4-byte offsets and lengths"
    gen_small_content(f)
    g = group(f, "many")
    for i in range(45):
        group(g, "sub%02d" % i)
    a = group(f, "attrs")
    for i in range(30):
        a.attrs["x%02d" % i] = np.arange(i % 5 + 1, dtype="<i2")
    # no unlimited dimensions here: with 4-byte lengths libhdf5 2.0 stores H5S_UNLIMITED
    # as 0xffffffff and reads it back as 4294967295 (extensible-array datasets then
    # fail to open with "didn't find unlimited dimension")
    dset(f, "chunked_1d", data=np.arange(300, dtype="<i4"), chunks=(7,))
    dset(f, "single", data=np.arange(100, dtype="u1").reshape(10, 10), chunks=(10, 10),
         compression="gzip")
    dset(f, "fixed", data=np.arange(64, dtype="<i2").reshape(8, 8), maxshape=(16, 16), chunks=(2, 2),
         compression="gzip", fletcher32=True)
    dset(f, "vlen", data=_objarr([np.arange(i, dtype="<i4") for i in range(5)], h5py.vlen_dtype("<i4")))


def gen_sohm(f, lv):
    f.attrs["title"] = "shared object header messages"
    t = np.dtype([("when", "<i8"), ("value", "<f8"), ("flag", "u1")])
    for i in range(12):
        d = dset(f, "d%02d" % i, data=np.zeros(6, dtype=t) if i % 2 else np.ones(6, dtype=t),
                 chunks=(3,), compression="gzip", fillvalue=np.array((-1, -1.0, 0), dtype=t))
        d.attrs["units"] = "metres per second"
        d.attrs["shape_note"] = np.arange(6, dtype="<i4")
        d.attrs["own"] = "dataset %d" % i
    g = group(f, "g")
    g.attrs["units"] = "metres per second"


def gen_pagefs(f, lv):
    f.attrs["title"] = "paged file space, persistent free space"
    gen_small_content(f)
    # (with six datasets libhdf5 relocates the superblock extension's continuation
    # chunk and leaves a stale, time-dependent checksum in free space: keep it to four)
    for i in range(4):
        dset(f, "tmp%d" % i, data=np.arange(500, dtype="<i4") + i)
    for i in (1, 3):
        del f["tmp%d" % i]          # leaves free space to persist
    f.attrs["after_delete"] = np.int32(1)


def gen_bigattr(f, lv):
    f.attrs["title"] = "attributes larger than 64 KiB"
    g = group(f, "g")
    g.attrs["large"] = (np.arange(20000, dtype="<i4") * 31) % 1000      # 80000 bytes
    g.attrs["large_vstr"] = "L" * 70000                                  # global heap
    g.attrs["small"] = np.int8(1)
    d = dset(f, "d", data=np.arange(3, dtype="<f8"))
    d.attrs["large_f8"] = np.linspace(0, 1, 9000)                        # 72000 bytes
    f.attrs["large_root"] = np.arange(17000, dtype="<u4")                # 68000 bytes


def gen_btree2_deep(f, lv):
    f.attrs["title"] = "v2 B-tree chunk index, 10000 chunks"
    d = dset(f, "deep", shape=(100, 100), maxshape=(None, None), chunks=(1, 1), dtype="u1")
    d[:] = (np.arange(10000) % 253).reshape(100, 100)


def gen_sample(f):
    """testdata/sample.h5: the README demo file."""
    f.attrs["title"] = "h5oxide sample file"
    f.attrs["created_by"] = "testdata/gen_fixtures.py"
    run = group(group(f, "measurements"), "run1")
    run.attrs["operator"] = "Ada"
    run.attrs["temperature_offset"] = np.float32(0.25)
    t = dset(run, "temperature", data=(20 + np.sin(np.arange(100) / 10) * 5).astype("<f4"),
             chunks=(25,), compression="gzip", shuffle=True)
    t.attrs["units"] = "degC"
    dset(run, "counts", data=np.arange(12, dtype="<i4").reshape(3, 4))
    dset(run, "labels", data=np.array(["alpha", "beta", "gamma"], dtype=h5py.string_dtype()))
    rec = np.dtype([("id", "<u2"), ("x", "<f8"), ("ok", "?")])
    dset(f, "table", data=np.array([(1, 0.5, True), (2, 1.5, False), (3, -2.0, True)], dtype=rec))
    f["latest"] = h5py.SoftLink("/measurements/run1")


# ---------------------------------------------------------------------------
# dataset values: shared helpers
# ---------------------------------------------------------------------------
#
# The families below exist for reading dataset *values*: every dataset holds distinct,
# deterministic values, chunked ones usually with edge chunks (shape not a multiple of
# the chunk shape), partially written chunks and never-written chunks under a user fill
# value, so a reader that gets an index, a filter or a fill rule wrong sees a different
# hash.

H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS = 0x0002


def grid(shape, dtype, scale=1, offset=0):
    """Distinct values in C order: arange(n) * scale + offset, cast to dtype."""
    n = int(np.prod(shape, dtype=np.int64)) if shape else 1
    return (np.arange(n, dtype=np.float64) * scale + offset).astype(dtype).reshape(shape)


def write_blocks(d, full, blocks):
    """Write full[b] into d[b] for every block b (a tuple of slices)."""
    for b in blocks:
        d[b] = full[b]


def set_fill(dcpl, value):
    """H5Pset_fill_value with the numpy value's own type.  (h5py 3.16's
    PropDCID.set_fill_value stores garbage for numpy 'S' strings -- its high-level
    create_dataset goes another way -- so the low-level fixtures use this.)"""
    value = np.ascontiguousarray(value)
    tid = h5t.py_create(value.dtype, logical=True)
    LIB.ok(LIB.H5Pset_fill_value(dcpl.id, tid.id, value.ctypes.data), "H5Pset_fill_value")


def chunked_dcpl(chunks, fill=None, gzip=None, shuffle=False, fletcher32=False, early=False,
                 dont_filter_partial=False):
    """Chunked creation properties, filters in h5py's order (shuffle, gzip, fletcher32)."""
    dcpl = new_dcpl()
    dcpl.set_chunk(tuple(chunks))
    if early:
        dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    if fill is not None:
        set_fill(dcpl, fill)
    if shuffle:
        dcpl.set_shuffle()
    if gzip is not None:
        dcpl.set_deflate(gzip)
    if fletcher32:
        dcpl.set_fletcher32()
    if dont_filter_partial:
        LIB.ok(LIB.H5Pset_chunk_opts(dcpl.id, H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS), "H5Pset_chunk_opts")
    return dcpl


# ---------------------------------------------------------------------------
# edges_<libver>: every chunk index with edge, partial and never-written chunks
# ---------------------------------------------------------------------------

def gen_edges(f, lv):
    f.attrs["fixture"] = "chunk indexes with edge chunks, partially and never written chunks"
    # single chunk index (chunk == shape == maxshape): partially written, filtered unwritten
    d = dset(f, "single_partial", shape=(6, 7), chunks=(6, 7), dtype="<i4", fillvalue=-2)
    d[1:3, 2:5] = grid((6, 7), "<i4", 3, -20)[1:3, 2:5]
    dset(f, "single_filtered_unwritten", shape=(5, 5), chunks=(5, 5), dtype="<f8", fillvalue=1.5,
         compression="gzip", fletcher32=True)
    d = dset(f, "single_filtered_partial", shape=(9, 4), chunks=(9, 4), dtype=">i2", fillvalue=77,
             compression="gzip", shuffle=True)
    d[0:2, :] = grid((9, 4), ">i2", 7, -100)[0:2, :]

    # implicit index (early allocation, no filters, fixed maxshape): the chunk grid runs
    # over the *maximum* dimensions (30, 20) -> (6, 5) chunks, edge chunks in both dims
    d = ll_dset(f, "implicit_edges", h5t.STD_I16LE, (23, 17), maxshape=(30, 20),
                dcpl=chunked_dcpl((5, 4), fill=np.array(-3, "<i2"), early=True))
    write_blocks(d, grid((23, 17), "<i2"), [np.s_[0:12, :], np.s_[20:23, 15:17]])

    # fixed array, maxshape > shape, edge chunks; one interior chunk and the last chunk row
    # never written, one edge chunk partially written
    fa_blocks = [np.s_[0:16, :], np.s_[16:24, 0:16], np.s_[16:24, 24:37], np.s_[24:48, :],
                 np.s_[48:49, 0:5]]
    full = grid((50, 37), "<i4", 1, 1000)
    d = dset(f, "fa_edges", shape=(50, 37), maxshape=(100, 40), chunks=(8, 8), dtype="<i4", fillvalue=-9)
    write_blocks(d, full, fa_blocks)
    d = dset(f, "fa_edges_filtered", shape=(50, 37), maxshape=(100, 40), chunks=(8, 8), dtype=">f8",
             fillvalue=0.25, shuffle=True, compression="gzip", fletcher32=True)
    write_blocks(d, full.astype(">f8") / 4, fa_blocks)
    # paged fixed array: 50 x 30 = 1500 entries over the maximum dims (> 1024: paged)
    d = dset(f, "fa_paged_edges", shape=(41, 29), maxshape=(100, 60), chunks=(2, 2), dtype="<u2",
             fillvalue=65535)
    write_blocks(d, grid((41, 29), "<u2"), [np.s_[0:10, :], np.s_[20:41, :], np.s_[15:16, 3:4]])
    # paged fixed array with filtered entries (1189 one-element gzip chunks)
    d = dset(f, "fa_paged_filtered", shape=(41, 29), chunks=(1, 1), dtype="<i4", fillvalue=5,
             compression="gzip", compression_opts=1)
    write_blocks(d, grid((41, 29), "<i4", -3), [np.s_[0:30, :], np.s_[35:41, 10:29]])

    # extensible array: edge chunk (1000..1003 of a 10-chunk), a partially written chunk
    ea_blocks = [np.s_[0:500], np.s_[995:1003]]
    full = grid((1003,), "<i8", -7, 3)
    d = dset(f, "ea_edges", shape=(1003,), maxshape=(None,), chunks=(10,), dtype="<i8", fillvalue=-1)
    write_blocks(d, full, ea_blocks)
    d = dset(f, "ea_edges_filtered", shape=(1003,), maxshape=(None,), chunks=(10,), dtype="<i8",
             fillvalue=-1, compression="gzip", fletcher32=True)
    write_blocks(d, full, ea_blocks)
    d = dset(f, "ea_2d_edges", shape=(37, 11), maxshape=(None, 11), chunks=(5, 4), dtype="<f4",
             fillvalue=-1.5)
    write_blocks(d, grid((37, 11), "<f4", 0.5), [np.s_[0:20, :], np.s_[25:37, 4:11]])
    # the unlimited dimension is not the first: the extensible array index runs over
    # "swizzled" chunk coordinates (unlimited dimension moved first)
    ea1_blocks = [np.s_[:, 0:21], np.s_[0:4, 35:50], np.s_[5:6, 49:50]]
    full = grid((6, 50), "<i2", 1, -150)
    d = dset(f, "ea_unlim_dim1", shape=(6, 50), maxshape=(6, None), chunks=(4, 7), dtype="<i2",
             fillvalue=99)
    write_blocks(d, full, ea1_blocks)
    d = dset(f, "ea_unlim_dim1_filtered", shape=(6, 50), maxshape=(6, None), chunks=(4, 7), dtype="<i2",
             fillvalue=99, compression="gzip", shuffle=True)
    write_blocks(d, full, ea1_blocks)
    d = dset(f, "ea_unlim_dim2_3d", shape=(5, 4, 30), maxshape=(5, 4, None), chunks=(2, 3, 8),
             dtype=">u4", fillvalue=1)
    write_blocks(d, grid((5, 4, 30), ">u4", 11), [np.s_[:, :, 0:16], np.s_[0:2, 0:3, 24:30]])

    # v2 B-tree (two or more unlimited dimensions)
    bt_blocks = [np.s_[0:8, :], np.s_[8:23, 0:10], np.s_[22:23, 30:31]]
    full = grid((23, 31), "<i4", 1, -300)
    d = dset(f, "bt2_edges", shape=(23, 31), maxshape=(None, None), chunks=(4, 5), dtype="<i4",
             fillvalue=-5)
    write_blocks(d, full, bt_blocks)
    d = dset(f, "bt2_edges_filtered", shape=(23, 31), maxshape=(None, None), chunks=(4, 5), dtype="<i4",
             fillvalue=-5, compression="gzip", shuffle=True)
    write_blocks(d, full, bt_blocks)
    d = dset(f, "bt2_3d", shape=(7, 10, 9), maxshape=(None, 10, None), chunks=(3, 4, 4), dtype="u1",
             fillvalue=250)
    write_blocks(d, grid((7, 10, 9), "u1") % 200, [np.s_[0:3, :, :], np.s_[6:7, 8:10, 8:9]])

    # shrink, then grow: libhdf5 deletes the chunks outside the smaller extent and fills
    # the cut-off part of the chunks it keeps, so the regrown region reads as fill value
    d = dset(f, "shrink_grow_ea", shape=(20,), maxshape=(None,), chunks=(8,), dtype="<i4", fillvalue=-4)
    d[:] = np.arange(20) + 1
    d.resize((13,))
    d.resize((22,))
    d = dset(f, "shrink_grow_bt2", shape=(9, 9), maxshape=(None, None), chunks=(4, 4), dtype="<i2",
             fillvalue=8)
    d[:] = grid((9, 9), "<i2", 1, 1)
    d.resize((6, 7))
    d.resize((10, 10))

    # H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS: edge chunks are stored unfiltered.  This
    # forces layout message v4 (fixed array / extensible array) even under earliest.
    ll_dset(f, "dont_filter_partial_fa", h5t.STD_I32LE, (10, 9), grid((10, 9), "<i4"),
            dcpl=chunked_dcpl((4, 4), gzip=6, shuffle=True, dont_filter_partial=True))
    # written at 30 elements (chunk 3 partial -> raw), grown to 45: chunk 3 became a full
    # chunk (libhdf5 filters it then); chunk 4 written in part (full chunk: filtered,
    # fill value in the rest), chunk 5 is the new edge chunk (raw)
    d = ll_dset(f, "dont_filter_partial_ea", h5t.STD_I32LE, (30,), grid((30,), "<i4", 5), maxshape=(None,),
                dcpl=chunked_dcpl((8,), fill=np.array(-6, "<i4"), gzip=6, dont_filter_partial=True))
    d.resize((45,))
    d[30:37] = grid((7,), "<i4", 5, 150)
    d[40:42] = [-40, -41]


# ---------------------------------------------------------------------------
# bigchunks_<libver>: thousands of (tiny) chunks
# ---------------------------------------------------------------------------

def gen_bigchunks(f, lv):
    f.attrs["fixture"] = "thousands of small chunks"
    # sparse extensible array: with 4 elements in the index block and data blocks of
    # 16, 32, 32, 64, ... elements, element 131060 is the first of super block 13, whose
    # data blocks hold 2048 elements, i.e. two pages of 1024 (pages are initialised on
    # first write: some stay uninitialised and read as fill value)
    d = dset(f, "ea_sparse_paged", shape=(180000,), maxshape=(None,), chunks=(1,), dtype="u1", fillvalue=7)
    for s in [np.s_[0:40], np.s_[1000:1100], np.s_[174700:176900], np.s_[179990:180000]]:
        d[s] = (np.arange(s.start, s.stop) % 251).astype("u1")
    d = dset(f, "ea_sparse_paged_filtered", shape=(140000,), maxshape=(None,), chunks=(1,), dtype="<i2",
             fillvalue=-3, compression="gzip", compression_opts=1)
    for s in [np.s_[0:20], np.s_[131000:131100], np.s_[133200:133300], np.s_[139990:140000]]:
        d[s] = (np.arange(s.start, s.stop) % 30011).astype("<i2")
    # fixed array with 5000 entries (5 pages), one page never written
    d = dset(f, "fa_5000", shape=(5000,), chunks=(1,), dtype="u1", fillvalue=9)
    for s in [np.s_[0:3000], np.s_[4000:5000]]:
        d[s] = (np.arange(s.start, s.stop) % 241).astype("u1")
    # filtered fixed array, 1600 entries (2 pages)
    d = dset(f, "fa_1600_filtered", shape=(40, 40), chunks=(1, 1), dtype="<u2", fillvalue=4,
             compression="gzip", compression_opts=1)
    write_blocks(d, grid((40, 40), "<u2", 3), [np.s_[0:25, :], np.s_[30:40, 0:20]])
    # v2 B-tree with 3000 filtered records (internal nodes), a few never written
    d = dset(f, "bt2_3000_filtered", shape=(60, 50), maxshape=(None, None), chunks=(1, 1), dtype="u1",
             fillvalue=2, compression="gzip", compression_opts=1)
    write_blocks(d, grid((60, 50), "u1") % 211, [np.s_[0:59, :], np.s_[59:60, 0:25]])


# ---------------------------------------------------------------------------
# filtervals_<libver>: every filter and combination, with values
# ---------------------------------------------------------------------------

def nbit_dcpl(chunks, fill=None):
    dcpl = chunked_dcpl(chunks, fill=fill)
    dcpl.set_filter(h5z.FILTER_NBIT, h5z.FLAG_OPTIONAL, ())
    return dcpl


def gen_filtervals(f, lv):
    f.attrs["fixture"] = "filters and filter combinations (values)"
    ints = (grid((23, 31), "<i4", 37) % 1000) - 300
    for level in range(1, 10):
        dset(f, "gzip_l%d" % level, data=ints, chunks=(8, 8), compression="gzip", compression_opts=level)

    # scale-offset, integers (0 = minimum bits computed per chunk)
    dset(f, "scaleoffset_u1", data=(np.arange(100) * 3 % 200).astype("u1"), chunks=(32,), scaleoffset=0)
    dset(f, "scaleoffset_i8", data=(np.arange(90, dtype="<i8") * 5 + (1 << 40)), chunks=(16,),
         scaleoffset=0)
    dset(f, "scaleoffset_i4be", data=(np.arange(-500, 500, 7)).astype(">i4"), chunks=(32,), scaleoffset=0)
    d = dset(f, "scaleoffset_u2_fill", shape=(100,), chunks=(16,), dtype="<u2", scaleoffset=0, fillvalue=1000)
    d[0:40] = np.arange(40) * 13
    d[90:95] = [1000, 0, 1, 65535, 7]        # the fill value itself among the data
    dset(f, "scaleoffset_2d_edges", data=grid((23, 17), "<i2", 3, -300), chunks=(5, 5), scaleoffset=0)
    dset(f, "scaleoffset_constant", data=np.full(50, 42, dtype="<i4"), chunks=(16,), scaleoffset=0)
    dset(f, "scaleoffset_minbits12", data=(np.arange(200, dtype="<i4") * 19 % 4096) - 2000, chunks=(64,),
         scaleoffset=12)
    # scale-offset, floats (D-scale: decimal digits kept; lossy, the stored result is the value)
    dset(f, "scaleoffset_f4", data=(np.sin(np.arange(120)) * 100).astype("<f4"), chunks=(50,), scaleoffset=2)
    d = dset(f, "scaleoffset_f8be_fill", shape=(64,), chunks=(16,), dtype=">f8", scaleoffset=4,
             fillvalue=-99.5)
    d[0:20] = np.cos(np.arange(20)) * 1e3
    d[50:53] = [-1.25, 0.0, 3.0625]
    dset(f, "scaleoffset_f8_negative", data=-np.arange(75, dtype="<f8") / 8 - 1000, chunks=(25,),
         scaleoffset=3)

    # n-bit (no h5py API: H5Pset_filter); integer types with precision/offset, floats,
    # compound and array types (the filter recurses into members)
    def ll_nbit(name, ftype, mtype, data, chunks, shape=None):
        ll_dset(f, name, ftype, shape or data.shape, data, mtype=mtype, dcpl=nbit_dcpl(chunks))
    ll_nbit("nbit_f4", h5t.IEEE_F32LE, h5t.IEEE_F32LE, grid((40,), "<f4", 0.75, -10), (16,))
    f20 = h5t.IEEE_F32LE.copy()
    f20.set_fields(19, 11, 8, 0, 11)
    f20.set_precision(20)
    ll_nbit("nbit_float_p20", f20, h5t.IEEE_F32LE, grid((30,), "<f4", 0.5, -7), (8,))
    ll_nbit("nbit_i8_p40_o3", _int_type(h5t.STD_I64LE, 40, 3), h5t.STD_I64LE,
            grid((50,), "<i8", 123456789, -(1 << 38)), (16,))
    ll_nbit("nbit_i4be_p17_o5", _int_type(h5t.STD_I32BE, 17, 5), h5t.STD_I32LE,
            grid((45,), "<i4", 1111, -(1 << 16)), (16,))
    ct = h5t.create(h5t.COMPOUND, 11)
    ct.insert(b"a", 0, _int_type(h5t.STD_I16LE, 12, 0))
    ct.insert(b"b", 2, _int_type(h5t.STD_U32BE, 20, 4))
    ct.insert(b"c", 6, h5t.IEEE_F32LE)
    ct.insert(b"d", 10, h5t.STD_U8LE)
    mt = h5t.create(h5t.COMPOUND, 11)
    mt.insert(b"a", 0, h5t.STD_I16LE)
    mt.insert(b"b", 2, h5t.STD_U32LE)
    mt.insert(b"c", 6, h5t.IEEE_F32LE)
    mt.insert(b"d", 10, h5t.STD_U8LE)
    cdt = np.dtype({"names": ["a", "b", "c", "d"], "formats": ["<i2", "<u4", "<f4", "u1"],
                    "offsets": [0, 2, 6, 10], "itemsize": 11})
    cdata = np.zeros(25, dtype=cdt)
    cdata["a"] = np.arange(25) * 150 - 2000
    cdata["b"] = np.arange(25) * 40000
    cdata["c"] = np.arange(25) / 3
    cdata["d"] = np.arange(25) * 10
    ll_nbit("nbit_compound", ct, mt, cdata, (8,))
    ll_nbit("nbit_array", h5t.array_create(_int_type(h5t.STD_I16LE, 10, 0), (3,)),
            h5t.array_create(h5t.STD_I16LE, (3,)), (grid((20, 3), "<i2", 7) % 1000) - 500, (6,), shape=(20,))
    ll_nbit("nbit_2d_edges", _int_type(h5t.STD_I16LE, 12, 0), h5t.STD_I16LE,
            grid((13, 9), "<i2", 31, -1800), (4, 4))
    d = ll_dset(f, "nbit_partial_fill", _int_type(h5t.STD_U16LE, 11, 0), (40,),
                dcpl=nbit_dcpl((8,), fill=np.array(2000, "<u2")))
    d[0:13] = np.arange(13) * 150

    # fletcher32 on odd chunk sizes, edge chunks, after gzip, big-endian data
    dset(f, "fletcher32_u1_2d_edges", data=grid((13, 9), "u1", 2), chunks=(3, 3), fletcher32=True)
    dset(f, "fletcher32_i2_2d_edges", data=grid((13, 9), "<i2", -5), chunks=(4, 4), fletcher32=True)
    dset(f, "fletcher32_gzip", data=ints, chunks=(7, 9), compression="gzip", fletcher32=True)
    dset(f, "fletcher32_f8be", data=grid((33,), ">f8", 1.25, -3), chunks=(5,), fletcher32=True)
    # shuffle on several element sizes
    dset(f, "shuffle_i8", data=grid((50,), "<i8", 1 << 33, -(1 << 40)), chunks=(16,), shuffle=True)
    dset(f, "shuffle_f2", data=grid((50,), "<f2", 0.25, -6), chunks=(16,), shuffle=True)
    dset(f, "shuffle_f8be", data=grid((50,), ">f8", 0.1, -2), chunks=(16,), shuffle=True)
    dset(f, "shuffle_c16", data=(grid((30,), "<f8") * (1 - 2j)).astype("<c16"), chunks=(8,), shuffle=True)
    dset(f, "shuffle_u4_2d_edges", data=grid((13, 9), "<u4", 65537), chunks=(4, 4), shuffle=True)
    dset(f, "shuffle_gzip_fletcher32_i2be", data=grid((13, 9), ">i2", 77, -4000), chunks=(4, 4),
         shuffle=True, compression="gzip", fletcher32=True)
    # lzf: compressible and incompressible chunks mixed (raw chunks have filter mask bit 0);
    # with shuffle first the lzf mask bit is bit 1; with fletcher32 after it the checksum
    # is still there on a raw chunk
    noise = rng(11).integers(0, 256, 8192, dtype=np.uint8)
    mixed = noise.copy()
    for i in range(0, 8, 2):
        mixed[i * 1024:(i + 1) * 1024] = np.arange(1024) % 7
    dset(f, "lzf_mixed", data=mixed, chunks=(1024,), compression="lzf")
    dset(f, "lzf_shuffle_random", data=noise.view("<i4"), chunks=(256,), compression="lzf", shuffle=True)
    dset(f, "lzf_fletcher32_mixed", data=mixed, chunks=(1000,), compression="lzf", fletcher32=True)
    dset(f, "lzf_2d_edges", data=grid((23, 17), "<f8", 0.5), chunks=(5, 5), compression="lzf")
    d = dset(f, "lzf_partial_fill", shape=(100,), chunks=(16,), dtype="<i4", compression="lzf", fillvalue=-8)
    d[20:40] = np.arange(20)

    # strings in filtered chunks
    d = dset(f, "gzip_fixed_str", shape=(23,), chunks=(5,), dtype="S10", compression="gzip", shuffle=True,
             fillvalue=b"fill")
    d[0:17] = np.array([b"s%d" % (i * 37) * (i % 4) for i in range(17)], dtype="S10")
    t = h5t.C_S1.copy()
    t.set_size(12)
    t.set_strpad(h5t.STR_NULLTERM)
    t.set_cset(h5t.CSET_UTF8)
    words = ["\u00e9t\u00e9", "na\u00efve", "", "\u65e5\u672c", "0123456789a", "\U0001f600x"]
    ll_dset(f, "gzip_fixed_utf8", t, (18,), raw([words[i % 6].encode() for i in range(18)], 12),
            dcpl=chunked_dcpl((4,), gzip=5))
    # (fletcher32 refuses variable-length types: "not suitable for filters")
    d = dset(f, "gzip_vlen_utf8_partial", shape=(40,), chunks=(6,), dtype=h5py.string_dtype(),
             compression="gzip", shuffle=True)
    d[0:20] = np.array(["v%d \u00e9" % i * (i % 3) for i in range(20)], dtype=h5py.string_dtype())
    d[30:31] = np.array(["lonely"], dtype=h5py.string_dtype())
    dset(f, "lzf_vlen_ascii", data=np.array([b"abc" * i for i in range(15)], dtype=h5py.string_dtype("ascii")),
         chunks=(4,), compression="lzf")


# ---------------------------------------------------------------------------
# typevals_<libver>: every datatype, both byte orders, as chunked + filtered datasets
# ---------------------------------------------------------------------------

def gen_typevals(f, lv):
    f.attrs["fixture"] = "every datatype in chunked, compressed datasets (values)"
    n = 37                                      # chunks of 8: the last one is partial

    def put(name, data, dtype=None, **kw):
        kw.setdefault("compression", "gzip")
        kw.setdefault("shuffle", True)
        dset(f, name, data=data, dtype=dtype, chunks=(8,) + tuple(np.shape(data)[1:]), **kw)

    def put_ll(name, ftype, data, mtype=None, fill=None):
        ll_dset(f, name, ftype, (len(data),), data, mtype=mtype,
                dcpl=chunked_dcpl((8,), fill=fill, gzip=4, shuffle=True))

    # integers of every width, both byte orders, spanning the whole range
    for kind in "iu":
        for size in (1, 2, 4, 8):
            for order in ("<", ">") if size > 1 else ("|",):
                dt = np.dtype("%s%s%d" % (order, kind, size))
                info = np.iinfo(dt)
                vals = [info.min + (int(info.max) - int(info.min)) * k // (n - 1) for k in range(n)]
                name = "%s%d%s" % (kind, size, {"<": "le", ">": "be", "|": ""}[order])
                put(name, np.array(vals, dtype=dt))
    # floats, both byte orders, special values
    for size in (2, 4, 8):
        for order in "<>":
            dt = np.dtype("%sf%d" % (order, size))
            fi = np.finfo(dt)
            vals = [0.0, -0.0, np.nan, np.inf, -np.inf, fi.max, fi.min, fi.tiny, fi.smallest_subnormal]
            vals += list(np.linspace(-1000, 1000, n - len(vals)))
            put("f%d%s" % (size, "le" if order == "<" else "be"), np.array(vals, dtype=dt))
    # partially written (fill values in the never-written last chunks), both byte orders
    d = dset(f, "f8be_partial_fill", shape=(n,), chunks=(8,), dtype=">f8", fillvalue=-0.5,
             compression="gzip", shuffle=True)
    d[0:20] = np.arange(20) / 8
    d = dset(f, "i4be_partial_fill", shape=(n,), chunks=(8,), dtype=">i4", fillvalue=-123456,
             compression="gzip", shuffle=True)
    d[3:11] = np.arange(8) * 1000

    # compound with big-endian members, nested compound, array member, string member
    cmp = np.dtype([("id", ">u4"), ("pos", [("x", ">f4"), ("y", "<f8")]), ("v", ">i2", (3,)),
                    ("name", "S5"), ("flag", "u1")])
    cdata = np.zeros(n, dtype=cmp)
    cdata["id"] = np.arange(n) * 100003
    cdata["pos"]["x"] = np.arange(n) / 4
    cdata["pos"]["y"] = -np.arange(n) * 1e10
    cdata["v"] = (np.arange(3 * n) - 50).reshape(n, 3)
    cdata["name"] = [b"n%d" % i for i in range(n)]
    cdata["flag"] = np.arange(n) % 2
    put("compound_be", cdata)
    d = dset(f, "compound_be_2d_partial", shape=(11, 7), chunks=(5, 4), dtype=cmp, compression="gzip",
             fillvalue=np.array((7, (1.5, -1.5), (1, 2, 3), b"fill", 1), dtype=cmp))
    d[0:6, :] = np.concatenate([cdata, cdata[:5]]).reshape(6, 7)

    # enums with big-endian bases
    put("enum_i2be", np.array([i % 3 - 1 for i in range(n)], dtype=h5py.enum_dtype(
        {"MINUS": -1, "ZERO": 0, "PLUS": 1}, basetype=">i2")))
    put("enum_u8be", np.array([(1 << 60) if i % 2 else 3 for i in range(n)], dtype=h5py.enum_dtype(
        {"SMALL": 3, "HUGE": 1 << 60}, basetype=">u8")))
    # arrays of big-endian elements
    put_ll("array_3_f8be", h5t.array_create(h5t.IEEE_F64BE, (3,)), grid((n, 3), "<f8", 0.125, -5),
           mtype=h5t.array_create(h5t.IEEE_F64LE, (3,)))
    put_ll("array_2x2_i2be", h5t.array_create(h5t.STD_I16BE, (2, 2)), grid((n, 2, 2), "<i2", 17, -1200),
           mtype=h5t.array_create(h5t.STD_I16LE, (2, 2)))
    # vlen sequences of big-endian (and little-endian) numbers
    put("vlen_i4be", _objarr([np.arange(i % 5, dtype=">i4") * (i - 18) for i in range(n)],
                             h5py.vlen_dtype(np.dtype(">i4"))))
    put("vlen_f8be", _objarr([np.arange(i % 4, dtype=">f8") / (i + 1) for i in range(n)],
                             h5py.vlen_dtype(np.dtype(">f8"))))
    put("vlen_u2le", _objarr([np.arange(i % 6, dtype="<u2") * 1000 for i in range(n)],
                             h5py.vlen_dtype(np.dtype("<u2"))))
    # complex: h5py's {r, i} compounds (both orders) and class 11 (both orders)
    cvals = grid((n,), "<f8", 0.5, -9) + 1j * grid((n,), "<f8", -0.25, 4)
    put("complex_c8_compound", cvals.astype("<c8"))
    put("complex_c16be_compound", cvals.astype(">c16"))
    put_ll("complex11_f8le", h5t.COMPLEX_IEEE_F64LE, cvals.astype("<c16"))
    put_ll("complex11_f8be", h5t.COMPLEX_IEEE_F64BE, cvals.astype("<c16"), mtype=h5t.COMPLEX_IEEE_F64LE)
    put_ll("complex11_f4be", h5t.COMPLEX_IEEE_F32BE, cvals.astype("<c8"), mtype=h5t.COMPLEX_IEEE_F32LE)
    # fixed strings: every padding and character set, raw bytes as stored
    for pad_name, pad in (("nullterm", h5t.STR_NULLTERM), ("nullpad", h5t.STR_NULLPAD),
                          ("spacepad", h5t.STR_SPACEPAD)):
        for cset_name, cset in (("ascii", h5t.CSET_ASCII), ("utf8", h5t.CSET_UTF8)):
            t = h5t.C_S1.copy()
            t.set_size(7)
            t.set_strpad(pad)
            t.set_cset(cset)
            fillc = b" " if pad == h5t.STR_SPACEPAD else b"\0"
            word = "\u00e9" if cset == h5t.CSET_UTF8 else "e"
            vals = [("%s%d" % (word, i * 7))[:7 if cset == h5t.CSET_ASCII else 5].encode()
                    for i in range(n)]
            put_ll("S7_%s_%s" % (pad_name, cset_name), t, raw([v.ljust(7, fillc) for v in vals], 7))
    # vlen strings, partially written (never-written chunks read as empty strings)
    put("vlen_str_ascii", np.array([b"x" * (i % 9) for i in range(n)], dtype=h5py.string_dtype("ascii")))
    put("vlen_str_utf8", np.array(["\u00fc" * (i % 5) + str(i) for i in range(n)], dtype=h5py.string_dtype()))
    d = dset(f, "vlen_str_partial", shape=(n,), chunks=(8,), dtype=h5py.string_dtype(), compression="gzip")
    d[8:12] = np.array(["a", "\u00df", "", "zz"], dtype=h5py.string_dtype())
    # bitfields, opaque, bool
    put_ll("bitfield_b16be", h5t.STD_B16BE, grid((n,), "<u2", 1771), mtype=h5t.STD_B16LE)
    put_ll("bitfield_b64le", h5t.STD_B64LE, grid((n,), "<u8", 1 << 58), mtype=h5t.STD_B64LE)
    ot = h5t.create(h5t.OPAQUE, 5)
    ot.set_tag(b"five bytes")
    put_ll("opaque5", ot, raw([bytes((i + k) % 256 for k in range(5)) for i in range(n)], 5))
    put("bool", np.arange(n) % 3 == 0)
    # object references in compressed chunks
    refs = [f.ref, f["i1"].ref, f["compound_be"].ref, h5py.Reference()]
    put("ref_object", np.array([refs[i % 4] for i in range(n)], dtype=h5py.ref_dtype), shuffle=False)


# ---------------------------------------------------------------------------
# layouts_<libver>: contiguous (allocated or not) and compact datasets
# ---------------------------------------------------------------------------

def compact_dcpl(fill=None):
    dcpl = new_dcpl()
    dcpl.set_layout(h5d.COMPACT)
    if fill is not None:
        set_fill(dcpl, fill)
    return dcpl


def gen_layouts(f, lv):
    f.attrs["fixture"] = "contiguous and compact layouts (values)"
    cmp = np.dtype([("a", ">i4"), ("b", "<f8"), ("c", ">u2", (2,)), ("s", "S3")])
    cfill = np.array((-1, 0.5, (7, 8), b"zz"), dtype=cmp)
    enum_be = h5py.enum_dtype({"LOW": -300, "MID": 0, "HIGH": 300}, basetype=">i2")

    # contiguous, written
    dset(f, "contig_f8be", data=grid((50,), ">f8", 1.5, -20))
    dset(f, "contig_2d_i2be", data=grid((13, 7), ">i2", -99, 4000))
    dset(f, "contig_4d_u1", data=grid((2, 3, 4, 5), "u1", 2))
    # late allocation, partly written: the first write allocates the whole storage and
    # writes the fill value into the rest
    d = dset(f, "contig_partial", shape=(20,), dtype="<i4", fillvalue=-8)
    d[5:9] = [50, 60, 70, 80]
    # late allocation, never written: no storage at all (undefined address) -> fill value
    dset(f, "contig_unallocated_f8be", shape=(6,), dtype=">f8", fillvalue=1.5)
    dset(f, "contig_unallocated_compound", shape=(3,), dtype=cmp, fillvalue=cfill)
    dset(f, "contig_unallocated_str", shape=(4,), dtype="S6", fillvalue=b"xy")
    dset(f, "contig_unallocated_enum", shape=(5,), dtype=enum_be, fillvalue=np.array(300, dtype=enum_be))
    dset(f, "contig_unallocated_default_2d", shape=(3, 4), dtype="<u8")
    # early allocation, never written: storage holds the fill value
    dcpl = new_dcpl()
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    ll_dset(f, "contig_early_default_u8be", h5t.STD_U64BE, (9,), dcpl=dcpl)
    dcpl = new_dcpl()
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    set_fill(dcpl, cfill)
    ll_dset(f, "contig_early_user_compound", h5t.py_create(cmp), (4,), dcpl=dcpl)
    # early allocation with fill time "never": storage allocated, nothing written: the
    # file holds zeros there (a reader must read the storage, not the fill value 99)
    dcpl = new_dcpl()
    dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
    dcpl.set_fill_time(h5d.FILL_TIME_NEVER)
    set_fill(dcpl, np.array(99, "u1"))
    ll_dset(f, "contig_early_fill_never", h5t.STD_U8LE, (64,), dcpl=dcpl)

    # compact (raw data in the object header)
    ll_dset(f, "compact_compound_be", h5t.py_create(cmp), (3,),
            np.array([(1, 1.5, (2, 3), b"abc"), (-4, -0.25, (65535, 0), b""), (1 << 30, 1e300, (1, 1), b"q")],
                     dtype=cmp), dcpl=compact_dcpl())
    dset(f, "compact_vlen_str", data=np.array(["compact", "", "\u00e9\u00e8", "x" * 100],
                                              dtype=h5py.string_dtype()), dcpl=compact_dcpl())
    ll_dset(f, "compact_fixed_str", h5t.py_create(np.dtype("S4")), (3,),
            np.array([b"ab", b"abcd", b""], dtype="S4"), dcpl=compact_dcpl())
    ll_dset(f, "compact_unwritten_fill", h5t.STD_I32BE, (2, 3), dcpl=compact_dcpl(np.array(17, ">i4")))
    ll_dset(f, "compact_3d_f4be", h5t.IEEE_F32BE, (2, 3, 4), grid((2, 3, 4), ">f4", 0.5, -3),
            dcpl=compact_dcpl())
    vi = h5py.vlen_dtype(np.dtype(">i4"))
    dset(f, "compact_vlen_i4be", data=_objarr([np.array([1, -2], ">i4"), np.array([], ">i4"),
                                               np.array([70000], ">i4")], vi), dcpl=compact_dcpl())
    dset(f, "compact_enum_be", data=np.array([-300, 0, 300, 0], dtype=enum_be), dcpl=compact_dcpl())


# ---------------------------------------------------------------------------
# external_<libver>: raw data in external files
# ---------------------------------------------------------------------------
#
# The external files are written next to the fixture (relative names; one in the
# subdirectory extdir/).  libhdf5 2.0 opens them relative to the *current working
# directory* (empty default external-file prefix), so generation runs with CWD = the
# output directory and oracle.py reads each fixture from inside its directory.

class _Cwd:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.old = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc):
        os.chdir(self.old)


def gen_external(f, lv):
    f.attrs["fixture"] = "external raw data files"
    here = os.path.dirname(os.path.abspath(f.filename))
    p = "external_%s" % lv
    with _Cwd(here):
        d = dset(f, "one_segment", shape=(100,), dtype="<i4", external=[(p + "_one.bin", 0, 400)])
        d[:] = grid((100,), "<i4", 3, -150)
        # three segments in two files, with offsets: a.bin[16:176], b.bin[0:200], a.bin[200:320]
        d = dset(f, "three_segments", shape=(6, 10), dtype=">f8",
                 external=[(p + "_a.bin", 16, 160), (p + "_b.bin", 0, 200), (p + "_a.bin", 200, 120)])
        d[:] = grid((6, 10), ">f8", 0.5, -7)
        # a relative name with a directory component
        os.makedirs("extdir", exist_ok=True)
        d = dset(f, "subdir_segment", shape=(50,), dtype="<u2", external=[("extdir/" + p + "_c.bin", 0, 100)])
        d[:] = grid((50,), "<u2", 1311)
        # the last segment unlimited in size
        d = dset(f, "unlimited_segment", shape=(20,), dtype="<i2",
                 external=[(p + "_u1.bin", 4, 10), (p + "_u2.bin", 0, h5f.UNLIMITED)])
        d[:] = grid((20,), "<i2", -1000, 7)
        # a segment larger than the data
        d = dset(f, "oversized_segment", shape=(4,), dtype="<f4", external=[(p + "_big.bin", 8, 1000)])
        d[:] = [0.5, -1.5, 2.5, -3.5]
        d = dset(f, "compound", shape=(10,), dtype=np.dtype([("a", ">i4"), ("b", "<f4"), ("s", "S3")]),
                 external=[(p + "_cmp.bin", 0, 110)])
        d[:] = [(i * 1000, i / 4, b"c%d" % i) for i in range(10)]
        # a file shorter than its segment: libhdf5 reads zeros past its end (not the fill value)
        with open(p + "_short.bin", "wb") as fh:
            fh.write(np.array([11, 22, 33], dtype="<i4").tobytes())
        dset(f, "short_file", shape=(10,), dtype="<i4", fillvalue=5, external=[(p + "_short.bin", 0, 40)])
        # never written and the file does not exist: reading fails
        dset(f, "missing_file", shape=(8,), dtype="<i4", external=[("external_missing.bin", 0, 32)])
    # bytes outside the segments: make the gaps of a.bin visible (a reader that ignores
    # the offsets reads these)
    with open(os.path.join(here, p + "_a.bin"), "r+b") as fh:
        fh.seek(0)
        fh.write(b"EXTERNAL HEADER\n")
        fh.seek(176)
        fh.write(b"gap between segments...\n")
        fh.seek(0, 2)
        fh.write(b"trailer past the last segment\n")


# ---------------------------------------------------------------------------
# vds_<libver>: virtual datasets; vdssrc_a.h5 and vdssrc/b.h5 hold sources
# ---------------------------------------------------------------------------

def gen_vdssrc_a(f, lv):
    f.attrs["fixture"] = "source file of the vds_* virtual datasets"
    dset(f, "a", data=np.arange(20, dtype="<i4"))
    dset(f, "grid", data=grid((6, 8), "<f4", 0.5, -4))
    dset(f, "cube", data=grid((4, 4, 4), "<u2", 3))
    dset(f, "names", data=np.array([b"ab", b"cdef", b"", b"g"], dtype="S4"))
    dset(f, "vstr", data=np.array(["one", "", "thr\u00e9\u00e9"], dtype=h5py.string_dtype()))


def gen_vdssrc_b(f, lv):
    f.attrs["fixture"] = "source file (in a subdirectory) of the vds_* virtual datasets"
    dset(f, "b", data=(100 + np.arange(20)).astype(">i4"))
    dset(f, "tile", data=grid((5, 5), ">i2", -7, 30), chunks=(2, 2), compression="gzip")


def _space(shape, sel):
    """A simple dataspace of `shape` with a selection: "all", or a list of hyperslab
    (start, count, stride, block) tuples OR-ed together (stride/block may be None)."""
    sp = h5s.create_simple(tuple(shape))
    if sel == "all":
        sp.select_all()
        return sp
    for i, (start, count, stride, block) in enumerate(sel):
        sp.select_hyperslab(tuple(start), tuple(count), None if stride is None else tuple(stride),
                            None if block is None else tuple(block),
                            op=h5s.SELECT_SET if i == 0 else h5s.SELECT_OR)
    return sp


def vds(parent, name, ftype, shape, mappings, fill=None):
    """Virtual dataset: mappings = [(vds selection, file, dataset, source shape, source selection)]."""
    dcpl = new_dcpl()
    for vsel, fname, dname, sshape, ssel in mappings:
        dcpl.set_virtual(_space(shape, vsel), fname.encode(), dname.encode(), _space(sshape, ssel))
    if fill is not None:
        set_fill(dcpl, fill)
    h5d.create(parent.id, name.encode(), ftype, h5s.create_simple(tuple(shape)), dcpl=dcpl,
               lcpl=name_lcpl(name))


def row(r, n):
    return [((r, 0), (1, n), None, None)]


def gen_vds(f, lv):
    f.attrs["fixture"] = "virtual datasets"
    A, B, MISSING = "vdssrc_a.h5", "vdssrc/b.h5", "vds_missing_source.h5"
    i4 = h5t.STD_I32LE
    src = group(f, "src")
    dset(src, "data", data=grid((4, 5), "<i4", 1, 500))
    # same file (source file name "."): all -> all
    vds(f, "same_file_all", i4, (4, 5), [("all", ".", "/src/data", (4, 5), "all")])
    # two files, one in a subdirectory: rows <- whole sources
    vds(f, "concat_files", i4, (2, 20), [(row(0, 20), A, "/a", (20,), "all"),
                                         (row(1, 20), B, "/b", (20,), "all")], fill=np.array(-1, "<i4"))
    # strided VDS selections: even elements <- a, odd <- b
    vds(f, "interleaved", i4, (40,), [([((0,), (20,), (2,), None)], A, "/a", (20,), "all"),
                                       ([((1,), (20,), (2,), None)], B, "/b", (20,), "all")])
    # strided and blocked on both sides (16 elements), the rest unmapped -> fill value
    vds(f, "blocked", h5t.IEEE_F32LE, (4, 16),
        [([((0, 0), (2, 2), (2, 8), (1, 4))], A, "/grid", (6, 8), [((0, 1), (2, 2), (3, 4), (2, 2))])],
        fill=np.array(-0.5, "<f4"))
    # point-like: single-element mappings (libhdf5 rejects point selections in VDS mappings)
    vds(f, "single_elements", i4, (10,),
        [([((9,), (1,), None, None)], A, "/a", (20,), [((3,), (1,), None, None)]),
         ([((0,), (1,), None, None)], B, "/b", (20,), [((19,), (1,), None, None)]),
         ([((5,), (1,), None, None)], ".", "/src/data", (4, 5), [((2, 2), (1, 1), None, None)]),
         ([((2,), (1,), None, None)], A, "/a", (20,), [((0,), (1,), None, None)])],
        fill=np.array(-7, "<i4"))
    # irregular hyperslab selections (unions of blocks) on both sides, default fill value
    vds(f, "irregular", i4, (6, 6),
        [([((0, 0), (1, 1), None, None), ((1, 2), (1, 1), None, (2, 2)), ((5, 5), (1, 1), None, None)],
          A, "/a", (20,), [((2,), (1,), None, None), ((5,), (1,), None, (4,)), ((19,), (1,), None, None)])])
    # a source file that does not exist: h5py/libhdf5 read the fill value there
    vds(f, "missing_file", i4, (12,), [([((0,), (5,), None, None)], A, "/a", (20,), [((0,), (5,), None, None)]),
                                       ([((5,), (7,), None, None)], MISSING, "/x", (7,), "all")],
        fill=np.array(42, "<i4"))
    # a source dataset that does not exist in an existing file: fill value as well
    vds(f, "missing_dataset", i4, (6,), [("all", A, "/no_such_dataset", (6,), "all")],
        fill=np.array(43, "<i4"))
    # default fill value (0) around one mapped row
    vds(f, "default_fill", i4, (3, 10), [(row(1, 10), A, "/a", (20,), [((10,), (10,), None, None)])])
    # type conversion: big-endian i2 chunked+gzip source, f8 VDS
    vds(f, "converted", h5t.IEEE_F64LE, (5, 5), [("all", B, "/tile", (5, 5), "all")])
    # strided selection of a chunked, compressed source
    vds(f, "chunked_source_strided", h5t.STD_I16BE, (3, 3),
        [("all", B, "/tile", (5, 5), [((0, 0), (3, 3), (2, 2), None)])])
    # a VDS whose source is another VDS (row 1 of concat_files, 2-D selection -> 1-D)
    vds(f, "nested", i4, (20,), [("all", ".", "/concat_files", (2, 20), row(1, 20))], fill=np.array(-2, "<i4"))
    # 3-D: two halves from the same source
    vds(f, "mosaic_3d", h5t.STD_U16LE, (4, 4, 8),
        [([((0, 0, 0), (1, 1, 1), None, (4, 4, 4))], A, "/cube", (4, 4, 4), "all"),
         ([((0, 0, 4), (1, 1, 1), None, (4, 4, 4))], A, "/cube", (4, 4, 4),
          [((0, 0, 0), (4, 4, 4), (1, 1, 1), (1, 1, 1))])])
    # strings
    vds(f, "fixed_strings", h5t.py_create(np.dtype("S4")), (6,),
        [([((1,), (4,), None, None)], A, "/names", (4,), "all")], fill=np.array(b"none", "S4"))
    vds(f, "vlen_strings", h5t.py_create(h5py.string_dtype(), logical=True), (3,),
        [("all", A, "/vstr", (3,), "all")])


# ---------------------------------------------------------------------------
# select_<libver>: distinct values (arange) for selection tests
# ---------------------------------------------------------------------------

SELECT_SPECS = [
    # name, shape, dtype, create_dataset options
    ("d1_contig", (1000,), "<i4", {}),
    ("d1_compact", (60,), "<i2", {"compact": True}),
    ("d1_chunk7", (1000,), "<i4", {"chunks": (7,)}),
    ("d1_chunk1", (300,), "<u2", {"chunks": (1,)}),
    ("d1_chunk_bigger", (10,), "<f8", {"chunks": (64,), "maxshape": (None,)}),
    ("d1_gzip", (1000,), ">i4", {"chunks": (64,), "compression": "gzip", "shuffle": True}),
    ("d1_partial_fill", (100,), "<i4", {"chunks": (8,), "partial": True}),
    ("d2_contig", (37, 23), "<f8", {}),
    ("d2_chunk_5x4", (37, 23), "<i4", {"chunks": (5, 4)}),
    ("d2_chunk_1x1", (20, 15), "<i2", {"chunks": (1, 1)}),
    ("d2_chunk_bigger", (7, 9), "<i8", {"chunks": (16, 16), "maxshape": (None, None)}),
    ("d2_chunk_rows", (30, 17), "<u4", {"chunks": (1, 17)}),
    ("d2_chunk_cols", (30, 17), ">u2", {"chunks": (30, 1)}),
    ("d2_gzip", (37, 23), ">f4", {"chunks": (8, 8), "compression": "gzip"}),
    ("d2_unlimited", (25, 19), "<i4", {"chunks": (6, 5), "maxshape": (None, None)}),
    ("d3_contig", (9, 10, 11), "<i4", {}),
    ("d3_chunk", (9, 10, 11), "<i4", {"chunks": (4, 3, 5)}),
    ("d3_chunk_1", (6, 5, 4), "<u2", {"chunks": (1, 1, 1)}),
    ("d3_chunk_bigger", (5, 6, 7), "<f4", {"chunks": (8, 6, 8), "maxshape": (None, 6, None)}),
    ("d3_gzip", (9, 10, 11), ">i8", {"chunks": (4, 4, 4), "compression": "gzip", "shuffle": True,
                                      "fletcher32": True}),
    ("d4_contig", (4, 5, 6, 7), "<i4", {}),
    ("d4_chunk", (4, 5, 6, 7), "<i4", {"chunks": (2, 3, 4, 5)}),
    ("d4_chunk_odd", (3, 4, 5, 6), "<u2", {"chunks": (1, 2, 1, 3)}),
    ("d4_gzip", (4, 5, 6, 7), ">f8", {"chunks": (3, 2, 5, 4), "compression": "gzip"}),
]


def gen_select(f, lv):
    f.attrs["fixture"] = "selection tests: arange values in many shapes and chunkings"
    for name, shape, dt, opts in SELECT_SPECS:
        opts = dict(opts)
        values = grid(shape, dt)
        if opts.pop("compact", False):
            ll_dset(f, name, h5t.py_create(np.dtype(dt)), shape, values, dcpl=compact_dcpl())
        elif opts.pop("partial", False):
            d = dset(f, name, shape=shape, dtype=dt, fillvalue=-1, **opts)
            write_blocks(d, values, [np.s_[0:20], np.s_[37:50], np.s_[99:100]])
        else:
            dset(f, name, data=values, **opts)
    dset(f, "d0_scalar", data=np.int32(12345))


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

FAMILIES = [("groups", gen_groups), ("datasets", gen_datasets), ("chunkidx", gen_chunkidx),
            ("filters", gen_filters), ("dtypes", gen_dtypes), ("newtypes", gen_newtypes),
            ("attrs", gen_attrs)]


# families for reading dataset values (edges ... select), see testdata/README.md
# (v108 writes raw data exactly like earliest -- layout v3, v1 B-tree chunk index --
# and the v1 B-tree nodes make those files big, so the chunk-heavy families skip it;
# edges_v114 would be byte-identical to edges_v110)
VALUE_FAMILIES = [("edges", gen_edges, ["earliest", "v110", "latest"]),
                  ("filtervals", gen_filtervals, ["earliest", "v110", "v114", "latest"]),
                  ("typevals", gen_typevals, ["earliest", "v110", "v114", "latest"]),
                  ("layouts", gen_layouts, LIBVERS),
                  ("vds", gen_vds, LIBVERS)]


def generate(outdir):
    outdir = os.path.abspath(outdir)
    os.makedirs(outdir, exist_ok=True)
    written = []

    def make(name, gen, libver, **kw):
        path = os.path.join(outdir, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with new_file(path, libver, **kw) as f:
            gen(f, libver)
        pin_extension_times(path)
        written.append(path)
        return path

    for lv in LIBVERS:
        for fam, gen in FAMILIES:
            make("%s_%s.h5" % (fam, lv), gen, lv)
    for lv in ("earliest", "latest"):
        for ub in (512, 4096):
            p = make("userblock%d_%s.h5" % (ub, lv), lambda f, _lv: gen_small_content(f), lv, userblock=ub)
            write_userblock_text(p, ub)
        make("offsets4_%s.h5" % lv, gen_offsets4, lv, sizes=(4, 4))
    make("sohm_list_v108.h5", gen_sohm, "v108", sohm=(8, None))
    make("sohm_btree_latest.h5", gen_sohm, "latest", sohm=(8, 0))
    make("pagefs_latest.h5", gen_pagefs, "latest", page=True)
    make("btree2_deep_latest.h5", gen_btree2_deep, "latest")
    make("bigattr_latest.h5", gen_bigattr, "latest")

    # dataset values
    for fam, gen, lvs in VALUE_FAMILIES:
        for lv in lvs:
            make("%s_%s.h5" % (fam, lv), gen, lv)
    for lv in ("earliest", "latest"):
        make("bigchunks_%s.h5" % lv, gen_bigchunks, lv)
    for lv in ("earliest", "latest"):
        make("external_%s.h5" % lv, gen_external, lv)
        make("select_%s.h5" % lv, gen_select, lv)
    make("vdssrc_a.h5", gen_vdssrc_a, "earliest")
    make(os.path.join("vdssrc", "b.h5"), gen_vdssrc_b, "latest")
    return written


def main(argv):
    """gen_fixtures.py [OUTDIR] [--sample PATH]

    Writes the fixtures into OUTDIR (default testdata/fixtures).  The README demo
    file is written to PATH, or to testdata/sample.h5 when OUTDIR is defaulted."""
    if h5py.version.version != PINNED_H5PY:
        sys.stderr.write("warning: h5py %s, fixtures are pinned to h5py %s\n"
                         % (h5py.version.version, PINNED_H5PY))
    here = os.path.dirname(os.path.abspath(__file__))
    args = list(argv[1:])
    sample = None
    if "--sample" in args:
        i = args.index("--sample")
        sample = args[i + 1]
        del args[i:i + 2]
    if args:
        outdir = args[0]
    else:
        outdir = os.path.join(here, "fixtures")
        sample = sample or os.path.join(here, "sample.h5")
    written = generate(outdir)
    if sample:
        with new_file(sample, "earliest") as f:
            gen_sample(f)
    print("wrote %d fixtures to %s" % (len(written), outdir))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
