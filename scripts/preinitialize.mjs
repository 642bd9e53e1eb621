// Builds the default ruleset into the full module's initial memory (the package's build):
//   node scripts/preinitialize.mjs pkg/dist/orgwarden_bg.wasm
// How and why: pkg/bin/preinitialize.mjs, which `orgwarden compile` shares.
import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';
import { preinitialize } from '../pkg/bin/preinitialize.mjs';

const wasmPath = process.argv[2];
if (!wasmPath) throw new Error('usage: preinitialize.mjs <module_bg.wasm>');
const { bytes, summary } = preinitialize(binaryen, readFileSync(wasmPath));
writeFileSync(wasmPath, bytes);
console.log(summary);
