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
    if m.load.is_loading() {
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
    if let Some(e) = m.load.error() {
        head.push(Line::styled(e.to_string(), theme.error()));
    }
    let [top, list] = Layout::vertical([
        Constraint::Length(super::text::wrapped_height(&head, area.width)),
        Constraint::Min(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), top);
    let filtered = m.filtered();
    // Columns that do not fit are left out whole, least needed first (the name repeats the
    // id; thinking is in the id's family), so no header is ever cut to `CONTE`.
    let id_w = filtered
        .iter()
        .map(|m| m.id.chars().count())
        .max()
        .unwrap_or(0)
        .max(12);
    let name_w = filtered
        .iter()
        .map(|m| m.display_name.chars().count())
        .max()
        .unwrap_or(0)
        .max(8);
    let inner = usize::from(list.width.saturating_sub(2));
    let fixed = 1 + id_w + 1 + 7 + 1 + 7;
    let thinking = fixed + 1 + 15 <= inner;
    let name = thinking && fixed + 1 + 15 + 1 + name_w <= inner;
    let rows: Vec<Row> = filtered
        .iter()
        .map(|model| {
            let current = model.id == app.chat.model;
            let mut cells = vec![
                Cell::from(Span::styled(
                    if current { "●" } else { " " },
                    theme.accent(),
                )),
                Cell::from(model.id.clone()),
            ];
            if name {
                cells.push(Cell::from(model.display_name.clone()));
            }
            cells.push(Cell::from(tokens(model.max_input_tokens)));
            cells.push(Cell::from(tokens(model.max_tokens)));
            if thinking {
                cells.push(Cell::from(model.thinking_label()));
            }
            Row::new(cells)
        })
        .collect();
    let title = format!(
        " Models ({} of {}) — ● in the chat ",
        filtered.len(),
        m.models.len()
    );
    let w = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
    let mut widths = vec![Constraint::Length(1), w(id_w)];
    let mut header = vec!["", "ID"];
    if name {
        widths.push(w(name_w));
        header.push("NAME");
    }
    widths.extend([Constraint::Length(7), Constraint::Length(7)]);
    header.extend(["CONTEXT", "MAX OUT"]);
    if thinking {
        widths.push(Constraint::Min(8));
        header.push("THINKING");
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(theme.selected())
        .block(Block::default().borders(Borders::ALL).title(title));
    let mut state = ratatui::widgets::TableState::default().with_selected(Some(m.selected));
    f.render_stateful_widget(table, list, &mut state);
}
