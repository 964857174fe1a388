//! Thinking bound to its conversation, and cache diagnostics, against a mock that binds
//! thinking the way the documentation describes (`common::binding`): `/model`, `/web` and
//! `/system` mid-conversation, `oat ask --continue` with other flags, resuming after a
//! switch, a branch from an edited prompt, a key from another organisation. Through `oat
//! ask` (the built binary) and through the app's update loop, whose requests go to the
//! mock by the engine's own turn. Request bodies are checked field by field.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test reports

mod common;
mod tui_common;

use common::*;
use crossterm::event::{KeyCode, KeyModifiers};
use oat::api::{Client, ClientConfig};
use oat::conversation::turn::{self, End, Sink, TurnEvent};
use oat::tui::app::{App, Msg};
use oat::worker::{ApiEvent, ChatError, RequestKind};
use serde_json::{Value, json};
use tui_common::*;

const OPUS: &str = "claude-opus-5-5";
const SONNET: &str = "claude-sonnet-5-5";
const NOTE: &str = "earlier thinking not sent";

/// A mock that enforces the binding and thinks before every reply.
fn thinking_mock() -> MockServer {
    let mock = MockServer::start();
    mock.enforce_binding();
    mock.set_stream(StreamSpec {
        thinking: vec!["Let me think.".into()],
        ..StreamSpec::text(&["Fine."])
    });
    mock
}

fn ask_with(mock: &MockServer, home: &std::path::Path, env: (&str, &str), args: &[&str]) -> Out {
    let mut cmd = oat(home);
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .env(env.0, env.1)
        .arg("ask")
        .args(args);
    output(&mut cmd, false)
}

fn ask(mock: &MockServer, home: &std::path::Path, args: &[&str]) -> Out {
    let out = ask_with(mock, home, ("ANTHROPIC_API_KEY", API_KEY), args);
    assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
    out
}

fn sent(mock: &MockServer) -> Vec<Recorded> {
    mock.requests_to("/v1/messages")
}

fn body(r: &Recorded) -> Value {
    r.body.clone().unwrap()
}

/// The `anthropic-beta` flags of a request; there must be one such header.
fn betas(r: &Recorded) -> Vec<String> {
    let all: Vec<_> = r.headers.get_all("anthropic-beta").iter().collect();
    assert!(all.len() <= 1, "one anthropic-beta header: {all:?}");
    all.first().map_or(Vec::new(), |v| {
        v.to_str()
            .unwrap()
            .split(',')
            .map(|b| b.trim().to_string())
            .collect()
    })
}

/// Which messages of a request carry thinking, by index.
fn thinking_at(body: &Value) -> Vec<usize> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m["content"]
                .as_array()
                .is_some_and(|c| c.iter().any(|b| b["type"] == "thinking"))
        })
        .map(|(i, _)| i)
        .collect()
}

/// The safety net, checked field by field: the beta beside the others, and
/// `block_binding` inside the `thinking` object; or neither.
fn assert_safety_net(r: &Recorded, on: bool) {
    let b = body(r);
    let beta = betas(r).iter().any(|x| x == binding::BETA);
    let drop = &b["thinking"]["block_binding"];
    if on {
        assert!(beta, "{:?}", betas(r));
        assert_eq!(drop, &json!({"prefix_mismatch_behavior": "drop_block"}));
        assert_eq!(b["thinking"]["type"], "adaptive");
    } else {
        assert!(!beta, "{:?}", betas(r));
        assert!(drop.is_null(), "{b}");
    }
}

fn previous_id(r: &Recorded) -> Value {
    let b = body(r);
    assert!(
        b["diagnostics"].is_object(),
        "every request asks for the cache diagnosis: {b}"
    );
    b["diagnostics"]["previous_message_id"].clone()
}

fn notes_in(stderr: &str) -> usize {
    stderr.matches(NOTE).count()
}

