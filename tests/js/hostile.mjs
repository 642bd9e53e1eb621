// Shared by boundary.test.mjs (the fuzzer) and boundary-soak.test.mjs: a seeded PRNG, the fixture
// model, the shapes the package promises, and a catalogue of hostile JS values.
//
// Nothing here uses Math.random or the clock: a run is a function of its seed, so a failure
// printed with its seed and call index can be replayed exactly.
import { readFileSync } from 'node:fs';

export const MiB = 1024 * 1024;

/** The codes an answer (or an OrgwardenError) may carry: ErrorCode in dist/orgwarden.d.ts. */
export const ERROR_CODES = new Set([
  'INVALID_JSON', 'INVALID_SNAPSHOT', 'INVALID_ENTITIES', 'INVALID_SCHEMA', 'INVALID_POLICY',
  'INVALID_REQUEST', 'INVALID_CONTEXT', 'UNKNOWN_ACTION', 'UNKNOWN_ENTITY_TYPE', 'UNKNOWN_PRINCIPAL',
  'UNKNOWN_RESOURCE', 'UNKNOWN_ENTITY', 'MISSING_INPUT', 'POLICY_EVALUATION', 'LIMIT_EXCEEDED',
  'AUTHORIZER_FREED', 'ENGINE_TRAPPED', 'ENGINE_RESET', 'MODULE_NOT_INITIALIZED', 'COMPILED_RUNTIME',
  'ORG_MISMATCH',
]);
/** validateAction's violations may also name a rule outcome. */
export const VIOLATION_CODES = new Set([...ERROR_CODES, 'FORBIDDEN', 'NOT_PERMITTED', 'UNKNOWN_ACCOUNT', 'ALREADY_MEMBER']);

// ---- PRNG -------------------------------------------------------------------------------------

/** sfc32 seeded through splitmix32: small, fast, and good enough to pick fuzz inputs. */
export function makeRng(seed) {
  let s = seed >>> 0;
  const split = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t >>> 0;
  };
  const rng = {
    u32: next,
    float: () => next() / 2 ** 32,
    int: (n) => Math.floor((next() / 2 ** 32) * n),
    chance: (p) => next() / 2 ** 32 < p,
    pick: (items) => items[Math.floor((next() / 2 ** 32) * items.length)],
    /** Picks from `[weight, value]` pairs. */
    weighted(pairs) {
      let total = 0;
      for (const [w] of pairs) total += w;
      let x = (next() / 2 ** 32) * total;
      for (const [w, v] of pairs) {
        if ((x -= w) < 0) return v;
      }
      return pairs[pairs.length - 1][1];
    },
  };
  return rng;
}

// ---- The fixture ------------------------------------------------------------------------------

export function loadFixture() {
  const url = new URL('../fixtures/small-org.json', import.meta.url);
  const text = readFileSync(url, 'utf8');
  return { text, fixture: JSON.parse(text) };
}

/**
 * The principals, resources and actions of the decision table. Users × actions × resources is
 * the fixed set of known decisions the fuzzer compares before and after; `nobody` and `ghost`
 * are well-formed refs the store does not hold, so the table also pins their refusals.
 */
export function fixtureModel(ow, fixture) {
  const user = (id) => ({ type: 'User', id });
  const users = [...fixture.users.map((u) => u.id), 'nobody'].map(user);
  const memberships = [];
  for (const org of fixture.organizations) {
    for (const m of org.members) memberships.push({ type: 'Membership', id: ow.membershipId(org.id, m.user) });
  }
  const resources = [
    ...fixture.organizations.map((o) => ({ type: 'Organization', id: o.id })),
    { type: 'Workspace', id: 'research' },
    { type: 'Algorithm', id: 'sentiment' },
    { type: 'AlgorithmVersion', id: 'sentiment@1' },
    { type: 'Platform', id: 'platform' },
    ...memberships,
    { type: 'Team', id: 'ghost' },
  ];
  const actions = [
    'createOrganization', 'viewOrganization', 'editOrganizationProfile', 'deleteOrganization',
    'inviteMember', 'viewMembers', 'changeRole', 'removeMember', 'leaveOrganization',
    'createTeam', 'editTeam', 'viewWorkspace', 'editWorkspace', 'launchCompute', 'viewAlgorithm',
    'approveVersion', 'viewBilling', 'changeBillingSettings',
  ];
  return { users, resources, actions, refs: [...users, ...resources] };
}

