// `orgwarden/orgs` in Node: one Authorizer per organization, loaded from a source at request
// time, kept warm, revalidated by version, evicted under a budget. Through the package's
// exports map, as a consumer imports it; the entry ('orgwarden') initializes the module.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import { api, build, label } from './build-under-test.mjs';
import { createOrgAuthorizers, kvSource, r2Source, fetchSource, durableObjectSource } from 'orgwarden/orgs';

const { Authorizer, OrgwardenError, moduleStatus } = api;
// The package's internals, for the trap hook: the same module instance the entry uses.
import * as internals from '../../pkg/lib/module.js';
import { orgSnapshot } from './org-snapshots.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));
const user = (id) => ({ type: 'User', id });
const org = (id) => ({ type: 'Organization', id });

const acme = orgSnapshot(fixture, 'acme');
const globex = orgSnapshot(fixture, 'globex');

/** A copy of acme renamed `id` (same users, same shape: 78 entities with the action entities). */
const acmeAs = (id) => JSON.parse(JSON.stringify(acme).replaceAll('"acme"', JSON.stringify(id)));

/** acme renamed `id`, with `extra` more members: a larger org of the same shape. */
function acmeGrownAs(id, extra) {
  const copy = acmeAs(id);
  for (let i = 0; i < extra; i++) {
    copy.users.push({ id: `extra${i}`, email: `extra${i}@example.test`, mfaEnabled: true, passwordCompliant: true });
    copy.organizations[0].members.push({ user: `extra${i}`, role: 'member' });
  }
  return copy;
}

/** acme with mia promoted to owner: a version whose decisions differ. */
function acmeWithMiaOwner() {
  const copy = structuredClone(acme);
  copy.organizations[0].members.find((m) => m.user === 'mia').role = 'owner';
  return copy;
}

/** acme without an owner: refused by the engine (INVALID_SNAPSHOT). */
function acmeWithoutOwner(id = 'acme') {
  const copy = acmeAs(id);
  copy.organizations[0].members = copy.organizations[0].members.filter((m) => m.role !== 'owner');
  return copy;
}

/**
 * An in-memory source: `orgs` maps an org id to { snapshot, version }; it answers notModified
 * when given the version it holds, and records every call.
 */
function memorySource(orgs = {}) {
  const store = new Map(Object.entries(orgs));
  const calls = [];
  const source = async (orgId, { version }) => {
    calls.push({ orgId, version });
    const found = store.get(orgId);
    if (!found) return null;
    if (found.fail) throw new Error(found.fail);
    if (version !== null && version === found.version) return { notModified: true };
    return { snapshot: found.snapshot, version: found.version };
  };
  return { source, store, calls };
}

const clock = (start = 1_000) => {
  const c = { t: start, now: () => c.t, advance: (ms) => (c.t += ms) };
  return c;
};

const deleteAcme = (orgs, who, orgId = 'acme') => orgs.check(orgId, user(who), 'deleteOrganization', org(orgId));

test(`orgs${label}: the first request builds the org, warm requests hit without asking the source`, async () => {
  const { source, calls } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source });
  const first = await orgs.forOrg('acme');
  assert.equal(first.type, 'success');
  assert.equal(first.version, 'v1');
  assert.equal(first.stale, false);
  assert.ok(first.authorizer instanceof Authorizer);
  for (let i = 0; i < 20; i++) {
    const decision = await deleteAcme(orgs, 'olivia');
    assert.equal(decision.allowed, true);
  }
  assert.equal((await deleteAcme(orgs, 'mia')).reason, 'Only owners can delete the organization');
  assert.equal(calls.length, 1);
  const status = orgs.status();
  assert.equal(status.orgs, 1);
  assert.equal(status.builds, 1);
  assert.equal(status.misses, 1);
  assert.equal(status.hits, 21);
  assert.equal(status.entities, first.authorizer.entityCount());
  assert.deepEqual(status.resident.map((r) => [r.orgId, r.version, r.stale]), [['acme', 'v1', false]]);
  assert.equal(status.memoryBytes, moduleStatus().memoryBytes);
  orgs.clear();
});

test(`orgs${label}: concurrent requests for one org share one load (coalescing)`, async () => {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  let calls = 0;
  const orgs = createOrgAuthorizers({
    source: async () => {
      calls += 1;
      await gate;
      return { snapshot: acme, version: 'v1' };
    },
  });
  const pending = [orgs.forOrg('acme'), orgs.forOrg('acme'), deleteAcme(orgs, 'olivia'), deleteAcme(orgs, 'mia')];
  release();
  const [a, b, owner, member] = await Promise.all(pending);
  assert.equal(calls, 1);
  assert.equal(a.authorizer, b.authorizer);
  assert.equal(owner.allowed, true);
  assert.equal(member.allowed, false);
  const status = orgs.status();
  assert.equal(status.sourceCalls, 1);
  assert.equal(status.builds, 1);
  assert.equal(status.coalesced, 3);
  orgs.clear();
});

test(`orgs${label}: revalidation — notModified keeps the authorizer, a new version is swapped in and the old one freed`, async () => {
  const c = clock();
  const { source, store, calls } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, now: c.now });
  const v1 = (await orgs.forOrg('acme')).authorizer;
  c.advance(999);
  assert.equal((await orgs.forOrg('acme')).authorizer, v1, 'not yet due');
  assert.equal(calls.length, 1);

  c.advance(1);
  const same = await orgs.forOrg('acme');
  assert.equal(same.authorizer, v1, 'notModified keeps the built authorizer');
  assert.deepEqual(calls.at(-1), { orgId: 'acme', version: 'v1' });
  assert.equal(orgs.status().builds, 1);

  store.set('acme', { snapshot: acmeWithMiaOwner(), version: 'v2' });
  c.advance(500);
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, false, 'v1 answers until it is due again');
  c.advance(500);
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true, 'v2 answers once revalidated');
  const v2 = await orgs.forOrg('acme');
  assert.equal(v2.version, 'v2');
  assert.notEqual(v2.authorizer, v1);
  assert.equal(v1.check(user('olivia'), 'deleteOrganization', org('acme')).errors[0].code, 'AUTHORIZER_FREED');
  assert.equal(orgs.status().builds, 2);
  assert.equal(orgs.status().revalidations, 2);

  // A source that ignores the version but answers the same one: nothing is rebuilt.
  const ignoring = createOrgAuthorizers({ source: async () => ({ snapshot: acme, version: 'same' }), revalidateAfterMs: 0, now: c.now });
  const kept = (await ignoring.forOrg('acme')).authorizer;
  assert.equal((await ignoring.forOrg('acme')).authorizer, kept);
  assert.equal(ignoring.status().builds, 1);
  ignoring.clear();
  orgs.clear();
});

test(`orgs${label}: a refused new version keeps the old one while serveStaleForMs allows, then denies`, async () => {
  const c = clock();
  const { source, store } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, serveStaleForMs: 5_000, now: c.now });
  const v1 = (await orgs.forOrg('acme')).authorizer;

  store.set('acme', { snapshot: acmeWithoutOwner(), version: 'v2-broken' });
  c.advance(1_000);
  const stale = await orgs.forOrg('acme');
  assert.equal(stale.type, 'success');
  assert.equal(stale.stale, true);
  assert.equal(stale.version, 'v1');
  assert.equal(stale.authorizer, v1, 'never a half-loaded org: the old authorizer, untouched');
  assert.equal(stale.refreshError.code, 'INVALID_SNAPSHOT');
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  assert.equal(orgs.status().resident[0].stale, true);

  c.advance(4_999);
  assert.equal((await orgs.forOrg('acme')).stale, true, 'still within serveStaleForMs');
  c.advance(1);
  const denied = await deleteAcme(orgs, 'olivia');
  assert.equal(denied.type, 'failure');
  assert.equal(denied.allowed, false);
  assert.equal(denied.errors[0].code, 'INVALID_SNAPSHOT');
  assert.equal(orgs.status().orgs, 0);
  assert.equal(v1.check(user('olivia'), 'deleteOrganization', org('acme')).errors[0].code, 'AUTHORIZER_FREED');

  // Fixed in the source: picked up at the next revalidation.
  store.set('acme', { snapshot: acmeWithMiaOwner(), version: 'v3' });
  c.advance(1_000);
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true);
  assert.equal((await orgs.forOrg('acme')).stale, false);
  orgs.clear();
});

