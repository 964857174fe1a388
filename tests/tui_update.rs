//! `App::update` as a pure function: keys and worker events in, state and effects out.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use oat::api::{Delta, Model};
use oat::config::Backend;
use oat::tui::app::{App, Effect, Msg, Pane};
use oat::tui::state::chat::ReplyState;
use oat::tui::state::keys::KeysMode;
use oat::tui::state::load::Load;
use oat::worker::{ApiEvent, RequestId, RequestKind};
use serde_json::json;
use tui_common::*;

fn app() -> App {
    tui_common::app_with("claude-sonnet-5-5")
}

/// Sends a prompt and returns the stream request's id.
fn send(a: &mut App, text: &str) -> RequestId {
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    let reqs = requests(&fx);
    assert_eq!(reqs.len(), 1, "{fx:?}");
    assert!(matches!(reqs[0].1, RequestKind::StreamChat { .. }));
    reqs[0].0
}

fn delta(id: RequestId, text: &str) -> Msg {
    Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta { text: text.into() },
    })
}

#[test]
fn startup_asks_for_keys_models_and_status() {
    let mut a = app();
    let fx = a.startup();
    let kinds: Vec<_> = requests(&fx)
        .into_iter()
        .map(|(_, k)| format!("{k:?}"))
        .collect();
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    assert!(kinds[0].starts_with("LoadKeys") && kinds[1].starts_with("ListModels"));
    assert!(kinds[2].starts_with("ListConversations") && kinds[3].starts_with("ValidateKey"));
    assert!(a.animating());
    let mut first = App::new("m".into(), "2023-06-01".into(), true, false);
    assert_eq!(first.pane, Pane::Keys, "first run opens on Keys");
    assert!(first.terms_notice);
    assert_eq!(
        requests(&first.startup()).len(),
        3,
        "no status check without a key"
    );
}

#[test]
fn terms_notice_is_acknowledged_once() {
    let mut a = App::new("m".into(), "2023-06-01".into(), true, false);
    let fx = a.update(key(KeyCode::Enter));
    assert!(matches!(requests(&fx)[0].1, RequestKind::AcknowledgeTerms));
    assert!(!a.terms_notice);
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        !requests(&fx)
            .iter()
            .any(|r| matches!(r.1, RequestKind::AcknowledgeTerms)),
        "once"
    );
}

#[test]
fn pane_switching() {
    let mut a = app();
    assert_eq!(a.pane, Pane::Chat);
    a.update(key(KeyCode::Tab));
    assert_eq!(a.pane, Pane::Chat, "Tab completes in the chat");
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::ALT,
    )));
    assert_eq!(a.pane, Pane::History);
    a.update(key(KeyCode::Tab));
    assert_eq!(a.pane, Pane::Keys);
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::BackTab,
        KeyModifiers::SHIFT,
    )));
    assert_eq!(a.pane, Pane::History);
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('3'),
        KeyModifiers::ALT,
    )));
    assert_eq!(a.pane, Pane::Models);
    a.update(key(KeyCode::F(1)));
    assert!(a.help);
    a.update(key(KeyCode::Char('x')));
    assert!(!a.help, "any key closes help");
}

#[test]
fn chat_streams_finishes_and_keeps_context() {
    let mut a = app();
    let id = send(&mut a, "Hi");
    assert!(a.composer.is_empty());
    assert_eq!(a.chat.turns[0].state, ReplyState::Waiting);
    a.update(delta(id, "Hel"));
    a.update(delta(id, "lo"));
    assert_eq!(a.chat.turns[0].text, "Hello");
    assert_eq!(a.chat.turns[0].state, ReplyState::Streaming);
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":"Hello"}],"usage":{"input_tokens":5,"output_tokens":2},"stop_reason":"end_turn"}),
        first_token: Some(std::time::Duration::from_millis(300)),
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    assert_eq!(a.chat.turns[0].state, ReplyState::Done);
    assert_eq!(
        a.chat.turns[0].usage.map(|u| (u.input, u.output)),
        Some((5, 2))
    );
    assert!(!a.chat.in_flight());
    typed(&mut a, "More");
    let fx = a.update(key(KeyCode::Enter));
    let RequestKind::StreamChat { request, .. } = requests(&fx)[0].1 else {
        panic!()
    };
    assert_eq!(request.messages.len(), 3, "prior turn sent as context");
    assert_eq!(request.messages[1].content[0]["text"], "Hello");
}

