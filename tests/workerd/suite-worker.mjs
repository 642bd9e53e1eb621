// The shared suite (tests/js/suite.mjs) inside real workerd: GET /suite runs every case in the
// isolate and answers { name: null | failure text }. The entry is the package's workerd entry,
// which imports the .wasm as a precompiled WebAssembly.Module as workerd requires.
import * as api from '../../pkg/entries/workerd.js';
import * as internals from '../../pkg/lib/module.js';
import { cases } from '../js/suite.mjs';
import fixtureText from '../fixtures/small-org.json';

export default {
  async fetch() {
    const outcomes = {};
    for (const [name, run] of Object.entries(cases(api, JSON.parse(fixtureText), internals))) {
      try {
        await run();
        outcomes[name] = null;
      } catch (error) {
        outcomes[name] = String(error && error.stack ? error.stack : error);
      }
    }
    return Response.json(outcomes);
  },
};
