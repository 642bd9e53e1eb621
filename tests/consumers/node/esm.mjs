// Node, ES module: `import ... from 'orgwarden'` resolves the "node" export, which initializes
// the module at import, so there is no init() call here.
import { Authorizer, moduleStatus } from 'orgwarden';
import * as viaSubpath from 'orgwarden/node';
import { readFileSync } from 'node:fs';
import { decide } from './decide.js';

if (viaSubpath.Authorizer !== Authorizer) throw new Error("'orgwarden' and 'orgwarden/node' differ in Node");
const snapshot = readFileSync(new URL('./small-org.json', import.meta.url), 'utf8');
console.log(`RESULT ${JSON.stringify(decide({ Authorizer, moduleStatus }, snapshot))}`);
