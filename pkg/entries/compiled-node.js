// The compiled runtime (`orgwarden/compiled`) in Node and Deno. Call `await init(source)` or
// `initSync({ module })` once: `source` is your compiled module as a path, a file URL, bytes or
// a WebAssembly.Module; without one, the package's own compiled module (the default policies).
import { readFileSync } from 'node:fs';
import * as glue from '../dist/orgwarden_compiled.js';
import { initializers } from '../lib/entry.js';

const entry = initializers(glue);
const packaged = new URL('../dist/orgwarden_compiled_bg.wasm', import.meta.url);

/** A path or file URL is read here: the glue would `fetch` it, which Node does not do for files. */
function readable(source) {
  if (source === undefined) return readFileSync(packaged);
  if (typeof source === 'string' || source instanceof URL) return readFileSync(source);
  return source;
}

/**
 * Node compiles a module from bytes synchronously in about a third of the time its async
 * compile takes (the async one is what browsers need), so bytes, paths and modules are
 * instantiated at once; a Response or a URL to fetch goes through the glue.
 */
export default async function init(source) {
  const resolved = readable(await source);
  if (resolved instanceof WebAssembly.Module || ArrayBuffer.isView(resolved) || resolved instanceof ArrayBuffer) {
    entry.initSync({ module: resolved });
  } else {
    await entry.init(resolved);
  }
}

export function initSync(options) {
  entry.initSync({ module: readable(options?.module) });
}
export * from '../lib/index.js';
