// One cold start, in a fresh Node process (bench/run.mjs and bench/edge-targets.mjs spawn this
// several times):
//   node bench/cold-start.mjs orgwarden <snapshot.json> [--warm] [--entities] [--compiled [--sync]]
//   node bench/cold-start.mjs official <policies.cedar> <entities.json> [<user> <org>]
// --entities: the file is Cedar entities JSON, loaded with `loadEntities` instead of
// `loadSnapshot`. --compiled: the compiled runtime (`orgwarden/compiled`, its own module with
// the default policies) instead of the full package, initialized with `await init()`, or with
// `initSync()` with --sync (the glue compiles asynchronously in one, synchronously in the
// other). The check is whether <user> (default
// olivia) may view the billing of <org> (default acme, which every generated snapshot holds).
// The inputs are read from disk before the clock starts; what is timed is what a server pays
// before its first answer: import and init (compile + instantiate the .wasm: the full
// package's Node entry does it at import, the compiled runtime's in `init()`), build the
// authorizer, load the data, answer one check. Then, apart, a first page and (full package
// only: the compiled runtime takes no policy text) a custom authorizer. Prints one JSON line of
// milliseconds. ORGWARDEN_ENTRY may name another build's entry module (bench/run.mjs --pkg=DIR
// sets it).

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PerformanceObserver, constants as perf, performance } from 'node:perf_hooks';

const [mode, ...rest] = process.argv.slice(2);
const files = rest.filter((a) => !a.startsWith('--'));
const WARM = rest.includes('--warm');
const RAW_ENTITIES = rest.includes('--entities');
const COMPILED = rest.includes('--compiled');
const SYNC = rest.includes('--sync');
const ms = (from, to) => Number(to - from) / 1e6;
// The least time a warm-up spends loading before the warm loads are timed (see --warm).
const WARM_UP_MS = 300;
const now = () => process.hrtime.bigint();

const CUSTOM_POLICY = `@id("bench-members-see-billing")
permit (principal is User, action == Action::"viewBilling", resource is Organization)
when { principal in resource.members };`;

// Full (mark-compact) garbage collections, kept to be counted per step after the clock: V8
// may collect in the middle of a load that grows the module's memory (its size counts as
// external memory), which a load's time alone would not tell.
const majorGcs = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR) majorGcs.push(entry);
}).observe({ entryTypes: ['gc'] });
const gcsWithin = ([from, to]) => majorGcs.filter((gc) => gc.startTime >= from && gc.startTime < to);