test(`orgs${label}: when the stale window closes and a refresh is due, the source is asked before anything is denied`, async () => {
  const c = clock();
  const { source, store, calls } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, serveStaleForMs: 5_000, now: c.now });
  await orgs.forOrg('acme');
  store.set('acme', { snapshot: acmeWithoutOwner(), version: 'v2-broken' });
  c.advance(1_000);
  assert.equal((await orgs.forOrg('acme')).stale, true);
  // Nobody asks while the window runs out; meanwhile the source is fixed.
  store.set('acme', { snapshot: acmeWithMiaOwner(), version: 'v3' });
  c.advance(6_000);
  const fixed = await deleteAcme(orgs, 'mia');
  assert.equal(fixed.allowed, true, JSON.stringify(fixed));
  assert.deepEqual(calls.at(-1), { orgId: 'acme', version: 'v2-broken' });
  assert.equal((await orgs.forOrg('acme')).version, 'v3');
  orgs.clear();
});

test(`orgs${label}: a clock that goes back makes the org due, never fresh for longer`, async () => {
  const c = clock(1_000_000);
  const { source, store, calls } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, serveStaleForMs: 5_000, now: c.now });
  await orgs.forOrg('acme');
  store.set('acme', { snapshot: acmeWithMiaOwner(), version: 'v2' });
  c.advance(-3_600_000);
  assert.equal(orgs.status().resident[0].ageMs, Infinity, 'an age the clock cannot tell is unknown, never negative');
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true, 'revalidated at once');
  assert.equal(orgs.status().resident[0].ageMs, 0);
  assert.equal(calls.length, 2);
  // A stale window does not stay open either.
  store.set('acme', { snapshot: acmeWithoutOwner(), version: 'v3-broken' });
  c.advance(1_000);
  assert.equal((await orgs.forOrg('acme')).stale, true);
  c.advance(-60_000);
  const denied = await orgs.forOrg('acme');
  assert.equal(denied.type, 'failure');
  assert.equal(denied.errors[0].code, 'INVALID_SNAPSHOT');
  orgs.clear();
});

test(`orgs${label}: the ids . and .. are refused: a source puts the id in a path`, async () => {
  const { source, calls } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source });
  for (const id of ['.', '..']) {
    const refused = await orgs.forOrg(id);
    assert.equal(refused.errors[0].code, 'INVALID_REQUEST', id);
    assert.equal((await orgs.check(id, user('olivia'), 'deleteOrganization', org(id))).allowed, false);
  }
  assert.equal((await orgs.forOrg('...')).type, 'failure', 'an id of three dots is an id (not in the source)');
  assert.deepEqual(calls.map((c) => c.orgId), ['...']);
  orgs.clear();
});

test(`orgs${label}: by default (serveStaleForMs 0) a failed refresh denies at once; the source failing is ORG_UNAVAILABLE`, async () => {
  const c = clock();
  const { source, store } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, now: c.now });
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  store.set('acme', { ...store.get('acme'), fail: 'KV is down', version: 'v2' });
  c.advance(1_000);
  const denied = await deleteAcme(orgs, 'olivia');
  assert.equal(denied.errors[0].code, 'ORG_UNAVAILABLE');
  assert.match(denied.reason, /KV is down/);
  // An unavailable source is not remembered: the next request asks again.
  store.set('acme', { snapshot: acme, version: 'v2' });
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);

  // With a stale window, the source failing keeps the last good version.
  const tolerant = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, serveStaleForMs: 60_000, now: c.now });
  await tolerant.forOrg('acme');
  store.set('acme', { fail: 'KV is down' });
  c.advance(1_000);
  const stale = await tolerant.forOrg('acme');
  assert.equal(stale.stale, true);
  assert.equal(stale.refreshError.code, 'ORG_UNAVAILABLE');
  assert.equal((await tolerant.check('acme', user('olivia'), 'deleteOrganization', org('acme'))).allowed, true);
  // A deleted org is an answer, not a failure: it denies at once, stale window or not.
  store.delete('acme');
  c.advance(1_000);
  assert.equal((await tolerant.check('acme', user('olivia'), 'deleteOrganization', org('acme'))).errors[0].code, 'ORG_NOT_FOUND');
  orgs.clear();
  tolerant.clear();
});

test(`orgs${label}: a source answers only a source's error codes; an engine's or an unknown one is ORG_UNAVAILABLE`, async () => {
  const answers = {
    gone: { error: { code: 'ORG_NOT_FOUND', message: 'deleted' } },
    large: { error: { code: 'ORG_TOO_LARGE', message: 'too many members' } },
    trapped: { error: { code: 'ENGINE_TRAPPED', message: 'pretends' } },
    reset: { error: { code: 'ENGINE_RESET', message: 'pretends' } },
    unknown: { error: { code: 'KV_DOWN', message: 'KV is down' } },
    number: { error: { code: 503, message: 'KV is down' } },
    none: { error: { message: 'KV is down' } },
  };
  const orgs = createOrgAuthorizers({ source: async (orgId) => answers[orgId] });
  const resets = moduleStatus().resets;
  const codeOf = async (orgId) => (await orgs.check(orgId, user('olivia'), 'viewOrganization', org(orgId))).errors[0];
  assert.equal((await codeOf('gone')).code, 'ORG_NOT_FOUND');
  assert.equal((await codeOf('large')).code, 'ORG_TOO_LARGE');
  for (const [orgId, named] of [['trapped', '"ENGINE_TRAPPED"'], ['reset', '"ENGINE_RESET"'], ['unknown', '"KV_DOWN"'], ['number', 'number']]) {
    const error = await codeOf(orgId);
    assert.equal(error.code, 'ORG_UNAVAILABLE', orgId);
    assert.ok(error.message.includes(`the source's code ${named}`), error.message);
  }
  assert.deepEqual(await codeOf('none'), { code: 'ORG_UNAVAILABLE', message: 'KV is down' });
  assert.equal(moduleStatus().resets, resets, 'no reset happened');
  orgs.clear();
});

test(`orgs${label}: maxOrgs evicts the least recently used org and frees its authorizer`, async () => {
  const { source, calls } = memorySource({ a: { snapshot: acmeAs('a'), version: '1' }, b: { snapshot: acmeAs('b'), version: '1' }, c: { snapshot: acmeAs('c'), version: '1' } });
  const orgs = createOrgAuthorizers({ source, maxOrgs: 2 });
  const a = (await orgs.forOrg('a')).authorizer;
  const b = (await orgs.forOrg('b')).authorizer;
  await orgs.forOrg('a'); // a is now more recent than b
  await orgs.forOrg('c');
  assert.deepEqual(orgs.status().resident.map((r) => r.orgId), ['a', 'c']);
  assert.equal(orgs.status().evictions, 1);
  assert.equal(b.check(user('olivia'), 'deleteOrganization', org('b')).errors[0].code, 'AUTHORIZER_FREED');
  assert.equal(a.isAllowed(user('olivia'), 'deleteOrganization', org('a')), true);
  // An evicted org is loaded again on its next request.
  assert.equal((await deleteAcme(orgs, 'olivia', 'b')).allowed, true);
  assert.deepEqual(calls.map((call) => call.orgId), ['a', 'b', 'c', 'b']);
  orgs.clear();
});

test(`orgs${label}: loadTimeoutMs bounds each round of asking the source: a load that must ask twice is waited for`, async () => {
  // a is due; the source takes ROUND ms to answer notModified for a's version, and meanwhile
  // b's load evicts a (maxOrgs 1), so a's load asks again for the whole org: another ROUND ms.
  // Each round is within the limit and both together are not, by 150 ms either way (room for
  // a busy machine's timers). `secondRound` is what the source does when asked again.
  const ROUND = 300;
  const LIMIT = 450;
  // Timers may fire a millisecond before Date.now() says they are due.
  const EARLY = 5;
  async function dueAndEvicted(secondRound) {
    const { source, calls } = memorySource({ a: { snapshot: acmeAs('a'), version: '1' }, b: { snapshot: acmeAs('b'), version: '1' } });
    let slow = false;
    const slowSource = async (orgId, given) => {
      if (slow && orgId === 'a') {
        if (given.version === null) return secondRound(() => source(orgId, given));
        await new Promise((resolve) => setTimeout(resolve, ROUND));
      }
      return source(orgId, given);
    };
    const c = clock();
    const orgs = createOrgAuthorizers({ source: slowSource, maxOrgs: 1, revalidateAfterMs: 1_000, loadTimeoutMs: LIMIT, now: c.now });
    assert.equal((await deleteAcme(orgs, 'olivia', 'a')).allowed, true);
    c.advance(1_000);
    slow = true;
    const started = Date.now();
    const pending = [deleteAcme(orgs, 'olivia', 'a'), orgs.withOrg('a', (authorizer) => authorizer.isAllowed(user('olivia'), 'deleteOrganization', org('a')))];
    assert.equal((await deleteAcme(orgs, 'olivia', 'b')).allowed, true);
    const [decision, used] = await Promise.all(pending);
    const waited = Date.now() - started;
    orgs.clear();
    return { decision, used, waited, asked: calls.map((call) => [call.orgId, call.version]) };
  }

  const twice = await dueAndEvicted(async (answer) => {
    await new Promise((resolve) => setTimeout(resolve, ROUND));
    return answer();
  });
  assert.equal(twice.decision.allowed, true, JSON.stringify(twice.decision));
  assert.equal(twice.used.value, true, JSON.stringify(twice.used));
  assert.ok(twice.waited >= 2 * ROUND - EARLY, `${twice.waited} ms`);
  assert.deepEqual(twice.asked, [['a', null], ['b', null], ['a', '1'], ['a', null]]);

  // The second round has its own limit: a source that never answers it times out.
  const hangs = await dueAndEvicted(() => new Promise(() => {}));
  assert.equal(hangs.decision.errors[0].code, 'ORG_UNAVAILABLE');
  assert.match(hangs.decision.errors[0].message, new RegExp(`within ${LIMIT} ms`));
  assert.equal(hangs.used.errors[0].code, 'ORG_UNAVAILABLE');
  assert.ok(hangs.waited >= ROUND + LIMIT - EARLY && hangs.waited < ROUND + 3 * LIMIT, `${hangs.waited} ms`);
});

