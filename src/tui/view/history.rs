//! The History pane: the search box, saved conversations newest first (or the matches,
//! with the matching words highlighted), and the delete confirmation.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, List, ListItem, Paragraph, Wrap};

use crate::tui::app::App;
use crate::tui::theme::Theme;

/// Splits a search snippet on its `[match]` marks into plain and highlighted spans.
fn snippet_spans(snippet: &str, theme: Theme) -> Vec<Span<'static>> {
    let mut out = vec![Span::styled("    ", theme.dim())];
    let mut rest = snippet.replace('\n', " ");
    while let Some(start) = rest.find('[') {
        let Some(end) = rest[start..].find(']').map(|e| start + e) else {
            break;
        };
        out.push(Span::styled(rest[..start].to_string(), theme.dim()));
        out.push(Span::styled(rest[start + 1..end].to_string(), theme.warn()));
        rest = rest[end + 1..].to_string();
    }
    out.push(Span::styled(rest, theme.dim()));
    out
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let head = head_lines(app);
    let [top, list] = Layout::vertical([
        Constraint::Length(super::text::wrapped_height(&head, area.width)),
        Constraint::Min(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), top);
    draw_list(f, app, list);
}

/// The search line, a failed action, and the delete confirmation.
fn head_lines(app: &App) -> Vec<Line<'static>> {
    let theme = app.theme;
    let h = &app.history;
    let mut head = vec![Line::from(vec![
        Span::styled("Search: ", theme.dim()),
        Span::raw(h.query.clone()),
        Span::styled(
            if h.query.is_empty() {
                "type to search every message · Enter resumes · Delete removes"
            } else {
                "▏"
            },
            theme.dim(),
        ),
    ])];
    // With nothing listed, the list itself says why (below); above a list, a failed
    // action says so here.
    if let (Some(e), false) = (&h.error, h.items.is_empty()) {
        head.push(Line::styled(
            format!("History unavailable: {e}"),
            theme.error(),
        ));
    }
    if h.confirm_delete {
        let item = h.selected_item();
        let title = item.map_or(String::new(), |i| i.title.clone());
        let open = item.is_some_and(|i| app.chat.conversation == Some(i.id));
        let also = if open {
            " It is open in the chat, which is cleared too."
        } else {
            ""
        };
        head.push(Line::styled(
            format!("Delete “{title}” and all its messages?{also} y / n"),
            theme.warn(),
        ));
    }
    head
}

/// One conversation: open marker, title (giving way first), date and model, and the
/// matching words of a search.
fn conversation_item(
    app: &App,
    c: &crate::worker::ConversationRow,
    width: u16,
) -> ListItem<'static> {
    let theme = app.theme;
    let current = app.chat.conversation == Some(c.id);
    let meta = format!(
        "  {} · {}",
        c.updated
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M"),
        c.model
    );
    // A long title gives way (ending with `…`) so the date and model stay in view.
    let room = usize::from(width.saturating_sub(4))
        .saturating_sub(super::text::width(&meta))
        .max(12);
    let mut lines = vec![Line::from(vec![
        Span::styled(if current { "● " } else { "  " }, theme.accent()),
        Span::raw(super::text::ellipsize(&c.title, room)),
        Span::styled(meta, theme.dim()),
    ])];
    if let Some(s) = &c.snippet {
        lines.push(Line::from(snippet_spans(s, theme)));
    }
    ListItem::new(lines)
}

/// The list, or why there is none: the database unreadable, nothing saved, no match.
fn draw_list(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let h = &app.history;
    let title = if h.load.is_loading() {
        " Conversations — loading… ".to_string()
    } else if h.query.is_empty() {
        format!(" Conversations ({}) — ● open in the chat ", h.items.len())
    } else {
        format!(" Matches ({}) ", h.items.len())
    };
    let empty = |text: Line<'static>, title: String| {
        Paragraph::new(text)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(title))
    };
    if let (Some(e), true) = (&h.error, h.items.is_empty()) {
        // Not "No conversations yet": there may be many, in a database oat cannot read.
        let text = Line::styled(format!("History unavailable: {e}"), theme.error());
        f.render_widget(empty(text, " Conversations — unavailable ".into()), area);
    } else if h.items.is_empty() && !h.load.is_loading() {
        let text = if h.query.is_empty() {
            "No conversations yet: what you write in the chat is kept here."
        } else {
            "No matches."
        };
        f.render_widget(empty(Line::styled(text, theme.dim()), title), area);
    } else {
        let items: Vec<ListItem> = h
            .items
            .iter()
            .map(|c| conversation_item(app, c, area.width))
            .collect();
        // A fresh state each frame: ratatui scrolls just enough to show the selection.
        let mut state = ratatui::widgets::ListState::default().with_selected(Some(h.selected));
        f.render_stateful_widget(
            List::new(items)
                .highlight_style(theme.selected())
                .block(Block::default().borders(Borders::ALL).title(title)),
            area,
            &mut state,
        );
    }
}
