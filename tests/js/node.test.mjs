// The shared suite against the package's Node entry (ESM, initialized at import).
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
// Through the package's exports map, as a consumer would import it.
import * as api from 'orgwarden';
// The package's internals, for the suite's trap hook: the same module instance the entry uses.
import * as internals from '../../pkg/lib/module.js';
import { cases } from './suite.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));

for (const [name, run] of Object.entries(cases(api, fixture, internals))) {
  test(`node: ${name}`, run);
}
