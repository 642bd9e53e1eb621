#!/usr/bin/env bash
# Every test of the project, from a fresh clone: installs what is missing (scripts/setup.sh),
# then runs, in order, the lint gate, the native Rust tests (rules, engine, FFI, properties),
# a short fuzz round, the release wasm build, the wasm-bindgen tests in Node and headless
# Chromium, the TypeScript declaration check, and the JS suites (Node, Chromium, workerd, demo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A run writes about 5 GB of build output; on a fuller disk it fails part-way with ENOSPC from
# whichever tool hits the limit first, so say so up front.
free_kib="$(df -Pk . | awk 'NR == 2 { print $4 }')"
if [ "${free_kib:-0}" -lt $((6 * 1024 * 1024)) ]; then
  printf 'test.sh: warning: %s MiB free here; a run from a fresh clone needs about 6 GB\n' \
    "$((${free_kib:-0} / 1024))" >&2
fi

bash scripts/setup.sh
# shellcheck disable=SC1091
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
export RUST_BACKTRACE=0

# Chromium, ChromeDriver and the test runners write profiles and shared-memory files under
# TMPDIR, and a browser that is killed rather than closed leaves them behind (over 100 MB a
# run). They all go to one directory of this run, removed when it ends: passed, failed or
# interrupted (the signal traps turn an interruption into an exit, which runs the EXIT trap).
run_tmp="$(mktemp -d -t orgwarden-test.XXXXXX)"
trap 'rm -rf "$run_tmp"' EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM
export TMPDIR="$run_tmp"

step() { printf '\n==> %s\n' "$*"; }

step "rustfmt"
cargo fmt --check

step "clippy: no unwrap/expect/panic/indexing in library code"
cargo clippy --quiet --lib --features wasm -- -D warnings
cargo clippy --quiet --lib --features wasm,compiled-runtime -- -D warnings

step "native Rust tests"
cargo test --quiet
# The compiled runtime's core, whose one ruleset is process-wide (tests/compiled_runtime.rs).
cargo test --quiet --features compiled-runtime --test compiled_runtime

step "short fuzz round (cargo fuzz, every target)"
FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash scripts/fuzz.sh

step "release wasm build (LTO, wasm-opt)"
bash scripts/build-wasm.sh

step "wasm-bindgen tests in Node"
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT=120
cargo test --target wasm32-unknown-unknown --features wasm --test wasm

step "wasm-bindgen tests in headless Chromium"
WASM_BINDGEN_USE_BROWSER=1 CHROMEDRIVER=/usr/bin/chromedriver \
  WASM_BINDGEN_TEST_WEBDRIVER_JSON="$PWD/tests/webdriver.json" \
  cargo test --target wasm32-unknown-unknown --features wasm --test wasm

step "TypeScript declarations (tsc --noEmit)"
node_modules/.bin/tsc -p tests/types/tsconfig.json
node_modules/.bin/tsc -p tests/react/tsconfig.json

step "JS suites against the built package: Node, Chromium, workerd, demo"
node --test --test-concurrency=1 tests/js/ tests/e2e/ tests/react/

# The package as users get it: `npm pack` of pkg/, installed into a fresh project per toolchain,
# built and run with the exact tool versions of tests/consumers/tools/ (installed once, about 190 MB
# from the npm registry on a cold cache). A failure shows the failing command and its stderr.
step "consumers: the packed tarball in Node, TypeScript, Vite, esbuild, webpack, wrangler+workerd, Deno"
node --test tests/consumers/run.test.mjs