#[test]
fn esc_stops_the_reply_and_late_deltas_are_dropped() {
    let mut a = app();
    let id = send(&mut a, "Tell me a story");
    a.update(delta(id, "Once"));
    let fx = a.update(key(KeyCode::Esc));
    assert!(matches!(requests(&fx)[0].1, RequestKind::Cancel { target } if *target == id));
    assert_eq!(a.chat.turns[0].state, ReplyState::Stopped);
    a.update(delta(id, " upon"));
    assert_eq!(a.chat.turns[0].text, "Once", "stale delta dropped");
}

#[test]
fn ctrl_c_stops_first_then_quits() {
    let mut a = app();
    let id = send(&mut a, "x");
    let fx = a.update(ctrl('c'));
    assert!(matches!(requests(&fx)[0].1, RequestKind::Cancel { target } if *target == id));
    let fx = a.update(ctrl('c'));
    assert!(matches!(fx[0], Effect::Quit));
}

#[test]
fn regenerate_shows_a_new_reply_where_the_last_was() {
    let mut a = app();
    let id = send(&mut a, "Q");
    a.update(delta(id, "first answer"));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":"first answer"}]}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    let fx = a.update(ctrl('r'));
    let reqs = requests(&fx);
    let RequestKind::StreamChat { request, .. } = reqs[0].1 else {
        panic!()
    };
    assert_eq!(request.messages.len(), 1);
    assert_eq!(a.chat.turns.len(), 1);
    assert_eq!(a.chat.turns[0].text, "");
    assert_eq!(a.chat.turns[0].prompt, "Q");
    assert_eq!(
        a.chat.turns[0].siblings.count(),
        2,
        "the first reply is kept beside it"
    );
}

#[test]
fn slash_retry_is_ctrl_r_and_slash_usage_counts_every_branch_in_words() {
    let mut a = app();
    typed(&mut a, "/usage");
    a.update(key(KeyCode::Enter));
    assert_eq!(
        a.chat.notice.as_ref().map(|n| n.text.as_str()),
        Some("No reply yet in this conversation.")
    );
    let finished = |id| {
        Msg::Api(ApiEvent::ChatFinished {
            id,
            message: json!({"content":[{"type":"text","text":"an answer"}],
                            "usage":{"input_tokens":1_000_000,"output_tokens":1_000},"stop_reason":"end_turn"}),
            first_token: None,
            paid_by: oat::credentials::CredentialKind::ApiKey,
            utilization: None,
        })
    };
    let id = send(&mut a, "Q");
    a.update(finished(id));
    typed(&mut a, "/retry");
    let fx = a.update(key(KeyCode::Enter));
    let reqs = requests(&fx);
    let RequestKind::StreamChat { request, .. } = reqs[0].1 else {
        panic!("{fx:?}")
    };
    assert_eq!(request.messages.len(), 1, "the old reply is not context");
    assert_eq!(a.chat.turns[0].siblings.count(), 2);
    a.update(finished(reqs[0].0));
    typed(&mut a, "/usage");
    a.update(key(KeyCode::Enter));
    let said = a.chat.notice.as_ref().unwrap().text.clone();
    // claude-sonnet-5-5: $2 per million tokens in, $10 per million out.
    assert_eq!(
        said,
        "Last reply: 1M tokens in, 1k out, $2.01. This conversation: $4.02 for 2 replies on an API key."
    );
}