#[test]
fn the_mock_refuses_thinking_bound_elsewhere_exactly_as_documented_unless_asked_to_drop_it() {
    // Sent straight to the mock, with no help from oat's rule: a reply made by one model,
    // sent back to another.
    let mock = thinking_mock();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = client(&mock, API_KEY, oat::token::CredentialKind::ApiKey);
    let plan = |model: &str, messages| {
        let mut opts = request_options(model);
        opts.thinking = oat::api::ThinkingChoice::Adaptive;
        oat::api::messages::plan_request(&opts, None, messages)
            .unwrap()
            .request
    };
    let first = plan(OPUS, vec![oat::api::Message::user_text("q1")]);
    let a1 = run(&rt, &client, &first).unwrap();
    let content = a1["content"].as_array().unwrap().clone();
    assert_eq!(content[0]["type"], "thinking");
    let mut messages = first.messages.clone();
    messages.push(oat::api::Message::new(oat::api::Role::Assistant, content));
    messages.push(oat::api::Message::user_text("q2"));
    // The same history to the same model passes; to another it is refused.
    assert!(run(&rt, &client, &plan(OPUS, messages.clone())).is_ok());
    let refused = run(&rt, &client, &plan(SONNET, messages.clone())).unwrap_err();
    assert!(refused.is_thinking_bound_elsewhere(), "{refused}");
    assert_eq!(
        refused.detail().unwrap().message,
        binding::bound_elsewhere(1, 0)
    );
    // With the beta and drop_block, the block is dropped and reported instead.
    let mut asked = plan(SONNET, messages);
    asked.betas.push(binding::BETA);
    if let Some(t) = asked.thinking.as_mut() {
        t.set_block_binding(Some(oat::api::binding::DROP_BLOCK));
    }
    let reply = run(&rt, &client, &asked).unwrap();
    assert_eq!(
        reply["input_transformations"],
        json!([{"type":"thinking_dropped","path":"messages.1.content.0","reason":"model_binding_mismatch"}])
    );
}

fn client(mock: &MockServer, secret: &str, kind: oat::token::CredentialKind) -> Client {
    let config = ClientConfig {
        base_url: Some(mock.url.clone()),
        ..ClientConfig::default()
    };
    let credential = oat::token::Credential {
        kind,
        secret: oat::token::Secret::new(secret),
    };
    Client::new(config, credential).unwrap()
}

/// Hears nothing: the tests read the outcome.
struct Quiet;

impl Sink for Quiet {
    fn event(&mut self, _: TurnEvent<'_>) -> bool {
        true
    }
}

/// One turn of `request` through the engine: the assembled message, or the API's error.
fn run(
    rt: &tokio::runtime::Runtime,
    client: &Client,
    request: &oat::api::MessageRequest,
) -> Result<Value, oat::api::ApiError> {
    let outcome = rt.block_on(turn::run(
        client,
        request,
        None,
        std::future::pending(),
        &mut Quiet,
    ));
    match outcome.end {
        End::Finished => Ok(outcome.assembler.message()),
        End::Failed(e) => Err(e),
        End::Cancelled | End::Unheard => panic!("the turn did not end"),
    }
}

// ---- oat ask ----

#[test]
fn ask_continue_with_another_model_strips_once_says_so_once_and_keeps_the_new_thinking() {
    let mock = thinking_mock();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    let first = ask(
        &mock,
        dir,
        &["--save", "--thinking", "adaptive", "-m", OPUS, "q1"],
    );
    let switched = ask(&mock, dir, &["--continue", "-m", SONNET, "q2"]);
    let after = ask(&mock, dir, &["--continue", "q3"]);
    let same = ask(&mock, dir, &["--continue", "q4"]);
    let r = sent(&mock);
    assert_eq!(r.len(), 4);
    // Said once, on the request that left it out.
    assert_eq!(notes_in(&first.stderr), 0);
    assert_eq!(notes_in(&switched.stderr), 1, "{}", switched.stderr);
    assert!(
        switched
            .stderr
            .contains("oat: note: earlier thinking not sent: the model changed"),
        "{}",
        switched.stderr
    );
    assert_eq!(notes_in(&after.stderr) + notes_in(&same.stderr), 0);
    // Field by field: the switch sends no thinking, so it asks for nothing.
    assert_eq!(body(&r[1])["model"], SONNET);
    assert!(thinking_at(&body(&r[1])).is_empty());
    assert_safety_net(&r[1], false);
    // After it, the new model's thinking goes back unchanged, with the safety net.
    assert_eq!(thinking_at(&body(&r[2])), [3]);
    assert_safety_net(&r[2], true);
    assert_eq!(thinking_at(&body(&r[3])), [3, 5]);
    let sig = |r: &Recorded| body(r)["messages"][3]["content"][0]["signature"].clone();
    assert_eq!(sig(&r[2]), sig(&r[3]), "sent back unchanged");
    // The cache diagnosis names the reply before, each time.
    let ids: Vec<Value> = r.iter().map(previous_id).collect();
    assert_eq!(
        ids,
        [
            Value::Null,
            json!("msg_mock_1"),
            json!("msg_mock_2"),
            json!("msg_mock_3")
        ]
    );
}

