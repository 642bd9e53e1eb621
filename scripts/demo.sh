#!/usr/bin/env bash
# Builds the WebAssembly package and serves the demo console at http://127.0.0.1:8080/www/
# (PORT=... or `bash scripts/demo.sh 9000` for another port).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# Installs only what is missing: chromium, the wasm target, wasm-bindgen-cli, npm packages.
bash scripts/setup.sh

bash scripts/build-wasm.sh

echo "==> serving"
exec node scripts/serve.mjs "$@"
