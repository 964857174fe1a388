//! The composer at the foot of the Chat pane: its box (settings on the left, the context
//! meter and cost on the right), the chips above it (a queued prompt, the attachments)
//! and the `@` file popup.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use crate::tui::app::App;

/// The files going with the next prompt, the focused one marked, packed into lines of
/// `width` columns: a chip is never split (one wider than a line ends with `…`).
pub(super) fn chip_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    use crate::tui::view::text::{ellipsize, width as cols};
    let theme = app.theme;
    let w = usize::from(width.max(1));
    let mut items: Vec<Span<'static>> = Vec::new();
    // The prompt typed ahead comes first: it goes out before anything written below.
    if let Some(q) = &app.chat.queued {
        let first = q.prompt.lines().next().unwrap_or("");
        let files = match q.files.len() {
            0 => String::new(),
            n => format!(" +{n} 📎"),
        };
        items.push(Span::styled(
            ellipsize(&format!("[⏳ queued: {first}{files} · ↑ edits]"), w),
            theme.warn(),
        ));
    }
    if app.chat.compose.chip_focus.is_some() {
        items.push(Span::styled("x removes · ←→ · Esc", theme.dim()));
    }
    for (i, a) in app.chat.attached.iter().enumerate() {
        let style = if app.chat.compose.chip_focus == Some(i) {
            theme.selected()
        } else {
            theme.accent()
        };
        items.push(Span::styled(
            ellipsize(&format!("[📎 {}]", a.chip()), w),
            style,
        ));
    }
    if !app.chat.compose.reading.is_empty() {
        items.push(Span::styled("reading…", theme.dim()));
    }
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut line: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for item in items {
        let iw = cols(&item.content);
        if used > 0 && used + 1 + iw > w {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        if used > 0 {
            line.push(Span::raw(" "));
            used += 1;
        }
        used += iw;
        line.push(item);
    }
    if !line.is_empty() {
        lines.push(Line::from(line));
    }
    lines
}

/// The `@` popup: files under the current folder matching what follows the `@`.
pub(super) fn draw_popup(
    f: &mut Frame,
    app: &App,
    popup: &crate::tui::state::chat::compose::FilePopup,
    conv: Rect,
) {
    let theme = app.theme;
    let rows: Vec<Line> = if app.chat.compose.files.is_none() {
        vec![Line::styled("listing files…", theme.dim())]
    } else if popup.matches.is_empty() {
        vec![Line::styled(
            format!("no file matches @{}", popup.query),
            theme.dim(),
        )]
    } else {
        popup
            .matches
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let style = if i == popup.selected {
                    theme.selected()
                } else {
                    ratatui::style::Style::default()
                };
                Line::styled(m.clone(), style)
            })
            .collect()
    };
    let title = Span::styled(" attach: Tab/Enter · Esc ", theme.dim());
    draw_above(f, theme, rows, title, conv, conv.width.min(60));
}

/// A popup of `rows` standing on the composer's top edge, inside `conv`, `w` wide, the
/// rest of its rows blank.
fn draw_above(
    f: &mut Frame,
    theme: crate::tui::theme::Theme,
    rows: Vec<Line>,
    title: Span,
    conv: Rect,
    w: u16,
) {
    let h = u16::try_from(rows.len()).unwrap_or(1).saturating_add(2);
    let r = Rect {
        x: conv.x,
        y: conv.bottom().saturating_sub(h),
        width: w,
        height: h.min(conv.height),
    };
    // The rows it stands on are cleared across the whole pane: a line of the
    // conversation cut by its edge would read as nonsense beside it.
    f.render_widget(
        ratatui::widgets::Clear,
        Rect {
            width: conv.width,
            ..r
        },
    );
    f.render_widget(
        Paragraph::new(rows).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(theme.dim())
                .title(title),
        ),
        r,
    );
}

/// The `/` popup: the commands matching what is typed, one a line with what it does; the
/// chosen one's arguments in the title.
pub(super) fn draw_slash_popup(
    f: &mut Frame,
    app: &App,
    found: &[&crate::tui::state::chat::CommandInfo],
    conv: Rect,
) {
    use crate::tui::view::text::ellipsize;
    let theme = app.theme;
    let selected = app
        .chat
        .compose
        .slash_selected
        .min(found.len().saturating_sub(1));
    let w = conv.width.min(64);
    let room = usize::from(conv.height.saturating_sub(2)).max(1);
    let first = selected.saturating_sub(room - 1);
    let name_w = found.iter().map(|c| c.name.len() + 1).max().unwrap_or(0);
    let desc_w = usize::from(w.saturating_sub(2)).saturating_sub(name_w + 2);
    let rows: Vec<Line> = found
        .iter()
        .enumerate()
        .skip(first)
        .take(room)
        .map(|(i, c)| {
            let name = format!("/{}", c.name);
            let text = format!(" {name:<name_w$}  {}", ellipsize(c.help, desc_w));
            if i == selected {
                Line::styled(text, theme.selected())
            } else {
                Line::from(vec![
                    Span::styled(format!(" {name:<name_w$}  "), theme.accent()),
                    Span::raw(ellipsize(c.help, desc_w)),
                ])
            }
        })
        .collect();
    let chosen = found[selected];
    let usage = format!(" /{} {} · Tab/Enter · Esc ", chosen.name, chosen.args);
    let title = Span::styled(
        ellipsize(&usage.replace("  ", " "), usize::from(w.saturating_sub(2))),
        theme.dim(),
    );
    draw_above(f, theme, rows, title, conv, w);
}

