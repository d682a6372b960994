#!/usr/bin/env bash
# Installs what is missing and runs every test: Rust unit and black-box tests
# (SQLite and PostgreSQL, against the WeChat simulator), then the Playwright
# tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/ensure-postgres.sh

echo "== build (release: server binary and site)"
cargo leptos build --release

echo "== Rust tests"
cargo test --release -p wxkit -p wxkit-app

echo "== Playwright tests"
(cd end2end && npx playwright test)
