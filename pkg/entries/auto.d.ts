/// <reference lib="esnext.disposable" />
// (Authorizer and the generated RawEngine declare [Symbol.dispose]; the directive gives
// that symbol to projects whose `lib` predates it, e.g. ["ES2022", "DOM"] with skipLibCheck off.)
// Entry points that initialize themselves at import (Node, Deno, workerd).
export * from '../lib/index.js';
/** Already initialized at import; resolves at once. */
export default function init(): Promise<void>;
/** Already initialized at import: a no-op. */
export function initSync(options?: unknown): void;
