//! A history database oat cannot read, as the app shows it: the History pane says so
//! once (not also "No conversations yet", not again in the status bar), and the chat says
//! that turns are not being saved for as long as that lasts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

use oat::tui::app::{App, Msg, Pane};
use oat::worker::ApiEvent;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(app: &App, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| oat::tui::view::draw(f, app)).unwrap();
    t.backend().to_string()
}

/// The worker's words for a file that is not a database (`HistoryError::Corrupt`).
const BROKEN: &str = "/home/ada/.local/share/oat/history.db is not a usable history database \
    (file is not a database); run `oat history reset` to keep it aside as \
    /home/ada/.local/share/oat/history.db.corrupt and start a fresh one";

#[test]
fn a_broken_history_is_said_once_in_its_pane_and_the_chat_says_turns_are_not_saved() {
    let mut a = App::new("claude-sonnet-5-5".into(), "2023-06-01".into(), false, true);
    a.pane = Pane::History;
    a.update(Msg::Api(ApiEvent::HistoryFailed {
        id: 0,
        error: BROKEN.into(),
    }));
    let screen = render(&a, 80, 24);
    assert_eq!(
        screen.matches("History unavailable").count(),
        1,
        "said once:\n{screen}"
    );
    assert!(
        !screen.contains("No conversations yet"),
        "not also empty:\n{screen}"
    );
    // Wrapped whole: the advice at its end is on screen.
    assert!(screen.contains("oat history reset"), "{screen}");

    a.pane = Pane::Chat;
    let screen = render(&a, 80, 24);
    assert!(screen.contains("Turns are not being saved"), "{screen}");

    // Once a prompt is saved again, the chat stops saying so.
    a.update(Msg::Api(ApiEvent::ConversationSaved {
        id: 1,
        conversation: 1,
        prompt: 1,
    }));
    let screen = render(&a, 80, 24);
    assert!(!screen.contains("not being saved"), "{screen}");
}
