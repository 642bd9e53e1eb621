#!/usr/bin/env bash
# A fuzzing round over every cargo-fuzz target of fuzz/ (see docs/HARDENING.md).
#
#   FUZZ_SECONDS=15      seconds per target (default 15: the short CI round)
#   FUZZ_TARGETS="..."   which targets (default: snapshot entities request policy)
#   FUZZ_SANITIZER=none  skip AddressSanitizer (default: address, falling back to none if
#                        the toolchain cannot build it)
#
# cargo-fuzz needs nightly flags; only stable Rust is installed, so the build runs with
# RUSTC_BOOTSTRAP=1. Exits non-zero when a target crashes (a panic is a broken invariant);
# the crashing input is in fuzz/artifacts/<target>/ and replays with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZ_SECONDS="${FUZZ_SECONDS:-15}"
FUZZ_TARGETS="${FUZZ_TARGETS:-snapshot entities request policy}"
SANITIZER="${FUZZ_SANITIZER:-address}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz"
  cargo install cargo-fuzz
fi

build() {
  for target in $FUZZ_TARGETS; do
    cargo fuzz build --sanitizer "$SANITIZER" "$target" || return 1
  done
}
if ! build; then
  if [ "$SANITIZER" = none ]; then exit 1; fi
  echo "fuzz.sh: the $SANITIZER sanitizer does not build here; fuzzing without a sanitizer"
  SANITIZER=none
  build
fi

failed=()
for target in $FUZZ_TARGETS; do
  corpus="fuzz/corpus/$target"
  mkdir -p "$corpus"
  # The committed seeds start (or restart) the corpus; what the fuzzer found stays.
  for seed in fuzz/seeds/"$target"/*; do
    [ -e "$corpus/$(basename "$seed")" ] || cp "$seed" "$corpus/"
  done
  dict="fuzz/dict/json.dict"
  [ "$target" = policy ] && dict="fuzz/dict/cedar.dict"
  echo "fuzz.sh: $target for ${FUZZ_SECONDS}s"
  if ! cargo fuzz run --sanitizer "$SANITIZER" "$target" "$corpus" -- \
      -max_total_time="$FUZZ_SECONDS" -timeout=60 -dict="$dict" -print_final_stats=1; then
    failed+=("$target")
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz.sh: crashes in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz.sh: no crash in $FUZZ_TARGETS"
