// The shared suite against the package's Node entry (ESM, initialized at import).
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
// Through the package's exports map, as a consumer would import it.
import * as api from 'orgwarden';
import { cases } from './suite.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));

for (const [name, run] of Object.entries(cases(api, fixture))) {
  test(`node: ${name}`, run);
}
