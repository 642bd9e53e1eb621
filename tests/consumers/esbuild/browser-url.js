// esbuild for the browser, with the .wasm imported as a file: `--loader:.wasm=file` turns the
// import of the package's "./orgwarden_bg.wasm" export into the URL of the emitted copy, and
// init() fetches that URL. (esbuild leaves `new URL('…', import.meta.url)` alone, so the glue's
// own default would look for the .wasm beside the bundle.)
import init, { Authorizer, moduleStatus } from 'orgwarden';
import wasmUrl from 'orgwarden/orgwarden_bg.wasm';
import snapshot from './small-org.json';
import { decide, report } from './decide.js';

report(async () => {
  await init(wasmUrl);
  return decide({ Authorizer, moduleStatus }, snapshot);
});
