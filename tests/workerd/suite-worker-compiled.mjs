// GET /suite: the shared suite on the compiled runtime, initialized as its README sample does
// in a Worker: the compiled .wasm imported as a WebAssembly.Module and given to initSync.
import * as api from '../../pkg/entries/compiled.js';
import compiledModule from '../../pkg/dist/orgwarden_compiled_bg.wasm';
import { suiteOutcomes } from './suite-outcomes.mjs';

api.initSync({ module: compiledModule });

export default {
  fetch: () => suiteOutcomes(api, 'compiled'),
};