/// The chat header's right side: how full the context is (amber past 80 %) and what the
/// conversation cost so far on an API key.
fn context_spans(app: &App) -> Vec<Span<'static>> {
    let theme = app.theme;
    let meter = app.chat.meter(
        &app.composer.text(),
        app.context_limit(),
        app.chat.settings.system.as_deref(),
    );
    let style = if meter.warn() {
        theme.warn()
    } else {
        theme.dim()
    };
    let mut spans = vec![Span::styled(format!(" {} ", meter.label()), style)];
    let branch = app.chat.total_cost();
    let all = app.chat.all_replies_cost();
    // Other branches were paid for too: both figures, named, so the header and
    // `oat history list` (every reply) never seem to disagree.
    let text = if branch == all {
        branch.map(|c| format!("· {} ", money_label(c, "cost unknown")))
    } else {
        all.map(|a| {
            let shown = branch.map_or("$0".to_string(), |b| money_label(b, "unknown"));
            format!(
                "· this branch {shown} · all replies {} ",
                money_label(a, "unknown")
            )
        })
    };
    spans.extend(text.map(|t| Span::styled(t, theme.dim())));
    spans
}

/// An amount, or `unknown` (a model with no price) in the given words.
fn money_label(c: Option<crate::api::pricing::Cost>, unknown: &str) -> String {
    c.map_or_else(|| unknown.to_string(), |c| c.to_string())
}

fn settings_summary(app: &App) -> String {
    let s = &app.chat.settings;
    let mut parts = vec![app.chat.model.clone()];
    if s.system.is_some() {
        parts.push("system prompt".into());
    }
    if let Some(n) = s.max_tokens {
        parts.push(format!("max {n}"));
    }
    if let Some(t) = s.temperature {
        parts.push(format!("temp {t}"));
    }
    match s.thinking {
        crate::api::ThinkingChoice::Default => {}
        crate::api::ThinkingChoice::Off => parts.push("thinking off".into()),
        crate::api::ThinkingChoice::Adaptive => parts.push("thinking adaptive".into()),
        crate::api::ThinkingChoice::Budget(n) => parts.push(format!("thinking {n}")),
    }
    if let Some(e) = s.effort {
        parts.push(format!("effort {}", e.as_str()));
    }
    if s.web {
        parts.push("web".into());
    }
    parts.join(" · ")
}

pub(super) fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let title = if app.chat.in_flight() {
        " streaming — Esc stops ".to_string()
    } else if let Some(i) = app.chat.editing {
        format!(
            " editing turn {}: Enter sends a new branch · Esc cancels ",
            i + 1
        )
    } else {
        format!(" {} ", settings_summary(app))
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.dim())
        .title(Span::styled(title, theme.dim()))
        .title(Line::from(context_spans(app)).right_aligned());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let (row, col) = app.composer.cursor();
    let height = usize::from(inner.height.max(1));
    let first = row.saturating_sub(height - 1);
    let lines: Vec<Line> = app
        .composer
        .lines()
        .iter()
        .skip(first)
        .take(height)
        .map(|l| Line::raw(l.as_str()))
        .collect();
    // Long lines scroll sideways so the cursor stays visible.
    let line = &app.composer.lines()[row];
    let before: usize = line
        .chars()
        .take(col)
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
        .sum();
    let hscroll = before.saturating_sub(usize::from(inner.width.saturating_sub(1)));
    f.render_widget(
        Paragraph::new(lines)
            .scroll((0, u16::try_from(hscroll).unwrap_or(0)))
            .style(ratatui::style::Style::new().remove_modifier(Modifier::DIM)),
        inner,
    );
    if app.pane == crate::tui::app::Pane::Chat && !app.help && !app.terms_notice {
        let x = inner.x + u16::try_from(before - hscroll).unwrap_or(0);
        let y = inner.y + u16::try_from(row - first).unwrap_or(0);
        f.set_cursor_position(Position::new(x.min(inner.right().saturating_sub(1)), y));
    }
}
