// Node, CommonJS: require('orgwarden') loads the ES module entry through require(), which
// Node 20.19+ and 22.12+ do for a module without top-level await. The helper is an ES module
// too and is required the same way.
const { Authorizer, moduleStatus } = require('orgwarden');
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { decide } = require('./decide.js');

const snapshot = JSON.parse(readFileSync(join(__dirname, 'small-org.json'), 'utf8'));
console.log(`RESULT ${JSON.stringify(decide({ Authorizer, moduleStatus }, snapshot))}`);
