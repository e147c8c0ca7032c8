"""External-link inputs for tests/sources.rs (h5py 3.16.0).

Run from the repository root: python3 testdata/unit/gen_extlinks.py
Writes testdata/unit/ext/{main.h5,sub/target.h5} and ext/expected.json (values read back by h5py
through the links).
"""
import json
import h5py
import numpy as np

base = "testdata/unit/ext"
with h5py.File(f"{base}/sub/target.h5", "w", libver="latest") as f:
    g = f.create_group("grp")
    d = g.create_dataset("data", data=np.arange(6, dtype="<i4").reshape(2, 3))
    d.attrs["units"] = np.int16(-7)
    f["back"] = h5py.ExternalLink("../main.h5", "/local")  # relative to sub/

with h5py.File(f"{base}/main.h5", "w") as f:
    f.create_group("local").attrs["here"] = np.float64(2.5)
    f["to_data"] = h5py.ExternalLink("sub/target.h5", "/grp/data")
    f["to_grp"] = h5py.ExternalLink("sub/target.h5", "/grp")
    f["round_trip"] = h5py.ExternalLink("sub/target.h5", "/back")
    f["loop"] = h5py.ExternalLink("main.h5", "/loop")
    f["missing"] = h5py.ExternalLink("no_such_file.h5", "/x")

with h5py.File(f"{base}/main.h5", "r") as f:
    d = f["to_data"]
    expected = {
        "to_data": {"shape": list(d.shape), "units": int(d.attrs["units"])},
        "to_grp_members": sorted(f["to_grp"].keys()),
        "round_trip_here": float(f["round_trip"].attrs["here"]),
    }
with open(f"{base}/expected.json", "w") as out:
    json.dump(expected, out, indent=1)
