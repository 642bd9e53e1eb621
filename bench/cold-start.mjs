// One cold start, in a fresh Node process (bench/run.mjs spawns this several times):
//   node bench/cold-start.mjs orgwarden <snapshot.json> [--warm]
//   node bench/cold-start.mjs official <policies.cedar> <entities.json>
// The inputs are read from disk before the clock starts; what is timed is what a server pays
// before its first answer: import (compile + instantiate the .wasm), build the authorizer,
// load the data, answer one check. Then, apart, a first page and a custom authorizer. Prints
// one JSON line of milliseconds. ORGWARDEN_ENTRY may name another build's entry module
// (bench/run.mjs --pkg=DIR sets it).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const [mode, ...files] = process.argv.slice(2);
const ms = (from, to) => Number(to - from) / 1e6;
const now = () => process.hrtime.bigint();

const CUSTOM_POLICY = `@id("bench-members-see-billing")
permit (principal is User, action == Action::"viewBilling", resource is Organization)
when { principal in resource.members };`;

if (mode === 'orgwarden') {
  const snapshot = readFileSync(files[0], 'utf8');
  const t0 = now();
  const { Authorizer } = await import(process.env.ORGWARDEN_ENTRY || 'orgwarden');
  const t1 = now();
  const authz = new Authorizer();
  const t2 = now();
  const loaded = authz.loadSnapshot(snapshot);
  const t3 = now();
  const first = authz.check({ type: 'User', id: 'olivia' }, 'viewBilling', { type: 'Organization', id: 'acme' });
  const t4 = now();
  if (loaded.type !== 'success' || !first.allowed) throw new Error(`unexpected: ${JSON.stringify([loaded, first])}`);
  const times = { import: ms(t0, t1), construct: ms(t1, t2), load: ms(t2, t3), firstCheck: ms(t3, t4), total: ms(t0, t4) };
  // After the cold start, not part of it: what a page's first `allowedActions` adds (its row
  // plan comes preinitialized with the defaults), and what an authorizer that adds one custom
  // policy to the defaults costs (it parses and validates that policy only).
  const t5 = now();
  const page = authz.allowedActions({ type: 'User', id: 'olivia' }, { type: 'Organization', id: 'acme' });
  const t6 = now();
  const custom = new Authorizer({ policies: [{ name: 'custom.cedar', text: CUSTOM_POLICY }] });
  const t7 = now();
  if (page.type !== 'success' || custom.policies().length <= 1) throw new Error('unexpected page or custom set');
  Object.assign(times, { firstPage: ms(t5, t6), customConstruct: ms(t6, t7) });
  custom.free();
  if (files[1] === '--warm') {
    // Not part of the cold start: the same steps again once the code is warm (optimized
    // tier), which tells compilation apart from the work itself. The reload replaces the
    // store of the same authorizer (dropping the old one is part of it); a new authorizer is
    // freed at once, as leaked ones keep their memory until finalization and slow later loads.
    for (let i = 0; i < 3; i++) {
      authz.loadSnapshot(snapshot);
      new Authorizer().free();
    }
    const t5 = now();
    const fresh = new Authorizer();
    const t6 = now();
    fresh.free();
    const t7 = now();
    authz.loadSnapshot(snapshot);
    const t8 = now();
    Object.assign(times, { warmConstruct: ms(t5, t6), warmLoad: ms(t7, t8) });
  }
  console.log(JSON.stringify(times));
} else if (mode === 'official') {
  const policies = readFileSync(files[0], 'utf8');
  const entities = JSON.parse(readFileSync(files[1], 'utf8'));
  const t0 = now();
  const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs');
  const t1 = now();
  const parsed = cedar.preparsePolicySet('bench', { staticPolicies: policies });
  const t2 = now();
  const first = cedar.statefulIsAuthorized({
    principal: { type: 'User', id: 'olivia' }, action: { type: 'Action', id: 'viewBilling' },
    resource: { type: 'Organization', id: 'acme' }, context: {}, preparsedPolicySetId: 'bench', entities,
  });
  const t3 = now();
  if (parsed.type !== 'success' || first.type !== 'success' || first.response.decision !== 'allow') {
    throw new Error(`unexpected: ${JSON.stringify([parsed, first])}`);
  }
  console.log(JSON.stringify({ import: ms(t0, t1), construct: ms(t1, t2), load: 0, firstCheck: ms(t2, t3), total: ms(t0, t3) }));
} else {
  throw new Error('usage: cold-start.mjs orgwarden <snapshot.json> | official <policies.cedar> <entities.json>');
}