test(`orgs${label}: a burst of more orgs than maxOrgs answers every check, each org built once, within the budget`, async () => {
  const ids = Array.from({ length: 12 }, (_, i) => `burst${i}`);
  // Every source answer arrives in the same turn, so each build evicts the orgs built before
  // it before the requests waiting for those would have resumed.
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const source = async (orgId) => {
    await gate;
    return { snapshot: acmeAs(orgId), version: '1' };
  };
  const orgs = createOrgAuthorizers({ source, maxOrgs: 2 });
  const pending = ids.map((id) => deleteAcme(orgs, 'olivia', id));
  // Two requests for one org share its load, and both are decided on it.
  const again = deleteAcme(orgs, 'mia', 'burst0');
  // withOrg uses its org as check does: the pages of three orgs built amid the others.
  // Each use sees how many orgs are resident as it runs: never more than the budget.
  const resident = [];
  const pages = ids.slice(0, 3).map((id) => orgs.withOrg(id, (authorizer) => {
    resident.push(orgs.status().orgs);
    return authorizer.allowedActions(user('olivia'), org(id));
  }));
  release();
  const decisions = await Promise.all(pending);
  assert.deepEqual(decisions.map((d) => d.errors?.[0]?.code ?? d.allowed), ids.map(() => true));
  assert.equal((await again).allowed, false);
  assert.equal((await again).errors, undefined);
  for (const page of await Promise.all(pages)) {
    assert.equal(page.type, 'success');
    assert.equal(page.value.type, 'success', JSON.stringify(page.value.errors));
    assert.ok(page.value.allowed.includes('deleteOrganization'));
  }
  assert.deepEqual(resident, [1, 2, 2]);
  const status = orgs.status();
  assert.equal(status.builds, ids.length);
  assert.equal(status.orgs, 2);
  assert.equal(status.evictions, ids.length - 2);
  orgs.clear();
});

test(`orgs${label}: withOrg answers what its use answered, or the org's failure; a use that throws rejects`, async () => {
  const { source } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source });
  const count = await orgs.withOrg('acme', (authorizer) => authorizer.entityCount());
  assert.deepEqual(count, { type: 'success', value: count.value, version: 'v1', stale: false });
  assert.ok(count.value > 50);
  const missing = await orgs.withOrg('nowhere', () => assert.fail('used without an org'));
  assert.equal(missing.errors[0].code, 'ORG_NOT_FOUND');
  assert.equal((await orgs.withOrg('acme', 'check')).errors[0].code, 'INVALID_REQUEST');
  await assert.rejects(orgs.withOrg('acme', () => { throw new RangeError('mine'); }), RangeError);
  // An async use is awaited.
  const later = await orgs.withOrg('acme', async (authorizer) => authorizer.isAllowed(user('olivia'), 'deleteOrganization', org('acme')));
  assert.equal(later.value, true);
  orgs.clear();
});

test(`orgs${label}: a use that frees its org, or traps the module, leaves the requests queued behind it a live org`, async () => {
  const deletes = (orgs) => orgs.withOrg('acme', (authorizer) => authorizer.check(user('olivia'), 'deleteOrganization', org('acme')));
  for (const [what, firstUse] of [
    ['removeOrganization', (orgs) => () => orgs.removeOrganization('acme')],
    ['upsertOrganization', (orgs) => () => orgs.upsertOrganization('acme', acmeWithMiaOwner(), 'v2')],
    // The trap hits the next call into the module: this use's own.
    ['a trap', () => (authorizer) => {
      internals.armTrapForTests();
      return authorizer.check(user('olivia'), 'viewBilling', org('acme'));
    }],
  ]) {
    let release;
    const gate = new Promise((resolve) => (release = resolve));
    const orgs = createOrgAuthorizers({ source: async () => (await gate, { snapshot: acme, version: 'v1' }) });
    // All four wait on one load of acme; the first one's use runs first and changes the org.
    const first = orgs.withOrg('acme', firstUse(orgs));
    const queued = [deletes(orgs), deletes(orgs), orgs.check('acme', user('olivia'), 'deleteOrganization', org('acme'))];
    release();
    assert.equal((await first).type, 'success', what);
    const [one, two, decided] = await Promise.all(queued);
    assert.deepEqual([one.value.allowed, two.value.allowed, decided.allowed], [true, true, true], `${what}: ${JSON.stringify([one, two, decided])}`);
    orgs.clear();
  }
});

test(`orgs${label}: a use that throws any value rejects with it, null included`, async () => {
  const { source } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source });
  for (const thrown of [null, undefined, 0, 'text']) {
    await assert.rejects(orgs.withOrg('acme', () => { throw thrown; }), (error) => error === thrown);
  }
  orgs.clear();
});

test(`orgs${label}: maxEntities is a budget of resident entities; an org larger than all of it is refused`, async () => {
  const probe = new Authorizer();
  probe.loadSnapshot(acme);
  const perOrg = probe.entityCount();
  probe.free();
  const snapshots = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, { snapshot: acmeAs(id), version: '1' }]));
  const { source } = memorySource({ ...snapshots, big: { snapshot: acmeGrownAs('big', 20), version: '1' } });
  const orgs = createOrgAuthorizers({ source, maxEntities: perOrg * 2 + 1 });
  for (const id of ['a', 'b', 'c', 'd']) assert.equal((await deleteAcme(orgs, 'olivia', id)).allowed, true);
  const status = orgs.status();
  assert.deepEqual(status.resident.map((r) => r.orgId), ['c', 'd']);
  assert.equal(status.entities, perOrg * 2);
  assert.equal(status.evictions, 2);

  const tight = createOrgAuthorizers({ source, maxEntities: perOrg });
  const refused = await tight.forOrg('big');
  assert.equal(refused.type, 'failure');
  assert.equal(refused.errors[0].code, 'LIMIT_EXCEEDED');
  assert.match(refused.errors[0].message, new RegExp(`^org "big": entities with the schema's actions \\(\\d+\\) exceeds the limit of ${perOrg}$`));
  assert.equal(tight.status().orgs, 0);
  orgs.clear();
  tight.clear();
});