#[test]
fn ask_continue_with_a_system_prompt_or_web_search_names_what_changed() {
    let mock = thinking_mock();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    ask(&mock, dir, &["--save", "--thinking", "adaptive", "q1"]);
    let system = ask(&mock, dir, &["--continue", "--system", "Be terse.", "q2"]);
    assert!(
        system
            .stderr
            .contains("earlier thinking not sent: the system prompt changed"),
        "{}",
        system.stderr
    );
    let web = ask(&mock, dir, &["--continue", "--web", "q3"]);
    assert!(
        web.stderr
            .contains("earlier thinking not sent: the tools changed (tools turned on)"),
        "{}",
        web.stderr
    );
    let again = ask(&mock, dir, &["--continue", "q4"]);
    assert_eq!(notes_in(&again.stderr), 0, "{}", again.stderr);
    let r = sent(&mock);
    assert!(thinking_at(&body(&r[1])).is_empty());
    assert_eq!(body(&r[1])["system"][0]["text"], "Be terse.");
    // With the web tools on, the reply made with the system prompt alone was made under
    // other tools: nothing is carried; the next request carries the web reply's thinking.
    assert!(thinking_at(&body(&r[2])).is_empty());
    assert!(!body(&r[2])["tools"].as_array().unwrap().is_empty());
    assert_eq!(thinking_at(&body(&r[3])), [5]);
    assert_safety_net(&r[3], true);
}

