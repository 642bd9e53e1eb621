// The `init` and `initSync` of an entry that the caller initializes (the browser entry and the
// compiled runtime's), for the wasm-bindgen glue of its module.
import { markReady } from './module.js';

export function initializers(glue) {
  return {
    /** Fetches (or takes), compiles and instantiates the module; resolves when the API is ready. */
    async init(moduleOrPath) {
      await glue.default(moduleOrPath === undefined ? undefined : { module_or_path: moduleOrPath });
      markReady(glue);
    },
    /** Instantiates the module from a `WebAssembly.Module` or its bytes: `initSync({ module })`. */
    initSync(options) {
      glue.initSync(options);
      markReady(glue);
    },
  };
}