export const tableKey = (p, action, r) => `${p.type}\u0001${p.id}\u0001${action}\u0001${r.type}\u0001${r.id}`;

/** What a decision says, in the form a matrix cell says it too. */
export function projection(decision) {
  const rule = decision.policies?.[0]?.rule ?? decision.requirements?.[0]?.rule ?? null;
  return {
    type: decision.type,
    allowed: decision.allowed,
    cause: decision.type === 'failure' ? 'error' : decision.cause,
    reason: decision.reason ?? null,
    rule: decision.type === 'failure' ? null : rule,
    code: decision.errors?.[0]?.code ?? null,
  };
}

/** The clean table: every user × action × resource on `authz`, keyed by tableKey. */
export function decisionTable(authz, model) {
  const table = new Map();
  for (const p of model.users) {
    for (const action of model.actions) {
      for (const r of model.resources) {
        const decision = authz.check(p, action, r);
        table.set(tableKey(p, action, r), { p, action, r, decision, json: JSON.stringify(decision), projection: projection(decision) });
      }
    }
  }
  return table;
}

/** Differences between `table` and the same requests on `authz` (at most `max` listed). */
export function tableDifferences(table, authz, max = 10) {
  const diffs = [];
  for (const entry of table.values()) {
    let now;
    try {
      now = authz.check(entry.p, entry.action, entry.r);
    } catch (error) {
      now = { threw: describeError(error) };
    }
    const json = JSON.stringify(now);
    if (json !== entry.json) {
      diffs.push(`${entry.p.id} ${entry.action} ${entry.r.type}::${entry.r.id}: was ${JSON.stringify(entry.projection)}, now ${JSON.stringify(now?.type ? projection(now) : now)}`);
      if (diffs.length >= max) break;
    }
  }
  return diffs;
}

// ---- Shapes -----------------------------------------------------------------------------------
// Each returns null for a well-formed value, or what is wrong with it.

function errorList(errors, codes = ERROR_CODES) {
  if (!Array.isArray(errors) || errors.length === 0) return 'errors is not a non-empty array';
  for (const e of errors) {
    if (e === null || typeof e !== 'object') return 'an error is not an object';
    if (typeof e.code !== 'string' || !codes.has(e.code)) return `unknown error code ${safeString(e.code)}`;
    if (typeof e.message !== 'string') return 'an error has no message';
  }
  return null;
}

export function decisionProblem(d) {
  if (d === null || typeof d !== 'object') return `not an object: ${safeString(d)}`;
  if (d.type === 'success') {
    if (typeof d.allowed !== 'boolean') return 'success without a boolean allowed';
    if (typeof d.cause !== 'string') return 'success without a cause';
    if (!Array.isArray(d.policies)) return 'success without policies';
    return null;
  }
  if (d.type === 'failure') {
    if (d.allowed !== false) return 'a failure that is not allowed:false';
    if (typeof d.reason !== 'string') return 'a failure without a reason';
    return errorList(d.errors);
  }
  return `type is ${safeString(d.type)}`;
}

export function answerProblem(a) {
  if (a === null || typeof a !== 'object') return `not an object: ${safeString(a)}`;
  if (a.type === 'success') return null;
  if (a.type === 'failure') return errorList(a.errors);
  return `type is ${safeString(a.type)}`;
}

export function validationProblem(v) {
  if (v === null || typeof v !== 'object') return `not an object: ${safeString(v)}`;
  if (typeof v.valid !== 'boolean') return 'valid is not a boolean';
  if (!Array.isArray(v.violations)) return 'violations is not an array';
  for (const x of v.violations) {
    if (x === null || typeof x !== 'object' || typeof x.code !== 'string' || !VIOLATION_CODES.has(x.code)) {
      return `a violation with code ${safeString(x?.code)}`;
    }
  }
  if (!Array.isArray(v.notices)) return 'notices is not an array';
  const decision = decisionProblem(v.decision);
  if (decision) return `decision: ${decision}`;
  if (v.valid && (v.violations.length > 0 || v.decision.allowed !== true)) return 'valid with violations or a denying decision';
  return null;
}

