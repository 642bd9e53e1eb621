#!/usr/bin/env node
// The edge targets at scale: `node bench/edge-targets.mjs [--quick]` (about 4 minutes; --quick
// about 2). Measures the release package (pkg/dist) against each target for a multi-tenant
// Worker whose store (KV) holds 1,000 orgs of about 100 entities, and prints one Markdown table
// (target | limit | measured | met? | the official @cedar-policy/cedar-wasm where it applies),
// then the measurements that show where the time goes:
//   - first request for a ~1,000-entity org (source in memory + build + check) while the store
//     lists 1,000 orgs and 100 are resident: bench/orgs.mjs `firstRequests`;
//   - a warm check on a resident org: bench/orgs.mjs `warmChecks`;
//   - isolate memory (module memory + JS heap after GC) with 100 orgs resident: bench/orgs.mjs's
//     `memory` child, one fresh process per run;
//   - cold start of a process serving one ~1,000-entity org while the store lists 1,000 orgs,
//     and with that org alone: bench/orgs.mjs's `cold` child (fresh `node` per run), also run
//     through the web entry so that reading, compiling and instantiating the .wasm are apart,
//     and under V8 switches that take the first request apart: compiling functions as first
//     called, running V8's baseline code, and its optimizing recompiles;
//   - load per entity from ~1k to 250k entities (the store's limit), `loadSnapshot` and raw
//     `loadEntities` (Cedar entities JSON) of the same store, the first load in a fresh process
//     and again once warm (the median of five loads after a warm-up), and the module memory
//     the store takes: bench/cold-start.mjs.
// Every timing is repeated (fresh processes where a cold figure is measured): medians, with the
// spread as min–max over the runs. The official package keeps no entities between calls, so its
// figures are per call: the Cedar entities JSON of the same org is parsed on every call.
// The Cedar entities JSON comes from the native reference (bench/native `export`), built once
// by `node bench/run.mjs`; it is built here only when missing, and what it exports is checked
// against the package (same entity count, same decision).

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

import { sizes } from '../pkg/bin/sizes.mjs';
import { median } from './measure.mjs';
import { SEED, firstRequests, membersFor, orgTexts, ownerOf, spawnChild, warmChecks, writeColdStores } from './orgs.mjs';
import { countEntities, generateSnapshot } from './workload.mjs';

const root = new URL('..', import.meta.url).pathname;
const QUICK = process.argv.includes('--quick');
const log = (...parts) => console.error('[bench/edge-targets]', ...parts);
const clock = () => process.hrtime.bigint();
const msSince = (from) => Number(clock() - from) / 1e6;

// ---- the targets -------------------------------------------------------------------------------
const STORE_ORGS = 1000;
const RESIDENT_ORGS = 100;
const LIMITS = {
  firstRequestMs: 15,
  warmCheckUs: 30,
  isolateMiB: 64,
  coldStartMs: 30,
  loadUsPerEntity: 10,
  rawOverSnapshot: 2,
  bytesPerEntity: 1024,
};
// The store's own limit (src/limits.rs MAX_ENTITIES), the schema's action entities included.
const MAX_STORE_ENTITIES = 250_000;
const ACTION_ENTITIES = 56;
const LOAD_SIZES = [1_000, 10_000, 50_000, 100_000, MAX_STORE_ENTITIES - ACTION_ENTITIES];
// Raw Cedar entities JSON is about nine times the snapshot's text: above this many entities it
// passes the 32 MiB input limit, and one warm series takes minutes.
const RAW_LOAD_MAX = 50_000;
const RUNS = {
  firstRequest: QUICK ? 1 : 3,
  warm: QUICK ? 2 : 5,
  memory: QUICK ? 1 : 3,
  cold: QUICK ? 3 : 9,
  coldSplit: QUICK ? 3 : 5,
  officialCold: 3,
  load: QUICK ? 1 : 3,
  official: QUICK ? 3 : 9,
};

