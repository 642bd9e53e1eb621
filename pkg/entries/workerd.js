// Cloudflare Workers (workerd): a `.wasm` import is a precompiled WebAssembly.Module, the only
// form workerd instantiates (it forbids compiling from bytes at run time).
import wasmModule from '../dist/orgwarden_bg.wasm';
import * as glue from '../dist/orgwarden.js';
import { markReady } from '../lib/module.js';

glue.initSync({ module: wasmModule });
markReady(glue);

/** Already initialized: kept so code shared with browsers may `await init()` everywhere. */
export default async function init() {}
/** Already initialized: a no-op. */
export function initSync() {}
export * from '../lib/index.js';
