// `orgwarden/orgs` inside the real Workers runtime: miniflare runs tests/workerd/orgs-worker.mjs
// in workerd with a KV namespace (ORGS) that this test seeds, updates and deletes from.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { Authorizer } from 'orgwarden';
import { durableObjectSource, r2Source } from 'orgwarden/orgs';
import { orgSnapshot } from './org-snapshots.mjs';

const REVALIDATE_MS = 1_000;

const fixture = JSON.parse(readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));
const acme = orgSnapshot(fixture, 'acme');
const globex = orgSnapshot(fixture, 'globex');
const acmeAs = (id) => JSON.parse(JSON.stringify(acme).replaceAll('"acme"', JSON.stringify(id)));

const worker = (options) => ({
  modules: true,
  modulesRoot: fileURLToPath(new URL('../../', import.meta.url)),
  modulesRules: [
    { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
    { type: 'CompiledWasm', include: ['**/*.wasm'] },
  ],
  compatibilityDate: '2026-04-01',
  cf: false,
  kvNamespaces: ['ORGS'],
  ...options,
});

const mf = new Miniflare(
  worker({
    scriptPath: fileURLToPath(new URL('../workerd/orgs-worker.mjs', import.meta.url)),
    bindings: { REVALIDATE_MS: String(REVALIDATE_MS), SLOW_ORGS: 'globex', SLOW_MS: '400' },
  }),
);
after(() => mf.dispose());

const kv = await mf.getKVNamespace('ORGS');
const put = (orgId, snapshot, version) => kv.put(`org:${orgId}`, JSON.stringify(snapshot), version ? { metadata: { version } } : undefined);
await put('acme', acme, 'acme-1');
await put('globex', globex, 'globex-1');

const authorize = async (orgId, query) => {
  const response = await mf.dispatchFetch(`http://worker.test/orgs/${encodeURIComponent(orgId)}/authorize?${new URLSearchParams(query)}`);
  return { status: response.status, body: await response.json() };
};
const deleteOrg = (orgId, user) => authorize(orgId, { user, action: 'deleteOrganization', type: 'Organization', id: orgId });
const status = async () => (await mf.dispatchFetch('http://worker.test/status')).json();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The tests share one isolate and run in order: each starts from what the previous left.

test('workerd orgs: the first request of an org reads KV and builds it; warm requests hit', async () => {
  const before = await status();
  assert.equal(before.orgs, 0);
  const first = await deleteOrg('acme', 'olivia');
  assert.equal(first.status, 200);
  assert.equal(first.body.allowed, true);
  assert.equal(first.body.policies[0].rule, 'ORG-2');
  for (let i = 0; i < 5; i++) {
    const member = await deleteOrg('acme', 'mia');
    assert.equal(member.status, 403);
    assert.equal(member.body.reason, 'Only owners can delete the organization');
  }
  const after = await status();
  assert.equal(after.orgs, 1);
  assert.equal(after.sourceCalls, 1);
  assert.equal(after.builds, 1);
  assert.equal(after.hits, 5);
  assert.deepEqual(after.resident.map((r) => [r.orgId, r.version]), [['acme', 'acme-1']]);
  assert.ok(after.memoryBytes > 0);
});

test('workerd orgs: concurrent first requests of an org share one KV read; orgs are kept apart', async () => {
  const before = await status();
  const answers = await Promise.all(Array.from({ length: 6 }, () => deleteOrg('globex', 'oscar')));
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 200, 200, 200]);
  const after = await status();
  // globex's KV read takes 400 ms more (SLOW_ORGS): the six requests wait on one read.
  assert.equal(after.sourceCalls - before.sourceCalls, 1);
  assert.equal(after.coalesced - before.coalesced, 5);
  assert.equal(after.builds - before.builds, 1);
  assert.equal(after.orgs, 2);
  // Each org's authorizer holds its org alone: acme's owner is unknown to globex's.
  const across = await deleteOrg('globex', 'olivia');
  assert.equal(across.status, 403);
  assert.equal(across.body.errors[0].code, 'UNKNOWN_PRINCIPAL');
});

