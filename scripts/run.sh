#!/usr/bin/env bash
# Installs what is missing, builds wxkit, and runs it with SQLite and the
# built-in WeChat simulator: open http://127.0.0.1:3000 in a desktop browser.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo leptos build --release
export WXKIT_SIMULATE="${WXKIT_SIMULATE:-1}"
echo "Open http://${WXKIT_ADDR:-127.0.0.1:3000}/ (Ctrl-C stops wxkit)"
exec target/release/wxkit serve