// ---- prerequisites -----------------------------------------------------------------------------
const wasmPath = join(root, 'pkg/dist/orgwarden_bg.wasm');
if (!existsSync(wasmPath)) {
  console.error('pkg/dist/ is missing: build the package first with `bash scripts/build-wasm.sh`');
  process.exit(2);
}
// Others may rebuild the package during a run: the figures are only of one build.
const packageStamp = () => `${statSync(wasmPath).size}@${statSync(wasmPath).mtimeMs}`;
const stampAtStart = packageStamp();

const nativeBin = join(root, 'target/bench-native/release/native_bench');
if (!existsSync(nativeBin)) {
  log('building the native reference (bench/native, release; minutes)');
  execFileSync('cargo', ['build', '--quiet', '--release', '--manifest-path', join(root, 'bench/native/Cargo.toml'), '--target-dir', join(root, 'target/bench-native')], { stdio: 'inherit' });
}
/** The store of a snapshot as Cedar entities JSON: with the action entities (for the official package) and without. */
function exportEntities(snapshotFile, base) {
  const withActions = `${base}.entities.json`;
  execFileSync(nativeBin, ['export', snapshotFile, withActions]);
  const entities = JSON.parse(readFileSync(withActions, 'utf8'));
  const withoutActions = `${base}.raw.json`;
  writeFileSync(withoutActions, JSON.stringify(entities.filter((e) => e.uid.type !== 'Action')));
  return { withActions, withoutActions, entities };
}

const { Authorizer } = await import('orgwarden');
const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs');
const officialVersion = JSON.parse(readFileSync(join(root, 'node_modules/@cedar-policy/cedar-wasm/package.json'), 'utf8')).version;
// Every default policy, concatenated, as bench/run.mjs gives them to the official package.
const policyText = readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.cedar')).sort()
  .map((f) => readFileSync(join(root, 'policies', f), 'utf8')).join('\n');
if (cedar.preparsePolicySet('defaults', { staticPolicies: policyText }).type !== 'success') throw new Error('official preparsePolicySet failed');

const dir = mkdtempSync(join(tmpdir(), 'orgwarden-edge-'));
const loadAtStart = loadavg();
const started = Date.now();

// ---- statistics and formatting -------------------------------------------------------------------
const spread = (values) => ({ median: median(values), min: Math.min(...values), max: Math.max(...values), n: values.length });
const num = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const withSpread = (s, unit) => `${num(s.median)}${unit ? ` ${unit}` : ''}${s.n > 1 ? ` (${num(s.min)}–${num(s.max)}, n=${s.n})` : ''}`;
const mib = (bytes) => bytes / 1024 / 1024;
const verdict = (ok) => (ok ? '✅ met' : '❌ not met');
const count = (n) => n.toLocaleString('en-US');
/** The official package deciding one request on entities given as Cedar JSON: ms per call, and its answer. */
function officialCall(entities, user, org) {
  const t0 = clock();
  const answer = cedar.statefulIsAuthorized({
    principal: { type: 'User', id: user }, action: { type: 'Action', id: 'viewBilling' },
    resource: { type: 'Organization', id: org }, context: {}, preparsedPolicySetId: 'defaults', entities,
  });
  const elapsed = msSince(t0);
  if (answer.type !== 'success') throw new Error(`official: ${JSON.stringify(answer.errors)}`);
  return { ms: elapsed, allowed: answer.response.decision === 'allow' };
}
/** The official package parsing entities (what each of its calls does first): ms. */
function officialParse(entities) {
  const t0 = clock();
  const answer = cedar.checkParseEntities({ entities });
  const elapsed = msSince(t0);
  if (answer.type !== 'success') throw new Error(`official checkParseEntities: ${JSON.stringify(answer.errors)}`);
  return elapsed;
}
const repeat = (n, f) => Array.from({ length: n }, f);

