#!/usr/bin/env bash
# Builds the npm package's generated files into pkg/dist/:
#   1. the cdylib with real LTO: the crate is rlib-only and `cargo rustc --crate-type cdylib`
#      turns it into a cdylib for this build alone (cargo drops LTO for ["cdylib","rlib"]);
#   2. the JS glue and TypeScript declarations with the wasm-bindgen CLI (`--target web`:
#      one .wasm that the node, browser and workerd entry points in pkg/entries/ all share);
#   3. the default ruleset built into the module's initial memory (scripts/preinitialize.mjs);
#   4. wasm-opt -Oz from npm's binaryen, then a check that the result loads and answers;
#   5. the compiled runtime (`orgwarden/compiled`): steps 1 and 2 with the feature
#      `compiled-runtime`, optimized with its names kept as dist/orgwarden_compiled_source.wasm
#      (what `orgwarden compile` starts from), then compiled with the default policies by that
#      very command into dist/orgwarden_compiled_bg.wasm.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# ORGWARDEN_OUT and ORGWARDEN_FEATURES build a variant elsewhere (bench/crash-points.mjs builds
# one without the shape limits); the package is pkg/dist with the feature `wasm` alone.
out="${ORGWARDEN_OUT:-pkg/dist}"
features="wasm${ORGWARDEN_FEATURES:+,$ORGWARDEN_FEATURES}"
# A variant may build in its own CARGO_TARGET_DIR, so that it never overwrites the artifact a
# build of the package is about to read.
target_dir="${CARGO_TARGET_DIR:-target}"
artifact="$target_dir/wasm32-unknown-unknown/release/orgwarden.wasm"
# ORGWARDEN_KEEP_NAMES=1 keeps the function names (wasm-opt -g) and writes the linker's map
# into the output directory, for bench/size-breakdown.mjs; code and data are unchanged.
name_args=()
map_args=()
if [ "${ORGWARDEN_KEEP_NAMES:-}" = 1 ]; then
  mkdir -p "$target_dir"
  link_map="$(cd "$target_dir" && pwd)/orgwarden.map"
  name_args=(--keep-names)
  map_args=(-C "link-arg=--Map=$link_map")
fi

# The module's own stack: Rust's default for wasm32 is 1 MiB, where Cedar's recursive parsing
# ran out of it (an out-of-bounds trap) at about 350 chained `+` in one policy. At 2 MiB the
# host's native stack (V8's, about 1 MB) runs out first on every shape bench/crash-points.mjs
# tries, so more would buy nothing; the text limits of src/limits.rs are set below those crash
# points (docs/HARDENING.md). The stack lies below the data and is zeros: it costs memory per
# instance, not download.
cdylib() {
  cargo rustc --quiet --lib --release --target wasm32-unknown-unknown --features "$1" --crate-type cdylib \
    -- -C link-arg=-zstack-size=${ORGWARDEN_STACK_BYTES:-2097152} "${map_args[@]}"
}

# --experimental-reset-state-function: the glue gains __wbg_reset_state, which the package's
# JS layer (pkg/lib/module.js) calls to replace an instance that trapped.
bindgen() {
  wasm-bindgen --target web --experimental-reset-state-function --out-dir "$out" --out-name "$1" "$artifact"
}

echo "==> cargo rustc (release, LTO, cdylib)"
cdylib "$features"

echo "==> wasm-bindgen"
rm -rf "$out"
bindgen orgwarden
if [ "${ORGWARDEN_KEEP_NAMES:-}" = 1 ]; then cp "$link_map" "$out/orgwarden.map"; fi

echo "==> preinitialize"
node scripts/preinitialize.mjs "$out/orgwarden_bg.wasm"

echo "==> wasm-opt -Oz"
node pkg/bin/optimize.mjs "$out/orgwarden_bg.wasm" "$out/orgwarden_bg.wasm" "${name_args[@]}"

# The package's own build must load and answer; a variant is checked by whoever built it.
if [ "$out" = pkg/dist ]; then
  node -e '
    import("./pkg/entries/node.js").then(({ Authorizer }) => {
      const answer = new Authorizer().policies();
      if (!Array.isArray(answer) || answer.length === 0) throw new Error("the built module lists no default policies");
    });
  '
  # Typed names of the embedded schema (actions, entity types, inputs), for the declarations.
  node pkg/bin/orgwarden.mjs types -o "$out/names.d.ts"

  echo "==> the compiled runtime: cargo rustc, wasm-bindgen, wasm-opt (names kept)"
  cdylib "$features,compiled-runtime"
  bindgen orgwarden_compiled
  node pkg/bin/optimize.mjs "$out/orgwarden_compiled_bg.wasm" "$out/orgwarden_compiled_source.wasm" --keep-names
  rm "$out/orgwarden_compiled_bg.wasm"
  echo "==> orgwarden compile (the default policies)"
  node pkg/bin/orgwarden.mjs compile -o "$out/orgwarden_compiled_bg.wasm"
fi
node scripts/size-report.mjs "$out/orgwarden_bg.wasm"
