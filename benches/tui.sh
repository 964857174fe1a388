#!/usr/bin/env bash
# The app's own costs, measured on the profiling build (the release build plus line tables) in a real pseudo-terminal (tmux):
#  - idle: CPU time and thread wake-ups (context switches) over 10 s with the app open;
#  - streaming: CPU to receive and draw a DELTAS-delta reply (default 20,000), next to
#    `oat ask` streaming the same reply to /dev/null.
# Usage: benches/tui.sh [DELTAS]
set -euo pipefail
cd "$(dirname "$0")/.."
deltas=${1:-20000}
cargo build --profile profiling --quiet --bin oat --example mock_server
tmp=$(mktemp -d)
sock="oat-bench-$$"
target/profiling/examples/mock_server "$deltas" >"$tmp/url" &
mock=$!
trap 'tmux -L "$sock" kill-server 2>/dev/null; kill $mock 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 50); do [ "$(wc -l <"$tmp/url")" -ge 2 ] && break; sleep 0.1; done
url=$(sed -n 1p "$tmp/url")
key=$(sed -n 2p "$tmp/url")
mkdir -p "$tmp/config/oat"
echo 'terms_notice_seen = true' >"$tmp/config/oat/config.toml"
tmux -L "$sock" new-session -d -s b -x 120 -y 40 \
  "exec env -i TERM=xterm-256color HOME=$tmp XDG_CONFIG_HOME=$tmp/config XDG_STATE_HOME=$tmp/state \
   DBUS_SESSION_BUS_ADDRESS=unix:path=$tmp/none ANTHROPIC_API_KEY=$key ANTHROPIC_BASE_URL=$url $PWD/target/profiling/oat"
pid=$(tmux -L "$sock" display -p -t b '#{pane_pid}')
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
switches() { cat /proc/"$pid"/task/*/status | awk '/ctxt_switches/ {s += $2} END {print s}'; }
wait_screen() { for _ in $(seq 600); do tmux -L "$sock" capture-pane -p -t b | grep -q "$1" && return 0; sleep 0.05; done; echo "timed out waiting for $1" >&2; exit 1; }

wait_screen "Ask anything"
# Let start-up settle: its requests, and tokio's blocking-pool threads (used for the
# keyring), which exit after 10 s of disuse.
sleep 12
threads() { for t in /proc/"$pid"/task/*; do echo "${t##*/} $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status")"; done | sort; }
c0=$(cpu); threads >"$tmp/s0"
sleep 10
c1=$(cpu); threads >"$tmp/s1"
wakeups=$(join "$tmp/s0" "$tmp/s1" | awk '{d += $3 - $2} END {print d + 0}')
echo "idle 10 s: cpu $(echo "scale=3; ($c1 - $c0) / $ticks" | bc) s ($(echo "scale=2; 100 * ($c1 - $c0) / $ticks / 10" | bc)%), wake-ups (context switches, all threads): $wakeups"

runs=10
c0=$(cpu)
for i in $(seq $runs); do
  tmux -L "$sock" send-keys -t b "go $i" Enter
  # Done when the composer no longer says a reply is streaming (and the reply arrived).
  sleep 0.05
  for _ in $(seq 1200); do
    screen=$(tmux -L "$sock" capture-pane -p -t b)
    if grep -q "ünïcode" <<<"$screen" && ! grep -q "streaming — Esc" <<<"$screen"; then break; fi
    sleep 0.02
  done
done
c1=$(cpu)
app=$(echo "scale=4; ($c1 - $c0) / $ticks / $runs" | bc)
echo "app: cpu per $deltas-delta reply (mean of $runs): $app s"
ask=$(python3 - "$runs" "$tmp" "$key" "$url" <<'PY'
import os, resource, subprocess, sys
runs, home, key, url = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
env = {"HOME": home, "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": url}
for _ in range(runs):
    subprocess.run(["target/profiling/oat", "ask", "go"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{(r.ru_utime + r.ru_stime) / runs:.4f}")
PY
)
echo "oat ask: cpu per $deltas-delta reply (mean of $runs): $ask s"

# Under a person's hands, in a pseudo-terminal: start-up with the key in the file and in a
# real keyring, keypress-to-frame latency with 2,000 turns (idle and while streaming), and
# CPU while a reply arrives at 100 deltas a second (benches/latency.py).
if command -v dbus-run-session >/dev/null && command -v gnome-keyring-daemon >/dev/null; then
  dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; python3 benches/latency.py'
else
  python3 benches/latency.py
fi