#[test]
fn failure_keeps_partial_text_and_says_what_to_do() {
    let mut a = app();
    let id = send(&mut a, "Q");
    a.update(delta(id, "partial"));
    let overloaded = oat::api::ApiError::Overloaded(oat::api::ErrorDetail {
        error_type: "overloaded_error".into(),
        message: "Overloaded".into(),
        ..Default::default()
    });
    a.update(Msg::Api(ApiEvent::ChatFailed {
        id,
        error: oat::worker::ChatError::Api(overloaded.clone()),
        partial: json!({"content":[{"type":"text","text":"partial"}]}),
    }));
    assert_eq!(a.chat.turns[0].text, "partial");
    // The error stays typed to the screen; the view picks its words.
    assert_eq!(
        a.chat.turns[0].state,
        ReplyState::Failed(oat::tui::state::chat::TurnFailure::Api {
            error: overloaded,
            web: false
        })
    );
    let (words, advice) =
        oat::tui::view::chat::failure_words(&oat::tui::state::chat::TurnFailure::Api {
            error: oat::api::ApiError::Overloaded(Default::default()),
            web: false,
        });
    assert!(words.contains("529") && !advice.is_empty());
}

#[test]
fn copy_reply_and_code_block() {
    let mut a = app();
    let id = send(&mut a, "Q");
    a.update(delta(id, "Run:\n```sh\nls -la\n```\n"));
    let fx = a.update(ctrl('y'));
    assert!(matches!(&fx[0], Effect::Copy(t) if t.contains("ls -la") && t.starts_with("Run:")));
    let fx = a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('y'),
        KeyModifiers::ALT,
    )));
    assert!(matches!(&fx[0], Effect::Copy(t) if t == "ls -la"));
}

#[test]
fn slash_commands_change_settings_and_bad_combinations_are_refused() {
    let mut a = app();
    typed(&mut a, "/system Be terse.");
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert_eq!(a.chat.settings.system.as_deref(), Some("Be terse."));
    typed(&mut a, "/model claude-opus-5-5");
    a.update(key(KeyCode::Enter));
    typed(&mut a, "/thinking 2048");
    a.update(key(KeyCode::Enter));
    typed(&mut a, "hello");
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        fx.is_empty(),
        "a budget on an adaptive-only model is refused before sending"
    );
    assert!(
        a.chat
            .notice
            .as_deref()
            .unwrap()
            .contains("/thinking adaptive"),
        "the app's own words, not the command line's"
    );
    assert_eq!(a.composer.text(), "hello", "the prompt is kept");
    typed(&mut a, "");
    a.composer.take();
    typed(&mut a, "/thinking adaptive");
    a.update(key(KeyCode::Enter));
    typed(&mut a, "hello");
    let fx = a.update(key(KeyCode::Enter));
    let RequestKind::StreamChat { request, .. } = requests(&fx)[0].1 else {
        panic!()
    };
    assert_eq!(request.system_text(), Some("Be terse."));
    assert_eq!(request.model, "claude-opus-5-5");
    assert!(request.thinking.is_some());
}

#[test]
fn multi_line_input_and_paste() {
    let mut a = app();
    typed(&mut a, "line one");
    a.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::SHIFT)));
    a.update(Msg::Paste("pasted\nparagraph".into()));
    assert_eq!(a.composer.text(), "line one\npasted\nparagraph");
}

#[test]
fn models_filter_and_select() {
    let mut a = app();
    let fx = a.startup();
    let models_id = requests(&fx)[1].0;
    let models: Vec<Model> = oat::api::models::fallback().data;
    a.update(Msg::Api(ApiEvent::ModelsLoaded {
        id: models_id,
        models,
        offline: Some("offline list of 2026-11-24 — refused".into()),
    }));
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('3'),
        KeyModifiers::ALT,
    )));
    typed(&mut a, "haiku 5.5");
    assert_eq!(a.models.filtered().len(), 1);
    a.update(key(KeyCode::Enter));
    assert_eq!(a.chat.model, "claude-haiku-5-5");
    assert_eq!(a.pane, Pane::Chat);
    // A late answer to an older request is dropped.
    a.update(Msg::Api(ApiEvent::ModelsLoaded {
        id: 999,
        models: Vec::new(),
        offline: None,
    }));
    assert!(!a.models.models.is_empty());
}

