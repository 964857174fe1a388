//! One conversation engine under both front ends: the same conversation driven through
//! `oat ask` (the built binary, against the mock) and through the app's update loop sends
//! the same request bodies, byte for byte; and the settings a conversation carries (a
//! `/model` mid-conversation among them) come back on `--continue` and on resume.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod common;
mod tui_common;

use common::*;
use crossterm::event::KeyCode;
use oat::tui::app::{App, Msg};
use oat::worker::{ApiEvent, RequestKind};
use serde_json::{Value, json};
use tui_common::*;

fn ask(mock: &MockServer, home: &std::path::Path, args: &[&str]) -> Out {
    let mut cmd = oat(home);
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .env("ANTHROPIC_API_KEY", API_KEY)
        .args(args);
    output(&mut cmd, false)
}

/// Types `text` into the app's composer and sends it: the request body it would post.
fn app_sends(a: &mut App, text: &str) -> (u64, Vec<u8>) {
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    let (id, kind) = requests(&fx)
        .into_iter()
        .find(|(_, k)| matches!(k, RequestKind::StreamChat { .. }))
        .unwrap_or_else(|| panic!("no stream request for {text:?}: {:?}", a.chat.notice));
    let RequestKind::StreamChat { request, .. } = kind else {
        unreachable!()
    };
    // What `Client::stream_message` posts: the request serialised, nothing added.
    (id, serde_json::to_vec(request).unwrap())
}

fn slash(a: &mut App, command: &str) {
    typed(a, command);
    a.update(key(KeyCode::Enter));
}

/// The app with what the CLI starts from by default: oat's default model, prompt caching
/// on (5 minutes) and API version 2023-06-01.
fn app() -> App {
    let mut a = app_with(&oat::api::models::fallback().default_model);
    a.cache = Some(oat::api::CacheTtl::FiveMinutes);
    a
}