test('workerd orgs: an org updated in KV is picked up after revalidateAfterMs', async () => {
  const promoted = structuredClone(acme);
  promoted.organizations[0].members.find((m) => m.user === 'mia').role = 'owner';
  await put('acme', promoted, 'acme-2');
  const before = await status();
  // Confirmed less than REVALIDATE_MS ago (or not): either way, once it is due, v2 answers.
  await sleep(REVALIDATE_MS + 50);
  const now = await deleteOrg('acme', 'mia');
  assert.equal(now.status, 200, JSON.stringify(now.body));
  const after = await status();
  assert.deepEqual(after.resident.find((r) => r.orgId === 'acme').version, 'acme-2');
  assert.equal(after.builds - before.builds, 1);
  // An unchanged org is revalidated without a rebuild (same metadata version: notModified).
  await sleep(REVALIDATE_MS + 50);
  assert.equal((await deleteOrg('globex', 'oscar')).status, 200);
  const unchanged = await status();
  assert.equal(unchanged.builds, after.builds);
  assert.equal(unchanged.revalidations - after.revalidations, 1);
});

test('workerd orgs: a malformed org in KV denies with the error; other orgs are unaffected', async () => {
  const ownerless = acmeAs('broken');
  ownerless.organizations[0].members = ownerless.organizations[0].members.filter((m) => m.role !== 'owner');
  await put('broken', ownerless, 'broken-1');
  await kv.put('org:garbled', '{"users": [', { metadata: { version: 'g-1' } });
  const broken = await deleteOrg('broken', 'adam');
  assert.equal(broken.status, 403);
  assert.equal(broken.body.type, 'failure');
  assert.equal(broken.body.errors[0].code, 'INVALID_SNAPSHOT');
  assert.match(broken.body.reason, /broken/);
  const garbled = await deleteOrg('garbled', 'adam');
  assert.equal(garbled.body.errors[0].code, 'INVALID_JSON');
  const missing = await deleteOrg('initech', 'olivia');
  assert.equal(missing.body.errors[0].code, 'ORG_NOT_FOUND');
  assert.equal((await deleteOrg('acme', 'olivia')).status, 200);
  assert.equal((await deleteOrg('globex', 'oscar')).status, 200);
  const now = await status();
  assert.deepEqual(now.resident.map((r) => r.orgId).sort(), ['acme', 'globex']);
  assert.equal(now.rememberedFailures, 3);
});

test('workerd orgs: an org deleted from KV denies once revalidated; a fixed one is picked up', async () => {
  await kv.delete('org:globex');
  const fixed = acmeAs('broken');
  await put('broken', fixed, 'broken-2');
  await sleep(REVALIDATE_MS + 50);
  const deleted = await deleteOrg('globex', 'oscar');
  assert.equal(deleted.status, 403);
  assert.equal(deleted.body.errors[0].code, 'ORG_NOT_FOUND');
  assert.equal((await deleteOrg('broken', 'olivia')).status, 200);
  const now = await status();
  assert.deepEqual(now.resident.map((r) => r.orgId).sort(), ['acme', 'broken']);
});

test('workerd orgs: a KV value that is not its key\'s org alone denies (ORG_MISMATCH); a byte-order mark is read past', async () => {
  // Another org's snapshot under the key, and a file of two orgs: a request routed to the key's
  // org must not be decided on another org's entities.
  await kv.put('org:impostor', JSON.stringify(globex), { metadata: { version: 'i-1' } });
  await kv.put('org:pair', JSON.stringify(fixture));
  const impostor = await authorize('impostor', { user: 'oscar', action: 'deleteOrganization', type: 'Organization', id: 'globex' });
  assert.equal(impostor.status, 403);
  assert.equal(impostor.body.errors[0].code, 'ORG_MISMATCH');
  const pair = await authorize('pair', { user: 'olivia', action: 'deleteOrganization', type: 'Organization', id: 'acme' });
  assert.equal(pair.body.errors[0].code, 'ORG_MISMATCH');
  // A value saved with a byte-order mark, its version inside: read, built and versioned.
  const marked = acmeAs('marked');
  await kv.put('org:marked', `\uFEFF${JSON.stringify({ version: 'mk-1', snapshot: marked })}`);
  assert.equal((await deleteOrg('marked', 'olivia')).status, 200);
  assert.equal((await deleteOrg('acme', 'olivia')).status, 200);
  const now = await status();
  assert.equal(now.resident.find((r) => r.orgId === 'marked').version, 'mk-1');
  assert.equal(now.resident.some((r) => r.orgId === 'impostor' || r.orgId === 'pair'), false);
});

