//! The Models pane: the filter, a spinner while discovery runs, the list with context
//! window, max output, lifecycle (deprecated and retired models dimmed, with their date)
//! and thinking mode, and a visible mark when it is the offline list.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::api::Model;
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
    let cols = columns(&filtered, list.width);
    let rows: Vec<Row> = filtered
        .iter()
        .map(|model| row(app, model, &cols))
        .collect();
    let title = format!(
        " Models ({} of {}) — ● in the chat ",
        filtered.len(),
        m.models.len()
    );
    let (header, widths) = cols.header();
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .row_highlight_style(theme.selected())
        .block(Block::default().borders(Borders::ALL).title(title));
    let mut state = ratatui::widgets::TableState::default().with_selected(Some(m.selected));
    f.render_stateful_widget(table, list, &mut state);
}

/// One model's row: deprecated and retired models dimmed whole (retired also marked),
/// active ones as ever.
fn row<'a>(app: &App, model: &Model, cols: &Columns) -> Row<'a> {
    let theme = app.theme;
    let current = model.id == app.chat.model;
    let mut cells = vec![
        Cell::from(Span::styled(
            if current { "●" } else { " " },
            theme.accent(),
        )),
        Cell::from(model.id.clone()),
    ];
    if cols.name {
        cells.push(Cell::from(model.display_name.clone()));
    }
    cells.push(Cell::from(tokens(model.max_input_tokens)));
    cells.push(Cell::from(tokens(model.max_tokens)));
    if let Some(long) = cols.status {
        let label = model.status_label(long).unwrap_or_default();
        // Retired is marked as well as dimmed: requests to it fail.
        let style = if model.lifecycle() == Some("retired") {
            theme.error()
        } else {
            theme.dim()
        };
        cells.push(Cell::from(Span::styled(label, style)));
    }
    if cols.thinking {
        cells.push(Cell::from(model.thinking_label()));
    }
    let row = Row::new(cells);
    if model.is_deprecated() {
        row.style(theme.dim())
    } else {
        row
    }
}

impl Columns {
    /// The header's words and the columns' widths, for the columns shown.
    fn header(&self) -> (Vec<&'static str>, Vec<Constraint>) {
        let w = |n: usize| Constraint::Length(u16::try_from(n).unwrap_or(u16::MAX));
        let mut widths = vec![Constraint::Length(1), w(self.id)];
        let mut header = vec!["", "ID"];
        if self.name {
            widths.push(w(self.name_w));
            header.push("NAME");
        }
        widths.extend([Constraint::Length(7), Constraint::Length(7)]);
        header.extend(["CONTEXT", "MAX OUT"]);
        if self.status.is_some() {
            widths.push(w(self.status_w));
            header.push("STATUS");
        }
        if self.thinking {
            widths.push(Constraint::Min(8));
            header.push("THINKING");
        }
        (header, widths)
    }
}

/// Which columns the list shows, and how wide.
struct Columns {
    id: usize,
    name: bool,
    name_w: usize,
    /// Shown when a listed model is not active: `Some(true)` with the long words
    /// ("deprecated · retires 2027-01-22"), `Some(false)` with the short ones.
    status: Option<bool>,
    status_w: usize,
    thinking: bool,
}

/// Columns that do not fit are left out whole, least needed first, so no header is ever
/// cut to `CONTE`: the name (it repeats the id), then the long lifecycle words (the short
/// ones keep the date), then thinking (it is in the id's family). A model's lifecycle
/// outranks thinking: a person must see that a model is going away.
fn columns(models: &[&Model], width: u16) -> Columns {
    let widest = |f: &dyn Fn(&Model) -> usize, min: usize| {
        models.iter().map(|m| f(m)).max().unwrap_or(0).max(min)
    };
    let id = widest(&|m| m.id.chars().count(), 12);
    let name_w = widest(&|m| m.display_name.chars().count(), 8);
    let label = |long: bool| {
        widest(
            &|m| m.status_label(long).map_or(0, |l| super::text::width(&l)),
            0,
        )
    };
    let (long_w, short_w) = (label(true), label(false));
    let inner = usize::from(width.saturating_sub(2));
    let fixed = 1 + id + 1 + 7 + 1 + 7;
    let status_w = |w: usize| if w == 0 { 0 } else { 1 + w.max(6) };
    let short = fixed + status_w(short_w);
    let status = (short_w > 0 && short <= inner).then_some(false);
    let base = if status.is_some() { short } else { fixed };
    let thinking = base + 1 + 15 <= inner;
    let name = thinking && base + 1 + 15 + 1 + name_w <= inner;
    // The long words only when everything else fits beside them.
    let long = name && status.is_some() && fixed + status_w(long_w) + 16 + 1 + name_w <= inner;
    let (status, status_w) = match status {
        Some(_) if long => (Some(true), long_w.max(6)),
        Some(_) => (Some(false), short_w.max(6)),
        None => (None, 0),
    };
    Columns {
        id,
        name,
        name_w,
        status,
        status_w,
        thinking,
    }
}
