#!/usr/bin/env node
// The edge targets inside the Workers runtime itself: `node bench/workerd.mjs [--quick]` (under a
// minute). Runs the README's multi-tenant Worker (bench/workerd/routes.mjs) in real workerd
// through miniflare, over the full package and over the compiled runtime, with a KV namespace
// holding 1,000 orgs of ~100 entities and 20 of ~1,000 (persisted on disk, written once per
// run), and prints a Markdown table of, for each build:
//   - cold start of an isolate serving one ~1,000-entity org: from `new Miniflare` to the answer
//     of that org's first request, less the same for a Worker that imports nothing
//     (bench/workerd/empty-worker.mjs), the Workers taking turns; split into compiling the .wasm
//     (a Worker that imports only the .wasm: workerd compiles it whole as the isolate starts),
//     the rest of the start (the glue, instantiation, the memory image) and the first request
//     (KV read, build, check, code running for the first time);
//   - the first request for a ~1,000-entity org in a warm isolate (KV read + build + check),
//     less a warm request's round trip;
//   - a warm check: a request doing 2,001 checks less one doing 1, per check;
//   - isolate memory with 100 orgs of ~100 entities resident: the module's memory, what the
//     stores hold of it, and the growth of the workerd process's resident set (VmRSS);
//   - and, with no target, the README's Durable Object Worker: what asking each org's object on
//     every request adds to a warm request.
// workerd's clocks stand still while a request computes, so everything is timed from outside,
// around `dispatchFetch`. The same targets measured in Node are bench/edge-targets.mjs's.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';

import { median } from './measure.mjs';
import { membersFor, orgTexts, ownerOf } from './orgs.mjs';
import { sections } from './wasm-sections.mjs';
import { countEntities } from './workload.mjs';

const QUICK = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (...parts) => console.error('[bench/workerd]', ...parts);
const now = () => performance.now();
const RUNS = { cold: QUICK ? 5 : 15, firstRequest: QUICK ? 8 : 18, warm: QUICK ? 5 : 9 };
const STORE_ORGS = 1000;
const RESIDENT_ORGS = 100;
const CHECKS = 2000;
const LIMITS = { coldStartMs: 30, firstRequestMs: 15, warmCheckUs: 30, isolateMiB: 64 };

const kvDir = mkdtempSync(join(tmpdir(), 'orgwarden-workerd-bench-'));
process.on('exit', () => rmSync(kvDir, { recursive: true, force: true }));

