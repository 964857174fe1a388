//! End to end: the built `oat` in a real pseudo-terminal (tmux), against the mock server.
//! Type a prompt, watch the reply stream in, stop one mid-stream with Esc, switch panes,
//! quit — and check the terminal came back: main screen, cooked mode.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;
mod tmux;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;
use tmux::{Tmux, tmux_or_skip};

/// The built `oat` at 100×30 with an API key in its environment, aimed at the mock; it
/// records `stty -a` when oat exits.
fn start(home: &Path, mock: &MockServer, name: &str) -> Tmux {
    start_with(home, mock, name, "")
}

/// `start`, with more `NAME=value` words for the environment.
fn start_with(home: &Path, mock: &MockServer, name: &str, env: &str) -> Tmux {
    let env = format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={} {env}",
        mock.url
    );
    Tmux::start(home, name, &env, (100, 30))
}

#[test]
fn type_stream_stop_switch_quit_and_the_terminal_is_restored() {
    if !tmux_or_skip("end-to-end TUI test") {
        return;
    }
    let mock = MockServer::start();
    // First reply normal; the second stalls after two deltas so Esc lands mid-stream.
    mock.push_messages(Reply::Stream(StreamSpec::text(&[
        "Hello ",
        "from ",
        "the **mock**.",
        " Done.",
    ])));
    let mut slow = StreamSpec::text(&["Partial ", "answer ", "never finished"]);
    slow.fault = Fault::StallAfter(2, Duration::from_secs(60));
    mock.push_messages(Reply::Stream(slow));

    let home = tempfile::tempdir().unwrap();
    let stty = home.path().join("stty.txt");
    let tmux = start(home.path(), &mock, "oat-test");
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "Say hello"]);
    tmux.keys(&["Enter"]);
    // Usage shows once the reply is complete: the first prompt went to the cache whole.
    let s = tmux.wait_for("to cache) ↓");
    assert!(s.contains("Hello from the mock. Done."), "{s}");

    tmux.keys(&["-l", "Tell me more"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Partial answer");
    tmux.keys(&["Escape"]);
    let s = tmux.wait_for("stopped");
    assert!(s.contains("Partial answer"), "what arrived is kept: {s}");
    let body = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    assert_eq!(
        body["messages"].as_array().unwrap().len(),
        3,
        "the first turn went as context"
    );

    tmux.keys(&["M-3"]);
    tmux.wait_for("claude-opus-5-5");
    tmux.keys(&["Tab"]);
    // Back in the chat: the stopped reply is there (its notice went at the next key).
    tmux.wait_for("Partial answer");
    // The conversation was kept, titled by its first prompt.
    tmux.keys(&["M-5"]);
    tmux.wait_for("Conversations (1)");
    tmux.wait_for("Say hello");
    tmux.keys(&["M-1"]);
    tmux.wait_for("env:ANTHROPIC_API_KEY");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0");
    assert_eq!(
        tmux.run(&["display", "-p", "-t", "oat", "#{alternate_on}"])
            .trim(),
        "0",
        "main screen back"
    );
    let start = Instant::now();
    while !stty.exists() && start.elapsed() < Duration::from_secs(5) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let modes = std::fs::read_to_string(&stty).unwrap();
    assert!(
        modes.contains(" icanon") && modes.contains(" echo") && !modes.contains("-icanon"),
        "cooked mode back: {modes}"
    );
    assert_no_secret(&tmux.screen());
}

#[test]
fn keys_added_from_the_shell_survive_the_apps_saves_and_show_in_its_keys_pane() {
    if !tmux_or_skip("app and shell at once") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let add_from_shell = |name: &str| {
        let o = output(
            oat(h)
                .env("ANTHROPIC_BASE_URL", &mock.url)
                .env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    format!("unix:path={}/no-bus", h.display()),
                )
                .args(["key", "add", name, "--store", "file"])
                .write_stdin(API_KEY),
            false,
        );
        assert_eq!(o.code, 0, "{}", o.stderr);
    };
    let tmux = start(h, &mock, "oat-twice");
    tmux.wait_for("shown once");
    // The app read its config before this key existed.
    add_from_shell("from-shell");
    // Acknowledging the notice is the app's own save: it must keep the shell's key.
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["M-1"]);
    tmux.wait_for("from-shell");
    // A second key while the Keys pane is open appears without any key press (the watcher).
    add_from_shell("second");
    tmux.wait_for("second");
    // Choosing a key in the app is another save.
    tmux.keys(&["Down"]);
    tmux.keys(&["Down"]);
    tmux.keys(&["Enter"]);
    let path = h.join("config/oat/config.toml");
    let start = Instant::now();
    let config = loop {
        let config = std::fs::read_to_string(&path).unwrap();
        if config.contains("active_key = \"env:") || start.elapsed() > Duration::from_secs(20) {
            break config;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    for want in [
        "terms_notice_seen = true",
        "active_key = \"env:ANTHROPIC_API_KEY\"",
        "name = \"from-shell\"",
        "name = \"second\"",
    ] {
        assert!(config.contains(want), "{want} missing:\n{config}");
    }
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0");
    assert_no_secret(&tmux.screen());
}

/// The context meter in a real terminal: typing asks for one count once it pauses, the
/// exact figure replaces the estimate, and an idle app asks for nothing more.
#[test]
fn tokens_are_counted_after_typing_pauses_and_never_while_idle() {
    if !tmux_or_skip("end-to-end count test") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let tmux = start(home.path(), &mock, "oat-count");
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    // Typed a piece at a time, faster than the pause that triggers a count.
    for piece in ["How many ", "tokens is ", "this prompt?"] {
        tmux.keys(&["-l", piece]);
        std::thread::sleep(Duration::from_millis(100));
    }
    let counted = |m: &MockServer| m.requests_to("/v1/messages/count_tokens").len();
    let start = Instant::now();
    while counted(&mock) == 0 {
        assert!(start.elapsed() < Duration::from_secs(10), "never counted");
        std::thread::sleep(Duration::from_millis(50));
    }
    let body = mock.requests_to("/v1/messages/count_tokens")[0]
        .body
        .clone()
        .unwrap();
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "How many tokens is this prompt?"
    );
    // The mock's count, exact (no `~`), in the chat header.
    let exact = format!(" {} / 1M", common::usage::Cache::count(&body));
    tmux.wait_for(&exact);
    // Nothing more while idle: watched over five times the pause that triggers a count
    // (not a sleep that stands in for an event: absence can only be watched for).
    let idle = Instant::now();
    while idle.elapsed() < oat::tui::event_loop::SETTLE * 5 {
        assert_eq!(
            counted(&mock),
            1,
            "one count for one pause, none while idle"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // A setting changed after the first prompt is kept with the conversation too.
    tmux.keys(&["Enter"]);
    tmux.wait_for("Done.");
    tmux.keys(&["-l", "/web on"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Web search on");
    tmux.keys(&["-l", "And again"]);
    tmux.keys(&["Enter"]);
    let start = Instant::now();
    while tmux.screen().matches(" ↓").count() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "second reply never ended"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    tmux.keys(&["C-c"]);
    tmux.wait_for("EXITED:0");
    let out = common::output(
        common::oat(home.path()).args(["history", "show", "1", "--json"]),
        false,
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(v["conversation"]["settings"]["web"], true, "{}", out.stdout);
}

/// Ctrl-O hands the composer to `$EDITOR` (a script here) in cooked mode on the main
/// screen, takes the edited text back, and the app is whole again; then select mode copies
/// the reply through OSC 52, which tmux keeps as a paste buffer.
#[test]
fn the_editor_round_trip_and_copy_in_select_mode() {
    if !tmux_or_skip("end-to-end editor test") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let editor = h.join("editor.sh");
    std::fs::write(
        &editor,
        format!(
            "#!/bin/sh\nstty -a > {h}/editor-stty.txt\nprintf '%s, edited in the editor\\n' \"$(cat \"$1\")\" > \"$1\"\n",
            h = h.display()
        ),
    )
    .unwrap();
    std::process::Command::new("chmod")
        .args(["755", editor.to_str().unwrap()])
        .status()
        .unwrap();
    let tmux = start_with(
        h,
        &mock,
        "oat-editor",
        &format!("EDITOR={}", editor.display()),
    );
    tmux.run(&["set", "-g", "set-clipboard", "on"]);
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "Draft"]);
    tmux.keys(&["C-o"]);
    let s = tmux.wait_for("Draft, edited in the editor");
    assert!(s.contains("Back from the editor"), "{s}");
    let modes = std::fs::read_to_string(h.join("editor-stty.txt")).unwrap();
    assert!(
        modes.contains(" icanon") && !modes.contains("-icanon"),
        "the editor had a cooked terminal: {modes}"
    );
    assert_eq!(
        tmux.run(&["display", "-p", "-t", "oat", "#{alternate_on}"])
            .trim(),
        "1",
        "the app has its screen back"
    );
    tmux.keys(&["Enter"]);
    tmux.wait_for("Done.");
    let body = mock.requests_to("/v1/messages")[0].body.clone().unwrap();
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "Draft, edited in the editor"
    );
    // Select mode: Alt-Up, then y copies the reply as it arrived.
    tmux.keys(&["M-Up"]);
    tmux.wait_for("▶ You");
    tmux.keys(&["y"]);
    tmux.wait_for("Sent turn 1");
    let copied = tmux.run(&["show-buffer"]);
    assert_eq!(
        copied, "Hello, wörld! ✓ 日本語 🎉\n\n```rust\nfn main() {}\n```\nDone.",
        "the exact source, through OSC 52 and tmux"
    );
    tmux.keys(&["Escape"]);
    tmux.keys(&["C-c"]);
    tmux.wait_for("EXITED:0");
    assert_no_secret(&tmux.screen());
}

/// Every frame goes out between synchronized-output markers (mode 2026), begun and ended
/// in pairs: read from the raw bytes oat writes to a real pseudo-terminal (`script`
/// records them; tmux would consume them).
#[test]
fn frames_are_drawn_inside_synchronized_output_markers() {
    use std::io::Write;
    if Command::new("script").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CI").is_none(),
            "script (util-linux) is required in CI"
        );
        eprintln!("SKIPPED synchronized-output test: no `script` command");
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let typescript = h.join("typescript");
    let bin = assert_cmd::cargo::cargo_bin("oat");
    let mut child = Command::new("script")
        // The pty `script` makes has no size until told: 80×24, as a terminal starts.
        .args(["-q", "-f", "-e", "-c"])
        .arg(format!("stty rows 24 cols 80; exec {}", bin.display()))
        .arg(&typescript)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "xterm-256color")
        .env("HOME", h)
        .env("XDG_CONFIG_HOME", h.join("config"))
        .env("XDG_STATE_HOME", h.join("state"))
        .env("XDG_DATA_HOME", h.join("data"))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}/no-bus", h.display()),
        )
        .env("ANTHROPIC_API_KEY", API_KEY)
        .env("ANTHROPIC_BASE_URL", &mock.url)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let frames = |t: &[u8]| {
        let count = |m: &[u8]| t.windows(m.len()).filter(|w| *w == m).count();
        (count(b"\x1b[?2026h"), count(b"\x1b[?2026l"))
    };
    loop {
        let t = std::fs::read(&typescript).unwrap_or_default();
        if frames(&t).1 >= 1 {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20), "no frame drawn");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.stdin.as_mut().unwrap().write_all(b"\x03").unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let t = std::fs::read(&typescript).unwrap();
    let (begun, ended) = frames(&t);
    assert!(begun >= 1 && begun == ended, "begun {begun}, ended {ended}");
    // Nothing of a frame outside them: the first frame's text follows the first marker.
    let first = t.windows(8).position(|w| w == b"\x1b[?2026h").unwrap();
    let text = String::from_utf8_lossy(&t);
    let drawn = text.find("Chat").expect("the tab bar was drawn");
    assert!(drawn > first, "a frame was drawn before the first marker");
}

/// `links = "on"` writes OSC 8 hyperlinks around the URLs after each frame (tmux 3.3 drops
/// them; later ones keep them as links): the text on screen is unchanged, nothing is drawn
/// in the wrong place, and the cursor is back in the composer for the next key.
#[test]
fn hyperlinks_leave_the_screen_and_the_cursor_as_they_were() {
    if !tmux_or_skip("hyperlinks end-to-end test") {
        return;
    }
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&[
        "See [the docs](https://docs.rs/x) ",
        "and https://example.com/a/b?c=1.",
    ])));
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/oat");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), "links = \"on\"\n").unwrap();
    let tmux = start(home.path(), &mock, "oat-links");
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "Links please"]);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("to cache) ↓");
    assert!(
        s.contains("See the docs (https://docs.rs/x) and https://example.com/a/b?c=1."),
        "{s}"
    );
    // The next keys land in the composer: the cursor was put back after the links.
    tmux.keys(&["-l", "next one"]);
    tmux.wait_composer("next one");
    let s = tmux.screen();
    assert_eq!(
        s.matches("https://docs.rs/x").count(),
        1,
        "nothing written twice: {s}"
    );
}
