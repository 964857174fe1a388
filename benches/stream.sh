#!/usr/bin/env bash
# Uses the profiling build: the release build with line tables, so perf can name frames.
# Streams a long reply from the mock server through `oat ask` to /dev/null and through
# `curl -N` (the floor, which only copies bytes), in paired runs (curl, oat, curl, oat, …),
# at 20,000 and 200,000 text deltas, and reports the median CPU seconds (user + system,
# from wait4: not clock ticks) and peak RSS of each, the ratio to curl, and how CPU grows
# from 20k to 200k (linear is 10×). Then `oat ask` once more into a pipe that a reader
# drains slowly, checking every byte arrives. Usage: benches/stream.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-9}
cargo build --profile profiling --quiet --bin oat --example mock_server
python3 - "$runs" <<'PY'
import os, statistics, subprocess, sys, tempfile, time

runs = int(sys.argv[1])
body = '{"model":"claude-sonnet-5-5","max_tokens":8192,"stream":true,"messages":[{"role":"user","content":[{"type":"text","text":"go"}]}]}'
home = tempfile.mkdtemp()

def measure(cmd, env=None):
    """CPU seconds of one run, from wait4 (the kernel's own accounting)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    pid = os.posix_spawn(cmd[0], cmd, env or {"PATH": "/usr/bin:/bin"}, file_actions=[
        (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)])
    _, status, ru = os.wait4(pid, 0)
    os.close(devnull)
    assert os.waitstatus_to_exitcode(status) == 0, cmd
    return ru.ru_utime + ru.ru_stime

def peak_rss(cmd, env=None):
    """Peak RSS in MB, by /usr/bin/time (a child spawned from Python inherits its size)."""
    out = tempfile.mktemp()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", out] + cmd, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return int(open(out).read().split()[-1]) / 1024

medians = {}
for deltas in (20000, 200000):
    mock = subprocess.Popen(["target/profiling/examples/mock_server", str(deltas)], stdout=subprocess.PIPE, text=True)
    url = mock.stdout.readline().strip()
    key = mock.stdout.readline().strip()
    curl = ["/usr/bin/curl", "-sN", url + "/v1/messages", "-H", "x-api-key: " + key,
            "-H", "anthropic-version: 2023-06-01", "-H", "user-agent: oat/bench",
            "-H", "content-type: application/json", "-d", body]
    oat = ["target/profiling/oat", "ask", "go"]
    env = {"HOME": home, "ANTHROPIC_API_KEY": key, "ANTHROPIC_BASE_URL": url}
    c, o = [], []
    for _ in range(runs):
        c.append(measure(curl))
        o.append(measure(oat, env))
    mc = statistics.median(c)
    mo = statistics.median(o)
    medians[deltas] = mo
    ratios = sorted(b / max(a, 1e-4) for a, b in zip(c, o))
    print(f"{deltas:>7} deltas: curl cpu {mc:.4f} s, rss {peak_rss(curl):.1f} MB | "
          f"oat cpu {mo:.4f} s, rss {peak_rss(oat, env):.1f} MB | "
          f"oat/curl median of paired ratios {statistics.median(ratios):.1f}x ({runs} pairs)")
    if deltas == 200000:
        # A reader that drains slowly: oat must block on the pipe, not drop or garble text.
        p = subprocess.Popen(oat, env=env, stdout=subprocess.PIPE)
        got = bytearray()
        while chunk := p.stdout.read(4096):
            got += chunk
            time.sleep(0.0005)
        p.wait()
        words = ["lorem ", "ipsum ", "dolor ", "sit ", "amet, ", "ünïcode ", "✓ ", "\n"]
        want = "".join(words[i % len(words)] for i in range(deltas)).encode()
        ok = bytes(got).rstrip(b"\n") == want.rstrip(b"\n")
        print(f"slow reader: {len(got)} bytes, {'all correct' if ok else 'MISMATCH'}")
        if not ok:
            sys.exit(1)
    mock.kill()
print(f"growth 20k -> 200k: {medians[200000] / medians[20000]:.1f}x (linear is 10x)")
PY
