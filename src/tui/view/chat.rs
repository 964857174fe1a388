//! The Chat pane: the conversation (Markdown, thinking collapsed or shown, per-turn
//! usage) above the composer. Only the visible turns are rendered: each turn's wrapped
//! lines are cached by (revision, width, thinking shown), so a frame costs what is on
//! screen, not the whole history.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::layout;
use super::markdown;
use crate::tui::app::App;
use crate::tui::render_cache::{CacheKey, CachedTurn, PrefixCache};
use crate::tui::state::chat::{ReplyState, Turn};
use crate::tui::theme::Theme;

/// The byte length of `text` up to its last paragraph break outside a code fence.
fn settled_len(text: &str) -> usize {
    let mut in_fence = false;
    let mut settled = 0;
    let mut pos = 0;
    let mut previous_blank = false;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
        }
        let blank = line.trim().is_empty() && line.ends_with('\n');
        pos += line.len();
        if blank && !previous_blank && !in_fence {
            settled = pos;
        }
        previous_blank = blank;
    }
    settled
}

/// The reply's Markdown lines; for a streaming reply, reusing the settled prefix.
fn reply_lines(
    cache: &mut Option<PrefixCache>,
    turn_index: usize,
    text: &str,
    width: usize,
    theme: Theme,
    streaming: bool,
) -> Vec<Line<'static>> {
    if !streaming {
        return markdown::render(text, width, theme);
    }
    let settled = settled_len(text);
    let reusable = cache.as_ref().filter(|c| {
        c.turn == turn_index && c.width == width && c.theme == theme && c.len == settled
    });
    let mut lines = match reusable {
        Some(c) => c.lines.clone(),
        None => {
            let lines = markdown::render(&text[..settled], width, theme);
            *cache = Some(PrefixCache {
                turn: turn_index,
                len: settled,
                width,
                theme,
                lines: lines.clone(),
            });
            lines
        }
    };
    let tail = markdown::render(&text[settled..], width, theme);
    if !lines.is_empty() && !tail.is_empty() {
        lines.push(Line::default());
    }
    lines.extend(tail);
    lines
}

#[allow(clippy::too_many_arguments)]
fn turn_lines(
    prefix: &mut Option<PrefixCache>,
    index: usize,
    turn: &Turn,
    width: u16,
    show_thinking: bool,
    theme: Theme,
    spinner: usize,
) -> Vec<Line<'static>> {
    let w = usize::from(width.max(8));
    let mut out = Vec::new();
    let wrap = |spans: Vec<Span<'_>>| markdown::wrap_spans(&spans, w);
    out.push(Line::from(Span::styled("You", theme.user())));
    out.extend(markdown::wrap_plain(
        &turn.prompt,
        w,
        ratatui::style::Style::default(),
    ));
    out.push(Line::default());
    let mut head = vec![
        Span::styled("Claude", theme.assistant()),
        Span::styled(format!(" · {}", turn.model), theme.dim()),
    ];
    if let Some(u) = turn.usage {
        head.push(Span::styled(format!(" · {}", u.short()), theme.dim()));
    }
    if let Some(spend) = turn.spend.and_then(|s| s.label()) {
        head.push(Span::styled(format!(" · {spend}"), theme.dim()));
    }
    if let Some(t) = turn.first_token {
        head.push(Span::styled(
            format!(" · first token {:.2}s", t.as_secs_f64()),
            theme.dim(),
        ));
    }
    out.extend(wrap(head));
    if !turn.thinking.is_empty() {
        if show_thinking {
            out.extend(wrap(vec![Span::styled(
                "▾ thinking (Ctrl-T hides)",
                theme.dim(),
            )]));
            for l in markdown::render(&turn.thinking, w.saturating_sub(2), theme) {
                let mut spans = vec![Span::styled("  ", theme.dim())];
                spans.extend(l.spans.into_iter().map(|s| s.patch_style(theme.dim())));
                out.push(Line::from(spans));
            }
        } else {
            out.extend(wrap(vec![Span::styled(
                format!(
                    "▸ thinking, {} characters (Ctrl-T shows)",
                    turn.thinking.chars().count()
                ),
                theme.dim(),
            )]));
        }
    }
    let streaming = matches!(turn.state, ReplyState::Streaming | ReplyState::Waiting);
    out.extend(reply_lines(prefix, index, &turn.text, w, theme, streaming));
    if !turn.sources.list.is_empty() {
        out.push(Line::default());
        out.extend(wrap(vec![Span::styled("Sources", theme.dim())]));
        for line in turn.sources.lines() {
            out.extend(wrap(vec![Span::styled(line, theme.dim())]));
        }
    }
    if let (Some(doing), true) = (&turn.activity, streaming) {
        out.extend(wrap(vec![Span::styled(
            format!("⌕ {doing}…"),
            theme.accent(),
        )]));
    }
    let status = match &turn.state {
        ReplyState::Waiting => {
            let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
            let frame = frames[spinner % frames.len()];
            vec![Span::styled(
                format!("{frame} waiting for the first token…"),
                theme.dim(),
            )]
        }
        ReplyState::Streaming => vec![Span::styled("▍", theme.accent())],
        ReplyState::Stopped => vec![Span::styled("■ stopped (Ctrl-R regenerates)", theme.warn())],
        ReplyState::Failed { error, advice } => {
            out.extend(wrap(vec![Span::styled(
                format!("✗ {error}"),
                theme.error(),
            )]));
            vec![Span::styled(format!("  {advice}"), theme.warn())]
        }
        ReplyState::Declined { sentence } => {
            vec![Span::styled(format!("⊘ {sentence}"), theme.warn())]
        }
        ReplyState::Done => Vec::new(),
    };
    for note in &turn.notes {
        out.extend(wrap(vec![Span::styled(format!("ℹ {note}"), theme.dim())]));
    }
    if !status.is_empty() {
        out.extend(wrap(status));
    }
    out.push(Line::default());
    out
}

