// Entry points that initialize themselves at import (Node, Deno, workerd).
export * from '../dist/orgwarden.js';
export { initSync } from '../dist/orgwarden.js';
/** Already initialized at import; resolves at once. */
export default function init(): Promise<void>;
