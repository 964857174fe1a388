//! The Chat pane: the conversation (Markdown, thinking collapsed or shown, per-turn
//! usage) above the composer. Only the visible turns are rendered: each turn's wrapped
//! lines are cached by (revision, width, thinking shown), so a frame costs what is on
//! screen, not the whole history.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::layout;
use super::markdown;
use crate::tui::app::App;
use crate::tui::pictures::Pictures;
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

/// How one turn is drawn besides its content.
pub(crate) struct TurnLook<'a> {
    pub show_thinking: bool,
    pub theme: Theme,
    pub spinner: usize,
    pub selected: bool,
    pub pictures: &'a Pictures,
}

/// The "You" line: marked when selected, with `‹ 2/3 ›` where the turn has siblings.
fn prompt_head(turn: &Turn, look: &TurnLook) -> Line<'static> {
    let theme = look.theme;
    let mut spans = if look.selected {
        vec![Span::styled("▶ You", theme.selected())]
    } else {
        vec![Span::styled("You", theme.user())]
    };
    let s = &turn.siblings;
    if s.count() > 1 {
        spans.push(Span::styled(
            format!("  ‹ {}/{} ›", s.shown + 1, s.count()),
            theme.accent(),
        ));
    }
    Line::from(spans)
}

/// The turn's files: a chip each, and below an image's chip the rows its picture takes
/// (drawn over them by `draw`), when the terminal draws pictures.
fn attachment_lines(
    turn: &Turn,
    look: &TurnLook,
    out: &mut Vec<Line<'static>>,
    pictures: &mut Vec<(usize, u16, String)>,
) {
    for f in &turn.attachments {
        out.push(Line::from(Span::styled(
            format!("📎 {}", f.chip()),
            look.theme.dim(),
        )));
        if let Some(h) = look.pictures.rows(&f.sha256) {
            pictures.push((out.len() - 1, h, f.sha256.clone()));
            out.extend(std::iter::repeat_n(Line::default(), usize::from(h)));
        }
    }
}

pub(crate) fn turn_lines(
    prefix: &mut Option<PrefixCache>,
    index: usize,
    turn: &Turn,
    width: u16,
    look: &TurnLook,
) -> (Vec<Line<'static>>, Vec<(usize, u16, String)>) {
    let (show_thinking, theme, spinner) = (look.show_thinking, look.theme, look.spinner);
    let w = usize::from(width.max(8));
    let mut out = Vec::new();
    let mut pictures = Vec::new();
    let wrap = |spans: Vec<Span<'_>>| markdown::wrap_spans(&spans, w);
    out.push(prompt_head(turn, look));
    attachment_lines(turn, look, &mut out, &mut pictures);
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
    (out, pictures)
}

/// A picture fully on screen: its top row in the visible lines, its height, its hash.
pub type PictureSpot = (usize, u16, String);

/// Lines of the conversation that fall in a window `height` tall, `from_bottom` lines up
/// from the end. Renders (or reuses) turns from the last backwards, only as far as needed,
/// and clones only the lines that are visible.
pub fn visible_lines(
    app: &App,
    width: u16,
    height: usize,
) -> (Vec<Line<'static>>, usize, Vec<PictureSpot>) {
    let chat = &app.chat;
    let mut cache = chat.render_cache.borrow_mut();
    cache.turns.retain(|i, _| *i < chat.turns.len());
    let mut needed = chat.scroll.from_bottom + height;
    let mut used: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let mut all_measured = true;
    let mut below_selected = None;
    for (i, turn) in chat.turns.iter().enumerate().rev() {
        // In select mode the picked turn is kept in view: it and all below it are rendered.
        let must = chat.selected.is_some_and(|s| i >= s);
        if !must && total >= needed {
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
            selected: chat.selected == Some(i),
        };
        if cache.turns.get(&i).is_none_or(|c| c.key != key) {
            let look = TurnLook {
                show_thinking: chat.show_thinking,
                theme: app.theme,
                spinner: app.spinner,
                selected: key.selected,
                pictures: &app.pictures,
            };
            let (lines, pictures) = turn_lines(&mut cache.stream_prefix, i, turn, width, &look);
            cache.turns.insert(
                i,
                CachedTurn {
                    key,
                    lines,
                    pictures,
                },
            );
        }
        let h = cache.turns.get(&i).map_or(0, |c| c.lines.len());
        if chat.selected == Some(i) {
            // The turn's top in view: the lines below it, less what does not fit.
            let b = total + h.saturating_sub(height);
            below_selected = Some(b);
            needed = b + height;
        }
        total += h;
        used.push(i);
    }
    cache.max_scroll = all_measured.then(|| total.saturating_sub(height));
    let from_bottom = below_selected
        .unwrap_or(chat.scroll.from_bottom)
        .min(cache.max_scroll());
    // Line numbers counted from the top of the rendered turns.
    let end = total.saturating_sub(from_bottom);
    let start = end.saturating_sub(height);
    let mut visible = Vec::with_capacity(height);
    let mut spots = Vec::new();
    let mut line_no = 0usize;
    for i in used.into_iter().rev() {
        let Some(c) = cache.turns.get(&i) else {
            continue;
        };
        let lines = c.lines.as_slice();
        let (a, b) = (line_no, line_no + lines.len());
        line_no = b;
        if b <= start || a >= end {
            continue;
        }
        let from = start.saturating_sub(a);
        let to = (end - a).min(lines.len());
        visible.extend_from_slice(&lines[from..to]);
        // A picture is drawn only when all of it is in view: terminals cannot draw part.
        for (chip, h, sha) in &c.pictures {
            let top = a + chip + 1;
            if top >= start && top + usize::from(*h) <= end {
                spots.push((top - start, *h, sha.clone()));
            }
        }
    }
    (visible, from_bottom, spots)
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let (conv, comp) = layout::chat(area, app.composer.lines().len());
    let chips_h = u16::from(!app.chat.attached.is_empty() || !app.chat.compose.reading.is_empty());
    let chips = Rect {
        y: conv.bottom().saturating_sub(chips_h),
        height: chips_h,
        ..conv
    };
    let conv = Rect {
        height: conv.height.saturating_sub(chips_h),
        ..conv
    };
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
        let (lines, from_bottom, spots) =
            visible_lines(app, conv_text.width, usize::from(conv_text.height));
        f.render_widget(Paragraph::new(lines), conv_text);
        for (row, h, sha) in spots {
            if let Some(p) = app.pictures.ready.get(&sha) {
                let size = p.0.size();
                let r = Rect {
                    x: conv_text.x + 3,
                    y: conv_text.y + u16::try_from(row).unwrap_or(0),
                    width: size.width.min(conv_text.width.saturating_sub(3)),
                    height: h,
                };
                f.render_widget(ratatui_image::Image::new(&p.0), r);
            }
        }
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
    if chips_h > 0 {
        f.render_widget(Paragraph::new(composer::chip_line(app)), chips);
    }
    if let Some(popup) = &app.chat.compose.popup {
        composer::draw_popup(f, app, popup, conv);
    }
    composer::draw(f, app, comp);
}

mod composer;

#[cfg(test)]
mod tests;
