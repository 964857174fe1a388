//! oat in real terminal emulators (xterm with sixel, mlterm) on a virtual X display, started
//! again and again: after start the tty is in raw mode every time — the picture query must
//! not leave it in line mode — and after quitting by a key it is sane again. tmux hides
//! this class of bug (oat never asks tmux for pictures), so only a real emulator shows it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Without the X tools the test says so, except in CI, where it fails.
fn tools_or_skip(tools: &[&str]) -> bool {
    let missing: Vec<_> = tools.iter().filter(|t| !have(t)).collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must install {missing:?} (see .ci/run)"
    );
    eprintln!(
        "SKIPPED real-terminal test: {missing:?} not installed (apt-get install xvfb xterm mlterm xdotool)"
    );
    false
}

/// Polls `check` until it gives a value or the deadline passes.
fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

struct Display {
    xvfb: Child,
    name: String,
}

impl Display {
    /// The first free display from `base` on (each test its own range: they run at once).
    fn start(base: u32) -> Self {
        let n = (base..base + 50)
            .find(|n| {
                !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                    && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
            })
            .expect("a free display number");
        let name = format!(":{n}");
        let xvfb = Command::new("Xvfb")
            .args([&name, "-screen", "0", "1024x768x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb starts");
        let socket = PathBuf::from(format!("/tmp/.X11-unix/X{n}"));
        wait_for("Xvfb's socket", Duration::from_secs(10), || {
            socket.exists().then_some(())
        });
        Self { xvfb, name }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        let _ = self.xvfb.kill();
        let _ = self.xvfb.wait();
    }
}

/// One start of oat inside `terminal` (its argv up to `-e`), then `keys` (xdotool's names;
/// they must quit oat) typed through the X server. Returns the tty's `stty -a` while oat
/// ran and after it quit.
fn start_and_quit(
    display: &Display,
    terminal: &[&str],
    mock: &MockServer,
    keys: &[&str],
) -> (String, String) {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::create_dir_all(h.join("config/oat")).unwrap();
    // `images = true`: ask every terminal for pictures, as kitty, mlterm, foot… are asked
    // by default. The terms notice is seen, so Ctrl-C reaches the app's own quit.
    std::fs::write(
        h.join("config/oat/config.toml"),
        "images = true\nterms_notice_seen = true\n",
    )
    .unwrap();
    let bin = assert_cmd::cargo::cargo_bin("oat");
    let script = format!(
        "tty > {h}/tty; env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME={h} XDG_CONFIG_HOME={h}/config \
         XDG_STATE_HOME={h}/state XDG_DATA_HOME={h}/data XDG_CACHE_HOME={h}/cache \
         DBUS_SESSION_BUS_ADDRESS=unix:path={h}/no-bus ANTHROPIC_API_KEY={key} ANTHROPIC_BASE_URL={url} {bin}; \
         echo $? > {h}/exit; stty -a > {h}/after",
        h = h.display(),
        key = API_KEY,
        url = mock.url,
        bin = bin.display(),
    );
    let mut term = Command::new(terminal[0])
        .args(&terminal[1..])
        .args(["-e", "sh", "-c", &script])
        .env("DISPLAY", &display.name)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the terminal starts");
    let limit = Duration::from_secs(20);
    let tty = wait_for("the tty's name", limit, || {
        let t = std::fs::read_to_string(h.join("tty")).ok()?;
        let t = t.trim().to_string();
        t.starts_with("/dev/").then_some(t)
    });
    // The app logs the terminal's answer once the query is over; the mode is read after.
    let log = h.join("state/oat/oat.log");
    let answered = wait_for("oat's picture query", limit, || {
        let text = std::fs::read_to_string(&log).ok()?;
        text.lines()
            .find(|l| l.contains("pictures: the terminal answered"))
            .map(str::to_string)
    });
    // A first frame is drawn after the query: the mode must hold past it, too.
    let mut during = String::new();
    for _ in 0..5 {
        let out = Command::new("stty")
            .args(["-F", &tty, "-a"])
            .output()
            .unwrap();
        during = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            has(&during, "-icanon") && has(&during, "-echo"),
            "{terminal:?}: not in raw mode after the picture query ({answered}):\n{during}"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
    // The pointer over the window gives it the keyboard (no window manager runs).
    let type_keys = || {
        let typed = Command::new("xdotool")
            .args([
                "mousemove",
                "20",
                "20",
                "sleep",
                "0.1",
                "key",
                "--delay",
                "100",
            ])
            .args(keys)
            .env("DISPLAY", &display.name)
            .status()
            .unwrap();
        assert!(typed.success());
    };
    type_keys();
    // On a loaded machine the X server can hand a key to a window not yet focused (CI
    // lost one in ten mlterm starts once). oat quits within milliseconds of its key, so
    // no exit status after 8 s means the key never reached it: type it once more. A
    // second loss, or an oat that does not quit, still fails below.
    let quit = Instant::now();
    while !h.join("exit").exists() && quit.elapsed() < Duration::from_secs(8) {
        std::thread::sleep(Duration::from_millis(50));
    }
    if !h.join("exit").exists() {
        eprintln!("{terminal:?}: oat had not quit 8 s after its keys; typing them again");
        type_keys();
    }
    let after = wait_for("the shell after oat", limit, || {
        let a = std::fs::read_to_string(h.join("after")).ok()?;
        a.contains("speed").then_some(a)
    });
    let exit = std::fs::read_to_string(h.join("exit")).unwrap_or_default();
    assert_eq!(exit.trim(), "0", "{terminal:?}: oat's exit status");
    let _ = term.kill();
    let _ = term.wait();
    (during, after)
}

/// `word` stands in `stty -a`'s output as a whole word.
fn has(stty: &str, word: &str) -> bool {
    stty.split_whitespace().any(|w| w == word)
}

fn run_many(display_base: u32, terminal: &[&str], times: usize) {
    let display = Display::start(display_base);
    let mock = MockServer::start();
    for i in 0..times {
        let (_during, after) = start_and_quit(&display, terminal, &mock, &["ctrl+c"]);
        assert!(
            has(&after, "icanon") && has(&after, "echo"),
            "{terminal:?} start {i}: the shell was left without line mode or echo:\n{after}"
        );
    }
}

#[test]
fn xterm_with_sixel_is_in_raw_mode_after_every_start_and_sane_after_quit() {
    if !tools_or_skip(&["Xvfb", "xterm", "xdotool"]) {
        return;
    }
    run_many(
        90,
        &[
            "xterm",
            "-ti",
            "vt340",
            "-xrm",
            "XTerm*decTerminalID: vt340",
            "-geometry",
            "100x30+0+0",
        ],
        20,
    );
}

#[test]
fn mlterm_is_in_raw_mode_after_every_start_and_sane_after_quit() {
    if !tools_or_skip(&["Xvfb", "mlterm", "xdotool"]) {
        return;
    }
    run_many(140, &["mlterm", "--geometry", "100x30+0+0"], 10);
}

/// Stock xterm types Alt-1 as `±` unless told to send Escape first: oat turns on its
/// meta-sends-escape, so Alt-1 reaches the app and opens the Keys pane, where `q` quits.
/// Typed into the composer instead, `q` would not quit and the test would time out.
#[test]
fn alt_keys_reach_the_app_in_stock_xterm() {
    if !tools_or_skip(&["Xvfb", "xterm", "xdotool"]) {
        return;
    }
    let display = Display::start(190);
    let mock = MockServer::start();
    let (_during, after) = start_and_quit(
        &display,
        &["xterm", "-geometry", "100x30+0+0"],
        &mock,
        &["alt+1", "q"],
    );
    assert!(has(&after, "icanon"), "{after}");
}
