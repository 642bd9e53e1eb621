// The package's API: every call checks its arguments here (./arguments.js), crosses into the
// module only with strings and UTF-8 bytes, and answers a tagged value. Only the constructor
// and the small helpers throw (an OrgwardenError), and only from JS.
import * as read from './arguments.js';
import { answerOf, glue, guarded, generation, isReady, limits, takesPolicyText } from './module.js';

/** The error the constructor and the helpers throw: `code`, `message`, `diagnostics`. */
export class OrgwardenError extends Error {
  constructor(code, message, diagnostics = []) {
    super(message);
    this.name = 'OrgwardenError';
    this.code = code;
    this.diagnostics = diagnostics;
  }
}

// The tagged shapes of a refusal made here, the same the engine gives (src/ffi.rs).
const failedAnswer = ({ code, message }) => ({ type: 'failure', errors: [{ code, message }] });
const failedDecision = ({ code, message }) => ({ type: 'failure', allowed: false, reason: message, errors: [{ code, message }] });
const refusedAction = (error) => ({
  valid: false,
  violations: [{ code: error.code, message: error.message }],
  notices: [],
  decision: failedDecision(error),
});

const asError = (code, message) => ({ code, message });

function throwing(code, message) {
  throw new OrgwardenError(code, message);
}

/** Options as JSON bytes (`undefined` for the embedded defaults), or the refusal. */
function optionBytes(options) {
  if (options === undefined || options === null) return { value: undefined };
  return read.engineOptions(options);
}

const freed = 'this authorizer was freed';
const notInitialized = 'the module is not initialized: await init() (or initSync) first';
// The compiled runtime has no export that takes or gives policy text (src/wasm.rs); its engine
// words the same refusal for options (src/error.rs).
const compiledRuntime = (what) =>
  `${what}: this module was compiled ahead of time with its policies, and runs no policy or schema text; ` +
  'change them with `npx orgwarden compile`, or use the full package (`orgwarden`)';
const reset = 'this authorizer lost its engine when the module was replaced after a trap; load a snapshot or entities again to rebuild it';

/**
 * Authorizer → the organization it serves for the registry (`orgwarden/orgs`): requests for
 * that org are decided on its store, so the holder of `forOrg`'s authorizer may load a new
 * snapshot of that org alone and upsert that org's entities alone (or entities of no org:
 * users, workspace roles); its whole store is replaced by snapshots only, never by raw entities.
 */
const servedOrganization = new WeakMap();

/** Binds `authorizer` to `orgId` (the registry's call; not exported by the package). */
export function serveOrganization(authorizer, orgId) {
  servedOrganization.set(authorizer, orgId);
}

const servedRefusal = (orgId, what) =>
  asError(
    'ORG_MISMATCH',
    `this authorizer serves organization ${JSON.stringify(orgId)} for createOrgAuthorizers: ${what} ` +
      '(push a new version of an org with upsertOrganization)',
  );

export class Authorizer {
  #raw = null;
  #generation = -1;
  #options;
  #freed = false;
  #listeners = new Set();
  /** What the store's changes left allocated in the module: see storeBytes(). */
  #storeBytes = 0;

  /**
   * The embedded schema and default policies unless `options` say otherwise. Throws an
   * OrgwardenError (`code`, Cedar's `diagnostics` with source locations) on invalid options.
   */
  constructor(options) {
    if (!isReady()) throwing('MODULE_NOT_INITIALIZED', notInitialized);
    const bytes = optionBytes(options);
    if (bytes.error) throwing(bytes.error.code, bytes.error.message);
    this.#options = bytes.value;
    const error = this.#build();
    if (error) throw new OrgwardenError(error.code, error.message, error.diagnostics ?? []);
  }

