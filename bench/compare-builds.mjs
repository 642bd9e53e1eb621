#!/usr/bin/env node
// Builds of the package side by side: `node bench/compare-builds.mjs DIR...`, each DIR laid out
// like pkg/ (`pkg` itself, or what bench/opt-levels.sh builds). All are loaded in this one
// process and timed in turns, round after round, so that the machine's hour weighs on each
// alike: `isAllowed` over the same 3,000 requests on a 1,043-entity store (bench/workload.mjs,
// seeded), a first and a warm `loadSnapshot`, and each build's .wasm sizes. Decisions must agree:
// the run fails if two builds allow different numbers of requests.
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { median } from './measure.mjs';
import { generateRequests, snapshotOfSize } from './workload.mjs';

const dirs = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (dirs.length === 0) throw new Error('usage: node bench/compare-builds.mjs DIR... (each laid out like pkg/)');
const ROUNDS = 7;
const { snapshot } = snapshotOfSize({ target: 1000, orgCount: 6, seed: 7 });
const text = JSON.stringify(snapshot);

const builds = [];
for (const dir of dirs) {
  const { Authorizer } = await import(pathToFileURL(join(resolve(dir), 'entries/node.js')).href);
  const authorizer = new Authorizer();
  const t0 = performance.now();
  const loaded = authorizer.loadSnapshot(text);
  const firstLoadMs = performance.now() - t0;
  if (loaded.type !== 'success') throw new Error(`${dir}: ${JSON.stringify(loaded)}`);
  builds.push({ dir, authorizer, firstLoadMs, checkUs: [], loadMs: [], allowed: new Set() });
}

// The actions that apply to each principal and resource type, as the first build lists them.
const org = snapshot.organizations[1];
const sample = {
  Organization: org.id,
  Membership: `${org.id}/${org.members[0].user}`,
  Team: org.teams?.[0]?.id,
  Workspace: org.workspaces?.[0]?.id,
  Algorithm: org.algorithms?.[0]?.id,
  AlgorithmVersion: org.algorithms?.[0]?.versions[0]?.id,
  Invitation: org.invitations?.[0]?.id,
  ApiKey: org.apiKeys?.[0]?.id,
  Platform: 'platform',
};
const applicable = new Map();
for (const [type, id] of [['User', org.members[0].user], ['ApiKey', org.apiKeys[0].id]]) {
  for (const [resourceType, resourceId] of Object.entries(sample)) {
    if (!resourceId) continue;
    const answer = builds[0].authorizer.allowedActions({ type, id }, { type: resourceType, id: resourceId });
    if (answer.type === 'success') applicable.set(`${type}>${resourceType}`, answer.outcomes.map((o) => o.action));
  }
}
const requests = generateRequests(snapshot, { count: 3000, seed: 11, applies: (p, r) => applicable.get(`${p}>${r}`) ?? [] });

for (let round = 0; round < ROUNDS; round++) {
  for (const build of builds) {
    let allowed = 0;
    const t0 = process.hrtime.bigint();
    for (const r of requests) if (build.authorizer.isAllowed(r.principal, r.action, r.resource)) allowed++;
    build.checkUs.push(Number(process.hrtime.bigint() - t0) / requests.length / 1000);
    build.allowed.add(allowed);
    const t1 = performance.now();
    build.authorizer.loadSnapshot(text);
    build.loadMs.push(performance.now() - t1);
  }
}
const allowedCounts = new Set(builds.flatMap((b) => [...b.allowed]));
if (allowedCounts.size !== 1) throw new Error(`the builds disagree: allowed counts ${[...allowedCounts].join(', ')}`);

const sizes = (file) => {
  try {
    const bytes = readFileSync(file);
    const kib = (n) => Math.round(n / 1024).toLocaleString('en');
    const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
    return `${kib(bytes.length)} / ${kib(gzipSync(bytes, { level: 9 }).length)} / ${kib(brotli.length)} KiB`;
  } catch {
    return '—';
  }
};
console.log(`\n${requests.length} requests (${[...allowedCounts][0]} allowed), ${ROUNDS} rounds, builds in turns\n`);
console.log('| build | `isAllowed` median (fastest round) | first load / warm load, 1,043 entities | full `.wasm` raw / gzip / brotli | compiled runtime raw / gzip / brotli |');
console.log('| --- | --- | --- | --- | --- |');
for (const b of builds) {
  const us = (v) => `${v.toFixed(1)} µs`;
  console.log(
    `| ${b.dir} | ${us(median(b.checkUs))} (${us(Math.min(...b.checkUs))}) | ${b.firstLoadMs.toFixed(1)} / ${median(b.loadMs).toFixed(2)} ms | ${sizes(join(b.dir, 'dist/orgwarden_bg.wasm'))} | ${sizes(join(b.dir, 'dist/orgwarden_compiled_bg.wasm'))} |`,
  );
}
