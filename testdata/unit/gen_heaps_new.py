#!/usr/bin/env python3
"""Generate the fixtures of tests/heaps_new.rs (version-2 B-trees and fractal heaps).

Run from anywhere: python3 testdata/unit/gen_heaps_new.py
Writes testdata/unit/heaps_new_*.h5 and heaps_new_expected.json (the h5py oracle).
All files use libver='latest' (superblock v3, object header v2, dense link/attribute storage).
"""
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


expected = {}

# 1. A group with 200 soft links, creation order tracked: fractal heap + v2 B-trees of
#    type 5 (name hash) and type 6 (creation order). Names are inserted in a shuffled order
#    so creation order differs from name order.
rng = np.random.default_rng(20240607)
names = ["lnk%03d" % i for i in range(200)]
order = [names[i] for i in rng.permutation(len(names))]
with h5py.File(path("heaps_new_links.h5"), "w", libver="latest") as f:
    g = f.create_group("g", track_order=True)
    for i, n in enumerate(order):
        g[n] = h5py.SoftLink("/target%d" % i)
with h5py.File(path("heaps_new_links.h5"), "r") as f:
    g = f["g"]
    expected["links"] = {
        "creation_order": list(g.keys()),
        "targets": {n: g.get(n, getlink=True).path for n in g.keys()},
    }

# 1b. 2000 links with 60-byte names, creation order tracked: both v2 B-trees grow to depth 2
#     (internal nodes whose child pointers carry "total records" counts) and the heap gets a
#     root indirect block. Name i (in creation order) is "m%05d_" % (i*7919 % 2000) + "x"*53.
with h5py.File(path("heaps_new_manylinks.h5"), "w", libver="latest") as f:
    g = f.create_group("g", track_order=True)
    for i in range(2000):
        g[("m%05d_" % ((i * 7919) % 2000)) + "x" * 53] = h5py.SoftLink("/x")
with h5py.File(path("heaps_new_manylinks.h5"), "r") as f:
    keys = list(f["g"].keys())
    assert keys == [("m%05d_" % ((i * 7919) % 2000)) + "x" * 53 for i in range(2000)]
expected["manylinks"] = {"count": 2000, "first": keys[0], "last": keys[-1]}

# 2. Many long link names: the managed heap outgrows its root direct block and its root
#    indirect block's direct rows, so the root indirect block gets child indirect blocks.
with h5py.File(path("heaps_new_biglinks.h5"), "w", libver="latest") as f:
    g = f.create_group("g")
    big = []
    for i in range(620):
        n = ("n%04d_" % i) + ("abcdefghijklmnopqrstuvwxyz"[i % 26] * 950)
        big.append(n)
        g[n] = h5py.SoftLink("/t")
expected["biglinks"] = {"count": len(big), "name_len": len(big[0])}

# 3. An object with 40 small attributes (dense: types 8 and 9 with track_order) plus one
#    attribute above 64 KiB (a huge fractal heap object).
with h5py.File(path("heaps_new_attrs.h5"), "w", libver="latest") as f:
    g = f.create_group("obj", track_order=True)
    attrs = []
    for i in range(40):
        a = "attr%02d" % ((i * 17) % 40)
        g.attrs[a] = np.int32(1000 + i)
        attrs.append([a, 1000 + i])
    huge = (np.arange(70000, dtype=np.uint32) * 2654435761 % 251).astype(np.uint8)
    g.attrs["huge"] = huge
expected["attrs"] = {"small": attrs, "huge_len": 70000, "huge_formula": "((i * 2654435761) mod 2^32) % 251"}

# 4. Chunked datasets with two unlimited dimensions: v2 B-tree chunk indexes of type 10
#    (no filter) and type 11 (gzip).
data = np.arange(100, dtype="<i4").reshape(10, 10)
with h5py.File(path("heaps_new_chunks.h5"), "w", libver="latest") as f:
    f.create_dataset("plain", data=data, chunks=(2, 3), maxshape=(None, None))
    f.create_dataset("gz", data=data, chunks=(2, 3), maxshape=(None, None), compression="gzip")
expected["chunks"] = {"shape": [10, 10], "chunk": [2, 3]}

with open(path("heaps_new_expected.json"), "w") as fh:
    json.dump(expected, fh, indent=1, sort_keys=True)
    fh.write("\n")

for n in sorted(os.listdir(HERE)):
    if n.startswith("heaps_new_") and n.endswith(".h5"):
        print(n, os.path.getsize(path(n)))
