// Browsers and bundlers: call `await init()` (or `initSync({ module })`) once before use.
// Vite and other bundlers resolve the .wasm through `new URL(..., import.meta.url)`.
export { default, initSync } from '../dist/orgwarden.js';
export * from '../dist/orgwarden.js';
