// Browsers and bundlers: call `await init()` (or `initSync({ module })`) once before use.
// Without an argument, init() fetches the .wasm beside the glue: bundlers (Vite, webpack 5)
// resolve it through the glue's `new URL('orgwarden_bg.wasm', import.meta.url)`.
import * as glue from '../dist/orgwarden.js';
import { initializers } from '../lib/entry.js';

const entry = initializers(glue);
export default entry.init;
export const initSync = entry.initSync;
export * from '../lib/index.js';
