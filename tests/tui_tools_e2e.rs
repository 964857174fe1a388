//! MCP tools end to end in the app: the built `oat` in tmux against the mock, with the
//! small MCP server written for the tests configured. Claude asks for a call, the app
//! shows it, the person allows it with `y`; the next asks again and is denied with a
//! reason; the results go back to the API as `tool_result`s; the context meter counts
//! the tools' definitions; and when oat quits, the server it started is gone too. `oat ask
//! --tools` on a terminal asks the same way.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod common;
mod tmux;

use common::tools::*;
use common::*;
use serde_json::json;
use tmux::{Tmux, tmux_or_skip};

#[test]
fn a_call_is_allowed_then_one_denied_and_the_server_ends_with_oat() {
    if !tmux_or_skip("end-to-end MCP tools test") {
        return;
    }
    let mock = MockServer::start();
    push_tool_call(
        &mock,
        "toolu_01",
        "mcp__t__echo",
        &["{\"text\": \"hel", "lo\"}"],
    );
    push_text(&mock, "It said hello.");
    push_tool_call(&mock, "toolu_02", "mcp__t__fail", &["{}"]);
    push_text(&mock, "Fine, I will not.");
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let env = format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={}",
        mock.url
    );
    let tmux = Tmux::start(home.path(), "oat-tools", &env, (100, 30));
    tmux.wait_for("shown once");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Ask anything");
    tmux.keys(&["-l", "Say hello"]);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("Claude asks to run echo (server t) with:");
    assert!(s.contains("\"text\": \"hello\""), "{s}");
    tmux.keys(&["y"]);
    // Finished (its usage line), not only streamed: the next prompt may go.
    let s = tmux.wait_until("the reply finished", |s| {
        s.contains("It said hello.") && s.contains("first token")
    });
    assert!(s.contains("⚙ mcp__t__echo → echo: hello"), "{s}");
    assert_eq!(calls(&log).len(), 1);

    tmux.keys(&["-l", "Now fail"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for("Claude asks to run fail (server t) with:");
    tmux.keys(&["n"]);
    tmux.wait_for("Why (sent to Claude");
    tmux.keys(&["-l", "not today"]);
    tmux.keys(&["Enter"]);
    tmux.wait_until("the second reply finished", |s| {
        s.contains("Fine, I will not.") && s.matches("first token").count() == 2
    });
    assert_eq!(calls(&log).len(), 1, "the denied call never ran");

    let sent: Vec<serde_json::Value> = mock
        .requests_to("/v1/messages")
        .into_iter()
        .map(|r| r.body.unwrap())
        .collect();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[0]["tools"][0]["name"], "mcp__t__echo");
    let allowed = &sent[1]["messages"][2]["content"][0];
    assert_eq!(allowed["tool_use_id"], "toolu_01");
    assert_eq!(
        allowed["content"],
        json!([{"type":"text","text":"echo: hello"}])
    );
    // The second prompt carries the first round as it was sent.
    assert_eq!(sent[2]["messages"][1]["content"][1]["id"], "toolu_01");
    assert_eq!(
        sent[2]["messages"][2]["content"][0]["tool_use_id"],
        "toolu_01"
    );
    let denied = sent[3]["messages"].as_array().unwrap().last().unwrap()["content"][0].clone();
    assert_eq!(denied["tool_use_id"], "toolu_02");
    assert_eq!(denied["is_error"], true);
    assert_eq!(
        denied["content"][0]["text"],
        "The person denied this tool call: not today"
    );

    // The context meter counts what the next prompt would carry: the running server's
    // tool definitions too.
    tmux.keys(&["-l", "count me"]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let counted = loop {
        let counts = mock.requests_to("/v1/messages/count_tokens");
        let mine = counts
            .into_iter()
            .filter_map(|r| r.body)
            .find(|b| b["messages"].to_string().contains("count me"));
        if let Some(c) = mine {
            break c;
        }
        assert!(std::time::Instant::now() < deadline, "no count was asked");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let names: Vec<&str> = counted["tools"]
        .as_array()
        .map(|t| t.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(names.contains(&"mcp__t__echo"), "{counted}");

    tmux.keys(&["M-1"]);
    tmux.wait_for("env:ANTHROPIC_API_KEY");
    tmux.keys(&["q"]);
    tmux.wait_for("EXITED:0");
    // The server was started in its own process group, stopped with oat.
    let left = std::process::Command::new("pgrep")
        .args(["-f", &log.display().to_string()])
        .output()
        .unwrap();
    assert!(
        left.stdout.is_empty(),
        "server still running: {}",
        String::from_utf8_lossy(&left.stdout)
    );
}

/// `oat ask --tools` on a terminal asks the person, as the app does: the call with its
/// arguments, then `y` runs it once and `n` denies it with the reason typed after.
#[test]
fn oat_ask_on_a_terminal_asks_before_each_call() {
    if !tmux_or_skip("oat ask --tools on a terminal") {
        return;
    }
    let mock = MockServer::start();
    push_tool_call(
        &mock,
        "toolu_a1",
        "mcp__t__echo",
        &["{\"text\": \"from a tty\"}"],
    );
    push_tool_call(&mock, "toolu_a2", "mcp__t__fail", &["{}"]);
    push_text(&mock, "All done.");
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let env = format!(
        "ANTHROPIC_API_KEY={API_KEY} ANTHROPIC_BASE_URL={}",
        mock.url
    );
    let tmux = Tmux::start_args(
        home.path(),
        "oat-ask-tools",
        &env,
        "ask --tools 'use them'",
        (100, 30),
    );
    let s = tmux.wait_for("allow? [y] once");
    assert!(
        s.contains("Claude asks to run echo (server t) with:"),
        "{s}"
    );
    assert!(s.contains("\"text\": \"from a tty\""), "{s}");
    tmux.keys(&["y", "Enter"]);
    tmux.wait_until("the second question", |s| {
        s.matches("allow? [y] once").count() == 2
    });
    tmux.keys(&["n", "Enter"]);
    tmux.wait_for("reason for Claude");
    tmux.keys(&["-l", "not from here"]);
    tmux.keys(&["Enter"]);
    let s = tmux.wait_for("EXITED:0");
    assert!(s.contains("All done."), "{s}");
    let ran = calls(&log);
    assert_eq!(ran.len(), 1, "only the allowed call ran");
    assert_eq!(ran[0]["params"]["arguments"], json!({"text": "from a tty"}));
    let sent: Vec<serde_json::Value> = mock
        .requests_to("/v1/messages")
        .into_iter()
        .map(|r| r.body.unwrap())
        .collect();
    let denied = sent[2]["messages"].as_array().unwrap().last().unwrap()["content"][0].clone();
    assert_eq!(denied["tool_use_id"], "toolu_a2");
    assert_eq!(denied["is_error"], true);
    assert_eq!(
        denied["content"][0]["text"],
        "The person denied this tool call: not from here"
    );
}
