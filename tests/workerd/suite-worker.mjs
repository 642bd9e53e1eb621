// GET /suite: the shared suite on the package's workerd entry, which imports the .wasm as a
// precompiled WebAssembly.Module as workerd requires (./suite-outcomes.mjs).
import * as api from '../../pkg/entries/workerd.js';
import { suiteOutcomes } from './suite-outcomes.mjs';

export default {
  fetch: () => suiteOutcomes(api, 'full'),
};
