// Node and Deno: the module is compiled and instantiated from the package's own .wasm file at
// import, so the API is ready as soon as the import resolves.
import { readFileSync } from 'node:fs';
import * as glue from '../dist/orgwarden.js';
import { markReady } from '../lib/module.js';

const wasmUrl = new URL('../dist/orgwarden_bg.wasm', import.meta.url);
let bytes;
try {
  bytes = readFileSync(wasmUrl);
} catch (error) {
  // A bundler that inlined this file moved it away from the .wasm it reads: say what works.
  throw new Error(
    `orgwarden: cannot read its WebAssembly module at ${wasmUrl.pathname} (${error.code ?? error.message}). ` +
      'A bundle for Node must keep the package external (esbuild --packages=external) or ' +
      "embed the .wasm (esbuild --loader:.wasm=binary with `initSync({ module })` from 'orgwarden/web'); " +
      'see the README section "Bundlers and runtimes".',
    { cause: error },
  );
}
glue.initSync({ module: bytes });
markReady(glue);

/** Already initialized: kept so code shared with browsers may `await init()` everywhere. */
export default async function init() {}
/** Already initialized: a no-op. */
export function initSync() {}
export * from '../lib/index.js';
