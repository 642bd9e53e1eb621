#!/usr/bin/env node
// Many organizations through `orgwarden/orgs`: `node bench/orgs.mjs [--quick]`. Prints a Markdown
// table of
//   - the first request for an org: the source answers from memory (the org's JSON text, as KV
//     would give it), the org's authorizer is built, one check — at ~100 and ~1,000 entities;
//   - a warm check (the org resident), against a plain Authorizer's check for reference;
//   - module memory with 10, 100 and 1,000 orgs of ~100 entities resident (a fresh process per
//     row, as WebAssembly memory never shrinks), and what that makes per org and per entity;
//   - the cold start of a process serving one ~1,000-entity org while the source lists 1,000
//     orgs: import, registry, first request (fresh `node` per run, median).
// Orgs come from bench/workload.mjs (seeded), each org split out with the users it references.
// The helpers and the child processes are exported for bench/edge-targets.mjs, which measures
// the same paths at the scale of the edge targets; importing this file runs nothing.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { median } from './measure.mjs';
import { countEntities, generateSnapshot } from './workload.mjs';

export const SEED = 20260501;
const self = fileURLToPath(import.meta.url);
const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
const QUICK = process.argv.includes('--quick');
const child = isMain ? process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length) : undefined;
// The split of generated snapshots into orgs is the package's own (tests/js/org-snapshots.mjs
// imports it), so it is not imported in the cold-start child: there the package must be
// imported after the clock starts, or the start would leave out reading, compiling and
// instantiating the .wasm (it did, and reported starts about 25 ms too short).
const { orgSnapshot } = child === 'cold' ? {} : await import('../tests/js/org-snapshots.mjs');
const ms = (from, to) => Number(to - from) / 1e6;
const clock = () => process.hrtime.bigint();
const log = (...parts) => console.error('[bench/orgs]', ...parts);

/** The members per org whose split-out org comes closest to `target` entities (action entities not counted). */
export function membersFor(target) {
  let best;
  for (let members = 4; members <= 1000; members += 1) {
    const count = countEntities(orgSnapshot(generateSnapshot({ orgCount: 1, members, seed: SEED }), 'org0'));
    if (!best || Math.abs(count - target) < Math.abs(best.count - target)) best = { members, count };
    if (count > target) break;
  }
  return best.members;
}

/** `count` orgs (`org0`…) of `members` members each, as { orgId: JSON text }. */
export function orgTexts(count, members) {
  const snapshot = generateSnapshot({ orgCount: count, members, seed: SEED });
  const texts = {};
  for (let i = 0; i < count; i++) texts[`org${i}`] = JSON.stringify(orgSnapshot(snapshot, `org${i}`));
  return texts;
}

/** A source over texts held in memory; every org has version "1". */
export const memorySource = (texts) => async (orgId, { version }) => {
  const text = texts[orgId];
  if (text === undefined) return null;
  return version === '1' ? { notModified: true } : { snapshot: text, version: '1' };
};

/** A check every generated org allows: its first owner may view its billing. */
export const ownerOf = (texts, orgId) => JSON.parse(texts[orgId]).organizations[0].members.find((m) => m.role === 'owner').user;

// ---- children: one fresh process per measurement whose memory or start-up matters ----------

if (child === 'memory') {
  const { createOrgAuthorizers } = await import('orgwarden/orgs');
  const { moduleStatus } = await import('orgwarden');
  const texts = JSON.parse(readFileSync(process.argv.at(-1), 'utf8'));
  const ids = Object.keys(texts);
  const orgs = createOrgAuthorizers({ source: memorySource(texts), maxEntities: Infinity, maxStoreBytes: Infinity });
  const before = moduleStatus().memoryBytes;
  for (const id of ids) {
    const decision = await orgs.check(id, { type: 'User', id: ownerOf(texts, id) }, 'viewBilling', { type: 'Organization', id });
    if (!decision.allowed) throw new Error(`unexpected: ${JSON.stringify(decision)}`);
  }
  const status = orgs.status();
  // The isolate holds the JS heap beside the module's memory (measured after a full GC when
  // the child runs with --expose-gc); the texts of the in-memory source are part of that heap.
  globalThis.gc?.();
  const { heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ before, after: status.memoryBytes, storeBytes: status.storeBytes, orgs: status.orgs, entities: status.entities, heapUsed, sourceBytes: ids.reduce((sum, id) => sum + texts[id].length, 0) }));
  process.exit(0);
}