const config = (script) => ({
  modules: true,
  modulesRoot: root,
  modulesRules: [
    { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
    { type: 'CompiledWasm', include: ['**/*.wasm'] },
  ],
  scriptPath: join(root, 'bench/workerd', script),
  compatibilityDate: '2026-04-01',
  cf: false,
  kvNamespaces: { ORGS: 'orgs' },
  kvPersist: kvDir,
});

// ---- the store ------------------------------------------------------------------------------------
log('generating the store');
const small = orgTexts(STORE_ORGS, membersFor(100));
const large = Object.fromEntries(
  Object.entries(orgTexts(20, membersFor(1000))).map(([id, text]) => [id.replace('org', 'big'), text.replaceAll(`"${id}"`, `"${id.replace('org', 'big')}"`)]),
);
const texts = { ...small, ...large };
const bigIds = Object.keys(large);
const smallIds = Object.keys(small);
const entitiesOf = (id) => countEntities(JSON.parse(texts[id]));
const bigEntities = entitiesOf(bigIds[0]);

log(`writing ${Object.keys(texts).length} orgs to KV`);
{
  const mf = new Miniflare(config('empty-worker.mjs'));
  const kv = await mf.getKVNamespace('ORGS');
  const entries = Object.entries(texts);
  for (let i = 0; i < entries.length; i += 50) {
    await Promise.all(entries.slice(i, i + 50).map(([id, text]) => kv.put(`org:${id}`, text, { metadata: { version: '1' } })));
  }
  await mf.dispose();
}

const query = (id, n = 1) => `http://worker.test/check?${new URLSearchParams({ org: id, user: ownerOf(texts, id), n: String(n) })}`;

async function timedFetch(mf, url) {
  const t0 = now();
  const response = await mf.dispatchFetch(url);
  const body = await response.json();
  const ms = now() - t0;
  if (response.status !== 200 || body.allowed !== true) throw new Error(`unexpected answer from ${url}: ${JSON.stringify(body)}`);
  return { ms, body };
}

/** From `new Miniflare` to the first answer: { ready, first, total } in ms. */
async function coldStart(script, orgId) {
  const t0 = now();
  const mf = new Miniflare(config(script));
  await mf.ready;
  const ready = now() - t0;
  const { ms: first } = await timedFetch(mf, query(orgId));
  const total = now() - t0;
  await mf.dispose();
  return { ready, first, total };
}

// ---- cold start -------------------------------------------------------------------------------
// Each run starts one isolate of every Worker in turn, so that the machine's hour weighs on all
// of them alike; the first round warms the disk cache and miniflare's own start, and is not counted.
const BUILDS = [
  { name: 'full package (`orgwarden`)', worker: 'worker.mjs', wasmOnly: 'wasm-only-worker.mjs', wasm: 'pkg/dist/orgwarden_bg.wasm' },
  { name: 'compiled runtime (`orgwarden/compiled`)', worker: 'compiled-worker.mjs', wasmOnly: 'compiled-wasm-only-worker.mjs', wasm: 'pkg/dist/orgwarden_compiled_bg.wasm' },
];
log('cold starts');
const cold = { empty: [], ...Object.fromEntries(BUILDS.flatMap((b) => [[b.worker, []], [b.wasmOnly, []]])) };
for (let run = 0; run < RUNS.cold + 1; run++) {
  const orgId = bigIds[run % bigIds.length];
  const round = { empty: await coldStart('empty-worker.mjs', orgId) };
  for (const build of BUILDS) {
    round[build.wasmOnly] = await coldStart(build.wasmOnly, orgId);
    round[build.worker] = await coldStart(build.worker, orgId);
  }
  if (run === 0) continue;
  for (const [key, value] of Object.entries(round)) cold[key].push(value);
}
/** Per run, `key` of `script` less the empty Worker's. */
const beyondEmpty = (script, key) => cold[script].map((r, i) => r[key] - cold.empty[i][key]);
const beyond = (script, other, key) => cold[script].map((r, i) => r[key] - cold[other][i][key]);

// ---- one warm isolate per build: memory, first requests, warm checks ------------------------------
function workerdRss() {
  // miniflare runs workerd as a child of this process.
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) !== process.pid || !stat.includes('(workerd)')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return rss ? Number(rss[1]) * 1024 : NaN;
    } catch {
      // The process ended while it was read.
    }
  }
  return NaN;
}

