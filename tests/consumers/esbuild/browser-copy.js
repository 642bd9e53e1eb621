// esbuild for the browser, with no loader: init() fetches `orgwarden_bg.wasm` beside the bundle
// (the glue's `new URL('orgwarden_bg.wasm', import.meta.url)`, kept as is in ESM output), so
// the build copies the package's .wasm into the output directory.
import init, { Authorizer, moduleStatus } from 'orgwarden';
import snapshot from './small-org.json';
import { decide, report } from './decide.js';

report(async () => {
  await init();
  return decide({ Authorizer, moduleStatus }, snapshot);
});
