// Node test of the JavaScript package: open fixtures from bytes inside the wasm module, list
// the tree and read datasets, compared with the h5py oracle documents.
// Usage: node tests/wasm/node-test.mjs path/to/h5oxide.wasm
import { readFile } from "node:fs/promises";
import assert from "node:assert/strict";
import { load } from "./h5oxide.mjs";

const root = new URL("../../testdata/", import.meta.url);
const h5 = await load(await readFile(process.argv[2]));
const flat = (v) => (Array.isArray(v) ? v.flatMap(flat) : [v]);
const num = (v) => (v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : v);
let checked = 0;
for (const stem of ["select_latest", "datasets_earliest", "filtervals_latest", "chunkidx_v110"]) {
  const doc = JSON.parse(await readFile(new URL(`expected/${stem}.json`, root), "utf8"));
  const f = h5.open(await readFile(new URL(`fixtures/${stem}.h5`, root)));
  const listed = new Map(f.list().map((o) => [o.path, o]));
  for (const o of doc.objects) {
    if (o.kind === "hardlink" || o.kind === "softlink" || o.kind === "extlink") continue;
    assert.ok(listed.has(o.path), `${stem}: ${o.path} listed`);
    assert.equal(listed.get(o.path).kind, o.kind, `${stem}: ${o.path} kind`);
    if (o.kind !== "dataset") continue;
    assert.equal(listed.get(o.path).dtype, o.dtype, `${stem}: ${o.path} dtype`);
    const numeric = /^[iuf]\d/.test(o.dtype) && !o.dtype.includes("(");
    if (!numeric || !o.data || o.data.value === undefined) continue;
    const { shape, data } = f.readFloat64(o.path);
    assert.deepEqual(shape, o.shape);
    const want = flat(o.data.value).map(num);
    assert.equal(data.length, want.length, `${stem}: ${o.path} length`);
    want.forEach((w, i) => assert.ok(Object.is(data[i], w) || data[i] === w, `${stem}: ${o.path}[${i}] ${data[i]} != ${w}`));
    checked++;
  }
  assert.throws(() => f.readFloat64("/no/such/dataset"), /not found/);
  f.close();
}
assert.throws(() => h5.open(new Uint8Array([1, 2, 3])), /signature/);
assert.ok(checked > 40, `only ${checked} datasets checked`);
console.log(`node-test: ${checked} datasets match the oracle`);
