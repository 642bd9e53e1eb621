// `orgwarden compile` on this checkout's package: a custom schema with its own policies only,
// and the refusals of bad arguments. The consumer tests compile through the packed tarball
// with the default schema, and check Cedar's diagnostics there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'pkg/bin/orgwarden.mjs');
const compiledEntry = new URL('../../pkg/entries/compiled-node.js', import.meta.url).href;

const schema = `
entity User;
entity Document { owner: User };
action "read" appliesTo { principal: User, resource: Document };
action "share" appliesTo { principal: User, resource: Document };
`;
const ownersRead = '@id("owners-read")\npermit (principal, action == Action::"read", resource) when { resource.owner == principal };\n';

const compile = (args, cwd) => spawnSync(process.execPath, [cli, 'compile', ...args], { cwd, encoding: 'utf8' });

/** Decisions of the compiled module at `wasm`, in a fresh process (one build per program). */
function decide(wasm) {
  const script = `
    import { initSync, Authorizer } from ${JSON.stringify(compiledEntry)};
    initSync({ module: ${JSON.stringify(wasm)} });
    const authz = new Authorizer();
    const loaded = authz.loadEntities([
      { uid: { type: 'User', id: 'ann' }, attrs: {}, parents: [] },
      { uid: { type: 'User', id: 'bob' }, attrs: {}, parents: [] },
      { uid: { type: 'Document', id: 'plan' }, attrs: { owner: { type: 'User', id: 'ann' } }, parents: [] },
    ]);
    const ask = (user, action) => authz.check({ type: 'User', id: user }, action, { type: 'Document', id: 'plan' });
    console.log(JSON.stringify({
      loaded: loaded.type,
      policies: authz.policies().map((p) => p.id),
      annReads: ask('ann', 'read').allowed,
      bobReads: ask('bob', 'read').allowed,
      annShares: ask('ann', 'share').allowed,
      orgAction: ask('ann', 'viewBilling').errors?.[0]?.code,
      // The module's own setting is taken; the other one would need the parser.
      asCompiled: refusal(() => new Authorizer({ includeDefaultPolicies: false })),
      otherwise: refusal(() => new Authorizer({ includeDefaultPolicies: true })),
    }));
    function refusal(make) {
      try { make().free(); return null; } catch (error) { return error.code; }
    }`;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

test('compile: a custom schema with only its own policies decides by them alone', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'schema.cedarschema'), schema);
  writeFileSync(join(dir, 'policies', 'documents.cedar'), ownersRead);
  const run = compile(['--schema', 'schema.cedarschema', '--no-default-policies', '--policies', 'policies', '-o', 'docs.wasm'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /1 policies compiled into docs\.wasm/);
  assert.deepEqual(decide(join(dir, 'docs.wasm')), {
    loaded: 'success',
    policies: ['owners-read'],
    annReads: true,
    bobReads: false,
    annShares: false,
    orgAction: 'UNKNOWN_ACTION',
    asCompiled: null,
    otherwise: 'COMPILED_RUNTIME',
  });
});

test('compile: a wrong path, an empty directory or a missing option is one line and exit 2, writing nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'schema.cedarschema'));
  const cases = [
    [['--schema', 'schema.cedarschema', '-o', 'out.wasm'], /--schema schema\.cedarschema: is a directory, not a file/],
    [['--policies', 'nosuch', '-o', 'out.wasm'], /--policies nosuch: no such file or directory/],
    [['--policies', 'empty', '-o', 'out.wasm'], /--policies empty: no \.cedar files in it/],
    [['--schema', 'nosuch.cedarschema', '-o', 'out.wasm'], /--schema nosuch\.cedarschema: no such file/],
    [['--policies', 'empty'], /-o <out\.wasm> is required/],
    [['--policies'], /--policies needs a value/],
    [['--optimize', '-o', 'out.wasm'], /unknown argument --optimize/],
  ];
  for (const [args, message] of cases) {
    const run = compile(args, dir);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr.split('\n')[0], message);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.equal(existsSync(join(dir, 'out.wasm')), false);
});