async function warmIsolate(build) {
  log(`a warm isolate: ${build.name}`);
  const mf = new Miniflare(config(build.worker));
  await mf.ready;
  const status = async () => (await mf.dispatchFetch('http://worker.test/status')).json();
  // Memory first, in an isolate that has loaded one org.
  await timedFetch(mf, query(smallIds[0]));
  const before = { rss: workerdRss(), module: (await status()).module.memoryBytes };
  for (const id of smallIds.slice(1, RESIDENT_ORGS)) await timedFetch(mf, query(id));
  const loaded = await status();
  const memory = { before, after: { rss: workerdRss(), module: loaded.module.memoryBytes }, entities: loaded.registry.entities, storeBytes: loaded.registry.storeBytes };

  // The first request of each ~1,000-entity org, less a warm request's round trip around it.
  const smallResident = smallIds[0];
  for (let i = 0; i < 20; i++) await timedFetch(mf, query(smallResident));
  const firstRequests = [];
  for (const id of bigIds.slice(0, RUNS.firstRequest)) {
    const warmBefore = (await timedFetch(mf, query(smallResident))).ms;
    const { ms } = await timedFetch(mf, query(id));
    const warmAfter = (await timedFetch(mf, query(id))).ms;
    firstRequests.push({ ms, roundTrip: (warmBefore + warmAfter) / 2 });
  }

  // Warm checks: a request of CHECKS + 1 checks less a request of 1, turn by turn.
  const warmId = bigIds[0];
  for (let i = 0; i < 3; i++) await timedFetch(mf, query(warmId, CHECKS + 1));
  const perCheckUs = [];
  for (let run = 0; run < RUNS.warm; run++) {
    const one = (await timedFetch(mf, query(warmId, 1))).ms;
    const many = (await timedFetch(mf, query(warmId, CHECKS + 1))).ms;
    perCheckUs.push(((many - one) * 1000) / CHECKS);
  }
  await mf.dispose();
  return { memory, firstRequests, perCheckUs };
}
const warm = {};
for (const build of BUILDS) warm[build.worker] = await warmIsolate(build);

// ---- Durable Objects: each org asked on every request ------------------------------------------
// The full package's Worker over one object per org (bench/workerd/durable-worker.mjs), beside
// the KV Worker, requests taking turns: what asking the object on every request adds to a warm
// request (the object answers 304; nothing is rebuilt). Locally the object is in the same
// process; on Cloudflare the round trip to wherever it runs comes on top.
async function durableRequests() {
  log('Durable Objects: one object per org, asked on every request');
  const durable = new Miniflare({
    ...config('durable-worker.mjs'),
    durableObjects: { ORG_SNAPSHOTS: { className: 'OrgSnapshots', useSQLite: true } },
  });
  const kvWorker = new Miniflare(config('worker.mjs'));
  const namespace = await durable.getDurableObjectNamespace('ORG_SNAPSHOTS');
  const ids = bigIds.slice(0, RUNS.firstRequest);
  for (const id of ids) {
    const put = await namespace.get(namespace.idFromName(id)).fetch(`https://orgwarden/orgs/${id}`, { method: 'PUT', body: texts[id] });
    if (put.status !== 204) throw new Error(`PUT ${id}: ${put.status}`);
  }
  // The first org warms each isolate and is not counted; the KV Worker loads every org first.
  await timedFetch(durable, query(ids[0]));
  for (const id of ids) await timedFetch(kvWorker, query(id));
  const first = [];
  for (const id of ids.slice(1)) first.push((await timedFetch(durable, query(id))).ms);
  const revalidated = [];
  const kvWarm = [];
  for (let i = 0; i < 4 * ids.length; i++) {
    const id = ids[i % ids.length];
    revalidated.push((await timedFetch(durable, query(id))).ms);
    kvWarm.push((await timedFetch(kvWorker, query(id))).ms);
  }
  const builds = (await (await durable.dispatchFetch('http://worker.test/status')).json()).registry.builds;
  await Promise.all([durable.dispose(), kvWorker.dispose()]);
  if (builds !== ids.length) throw new Error(`the Durable Object Worker built ${builds} times for ${ids.length} orgs: a 304 rebuilt`);
  return { first, revalidated, kvWarm };
}
const durable = await durableRequests();