#[test]
fn keys_add_rename_remove_use() {
    let mut a = app();
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('1'),
        KeyModifiers::ALT,
    )));
    a.update(key(KeyCode::Char('a')));
    assert!(matches!(a.keys.mode, KeysMode::Adding { .. }));
    a.update(Msg::Paste("sk-ant-api03-abc\ndef".into()));
    a.update(key(KeyCode::Tab));
    typed(&mut a, "work");
    let fx = a.update(key(KeyCode::Enter));
    // The whole effect, compared as a value.
    let adding = |id, backend| {
        vec![Effect::Request(oat::worker::ApiRequest {
            id,
            kind: RequestKind::AddKey {
                name: Some("work".into()),
                secret: oat::credentials::Secret::new("sk-ant-api03-abc\ndef"),
                backend,
            },
        })]
    };
    assert_eq!(fx, adding(2, None));
    // The request's own Debug text never holds the secret.
    assert!(!format!("{fx:?}").contains("abc\ndef"));
    assert!(
        matches!(a.keys.mode, KeysMode::Adding { .. }),
        "kept open until stored"
    );
    // No keyring here: the refusal leaves the form, so Ctrl-F retries with the file store.
    a.update(Msg::Api(ApiEvent::KeyAddFailed {
        id: 2,
        error: oat::worker::AddKeyError::NoKeyring,
    }));
    // The app names its own key for the way on (the worker names none).
    assert!(a.keys.notice.as_ref().unwrap().text.contains("Ctrl-F"));
    let fx = a.update(ctrl('f'));
    assert_eq!(fx, adding(3, Some(Backend::File)));
    a.update(Msg::Api(ApiEvent::KeyChanged {
        id: 2,
        notice: "Stored".into(),
    }));
    assert_eq!(
        a.keys.mode,
        KeysMode::Browse,
        "the secret leaves the state once stored"
    );
    // A stored key to act on.
    let entry = oat::credentials::keys::KeyEntry {
        meta: oat::config::KeyMeta {
            name: "work".into(),
            kind: oat::credentials::CredentialKind::ApiKey,
            backend: Backend::Keyring,
            added: chrono::Utc::now(),
            created: None,
            label: None,
            base_url: None,
            model: None,
            last_validation: None,
        },
        active: true,
    };
    a.update(Msg::Api(ApiEvent::KeysLoaded {
        id: 1,
        keys: vec![oat::worker::KeyView {
            entry,
            masked: "sk-ant-api03-abcd…wxyz".into(),
        }],
        in_use: Some("work".into()),
        keyring: Ok(()),
    }));
    a.update(key(KeyCode::Char('n')));
    for _ in 0..4 {
        a.update(key(KeyCode::Backspace));
    }
    typed(&mut a, "laptop");
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        matches!(requests(&fx)[0].1, RequestKind::RenameKey { old, new } if old == "work" && new == "laptop")
    );
    a.update(key(KeyCode::Char('d')));
    assert_eq!(a.keys.mode, KeysMode::ConfirmRemove);
    assert!(a.update(key(KeyCode::Char('n'))).is_empty());
    a.update(key(KeyCode::Char('d')));
    let fx = a.update(key(KeyCode::Char('y')));
    assert!(matches!(requests(&fx)[0].1, RequestKind::RemoveKey { name } if name == "work"));
    let fx = a.update(key(KeyCode::Enter));
    let (used, RequestKind::UseKey { .. }) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    // The pane waits for that change's own answer; an answer to an earlier one is stale.
    assert_eq!(a.keys.change, Some(used));
    let answered = |id| {
        Msg::Api(ApiEvent::KeyChanged {
            id,
            notice: "Using work.".into(),
        })
    };
    a.update(answered(used - 1));
    assert!(a.keys.changing(), "a stale answer ends no wait");
    a.update(answered(used));
    assert!(!a.keys.changing());
    assert_eq!(
        a.update(key(KeyCode::Char('q'))).len(),
        1,
        "q quits outside text input"
    );
}

