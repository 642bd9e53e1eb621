// The compiled runtime's side of bench/run.mjs, in a process of its own (one process
// initializes only one of the two builds):
//   node bench/compiled-checks.mjs <dir> <timed passes> <matrix runs>
// reads the workload run.mjs wrote into <dir> (snapshot.json, requests.json, matrices.json),
// loads the snapshot into the compiled runtime initialized with its entry's own module (the
// default policies) and prints one JSON line: what bench/measure.mjs measures, with every
// `check` answer for run.mjs to compare, and the load average around the measurement.
// ORGWARDEN_ENTRY may name another build's compiled entry (bench/run.mjs --pkg=DIR sets it).

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { measureAuthorizer } from './measure.mjs';

const [dir, passes, matrixRuns] = process.argv.slice(2);
if (!dir || !passes || !matrixRuns) throw new Error('usage: compiled-checks.mjs <dir> <timed passes> <matrix runs>');
const read = (name) => readFileSync(join(dir, name), 'utf8');

const loadAtStart = loadavg();
const { default: init, Authorizer } = await import(process.env.ORGWARDEN_ENTRY || 'orgwarden/compiled');
await init();
const authz = new Authorizer();
const loaded = authz.loadSnapshot(read('snapshot.json'));
if (loaded.type !== 'success') throw new Error(`loadSnapshot: ${JSON.stringify(loaded)}`);
const measured = measureAuthorizer(authz, {
  requests: JSON.parse(read('requests.json')),
  matrices: JSON.parse(read('matrices.json')),
  passes: Number(passes),
  matrixRuns: Number(matrixRuns),
});
const policyCount = authz.policies().length;
authz.free();
console.log(JSON.stringify({ ...measured, policyCount, loadAvg: [loadAtStart, loadavg()] }));
