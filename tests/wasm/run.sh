#!/usr/bin/env bash
# wasm and embedded checks (run by .ci/run; needs Node.js >= 20 and the rustup targets
# wasm32-wasip1, wasm32-unknown-unknown, thumbv7em-none-eabihf):
#  1. the test suite inside a wasm runtime (wasm32-wasip1 under Node's WASI);
#  2. the JavaScript package: the optimised C-ABI module, its size, and the Node test;
#  3. the no_std library for an embedded target, with deflate and the high-level API.
set -euo pipefail
cd "$(dirname "$0")/../.."

echo "== wasm32-wasip1: the test suite in Node's WASI runtime"
CARGO_TARGET_WASM32_WASIP1_RUNNER="node --no-warnings $PWD/tests/wasm/wasi-runner.mjs" \
  cargo test -j2 --target wasm32-wasip1 --no-default-features --features std,canon

echo "== wasm32-unknown-unknown: optimised JS-facing module"
CARGO_TARGET_DIR=target/wasm-size cargo rustc -j2 --release --lib --target wasm32-unknown-unknown \
  --no-default-features --features wasm-api --crate-type cdylib \
  --config 'profile.release.debug=0' --config 'profile.release.strip=true' \
  --config 'profile.release.opt-level="z"' --config 'profile.release.lto=true' \
  --config 'profile.release.codegen-units=1' --config 'profile.release.panic="abort"'
wasm=target/wasm-size/wasm32-unknown-unknown/release/h5oxide.wasm
echo "module size: $(wc -c < "$wasm") bytes, gzip -9: $(gzip -9 -c "$wasm" | wc -c) bytes"
node tests/wasm/node-test.mjs "$wasm"

echo "== thumbv7em-none-eabihf: no_std library with deflate and the high-level API"
cargo build -j2 --lib --no-default-features --target thumbv7em-none-eabihf
cargo build -j2 --lib --no-default-features --features canon --target thumbv7em-none-eabihf