test('workerd orgs: a burst of concurrent requests for more orgs than maxOrgs is answered in full, each org built once', async () => {
  const ids = Array.from({ length: 24 }, (_, i) => `burst${i}`);
  // Every read slowed, so that all the requests arrive while the reads are under way.
  const burst = new Miniflare(
    worker({
      scriptPath: fileURLToPath(new URL('../workerd/orgs-worker.mjs', import.meta.url)),
      bindings: { REVALIDATE_MS: '60000', MAX_ORGS: '3', SLOW_ORGS: ids.join(','), SLOW_MS: '300' },
    }),
  );
  try {
    const store = await burst.getKVNamespace('ORGS');
    await Promise.all(ids.map((id) => store.put(`org:${id}`, JSON.stringify(acmeAs(id)), { metadata: { version: '1' } })));
    const ask = async (id) => {
      const response = await burst.dispatchFetch(`http://worker.test/orgs/${id}/authorize?user=olivia&action=deleteOrganization&type=Organization&id=${id}`);
      return (await response.json()).allowed ?? false;
    };
    const answers = await Promise.all([...ids, ...ids].map(ask));
    assert.deepEqual(answers, answers.map(() => true));
    const after = await (await burst.dispatchFetch('http://worker.test/status')).json();
    assert.equal(after.orgs, 3);
    // Two requests per org share its read and build, and both are decided on it before any
    // other org's build evicts it (which used to evict orgs whose requests then loaded them again).
    assert.equal(after.builds, ids.length);
    assert.equal(after.coalesced, ids.length);
  } finally {
    await burst.dispose();
  }
});

test('workerd orgs over R2: loaded on first touch, an unchanged object not read again, updated, deleted, malformed, too large', async () => {
  const MAX_SNAPSHOT_BYTES = 200_000;
  const r2 = new Miniflare(
    worker({
      scriptPath: fileURLToPath(new URL('../workerd/orgs-worker.mjs', import.meta.url)),
      r2Buckets: ['SNAPSHOTS'],
      bindings: { REVALIDATE_MS: String(REVALIDATE_MS), MAX_SNAPSHOT_BYTES: String(MAX_SNAPSHOT_BYTES) },
    }),
  );
  try {
    const bucket = await r2.getR2Bucket('SNAPSHOTS');
    const store = (orgId, body) => bucket.put(`orgs/${orgId}.json`, typeof body === 'string' ? body : JSON.stringify(body));
    const ask = async (orgId, userId) => {
      const query = new URLSearchParams({ user: userId, action: 'deleteOrganization', type: 'Organization', id: orgId });
      const response = await r2.dispatchFetch(`http://worker.test/orgs/${encodeURIComponent(orgId)}/authorize?${query}`);
      return { status: response.status, body: await response.json() };
    };
    const r2Status = async () => (await r2.dispatchFetch('http://worker.test/status')).json();
    await store('acme', acme);
    await store('globex', globex);

    assert.equal((await ask('acme', 'olivia')).status, 200);
    assert.equal((await ask('acme', 'mia')).status, 403);
    let now = await r2Status();
    assert.equal(now.builds, 1);
    assert.equal(now.hits, 1);
    const etag = (await bucket.head('orgs/acme.json')).etag;
    assert.deepEqual(now.resident.map((r) => [r.orgId, r.version]), [['acme', etag]]);

    // r2Source itself, in Node over the same bucket: holding the current ETag, it asks R2 for
    // the object only if it changed, and R2 answers without a body.
    const asked = [];
    const watched = {
      get: async (key, options) => {
        const object = await bucket.get(key, options);
        asked.push({ options, body: object !== null && typeof object.text === 'function' });
        return object;
      },
    };
    const direct = r2Source(watched, { key: (orgId) => `orgs/${orgId}.json` });
    assert.deepEqual(await direct('acme', { version: etag }), { notModified: true });
    assert.deepEqual(asked, [{ options: { onlyIf: { etagDoesNotMatch: etag } }, body: false }]);
    const fresh = await direct('acme', { version: null });
    assert.deepEqual(fresh, { snapshot: JSON.stringify(acme), version: etag });
    assert.deepEqual(await direct('acme', { version: 'an older etag' }), fresh);
    assert.deepEqual(await direct('initech', { version: null }), { notFound: true });
    assert.throws(() => r2Source({}), { code: 'INVALID_REQUEST' });

    // Due again, unchanged: R2 answers the ETag condition without a body, and nothing is rebuilt.
    await sleep(REVALIDATE_MS + 50);
    assert.equal((await ask('acme', 'olivia')).status, 200);
    const revalidated = await r2Status();
    assert.equal(revalidated.revalidations - now.revalidations, 1);
    assert.equal(revalidated.builds, now.builds);

    // Updated: the new object (a new ETag) answers once due.
    const promoted = structuredClone(acme);
    promoted.organizations[0].members.find((m) => m.user === 'mia').role = 'owner';
    await store('acme', promoted);
    await sleep(REVALIDATE_MS + 50);
    assert.equal((await ask('acme', 'mia')).status, 200);
    now = await r2Status();
    assert.equal(now.builds, revalidated.builds + 1);
    assert.notEqual(now.resident.find((r) => r.orgId === 'acme').version, etag);

    // Malformed and oversized objects deny for their org only, each with its code.
    await store('garbled', '{"users": [');
    await store('huge', JSON.stringify({ ...acmeAs('huge'), padding: 'x'.repeat(MAX_SNAPSHOT_BYTES) }));
    assert.equal((await ask('garbled', 'adam')).body.errors[0].code, 'INVALID_JSON');
    const huge = await ask('huge', 'olivia');
    assert.equal(huge.body.errors[0].code, 'ORG_TOO_LARGE');
    assert.match(huge.body.reason, /maxSnapshotBytes/);
    assert.equal((await ask('globex', 'oscar')).status, 200);

    // Deleted: denied once due.
    await bucket.delete('orgs/acme.json');
    await sleep(REVALIDATE_MS + 50);
    assert.equal((await ask('acme', 'olivia')).body.errors[0].code, 'ORG_NOT_FOUND');
    assert.equal((await ask('initech', 'olivia')).body.errors[0].code, 'ORG_NOT_FOUND');
    now = await r2Status();
    assert.deepEqual(now.resident.map((r) => r.orgId), ['globex']);
  } finally {
    await r2.dispose();
  }
});

