// `orgwarden types`: typed names for a user's own schema, checked with tsc as a user would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'pkg/bin/orgwarden.mjs');
const tsc = join(root, 'node_modules/.bin/tsc');

const schema = `
entity User;
entity Document { owner: User };
action "read" appliesTo { principal: User, resource: Document };
action "share" appliesTo { principal: User, resource: Document };
`;

test('types: the embedded schema gives the names the package ships', () => {
  const printed = execFileSync(process.execPath, [cli, 'types'], { encoding: 'utf8' });
  assert.equal(printed, readFileSync(join(root, 'pkg/dist/names.d.ts'), 'utf8'));
});

test("types: a custom schema's names make typos fail tsc", () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-types-'));
  writeFileSync(join(dir, 'schema.cedarschema'), schema);
  execFileSync(process.execPath, [cli, 'types', join(dir, 'schema.cedarschema'), '-o', join(dir, 'names.d.ts')]);
  const names = readFileSync(join(dir, 'names.d.ts'), 'utf8');
  assert.match(names, /export type ActionName = "read" \| "share";/);
  assert.match(names, /export type EntityTypeName = "Document" \| "User";/);
  writeFileSync(
    join(dir, 'use.ts'),
    `import { Authorizer } from 'orgwarden';
import type { Names } from './names.js';
const authz: Authorizer<Names> = new Authorizer({ schema: '', includeDefaultPolicies: false });
authz.check({ type: 'User', id: 'u' }, 'read', { type: 'Document', id: 'd' });
// @ts-expect-error: no such action
authz.check({ type: 'User', id: 'u' }, 'delete', { type: 'Document', id: 'd' });
// @ts-expect-error: read applies to a Document
authz.check({ type: 'User', id: 'u' }, 'read', { type: 'User', id: 'd' });
`,
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true, noEmit: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext',
        lib: ['ES2022', 'DOM'], types: [], baseUrl: '.', paths: { orgwarden: [join(root, 'pkg/entries/auto.d.ts')] },
      },
      files: ['use.ts'],
    }),
  );
  const compiled = spawnSync(tsc, ['-p', dir], { encoding: 'utf8' });
  assert.equal(compiled.status, 0, compiled.stdout + compiled.stderr);
  // And the check bites: the same file without the expect-error comments does not compile.
  writeFileSync(join(dir, 'use.ts'), readFileSync(join(dir, 'use.ts'), 'utf8').replaceAll('// @ts-expect-error', '//'));
  const refused = spawnSync(tsc, ['-p', dir], { encoding: 'utf8' });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stdout, /"delete"/);
});

test('types: an invalid schema is reported at its line and column in the schema file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-types-'));
  writeFileSync(join(dir, 'bad.cedarschema'), 'entity User;\nentity Doc { owner: Usr };\n');
  const result = spawnSync(process.execPath, [cli, 'types', 'bad.cedarschema'], { cwd: dir, encoding: 'utf8' });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /^orgwarden: INVALID_SCHEMA: /);
  assert.match(result.stderr, /^ {2}bad\.cedarschema:2:21: failed to resolve type: Usr/m);
});

test('types: a schema file that is missing or not a file is one line with the usage and exit 2, no stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'orgwarden-types-'));
  mkdirSync(join(dir, 'folder.cedarschema'));
  for (const [file, message] of [
    ['nosuch.cedarschema', /^orgwarden types: nosuch\.cedarschema: no such file$/],
    ['folder.cedarschema', /^orgwarden types: folder\.cedarschema: is a directory, not a file$/],
  ]) {
    const result = spawnSync(process.execPath, [cli, 'types', file, '-o', 'names.d.ts'], { cwd: dir, encoding: 'utf8' });
    assert.equal(result.status, 2, `${file}: ${result.stderr}`);
    const lines = result.stderr.trimEnd().split('\n');
    assert.match(lines[0], message);
    assert.match(lines[1], /^usage: orgwarden types /);
    assert.doesNotMatch(result.stderr, /\n\s+at |ENOENT|EISDIR/, 'no stack trace, no raw error');
    assert.equal(existsSync(join(dir, 'names.d.ts')), false);
  }
});