#[test]
fn a_key_from_another_organisation_is_dropped_by_the_api_and_said_in_its_words() {
    let mock = thinking_mock();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    ask(&mock, dir, &["--save", "--thinking", "adaptive", "q1"]);
    // oat cannot see an organisation: it sends the thinking, asking the API to drop it.
    let other = ask_with(
        &mock,
        dir,
        ("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN),
        &["--continue", "q2"],
    );
    assert_eq!(other.code, 0, "{}", other.stderr);
    let r = sent(&mock);
    assert_eq!(thinking_at(&body(&r[1])), [1]);
    assert_safety_net(&r[1], true);
    let b = betas(&r[1]);
    assert!(b.iter().any(|x| x == "oauth-2025-04-20"), "{b:?}");
    assert!(
        other.stderr.contains(
            "oat: note: the API dropped earlier thinking (messages.1: another organisation)"
        ),
        "{}",
        other.stderr
    );
    assert_eq!(notes_in(&other.stderr), 0, "oat itself left nothing out");
}

#[test]
fn a_binding_refusal_that_still_comes_is_explained_with_the_next_step() {
    let mock = thinking_mock();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    ask(&mock, dir, &["--save", "--thinking", "adaptive", "q1"]);
    // No thinking setting: nowhere to ask for drop_block, and another organisation.
    let out = ask_with(
        &mock,
        dir,
        ("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN),
        &["--continue", "--thinking", "off", "q2"],
    );
    assert_ne!(out.code, 0);
    assert!(
        out.stderr.contains("bound to a different conversation"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Send with the key the conversation began with"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_follow_up_that_missed_the_cache_says_why_on_the_usage_line_and_keeps_it() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    ask(&mock, dir, &["--save", "--usage", "q1"]);
    let same = ask(&mock, dir, &["--continue", "--usage", "q2"]);
    assert!(!same.stderr.contains("cache missed"), "{}", same.stderr);
    let changed = ask(
        &mock,
        dir,
        &["--continue", "--usage", "--system", "Be terse.", "q3"],
    );
    let line = changed
        .stderr
        .lines()
        .find(|l| l.starts_with("oat: usage:"))
        .unwrap();
    assert!(
        line.contains(" · cache missed: system prompt changed ("),
        "{line}"
    );
    let ids: Vec<Value> = sent(&mock).iter().map(previous_id).collect();
    assert_eq!(ids, [Value::Null, json!("msg_mock_1"), json!("msg_mock_2")]);
    // Kept with the reply: its id and the diagnosis.
    let o = output(oat(dir).args(["history", "show", "1", "--json"]), false);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let replies: Vec<&Value> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "assistant")
        .collect();
    assert_eq!(replies[2]["api_id"], "msg_mock_3");
    assert_eq!(
        replies[2]["diagnostics"]["cache_miss_reason"]["type"],
        "system_changed"
    );
    assert!(replies[1]["diagnostics"]["cache_miss_reason"].is_null());
}

// ---- the app ----

/// The app's turns sent to the mock by the engine, as the worker would.
struct Live {
    rt: tokio::runtime::Runtime,
    client: Client,
    mock: MockServer,
}

impl Live {
    fn new(mock: MockServer) -> Self {
        Self {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: client(&mock, API_KEY, oat::token::CredentialKind::ApiKey),
            mock,
        }
    }

    /// Sends the composer's text (or `text` typed into it) and answers it from the mock;
    /// returns what the mock received.
    fn send(&self, a: &mut App, text: &str) -> Recorded {
        typed(a, text);
        self.enter(a)
    }

    fn enter(&self, a: &mut App) -> Recorded {
        let fx = a.update(key(KeyCode::Enter));
        let (id, request) = requests(&fx)
            .into_iter()
            .find_map(|(id, k)| match k {
                RequestKind::StreamChat { request, .. } => Some((id, request.clone())),
                _ => None,
            })
            .unwrap_or_else(|| panic!("nothing sent: {:?}", a.chat.notice));
        let msg = match run(&self.rt, &self.client, &request) {
            Ok(message) => ApiEvent::ChatFinished {
                id,
                message,
                first_token: None,
                paid_by: oat::credentials::CredentialKind::ApiKey,
                utilization: None,
            },
            Err(e) => ApiEvent::ChatFailed {
                id,
                error: ChatError::Api(e),
                partial: Value::Null,
            },
        };
        a.update(Msg::Api(msg));
        sent(&self.mock).pop().unwrap()
    }
}

fn slash(a: &mut App, command: &str) {
    typed(a, command);
    a.update(key(KeyCode::Enter));
}

fn screen(a: &mut App) -> String {
    a.update(Msg::Resize(140, 120));
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 120)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, a)).unwrap();
    t.backend().to_string()
}

fn all_notes(a: &App) -> Vec<String> {
    a.chat
        .turns
        .iter()
        .flat_map(|t| t.notes.iter().cloned())
        .filter(|n| n.contains(NOTE))
        .collect()
}

#[test]
fn the_app_strips_on_model_web_and_system_changes_and_says_each_once_in_the_transcript() {
    let live = Live::new(thinking_mock());
    let mut a = app_with(OPUS);
    slash(&mut a, "/thinking adaptive");
    let r1 = live.send(&mut a, "q1");
    assert_safety_net(&r1, false);
    let r2 = live.send(&mut a, "q2");
    assert_eq!(
        thinking_at(&body(&r2)),
        [1],
        "nothing changed: sent unchanged"
    );
    assert_safety_net(&r2, true);
    assert_eq!(previous_id(&r2), "msg_mock_1");

    slash(&mut a, &format!("/model {SONNET}"));
    let r3 = live.send(&mut a, "q3");
    assert!(thinking_at(&body(&r3)).is_empty());
    assert_eq!(
        a.chat.turns[2].notes,
        ["earlier thinking not sent: the model changed"]
    );
    // The mock's diagnosis of the switch, beside the turn's cost.
    assert!(
        a.chat.turns[2]
            .cache_miss
            .as_deref()
            .is_some_and(|m| m.starts_with("cache missed: model changed")),
        "{:?}",
        a.chat.turns[2].cache_miss
    );
    let r4 = live.send(&mut a, "q4");
    assert_eq!(thinking_at(&body(&r4)), [5]);
    assert!(a.chat.turns[3].notes.is_empty());

    slash(&mut a, "/web on");
    let r5 = live.send(&mut a, "q5");
    assert!(thinking_at(&body(&r5)).is_empty());
    slash(&mut a, "/web off");
    slash(&mut a, "/system Be terse.");
    let r6 = live.send(&mut a, "q6");
    assert!(thinking_at(&body(&r6)).is_empty());
    let r7 = live.send(&mut a, "q7");
    assert_eq!(thinking_at(&body(&r7)), [11]);
    assert_safety_net(&r7, true);
    for t in &a.chat.turns {
        assert!(
            !matches!(t.state, oat::tui::state::chat::ReplyState::Failed(_)),
            "no request failed: {:?}",
            t.state
        );
    }
    assert_eq!(
        all_notes(&a),
        [
            "earlier thinking not sent: the model changed",
            "earlier thinking not sent: the tools changed (tools turned on)",
            "earlier thinking not sent: the system prompt changed \
             and the tools changed (tools turned off)",
        ]
    );
    // In the transcript: each once, as a quiet line under its turn.
    let s = screen(&mut a);
    assert_eq!(s.matches(NOTE).count(), 3, "{s}");
    assert!(
        s.contains("ℹ earlier thinking not sent: the model changed"),
        "{s}"
    );
    assert!(s.contains("cache missed: model changed"), "{s}");
}

