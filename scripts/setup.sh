#!/usr/bin/env bash
# Installs what orgwarden needs to build and test on a Debian machine:
#   - chromium + chromium-driver (apt), for wasm-bindgen-test browser runs and Playwright
#   - the wasm32-unknown-unknown Rust target (rustup)
#   - wasm-bindgen-cli (wasm-bindgen, wasm-bindgen-test-runner) at the exact version
#     of the wasm-bindgen crate in Cargo.lock (cargo install from crates.io)
#   - the npm dependencies of the repo root (npm ci / npm install), if there is a package.json
#
# Idempotent: every step checks first and does nothing when already satisfied.
# Only the package registries are used (Debian apt, crates.io, npm registry).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Fallback when Cargo.lock is absent; must match the `=` pin in Cargo.toml.
DEFAULT_WASM_BINDGEN_VERSION="0.2.130"
APT_PACKAGES=(chromium chromium-driver)

log() { printf '==> %s\n' "$*"; }
ok() { printf '    ok: %s\n' "$*"; }
die() { printf 'setup.sh: error: %s\n' "$*" >&2; exit 1; }

# Run a noisy command with its output sent to a log file; show the tail if it fails.
quiet() {
  local out
  out="$(mktemp -t orgwarden-setup.XXXXXX)"
  if "$@" >"$out" 2>&1; then
    rm -f "$out"
  else
    local rc=$?
    printf 'setup.sh: command failed (exit %s): %s\n' "$rc" "$*" >&2
    tail -n 40 "$out" >&2
    printf '(full log: %s)\n' "$out" >&2
    exit "$rc"
  fi
}

if [ "$(id -u)" -eq 0 ]; then SUDO=(); else SUDO=(sudo); fi

# Rust tools installed by rustup/cargo live here; make them visible to this script.
if [ -f "$HOME/.cargo/env" ]; then
  # shellcheck disable=SC1091
  . "$HOME/.cargo/env"
fi

# --- 1. Chromium and chromedriver (Debian packages) ---------------------------
log "Checking Debian packages: ${APT_PACKAGES[*]}"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$pkg")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "Installing ${missing[*]} with apt-get (a few minutes)"
  quiet "${SUDO[@]}" apt-get update
  quiet "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
command -v chromium >/dev/null || die "chromium is not on PATH after install"
command -v chromedriver >/dev/null || die "chromedriver is not on PATH after install"
ok "$(chromium --version 2>/dev/null | head -n 1)"
ok "$(chromedriver --version | head -n 1)"

# --- 2. Rust wasm target -------------------------------------------------------
log "Checking Rust target wasm32-unknown-unknown"
command -v rustup >/dev/null || die "rustup not found; install Rust with rustup first"
command -v cargo >/dev/null || die "cargo not found"
if (cd "$REPO_ROOT" && rustup target list --installed) | grep -qx 'wasm32-unknown-unknown'; then
  ok "already installed"
else
  log "Adding wasm32-unknown-unknown with rustup"
  (cd "$REPO_ROOT" && quiet rustup target add wasm32-unknown-unknown)
  ok "installed"
fi

# --- 3. wasm-bindgen CLI at the version pinned in Cargo.lock -------------------
WASM_BINDGEN_VERSION=""
if [ -f "$REPO_ROOT/Cargo.lock" ]; then
  WASM_BINDGEN_VERSION="$(awk '
    $0 == "name = \"wasm-bindgen\"" { found = 1; next }
    found && /^version = / { gsub(/"/, "", $3); print $3; exit }
  ' "$REPO_ROOT/Cargo.lock")"
fi
WASM_BINDGEN_VERSION="${WASM_BINDGEN_VERSION:-$DEFAULT_WASM_BINDGEN_VERSION}"

log "Checking wasm-bindgen-cli $WASM_BINDGEN_VERSION"
have_version="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$have_version" = "$WASM_BINDGEN_VERSION" ] && command -v wasm-bindgen-test-runner >/dev/null; then
  ok "wasm-bindgen $have_version already installed"
else
  log "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION with cargo install (compiles from source, ~5-10 min)"
  # No --locked: a dependency pinned in the CLI's own lockfile is missing from the registry mirror.
  quiet cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  have_version="$(wasm-bindgen --version | awk '{print $2}')"
  [ "$have_version" = "$WASM_BINDGEN_VERSION" ] \
    || die "wasm-bindgen reports $have_version after install, expected $WASM_BINDGEN_VERSION (is ~/.cargo/bin first on PATH?)"
  ok "wasm-bindgen $have_version installed"
fi

# --- 4. npm dependencies -------------------------------------------------------
if [ -f "$REPO_ROOT/package.json" ]; then
  command -v node >/dev/null || die "node is not installed"
  command -v npm >/dev/null || die "npm is not installed"
  if [ -f "$REPO_ROOT/package-lock.json" ]; then
    log "Installing npm dependencies (npm ci)"
    (cd "$REPO_ROOT" && quiet npm ci --no-audit --no-fund)
  else
    log "Installing npm dependencies (npm install; no package-lock.json)"
    (cd "$REPO_ROOT" && quiet npm install --no-audit --no-fund)
  fi
  ok "node $(node --version), npm $(npm --version 2>/dev/null)"
else
  log "No package.json in $REPO_ROOT; skipping npm"
fi

log "Setup complete"
