#!/usr/bin/env bash
# Load-tests POST /api/jssdk_config (warm credential cache) and a bare axum
# handler on this machine in one run, with wrk, and prints req/s and p50/p99.
# Options (environment): BENCH_SECS (default 15), BENCH_CONNS (default 64),
# BENCH_THREADS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
secs="${BENCH_SECS:-15}"; conns="${BENCH_CONNS:-64}"; threads="${BENCH_THREADS:-2}"

cargo leptos build --release >/dev/null 2>&1 || cargo leptos build --release
cargo build --release -p wxkit --example bare_axum -q

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
WXKIT_SIMULATE=1 WXKIT_ADDR=127.0.0.1:3300 WXKIT_LOG=warn WXKIT_DATABASE_URL="sqlite://$work/bench.db" \
  target/release/wxkit serve >"$work/wxkit.log" 2>&1 &
target/release/examples/bare_axum 127.0.0.1:3301 >"$work/bare.log" 2>&1 &
for _ in $(seq 1 100); do
  curl -fs http://127.0.0.1:3300/healthz >/dev/null 2>&1 && curl -fs -XPOST http://127.0.0.1:3301/api/bare >/dev/null 2>&1 && break
  sleep 0.2
done
# Warm the cache: the first request fetches the token and the ticket.
curl -fs -XPOST -d 'url=http://127.0.0.1:3300/p/demo?from=singlemessage' http://127.0.0.1:3300/api/jssdk_config >/dev/null

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "url=http%3A%2F%2F127.0.0.1%3A3300%2Fp%2Fdemo%3Ffrom%3Dsinglemessage%26isappinstalled%3D0"
function done(summary, latency, requests)
  io.write(string.format("RESULT %.0f %.3f %.3f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests))
end
LUA

run() { wrk -t"$threads" -c"$conns" -d"${secs}s" -s "$work/post.lua" "$1" | awk '/^RESULT/ { print }'; }
echo "wrk: ${threads} threads, ${conns} connections, ${secs} s each, $(nproc) cores"
printf '%-28s %10s %10s %10s %8s\n' target req/s p50_ms p99_ms errors
for target in "POST /api/jssdk_config|http://127.0.0.1:3300/api/jssdk_config" "bare axum handler|http://127.0.0.1:3301/api/bare"; do
  read -r _ rps p50 p99 errors _ < <(run "${target#*|}")
  printf '%-28s %10s %10s %10s %8s\n' "${target%%|*}" "$rps" "$p50" "$p99" "$errors"
done
echo "simulator calls during the run: $(curl -fs http://127.0.0.1:3300/_sim/control/stats)"
