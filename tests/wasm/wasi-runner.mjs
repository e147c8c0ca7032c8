// Runs a wasm32-wasip1 test binary under Node's WASI (cargo's target runner).
// Usage: node wasi-runner.mjs BINARY.wasm [ARGS...]; the repository is preopened as "/" at its
// own absolute path so tests find testdata/ through CARGO_MANIFEST_DIR.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import process from "node:process";

const [, , wasmPath, ...args] = process.argv;
const wasi = new WASI({
  version: "preview1",
  args: [wasmPath, ...args],
  env: process.env,
  preopens: { "/": "/" },
  returnOnExit: true,
});
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
const code = wasi.start(instance);
process.exit(code ?? 0);
