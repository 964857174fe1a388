//! `App::update` with conversations in tabs: each streams in the background into its own
//! tab, keeps its own draft and settings, says how it ended in the tab bar, asks before a
//! streaming tab closes or the app quits, and a conversation resumed from History opens
//! in a tab (or comes to the one showing it).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::{KeyCode, KeyModifiers};
use oat::api::Delta;
use oat::tui::app::{App, Effect, Msg};
use oat::tui::state::tabs::Marker;
use oat::worker::{ApiEvent, RequestId, RequestKind};
use serde_json::json;
use tui_common::*;

fn app() -> App {
    app_with("claude-sonnet-5-5")
}

fn send(a: &mut App, text: &str) -> RequestId {
    typed(a, text);
    let fx = a.update(key(KeyCode::Enter));
    requests(&fx)
        .iter()
        .find(|(_, k)| matches!(k, RequestKind::StreamChat { .. }))
        .map(|(id, _)| *id)
        .unwrap_or_else(|| panic!("{text} was not sent: {fx:?}"))
}

fn delta(a: &mut App, id: RequestId, text: &str) {
    a.update(Msg::Api(ApiEvent::ChatDelta {
        id,
        delta: Delta::TextDelta { text: text.into() },
    }));
}

fn finished(a: &mut App, id: RequestId) -> Vec<Effect> {
    a.update(Msg::Api(ApiEvent::ChatFinished {
        id,
        message: json!({"content":[{"type":"text","text":"done"}],"stop_reason":"end_turn"}),
        first_token: None,
        paid_by: oat::credentials::CredentialKind::ApiKey,
        utilization: None,
    }))
}

fn screen(a: &App, w: u16, h: u16) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, a)).unwrap();
    t.backend().to_string()
}

fn marker(a: &App, i: usize) -> Marker {
    let t = &a.tabs.list[i];
    Marker::of(&t.chat, t.unread)
}

#[test]
fn replies_stream_on_in_their_own_tabs_and_drafts_stay_put() {
    let mut a = app();
    let first = send(&mut a, "About Paris");
    delta(&mut a, first, "Paris is ");
    // A second conversation while the first streams.
    a.update(ctrl('n'));
    assert_eq!((a.tabs.len(), a.tabs.current), (2, 1));
    assert!(a.chat.turns.is_empty(), "a fresh conversation");
    let second = send(&mut a, "About Rome");
    // The first reply goes on in its tab, not on screen: nothing to draw for it.
    delta(&mut a, first, "in France.");
    assert!(a.quiet, "a delta for a tab not on screen owes no frame");
    delta(&mut a, second, "Rome is in Italy.");
    assert!(!a.quiet, "the tab on screen grew");
    assert_eq!(a.chat.turns[0].text, "Rome is in Italy.");
    assert_eq!(marker(&a, 0), Marker::Streaming);
    // It ends while elsewhere: finished, unread, and told (nobody watched it).
    let fx = finished(&mut a, first);
    assert!(
        fx.iter().any(|e| matches!(e, Effect::Notify(_))),
        "a reply ending in a tab not on screen is told: {fx:?}"
    );
    assert_eq!(marker(&a, 0), Marker::Unread);
    assert!(!a.quiet, "its marker changed: the bar is drawn again");
    // A draft here stays here.
    typed(&mut a, "half a thought");
    a.update(key(KeyCode::F(2)));
    assert_eq!(a.tabs.current, 0);
    assert_eq!(a.chat.turns[0].text, "Paris is in France.");
    assert!(a.composer.is_empty());
    assert!(!a.tabs.list[0].unread, "seen now");
    a.update(with(KeyCode::Right, KeyModifiers::ALT));
    assert_eq!(a.composer.text(), "half a thought");
    assert!(a.chat.in_flight(), "switching never stops a reply");
}

#[test]
fn the_tab_bar_names_each_tab_at_60_columns() {
    let mut a = app();
    send(
        &mut a,
        "A long first prompt about packing for a trip to the mountains",
    );
    a.update(ctrl('n'));
    let id = send(&mut a, "Second");
    a.update(Msg::Api(ApiEvent::ChatFailed {
        id,
        error: oat::worker::ChatError::Internal("lost".into()),
        partial: json!({"content":[]}),
    }));
    a.update(ctrl('n'));
    let s = screen(&a, 60, 20);
    let bar = s.lines().nth(1).unwrap();
    assert!(
        bar.contains("1 ● A long") && bar.contains("2 ! Second") && bar.contains("3 new"),
        "{s}"
    );
    let one = screen(&app(), 60, 20);
    assert!(
        !one.lines().nth(1).unwrap().contains("1 new"),
        "no bar with one tab: {one}"
    );
}

#[test]
fn closing_a_streaming_tab_or_quitting_asks_first() {
    let mut a = app();
    send(&mut a, "One");
    a.update(ctrl('n'));
    let two = send(&mut a, "Two");
    typed(&mut a, "/close");
    assert!(a.update(key(KeyCode::Enter)).is_empty());
    assert!(a.tabs.confirm_close);
    a.update(key(KeyCode::Char('n')));
    assert_eq!(a.tabs.len(), 2, "kept");
    typed(&mut a, "/close");
    a.update(key(KeyCode::Enter));
    let fx = a.update(key(KeyCode::Char('y')));
    assert!(
        requests(&fx)
            .iter()
            .any(|(_, k)| matches!(k, RequestKind::Cancel { target } if *target == two)),
        "its reply stops (what arrived is saved as stopped): {fx:?}"
    );
    assert_eq!((a.tabs.len(), a.tabs.current), (1, 0));
    assert_eq!(a.chat.turns[0].prompt, "One");

    // Quit with a reply streaming (here, or in a tab not on screen): asked.
    a.update(ctrl('n'));
    a.update(with(KeyCode::Char('2'), KeyModifiers::ALT));
    assert!(a.update(key(KeyCode::Char('q'))).is_empty());
    assert!(
        a.notice
            .as_ref()
            .unwrap()
            .text
            .contains("A reply is still streaming")
    );
    assert!(
        a.update(key(KeyCode::Char('x'))).is_empty(),
        "any other key stays"
    );
    a.update(key(KeyCode::Char('q')));
    assert_eq!(a.update(key(KeyCode::Char('y'))), vec![Effect::Quit]);
}

#[test]
fn history_opens_a_conversation_in_a_tab_or_goes_to_the_one_showing_it() {
    let mut a = app();
    send(&mut a, "Busy here");
    let at = "2026-11-01T00:00:00Z".parse().unwrap();
    let conversation = |id: i64, title: &str| oat::history::Conversation {
        id,
        title: title.into(),
        model: "claude-sonnet-5-5".into(),
        system: None,
        settings: json!({}),
        created: at,
        updated: at,
        leaf: None,
    };
    opened(&mut a, conversation(4, "Old trip"), Vec::new());
    assert_eq!((a.tabs.len(), a.tabs.current), (2, 1), "a tab of its own");
    assert_eq!(a.chat.conversation, Some(4));
    assert!(a.tabs.list[0].chat.in_flight(), "the busy one streams on");
    // Asked again while another tab is on screen: that tab comes back, nothing is read.
    a.update(key(KeyCode::F(3)));
    assert_eq!(a.tabs.current, 0);
    let fx = a.open_in_tab(4);
    assert!(fx.is_empty(), "{fx:?}");
    assert_eq!(a.tabs.current, 1);
}
