#!/usr/bin/env bash
# A newcomer's first build and the shipped binary's size, measured in one run (issue 27):
#   1. `cargo build --release` in an empty target directory, as `cargo run --release`
#      first does it: wall-clock and CPU time, `--timings` kept (the crates that took
#      longest are printed);
#   2. `cargo build --profile dist` (what `scripts/dist` packs) in the same directory,
#      so the dependencies' build scripts and proc macros are reused, as they would be:
#      wall-clock, CPU, and the stripped binary's size.
# Dependencies are fetched first, so the network is not timed. Run it on an otherwise
# idle machine: the figures are only as good as the cores are free.
#
#     benches/build.sh [TARGET_DIR]        (default: a new temporary directory, removed after)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-$(mktemp -d)}
keep=${1:+yes}
[ -z "$keep" ] && trap 'rm -rf "$dir"' EXIT
cargo fetch --locked --quiet
echo "cores: $(nproc); rustc: $(rustc --version)"

run() { # LABEL ARGS… → prints wall and CPU seconds
  local label=$1
  shift
  local t0 t1 c0 c1
  t0=$(date +%s.%N)
  c0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  CARGO_TARGET_DIR="$dir" cargo build --locked --quiet "$@"
  t1=$(date +%s.%N)
  # The children's CPU (user + system, waited for) in clock ticks.
  c1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  awk -v l="$label" -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { printf "%-34s wall %6.0f s   CPU %6.0f s\n", l, b - a, (d - c) / hz }'
}

run "cargo build --release (first)" --release --timings --bin oat
python3 - "$dir" <<'EOF'
import glob, json, re, sys
page = sorted(glob.glob(sys.argv[1] + "/cargo-timings/cargo-timing-*.html"))[-1]
units = json.loads(re.search(r"const UNIT_DATA = (\[.*?\]);", open(page).read(), re.S).group(1))
units.sort(key=lambda u: -u["duration"])
print("  longest crates: " + ", ".join(f"{u['name']} {u['duration']:.0f} s" for u in units[:8]))
EOF
printf '%-34s %s bytes\n' "  release binary" "$(stat -c %s "$dir/release/oat")"
run "cargo build --profile dist" --profile dist --bin oat
printf '%-34s %s bytes\n' "  dist binary (shipped)" "$(stat -c %s "$dir/dist/oat")"
# A profile override for oat itself once silently dropped `strip`: say so if it happens.
if readelf -S "$dir/dist/oat" | grep -q '\.symtab'; then
  echo "  NOT STRIPPED: the dist binary still has its symbol table"
  exit 1
fi
