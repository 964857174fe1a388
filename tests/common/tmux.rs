//! The built `oat` in a real pseudo-terminal (a tmux session of its own), for tests where
//! another `oat` process works beside the app. Included with `#[path]` by the tests that
//! use it.
// Each test binary uses its own part of these.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::common::{API_KEY, MockServer};

pub struct Tmux {
    socket: String,
}

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

    /// The screen once `ok` holds for it; fails after 20 s, showing the screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if ok(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never saw {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn wait_for(&self, what: &str) -> String {
        self.wait_until(&format!("{what:?}"), |s| s.contains(what))
    }

    /// The built `oat` in a 100×30 session with a clean environment in `home` (the same
    /// dirs `common::oat` uses, so a shell command there shares its files), an API key in
    /// the environment, no keyring, and `env` (`NAME=value` words) besides.
    pub fn start(home: &Path, mock: &MockServer, name: &str, env: &str) -> Self {
        let h = home;
        let bin = assert_cmd::cargo::cargo_bin("oat");
        let script = format!(
            "env -i PATH=/usr/bin:/bin TERM=xterm-256color HOME={h} XDG_CONFIG_HOME={h}/config XDG_STATE_HOME={h}/state XDG_DATA_HOME={h}/data XDG_CACHE_HOME={h}/cache \
             DBUS_SESSION_BUS_ADDRESS=unix:path={h}/no-bus ANTHROPIC_API_KEY={key} ANTHROPIC_BASE_URL={url} {env} {bin}; \
             echo EXITED:$?; sleep 60",
            h = h.display(),
            key = API_KEY,
            url = mock.url,
            bin = bin.display(),
        );
        let tmux = Tmux {
            socket: format!("{name}-{}", std::process::id()),
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
        tmux
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

/// Without tmux the test says so, except in CI, where it fails.
pub fn tmux_or_skip(test: &str) -> bool {
    let have = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if have {
        return true;
    }
    assert!(std::env::var_os("CI").is_none(), "tmux is required in CI");
    eprintln!("SKIPPED {test}: tmux is not installed (apt-get install tmux)");
    false
}
