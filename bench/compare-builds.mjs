#!/usr/bin/env node
// Builds of the package side by side: `node bench/compare-builds.mjs DIR...`, each DIR laid out
// like pkg/ (`pkg` itself, or what bench/opt-levels.sh builds). All are loaded in this one
// process and timed in turns, round after round, so that the machine's hour weighs on each
// alike: `isAllowed` over the same 3,000 requests on a 1,043-entity store (bench/workload.mjs,
// seeded), `check` over them (its answer object included), `allowedActions` for the first 300,
// a first and a warm `loadSnapshot`, and each build's .wasm sizes. Decisions must agree:
// the run fails if two builds allow different numbers of requests.
import { readFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { pathToFileURL } from 'node:url';

import { sizes } from '../pkg/bin/sizes.mjs';
import { median, now } from './measure.mjs';
import { applicability, generateRequests, snapshotOfSize } from './workload.mjs';

const dirs = process.argv.slice(2);
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
  builds.push({ dir, authorizer, firstLoadMs, checkUs: [], answerUs: [], actionsUs: [], loadMs: [], allowed: new Set() });
}

const requests = generateRequests(snapshot, { count: 3000, seed: 11, applies: applicability(builds[0].authorizer) });

/** µs per request of `call` over `list`, and how many of its answers were truthy. */
function perRequest(list, call) {
  let truthy = 0;
  const t0 = now();
  for (const r of list) if (call(r)) truthy++;
  return { us: Number(now() - t0) / list.length / 1000, truthy };
}

// A page's worth of actions: what crosses back from the module as an object, like `check`'s
// answers (reasons, policies) and unlike `isAllowed`'s boolean.
const pages = requests.slice(0, 300);

for (let round = 0; round < ROUNDS; round++) {
  for (const build of builds) {
    const { authorizer } = build;
    const allowed = perRequest(requests, (r) => authorizer.isAllowed(r.principal, r.action, r.resource));
    build.checkUs.push(allowed.us);
    build.allowed.add(allowed.truthy);
    const answered = perRequest(requests, (r) => authorizer.check(r.principal, r.action, r.resource).allowed);
    build.answerUs.push(answered.us);
    build.allowed.add(answered.truthy);
    build.actionsUs.push(perRequest(pages, (r) => authorizer.allowedActions(r.principal, r.resource)).us);
    const t1 = performance.now();
    authorizer.loadSnapshot(text);
    build.loadMs.push(performance.now() - t1);
  }
}
const allowedCounts = new Set(builds.flatMap((b) => [...b.allowed]));
if (allowedCounts.size !== 1) throw new Error(`the builds disagree: allowed counts ${[...allowedCounts].join(', ')}`);

/** A build's .wasm as raw / gzip / brotli KiB, or — when the build has no such file. */
const sizeText = (file) => {
  let bytes;
  try {
    bytes = readFileSync(file);
  } catch {
    return '—';
  }
  const kib = (n) => Math.round(n / 1024).toLocaleString('en');
  const { raw, gzip, brotli } = sizes(bytes);
  return `${kib(raw)} / ${kib(gzip)} / ${kib(brotli)} KiB`;
};
console.log(`\n${requests.length} requests (${[...allowedCounts][0]} allowed), ${ROUNDS} rounds, builds in turns\n`);
console.log('| build | `isAllowed` median (fastest round) | `check` | `allowedActions` | first load / warm load, 1,043 entities | full `.wasm` raw / gzip / brotli | compiled runtime raw / gzip / brotli |');
console.log('| --- | --- | --- | --- | --- | --- | --- |');
for (const b of builds) {
  const us = (v) => `${v.toFixed(1)} µs`;
  console.log(
    `| ${b.dir} | ${us(median(b.checkUs))} (${us(Math.min(...b.checkUs))}) | ${us(median(b.answerUs))} (${us(Math.min(...b.answerUs))}) | ${us(median(b.actionsUs))} (${us(Math.min(...b.actionsUs))}) | ${b.firstLoadMs.toFixed(1)} / ${median(b.loadMs).toFixed(2)} ms | ${sizeText(join(b.dir, 'dist/orgwarden_bg.wasm'))} | ${sizeText(join(b.dir, 'dist/orgwarden_compiled_bg.wasm'))} |`,
  );
}
