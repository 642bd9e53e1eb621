// React bindings for one build of the package: `reactBindings(api, name)` makes the provider, the
// hooks and <Can> on `api`, the exports of that build's entry (`init`, `Authorizer`,
// `OrgwardenError`, `moduleStatus`). ./index.js binds them to 'orgwarden' (the full build, as
// `orgwarden/react`), ./compiled.js to 'orgwarden/compiled' (the compiled runtime, as
// `orgwarden/compiled/react`). Nothing here imports either build, so a bundle holds only the one
// its application uses, and one program never initializes both.
//
// <AuthorizerProvider> owns the module's init(), the Authorizer (unless it is given one) and the
// loading of the snapshot; the hooks read the authorizer through useSyncExternalStore. The
// external store is one small object per provider (`Binding`): its state is replaced on every
// change — status, authorizer, error, and `version`, a counter bumped on each of them and on each
// store change the authorizer's subscribe() reports — so React re-renders exactly the components
// that read it, and an answer is computed once per version and per argument value.
import { createContext, createElement, useContext, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';

// A layout effect, but on a server (where no effect runs) a passive one, which React 18 does not
// warn about. Only what may run again harmlessly is one: when a Suspense boundary hides a tree
// that was shown, React cleans up its layout effects (and sets them up again when it shows it),
// so the authorizer, which a cleanup releases, and the loads are the business of passive effects.
const useClientEffect = typeof document === 'undefined' ? useEffect : useLayoutEffect;

/** What the hooks answer while the authorizer is not ready: never allowed, never any action. */
const LOADING_DECISION = Object.freeze({ type: 'loading', allowed: false });
const LOADING_ACTIONS = Object.freeze({ type: 'loading', allowed: Object.freeze([]), outcomes: Object.freeze([]) });
const LOADING_MATRIX = Object.freeze({ type: 'loading', actions: Object.freeze([]), rows: Object.freeze([]) });

/** Answers kept per provider and version, shared by the components asking the same thing. */
const CACHE_LIMIT = 1000;

function toError(error, name) {
  return error instanceof Error ? error : new Error(typeof error === 'string' ? error : `${name}: ${describe(error)}`);
}

function describe(value) {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const isThenable = (value) => value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function';

/**
 * The external store of one provider, on `engine` (what the bindings made of their build's API,
 * see reactBindings). Its methods are bound: React calls them detached.
 */
class Binding {
  #listeners = new Set();
  #cache = new Map();
  #cacheVersion = -1;
  #waiting = null;
  #engine;

  constructor(state, engine) {
    this.state = state;
    this.#engine = engine;
    this.subscribe = (listener) => {
      this.#listeners.add(listener);
      return () => this.#listeners.delete(listener);
    };
    this.getState = () => this.state;
  }

  #set(patch) {
    this.state = { ...this.state, ...patch, version: this.state.version + 1 };
    if (this.state.status !== 'loading' && this.#waiting) {
      this.#waiting.resolve();
      this.#waiting = null;
    }
    for (const listener of [...this.#listeners]) listener();
  }

  /** The authorizer's store changed (its subscribe listener). */
  changed() {
    this.#set({});
  }

  /** `authorizer` is the one to answer with, once its snapshot is in. */
  attach(authorizer) {
    this.#set({ status: 'loading', authorizer, error: null });
  }

  detach() {
    this.#set({ status: 'loading', authorizer: null, error: null });
  }

  ready(authorizer) {
    if (this.state.authorizer === authorizer) this.#set({ status: 'ready', error: null });
  }

  fail(error) {
    this.#set({ status: 'error', error: toError(error, this.#engine.name) });
  }

  // --- the authorizer's owner: what the provider's effect sets up and cleans up -----------------
  #owner = null; // { key, made, unsubscribe, cancelled }
  #releasing = false;

  /**
   * Sets up the authorizer for `key` (the given one, or one made with `options` once the module is
   * ready), then loads `snapshot()` into it. A cleanup followed at once by a setup with the same
   * key — React's StrictMode, which does it on mount and on showing a tree a Suspense boundary
   * hid — keeps what is there: no new authorizer, no reload, no trip through `loading`.
   */
  acquire(key, { given, options, wasm, snapshot }) {
    if (this.#owner && this.#releasing && this.#owner.key === key) {
      this.#releasing = false;
      return;
    }
    this.#releaseNow();
    const owner = { key, made: null, unsubscribe: null, cancelled: false };
    this.#owner = owner;
    const use = (authorizer) => {
      try {
        owner.unsubscribe = authorizer.subscribe(() => this.changed());
      } catch (error) {
        this.fail(error);
        return;
      }
      this.attach(authorizer);
      this.load(authorizer, snapshot());
    };
    if (given) {
      use(given);
      return;
    }
    const make = () => {
      if (owner.cancelled) return;
      try {
        owner.made = new this.#engine.Authorizer(options ?? undefined);
      } catch (error) {
        this.fail(error);
        return;
      }
      use(owner.made);
    };
    // Ready already when the application initialized the module itself, or when its entry does at
    // import ('orgwarden' in Node): then the authorizer is made at once, with no init() to await.
    if (this.#engine.moduleStatus().ready) make();
    else this.#engine.initialize(wasm).then(make, (error) => owner.cancelled || this.fail(error));
  }

  /** The effect's cleanup: releases (and frees what it made) unless set up again at once. */
  release() {
    this.#releasing = true;
    queueMicrotask(() => {
      if (this.#releasing) this.#releaseNow();
    });
  }

  #releaseNow() {
    const owner = this.#owner;
    this.#releasing = false;
    if (!owner) return;
    this.#owner = null;
    owner.cancelled = true;
    this.cancel();
    owner.unsubscribe?.();
    this.detach();
    owner.made?.free();
  }

  // --- loads ------------------------------------------------------------------------------------

  /** The load under way or done: `{ authorizer, snapshot }`. */
  target = null;
  #cancel = null;

  /**
   * Loads `snapshot` into `authorizer` (the current one), in place of any load under way: at
   * once for a snapshot, when it settles for a promise or a function's promise. A load that
   * settles after it was replaced, or after its authorizer was, changes nothing.
   */
  load(authorizer, snapshot) {
    this.cancel();
    this.target = { authorizer, snapshot };
    if (snapshot === undefined) {
      this.ready(authorizer);
      return;
    }
    let cancelled = false;
    const controller = typeof AbortController === 'function' ? new AbortController() : null;
    this.#cancel = () => {
      cancelled = true;
      controller?.abort();
    };
    const current = () => !cancelled && this.state.authorizer === authorizer;
    const fail = (error) => current() && this.fail(error);
    const apply = (value) => {
      if (!current()) return;
      this.#cancel = null;
      const answer = authorizer.loadSnapshot(value);
      if (answer.type === 'success') this.ready(authorizer);
      else fail(this.#engine.loadError(answer));
    };
    try {
      const value = typeof snapshot === 'function' ? snapshot({ signal: controller?.signal }) : snapshot;
      if (isThenable(value)) value.then(apply, fail);
      else apply(value);
    } catch (error) {
      fail(error);
    }
  }

  cancel() {
    this.#cancel?.();
    this.#cancel = null;
    this.target = null;
  }

  /** Settles when the status leaves `loading`: what the hooks throw to a Suspense boundary. */
  pending() {
    if (!this.#waiting) {
      let resolve;
      const promise = new Promise((done) => (resolve = done));
      this.#waiting = { promise, resolve };
    }
    return this.#waiting.promise;
  }

  /** The answer for `key` at `state`'s version: computed by the first component that asks. */
  answer(state, key, compute) {
    if (key === null) return compute();
    if (this.#cacheVersion !== state.version) {
      this.#cache.clear();
      this.#cacheVersion = state.version;
    }
    let value = this.#cache.get(key);
    if (value === undefined) {
      value = compute();
      if (this.#cache.size >= CACHE_LIMIT) this.#cache.delete(this.#cache.keys().next().value);
      this.#cache.set(key, value);
    }
    return value;
  }
}

// --- keys: arguments equal by value answer the same object --------------------------------------

/** JSON with the keys of objects sorted, so `{a, b}` and `{b, a}` are the same key. */
function sortedJson(value) {
  return JSON.stringify(value, (_, v) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted = {};
    for (const k of Object.keys(v).sort()) sorted[k] = v[k];
    return sorted;
  });
}

// A value JSON cannot spell (a cycle, a BigInt, a throwing getter) is keyed by its identity:
// then only the same object answers from the cache.
const identities = new WeakMap();
let nextIdentity = 0;
function identityKey(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return `value:${String(value)}`;
  let id = identities.get(value);
  if (id === undefined) identities.set(value, (id = ++nextIdentity));
  return `identity:${id}`;
}

function keyOf(value) {
  try {
    return `json:${sortedJson(value)}`;
  } catch {
    return identityKey(value);
  }
}

/** `value`'s key, recomputed only when `value` is another object. */
function useKey(value) {
  return useMemo(() => keyOf(value), [value]);
}

// --- the bindings of one build -----------------------------------------------------------------

/**
 * The components and hooks on `api`, the exports of one build's entry: its `init` (called once,
 * with the first provider's `wasm`, unless the module is ready), `Authorizer`, `OrgwardenError`
 * and `moduleStatus`. `name` is the import the application writes, for the errors' messages.
 */
export function reactBindings({ init, Authorizer, OrgwardenError, moduleStatus }, name) {
  const Context = createContext(null);

  /** The module is initialized once for every provider; a failed attempt can be retried. */
  let initializing = null;
  const engine = {
    name,
    Authorizer,
    moduleStatus,
    initialize(wasm) {
      initializing ??= Promise.resolve(init(wasm)).catch((error) => {
        initializing = null;
        throw error;
      });
      return initializing;
    },
    /** A refused load as an error: the first error's code, every message, and the answer's errors. */
    loadError(answer) {
      const errors = Array.isArray(answer?.errors) ? answer.errors : [];
      const error = new OrgwardenError(errors[0]?.code ?? 'INVALID_SNAPSHOT', errors.map((e) => e.message).join('; ') || 'the snapshot was refused');
      error.errors = errors;
      return error;
    },
  };

  // --- the provider ------------------------------------------------------------------------------

  /**
   * Initializes the module, makes the Authorizer (or takes `authorizer`), loads `snapshot` (an
   * object or JSON text, a promise of one, or a function `({ signal }) => snapshot | promise`),
   * and gives the hooks below it the authorizer. Shows `fallback` while loading, `errorFallback`
   * (a node, or `(error, retry) => node`) on a failure; with `suspense`, the hooks suspend instead.
   * Reloads when `snapshot` is another value (compared by identity); makes a new authorizer when
   * `options` change by value or `authorizer` is another one; frees the authorizer it made.
   */
  function AuthorizerProvider({ snapshot, options, authorizer: given = null, wasm, fallback, errorFallback, suspense = false, children }) {
    const [binding] = useState(
      () =>
        new Binding(
          // A given authorizer with no snapshot to load answers from the first render (and on a server).
          given && snapshot === undefined
            ? { status: 'ready', authorizer: given, error: null, version: 0 }
            : { status: 'loading', authorizer: null, error: null, version: 0 },
          engine,
        ),
    );
    const state = useSyncExternalStore(binding.subscribe, binding.getState, binding.getState);
    const [attempt, setAttempt] = useState(0);
    const optionsKey = useKey(options ?? null);

    // The snapshot of the last committed render, for a load that starts after an await.
    const latest = useRef(snapshot);
    useEffect(() => {
      latest.current = snapshot;
    }, [snapshot]);

    // The authorizer, and the first load into it, from here rather than from a later render, which
    // a suspended child would discard before its effects ran. `options` is compared by value.
    const key = `${identityKey(given)} ${optionsKey} ${attempt}`;
    useEffect(() => {
      binding.acquire(key, { given, options, wasm, snapshot: () => latest.current });
      return () => binding.release();
      // eslint-disable-next-line react-hooks/exhaustive-deps
    }, [binding, key]);

    // Another snapshot for the same authorizer: the answers stay those of the last one until it is in.
    useEffect(() => {
      const { authorizer } = binding.state;
      const target = binding.target;
      if (authorizer && !(target && target.authorizer === authorizer && target.snapshot === snapshot)) binding.load(authorizer, snapshot);
    }, [binding, snapshot]);

    // With `suspense`, children render only once this provider is mounted: a boundary above it
    // would otherwise discard it, effects and all, on the first suspension, and wait forever.
    const [mounted, setMounted] = useState(false);
    useClientEffect(() => {
      if (suspense) setMounted(true);
    }, [suspense]);

    const value = useMemo(() => ({ binding, suspense: Boolean(suspense) }), [binding, suspense]);
    let content;
    if (state.status === 'error') {
      if (errorFallback === undefined) throw state.error;
      content = typeof errorFallback === 'function' ? errorFallback(state.error, () => setAttempt((n) => n + 1)) : errorFallback;
    } else if (state.status === 'loading') {
      if (suspense) content = mounted ? children : null;
      else content = fallback === undefined ? children : fallback;
    } else {
      content = children;
    }
    return createElement(Context.Provider, { value }, content);
  }

  // --- hooks -------------------------------------------------------------------------------------

  function useBinding(hook) {
    const context = useContext(Context);
    if (!context) throw new Error(`${name}: ${hook}() needs an <AuthorizerProvider> above it`);
    const state = useSyncExternalStore(context.binding.subscribe, context.binding.getState, context.binding.getState);
    return [context, state];
  }

  /** One answer of the authorizer: the cached one for these arguments at this version, if any. */
  function useAnswer(hook, args, loading, ask) {
    const [{ binding, suspense }, state] = useBinding(hook);
    const key = useKey(args);
    const answer = useMemo(
      () => (state.status === 'ready' ? binding.answer(state, key.startsWith('json:') ? `${hook}:${key}` : null, () => ask(state.authorizer)) : loading),
      // `args` is read through `ask` and compared by value (its key).
      // eslint-disable-next-line react-hooks/exhaustive-deps
      [binding, state, key],
    );
    if (suspense && state.status === 'loading') throw binding.pending();
    return answer;
  }

  /** The provider's authorizer once it is ready (null before); re-renders on every store change. */
  function useAuthorizer() {
    const [{ binding, suspense }, state] = useBinding('useAuthorizer');
    if (suspense && state.status === 'loading') throw binding.pending();
    return state.status === 'ready' ? state.authorizer : null;
  }

  /** `{ status: 'loading' | 'ready' | 'error', authorizer, error, version }`; never suspends. */
  function useAuthorizerState() {
    return useBinding('useAuthorizerState')[1];
  }

  /** `authorizer.check(...)`: the Decision, or `{ type: 'loading', allowed: false }` before it is ready. */
  function useCheck(principal, action, resource, context) {
    return useAnswer('useCheck', [principal, action, resource, context ?? null], LOADING_DECISION, (authorizer) =>
      authorizer.check(principal, action, resource, context),
    );
  }

  /** `authorizer.allowedActions(...)`, or `{ type: 'loading', allowed: [], outcomes: [] }`. */
  function useAllowedActions(principal, resource) {
    return useAnswer('useAllowedActions', [principal, resource], LOADING_ACTIONS, (authorizer) => authorizer.allowedActions(principal, resource));
  }

  /** `authorizer.matrix(...)`, or `{ type: 'loading', actions: [], rows: [] }`. */
  function useMatrix(principal, resources, actions) {
    return useAnswer('useMatrix', [principal, resources, actions], LOADING_MATRIX, (authorizer) => authorizer.matrix(principal, resources, actions));
  }

  /**
   * Renders `children` when the principal may do the action, else `fallback`, or the decision's
   * reason with `showReason`; `loading` while the authorizer is not ready. A function child is
   * called with the decision (the loading one included) and renders what it returns.
   */
  function Can({ principal, action, resource, context, fallback = null, showReason = false, loading = null, children = null }) {
    const decision = useCheck(principal, action, resource, context);
    if (typeof children === 'function') return children(decision);
    if (decision.type === 'loading') return loading;
    if (decision.allowed) return children;
    if (showReason && typeof decision.reason === 'string' && decision.reason !== '') return decision.reason;
    return fallback;
  }

  const bindings = Object.freeze({ AuthorizerProvider, Can, useAuthorizer, useAuthorizerState, useCheck, useAllowedActions, useMatrix });

  /**
   * The same components and hooks, typed with your schema's names: `createBindings<Names>()`
   * (see `orgwarden types`). At run time it returns these same functions.
   */
  function createBindings() {
    return bindings;
  }

  return { ...bindings, createBindings };
}
