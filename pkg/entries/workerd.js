// Cloudflare Workers (workerd): a `.wasm` import is a precompiled WebAssembly.Module, the only
// form workerd instantiates (it forbids compiling from bytes at run time).
import wasmModule from '../dist/orgwarden_bg.wasm';
import { initSync } from '../dist/orgwarden.js';

initSync({ module: wasmModule });

/** Already initialized: kept so code shared with browsers may `await init()` everywhere. */
export default async function init() {}
export { initSync };
export * from '../dist/orgwarden.js';
