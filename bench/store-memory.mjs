#!/usr/bin/env node
// Where the memory of a loaded store goes, per entity: `node bench/store-memory.mjs`.
//
// Two orgs shaped as bench/orgs.mjs makes them (bench/workload.mjs, same seed, each org split
// out with the users it references): ~100 and ~1,000 entities before the schema's action
// entities, as bench/edge-targets.mjs measures them. For each it prints
//   - the breakdown by entity type and part, measured by bench/native/src/memory.rs (a counting
//     global allocator; each part is dropped and the bytes given back are counted) built for
//     wasm32 (bench/store-memory-wasm: 4-byte pointers, dlmalloc, as in the package) and, for
//     comparison, natively (64-bit);
//   - the release package's own figure: module memory growth per entity while many
//     authorizers each load the org in a fresh process (WebAssembly memory grows by 64 KiB
//     pages, so the growth is divided over many copies).
// Builds: the native bench (target/bench-native) and the wasm32 probe (target/store-memory-wasm,
// about 4 minutes the first time) are built by this script; the package must be built
// (bash scripts/build-wasm.sh). --no-package skips the package's figure.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { SEED } from './orgs.mjs';
import { countEntities, generateSnapshot } from './workload.mjs';
import { orgSnapshot } from '../tests/js/org-snapshots.mjs';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const log = (...parts) => console.error('[bench/store-memory]', ...parts);
const self = fileURLToPath(import.meta.url);

// ---- child: module memory growth per entity in the release package ---------------------------

const childFile = process.argv.find((a) => a.startsWith('--child='))?.slice('--child='.length);
if (childFile) {
  const { Authorizer, moduleStatus } = await import(pathToFileURL(join(root, 'pkg/entries/node.js')).href);
  const text = readFileSync(childFile, 'utf8');
  const copies = Number(process.argv.at(-1));
  // One load first, so that the growth counts what the loads keep, not a first load's
  // transient peak.
  const held = [new Authorizer()];
  const entities = held[0].loadSnapshot(text);
  const before = moduleStatus().memoryBytes;
  for (let i = 0; i < copies; i++) {
    const authorizer = new Authorizer();
    authorizer.loadSnapshot(text);
    held.push(authorizer);
  }
  const after = moduleStatus().memoryBytes;
  console.log(JSON.stringify({ entities: typeof entities === 'number' ? entities : held[0].entityCount(), growth: after - before, copies }));
  process.exit(0);
}

// ---- the orgs ---------------------------------------------------------------------------------

/** The split-out org `org0` of the generated snapshot whose size comes closest to `target`. */
function orgOfSize(target) {
  let best;
  for (let members = 4; members <= 1000; members += 1) {
    const org = orgSnapshot(generateSnapshot({ orgCount: 1, members, seed: SEED }), 'org0');
    const count = countEntities(org);
    if (!best || Math.abs(count - target) < Math.abs(best.count - target)) best = { members, count, org };
    if (count > target) break;
  }
  return best;
}

