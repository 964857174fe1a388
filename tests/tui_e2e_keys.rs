//! End to end at 80×24, the default terminal size: the built `oat` in tmux against the
//! mock server. The first-run note and the key it passes on, the `/` popup, F1 scrolling
//! to its last section, the composer's shell keys, Ctrl-C with a draft, and the transcript
//! holding still while a slow reply streams in below.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;
mod tmux;

use common::*;
use tmux::{Tmux, tmux_or_skip};

const SIZE: (u16, u16) = (80, 24);

fn with_key(mock: &MockServer) -> String {
    format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={}",
        mock.url
    )
}

/// Started with a key in the environment, past the first-run note, on the Chat pane.
fn chat(home: &std::path::Path, mock: &MockServer, name: &str) -> Tmux {
    let t = Tmux::start(home, name, &with_key(mock), SIZE);
    t.wait_for("Enter to continue");
    t.keys(&["Enter"]);
    t.wait_for("Ask anything");
    t
}

#[test]
fn the_first_run_note_shows_its_instruction_and_passes_the_welcomes_key_on() {
    if !tmux_or_skip("first-run note at 80×24") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let env = format!("ANTHROPIC_BASE_URL={}", mock.url);
    let t = Tmux::start(home.path(), "oat-first", &env, SIZE);
    t.wait_for("Enter to continue — this note is shown once.");
    // The welcome under the note says to press a: that one key closes the note and opens
    // the form.
    t.keys(&["a"]);
    let s = t.wait_for("Add a key");
    assert!(!s.contains("Setup tokens, as they stand"), "{s}");
    t.keys(&["Escape"]);
    // Esc and a key sent at once would read as Alt and the key: wait for the form to go.
    t.wait_until("the form to close", |s| !s.contains("Add a key"));
    t.keys(&["q"]);
    t.wait_for("EXITED:0");
}

#[test]
fn the_slash_popup_lists_narrows_and_completes() {
    if !tmux_or_skip("the / popup at 80×24") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let t = chat(home.path(), &mock, "oat-slash");
    t.type_text("/");
    let s = t.wait_for("these commands and every key");
    for c in ["/model", "/attach", "/web", "/title", "/new", "/help"] {
        assert!(s.contains(c), "{c} in the popup:\n{s}");
    }
    t.type_text("we");
    t.wait_until("the popup narrowed to /web", |s| {
        s.contains("web search and fetch") && !s.contains("show or change the model")
    });
    t.keys(&["Tab"]);
    t.wait_composer("/web");
    t.type_text("on");
    t.keys(&["Enter"]);
    t.wait_for("Web search on");
    // Information fades by itself: the loop schedules it, no key needed.
    t.wait_until("the notice to fade", |s| !s.contains("Web search on"));
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
}

#[test]
fn f1_scrolls_to_its_last_section() {
    if !tmux_or_skip("F1 at 80×24") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let t = chat(home.path(), &mock, "oat-help");
    t.keys(&["F1"]);
    let first = t.wait_for("PgUp PgDn scroll");
    assert!(first.contains("Everywhere") && !first.contains("set-clipboard"));
    // Page down until the last section shows; each page moves the window.
    let mut last = String::new();
    for _ in 0..10 {
        let s = t.screen();
        if s.contains("set-clipboard") {
            break;
        }
        t.keys(&["PageDown"]);
        last = t.wait_until("the next page", |n| n != s);
    }
    assert!(t.screen().contains("set-clipboard"), "{last}");
    t.keys(&["Escape"]);
    t.wait_for("Ask anything");
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
}

#[test]
fn composer_keys_edit_as_a_shell_line_and_ctrl_c_clears_a_draft() {
    if !tmux_or_skip("composer keys at 80×24") {
        return;
    }
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let t = chat(home.path(), &mock, "oat-keys");
    t.type_text("tell me about traits");
    t.wait_composer("tell me about traits");
    t.keys(&["C-a"]);
    t.type_text(">");
    t.wait_composer(">tell me about traits");
    t.keys(&["C-e"]);
    t.keys(&["C-w"]);
    t.wait_composer(">tell me about");
    t.keys(&["M-b"]);
    t.keys(&["M-b"]);
    t.keys(&["M-d"]);
    t.wait_composer(">tell  about");
    t.keys(&["C-k"]);
    t.wait_composer(">tell ");
    t.keys(&["M-BSpace"]);
    t.wait_composer(">");
    // Ctrl-_ (the byte 0x1f) undoes, a step at a time.
    t.bytes("1f");
    t.wait_composer(">tell ");
    t.bytes("1f");
    t.wait_composer(">tell  about");
    // Undo put the cursor back where it was, after `>tell `.
    t.keys(&["C-u"]);
    t.wait_composer(" about");
    // Tab stays in the composer.
    t.keys(&["Tab"]);
    t.wait_for("Tab completes /commands");
    t.wait_composer(" about");
    // Ctrl-C with a draft clears it and says how to get it back; undo does.
    t.keys(&["C-c"]);
    t.wait_for("Draft cleared: Ctrl-_ brings it back");
    t.wait_composer("");
    t.bytes("1f");
    t.wait_composer(" about");
    t.keys(&["C-c"]);
    t.wait_composer("");
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
}

#[test]
fn the_transcript_holds_still_while_a_slow_reply_streams() {
    if !tmux_or_skip("scroll holding at 80×24") {
        return;
    }
    let mock = MockServer::start();
    let lines: Vec<String> = (0..80)
        .map(|i| format!("Line {i} of the reply.\n\n"))
        .collect();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    let mut spec = StreamSpec::text(&refs);
    // Ten lines a second: the reply takes eight seconds.
    spec.chunking = Chunking::Paced(10);
    mock.push_messages(Reply::Stream(spec));
    let home = tempfile::tempdir().unwrap();
    let t = chat(home.path(), &mock, "oat-hold");
    t.type_text("Count slowly");
    t.keys(&["Enter"]);
    t.wait_for("Line 25 of");
    t.keys(&["PageUp"]);
    let held = t.wait_for("lines below");
    let body = |s: &str| -> Vec<String> { s.lines().skip(1).take(12).map(String::from).collect() };
    let below = |s: &str| -> usize {
        let at = s.find("↓ ").unwrap();
        s[at + "↓ ".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let first = below(&held);
    // More arrives below: the count grows while the text read stays exactly where it was.
    let later = t.wait_until("the count below to grow by 10", |s| {
        s.contains("lines below") && below(s) >= first + 10
    });
    assert_eq!(body(&held), body(&later), "the text held still");
    t.keys(&["End"]);
    t.wait_until("following the stream again", |s| {
        !s.contains("lines below") && s.contains("Line 7")
    });
    t.wait_for("Line 79 of");
    t.wait_until("the reply to end", |s| !s.contains("streaming — Esc stops"));
    t.keys(&["C-c"]);
    t.wait_for("EXITED:0");
}