// ---- the table ----------------------------------------------------------------------------------
const spread = (values, digits = 1) => {
  const sorted = [...values].sort((a, b) => a - b);
  return `${median(sorted).toFixed(digits)} (${sorted[0].toFixed(digits)}–${sorted.at(-1).toFixed(digits)}, n=${sorted.length})`;
};
const verdict = (met) => (met ? '✅ met' : '❌ not met');
const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
const kib = (bytes) => Math.round(bytes / 1024).toLocaleString('en');
const rows = [];
for (const build of BUILDS) {
  const coldCost = beyondEmpty(build.worker, 'total');
  const { memory, firstRequests, perCheckUs } = warm[build.worker];
  const firstNet = firstRequests.map((r) => r.ms - r.roundTrip);
  rows.push(
    [
      `cold start of an isolate serving one ${bigEntities.toLocaleString('en')}-entity org: \`new Miniflare\` to the org's first answer, less an empty Worker's`,
      build.name,
      `≤ ${LIMITS.coldStartMs} ms`,
      `${spread(coldCost)} ms: compiling the .wasm ${spread(beyondEmpty(build.wasmOnly, 'ready'))}, the rest of the start ${spread(beyond(build.worker, build.wasmOnly, 'ready'))}, the first request ${spread(beyondEmpty(build.worker, 'first'))}`,
      verdict(median(coldCost) <= LIMITS.coldStartMs),
    ],
    [
      `first request for an org of ${bigEntities.toLocaleString('en')} entities in a warm isolate (KV read + build + check), ${Object.keys(texts).length.toLocaleString('en')} orgs in KV`,
      build.name,
      `≤ ${LIMITS.firstRequestMs} ms`,
      `${spread(firstNet, 2)} ms beyond a warm request's round trip (${spread(firstRequests.map((r) => r.roundTrip), 2)} ms)`,
      verdict(median(firstNet) <= LIMITS.firstRequestMs),
    ],
    ['warm check (`authorizer.check`, the org resident)', build.name, `~${LIMITS.warmCheckUs} µs`, `${spread(perCheckUs)} µs`, verdict(median(perCheckUs) <= LIMITS.warmCheckUs)],
    [
      `isolate memory, ${RESIDENT_ORGS} orgs of ~100 entities resident (${memory.entities.toLocaleString('en')} entities)`,
      build.name,
      `≤ ${LIMITS.isolateMiB} MiB`,
      `module memory ${mib(memory.after.module)} MiB (${mib(memory.before.module)} with one org), of which the stores hold ${mib(memory.storeBytes)} (\`storeBytes\`); workerd's resident set grew ${mib(memory.after.rss - memory.before.rss)} MiB while 99 orgs loaded (${mib(memory.after.rss)} MiB in all, the runtime's own included)`,
      verdict(memory.after.module / 2 ** 20 <= LIMITS.isolateMiB),
    ],
  );
}
const sizes = BUILDS.map((b) => {
  const bytes = readFileSync(join(root, b.wasm));
  return `${b.name}: ${kib(bytes.length)} KiB, of which code ${kib(codeBytes(bytes))} KiB`;
});
console.log(`\n${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), workerd ${workerdVersion()} through miniflare; modules ${sizes.join('; ')}\n`);
console.log('| target (in workerd) | build | limit | measured: median (min–max, runs) | met? |');
console.log('| --- | --- | --- | --- | --- |');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\nAn empty Worker: ready ${spread(cold.empty.map((r) => r.ready))} ms after \`new Miniflare\`, its first answer ${spread(cold.empty.map((r) => r.first))} ms.`);
const askingCost = durable.revalidated.map((ms, i) => ms - durable.kvWarm[i]);
console.log(
  `\nDurable Objects (full package, one object per org, asked on every request; no target): the first request for an org of ${bigEntities.toLocaleString('en')} entities ${spread(durable.first, 2)} ms; ` +
    `a warm request ${spread(durable.revalidated, 2)} ms (the object answers 304, nothing is rebuilt) against ${spread(durable.kvWarm, 2)} ms for the KV Worker's (not due), ` +
    `so asking the object adds ${spread(askingCost, 2)} ms here, where it runs in the same process; on Cloudflare the round trip to the object comes on top.`,
);

/** The size of a module's code section (what workerd compiles as the isolate starts). */
function codeBytes(bytes) {
  const code = sections(bytes).find((section) => section.id === 10);
  return code ? code.end - code.body : 0;
}

function workerdVersion() {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules/workerd/package.json'), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}
