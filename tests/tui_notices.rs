//! Notices as pure updates: information goes at the next key or when the loop says it has
//! been shown long enough; warnings and errors stay until replaced or Esc; nothing stale
//! survives `/new`, `/model` or a resume.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::KeyCode;
use oat::tui::app::{App, Msg};
use oat::tui::notice::{Level, Notice};
use tui_common::*;

fn app() -> App {
    app_with("claude-sonnet-5-5")
}

#[test]
fn information_fades_at_the_next_key_or_when_its_time_is_up() {
    let mut a = app();
    typed(&mut a, "/web on");
    a.update(key(KeyCode::Enter));
    let n = a.chat.notice.clone().unwrap();
    assert_eq!(n.level, Level::Info);
    assert_eq!(a.fading(), Some(n.id), "the loop times the newest");
    typed(&mut a, "h");
    assert!(a.chat.notice.is_none(), "the next key is the next action");
    a.composer.take();

    typed(&mut a, "/web off");
    a.update(key(KeyCode::Enter));
    let old = a.chat.notice.clone().unwrap();
    a.set_notice(Notice::info("newer, in the status line"));
    a.update(Msg::NoticeFaded(old.id));
    assert!(a.chat.notice.is_none(), "its time was up");
    assert!(a.notice.is_some(), "a newer one keeps its own time");
    let newer = a.fading().unwrap();
    a.update(Msg::NoticeFaded(newer));
    assert!(a.notice.is_none() && a.fading().is_none());
}

#[test]
fn errors_stay_until_esc_or_replaced() {
    let mut a = app();
    typed(&mut a, "/frobnicate");
    a.update(key(KeyCode::Enter));
    let n = a.chat.notice.clone().unwrap();
    assert_eq!(n.level, Level::Error);
    assert!(n.contains("type / to see the commands"), "{n}");
    assert_eq!(a.fading(), None, "nothing to time");
    a.update(Msg::NoticeFaded(n.id));
    a.update(key(KeyCode::Home));
    assert_eq!(a.chat.notice.as_ref(), Some(&n), "keys and time leave it");
    a.update(key(KeyCode::Esc));
    assert!(a.chat.notice.is_none(), "Esc acknowledges it");
}

#[test]
fn nothing_stale_survives_new_model_or_a_resume() {
    let mut a = app();
    a.set_notice(Notice::error("History unavailable: locked"));
    a.chat.notice = Some(Notice::warning(
        "The reply stopped at the max-tokens limit.",
    ));
    typed(&mut a, "/new");
    a.update(key(KeyCode::Enter));
    assert!(a.notice.is_none());
    assert_eq!(a.chat.notice.as_deref(), Some("New conversation."));

    a.set_notice(Notice::error("something failed"));
    a.chat.notice = Some(Notice::error("Not sent: too big"));
    a.models.models = vec![
        serde_json::from_value(serde_json::json!({
            "id": "claude-opus-5", "type": "model", "display_name": "Opus",
            "created_at": "2026-01-01T00:00:00Z"
        }))
        .unwrap(),
    ];
    typed(&mut a, "/model claude-opus-5");
    a.update(key(KeyCode::Enter));
    assert!(a.notice.is_none());
    assert_eq!(a.chat.notice.as_deref(), Some("model: claude-opus-5"));

    a.set_notice(Notice::error("something failed"));
    a.chat.notice = Some(Notice::error("Not sent: too big"));
    let at = "2026-01-01T00:00:00Z".parse().unwrap();
    let conversation = oat::history::Conversation {
        id: 7,
        title: "Old talk".into(),
        model: "claude-opus-5".into(),
        system: None,
        settings: serde_json::json!({}),
        created: at,
        updated: at,
        leaf: None,
    };
    tui_common::opened(&mut a, conversation, Vec::new());
    assert!(a.notice.is_none());
    assert!(
        a.chat
            .notice
            .as_deref()
            .unwrap()
            .starts_with("Resumed “Old talk”")
    );
}
