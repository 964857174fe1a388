//! Plain mode (`oat chat --plain`, `OAT_SCREEN_READER=1`, stdout not a terminal): the built
//! `oat` in tmux against the mock server. What it writes is recorded byte for byte: no
//! box drawing, no Braille, no escapes, and each reply exactly once; Ctrl-C stops a reply
//! (kept, marked stopped) and a second quits; `/model` and tool calls are numbered
//! questions (the piped tests are in `plain_piped.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod common;
mod tmux;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use tmux::{Tmux, tmux_or_skip};

/// `oat ARGS` at 100×30 with an API key, aimed at the mock, every byte it writes recorded.
fn start(home: &Path, mock: &MockServer, name: &str, env: &str, args: &str) -> Tmux {
    let env = format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={} {env}",
        mock.url
    );
    Tmux::start_command(home, name, &env, (100, 30), args, true)
}

fn send(t: &Tmux, text: &str) {
    t.type_text(text);
    t.keys(&["Enter"]);
}

/// Waits until the whole scrollback shows `what`.
fn wait_transcript(t: &Tmux, what: &str) -> String {
    let start = Instant::now();
    loop {
        let s = t.transcript();
        if s.contains(what) {
            return s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never saw {what:?}; transcript:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
}

/// Waits until oat asks for the next prompt: the transcript ends in `You:` (the reply
/// before it has ended).
fn wait_prompt(t: &Tmux) {
    let start = Instant::now();
    loop {
        let s = t.transcript();
        if s.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(str::trim)
            == Some("You:")
        {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "never asked for a prompt; transcript:\n{s}"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
}

fn history_json(home: &Path, id: i64) -> serde_json::Value {
    let o = output(
        oat(home).args(["history", "show", &id.to_string(), "--json"]),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap()
}

#[test]
fn two_prompts_are_plain_lines_with_no_boxes_braille_or_escapes_and_each_reply_once() {
    if !tmux_or_skip("plain mode transcript") {
        return;
    }
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&[
        "Alpha ", "reply ", "one.",
    ])));
    let mut second = StreamSpec::text(&["Beta ", "reply ", "two."]);
    second.thinking = vec!["Pondering ".into(), "the question.".into()];
    mock.push_messages(Reply::Stream(second));
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let t = start(h, &mock, "oat-plain-two", "", "chat --plain");
    t.wait_for("oat plain mode");
    t.wait_for("You:");
    send(&t, "First question");
    wait_transcript(&t, "Alpha reply one.");
    wait_prompt(&t);
    send(&t, "Second question");
    wait_transcript(&t, "Beta reply two.");
    wait_prompt(&t);
    send(&t, "/quit");
    let s = wait_transcript(&t, "EXITED:0");
    assert_eq!(
        t.run(&["display", "-p", "-t", "oat", "#{alternate_on}"])
            .trim(),
        "0",
        "never the alternate screen"
    );
    assert!(s.contains("You: First question"), "{s}");
    assert!(s.contains("Claude: Alpha reply one."), "{s}");
    assert!(s.contains("Thinking: Pondering the question."), "{s}");
    assert!(s.contains("Claude: Beta reply two."), "{s}");
    assert_no_secret(&s);

    let raw = Tmux::recorded(h);
    assert!(raw.len() > 100, "the pane was recorded: {raw:?}");
    assert_eq!(drawn(&raw), None, "{}", String::from_utf8_lossy(&raw));
    let text = String::from_utf8_lossy(&raw);
    for reply in ["Alpha reply one.", "Beta reply two."] {
        assert_eq!(text.matches(reply).count(), 1, "{reply} once:\n{text}");
    }
    assert_no_secret(&text);
    // The second prompt went with the first turn as its context, and both were kept.
    let bodies = mock.requests_to("/v1/messages");
    let body = bodies[1].body.clone().unwrap();
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);
    let kept = history_json(h, 1);
    let texts: Vec<&str> = kept["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "First question",
            "Alpha reply one.",
            "Second question",
            "Beta reply two."
        ]
    );
}

