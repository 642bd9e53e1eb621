/// <reference lib="esnext.disposable" />
// (Authorizer and the generated RawEngine declare [Symbol.dispose]; the directive gives
// that symbol to projects whose `lib` predates it, e.g. ["ES2022", "DOM"] with skipLibCheck off.)
// The browser entry: `await init()` (or `initSync({ module })`) once before anything else.
import type { InitInput, SyncInitInput } from '../dist/orgwarden.js';
export * from '../lib/index.js';
/** Fetches (or takes), compiles and instantiates the module. Without an argument it fetches the .wasm beside the glue. */
export default function init(moduleOrPath?: InitInput | Promise<InitInput>): Promise<void>;
/** Instantiates the module from a compiled `WebAssembly.Module` or its bytes. */
export function initSync(options: { module: SyncInitInput }): void;
