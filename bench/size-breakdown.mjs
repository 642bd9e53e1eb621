// Where the bytes of the .wasm are: code by crate, and the memory image (data segments) by
// what it holds. Prints markdown tables for BENCHMARKS.md ("Where the bytes are").
//
//   CARGO_TARGET_DIR=target/variants/cargo ORGWARDEN_OUT=target/variants/named \
//     ORGWARDEN_KEEP_NAMES=1 bash scripts/build-wasm.sh
//   node bench/size-breakdown.mjs target/variants/named
//
// The variant is the package's build with the function names kept (`wasm-opt -g`) and the
// linker's map written; its code and data are the package's byte for byte, the name section
// aside, which this script leaves out of every module total. The map places the static data
// (.rodata, .data, .bss) by symbol; the directory's `orgwarden.map` is read when present.
//
// Attribution:
// - a function belongs to the first crate its demangled name mentions that is not core, alloc
//   or std (a generic of the standard library instantiated for a Cedar type counts as Cedar);
//   cedar_policy_core is split by module, since its parsers, validator and evaluator are what
//   a runtime without text input could or could not drop;
// - most static data is anonymous after LTO (`.Lanon.<module hash>.<n>`): one hash per
//   original module. A hash is named by the strings its data holds (MARKERS below); the rest
//   stays "unattributed";
// - the memory image above the static data is the heap the preinitialization left: the
//   default ruleset and what else it built, and whatever the allocator holds as free.
// gzip and brotli of a part are of that part's bytes compressed alone: they show how well a
// part compresses, and do not add up to the module's.

import { existsSync, readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

import { reader, sections } from './wasm-sections.mjs';

const dir = process.argv[2] ?? 'target/variants/named';
const wasmPath = `${dir}/orgwarden_bg.wasm`;
const mapPath = `${dir}/orgwarden.map`;
const bytes = readFileSync(wasmPath);

const all = sections(bytes);
const section = (id, name) => all.find((s) => s.id === id && s.name === name);

// Function bodies, indexed past the imported functions.
let importedFunctions = 0;
const imports = section(2);
if (imports) {
  const r = reader(bytes, imports.body);
  for (let n = r.u32(); n > 0; n--) {
    r.name();
    r.name();
    const kind = bytes[r.at++];
    if (kind === 0) {
      r.u32();
      importedFunctions++;
    } else if (kind === 1) {
      r.at++;
      const flags = r.u32();
      r.u32();
      if (flags & 1) r.u32();
    } else if (kind === 2) {
      const flags = r.u32();
      r.u32();
      if (flags & 1) r.u32();
    } else if (kind === 3) {
      r.at += 2;
    } else throw new Error(`import kind ${kind}`);
  }
}
const bodies = [];
{
  const code = section(10);
  const r = reader(bytes, code.body);
  for (let n = r.u32(), i = 0; i < n; i++) {
    const size = r.u32();
    bodies.push({ index: importedFunctions + i, start: r.at, size });
    r.at += size;
  }
}

const names = new Map();
const nameSection = section(0, 'name');
if (!nameSection) throw new Error(`${wasmPath} has no name section: build it with ORGWARDEN_WASM_OPT_FLAGS=-g`);
{
  const r = reader(bytes, nameSection.body);
  r.name();
  while (r.at < nameSection.end) {
    const kind = bytes[r.at++];
    const size = r.u32();
    const end = r.at + size;
    if (kind === 1) {
      for (let n = r.u32(); n > 0; n--) {
        const index = r.u32();
        names.set(index, r.name());
      }
    }
    r.at = end;
  }
}

const segments = [];
{
  const data = section(11);
  const r = reader(bytes, data.body);
  for (let n = r.u32(); n > 0; n--) {
    const flags = r.u32();
    if (flags === 2) r.u32();
    if (flags === 1) throw new Error('passive data segments are not read here');
    if (bytes[r.at++] !== 0x41) throw new Error('a data segment offset is not an i32.const');
    const offset = r.i32();
    if (bytes[r.at++] !== 0x0b) throw new Error('a data segment offset is not a constant');
    const size = r.u32();
    segments.push({ offset, bytes: bytes.subarray(r.at, r.at + size) });
    r.at += size;
  }
}

// --- sizes --------------------------------------------------------------------------------

function sizes(buffer) {
  return {
    raw: buffer.length,
    gzip: gzipSync(buffer, { level: 9 }).length,
    brotli: brotliCompressSync(buffer, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buffer.length },
    }).length,
  };
}
const kib = (n) => `${(n / 1024).toLocaleString('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 })}`;
const row = (cells) => `| ${cells.join(' | ')} |`;
const sizeCells = (s) => [kib(s.raw), kib(s.gzip), kib(s.brotli)];