// ---- the store: 1,000 orgs of ~100 entities, and ~1,000-entity orgs ------------------------------
log('generating the store');
const membersSmall = membersFor(100);
const membersLarge = membersFor(1000);
const small = orgTexts(STORE_ORGS, membersSmall);
const smallIds = Object.keys(small);
const storeEntities = smallIds.reduce((sum, id) => sum + countEntities(JSON.parse(small[id])), 0);
const largeCount = QUICK ? 8 : 20;
const large = Object.fromEntries(Object.entries(orgTexts(largeCount, membersLarge)).map(([id, text]) => [id.replace('org', 'big'), text.replaceAll(`"${id}"`, `"${id.replace('org', 'big')}"`)]));
const largeIds = Object.keys(large);
const store = { ...small, ...large };

// The ~1,000-entity org beside the official package: its store as Cedar JSON, checked against
// the package before anything is timed.
writeFileSync(join(dir, 'big0.json'), large.big0);
const bigExport = exportEntities(join(dir, 'big0.json'), join(dir, 'big0'));
const bigOwner = ownerOf(large, 'big0');
{
  const fromSnapshot = new Authorizer();
  const fromRaw = new Authorizer();
  fromSnapshot.loadSnapshot(large.big0);
  const raw = fromRaw.loadEntities(readFileSync(bigExport.withoutActions, 'utf8'));
  const request = [{ type: 'User', id: bigOwner }, 'viewBilling', { type: 'Organization', id: 'big0' }];
  const official = officialCall(bigExport.entities, bigOwner, 'big0');
  if (raw.type !== 'success' || fromRaw.entityCount() !== fromSnapshot.entityCount() || bigExport.entities.length !== fromSnapshot.entityCount()
    || !fromSnapshot.isAllowed(...request) || !fromRaw.isAllowed(...request) || !official.allowed) {
    throw new Error('the exported Cedar entities do not match the package: rebuild bench/native (node bench/run.mjs)');
  }
  fromSnapshot.free();
  fromRaw.free();
}
const bigEntities = bigExport.entities.length;

// ---- first request for an org, warm check ----------------------------------------------------------
log('first requests');
const firstTimes = [];
for (let run = 0; run < RUNS.firstRequest; run++) {
  // 100 small orgs resident first (the default budget of 50,000 entities holds them and the
  // large ones), then the first request for each large org; the first 3 are left out (code
  // that only large orgs run is not optimized yet).
  const { times } = await firstRequests(store, { ids: largeIds, skip: 3, before: smallIds.slice(run * RESIDENT_ORGS, (run + 1) * RESIDENT_ORGS), options: {} });
  firstTimes.push(...times);
}
const firstRequest = spread(firstTimes);
const officialPerCall = spread(repeat(RUNS.official, () => officialCall(bigExport.entities, bigOwner, 'big0').ms));

log('warm checks');
const warmRuns = [];
for (let i = 0; i < RUNS.warm; i++) warmRuns.push(await warmChecks(store, 'big0', QUICK ? 5_000 : 30_000));
const warmViaOrgs = spread(warmRuns.map((r) => r.viaOrgs * 1000));
const warmDirect = spread(warmRuns.map((r) => r.direct * 1000));

// ---- isolate memory, 100 orgs resident ----------------------------------------------------------------
log('isolate memory');
const memoryFile = (name, texts) => {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(texts));
  return file;
};
const residentFile = memoryFile('resident-100', Object.fromEntries(smallIds.slice(0, RESIDENT_ORGS).map((id) => [id, small[id]])));
const memoryRuns = repeat(RUNS.memory, () => spawnChild('memory', residentFile, { nodeFlags: ['--expose-gc'] }));
const isolate = spread(memoryRuns.map((r) => mib(r.after + r.heapUsed)));
const memory = memoryRuns[0];
const emptyModule = spawnChild('memory', memoryFile('none', {}), { nodeFlags: ['--expose-gc'] });
// For scale, not a target: 100 resident orgs of ~1,000 entities.
const largeResident = spawnChild('memory', memoryFile('resident-100-large', Object.fromEntries(
  Object.entries(orgTexts(RESIDENT_ORGS, membersLarge)),
)), { nodeFlags: ['--expose-gc'] });

