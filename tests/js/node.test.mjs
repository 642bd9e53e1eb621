// The shared suite against the package's Node entry (ESM, initialized at import).
import { test } from 'node:test';
import assert from 'node:assert/strict';
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

test('node: a subscriber that throws neither fails the change nor stops the others; Node logs it', () => {
  const authz = new api.Authorizer();
  const heard = [];
  authz.subscribe(() => {
    throw new Error('listener');
  });
  authz.subscribe((event) => heard.push(event.change));
  const logged = [];
  const original = console.error;
  console.error = (...parts) => logged.push(parts.map(String).join(' '));
  try {
    assert.equal(authz.loadSnapshot(fixture).type, 'success');
  } finally {
    console.error = original;
  }
  assert.deepEqual(heard, ['loadSnapshot']);
  assert.match(logged.join('\n'), /subscribe\(\) listener threw: Error: listener/);
});
