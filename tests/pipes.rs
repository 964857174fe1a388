//! Every command that prints, piped into a real `head -1` that reads one line and closes
//! the pipe: oat stops quietly (no panic, no "Broken pipe" on stderr) with the exit code
//! of a whole run or 0, many times over, on output long enough to outlast the pipe.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use oat::history::{History, ReplyUpdate};
use serde_json::json;

/// Runs per command: the panic came in 8 of 10 runs on a long conversation, and in some
/// runs for the short outputs; eight runs of each catch either.
const RUNS: usize = 8;

/// A home with a key in the file store and a history long enough to fill a pipe.
fn home(mock: &MockServer) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, secret) in [("sub", OAUTH_TOKEN), ("api", API_KEY)] {
        let o = output(
            oat(dir.path())
                .env("ANTHROPIC_BASE_URL", &mock.url)
                .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
                .args(["key", "add", name, "--store", "file"])
                .write_stdin(secret),
            false,
        );
        assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    }
    let h = History::open(&dir.path().join("data/oat/history.db")).unwrap();
    for c in 0..60 {
        let id = h
            .create_conversation(
                &format!("conversation {c}"),
                "claude-test",
                None,
                &json!({}),
            )
            .unwrap();
        // The first conversation is long: 300 turns of many lines each.
        let turns = if c == 0 { 300 } else { 1 };
        for t in 0..turns {
            h.add_user_message(id, &format!("question {t} about pipes"))
                .unwrap();
            let r = h.start_reply(id, "claude-test", None).unwrap();
            let text = (0..20)
                .map(|l| format!("line {l} of answer {t}: a pipe that closes early"))
                .collect::<Vec<_>>()
                .join("\n");
            h.update_reply(
                r,
                &ReplyUpdate {
                    content: json!([{"type": "text", "text": text}]),
                    text,
                    complete: true,
                    ..Default::default()
                },
            )
            .unwrap();
        }
    }
    dir
}

fn command(home: &Path, mock: &MockServer, args: &[&str]) -> Command {
    let mut cmd = oat_process(home);
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .current_dir(home)
        .args(args)
        .stdin(Stdio::null());
    cmd
}

/// Waits for `child` with a deadline, so a hang fails the test instead of the suite.
fn wait(child: &mut std::process::Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{what} did not finish within 30 s");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `oat ARGS | head -1`: oat's exit status and stderr, and the line head printed.
fn piped(home: &Path, mock: &MockServer, args: &[&str]) -> (i32, String, String) {
    let stderr_path = home.join("stderr.txt");
    let mut oat = command(home, mock, args)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    // The read end goes to head alone: when head exits, the pipe has no reader left.
    let mut head = Command::new("head")
        .arg("-1")
        .stdin(Stdio::from(oat.stdout.take().unwrap()))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let head_status = wait(&mut head, "head -1");
    assert!(head_status.success());
    let mut line = String::new();
    std::io::Read::read_to_string(&mut head.stdout.take().unwrap(), &mut line).unwrap();
    let status = wait(&mut oat, &format!("oat {}", args.join(" ")));
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    (status.code().unwrap_or(-1), stderr, line)
}

#[test]
fn every_printing_command_stops_quietly_when_its_reader_closes_the_pipe() {
    let mock = MockServer::start();
    let dir = home(&mock);
    let home = dir.path();
    let commands: &[&[&str]] = &[
        &["history", "show", "1"],
        &["history", "show", "1", "--json"],
        &["history", "show", "1", "--markdown"],
        &["history", "show", "1", "--all"],
        &["history", "list"],
        &["history", "list", "--json"],
        &["history", "search", "pipe"],
        &["history", "search", "pipe", "--json"],
        &["history", "export", "1"],
        &["doctor"],
        &["doctor", "--json"],
        &["config", "show"],
        &["config", "show", "--json"],
        &["config", "path"],
        &["token", "status"],
        &["token", "status", "--json"],
        &["models"],
        &["models", "--json"],
        &["key", "list"],
        &["key", "list", "--json"],
        &["key", "show", "sub"],
        &["ask", "hi"],
        &["completions", "bash"],
        &["man"],
    ];
    for args in commands {
        // A whole run first: its exit code and first line are what the piped runs keep.
        let whole = command(home, &mock, args).output().unwrap();
        let whole_code = whole.status.code().unwrap_or(-1);
        let whole_out = String::from_utf8_lossy(&whole.stdout);
        let first = whole_out.lines().next().unwrap_or_default().to_string();
        assert!(
            !first.is_empty(),
            "oat {} printed nothing: {}",
            args.join(" "),
            String::from_utf8_lossy(&whole.stderr)
        );
        for run in 0..RUNS {
            let (code, stderr, line) = piped(home, &mock, args);
            let shown = format!("oat {} | head -1 (run {run})", args.join(" "));
            assert!(
                !stderr.contains("panicked") && !stderr.to_lowercase().contains("broken pipe"),
                "{shown}: {stderr}"
            );
            assert!(
                code == 0 || code == whole_code,
                "{shown}: exit {code} (a whole run exits {whole_code}); stderr: {stderr}"
            );
            assert_eq!(line.trim_end(), first, "{shown}");
            assert_no_secret(&stderr);
        }
    }
}
