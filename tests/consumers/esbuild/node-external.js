// esbuild for Node with the package left to node_modules (`--packages=external`): the bundle
// imports 'orgwarden' at run time, whose Node entry reads its .wasm beside itself.
import { Authorizer, moduleStatus } from 'orgwarden';
import { readFileSync } from 'node:fs';
import { decide } from './decide.js';

const snapshot = readFileSync(process.argv[2], 'utf8');
console.log(`RESULT ${JSON.stringify(decide({ Authorizer, moduleStatus }, snapshot))}`);