#[test]
fn a_branch_from_an_edited_prompt_sends_the_thinking_before_the_edit() {
    let live = Live::new(thinking_mock());
    let mut a = app_with(OPUS);
    slash(&mut a, "/thinking adaptive");
    live.send(&mut a, "q1");
    live.send(&mut a, "q2");
    live.send(&mut a, "q3");
    // Edit turn 2 (select mode: Alt-↑ picks the last turn, k the one before, e edits).
    a.update(with(KeyCode::Up, KeyModifiers::ALT));
    a.update(key(KeyCode::Char('k')));
    a.update(key(KeyCode::Char('e')));
    assert_eq!(a.chat.editing, Some(1));
    typed(&mut a, " (edited)");
    let r = live.enter(&mut a);
    let b = body(&r);
    assert_eq!(b["messages"].as_array().unwrap().len(), 3);
    assert_eq!(b["messages"][2]["content"][0]["text"], "q2 (edited)");
    assert_eq!(thinking_at(&b), [1], "the thinking before the edit IS sent");
    assert_eq!(b["messages"][1]["content"][0]["type"], "thinking");
    assert_safety_net(&r, true);
    assert_eq!(previous_id(&r), "msg_mock_1");
    // And the mock, which refuses thinking bound elsewhere, answered it.
    assert_eq!(
        a.chat.turns[1].state,
        oat::tui::state::chat::ReplyState::Done
    );
    assert!(all_notes(&a).is_empty());
}

#[test]
fn the_app_resumed_after_a_switch_sends_what_is_still_bound_and_says_nothing_new() {
    let mock = thinking_mock();
    let home = tempfile::tempdir().unwrap();
    let dir = home.path();
    ask(
        &mock,
        dir,
        &["--save", "--thinking", "adaptive", "-m", OPUS, "q1"],
    );
    ask(&mock, dir, &["--continue", "-m", SONNET, "q2"]);
    let h = oat::history::History::open(&dir.join("data/oat/history.db")).unwrap();
    let (conversation, messages) = h.conversation(1).unwrap();
    let live = Live::new(mock);
    let mut a = app_with(OPUS);
    opened(&mut a, conversation, messages);
    assert_eq!(a.chat.model, SONNET);
    let r = live.send(&mut a, "q3");
    let b = body(&r);
    assert_eq!(b["model"], SONNET);
    assert_eq!(
        thinking_at(&b),
        [3],
        "the Sonnet reply's thinking, not Opus's"
    );
    assert_safety_net(&r, true);
    assert_eq!(previous_id(&r), "msg_mock_2");
    assert!(all_notes(&a).is_empty());
    assert_eq!(
        a.chat.turns[2].state,
        oat::tui::state::chat::ReplyState::Done
    );
    // Back to Opus: its first reply is bound to what it was made with again.
    slash(&mut a, &format!("/model {OPUS}"));
    let r = live.send(&mut a, "q4");
    assert_eq!(thinking_at(&body(&r)), [1]);
    assert_eq!(
        all_notes(&a),
        ["earlier thinking not sent: the model changed"]
    );
    assert_eq!(
        a.chat.turns[3].state,
        oat::tui::state::chat::ReplyState::Done
    );
}