// ---- cold start -----------------------------------------------------------------------------------------
log('cold starts');
const cold = writeColdStores(dir, { members: membersSmall, bigMembers: membersLarge, count: STORE_ORGS });
const coldRuns = { listed: [], alone: [], split: [], onePool: [], baselineOnly: [], baselineEager: [], optimizedEager: [] };
// Interleaved, so every series sees the same load on the machine.
for (let i = 0; i < RUNS.cold; i++) {
  coldRuns.listed.push(spawnChild('cold', cold.listed));
  coldRuns.alone.push(spawnChild('cold', cold.alone));
  if (i < RUNS.coldSplit) {
    coldRuns.split.push(spawnChild('cold', cold.listed, { args: ['--split-import'] }));
    // V8's optimizing recompiles run on background threads (4 in Node) that share the 2 cores.
    coldRuns.onePool.push(spawnChild('cold', cold.listed, { nodeFlags: ['--v8-pool-size=1'] }));
    // No optimizing tier at all: what the start costs without those recompiles, the module's
    // code run only as V8's baseline compiler makes it.
    coldRuns.baselineOnly.push(spawnChild('cold', cold.listed, { nodeFlags: ['--liftoff-only'] }));
    // Every function compiled as the module is, none as first called: the first request's
    // build and check then only run code, baseline code in the first series and optimized code
    // in the second (whose compile makes the import take about a second). Against the series
    // above, they separate compiling on first call from running.
    coldRuns.baselineEager.push(spawnChild('cold', cold.listed, { nodeFlags: ['--liftoff-only', '--no-wasm-lazy-compilation'] }));
    coldRuns.optimizedEager.push(spawnChild('cold', cold.listed, { nodeFlags: ['--no-liftoff', '--no-wasm-lazy-compilation', '--no-wasm-tier-up'] }));
  }
}
const coldOf = (runs, key) => spread(runs.map((r) => r[key]));
writeFileSync(join(dir, 'big.json'), cold.big);
const coldBigExport = exportEntities(join(dir, 'big.json'), join(dir, 'big'));
writeFileSync(join(dir, 'policies.cedar'), policyText);
const officialColdRuns = repeat(RUNS.officialCold, () => coldStartChild(['official', join(dir, 'policies.cedar'), coldBigExport.withActions, ownerOf({ big: cold.big }, 'big'), 'big']));

function coldStartChild(argv, nodeFlags = []) {
  const child = spawnSync(process.execPath, [...nodeFlags, join(root, 'bench/cold-start.mjs'), ...argv], { encoding: 'utf8', cwd: root });
  if (child.status !== 0) throw new Error(`bench/cold-start.mjs ${argv.join(' ')}: ${child.stderr}`);
  return JSON.parse(child.stdout.trim());
}

