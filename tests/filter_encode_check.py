"""h5py's side of tests/filter_encode.rs.

Usage: python3 filter_encode_check.py DIR

DIR holds manifest.json and the chunks h5oxide's filter encoder wrote. For each case this
script creates an h5py dataset with the same filters, checks that its filter pipeline
(id, flags, client data from dcpl.get_filter) equals the one our FilterSpec constructors built,
writes our encoded chunks into it raw (write_direct_chunk, with our filter masks), reopens the
file and checks that h5py/libhdf5 decodes them to the expected values. For cases marked
"identical" it also lets h5py write the same input through libhdf5's own filters and checks
that the stored chunks and masks equal ours byte for byte.

Exit status 0 when everything matches; otherwise each mismatch is printed and the status is 1.
"""

import json
import os
import sys

import h5py
import numpy as np


def main(d):
    with open(os.path.join(d, "manifest.json")) as f:
        cases = json.load(f)["cases"]
    path = os.path.join(d, "check.h5")
    fails = []

    def read(name):
        with open(os.path.join(d, name), "rb") as f:
            return f.read()

    with h5py.File(path, "w") as f:
        for c in cases:
            kw = dict(c["h5py"])
            if c["fillvalue"] is not None:
                kw["fillvalue"] = c["fillvalue"]
            n = c["chunk"] * c["nchunks"]
            args = dict(shape=(n,), dtype=c["dtype"], chunks=(c["chunk"],), **kw)
            ds = f.create_dataset(c["name"], **args)
            pl = ds.id.get_create_plist()
            got = []
            for i in range(pl.get_nfilters()):
                fid, flags, vals, _name = pl.get_filter(i)
                got.append([fid, flags, list(vals)])
            if got != c["pipeline"]:
                fails.append(f"{c['name']}: h5py pipeline {got} != ours {c['pipeline']}")
            for k, ch in enumerate(c["chunks"]):
                ds.id.write_direct_chunk((k * c["chunk"],), read(ch["file"]), filter_mask=ch["mask"])
            if c["identical"]:
                ref = f.create_dataset(c["name"] + "__h5py", **args)
                ref[...] = np.frombuffer(read(c["input"]), dtype=c["dtype"])

    with h5py.File(path, "r") as f:
        for c in cases:
            name = c["name"]
            dt = np.dtype(c["dtype"])
            got = f[name][...]
            want = np.frombuffer(read(c["expected"]), dtype=dt)
            if got.astype(dt).tobytes() != want.tobytes():
                bad = np.nonzero(got != want)[0]
                fails.append(
                    f"{name}: h5py decodes {len(bad)} values differently, first at {bad[:5]}: "
                    f"{got[bad[:5]]} vs {want[bad[:5]]}"
                )
            if c["identical"]:
                ref = f[name + "__h5py"]
                for k, ch in enumerate(c["chunks"]):
                    mask, raw = ref.id.read_direct_chunk((k * c["chunk"],))
                    ours = read(ch["file"])
                    if mask != ch["mask"] or raw != ours:
                        fails.append(
                            f"{name} chunk {k}: libhdf5 stores mask {mask}, {len(raw)} bytes "
                            f"{raw[:32].hex()}...; ours mask {ch['mask']}, {len(ours)} bytes "
                            f"{ours[:32].hex()}..."
                        )
            print(f"{name}: ok" if not any(x.startswith(name + ":") or x.startswith(name + " ") for x in fails) else f"{name}: FAILED")

    for x in fails:
        print("MISMATCH", x)
    print(f"h5py {h5py.__version__}, libhdf5 {h5py.version.hdf5_version}: {len(cases)} cases, {len(fails)} mismatches")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
