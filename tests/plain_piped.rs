//! Plain mode with stdin piped (`oat chat --plain`, lines given to it): prompts echoed
//! after `You:`, lines joined by a final `\`, a tool call as a labelled line and a
//! numbered question, `/resume` as a numbered list, and a reader of stdout that goes
//! away ending it quietly; `screen_reader = true` starting it. Against the mock server;
//! no terminal needed.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod common;

use common::*;

/// `oat chat --plain` against the mock with `stdin` typed in.
fn plain(home: &std::path::Path, mock: &MockServer, stdin: impl Into<String>) -> Out {
    output(
        oat(home)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .args(["chat", "--plain"])
            .write_stdin(stdin.into()),
        false,
    )
}

#[test]
fn piped_prompts_are_echoed_after_you_and_answered_in_turn() {
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Piped ", "answer."])));
    let home = tempfile::tempdir().unwrap();
    let o = plain(home.path(), &mock, "Two lines \\\nin one prompt\n/help\n");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout
            .contains("You: Two lines \\\nin one prompt\nClaude: Piped answer.\n"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("/model [ID]: "), "{}", o.stdout);
    assert!(o.stdout.ends_with("Bye.\n"), "{}", o.stdout);
    let body = mock.requests_to("/v1/messages")[0].body.clone().unwrap();
    assert_eq!(
        body["messages"][0]["content"][0]["text"],
        "Two lines \nin one prompt"
    );
    assert_eq!(drawn(o.stdout.as_bytes()), None);
}

#[test]
fn a_tool_call_is_a_labelled_line_and_a_numbered_question() {
    use common::tools::*;
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
    // Allowed once (1), then denied (3).
    let o = plain(home.path(), &mock, "Say hello\n1\nNow fail\n3\n");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = &o.stdout;
    assert!(
        s.contains("Tool call: t/echo {\"text\":\"hello\"}\n1. Allow once\n"),
        "{s}"
    );
    assert!(s.contains("4. Stop the reply\n"), "{s}");
    assert!(s.contains("Tool result: t/echo: echo: hello\n"), "{s}");
    assert!(s.contains("Claude: It said hello.\n"), "{s}");
    assert!(s.contains("Tool call: t/fail {}\n"), "{s}");
    assert!(s.contains("Denied.\n"), "{s}");
    assert!(s.contains("Claude: Fine, I will not.\n"), "{s}");
    assert_eq!(calls(&log).len(), 1, "the denied call never ran");
    let sent = mock.requests_to("/v1/messages");
    let denied = sent[3].body.clone().unwrap()["messages"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["content"][0]
        .clone();
    assert_eq!(denied["tool_use_id"], "toolu_02");
    assert_eq!(denied["is_error"], true);
    assert_eq!(drawn(s.as_bytes()), None);
}

#[test]
fn a_reader_that_goes_away_ends_plain_mode_quietly() {
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&[
        "A long answer ",
        "that nobody reads.",
    ])));
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let bin = assert_cmd::cargo::cargo_bin("oat");
    // stdout closes after 10 bytes; stderr is kept.
    let script = format!(
        "printf 'Hello\\nAgain\\n' | {} chat --plain 2>{}/err.txt | head -c 10 >/dev/null; echo done",
        bin.display(),
        h.display()
    );
    let out = std::process::Command::new("sh")
        .args(["-c", &script])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", h)
        .env("XDG_CONFIG_HOME", h.join("config"))
        .env("XDG_DATA_HOME", h.join("data"))
        .env("XDG_STATE_HOME", h.join("state"))
        .env("ANTHROPIC_API_KEY", API_KEY)
        .env("ANTHROPIC_BASE_URL", &mock.url)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "done\n");
    let err = std::fs::read_to_string(h.join("err.txt")).unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert_no_secret(&err);
}

#[test]
fn resume_is_a_numbered_list_and_the_conversation_goes_on_with_its_turns() {
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&["First ", "answer."])));
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Second ", "answer."])));
    let home = tempfile::tempdir().unwrap();
    let run = |stdin: &str| plain(home.path(), &mock, stdin.to_string());
    let first = run("Remember the word plum\n/title Plums\n");
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("Title: Plums\n"), "{}", first.stdout);
    let o = run("/resume\n1\nWhich word?\n");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = &o.stdout;
    assert!(s.contains("1. Plums — "), "{s}");
    assert!(
        s.contains(
            "Resumed: Plums (2 messages).\nYou: Remember the word plum\nClaude: First answer.\n"
        ),
        "{s}"
    );
    assert!(s.contains("Claude: Second answer.\n"), "{s}");
    let body = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    assert_eq!(body["messages"].as_array().unwrap().len(), 3, "{body}");
    // Anything but a number cancels, in one line.
    let o = run("/resume\nplums\n");
    assert!(o.stdout.contains("Cancelled.\n"), "{}", o.stdout);
}

