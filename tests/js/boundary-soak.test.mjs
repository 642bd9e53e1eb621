// Soak: each kind of failing call, thousands of times on one long-lived authorizer, as a
// long-lived isolate would see it. A refused call must cost nothing that stays: module memory
// (which never shrinks) must not creep with the number of refusals, inputs refused in JS by size
// must not reach module memory at all, and afterwards a fresh Authorizer, and the soaked one,
// must still answer the known decisions.
//
// Memory is measured in moduleStatus().memoryBytes before, halfway and after each kind: the
// first half may size the heap for that kind of call, the second half must not grow it further.
// The bytes allocated in it (moduleStatus().heldBytes, the allocator's count) must be the same
// at the end as halfway, to the byte: a refused call, or a load that replaces the store with
// the same one, keeps nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { api as ow, label } from './build-under-test.mjs';
import { MiB, loadFixture, fixtureModel, decisionTable, tableDifferences } from './hostile.mjs';

const { fixture } = loadFixture();
const model = fixtureModel(ow, fixture);
const olivia = { type: 'User', id: 'olivia' };
const acme = { type: 'Organization', id: 'acme' };
const CALLS = 5000;
const BIG_CALLS = 10;
// The JSON size limit of src/limits.rs, as the package reports it; the 40 MB inputs are over it.
const MAX_JSON_BYTES = ow.inputLimits().maxJsonBytes;
// Refusals that cross into the module may size its heap once; after that, a leak of a few
// hundred bytes per call would show within the second half's 2,500 calls.
const STEADY_GROWTH = 1 * MiB;
// Inputs refused in JS by their size are never copied into the module.
const UNCOPIED_GROWTH = 2 * MiB;

function loaded() {
  const authz = new ow.Authorizer();
  const answer = authz.loadSnapshot(fixture);
  assert.equal(answer.type, 'success', JSON.stringify(answer));
  return authz;
}

const mem = () => ow.moduleStatus().memoryBytes;
const held = () => ow.moduleStatus().heldBytes;
const mib = (bytes) => `${(bytes / MiB).toFixed(2)} MiB`;
const observed = [];

const reference = loaded();
const table = decisionTable(reference, model);
reference.free();
const soaked = loaded();

/**
 * Runs `call(i)` `calls` times; `check(answer, i)` asserts each answer. Returns the memory
 * before, at half and at the end, and asserts the fresh and soaked authorizers afterwards.
 */
function soak(t, label, calls, call, check, { steady = STEADY_GROWTH, total = Infinity, soakedStore = true } = {}) {
  const before = mem();
  let half = before;
  let heldAtHalf = held();
  const started = performance.now();
  for (let i = 0; i < calls; i++) {
    if (i === Math.floor(calls / 2)) {
      half = mem();
      heldAtHalf = held();
    }
    let answer;
    try {
      answer = call(i);
    } catch (error) {
      assert.fail(`${label}: call ${i} threw ${error?.constructor?.name}: ${error?.message}`);
    }
    check(answer, i);
  }
  const after = mem();
  const heldAfter = held();
  const seconds = (performance.now() - started) / 1000;
  const line = `${label}: ${calls} calls in ${seconds.toFixed(2)} s; module memory ${mib(before)} → ${mib(half)} (half) → ${mib(after)}`;
  t.diagnostic(line);
  observed.push(line);
  assert.equal(ow.moduleStatus().resets, 0, `${label}: the module trapped: ${ow.moduleStatus().lastTrap}`);
  assert.ok(after - half <= steady, `${label}: module memory grew ${mib(after - half)} over the second half of the calls`);
  assert.equal(heldAfter, heldAtHalf, `${label}: the second half of the calls kept ${heldAfter - heldAtHalf} bytes allocated`);
  assert.ok(after - before <= total, `${label}: module memory grew ${mib(after - before)} (allowed ${mib(total)})`);

  // The known decisions, on a fresh authorizer and on the soaked one.
  const fresh = loaded();
  assert.deepEqual(tableDifferences(table, fresh), [], `${label}: a fresh authorizer's decisions changed`);
  fresh.free();
  if (soakedStore) assert.deepEqual(tableDifferences(table, soaked), [], `${label}: the soaked authorizer's decisions changed`);
}

const failureCode = (answer) => answer?.errors?.[0]?.code;

test(`soak${label}: null in matrix actions`, (t) => {
  soak(
    t,
    'null in matrix actions',
    CALLS,
    (i) => soaked.matrix(olivia, [acme], i % 2 ? ['viewMembers', null] : [null]),
    (answer) => {
      assert.equal(answer.type, 'failure');
      assert.equal(failureCode(answer), 'INVALID_REQUEST');
    },
  );
});

test(`soak${label}: calls after free()`, (t) => {
  // Every answering method on a freed (twice) authorizer, in turn: the freed check comes
  // before anything is read or copied.
  const freed = loaded();
  freed.free();
  freed.free();
  const calls = [
    () => freed.check(olivia, 'viewMembers', acme),
    () => freed.isAllowed(olivia, 'deleteOrganization', acme),
    () => freed.matrix(olivia, [acme], ['viewMembers']),
    () => freed.allowedActions(olivia, acme),
    () => freed.loadSnapshot(fixture),
    () => freed.loadEntities([]),
    () => freed.upsertEntities([]),
    () => freed.removeEntities([acme]),
    () => freed.validateAction({ principal: olivia, action: 'viewMembers', resource: acme }),
    () => freed.allowedResources(olivia, 'viewMembers', 'Organization'),
  ];
  soak(
    t,
    'calls after free()',
    CALLS,
    (i) => calls[i % calls.length](),
    (answer, i) => {
      if (i % calls.length === 1) return assert.equal(answer, false);
      if (i % calls.length === 8) return assert.equal(answer.violations[0].code, 'AUTHORIZER_FREED');
      assert.equal(answer.type, 'failure');
      assert.equal(failureCode(answer), 'AUTHORIZER_FREED');
    },
  );
  for (const accessor of ['policies', 'policySources', 'schemaText', 'entityCount', 'storeBytes']) {
    assert.throws(() => freed[accessor](), (error) => error instanceof ow.OrgwardenError && error.code === 'AUTHORIZER_FREED');
  }
});