if (child === 'cold') {
  // Read before the clock starts: what a server has from its platform (a KV namespace).
  const texts = JSON.parse(readFileSync(process.argv.at(-1), 'utf8'));
  const owner = ownerOf(texts, 'big');
  // --split-import: the same start through the web entry, so that reading, compiling and
  // instantiating the .wasm are timed apart (the Node entry does the same three at import).
  const splitImport = process.argv.includes('--split-import');
  const t0 = clock();
  const phases = {};
  let createOrgAuthorizers;
  if (splitImport) {
    const { initSync } = await import('orgwarden/web');
    ({ createOrgAuthorizers } = await import('orgwarden/orgs'));
    phases.glue = ms(t0, clock());
    let t = clock();
    const bytes = readFileSync(new URL('../pkg/dist/orgwarden_bg.wasm', import.meta.url));
    phases.read = ms(t, clock());
    t = clock();
    const module = new WebAssembly.Module(bytes);
    phases.compile = ms(t, clock());
    t = clock();
    initSync({ module });
    phases.instantiate = ms(t, clock());
  } else {
    await import('orgwarden');
    ({ createOrgAuthorizers } = await import('orgwarden/orgs'));
  }
  const t1 = clock();
  // The first request is `orgs.check`, taken apart: the source's answer, the build (new
  // Authorizer + loadSnapshot, inside forOrg), the first check.
  let answered;
  const source = memorySource(texts);
  const orgs = createOrgAuthorizers({
    source: async (orgId, options) => {
      const answer = await source(orgId, options);
      answered = clock();
      return answer;
    },
  });
  const found = await orgs.forOrg('big');
  const built = clock();
  if (found.type !== 'success') throw new Error(`unexpected: ${JSON.stringify(found)}`);
  const decision = found.authorizer.check({ type: 'User', id: owner }, 'viewBilling', { type: 'Organization', id: 'big' });
  const t2 = clock();
  if (!decision.allowed) throw new Error(`unexpected: ${JSON.stringify(decision)}`);
  const second = await orgs.check('big', { type: 'User', id: owner }, 'viewMembers', { type: 'Organization', id: 'big' });
  const t3 = clock();
  if (!second.allowed) throw new Error(`unexpected: ${JSON.stringify(second)}`);
  const status = orgs.status();
  console.log(JSON.stringify({
    import: ms(t0, t1), firstRequest: ms(t1, t2), total: ms(t0, t2), secondRequest: ms(t2, t3),
    source: ms(t1, answered), build: ms(answered, built), firstCheck: ms(built, t2), ...phases,
    entities: status.entities, memoryBytes: status.memoryBytes,
  }));
  process.exit(0);
}

/**
 * The first request for each org of `ids` (default: all of `texts`), one after another on one
 * registry: source in memory + build + check. The first `skip` run before the code is
 * optimized and are left out of `times`. `before` are requested first, untimed (orgs already
 * resident when the timed ones arrive).
 */
export async function firstRequests(texts, { ids = Object.keys(texts), skip = 10, before = [], options = { maxOrgs: 8 } } = {}) {
  const { createOrgAuthorizers } = await import('orgwarden/orgs');
  const orgs = createOrgAuthorizers({ source: memorySource(texts), ...options });
  const ask = (id) => orgs.check(id, { type: 'User', id: ownerOf(texts, id) }, 'viewBilling', { type: 'Organization', id });
  for (const id of before) await ask(id);
  const owners = Object.fromEntries(ids.map((id) => [id, ownerOf(texts, id)]));
  const times = [];
  const entityCounts = [];
  for (const id of ids) {
    const t0 = clock();
    const decision = await orgs.check(id, { type: 'User', id: owners[id] }, 'viewBilling', { type: 'Organization', id });
    const t1 = clock();
    if (!decision.allowed) throw new Error(`unexpected: ${JSON.stringify(decision)}`);
    times.push(ms(t0, t1));
    entityCounts.push((await orgs.forOrg(id)).authorizer.entityCount());
  }
  orgs.clear();
  return {
    median: median(times.slice(skip)),
    times: times.slice(skip),
    entityCount: entityCounts.reduce((a, b) => a + b, 0) / entityCounts.length,
    bytes: median(ids.map((id) => texts[id].length)),
  };
}

/**
 * A warm check on org `id` of `texts` through the registry (the org resident), the same check
 * on a plain Authorizer, and a registry hit alone: mean ms per call over `n` calls each.
 */
export async function warmChecks(texts, id, n) {
  const { createOrgAuthorizers } = await import('orgwarden/orgs');
  const { Authorizer } = await import('orgwarden');
  const orgs = createOrgAuthorizers({ source: memorySource(texts), revalidateAfterMs: Infinity });
  const plain = new Authorizer();
  plain.loadSnapshot(texts[id]);
  const principal = { type: 'User', id: ownerOf(texts, id) };
  const resource = { type: 'Organization', id };
  for (let i = 0; i < 2_000; i++) {
    await orgs.check(id, principal, 'viewBilling', resource);
    plain.check(principal, 'viewBilling', resource);
  }
  let t0 = clock();
  for (let i = 0; i < n; i++) await orgs.check(id, principal, 'viewBilling', resource);
  const viaOrgs = ms(t0, clock()) / n;
  t0 = clock();
  for (let i = 0; i < n; i++) plain.check(principal, 'viewBilling', resource);
  const direct = ms(t0, clock()) / n;
  t0 = clock();
  for (let i = 0; i < n; i++) await orgs.forOrg(id);
  const lookup = ms(t0, clock()) / n;
  plain.free();
  orgs.clear();
  return { viaOrgs, direct, lookup };
}

