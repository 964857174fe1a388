//! The add-key form at 80 columns: a refusal longer than a row is wrapped whole, not cut,
//! and the cursor still sits on the field being typed into.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use crossterm::event::{KeyCode, KeyEvent};
use oat::tui::app::{App, Msg, Pane};
use oat::worker::ApiEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// What the worker says when the API refuses a key being added (`worker/keys.rs`).
const REFUSAL: &str = "not stored: authentication failed (401): invalid x-api-key — The API key \
    is invalid, disabled or deleted. Create a new one at \
    https://console.anthropic.com/settings/keys and add it with `oat key add`.";

#[test]
fn a_long_refusal_is_wrapped_whole_in_the_add_form_at_80_columns() {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    a.pane = Pane::Keys;
    a.keys.load = oat::tui::state::load::Load::Ready;
    a.update(Msg::Key(KeyEvent::from(KeyCode::Char('a'))));
    a.update(Msg::Paste("sk-ant-api03-PASTEDkeyAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAzz".into()));
    a.update(Msg::Api(ApiEvent::KeyChangeFailed {
        id: 0,
        error: REFUSAL.into(),
    }));
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, &a)).unwrap();
    let screen = t.backend().to_string();
    // The Keys pane's own copy of the refusal ends on screen (the status bar has another).
    let rows: Vec<&str> = screen.lines().collect();
    let body = rows[..rows.len() - 1].join("\n");
    for tail in ["add it with `oat key add`.", "cancels"] {
        assert!(body.contains(tail), "{tail:?} cut off:\n{screen}");
    }
    let cursor = t.get_cursor_position().unwrap();
    assert!(
        rows[usize::from(cursor.y)].contains("› Secret: sk-ant-api03-"),
        "{cursor:?}\n{screen}"
    );
}