#[test]
fn a_retired_model_is_warned_of_once() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let o = plain(
        home.path(),
        &mock,
        "/model claude-sonnet-4-5\nHello\nAgain\n",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("Model: claude-sonnet-4-5\n"),
        "{}",
        o.stdout
    );
    assert_eq!(
        o.stdout
            .matches("Warning: claude-sonnet-4-5 is retired")
            .count(),
        1,
        "{}",
        o.stdout
    );
}

#[test]
fn screen_reader_in_the_config_starts_plain_mode_and_config_show_lists_it() {
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&["From ", "the config."])));
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/oat");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), "screen_reader = true\n").unwrap();
    let o = output(
        oat(home.path())
            .env("ANTHROPIC_API_KEY", API_KEY)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .write_stdin("Hi\n"),
        false,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("You: Hi\nClaude: From the config.\n"),
        "{}",
        o.stdout
    );
    let shown = output(oat(home.path()).args(["config", "show"]), false);
    let row = shown
        .stdout
        .lines()
        .find(|l| l.starts_with("screen_reader"))
        .unwrap_or_else(|| panic!("{}", shown.stdout))
        .to_string();
    assert!(row.contains("true") && row.contains("file"), "{row}");
}

#[test]
fn a_tool_allowed_always_is_not_asked_again_in_the_conversation() {
    use common::tools::*;
    let mock = MockServer::start();
    for (id, said) in [("toolu_01", "Once."), ("toolu_02", "Twice.")] {
        push_tool_call(&mock, id, "mcp__t__echo", &["{\"text\": \"hi\"}"]);
        push_text(&mock, said);
    }
    let home = tempfile::tempdir().unwrap();
    let log = configure(home.path(), "");
    let o = plain(home.path(), &mock, "Echo hi\n2\nAgain\n");
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = &o.stdout;
    assert_eq!(s.matches("Tool call: t/echo").count(), 1, "{s}");
    assert!(s.contains("Claude: Twice.\n"), "{s}");
    assert_eq!(calls(&log).len(), 2, "both calls ran");
}

#[test]
fn retry_asks_the_last_prompt_again_beside_the_old_reply_and_usage_counts_both() {
    let mock = MockServer::start();
    mock.push_messages(Reply::Stream(StreamSpec::text(&["First ", "try."])));
    mock.push_messages(Reply::Stream(StreamSpec::text(&["Second ", "try."])));
    let home = tempfile::tempdir().unwrap();
    let o = plain(
        home.path(),
        &mock,
        "/usage\n/retry\nName a fruit\n/retry\n/usage\n",
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let s = &o.stdout;
    assert!(s.contains("No reply yet in this conversation.\n"), "{s}");
    assert!(
        s.contains("Nothing to ask again yet: send a prompt first.\n"),
        "{s}"
    );
    assert!(
        s.contains("Claude: First try.\n")
            && s.contains("Asking again: Name a fruit\nClaude: Second try.\n"),
        "{s}"
    );
    // The same prompt went twice, with nothing before it: the old reply is not context.
    let sent = mock.requests_to("/v1/messages");
    assert_eq!(sent.len(), 2);
    for r in &sent {
        let messages = r.body.clone().unwrap()["messages"].clone();
        assert_eq!(messages.as_array().unwrap().len(), 1, "{messages}");
        assert_eq!(messages[0]["content"][0]["text"], "Name a fruit");
    }
    // In words a screen reader can say, the last reply and both paid replies.
    let usage = s
        .lines()
        .find(|l| l.starts_with("Last reply: "))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(!usage.contains('↑') && !usage.contains('↓'), "{usage}");
    assert!(
        usage.contains(" tokens in") && usage.contains(" out, $"),
        "{usage}"
    );
    assert!(
        usage.contains("This conversation: $") && usage.ends_with(" for 2 replies on an API key."),
        "{usage}"
    );
    // One prompt with two replies, siblings; the conversation ends on the new one.
    let h = oat::history::History::open(&home.path().join("data/oat/history.db")).unwrap();
    let list = h.list(10).unwrap();
    assert_eq!(list.len(), 1);
    let (c, all) = h.conversation(list[0].id).unwrap();
    let prompts: Vec<_> = all.iter().filter(|m| m.role == "user").collect();
    let replies: Vec<_> = all.iter().filter(|m| m.role == "assistant").collect();
    assert_eq!(prompts.len(), 1);
    assert_eq!(replies.len(), 2);
    assert!(replies.iter().all(|r| r.parent == Some(prompts[0].id)));
    let shown = oat::history::branch(&all, c.leaf);
    assert_eq!(shown.last().unwrap().text, "Second try.");
}
