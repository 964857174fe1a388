//! `App::update` keeps what it shows true: a stopped reply stays stopped on resume, a
//! deleted conversation leaves the chat (here or elsewhere), and the header names both
//! costs when other branches were paid for too. The key in use: `tui_follows_keys.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};
use oat::history::{Conversation, StoredMessage};
use oat::tui::app::{App, Msg, Pane};
use oat::tui::state::chat::ReplyState;
use oat::worker::{ApiEvent, RequestKind};
use serde_json::json;
use tui_common::*;

fn app() -> App {
    tui_common::app_with("claude-sonnet-5-5")
}

fn conversation(id: i64, leaf: i64) -> Box<Conversation> {
    Box::new(Conversation {
        id,
        title: "Packing".into(),
        model: "claude-sonnet-5-5".into(),
        system: None,
        settings: json!({}),
        created: chrono::Utc::now(),
        updated: chrono::Utc::now(),
        leaf: Some(leaf),
    })
}

fn message(id: i64, role: &str, text: &str) -> StoredMessage {
    StoredMessage {
        id,
        parent: (id > 1).then_some(id - 1),
        attachments: Vec::new(),
        role: role.into(),
        content: json!([{"type": "text", "text": text}]),
        text: text.into(),
        model: None,
        usage: None,
        stop_reason: None,
        stop_details: None,
        credential_kind: None,
        first_token_ms: None,
        settings: None,
        complete: true,
        stopped: false,
        api_id: None,
        binding: None,
        diagnostics: None,
        created: chrono::Utc::now(),
    }
}

/// The whole screen as text.
fn render(a: &App) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 40)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, a)).unwrap();
    t.backend().to_string()
}

/// The app showing conversation `id`: one finished turn.
fn resumed(a: &mut App, id: i64) {
    tui_common::opened(
        a,
        *conversation(id, 2),
        vec![message(1, "user", "q1"), message(2, "assistant", "a1")],
    );
    assert_eq!(a.chat.conversation, Some(id));
}

#[test]
fn a_stopped_reply_is_still_stopped_when_resumed() {
    let mut a = app();
    let mut stopped = message(2, "assistant", "half");
    stopped.complete = false;
    stopped.stopped = true;
    let mut cut = message(4, "assistant", "cut");
    cut.complete = false;
    tui_common::opened(
        &mut a,
        *conversation(5, 4),
        vec![
            message(1, "user", "q1"),
            stopped,
            message(3, "user", "q2"),
            cut,
        ],
    );
    assert_eq!(a.chat.turns[0].state, ReplyState::Stopped);
    assert!(
        matches!(a.chat.turns[1].state, ReplyState::Failed { .. }),
        "a reply cut off (not stopped) still reads as cut off: {:?}",
        a.chat.turns[1].state
    );
}

fn row(id: i64, title: &str) -> oat::worker::ConversationRow {
    oat::worker::ConversationRow {
        id,
        title: title.into(),
        model: "claude-sonnet-5-5".into(),
        updated: chrono::Utc::now(),
        snippet: None,
    }
}

/// The History pane listing `rows` (as the worker answers its list request).
fn listed(a: &mut App, rows: Vec<oat::worker::ConversationRow>) {
    let fx = a.update(ctrl_alt_or_pane(5));
    let id = requests(&fx)
        .into_iter()
        .find(|(_, k)| matches!(k, RequestKind::ListConversations { .. }))
        .map(|(id, _)| id)
        .expect("showing the pane re-reads the list");
    a.update(Msg::Api(ApiEvent::ConversationsListed { id, items: rows }));
    assert_eq!(a.pane, Pane::History);
}

fn ctrl_alt_or_pane(n: u8) -> Msg {
    with(KeyCode::Char(char::from(b'0' + n)), KeyModifiers::ALT)
}

/// Sends a prompt from the chat; the stream request's context.
fn send(a: &mut App, text: &str) -> (usize, Option<i64>) {
    a.update(ctrl_alt_or_pane(4));
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    let reqs = requests(&fx);
    let (_, RequestKind::StreamChat { request, save, .. }) = reqs[0] else {
        panic!("{fx:?}")
    };
    (
        request.messages.len(),
        save.as_ref().and_then(|s| s.conversation),
    )
}

#[test]
fn deleting_the_open_conversation_in_the_history_pane_clears_the_chat() {
    let mut a = app();
    resumed(&mut a, 7);
    listed(&mut a, vec![row(7, "Packing"), row(3, "Other")]);
    a.update(key(KeyCode::Delete));
    let screen = render(&a);
    assert!(
        screen.contains("It is open in the chat, which is cleared too. y / n"),
        "it asks first, and says so:\n{screen}"
    );
    let fx = a.update(key(KeyCode::Char('y')));
    assert!(
        requests(&fx)
            .iter()
            .any(|(_, k)| matches!(k, RequestKind::DeleteConversation { id: 7 })),
        "{fx:?}"
    );
    assert!(a.chat.turns.is_empty(), "nothing of it stays on screen");
    assert_eq!(a.chat.conversation, None);
    let (sent, into) = send(&mut a, "fresh start");
    assert_eq!(sent, 1, "no deleted turn goes as context");
    assert_eq!(into, None, "a new conversation");
}

