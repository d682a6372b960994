#!/usr/bin/env bash
# Installs whatever wxkit needs to build, run and test and is missing on this
# machine. Every step is skipped when it is already done, so a second run is fast.
# Needs: rustup/cargo, node/npm, and apt-get (as root or through sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# 1. The WASM target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos (0.3.10: 0.3.11 needs a newer rustc than some machines have).
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "installing cargo-leptos 0.3.10 (takes ~15 minutes once)"
  cargo install cargo-leptos --version 0.3.10 --locked
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock (cargo-leptos would
#    otherwise try to download it). Not --locked: its lock file names a crate
#    version some registries lack.
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${wb_version}\$"; then
  say "installing wasm-bindgen-cli ${wb_version}"
  cargo install wasm-bindgen-cli --version "${wb_version}" --force
fi

# 4. System packages: wasm-opt (binaryen), Chromium for the browser tests,
#    wrk for the benchmark, PostgreSQL's client for the test set-up.
pkgs=()
command -v wasm-opt >/dev/null || pkgs+=(binaryen)
[ -x /usr/bin/chromium ] || pkgs+=(chromium)
command -v wrk >/dev/null || pkgs+=(wrk)
command -v psql >/dev/null || pkgs+=(postgresql-client)
if [ ${#pkgs[@]} -gt 0 ]; then
  say "installing ${pkgs[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${pkgs[@]}" >/dev/null
fi

# 5. The Playwright test runner (it drives Debian's Chromium; no browser download).
if [ ! -f end2end/node_modules/.package-lock.json ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  say "installing the end-to-end test packages"
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
fi
say "everything is in place"
