#!/usr/bin/env bash
# Conformance fixtures: regenerate and verify, or rewrite.
#
#   testdata/regen.sh           regenerate the fixtures into a temporary directory, run
#                               the oracle on them and diff against expected/; also run
#                               the oracle on the committed fixtures/ and diff.  Exit 1
#                               on any difference (this is what CI runs).
#   testdata/regen.sh --write   rewrite fixtures/, expected/ and sample.h5.
#
# Needs python3 with h5py==3.16.0 (bundling libhdf5 2.0.0) and numpy.  Set PYTHON to
# use another interpreter.  Other h5py versions are refused (they write and read
# differently); H5OXIDE_ALLOW_H5PY_MISMATCH=1 overrides that for experiments.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
PY=${PYTHON:-python3}
PINNED=3.16.0

have=$("$PY" -c 'import h5py; print(h5py.version.version)' 2>/dev/null || echo none)
if [[ "$have" != "$PINNED" ]]; then
    echo "regen.sh: need h5py $PINNED (pip install h5py==$PINNED), found: $have" >&2
    if [[ "${H5OXIDE_ALLOW_H5PY_MISMATCH:-}" != 1 ]]; then
        exit 2
    fi
fi

# run_oracle DIR_IN DIR_OUT: expected document of every DIR_IN/*.h5 into DIR_OUT, in one
# process.  oracle.py reads every file with its directory as the working directory, so
# relative external-file and VDS source names resolve next to the fixture (README.md).
run_oracle() {
    "$PY" oracle.py --outdir "$2" "$1"/*.h5 --values
}

# list_files DIR: every file below DIR (fixtures, external .bin files, VDS sources in
# subdirectories), relative, sorted
list_files() {
    (cd "$1" && find . -type f | sed 's|^\./||' | LC_ALL=C sort)
}

if [[ "${1:-}" == "--write" ]]; then
    rm -rf fixtures expected
    "$PY" gen_fixtures.py fixtures --sample sample.h5
    run_oracle fixtures expected
    echo "regen.sh: wrote $(ls fixtures/*.h5 | wc -l) fixtures ($(list_files fixtures | wc -l) files), expected/ and sample.h5"
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "usage: regen.sh [--write]" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" gen_fixtures.py "$tmp/fixtures" --sample "$tmp/sample.h5" > /dev/null
# the two oracle runs in parallel
run_oracle "$tmp/fixtures" "$tmp/regenerated" &
fresh=$!
run_oracle fixtures "$tmp/committed"
wait "$fresh"

# For every expected document: the fresh fixture's and the committed fixture's
# documents must both equal it; no fixture may be missing or extra.
passed=0
failed=0
for stem in $( (cd expected && ls *.json; cd "$tmp/regenerated" && ls *.json) | sort -u); do
    ok=1
    for got in "$tmp/regenerated/$stem" "$tmp/committed/$stem"; do
        if [[ ! -f "expected/$stem" || ! -f "$got" ]] || ! cmp -s "expected/$stem" "$got"; then
            ok=0
            echo "regen.sh: FAIL ${stem%.json}: document of the ${got#$tmp/} fixture differs from expected/$stem" >&2
            if [[ -f "expected/$stem" && -f "$got" ]]; then
                diff "expected/$stem" "$got" | head -20 >&2 || true
            fi
        fi
    done
    if [[ $ok -eq 1 ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done

# The committed fixtures/ must hold exactly the files a fresh run writes (external
# raw-data files and VDS source files are read through relative names).
list_files fixtures > "$tmp/files.committed"
list_files "$tmp/fixtures" > "$tmp/files.fresh"
if ! cmp -s "$tmp/files.committed" "$tmp/files.fresh"; then
    echo "regen.sh: FAIL fixtures/ does not hold the files a fresh run writes (< committed, > fresh):" >&2
    diff "$tmp/files.committed" "$tmp/files.fresh" >&2 || true
    failed=$((failed + 1))
fi

# Byte-for-byte reproducibility is informational only: bytes libhdf5 leaves
# unused could differ on another machine without any data changing.
ndiff=0
for f in $(cat "$tmp/files.fresh"); do
    if [[ -f "fixtures/$f" ]] && ! cmp -s "$tmp/fixtures/$f" "fixtures/$f"; then
        echo "regen.sh: note: fixtures/$f is not byte-identical to a fresh run" >&2
        ndiff=$((ndiff + 1))
    fi
done
echo "regen.sh: $ndiff fixture file(s) not byte-identical to a fresh run"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
