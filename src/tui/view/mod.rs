//! Rendering: a pure function from `App` to a frame. One file per pane, plus the pieces
//! they share (layout, theme, Markdown). Nothing here changes state, except the chat's
//! line cache, which only remembers work already done.

pub mod chat;
pub mod help;
pub mod history;
pub mod keys;
pub mod layout;
pub mod markdown;
pub mod models;
pub mod status;
pub mod text;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs, Wrap};

use super::app::{App, PANES, Pane};
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
        help::draw(f, app);
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
    let key = app
        .keys
        .in_use
        .as_ref()
        .and_then(|n| app.keys.keys.iter().find(|k| &k.entry.meta.name == n))
        .map_or("no key".to_string(), |k| {
            format!("{} {}", k.entry.meta.name, k.masked)
        });
    spans.push(Span::styled(key, theme.accent()));
    spans.push(Span::styled(" │ ", theme.dim()));
    spans.push(Span::raw(app.chat.model.clone()));
    if let Some(r) = &app.status.report {
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