#[test]
fn the_cli_and_the_app_send_the_same_bytes_for_one_conversation() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    // The CLI: a first prompt with settings, then `--continue` with no flags at all: the
    // conversation's settings must come back from the history.
    let first = ask(
        &mock,
        home.path(),
        &[
            "ask",
            "--save",
            "--json",
            "--system",
            "Be terse.",
            "--max-tokens",
            "2000",
            "--web",
            "What is a monad?",
        ],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    let message: Value = serde_json::from_str(&first.stdout).unwrap();
    let second = ask(&mock, home.path(), &["ask", "--continue", "And a functor?"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    let cli: Vec<Vec<u8>> = mock
        .requests_to("/v1/messages")
        .into_iter()
        .map(|r| r.raw)
        .collect();
    assert_eq!(cli.len(), 2);

    // The app: the same settings by its commands, the same prompts, the same reply.
    let mut a = app();
    slash(&mut a, "/system Be terse.");
    slash(&mut a, "/max-tokens 2000");
    slash(&mut a, "/web on");
    let (id, app_first) = app_sends(&mut a, "What is a monad?");
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: message.clone(),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    let (_, app_second) = app_sends(&mut a, "And a functor?");

    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    assert_eq!(text(&app_first), text(&cli[0]), "first request");
    assert_eq!(text(&app_second), text(&cli[1]), "second request");
    // And what they hold is what was asked for: the check above compares two copies of
    // one pipeline, so make sure that pipeline carried the settings at all.
    let body: Value = serde_json::from_slice(&cli[1]).unwrap();
    assert_eq!(body["max_tokens"], 2000);
    assert_eq!(body["system"][0]["text"], "Be terse.");
    assert!(body["tools"].as_array().is_some_and(|t| !t.is_empty()));
    assert_eq!(body["messages"].as_array().unwrap().len(), 3);
}

/// The history's row for `conversation` and its messages, read the way a script would.
fn show_json(mock: &MockServer, home: &std::path::Path, id: &str) -> Value {
    let out = ask(mock, home, &["history", "show", id, "--json"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    serde_json::from_str(&out.stdout).unwrap()
}

#[test]
fn a_model_switch_is_kept_with_each_prompt_and_continue_takes_the_latest() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let first = ask(
        &mock,
        home.path(),
        &["ask", "--save", "-m", "claude-haiku-4-5", "q1"],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    // The switch, as `/model` does it in the app: the next prompt goes to another model.
    let switched = ask(
        &mock,
        home.path(),
        &["ask", "--continue", "-m", "claude-opus-5-5", "q2"],
    );
    assert_eq!(switched.code, 0, "{}", switched.stderr);
    let plain = ask(&mock, home.path(), &["ask", "--continue", "q3"]);
    assert_eq!(plain.code, 0, "{}", plain.stderr);
    let sent: Vec<Value> = mock
        .requests_to("/v1/messages")
        .iter()
        .map(|r| r.body.clone().unwrap()["model"].clone())
        .collect();
    assert_eq!(
        sent,
        vec![
            json!("claude-haiku-4-5"),
            json!("claude-opus-5-5"),
            json!("claude-opus-5-5")
        ],
        "--continue takes the model of the latest prompt"
    );
    let shown = show_json(&mock, home.path(), "1");
    assert_eq!(shown["conversation"]["model"], "claude-opus-5-5");
    let prompts: Vec<&Value> = shown["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .collect();
    let models: Vec<&Value> = prompts.iter().map(|m| &m["settings"]["model"]).collect();
    assert_eq!(
        models,
        [
            &json!("claude-haiku-4-5"),
            &json!("claude-opus-5-5"),
            &json!("claude-opus-5-5")
        ]
    );
}

#[test]
fn the_app_resumes_with_the_latest_model_and_settings() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["ask", "--save", "-m", "claude-haiku-4-5", "q1"],
        vec![
            "ask",
            "--continue",
            "-m",
            "claude-opus-5-5",
            "--thinking",
            "adaptive",
            "--web",
            "q2",
        ],
    ] {
        let out = ask(&mock, home.path(), &args);
        assert_eq!(out.code, 0, "{}", out.stderr);
    }
    let h = oat::history::History::open(&home.path().join("data/oat/history.db")).unwrap();
    let (conversation, messages) = h.conversation(1).unwrap();
    let mut a = app();
    tui_common::opened(&mut a, conversation, messages);
    assert_eq!(a.chat.model, "claude-opus-5-5");
    assert_eq!(
        a.chat.settings.thinking,
        oat::api::messages::ThinkingChoice::Adaptive
    );
    assert!(a.chat.settings.web);
    // The first turn keeps the model that answered it.
    assert_eq!(a.chat.turns[0].model, "claude-haiku-4-5");
    assert_eq!(a.chat.turns[1].model, "claude-opus-5-5");
}

#[test]
fn a_turn_that_never_got_a_reply_shows_the_model_it_was_sent_to() {
    let home = tempfile::tempdir().unwrap();
    let h = oat::history::History::open(&home.path().join("history.db")).unwrap();
    let settings = |model: &str| json!({"model": model});
    let first = oat::history::NewPrompt {
        conversation: None,
        text: "q1",
        files: &[],
        parent: None,
        reply_to: None,
        model: "claude-haiku-4-5",
        system: None,
        settings: &settings("claude-haiku-4-5"),
    };
    let (c, q1) = h.save_prompt(&first).unwrap();
    let a1 = h
        .start_reply_to(c, Some(q1), "claude-haiku-4-5", None)
        .unwrap();
    // Switched, sent, and the reply never came (oat was killed before the first token).
    let (_, q2) = h
        .save_prompt(&oat::history::NewPrompt {
            conversation: Some(c),
            text: "q2",
            parent: Some(a1),
            model: "claude-opus-5-5",
            settings: &settings("claude-opus-5-5"),
            ..first
        })
        .unwrap();
    // Later, from there, an edit went to a third model (another branch).
    h.save_prompt(&oat::history::NewPrompt {
        conversation: Some(c),
        text: "q2, edited",
        parent: Some(a1),
        model: "claude-sonnet-5-5",
        settings: &settings("claude-sonnet-5-5"),
        ..first
    })
    .unwrap();
    // Back on the first branch: its unanswered turn names the model it was sent to, not
    // the conversation's latest.
    h.set_leaf(c, q2).unwrap();
    let (conversation, messages) = h.conversation(c).unwrap();
    assert_eq!(conversation.model, "claude-sonnet-5-5");
    let mut a = app();
    tui_common::opened(&mut a, conversation, messages);
    let models: Vec<&str> = a.chat.turns.iter().map(|t| t.model.as_str()).collect();
    assert_eq!(models, ["claude-haiku-4-5", "claude-opus-5-5"]);
}

#[test]
fn the_cli_and_the_app_leave_out_the_same_thinking_after_a_model_switch() {
    let mock = MockServer::start();
    mock.enforce_binding();
    mock.set_stream(StreamSpec {
        thinking: vec!["Hmm.".into()],
        ..StreamSpec::text(&["Yes."])
    });
    let home = tempfile::tempdir().unwrap();
    let (opus, sonnet) = ("claude-opus-5-5", "claude-sonnet-5-5");
    let runs = [
        vec![
            "ask",
            "--save",
            "--json",
            "--thinking",
            "adaptive",
            "-m",
            opus,
            "q1",
        ],
        vec!["ask", "--continue", "--json", "-m", sonnet, "q2"],
        vec!["ask", "--continue", "--json", "q3"],
    ];
    let mut replies = Vec::new();
    for args in &runs {
        let out = ask(&mock, home.path(), args);
        assert_eq!(out.code, 0, "{}", out.stderr);
        replies.push(serde_json::from_str::<Value>(&out.stdout).unwrap());
    }
    let cli: Vec<Vec<u8>> = mock
        .requests_to("/v1/messages")
        .into_iter()
        .map(|r| r.raw)
        .collect();

    let mut a = app();
    slash(&mut a, "/thinking adaptive");
    slash(&mut a, &format!("/model {opus}"));
    let mut app_sent = Vec::new();
    for (i, prompt) in ["q1", "q2", "q3"].into_iter().enumerate() {
        if i == 1 {
            slash(&mut a, &format!("/model {sonnet}"));
        }
        let (id, body) = app_sends(&mut a, prompt);
        app_sent.push(body);
        a.update(Msg::Api(ApiEvent::ChatFinished {
            id,
            message: replies[i].clone(),
            first_token: None,
            paid_by: oat::credentials::CredentialKind::ApiKey,
            utilization: None,
        }));
    }
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    for i in 0..3 {
        assert_eq!(text(&app_sent[i]), text(&cli[i]), "request {}", i + 1);
    }
    // And what they agree on is the rule: no thinking after the switch, then Sonnet's.
    let body: Value = serde_json::from_slice(&cli[2]).unwrap();
    assert!(body["messages"][1]["content"][0]["type"] != "thinking");
    assert_eq!(body["messages"][3]["content"][0]["type"], "thinking");
    assert_eq!(body["diagnostics"]["previous_message_id"], "msg_mock_2");
}

#[test]
fn a_tool_conversation_from_oat_ask_resumes_in_the_app_with_calls_and_results_unchanged() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    common::tools::configure(home.path(), "");
    mock.push_messages(Reply::RawSse(sse_events(&common::tools::tool_use_reply(
        "toolu_r",
        "mcp__t__echo",
        &["{\"text\":\"back\"}"],
        "tool_use",
    ))));
    mock.push_messages(Reply::RawSse(sse_events(&reply_events(
        &["It said back."],
        json!({"stop_reason":"end_turn"}),
    ))));
    let out = ask(
        &mock,
        home.path(),
        &["ask", "--save", "--allow", "mcp__t__echo", "q1"],
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let loop_body: Value = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    let h = oat::history::History::open(&home.path().join("data/oat/history.db")).unwrap();
    let (conversation, messages) = h.conversation(1).unwrap();
    let mut a = app();
    tui_common::opened(&mut a, conversation, messages);
    // The results show as what they are; the call is one line under the reply.
    assert_eq!(a.chat.turns[1].prompt, "[tool result] echo: back");
    assert_eq!(
        a.chat.turns[0].notes,
        ["called mcp__t__echo {\"text\":\"back\"}"]
    );
    let (_, body) = app_sends(&mut a, "q2");
    let body: Value = serde_json::from_slice(&body).unwrap();
    let strip = |v: &Value| {
        let mut v = v.clone();
        for m in v.as_array_mut().unwrap() {
            for b in m["content"].as_array_mut().unwrap() {
                b.as_object_mut().unwrap().remove("cache_control");
            }
        }
        v
    };
    let sent = strip(&body["messages"]);
    assert_eq!(
        sent.as_array().unwrap()[..3],
        strip(&loop_body["messages"]).as_array().unwrap()[..]
    );
    assert_eq!(sent[3]["content"][0]["text"], "It said back.");
    assert_eq!(sent[4]["content"][0]["text"], "q2");
}