#[test]
fn ctrl_c_stops_a_streaming_reply_which_is_kept_stopped_and_a_second_quits() {
    if !tmux_or_skip("plain mode Ctrl-C") {
        return;
    }
    let mock = MockServer::start();
    let mut slow = StreamSpec::text(&["Partial ", "answer ", "never finished"]);
    slow.fault = Fault::StallAfter(2, Duration::from_secs(60));
    mock.push_messages(Reply::Stream(slow));
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let t = start(h, &mock, "oat-plain-stop", "", "chat --plain");
    t.wait_for("You:");
    send(&t, "Tell me a long story");
    wait_transcript(&t, "Claude: Partial answer");
    t.keys(&["C-c"]);
    wait_transcript(&t, "Stopped.");
    let kept = history_json(h, 1);
    let reply = &kept["messages"][1];
    assert_eq!(reply["role"], "assistant", "{kept}");
    assert_eq!(reply["stopped"], true, "{kept}");
    assert_eq!(reply["text"], "Partial answer ", "{kept}");
    // A second Ctrl-C, at the prompt, quits.
    t.keys(&["C-c"]);
    wait_transcript(&t, "EXITED:0");
    let raw = Tmux::recorded(h);
    assert_eq!(drawn(&raw), None, "{}", String::from_utf8_lossy(&raw));
    assert_eq!(
        String::from_utf8_lossy(&raw)
            .matches("Partial answer")
            .count(),
        1
    );
}

#[test]
fn model_without_an_id_is_a_numbered_list_answered_with_a_number() {
    if !tmux_or_skip("plain mode /model") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let t = start(h, &mock, "oat-plain-model", "", "chat --plain");
    t.wait_for("You:");
    send(&t, "/model");
    let s = wait_transcript(&t, "anything else cancels");
    let line = s
        .lines()
        .find(|l| l.contains(". claude-haiku-5-5 — "))
        .unwrap_or_else(|| panic!("haiku listed: {s}"));
    let number = line.split('.').next().unwrap().trim().to_string();
    assert!(number.parse::<usize>().is_ok(), "{line}");
    send(&t, &number);
    wait_transcript(&t, "Model: claude-haiku-5-5");
    // Anything but a number cancels, in one line, and keeps the model.
    send(&t, "/model");
    send(&t, "the fast one");
    wait_transcript(&t, "Still using claude-haiku-5-5.");
    send(&t, "Hello");
    wait_transcript(&t, "Done.");
    wait_prompt(&t);
    let bodies = mock.requests_to("/v1/messages");
    assert_eq!(bodies[0].body.clone().unwrap()["model"], "claude-haiku-5-5");
    send(&t, "/quit");
    wait_transcript(&t, "Bye.");
    wait_transcript(&t, "EXITED:0");
    assert_eq!(drawn(&Tmux::recorded(h)), None);
}

#[test]
fn oat_screen_reader_starts_plain_mode_and_so_does_stdout_not_a_terminal() {
    if !tmux_or_skip("plain mode by environment") {
        return;
    }
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Said ", "plainly."])));
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let t = start(h, &mock, "oat-plain-env", "OAT_SCREEN_READER=1", "");
    t.wait_for("oat plain mode");
    assert_eq!(
        t.run(&["display", "-p", "-t", "oat", "#{alternate_on}"])
            .trim(),
        "0"
    );
    send(&t, "Hi");
    wait_transcript(&t, "Claude: Said plainly.");
    wait_prompt(&t);
    t.keys(&["C-c"]);
    wait_transcript(&t, "EXITED:0");
    assert_eq!(drawn(&Tmux::recorded(h)), None);
    drop(t);

    // Stdout to a file, stdin the terminal: plain mode, the replies in the file.
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Into ", "the file."])));
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let file = h.join("out.txt");
    let t = start(
        h,
        &mock,
        "oat-plain-file",
        "",
        &format!("> {}", file.display()),
    );
    let start = Instant::now();
    while !std::fs::read_to_string(&file).is_ok_and(|s| s.contains("You: ")) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no prompt in the file"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
    send(&t, "Write it down");
    while !std::fs::read_to_string(&file).is_ok_and(|s| s.contains("Claude: Into the file.")) {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "no reply in the file"
        );
        std::thread::sleep(Duration::from_millis(40));
    }
    send(&t, "/quit");
    wait_transcript(&t, "EXITED:0");
    let written = std::fs::read(&file).unwrap();
    assert_eq!(drawn(&written), None);
    let written = String::from_utf8(written).unwrap();
    assert!(written.starts_with("oat plain mode."), "{written}");
    assert_eq!(written.matches("Into the file.").count(), 1, "{written}");
}
