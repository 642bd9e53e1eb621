#!/usr/bin/env bash
# Builds the WebAssembly package and serves the demo console at http://127.0.0.1:8080/www/
# (PORT=... or `bash scripts/demo.sh 9000` for another port).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ]; then
  echo "==> npm ci"
  npm ci
fi

bash scripts/build-wasm.sh

echo "==> serving"
exec node scripts/serve.mjs "$@"
