#!/usr/bin/env python3
"""Small inputs for tests/corrupt_suite.rs that the conformance fixtures do not hold.

    python3 testdata/corrupt/gen.py [OUTDIR]     (default: this directory)

* ``sb1_earliest.h5``: a version 1 superblock (non-default indexed-storage K, which
  libhdf5 only records in superblock version 1), a group, a chunked dataset (v1 B-tree
  of chunks) and a vlen string attribute (global heap).
* ``eapages_latest.h5``: an extensible-array chunk index with secondary blocks and a
  *paged* data block (element 131060 and up live in super block 13, whose 2048-element
  data blocks are paged, 1024 elements a page), written sparsely so the file stays small;
  plus a paged fixed array (1500 one-byte chunks, two pages).
* ``limits_{earliest,latest}.h5``: inputs that ``tests/limits.rs`` patches into files
  declaring absurd sizes: a 2-D chunked ``u1`` dataset with chunks (65536, 2) (layout v4
  encodes chunk dimensions in 3 bytes, enough to declare (2^20, 2^20)), never written;
  contiguous ``u1`` and ``f8`` datasets of 16 elements; a vlen string dataset (global heap);
  an ``i4`` attribute of 4 elements; a group of 12 links (dense under latest: fractal heap
  and v2 B-tree).

Needs h5py 3.16 (libhdf5 2.0); generation is deterministic (no timestamps).
"""

import ctypes
import os
import sys

import numpy as np
import h5py
from h5py import h5f, h5p


def _libhdf5():
    # h5py does not wrap H5Pset_istore_k: call the libhdf5 h5py loaded
    with open("/proc/self/maps") as maps:
        for line in maps:
            path = line.split()[-1]
            base = os.path.basename(path)
            if base.startswith("libhdf5") and not base.startswith("libhdf5_hl") and ".so" in base:
                return ctypes.CDLL(path)
    raise RuntimeError("libhdf5 loaded by h5py not found")


def sb1(path):
    fcpl = h5p.create(h5p.FILE_CREATE)
    lib = _libhdf5()
    lib.H5Pset_istore_k.argtypes = [ctypes.c_int64, ctypes.c_uint]
    if lib.H5Pset_istore_k(fcpl.id, 64) < 0:
        raise RuntimeError("H5Pset_istore_k failed")
    fapl = h5p.create(h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5f.LIBVER_EARLIEST, h5f.LIBVER_V200)
    fid = h5f.create(path.encode(), h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as f:
        g = f.create_group("g")
        d = g.create_dataset("chunked", shape=(40,), chunks=(8,), dtype="<i4", track_times=False)
        d[...] = np.arange(40, dtype="<i4")
        f.attrs["s"] = "a vlen string"


def eapages(path):
    with h5py.File(path, "w", libver="latest", track_order=False) as f:
        d = f.create_dataset("ea", shape=(131100,), maxshape=(None,), chunks=(1,), dtype="u1",
                             fillvalue=7, track_times=False)
        d[0:6] = np.arange(6, dtype="u1")
        d[131060:131064] = np.arange(4, dtype="u1") + 100
        d = f.create_dataset("fa", shape=(1500,), chunks=(1,), dtype="u1", fillvalue=9,
                             track_times=False)
        d[0:3] = 1
        d[1200:1203] = 2


def limits(path, libver):
    with h5py.File(path, "w", libver=libver, track_order=False) as f:
        f.create_dataset("chunked2d", shape=(65536, 2), chunks=(65536, 2), dtype="u1",
                         track_times=False)
        d = f.create_dataset("contig_u1", shape=(16,), dtype="u1", track_times=False)
        d[...] = np.arange(16, dtype="u1")
        d = f.create_dataset("contig_f8", shape=(16,), dtype="<f8", track_times=False)
        d[...] = np.arange(16, dtype="<f8")
        d = f.create_dataset("vlen", shape=(3,), dtype=h5py.string_dtype(), track_times=False)
        d[...] = ["one", "two", "three"]
        f.attrs.create("a", np.arange(4, dtype="<i4"))
        g = f.create_group("many", track_order=False)
        for i in range(12):
            g.create_group(f"g{i:02}", track_order=False)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    sb1(os.path.join(out, "sb1_earliest.h5"))
    eapages(os.path.join(out, "eapages_latest.h5"))
    for lv in ["earliest", "latest"]:
        limits(os.path.join(out, f"limits_{lv}.h5"), lv)


if __name__ == "__main__":
    main()