/**
 * The texts files of the cold-start child: `listed`, a source of `count` orgs — `count - 1` of
 * `members` members and the org served, `big`, of `bigMembers` — and `alone`, `big` only.
 */
export function writeColdStores(dir, { members, bigMembers, count = 1000 }) {
  const texts = orgTexts(count - 1, members);
  texts.big = orgTexts(1, bigMembers).org0.replaceAll('"org0"', '"big"');
  const listed = join(dir, 'cold.json');
  writeFileSync(listed, JSON.stringify(texts));
  const alone = join(dir, 'cold-alone.json');
  writeFileSync(alone, JSON.stringify({ big: texts.big }));
  return { listed, alone, big: texts.big };
}

/** Runs one of this file's children (`memory` or `cold`) in a fresh `node` on a texts file. */
export function spawnChild(kind, file, { nodeFlags = [], args = [] } = {}) {
  const result = spawnSync(process.execPath, [...nodeFlags, self, `--child=${kind}`, ...args, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

// ---- the parent: in-process timings, then the children --------------------------------------

if (isMain && !child) {
  const rows = [];
  const row = (what, value, note = '') => rows.push(`| ${what} | ${value} | ${note} |`);
  const fmt = (value, digits = 2) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

  log('generating orgs');
  const members100 = membersFor(100 - 56);
  const members1k = membersFor(1000 - 56);
  const small = orgTexts(QUICK ? 60 : 200, members100);
  const large = orgTexts(QUICK ? 20 : 60, members1k);

  log('first requests');
  for (const [label, texts] of [['~100', small], ['~1,000', large]]) {
    const { median: m, entityCount, bytes } = await firstRequests(texts);
    row(`first request for an org, ${label} entities (${Math.round(entityCount)} with the action entities; ${fmt(bytes / 1024, 1)} KiB of JSON)`, `${fmt(m)} ms`, `median over ${Object.keys(texts).length - 10} orgs; source in memory + build + check`);
  }

  log('warm checks');
  {
    const n = QUICK ? 5_000 : 50_000;
    const { viaOrgs, direct, lookup } = await warmChecks(large, 'org0', n);
    row('warm check, org resident (`await orgs.check`)', `${fmt(viaOrgs * 1000, 1)} µs`, `mean of ${n.toLocaleString('en')}; ~1,000-entity org`);
    row('  the same check on a plain Authorizer', `${fmt(direct * 1000, 1)} µs`, 'reference: what the registry adds is the lookup and the await');
    row('  `await orgs.forOrg` alone (a hit)', `${fmt(lookup * 1000, 1)} µs`, '');
  }

  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-orgs-bench-'));

  log('module memory');
  const baseline = spawnChild('memory', (() => {
    const file = join(dir, 'none.json');
    writeFileSync(file, '{}');
    return file;
  })());
  const mib = (bytes) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;
  row('module memory, no org resident', mib(baseline.after), 'the module with the parsed default policies');
  for (const count of QUICK ? [10, 100] : [10, 100, 1000]) {
    const texts = orgTexts(count, members100);
    const file = join(dir, `memory-${count}.json`);
    writeFileSync(file, JSON.stringify(texts));
    const { before, after, entities } = spawnChild('memory', file);
    row(
      `module memory, ${count.toLocaleString('en')} orgs of ~100 entities resident (${entities.toLocaleString('en')} entities)`,
      mib(after),
      `+${mib(after - before)}: ${fmt((after - before) / count / 1024, 1)} KiB per org, ${fmt((after - before) / entities / 1024, 2)} KiB per entity`,
    );
  }

  log('cold starts');
  {
    const { listed: file, alone } = writeColdStores(dir, { members: members100, bigMembers: members1k });
    // Interleaved, so both see the same load on the machine.
    const runs = { listed: [], alone: [] };
    for (let i = 0; i < (QUICK ? 3 : 9); i++) {
      runs.listed.push(spawnChild('cold', file));
      runs.alone.push(spawnChild('cold', alone));
    }
    for (const [kind, label] of [['listed', 'while the source lists 1,000 orgs'], ['alone', 'the source holding that org alone (reference)']]) {
      const pick = (key) => median(runs[kind].map((r) => r[key]));
      row(
        `cold start: one ~1,000-entity org (${runs[kind][0].entities} entities) served, ${label}`,
        `${fmt(pick('total'))} ms`,
        `fresh \`node\` per run, median of ${runs[kind].length}: import ${fmt(pick('import'))} ms + first request ${fmt(pick('firstRequest'))} ms (then a warm request: ${fmt(pick('secondRequest'), 3)} ms); module ${mib(pick('memoryBytes'))}`,
      );
    }
  }
  rmSync(dir, { recursive: true, force: true });

  console.log(`orgwarden/orgs (Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'CPU'})\n`);
  console.log('| measurement | value | notes |');
  console.log('| --- | --- | --- |');
  for (const line of rows) console.log(line);
}
