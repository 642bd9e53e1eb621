// A large load reserves the module memory it will need in one growth (src/memory.rs), instead of
// growing it 64 KiB at a time (V8 runs a full garbage collection on each growth). What must hold
// whatever the timing: the reservation stays below what the load takes (a first load grows the
// memory no more than a store of that size needs), and loading again in place, or a new
// authorizer after the old one is freed, reuses the memory instead of reserving anew.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Authorizer, moduleStatus } from 'orgwarden';
import { generateSnapshot } from '../../bench/workload.mjs';

const mib = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

// First in the file: the module's memory has grown for nothing else yet.
test('an array of anything but entities does not grow the memory ahead of it', () => {
  // 200,001 items, as many entities as the text could size a store for (about 400 MiB).
  const text = `[${'0,'.repeat(200_000)}0]`;
  const before = moduleStatus().memoryBytes;
  const authz = new Authorizer();
  const refused = authz.loadEntities(text);
  assert.equal(refused.type, 'failure');
  assert.equal(refused.errors[0].code, 'INVALID_ENTITIES');
  const grown = moduleStatus().memoryBytes - before;
  // The text itself is copied into the module; nothing is reserved for a store.
  assert.ok(grown < 2 * 2 ** 20, `a refused array grew the memory ${mib(grown)}`);
  authz.free();
});

// A first load by `loadWith` on a new authorizer grows the memory by no more than its store
// takes: 2,200-2,600 bytes of module memory per entity at its peak (BENCHMARKS), so a
// reservation past that shows here. Then four reloads in place: the old store is alive while
// the new one is built, so the second load may grow the memory; from then on every load fits
// in what the ones before freed. `countOf` gives the entities of the first load's answer.
function assertFirstLoadThenReloadsReuse(what, loadWith, countOf) {
  const before = moduleStatus().memoryBytes;
  const authz = new Authorizer();
  const loaded = loadWith(authz);
  assert.equal(loaded.type, 'success', JSON.stringify(loaded));
  const entities = countOf(loaded);
  const grown = moduleStatus().memoryBytes - before;
  assert.ok(grown / entities < 2_800, `a first ${what} grew the memory ${mib(grown)}: ${(grown / entities).toFixed(0)} bytes per entity`);
  const sizes = [];
  for (let i = 0; i < 4; i++) {
    assert.equal(loadWith(authz).type, 'success');
    sizes.push(moduleStatus().memoryBytes);
  }
  assert.deepEqual(sizes.slice(2), [sizes[1], sizes[1]], `memory after each reload: ${sizes.map(mib).join(', ')}`);
  return { authz, sizes };
}

test('a large raw load grows the memory by what its store needs, and reloads reuse it', () => {
  // 9,000 users as Cedar entities JSON: over the size from which a load reserves.
  const users = Array.from({ length: 9_000 }, (_, i) => ({
    uid: { type: 'User', id: `user-${i}` },
    attrs: { email: `user-${i}@example.com`, name: `User ${i}`, mfaEnabled: i % 2 === 0, passwordCompliant: true },
    parents: [],
  }));
  const text = JSON.stringify(users);
  // The text copied in, the entities and the store: no reservation beyond what they take.
  const { authz } = assertFirstLoadThenReloadsReuse('raw load', (a) => a.loadEntities(text), () => users.length);
  authz.free();
});

test('a large load grows the memory by what its store needs, and reloads reuse it', () => {
  // About 9,000 entities: over the size from which a load reserves.
  const text = JSON.stringify(generateSnapshot({ orgCount: 80, members: 30, seed: 7 }));
  const { authz, sizes } = assertFirstLoadThenReloadsReuse('load', (a) => a.loadSnapshot(text), (loaded) => {
    assert.ok(loaded.entityCount > 5_000, `${loaded.entityCount} entities`);
    return loaded.entityCount;
  });
  authz.free();
  const fresh = new Authorizer();
  assert.equal(fresh.loadSnapshot(text).type, 'success');
  assert.equal(moduleStatus().memoryBytes, sizes[1], 'a new authorizer after free() reuses the memory');
  fresh.free();
});
