// Builds a ruleset into a module's initial memory: the package's build does it for the default
// ruleset of the full module, and `orgwarden compile` for the user's ruleset of the compiled
// runtime.
//
// Parsing a schema and its policies is most of a cold start, and its result is the same on
// every start. So it is done once: the module is instantiated, its raw export
// `orgwarden_preinitialize` (src/wasm.rs) is called, and the memory that call leaves is written
// back into the module as its data segments. At run time `new Authorizer()` then finds the
// ruleset already built. The raw exports are removed after.
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

const EXPORT = 'orgwarden_preinitialize';
const ZERO_FREED = 'orgwarden_zero_freed_memory';
/** The compiled runtime's: a buffer for the options the call builds (src/wasm.rs). */
const INPUT = 'orgwarden_compile_input';
const PAGE = 65536;
// Zero runs shorter than this stay inside a segment: a segment's header costs about as much.
const SEGMENT_GAP = 64;

// The WebAssembly features the package's modules are built and optimized with, each as
// wasm-opt's flag names it and as binaryen's API does. With all of binaryen's features it
// writes encodings (compact imports) that engines do not read yet.
const FEATURES = [
  ['bulk-memory', 'BulkMemory'],
  ['bulk-memory-opt', 'BulkMemoryOpt'],
  ['nontrapping-float-to-int', 'NontrappingFPToInt'],
  ['reference-types', 'ReferenceTypes'],
  ['multivalue', 'Multivalue'],
  ['sign-ext', 'SignExt'],
  ['mutable-globals', 'MutableGlobals'],
];

/** The features, for binaryen's API. */
export function wasmFeatures(binaryen) {
  return FEATURES.reduce((all, [, name]) => all | binaryen.Features[name], binaryen.Features.MVP);
}

/** The same features as wasm-opt's command-line flags. */
export const WASM_OPT_FEATURE_FLAGS = FEATURES.map(([flag]) => `--enable-${flag}`);

function readModule(binaryen, bytes) {
  const module = binaryen.readBinary(bytes);
  module.setFeatures(wasmFeatures(binaryen));
  return module;
}

function mutableGlobals(binaryen, module) {
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

function lowestDataOffset(binaryen, module) {
  let lowest = Infinity;
  for (let i = 0; i < module.getNumDataSegments(); i++) {
    const info = module.getDataSegmentInfo(module.getDataSegmentByIndex(i));
    if (info.passive) throw new Error('passive data segments are not supported');
    lowest = Math.min(lowest, info.offset);
  }
  return lowest;
}

function exportNames(binaryen, module) {
  return Array.from({ length: module.getNumExports() }, (_, i) => binaryen.getExportInfo(module.getExportByIndex(i)));
}

/** Runs the call on an instance with every global exported; the memory and globals it leaves. */
function run(binaryen, original, input) {
  const probe = readModule(binaryen, original);
  const globals = mutableGlobals(binaryen, probe);
  const stackPointer = globals.find((g) => g.name === '__stack_pointer');
  if (!stackPointer) throw new Error('no __stack_pointer global');
  if (stackPointer.initial > lowestDataOffset(binaryen, probe)) throw new Error('the stack is not below the data');
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
  if (input !== undefined) {
    if (typeof exports[INPUT] !== 'function') throw new Error('this module takes no compile input: it is not the compiled runtime');
    const at = exports[INPUT](input.length);
    if (at === 0) throw new Error('the module could not make room for the compile input');
    new Uint8Array(exports.memory.buffer, at, input.length).set(input);
  }
  exports[ZERO_FREED](1);
  const built = exports[EXPORT]();
  exports[ZERO_FREED](0);
  if (built !== 1) throw new Error(`${EXPORT} failed`);
  for (const g of globals) g.value = exports[g.exportName].value;
  if (stackPointer.value !== stackPointer.initial) throw new Error('the stack is not balanced after the call');
  const memory = new Uint8Array(exports.memory.buffer.slice(0));
  memory.fill(0, 0, stackPointer.initial);
  return { memory, globals };
}

/** The memory image as data segments: its non-zero runs. */
function segmentsOf(memory) {
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
  return segments;
}

/**
 * The module `original` (bytes) with what `orgwarden_preinitialize` builds in its initial
 * memory, and without the raw exports. `input`, for the compiled runtime, is the engine
 * options' JSON as bytes. `binaryen` is the npm package's default export.
 */
export function preinitialize(binaryen, original, input) {
  // Keeps the name section through the round trip: wasm-opt drops it later unless asked (`-g`)
  // to keep it for profiling.
  binaryen.setDebugInfo(true);
  const { memory, globals } = run(binaryen, original, input);
  const segments = segmentsOf(memory);

  const module = readModule(binaryen, original);
  const exports = exportNames(binaryen, module);
  const memoryInfo = module.getMemoryInfo();
  const memoryExport = exports.find((e) => e.kind === binaryen.ExternalMemory);
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
  for (const name of [EXPORT, ZERO_FREED, INPUT]) {
    if (exports.some((e) => e.name === name)) module.removeExport(name);
  }
  if (!module.validate()) throw new Error('the preinitialized module does not validate');
  const result = module.emitBinary();
  module.dispose();
  const kib = (n) => `${(n / 1024).toFixed(0)} KiB`;
  return {
    bytes: result,
    summary:
      `preinitialized: ${segments.length} data segments, ${kib(segments.reduce((n, s) => n + s.end - s.start, 0))} of ` +
      `${kib(memory.length)} memory; module ${kib(original.length)} -> ${kib(result.length)}`,
  };
}