// The module as shipped: the same bytes without the name section.
const shipped = Buffer.concat([bytes.subarray(0, nameSection.start), bytes.subarray(nameSection.end)]);
const code = section(10);
const data = section(11);
const shippedSizes = sizes(shipped);
console.log(`Module \`${wasmPath}\` without its name section (as shipped): ${sizeCells(shippedSizes).join(' / ')} KiB raw / gzip / brotli.\n`);
console.log(row(['section', 'raw KiB', 'gzip KiB', 'brotli KiB']));
console.log(row(['---', '---:', '---:', '---:']));
console.log(row(['code', ...sizeCells(sizes(bytes.subarray(code.start, code.end)))]));
console.log(row(['data (the memory image)', ...sizeCells(sizes(bytes.subarray(data.start, data.end)))]));
const rest = Buffer.concat(all.filter((s) => s !== code && s !== data && s !== nameSection).map((s) => bytes.subarray(s.start, s.end)));
console.log(row(['everything else (types, imports, exports, table)', ...sizeCells(sizes(rest))]));
console.log(row(['whole module', ...sizeCells(shippedSizes)]));

// --- code by crate ------------------------------------------------------------------------

const STD = new Set(['core', 'alloc', 'std']);
// cedar_policy_core modules grouped by what they do.
const CEDAR_CORE_PARTS = [
  [/^cedar_policy_core::validator::(cedar_schema|json_schema|schema|str_checks|schema_errors)/, 'cedar_policy_core: schema parsing and building'],
  [/^cedar_policy_core::validator/, 'cedar_policy_core: validator (typecheck)'],
  [/^cedar_policy_core::parser::text_to_cst::grammar/, 'cedar_policy_core: policy grammar (lalrpop)'],
  [/^cedar_policy_core::(parser|est|fuzzy_match)/, 'cedar_policy_core: policy parser (CST → AST), EST'],
  [/^cedar_policy_core::(evaluator|authorizer)/, 'cedar_policy_core: evaluator, authorizer'],
  [/^cedar_policy_core::entities/, 'cedar_policy_core: entities (JSON)'],
  [/^cedar_policy_core::extensions/, 'cedar_policy_core: extensions (decimal, ipaddr, datetime)'],
  [/^cedar_policy_core::/, 'cedar_policy_core: ast and the rest'],
];