test(`orgs${label}: maxStoreBytes is a budget of the module memory resident stores hold; updates count; a larger org is refused`, async () => {
  const probe = new Authorizer();
  probe.loadSnapshot(acmeAs('p'));
  const perOrg = probe.storeBytes();
  probe.free();
  assert.ok(perOrg > 0, `a store of acme holds ${perOrg} bytes`);
  const budget = Math.floor(perOrg * 2.5);
  const snapshots = Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, { snapshot: acmeAs(id), version: '1' }]));
  const { source } = memorySource({ ...snapshots, big: { snapshot: acmeGrownAs('big', 20), version: '1' } });
  const orgs = createOrgAuthorizers({ source, maxStoreBytes: budget });
  for (const id of ['a', 'b', 'c', 'd']) assert.equal((await deleteAcme(orgs, 'olivia', id)).allowed, true);
  let status = orgs.status();
  assert.deepEqual(status.resident.map((r) => [r.orgId, r.storeBytes]), [['c', perOrg], ['d', perOrg]]);
  assert.equal(status.storeBytes, perOrg * 2);
  assert.equal(status.maxStoreBytes, budget);
  assert.equal(status.evictions, 2);

  // An update through the authorizer the registry gave grows its store (100 teams: over half an
  // org of acme's size); the budget follows it and the least recently used org goes.
  const d = (await orgs.forOrg('d')).authorizer;
  const teams = Array.from({ length: 100 }, (_, i) => ({
    uid: { type: 'Team', id: `t${i}` },
    attrs: { org: { type: 'Organization', id: 'd' }, name: `T${i}`, complianceLabels: [] },
    parents: [],
  }));
  assert.equal(d.upsertEntities(teams).type, 'success');
  assert.ok(d.storeBytes() > perOrg * 1.5, `d holds ${d.storeBytes()} bytes after the update`);
  status = orgs.status();
  assert.deepEqual(status.resident.map((r) => r.orgId), ['d']);
  assert.equal(status.storeBytes, d.storeBytes());
  assert.equal(status.evictions, 3);
  assert.equal(d.isAllowed(user('olivia'), 'deleteOrganization', org('d')), true);
  // A refused change tells no subscriber; what it kept is counted at the org's next use.
  const selfParent = { type: 'Team', id: 'loop' };
  const refusedUpdate = d.upsertEntities([{ uid: selfParent, attrs: { org: org('d'), name: 'L', complianceLabels: [] }, parents: [selfParent] }]);
  assert.equal(refusedUpdate.type, 'failure');
  assert.equal((await orgs.forOrg('d')).type, 'success');
  assert.equal(orgs.status().storeBytes, d.storeBytes());

  // An org whose store alone is over the budget is refused, and nothing else changes.
  const tight = createOrgAuthorizers({ source, maxStoreBytes: perOrg });
  assert.equal((await tight.forOrg('a')).type, 'success');
  const refused = await tight.forOrg('big');
  assert.equal(refused.type, 'failure');
  assert.equal(refused.errors[0].code, 'LIMIT_EXCEEDED');
  assert.match(refused.errors[0].message, /more than maxStoreBytes/);
  assert.deepEqual(tight.status().resident.map((r) => r.orgId), ['a']);
  assert.equal(tight.status().storeBytes, perOrg);

  orgs.clear();
  tight.clear();
  assert.equal(orgs.status().storeBytes, 0);
  assert.equal(tight.status().storeBytes, 0);
  for (const bad of [0, -1, 1.5, NaN, '1000', null]) {
    assert.throws(() => createOrgAuthorizers({ source, maxStoreBytes: bad }), { code: 'INVALID_REQUEST' }, String(bad));
  }
  assert.equal(createOrgAuthorizers({ source }).status().maxStoreBytes, 64 * 1024 * 1024);
  assert.equal(createOrgAuthorizers({ source, maxStoreBytes: Infinity }).status().maxStoreBytes, Infinity);
});

test(`orgs${label}: maxSnapshotBytes measures what is loaded: a snapshot read once, never again after it was measured`, async () => {
  let reads = 0;
  // undefined the first time, the whole org after: measuring one value and loading another
  // would let any size through.
  const shifting = { toJSON: () => (reads++ === 0 ? undefined : acme) };
  const orgs = createOrgAuthorizers({ source: () => ({ snapshot: shifting, version: 'v1' }), maxSnapshotBytes: 100 });
  const decision = await deleteAcme(orgs, 'olivia');
  assert.equal(decision.allowed, false);
  assert.equal(reads, 1);
  assert.deepEqual(orgs.status().resident, []);
  const tooLarge = createOrgAuthorizers({ source: () => ({ snapshot: acme, version: 'v1' }), maxSnapshotBytes: 100 });
  assert.equal((await deleteAcme(tooLarge, 'olivia')).errors[0].code, 'ORG_TOO_LARGE');
});

test(`orgs${label}: module memory does not grow across 200 load/evict cycles`, async () => {
  const sourceOf = async (orgId) => ({ snapshot: acmeAs(orgId), version: '1' });
  const orgs = createOrgAuthorizers({ source: sourceOf, maxOrgs: 4 });
  const cycle = async (from, count) => {
    for (let i = from; i < from + count; i++) {
      const decision = await deleteAcme(orgs, 'olivia', `org${i}`);
      assert.equal(decision.allowed, true);
    }
  };
  // Warm-up: the allocator reaches its working set (in about 60 cycles; flat after, through
  // thousands).
  await cycle(0, 100);
  const before = moduleStatus().memoryBytes;
  await cycle(100, 200);
  const afterBytes = moduleStatus().memoryBytes;
  const status = orgs.status();
  assert.equal(status.orgs, 4);
  assert.equal(status.builds, 300);
  assert.equal(status.evictions, 296);
  assert.equal(afterBytes, before, `the module grew from ${before} to ${afterBytes} bytes`);
  orgs.clear();
});

test(`orgs${label}: forOrg's authorizer serves its org alone: its holder may load that org's snapshot and upsert its entities, no other's, and no raw store`, async () => {
  const { source } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source });
  const held = (await orgs.forOrg('acme')).authorizer;
  // oscar owns globex: with globex's snapshot under acme, he could delete it through acme's routing.
  const other = held.loadSnapshot(globex);
  assert.equal(other.type, 'failure');
  assert.equal(other.errors[0].code, 'ORG_MISMATCH');
  assert.equal((await orgs.check('acme', user('oscar'), 'deleteOrganization', org('globex'))).allowed, false);
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  // Named explicitly, another org is refused before the snapshot is read.
  const named = held.loadSnapshot(acme, { organization: 'globex' });
  assert.equal(named.errors[0].code, 'ORG_MISMATCH');
  assert.match(named.errors[0].message, /serves organization "acme"/);
  // Its store is replaced by snapshots only.
  const raw = held.loadEntities([]);
  assert.equal(raw.errors[0].code, 'ORG_MISMATCH');
  assert.equal(held.entityCount(), orgs.status().resident[0].entityCount);
  // An upsert takes acme's entities and entities of no org; another org's is refused, the store kept.
  const team = (id, orgId) => ({
    uid: { type: 'Team', id },
    attrs: { org: { __entity: { type: 'Organization', id: orgId } }, name: id, complianceLabels: [] },
    parents: [],
  });
  const count = held.entityCount();
  const refused = held.upsertEntities([team('acme-new', 'acme'), team('globex-new', 'globex')]);
  assert.equal(refused.errors[0].code, 'ORG_MISMATCH');
  assert.match(refused.errors[0].message, /serves organization `acme` alone, but the upsert holds Team::"globex-new" of organization Organization::"globex"/);
  assert.equal(held.entityCount(), count);
  // A membership whose id names globex (membershipId('globex', …)) is refused, though its `org` says acme.
  const planted = { uid: { type: 'Membership', id: api.membershipId('globex', 'oscar') }, attrs: { org: { __entity: { type: 'Organization', id: 'acme' } }, member: { __entity: { type: 'User', id: 'mia' } }, role: 'member', email: 'mia@acme.test' }, parents: [] };
  const plantedAnswer = held.upsertEntities([planted]);
  assert.equal(plantedAnswer.errors[0].code, 'ORG_MISMATCH');
  assert.match(plantedAnswer.errors[0].message, /holds Membership::"globex\/oscar", whose id names organization `globex`$/);
  assert.equal((await orgs.check('acme', user('olivia'), 'removeMember', planted.uid)).allowed, false);
  assert.equal(held.entityCount(), count);
  assert.equal(held.upsertEntities([team('acme-new', 'acme')]).type, 'success');
  const newcomer = { uid: { type: 'User', id: 'zoe' }, attrs: { email: 'zoe@example.test', name: 'zoe', mfaEnabled: true, passwordCompliant: true }, parents: [{ type: 'OrgRole', id: 'acme#member' }], tags: {} };
  assert.equal(held.upsertEntities([newcomer]).type, 'success');
  assert.equal(held.entityCount(), count + 2);
  assert.equal((await orgs.check('acme', user('zoe'), 'viewMembers', org('acme'))).allowed, true);
  // A new version of acme itself loads, and decides.
  assert.equal(held.loadSnapshot(acmeWithMiaOwner()).type, 'success');
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true);
  assert.equal(held.loadSnapshot(acme, { organization: 'acme' }).type, 'success');
  // An authorizer of one's own is bound to nothing.
  const own = new Authorizer();
  assert.equal(own.loadSnapshot(globex).type, 'success');
  assert.equal(own.loadEntities([]).type, 'success');
  assert.equal(own.upsertEntities([team('globex-new', 'globex')]).type, 'success');
  own.free();
  orgs.clear();
});

