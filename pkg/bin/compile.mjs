// `orgwarden compile`: policies compiled ahead of time into a module for `orgwarden/compiled`.
//
//   orgwarden compile [--policies <file or directory>]... [--schema <file.cedarschema>]
//                     [--no-default-policies] -o <out.wasm>
//
// 1. The policies (every `.cedar` file of a directory, in name order) are validated against the
//    schema in strict mode by the full package, as `validatePolicies` does at run time: any
//    error is printed as `file:line:column: message` and nothing is written.
// 2. The compiled runtime's source module (dist/orgwarden_compiled_source.wasm: the runtime with
//    the parser still reachable from one build-time export) builds that ruleset, and the memory
//    it leaves becomes the module's initial memory (./preinitialize.mjs).
// 3. wasm-opt removes the build-time exports and, with them, everything only they reached: the
//    policy and schema parsers, the validator and the row planner (./optimize.mjs).
// 4. The result is loaded in a fresh process through `orgwarden/compiled` and must list the
//    policies step 1 validated.
// Needs Node and npm's `binaryen` (a dev dependency of the project that compiles), no Rust.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError, diagnosticLine, errorLines, readInput, sourceName } from './report.mjs';
import { optimize } from './optimize.mjs';
import { preinitialize } from './preinitialize.mjs';
import { sizeTable } from './sizes.mjs';

export const compileUsage =
  'usage: orgwarden compile [--policies <file or directory>]... [--schema <file.cedarschema>] [--no-default-policies] -o <out.wasm>';

const SOURCE_MODULE = new URL('../dist/orgwarden_compiled_source.wasm', import.meta.url);
const COMPILED_ENTRY = new URL('../entries/compiled-node.js', import.meta.url);

function parseArgs(args) {
  const parsed = { policies: [], schema: undefined, includeDefaultPolicies: true, out: undefined };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith('-')) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--policies') parsed.policies.push(value());
    else if (arg === '--schema') parsed.schema = value();
    else if (arg === '--no-default-policies') parsed.includeDefaultPolicies = false;
    else if (arg === '-o' || arg === '--out') parsed.out = value();
    else throw new UsageError(`unknown argument ${arg}`);
  }
  if (!parsed.out) throw new UsageError('-o <out.wasm> is required');
  return parsed;
}

/** Every `.cedar` file under `path` (or `path` itself), in name order, named as given. */
function policyFiles(path) {
  if (!existsSync(path)) throw new UsageError(`--policies ${path}: no such file or directory`);
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((entry) => {
      const inner = join(path, entry.name);
      if (entry.isDirectory()) return policyFiles(inner);
      return entry.name.endsWith('.cedar') ? [inner] : [];
    });
}

function engineOptions({ policies, schema, includeDefaultPolicies }) {
  const files = policies.flatMap((path) => {
    const found = policyFiles(path);
    // A directory without policies is a wrong path, not a wish to compile none from it.
    if (found.length === 0) throw new UsageError(`--policies ${path}: no .cedar files in it`);
    return found;
  });
  return {
    ...(schema === undefined ? {} : { schema: readInput(schema, `--schema ${schema}`) }),
    policies: files.map((file) => ({ name: sourceName(file), text: readInput(file, `--policies ${file}`) })),
    includeDefaultPolicies,
  };
}

async function loadBinaryen() {
  try {
    return (await import('binaryen')).default;
  } catch (error) {
    throw new UsageError(
      `orgwarden compile needs npm's binaryen in the project that compiles: npm install --save-dev binaryen (${error.code ?? error.message})`,
    );
  }
}

/** Loads the module through `orgwarden/compiled` in a fresh process (one build per program). */
function loadedPolicyCount(path) {
  const script = `
    import { initSync, Authorizer } from ${JSON.stringify(COMPILED_ENTRY.href)};
    initSync({ module: ${JSON.stringify(path)} });
    const authz = new Authorizer();
    process.stdout.write(String(authz.policies().length));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`the compiled module does not load: ${run.stderr}`);
  return Number(run.stdout);
}

/**
 * Steps 2 and 3: the runtime's source module with the ruleset of `options` (engine options)
 * built into its memory, optimized into `out` without the build-time exports. `keepNames`
 * keeps the function names, for bench/size-breakdown.mjs.
 */
export function compileModule(binaryen, options, out, { keepNames = false } = {}) {
  const built = preinitialize(binaryen, readFileSync(SOURCE_MODULE), new TextEncoder().encode(JSON.stringify(options)));
  const work = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  try {
    const preinitialized = join(work, 'preinitialized.wasm');
    writeFileSync(preinitialized, built.bytes);
    optimize(preinitialized, out, { keepNames });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Whether the refusal of `options` comes (at least in part) from the default policies failing
 * against a custom schema: they are written for the embedded one, and a user who replaces it
 * may not know they are still in the set. Asked on the refusal path only, by validating the
 * defaults alone against that schema; a schema that is itself invalid is its own error.
 */
function defaultPoliciesRefusedBy(validatePolicies, { schema, includeDefaultPolicies }) {
  if (schema === undefined || !includeDefaultPolicies) return false;
  const alone = validatePolicies({ schema, includeDefaultPolicies: true });
  return alone.type !== 'success' && alone.errors.some((error) => error.code === 'INVALID_POLICY');
}

/** Runs the command; resolves to its exit code. */
export async function compile(args) {
  let parsed;
  let options;
  try {
    parsed = parseArgs(args);
    options = engineOptions(parsed);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`orgwarden compile: ${error.message}\n${compileUsage}`);
    return 2;
  }
  // The full package validates (and, in step 4, the compiled one loads) in separate programs.
  const { validatePolicies } = await import('../entries/node.js');
  const validated = validatePolicies(options);
  if (validated.type !== 'success') {
    for (const error of validated.errors) console.error(errorLines(error, { schemaFile: parsed.schema }).join('\n'));
    if (defaultPoliciesRefusedBy(validatePolicies, options)) {
      console.error(
        `orgwarden compile: hint: the default policies are validated against the custom schema (--schema ${parsed.schema}) too; ` +
          '--no-default-policies leaves them out',
      );
    }
    return 1;
  }
  // Valid, yet likely not what was meant (a policy no request can match): said, not refused.
  for (const warning of validated.warnings) console.error(`orgwarden compile: warning: ${diagnosticLine(warning)}`);
  let binaryen;
  try {
    binaryen = await loadBinaryen();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 1;
  }
  compileModule(binaryen, options, parsed.out);
  const count = loadedPolicyCount(parsed.out);
  if (count !== validated.policies.length) {
    throw new Error(`the compiled module lists ${count} policies where ${validated.policies.length} were validated`);
  }
  console.log(`orgwarden compile: ${count} policies compiled into ${parsed.out}`);
  console.log(sizeTable([[parsed.out, readFileSync(parsed.out)]]));
  return 0;
}
