// `orgwarden/orgs` refuses an organization whose snapshot is over maxSnapshotBytes before it is
// parsed, copied into the module or built (ORG_TOO_LARGE), and nothing else changes: the other
// orgs, and the last good version of the same org while serveStaleForMs allows, keep answering.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { moduleStatus } from 'orgwarden';
import { createOrgAuthorizers, kvSource, fetchSource } from 'orgwarden/orgs';
import { orgSnapshot } from './org-snapshots.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/small-org.json', import.meta.url), 'utf8'));
const user = (id) => ({ type: 'User', id });
const org = (id) => ({ type: 'Organization', id });
const acme = orgSnapshot(fixture, 'acme');
const globex = orgSnapshot(fixture, 'globex');
const acmeText = JSON.stringify(acme);
const utf8Bytes = (text) => new TextEncoder().encode(text).length;

/** acme with a display name of `name`: the same org, as large as the name makes it. */
const acmeNamed = (name) => {
  const copy = structuredClone(acme);
  copy.organizations[0].displayName = name;
  return copy;
};

/** A source over a Map of orgId → { snapshot, version }, recording what it was asked. */
function mapSource(entries) {
  const calls = [];
  const source = async (orgId, request) => {
    calls.push({ orgId, ...request });
    const found = entries.get(orgId);
    if (!found) return null;
    if (request.version !== null && request.version === found.version) return { notModified: true };
    return found;
  };
  return { source, calls };
}

const clock = () => {
  const c = { t: 1_000, now: () => c.t, advance: (ms) => (c.t += ms) };
  return c;
};

test('orgs: a snapshot over maxSnapshotBytes is ORG_TOO_LARGE before it is parsed; the other orgs are unaffected', async () => {
  const limit = utf8Bytes(acmeText) + 100;
  const entries = new Map([
    ['acme', { snapshot: acme, version: 'a1' }],
    ['globex', { snapshot: globex, version: 'g1' }],
    // Not even JSON: a parse would say INVALID_JSON, so the code shows nothing parsed it.
    ['junk', { snapshot: `{${' '.repeat(limit)}`, version: 'j1' }],
    // An object is measured by its JSON text.
    ['wide', { snapshot: acmeNamed('x'.repeat(200)), version: 'w1' }],
  ]);
  const { source, calls } = mapSource(entries);
  const orgs = createOrgAuthorizers({ source, maxSnapshotBytes: limit });
  assert.equal(orgs.status().maxSnapshotBytes, limit);

  assert.equal((await orgs.check('acme', user('olivia'), 'deleteOrganization', org('acme'))).allowed, true);
  const before = moduleStatus().memoryBytes;
  for (const id of ['junk', 'wide']) {
    const refused = await orgs.forOrg(id);
    assert.equal(refused.type, 'failure', id);
    assert.equal(refused.errors[0].code, 'ORG_TOO_LARGE', id);
    assert.match(refused.errors[0].message, new RegExp(`maxSnapshotBytes \\(${limit} bytes`));
    const denied = await orgs.check(id, user('olivia'), 'viewMembers', org(id));
    assert.equal(denied.allowed, false);
    assert.equal(denied.errors[0].code, 'ORG_TOO_LARGE');
  }
  assert.equal(moduleStatus().memoryBytes, before, 'nothing was copied into the module');
  assert.equal(calls.every((call) => call.maxSnapshotBytes === limit), true, 'the source is told the limit');
  // Refused versions were never built; the others load and answer as before.
  assert.equal(orgs.status().builds, 1);
  assert.equal((await orgs.check('globex', user('oscar'), 'deleteOrganization', org('globex'))).allowed, true);
  assert.equal((await orgs.check('acme', user('mia'), 'deleteOrganization', org('acme'))).allowed, false);
  assert.deepEqual(orgs.status().resident.map((r) => r.orgId).sort(), ['acme', 'globex']);
  orgs.clear();
});

test('orgs: the limit counts UTF-8 bytes, not characters; a snapshot at the limit loads', async () => {
  // Two bytes a character: within the limit by characters, over it by bytes.
  const accented = JSON.stringify(acmeNamed('é'.repeat(400)));
  const limit = accented.length + 10;
  assert.ok(utf8Bytes(accented) > limit);
  const atLimit = JSON.stringify(acmeNamed('a'.repeat(limit - utf8Bytes(JSON.stringify(acmeNamed(''))))));
  assert.equal(utf8Bytes(atLimit), limit);
  const entries = new Map([
    ['acme', { snapshot: accented, version: 'v1' }],
  ]);
  const orgs = createOrgAuthorizers({ source: mapSource(entries).source, maxSnapshotBytes: limit });
  assert.equal((await orgs.forOrg('acme')).errors[0].code, 'ORG_TOO_LARGE');
  assert.equal(orgs.upsertOrganization('acme', atLimit, 'v2').type, 'success');
  const pushed = orgs.upsertOrganization('acme', accented, 'v3');
  assert.equal(pushed.errors[0].code, 'ORG_TOO_LARGE');
  assert.equal((await orgs.forOrg('acme')).version, 'v2', 'a refused push keeps the org as it was');
  orgs.clear();
});

