// esbuild for Node, one self-contained file: `--loader:.wasm=binary` embeds the package's
// .wasm as bytes, and the "./web" entry (which never initializes itself) is initialized with
// them. The bundle runs without node_modules.
import { initSync, Authorizer, moduleStatus } from 'orgwarden/web';
import wasmBytes from 'orgwarden/orgwarden_bg.wasm';
import { readFileSync } from 'node:fs';
import { decide } from './decide.js';

initSync({ module: wasmBytes });
const snapshot = readFileSync(process.argv[2], 'utf8');
console.log(`RESULT ${JSON.stringify(decide({ Authorizer, moduleStatus }, snapshot))}`);
