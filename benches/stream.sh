#!/usr/bin/env bash
# Uses the profiling build: the release build with line tables, so perf can name frames.
# Streams a long reply (200,000 text deltas by default) from the mock server through
# `oat ask` to /dev/null and through `curl -N` (the floor), and reports wall time, CPU
# seconds and peak RSS for each. Usage: benches/stream.sh [DELTAS]
set -euo pipefail
cd "$(dirname "$0")/.."
deltas=${1:-200000}
cargo build --profile profiling --quiet --bin oat --example mock_server
tmp=$(mktemp -d)
target/profiling/examples/mock_server "$deltas" >"$tmp/url" &
mock=$!
trap 'kill $mock 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ "$(wc -l <"$tmp/url")" -ge 2 ] && break; sleep 0.1; done
url=$(sed -n 1p "$tmp/url")
key=$(sed -n 2p "$tmp/url") # the mock's own test key
body='{"model":"claude-sonnet-5-5","max_tokens":8192,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"go"}]}]}'

measure() { # name, command...
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
  read -r wall user sys rss <"$tmp/time"
  printf '%-6s wall %6.2fs  cpu %6.2fs  peak RSS %6.1f MB\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$(echo "scale=1; $rss / 1024" | bc)"
}

echo "streaming $deltas deltas from $url"
measure curl curl -sN "$url/v1/messages" -H "x-api-key: $key" -H "anthropic-version: 2023-06-01" \
  -H "user-agent: oat/bench" -H "content-type: application/json" -d "$body"
measure oat env -i HOME="$tmp" ANTHROPIC_API_KEY="$key" ANTHROPIC_BASE_URL="$url" target/profiling/oat ask go
