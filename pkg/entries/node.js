// Node and Deno: the module is compiled and instantiated from the package's own .wasm file at
// import, so the API is ready as soon as the import resolves.
import { readFileSync } from 'node:fs';
import { initSync } from '../dist/orgwarden.js';

initSync({ module: readFileSync(new URL('../dist/orgwarden_bg.wasm', import.meta.url)) });

/** Already initialized: kept so code shared with browsers may `await init()` everywhere. */
export default async function init() {}
export { initSync };
export * from '../dist/orgwarden.js';
