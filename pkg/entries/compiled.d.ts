/// <reference lib="esnext.disposable" />
// (Authorizer and the generated RawEngine declare [Symbol.dispose]; the directive gives
// that symbol to projects whose `lib` predates it, e.g. ["ES2022", "DOM"] with skipLibCheck off.)
// The compiled runtime: `await init(module)` (or `initSync({ module })`) once, with the module
// `orgwarden compile` wrote; without one, the package's own compiled module (default policies).
// Policy and schema text is refused with `COMPILED_RUNTIME`: the policies are compiled in.
import type { InitInput, SyncInitInput } from '../dist/orgwarden_compiled.js';
export * from '../lib/index.js';
/** Compiles and instantiates the module: a URL to fetch, a path or file URL in Node and Deno, its bytes, or a `WebAssembly.Module`. */
export default function init(moduleOrPath?: InitInput | Promise<InitInput>): Promise<void>;
/** Instantiates the module from a compiled `WebAssembly.Module` or its bytes (in Node and Deno also a path). */
export function initSync(options?: { module?: SyncInitInput | string | URL }): void;
