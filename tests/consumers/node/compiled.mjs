// Node, compiled runtime: `await init()` without an argument loads the package's own compiled
// module (the default policies) from the install; reports what shared/compiled.js checks.
import init, * as compiled from 'orgwarden/compiled';
import { readFileSync } from 'node:fs';
import { compiledChecks } from './compiled-checks.js';

await init();
const snapshot = readFileSync(new URL('./small-org.json', import.meta.url), 'utf8');
console.log(`RESULT ${JSON.stringify(compiledChecks(compiled, snapshot))}`);
