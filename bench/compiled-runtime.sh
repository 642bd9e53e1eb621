#!/usr/bin/env bash
# Builds and measures the compiled-runtime variant of the module: no export takes policy or
# schema text, the default ruleset comes only from the preinitialization, and nothing at run
# time may parse Cedar text. A measurement, not a shipped build:
#   bash bench/compiled-runtime.sh                  # Cedar as published
#   bash bench/compiled-runtime.sh --patched-cedar  # with bench/compiled-runtime/cedar-policy-core.patch
#
# The variant is built from a git worktree of HEAD under target/variants/ with
# bench/compiled-runtime/orgwarden.patch applied (the `compiled-runtime` feature), so the tree
# others build from is never touched; output in target/variants/compiled-runtime[-patched-cedar],
# with names and the linker's map for bench/size-breakdown.mjs, whose tables it prints.
# The Cedar patch replaces the regexes and the parser calls that JSON input and value display
# keep reachable (see BENCHMARKS.md, "Toward a compiled runtime"); its datetime part is a stub.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

variant=compiled-runtime
if [ "${1:-}" = --patched-cedar ]; then variant=compiled-runtime-patched-cedar; fi
tree="target/variants/$variant-tree"
out="target/variants/$variant"

git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
git worktree add --quiet --detach "$tree" HEAD
trap 'git worktree remove --force "$tree"' EXIT
git -C "$tree" apply "$root/bench/compiled-runtime/orgwarden.patch"
ln -s "$root/node_modules" "$tree/node_modules"

if [ "$variant" = compiled-runtime-patched-cedar ]; then
  # The exact cedar-policy-core the lock file pins, from cargo's own copy of it.
  manifest="$(cargo metadata --format-version 1 --manifest-path "$tree/Cargo.toml" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const core = JSON.parse(s).packages.find((p) => p.name === "cedar-policy-core");
      process.stdout.write(core.manifest_path);
    });')"
  mkdir -p "$tree/vendor"
  cp -r "$(dirname "$manifest")" "$tree/vendor/cedar-policy-core"
  patch --quiet -p0 -d "$tree/vendor" < "$root/bench/compiled-runtime/cedar-policy-core.patch"
  printf '\n[patch.crates-io]\ncedar-policy-core = { path = "vendor/cedar-policy-core" }\n' >> "$tree/Cargo.toml"
fi

CARGO_TARGET_DIR="$root/target/variants/cargo" ORGWARDEN_OUT="$root/$out" ORGWARDEN_FEATURES=compiled-runtime \
  ORGWARDEN_KEEP_NAMES=1 bash "$tree/scripts/build-wasm.sh"
node bench/size-breakdown.mjs "$out"
