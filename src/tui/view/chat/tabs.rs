//! The tab bar above the chat when more than one conversation is open: each tab's number,
//! a marker (streaming, finished unread, failed, declined) and its first prompt, the one
//! on screen highlighted. Names give way first, so every tab's number stays at 60 columns.

use ratatui::text::{Line, Span};

use crate::tui::app::App;
use crate::tui::state::tabs::Marker;
use crate::tui::view::text::{ellipsize, width};

fn marker(m: Marker) -> &'static str {
    match m {
        Marker::Streaming => "● ",
        Marker::Unread => "✓ ",
        Marker::Failed => "! ",
        Marker::Declined => "⊘ ",
        Marker::Quiet => "",
    }
}

pub(super) fn bar(app: &App, cols: u16) -> Line<'static> {
    let theme = app.theme;
    let n = app.tabs.len();
    // " │ " between tabs; what is left shared out, but never below the number.
    let room = usize::from(cols).saturating_sub(3 * n.saturating_sub(1)) / n.max(1);
    let mut spans = Vec::new();
    for (i, tab) in app.tabs.list.iter().enumerate() {
        let on_screen = i == app.tabs.current;
        let (chat, unread) = if on_screen {
            (&app.chat, false)
        } else {
            (&tab.chat, tab.unread)
        };
        let m = Marker::of(chat, unread);
        let name = chat
            .turns
            .first()
            .and_then(|t| t.prompt.lines().next())
            .unwrap_or("new")
            .to_string();
        let head = format!("{} {}", i + 1, marker(m));
        let label = format!(
            "{head}{}",
            ellipsize(&name, room.saturating_sub(width(&head)).max(1))
        );
        let style = match (on_screen, m) {
            (true, _) => theme.selected(),
            (false, Marker::Failed) => theme.error(),
            (false, Marker::Unread | Marker::Streaming) => theme.accent(),
            (false, _) => theme.dim(),
        };
        if i > 0 {
            spans.push(Span::styled(" │ ", theme.dim()));
        }
        spans.push(Span::styled(ellipsize(&label, room.max(2)), style));
    }
    Line::from(spans)
}
