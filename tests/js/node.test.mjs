// The shared suite against the package's Node entry (ESM, initialized at import), or the
// compiled runtime's (./node-compiled.test.mjs), through the exports map as a consumer imports it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { api, build, internals, label } from './build-under-test.mjs';
import { cases } from './suite.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));

for (const [name, run] of Object.entries(cases(api, fixture, internals, build))) {
  test(`node${label}: ${name}`, run);
}

test(`node${label}: a subscriber that throws neither fails the change nor stops the others; Node logs it`, () => {
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
