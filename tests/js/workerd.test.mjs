// The package inside the real Workers runtime: miniflare runs tests/workerd/worker.mjs in
// workerd, with the .wasm imported as a precompiled WebAssembly.Module.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { cases } from './suite.mjs';

const worker = (script) => ({
  modules: true,
  scriptPath: fileURLToPath(new URL(`../workerd/${script}`, import.meta.url)),
  modulesRoot: fileURLToPath(new URL('../../', import.meta.url)),
  modulesRules: [
    // The wasm-bindgen glue is ESM; miniflare's default would read .js as CommonJS.
    { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
    { type: 'CompiledWasm', include: ['**/*.wasm'] },
    { type: 'Text', include: ['**/*.json'] },
  ],
  compatibilityDate: '2026-04-01',
  // Without this miniflare fetches request.cf data from the network.
  cf: false,
});

const mf = new Miniflare(worker('worker.mjs'));
// The shared suite on each build, each in its own isolate.
const suites = {
  full: new Miniflare(worker('suite-worker.mjs')),
  compiled: new Miniflare(worker('suite-worker-compiled.mjs')),
};

after(() => Promise.all([mf.dispose(), ...Object.values(suites).map((suite) => suite.dispose())]));

// The shared suite, case by case, from one run inside each isolate.
const outcomes = {};
for (const [build, suite] of Object.entries(suites)) {
  for (const name of Object.keys(cases({}, {}, {}, build))) {
    test(`workerd${build === 'full' ? '' : ` (${build})`}: ${name}`, async () => {
      outcomes[build] ??= await (await suite.dispatchFetch('http://worker.test/suite')).json();
      assert.ok(name in outcomes[build], 'the case ran in the isolate');
      assert.equal(outcomes[build][name], null);
    });
  }
}

const authorize = (query) => mf.dispatchFetch(`http://worker.test/authorize?${new URLSearchParams(query)}`);

test('workerd: an owner may delete the organization (ORG-2)', async () => {
  const response = await authorize({ user: 'olivia', action: 'deleteOrganization', type: 'Organization', id: 'acme' });
  assert.equal(response.status, 200);
  const decision = await response.json();
  assert.equal(decision.allowed, true);
  assert.equal(decision.policies[0].rule, 'ORG-2');
});

test('workerd: a member is refused with the policy reason (ORG-2)', async () => {
  const response = await authorize({ user: 'mia', action: 'deleteOrganization', type: 'Organization', id: 'acme' });
  assert.equal(response.status, 403);
  const decision = await response.json();
  assert.equal(decision.reason, 'Only owners can delete the organization');
});

test('workerd: the submitter cannot approve their own version (ALG-3)', async () => {
  const response = await authorize({ user: 'adam', action: 'approveVersion', type: 'AlgorithmVersion', id: 'sentiment@1' });
  assert.equal(response.status, 403);
  assert.equal((await response.json()).policies[0].rule, 'ALG-3');
});

test('workerd: an unknown user is denied with an error code (SEC-4)', async () => {
  const response = await authorize({ user: 'mallory', action: 'viewMembers', type: 'Organization', id: 'acme' });
  assert.equal(response.status, 403);
  const decision = await response.json();
  assert.equal(decision.type, 'failure');
  assert.equal(decision.errors[0].code, 'UNKNOWN_PRINCIPAL');
});

test('workerd: a malformed request is a 400', async () => {
  const response = await authorize({ user: 'olivia' });
  assert.equal(response.status, 400);
});
