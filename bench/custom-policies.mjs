// Custom policies at scale: what an authorizer that adds many policies to the defaults costs,
// all on one action (`viewBilling`), in fresh processes: given at run time to the full package,
// compiled ahead of time into the compiled runtime (`orgwarden compile`), and given to the
// official package.
//   node bench/custom-policies.mjs [--quick] [--pkg=DIR]
// Two kinds of custom policy, N of each (0, 100, 1,000):
//   - grants: `permit (principal == User::"u<i>", action == Action::"viewBilling", resource == …)`,
//     one per user, the shape of per-user exceptions; a check rules each out by its scope;
//   - conditions: `permit (principal is User, action == Action::"viewBilling", resource is
//     Organization) when { principal.email == "u<i>@…" }`: each one's scope holds, so a check
//     evaluates every condition.
// Per row (median of the fresh processes): the start (import, and for the compiled runtime its
// `initSync` on the compiled module), `new Authorizer`, the first check of the action, a warm
// check of it (median of 200), a warm check of another action, and the first `allowedActions`
// (a matrix row, src/engine/rows.rs; it makes the open forms it needs, src/engine/open_forms.rs,
// which the compiled runtime has made at compile time). The compiled modules' sizes, raw / gzip
// / brotli.
// The official package: `preparsePolicySet` of the defaults and the same N policies, and one
// `statefulIsAuthorized` (it parses the org's entities on every call), first and warm.
// --pkg=DIR: another build of the package (laid out like pkg/), to put two builds side by side.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { median } from './measure.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const QUICK = args.includes('--quick');
const pkgDir = args.find((a) => a.startsWith('--pkg='))?.slice('--pkg='.length);
const snapshotFile = join(root, 'www/example-org.json');
const PRINCIPAL = { type: 'User', id: 'olivia' };
const ORG = { type: 'Organization', id: 'acme' };
const COUNTS = [0, 100, 1000];
const KINDS = ['grants', 'conditions'];
const RUNS = QUICK ? 3 : 5;
const WARM_CALLS = 200;

/** N custom policies of a kind, one source. */
function customPolicies(kind, n) {
  const policies = [];
  for (let i = 0; i < n; i++) {
    policies.push(
      kind === 'grants'
        ? `@id("grant-${i}")\npermit (principal == User::"u${i}", action == Action::"viewBilling", resource == Organization::"acme");`
        : `@id("condition-${i}")\npermit (principal is User, action == Action::"viewBilling", resource is Organization)\nwhen { principal.email == "u${i}@example.com" };`,
    );
  }
  return policies.join('\n');
}

const ms = (from, to) => Number(to - from) / 1e6;
const now = () => process.hrtime.bigint();

