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

# run_oracle DIR_IN DIR_OUT: expected document of every DIR_IN/*.h5 into DIR_OUT
run_oracle() {
    mkdir -p "$2"
    local f
    for f in "$1"/*.h5; do
        "$PY" oracle.py "$f" --values > "$2/$(basename "$f" .h5).json"
    done
}

if [[ "${1:-}" == "--write" ]]; then
    rm -f fixtures/*.h5 expected/*.json
    "$PY" gen_fixtures.py fixtures --sample sample.h5
    run_oracle fixtures expected
    echo "regen.sh: wrote $(ls fixtures/*.h5 | wc -l) fixtures, expected/ and sample.h5"
    exit 0
elif [[ $# -gt 0 ]]; then
    echo "usage: regen.sh [--write]" >&2
    exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$PY" gen_fixtures.py "$tmp/fixtures" --sample "$tmp/sample.h5" > /dev/null
run_oracle "$tmp/fixtures" "$tmp/regenerated"

# For every expected document: the fresh fixture's and the committed fixture's
# documents must both equal it; no fixture may be missing or extra.
run_oracle fixtures "$tmp/committed"
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

# Byte-for-byte reproducibility is informational only: bytes libhdf5 leaves
# unused could differ on another machine without any data changing.
ndiff=0
for f in "$tmp"/fixtures/*.h5; do
    if ! cmp -s "$f" "fixtures/$(basename "$f")"; then
        echo "regen.sh: note: fixtures/$(basename "$f") is not byte-identical to a fresh run" >&2
        ndiff=$((ndiff + 1))
    fi
done
echo "regen.sh: $ndiff fixture file(s) not byte-identical to a fresh run"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