function crateOf(name) {
  // wasm-opt names none of the functions it makes (outlined or merged code).
  if (!name) return 'unnamed (made by wasm-opt)';
  if (/^(__wbg_|__wbindgen|__externref|wasm_bindgen::|js_sys::)/.test(name)) return 'wasm-bindgen glue';
  const paths = [...name.matchAll(/(?:^|[<&(\[ *,])(?:dyn |mut |const )*([a-z_][a-z0-9_]*)::/g)].map((m) => m[1]);
  // The exports of src/wasm.rs and their shims carry their JS names: the call's own code,
  // with what wasm-opt inlined into it.
  if (!paths.length) return /^(__|mem[a-z]+$)/.test(name) ? 'compiler builtins' : 'orgwarden: wasm exports';
  const crate = paths.find((c) => !STD.has(c)) ?? 'core, alloc, std';
  if (crate !== 'cedar_policy_core') return crate;
  const path = name.slice(name.indexOf('cedar_policy_core::'));
  return CEDAR_CORE_PARTS.find(([pattern]) => pattern.test(path))?.[1] ?? 'cedar_policy_core';
}

const byCrate = new Map();
for (const body of bodies) {
  const crate = crateOf(names.get(body.index));
  const entry = byCrate.get(crate) ?? { functions: 0, parts: [] };
  entry.functions++;
  entry.parts.push(bytes.subarray(body.start, body.start + body.size));
  byCrate.set(crate, entry);
}
const codeTotal = bodies.reduce((n, b) => n + b.size, 0);
const crates = [...byCrate].map(([crate, e]) => ({ crate, functions: e.functions, ...sizes(Buffer.concat(e.parts)) }));
crates.sort((a, b) => b.raw - a.raw);
const SHOWN = 24;
console.log(`\nCode: ${bodies.length.toLocaleString('en-US')} function bodies, ${kib(codeTotal)} KiB.\n`);
console.log(row(['code of', 'functions', 'raw KiB', 'share', 'gzip KiB', 'brotli KiB']));
console.log(row(['---', '---:', '---:', '---:', '---:', '---:']));
for (const c of crates.slice(0, SHOWN)) {
  console.log(row([c.crate, c.functions, kib(c.raw), `${((100 * c.raw) / codeTotal).toFixed(1)}%`, kib(c.gzip), kib(c.brotli)]));
}
const others = crates.slice(SHOWN);
if (others.length) {
  const raw = others.reduce((n, c) => n + c.raw, 0);
  console.log(row([`${others.length} other crates`, others.reduce((n, c) => n + c.functions, 0), kib(raw), `${((100 * raw) / codeTotal).toFixed(1)}%`, '', '']));
}

// --- the memory image ---------------------------------------------------------------------

// Static data symbols from the linker's map: address, size, symbol, output section.
function staticSymbols() {
  if (!existsSync(mapPath)) return null;
  const symbols = [];
  const sectionsSeen = {};
  let current = null;
  for (const line of readFileSync(mapPath, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4) continue;
    const [address, , size, what] = fields;
    if (/^\.(rodata|data|bss|tdata)$/.test(what)) {
      current = what;
      sectionsSeen[what] = { start: parseInt(address, 16), size: parseInt(size, 16) };
    } else if (address === '-') current = null;
    else if (current && what.includes(':(')) {
      symbols.push({ section: current, address: parseInt(address, 16), size: parseInt(size, 16), symbol: what.slice(what.lastIndexOf(':(') + 2, -1) });
    }
  }
  return { symbols, sections: sectionsSeen };
}

// Names for the anonymous data of a module hash, by a string its data holds.
const schemaText = readFileSync('policies/schema.cedarschema', 'utf8').slice(0, 60);
const MARKERS = [
  ['regex-syntax (Unicode tables)', 'Hiragana'],
  ['regex-automata', 'lazy DFA'],
  ['orgwarden (embedded schema and policies text)', schemaText],
  ['cedar_policy_core (lalrpop tables, messages)', 'commonTypes'],
  ['cedar-policy', 'internal invariant violation: template id'],
  ['serde_json', 'EOF while parsing'],
];

function memoryAt(address, size) {
  const out = Buffer.alloc(size);
  for (const s of segments) {
    const from = Math.max(address, s.offset);
    const to = Math.min(address + size, s.offset + s.bytes.length);
    if (from < to) s.bytes.copy(out, from - address, from - s.offset, to - s.offset);
  }
  return out;
}

const layout = staticSymbols();
const image = [];
if (layout) {
  const groups = new Map();
  for (const s of layout.symbols) {
    const anon = s.symbol.match(/\.Lanon\.([0-9a-f]+)\./);
    const key = anon ? `anon ${anon[1]}` : crateOfSymbol(s.symbol, s.section);
    const g = groups.get(key) ?? { parts: [] };
    g.parts.push(memoryAt(s.address, s.size));
    groups.set(key, g);
  }
  const named = new Map();
  for (const [key, g] of groups) {
    const text = Buffer.concat(g.parts).toString('latin1');
    const label = key.startsWith('anon ')
      ? (MARKERS.find(([, marker]) => text.includes(marker))?.[0] ?? 'unattributed anonymous data')
      : key;
    named.set(label, [...(named.get(label) ?? []), ...g.parts]);
  }
  for (const [label, parts] of named) image.push({ part: `static: ${label}`, ...sizes(Buffer.concat(parts)) });
  image.sort((a, b) => b.raw - a.raw);
}

// Static data named by its (mangled) symbol: the crate of the symbol's first path.
function crateOfSymbol(symbol, sectionName) {
  const legacy = symbol.match(/_ZN(\d+)([A-Za-z_][A-Za-z0-9_]*)/);
  if (legacy) return `${legacy[2].slice(0, Number(legacy[1]))} (named ${sectionName})`;
  // v0 mangling: a crate root is `C`, an optional disambiguator `s<base62>_`, then the
  // crate's name with its length in front.
  const v0 = [...symbol.matchAll(/C(?:s[0-9A-Za-z]*_)?(\d+)([a-z_][a-z0-9_]*)/g)].map((m) => m[2].slice(0, Number(m[1])));
  const crate = v0.find((c) => !STD.has(c)) ?? v0[0];
  return crate ? `${crate} (named ${sectionName})` : `other named ${sectionName}`;
}

// The preinitialized heap: every byte above the static data.
const staticEnd = layout
  ? Math.max(...Object.values(layout.sections).map((s) => s.start + s.size))
  : Math.min(...segments.map((s) => s.offset));
const heapParts = segments.filter((s) => s.offset >= staticEnd).map((s) => s.bytes);
const heap = Buffer.concat(heapParts);
const allSegments = Buffer.concat(segments.map((s) => s.bytes));
console.log(`\nMemory image: ${segments.length} data segments, ${kib(allSegments.length)} KiB.\n`);
console.log(row(['image part', 'raw KiB', 'gzip KiB', 'brotli KiB']));
console.log(row(['---', '---:', '---:', '---:']));
const SHOWN_DATA = 10;
for (const p of image.slice(0, SHOWN_DATA)) console.log(row([p.part, ...sizeCells(p)]));
if (image.length > SHOWN_DATA) {
  const rest = image.slice(SHOWN_DATA);
  console.log(row([`static: ${rest.length} other parts`, kib(rest.reduce((n, p) => n + p.raw, 0)), '', '']));
}
console.log(row([`heap left by the preinitialization (${heapParts.length} segments)`, ...sizeCells(sizes(heap))]));
console.log(row(['all data segments', ...sizeCells(sizes(allSegments))]));