/** The n-th (from 0) ```js block of the README's "Many organizations at the edge". */
function sectionSample(n) {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const lines = readme.split('\n');
  const at = lines.indexOf('### Many organizations at the edge');
  assert.ok(at >= 0, 'the README has the section');
  let open = lines.indexOf('```js', at);
  for (let i = 0; i < n; i++) open = lines.indexOf('```js', open + 1);
  const close = lines.indexOf('```', open + 1);
  return lines.slice(open + 1, close).join('\n');
}

/** The section's n-th ```js block, a Worker, with its two package imports pointed at the package's files (no bundler here). */
function readmeWorkerScript(n) {
  let script = sectionSample(n);
  for (const [from, to] of [
    ["import 'orgwarden';", "import '../../pkg/entries/workerd.js';"],
    ["from 'orgwarden/orgs';", "from '../../pkg/lib/orgs.js';"],
  ]) {
    assert.ok(script.includes(from), `the sample has ${from}`);
    script = script.replace(from, to);
  }
  return script;
}

/** The README Workers' requests (headers x-org-id and x-user-id, each left out when undefined). */
const readmeAsk = (mf) => async (orgId, userId) => {
  const headers = {};
  if (orgId !== undefined) headers['x-org-id'] = orgId;
  if (userId !== undefined) headers['x-user-id'] = userId;
  const response = await mf.dispatchFetch('http://worker.test/', { headers });
  return { status: response.status, body: response.status === 200 ? await response.text() : await response.json() };
};

/** Whether viewUsage is allowed as one authorizer over the whole fixture decides it, with its reason. */
async function assertDecidesAsTheFixture(ask) {
  const plain = new Authorizer();
  plain.loadSnapshot(fixture);
  try {
    for (const [orgId, userId] of [['acme', 'olivia'], ['acme', 'adam'], ['acme', 'mia'], ['globex', 'oscar']]) {
      const expected = plain.check({ type: 'User', id: userId }, 'viewUsage', { type: 'Organization', id: orgId });
      const answer = await ask(orgId, userId);
      assert.equal(answer.status, expected.allowed ? 200 : 403, `${userId} in ${orgId}`);
      if (!expected.allowed) assert.equal(answer.body.reason, expected.reason);
    }
  } finally {
    plain.free();
  }
}

/**
 * The README's KV-writing sample (the section's second block) as written, run in Node against
 * `env`'s real KV namespace with `fullSnapshot` as its input: its `import` becomes a binding.
 */
async function writeOrgsAsTheReadmeSays(env, fullSnapshot) {
  const sample = sectionSample(1);
  const from = "import { splitOrganizations } from 'orgwarden';";
  assert.ok(sample.includes(from), `the sample has ${from}`);
  const { splitOrganizations } = await import('orgwarden');
  const body = sample.replace(from, '');
  const AsyncFunction = (async () => {}).constructor;
  await new AsyncFunction('splitOrganizations', 'env', 'fullSnapshot', body)(splitOrganizations, env, fullSnapshot);
}