test('compile: a policy the custom schema does not allow is refused at its line and column', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  writeFileSync(join(dir, 'schema.cedarschema'), schema);
  writeFileSync(join(dir, 'bad.cedar'), 'permit (principal, action == Action::"read", resource)\nwhen { resource.title == "x" };\n');
  const run = compile(['--schema', 'schema.cedarschema', '--no-default-policies', '--policies', 'bad.cedar', '-o', 'bad.wasm'], dir);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^orgwarden: INVALID_POLICY: /);
  assert.match(run.stderr, /bad\.cedar:2:8: .*title/);
  assert.equal(existsSync(join(dir, 'bad.wasm')), false);
});

test('compile: an invalid schema is reported at its line and column in the schema file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  writeFileSync(join(dir, 'bad.cedarschema'), 'entity User;\nentity Doc { owner: Usr };\n');
  const run = compile(['--schema', 'bad.cedarschema', '--no-default-policies', '-o', 'bad.wasm'], dir);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^orgwarden: INVALID_SCHEMA: /);
  assert.match(run.stderr, /^ {2}bad\.cedarschema:2:21: failed to resolve type: Usr/m);
  assert.equal(existsSync(join(dir, 'bad.wasm')), false);
});

const defaultPoliciesHint = /default policies are validated against the custom schema .*--no-default-policies leaves them out/;

test('compile: default policies that fail against a custom schema keep their errors, and one line says how to leave them out', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  writeFileSync(join(dir, 'schema.cedarschema'), schema);
  writeFileSync(join(dir, 'documents.cedar'), ownersRead);
  const run = compile(['--schema', 'schema.cedarschema', '--policies', 'documents.cedar', '-o', 'docs.wasm'], dir);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /^orgwarden: INVALID_POLICY: /);
  assert.match(run.stderr, /^ {2}organization\.cedar:\d+:\d+: .*unrecognized entity type `Platform`/m);
  const hints = run.stderr.split('\n').filter((line) => defaultPoliciesHint.test(line));
  assert.deepEqual(hints, ['orgwarden compile: hint: the default policies are validated against the custom schema (--schema schema.cedarschema) too; --no-default-policies leaves them out']);
  assert.equal(existsSync(join(dir, 'docs.wasm')), false);

  // No hint where the defaults are not the ones failing: they are left out, or the schema itself is invalid.
  writeFileSync(join(dir, 'bad.cedar'), 'permit (principal, action == Action::"read", resource)\nwhen { resource.title == "x" };\n');
  writeFileSync(join(dir, 'bad.cedarschema'), 'entity User;\nentity Doc { owner: Usr };\n');
  for (const args of [
    ['--schema', 'schema.cedarschema', '--no-default-policies', '--policies', 'bad.cedar', '-o', 'bad.wasm'],
    ['--schema', 'bad.cedarschema', '-o', 'bad.wasm'],
  ]) {
    const refused = compile(args, dir);
    assert.equal(refused.status, 1, args.join(' '));
    assert.doesNotMatch(refused.stderr, defaultPoliciesHint, args.join(' '));
  }
});

test('compile: a valid policy that no request can match compiles, with a located warning', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-compile-'));
  writeFileSync(join(dir, 'schema.cedarschema'), schema);
  mkdirSync(join(dir, 'policies'));
  writeFileSync(join(dir, 'policies/read.cedar'), ownersRead);
  // `read` applies to documents, never to users.
  writeFileSync(join(dir, 'policies/never.cedar'), '@id("never")\npermit (principal, action == Action::"read", resource is User);\n');
  const run = compile(['--schema', 'schema.cedarschema', '--no-default-policies', '--policies', 'policies', '-o', 'warned.wasm'], dir);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /^orgwarden compile: warning: policies\/never\.cedar:1:1: for policy `never`, unable to find an applicable action/m);
  assert.doesNotMatch(run.stderr, /read\.cedar/, 'only the policy that cannot apply is named');
  assert.equal(decide(join(dir, 'warned.wasm')).annReads, true);
});
