// Deno with the package installed by npm in ./node_modules (package.json beside this file
// makes Deno use that directory): the "deno" export, ready at import.
import { Authorizer, moduleStatus } from 'orgwarden';
import { decide } from './decide.js';

const snapshot = await Deno.readTextFile(new URL('./small-org.json', import.meta.url));
console.log(`RESULT ${JSON.stringify(decide({ Authorizer, moduleStatus }, snapshot))}`);