if (mode === 'orgwarden') {
  const snapshot = readFileSync(files[0], 'utf8');
  const loadWindows = {};
  const t0 = now();
  const entry = await import(process.env.ORGWARDEN_ENTRY || (COMPILED ? 'orgwarden/compiled' : 'orgwarden'));
  const imported = now();
  // A no-op for the full package's Node entry, which is ready once imported.
  if (SYNC) entry.initSync();
  else await entry.default();
  const t1 = now();
  const { Authorizer, moduleStatus } = entry;
  const authz = new Authorizer();
  const load = (text) => (RAW_ENTITIES ? authz.loadEntities(text) : authz.loadSnapshot(text));
  const t2 = now();
  const memoryBefore = moduleStatus().memoryBytes;
  const loadStart = performance.now();
  const loaded = load(snapshot);
  loadWindows.load = [loadStart, performance.now()];
  const t3 = now();
  const first = authz.check({ type: 'User', id: 'olivia' }, 'viewBilling', { type: 'Organization', id: 'acme' });
  const t4 = now();
  if (loaded.type !== 'success' || !first.allowed) throw new Error(`unexpected: ${JSON.stringify([loaded, first])}`);
  const times = {
    import: ms(t0, imported), init: ms(imported, t1), construct: ms(t1, t2), load: ms(t2, t3), firstCheck: ms(t3, t4), total: ms(t0, t4),
  };
  // What the store made the module grow by (64 KiB pages; it never shrinks), and its size.
  Object.assign(times, { memoryGrowth: moduleStatus().memoryBytes - memoryBefore, entityCount: authz.entityCount() });
  // After the cold start, not part of it: what a page's first `allowedActions` adds (its row
  // plan comes preinitialized with the defaults), and what an authorizer that adds one custom
  // policy to the defaults costs (it parses and validates that policy only).
  const t5 = now();
  const page = authz.allowedActions({ type: 'User', id: 'olivia' }, { type: 'Organization', id: 'acme' });
  const t6 = now();
  if (page.type !== 'success') throw new Error(`unexpected page: ${JSON.stringify(page)}`);
  Object.assign(times, { firstPage: ms(t5, t6) });
  if (!COMPILED) {
    const t7 = now();
    const custom = new Authorizer({ policies: [{ name: 'custom.cedar', text: CUSTOM_POLICY }] });
    const t8 = now();
    if (custom.policies().length <= 1) throw new Error('unexpected custom set');
    Object.assign(times, { customConstruct: ms(t7, t8) });
    custom.free();
  }
  if (WARM) {
    // Not part of the cold start: the same steps again once the code is warm (optimized
    // tier), which tells compilation apart from the work itself. V8 recompiles hot code in the
    // background and swaps it in when ready, so a few loads of a small store can all run before
    // it is: the warm-up lasts three loads and at least WARM_UP_MS of loading, and the warm
    // figure is the median of five loads after it. The reloads replace the store of the same
    // authorizer (dropping the old one is part of it); a new authorizer is freed at once, as
    // leaked ones keep their memory until finalization and slow later loads.
    const warmUpStart = now();
    for (let i = 0; i < 3 || ms(warmUpStart, now()) < WARM_UP_MS; i++) {
      load(snapshot);
      new Authorizer().free();
    }
    const t5 = now();
    const fresh = new Authorizer();
    const t6 = now();
    fresh.free();
    const warm = Array.from({ length: 5 }, () => {
      const start = performance.now();
      const t7 = now();
      load(snapshot);
      return { elapsed: ms(t7, now()), window: [start, performance.now()] };
    }).sort((x, y) => x.elapsed - y.elapsed);
    const middle = warm[2];
    loadWindows.warmLoad = middle.window;
    Object.assign(times, { warmConstruct: ms(t5, t6), warmLoad: middle.elapsed });
  }
  // GC entries arrive asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 10));
  for (const [step, window] of Object.entries(loadWindows)) {
    const gcs = gcsWithin(window);
    Object.assign(times, { [`${step}MajorGcs`]: gcs.length, [`${step}GcMs`]: gcs.reduce((sum, gc) => sum + gc.duration, 0) });
  }
  console.log(JSON.stringify(times));
} else if (mode === 'official') {
  const policies = readFileSync(files[0], 'utf8');
  const entities = JSON.parse(readFileSync(files[1], 'utf8'));
  const t0 = now();
  const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs');
  const t1 = now();
  const parsed = cedar.preparsePolicySet('bench', { staticPolicies: policies });
  const t2 = now();
  const [user = 'olivia', org = 'acme'] = files.slice(2);
  const first = cedar.statefulIsAuthorized({
    principal: { type: 'User', id: user }, action: { type: 'Action', id: 'viewBilling' },
    resource: { type: 'Organization', id: org }, context: {}, preparsedPolicySetId: 'bench', entities,
  });
  const t3 = now();
  if (parsed.type !== 'success' || first.type !== 'success' || first.response.decision !== 'allow') {
    throw new Error(`unexpected: ${JSON.stringify([parsed, first])}`);
  }
  console.log(JSON.stringify({ import: ms(t0, t1), construct: ms(t1, t2), load: 0, firstCheck: ms(t2, t3), total: ms(t0, t3) }));
} else {
  throw new Error('usage: cold-start.mjs orgwarden <snapshot.json> [--warm] [--entities] [--compiled [--sync]] | official <policies.cedar> <entities.json> [<user> <org>]');
}
