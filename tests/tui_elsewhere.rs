//! The app beside another `oat` process, end to end (tmux, the real binary, the mock): a
//! conversation saved in the shell appears in the History pane without a key press, one
//! deleted in the shell leaves the chat and is not sent as context, a reply stopped
//! before any text (or before it began) is saved as stopped, and a key chosen or removed
//! in the shell moves the Status pane and the status bar.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;
mod tmux;

use std::path::Path;

use common::*;
use tmux::{Tmux, tmux_or_skip};

/// The mock's API key and address, and the cache dir the shell's commands use too.
fn with_key(h: &Path, mock: &MockServer) -> String {
    format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={} XDG_CACHE_HOME={}/cache",
        mock.url,
        h.display()
    )
}

fn shell(home: &Path, mock: &MockServer, args: &[&str]) -> Out {
    let o = output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .args(args),
        false,
    );
    assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    o
}

#[test]
fn the_history_follows_the_shell_and_a_deleted_conversation_leaves_the_chat() {
    if !tmux_or_skip("app and shell at once") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Socks ", "and a hat."])));
    let tmux = Tmux::start(h, "oat-elsewhere", &with_key(h, &mock), (100, 30));
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "What to pack?"]);
    tmux.keys(&["Enter"]);
    tmux.wait_until("the reply done", |s| {
        s.contains("Socks and a hat.") && s.contains("to cache) ↓")
    });
    tmux.keys(&["M-5"]);
    tmux.wait_for("Conversations (1)");

    // Saved by another process while the pane is open: it appears, no key pressed.
    mock.push_messages(Reply::Stream(StreamSpec::text(&["ok"])));
    shell(h, &mock, &["ask", "--save", "Saved from the shell"]);
    tmux.wait_until("both conversations", |s| {
        s.contains("Saved from the shell") && s.contains("Conversations (2)")
    });

    // The conversation open in the chat is deleted in the shell.
    shell(h, &mock, &["history", "delete", "1"]);
    tmux.wait_until("the list without it", |s| {
        s.contains("Conversations (1)") && !s.contains("What to pack?")
    });
    tmux.keys(&["M-4"]);
    let s = tmux.wait_for("was deleted");
    assert!(!s.contains("Socks and a hat."), "gone from the chat: {s}");
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Fresh."])));
    tmux.keys(&["-l", "Start again"]);
    tmux.keys(&["Enter"]);
    // The usage line: the reply is complete, so the next prompt can go.
    tmux.wait_until("the reply done", |s| {
        s.contains("Fresh.") && s.contains("to cache) ↓")
    });
    let sent = mock
        .requests_to("/v1/messages")
        .last()
        .unwrap()
        .body
        .clone();
    let sent = sent.unwrap()["messages"].as_array().unwrap().len();
    assert_eq!(
        sent, 1,
        "no turn of the deleted conversation went as context"
    );
    let list = shell(h, &mock, &["history", "list", "--json"]).stdout;
    let list: Vec<serde_json::Value> = serde_json::from_str(&list).unwrap();
    let ids: Vec<i64> = list.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, [3, 2], "a new conversation, with a new id");

    // Stopped before any text: saved, and saved as stopped.
    let mut silent = StreamSpec::text(&["never"]);
    silent.fault = Fault::StallAfter(0, std::time::Duration::from_secs(60));
    mock.push_messages(Reply::Stream(silent));
    tmux.keys(&["-l", "Think long"]);
    tmux.keys(&["Enter"]);
    tmux.wait_until("the request", |_| {
        mock.requests_to("/v1/messages").len() == 4
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for("■ stopped");
    let start = std::time::Instant::now();
    let shown = loop {
        let shown = shell(h, &mock, &["history", "show", "3"]).stdout;
        if shown.contains("[stopped]") || start.elapsed() > std::time::Duration::from_secs(20) {
            break shown;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        shown.contains("You:\nThink long\n\nClaude:  [stopped]"),
        "{shown}"
    );

    // Stopped while waiting to retry, before the reply even began: saved as stopped too.
    mock.push_messages(Reply::rate_limited(30));
    tmux.keys(&["-l", "Wait for it"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("rate limited (429)");
    tmux.keys(&["Escape"]);
    let start = std::time::Instant::now();
    let shown = loop {
        let shown = shell(h, &mock, &["history", "show", "3"]).stdout;
        if shown.matches("[stopped]").count() == 2
            || start.elapsed() > std::time::Duration::from_secs(20)
        {
            break shown;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(
        shown.contains("You:\nWait for it\n\nClaude:  [stopped]"),
        "{shown}"
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for("EXITED:0");
    assert_no_secret(&tmux.screen());
}

#[test]
fn the_key_chosen_or_removed_in_the_shell_moves_the_status_pane_and_bar() {
    if !tmux_or_skip("app and shell at once") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let key = |args: &[&str], stdin: &str| {
        let o = output(
            oat(h)
                .env("ANTHROPIC_BASE_URL", &mock.url)
                .env(
                    "DBUS_SESSION_BUS_ADDRESS",
                    format!("unix:path={}/no-bus", h.display()),
                )
                .args(args)
                .write_stdin(stdin.to_string()),
            false,
        );
        assert_eq!(o.code, 0, "{args:?}: {}", o.stderr);
    };
    key(&["key", "add", "tok", "--store", "file"], OAUTH_TOKEN);
    key(
        &["key", "add", "api2", "--store", "file"],
        &numbered_api_key(2),
    );
    key(&["key", "use", "tok"], "");
    let tmux = Tmux::start(h, "oat-keys-elsewhere", &with_key(h, &mock), (100, 30));
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.keys(&["M-2"]);
    // A setup token: its expiry in the status bar, and the Status pane on it.
    tmux.wait_until("the token checked", |s| {
        s.contains("tok (active)") && s.contains("d left")
    });

    // Chosen in the shell: the Status pane checks the API key, and the bar names it with
    // no expiry (an API key does not expire).
    key(&["key", "use", "api2"], "");
    let s = tmux.wait_until("the API key checked", |s| {
        s.contains("api2 (active)") && s.lines().last().is_some_and(|l| l.contains("valid"))
    });
    let bar = s.lines().last().unwrap();
    assert!(bar.starts_with("api2 "), "{bar}");
    assert!(
        !bar.contains("d left"),
        "no expiry borrowed from the token: {bar}"
    );
    assert!(!s.contains("tok (active)"), "{s}");

    // Removed in the shell: the environment's key is the one in use now, checked anew.
    key(&["key", "remove", "api2"], "");
    let s = tmux.wait_until("the environment key checked", |s| {
        s.contains("env:ANTHROPIC_API_KEY (active)")
            || s.contains("Key         env:ANTHROPIC_API_KEY")
    });
    let bar = s.lines().last().unwrap();
    assert!(bar.starts_with("env:ANTHROPIC_API_KEY "), "{bar}");
    assert!(
        !bar.contains("d left") && !s.contains("no credential found"),
        "{s}"
    );
    tmux.keys(&["C-c"]);
    tmux.wait_for("EXITED:0");
    assert_no_secret(&tmux.screen());
}