/// Lines of the conversation that fall in a window `height` tall, `from_bottom` lines up
/// from the end. Renders (or reuses) turns from the last backwards, only as far as needed,
/// and clones only the lines that are visible.
pub fn visible_lines(app: &App, width: u16, height: usize) -> (Vec<Line<'static>>, usize) {
    let chat = &app.chat;
    let mut cache = chat.render_cache.borrow_mut();
    cache.turns.retain(|i, _| *i < chat.turns.len());
    let needed = chat.scroll.from_bottom + height;
    let mut used: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let mut all_measured = true;
    for (i, turn) in chat.turns.iter().enumerate().rev() {
        if total >= needed {
            all_measured = false;
            break;
        }
        let key = CacheKey {
            revision: turn.revision,
            width,
            show_thinking: chat.show_thinking,
            theme: app.theme,
            spinner: if turn.state == ReplyState::Waiting {
                app.spinner
            } else {
                0
            },
        };
        if cache.turns.get(&i).is_none_or(|c| c.key != key) {
            let lines = turn_lines(
                &mut cache.stream_prefix,
                i,
                turn,
                width,
                chat.show_thinking,
                app.theme,
                app.spinner,
            );
            cache.turns.insert(i, CachedTurn { key, lines });
        }
        total += cache.turns.get(&i).map_or(0, |c| c.lines.len());
        used.push(i);
    }
    cache.max_scroll = all_measured.then(|| total.saturating_sub(height));
    let from_bottom = chat.scroll.from_bottom.min(cache.max_scroll());
    // Line numbers counted from the top of the rendered turns.
    let end = total.saturating_sub(from_bottom);
    let start = end.saturating_sub(height);
    let mut visible = Vec::with_capacity(height);
    let mut line_no = 0usize;
    for i in used.into_iter().rev() {
        let lines = cache.turns.get(&i).map_or(&[][..], |c| c.lines.as_slice());
        let (a, b) = (line_no, line_no + lines.len());
        line_no = b;
        if b <= start || a >= end {
            continue;
        }
        let from = start.saturating_sub(a);
        let to = (end - a).min(lines.len());
        visible.extend_from_slice(&lines[from..to]);
    }
    (visible, from_bottom)
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let (conv, comp) = layout::chat(area, app.composer.lines().len());
    let notice_h = u16::from(app.chat.notice.is_some());
    let conv_text = Rect {
        height: conv.height.saturating_sub(notice_h),
        ..conv
    };
    if app.chat.turns.is_empty() {
        let hint = vec![
            Line::styled(
                "Ask anything. Enter sends; Shift-Enter adds a line.",
                theme.dim(),
            ),
            Line::styled(
                "/system, /model, /thinking, /effort, /max-tokens change this conversation (/help).",
                theme.dim(),
            ),
            Line::styled("F1 lists every key.", theme.dim()),
        ];
        f.render_widget(Paragraph::new(hint), conv_text);
    } else {
        let (lines, from_bottom) =
            visible_lines(app, conv_text.width, usize::from(conv_text.height));
        f.render_widget(Paragraph::new(lines), conv_text);
        if from_bottom > 0 {
            let tag = format!(" ↓ {from_bottom} lines below (Ctrl-G) ");
            let w = u16::try_from(tag.chars().count())
                .unwrap_or(0)
                .min(conv_text.width);
            let r = Rect {
                x: conv_text.right().saturating_sub(w),
                y: conv_text.bottom().saturating_sub(1),
                width: w,
                height: 1,
            };
            f.render_widget(Paragraph::new(Span::styled(tag, theme.selected())), r);
        }
    }
    if let Some(n) = &app.chat.notice {
        let r = Rect {
            y: conv.bottom().saturating_sub(1),
            height: 1,
            ..conv
        };
        f.render_widget(Paragraph::new(Span::styled(n.clone(), theme.warn())), r);
    }
    draw_composer(f, app, comp);
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
    match app.chat.total_cost() {
        Some(Some(c)) => spans.push(Span::styled(format!("· {c} "), theme.dim())),
        Some(None) => spans.push(Span::styled("· cost unknown ", theme.dim())),
        None => {}
    }
    spans
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

fn draw_composer(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let title = if app.chat.in_flight() {
        " streaming — Esc stops ".to_string()
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

#[cfg(test)]
mod tests;
