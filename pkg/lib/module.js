// The one WebAssembly instance behind every Authorizer, and the guard around each call into it.
//
// A trap (stack overflow, out of memory, `unreachable`) leaves an instance unusable: its stack
// pointer and allocator are wherever the trap stopped them, so every later call would trap
// too, in a browser tab or an edge isolate that lives for hours. So any exception escaping a
// call into the module is treated as a trap: the instance is replaced by a fresh one from the
// same compiled module (wasm-bindgen's `__wbg_reset_state`), the call answers
// `ENGINE_TRAPPED`, and engines built on the old instance answer `ENGINE_RESET` until they are
// loaded again. Rust itself never throws into JS (src/wasm.rs), so an escaping exception is
// always a fault of the instance, never an answer.
//
// The glue (wasm-bindgen's generated JS for one module) is handed over by the entry that
// instantiated it: the full module's (`orgwarden`) or the compiled runtime's
// (`orgwarden/compiled`). Nothing here imports either, so a bundle holds only the one its
// entry uses.

/** The glue of the instantiated module: set once, by the entry (see markReady). */
export let glue = null;

const state = {
  /** Set once an entry (or the caller, on the web entry) has instantiated the module. */
  ready: false,
  /** Counts instances: an engine made on an older one is gone. */
  generation: 0,
  /** A replacement is owed: the last attempt to make one failed. */
  broken: false,
  resets: 0,
  lastTrap: null,
  limits: null,
  /** The next guarded call traps first: see armTrapForTests. */
  trapArmed: false,
};

/**
 * An entry calls this once its glue has an instance. One program uses one build: the state
 * here (the instance, its replacements, the engines' generation) belongs to one module.
 */
export function markReady(entryGlue) {
  if (glue !== null && glue !== entryGlue) {
    throw new Error(
      "orgwarden: 'orgwarden' and 'orgwarden/compiled' were both initialized in one program; " +
        'use one of them (the compiled runtime for policies compiled ahead of time, the full package for policies given at run time)',
    );
  }
  glue = entryGlue;
  state.ready = true;
  state.limits = answerOf(glue.limits());
}

/**
 * What a call into the module answered: JSON text, parsed here once the call has returned.
 * The module builds no JS objects itself: setting their fields from inside the call would run
 * any setter a page has put on `Object.prototype` while an engine is borrowed, and a call
 * back into the module from there would fail as a trap (src/wasm.rs). `JSON.parse` defines
 * the fields without setters.
 */
export function answerOf(text) {
  return JSON.parse(text);
}

/** Whether the module takes policy and schema text (the full build) or not (the compiled runtime). */
export function takesPolicyText() {
  return glue !== null && typeof glue.validatePolicies === 'function';
}

export function isReady() {
  return state.ready;
}

export function generation() {
  return state.generation;
}

/** The input limits, read from the module (src/limits.rs), so they are defined once. */
export function limits() {
  return state.limits;
}

/** The input limits, for callers that check sizes before sending (a copy; null before init). */
export function inputLimits() {
  return state.limits && { ...state.limits };
}

function describe(error) {
  try {
    return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  } catch {
    return 'an exception that cannot be described';
  }
}

function replaceInstance() {
  state.generation += 1;
  try {
    glue.__wbg_reset_state();
    state.broken = false;
    state.resets += 1;
  } catch (error) {
    state.broken = true;
    state.lastTrap = `${state.lastTrap}; the replacement failed too: ${describe(error)}`;
  }
}

/**
 * Runs `call` against the live instance. `refuse(code, message)` makes the caller's answer for
 * a module that is not initialized, could not be replaced, or trapped during this call.
 */
export function guarded(call, refuse) {
  if (!state.ready) {
    return refuse('MODULE_NOT_INITIALIZED', 'the module is not initialized: await init() (or initSync) first');
  }
  if (state.broken) replaceInstance();
  if (state.broken) {
    return refuse('ENGINE_TRAPPED', `the module trapped and could not be replaced: ${state.lastTrap}`);
  }
  try {
    if (state.trapArmed) {
      state.trapArmed = false;
      glue.__trapForTests();
    }
    return call();
  } catch (error) {
    state.lastTrap = describe(error);
    replaceInstance();
    return refuse(
      'ENGINE_TRAPPED',
      `the module trapped (${state.lastTrap}) and was replaced by a fresh instance; ` +
        'this engine was lost with the old one',
    );
  }
}

/**
 * For the package's tests: the next call into the module traps (a real `unreachable` in the
 * module) before doing its work, so the recovery above is tested on the shipped build.
 */
export function armTrapForTests() {
  state.trapArmed = true;
}

/**
 * What a long-lived process may want to watch: the module's memory (reserved: it never
 * shrinks), the bytes allocated in it (in use: freed memory is reused), and its replacements.
 */
export function moduleStatus() {
  const live = state.ready && !state.broken;
  const memoryBytes = live ? guarded(() => glue.memoryBytes(), () => 0) : 0;
  const heldBytes = live ? guarded(() => glue.heldBytes(), () => 0) : 0;
  return { ready: state.ready, memoryBytes, heldBytes, resets: state.resets, lastTrap: state.lastTrap };
}