test(`orgs${label}: removeOrganization frees the org; its next request loads it again`, async () => {
  const { source, calls } = memorySource({ acme: { snapshot: acme, version: 'v1' } });
  const orgs = createOrgAuthorizers({ source });
  const held = (await orgs.forOrg('acme')).authorizer;
  assert.equal(orgs.removeOrganization('acme'), true);
  assert.equal(orgs.removeOrganization('acme'), false);
  assert.equal(orgs.removeOrganization(42), false);
  assert.equal(held.check(user('olivia'), 'deleteOrganization', org('acme')).errors[0].code, 'AUTHORIZER_FREED');
  assert.equal(orgs.status().orgs, 0);
  assert.equal(orgs.status().entities, 0);
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  assert.equal(calls.length, 2);
  orgs.clear();
});

test(`orgs${label}: a malformed org denies for that org only, with the engine's error; it is remembered until due`, async () => {
  const c = clock();
  const { source, calls } = memorySource({
    acme: { snapshot: acme, version: '1' },
    globex: { snapshot: globex, version: '1' },
    owners: { snapshot: acmeWithoutOwner('owners'), version: '1' },
    text: { snapshot: '{"users": [', version: '1' },
    unknown: { snapshot: { users: [], organizations: [], extra: 1 }, version: '1' },
  });
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, now: c.now });
  const [a, owners, text, unknown, g] = await Promise.all([
    deleteAcme(orgs, 'olivia'),
    orgs.check('owners', user('adam'), 'viewMembers', org('owners')),
    orgs.check('text', user('adam'), 'viewMembers', org('text')),
    orgs.forOrg('unknown'),
    orgs.check('globex', user('oscar'), 'deleteOrganization', org('globex')),
  ]);
  assert.equal(a.allowed, true);
  assert.equal(g.allowed, true);
  assert.equal(owners.allowed, false);
  assert.equal(owners.errors[0].code, 'INVALID_SNAPSHOT');
  assert.match(owners.errors[0].message, /^org "owners": /);
  assert.equal(text.errors[0].code, 'INVALID_JSON');
  assert.equal(unknown.type, 'failure');
  assert.equal(unknown.errors[0].code, 'INVALID_SNAPSHOT');
  // Remembered: asked again only once due, and then with the version that failed.
  const asked = calls.length;
  assert.equal((await orgs.forOrg('owners')).errors[0].code, 'INVALID_SNAPSHOT');
  assert.equal(calls.length, asked);
  c.advance(1_000);
  assert.equal((await orgs.forOrg('owners')).errors[0].code, 'INVALID_SNAPSHOT');
  assert.deepEqual(calls.at(-1), { orgId: 'owners', version: '1' });
  assert.equal(orgs.status().builds, 5, 'notModified: the broken version is not parsed again');
  // An org that does not exist is ORG_NOT_FOUND.
  assert.equal((await orgs.check('initech', user('olivia'), 'viewMembers', org('initech'))).errors[0].code, 'ORG_NOT_FOUND');
  assert.equal(orgs.status().orgs, 2);
  orgs.clear();
});

test(`orgs${label}: decisions equal a plain Authorizer loaded with the same snapshot (the fixture, split per org)`, async () => {
  const { source } = memorySource({ acme: { snapshot: acme, version: '1' }, globex: { snapshot: globex, version: '1' } });
  const orgs = createOrgAuthorizers({ source });
  const whole = new Authorizer();
  assert.equal(whole.loadSnapshot(fixture).type, 'success');
  const actions = whole.schemaNames().actions;
  const resources = {
    acme: [org('acme'), { type: 'Membership', id: 'acme/olivia' }, { type: 'Membership', id: 'acme/mia' }, { type: 'Workspace', id: 'research' }, { type: 'Algorithm', id: 'sentiment' }, { type: 'AlgorithmVersion', id: 'sentiment@1' }, { type: 'Platform', id: 'platform' }],
    globex: [org('globex'), { type: 'Membership', id: 'globex/oscar' }, { type: 'Platform', id: 'platform' }],
  };
  const users = fixture.users.map((u) => u.id);
  let compared = 0;
  for (const [orgId, snapshot] of [['acme', acme], ['globex', globex]]) {
    const plain = new Authorizer();
    assert.equal(plain.loadSnapshot(snapshot).type, 'success');
    const own = new Set(snapshot.users.map((u) => u.id));
    const resident = (await orgs.forOrg(orgId)).authorizer;
    for (const who of users) {
      for (const resource of [...resources.acme, ...resources.globex]) {
        const inOrg = resources[orgId].includes(resource);
        assert.deepEqual(resident.allowedActions(user(who), resource), plain.allowedActions(user(who), resource));
        for (const action of actions) {
          if (!action.principalTypes.includes('User') || !action.resourceTypes.includes(resource.type)) continue;
          const decision = await orgs.check(orgId, user(who), action.name, resource);
          assert.deepEqual(decision, plain.check(user(who), action.name, resource), `${orgId}: ${who} ${action.name} ${resource.type}::${resource.id}`);
          // Within its org, a request is decided as by one authorizer holding every org.
          if (own.has(who) && inOrg) assert.deepEqual(decision, whole.check(user(who), action.name, resource));
          // Across orgs, it denies: an org's authorizer holds no other org.
          if (!inOrg && resource.type !== 'Platform') assert.equal(decision.allowed, false);
          compared += 1;
        }
      }
    }
    plain.free();
  }
  assert.ok(compared > 200, `${compared} decisions compared`);
  whole.free();
  orgs.clear();
});

test(`orgs${label}: upsertOrganization pushes a version now and wins over a load under way`, async () => {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const orgs = createOrgAuthorizers({
    source: async () => {
      await gate;
      return { snapshot: acme, version: 'from-source' };
    },
  });
  const pending = orgs.forOrg('acme');
  const pushed = orgs.upsertOrganization('acme', acmeWithMiaOwner(), 'pushed');
  assert.deepEqual(pushed, { type: 'success', entityCount: pushed.entityCount, version: 'pushed' });
  release();
  const answer = await pending;
  assert.equal(answer.version, 'pushed', 'the load that started before the push is discarded');
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true);
  assert.equal(orgs.upsertOrganization('acme', acmeWithoutOwner(), 'bad').errors[0].code, 'INVALID_SNAPSHOT');
  assert.equal((await orgs.forOrg('acme')).version, 'pushed', 'a refused push keeps the org as it was');
  assert.equal(orgs.upsertOrganization('a/b', acme).errors[0].code, 'INVALID_REQUEST');
  assert.equal(orgs.status().builds, 2);
  orgs.clear();
});

test(`orgs${label}: requests waiting on a load that a push, a removal or clear() replaced look again at once, even with no load timeout`, async () => {
  // The source's first call for each org never answers; later calls answer at once.
  const asked = new Set();
  const orgs = createOrgAuthorizers({
    source: async (orgId) => {
      if (!asked.has(orgId)) {
        asked.add(orgId);
        return new Promise(() => {});
      }
      return { snapshot: acmeAs(orgId), version: 'from-source' };
    },
    loadTimeoutMs: Infinity,
  });
  const settled = (promise) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500))]);

  // A push: the waiting requests are decided on the pushed version.
  const pushedWaiters = [deleteAcme(orgs, 'olivia', 'pushed'), orgs.withOrg('pushed', (authorizer) => authorizer.entityCount())];
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(orgs.upsertOrganization('pushed', acmeAs('pushed'), 'v-push').type, 'success');
  const [decision, used] = await settled(Promise.all(pushedWaiters));
  assert.equal(decision.allowed, true);
  assert.equal(used.version, 'v-push');
  assert.ok(used.value > 0);

  // A removal, then clear(): the waiting requests load the org again, and the source answers.
  for (const [orgId, replace] of [['removed', () => orgs.removeOrganization('removed')], ['cleared', () => orgs.clear()]]) {
    const waiting = orgs.forOrg(orgId);
    await new Promise((resolve) => setTimeout(resolve, 20));
    replace();
    const answer = await settled(waiting);
    assert.equal(answer.type, 'success', `${orgId}: ${JSON.stringify(answer)}`);
    assert.equal(answer.version, 'from-source');
  }
  assert.equal(orgs.status().loading, 0);
  orgs.clear();
});

