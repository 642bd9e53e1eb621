// Node and Deno: the module is compiled and instantiated from the package's own .wasm file at
// import, so the API is ready as soon as the import resolves.
import { readFileSync } from 'node:fs';
import { initSync as initGlue } from '../dist/orgwarden.js';
import { markReady } from '../lib/module.js';

initGlue({ module: readFileSync(new URL('../dist/orgwarden_bg.wasm', import.meta.url)) });
markReady();

/** Already initialized: kept so code shared with browsers may `await init()` everywhere. */
export default async function init() {}
/** Already initialized: a no-op. */
export function initSync() {}
export * from '../lib/index.js';
