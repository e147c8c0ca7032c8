#!/usr/bin/env python3
"""Generate the fixtures for tests/heaps_old.rs: version-1 B-trees (group and chunk), local heaps
and global heaps, written by h5py with libver='earliest' (superblock 0, object header 1).

Each `heaps_old_<name>.h5` gets a sidecar `heaps_old_<name>.json` with the oracle values taken
from h5py / libhdf5: B-tree and heap addresses (parsed here from the superblock and the version-1
object headers), link names and targets, chunk records from `get_chunk_info`, vlen strings.

Run from anywhere: python3 testdata/unit/gen_heaps_old.py
"""
import json
import os
import struct

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def uint(b, pos, n):
    return int.from_bytes(b[pos:pos + n], "little")


def superblock_sizes(b):
    assert b[:8] == b"\x89HDF\r\n\x1a\n" and b[8] == 0, "expected superblock v0 at 0"
    return b[13], b[14]  # size of offsets, size of lengths


def root_symbol_table(b):
    """Root group's B-tree and local heap from the v0 superblock's root symbol table entry."""
    o, _ = superblock_sizes(b)
    entry = 8 + 16 + 4 * o  # signature, fixed fields, 4 addresses
    scratch = entry + 2 * o + 8
    assert uint(b, entry + 2 * o, 4) == 1, "root entry caches a group"
    return uint(b, scratch, o), uint(b, scratch + o, o)


def v1_messages(b, addr):
    """(type, body offset, body size) of the messages in the first block of a v1 object header."""
    o, _ = superblock_sizes(b)
    assert b[addr] == 1, "object header v1"
    nmsgs = uint(b, addr + 2, 2)
    size = uint(b, addr + 8, 4)
    pos, end = addr + 16, addr + 16 + size
    out = []
    while pos + 8 <= end and len(out) < nmsgs:
        mtype, msize = uint(b, pos, 2), uint(b, pos + 2, 2)
        out.append((mtype, pos + 8, msize))
        pos += 8 + msize
    return out


def group_stab(b, addr):
    o, _ = superblock_sizes(b)
    for mtype, pos, _ in v1_messages(b, addr):
        if mtype == 0x11:
            return uint(b, pos, o), uint(b, pos + o, o)
    raise AssertionError("no symbol table message")


def chunk_layout(b, addr):
    """(B-tree address, layout dims incl. element size) of a chunked layout message v3."""
    o, _ = superblock_sizes(b)
    for mtype, pos, _ in v1_messages(b, addr):
        if mtype == 0x08:
            assert b[pos] == 3 and b[pos + 1] == 2, "layout v3, chunked"
            nd = b[pos + 2]
            btree = uint(b, pos + 3, o)
            dims = [uint(b, pos + 3 + o + 4 * i, 4) for i in range(nd)]
            return btree, dims
    raise AssertionError("no layout message")


def addr_of(obj):
    return h5py.h5o.get_info(obj.id).addr


def links_of(g):
    """Sorted (name, kind, target) of a group's links as h5py sees them."""
    out = []
    for name in sorted(g.keys(), key=lambda s: s.encode()):
        lk = g.get(name, getlink=True)
        if isinstance(lk, h5py.SoftLink):
            out.append({"name": name, "kind": "soft", "value": lk.path})
        else:
            out.append({"name": name, "kind": "hard", "addr": addr_of(g[name])})
    return out


def chunks_of(d):
    n = d.id.get_num_chunks()
    out = []
    for i in range(n):
        ci = d.id.get_chunk_info(i)
        out.append({
            "offset": [int(x) for x in ci.chunk_offset],
            "filter_mask": int(ci.filter_mask),
            "addr": int(ci.byte_offset),
            "size": int(ci.size),
        })
    return out


def vlen_info(d, strings=None):
    """Contiguous data address of a vlen string dataset (+ the expected strings, once)."""
    out = {"data_addr": int(d.id.get_offset()), "count": int(d.shape[0])}
    if strings is not None:
        out["strings"] = strings
    return out


def new_file(path, sizes=None):
    if sizes is None:
        return h5py.File(path, "w", libver="earliest", track_order=False)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(*sizes)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    return h5py.File(fid)


def fill_group(f, nlinks):
    """A target dataset plus `nlinks` hard and soft links to it in the root group."""
    f.create_dataset("target", data=np.arange(4, dtype="<i4"))
    sub = f.create_group("sub")
    sub["a"] = f["target"]
    sub["b"] = h5py.SoftLink("/target")
    f.create_group("empty")
    for i in range(nlinks):
        name = "link%04d" % ((i * 7919) % nlinks)  # inserted out of order
        if i % 10 == 3:
            f[name] = h5py.SoftLink("/target/soft%d" % i)
        else:
            f[name] = f["target"]