test(`orgs${label}: forOrg, withOrg and check never throw — hostile ids, hostile uses, hostile sources, a source that never answers`, async () => {
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const hostile = createOrgAuthorizers({
    source: (orgId) => {
      if (orgId === 'sync-throw') throw new Error('boom');
      if (orgId === 'garbage') return 42;
      if (orgId === 'proxy') return revoked.proxy;
      if (orgId === 'bad-version') return { snapshot: acme, version: {} };
      if (orgId === 'hang') return new Promise(() => {});
      return { snapshot: acmeAs(orgId) };
    },
    loadTimeoutMs: 50,
  });
  for (const id of [42, null, undefined, {}, '', 'a/b', 'a#b', revoked.proxy, 'x'.repeat(70_000)]) {
    const answer = await hostile.forOrg(id);
    assert.equal(answer.type, 'failure');
    assert.ok(['INVALID_REQUEST', 'LIMIT_EXCEEDED'].includes(answer.errors[0].code), JSON.stringify(answer));
    const decision = await hostile.check(id, user('olivia'), 'viewMembers', org('acme'));
    assert.equal(decision.allowed, false);
    const used = await hostile.withOrg(id, () => assert.fail('used without an org'));
    assert.deepEqual(used.errors, answer.errors);
  }
  for (const use of [undefined, null, 42, 'check', {}, revoked.proxy]) {
    assert.equal((await hostile.withOrg('fine', use)).errors[0].code, 'INVALID_REQUEST');
  }
  for (const id of ['sync-throw', 'garbage', 'proxy', 'bad-version', 'hang']) {
    const decision = await hostile.check(id, user('olivia'), 'viewMembers', org('acme'));
    assert.equal(decision.allowed, false, id);
    assert.equal(decision.errors[0].code, 'ORG_UNAVAILABLE', id);
  }
  assert.match((await hostile.forOrg('hang')).errors[0].message, /within 50 ms/);
  // A bad request to a good org is the engine's tagged failure.
  assert.equal((await hostile.check('fine', 'User::"olivia"', 'viewMembers', org('fine'))).errors[0].code, 'INVALID_REQUEST');
  assert.equal((await hostile.check('fine', user('olivia'), 'viewMembers', org('fine'))).allowed, true);
  assert.throws(() => createOrgAuthorizers({}), { code: 'INVALID_REQUEST' });
  assert.throws(() => createOrgAuthorizers({ source: () => null, maxOrgs: 0 }), { code: 'INVALID_REQUEST' });
  // Options that cannot be read are refused with the code, whatever they throw.
  const throwingOptions = [
    { source: () => null, get maxOrgs() { throw new TypeError('getter'); } },
    new Proxy({}, { get() { throw new RangeError('trap'); } }),
    revoked.proxy,
  ];
  for (const options of throwingOptions) {
    assert.throws(() => createOrgAuthorizers(options), (error) => error instanceof OrgwardenError && error.code === 'INVALID_REQUEST');
  }
  hostile.clear();

  // r2Source over hostile buckets: each org denies with a code, and an object over the size
  // limit is refused without its body being read.
  let bodyRead = false;
  const buckets = {
    throws: [{ get: () => { throw new Error('boom'); } }, 'ORG_UNAVAILABLE'],
    rejects: [{ get: async () => { throw new Error('late'); } }, 'ORG_UNAVAILABLE'],
    'not text': [{ get: async () => ({ etag: 'e', size: 2, text: async () => 42 }) }, 'ORG_UNAVAILABLE'],
    'no body': [{ get: async () => ({ etag: 'e', size: 2 }) }, 'ORG_UNAVAILABLE'],
    huge: [{ get: async () => ({ etag: 'e', size: 1e12, text: async () => { bodyRead = true; return '{}'; } }) }, 'ORG_TOO_LARGE'],
    missing: [{ get: async () => null }, 'ORG_NOT_FOUND'],
  };
  for (const [name, [bucket, code]] of Object.entries(buckets)) {
    const overR2 = createOrgAuthorizers({ source: r2Source(bucket) });
    const decision = await overR2.check('acme', user('olivia'), 'viewMembers', org('acme'));
    assert.equal(decision.allowed, false, name);
    assert.equal(decision.errors[0].code, code, name);
  }
  assert.equal(bodyRead, false);
  for (const bad of [null, 5, {}, { get: 1 }]) assert.throws(() => r2Source(bad), { code: 'INVALID_REQUEST' });
});

test(`orgs${label}: an authorizer freed by its holder or lost in a trap is rebuilt from the source`, async () => {
  const { source, calls } = memorySource({ acme: { snapshot: acme, version: '1' } });
  const orgs = createOrgAuthorizers({ source });
  (await orgs.forOrg('acme')).authorizer.free();
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  assert.equal(calls.length, 2);

  const resets = moduleStatus().resets;
  internals.armTrapForTests();
  // The trap hits whatever call comes next: this check, whose org is then rebuilt.
  const trapped = await deleteAcme(orgs, 'olivia');
  assert.equal(trapped.errors[0].code, 'ENGINE_TRAPPED');
  assert.equal(moduleStatus().resets, resets + 1);
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  assert.equal(calls.length, 3);
  assert.equal(orgs.status().orgs, 1);
  orgs.clear();
});

test(`orgs${label}: custom authorizerOptions apply to every org`, async () => {
  const { source } = memorySource({ acme: { snapshot: acme, version: '1' } });
  const policy = '@id("members-see-billing") permit (principal is User, action == Action::"viewBilling", resource is Organization) when { principal in resource.members };';
  const ask = (orgs) => orgs.check('acme', user('mia'), 'viewBilling', org('acme'));
  const plain = createOrgAuthorizers({ source });
  assert.equal((await ask(plain)).allowed, false);
  plain.clear();
  // The compiled runtime runs no policy text: such options are refused at creation (below).
  if (build === 'compiled') return;
  const custom = createOrgAuthorizers({ source, authorizerOptions: { policies: [{ name: 'billing.cedar', text: policy }] } });
  assert.equal((await ask(custom)).allowed, true);
  custom.clear();
});

test(`orgs${label}: authorizerOptions no authorizer can be built with are refused at creation, with the authorizer's refusal`, () => {
  const { source, calls } = memorySource({ acme: { snapshot: acme, version: '1' } });
  /** The error createOrgAuthorizers throws with these authorizerOptions (an OrgwardenError). */
  const refusal = (authorizerOptions) => {
    let thrown;
    assert.throws(
      () => createOrgAuthorizers({ source, authorizerOptions }),
      (error) => {
        thrown = error;
        return error instanceof OrgwardenError;
      },
      `authorizerOptions ${JSON.stringify(authorizerOptions)} are refused at creation`,
    );
    return thrown;
  };
  /** What `new Authorizer(options)` throws: the refusal the registry must carry. */
  const authorizerRefusal = (options) => {
    try {
      new Authorizer(options).free();
    } catch (error) {
      return error;
    }
    assert.fail(`new Authorizer(${JSON.stringify(options)}) was built`);
  };

  // Invalid policy text: INVALID_POLICY at its line and column on the full package; the
  // compiled runtime refuses any policy text.
  const invalid = refusal({ policies: [{ name: 'x.cedar', text: 'permit (' }] });
  if (build === 'compiled') {
    assert.equal(invalid.code, 'COMPILED_RUNTIME');
    assert.equal(refusal({ policies: [{ name: 'ok.cedar', text: 'permit (principal, action, resource);' }] }).code, 'COMPILED_RUNTIME');
  } else {
    assert.equal(invalid.code, 'INVALID_POLICY');
    assert.deepEqual(
      invalid.diagnostics.map((d) => [d.location.source, d.location.line, d.location.column]),
      [['x.cedar', 1, 9]],
    );
  }
  // Each refusal is the authorizer's own code, message and diagnostics, the message naming
  // where the options came from: invalid policies, a misspelt option, options read by position,
  // a policy entry with a key it does not have.
  const refused = [
    { policies: [{ name: 'x.cedar', text: 'permit (' }] },
    { polices: [] },
    [null, [], false],
    { policies: [{ name: 'x.cedar', text: '', effect: 'forbid' }] },
  ];
  for (const options of refused) {
    const thrown = refusal(options);
    const expected = authorizerRefusal(options);
    assert.equal(thrown.code, expected.code);
    assert.equal(thrown.message, `createOrgAuthorizers: \`authorizerOptions\`: ${expected.message}`);
    assert.deepEqual(thrown.diagnostics, expected.diagnostics);
  }
  // Nothing was asked of the source: the registry was never made.
  assert.deepEqual(calls, []);
  // Options every authorizer takes make a registry, on either build.
  const defaults = createOrgAuthorizers({ source, authorizerOptions: { includeDefaultPolicies: true, policies: [] } });
  defaults.clear();
});

