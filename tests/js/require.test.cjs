// CommonJS consumers: Node 20.19+ and 22.12+ load the package's ES module through require(),
// which works because the Node entry initializes without top-level await. The shared suite
// runs against what require() returns, so a top-level await in the entry would fail here.
const { test } = require('node:test');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const api = require('orgwarden');
const internals = require('../../pkg/lib/module.js');
const { cases } = require('./suite.mjs');

const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/small-org.json'), 'utf8'));

for (const [name, run] of Object.entries(cases(api, fixture, internals))) {
  test(`require: ${name}`, run);
}
