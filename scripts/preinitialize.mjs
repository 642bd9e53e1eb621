// Builds the default ruleset into the module's initial memory:
//   node scripts/preinitialize.mjs pkg/dist/orgwarden_bg.wasm
//
// Parsing the embedded schema and default policies is most of a cold start, and its result
// is the same on every start. So the build does it once: it instantiates the module, calls the
// raw export `orgwarden_preinitialize` (src/wasm.rs), and writes the memory that call leaves
// back into the module as its data segments. At run time `new Authorizer()` then finds the
// defaults already built. The export is removed after.
//
// What makes the memory image valid on another instance:
// - the call is pure Rust: every import the module has throws here if called, so no JS-side
//   state can refer into the image;
// - the stack is balanced when it returns, and the stack region (below the stack pointer's
//   initial value, where Rust puts the stack) is zeroed: it holds only dead frames;
// - every mutable global is read back too (they are exported to read them) and written as
//   its new initial value;
// - the memory's initial size becomes its size after the call, which the allocator's own
//   bookkeeping (in that memory) expects.
// Freed memory is zeroed during the call (src/image_allocator.rs, turned on and off through a
// second raw export, removed too): the image then holds the live data and the allocator's
// bookkeeping, not the parse trees and outgrown buffers the call dropped, which would ship as
// non-zero bytes nobody reads (48 KiB of the gzip size; BENCHMARKS.md, "Where the bytes are").
// The build then checks the result by instantiating it and asking for a default authorizer.

import { readFileSync, writeFileSync } from 'node:fs';
import binaryen from 'binaryen';

const EXPORT = 'orgwarden_preinitialize';
const ZERO_FREED = 'orgwarden_zero_freed_memory';
const PAGE = 65536;
// Zero runs shorter than this stay inside a segment: a segment's header costs about as much.
const SEGMENT_GAP = 64;

const wasmPath = process.argv[2];
if (!wasmPath) throw new Error('usage: preinitialize.mjs <module_bg.wasm>');
const original = readFileSync(wasmPath);

// The features wasm-opt is given in scripts/build-wasm.sh: with all of binaryen's features it
// writes encodings (compact imports) that engines do not read yet.
const FEATURES =
  binaryen.Features.MVP | binaryen.Features.BulkMemory | binaryen.Features.BulkMemoryOpt |
  binaryen.Features.NontrappingFPToInt | binaryen.Features.ReferenceTypes | binaryen.Features.Multivalue |
  binaryen.Features.SignExt | binaryen.Features.MutableGlobals;

// Keeps the name section through the round trip: wasm-opt drops it later unless asked (`-g`)
// to keep it for profiling.
binaryen.setDebugInfo(true);

function readModule(bytes) {
  const module = binaryen.readBinary(bytes);
  module.setFeatures(FEATURES);
  return module;
}

function mutableGlobals(module) {
  const globals = [];
  for (let i = 0; i < module.getNumGlobals(); i++) {
    const info = binaryen.getGlobalInfo(module.getGlobalByIndex(i));
    if (!info.mutable || info.module) continue;
    if (info.type !== binaryen.i32) throw new Error(`mutable global ${info.name} is not an i32`);
    const init = binaryen.getExpressionInfo(info.init);
    if (init.id !== binaryen.ConstId) throw new Error(`global ${info.name} has no constant initial value`);
    globals.push({ name: info.name, exportName: `${EXPORT}_global_${globals.length}`, initial: init.value });
  }
  return globals;
}

function lowestDataOffset(module) {
  let lowest = Infinity;
  for (let i = 0; i < module.getNumDataSegments(); i++) {
    const info = module.getDataSegmentInfo(module.getDataSegmentByIndex(i));
    if (info.passive) throw new Error('passive data segments are not supported');
    lowest = Math.min(lowest, info.offset);
  }
  return lowest;
}

// 1. Run the call on an instance of the module with the globals exported.
const probe = readModule(original);
const globals = mutableGlobals(probe);
const stackPointer = globals.find((g) => g.name === '__stack_pointer');
if (!stackPointer) throw new Error('no __stack_pointer global');
if (stackPointer.initial > lowestDataOffset(probe)) throw new Error('the stack is not below the data');
for (const g of globals) probe.addGlobalExport(g.name, g.exportName);
const probeBytes = probe.emitBinary();
probe.dispose();

const probeModule = new WebAssembly.Module(probeBytes);
const imports = {};
for (const { module: from, name, kind } of WebAssembly.Module.imports(probeModule)) {
  if (kind !== 'function') throw new Error(`unexpected ${kind} import ${from}.${name}`);
  imports[from] ??= {};
  imports[from][name] = () => {
    throw new Error(`${EXPORT} called the import ${from}.${name}: its memory would depend on JS`);
  };
}
const { exports } = new WebAssembly.Instance(probeModule, imports);
if (typeof exports[ZERO_FREED] !== 'function') throw new Error(`the module has no ${ZERO_FREED} export`);
exports[ZERO_FREED](1);
if (exports[EXPORT]() !== 1) throw new Error(`${EXPORT} failed`);
exports[ZERO_FREED](0);
for (const g of globals) g.value = exports[g.exportName].value;
if (stackPointer.value !== stackPointer.initial) throw new Error('the stack is not balanced after the call');
const memory = new Uint8Array(exports.memory.buffer.slice(0));
memory.fill(0, 0, stackPointer.initial);

// 2. The memory image as data segments: its non-zero runs.
const segments = [];
for (let at = 0; at < memory.length; ) {
  while (at < memory.length && memory[at] === 0) at++;
  if (at === memory.length) break;
  let end = at;
  for (let zeros = 0; end + zeros < memory.length && zeros < SEGMENT_GAP; ) {
    if (memory[end + zeros] === 0) zeros++;
    else { end += zeros + 1; zeros = 0; }
  }
  segments.push({ start: at, end });
  at = end;
}

// 3. The original module with that memory, those globals, and no preinitialize export.
const module = readModule(original);
const memoryInfo = module.getMemoryInfo();
const memoryExport = Array.from({ length: module.getNumExports() }, (_, i) => binaryen.getExportInfo(module.getExportByIndex(i)))
  .find((e) => e.kind === binaryen.ExternalMemory);
module.removeExport(memoryExport.name);
module.setMemory(
  memory.length / PAGE,
  memoryInfo.max ?? -1,
  memoryExport.name,
  segments.map(({ start, end }) => ({ offset: module.i32.const(start), data: memory.subarray(start, end), passive: false })),
);
for (const g of globals) {
  if (g.value === g.initial) continue;
  module.removeGlobal(g.name);
  module.addGlobal(g.name, binaryen.i32, true, module.i32.const(g.value));
}
module.removeExport(EXPORT);
module.removeExport(ZERO_FREED);
if (!module.validate()) throw new Error('the preinitialized module does not validate');
const result = module.emitBinary();
module.dispose();
writeFileSync(wasmPath, result);

const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
console.log(
  `preinitialized: ${segments.length} data segments, ${kib(segments.reduce((n, s) => n + s.end - s.start, 0))} of ` +
    `${kib(memory.length)} memory; module ${kib(original.length)} -> ${kib(result.length)}`,
);
