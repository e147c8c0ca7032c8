"""Side-by-side baseline for benches/metadata.rs: the same canonical-document walks in h5py
(testdata/oracle.py), timed per fixture.

Usage: python3 benches/h5py_metadata.py
"""
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "testdata"))
import oracle  # noqa: E402

FIXTURES = ["groups_earliest.h5", "groups_latest.h5", "attrs_latest.h5", "dtypes_latest.h5"]

for name in FIXTURES:
    path = str(ROOT / "testdata" / "fixtures" / name)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < 2.0:
        oracle.document(path, with_values=False)
        n += 1
    print(f"document/{name}: {(time.perf_counter() - t0) / n * 1e3:.3f} ms per walk")