test('orgs: a too-large new version keeps the last good one while serveStaleForMs allows, and is not read again unchanged', async () => {
  const limit = utf8Bytes(acmeText) + 100;
  const entries = new Map([['acme', { snapshot: acme, version: 'v1' }]]);
  const { source, calls } = mapSource(entries);
  const c = clock();
  const orgs = createOrgAuthorizers({ source, maxSnapshotBytes: limit, revalidateAfterMs: 1_000, serveStaleForMs: 10_000, now: c.now });
  assert.equal((await orgs.forOrg('acme')).version, 'v1');
  entries.set('acme', { snapshot: acmeNamed('x'.repeat(200)), version: 'v2' });
  c.advance(1_000);
  const stale = await orgs.forOrg('acme');
  assert.equal(stale.type, 'success');
  assert.equal(stale.stale, true);
  assert.equal(stale.version, 'v1');
  assert.equal(stale.refreshError.code, 'ORG_TOO_LARGE');
  assert.equal(stale.authorizer.isAllowed(user('olivia'), 'deleteOrganization', org('acme')), true);
  // Past the stale window the org denies, and the refused version is remembered: the source
  // is asked with it and answers notModified, so the large value is neither read nor built.
  c.advance(10_000);
  assert.equal((await orgs.forOrg('acme')).errors[0].code, 'ORG_TOO_LARGE');
  c.advance(1_000);
  assert.equal((await orgs.forOrg('acme')).errors[0].code, 'ORG_TOO_LARGE');
  assert.equal(calls.at(-1).version, 'v2');
  assert.equal(orgs.status().builds, 1);
  orgs.clear();
});

test('orgs: maxSnapshotBytes is a whole number of bytes of at least 1', () => {
  const source = async () => null;
  for (const bad of [0, -1, 1.5, '8MiB', Number.NaN]) {
    assert.throws(() => createOrgAuthorizers({ source, maxSnapshotBytes: bad }), { code: 'INVALID_REQUEST' }, String(bad));
  }
  assert.equal(createOrgAuthorizers({ source }).status().maxSnapshotBytes, 8 * 1024 * 1024);
  assert.equal(createOrgAuthorizers({ source, maxSnapshotBytes: Infinity }).status().maxSnapshotBytes, Infinity);
});

test('kvSource: a value over the limit is not parsed for its version; it is versioned by its hash and refused', async () => {
  const limit = utf8Bytes(acmeText) + 100;
  // Parsed, this text would name its version v9; unparsed, its version is its SHA-256.
  const large = JSON.stringify({ version: 'v9', snapshot: acmeNamed('x'.repeat(200)) });
  const kv = {
    async getWithMetadata(key) {
      return key === 'acme' ? { value: large, metadata: null } : { value: null, metadata: null };
    },
  };
  const asked = [];
  const kvOrgs = kvSource(kv);
  const source = (orgId, request) => {
    asked.push(request);
    return kvOrgs(orgId, request);
  };
  const direct = await kvOrgs('acme', { version: null, maxSnapshotBytes: limit });
  assert.equal(direct.snapshot, large, 'handed on as text, unparsed');
  assert.match(direct.version, /^sha256:/);
  assert.equal((await kvOrgs('acme', { version: null })).version, 'v9', 'without a limit it is read for its version');

  const c = clock();
  const orgs = createOrgAuthorizers({ source, maxSnapshotBytes: limit, revalidateAfterMs: 1_000, now: c.now });
  assert.equal((await orgs.forOrg('acme')).errors[0].code, 'ORG_TOO_LARGE');
  c.advance(1_000);
  assert.equal((await orgs.forOrg('acme')).errors[0].code, 'ORG_TOO_LARGE');
  assert.equal(asked[1].version, direct.version, 'asked again with the hash of the refused text');
  assert.equal(orgs.status().builds, 0);
});

test('fetchSource: a body over the limit is refused by its Content-Length, or as soon as the bytes read pass it', async () => {
  const limit = utf8Bytes(acmeText) + 100;
  const large = JSON.stringify(acmeNamed('x'.repeat(4 * limit)));
  const sent = {};
  const server = createServer((request, response) => {
    const id = request.url.split('/').pop();
    sent[id] = 0;
    response.on('close', () => {
      sent[id] = response.writableFinished ? 'whole' : 'cut';
    });
    if (id === 'acme') return response.writeHead(200, { ETag: '"s1"' }).end(acmeText);
    if (id === 'declared') return response.writeHead(200, { 'Content-Length': String(utf8Bytes(large)) }).end(large);
    // Chunked, no Content-Length: a body that keeps coming.
    response.writeHead(200);
    const chunk = 'x'.repeat(1024);
    let written = 0;
    const pump = () => {
      while (written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!response.write(chunk)) return response.once('drain', pump);
      }
      response.end();
    };
    response.on('error', () => {});
    pump();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}/orgs/`;
  const source = fetchSource((orgId) => base + orgId);

  assert.deepEqual(await source('acme', { version: null, maxSnapshotBytes: limit }), { snapshot: acmeText, version: '"s1"' });
  const declared = await source('declared', { version: null, maxSnapshotBytes: limit });
  assert.equal(declared.error.code, 'ORG_TOO_LARGE');
  assert.match(declared.error.message, new RegExp(`\\(${utf8Bytes(large)} bytes\\)`));
  const streamed = await source('streamed', { version: null, maxSnapshotBytes: limit });
  assert.equal(streamed.error.code, 'ORG_TOO_LARGE');
  // The 64 MiB body was abandoned, not read whole.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(sent.streamed, 'cut');

  const orgs = createOrgAuthorizers({ source, maxSnapshotBytes: limit });
  assert.equal((await orgs.check('acme', user('olivia'), 'deleteOrganization', org('acme'))).type, 'success');
  assert.equal((await orgs.forOrg('streamed')).errors[0].code, 'ORG_TOO_LARGE');
  assert.equal(orgs.status().orgs, 1);
  orgs.clear();
});
