//! End to end: the built `oat` in a real pseudo-terminal (tmux), against the mock server.
//! Type a prompt, watch the reply stream in, stop one mid-stream with Esc, switch panes,
//! quit — and check the terminal came back: main screen, cooked mode.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "oat"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "oat"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    fn wait_for(&self, what: &str) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(what) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never saw {what:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn type_stream_stop_switch_quit_and_the_terminal_is_restored() {
    if !have_tmux() {
        assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
        eprintln!("SKIPPED end-to-end TUI test: tmux is not installed (apt-get install tmux)");
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
    let h: &Path = home.path();
    let bin = assert_cmd::cargo::cargo_bin("oat");
    let stty = h.join("stty.txt");
    let script = format!(
        "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state XDG_DATA_HOME={h}/data \
         DBUS_SESSION_BUS_ADDRESS=unix:path={h}/no-bus ANTHROPIC_API_KEY={key} ANTHROPIC_BASE_URL={url} {bin}; \
         echo EXITED:$?; stty -a > {stty}; sleep 60",
        h = h.display(),
        key = API_KEY,
        url = mock.url,
        bin = bin.display(),
        stty = stty.display(),
    );
    let tmux = Tmux {
        socket: format!("oat-test-{}", std::process::id()),
    };
    let out = tmux
        .cmd()
        .args([
            "new-session",
            "-d",
            "-s",
            "oat",
            "-x",
            "100",
            "-y",
            "30",
            &script,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "Say hello"]);
    tmux.keys(&["Enter"]);
    // Usage shows once the reply is complete.
    let s = tmux.wait_for("↑25");
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
    tmux.wait_for("Stopped; what arrived is kept");
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