test(`orgs${label}: a registry made before a browser's init() checks its authorizerOptions at the first org's build`, () => {
  // The web entry, in a fresh process: the module is not initialized until initSync.
  const entry = new URL(build === 'compiled' ? '../../pkg/entries/compiled.js' : '../../pkg/entries/web.js', import.meta.url).href;
  const wasm = new URL(build === 'compiled' ? '../../pkg/dist/orgwarden_compiled_bg.wasm' : '../../pkg/dist/orgwarden_bg.wasm', import.meta.url);
  const script = `
    import { readFileSync } from 'node:fs';
    import { initSync } from ${JSON.stringify(entry)};
    import { createOrgAuthorizers } from ${JSON.stringify(new URL('../../pkg/lib/orgs.js', import.meta.url).href)};
    const snapshot = ${JSON.stringify(JSON.stringify(acme))};
    const authorizerOptions = { policies: [{ name: 'bad.cedar', text: 'permit (principal, action, resource) when { resource.nope };' }] };
    const early = createOrgAuthorizers({ source: () => ({ snapshot }), authorizerOptions });
    const before = await early.forOrg('acme');
    initSync({ module: readFileSync(${JSON.stringify(wasm.pathname)}) });
    const after = await early.forOrg('acme');
    let late;
    try { createOrgAuthorizers({ source: () => ({ snapshot }), authorizerOptions }); } catch (error) { late = error.code; }
    console.log(JSON.stringify({ before: before.errors[0].code, after: after.errors?.[0]?.code, late }));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const refusal = build === 'compiled' ? 'COMPILED_RUNTIME' : 'INVALID_POLICY';
  assert.deepEqual(JSON.parse(run.stdout), { before: 'MODULE_NOT_INITIALIZED', after: refusal, late: refusal });
});

test(`orgs${label}: what a source gives for an org must be that org alone (ORG_MISMATCH), pushed or fetched, fresh or stale`, async () => {
  const c = clock();
  const { source, store, calls } = memorySource({
    acme: { snapshot: globex, version: 'wrong-key' },
    both: { snapshot: fixture, version: 'b1' },
    globex: { snapshot: globex, version: 'g1' },
  });
  const orgs = createOrgAuthorizers({ source, now: c.now, revalidateAfterMs: 1_000, serveStaleForMs: 5_000 });
  // globex's snapshot under acme's key: oscar owns globex, and would own what acme's requests
  // are decided on.
  for (const [orgId, held] of [['acme', 'the organizations ["globex"]'], ['both', 'the organizations ["acme","globex"]']]) {
    const denied = await orgs.check(orgId, user('oscar'), 'deleteOrganization', org('globex'));
    assert.equal(denied.allowed, false);
    assert.equal(denied.errors[0].code, 'ORG_MISMATCH');
    const { message } = denied.errors[0];
    assert.ok(message.startsWith(`org "${orgId}": the snapshot was loaded for organization \`${orgId}\` alone`), message);
    assert.ok(message.endsWith(`holds ${held}`), message);
  }
  // Remembered as any refused org is, and the other orgs are unaffected.
  assert.equal((await orgs.check('acme', user('oscar'), 'deleteOrganization', org('globex'))).errors[0].code, 'ORG_MISMATCH');
  assert.equal(calls.filter((call) => call.orgId === 'acme').length, 1);
  assert.equal((await orgs.check('globex', user('oscar'), 'deleteOrganization', org('globex'))).allowed, true);
  assert.deepEqual(orgs.status().resident.map((r) => r.orgId), ['globex']);

  // Pushed: refused the same, and the org's resident version kept.
  const pushed = orgs.upsertOrganization('globex', acme, 'g2');
  assert.equal(pushed.type, 'failure');
  assert.equal(pushed.errors[0].code, 'ORG_MISMATCH');
  assert.equal(orgs.status().resident[0].version, 'g1');

  // A refresh that brings another org: the last good version answers while stale data is
  // allowed, with the refusal beside it, then the org denies.
  store.set('globex', { snapshot: acme, version: 'g3' });
  c.advance(1_500);
  const stale = await orgs.forOrg('globex');
  assert.equal(stale.stale, true);
  assert.equal(stale.refreshError.code, 'ORG_MISMATCH');
  assert.equal((await orgs.check('globex', user('oscar'), 'deleteOrganization', org('globex'))).allowed, true);
  c.advance(6_000);
  assert.equal((await orgs.check('globex', user('oscar'), 'deleteOrganization', org('globex'))).errors[0].code, 'ORG_MISMATCH');
  orgs.clear();
});

// ---- Ready-made sources -------------------------------------------------------------------

/** A stand-in for a KV namespace binding: what kvSource calls. */
function fakeKv(entries) {
  const reads = [];
  return {
    reads,
    entries,
    async getWithMetadata(key, type) {
      reads.push({ key, type });
      const found = entries.get(key);
      return found ? { value: found.value, metadata: found.metadata ?? null } : { value: null, metadata: null };
    },
  };
}

test(`kvSource${label}: metadata version, a version field, a content hash; notModified; a missing key`, async () => {
  const kv = fakeKv(
    new Map([
      ['org:acme', { value: JSON.stringify(acme), metadata: { version: 'm1' } }],
      ['org:globex', { value: JSON.stringify({ version: 7, snapshot: globex }) }],
      ['org:flat', { value: JSON.stringify({ version: 'f1', ...acmeAs('flat') }) }],
      ['org:plain', { value: JSON.stringify(acmeAs('plain')) }],
      ['org:marked', { value: `\uFEFF${JSON.stringify({ version: 'mk1', snapshot: acmeAs('marked') })}` }],
    ]),
  );
  const source = kvSource(kv, { key: (orgId) => `org:${orgId}` });
  assert.deepEqual(await source('acme', { version: null }), { snapshot: JSON.stringify(acme), version: 'm1' });
  assert.deepEqual(await source('acme', { version: 'm1' }), { notModified: true });
  assert.deepEqual(await source('globex', { version: null }), { snapshot: globex, version: '7' });
  assert.deepEqual(await source('globex', { version: '7' }), { notModified: true });
  assert.deepEqual(await source('flat', { version: null }), { snapshot: acmeAs('flat'), version: 'f1' });
  const hashed = await source('plain', { version: null });
  assert.match(hashed.version, /^sha256:[0-9a-f]{64}$/);
  assert.deepEqual(await source('plain', { version: hashed.version }), { notModified: true });
  assert.deepEqual(await source('missing', { version: null }), { notFound: true });
  // A value saved with a byte-order mark: its version is read past the mark.
  assert.deepEqual(await source('marked', { version: null }), { snapshot: acmeAs('marked'), version: 'mk1' });
  assert.deepEqual(kv.reads[0], { key: 'org:acme', type: 'text' });

  const orgs = createOrgAuthorizers({ source });
  for (const id of ['acme', 'flat', 'plain', 'marked']) assert.equal((await deleteAcme(orgs, 'olivia', id)).allowed, true);
  assert.equal((await orgs.check('globex', user('oscar'), 'deleteOrganization', org('globex'))).allowed, true);
  assert.equal((await orgs.forOrg('missing')).errors[0].code, 'ORG_NOT_FOUND');
  assert.equal(kvSource(kv, { cacheTtl: 60 }) instanceof Function, true);
  await kvSource(kv, { cacheTtl: 60 })('x', { version: null });
  assert.deepEqual(kv.reads.at(-1), { key: 'x', type: { type: 'text', cacheTtl: 60 } });
  assert.throws(() => kvSource({}), { code: 'INVALID_REQUEST' });
  orgs.clear();
});

