// h5oxide for JavaScript: open an HDF5 file from an ArrayBuffer, list its tree, read datasets
// into typed arrays. Works in Node.js and browsers (pass the .wasm bytes to `load`).
//
//   const h5 = await load(wasmBytes);
//   const f = h5.open(arrayBuffer);
//   f.list();                       // [{path, kind, dtype?, shape?}, ...]
//   f.readFloat64("/group/data");   // {shape: [..], data: Float64Array}
//   f.close();

export async function load(wasmBytes) {
  const { instance } = await WebAssembly.instantiate(wasmBytes, {});
  const x = instance.exports;
  const result = () => new Uint8Array(x.memory.buffer, x.h5_result_ptr(), x.h5_result_len()).slice();
  const text = () => new TextDecoder().decode(result());
  const check = (code) => {
    if (code !== 0) throw new Error(`h5oxide: ${text()}`);
  };
  const withBytes = (bytes, f) => {
    const ptr = x.h5_alloc(bytes.length);
    new Uint8Array(x.memory.buffer, ptr, bytes.length).set(bytes);
    try {
      return f(ptr, bytes.length);
    } finally {
      x.h5_free(ptr, bytes.length);
    }
  };
  const utf8 = (s) => new TextEncoder().encode(s);
  return {
    open(buffer) {
      const bytes = new Uint8Array(buffer);
      check(withBytes(bytes, (p, n) => x.h5_open(p, n)));
      const handle = new DataView(result().buffer).getUint32(0, true);
      return {
        list() {
          check(x.h5_list(handle));
          return JSON.parse(text());
        },
        readFloat64(path) {
          check(withBytes(utf8(path), (p, n) => x.h5_shape(handle, p, n)));
          const shape = JSON.parse(text());
          check(withBytes(utf8(path), (p, n) => x.h5_read_f64(handle, p, n)));
          const raw = result();
          return { shape, data: new Float64Array(raw.buffer, raw.byteOffset, raw.byteLength / 8) };
        },
        close() {
          x.h5_close(handle);
        },
      };
    },
  };
}
