// Vite with the compiled runtime: `await init()` fetches the package's own compiled module (the
// default policies), which vite build emits from the glue's
// `new URL('orgwarden_compiled_bg.wasm', import.meta.url)`; with ?module=custom, the module
// `orgwarden compile` wrote for this project, through Vite's `?url` as the README says. Neither
// bundles the full module.
import init, * as compiled from 'orgwarden/compiled';
import authzUrl from './authz.wasm?url';
import snapshot from './small-org.json';
import { compiledChecks } from './compiled-checks.js';
import { report } from './decide.js';

report(async () => {
  if (new URLSearchParams(location.search).get('module') === 'custom') await init(authzUrl);
  else await init();
  return compiledChecks(compiled, snapshot);
});
