//! End to end (tmux, the real binary, the mock): a reply that ends while the person looks
//! at another window rings the bell, which tmux records on oat's window.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;
mod tmux;

use common::*;
use tmux::{Tmux, tmux_or_skip};

#[test]
fn a_reply_finished_in_an_unfocused_window_rings_the_bell() {
    if !tmux_or_skip("bell on a reply's end") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // Four seconds of reply, at a model's pace: time to look elsewhere even on a loaded
    // machine (with less, a slow CI run once saw the reply end before the focus moved,
    // and a reply that ends in view rings nothing).
    let words: Vec<String> = (0..80).map(|i| format!("word{i} ")).collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    let mut slow = StreamSpec::text(&words);
    slow.chunking = Chunking::Paced(20);
    mock.push_messages(Reply::Stream(slow));
    let env = format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={}",
        mock.url
    );
    let tmux = Tmux::start(h, "oat-bell", &env, (100, 30));
    // tmux tells a pane when it gains or loses the focus only with this on.
    tmux.run(&["set-option", "-g", "focus-events", "on"]);
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "Tell me when you are done"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("word1 ");
    // Another window takes the focus while the reply streams.
    tmux.run(&["new-window", "-t", "oat"]);
    let flag = || {
        tmux.run(&[
            "display-message",
            "-p",
            "-t",
            "oat:0",
            "#{window_bell_flag}",
        ])
        .trim()
        .to_string()
    };
    assert_eq!(flag(), "0", "no bell while the reply streams");
    let start = std::time::Instant::now();
    while flag() != "1" {
        assert!(
            start.elapsed() < std::time::Duration::from_secs(20),
            "tmux recorded no bell on oat's window"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    // Back in oat's window: the reply is whole on screen.
    tmux.run(&["select-window", "-t", "oat:0"]);
    tmux.wait_for("word79");
}

#[test]
fn two_tabs_stream_at_once_and_each_reply_lands_in_its_own() {
    if !tmux_or_skip("two tabs streaming") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // The first lasts 8 s, so the second starts while it streams (unless one waits for
    // the other, which is what this catches).
    for (tag, n) in [("alpha", 160), ("beta", 30)] {
        let words: Vec<String> = (0..n).map(|i| format!("{tag}{i} ")).collect();
        let words: Vec<&str> = words.iter().map(String::as_str).collect();
        let mut slow = StreamSpec::text(&words);
        slow.chunking = Chunking::Paced(20);
        mock.push_messages(Reply::Stream(slow));
    }
    let env = format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={}",
        mock.url
    );
    let tmux = Tmux::start(h, "oat-tabs", &env, (100, 30));
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "First question"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("alpha1 ");
    // A second conversation while the first streams: both go on at once.
    tmux.keys(&["C-n"]);
    tmux.wait_for("2 new");
    tmux.keys(&["-l", "Second question"]);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("beta1 ");
    assert!(
        s.contains("1 ● First"),
        "the second streams while the first still does:\n{s}"
    );
    // The first ends while the second is on screen: marked finished, unread.
    tmux.wait_until("the first finished unread", |s| s.contains("1 ✓ First"));
    let s = tmux.wait_for("beta29");
    assert!(!s.contains("alpha"), "nothing of the first tab here:\n{s}");
    tmux.keys(&["F2"]);
    let s = tmux.wait_for("alpha159");
    assert!(!s.contains("beta"), "nothing of the second tab here:\n{s}");
}
