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
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { countEntities, generateSnapshot } from './workload.mjs';
import { orgSnapshot } from '../tests/js/org-snapshots.mjs';

const SEED = 20260501;
const QUICK = process.argv.includes('--quick');
const child = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
const ms = (from, to) => Number(to - from) / 1e6;
const clock = () => process.hrtime.bigint();
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const log = (...parts) => console.error('[bench/orgs]', ...parts);


/** The members per org whose split-out org comes closest to `target` entities. */
function membersFor(target) {
  let best;
  for (let members = 4; members <= 1000; members += 1) {
    const count = countEntities(orgSnapshot(generateSnapshot({ orgCount: 1, members, seed: SEED }), 'org0'));
    if (!best || Math.abs(count - target) < Math.abs(best.count - target)) best = { members, count };
    if (count > target) break;
  }
  return best.members;
}

/** `count` orgs (`org0`…) of about `target` entities each, as { orgId: JSON text }. */
function orgTexts(count, members) {
  const snapshot = generateSnapshot({ orgCount: count, members, seed: SEED });
  const texts = {};
  for (let i = 0; i < count; i++) texts[`org${i}`] = JSON.stringify(orgSnapshot(snapshot, `org${i}`));
  return texts;
}

/** A source over texts held in memory; every org has version "1". */
const memorySource = (texts) => async (orgId, { version }) => {
  const text = texts[orgId];
  if (text === undefined) return null;
  return version === '1' ? { notModified: true } : { snapshot: text, version: '1' };
};

/** A check every generated org allows: its first owner may view its billing. */
const ownerOf = (texts, orgId) => JSON.parse(texts[orgId]).organizations[0].members.find((m) => m.role === 'owner').user;

// ---- children: one fresh process per measurement whose memory or start-up matters ----------

if (child === 'memory') {
  const { createOrgAuthorizers } = await import('orgwarden/orgs');
  const { moduleStatus } = await import('orgwarden');
  const texts = JSON.parse(readFileSync(process.argv.at(-1), 'utf8'));
  const ids = Object.keys(texts);
  const orgs = createOrgAuthorizers({ source: memorySource(texts), maxEntities: Infinity });
  const before = moduleStatus().memoryBytes;
  for (const id of ids) {
    const decision = await orgs.check(id, { type: 'User', id: ownerOf(texts, id) }, 'viewBilling', { type: 'Organization', id });
    if (!decision.allowed) throw new Error(`unexpected: ${JSON.stringify(decision)}`);
  }
  const status = orgs.status();
  console.log(JSON.stringify({ before, after: status.memoryBytes, orgs: status.orgs, entities: status.entities }));
  process.exit(0);
}

if (child === 'cold') {
  // Read before the clock starts: what a server has from its platform (a KV namespace).
  const texts = JSON.parse(readFileSync(process.argv.at(-1), 'utf8'));
  const owner = ownerOf(texts, 'big');
  const t0 = clock();
  await import('orgwarden');
  const { createOrgAuthorizers } = await import('orgwarden/orgs');
  const t1 = clock();
  const orgs = createOrgAuthorizers({ source: memorySource(texts) });
  const decision = await orgs.check('big', { type: 'User', id: owner }, 'viewBilling', { type: 'Organization', id: 'big' });
  const t2 = clock();
  if (!decision.allowed) throw new Error(`unexpected: ${JSON.stringify(decision)}`);
  const second = await orgs.check('big', { type: 'User', id: owner }, 'viewMembers', { type: 'Organization', id: 'big' });
  const t3 = clock();
  if (!second.allowed) throw new Error(`unexpected: ${JSON.stringify(second)}`);
  const status = orgs.status();
  console.log(JSON.stringify({ import: ms(t0, t1), firstRequest: ms(t1, t2), total: ms(t0, t2), secondRequest: ms(t2, t3), entities: status.entities, memoryBytes: status.memoryBytes }));
  process.exit(0);
}

// ---- the parent: in-process timings, then the children --------------------------------------

const { createOrgAuthorizers } = await import('orgwarden/orgs');
const { Authorizer } = await import('orgwarden');
const rows = [];
const row = (what, value, note = '') => rows.push(`| ${what} | ${value} | ${note} |`);
const fmt = (value, digits = 2) => value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

log('generating orgs');
const members100 = membersFor(100 - 56);
const members1k = membersFor(1000 - 56);
const small = orgTexts(QUICK ? 60 : 200, members100);
const large = orgTexts(QUICK ? 20 : 60, members1k);

async function firstRequests(texts) {
  const ids = Object.keys(texts);
  const orgs = createOrgAuthorizers({ source: memorySource(texts), maxOrgs: 8 });
  const owners = Object.fromEntries(ids.map((id) => [id, ownerOf(texts, id)]));
  const times = [];
  for (const id of ids) {
    const t0 = clock();
    const decision = await orgs.check(id, { type: 'User', id: owners[id] }, 'viewBilling', { type: 'Organization', id });
    const t1 = clock();
    if (!decision.allowed) throw new Error(`unexpected: ${JSON.stringify(decision)}`);
    times.push(ms(t0, t1));
  }
  const entityCount = orgs.status().entities / orgs.status().orgs;
  orgs.clear();
  // The first few orgs run before the code is optimized: the median is of the rest.
  return { median: median(times.slice(10)), entityCount, bytes: median(ids.map((id) => texts[id].length)) };
}

log('first requests');
for (const [label, texts] of [['~100', small], ['~1,000', large]]) {
  const { median: m, entityCount, bytes } = await firstRequests(texts);
  row(`first request for an org, ${label} entities (${Math.round(entityCount)} with the action entities; ${fmt(bytes / 1024, 1)} KiB of JSON)`, `${fmt(m)} ms`, `median over ${Object.keys(texts).length - 10} orgs; source in memory + build + check`);
}

log('warm checks');
{
  const id = 'org0';
  const owner = ownerOf(large, id);
  const orgs = createOrgAuthorizers({ source: memorySource(large), revalidateAfterMs: Infinity });
  const plain = new Authorizer();
  plain.loadSnapshot(large[id]);
  const principal = { type: 'User', id: owner };
  const resource = { type: 'Organization', id };
  const n = QUICK ? 5_000 : 50_000;
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
  row('warm check, org resident (`await orgs.check`)', `${fmt(viaOrgs * 1000, 1)} µs`, `mean of ${n.toLocaleString('en')}; ~1,000-entity org`);
  row('  the same check on a plain Authorizer', `${fmt(direct * 1000, 1)} µs`, 'reference: what the registry adds is the lookup and the await');
  row('  `await orgs.forOrg` alone (a hit)', `${fmt(lookup * 1000, 1)} µs`, '');
  plain.free();
  orgs.clear();
}

const dir = mkdtempSync(join(tmpdir(), 'orgwarden-orgs-bench-'));
const self = fileURLToPath(import.meta.url);
function spawnChild(kind, file) {
  const result = spawnSync(process.execPath, [self, `--child=${kind}`, file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

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
  const texts = orgTexts(999, members100);
  const big = orgTexts(1, members1k).org0;
  texts.big = big.replaceAll('"org0"', '"big"');
  const file = join(dir, 'cold.json');
  writeFileSync(file, JSON.stringify(texts));
  const alone = join(dir, 'cold-alone.json');
  writeFileSync(alone, JSON.stringify({ big: texts.big }));
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