// ---- the child: one fresh process per measurement ------------------------------------------------
if (args[0] === '--child') {
  const [, kind, n, side, extra] = args;
  const text = customPolicies(kind, Number(n));
  const snapshot = readFileSync(snapshotFile, 'utf8');
  const warm = (call) => {
    for (let i = 0; i < 20; i++) call();
    const times = [];
    for (let i = 0; i < WARM_CALLS; i++) {
      const t0 = now();
      call();
      times.push(ms(t0, now()));
    }
    return median(times);
  };
  if (side === 'orgwarden' || side === 'compiled') {
    // extra: the full package's entry, or the compiled module's path (the entry then is
    // orgwarden/compiled, or --pkg's).
    const [module, entry] = side === 'compiled' ? extra.split('|') : [null, extra];
    const t0 = now();
    const api = await import(entry || (side === 'compiled' ? 'orgwarden/compiled' : 'orgwarden'));
    if (side === 'compiled') api.initSync({ module: readFileSync(module) });
    const started = now();
    const authz = new api.Authorizer(side === 'orgwarden' && Number(n) ? { policies: [{ name: 'custom.cedar', text }] } : {});
    const t1 = now();
    if (authz.loadSnapshot(snapshot).type !== 'success') throw new Error('the snapshot did not load');
    const t2 = now();
    const first = authz.check(PRINCIPAL, 'viewBilling', ORG);
    const t3 = now();
    if (first.type !== 'success' || !first.allowed) throw new Error(`unexpected: ${JSON.stringify(first)}`);
    const warmCheck = warm(() => authz.check(PRINCIPAL, 'viewBilling', ORG));
    const otherAction = warm(() => authz.check(PRINCIPAL, 'viewOrganization', ORG));
    const t4 = now();
    const page = authz.allowedActions(PRINCIPAL, ORG);
    const t5 = now();
    if (page.type !== 'success') throw new Error(`unexpected page: ${JSON.stringify(page)}`);
    const custom = authz.policies().filter((policy) => policy.id.startsWith(`${kind === 'grants' ? 'grant' : 'condition'}-`)).length;
    if (custom !== Number(n)) throw new Error(`${custom} custom policies, not ${n}`);
    console.log(JSON.stringify({ start: ms(t0, started), construct: ms(started, t1), firstCheck: ms(t2, t3), warmCheck, otherAction, firstPage: ms(t4, t5), entities: authz.entityCount() }));
  } else {
    const cedar = createRequire(import.meta.url)('@cedar-policy/cedar-wasm/nodejs');
    const defaults = readdirSync(join(root, 'policies')).filter((f) => f.endsWith('.cedar')).sort()
      .map((f) => readFileSync(join(root, 'policies', f), 'utf8')).join('\n');
    const entities = JSON.parse(readFileSync(extra, 'utf8'));
    const t0 = now();
    const parsed = cedar.preparsePolicySet('bench', { staticPolicies: `${defaults}\n${text}` });
    const t1 = now();
    const call = () => cedar.statefulIsAuthorized({
      principal: PRINCIPAL, action: { type: 'Action', id: 'viewBilling' }, resource: ORG, context: {}, preparsedPolicySetId: 'bench', entities,
    });
    const first = call();
    const t2 = now();
    if (parsed.type !== 'success' || first.type !== 'success' || first.response.decision !== 'allow') {
      throw new Error(`unexpected: ${JSON.stringify([parsed.type, first])}`);
    }
    console.log(JSON.stringify({ construct: ms(t0, t1), firstCheck: ms(t1, t2), warmCheck: warm(call) }));
  }
  process.exit(0);
}

// ---- the parent ----------------------------------------------------------------------------------
const nativeBin = join(root, 'target/bench-native/release/native_bench');
if (!existsSync(nativeBin)) {
  console.error('building the native reference (bench/native, release; minutes)');
  execFileSync('cargo', ['build', '--quiet', '--release', '--manifest-path', join(root, 'bench/native/Cargo.toml'), '--target-dir', join(root, 'target/bench-native')], { stdio: 'inherit' });
}
const dir = mkdtempSync(join(tmpdir(), 'orgwarden-custom-'));
// The org's store as Cedar entities JSON, action entities included, for the official package.
const entitiesFile = join(dir, 'entities.json');
execFileSync(nativeBin, ['export', snapshotFile, entitiesFile]);
const pkgRoot = pkgDir ? (pkgDir.startsWith('/') ? pkgDir : join(process.cwd(), pkgDir)) : join(root, 'pkg');
// The entries a child imports: the package by its name, or --pkg's files.
const fullEntry = pkgDir ? pathToFileURL(join(pkgRoot, 'entries/node.js')).href : '';
const compiledEntry = pkgDir ? pathToFileURL(join(pkgRoot, 'entries/compiled-node.js')).href : '';