test(`fetchSource${label}: over real HTTP — ETag and If-None-Match, 304, 404, 500, a refused connection`, async () => {
  const bodies = { acme: { body: JSON.stringify(acme), etag: '"a1"' }, globex: { body: JSON.stringify({ version: 'g1', snapshot: globex }) } };
  const seen = [];
  const server = createServer((request, response) => {
    const id = decodeURIComponent(request.url.split('/').pop());
    seen.push({ id, ifNoneMatch: request.headers['if-none-match'] ?? null, auth: request.headers.authorization ?? null });
    if (id === 'down') return response.writeHead(503).end('maintenance');
    const found = bodies[id];
    if (!found) return response.writeHead(404).end();
    if (found.etag && request.headers['if-none-match'] === found.etag) return response.writeHead(304).end();
    response.writeHead(200, { 'Content-Type': 'application/json', ...(found.etag ? { ETag: found.etag } : {}) }).end(found.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}/orgs/`;
  const source = fetchSource((orgId) => base + encodeURIComponent(orgId), { headers: { Authorization: 'Bearer t' } });

  assert.deepEqual(await source('acme', { version: null }), { snapshot: JSON.stringify(acme), version: '"a1"' });
  assert.deepEqual(await source('acme', { version: '"a1"' }), { notModified: true });
  assert.deepEqual(seen.slice(0, 2), [
    { id: 'acme', ifNoneMatch: null, auth: 'Bearer t' },
    { id: 'acme', ifNoneMatch: '"a1"', auth: 'Bearer t' },
  ]);
  assert.deepEqual(await source('globex', { version: null }), { snapshot: globex, version: 'g1' });
  assert.deepEqual(await source('nobody', { version: null }), { notFound: true });
  const down = await source('down', { version: null });
  assert.equal(down.error.code, 'ORG_UNAVAILABLE');
  assert.match(down.error.message, /answered 503/);
  const refused = await fetchSource(() => 'http://127.0.0.1:1/x')('x', { version: null });
  assert.equal(refused.error.code, 'ORG_UNAVAILABLE');

  const c = clock();
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 1_000, now: c.now });
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  c.advance(1_000);
  const kept = await orgs.forOrg('acme');
  assert.equal(kept.version, '"a1"');
  assert.equal(orgs.status().builds, 1, '304: nothing rebuilt');
  bodies.acme = { body: JSON.stringify(acmeWithMiaOwner()), etag: '"a2"' };
  c.advance(1_000);
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true);
  assert.equal((await orgs.check('down', user('olivia'), 'viewMembers', org('down'))).errors[0].code, 'ORG_UNAVAILABLE');
  assert.equal((await orgs.check('nobody', user('olivia'), 'viewMembers', org('nobody'))).errors[0].code, 'ORG_NOT_FOUND');
  orgs.clear();

  // A stand-in fetch: a service binding, a mock.
  const calls = [];
  const mocked = fetchSource((orgId) => `https://orgs.internal/${orgId}`, {
    fetch: async (url, init) => {
      calls.push([String(url), init.headers.get('If-None-Match')]);
      return new Response(JSON.stringify(acme), { headers: { ETag: 'W/"x"' } });
    },
  });
  assert.equal((await mocked('acme', { version: 'W/"old"' })).version, 'W/"x"');
  assert.deepEqual(calls, [['https://orgs.internal/acme', 'W/"old"']]);

  // A version that cannot be a header value (a body's `version` field may hold any text) is
  // asked for without If-None-Match, and the org stays available on every revalidation.
  for (const version of ['v1 – 2026', 'line\nbreak', 'x'.repeat(2048)]) {
    calls.length = 0;
    const answer = await mocked('acme', { version });
    assert.equal(answer.version, 'W/"x"', JSON.stringify(version).slice(0, 40));
    assert.deepEqual(calls, [['https://orgs.internal/acme', null]]);
  }
  const unicode = fetchSource(() => 'https://orgs.internal/acme', {
    fetch: async () => new Response(JSON.stringify({ version: 'v1 – 2026', snapshot: acme })),
  });
  const always = createOrgAuthorizers({ source: unicode, revalidateAfterMs: 0 });
  for (let request = 0; request < 4; request += 1) {
    assert.equal((await deleteAcme(always, 'olivia')).allowed, true, `request ${request + 1}`);
  }
  always.clear();
});

test(`durableObjectSource${label}: the object named for the org, asked as fetchSource asks; hostile namespaces and stubs are ORG_UNAVAILABLE`, async () => {
  // A namespace shaped like Cloudflare's, its objects in a Map: name -> { snapshot, etag }.
  const objects = new Map([['acme', { snapshot: JSON.stringify(acme), etag: '"1"' }]]);
  const asked = [];
  const namespace = {
    idFromName: (name) => ({ name }),
    get: (id) => ({
      fetch: async (url, init) => {
        asked.push({ name: id.name, url, method: init.method, ifNoneMatch: init.headers.get('If-None-Match'), caller: init.headers.get('x-caller') });
        const held = objects.get(id.name);
        if (!held) return new Response(null, { status: 404 });
        if (init.headers.get('If-None-Match') === held.etag) return new Response(null, { status: 304 });
        return new Response(held.snapshot, { headers: { ETag: held.etag } });
      },
    }),
  };
  const source = durableObjectSource(namespace, { headers: { 'x-caller': 'edge' } });
  assert.deepEqual(await source('acme', { version: null }), { snapshot: JSON.stringify(acme), version: '"1"' });
  assert.deepEqual(await source('acme', { version: '"1"' }), { notModified: true });
  assert.deepEqual(await source('globex', { version: null }), { notFound: true });
  assert.deepEqual(asked, [
    { name: 'acme', url: 'https://orgwarden/orgs/acme', method: 'GET', ifNoneMatch: null, caller: 'edge' },
    { name: 'acme', url: 'https://orgwarden/orgs/acme', method: 'GET', ifNoneMatch: '"1"', caller: 'edge' },
    { name: 'globex', url: 'https://orgwarden/orgs/globex', method: 'GET', ifNoneMatch: null, caller: 'edge' },
  ]);
  // One object for every org: the org id is in the path, encoded.
  asked.length = 0;
  await durableObjectSource(namespace, { name: () => 'acme' })('a b/c?d', { version: null });
  assert.deepEqual([asked[0].name, asked[0].url], ['acme', 'https://orgwarden/orgs/a%20b%2Fc%3Fd']);

  // Through the registry: built once, 304 rebuilds nothing, a new revision is swapped in.
  const c = clock();
  const orgs = createOrgAuthorizers({ source, revalidateAfterMs: 0, now: c.now });
  assert.equal((await deleteAcme(orgs, 'olivia')).allowed, true);
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, false);
  assert.equal(orgs.status().builds, 1);
  objects.set('acme', { snapshot: JSON.stringify(acmeWithMiaOwner()), etag: '"2"' });
  assert.equal((await deleteAcme(orgs, 'mia')).allowed, true, 'the next request reads the new revision');
  assert.equal(orgs.status().builds, 2);
  orgs.clear();

  // Refused at creation: not a namespace, a name that is not a function.
  for (const hostile of [undefined, null, {}, { idFromName() {} }, { get() {} }, 'ORG_SNAPSHOTS']) {
    assert.throws(() => durableObjectSource(hostile), { code: 'INVALID_REQUEST' });
  }
  assert.throws(() => durableObjectSource(namespace, { name: 'acme' }), { code: 'INVALID_REQUEST' });

  // Failing at request time: each is ORG_UNAVAILABLE for that org, with what failed.
  const failing = {
    'idFromName throws': [{ idFromName() { throw new Error('bad name'); }, get: namespace.get }, /bad name/],
    'get throws': [{ idFromName: namespace.idFromName, get() { throw new Error('no stub'); } }, /no stub/],
    'fetch rejects': [{ idFromName: namespace.idFromName, get: () => ({ fetch: () => Promise.reject(new Error('object overloaded')) }) }, /object overloaded/],
    'a stub without fetch': [{ idFromName: namespace.idFromName, get: () => ({}) }, /failed/],
    'an answer that is not a Response': [{ idFromName: namespace.idFromName, get: () => ({ fetch: async () => ({ ok: true }) }) }, /did not answer with a Response/],
    'a 500': [{ idFromName: namespace.idFromName, get: () => ({ fetch: async () => new Response('boom', { status: 500 }) }) }, /answered 500/],
    'a 304 to a request without a version': [{ idFromName: namespace.idFromName, get: () => ({ fetch: async () => new Response(null, { status: 304 }) }) }, /answered 304/],
  };
  for (const [what, [hostile, message]] of Object.entries(failing)) {
    const answer = await durableObjectSource(hostile)('acme', { version: null });
    assert.equal(answer.error?.code, 'ORG_UNAVAILABLE', what);
    assert.match(answer.error.message, message, what);
    assert.match(answer.error.message, /Durable Object "acme"|the request for "acme"/, `${what}: the message names the object`);
  }
  for (const name of [() => '', () => 42, () => { throw new Error('no name'); }]) {
    assert.equal((await durableObjectSource(namespace, { name })('acme', { version: null })).error?.code, 'ORG_UNAVAILABLE');
  }
  // Gone (410) is not found; an object over the limit is refused by its Content-Length, unread.
  const gone = { idFromName: namespace.idFromName, get: () => ({ fetch: async () => new Response(null, { status: 410 }) }) };
  assert.deepEqual(await durableObjectSource(gone)('acme', { version: null }), { notFound: true });
  let read = false;
  let cancelled = false;
  const huge = {
    idFromName: namespace.idFromName,
    get: () => ({
      fetch: async () => {
        // highWaterMark 0: the stream pulls only when its reader asks.
        const body = new ReadableStream({ pull() { read = true; }, cancel() { cancelled = true; } }, { highWaterMark: 0 });
        return new Response(body, { headers: { 'Content-Length': String(1e12) } });
      },
    }),
  };
  const tooLarge = await durableObjectSource(huge)('acme', { version: null, maxSnapshotBytes: 1_000 });
  assert.equal(tooLarge.error?.code, 'ORG_TOO_LARGE');
  assert.equal(read, false, 'the body was never read');
  assert.equal(cancelled, true, 'the body was released');
});