  /** Makes the engine on the live instance; an error object if it cannot be made. */
  #build() {
    return guarded(
      () => {
        try {
          this.#raw = new glue.RawEngine(this.#options);
          this.#generation = generation();
          this.#storeBytes = 0;
          return null;
        } catch (error) {
          // The engine's own refusal is returned by Rust as an `ErrorInfo`'s JSON text, then
          // thrown by the glue; anything else escaping (a trap's RuntimeError) is a fault of
          // the instance.
          if (typeof error === 'string') return answerOf(error);
          throw error;
        }
      },
      asError,
    );
  }

  /**
   * Every method's one path: `this` must be an Authorizer (a detached method gets anything),
   * `prepare()` checks the arguments (`{value}` or `{error}`), then `run(engine, value)` crosses
   * into the module under the trap guard. `refuse(error)` shapes any refusal as the method's
   * answer. Loads rebuild an engine lost in a reset, since they replace its whole store.
   */
  static #answer(self, refuse, prepare, run, { rebuild = false } = {}) {
    const unusable = Authorizer.#unusable(self);
    if (unusable) return refuse(unusable);
    const input = prepare();
    if (input.error) return refuse(input.error);
    // Reading the arguments ran the caller's getters, which may have freed this authorizer.
    if (self.#freed) return refuse(asError('AUTHORIZER_FREED', freed));
    if (self.#generation !== generation()) {
      if (!rebuild) return refuse(asError('ENGINE_RESET', reset));
      const error = self.#build();
      if (error) return refuse(error);
    }
    const raw = self.#raw;
    return guarded(() => run(raw, input.value), (code, message) => refuse(asError(code, message)));
  }

  /** Why `self` cannot answer a call: it is not an Authorizer, or it was freed; else null. */
  static #unusable(self) {
    if (typeof self !== 'object' || self === null || !(#raw in self)) {
      return asError('INVALID_REQUEST', 'called on a value that is not an Authorizer');
    }
    return self.#freed ? asError('AUTHORIZER_FREED', freed) : null;
  }

  /**
   * Runs a change of the store and counts what it left allocated in the module, less what it
   * freed (a replaced store, removed entities). The call's input is copied in and freed within
   * it, and the answer lives in JS, so the difference is the store's alone.
   */
  #changeStore(change) {
    const before = glue.heldBytes();
    const answer = change();
    this.#storeBytes = Math.max(0, this.#storeBytes + glue.heldBytes() - before);
    return answer;
  }

  /**
   * Replaces the store with an organization snapshot (an object or its JSON text).
   * `{ maxEntities }` refuses (LIMIT_EXCEEDED), before anything is built, a snapshot that would
   * make the store hold more entities than that, counted as `entityCount` counts them;
   * `{ organization }` refuses (ORG_MISMATCH) one that does not describe that organization alone.
   */
  loadSnapshot(snapshot, options) {
    const prepare = () => {
      const limit = read.loadOptions(options);
      if (limit.error) return limit;
      const served = servedOrganization.get(this);
      if (served !== undefined) {
        if (limit.value.organization !== undefined && limit.value.organization !== served) {
          return { error: servedRefusal(served, `it loads no snapshot of organization ${JSON.stringify(limit.value.organization)}`) };
        }
        limit.value.organization = served;
      }
      const bytes = read.json(snapshot, 'snapshot');
      return bytes.error ? bytes : { value: [bytes.value, limit.value] };
    };
    const load = (raw, [bytes, { maxEntities, organization }]) =>
      this.#changeStore(() => answerOf(raw.loadSnapshot(bytes, maxEntities, organization)));
    const answer = Authorizer.#answer(this, failedAnswer, prepare, load, { rebuild: true });
    return Authorizer.#changed(this, 'loadSnapshot', answer);
  }

  /** Replaces the store with raw Cedar entities (an array or its JSON text). */
  loadEntities(entities) {
    const prepare = () => {
      const served = servedOrganization.get(this);
      if (served !== undefined) return { error: servedRefusal(served, 'its store is replaced by a snapshot of that org, never by raw entities') };
      return read.json(entities, 'entities');
    };
    const answer = Authorizer.#answer(this, failedAnswer, prepare, (raw, bytes) => this.#changeStore(() => answerOf(raw.loadEntities(bytes))), { rebuild: true });
    return Authorizer.#changed(this, 'loadEntities', answer);
  }

  /**
   * Adds or replaces the given Cedar entities, keeping the rest of the store. On an authorizer
   * from `orgwarden/orgs`, an entity of another organization is refused (ORG_MISMATCH).
   */
  upsertEntities(entities) {
    const upsert = (raw, bytes) => this.#changeStore(() => answerOf(raw.upsertEntities(bytes, servedOrganization.get(this))));
    const answer = Authorizer.#answer(this, failedAnswer, () => read.json(entities, 'entities'), upsert);
    return Authorizer.#changed(this, 'upsertEntities', answer);
  }

  /** Removes the given entities (`[{type, id}]`); if one does not exist, removes none. */
  removeEntities(refs) {
    let removed = [];
    const prepare = () => {
      const list = read.list(refs, 'entity references', limits().maxMatrixCells, read.entityRef);
      if (list.error) return list;
      removed = list.value;
      return read.ownJson(list.value, 'entity references');
    };
    const answer = Authorizer.#answer(this, failedAnswer, prepare, (raw, bytes) => this.#changeStore(() => answerOf(raw.removeEntities(bytes))));
    return Authorizer.#changed(this, 'removeEntities', answer, removed);
  }

  /**
   * Calls `listener({ change, entityCount, storeBytes, removed? })` after every store change that succeeded
   * (`loadSnapshot`, `loadEntities`, `upsertEntities`, `removeEntities`), so a UI can ask again
   * what it shows. Returns the function that unsubscribes. A listener that throws does not
   * undo or fail the change, nor stop the other listeners (see reportListenerError).
   */
  subscribe(listener) {
    if (typeof this !== 'object' || this === null || !(#raw in this)) throwing('INVALID_REQUEST', 'called on a value that is not an Authorizer');
    if (typeof listener !== 'function') throwing('INVALID_REQUEST', 'a listener must be a function');
    if (this.#freed) throwing('AUTHORIZER_FREED', freed);
    const listeners = this.#listeners;
    const entry = (event) => listener(event);
    listeners.add(entry);
    return () => {
      listeners.delete(entry);
    };
  }

  static #changed(self, change, answer, removed) {
    if (answer.type !== 'success' || !(typeof self === 'object' && self !== null && #raw in self)) return answer;
    const event = { change, entityCount: answer.entityCount, storeBytes: self.#storeBytes, ...(removed ? { removed } : {}) };
    for (const listener of [...self.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        reportListenerError(error);
      }
    }
    return answer;
  }

  /** May `principal` do `action` on `resource`? Never throws: any failure is a tagged deny. */
  check(principal, action, resource, context) {
    return Authorizer.#answer(this, failedDecision, () => request(principal, action, resource, context), (raw, parts) => answerOf(raw.check(...parts)));
  }

  /** `check(...).allowed` without building the answer object. Never throws. */
  isAllowed(principal, action, resource, context) {
    const parts = () => request(principal, action, resource, context);
    return Authorizer.#answer(this, () => false, parts, (raw, args) => raw.isAllowed(...args) === true);
  }

  /** Every action that applies to this principal and resource, with its decision. */
  allowedActions(principal, resource) {
    const prepare = () => {
      const p = read.entityRef(principal, 'principal');
      if (p.error) return p;
      const r = read.entityRef(resource, 'resource');
      return r.error ? r : { value: [p.value.type, p.value.id, r.value.type, r.value.id] };
    };
    return Authorizer.#answer(this, failedAnswer, prepare, (raw, parts) => answerOf(raw.allowedActions(...parts)));
  }

  /**
   * The ids of the resources of `resourceType` in the store on which `principal` may do
   * `action` (with no context), sorted: `{ type: 'success', resources }` or a tagged failure
   * with the codes `check` gives. Never throws.
   */
  allowedResources(principal, action, resourceType) {
    const prepare = () => {
      const p = read.entityRef(principal, 'principal');
      if (p.error) return p;
      const a = read.name(action, 'action');
      if (a.error) return a;
      const t = read.name(resourceType, 'resourceType');
      return t.error ? t : { value: [p.value.type, p.value.id, a.value, t.value] };
    };
    return Authorizer.#answer(this, failedAnswer, prepare, (raw, parts) => answerOf(raw.allowedResources(...parts)));
  }

  /** A decision for each resource × action, in one call. */
  matrix(principal, resources, actions) {
    const prepare = () => {
      const max = limits().maxMatrixCells;
      const p = read.entityRef(principal, 'principal');
      if (p.error) return p;
      const r = read.list(resources, 'resources', max, read.entityRef);
      if (r.error) return r;
      const a = read.list(actions, 'actions', max, read.name);
      if (a.error) return a;
      return read.ownJson({ principal: p.value, resources: r.value, actions: a.value }, 'matrix call');
    };
    return Authorizer.#answer(this, failedAnswer, prepare, (raw, bytes) => answerOf(raw.matrix(bytes)));
  }

  /**
   * The snapshot for one user's browser, cut from the full one (an object or its JSON text):
   * what `principal` (a `User`) may view, reduced to what their decisions read, and checked to
   * decide each of their checks on what it keeps as the full snapshot does. Visibility and the
   * check use this authorizer's schema and policies; its store is neither read nor changed.
   * `{ type: 'success', snapshot }` or a tagged failure; never throws.
   */
  scopeSnapshot(snapshot, principal) {
    const prepare = () => {
      const p = read.entityRef(principal, 'principal');
      if (p.error) return p;
      const s = read.json(snapshot, 'snapshot');
      return s.error ? s : { value: [s.value, p.value.type, p.value.id] };
    };
    return Authorizer.#answer(this, failedAnswer, prepare, (raw, args) => answerOf(raw.scopeSnapshot(...args)));
  }

  /** Is this concrete organization action valid now? Never throws. */
  validateAction(request) {
    const prepare = () => read.requestObject(request, 'action request');
    return Authorizer.#answer(this, refusedAction, prepare, (raw, bytes) => answerOf(raw.validateAction(bytes)));
  }

  /** Accessors answer plain values, so their refusals are thrown (from JS) as OrgwardenErrors. */
  static #value(self, run) {
    const answer = Authorizer.#answer(self, (error) => ({ error }), () => ({ value: null }), (raw) => ({ value: run(raw) }));
    if (answer.error) throwing(answer.error.code, answer.error.message);
    return answer.value;
  }

  /** Every policy in the set with its id, rule, reason and effect, in source order. */
  policies() {
    return Authorizer.#value(this, (raw) => answerOf(raw.policies()));
  }

  /** The Cedar texts the policy set was built from. */
  policySources() {
    return Authorizer.#value(this, (raw) => answerOf(raw.policySources()));
  }

  /** The schema in Cedar schema syntax. */
  schemaText() {
    return Authorizer.#value(this, (raw) => raw.schemaText());
  }

  /** Every entity type and action of the schema: what `npx orgwarden types` generates types from. */
  schemaNames() {
    return Authorizer.#value(this, (raw) => answerOf(raw.schemaNames()));
  }

  /** Entities in the store, the schema's action entities included. */
  entityCount() {
    return Authorizer.#value(this, (raw) => raw.entityCount());
  }

  /**
   * Bytes of module memory the store holds, as the module's allocator counted what its loads
   * and updates kept (its entities, their hierarchy, its indexes); 0 before the first load.
   * What a budget of resident stores counts (`orgwarden/orgs`' maxStoreBytes).
   */
  storeBytes() {
    // A count kept here, in JS: reading it never enters the module.
    const unusable = Authorizer.#unusable(this);
    if (unusable) throwing(unusable.code, unusable.message);
    if (this.#generation !== generation()) throwing('ENGINE_RESET', reset);
    return this.#storeBytes;
  }

  /** Releases the engine's memory in the module now. Later calls answer AUTHORIZER_FREED. */
  free() {
    if (typeof this !== 'object' || this === null || !(#raw in this) || this.#freed) return;
    this.#freed = true;
    this.#listeners.clear();
    const raw = this.#raw;
    this.#raw = null;
    // An engine of a replaced instance has nothing left to free in the live one.
    if (raw && this.#generation === generation()) guarded(() => raw.free(), () => undefined);
  }
}

/**
 * A listener's exception, reported where the host reports uncaught errors (`reportError` in
 * browsers, Deno and workerd) without failing the change; in Node, which has no
 * `reportError` and exits on an uncaught exception, on the console.
 */
function reportListenerError(error) {
  if (typeof globalThis.reportError === 'function') globalThis.reportError(error);
  else console.error('orgwarden: a subscribe() listener threw:', error);
}

/** The checked parts of a check: principal, action, resource and context, or the refusal. */
function request(principal, action, resource, context) {
  const p = read.entityRef(principal, 'principal');
  if (p.error) return p;
  const a = read.name(action, 'action');
  if (a.error) return a;
  const r = read.entityRef(resource, 'resource');
  if (r.error) return r;
  const c = read.context(context);
  if (c.error) return c;
  return { value: [p.value.type, p.value.id, a.value, r.value.type, r.value.id, c.value] };
}

if (typeof Symbol.dispose === 'symbol') {
  /** `using authz = new Authorizer()` frees it at the end of the block. */
  Authorizer.prototype[Symbol.dispose] = Authorizer.prototype.free;
}

/** Builds a policy set without keeping it: its policies, or Cedar's diagnostics. Never throws. */
export function validatePolicies(options) {
  if (!isReady()) return failedAnswer(asError('MODULE_NOT_INITIALIZED', notInitialized));
  const bytes = read.engineOptions(options ?? {});
  if (bytes.error) return failedAnswer(bytes.error);
  if (!takesPolicyText()) return failedAnswer(asError('COMPILED_RUNTIME', compiledRuntime('validatePolicies is not available')));
  return guarded(() => answerOf(glue.validatePolicies(bytes.value)), (code, message) => failedAnswer({ code, message }));
}

function helper(run) {
  const answer = guarded(() => ({ value: run() }), (code, message) => ({ error: { code, message } }));
  if (answer.error) throwing(answer.error.code, answer.error.message);
  return answer.value;
}

function names(values, what) {
  if (!isReady()) throwing('MODULE_NOT_INITIALIZED', notInitialized);
  return values.map((value, i) => {
    const checked = read.name(value, what[i]);
    if (checked.error) throwing(checked.error.code, checked.error.message);
    return checked.value;
  });
}

/**
 * A full snapshot split per organization, each with the users it references: what the keys of
 * a multi-tenant store (`orgwarden/orgs`) hold, each decided there as in the full snapshot.
 * `{ type: 'success', organizations: [{ orgId, snapshot }] }` or the snapshot's own errors.
 * Never throws.
 */
export function splitOrganizations(snapshot) {
  if (!isReady()) return failedAnswer(asError('MODULE_NOT_INITIALIZED', notInitialized));
  const s = read.json(snapshot, 'snapshot');
  if (s.error) return failedAnswer(s.error);
  return guarded(() => answerOf(glue.splitOrganizations(s.value)), (code, message) => failedAnswer({ code, message }));
}

/** Throws the compiled runtime's refusal of a helper that gives the embedded policy text. */
function embeddedText(what) {
  if (!isReady()) throwing('MODULE_NOT_INITIALIZED', notInitialized);
  if (!takesPolicyText()) {
    throwing('COMPILED_RUNTIME', compiledRuntime(`${what} is not available (an authorizer's policySources() and schemaText() give what was compiled)`));
  }
}

/** The embedded default policy files. */
export function defaultPolicySources() {
  embeddedText('defaultPolicySources');
  return helper(() => answerOf(glue.defaultPolicySources()));
}

/** The embedded schema, in Cedar schema syntax. */
export function defaultSchema() {
  embeddedText('defaultSchema');
  return helper(() => glue.defaultSchema());
}

/** A new organization record whose creator is its first owner (ORG-1). */
export function newOrganization(id, name, creator) {
  const [i, n, c] = names([id, name, creator], ['id', 'name', 'creator']);
  return helper(() => answerOf(glue.newOrganization(i, n, c)));
}

/** The id of the Membership entity of `user` in `org`: the resource of changeRole and removeMember. */
export function membershipId(org, user) {
  const [o, u] = names([org, user], ['org', 'user']);
  return helper(() => glue.membershipId(o, u));
}
