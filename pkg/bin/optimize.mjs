// wasm-opt from npm's binaryen, with the flags every module of the package is optimized with:
// the package's build (scripts/build-wasm.sh) and `orgwarden compile` both call this.
//   node pkg/bin/optimize.mjs <in.wasm> <out.wasm> [--keep-names]
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { WASM_OPT_FEATURE_FLAGS } from './preinitialize.mjs';

// --one-caller-inline-max-function-size: wasm-opt inlines every function that has one caller,
// whatever its size; past this size it does not, which keeps the steps of a snapshot load apart
// (the reason is above `snapshot_entities` in src/snapshot/entities.rs). The module comes out
// slightly smaller (6 KiB gzip), not larger.
// --skip-pass=memory-packing: that pass splits the data segments at every run of zeros to save
// raw bytes; on a preinitialized image it made 13,000 segments whose headers compress worse
// than the zeros they save (gzip 38 KiB and brotli 34 KiB larger, raw 99 KiB smaller).
const FLAGS = ['-Oz', '--one-caller-inline-max-function-size', '200', '--skip-pass=memory-packing', ...WASM_OPT_FEATURE_FLAGS];

/** The wasm-opt of the binaryen package this project (or the user's) has installed. */
function wasmOpt() {
  return createRequire(import.meta.url).resolve('binaryen/bin/wasm-opt');
}

/**
 * Optimizes `input` into `output` (paths). `keepNames` keeps the function and global names
 * (for bench/size-breakdown.mjs, and for a module that is preinitialized later: the step finds
 * the stack pointer by its name). Throws with wasm-opt's own message if it fails.
 */
export function optimize(input, output, { keepNames = false } = {}) {
  const run = spawnSync(process.execPath, [wasmOpt(), ...FLAGS, ...(keepNames ? ['-g'] : []), input, '-o', output], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`wasm-opt failed: ${run.error?.message ?? run.stderr}`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [input, output, ...flags] = process.argv.slice(2);
  if (!input || !output) throw new Error('usage: optimize.mjs <in.wasm> <out.wasm> [--keep-names]');
  optimize(input, output, { keepNames: flags.includes('--keep-names') });
}
