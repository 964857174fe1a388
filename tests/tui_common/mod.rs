//! What the app's update tests share: an app at 120×40, key messages, typing, and the
//! requests among a list of effects.
// Each test binary uses its own part of these.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use oat::tui::app::{App, Effect, Msg};
use oat::worker::{RequestId, RequestKind};

/// The app on the Chat pane (no first run, the terms note seen) with `model`, at 120×40.
pub fn app_with(model: &str) -> App {
    let mut a = App::new(model.into(), "2023-06-01".into(), false, true);
    a.update(Msg::Resize(120, 40));
    a
}

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn with(code: KeyCode, m: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, m))
}

pub fn ctrl(c: char) -> Msg {
    with(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// Types `text` key by key, as a person does (a paste is `Msg::Paste`).
pub fn typed(a: &mut App, text: &str) {
    for c in text.chars() {
        a.update(key(KeyCode::Char(c)));
    }
}

pub fn requests(fx: &[Effect]) -> Vec<(RequestId, &RequestKind)> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Request(r) => Some((r.id, &r.kind)),
            _ => None,
        })
        .collect()
}

/// Times of day and dates, which follow the machine's time zone, as `hh:mm` and
/// `yyyy-mm-dd`: the snapshots hold anywhere without touching the environment.
pub fn mask_clock(s: &str) -> String {
    let c: Vec<char> = s.chars().collect();
    let d = |i: usize| c.get(i).is_some_and(char::is_ascii_digit);
    let mut out = String::new();
    let mut i = 0;
    while i < c.len() {
        if d(i) && d(i + 1) && c.get(i + 2) == Some(&':') && d(i + 3) && d(i + 4) {
            out.push_str("hh:mm");
            i += 5;
        } else if (0..4).all(|k| d(i + k)) && c.get(i + 4) == Some(&'-') && d(i + 5) {
            out.push_str("yyyy-mm-dd");
            i += 10;
        } else if d(i) && d(i + 1) && c.get(i + 2) == Some(&'-') && d(i + 3) && d(i + 4) {
            out.push_str("mm-dd");
            i += 5;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// A listed key as the worker reports it (added on a fixed day, so snapshots hold).
pub fn key_view(
    name: &str,
    kind: oat::credentials::CredentialKind,
    backend: oat::config::Backend,
    masked: &str,
) -> oat::worker::KeyView {
    oat::worker::KeyView {
        entry: oat::credentials::keys::KeyEntry {
            meta: oat::config::KeyMeta {
                name: name.into(),
                kind,
                backend,
                added: "2026-03-01T09:00:00Z".parse().expect("a date"),
                created: None,
                label: None,
                base_url: None,
                model: None,
                // No time on screen: the snapshots hold in any time zone.
                last_validation: None,
            },
            active: false,
        },
        masked: masked.into(),
    }
}

/// Conversation `conversation` opened in the chat, as the History pane asks for it and the
/// worker answers.
pub fn opened(
    a: &mut App,
    conversation: oat::history::Conversation,
    messages: Vec<oat::history::StoredMessage>,
) -> Vec<Effect> {
    let (id, _) = a.open_conversation(conversation.id);
    a.update(Msg::Api(oat::worker::ApiEvent::ConversationOpened {
        id,
        conversation: Box::new(conversation),
        messages,
    }))
}
