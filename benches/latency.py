#!/usr/bin/env python3
"""The app under a person's hands, in a real pseudo-terminal (120x40), on the profiling
build: start-up to the first frame with the key in the OS keyring and in the 0600 file,
keypress-to-frame latency with 2,000 turns in the transcript (idle and while a reply
streams), and the app's CPU while a reply arrives at a real pace (100 deltas a second
for 60 s). A key's latency is the time from writing it to the pty until the frame that
draws it has been read back.

Run by benches/tui.sh (which builds the binaries and gives it a private keyring):
    benches/latency.py
"""
import fcntl
import os
import select
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OAT = os.path.join(ROOT, "target/profiling/oat")
MOCK = os.path.join(ROOT, "target/profiling/examples/mock_server")
TURNS = 2000
KEYS = b"xzqwvy"  # letters no escape sequence of the frame contains


def start_mock(deltas, pace=None):
    args = [MOCK, str(deltas)] + ([str(pace)] if pace else [])
    p = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    url = p.stdout.readline().strip()
    key = p.stdout.readline().strip()
    return p, url, key


def environment(home, url, key=None):
    env = {
        "PATH": "/usr/bin:/bin",
        "TERM": "xterm-256color",
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_STATE_HOME": os.path.join(home, "state"),
        "OAT_HISTORY": os.path.join(home, "history.db"),
        "ANTHROPIC_BASE_URL": url,
    }
    if key:
        env["ANTHROPIC_API_KEY"] = key
    bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    env["DBUS_SESSION_BUS_ADDRESS"] = bus or "unix:path=" + os.path.join(home, "no-bus")
    return env


def home_dir(url):
    home = tempfile.mkdtemp(prefix="oat-latency-")
    os.makedirs(os.path.join(home, "config/oat"))
    with open(os.path.join(home, "config/oat/config.toml"), "w") as f:
        # A fixed theme: asking the terminal would measure this harness's answer.
        f.write('terms_notice_seen = true\ntheme = "dark"\n')
    return home


class App:
    def __init__(self, env):
        self.master, slave = os.openpty()
        fcntl.ioctl(self.master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))

        def controlling():
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.started = time.perf_counter()
        self.proc = subprocess.Popen(
            [OAT], stdin=slave, stdout=slave, stderr=slave, env=env, preexec_fn=controlling
        )
        os.close(slave)
        self.seen = b""

    def read_until(self, needle, timeout=20.0):
        deadline = time.perf_counter() + timeout
        while needle not in self.seen:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"never saw {needle!r}")
            r, _, _ = select.select([self.master], [], [], left)
            if r:
                data = os.read(self.master, 65536)
                if b"\x1b[c" in data:
                    # Answer the primary device attributes query as every terminal does
                    # at once (a VT220): unanswered, the start waits out its 2 s timeout.
                    os.write(self.master, b"\x1b[?62;22c")
                self.seen += data
        at = time.perf_counter()
        self.seen = self.seen[self.seen.index(needle) + len(needle):]
        return at

    def drain(self, quiet=0.3):
        while True:
            r, _, _ = select.select([self.master], [], [], quiet)
            if not r:
                self.seen = b""
                return
            os.read(self.master, 65536)

    def key_latency(self, n):
        out = []
        for i in range(n):
            k = KEYS[i % len(KEYS) : i % len(KEYS) + 1]
            self.seen = b""
            t0 = time.perf_counter()
            os.write(self.master, k)
            out.append((self.read_until(k) - t0) * 1000)
            if i % 20 == 19:
                os.write(self.master, b"\x15")  # Ctrl-U: a short composer
                self.drain(0.05)
            time.sleep(0.01)
        return out

    def cpu(self):
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def quit(self):
        os.write(self.master, b"\x03")
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self.master)


def summary(name, ms):
    ms = sorted(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name}: median {statistics.median(ms):.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms ({len(ms)} keys)")


def add_key(env, store):
    p = subprocess.run(
        [OAT, "key", "add", "bench", "--store", store],
        input=env.pop("ANTHROPIC_API_KEY") + "\n",
        env=env, capture_output=True, text=True,
    )
    if p.returncode != 0:
        raise SystemExit(f"key add --store {store} failed: {p.stderr}")


def startup(url, key, store, runs=10):
    home = home_dir(url)
    env = environment(home, url, key)
    add_key(env, store)
    times = []
    for _ in range(runs):
        app = App(env)
        times.append((app.read_until(b"Ask anything") - app.started) * 1000)
        app.quit()
    print(f"start-up to first frame, key in the {store}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms ({runs} runs)")


def long_history(env):
    subprocess.run([OAT, "history", "list"], env=env, capture_output=True, check=True)
    db = sqlite3.connect(env["OAT_HISTORY"])
    now = "2026-11-25T12:00:00+00:00"
    cur = db.execute(
        "INSERT INTO conversations (title, model, system, settings, created, updated) VALUES (?, ?, NULL, '{}', ?, ?)",
        ("A long conversation", "claude-sonnet-5-5", now, now),
    )
    conv = cur.lastrowid
    reply = "Here is **an answer** with a list:\n\n- one\n- two\n\n```rust\nfn main() {}\n```\n\nAnd a closing line."
    parent = None
    for i in range(TURNS):
        q = f"Question {i}: how does this work?"
        content = '[{"type":"text","text":' + repr_json(reply) + "}]"
        for row in ((conv, "user", f'[{{"type":"text","text":"{q}"}}]', q, None, None, now),
                    (conv, "assistant", content, reply, "claude-sonnet-5-5",
                     '{"input_tokens":20,"output_tokens":40}', now)):
            parent = db.execute(
                "INSERT INTO messages (conversation_id, role, content, text, model, usage, created, complete, parent_id) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?)",
                row + (parent,),
            ).lastrowid
    # Each message follows the one before (schema 6); the branch shown ends at the last.
    db.execute("UPDATE conversations SET leaf = ? WHERE id = ?", (parent, conv))
    db.commit()
    db.close()


def repr_json(s):
    import json
    return json.dumps(s)


def main():
    mock, url, key = start_mock(40)
    try:
        startup(url, key, "file")
        if os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            startup(url, key, "keyring")
        else:
            print("start-up with a keyring: skipped (no D-Bus session; benches/tui.sh gives one)")
    finally:
        mock.kill()

    # 10,000 deltas at 100 a second: 100 s of reply, longer than anything below.
    mock, url, key = start_mock(10000, pace=100)
    try:
        home = home_dir(url)
        env = environment(home, url, key)
        long_history(env)
        app = App(env)
        app.read_until(b"Ask anything")
        os.write(app.master, b"\x1b5")  # the History pane
        app.read_until(b"A long conversation")
        os.write(app.master, b"\r")  # resume it: 2,000 turns in the transcript
        app.read_until(b"Resumed")
        app.drain()
        summary(f"keypress to frame, {TURNS} turns, idle", app.key_latency(200))
        os.write(app.master, b"\x15go\r")
        app.read_until(b"lorem")
        time.sleep(2)
        c0 = app.cpu()
        time.sleep(60)
        c1 = app.cpu()
        print(f"app CPU while a reply streams at 100 deltas/s, 60 s: {100 * (c1 - c0) / 60:.2f} % of one core")
        summary(f"keypress to frame, {TURNS} turns, while streaming", app.key_latency(200))
        app.quit()
    finally:
        mock.kill()


if __name__ == "__main__":
    sys.exit(main())
