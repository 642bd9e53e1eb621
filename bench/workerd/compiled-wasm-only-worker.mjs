// As bench/workerd/wasm-only-worker.mjs, for the compiled runtime's .wasm.
import wasmModule from '../../pkg/dist/orgwarden_compiled_bg.wasm';

export default {
  async fetch() {
    return Response.json({ allowed: wasmModule instanceof WebAssembly.Module, checks: 0 });
  },
};
