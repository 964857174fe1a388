//! Rendering: a pure function from `App` to a frame. One file per pane, plus the pieces
//! they share (layout, theme, Markdown). Nothing here changes state, except the chat's
//! line cache, which only remembers work already done.

pub mod chat;
pub mod history;
pub mod keys;
pub mod layout;
pub mod markdown;
pub mod models;
pub mod status;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs, Wrap};

use super::app::{App, PANES, Pane};
use super::keymap::help_rows;
use crate::credentials::Expiry;

pub const TERMS_NOTICE: &[&str] = &[
    "Before you start",
    "",
    "Anthropic intends setup tokens (sk-ant-oat01-…, from `claude setup-token`) for Claude Code.",
    "Used in another program they may be refused (\"only authorized for use with Claude Code\").",
    "API keys from the Console (sk-ant-api03-…) are the supported route for programs like oat.",
    "",
    "oat identifies itself honestly (user-agent oat/…) and never pretends to be Claude Code.",
    "",
    "Enter to continue — this note is shown once.",
];

pub fn draw(f: &mut Frame, app: &App) {
    let a = layout::areas(f.area());
    draw_tabs(f, app, a.tabs);
    match app.pane {
        Pane::Keys => keys::draw(f, app, a.body),
        Pane::Status => status::draw(f, app, a.body),
        Pane::Models => models::draw(f, app, a.body),
        Pane::Chat => chat::draw(f, app, a.body),
        Pane::History => history::draw(f, app, a.body),
    }
    draw_status_line(f, app, a.status);
    if app.terms_notice {
        draw_popup(
            f,
            app,
            " oat ",
            TERMS_NOTICE.iter().map(|l| Line::raw(*l)).collect(),
            96,
        );
    } else if app.help {
        draw_help(f, app);
    }
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let titles: Vec<Line> = PANES
        .iter()
        .enumerate()
        .map(|(i, p)| Line::raw(format!("{} {}", i + 1, p.title())))
        .collect();
    let selected = PANES.iter().position(|p| *p == app.pane).unwrap_or(0);
    let tabs = Tabs::new(titles)
        .select(selected)
        .highlight_style(app.theme.selected())
        .divider(Span::styled("│", app.theme.dim()));
    f.render_widget(tabs, area);
}

/// The active key (masked), the model, the token's state and days left, and the last
/// notice or error.
fn draw_status_line(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let mut spans: Vec<Span> = Vec::new();
    let key = app.keys.in_use_view().map_or("no key".to_string(), |k| {
        format!("{} {}", k.entry.meta.name, k.masked)
    });
    spans.push(Span::styled(key, theme.accent()));
    spans.push(Span::styled(" │ ", theme.dim()));
    spans.push(Span::raw(app.chat.model.clone()));
    // Only a report on the key named beside it: the Keys pane may have checked another,
    // and the one in use may have just changed (its own check is on the way).
    let report = app
        .status
        .report
        .as_ref()
        .filter(|r| app.keys.in_use.as_deref() == Some(r.name.as_str()));
    if let Some(r) = report {
        spans.push(Span::styled(" │ ", theme.dim()));
        let verdict = r.check.as_ref().map_or("unchecked", |c| c.verdict.as_str());
        let style = match r.check.as_ref().map(|c| c.verdict) {
            Some(v) if v.authenticated() => theme.ok(),
            Some(crate::status::Verdict::Unreachable) | None => theme.warn(),
            Some(_) => theme.error(),
        };
        spans.push(Span::styled(verdict.replace('_', " "), style));
        match r.expiry {
            Some(Expiry::Valid { days_left, .. }) => {
                spans.push(Span::styled(format!(", {days_left}d left"), theme.dim()))
            }
            Some(Expiry::Expiring { days_left, .. }) => {
                spans.push(Span::styled(format!(", {days_left}d left"), theme.warn()))
            }
            Some(Expiry::Expired { .. }) => spans.push(Span::styled(", expired?", theme.error())),
            _ => {}
        }
    }
    if let Some(n) = &app.notice {
        spans.push(Span::styled(" │ ", theme.dim()));
        spans.push(Span::styled(
            n.text.clone(),
            if n.error { theme.error() } else { theme.dim() },
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_popup(f: &mut Frame, app: &App, title: &str, lines: Vec<Line>, width: u16) {
    let h = u16::try_from(lines.len()).unwrap_or(20).saturating_add(2);
    let r = layout::centered(f.area(), width, h);
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(app.theme.accent())
                .title(title.to_string()),
        ),
        r,
    );
}

fn draw_help(f: &mut Frame, app: &App) {
    let mut sections: Vec<Vec<Line>> = Vec::new();
    if let Some(Err(detail)) = &app.keys.keyring {
        sections.push(vec![
            Line::styled("Keyring", app.theme.heading()),
            Line::raw(format!("  {detail}")),
        ]);
    }
    let mut section = "";
    for (s, keys, help) in help_rows() {
        if s != section {
            sections.push(vec![Line::styled(s, app.theme.heading())]);
            section = s;
        }
        if let Some(current) = sections.last_mut() {
            current.push(Line::from(vec![
                Span::styled(format!("  {keys:<20}"), app.theme.accent()),
                Span::raw(help),
            ]));
        }
    }
    let area = f.area();
    let total: usize = sections.iter().map(|s| s.len() + 1).sum();
    // Two columns when one would not fit; sections are never split between them, and the
    // split is where the taller column is shortest.
    let two = total + 2 > usize::from(area.height);
    let split = if two {
        let heights: Vec<usize> = sections.iter().map(|s| s.len() + 1).collect();
        (1..sections.len())
            .min_by_key(|&k| {
                let left: usize = heights[..k].iter().sum();
                left.max(total - left)
            })
            .unwrap_or(sections.len())
    } else {
        sections.len()
    };
    let mut columns: Vec<Vec<Line>> = vec![Vec::new(), Vec::new()];
    for (i, s) in sections.into_iter().enumerate() {
        let c = &mut columns[usize::from(i >= split)];
        if !c.is_empty() {
            c.push(Line::default());
        }
        c.extend(s);
    }
    columns.retain(|c| !c.is_empty());
    let height = columns.iter().map(Vec::len).max().unwrap_or(0) + 3;
    let width = if two { area.width } else { 80 };
    let r = layout::centered(area, width, u16::try_from(height).unwrap_or(u16::MAX));
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.accent())
        .title(" Keys — any key closes ");
    let inner = block.inner(r);
    f.render_widget(block, r);
    let n = u32::try_from(columns.len()).unwrap_or(1);
    let parts = ratatui::layout::Layout::horizontal(vec![
        ratatui::layout::Constraint::Ratio(1, n);
        columns.len()
    ])
    .split(inner);
    for (col, area) in columns.into_iter().zip(parts.iter()) {
        f.render_widget(Paragraph::new(col).wrap(Wrap { trim: false }), *area);
    }
}
