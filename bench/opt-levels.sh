#!/usr/bin/env bash
# The package built at other optimization levels, beside the shipped one:
#   bash bench/opt-levels.sh      # about 15 minutes on 2 cores
# Builds two variants of HEAD, each from its own git worktree and CARGO_TARGET_DIR (the tree
# others build from, and its pkg/dist, are not touched), then times them against pkg/ with
# bench/compare-builds.mjs:
#   s      opt-level "s" for everything, wasm-opt -Os;
#   core3  opt-level "z" (as shipped), but cedar-policy-core and hashbrown at opt-level 3.
# The package in pkg/dist must be built from the same commit (bash scripts/build-wasm.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
# The worktrees go when the run ends; their target directories stay, so a second run builds fast.
trap 'for name in s core3; do git worktree remove --force "$root/target/variants/opt-$name" 2>/dev/null || true; done' EXIT

variant() {
  local name=$1 wasm_opt=$2 opt_level=$3 extra=$4
  local tree="$root/target/variants/opt-$name"
  git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  git worktree add --quiet --detach "$tree" HEAD
  ln -s "$root/node_modules" "$tree/node_modules"
  sed -i "s/^opt-level = \"z\"/opt-level = $opt_level/" "$tree/Cargo.toml"
  printf '%b' "$extra" >> "$tree/Cargo.toml"
  sed -i "s/const FLAGS = \['-Oz'/const FLAGS = ['$wasm_opt'/" "$tree/pkg/bin/optimize.mjs"
  echo "==> $name: building (log in target/variants/opt-$name.log)" >&2
  (cd "$tree" && CARGO_TARGET_DIR="$root/target/variants/opt-$name-target" bash scripts/build-wasm.sh) > "$root/target/variants/opt-$name.log" 2>&1
}

variant s -Os '"s"' ''
variant core3 -Oz '"z"' '\n[profile.release.package.cedar-policy-core]\nopt-level = 3\n[profile.release.package.hashbrown]\nopt-level = 3\n'
node bench/compare-builds.mjs pkg target/variants/opt-s/pkg target/variants/opt-core3/pkg
