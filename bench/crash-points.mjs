// Where the release module crashes on deep input, measured in the shipped kind of build:
//   node bench/crash-points.mjs            (builds the probe variant, then measures)
//   node bench/crash-points.mjs --no-build (measures the probe built last time)
//
// Cedar parses policies and schemas, checks and evaluates them, and closes entity hierarchies
// with recursive functions. In WebAssembly they run on two stacks: the module's own stack in
// its memory (Rust's 1 MiB by default; scripts/build-wasm.sh sets it) and the host's native
// stack, which V8 bounds at about 1 MB and no library can raise. The shape limits of
// src/limits.rs are refused before any of that runs; this script builds a variant without
// them (the cargo feature `crash-probe`, never shipped), finds by bisection the smallest input
// of each shape that traps, and prints each beside its limit. Each probe runs in its own
// process, since a trap's recovery is not what is measured here.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const probeDir = `${root}target/crash-probe`;
const stackBytes = process.env.ORGWARDEN_STACK_BYTES ?? '';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);

if (!process.argv.includes('--no-build')) {
  mkdirSync(probeDir, { recursive: true });
  execFileSync('bash', ['scripts/build-wasm.sh'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, ORGWARDEN_OUT: `${probeDir}/dist`, ORGWARDEN_FEATURES: 'crash-probe' },
  });
  cpSync(`${root}pkg/entries`, `${probeDir}/entries`, { recursive: true });
  cpSync(`${root}pkg/lib`, `${probeDir}/lib`, { recursive: true });
}

const repeat = (n, text) => Array(n).fill(text);
const policy = (condition) => `permit (principal, action, resource) when { ${condition} };`;
const entityChain = (n) =>
  Array.from({ length: n }, (_, i) => ({ uid: { type: 'Team', id: `t${i}` }, attrs: {}, parents: i ? [{ type: 'Team', id: `t${i - 1}` }] : [] }));

// Each shape: what it builds from n, the limit it meets in a shipped build, and the call.
const shapes = {
  '`1 + 1 + …` (operators)': { build: (n) => policy(`${repeat(n + 1, '1').join(' + ')} > 0`), limit: 'MAX_POLICY_OPERATORS', run: 'policy' },
  '`1 * 1 * …` (operators)': { build: (n) => policy(`${repeat(n + 1, '1').join(' * ')} > 0`), limit: 'MAX_POLICY_OPERATORS', run: 'policy' },
  '`principal.a.a.…` (operators)': { build: (n) => policy(`principal${'.a'.repeat(n)} == 1`), limit: 'MAX_POLICY_OPERATORS', run: 'policy' },
  '`true && true && …` (terms)': { build: (n) => policy(repeat(n, 'true').join(' && ')), limit: 'MAX_POLICY_OPERATORS', run: 'policy' },
  '`!!…!true` (operators)': { build: (n) => policy(`${'!'.repeat(n)}true`), limit: 'MAX_POLICY_OPERATORS', run: 'policy' },
  'nested `( … )`': { build: (n) => policy(`${'('.repeat(n)}true${')'.repeat(n)}`), limit: 'MAX_POLICY_NESTING', run: 'policy' },
  'nested `[ … ]`': { build: (n) => policy(`${'['.repeat(n)}1${']'.repeat(n)}.isEmpty() || true`), limit: 'MAX_POLICY_NESTING', run: 'policy' },
  'nested `if … then … else`': { build: (n) => policy(`${repeat(n, 'if true then true else').join(' ')} true`), limit: 'MAX_POLICY_NESTING', run: 'policy' },
  'schema: nested records': { build: (n) => `entity E { a: ${'{ a: '.repeat(n)}Long${' }'.repeat(n)} };`, limit: 'MAX_POLICY_NESTING', run: 'schema' },
  'schema: nested `Set<…>`': { build: (n) => `entity E { a: ${'Set<'.repeat(n)}Long${'>'.repeat(n)} };`, limit: 'MAX_POLICY_NESTING', run: 'schema' },
  'schema: chain of entity types': {
    build: (n) => Array.from({ length: n }, (_, i) => (i ? `entity E${i} in [E${i - 1}];` : 'entity E0;')).join('\n'),
    limit: 'MAX_SCHEMA_PARENTS',
    run: 'schema',
  },
  'entities: parent chain, loadEntities': { build: entityChain, limit: 'MAX_HIERARCHY_DEPTH', run: 'load' },
  'entities: parent chain, upsertEntities': { build: entityChain, limit: 'MAX_HIERARCHY_DEPTH', run: 'upsert' },
};

