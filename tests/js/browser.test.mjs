// The shared suite against the package's browser entry, in headless Chromium: the page imports
// pkg/entries/web.js and tests/js/suite.mjs from a loopback server and runs every case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { cases } from './suite.mjs';

let server;
let browser;
let results;

before(async () => {
  server = await startServer({ port: 0 });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(new URL("/tests/js/blank.html", server.url).href);
  results = await page.evaluate(async () => {
    const api = await import('/pkg/entries/web.js');
    await api.default();
    const internals = await import('/pkg/lib/module.js');
    const { cases } = await import('/tests/js/suite.mjs');
    const fixture = await (await fetch('/tests/fixtures/small-org.json')).json();
    const outcomes = {};
    for (const [name, run] of Object.entries(cases(api, fixture, internals))) {
      try {
        await run();
        outcomes[name] = null;
      } catch (error) {
        outcomes[name] = String(error && error.stack ? error.stack : error);
      }
    }
    return outcomes;
  });
  assert.deepEqual(pageErrors, []);
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.server.close(done) : done()));
});

// The case names come from the suite itself, so both runtimes run the same list.
for (const name of Object.keys(cases({}, {}))) {
  test(`chromium: ${name}`, () => {
    assert.ok(name in results, 'the case ran in the page');
    assert.equal(results[name], null);
  });
}