#[test]
fn chat_is_saved_and_the_conversation_carries_on() {
    let mut a = app();
    typed(&mut a, "First");
    let fx = a.update(key(KeyCode::Enter));
    let (id, RequestKind::StreamChat { save, .. }) = requests(&fx)[0] else {
        panic!()
    };
    let save = save.clone().unwrap();
    assert_eq!((save.conversation, save.prompt.as_str()), (None, "First"));
    let fx = a.update(Msg::Api(ApiEvent::ConversationSaved {
        id,
        conversation: 7,
        prompt: 70,
    }));
    assert!(
        matches!(requests(&fx)[0].1, RequestKind::ListConversations { .. }),
        "the list refreshes"
    );
    assert_eq!(a.chat.conversation, Some(7));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":"ok"}]}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    typed(&mut a, "Second");
    let fx = a.update(key(KeyCode::Enter));
    let RequestKind::StreamChat { save, .. } = requests(&fx)[0].1 else {
        panic!()
    };
    assert_eq!(save.as_ref().unwrap().conversation, Some(7));
    a.update(key(KeyCode::Esc));
    typed(&mut a, "/title Trip plans");
    let fx = a.update(key(KeyCode::Enter));
    assert!(
        matches!(requests(&fx)[0].1, RequestKind::RenameConversation { id: 7, title } if title == "Trip plans")
    );
    typed(&mut a, "/new");
    a.update(key(KeyCode::Enter));
    assert_eq!(a.chat.conversation, None);
    assert!(a.chat.turns.is_empty());
}

#[test]
fn history_search_open_and_delete() {
    let mut a = app();
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::ALT,
    )));
    assert_eq!(a.pane, Pane::History);
    let fx = a.update(key(KeyCode::Char('p')));
    let (list_id, RequestKind::ListConversations { query }) = requests(&fx)[0] else {
        panic!()
    };
    assert_eq!(query, "p");
    let row = |id: i64, title: &str| oat::worker::ConversationRow {
        id,
        title: title.into(),
        model: "claude-opus-5-5".into(),
        updated: chrono::Utc::now(),
        snippet: Some("a [p]aris trip".into()),
    };
    a.update(Msg::Api(ApiEvent::ConversationsListed {
        id: list_id,
        items: vec![row(3, "Paris"), row(2, "Packing")],
    }));
    a.update(key(KeyCode::Down));
    let fx = a.update(key(KeyCode::Enter));
    let (open_id, RequestKind::OpenConversation { id: 2 }) = requests(&fx)[0] else {
        panic!("{fx:?}")
    };
    let conv = oat::history::Conversation {
        id: 2,
        title: "Packing".into(),
        model: "claude-opus-5-5".into(),
        system: Some("Be brief.".into()),
        settings: json!({"max_tokens": 2000, "thinking": "adaptive", "effort": "high"}),
        created: chrono::Utc::now(),
        updated: chrono::Utc::now(),
        leaf: Some(4),
    };
    let msg = |id: i64, role: &str, text: &str, complete: bool| oat::history::StoredMessage {
        id,
        parent: (id > 1).then_some(id - 1),
        attachments: Vec::new(),
        role: role.into(),
        content: json!([{"type":"text","text":text}]),
        text: text.into(),
        model: None,
        usage: Some(json!({"input_tokens": 3, "output_tokens": 4})),
        stop_reason: None,
        stop_details: None,
        credential_kind: None,
        first_token_ms: Some(250),
        settings: None,
        complete,
        stopped: false,
        api_id: None,
        binding: None,
        diagnostics: None,
        created: chrono::Utc::now(),
    };
    let opened = |id| {
        Msg::Api(ApiEvent::ConversationOpened {
            id,
            conversation: Box::new(conv.clone()),
            messages: vec![
                msg(1, "user", "What to pack?", true),
                msg(2, "assistant", "Socks.", true),
                msg(3, "user", "More?", true),
                msg(4, "assistant", "Hat", false),
            ],
        })
    };
    // An answer to an earlier open (Enter pressed on another row first) is stale.
    a.update(opened(open_id - 1));
    assert_eq!(
        a.chat.conversation, None,
        "not the conversation asked for last"
    );
    a.update(opened(open_id));
    assert_eq!(a.pane, Pane::Chat);
    assert_eq!(a.chat.conversation, Some(2));
    assert_eq!(a.chat.model, "claude-opus-5-5");
    assert_eq!(a.chat.settings.system.as_deref(), Some("Be brief."));
    assert_eq!(a.chat.settings.max_tokens, Some(2000));
    assert_eq!(a.chat.turns.len(), 2);
    assert_eq!(a.chat.turns[0].text, "Socks.");
    assert_eq!(
        a.chat.turns[0].usage.map(|u| (u.input, u.output)),
        Some((3, 4))
    );
    assert!(
        matches!(a.chat.turns[1].state, ReplyState::Failed { .. }),
        "an incomplete reply says so"
    );
    // Resuming sends the earlier turns as context.
    typed(&mut a, "And shoes?");
    let fx = a.update(key(KeyCode::Enter));
    let RequestKind::StreamChat { request, save, .. } = requests(&fx)[0].1 else {
        panic!()
    };
    assert_eq!(request.messages.len(), 5);
    assert_eq!(save.as_ref().unwrap().conversation, Some(2));
    // Delete asks first.
    a.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('5'),
        KeyModifiers::ALT,
    )));
    a.update(key(KeyCode::Delete));
    assert!(a.history.confirm_delete);
    let fx = a.update(key(KeyCode::Char('y')));
    assert!(matches!(
        requests(&fx)[0].1,
        RequestKind::DeleteConversation { id: 2 }
    ));
}

