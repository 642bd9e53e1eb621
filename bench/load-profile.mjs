#!/usr/bin/env node
// Where a snapshot load's time goes in the release module: `node bench/load-profile.mjs DIR`,
// DIR a build of the package with its function names kept (code and data are the package's
// byte for byte; V8's profiles name wasm functions only through the name section):
//
//   CARGO_TARGET_DIR=target/variants/cargo ORGWARDEN_OUT=target/variants/named ORGWARDEN_KEEP_NAMES=1 \
//     bash scripts/build-wasm.sh
//
// It profiles `loadSnapshot` of the ~1,000-entity org that bench/edge-targets.mjs serves in its
// cold start, with V8's sampling profiler (node:inspector): the first load in each of several fresh
// processes, and 400 loads into one authorizer once warm. It prints one Markdown table: the
// share of the load's samples in each step of the load, and in the three kinds of code that
// take most of it wherever they are called from. A first load's shares include V8 compiling
// each function on its first call, wherever the profiler puts that time; `node
// bench/edge-targets.mjs` takes a first load apart with V8's switches instead.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const child = isMain ? process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length) : undefined;

const FIRST_LOAD_RUNS = 15;
const WARM_LOADS = 400;
const WARM_UP_LOADS = 100;

/** The load's steps, by the function each runs in (the first of these on a sample's stack). */
const STEPS = [
  ['reading the JSON text (`Snapshot::from_json`)', 'Snapshot>::from_json'],
  ['the snapshot checks (`check_snapshot`)', 'check::check_snapshot'],
  ['the conversion to Cedar entities (`snapshot_entities`)', 'snapshot_entities'],
  ["Cedar's store of them, actions added (`store_sharing_actions`)", 'store_sharing_actions'],
  ['dropping the store it replaces (`EntityStore::replace`)', 'EntityStore::replace'],
];

/** What the time is spent in, wherever it is called from: the innermost match on the stack. */
const KINDS = [
  ["SipHash: the standard hasher of Cedar's ancestor sets and entity map", /sip::|DefaultHasher|as core::hash::Hash>::hash|BuildHasher::hash_one|Hasher::write_str/],
  ['the allocator: dlmalloc and its wrapper', /dlmalloc|ImageAllocator|__rust_alloc|__rust_dealloc|__rust_realloc/],
  ["B-trees: building and dropping Cedar's attribute maps", /collections::btree/],
];

const LOAD_FRAME = 'rawengine_loadSnapshot';

if (child) {
  // A child: loads DIR's module through the web entry (the glue is the package's), profiles the
  // loads and writes the profile to OUT (a file: a profile is megabytes, more than a pipe takes
  // before the process exits).
  const [dir, file, out] = process.argv.slice(-3);
  const { Session } = await import('node:inspector/promises');
  const { initSync, Authorizer } = await import('orgwarden/web');
  initSync({ module: readFileSync(join(dir, 'orgwarden_bg.wasm')) });
  const text = readFileSync(file, 'utf8');
  const authorizer = new Authorizer();
  const load = () => {
    const answer = authorizer.loadSnapshot(text);
    if (answer.type !== 'success') throw new Error(`unexpected: ${JSON.stringify(answer)}`);
  };
  const warm = child === 'warm';
  if (warm) for (let i = 0; i < WARM_UP_LOADS; i++) load();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: warm ? 100 : 50 });
  await session.post('Profiler.start');
  const started = performance.now();
  for (let i = 0; i < (warm ? WARM_LOADS : 1); i++) load();
  const ms = (performance.now() - started) / (warm ? WARM_LOADS : 1);
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync(out, JSON.stringify({ ms, profile }));
  process.exit(0);
}

/** The load's samples of one profile: their time (µs) by step and by kind. */
function shares(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const id of node.children ?? []) parent.set(id, node.id);
  const out = { total: 0, steps: new Map(), kinds: new Map() };
  const add = (map, key, value) => map.set(key, (map.get(key) ?? 0) + value);
  profile.samples.forEach((sample, i) => {
    const micros = profile.timeDeltas[i + 1] ?? 0;
    const names = [];
    for (let id = sample; id !== undefined; id = parent.get(id)) names.push(byId.get(id).callFrame.functionName);
    if (!names.some((name) => name.startsWith(LOAD_FRAME))) return;
    out.total += micros;
    add(out.steps, STEPS.find(([, frame]) => names.some((name) => name.includes(frame)))?.[0] ?? 'the rest', micros);
    const kind = names.map((name) => KINDS.find(([, pattern]) => pattern.test(name))?.[0]).find(Boolean);
    add(out.kinds, kind ?? 'everything else', micros);
  });
  return out;
}

function merged(runs) {
  const out = { total: 0, steps: new Map(), kinds: new Map(), ms: 0 };
  for (const { ms, profile } of runs) {
    const one = shares(profile);
    out.total += one.total;
    out.ms += ms / runs.length;
    for (const key of ['steps', 'kinds']) for (const [k, v] of one[key]) out[key].set(k, (out[key].get(k) ?? 0) + v);
  }
  return out;
}

if (isMain) {
  const dir = resolve(process.argv[2] ?? '');
  try {
    readFileSync(join(dir, 'orgwarden_bg.wasm'));
  } catch {
    console.error('usage: node bench/load-profile.mjs DIR (a build with function names kept; see the comment at the top)');
    process.exit(2);
  }
  const { membersFor, orgTexts } = await import('./orgs.mjs');
  const work = mkdtempSync(join(tmpdir(), 'orgwarden-load-profile-'));
  const file = join(work, 'org.json');
  writeFileSync(file, orgTexts(1, membersFor(1000)).org0);
  const { Authorizer } = await import('orgwarden');
  const counted = new Authorizer().loadSnapshot(readFileSync(file, 'utf8'));
  if (counted.type !== 'success') throw new Error(`unexpected: ${JSON.stringify(counted)}`);
  const entities = counted.entityCount;
  const run = (kind) => {
    const out = join(work, 'profile.json');
    const result = spawnSync(process.execPath, [self, `--child=${kind}`, dir, file, out], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(result.stderr);
    return JSON.parse(readFileSync(out, 'utf8'));
  };
  const first = merged(Array.from({ length: FIRST_LOAD_RUNS }, () => run('first')));
  const warm = merged([run('warm')]);
  rmSync(work, { recursive: true, force: true });

  const percent = (part, whole) => `${((100 * (part ?? 0)) / whole).toFixed(1)}%`;
  const lines = [
    `| part of \`loadSnapshot\`, ${entities.toLocaleString('en')} entities | first load, fresh process (${FIRST_LOAD_RUNS} runs) | warm (${WARM_LOADS} loads into one authorizer) |`,
    '| --- | ---: | ---: |',
    `| time per load, profiled | ${first.ms.toFixed(2)} ms | ${warm.ms.toFixed(2)} ms |`,
    ...[...STEPS.map(([step]) => step), 'the rest'].map((step) => `| step: ${step} | ${percent(first.steps.get(step), first.total)} | ${percent(warm.steps.get(step), warm.total)} |`),
    ...[...KINDS.map(([kind]) => kind), 'everything else'].map((kind) => `| in: ${kind} | ${percent(first.kinds.get(kind), first.total)} | ${percent(warm.kinds.get(kind), warm.total)} |`),
  ];
  console.log(lines.join('\n'));
}
