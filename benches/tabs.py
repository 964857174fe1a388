#!/usr/bin/env python3
"""Eight conversations at once, in tabs, in a real pseudo-terminal (120x40), on the
profiling build (benches/tui.sh builds it; run this after it, or build it yourself with
`cargo build --profile profiling --bin oat --example mock_server`):

- eight replies streaming at once, each at 100 deltas a second: the app's CPU, and
  keypress-to-frame latency meanwhile;
- every reply byte-exact in the history afterwards (nothing dropped or interleaved);
- idle with the eight tabs open: thread wake-ups (context switches) over 10 s;
- memory (VmRSS) with eight tabs of 2,000 turns each.

    python3 benches/tabs.py
"""
import os
import sqlite3
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import latency  # noqa: E402  (the pty harness, the mock, the long history)

TABS = 8
DELTAS = 2500  # 25 s at 100 a second
WORDS = ["lorem ", "ipsum ", "dolor ", "sit ", "amet, ", "ünïcode ", "✓ ", "\n"]


def switches(pid):
    """Context switches per thread (threads come and go: compare those in both)."""
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/status") as f:
                out[t] = sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
        except FileNotFoundError:
            pass
    return out


def wakeups(before, after):
    return sum(after[t] - before[t] for t in before.keys() & after.keys())


def per_thread(pid):
    """CPU ticks and context switches per thread, with the thread's name."""
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{t}/stat") as f:
                s = f.read()
            with open(f"/proc/{pid}/task/{t}/status") as f:
                sw = sum(int(l.split()[1]) for l in f if "ctxt_switches" in l)
        except FileNotFoundError:
            continue
        fields = s[s.rindex(")") + 2:].split()
        out[t] = (s[s.index("(") + 1:s.rindex(")")], int(fields[11]) + int(fields[12]), sw)
    return out


def print_threads(before, after, seconds):
    """Where the CPU went: the UI thread (`oat`), the worker, the blocking pool."""
    tick = os.sysconf("SC_CLK_TCK")
    for t in sorted(before.keys() & after.keys()):
        name, c0, w0 = before[t]
        _, c1, w1 = after[t]
        if c1 > c0 or w1 - w0 > seconds:
            print(f"  thread {name:18s} {100 * (c1 - c0) / tick / seconds:5.2f} %  {(w1 - w0) / seconds:5.0f} switches/s")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def streaming(url, key):
    home = latency.home_dir(url)
    env = latency.environment(home, url, key)
    app = latency.App(env)
    app.read_until(b"Ask anything")
    for i in range(TABS):
        if i:
            os.write(app.master, b"\x0e")  # Ctrl-N: a new tab
            app.read_until(b"new")
        os.write(app.master, f"go {i}\r".encode())
        app.read_until(b"lorem")
    time.sleep(1)
    c0, t0 = app.cpu(), per_thread(app.proc.pid)
    time.sleep(10)
    c1, t1 = app.cpu(), per_thread(app.proc.pid)
    print(f"{TABS} replies streaming at once, 100 deltas/s each: app CPU {100 * (c1 - c0) / 10:.2f} % of one core (10 s)")
    print_threads(t0, t1, 10)
    latency.summary(f"keypress to frame while {TABS} replies stream", app.key_latency(200))
    # Wait for every reply to end, then check each against what the mock sent.
    deadline = time.time() + DELTAS / 100 + 60
    expected = "".join(WORDS[i % len(WORDS)] for i in range(DELTAS))
    done = []
    while time.time() < deadline:
        db = sqlite3.connect(env["OAT_HISTORY"])
        done = db.execute(
            "SELECT text FROM messages WHERE role = 'assistant' AND complete = 1"
        ).fetchall()
        db.close()
        if len(done) >= TABS:
            break
        time.sleep(1)
    exact = sum(1 for (t,) in done if t == expected)
    print(f"replies saved whole and byte-exact: {exact} of {TABS}")
    app.drain(1.0)
    time.sleep(2)
    # tokio's blocking-pool threads (the keyring, the history) exit after 10 s unused.
    time.sleep(10)
    w0, c0 = switches(app.proc.pid), app.cpu()
    time.sleep(10)
    w1, c1 = switches(app.proc.pid), app.cpu()
    print(f"idle with {TABS} tabs open, 10 s: {wakeups(w0, w1)} wake-ups, CPU {100 * (c1 - c0) / 10:.2f} %")
    app.quit()
    # The quit question (replies are done, so none) must not hold it open.
    return exact


def memory(url, key):
    home = latency.home_dir(url)
    env = latency.environment(home, url, key)
    for _ in range(TABS):
        latency.long_history(env)
    app = latency.App(env)
    app.read_until(b"Ask anything")
    base = rss_mb(app.proc.pid)
    os.write(app.master, b"\x1b5")  # the History pane
    app.read_until(b"A long conversation")
    for i in range(TABS):
        if i:
            os.write(app.master, b"\x1b5")
            app.read_until(b"Conversations")
            # The selection stays on the one just opened: the next is one below.
            os.write(app.master, b"\x1b[B")
            time.sleep(0.2)
        os.write(app.master, b"\r")
        app.read_until(b"Resumed")
    app.drain(1.0)
    print(f"memory: {base:.1f} MB at start, {rss_mb(app.proc.pid):.1f} MB with {TABS} tabs of {latency.TURNS} turns each")
    app.quit()


def main():
    mock, url, key = latency.start_mock(DELTAS, pace=100)
    try:
        streaming(url, key)
        memory(url, key)
    finally:
        mock.kill()


if __name__ == "__main__":
    sys.exit(main())