// ---- load per entity, 1k to 250k ----------------------------------------------------------------------
log('load scaling');
// Orgs of ~100 entities added to the example org until the store holds about `target`.
const perOrg = (countEntities(generateSnapshot({ orgCount: 20, members: membersSmall, seed: SEED })) - countEntities(generateSnapshot({ orgCount: 10, members: membersSmall, seed: SEED }))) / 10;
const baseEntities = countEntities(generateSnapshot({ orgCount: 10, members: membersSmall, seed: SEED })) - 10 * perOrg;
const loads = [];
for (const target of LOAD_SIZES) {
  let orgCount = Math.max(1, Math.floor((target - baseEntities) / perOrg));
  let snapshot = generateSnapshot({ orgCount, members: membersSmall, seed: SEED });
  while (countEntities(snapshot) + ACTION_ENTITIES > MAX_STORE_ENTITIES) snapshot = generateSnapshot({ orgCount: --orgCount, members: membersSmall, seed: SEED });
  const text = JSON.stringify(snapshot);
  const file = join(dir, `load-${target}.json`);
  writeFileSync(file, text);
  const size = { target, entities: countEntities(snapshot) + ACTION_ENTITIES, snapshotBytes: sizes(Buffer.from(text)) };
  log(`  ${count(size.entities)} entities: loadSnapshot`);
  size.snapshot = repeat(RUNS.load, () => coldStartChild(['orgwarden', file, '--warm']));
  if (size.entities <= RAW_LOAD_MAX + 1_000) {
    log(`  ${count(size.entities)} entities: loadEntities`);
    const raw = exportEntities(file, join(dir, `load-${target}`));
    size.rawBytes = sizes(readFileSync(raw.withoutActions));
    size.raw = repeat(RUNS.load, () => coldStartChild(['orgwarden', raw.withoutActions, '--warm', '--entities']));
    if (size.entities <= 10_000 + 1_000) size.officialParseMs = spread(repeat(QUICK ? 1 : 3, () => officialParse(raw.entities)));
    rmSync(raw.withActions);
  }
  loads.push(size);
}
const perEntityUs = (runs, key, entities) => spread(runs.map((r) => (r[key] * 1000) / entities));

const packageChanged = packageStamp() !== stampAtStart;

// ---- report -----------------------------------------------------------------------------------------------
const rows = [];
const row = (target, limit, measured, met, official = '') => rows.push(`| ${target} | ${limit} | ${measured} | ${met} | ${official} |`);