function child(kind, n, side, extra) {
  const run = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', kind, String(n), side, extra], { encoding: 'utf8', cwd: root });
  if (run.status !== 0) throw new Error(`child ${kind} ${n} ${side}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The defaults and N custom policies compiled into a module by the package's own command. */
function compiledModule(kind, n) {
  if (n === 0) return { file: join(pkgRoot, 'dist/orgwarden_compiled_bg.wasm'), seconds: undefined };
  const policies = join(dir, `${kind}-${n}.cedar`);
  const file = join(dir, `${kind}-${n}.wasm`);
  writeFileSync(policies, customPolicies(kind, n));
  const t0 = now();
  const compile = spawnSync(process.execPath, [join(pkgRoot, 'bin/orgwarden.mjs'), 'compile', '--policies', policies, '-o', file], { encoding: 'utf8' });
  if (compile.status !== 0) throw new Error(`orgwarden compile (${kind}, ${n}): ${compile.stderr}`);
  return { file, seconds: ms(t0, now()) / 1000 };
}

const num = (v) => (v === undefined ? '—' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const kib = (bytes) => (bytes / 1024).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const label = (kind, n) => (n === 0 ? 'none (the defaults)' : `${n.toLocaleString('en-US')} ${kind}`);
const runTimeRows = [];
const compiledRows = [];
let entityCount;
for (const kind of KINDS) {
  for (const n of COUNTS) {
    if (n === 0 && kind !== KINDS[0]) continue;
    const compiled = compiledModule(kind, n);
    const bytes = readFileSync(compiled.file);
    const size = [bytes.length, gzipSync(bytes, { level: 9 }).length, brotliCompressSync(bytes, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length];
    const runs = { full: [], compiled: [], official: [] };
    // The three take turns, so that a busy moment of the machine falls on each.
    for (let i = 0; i < RUNS; i++) {
      runs.full.push(child(kind, n, 'orgwarden', fullEntry));
      entityCount = runs.full.at(-1).entities;
      runs.compiled.push(child(kind, n, 'compiled', `${compiled.file}|${compiledEntry}`));
      runs.official.push(child(kind, n, 'official', entitiesFile));
    }
    const med = (side, key) => median(runs[side].map((r) => r[key]));
    const pair = (side, keys, scale = 1) => keys.map((k) => num(med(side, k) * scale)).join(' / ');
    runTimeRows.push(`| ${label(kind, n)} | ${pair('full', ['construct', 'firstCheck'])} | ${pair('full', ['warmCheck', 'otherAction'], 1000)} | ${num(med('full', 'firstPage'))} | ${pair('official', ['construct', 'firstCheck'])} | ${num(med('official', 'warmCheck'))} |`);
    compiledRows.push(`| ${label(kind, n)} | ${size.map(kib).join(' / ')} | ${num(compiled.seconds)} | ${pair('compiled', ['start', 'construct', 'firstCheck'])} | ${pair('compiled', ['warmCheck', 'otherAction'], 1000)} | ${num(med('compiled', 'firstPage'))} |`);
  }
}
rmSync(dir, { recursive: true, force: true });

const officialVersion = JSON.parse(readFileSync(join(root, 'node_modules/@cedar-policy/cedar-wasm/package.json'), 'utf8')).version;
console.log(`\nCustom policies on \`viewBilling\`, added to the defaults; the org of www/example-org.json (${entityCount} entities in the store, action entities included); median of ${RUNS} fresh processes per row, the three taking turns${pkgDir ? `; orgwarden from ${pkgDir}` : ''}\n`);
console.log(`Given at run time, and to the official package ${officialVersion}:\n`);
console.log('| custom policies | `new Authorizer` / first check (ms) | warm check of `viewBilling` / of another action (µs) | first `allowedActions` (ms) | official: `preparsePolicySet` / first call (ms) | official: warm call (ms, entities parsed per call) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of runTimeRows) console.log(row);
console.log('\nCompiled ahead of time (`orgwarden compile`), the compiled runtime:\n');
console.log('| custom policies | module raw / gzip / brotli (KiB) | `orgwarden compile` (s) | import + `initSync` / `new Authorizer` / first check (ms) | warm check of `viewBilling` / of another action (µs) | first `allowedActions` (ms) |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const row of compiledRows) console.log(row);