export function safeString(value) {
  try {
    if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
    if (typeof value === 'bigint') return `${value}n`;
    return String(value);
  } catch {
    return '<unprintable>';
  }
}

export function describeError(error) {
  try {
    if (error instanceof Error) return `${error.constructor?.name ?? 'Error'}${error.code ? `(${error.code})` : ''}: ${error.message}`;
    return `non-Error ${typeof error}: ${safeString(error)}`;
  } catch {
    return 'an unprintable exception';
  }
}

// ---- Hostile values ---------------------------------------------------------------------------

/** Throws `thrown` when called: for getters and traps. */
const thrower = (make) => () => {
  throw make();
};
const poisoned = () => ({ message: Object.create(null) });
const poisonProxy = () => new Proxy({}, { get() { throw poisoned(); }, getPrototypeOf() { throw new Error('getPrototypeOf'); } });
function revoked(target = {}) {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
}
/** A value whose every trap throws `make()`. */
function trapsThrow(target, make) {
  const t = thrower(make);
  return new Proxy(target, { get: t, has: t, ownKeys: t, getOwnPropertyDescriptor: t, getPrototypeOf: t, set: t, defineProperty: t, deleteProperty: t, apply: t, construct: t });
}
/** An Array Proxy whose `length` reads as `length()`; items read as `item(i)`. */
function arrayProxy(length, item = () => undefined) {
  return new Proxy([], {
    get(target, key) {
      if (key === 'length') return length();
      if (typeof key === 'string' && /^\d+$/.test(key)) return item(Number(key));
      return Reflect.get(target, key);
    },
  });
}
function deepObject(depth) {
  let v = {};
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}
function deepArray(depth) {
  let v = [];
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}
function cyclicObject() {
  const o = { type: 'User', id: 'olivia' };
  o.self = o;
  return o;
}
function sparse(length) {
  const a = [];
  a.length = length;
  return a;
}

// Large values are built once per process, on first use, and only a budgeted number of calls
// get them (env.takeHuge()), so a run stays within its time and memory.
const cache = new Map();
const once = (key, build) => () => {
  if (!cache.has(key)) cache.set(key, build());
  return cache.get(key);
};

/** A string of exactly `bytes` UTF-8 bytes that is JSON text for `{}` padded with spaces. */
export const paddedJson = (bytes) => ' '.repeat(bytes - 2) + '{}';

/**
 * The catalogue: `{ name, make(env), ref?, json?, huge? }`. `make` builds a fresh value (env has
 * the receiver for re-entrant hooks, the fixture, and limits). `ref` is the entity ref the
 * value denotes when read the way the package reads refs (one destructuring of `type` and
 * `id`); `json: false` marks a ref whose JSON serialization would say something else (so it is
 * not a valid ref inside validateAction's JSON). Without `ref` a value denotes no entity. `list(i)`
 * is what item i of an array value denotes (a ref or an action name), for the same purpose.
 */