const run = (cmd, args, options = {}) => {
  const result = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${result.stderr}`);
  return result.stdout;
};

log('generating orgs');
const sizes = [orgOfSize(100), orgOfSize(1000)];
const dir = mkdtempSync(join(tmpdir(), 'orgwarden-store-memory-'));
const files = sizes.map((size, i) => {
  const file = join(dir, `org${i}.json`);
  writeFileSync(file, JSON.stringify(size.org));
  return file;
});

log('building the native bench and the wasm32 probe (minutes the first time)');
run('cargo', ['build', '--quiet', '--release', '--manifest-path', join(root, 'bench/native/Cargo.toml'), '--target-dir', join(root, 'target/bench-native')], { stdio: ['ignore', 'ignore', 'inherit'] });
run('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--manifest-path', join(root, 'bench/store-memory-wasm/Cargo.toml'), '--target-dir', join(root, 'target/store-memory-wasm')], { stdio: ['ignore', 'ignore', 'inherit'] });

log('native breakdown');
const native = JSON.parse(run(join(root, 'target/bench-native/release/native_bench'), ['memory', ...files]));

log('wasm32 breakdown');
const probeBytes = readFileSync(join(root, 'target/store-memory-wasm/wasm32-unknown-unknown/release/orgwarden_store_memory_wasm.wasm'));
const wasm32 = files.map((file) => {
  // A fresh instance per org: each starts from the same empty heap.
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(probeBytes), {});
  const input = readFileSync(file);
  const ptr = exports.input_buffer(input.length);
  new Uint8Array(exports.memory.buffer, ptr, input.length).set(input);
  const out = exports.store_memory(ptr, input.length);
  const bytes = new Uint8Array(exports.memory.buffer, out);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(0, bytes.indexOf(0))));
  if (json.error) throw new Error(json.error);
  return json;
});

const packageGrowth = process.argv.includes('--no-package')
  ? []
  : files.map((file, i) => {
      log(`release package, org ${i + 1} of ${files.length}`);
      const copies = sizes[i].count < 500 ? 400 : 60;
      return JSON.parse(run(process.execPath, [self, `--child=${file}`, String(copies)]));
    });
rmSync(dir, { recursive: true, force: true });

// ---- tables -----------------------------------------------------------------------------------

const int = (n) => Math.round(n).toLocaleString('en');
const per = (bytes, count) => (count ? int(bytes / count) : '');
const TYPE_ORDER = ['User', 'Membership', 'OrgRole', 'Organization', 'Team', 'Workspace', 'WorkspaceRole', 'Algorithm', 'AlgorithmVersion', 'Invitation', 'ApiKey', 'Platform'];

function breakdownTable(result, label) {
  const n = result.storeEntities;
  const lines = [
    `**${label}** — ${int(n)} entities in the store (${int(result.snapshotEntities)} from the snapshot + ${result.actionEntities} shared action entities), ${result.pointerBytes * 8}-bit; bytes as the allocator's chunks (dlmalloc model: a ${result.pointerBytes}-byte header, ${2 * result.pointerBytes}-byte rounding, ${4 * result.pointerBytes}-byte minimum)`,
    '',
    '| entity type | count | Entity (in its Arc) | uid | attributes: B-tree nodes / values | tags | parents: bytes (items / slots) | indirect ancestors: bytes (items / slots) | per entity of the type | share of the store |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const types = Object.entries(result.types).sort(([a], [b]) => TYPE_ORDER.indexOf(a) - TYPE_ORDER.indexOf(b));
  const storeChunks = result.engineLoad.chunks;
  for (const [name, t] of types) {
    const c = t.count;
    const b = t.bytes;
    lines.push(
      `| ${name} | ${c} | ${per(b.entity.chunks, c)} | ${per(b.uid.chunks, c)} | ${per(b.attrNodes.chunks, c)} / ${per(b.attrValues.chunks, c)} (${(t.attrs / c).toFixed(1)} attrs) | ${per(b.tags.chunks, c)} | ${per(b.parents.chunks, c)} (${(t.parents / c).toFixed(1)} / ${(t.parentSlots / c).toFixed(1)}) | ${per(b.indirectAncestors.chunks, c)} (${(t.indirectAncestors / c).toFixed(1)} / ${(t.indirectSlots / c).toFixed(1)}) | ${per(b.total.chunks, c)} | ${((100 * b.total.chunks) / storeChunks).toFixed(1)}% |`,
    );
  }
  const sum = (key) => types.reduce((s, [, t]) => s + t.bytes[key].chunks, 0);
  lines.push(
    `| **all parts, per store entity** | ${n} | ${per(sum('entity'), n)} | ${per(sum('uid'), n)} | ${per(sum('attrNodes'), n)} / ${per(sum('attrValues'), n)} | ${per(sum('tags'), n)} | ${per(sum('parents'), n)} | ${per(sum('indirectAncestors'), n)} | ${per(result.entityParts.chunks, n)} | ${((100 * result.entityParts.chunks) / storeChunks).toFixed(1)}% |`,
    `| \`Entities\` map (slots for all ${n}, action entities included) | | | | | | | | ${per(result.entitiesMap.chunks, n)} | ${((100 * result.entitiesMap.chunks) / storeChunks).toFixed(1)}% |`,
    `| account index (email → uid, engine) | | | | | | | | ${per(result.accountIndex.chunks, n)} | ${((100 * result.accountIndex.chunks) / storeChunks).toFixed(1)}% |`,
    `| **what a load keeps** (engine, measured whole: ${int(storeChunks)} bytes in ${int(result.engineLoad.blocks)} blocks; ${int(result.engineLoad.requested)} bytes requested) | | | | | | | | **${per(storeChunks, n)}** | 100% |`,
    `| children index, built by the first incremental update (not by a load) | | | | | | | | +${per(result.childrenIndex.chunks, n)} | |`,
  );
  return lines.join('\n');
}

console.log('Memory per entity of a loaded store (`node bench/store-memory.mjs`)\n');
sizes.forEach((size, i) => {
  console.log(breakdownTable(wasm32[i], `wasm32, org of ${size.members} members`));
  console.log();
});
console.log('| per store entity (bytes) | ' + sizes.map((s, i) => `${s.members} members, ${wasm32[i].storeEntities} entities: wasm32 / 64-bit`).join(' | ') + ' |');
console.log('| --- | ' + sizes.map(() => '---:').join(' | ') + ' |');
const compare = (label, pick) =>
  console.log(`| ${label} | ${sizes.map((_, i) => `${per(pick(wasm32[i]), wasm32[i].storeEntities)} / ${per(pick(native[i]), native[i].storeEntities)}`).join(' | ')} |`);
compare('what a load keeps (breakdown, chunks)', (r) => r.engineLoad.chunks);
compare('… bytes requested', (r) => r.engineLoad.requested);
compare('Entity parts', (r) => r.entityParts.chunks);
compare('`Entities` map', (r) => r.entitiesMap.chunks);
compare('account index', (r) => r.accountIndex.chunks);
if (packageGrowth.length) {
  console.log(`| release package: module memory growth per entity (${packageGrowth.map((g) => `${g.copies} copies`).join(' / ')}) | ${packageGrowth.map((g) => int(g.growth / g.copies / g.entities)).join(' | ')} |`);
}
console.log();
console.log('| size_of (bytes) | wasm32 | 64-bit |');
console.log('| --- | ---: | ---: |');
for (const key of Object.keys(wasm32[0].sizes)) console.log(`| ${key} | ${wasm32[0].sizes[key]} | ${native[0].sizes[key]} |`);
