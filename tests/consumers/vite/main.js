// Vite: `import 'orgwarden'` resolves the "browser" export; vite build emits the .wasm that the
// glue's `new URL('orgwarden_bg.wasm', import.meta.url)` points at. No plugin, no config.
import init, { Authorizer, moduleStatus } from 'orgwarden';
import snapshot from './small-org.json';
import { decide, report } from './decide.js';

report(async () => {
  await init();
  return decide({ Authorizer, moduleStatus }, snapshot);
});
