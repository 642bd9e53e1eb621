// Many organizations in one process or isolate (the `orgwarden/orgs` export): one Authorizer
// per organization, built from a source the first time a request reaches that org, kept warm,
// revalidated by version, evicted least-recently-used under budgets of resident orgs, entities
// and store bytes.
//
// Authorizers share the parsed policies, so a resident org costs its entities only. Each org
// has its own authorizer and store, so a request for org B is decided by B's authorizer
// alone: evaluation never reads an org that another request loaded. Nothing here throws from
// forOrg or check; a load that fails denies that org only, with a tagged error.
//
// Nothing here initializes the module: import the package's entry (`orgwarden`) as well,
// which is ready at import in Node, Deno and workerd; in browsers, `await init()` first.
import { Authorizer, OrgwardenError, serveOrganization } from './authorizer.js';
import { generation, isReady, moduleStatus } from './module.js';
import * as read from './arguments.js';

export { kvSource, r2Source, fetchSource, durableObjectSource } from './sources.js';

const failure = (code, message) => ({ type: 'failure', errors: [{ code, message }] });
const deny = ({ code, message }) => ({ type: 'failure', allowed: false, reason: message, errors: [{ code, message }] });

/**
 * The codes a source may answer with (`SourceErrorCode`): what a store can know about an org.
 * Any other, an engine's code such as ENGINE_TRAPPED included, would tell callers something
 * about this module that did not happen, so it is answered as ORG_UNAVAILABLE.
 */
const SOURCE_ERROR_CODES = new Set(['ORG_NOT_FOUND', 'ORG_UNAVAILABLE', 'ORG_TOO_LARGE', 'LIMIT_EXCEEDED']);

/** Answers a source gives that are facts about the org, so they are remembered for a while. */
const remembered = (code) => code !== 'ORG_UNAVAILABLE' && code !== 'ENGINE_TRAPPED' && code !== 'ENGINE_RESET' && code !== 'MODULE_NOT_INITIALIZED';

/** How many failed orgs (not found, invalid) are remembered, so a retry storm asks the source once. */
const MAX_REMEMBERED_FAILURES = 1024;

/** The default budget of resident entities (see maxEntities). */
const DEFAULT_MAX_ENTITIES = 50_000;

/**
 * The default budget of the module memory resident stores hold (see maxStoreBytes): half a
 * 128 MB isolate, leaving room for the module's start, a load's transient peak and the JS
 * heap. Entities of large orgs take about 2 KiB each, so 50,000 of them alone would be 96 MiB:
 * this budget binds before maxEntities does for them.
 */
const DEFAULT_MAX_STORE_BYTES = 64 * 1024 * 1024;

/**
 * The default size limit of one org's snapshot, in bytes of JSON (see maxSnapshotBytes). A
 * snapshot takes about 70 bytes of JSON an entity (bench/orgs.mjs's organizations), so 8 MiB
 * is over twice an org as large as the whole default entity budget; and a refused one costs
 * no parse, no copy into the module and no build.
 */
const DEFAULT_MAX_SNAPSHOT_BYTES = 8 * 1024 * 1024;

const SUPERSEDED = Symbol('superseded');
const RELOAD = Symbol('reload');
const TIMED_OUT = Symbol('timed out');

function option(options, name, fallback, { min = 0, integer = false } = {}) {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && Number.isFinite(value) && !Number.isInteger(value))) {
    throw new OrgwardenError('INVALID_REQUEST', `createOrgAuthorizers: \`${name}\` must be a number ≥ ${min}${integer ? ' (a whole number or Infinity)' : ''}`);
  }
  return value;
}

/**
 * Milliseconds from `at` to `t`. A clock that went back (the default clock, `Date.now`, may)
 * leaves the time since unknown: as long as any, so what was checked is due again and a stale
 * window is closed, never held open.
 */
function elapsed(at, t) {
  return t >= at ? t - at : Infinity;
}

