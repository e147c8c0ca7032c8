#!/usr/bin/env python3
"""Unit-test data for src/filter/: real chunks written by h5py / libhdf5.

For every case this writes a small chunked dataset with h5py into a temporary file, then dumps
  - the filter pipeline (dcpl.get_filter(i): id, flags, client data),
  - for a few chunks (always including the last, partial edge chunk): the filter mask and the
    stored bytes (dset.id.read_direct_chunk), and
  - the bytes the pipeline must decode to: the chunk's region of the data in the *file* datatype's
    representation, padded to the full chunk shape the way libhdf5 stores edge chunks (the
    region outside the dataset holds the fill value; checked below against zlib for every
    deflate case).
Where Python can undo the pipeline itself (deflate, shuffle, fletcher32) the expected bytes are
checked against that too, so the padding model is verified, not assumed.

Output: testdata/unit/filters_cases.json (hex strings), and, when the hdf5plugin package is
installed (pip install hdf5plugin==7.1.0), testdata/unit/filters_plugins.json for the LZ4,
Zstandard and bitshuffle plugin filters. Deterministic: fixed seeds.
Usage: python3 testdata/unit/gen_filters.py [OUT.json]
Needs h5py 3.16.0 (libhdf5 2.0.0, with szip through libaec) and numpy.
"""
import json
import os
import sys
import tempfile
import zlib

import h5py
import numpy as np
from h5py import h5d, h5p, h5s, h5t, h5z

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "filters_cases.json")
MAX_CHUNKS = 4  # first chunks dumped per case, plus the last one


def rng(seed):
    return np.random.default_rng(seed)


def chunk_offsets(shape, chunks):
    grid = [range(0, s, c) for s, c in zip(shape, chunks)]
    out = [()]
    for g in grid:
        out = [o + (x,) for o in out for x in g]
    return out


def py_unfilter(pipeline, mask, raw, expected_len):
    """Undo deflate / shuffle / fletcher32 in Python, or None if another filter is present."""
    data = raw
    for i in reversed(range(len(pipeline))):
        if mask & (1 << i):
            continue
        fid, _flags, params = pipeline[i]
        if fid == h5z.FILTER_DEFLATE:
            data = zlib.decompress(data)
        elif fid == h5z.FILTER_SHUFFLE:
            size = params[0]
            n = len(data) // size
            body = np.frombuffer(data[:n * size], dtype="u1").reshape(size, n).T.tobytes()
            data = body + data[n * size:]
        elif fid == h5z.FILTER_FLETCHER32:
            data = data[:-4]
        else:
            return None
    assert len(data) == expected_len
    return data