test('workerd orgs: the README\'s "Many organizations at the edge" worker runs as written', async () => {
  const script = readmeWorkerScript(0);
  const sample = new Miniflare(worker({ script, scriptPath: fileURLToPath(new URL('../workerd/readme-orgs-worker.mjs', import.meta.url)) }));
  try {
    const orgsKv = await sample.getKVNamespace('ORGS');
    // Written as the README says: the full snapshot split per organization, one key each.
    await writeOrgsAsTheReadmeSays({ ORGS: orgsKv }, fixture);
    const written = await orgsKv.getWithMetadata('org:acme', 'text');
    assert.deepEqual(JSON.parse(written.value), acme);
    assert.equal(written.metadata.version, 'v7');
    const ask = readmeAsk(sample);
    await assertDecidesAsTheFixture(ask);
    assert.equal((await ask('globex', 'olivia')).body.errors[0].code, 'UNKNOWN_PRINCIPAL');
    assert.equal((await ask('initech', 'olivia')).body.errors[0].code, 'ORG_NOT_FOUND');
    assert.equal((await ask(undefined, 'olivia')).body.errors[0].code, 'INVALID_REQUEST');
    assert.equal((await ask('acme', undefined)).status, 403);
  } finally {
    await sample.dispose();
  }
});

test('workerd orgs: the README\'s Durable Object worker runs as written — a change written to an org\'s object decides the next request', async () => {
  const script = readmeWorkerScript(2);
  const sample = new Miniflare(
    worker({
      script,
      scriptPath: fileURLToPath(new URL('../workerd/readme-durable-worker.mjs', import.meta.url)),
      kvNamespaces: [],
      // As the README says: a SQLite-backed class.
      durableObjects: { ORG_SNAPSHOTS: { className: 'OrgSnapshots', useSQLite: true } },
    }),
  );
  try {
    const namespace = await sample.getDurableObjectNamespace('ORG_SNAPSHOTS');
    // The backend's side: PUT and DELETE through its own binding (here, miniflare's from Node).
    const write = async (orgId, method, body) => {
      const response = await namespace.get(namespace.idFromName(orgId)).fetch(`https://orgwarden/orgs/${orgId}`, { method, body });
      assert.equal(response.status, 204, `${method} ${orgId}`);
    };
    await write('acme', 'PUT', JSON.stringify(acme));
    await write('globex', 'PUT', JSON.stringify(globex));
    const ask = readmeAsk(sample);
    // The same decisions as one authorizer over the whole fixture.
    await assertDecidesAsTheFixture(ask);

    // Promoted in the object: allowed from the very next request, without waiting.
    const promoted = structuredClone(acme);
    promoted.organizations[0].members.find((m) => m.user === 'mia').role = 'admin';
    await write('acme', 'PUT', JSON.stringify(promoted));
    assert.equal((await ask('acme', 'mia')).status, 200);
    // Removed from the org: denied from the very next request.
    const removed = structuredClone(promoted);
    removed.organizations[0].members = removed.organizations[0].members.filter((m) => m.user !== 'mia');
    await write('acme', 'PUT', JSON.stringify(removed));
    const revoked = await ask('acme', 'mia');
    assert.equal(revoked.status, 403);
    assert.equal(revoked.body.allowed, false);

    // A malformed org denies with its code; the others are unaffected.
    await write('garbled', 'PUT', '{"users": [');
    assert.equal((await ask('garbled', 'adam')).body.errors[0].code, 'INVALID_JSON');
    assert.equal((await ask('globex', 'oscar')).status, 200);
    // An org never written, and one deleted: not found, from the next request.
    assert.equal((await ask('initech', 'olivia')).body.errors[0].code, 'ORG_NOT_FOUND');
    await write('acme', 'DELETE');
    assert.equal((await ask('acme', 'olivia')).body.errors[0].code, 'ORG_NOT_FOUND');
    // Written again: its revision did not start over, so no isolate can take it for an old one.
    await write('acme', 'PUT', JSON.stringify(acme));
    assert.equal((await ask('acme', 'olivia')).status, 200);

    // The adapter over the same objects, from Node: an unchanged org is a 304 (nothing to
    // rebuild), a new revision is a new version, and the org id travels URI-encoded.
    const direct = durableObjectSource(namespace);
    const current = await direct('acme', { version: null });
    assert.deepEqual(current, { snapshot: JSON.stringify(acme), version: '"5"' });
    assert.deepEqual(await direct('acme', { version: current.version }), { notModified: true });
    assert.deepEqual(await direct('acme', { version: '"4"' }), current);
    assert.deepEqual(await direct('initech', { version: null }), { notFound: true });
    const oneObject = durableObjectSource(namespace, { name: () => 'globex' });
    assert.equal((await oneObject('a b/c', { version: null })).version, '"1"', 'any org id reaches the object named');
  } finally {
    await sample.dispose();
  }
});
