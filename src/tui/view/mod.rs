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

/// The first-run note: setup tokens as Anthropic's terms and answers stand, with the day
/// that was last checked (the README's section says the same at more length).
pub const TERMS_NOTICE: &[&str] = &[
    "Setup tokens, as they stand (last checked 2026-12-02)",
    "",
    "Anthropic's terms since February 2026: setup tokens (sk-ant-oat01-…, from `claude \
     setup-token`) are for Claude Code and Claude.ai only.",
    "Since April 2026 their use in other programs is refused or billed as extra usage; \
     requests with tools (web search) most often.",
    "Use an API key from the Console (sk-ant-api03-…): the supported route for programs \
     like oat.",
    "oat quotes Anthropic's refusals word for word and identifies itself honestly (never as \
     Claude Code).",
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

/// The active key (masked when there is room), the model, the token's state and days
/// left, and the last notice or error. On a narrow screen the notice keeps its room and
/// the key gives way; a notice longer than the line ends with `…` (the whole text is in
/// the log).
fn draw_status_line(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let width = usize::from(area.width);
    let active = app.keys.in_use_view();
    let mut key = match active {
        Some(k) => k.entry.meta.name.clone(),
        None => "no key".to_string(),
    };
    let mut state: Vec<Span> = Vec::new();
    // Only a report on the key named beside it: the Keys pane may have checked another,
    // and the one in use may have just changed (its own check is on the way).
    let report = app
        .status
        .report
        .as_ref()
        .filter(|r| app.keys.in_use.as_deref() == Some(r.name.as_str()));
    if let Some(r) = report {
        state.push(Span::styled(" │ ", theme.dim()));
        let verdict = r.check.as_ref().map_or("unchecked", |c| c.verdict.as_str());
        let style = match r.check.as_ref().map(|c| c.verdict) {
            Some(v) if v.authenticated() => theme.ok(),
            Some(crate::status::Verdict::Unreachable) | None => theme.warn(),
            Some(_) => theme.error(),
        };
        state.push(Span::styled(verdict.replace('_', " "), style));
        match r.expiry {
            Some(Expiry::Valid { days_left, .. }) => {
                state.push(Span::styled(format!(", {days_left}d left"), theme.dim()))
            }
            Some(Expiry::Expiring { days_left, .. }) => {
                state.push(Span::styled(format!(", {days_left}d left"), theme.warn()))
            }
            Some(Expiry::Expired { .. }) => state.push(Span::styled(", expired?", theme.error())),
            _ => {}
        }
    }
    let state_w: usize = state.iter().map(|s| s.width()).sum();
    let model_w = text::width(&app.chat.model);
    // The masked secret too, when the line has room for it beside everything else.
    if let Some(k) = active {
        let full = format!("{} {}", k.entry.meta.name, k.masked);
        let notice_w = app.notice.as_ref().map_or(0, |n| text::width(&n.text) + 3);
        if text::width(&full) + 3 + model_w + state_w + notice_w <= width {
            key = full;
        }
    }
    let mut spans: Vec<Span> = Vec::new();
    let mut used = model_w + state_w;
    let notice_w = app.notice.as_ref().map_or(0, |n| text::width(&n.text) + 3);
    // The key stays while the notice still fits beside it, or at least 30 columns of it.
    if app.notice.is_none() || used + text::width(&key) + 3 + notice_w.min(33) <= width {
        used += text::width(&key) + 3;
        spans.push(Span::styled(key, theme.accent()));
        spans.push(Span::styled(" │ ", theme.dim()));
    }
    spans.push(Span::raw(app.chat.model.clone()));
    spans.extend(state);
    if let Some(n) = &app.notice {
        spans.push(Span::styled(" │ ", theme.dim()));
        let room = width.saturating_sub(used + 3);
        spans.push(Span::styled(
            text::ellipsize(&n.text, room),
            notice_style(theme, n.level, theme.dim()),
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// How a notice of `level` looks; `info` is the pane's own style for information.
pub(crate) fn notice_style(
    theme: super::theme::Theme,
    level: crate::tui::notice::Level,
    info: ratatui::style::Style,
) -> ratatui::style::Style {
    match level {
        crate::tui::notice::Level::Info => info,
        crate::tui::notice::Level::Warning => theme.warn(),
        crate::tui::notice::Level::Error => theme.error(),
    }
}

/// A bordered box in the middle, as tall as its text once wrapped (up to the screen).
fn draw_popup(f: &mut Frame, app: &App, title: &str, lines: Vec<Line>, width: u16) {
    let inner_w = width.min(f.area().width).saturating_sub(2);
    let h = text::wrapped_height(&lines, inner_w).saturating_add(2);
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
