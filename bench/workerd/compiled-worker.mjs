// bench/workerd/worker.mjs over the compiled runtime (`orgwarden/compiled`): the default
// policies compiled ahead of time into a smaller module, passed to initSync as workerd gives it.
import authz from '../../pkg/dist/orgwarden_compiled_bg.wasm';
import { initSync } from '../../pkg/entries/compiled.js';
import { handle } from './routes.mjs';

initSync({ module: authz });

export default { fetch: handle };
