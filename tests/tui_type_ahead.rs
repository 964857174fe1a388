//! `App::update` around the end of a reply: a prompt typed ahead while the reply streams
//! (queued, sent after, back in the composer when the reply fails or is stopped), and the
//! bell or notification when the reply ends while nobody watches it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};
use oat::config::Notify;
use oat::tui::app::{App, Effect, Msg, Notification, Pane};
use oat::worker::{ApiEvent, ChatError, RequestId, RequestKind};
use serde_json::json;
use tui_common::*;

fn app() -> App {
    app_with("claude-sonnet-5-5")
}

/// Types `text` and presses Enter: the id of the reply it started, if it started one.
fn send(a: &mut App, text: &str) -> Option<RequestId> {
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    stream_started(&fx)
}

fn stream_started(fx: &[Effect]) -> Option<RequestId> {
    requests(fx)
        .iter()
        .find(|(_, k)| matches!(k, RequestKind::StreamChat { .. }))
        .map(|(id, _)| *id)
}

fn sent_prompt(fx: &[Effect]) -> String {
    let Some((_, RequestKind::StreamChat { save, .. })) = requests(fx)
        .into_iter()
        .find(|(_, k)| matches!(k, RequestKind::StreamChat { .. }))
    else {
        panic!("nothing sent: {fx:?}")
    };
    save.as_ref().unwrap().prompt.clone()
}

fn finished(a: &mut App, id: RequestId) -> Vec<Effect> {
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":"ok"}],"stop_reason":"end_turn"}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }))
}

fn failed(a: &mut App, id: RequestId) -> Vec<Effect> {
    a.update(Msg::Api(ApiEvent::ChatFailed {
        id,
        error: ChatError::Internal("lost".into()),
        partial: json!({"content":[]}),
    }))
}

fn notifications(fx: &[Effect]) -> Vec<&Notification> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Notify(n) => Some(n),
            _ => None,
        })
        .collect()
}

#[test]
fn a_prompt_typed_while_a_reply_streams_goes_out_when_it_ends() {
    let mut a = app();
    let first = send(&mut a, "First").unwrap();
    assert_eq!(send(&mut a, "Second"), None, "queued, not sent");
    assert_eq!(a.chat.queued.as_ref().unwrap().prompt, "Second");
    assert!(a.composer.is_empty());
    // Writing on meanwhile: the draft stays where it is when the queued prompt goes.
    typed(&mut a, "Third, still a draft");
    let fx = finished(&mut a, first);
    assert_eq!(sent_prompt(&fx), "Second");
    assert!(a.chat.queued.is_none());
    assert_eq!(a.composer.text(), "Third, still a draft");
    assert_eq!(a.chat.turns.len(), 2);
    assert!(a.chat.in_flight());
}

#[test]
fn one_prompt_waits_at_a_time_and_up_takes_it_back_to_edit() {
    let mut a = app();
    send(&mut a, "First").unwrap();
    send(&mut a, "Second");
    assert_eq!(send(&mut a, "Third"), None);
    assert_eq!(
        a.composer.text(),
        "Third",
        "a second one stays in the composer"
    );
    assert_eq!(a.chat.queued.as_ref().unwrap().prompt, "Second");
    a.composer.take();
    a.update(key(KeyCode::Up));
    assert_eq!(a.composer.text(), "Second", "back to edit");
    assert!(a.chat.queued.is_none());
}

#[test]
fn a_failed_or_stopped_reply_puts_the_queued_prompt_back() {
    let mut a = app();
    let id = send(&mut a, "First").unwrap();
    send(&mut a, "Second");
    let fx = failed(&mut a, id);
    assert_eq!(stream_started(&fx), None, "not sent after a failure");
    assert_eq!(a.composer.text(), "Second");
    assert!(a.chat.queued.is_none());

    a.composer.take();
    let id = send(&mut a, "Again").unwrap();
    send(&mut a, "Queued");
    typed(&mut a, "draft");
    let fx = a.update(key(KeyCode::Esc));
    assert!(
        requests(&fx)
            .iter()
            .any(|(_, k)| matches!(k, RequestKind::Cancel { target } if *target == id))
    );
    assert_eq!(
        a.composer.text(),
        "Queued\n\ndraft",
        "the queued prompt first, then what was being written: nothing lost"
    );
}

#[test]
fn a_reply_that_ends_unwatched_rings_and_one_watched_does_not() {
    let mut a = app();
    let id = send(&mut a, "Watched").unwrap();
    assert!(notifications(&finished(&mut a, id)).is_empty());

    // The terminal lost the focus (the person switched windows).
    let id = send(&mut a, "Tell me   when\ndone").unwrap();
    a.update(Msg::Focus(false));
    let fx = finished(&mut a, id);
    assert_eq!(
        notifications(&fx),
        [&Notification {
            body: "oat: Claude's reply is ready — “Tell me when done”".into(),
            desktop: true,
        }]
    );

    // Focused, but on another pane: a failure is told too.
    a.update(Msg::Focus(true));
    let id = send(&mut a, "Third").unwrap();
    a.update(with(KeyCode::Char('3'), KeyModifiers::ALT));
    assert_eq!(a.pane, Pane::Models);
    let fx = failed(&mut a, id);
    assert_eq!(
        notifications(&fx)[0].body,
        "oat: The reply failed — “Third”"
    );

    // `notify = "bell"`: no desktop notification; `off`: nothing.
    a.update(with(KeyCode::Char('4'), KeyModifiers::ALT));
    a.notify = Notify::Bell;
    a.update(Msg::Focus(false));
    let id = send(&mut a, "Fourth").unwrap();
    assert!(!notifications(&finished(&mut a, id))[0].desktop);
    a.notify = Notify::Off;
    let id = send(&mut a, "Fifth").unwrap();
    assert!(notifications(&finished(&mut a, id)).is_empty());
}

#[test]
fn stopping_a_reply_yourself_rings_nothing() {
    let mut a = app();
    send(&mut a, "First").unwrap();
    a.update(Msg::Focus(false));
    let fx = a.update(key(KeyCode::Esc));
    assert!(notifications(&fx).is_empty());
}