#[test]
fn a_refusal_ends_the_turn_with_its_reason_and_leaves_the_next_context() {
    let mut a = app();
    let id = send(&mut a, "risky question");
    a.update(delta(id, "Let me"));
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({
            "content":[{"type":"text","text":"Let me"},{"type":"fallback","to_model":"claude-opus-5-5"}],
            "stop_reason":"refusal",
            "stop_details":{"type":"refusal","category":"cyber","explanation":"It could enable harm."},
            "usage":{"input_tokens":5,"output_tokens":2,"fallback_credit":{"input_tokens":9}}
        }),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
    let t = &a.chat.turns[0];
    assert_eq!(t.text, "Let me", "what streamed stays");
    assert_eq!(
        t.state,
        ReplyState::Declined {
            sentence: "Claude declined: It could enable harm. (category: cyber)".into()
        }
    );
    assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
    assert!(t.notes[0].contains("`fallback` block"));
    // The next prompt does not carry the declined turn as context.
    let fx = {
        typed(&mut a, "another question");
        a.update(key(KeyCode::Enter))
    };
    let RequestKind::StreamChat { request, .. } = requests(&fx)[0].1 else {
        panic!("{fx:?}")
    };
    assert_eq!(request.messages.len(), 1, "{:?}", request.messages);
}