row(
  `first request for an org of ${count(bigEntities)} entities (source in memory + build + check), ${count(STORE_ORGS)} orgs (${count(storeEntities)} entities) in the store, ${RESIDENT_ORGS} resident`,
  `≤ ${LIMITS.firstRequestMs} ms`,
  withSpread(firstRequest, 'ms'),
  verdict(firstRequest.median <= LIMITS.firstRequestMs),
  `${withSpread(officialPerCall, 'ms')}: preparsed policies, \`statefulIsAuthorized\` on the org's entities JSON (every call is a first request)`,
);
row(
  'warm check, org resident (`await orgs.check`)',
  `~${LIMITS.warmCheckUs} µs or better`,
  `${withSpread(warmViaOrgs, 'µs')}; plain \`Authorizer.check\` ${withSpread(warmDirect, 'µs')}`,
  verdict(warmViaOrgs.median <= LIMITS.warmCheckUs),
  `${num(officialPerCall.median)} ms (the same call: it keeps no entities)`,
);
row(
  `isolate memory, ${RESIDENT_ORGS} orgs of ~100 entities resident (${count(memory.entities)} entities): module memory + JS heap after GC`,
  `≤ ${LIMITS.isolateMiB} MiB`,
  `${withSpread(isolate, 'MiB')}: module ${num(mib(memory.after))} MiB + heap ${num(mib(memory.heapUsed))} MiB (of which the source's texts ${num(mib(memory.sourceBytes))} MiB)`,
  verdict(isolate.median <= LIMITS.isolateMiB),
  'keeps no entities between calls',
);
const coldListed = coldOf(coldRuns.listed, 'total');
const coldAlone = coldOf(coldRuns.alone, 'total');
row(
  `cold start of a process serving one ${count(coldRuns.listed[0].entities)}-entity org, store listing ${count(STORE_ORGS)} orgs: import + first request (fresh \`node\`)`,
  `≤ ${LIMITS.coldStartMs} ms, whatever the store lists`,
  `${withSpread(coldListed, 'ms')}; the org alone in the store ${withSpread(coldAlone, 'ms')}`,
  verdict(coldListed.median <= LIMITS.coldStartMs && coldAlone.median <= LIMITS.coldStartMs),
  `${withSpread(spread(officialColdRuns.map((r) => r.total)), 'ms')}: import + preparse + 1st call`,
);
const loadFirst = loads.map((s) => ({ s, first: perEntityUs(s.snapshot, 'load', s.entities), warm: perEntityUs(s.snapshot, 'warmLoad', s.entities) }));
const worstFirst = Math.max(...loadFirst.map((l) => l.first.median));
const worstWarm = Math.max(...loadFirst.map((l) => l.warm.median));
const linearity = loadFirst.at(-1).warm.median / loadFirst[1].warm.median;
const officialPerEntity = loads.filter((s) => s.officialParseMs).map((s) => `${num((s.officialParseMs.median * 1000) / s.entities)} µs at ${count(s.entities)}`).join(', ');
row(
  `\`loadSnapshot\` per entity, ${count(loads[0].entities)} to ${count(loads.at(-1).entities)} entities (linear)`,
  `≤ ${LIMITS.loadUsPerEntity} µs`,
  `first load in a fresh process ${loadFirst.map((l) => num(l.first.median)).join(' / ')} µs; warm ${loadFirst.map((l) => num(l.warm.median)).join(' / ')} µs (warm per entity at ${count(loads.at(-1).entities)} ÷ at ${count(loads[1].entities)}: ${linearity.toFixed(2)}×)`,
  `${verdict(worstWarm <= LIMITS.loadUsPerEntity)} warm; ${verdict(worstFirst <= LIMITS.loadUsPerEntity)} on a first load`,
  `entities JSON parse (\`checkParseEntities\`): ${officialPerEntity}`,
);
const rawSizes = loads.filter((s) => s.raw);
const rawRatios = rawSizes.map((s) => ({
  s,
  first: median(s.raw.map((r) => r.load)) / median(s.snapshot.map((r) => r.load)),
  warm: median(s.raw.map((r) => r.warmLoad)) / median(s.snapshot.map((r) => r.warmLoad)),
  rawWarmUs: (median(s.raw.map((r) => r.warmLoad)) * 1000) / s.entities,
}));
row(
  `raw \`loadEntities\` (Cedar entities JSON) per entity ÷ \`loadSnapshot\` per entity, same store (${rawSizes.map((s) => count(s.entities)).join(' / ')} entities)`,
  `≤ ${LIMITS.rawOverSnapshot}×`,
  `first load ${rawRatios.map((r) => `${r.first.toFixed(1)}×`).join(' / ')}; warm ${rawRatios.map((r) => `${r.warm.toFixed(1)}×`).join(' / ')} (${rawRatios.map((r) => num(r.rawWarmUs)).join(' / ')} µs per entity)`,
  verdict(Math.max(...rawRatios.map((r) => Math.max(r.first, r.warm))) <= LIMITS.rawOverSnapshot),
  `entities JSON parse: ${officialPerEntity}`,
);
const bytesPer = (s) => median(s.snapshot.map((r) => r.memoryGrowth)) / s.entities;
const largest = loads.at(-1);
const residentBytes = (memory.after - memory.before) / memory.entities;
// Each store points to the schema's action entities, shared by all: per entity of the snapshots too.
const residentBytesPerSnapshotEntity = (memory.after - memory.before) / (memory.entities - memory.orgs * ACTION_ENTITIES);
row(
  'module memory per entity (action entities counted)',
  `≤ 1 KiB (${count(LIMITS.bytesPerEntity)} bytes)`,
  `${count(Math.round(residentBytes))} bytes over ${RESIDENT_ORGS} resident orgs of ~100 (${count(Math.round(residentBytesPerSnapshotEntity))} per snapshot entity), of which the stores hold ${count(Math.round(memory.storeBytes / memory.entities))} as the allocator counts them (\`storeBytes\`); ${count(Math.round(bytesPer(largest)))} bytes of growth while one store of ${count(largest.entities)} loads (the load's transient memory included)`,
  verdict(bytesPer(largest) <= LIMITS.bytesPerEntity && residentBytes <= LIMITS.bytesPerEntity),
  'keeps no entities between calls',
);

