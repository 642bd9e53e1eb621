// The shared suite (tests/js/suite.mjs) inside real workerd: every case run in the isolate, as
// the response { name: null | failure text }. The workers for each build (./suite-worker.mjs,
// ./suite-worker-compiled.mjs) differ only in the entry they initialize.
import * as internals from '../../pkg/lib/module.js';
import { cases } from '../js/suite.mjs';
import fixtureText from '../fixtures/small-org.json';

export async function suiteOutcomes(api, build) {
  const outcomes = {};
  for (const [name, run] of Object.entries(cases(api, JSON.parse(fixtureText), internals, build))) {
    try {
      await run();
      outcomes[name] = null;
    } catch (error) {
      outcomes[name] = String(error && error.stack ? error.stack : error);
    }
  }
  return Response.json(outcomes);
}