#[test]
fn a_conversation_deleted_elsewhere_leaves_the_chat_when_noticed() {
    let mut a = app();
    resumed(&mut a, 7);
    // The database watcher saw another process write: the list and the open conversation
    // are checked.
    let fx = a.update(Msg::Api(ApiEvent::HistoryChangedElsewhere));
    let kinds = requests(&fx);
    assert!(
        kinds
            .iter()
            .any(|(_, k)| matches!(k, RequestKind::ListConversations { .. }))
    );
    let (check, _) = kinds
        .iter()
        .find(|(_, k)| matches!(k, RequestKind::CheckConversation { id: 7 }))
        .copied()
        .expect("the open conversation is checked");
    a.update(Msg::Api(ApiEvent::ConversationDeleted {
        id: check,
        conversation: 7,
    }));
    assert!(a.chat.turns.is_empty());
    assert!(
        a.chat.notice.as_deref().unwrap_or("").contains("deleted"),
        "{:?}",
        a.chat.notice
    );
    let (sent, into) = send(&mut a, "next");
    assert_eq!((sent, into), (1, None));
}

#[test]
fn a_prompt_refused_because_its_conversation_is_gone_comes_back_to_the_composer() {
    let mut a = app();
    resumed(&mut a, 7);
    let fx = {
        a.update(ctrl_alt_or_pane(4));
        typed(&mut a, "my careful prompt");
        a.update(key(KeyCode::Enter))
    };
    let (id, _) = requests(&fx)[0];
    // What the worker answers when the conversation was deleted before the prompt was saved.
    a.update(Msg::Api(ApiEvent::ChatFailed {
        id,
        error: oat::worker::ChatError::ConversationGone(7),
        partial: serde_json::Value::Null,
    }));
    a.update(Msg::Api(ApiEvent::ConversationDeleted {
        id,
        conversation: 7,
    }));
    assert!(a.chat.turns.is_empty());
    assert_eq!(a.composer.text(), "my careful prompt");
}

#[test]
fn the_history_list_keeps_its_selection_when_others_arrive_above() {
    let mut a = app();
    listed(&mut a, vec![row(2, "two"), row(1, "one")]);
    a.update(key(KeyCode::Down));
    assert_eq!(a.history.selected_item().unwrap().id, 1);
    let fx = a.update(Msg::Api(ApiEvent::HistoryChangedElsewhere));
    let (id, _) = requests(&fx)[0];
    a.update(Msg::Api(ApiEvent::ConversationsListed {
        id,
        items: vec![
            row(3, "three, saved by `oat ask --save`"),
            row(2, "two"),
            row(1, "one"),
        ],
    }));
    assert_eq!(a.history.items.len(), 3);
    assert_eq!(a.history.selected_item().unwrap().id, 1);
}

fn finished(a: &mut App, id: oat::worker::RequestId, output_tokens: u64) {
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({
            "content": [{"type": "text", "text": "ok"}],
            "usage": {"input_tokens": 1000, "output_tokens": output_tokens},
            "stop_reason": "end_turn"
        }),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }));
}

#[test]
fn the_chat_header_names_the_branchs_cost_and_every_replys_when_they_differ() {
    let mut a = app();
    typed(&mut a, "price me");
    let fx = a.update(key(KeyCode::Enter));
    finished(&mut a, requests(&fx)[0].0, 1000);
    let spent = |a: &App| match a.chat.turns[0].spend {
        Some(oat::tui::state::chat::Spend::Money(Some(c))) => c,
        ref other => panic!("{other:?}"),
    };
    let first = spent(&a);
    let header = render(&a);
    assert!(
        header.contains(&format!("· {first} ")) && !header.contains("all replies"),
        "one branch, one figure:\n{header}"
    );
    let fx = a.update(ctrl('r'));
    let (id, kind) = requests(&fx)[0];
    assert!(matches!(kind, RequestKind::StreamChat { .. }), "{fx:?}");
    finished(&mut a, id, 2000);
    assert_eq!(
        a.chat.turns.len(),
        1,
        "the regenerated reply replaced it on screen"
    );
    let second = spent(&a);
    let screen = render(&a);
    assert!(
        screen.contains(&format!(
            "this branch {second} · all replies {}",
            first + second
        )),
        "both, named:\n{screen}"
    );
}

#[test]
fn deleting_the_open_conversation_while_a_reply_streams_stops_it_and_clears_the_chat() {
    let mut a = app();
    resumed(&mut a, 7);
    a.update(ctrl_alt_or_pane(4));
    typed(&mut a, "long question");
    let fx = a.update(key(KeyCode::Enter));
    let (stream, _) = requests(&fx)[0];
    listed(&mut a, vec![row(7, "Packing")]);
    a.update(key(KeyCode::Delete));
    let fx = a.update(key(KeyCode::Char('y')));
    let asked: Vec<String> = requests(&fx)
        .iter()
        .map(|(_, k)| format!("{k:?}"))
        .collect();
    assert_eq!(
        asked,
        [
            "DeleteConversation { id: 7 }".to_string(),
            format!("Cancel {{ target: {stream} }}")
        ]
    );
    assert!(!a.chat.in_flight());
    assert!(a.chat.turns.is_empty());
}
