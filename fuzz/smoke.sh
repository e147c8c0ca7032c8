#!/bin/sh
# Build every fuzz target and run each one for a few seconds: a smoke test for CI, and the
# script behind the longer runs recorded in FUZZING.md.
#
#   fuzz/smoke.sh                    # every target, 10 s each
#   fuzz/smoke.sh 300 btree_v2 ...   # chosen targets, 5 min each
#
# Needs cargo-fuzz; on a stable toolchain RUSTC_BOOTSTRAP=1 (set here) enables the nightly
# flags it uses. Without cargo-fuzz the script says so and succeeds, so CI can call it
# unconditionally. Seeds come from `seed.py` (run once when fuzz/corpus is missing; it needs
# python3, and h5py for the object-header seeds). Crashes land in fuzz/artifacts/<target>/ and
# make the script fail. One summary line per target goes to stdout and to
# fuzz/artifacts/runs.tsv: date, target, seconds, executions, cov, ft, corpus size.
set -eu
cd "$(dirname "$0")"

secs=${1:-10}
[ $# -gt 0 ] && shift

if ! command -v cargo-fuzz >/dev/null 2>&1; then
    echo "cargo-fuzz is not installed: fuzz smoke test skipped"
    exit 0
fi
export RUSTC_BOOTSTRAP=1
# The machine is shared: one compile job unless told otherwise.
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"

if [ ! -d corpus ] && command -v python3 >/dev/null 2>&1; then
    python3 seed.py || echo "seed.py failed: starting from empty corpora"
fi

targets=${*:-$(cargo fuzz list)}
cargo fuzz build

mkdir -p artifacts
status=0
for t in $targets; do
    # Inputs: structures are small; traversals and whole files carry file images.
    case $t in
        selection | reference) max=1024 ;;
        global_heap | fixed_array | extensible_array) max=20000 ;;
        traversal | differential) max=140000 ;;
        whole_file) max=1048576 ;;
        *) max=4096 ;;
    esac
    case $t in
        traversal | differential | whole_file) timeout=60 ;;
        *) timeout=10 ;;
    esac
    mkdir -p "corpus/$t" "artifacts/$t"
    log="artifacts/$t/run.log"
    if cargo fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -rss_limit_mb=2048 \
        -max_len="$max" -timeout="$timeout" -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=FAILED
        status=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    files=$(find "corpus/$t" -type f | wc -l | tr -d ' ')
    line=$(printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$(date -u +%Y-%m-%dT%H:%MZ)" "$t" "$secs" \
        "${execs:-?}" "${cov:-?}" "${ft:-?}" "$files" "$result")
    echo "$line"
    echo "$line" >>artifacts/runs.tsv
    if [ "$result" = FAILED ]; then
        grep -E 'ERROR|panicked|Test unit written' "$log" | head -n 5 || true
    fi
done
exit $status