const table = ['| target | limit | measured: median (min–max, runs) | met? | official ' + officialVersion + ' |', '| --- | --- | --- | --- | --- |', ...rows];

// Where a cold start goes, through the web entry (its parts) and Node's entry (the figure above).
const split = (key) => withSpread(coldOf(coldRuns.split, key), 'ms');
const coldParts = [
  '| cold start, store listing 1,000 orgs (median (min–max) ms) | total | import | … of which JS modules / read .wasm / compile / instantiate | first request: source / build (`new Authorizer` + `loadSnapshot`) / first check |',
  '| --- | --- | --- | --- | --- |',
  `| Node entry (\`import 'orgwarden'\`), ${coldRuns.listed.length} runs | ${withSpread(coldListed, 'ms')} | ${withSpread(coldOf(coldRuns.listed, 'import'), 'ms')} | | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.listed, k).median)).join(' / ')} |`,
  `| the org alone in the store, ${coldRuns.alone.length} runs | ${withSpread(coldAlone, 'ms')} | ${withSpread(coldOf(coldRuns.alone, 'import'), 'ms')} | | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.alone, k).median)).join(' / ')} |`,
  `| web entry, \`initSync\` on a \`WebAssembly.Module\`, ${coldRuns.split.length} runs | ${split('total')} | ${split('import')} | ${['glue', 'read', 'compile', 'instantiate'].map((k) => num(coldOf(coldRuns.split, k).median)).join(' / ')} | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.split, k).median)).join(' / ')} |`,
  `| one V8 background thread (\`node --v8-pool-size=1\`), ${coldRuns.onePool.length} runs | ${withSpread(coldOf(coldRuns.onePool, 'total'), 'ms')} | ${withSpread(coldOf(coldRuns.onePool, 'import'), 'ms')} | | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.onePool, k).median)).join(' / ')} |`,
  `| V8's baseline tier only (\`node --liftoff-only\`), ${coldRuns.baselineOnly.length} runs | ${withSpread(coldOf(coldRuns.baselineOnly, 'total'), 'ms')} | ${withSpread(coldOf(coldRuns.baselineOnly, 'import'), 'ms')} | | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.baselineOnly, k).median)).join(' / ')} |`,
  `| every function compiled at import by the baseline tier (\`--liftoff-only --no-wasm-lazy-compilation\`), ${coldRuns.baselineEager.length} runs | ${withSpread(coldOf(coldRuns.baselineEager, 'total'), 'ms')} | ${withSpread(coldOf(coldRuns.baselineEager, 'import'), 'ms')} | | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.baselineEager, k).median)).join(' / ')} |`,
  `| every function compiled at import by the optimizing tier (\`--no-liftoff --no-wasm-lazy-compilation --no-wasm-tier-up\`), ${coldRuns.optimizedEager.length} runs | ${withSpread(coldOf(coldRuns.optimizedEager, 'total'), 'ms')} | ${withSpread(coldOf(coldRuns.optimizedEager, 'import'), 'ms')} | | ${['source', 'build', 'firstCheck'].map((k) => num(coldOf(coldRuns.optimizedEager, k).median)).join(' / ')} |`,
  `| official ${officialVersion}: import / preparse / 1st call, ${officialColdRuns.length} runs | ${withSpread(spread(officialColdRuns.map((r) => r.total)), 'ms')} | ${num(median(officialColdRuns.map((r) => r.import)))} | | preparse ${num(median(officialColdRuns.map((r) => r.construct)))} / call ${num(median(officialColdRuns.map((r) => r.firstCheck)))} |`,
];

