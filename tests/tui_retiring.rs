//! The app warns of a retiring chat model once per conversation and model, as a pure
//! update with today passed in (`App::now`): on `/model`, on the Models pane's Enter, on
//! opening a conversation that uses it, and at the first prompt of a conversation that
//! starts with it; never on every turn, and not before the 30 days.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod tui_common;

use crossterm::event::KeyCode;
use oat::tui::app::{App, Msg, Pane};
use oat::tui::notice::Level;
use oat::worker::RequestKind;
use tui_common::*;

/// Twenty days before Opus 4.5 retires (2027-01-22 in the shipped list).
const NEAR: &str = "2027-01-02T09:00:00Z";
/// The day the shipped list was taken: 51 days before.
const FAR: &str = "2026-12-02T09:00:00Z";

const OPUS_WARNING: &str = "claude-opus-4-5 retires on 2027-01-22 (20 days from now); switch \
    to claude-opus-5-5, the newest opus model (/model switches)";

fn app_at(model: &str, now: &str) -> App {
    let mut a = app_with(model);
    a.now = now.parse().unwrap();
    a.models.models = oat::api::models::fallback().data;
    a
}

fn say(a: &mut App, text: &str) -> Vec<oat::tui::app::Effect> {
    typed(a, text);
    a.update(key(KeyCode::Enter))
}

fn notice(a: &App) -> (Level, String) {
    let n = a
        .chat
        .notice
        .as_ref()
        .expect("a notice under the conversation");
    (n.level, n.text.clone())
}

/// Sends a prompt (Esc afterwards stops its reply, so the next can be sent).
fn send(a: &mut App, prompt: &str) {
    let fx = say(a, prompt);
    assert!(
        requests(&fx)
            .iter()
            .any(|(_, k)| matches!(k, RequestKind::StreamChat { .. })),
        "{prompt} was sent"
    );
}

#[test]
fn model_switches_warn_once_per_conversation() {
    let mut a = app_at("claude-sonnet-5-5", NEAR);
    say(&mut a, "/model claude-opus-4-5");
    assert_eq!(a.chat.model, "claude-opus-4-5");
    assert_eq!(notice(&a), (Level::Warning, OPUS_WARNING.to_string()));
    // Away and back again: the conversation has heard it.
    a.update(key(KeyCode::Esc));
    say(&mut a, "/model claude-sonnet-5-5");
    say(&mut a, "/model claude-opus-4-5");
    assert_eq!(notice(&a), (Level::Info, "model: claude-opus-4-5".into()));
    // Nor on the turns that follow.
    send(&mut a, "Hello");
    assert_ne!(
        a.chat.notice.as_ref().map(|n| n.level),
        Some(Level::Warning)
    );
    // A new conversation hears it once more, at its first prompt.
    a.update(key(KeyCode::Esc));
    say(&mut a, "/new");
    send(&mut a, "Again");
    assert_eq!(notice(&a), (Level::Warning, OPUS_WARNING.to_string()));
}

#[test]
fn not_before_thirty_days_and_a_retired_model_always() {
    let mut a = app_at("claude-sonnet-5-5", FAR);
    say(&mut a, "/model claude-opus-4-5");
    assert_eq!(notice(&a), (Level::Info, "model: claude-opus-4-5".into()));
    // The Models pane's Enter counts as choosing, and retired is retired whatever the day.
    a.update(key(KeyCode::Esc));
    a.pane = Pane::Models;
    typed(&mut a, "sonnet-4-5");
    a.update(key(KeyCode::Enter));
    assert_eq!(a.chat.model, "claude-sonnet-4-5");
    assert_eq!(a.pane, Pane::Chat);
    assert_eq!(
        notice(&a),
        (
            Level::Warning,
            "claude-sonnet-4-5 is retired: requests to it fail; switch to claude-sonnet-5-5, \
             the newest sonnet model (/model switches)"
                .into()
        )
    );
    assert!(a.notice.as_deref().unwrap().starts_with("Chat model: "));
    // An unknown id changes nothing and warns of nothing.
    a.update(key(KeyCode::Esc));
    say(&mut a, "/model claude-nothing-9");
    assert_eq!(notice(&a).0, Level::Error);
}

#[test]
fn a_conversation_started_with_a_retiring_model_hears_it_at_its_first_prompt() {
    let mut a = app_at("claude-opus-4-5", NEAR);
    assert!(a.chat.notice.is_none(), "nothing before anything is done");
    send(&mut a, "Hello");
    assert_eq!(notice(&a), (Level::Warning, OPUS_WARNING.to_string()));
    a.update(key(KeyCode::Esc));
    send(&mut a, "Hello again");
    assert_ne!(
        a.chat.notice.as_ref().map(|n| n.level),
        Some(Level::Warning)
    );
}

#[test]
fn opening_a_conversation_on_a_retiring_model_warns_beside_the_resume() {
    let mut a = app_at("claude-sonnet-5-5", NEAR);
    let at = "2026-10-01T00:00:00Z".parse().unwrap();
    let conversation = oat::history::Conversation {
        id: 7,
        title: "Old talk".into(),
        model: "claude-opus-4-5".into(),
        system: None,
        settings: serde_json::json!({}),
        created: at,
        updated: at,
        leaf: None,
    };
    opened(&mut a, conversation, Vec::new());
    assert_eq!(
        notice(&a),
        (
            Level::Warning,
            format!("Resumed “Old talk”: new prompts continue it. {OPUS_WARNING}")
        )
    );
    a.update(key(KeyCode::Esc));
    send(&mut a, "Where were we?");
    assert_ne!(
        a.chat.notice.as_ref().map(|n| n.level),
        Some(Level::Warning),
        "once per conversation"
    );
}

/// The warning is read whole under the conversation on a small screen too.
#[test]
fn the_warning_fits_a_small_screen() {
    for (w, h) in [(60, 20), (80, 24)] {
        let mut a = app_at("claude-sonnet-5-5", NEAR);
        say(&mut a, "/model claude-opus-4-5");
        a.update(Msg::Resize(w, h));
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
        t.draw(|f| oat::tui::view::draw(f, &a)).unwrap();
        let screen = t.backend().to_string();
        let flat: String = screen
            .lines()
            .map(|l| l.trim_matches('"').trim_end())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            flat.contains("claude-opus-4-5 retires on 2027-01-22 (20 days from now);")
                && flat.contains("the newest opus model (/model switches)"),
            "{w}×{h}:\n{screen}"
        );
    }
}
