// Browsers and bundlers: call `await init()` (or `initSync({ module })`) once before use.
// Without an argument, init() fetches the .wasm beside the glue: bundlers (Vite, webpack 5)
// resolve it through the glue's `new URL('orgwarden_bg.wasm', import.meta.url)`.
import initGlue, { initSync as initGlueSync } from '../dist/orgwarden.js';
import { markReady } from '../lib/module.js';

/** Fetches, compiles and instantiates the module; resolves when the API is ready. */
export default async function init(moduleOrPath) {
  await initGlue(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath });
  markReady();
}

/** Instantiates the module from a `WebAssembly.Module` or its bytes: `initSync({ module })`. */
export function initSync(options) {
  initGlueSync(options);
  markReady();
}
export * from '../lib/index.js';