def dump_chunks(name, dset, file_repr, fill_repr, note=""):
    """Record the pipeline and chunks of `dset`.

    file_repr: numpy array of the dataset's values in the file representation (a dtype whose
    tobytes() gives the bytes libhdf5 stores); fill_repr: the fill value in that representation.
    """
    dcpl = dset.id.get_create_plist()
    pipeline = []
    for i in range(dcpl.get_nfilters()):
        fid, flags, values, _fname = dcpl.get_filter(i)
        pipeline.append([int(fid), int(flags), [int(v) for v in values]])
    chunks = dset.chunks
    shape = dset.shape
    padded = tuple(-(-s // c) * c for s, c in zip(shape, chunks))
    full = np.full(padded, fill_repr, dtype=file_repr.dtype)
    full[tuple(slice(0, s) for s in shape)] = file_repr
    offs = chunk_offsets(shape, chunks)
    pick = offs[:MAX_CHUNKS] + ([offs[-1]] if len(offs) > MAX_CHUNKS else [])
    out_chunks = []
    verified = 0
    for off in pick:
        mask, raw = dset.id.read_direct_chunk(off)
        region = full[tuple(slice(o, o + c) for o, c in zip(off, chunks))]
        expected = np.ascontiguousarray(region).tobytes()
        check = py_unfilter(pipeline, mask, raw, len(expected))
        if check is not None:
            assert check == expected, (name, off, "padding/representation model is wrong")
            verified += 1
        out_chunks.append({"offset": list(off), "mask": int(mask), "stored": raw.hex(),
                           "expected": expected.hex()})
    return {"name": name, "note": note, "dtype": str(file_repr.dtype), "shape": list(shape),
            "chunks": list(chunks), "pipeline": pipeline, "chunk_data": out_chunks,
            "python_verified": verified}


def int_type(base, precision, offset):
    t = base.copy()
    t.set_precision(precision)
    t.set_offset(offset)
    return t


def ll_dataset(f, name, ftype, data, mtype, chunks, filters, shape=None):
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    for fid, flags, params in filters:
        dcpl.set_filter(fid, flags, params)
    space = h5s.create_simple(shape or data.shape)
    dsid = h5d.create(f.id, name.encode(), ftype, space, dcpl=dcpl)
    dsid.write(h5s.ALL, h5s.ALL, data, mtype=mtype)
    return f[name]


def write(out, cases):
    for c in cases:
        if c["python_verified"] == 0 and all(p[0] in (1, 2, 3) for p in c["pipeline"]):
            raise SystemExit("%s: not verified" % c["name"])
    with open(out, "w") as fh:
        json.dump({"generator": "testdata/unit/gen_filters.py",
                   "h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version,
                   "cases": cases}, fh, indent=0)
        fh.write("\n")
    print("wrote %s: %d cases, %d bytes" % (out, len(cases), os.path.getsize(out)))


def plugins(out):
    """LZ4, Zstandard and bitshuffle chunks written by the hdf5plugin package."""
    import hdf5plugin
    todo = []
    smooth = np.cumsum(rng(11).integers(-3, 4, 2000)).astype("<i4")
    noise = rng(12).integers(0, 256, 4096, dtype=np.uint8)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "plugins.h5")
        with h5py.File(path, "w") as f:
            def add(name, note="", **kw):
                f.create_dataset(name, **kw)
                todo.append((name, note))

            add("lz4_default", data=smooth, chunks=(500,), **hdf5plugin.LZ4(),
                note="one block per chunk")
            add("lz4_blocks", data=smooth, chunks=(500,), **hdf5plugin.LZ4(nbytes=512),
                note="512-byte blocks, last one short")
            add("lz4_noise", data=noise, chunks=(500,), **hdf5plugin.LZ4(nbytes=256),
                note="incompressible blocks stored raw")
            add("zstd_1", data=smooth, chunks=(500,), **hdf5plugin.Zstd(clevel=1))
            add("zstd_19", data=smooth, chunks=(500,), **hdf5plugin.Zstd(clevel=19))
            add("shuffle_zstd", data=smooth, chunks=(500,), shuffle=True, **hdf5plugin.Zstd())
            add("bitshuffle_i4", data=smooth, chunks=(503,), **hdf5plugin.Bitshuffle(cname="none"),
                note="503 elements: 7 untransposed at the end")
            add("bitshuffle_f8_b64", data=(np.arange(777) / 7.0).astype("<f8"), chunks=(200,),
                **hdf5plugin.Bitshuffle(nelems=64, cname="none"), note="blocks of 64 elements")
            add("bitshuffle_u1", data=noise[:1500], chunks=(500,),
                **hdf5plugin.Bitshuffle(cname="none"))
            add("bitshuffle_lz4_i4", data=smooth, chunks=(503,),
                **hdf5plugin.Bitshuffle(cname="lz4"))
            add("bitshuffle_lz4_i2_b256", data=smooth[:1500].astype("<i2"), chunks=(500,),
                **hdf5plugin.Bitshuffle(nelems=256, cname="lz4"))
            add("bitshuffle_zstd_f4", data=(smooth / 3).astype("<f4"), chunks=(499,),
                **hdf5plugin.Bitshuffle(cname="zstd"))
        cases = []
        with h5py.File(path, "r") as f:
            for name, note in todo:
                d = f[name]
                cases.append(dump_chunks(name, d, d[...], 0, note))
    write(out, cases)


def main():
    # (name, file representation or None = read back, fill, note), dumped after reopening the
    # file: reading back in the writing session would return libhdf5's cached, never-encoded
    # chunks, which for the lossy scale-offset float filter are not what decoding gives.
    todo = []
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "filters.h5")
        with h5py.File(path, "w", libver=("earliest", "latest")) as f:
            def add(name, note="", fill_repr=0, **kw):
                f.create_dataset(name, **kw)
                todo.append((name, None, fill_repr, note))

            def add_ll(name, rep, fill_repr, note=""):
                todo.append((name, rep, fill_repr, note))

            ints = ((np.arange(1000, dtype="<i4") * 7) % 300).astype("<i4")
            noise = rng(7).integers(0, 256, 4096, dtype=np.uint8)
            smooth = np.cumsum(rng(1).integers(-3, 4, 3000)).astype("<i4")

            # deflate at several levels; 2-D edge chunks with a user fill value.
            for lvl in (1, 4, 9):
                add("gzip%d" % lvl, data=ints, chunks=(96,), compression="gzip",
                    compression_opts=lvl, note="1000 elements, edge chunk of 40")
            add("gzip_2d_fill", data=np.arange(23 * 13, dtype="<i2").reshape(23, 13),
                chunks=(8, 5), compression="gzip", fillvalue=7, fill_repr=7,
                note="edge chunks padded with the fill value 7")
            add("gzip_random", data=noise, chunks=(1024,), compression="gzip",
                compression_opts=9, note="incompressible: deflate skipped, mask bit 0 set")
            # shuffle alone, with every element size the specialised paths cover
            for dt in ("<i2", "<i4", "<f8", "<c16"):
                data = (np.arange(300) * 1.37 - 100).astype(dt)
                add("shuffle_%s" % np.dtype(dt).name, data=data, chunks=(64,), shuffle=True)
            c3 = np.dtype([("a", "u1"), ("b", "<i2")])
            add("shuffle_c3", data=np.array([(i, 1000 * i) for i in range(20)], dtype=c3),
                chunks=(7,), shuffle=True, fill_repr=np.zeros((), dtype=c3),
                note="3-byte elements")
            c5 = np.dtype([("a", "u1"), ("b", "<i4")])
            add("shuffle_c5", data=np.array([(i, -7 * i) for i in range(50)], dtype=c5),
                chunks=(9,), shuffle=True, fill_repr=np.zeros((), dtype=c5),
                note="5-byte elements (general path)")
            add("shuffle_gzip_fletcher32", data=(np.arange(31 * 17, dtype="<f8") / 3).reshape(31, 17),
                chunks=(8, 5), shuffle=True, compression="gzip", compression_opts=4,
                fletcher32=True)
            # fletcher32 over odd and even chunk sizes
            add("fletcher32_u1_7", data=np.arange(101, dtype="u1"), chunks=(7,), fletcher32=True,
                note="7-byte chunks: odd length")
            add("fletcher32_u1_15", data=(np.arange(100) * 37 % 256).astype("u1"), chunks=(15,),
                fletcher32=True, note="15-byte chunks")
            add("fletcher32_i2", data=np.arange(50, dtype="<i2") - 25, chunks=(7,),
                fletcher32=True, note="14-byte chunks")
            add("fletcher32_big", data=rng(5).integers(0, 256, 9001, dtype=np.uint8),
                chunks=(4501,), fletcher32=True, note="4501-byte chunks: many 360-word blocks")
            add("fletcher32_ff", data=np.full(5000, 0xff, dtype="u1"), chunks=(5000,),
                fletcher32=True, note="all 0xff: sums that fold to 0xffff")
            # lzf
            add("lzf", data=ints, chunks=(100,), compression="lzf")
            add("lzf_smooth", data=smooth, chunks=(700,), compression="lzf")
            add("lzf_shuffle", data=ints, chunks=(100,), compression="lzf", shuffle=True)
            add("lzf_random", data=noise, chunks=(1024,), compression="lzf",
                note="incompressible: lzf skipped, mask bit set")
            add("lzf_runs", data=np.repeat(np.arange(10, dtype="u1"), 300), chunks=(1500,),
                compression="lzf", note="long runs: overlapping back references")
            # scale-offset integer: automatic min bits, with/without fill value, signs, orders
            add("so_i4", data=np.arange(1000, 1200, dtype="<i4"), chunks=(50,), scaleoffset=0)
            add("so_i2_fill", data=np.arange(60, dtype="<i2") * 3 - 50, chunks=(16,),
                scaleoffset=0, fillvalue=-1, fill_repr=-1,
                note="fill value -1 defined: all-ones codes")
            add("so_u1", data=(np.arange(100) % 17 + 200).astype("u1"), chunks=(32,),
                scaleoffset=0)
            add("so_i8_neg", data=np.arange(-5000, 5000, 37, dtype="<i8"), chunks=(40,),
                scaleoffset=0)
            add("so_i4_be", data=(np.arange(120, dtype=">i4") * -11), chunks=(25,),
                scaleoffset=0, note="big-endian dataset")
            add("so_i2_bits4", data=(np.arange(64) % 16).astype("<i2"), chunks=(32,),
                scaleoffset=4, note="scale factor 4: fixed min bits")
            add("so_i2_const", data=np.full(64, 77, dtype="<i2"), chunks=(32,), scaleoffset=0,
                note="all equal: minbits 0")
            add("so_u2_wide", data=np.array([0, 65535] * 20, dtype="<u2"), chunks=(16,),
                scaleoffset=0, note="full range: minbits 16, stored whole")
            # scale-offset float, D-scaling; shapes are chunk multiples (lossy padding)
            add("so_f8_d3", data=np.round(rng(3).normal(size=100), 3).astype("<f8"),
                chunks=(25,), scaleoffset=3)
            add("so_f4_d2", data=(rng(4).normal(size=96) * 100).astype("<f4"), chunks=(32,),
                scaleoffset=2)
            add("so_f8_d1_be", data=(np.arange(64) / 7.0 - 3).astype(">f8"), chunks=(16,),
                scaleoffset=1, note="big-endian floats")
            add("so_gzip", data=np.arange(2000, 2400, dtype="<i4"), chunks=(100,),
                scaleoffset=0, compression="gzip", shuffle=True)
            # szip: nn and ec, sample sizes 8/16/32/64 bits, ragged scanlines, both orders
            add("szip_nn_i2", data=smooth[:1000].astype("<i2"), chunks=(200,),
                compression="szip", compression_opts=("nn", 8))
            add("szip_ec_u1", data=(np.arange(1000) * 13 % 256).astype("u1"), chunks=(256,),
                compression="szip", compression_opts=("ec", 16))
            add("szip_nn_i4", data=smooth, chunks=(512,), compression="szip",
                compression_opts=("nn", 32), note="32-bit pixels: byte planes")
            add("szip_nn_f8", data=(np.arange(600) / 9.0).astype("<f8"), chunks=(128,),
                compression="szip", compression_opts=("nn", 16), note="64-bit pixels")
            add("szip_nn_i2_be", data=smooth[:600].astype(">i2"), chunks=(100,),
                compression="szip", compression_opts=("nn", 8), note="big-endian: MSB option")
            add("szip_ragged_2d", data=smooth[:30 * 20].astype("<u2").reshape(30, 20),
                chunks=(10, 20), compression="szip", compression_opts=("nn", 8),
                note="20 pixels per scanline, 8 per block: padded scanlines")
            add("szip_ec_noise", data=noise[:2048].view("<u2"), chunks=(512,),
                compression="szip", compression_opts=("ec", 32), note="incompressible")
            add("szip_zeros", data=np.zeros(4096, dtype="<u2"), chunks=(4096,),
                compression="szip", compression_opts=("nn", 16), note="zero blocks, ROS")
            add("szip_u1_lowent", data=(rng(9).integers(0, 3, 4096)).astype("u1"),
                chunks=(2048,), compression="szip", compression_opts=("ec", 8),
                note="low entropy: second extension")

            # n-bit, through the low-level API (h5py has no high-level switch)
            nb = [(h5z.FILTER_NBIT, h5z.FLAG_OPTIONAL, ())]
            vals = np.arange(-2048, 2048, 40, dtype="<i2")
            ll_dataset(f, "nbit_i2_p12", int_type(h5t.STD_I16LE, 12, 0), vals,
                       h5t.STD_I16LE, (16,), nb)
            add_ll("nbit_i2_p12", (vals & 0xfff).astype("<u2"), 0,
                   "12-bit two's complement in 2 bytes")
            vals = np.arange(0, 1 << 20, 9973, dtype="<u4")
            ll_dataset(f, "nbit_u4_p20_o4", int_type(h5t.STD_U32BE, 20, 4), vals,
                       h5t.STD_U32LE, (16,), nb)
            add_ll("nbit_u4_p20_o4", (vals << 4).astype(">u4"), 0,
                   "20 bits at bit offset 4, big-endian")
            vals = np.arange(0, 3000, 7, dtype="<u2")
            ll_dataset(f, "nbit_u2_p3_o13", int_type(h5t.STD_U16LE, 3, 13),
                       (vals % 8).astype("<u2"), h5t.STD_U16LE, (50,), nb)
            add_ll("nbit_u2_p3_o13", ((vals % 8) << 13).astype("<u2"), 0,
                   "3 bits at the top of 2 bytes")
            # compound {a: i2 p12, b: u1, c: u4 p20 o4 BE, d: S2}: members nbit packs and copies
            ct = h5t.create(h5t.COMPOUND, 9)
            ct.insert(b"a", 0, int_type(h5t.STD_I16LE, 12, 0))
            ct.insert(b"b", 2, h5t.STD_U8LE)
            ct.insert(b"c", 3, int_type(h5t.STD_U32BE, 20, 4))
            st = h5t.C_S1.copy()
            st.set_size(2)
            ct.insert(b"d", 7, st)
            mt = h5t.create(h5t.COMPOUND, 9)
            mt.insert(b"a", 0, h5t.STD_I16LE)
            mt.insert(b"b", 2, h5t.STD_U8LE)
            mt.insert(b"c", 3, h5t.STD_U32LE)
            mt.insert(b"d", 7, st)
            mdt = np.dtype({"names": ["a", "b", "c", "d"], "formats": ["<i2", "u1", "<u4", "S2"],
                            "offsets": [0, 2, 3, 7], "itemsize": 9})
            n = 45
            vals = np.zeros(n, dtype=mdt)
            vals["a"] = np.arange(n) * 50 - 1000
            vals["b"] = np.arange(n) * 5
            vals["c"] = np.arange(n) * 20011
            vals["d"] = [b"%02d" % (i % 100) for i in range(n)]
            ll_dataset(f, "nbit_compound", ct, vals, mt, (10,), nb)
            fdt = np.dtype({"names": ["a", "b", "c", "d"], "formats": ["<u2", "u1", ">u4", "S2"],
                            "offsets": [0, 2, 3, 7], "itemsize": 9})
            rep = np.zeros(n, dtype=fdt)
            rep["a"] = vals["a"].astype("<i4") & 0xfff
            rep["b"] = vals["b"]
            rep["c"] = (vals["c"].astype("<u4") & 0xfffff) << 4
            rep["d"] = vals["d"]
            add_ll("nbit_compound", rep, np.zeros((), dtype=fdt),
                   "compound: two packed members, a full byte, a string copied")
            # array type i2 p12 [3]
            at = h5t.array_create(int_type(h5t.STD_I16LE, 12, 0), (3,))
            am = h5t.array_create(h5t.STD_I16LE, (3,))
            vals = (np.arange(40 * 3, dtype="<i2") * 33 - 1900).reshape(40, 3)
            ll_dataset(f, "nbit_array", at, vals, am, (16,), nb, shape=(40,))
            rep = (vals.astype("<i4") & 0xfff).astype("<u2").view("V6").reshape(40)
            add_ll("nbit_array", rep, np.zeros((), dtype="V6"),
                   "array of three 12-bit integers")
            # n-bit then deflate
            vals = np.arange(-300, 300, 3, dtype="<i2")
            ll_dataset(f, "nbit_gzip", int_type(h5t.STD_I16LE, 12, 0), vals, h5t.STD_I16LE,
                       (64,), nb + [(h5z.FILTER_DEFLATE, h5z.FLAG_OPTIONAL, (6,))])
            add_ll("nbit_gzip", (vals & 0xfff).astype("<u2"), 0)

        cases = []
        with h5py.File(path, "r") as f:  # reopened: chunks decoded from disk
            for name, rep, fill, note in todo:
                d = f[name]
                cases.append(dump_chunks(name, d, d[...] if rep is None else rep, fill, note))
    write(OUT, cases)
    try:
        import hdf5plugin  # noqa: F401
    except ImportError:
        print("hdf5plugin not installed: plugin cases not regenerated")
        return
    plugins(os.path.join(os.path.dirname(os.path.abspath(OUT)), "filters_plugins.json"))


if __name__ == "__main__":
    main()