// One probe: exit 0 when the module answered and is still the first instance, 1 on a trap.
const probeSource = (run, input) => `
  const ow = await import(${JSON.stringify(`${probeDir}/entries/node.js`)});
  const input = ${JSON.stringify(input)};
  const user = { type: 'User', id: 'u' }, org = { type: 'Organization', id: 'o' };
  const snapshot = { users: [{ id: 'u', email: 'u@x.test' }], organizations: [{ id: 'o', name: 'o', members: [{ user: 'u', role: 'owner' }] }] };
  try {
    if (${JSON.stringify(run)} === 'policy') {
      const a = new ow.Authorizer({ policies: [{ name: 'probe.cedar', text: input }] });
      a.loadSnapshot(snapshot);
      a.check(user, 'viewBilling', org);
      a.free();
    } else if (${JSON.stringify(run)} === 'schema') {
      new ow.Authorizer({ schema: input, includeDefaultPolicies: false }).free();
    } else {
      const a = new ow.Authorizer();
      if (${JSON.stringify(run)} === 'load') a.loadEntities(input);
      else for (const entity of input) a.upsertEntities([entity]);
    }
  } catch (error) {
    if (!(error instanceof ow.OrgwardenError)) throw error;
  }
  // Which stack ran out: V8's native one (a RangeError) or the module's own (out of bounds).
  const { resets, lastTrap } = ow.moduleStatus();
  console.log(resets === 0 ? 'answered' : String(lastTrap).split(':')[0]);`;

const PROBE_SECONDS = 30;

// The trap of the last probe that crashed: RangeError (native stack) or RuntimeError (module).
let lastKind = '';

// true: answered; false: trapped; null: no answer within PROBE_SECONDS (too slow to bisect).
function survives(shape, n) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', probeSource(shape.run, shape.build(n))], {
    encoding: 'utf8',
    timeout: PROBE_SECONDS * 1000,
  });
  if (result.error?.code === 'ETIMEDOUT') return null;
  const answer = result.stdout.trim();
  if (answer === 'answered') return true;
  lastKind = answer || `exit ${result.status}`;
  return false;
}

// The smallest n that crashes, to within 2%, searching up to `ceiling`; or why there is none.
function crashPoint(shape, ceiling = 20_000) {
  let low = 1;
  let high = 8;
  for (;;) {
    const answered = survives(shape, high);
    if (answered === null) return `no crash up to ${low.toLocaleString('en')}; ${high.toLocaleString('en')} takes over ${PROBE_SECONDS} s`;
    if (!answered) break;
    low = high;
    high *= 2;
    if (high > ceiling) return `no crash up to ${ceiling.toLocaleString('en')}`;
  }
  let kind = lastKind;
  while (high - low > Math.max(1, Math.floor(low / 50))) {
    const middle = Math.floor((low + high) / 2);
    if (survives(shape, middle) !== false) low = middle;
    else [high, kind] = [middle, lastKind];
  }
  return `${high.toLocaleString('en')} (${kind})`;
}

console.log(`Crash points of the release module (stack ${stackBytes || 'as scripts/build-wasm.sh sets it'}), Node ${process.version}\n`);
console.log('| input shape | crashes at (±2%), and the trap | limit that refuses it first |');
console.log('| --- | --- | --- |');
for (const [name, shape] of Object.entries(shapes)) {
  if (only && !name.includes(only)) continue;
  const point = crashPoint(shape);
  console.log(`| ${name} | ${point} | \`${shape.limit}\` |`);
}
