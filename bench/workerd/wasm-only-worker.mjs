// Part of bench/workerd.mjs's cold start: a Worker that imports the full package's .wasm and
// nothing else. workerd compiles every .wasm a Worker imports, whole, as the isolate starts.
import wasmModule from '../../pkg/dist/orgwarden_bg.wasm';

export default {
  async fetch() {
    return Response.json({ allowed: wasmModule instanceof WebAssembly.Module, checks: 0 });
  },
};
