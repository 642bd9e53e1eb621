// The shared suite against the package's browser entries, in headless Chromium: a page per
// build imports its entry (pkg/entries/web.js, or pkg/entries/compiled.js for the compiled
// runtime) and tests/js/suite.mjs from a loopback server and runs every case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { cases } from './suite.mjs';

// The entry of each build; each runs in its own page, so each has its own module instance.
const BUILDS = { full: '/pkg/entries/web.js', compiled: '/pkg/entries/compiled.js' };

let server;
let browser;
const results = {};

before(async () => {
  server = await startServer({ port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  for (const [build, entry] of Object.entries(BUILDS)) results[build] = await runSuite(build, entry);
});

/** Every case of the suite in a fresh page on `entry`: { name: null | failure text }. */
async function runSuite(build, entry) {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(new URL('/tests/js/blank.html', server.url).href);
  const outcomes = await page.evaluate(
    async ({ build, entry }) => {
      const api = await import(entry);
      // Without an argument, init() fetches the entry's own .wasm beside its glue.
      await api.default();
      const internals = await import('/pkg/lib/module.js');
      const { cases } = await import('/tests/js/suite.mjs');
      const fixture = await (await fetch('/tests/fixtures/small-org.json')).json();
      const outcomes = {};
      for (const [name, run] of Object.entries(cases(api, fixture, internals, build))) {
        try {
          await run();
          outcomes[name] = null;
        } catch (error) {
          outcomes[name] = String(error && error.stack ? error.stack : error);
        }
      }
      return outcomes;
    },
    { build, entry },
  );
  assert.deepEqual(pageErrors, []);
  await page.close();
  return outcomes;
}

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.server.close(done) : done()));
});

// The case names come from the suite itself, so every runtime and build runs the same list.
for (const build of Object.keys(BUILDS)) {
  for (const name of Object.keys(cases({}, {}, {}, build))) {
    test(`chromium${build === 'full' ? '' : ` (${build})`}: ${name}`, () => {
      assert.ok(name in results[build], 'the case ran in the page');
      assert.equal(results[build][name], null);
    });
  }
}