test(`soak${label}: authorizers made, loaded and freed`, (t) => {
  // Freeing must return an engine's memory to the module: many short-lived authorizers (one
  // per request) must not add up.
  soak(
    t,
    'new Authorizer + loadSnapshot + free',
    1000,
    (i) => {
      const authz = new ow.Authorizer();
      const answer = authz.loadSnapshot(fixture);
      const allowed = authz.isAllowed(olivia, 'deleteOrganization', acme);
      if (i % 2) authz.free();
      else authz[Symbol.dispose]();
      return { answer, allowed };
    },
    ({ answer, allowed }) => {
      assert.equal(answer.type, 'success');
      assert.equal(allowed, true);
    },
  );
});

for (const [label, action] of [
  ['5', 5],
  ['5n', 5n],
  ['Symbol()', Symbol('action')],
  ['{}', {}],
  ['{length: 1e8}', { length: 1e8 }],
]) {
  test(`soak: non-string action ${label}`, (t) => {
    soak(
      t,
      `action ${label}`,
      CALLS,
      (i) => (i % 2 ? soaked.check(olivia, action, acme) : soaked.isAllowed(olivia, action, acme)),
      (answer, i) => {
        if (i % 2 === 0) return assert.equal(answer, false);
        assert.equal(answer.type, 'failure');
        assert.equal(answer.allowed, false);
        assert.equal(failureCode(answer), 'INVALID_REQUEST');
      },
      { total: UNCOPIED_GROWTH },
    );
  });
}

test(`soak${label}: 40 MB snapshots and entity documents`, (t) => {
  // Over maxJsonBytes: refused in JS before a byte is copied into module memory.
  const text = 'x'.repeat(40_000_000);
  const object = { users: [{ id: 'u', email: 'u@x.test', name: 'y'.repeat(40_000_000) }] };
  const calls = [
    () => soaked.loadSnapshot(text),
    () => soaked.loadSnapshot(object),
    () => soaked.loadEntities(text),
    () => soaked.upsertEntities(text),
  ];
  soak(
    t,
    '40 MB inputs',
    BIG_CALLS * calls.length,
    (i) => calls[i % calls.length](),
    (answer) => {
      assert.equal(answer.type, 'failure');
      assert.equal(failureCode(answer), 'LIMIT_EXCEEDED');
    },
    { total: UNCOPIED_GROWTH, steady: UNCOPIED_GROWTH },
  );
  assert.ok(text.length > MAX_JSON_BYTES);
});

test(`soak${label}: invalid JSON`, (t) => {
  // Crosses into the module (it is within the size limit) and is refused by the parser.
  const texts = ['{ nope', '{"users":', '[1,2', '{"a":1}}', '\u0000', 'nul', '{"users":[{"id":"x",}]}'];
  const calls = [(s) => soaked.loadSnapshot(s), (s) => soaked.loadEntities(s), (s) => soaked.upsertEntities(s)];
  soak(
    t,
    'invalid JSON',
    CALLS,
    (i) => calls[i % calls.length](`${texts[i % texts.length]}${' '.repeat(i % 13)}${i % 5 ? '' : i}`),
    (answer) => {
      assert.equal(answer.type, 'failure');
      assert.equal(failureCode(answer), 'INVALID_JSON');
    },
  );
});

test(`soak${label}: unknown principal`, (t) => {
  // A different unknown id each time, so nothing the engine caches by name can hide a leak.
  soak(
    t,
    'unknown principal',
    CALLS,
    (i) => soaked.check({ type: 'User', id: `nobody-${i}` }, 'viewMembers', acme),
    (answer) => {
      assert.equal(answer.type, 'failure');
      assert.equal(answer.allowed, false);
      assert.equal(failureCode(answer), 'UNKNOWN_PRINCIPAL');
    },
  );
});

test(`soak${label}: an entity document within the size limit cannot blow up module memory`, (t) => {
  // Last, because module memory never shrinks. 16 million `0`s make a 32 MB document, within
  // maxJsonBytes, that the engine refuses for its entity count; the refusal must come before
  // the document is expanded into memory many times its size.
  const count = Math.floor((MAX_JSON_BYTES - 2) / 2) - 1;
  const text = `[${'0,'.repeat(count)}0]`;
  assert.ok(text.length <= MAX_JSON_BYTES);
  soak(
    t,
    `a ${mib(text.length)} array of ${count + 1} zeros`,
    1,
    () => soaked.loadEntities(text),
    (answer) => {
      assert.equal(answer.type, 'failure');
      assert.equal(failureCode(answer), 'LIMIT_EXCEEDED');
    },
    // Copying the document in is expected; expanding it several times over is not.
    { total: 4 * MAX_JSON_BYTES, steady: Infinity },
  );
});

test(`soak${label}: no trap, and the memory observed`, (t) => {
  for (const line of observed) console.log(line);
  const status = ow.moduleStatus();
  t.diagnostic(`module memory at the end: ${mib(status.memoryBytes)}, resets ${status.resets}`);
  assert.equal(status.resets, 0, `the module trapped: ${status.lastTrap}`);
});
