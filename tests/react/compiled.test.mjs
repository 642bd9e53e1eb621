// orgwarden/compiled/react in a real browser (node --test tests/react/): esbuild bundles
// tests/react/compiled.jsx with the compiled runtime as the package's "exports" offer it, a
// loopback server serves the bundle, and headless Chromium renders the decisions, which are
// compared with the full engine's, asked here in Node (the two builds decide the same).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { FIXTURE, ROOT, expectedFor, openBundledPage, pageHelpers } from './browser.mjs';

const COMPILED_MODULE = path.join(ROOT, 'pkg/dist/orgwarden_compiled_bg.wasm');

let opened; // the bundled page, served and open in Chromium
let bundled; // esbuild's metafile: what the bundle holds
let page;
let problems; // console errors and warnings, page errors, failed requests

before(
  async () => {
    opened = await openBundledPage('compiled.jsx');
    ({ metafile: bundled, page, problems } = opened);
  },
  { timeout: 120_000 },
);

after(() => opened?.close());

const { mount, visible, text, shownFor } = pageHelpers(() => page);
const fixture = JSON.parse(await fs.readFile(FIXTURE, 'utf8'));

test('the bundle holds the compiled runtime only: no glue or module of the full build', () => {
  const inputs = Object.keys(bundled.inputs).filter((input) => input.startsWith('pkg/'));
  for (const held of ['pkg/dist/orgwarden_compiled.js', 'pkg/dist/orgwarden_compiled_bg.wasm', 'pkg/react/compiled.js', 'pkg/react/bindings.js']) {
    assert.ok(inputs.includes(held), `${held} is bundled: ${inputs.join(', ')}`);
  }
  for (const full of ['pkg/dist/orgwarden.js', 'pkg/dist/orgwarden_bg.wasm', 'pkg/entries/web.js', 'pkg/react/index.js']) {
    assert.ok(!inputs.includes(full), `${full} is not bundled`);
  }
});

test("the provider initializes the compiled runtime and shows the engine's decisions", async () => {
  assert.equal(await page.evaluate(() => window.harness.readyAtStart), false, 'nothing initialized the module before the provider');
  await mount('org');
  await visible('#olivia');
  for (const user of ['olivia', 'adam', 'mia']) assert.deepEqual(await shownFor(user), expectedFor(fixture, user), user);
  assert.equal(await text('#mia .reason'), 'Only owners can delete the organization');

  const modules = await page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .filter((entry) => entry.name.endsWith('.wasm'))
      .map((entry) => ({ file: new URL(entry.name).pathname, bytes: entry.decodedBodySize })),
  );
  assert.equal(modules.length, 1, `one module fetched: ${JSON.stringify(modules)}`);
  assert.match(modules[0].file, /^\/orgwarden_compiled_bg-\w+\.wasm$/);
  assert.equal(modules[0].bytes, (await fs.stat(COMPILED_MODULE)).size, 'the bytes of pkg/dist/orgwarden_compiled_bg.wasm');
});

test('policy text in the options is refused with COMPILED_RUNTIME, shown by errorFallback', async () => {
  await mount('policyText');
  await visible('#error');
  assert.equal(await text('#error .code'), 'COMPILED_RUNTIME');
  assert.match(await text('#error .message'), /compiled ahead of time/);
});

test("an authorizer made with 'orgwarden/compiled' is one the bindings take: the same module and class", async () => {
  await mount('given');
  await visible('#olivia');
  for (const user of ['olivia', 'mia']) assert.deepEqual(await shownFor(user), expectedFor(fixture, user), user);
});

test('the page met no error, warning or failed request (React development build)', () => {
  assert.deepEqual(problems, []);
});
