// bench/compiled-runtime.sh's steps after the package is built in its worktree:
//   node bench/compiled-runtime/measure.mjs <worktree> <out>
// 1. <out>/compiled/orgwarden_bg.wasm: the compiled runtime made from the worktree's
//    dist/orgwarden_compiled_source.wasm as `orgwarden compile` makes it with the default
//    policies, with its function names kept for bench/size-breakdown.mjs; without its name
//    section it must be the build's dist/orgwarden_compiled_bg.wasm byte for byte.
// 2. <out>/pkg: the worktree's package with the name section dropped from the full module (the
//    build kept it for the breakdown), which is then what the package would ship:
//    `node bench/run.mjs --pkg=<out>/pkg` measures it.
// 3. Prints the raw / gzip / brotli sizes of both modules.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [tree, out] = process.argv.slice(2).map((p) => p && resolve(p));
if (!tree || !out) throw new Error('usage: measure.mjs <worktree> <out>');
const fromTree = (path) => import(pathToFileURL(join(tree, path)).href);
const { compileModule } = await fromTree('pkg/bin/compile.mjs');
const { sizeTable } = await fromTree('pkg/bin/sizes.mjs');
const binaryen = (await import('binaryen')).default;
const dist = join(tree, 'pkg/dist');

/** The module without its custom section "name" (function and global names). */
function withoutNames(bytes) {
  const parts = [bytes.subarray(0, 8)];
  let at = 8;
  const u32 = () => {
    let result = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = bytes[at++];
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
    }
  };
  while (at < bytes.length) {
    const start = at;
    const id = bytes[at++];
    const size = u32();
    const contentStart = at;
    let name;
    if (id === 0) {
      const length = u32();
      name = Buffer.from(bytes.subarray(at, at + length)).toString('utf8');
    }
    at = contentStart + size;
    if (name !== 'name') parts.push(bytes.subarray(start, at));
  }
  return Buffer.concat(parts);
}

// 1. The options `orgwarden compile` builds with no --policies: the default policies alone.
const named = join(out, 'compiled/orgwarden_bg.wasm');
compileModule(binaryen, { policies: [], includeDefaultPolicies: true }, named, { keepNames: true });
const compiled = readFileSync(join(dist, 'orgwarden_compiled_bg.wasm'));
const same = withoutNames(readFileSync(named)).equals(compiled);
console.log(`compiled runtime with names, its name section dropped: ${same ? 'the same bytes as' : 'DIFFERENT from'} the build's dist/orgwarden_compiled_bg.wasm`);

// 2.
cpSync(join(tree, 'pkg'), join(out, 'pkg'), { recursive: true, dereference: true });
rmSync(join(out, 'pkg/dist/orgwarden.map'), { force: true });
const full = withoutNames(readFileSync(join(dist, 'orgwarden_bg.wasm')));
writeFileSync(join(out, 'pkg/dist/orgwarden_bg.wasm'), full);

// 3.
console.log(sizeTable([
  ['full module (dist/orgwarden_bg.wasm)', full],
  ['compiled runtime, default policies (dist/orgwarden_compiled_bg.wasm)', compiled],
]));
if (!same) process.exitCode = 1;
