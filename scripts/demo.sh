#!/usr/bin/env bash
# Builds the WebAssembly package and the demo console's bundle, and serves the console with its
# API at http://127.0.0.1:8080/www/ (PORT=... or `bash scripts/demo.sh 9000` for another port).
# The browser runs the full package; ORGWARDEN_DEMO_RUNTIME=compiled bundles and serves the
# console on the compiled runtime (orgwarden/compiled) instead.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Installs only what is missing: chromium, the wasm target, wasm-bindgen-cli, npm packages.
bash scripts/setup.sh

bash scripts/build-wasm.sh

echo "==> bundling the demo console (www/src → www/dist/${ORGWARDEN_DEMO_RUNTIME:-full})"
node scripts/build-demo.mjs

echo "==> serving"
exec node scripts/serve.mjs "$@"