export function hostileCatalogue(limits) {
  const maxJson = limits.maxJsonBytes;
  const maxName = limits.maxNameBytes;
  const olivia = { type: 'User', id: 'olivia' };
  const acme = { type: 'Organization', id: 'acme' };
  const entries = [];
  const add = (name, make, extra = {}) => entries.push({ name, make, ...extra });
  const value = (name, v, extra) => add(name, () => v, extra);

  // Primitives.
  for (const [name, v] of [
    ['undefined', undefined], ['null', null], ['true', true], ['false', false], ['0', 0], ['-0', -0], ['5', 5],
    ['1.5', 1.5], ['NaN', NaN], ['Infinity', Infinity], ['-Infinity', -Infinity], ['2**53', 2 ** 53],
    ['2**31', 2 ** 31], ['-1', -1], ['MAX_VALUE', Number.MAX_VALUE], ['MIN_VALUE', Number.MIN_VALUE],
    ['0n', 0n], ['5n', 5n], ['2n**64n', 2n ** 64n], ['-1n', -1n],
    ['Symbol()', Symbol('hostile')], ['Symbol.iterator', Symbol.iterator], ['Symbol.for(User)', Symbol.for('User')],
  ]) value(name, v);

  // Strings: near-misses of real names, encodings, and injection attempts.
  for (const s of [
    '', ' ', 'User', 'olivia', 'acme', 'Organization', 'viewMembers', 'deleteOrganization', '\0', 'olivia\0',
    'view\0Members', '\uD800', '\uDFFF', 'olivia\uD800', 'x\uDC00y', '\uFFFD', 'olivia\uFFFD', '😀', 'İ', 'OLIVIA',
    ' olivia', 'olivia ', 'User::"olivia"', 'Action::"viewMembers"', 'Action::"deleteOrganization"', '*', '"', '\\',
    'a"b\\c', '" || true || "', 'memberOnly', 'algorithms:read', '__proto__', 'constructor', 'toString',
    'acme/mia', 'acme#owner', '\u202Eolivia', 'olivia\n', '\r\n', '%00', '${x}',
  ]) value(`string ${JSON.stringify(s)}`, s);
  value('name at the limit (ASCII)', 'a'.repeat(maxName));
  value('name over the limit (ASCII)', 'a'.repeat(maxName + 1));
  value('name under the limit in UTF-16, over it in UTF-8', 'é'.repeat(Math.ceil((maxName + 2) / 2)));
  value('name at the limit in UTF-8 (emoji)', '😀'.repeat(maxName / 4));
  value('name over the limit in UTF-8 (emoji)', '😀'.repeat(maxName / 4 + 1));
  add('1 MB string', once('1mb', () => 'b'.repeat(1_000_000)));

  // JSON text, valid and not.
  for (const s of [
    '{}', '[]', 'null', 'true', '0', '"x"', '{ nope', '{"a":', '{"users":[]}', '{"users":[{"id":5}]}',
    '{"users":null,"organizations":null}', '[{"uid":{"type":"User","id":"z"}}]', '[{"uid":{"type":"User","id":"z"},"attrs":{"email":1}}]',
    '"\\ud800"', '{"users":[{"id":"\\ud800","email":"a@b.c"}]}', '1e400', '-0', '123456789012345678901234567890',
    '{"__proto__":{"x":1}}', '{"users":[],"users":[]}', '[1,2,3] x', '// c\n{}', 'NaN', '\uFEFF{}', '{"organizations":[{"id":"a/b","name":"x","members":[]}]}',
    '['.repeat(64) + ']'.repeat(64), '['.repeat(65) + ']'.repeat(65), '{"a":'.repeat(70) + '1' + '}'.repeat(70),
    '[{"uid":{"__entity":{"type":"User","id":"z"}},"parents":[{"type":"OrgRole","id":"acme#owner"}]}]',
    '[{"uid":{"type":"User","id":"olivia"},"attrs":{},"parents":[{"type":"OrgRole","id":"acme#owner"}]}]',
  ]) value(`JSON ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)}`, s);
  add('JSON unclosed, 100k deep', once('deep-text', () => '['.repeat(100_000)));
  add('fixture JSON text + trailing garbage', (env) => `${env.fixtureText} x`);
  add('fixture JSON text with a BOM', (env) => `\uFEFF${env.fixtureText}`);

  // Huge strings: only budgeted calls get them (the rest get a short stand-in).
  const huge = (name, build) => add(name, (env) => (env.takeHuge() ? once(name, build)() : 'h'.repeat(100)), { huge: true });
  huge('40 MB string', () => 'x'.repeat(40_000_000));
  huge('maxJsonBytes + 1 string', () => 'x'.repeat(maxJson + 1));
  huge('string under maxJsonBytes in UTF-16, over it in UTF-8', () => '€'.repeat(Math.ceil(maxJson / 2.5)));
  huge('JSON {} padded to exactly maxJsonBytes', () => paddedJson(maxJson));
  huge('20 MB JSON string literal', () => `"${'a'.repeat(20_000_000)}"`);
  add('sparse array of 1e6 holes', (env) => (env.takeHuge() ? sparse(1_000_000) : sparse(10)), { huge: true });
  add('toJSON returning a 40 MB string', (env) => ({ toJSON: () => (env.takeHuge() ? once('40 MB string', () => 'x'.repeat(40_000_000))() : 'x') }), { huge: true });

  // Arrays.
  add('[]', () => []);
  add('[undefined]', () => [undefined]);
  add('[null]', () => [null]);
  add('[1,2,3]', () => [1, 2, 3]);
  add('sparse [,,]', () => [, ,]); // eslint-disable-line no-sparse-arrays
  add('new Array(5)', () => new Array(5));
  add('array length 2**31 (holes)', () => sparse(2 ** 31));
  add('array length 2**32-1 (holes)', () => sparse(2 ** 32 - 1));
  add('array length 100001 (holes)', () => sparse(100_001));
  add('[olivia, acme]', () => [{ ...olivia }, { ...acme }], { list: (i) => [olivia, acme][i] });
  add('[olivia, 5]', () => [{ ...olivia }, 5], { list: (i) => [olivia][i] });
  add('[viewMembers, 5n]', () => ['viewMembers', 5n], { list: (i) => ['viewMembers'][i] });
  add('[viewMembers, null]', () => ['viewMembers', null], { list: (i) => ['viewMembers'][i] });
  add('array 70 deep', once('deep-array-70', () => deepArray(70)));
  add('array 100k deep', once('deep-array-100k', () => deepArray(100_000)));
  add('cyclic array', () => {
    const a = [1];
    a.push(a);
    return a;
  });
  add('frozen [olivia]', () => Object.freeze([Object.freeze({ ...olivia })]), { list: (i) => [olivia][i] });
  add('array whose [0] getter throws', () => {
    const a = [1];
    Object.defineProperty(a, 0, { get: thrower(() => new Error('index getter')) });
    return a;
  });
  add('array with toJSON that throws', () => Object.assign([1], { toJSON: thrower(() => new Error('toJSON')) }));
  add('array Proxy whose get throws', () => new Proxy([1, 2], { get: thrower(() => new Error('get trap')) }));
  add('array Proxy whose every trap throws a poisoned value', () => trapsThrow([1], poisoned));
  add('array Proxy with length NaN', () => arrayProxy(() => NaN));
  add('array Proxy with length -1', () => arrayProxy(() => -1));
  add('array Proxy with length "2"', () => arrayProxy(() => '2', () => 'viewMembers'), { list: () => 'viewMembers' });
  add('array Proxy with length 2n', () => arrayProxy(() => 2n, () => 'viewMembers'), { list: () => 'viewMembers' });
  add('array Proxy with length 1e9', () => arrayProxy(() => 1e9));
  add('array Proxy with a Symbol length', () => arrayProxy(() => Symbol('length')));
  add('array Proxy with a length whose valueOf throws', () => arrayProxy(() => ({ valueOf: thrower(() => new Error('valueOf')) })));
  // Reads as 0 once (passes any limit), then as 200,001: the limit must hold for what is read.
  // Items read are counted in env.itemReads, so the fuzzer sees a read past the limit even
  // when the engine refuses the result.
  add('array Proxy whose length grows after the limit check', (env) => {
    let reads = 0;
    return arrayProxy(() => ({ valueOf: () => (reads++ === 0 ? 0 : 200_001) }), () => {
      env.itemReads += 1;
      return 'viewMembers';
    });
  }, { list: () => 'viewMembers' });
  add('revoked array Proxy', () => revoked([]));

  // Objects with a `length`, near-miss refs, exotic objects.
  add('{}', () => ({}));
  add('Object.create(null)', () => Object.create(null));
  for (const length of [1e8, 2 ** 31, -1, NaN, '5', 1]) add(`{length: ${safeString(length)}}`, () => ({ length }));
  add('{length: valueOf throws}', () => ({ length: { valueOf: thrower(() => new Error('valueOf')) } }));
  add("{type:'User', id: 5}", () => ({ type: 'User', id: 5 }));
  add("{type:'User'}", () => ({ type: 'User' }));
  add("{id:'olivia'}", () => ({ id: 'olivia' }));
  add("{type: 5, id:'olivia'}", () => ({ type: 5, id: 'olivia' }));
  add("{type:'User', id: null}", () => ({ type: 'User', id: null }));
  add("{type:'User', id: 5n}", () => ({ type: 'User', id: 5n }));
  add("{type:'User', id: new String('olivia')}", () => ({ type: 'User', id: new String('olivia') }));
  add("{type:['User'], id:['olivia']}", () => ({ type: ['User'], id: ['olivia'] }));
  add("{type:'User', id: {toString}}", () => ({ type: 'User', id: { toString: () => 'olivia' } }));
  add('{__entity: olivia}', () => ({ __entity: { ...olivia } }));
  add("{type:'Action', id:'viewMembers'}", () => ({ type: 'Action', id: 'viewMembers' }), { ref: { type: 'Action', id: 'viewMembers' } });
  add("{type:'OrgRole', id:'acme#owner'}", () => ({ type: 'OrgRole', id: 'acme#owner' }), { ref: { type: 'OrgRole', id: 'acme#owner' } });
  add("{type:'User', id:'olivia\\0'}", () => ({ type: 'User', id: 'olivia\0' }), { ref: { type: 'User', id: 'olivia\0' } });
  add("{type:'User', id:'olivia\\uD800'}", () => ({ type: 'User', id: 'olivia\uD800' }), { ref: { type: 'User', id: 'olivia\uD800' } });
  add("{type:'user', id:'olivia'}", () => ({ type: 'user', id: 'olivia' }), { ref: { type: 'user', id: 'olivia' } });
  add("{type:'User::\"olivia\"', id:''}", () => ({ type: 'User::"olivia"', id: '' }), { ref: { type: 'User::"olivia"', id: '' } });
  add("{type:'User', id:'\" || true || \"'}", () => ({ type: 'User', id: '" || true || "' }), { ref: { type: 'User', id: '" || true || "' } });
  add('olivia + extra fields', () => ({ ...olivia, extra: Symbol('x'), more: () => 1 }), { ref: olivia, json: true });
  add('olivia inherited from a prototype', () => Object.create({ ...olivia }), { ref: olivia, json: false });
  add('frozen olivia', () => Object.freeze({ ...olivia }), { ref: olivia });
  add('sealed acme', () => Object.seal({ ...acme }), { ref: acme });
  add('olivia with a class prototype', () => Object.assign(new (class Ref {})(), olivia), { ref: olivia });
  add('cyclic olivia', cyclicObject, { ref: olivia, json: false });
  add('object 70 deep', once('deep-object-70', () => deepObject(70)));
  add('object 100k deep', once('deep-object-100k', () => deepObject(100_000)));
  add('function', () => function f() {});
  add('arrow function with type/id', () => Object.assign(() => 1, { ...olivia }));
  add('class', () => class K {});
  add('bound function', () => function () {}.bind(null));
  add('async function', () => async () => {});
  add('Date', () => new Date(0));
  add('invalid Date', () => new Date(NaN));
  add('RegExp', () => /x/g);
  add('Map', () => new Map([['type', 'User']]));
  add('Set', () => new Set([1]));
  add('WeakMap', () => new WeakMap());
  add('Promise', () => Promise.resolve(1));
  add('Error', () => new Error('x'));
  add('Uint8Array', () => new Uint8Array([1, 2, 3]));
  add('Float64Array [NaN]', () => new Float64Array([NaN]));
  add('BigInt64Array', () => new BigInt64Array(2));
  add('ArrayBuffer', () => new ArrayBuffer(8));
  add('DataView', () => new DataView(new ArrayBuffer(8)));
  add('new String', () => new String('olivia'));
  add('new Number', () => new Number(5));
  add('new Boolean', () => new Boolean(false));
  add('Object(Symbol())', () => Object(Symbol('boxed')));
  add('Object(5n)', () => Object(5n));
  add('Symbol.toPrimitive throws', () => ({ [Symbol.toPrimitive]: thrower(() => new Error('toPrimitive')) }));
  add('valueOf and toString throw', () => ({ valueOf: thrower(() => new Error('valueOf')), toString: thrower(() => new Error('toString')) }));
  add('an Authorizer', (env) => env.someAuthorizer());
  add('Authorizer.prototype', (env) => env.ow.Authorizer.prototype);
  add('the module namespace', (env) => env.ow);

  // Getters that throw, and the strange things they throw.
  const throws = [
    ['an Error', () => new Error('getter')],
    ['a number', () => 5],
    ['undefined', () => undefined],
    ['null', () => null],
    ['a Symbol', () => Symbol('thrown')],
    ['an object whose message has no toString', poisoned],
    ['an object whose message getter throws', () => ({ get message() { throw new Error('message getter'); } })],
    ['a Proxy whose get throws', poisonProxy],
    ['a revoked Proxy', () => revoked()],
    ['an Error whose message is a Symbol', () => Object.assign(new Error(), { message: Symbol('m') })],
  ];
  for (const [what, make] of throws) {
    add(`getter type throws ${what}`, () => ({ get type() { throw make(); }, id: 'olivia' }));
    add(`toJSON throws ${what}`, () => ({ toJSON: thrower(make) }));
    add(`Proxy get trap throws ${what}`, () => new Proxy({ ...olivia }, { get: thrower(make) }));
  }
  add("getter id throws, type 'User'", () => ({ type: 'User', get id() { throw new Error('id'); } }));
  add('Proxy ownKeys trap throws', () => new Proxy({ ...olivia }, { ownKeys: thrower(() => new Error('ownKeys')) }), { ref: olivia, json: false });
  add('Proxy has trap throws', () => new Proxy({ ...olivia }, { has: thrower(() => new Error('has')) }), { ref: olivia, json: false });
  add('Proxy getOwnPropertyDescriptor throws', () => new Proxy({ ...olivia }, { getOwnPropertyDescriptor: thrower(() => new Error('gOPD')) }), { ref: olivia, json: false });
  add('Proxy getPrototypeOf throws', () => new Proxy({ ...olivia }, { getPrototypeOf: thrower(() => new Error('getPrototypeOf')) }), { ref: olivia, json: false });
  add('Proxy with every trap throwing', () => trapsThrow({}, () => new Error('trap')));
  add('Proxy with every trap throwing a poisoned value', () => trapsThrow({}, poisoned));
  add('revoked Proxy', () => revoked());
  add('revoked function Proxy', () => revoked(() => 1));

  // toJSON that says something odd.
  add('toJSON → undefined', () => ({ toJSON: () => undefined }));
  add('toJSON → function', () => ({ toJSON: () => () => 1 }));
  add('toJSON → Symbol', () => ({ toJSON: () => Symbol('j') }));
  add('toJSON → BigInt', () => ({ toJSON: () => 5n }));
  add('toJSON → cyclic', () => ({ toJSON: cyclicObject }));
  add('toJSON → a string', () => ({ toJSON: () => 'x' }));
  add('toJSON → fixture', (env) => ({ toJSON: () => env.fixture }));
  add('toJSON → fixture JSON text', (env) => ({ toJSON: () => env.fixtureText }));
  add('toJSON → this', function () {
    return { a: 1, toJSON() { return this; } };
  });

  // Re-entrancy: hooks that call back into the receiver while the package reads the argument.
  // `env.reenter(kind)` makes the nested call (itself checked) and notes what it changed.
  for (const kind of ['check', 'isAllowed', 'loadSnapshot(fixture)', 'loadSnapshot(empty)', 'upsert', 'free', 'moduleStatus', 'entityCount', 'nested']) {
    add(`getter type re-enters: ${kind}`, (env) => ({
      get type() {
        env.reenter(kind);
        return 'User';
      },
      id: 'mia',
    }), { ref: { type: 'User', id: 'mia' }, reentrant: true });
    add(`toJSON re-enters: ${kind}`, (env) => ({
      toJSON() {
        env.reenter(kind);
        return env.fixture;
      },
    }), { reentrant: true });
    add(`array Proxy length re-enters: ${kind}`, (env) => arrayProxy(() => {
      env.reenter(kind);
      return 1;
    }, () => ({ ...olivia })), { list: () => olivia, reentrant: true });
    add(`Proxy get trap re-enters: ${kind}`, (env) => new Proxy({ ...acme }, {
      get(target, key) {
        env.reenter(kind);
        return target[key];
      },
    }), { ref: acme, json: false, reentrant: true });
  }

  // A value that answers differently on later reads: the package must decide on one read.
  // First reads say mia (a member), later reads olivia (the owner).
  add('ref whose later reads change (mia, then olivia)', () => {
    const reads = { type: 0, id: 0 };
    return new Proxy({}, {
      get(_, key) {
        if (key === 'type') return 'User';
        if (key === 'id') return reads.id++ === 0 ? 'mia' : 'olivia';
        return undefined;
      },
    });
  }, { ref: { type: 'User', id: 'mia' }, json: false });
  add('getter type changes after the first read (User, then Organization)', () => {
    let n = 0;
    return { get type() { return n++ === 0 ? 'User' : 'Organization'; }, id: 'acme' };
  }, { ref: { type: 'User', id: 'acme' }, json: false });

  return entries;
}
