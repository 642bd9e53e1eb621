#!/usr/bin/env bash
# Builds the package as it ships — the full module, then the compiled runtime (feature
# `compiled-runtime`) compiled with the default policies by `orgwarden compile` — from a git
# worktree of HEAD, and measures both with their function names and link maps:
#   bash bench/compiled-runtime.sh                  # Cedar as published: the modules of pkg/dist
#   bash bench/compiled-runtime.sh --patched-cedar  # with bench/compiled-runtime/cedar-policy-core.patch
#
# The worktree's own scripts/build-wasm.sh builds into the worktree's pkg/dist, in its own
# CARGO_TARGET_DIR, so neither the tree others build from nor its pkg/dist is touched. Output
# in target/variants/compiled-runtime[-patched-cedar]:
#   full/, compiled/  each module with its names and the linker's map; their
#                     bench/size-breakdown.mjs tables are printed;
#   pkg/              the package as built, laid out like pkg/ (names dropped), for
#                     `node bench/run.mjs --pkg=target/variants/<variant>/pkg`, which checks
#                     both modules' decisions against native Cedar and the official package.
# The Cedar patch replaces the regexes and the parser calls that JSON input and value display
# keep reachable (see BENCHMARKS.md, "The compiled runtime"); its datetime part is a stub.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"

variant=compiled-runtime
if [ "${1:-}" = --patched-cedar ]; then variant=compiled-runtime-patched-cedar; fi
tree="target/variants/$variant-tree"
out="target/variants/$variant"
cargo_dir="$root/target/variants/cargo"

git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
git worktree add --quiet --detach "$tree" HEAD
trap 'git worktree remove --force "$tree"' EXIT
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

# ORGWARDEN_OUT unset: the worktree's build writes its own pkg/dist, and only that build makes
# the compiled runtime too. Its last link is the compiled runtime's, whose map it leaves in
# the target directory.
env -u ORGWARDEN_OUT -u ORGWARDEN_FEATURES CARGO_TARGET_DIR="$cargo_dir" ORGWARDEN_KEEP_NAMES=1 \
  bash "$tree/scripts/build-wasm.sh"

rm -rf "$out"
mkdir -p "$out/full" "$out/compiled"
cp "$tree/pkg/dist/orgwarden_bg.wasm" "$tree/pkg/dist/orgwarden.map" "$out/full/"
cp "$cargo_dir/orgwarden.map" "$out/compiled/orgwarden.map"
node bench/compiled-runtime/measure.mjs "$tree" "$out"
echo "## the full module"
node bench/size-breakdown.mjs "$out/full"
echo "## the compiled runtime, default policies"
node bench/size-breakdown.mjs "$out/compiled"
