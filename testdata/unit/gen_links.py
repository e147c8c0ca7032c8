"""Link-cycle inputs for tests/corrupt.rs (h5py 3.16.0): soft-link loops and a hard-link cycle.

Run from the repository root: python3 testdata/unit/gen_links.py
"""
import h5py
import numpy as np

for libver in ("earliest", "latest"):
    with h5py.File(f"testdata/unit/links_loop_{libver}.h5", "w", libver=libver) as f:
        g = f.create_group("g")
        g["data"] = np.arange(3, dtype="i4")
        f["a"] = h5py.SoftLink("/b")
        f["b"] = h5py.SoftLink("/a")
        f["self"] = h5py.SoftLink("self")
        g["up"] = f  # hard link back to the root: a cycle in the group graph