/** The options the registry reads, each read once into a plain object: a getter or Proxy that throws is a refusal. */
const OPTION_NAMES = ['source', 'authorizerOptions', 'now', 'maxOrgs', 'maxEntities', 'maxStoreBytes', 'maxSnapshotBytes', 'revalidateAfterMs', 'serveStaleForMs', 'loadTimeoutMs'];

function ownOptions(options) {
  try {
    return Object.fromEntries(OPTION_NAMES.map((name) => [name, options[name]]));
  } catch (error) {
    throw new OrgwardenError('INVALID_REQUEST', `createOrgAuthorizers: the options could not be read: ${read.errorText(error)}`);
  }
}

/** The bytes an authorizer's store holds; 0 once it holds none (freed, or lost in a reset). */
function heldBy(authorizer) {
  try {
    return authorizer.storeBytes();
  } catch {
    return 0;
  }
}

/** Waits for `promise` at most `ms`, then answers TIMED_OUT (no timer for Infinity). */
async function within(promise, ms) {
  // setTimeout fires at once beyond 2^31 - 1 ms: that long is forever.
  if (!Number.isFinite(ms) || ms > 2_147_483_647) return promise;
  let timer;
  const timeout = new Promise((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), Math.max(0, ms));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Reads a source's answer once, defensively: `{ kind, ... }`. */
function interpret(answer) {
  if (answer === null || answer === undefined) return { kind: 'notFound' };
  if (typeof answer !== 'object') return { kind: 'error', error: { code: 'ORG_UNAVAILABLE', message: `the source answered ${typeof answer}, not an object` } };
  try {
    if (answer.notModified === true) return { kind: 'notModified' };
    if (answer.notFound === true) return { kind: 'notFound' };
    if (answer.error !== undefined && answer.error !== null) {
      const { code, message } = answer.error;
      const text = typeof message === 'string' ? message : 'the source failed';
      if (code === undefined || code === null || code === '' || SOURCE_ERROR_CODES.has(code)) {
        return { kind: 'error', error: { code: code || 'ORG_UNAVAILABLE', message: text } };
      }
      const named = typeof code === 'string' ? JSON.stringify(code.slice(0, 64)) : typeof code;
      return { kind: 'error', error: { code: 'ORG_UNAVAILABLE', message: `${text} (the source's code ${named} is not one a source may answer)` } };
    }
    if ('snapshot' in answer) {
      const { snapshot, version } = answer;
      if (version !== undefined && version !== null && typeof version !== 'string') {
        if (typeof version !== 'number' || !Number.isFinite(version)) {
          return { kind: 'error', error: { code: 'ORG_UNAVAILABLE', message: 'the source answered a version that is not a string' } };
        }
      }
      return { kind: 'snapshot', snapshot, version: version === undefined || version === null || version === '' ? null : String(version) };
    }
  } catch (error) {
    return { kind: 'error', error: { code: 'ORG_UNAVAILABLE', message: `the source's answer could not be read: ${read.errorText(error)}` } };
  }
  return {
    kind: 'error',
    error: { code: 'ORG_UNAVAILABLE', message: 'the source answered neither { snapshot, version }, { notModified: true }, { notFound: true } nor null' },
  };
}

/**
 * Refuses, at creation, `authorizerOptions` that no org's authorizer could be built with
 * (invalid policies, a misspelt option, policy text on the compiled runtime): otherwise every
 * org would deny with the same error, first seen at request time. Once the module is ready,
 * one authorizer is built with them and freed; its refusal is thrown as it is (code, message and Cedar's diagnostics).
 * Custom policies are parsed once here and once more at the first org's build (a parsed set is
 * shared only while an authorizer holds it): a cost paid at creation, never per request.
 */
function checkAuthorizerOptions(authorizerOptions) {
  // A registry may be made before a browser's `await init()`: its lookups answer
  // MODULE_NOT_INITIALIZED until then, and the first org's build checks the options.
  if (!isReady()) return;
  let probe;
  try {
    probe = new Authorizer(authorizerOptions);
  } catch (error) {
    if (!(error instanceof OrgwardenError)) throw error;
    throw new OrgwardenError(error.code, `createOrgAuthorizers: \`authorizerOptions\`: ${error.message}`, error.diagnostics);
  }
  probe.free();
}

/**
 * An organization registry over a source. See the README section "Many organizations at the
 * edge" and ./orgs.d.ts for the options and answers.
 */
export function createOrgAuthorizers(givenOptions) {
  if (givenOptions === null || typeof givenOptions !== 'object') {
    throw new OrgwardenError('INVALID_REQUEST', 'createOrgAuthorizers needs options: { source, … }');
  }
  const options = ownOptions(givenOptions);
  const { source, authorizerOptions, now: clock = Date.now } = options;
  if (typeof source !== 'function') {
    throw new OrgwardenError('INVALID_REQUEST', 'createOrgAuthorizers: `source` must be a function (orgId, { version }) => answer');
  }
  if (typeof clock !== 'function') throw new OrgwardenError('INVALID_REQUEST', 'createOrgAuthorizers: `now` must be a function');
  const maxOrgs = option(options, 'maxOrgs', Infinity, { min: 1, integer: true });
  // About 1.3 KiB of module memory an entity (bench/orgs.mjs): 50,000 resident entities keep
  // the module near 70 MiB, inside a 128 MB isolate with room for the JS heap.
  const maxEntities = option(options, 'maxEntities', DEFAULT_MAX_ENTITIES, { min: 1, integer: true });
  // Counted by the module's allocator (Authorizer.storeBytes): the memory budget itself, where
  // maxEntities is a proxy for it that a store of unusually large entities outgrows.
  const maxStoreBytes = option(options, 'maxStoreBytes', DEFAULT_MAX_STORE_BYTES, { min: 1, integer: true });
  const maxSnapshotBytes = option(options, 'maxSnapshotBytes', DEFAULT_MAX_SNAPSHOT_BYTES, { min: 1, integer: true });
  const revalidateAfterMs = option(options, 'revalidateAfterMs', 60_000);
  const serveStaleForMs = option(options, 'serveStaleForMs', 0);
  const loadTimeoutMs = option(options, 'loadTimeoutMs', 10_000, { min: 1 });
  // Last: the one check that builds something in the module.
  checkAuthorizerOptions(authorizerOptions);

  /** orgId → { orgId, authorizer, version, entityCount, storeBytes, generation, checkedAt, failedSince, refreshError }; Map order is LRU order. */
  const resident = new Map();
  /**
   * orgId → { promise, deadline, waiters, supersede }: the one load under way per
   * org (coalescing). Each round of asking the source has loadTimeoutMs; a second round (the
   * version sent was evicted meanwhile) moves the deadline, and the requests waiting on the
   * load wait on. A push, a removal or clear() supersedes it (`supersede`).
   */
  const inflight = new Map();
  /** orgId → { error, version, at }: orgs whose last answer was a failure worth remembering. */
  const failed = new Map();
  const counters = { hits: 0, misses: 0, revalidations: 0, coalesced: 0, sourceCalls: 0, builds: 0, evictions: 0, failures: 0 };
  let entities = 0;
  let storeBytes = 0;
  let seenGeneration = generation();

  const now = () => {
    try {
      const t = clock();
      return typeof t === 'number' && Number.isFinite(t) ? t : Date.now();
    } catch {
      return Date.now();
    }
  };

  function success(entry) {
    const answer = { type: 'success', authorizer: entry.authorizer, version: entry.version, stale: entry.failedSince !== null };
    if (entry.failedSince !== null) answer.refreshError = { ...entry.refreshError };
    return answer;
  }

  function touch(entry) {
    resident.delete(entry.orgId);
    resident.set(entry.orgId, entry);
    // A change through the authorizer that was refused tells no subscriber, yet may have kept
    // a few bytes (an index built on the way): the org's count is read again at each use.
    if (recountBytes(entry)) evict(entry);
  }

  /** Brings the org's byte count, and the total, up to its authorizer's; answers whether it grew. */
  function recountBytes(entry) {
    const bytes = heldBy(entry.authorizer);
    const grew = bytes > entry.storeBytes;
    storeBytes += bytes - entry.storeBytes;
    entry.storeBytes = bytes;
    return grew;
  }

  function drop(entry) {
    if (resident.get(entry.orgId) !== entry) return;
    resident.delete(entry.orgId);
    entities -= entry.entityCount;
    storeBytes -= entry.storeBytes;
    entry.unsubscribe?.();
    entry.authorizer.free();
  }

  function remember(orgId, error, version, at = now()) {
    if (!remembered(error.code)) return;
    failed.delete(orgId);
    failed.set(orgId, { error, version, at });
    while (failed.size > MAX_REMEMBERED_FAILURES) failed.delete(failed.keys().next().value);
  }

  /** After a trap replaced the module, every resident authorizer lost its engine: forget them. */
  function sweepResets() {
    const current = generation();
    if (current === seenGeneration) return;
    seenGeneration = current;
    for (const entry of [...resident.values()]) if (entry.generation !== current) drop(entry);
  }

  /** Evicts least-recently-used orgs (never `keep`) until every budget holds. */
  function evict(keep) {
    for (const entry of resident.values()) {
      if (resident.size <= maxOrgs && entities <= maxEntities && storeBytes <= maxStoreBytes) return;
      if (entry === keep) continue;
      drop(entry);
      counters.evictions += 1;
    }
  }

  /**
   * The snapshot as JSON text within maxSnapshotBytes (an object is measured by its JSON, which
   * is then what loads), or the refusal, before anything parses it or copies it into the
   * module. A value that is neither goes on as it is, for the engine to refuse.
   */
  function withinBudget(orgId, snapshot) {
    let text = snapshot;
    if (snapshot !== null && typeof snapshot === 'object') {
      try {
        text = JSON.stringify(snapshot);
      } catch (error) {
        return { error: { code: 'INVALID_JSON', message: `org ${JSON.stringify(orgId)}: the snapshot is not JSON-serializable: ${read.errorText(error)}` } };
      }
    }
    // Not text: what the engine refuses as it is (a number, say, or `undefined` from a toJSON),
    // never the object again, which a second stringify could make larger than measured.
    if (typeof text !== 'string') return { value: text };
    if (read.exceedsBytes(text, maxSnapshotBytes)) {
      return {
        error: {
          code: 'ORG_TOO_LARGE',
          message: `org ${JSON.stringify(orgId)}: the snapshot is larger than maxSnapshotBytes (${maxSnapshotBytes} bytes of JSON)`,
        },
      };
    }
    return { value: text };
  }

  /** A new authorizer holding `snapshot`, or the error; never a half-loaded one. */
  function build(orgId, snapshot) {
    const sized = withinBudget(orgId, snapshot);
    if (sized.error) return sized;
    let authorizer;
    try {
      authorizer = new Authorizer(authorizerOptions);
    } catch (error) {
      const code = error instanceof OrgwardenError ? error.code : 'INVALID_REQUEST';
      return { error: { code, message: `org ${JSON.stringify(orgId)}: ${read.errorText(error)}` } };
    }
    counters.builds += 1;
    // An org larger than the whole budget is refused by the module before it is built: built
    // first, a few MiB of snapshot grew the module by hundreds of MiB for good. And what the
    // source gave for this org must be this org alone: a value written under the wrong key, or
    // holding a second org, would have requests routed here decided on another org's entities.
    // Bound to the org, the authorizer holds every later load to it, its holder's included.
    serveOrganization(authorizer, orgId);
    const loaded = authorizer.loadSnapshot(sized.value, { maxEntities });
    if (loaded.type !== 'success') {
      authorizer.free();
      const first = loaded.errors[0] ?? { code: 'INVALID_SNAPSHOT', message: 'the snapshot was refused' };
      return { error: { code: first.code, message: `org ${JSON.stringify(orgId)}: ${first.message}` } };
    }
    const bytes = heldBy(authorizer);
    if (bytes > maxStoreBytes) {
      authorizer.free();
      return {
        error: {
          code: 'LIMIT_EXCEEDED',
          message: `org ${JSON.stringify(orgId)} holds ${bytes} bytes of module memory, more than maxStoreBytes (${maxStoreBytes})`,
        },
      };
    }
    return { authorizer, entityCount: loaded.entityCount, storeBytes: bytes };
  }

  /** Puts a built authorizer in place of the org's current one (freed after), then evicts to budget. */
  function install(orgId, built, version) {
    let entry = resident.get(orgId);
    if (entry) {
      const old = entry.authorizer;
      entry.unsubscribe?.();
      entities -= entry.entityCount;
      storeBytes -= entry.storeBytes;
      Object.assign(entry, { authorizer: built.authorizer, entityCount: built.entityCount, storeBytes: built.storeBytes });
      old.free();
    } else {
      entry = { orgId, authorizer: built.authorizer, entityCount: built.entityCount, storeBytes: built.storeBytes };
      resident.set(orgId, entry);
    }
    Object.assign(entry, { version, generation: generation(), checkedAt: now(), failedSince: null, refreshError: null, failedVersion: null });
    entities += entry.entityCount;
    storeBytes += entry.storeBytes;
    // Changes made through the authorizer forOrg gave (upsertEntities, …) keep the budgets right.
    const held = entry;
    entry.unsubscribe = built.authorizer.subscribe(({ entityCount }) => {
      if (resident.get(orgId) !== held) return;
      entities += entityCount - held.entityCount;
      held.entityCount = entityCount;
      recountBytes(held);
      evict(held);
    });
    failed.delete(orgId);
    touch(entry);
    evict(entry);
    return entry;
  }

  /**
   * A refresh that failed: the last good version answers (stale) while serveStaleForMs
   * allows since the first failure, then the org denies with the error.
   */
  function refreshFailed(orgId, error, version) {
    counters.failures += 1;
    // A trap while building replaced the module: the resident engines went with it.
    sweepResets();
    const entry = resident.get(orgId);
    const t = now();
    if (entry) {
      entry.checkedAt = t;
      if (entry.failedSince === null) entry.failedSince = t;
      entry.refreshError = error;
      entry.failedVersion = version;
      if (elapsed(entry.failedSince, t) < serveStaleForMs) return success(entry);
      drop(entry);
    }
    remember(orgId, error, version);
    return failure(error.code, error.message);
  }

  /** The org's state after the source's answer to a request that sent `sent`. */
  function settle(orgId, answer, sent) {
    const entry = resident.get(orgId);
    switch (answer.kind) {
      case 'notModified': {
        if (sent === null) {
          return refreshFailed(orgId, { code: 'ORG_UNAVAILABLE', message: `the source answered notModified for org ${JSON.stringify(orgId)} without being given a version` }, null);
        }
        if (entry && entry.version === sent) {
          Object.assign(entry, { checkedAt: now(), failedSince: null, refreshError: null });
          touch(entry);
          return success(entry);
        }
        const known = failed.get(orgId);
        if (!entry && known && known.version === sent) {
          known.at = now();
          counters.failures += 1;
          return failure(known.error.code, known.error.message);
        }
        // The version sent was evicted or replaced meanwhile: load the whole org.
        return RELOAD;
      }
      case 'notFound': {
        // An answer, not a failure: a deleted org denies at once, stale or not.
        counters.failures += 1;
        if (entry) drop(entry);
        const error = { code: 'ORG_NOT_FOUND', message: `organization ${JSON.stringify(orgId)} was not found in the source` };
        remember(orgId, error, null);
        return failure(error.code, error.message);
      }
      case 'snapshot': {
        // The source ignored the version it was given: nothing to rebuild.
        if (entry && answer.version !== null && entry.version === answer.version) {
          Object.assign(entry, { checkedAt: now(), failedSince: null, refreshError: null });
          touch(entry);
          return success(entry);
        }
        const built = build(orgId, answer.snapshot);
        if (built.error) return refreshFailed(orgId, built.error, answer.version);
        return success(install(orgId, built, answer.version));
      }
      default:
        return refreshFailed(orgId, answer.error, null);
    }
  }

  async function ask(orgId, version) {
    counters.sourceCalls += 1;
    try {
      const answer = await within(
        Promise.resolve().then(() => source(orgId, { version, maxSnapshotBytes })),
        loadTimeoutMs,
      );
      if (answer === TIMED_OUT) {
        return { kind: 'error', error: { code: 'ORG_UNAVAILABLE', message: `the source did not answer for org ${JSON.stringify(orgId)} within ${loadTimeoutMs} ms` } };
      }
      return interpret(answer);
    } catch (error) {
      return { kind: 'error', error: { code: 'ORG_UNAVAILABLE', message: `the source failed for org ${JSON.stringify(orgId)}: ${read.errorText(error)}` } };
    }
  }

  function startLoad(orgId, version) {
    // Load timeouts run on the real clock (setTimeout's), whatever `now` says.
    const flight = { deadline: Date.now() + loadTimeoutMs, promise: null, waiters: [], supersede: null };
    // What the requests waiting on the load get: its answer, or SUPERSEDED as soon as a push,
    // a removal or clear() replaces it (`supersede`), whether or not its source ever answers.
    const superseded = new Promise((resolve) => {
      flight.supersede = () => resolve(SUPERSEDED);
    });
    const loaded = (async () => {
      let sent = version;
      try {
        for (let round = 0; round < 2; round++) {
          const answer = await ask(orgId, sent);
          // removeOrganization, upsertOrganization or a timed-out load replaced this one.
          if (inflight.get(orgId) !== flight) return SUPERSEDED;
          sweepResets();
          const settled = settle(orgId, answer, sent);
          if (settled === RELOAD) {
            sent = null;
            flight.deadline = Date.now() + loadTimeoutMs;
            continue;
          }
          // In the same turn as the install: the next org's build, which may evict this one,
          // cannot run before every request waiting for it has used it. A use may itself free
          // the authorizer (removeOrganization, upsertOrganization, a trap that replaced the
          // module): the waiters after it look the org up again (`lookup`).
          for (const waiting of flight.waiters) {
            if (!isLive(orgId, settled)) break;
            serve(waiting, settled);
          }
          return settled;
        }
        // Not reached: the second round sends no version, and `settle` answers a notModified
        // to that as a failure, never RELOAD. Kept so the load always answers.
        return failure('ORG_UNAVAILABLE', `the source kept answering notModified for org ${JSON.stringify(orgId)}`);
      } catch (error) {
        return failure('ORG_UNAVAILABLE', `loading org ${JSON.stringify(orgId)} failed: ${read.errorText(error)}`);
      } finally {
        if (inflight.get(orgId) === flight) inflight.delete(orgId);
      }
    })();
    flight.promise = Promise.race([loaded, superseded]);
    inflight.set(orgId, flight);
    return flight;
  }

  /**
   * What a request does with its org's authorizer (`use`), done the moment the org is ready:
   * at once for a resident org, else by the load that installs it, in the same turn. Between
   * a load's install and its waiters' turn, other loads may install their orgs, and in a burst
   * of more orgs than the budgets hold each install evicts the least recently used: a waiter
   * resuming later would find its org freed, and loading it again would evict another's.
   */
  function waiter(use) {
    return { use, served: false, value: undefined, threw: false, thrown: undefined, gone: false };
  }

  function serve(waiting, answer) {
    if (waiting.served || waiting.gone || answer.type !== 'success') return;
    waiting.served = true;
    try {
      waiting.value = waiting.use(answer.authorizer);
    } catch (error) {
      waiting.threw = true;
      waiting.thrown = error;
    }
  }

  /** Whether `answer`'s authorizer is still the org's, on the live module. */
  function isLive(orgId, answer) {
    if (answer.type !== 'success') return false;
    const entry = resident.get(orgId);
    return entry !== undefined && entry.authorizer === answer.authorizer && entry.generation === generation();
  }

  async function lookup(orgId, depth, waiting) {
    const id = validId(orgId);
    if (id.error) return failure(id.error.code, id.error.message);
    const key = id.value;
    sweepResets();
    const t = now();
    let entry = resident.get(key);
    if (entry && entry.failedSince !== null && elapsed(entry.failedSince, t) >= serveStaleForMs) {
      // The stale window closed: the last good version stops answering, and the org is as one
      // whose load failed at the last attempt. If a refresh is due, the source is asked now.
      const { refreshError, failedVersion, checkedAt } = entry;
      drop(entry);
      remember(key, refreshError, failedVersion, checkedAt);
      entry = undefined;
    }
    let known = entry?.version ?? null;
    if (entry) {
      if (elapsed(entry.checkedAt, t) < revalidateAfterMs) {
        counters.hits += 1;
        touch(entry);
        const answer = success(entry);
        serve(waiting, answer);
        return answer;
      }
      counters.revalidations += 1;
    } else {
      const prior = failed.get(key);
      if (prior && elapsed(prior.at, t) < revalidateAfterMs) {
        counters.failures += 1;
        return failure(prior.error.code, prior.error.message);
      }
      known = prior?.version ?? null;
      counters.misses += 1;
    }
    let flight = inflight.get(key);
    if (flight && Date.now() < flight.deadline) {
      counters.coalesced += 1;
    } else {
      flight = startLoad(key, known);
    }
    // A load started by a request that the runtime cancelled may never settle: wait at most
    // as long as a load may take.
    flight.waiters.push(waiting);
    let answer = TIMED_OUT;
    // A second round moves the deadline while this request waits: wait on until the last one.
    for (let waitedUntil = -Infinity; answer === TIMED_OUT && flight.deadline > waitedUntil; ) {
      waitedUntil = flight.deadline;
      answer = await within(flight.promise, waitedUntil - Date.now() + 1);
    }
    if (answer === TIMED_OUT) {
      // Gone: a load that installs the org later does not act for this request.
      waiting.gone = true;
      return failure('ORG_UNAVAILABLE', `organization ${JSON.stringify(key)} did not load within ${loadTimeoutMs} ms`);
    }
    // Superseded by another load or a push, or loaded but freed before this request's turn
    // (see startLoad): look again.
    if (answer === SUPERSEDED || (answer.type === 'success' && !waiting.served)) {
      return depth < 3 ? lookup(key, depth + 1, waiting) : failure('ORG_UNAVAILABLE', `organization ${JSON.stringify(key)} kept changing while it loaded`);
    }
    return answer;
  }

  /** `lookup` for forOrg and withOrg: whatever it throws answers the org as unavailable. */
  async function find(orgId, waiting) {
    try {
      return await lookup(orgId, 0, waiting);
    } catch (error) {
      return failure('ORG_UNAVAILABLE', `the organization could not be loaded: ${read.errorText(error)}`);
    }
  }

  function forOrg(orgId) {
    return find(orgId, waiter(() => undefined));
  }

  /**
   * `use(authorizer)` run the moment the org is ready, as `check` decides: the answer is
   * `{ type: 'success', value, version, stale, refreshError? }` or the org's failure. A `use`
   * that throws rejects with its error. An async `use` is awaited, but only its part before
   * its first `await` runs at that moment.
   */
  async function withOrg(orgId, use) {
    if (typeof use !== 'function') return failure('INVALID_REQUEST', 'withOrg: `use` must be a function (authorizer) => value');
    const using = waiter(use);
    const found = await find(orgId, using);
    if (found.type !== 'success') return found;
    if (using.threw) throw using.thrown;
    const { authorizer, ...about } = found;
    return { ...about, value: await using.value };
  }

  async function check(orgId, principal, action, resource, context) {
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        // Decided the moment the org is ready (see `waiter`), never after another org's build.
        const deciding = waiter((authorizer) => authorizer.check(principal, action, resource, context));
        const found = await lookup(orgId, 0, deciding);
        if (found.type !== 'success') return deny(found.errors[0]);
        if (deciding.threw) throw deciding.thrown;
        const decision = deciding.value;
        const code = decision.type === 'failure' ? decision.errors?.[0]?.code : undefined;
        // Freed by the holder of forOrg's authorizer, or lost in a module reset: look the org
        // up again.
        if (code === 'AUTHORIZER_FREED' || code === 'ENGINE_RESET') {
          const entry = resident.get(orgId);
          if (entry && entry.authorizer === found.authorizer) drop(entry);
          continue;
        }
        return decision;
      }
      return deny({ code: 'ORG_UNAVAILABLE', message: `organization ${JSON.stringify(orgId)} was evicted at every attempt to check` });
    } catch (error) {
      return deny({ code: 'ORG_UNAVAILABLE', message: `the check failed: ${read.errorText(error)}` });
    }
  }

  function validId(orgId) {
    if (!isReady()) {
      return {
        error: {
          code: 'MODULE_NOT_INITIALIZED',
          message: "the module is not initialized: import 'orgwarden' (ready at import in Node, Deno and workerd) or await init() first",
        },
      };
    }
    const id = read.name(orgId, 'orgId');
    if (id.error) return id;
    // `.` and `..` are path segments: a source that puts the id in a URL would climb out of it.
    if (id.value === '' || id.value === '.' || id.value === '..' || /[/#]/.test(id.value)) {
      return { error: { code: 'INVALID_REQUEST', message: `orgId must be a non-empty organization id without '/' or '#', and not '.' or '..', not ${JSON.stringify(id.value)}` } };
    }
    return id;
  }

  /**
   * Forgets the org's load under way, if any. Its requests look the org up again at once
   * instead of waiting for its source call, which may never answer (`loadTimeoutMs: Infinity`)
   * and whose answer would be dropped.
   */
  function supersede(orgId) {
    const flight = inflight.get(orgId);
    if (!flight) return;
    inflight.delete(orgId);
    flight.supersede();
  }

  /** Loads `snapshot` as the org's current version now (a push), replacing any load under way. */
  function upsertOrganization(orgId, snapshot, version) {
    const id = validId(orgId);
    if (id.error) return failure(id.error.code, id.error.message);
    if (version !== undefined && version !== null && typeof version !== 'string') {
      return failure('INVALID_REQUEST', 'version must be a string');
    }
    sweepResets();
    const built = build(id.value, snapshot);
    if (built.error) return failure(built.error.code, built.error.message);
    supersede(id.value);
    const entry = install(id.value, built, version === undefined || version === '' ? null : version);
    return { type: 'success', entityCount: entry.entityCount, version: entry.version };
  }

  /** Frees the org's authorizer and forgets it; the next request loads it from the source. */
  function removeOrganization(orgId) {
    const id = validId(orgId);
    if (id.error) return false;
    supersede(id.value);
    failed.delete(id.value);
    const entry = resident.get(id.value);
    if (!entry) return false;
    drop(entry);
    return true;
  }

  /** Frees every resident org. */
  function clear() {
    for (const entry of [...resident.values()]) drop(entry);
    for (const orgId of [...inflight.keys()]) supersede(orgId);
    failed.clear();
  }

  function status() {
    sweepResets();
    const t = now();
    return {
      orgs: resident.size,
      entities,
      maxOrgs,
      maxEntities,
      storeBytes,
      maxStoreBytes,
      maxSnapshotBytes,
      ...counters,
      rememberedFailures: failed.size,
      loading: inflight.size,
      memoryBytes: moduleStatus().memoryBytes,
      resident: [...resident.values()].map((entry) => ({
        orgId: entry.orgId,
        version: entry.version,
        entityCount: entry.entityCount,
        storeBytes: entry.storeBytes,
        stale: entry.failedSince !== null,
        ageMs: elapsed(entry.checkedAt, t),
      })),
    };
  }

  return { forOrg, withOrg, check, upsertOrganization, removeOrganization, clear, status };
}