def group_oracle(b, f):
    btree, heap = root_symbol_table(b)
    sub_btree, sub_heap = group_stab(b, addr_of(f["sub"]))
    empty_btree, empty_heap = group_stab(b, addr_of(f["empty"]))
    return {
        "root": {"btree": btree, "heap": heap, "links": links_of(f)},
        "sub": {"btree": sub_btree, "heap": sub_heap, "links": links_of(f["sub"])},
        "empty": {"btree": empty_btree, "heap": empty_heap, "links": []},
    }


def chunk_oracle(b, d):
    btree, dims = chunk_layout(b, addr_of(d))
    return {"btree": btree, "layout_dims": dims, "chunks": chunks_of(d)}


def fill_chunks(f):
    # 2-D, 10 x 12 grid of 4 x 5 chunks, gzip; 100 of the 120 chunks written -> 2-level tree
    # (indexed storage K = 32: at most 64 children per node).
    g = f.create_dataset("grid", shape=(40, 60), chunks=(4, 5), dtype="<i4", compression="gzip")
    for ci in range(10):
        for cj in range(12):
            if (ci * 12 + cj) % 6 == 5:
                continue
            g[ci * 4:(ci + 1) * 4, cj * 5:(cj + 1) * 5] = (
                np.arange(20, dtype="<i4").reshape(4, 5) * (ci + 1) + cj)
    # One chunk stored raw with the deflate filter marked as skipped.
    raw = (np.arange(20, dtype="<i4") + 1000).tobytes()
    g.id.write_direct_chunk((36, 55), raw, filter_mask=1)
    # 1-D, 12 chunks, no filters: a single leaf node.
    line = f.create_dataset("line", shape=(120,), chunks=(10,), dtype="<f8")
    line[...] = np.linspace(0.0, 1.0, 120)
    # 3-D with an edge chunk.
    cube = f.create_dataset("cube", shape=(5, 6, 7), chunks=(2, 3, 4), dtype="u1")
    cube[...] = np.arange(5 * 6 * 7, dtype="u1").reshape(5, 6, 7)


def vlen_strings():
    # ~70 KB in total: libhdf5 2.0 spreads it over two collections (64 KiB and 16 KiB).
    out = ["s%d-%s" % (i, "xyz"[i % 3] * (i * 7 % 200)) for i in range(600)]
    out[17] = "big-" + "0123456789" * 600  # bigger than one 4096-byte collection
    out[18] = ""
    out[19] = "caf\u00e9 \u2603"
    return out


def fill_vlen(f):
    strings = vlen_strings()
    d = f.create_dataset("strings", shape=(len(strings),), dtype=h5py.string_dtype("utf-8"))
    d[...] = strings
    return d, strings


def write_json(name, obj):
    with open(os.path.join(HERE, name), "w") as fh:
        json.dump(obj, fh, sort_keys=True)
        fh.write("\n")


def gen_default():
    # Groups: 300 links in the root -> ~40-75 symbol table nodes -> a 2-level group B-tree.
    p = os.path.join(HERE, "heaps_old_group.h5")
    with new_file(p) as f:
        fill_group(f, 300)
    with h5py.File(p, "r") as f, open(p, "rb") as fh:
        write_json("heaps_old_group.json", group_oracle(fh.read(), f))

    p = os.path.join(HERE, "heaps_old_chunks.h5")
    with new_file(p) as f:
        fill_chunks(f)
    with h5py.File(p, "r") as f, open(p, "rb") as fh:
        b = fh.read()
        write_json("heaps_old_chunks.json",
                   {k: chunk_oracle(b, f[k]) for k in ("grid", "line", "cube")})

    p = os.path.join(HERE, "heaps_old_vlen.h5")
    with new_file(p) as f:
        _, strings = fill_vlen(f)
    with h5py.File(p, "r") as f:
        assert [s.decode() for s in f["strings"][...]] == strings
        write_json("heaps_old_vlen.json", vlen_info(f["strings"], strings))


def gen_off4():
    # 4-byte offsets and lengths: everything in one file.
    p = os.path.join(HERE, "heaps_old_off4.h5")
    with new_file(p, sizes=(4, 4)) as f:
        fill_group(f, 300)
        fill_chunks(f)
        fill_vlen(f)
    with h5py.File(p, "r") as f, open(p, "rb") as fh:
        b = fh.read()
        assert superblock_sizes(b) == (4, 4)
        strings = vlen_strings()
        assert [s.decode() for s in f["strings"][...]] == strings
        oracle = group_oracle(b, f)
        oracle["chunks"] = {k: chunk_oracle(b, f[k]) for k in ("grid", "line", "cube")}
        oracle["vlen"] = vlen_info(f["strings"])  # same strings as heaps_old_vlen.json
        write_json("heaps_old_off4.json", oracle)


if __name__ == "__main__":
    gen_default()
    gen_off4()
