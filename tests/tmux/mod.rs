//! The built `oat` in tmux at a chosen size, with a clean environment in its own home:
//! what the end-to-end tests of the keys and screens share. Screens are polled with a
//! deadline, never waited for with a fixed sleep.
// Each test binary uses its own part of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: String,
}

/// How long a screen may take to show what a test waits for.
const DEADLINE: Duration = Duration::from_secs(20);

impl Tmux {
    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    pub fn run(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("tmux runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn screen(&self) -> String {
        self.run(&["capture-pane", "-p", "-t", "oat"])
    }

    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "oat"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Types `text` literally.
    pub fn type_text(&self, text: &str) {
        self.keys(&["-l", text]);
    }

    /// Sends raw bytes, given as hex (`1f` is Ctrl-_).
    pub fn bytes(&self, hex: &str) {
        self.keys(&["-H", hex]);
    }

    /// Polls the screen until `ok` holds for it; the screen then.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(start.elapsed() < DEADLINE, "never saw {what}; screen:\n{s}");
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    pub fn wait_for(&self, what: &str) -> String {
        self.wait_until(&format!("{what:?}"), |s| s.contains(what))
    }

    /// The composer's text: the line inside its box, above the status line.
    pub fn composer(&self) -> String {
        let s = self.screen();
        let lines: Vec<&str> = s.lines().collect();
        let bottom = lines.iter().rposition(|l| l.starts_with('└')).unwrap_or(0);
        lines
            .get(bottom.saturating_sub(1))
            .map(|l| {
                l.trim_start_matches('│')
                    .trim_end()
                    .trim_end_matches('│')
                    .trim_end()
                    .to_string()
            })
            .unwrap_or_default()
    }

    /// Polls until the composer holds `want` (trailing spaces do not show on a screen).
    pub fn wait_composer(&self, want: &str) {
        let start = Instant::now();
        let want = want.trim_end();
        loop {
            let now = self.composer();
            if now == want {
                return;
            }
            assert!(
                start.elapsed() < DEADLINE,
                "the composer holds {now:?}, not {want:?}; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(40));
        }
    }

    /// The built `oat` in a `w`×`h` tmux session, in a clean environment in `home` with
    /// `env` (`NAME=value` words) and no keyring; it prints `EXITED:code` when oat ends
    /// and saves the terminal's modes then (`stty -a`) in `home/stty.txt`.
    pub fn start(home: &Path, name: &str, env: &str, size: (u16, u16)) -> Self {
        Self::start_command(home, name, env, size, "", false)
    }

    /// As `start`, with `args` (shell words) after `oat`: a command rather than the app.
    pub fn start_args(home: &Path, name: &str, env: &str, args: &str, size: (u16, u16)) -> Self {
        Self::start_command(home, name, env, size, args, false)
    }

    /// `start`, with `args` after the binary (shell words: a redirection works too); with
    /// `recorded`, every byte the pane's program writes (escapes included) is appended to
    /// `home/pane.raw`, from before oat starts.
    pub fn start_command(
        home: &Path,
        name: &str,
        env: &str,
        (w, h): (u16, u16),
        args: &str,
        recorded: bool,
    ) -> Self {
        let bin = assert_cmd::cargo::cargo_bin("oat");
        let dir = home.display();
        // Recorded: oat waits for the pipe to be in place before it starts.
        let wait = if recorded {
            format!("while [ ! -e {dir}/go ]; do sleep 0.05; done; ")
        } else {
            String::new()
        };
        let script = format!(
            "{wait}env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME={dir} XDG_CONFIG_HOME={dir}/config \
             XDG_STATE_HOME={dir}/state XDG_DATA_HOME={dir}/data \
             DBUS_SESSION_BUS_ADDRESS=unix:path={dir}/no-bus {env} {bin} {args}; echo EXITED:$?; \
             stty -a > {dir}/stty.txt; sleep 60",
            bin = bin.display(),
        );
        let tmux = Tmux {
            socket: format!("{name}-{}", std::process::id()),
        };
        let (w, h) = (w.to_string(), h.to_string());
        let out = tmux
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "oat",
                "-x",
                &w,
                "-y",
                &h,
                &script,
            ])
            .output()
            .expect("tmux runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        if recorded {
            let pipe = format!("cat >> {dir}/pane.raw");
            tmux.run(&["pipe-pane", "-o", "-t", "oat", &pipe]);
            std::fs::write(home.join("go"), "").expect("the go file is written");
        }
        tmux
    }

    /// Everything the pane's program wrote so far (see `start_command`'s `recorded`).
    pub fn recorded(home: &Path) -> Vec<u8> {
        std::fs::read(home.join("pane.raw")).unwrap_or_default()
    }

    /// The pane's whole scrollback, as text.
    pub fn transcript(&self) -> String {
        self.run(&["capture-pane", "-p", "-J", "-S", "-", "-t", "oat"])
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

pub fn have_tmux() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Without tmux the test says so, except in CI, where it fails.
pub fn tmux_or_skip(test: &str) -> bool {
    if have_tmux() {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
    eprintln!("SKIPPED {test}: tmux is not installed (apt-get install tmux)");
    false
}