#[test]
fn a_config_change_elsewhere_reloads_the_keys_and_only_the_newest_read_is_shown() {
    let mut a = app();
    let loaded = |id, name: &str| {
        Msg::Api(ApiEvent::KeysLoaded {
            id,
            keys: vec![key_view(
                name,
                oat::credentials::CredentialKind::ApiKey,
                Backend::Keyring,
                "sk-ant-api03-abcd…wxyz",
            )],
            in_use: Some(name.into()),
            keyring: Ok(()),
        })
    };
    let load_id = |fx: &[Effect]| match requests(fx)[..] {
        [(id, RequestKind::LoadKeys)] => id,
        _ => panic!("one LoadKeys wanted: {fx:?}"),
    };
    let first = load_id(&a.update(Msg::Api(ApiEvent::ConfigChanged)));
    // The file changed again while that read ran: it may have read the file before the
    // change, so a new read goes out at once and the first one's answer is stale.
    let second = load_id(&a.update(Msg::Api(ApiEvent::ConfigChanged)));
    assert_ne!(first, second);
    assert!(a.keys.load.awaits(second) && !a.keys.load.awaits(first));
    a.update(loaded(first, "old"));
    assert!(a.keys.keys.is_empty(), "a stale read is not shown");
    a.update(loaded(second, "new"));
    assert_eq!(a.keys.keys[0].entry.meta.name, "new");
    assert_eq!(a.keys.load, Load::Ready);
    // Once a list is shown, a later reload is quiet (no "loading" flash).
    let third = load_id(&a.update(Msg::Api(ApiEvent::ConfigChanged)));
    assert_eq!(a.keys.load, Load::Refreshing(third));
}

#[test]
fn a_reply_stopped_by_a_full_context_says_so_and_offers_the_gates_ways_on() {
    // A 200k window, so a few long prompts are enough to need leaving some out.
    let mut a = tui_common::app_with("claude-haiku-4-5");
    let finish = |a: &mut App, id: RequestId, stop: &str, input: u64| {
        a.update(Msg::Api(ApiEvent::ChatFinished {
            id,
            message: json!({
                "content":[{"type":"text","text":"words ".repeat(15_000)}],
                "stop_reason": stop,
                "usage":{"input_tokens":input,"output_tokens":500}
            }),
            first_token: None,
            paid_by: oat::credentials::CredentialKind::ApiKey,
            utilization: None,
        }));
    };
    for i in 0..3 {
        let id = send(&mut a, &format!("question {i}"));
        finish(&mut a, id, "end_turn", 1000);
    }
    let id = send(&mut a, "the last question");
    finish(&mut a, id, "model_context_window_exceeded", 199_800);
    let notice = a.chat.notice.clone().map(|n| n.text).unwrap_or_default();
    assert!(notice.starts_with("The context is full"), "{notice}");
    assert!(notice.contains("n: new conversation"), "{notice}");
    assert!(notice.contains("d: leave out the"), "{notice}");
    assert!(a.chat.gate.is_some());
    let t = a.chat.turns.last().unwrap();
    assert_eq!(t.state, ReplyState::Done, "what arrived is kept");
    assert!(t.notes.iter().any(|n| n.starts_with("The context is full")));

    // `d` leaves the oldest exchanges out of what is sent next, and sends nothing itself.
    let fx = a.update(key(KeyCode::Char('d')));
    assert!(requests(&fx).is_empty(), "{fx:?}");
    assert!(a.chat.gate.is_none());
    assert!(a.chat.context_from > 0, "{}", a.chat.context_from);
    let left = a.chat.context_from;
    typed(&mut a, "next");
    let fx = a.update(key(KeyCode::Enter));
    let RequestKind::StreamChat { request, .. } = requests(&fx)[0].1 else {
        panic!("{fx:?}")
    };
    assert_eq!(request.messages.len(), 2 * (4 - left) + 1);

    // `n` starts a new conversation instead.
    let mut a = app();
    let id = send(&mut a, "only question");
    finish(&mut a, id, "model_context_window_exceeded", 999_800);
    assert!(a.chat.gate.is_some());
    a.update(key(KeyCode::Char('n')));
    assert!(a.chat.turns.is_empty() && a.chat.gate.is_none());
}

#[test]
fn a_paused_reply_that_continues_says_so_in_the_turn() {
    let mut a = app();
    let id = send(&mut a, "dig deep");
    a.update(delta(id, "Searching"));
    a.update(Msg::Api(ApiEvent::ChatContinuing {
        id,
        attempt: 1,
        limit: 3,
    }));
    let t = a.chat.turns.last().unwrap();
    assert_eq!(
        t.notes,
        vec!["the reply paused (a long server-tool turn); continuing it (1 of 3)".to_string()]
    );
    assert!(t.in_flight(), "the same turn goes on");
}