const kib = (n) => (n / 1024).toFixed(n < 100 * 1024 ? 1 : 0);
const loadTable = [
  '| store | snapshot JSON raw / gzip / brotli | `loadSnapshot`: first load / warm (ms) | per entity, first / warm (µs) | full GCs during the first load (their pauses, ms) | module memory growth per entity, first load | raw Cedar JSON raw / gzip / brotli | `loadEntities`: first / warm (ms) | per entity, first / warm (µs) | official `checkParseEntities` (ms) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...loads.map((s) => {
    const first = spread(s.snapshot.map((r) => r.load));
    const warm = spread(s.snapshot.map((r) => r.warmLoad));
    const cells = [
      `${count(s.entities)} entities`,
      `${kib(s.snapshotBytes.raw)} / ${kib(s.snapshotBytes.gzip)} / ${kib(s.snapshotBytes.brotli)} KiB (${Math.round(s.snapshotBytes.raw / s.entities)} / ${Math.round(s.snapshotBytes.gzip / s.entities)} / ${Math.round(s.snapshotBytes.brotli / s.entities)} bytes per entity)`,
      `${withSpread(first, '')} / ${withSpread(warm, '')}`,
      `${num((first.median * 1000) / s.entities)} / ${num((warm.median * 1000) / s.entities)}`,
      `${median(s.snapshot.map((r) => r.loadMajorGcs))} (${num(median(s.snapshot.map((r) => r.loadGcMs)))}); warm ${median(s.snapshot.map((r) => r.warmLoadMajorGcs))}`,
      `${count(Math.round(bytesPer(s)))} bytes`,
    ];
    if (s.raw) {
      const rawFirst = spread(s.raw.map((r) => r.load));
      const rawWarm = spread(s.raw.map((r) => r.warmLoad));
      cells.push(
        `${kib(s.rawBytes.raw)} / ${kib(s.rawBytes.gzip)} / ${kib(s.rawBytes.brotli)} KiB (${Math.round(s.rawBytes.raw / s.entities)} / ${Math.round(s.rawBytes.gzip / s.entities)} / ${Math.round(s.rawBytes.brotli / s.entities)} bytes per entity)`,
        `${withSpread(rawFirst, '')} / ${withSpread(rawWarm, '')}`,
        `${num((rawFirst.median * 1000) / s.entities)} / ${num((rawWarm.median * 1000) / s.entities)}`,
        s.officialParseMs ? `${withSpread(s.officialParseMs, '')} (${num((s.officialParseMs.median * 1000) / s.entities)} µs per entity)` : '',
      );
    } else cells.push(s.entities * 350 > 32 * 2 ** 20 ? 'over the 32 MiB input limit' : 'not run (a warm series takes minutes)', '', '', '');
    return `| ${cells.join(' | ')} |`;
  }),
];

const cpu = (readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/) ?? [])[1] ?? cpus()[0]?.model;
console.log(`## Edge targets (${QUICK ? 'quick run' : 'full run'}, ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
if (packageChanged) console.log('**pkg/dist was rebuilt during the run: these figures mix two builds; run again.**\n');
console.log(`Node ${process.version}, ${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loadAtStart.map((v) => v.toFixed(1)).join(' ')} at start, ${loadavg().map((v) => v.toFixed(1)).join(' ')} at end. Seed ${SEED}.\n`);
console.log(table.join('\n'));
console.log('\n' + coldParts.join('\n'));
console.log('\n' + loadTable.join('\n'));
console.log(`\nModule memory: ${num(mib(emptyModule.after))} MiB with no org resident, JS heap ${num(mib(emptyModule.heapUsed))} MiB; ${RESIDENT_ORGS} orgs of ~1,000 entities resident (${count(largeResident.entities)} entities): module ${num(mib(largeResident.after))} MiB + heap ${num(mib(largeResident.heapUsed))} MiB.`);
console.log(`Store: ${count(STORE_ORGS)} orgs of ${membersSmall} members (${count(storeEntities)} entities, action entities not counted), ${largeCount} orgs of ${membersLarge} members (${count(bigEntities)} entities each with the action entities).`);
rmSync(dir, { recursive: true, force: true });
if (packageChanged) process.exit(3);
