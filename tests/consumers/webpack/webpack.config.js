// webpack 5 for the browser: no loader or experiment to enable. webpack resolves the package's
// "browser" export, emits the .wasm the glue's `new URL('orgwarden_bg.wasm', import.meta.url)`
// names as an asset, and supports the entry's top-level await.
import { fileURLToPath } from 'node:url';

export default {
  mode: 'production',
  entry: './main.js',
  output: { path: fileURLToPath(new URL('./dist', import.meta.url)), filename: 'main.js' },
};
