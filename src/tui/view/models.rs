//! The Models pane: the filter, a spinner while discovery runs, the list with context
//! window, max output and thinking mode, and a visible mark when it is the offline list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::api::models::short_count as tokens;
use crate::tui::app::App;

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let m = &app.models;
    let mut head: Vec<Line> = vec![Line::from(vec![
        Span::styled("Filter: ", theme.dim()),
        Span::raw(m.filter.clone()),
        Span::styled(
            if m.filter.is_empty() {
                "type to filter · Enter uses the model · Ctrl-R reloads"
            } else {
                "▏"
            },
            theme.dim(),
        ),
    ])];
    if m.loading {
        head.push(Line::styled(
            format!(
                "{} discovering models…",
                SPINNER[app.spinner % SPINNER.len()]
            ),
            theme.dim(),
        ));
    }
    if let Some(reason) = &m.offline {
        head.push(Line::styled(
            format!("OFFLINE LIST — {reason}"),
            theme.warn(),
        ));
    }
    if let Some(e) = &m.error {
        head.push(Line::styled(e.clone(), theme.error()));
    }
    let [top, list] = Layout::vertical([
        Constraint::Length(u16::try_from(head.len()).unwrap_or(1)),
        Constraint::Min(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), top);
    let filtered = m.filtered();
    let rows: Vec<Row> = filtered
        .iter()
        .map(|model| {
            let current = model.id == app.chat.model;

            Row::new(vec![
                Cell::from(Span::styled(
                    if current { "●" } else { " " },
                    theme.accent(),
                )),
                Cell::from(model.id.clone()),
                Cell::from(model.display_name.clone()),
                Cell::from(tokens(model.max_input_tokens)),
                Cell::from(tokens(model.max_tokens)),
                Cell::from(model.thinking_label()),
            ])
        })
        .collect();
    let title = format!(
        " Models ({} of {}) — ● in the chat ",
        filtered.len(),
        m.models.len()
    );
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Min(20),
            Constraint::Min(16),
            Constraint::Length(8),
            Constraint::Length(8),
            Constraint::Length(16),
        ],
    )
    .header(Row::new(vec!["", "ID", "NAME", "CONTEXT", "MAX OUT", "THINKING"]).style(theme.dim()))
    .row_highlight_style(theme.selected())
    .block(Block::default().borders(Borders::ALL).title(title));
    let mut state = ratatui::widgets::TableState::default().with_selected(Some(m.selected));
    f.render_stateful_widget(table, list, &mut state);
}
