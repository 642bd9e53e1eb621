// The compiled runtime (`orgwarden/compiled`) in browsers, bundlers and workerd: a module whose
// ruleset `orgwarden compile` built ahead of time, and which has no policy or schema parser.
// Call `await init(module)` or `initSync({ module })` once, with your compiled module (in
// workerd, `import authz from './authz.wasm'` gives the WebAssembly.Module to pass). Without an
// argument, init() fetches the package's own compiled module (the default policies) beside the
// glue, as bundlers resolve `new URL('orgwarden_compiled_bg.wasm', import.meta.url)`.
import * as glue from '../dist/orgwarden_compiled.js';
import { initializers } from '../lib/entry.js';

const entry = initializers(glue);
export default entry.init;
export const initSync = entry.initSync;
export * from '../lib/index.js';
