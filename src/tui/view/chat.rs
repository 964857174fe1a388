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
use crate::tui::render_cache::{CacheKey, CachedTurn};
use crate::tui::state::chat::ReplyState;

mod approval;
mod composer;
mod tabs;
mod turn;
pub use turn::failure_words;
use turn::{TurnLook, turn_lines};

/// A picture fully on screen: its top row in the visible lines, its height, its hash.
pub type PictureSpot = (usize, u16, String);

/// Where a picture only partly in view is: its first visible row. Terminals cannot draw
/// part of one, so the row says what is there instead of staying blank.
const PART_PICTURE: &str = "  ▒ picture: scroll to see it";

/// Lines of the conversation that fall in a window `height` tall, `from_bottom` lines up
/// from the end. Renders (or reuses) turns from the last backwards, only as far as needed,
/// and clones only the lines that are visible.
pub fn visible_lines(
    app: &App,
    width: u16,
    height: usize,
) -> (Vec<Line<'static>>, usize, Vec<PictureSpot>) {
    let mut cache = app.chat.render_cache.borrow_mut();
    let m = measure(app, &mut cache, width, height);
    let (visible, spots) = cut(app, &cache, &m, height);
    (visible, m.from_bottom, spots)
}

/// The turns rendered (newest last) to fill the view, and where the view's bottom is.
struct Measured {
    used: Vec<usize>,
    total: usize,
    from_bottom: usize,
}

/// Renders turns from the newest up (through the cache) until the view and what it is
/// scrolled by are filled; the selected turn, in select mode, is always reached.
fn measure(
    app: &App,
    cache: &mut crate::tui::render_cache::RenderCache,
    width: u16,
    height: usize,
) -> Measured {
    let chat = &app.chat;
    // Turns that left the screen (a branch switched away, `/new`) leave the cache; only
    // checked when it holds more than is shown, so a steady frame pays nothing.
    if cache.turns.len() > chat.turns.len() {
        let shown: std::collections::HashSet<u64> = chat.turns.iter().map(|t| t.id).collect();
        cache.turns.retain(|id, _| shown.contains(id));
    }
    let mut needed = chat.scroll.from_bottom + height;
    let mut from_bottom = chat.scroll.from_bottom;
    let last = chat.turns.len().saturating_sub(1);
    let mut used: Vec<usize> = Vec::new();
    let mut total = 0usize;
    let mut all_measured = true;
    let mut below_selected = None;
    for i in (0..chat.turns.len()).rev() {
        // In select mode the picked turn is kept in view: it and all below it are rendered.
        let must = chat.selected.is_some_and(|s| i >= s);
        if !must && total >= needed {
            all_measured = false;
            break;
        }
        let h = rendered_height(app, cache, i, width);
        if i == last
            && from_bottom > 0
            && let Some(hold) = chat.scroll.hold
        {
            // Scrolled up while the reply grows: what it added is below the view.
            let grown = h.saturating_sub(hold);
            from_bottom += grown;
            needed += grown;
        }
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
        .unwrap_or(from_bottom)
        .min(cache.max_scroll());
    Measured {
        used,
        total,
        from_bottom,
    }
}

/// Turn `i`'s lines at `width`, rendered unless the cache has them as they are now; their
/// number.
fn rendered_height(
    app: &App,
    cache: &mut crate::tui::render_cache::RenderCache,
    i: usize,
    width: u16,
) -> usize {
    let chat = &app.chat;
    let turn = &chat.turns[i];
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
    if cache.turns.get(&turn.id).is_none_or(|c| c.key != key) {
        let look = TurnLook {
            show_thinking: chat.show_thinking,
            theme: app.theme,
            spinner: app.spinner,
            selected: key.selected,
            pictures: &app.pictures,
        };
        let (lines, pictures) = turn_lines(&mut cache.stream_prefix, turn, width, &look);
        cache.turns.insert(
            turn.id,
            CachedTurn {
                key,
                lines,
                pictures,
            },
        );
    }
    cache.turns.get(&turn.id).map_or(0, |c| c.lines.len())
}

/// The rows of the rendered turns that are in view, and the pictures wholly in it.
fn cut(
    app: &App,
    cache: &crate::tui::render_cache::RenderCache,
    m: &Measured,
    height: usize,
) -> (Vec<Line<'static>>, Vec<PictureSpot>) {
    // Line numbers counted from the top of the rendered turns.
    let end = m.total.saturating_sub(m.from_bottom);
    let start = end.saturating_sub(height);
    let mut visible = Vec::with_capacity(height);
    let mut spots = Vec::new();
    let mut line_no = 0usize;
    for &i in m.used.iter().rev() {
        let Some(c) = cache.turns.get(&app.chat.turns[i].id) else {
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
        // Part of one in view gets a line saying so on its first visible row.
        for (chip, h, sha) in &c.pictures {
            let top = a + chip + 1;
            let bottom = top + usize::from(*h);
            if top >= start && bottom <= end {
                spots.push((top - start, *h, sha.clone()));
            } else if top < end && bottom > start {
                let row = top.max(start) - start;
                if let Some(l) = visible.get_mut(row) {
                    *l = Line::styled(PART_PICTURE, app.theme.dim());
                }
            }
        }
    }
    (visible, spots)
}

/// The lines under the conversation: the context gate's choices when it is up, else the
/// notice, wrapped; at most `NOTICE_ROWS` rows, the last ending with `…` when cut (the
/// whole text is in the log).
const NOTICE_ROWS: usize = 4;

fn notice_lines(app: &App, width: u16) -> Vec<Line<'static>> {
    let theme = app.theme;
    let w = usize::from(width.max(1));
    let mut rows: Vec<String> = Vec::new();
    if let Some(g) = &app.chat.gate {
        rows.extend(super::text::wrap(&g.headline(), w));
        // One choice a line: the key, then what it does, wrapped under itself.
        for (key, what) in g.choices() {
            let lead = format!("  {key:<4} ");
            let pad = " ".repeat(lead.len());
            for (i, l) in super::text::wrap(&what, w.saturating_sub(lead.len()))
                .into_iter()
                .enumerate()
            {
                rows.push(format!("{}{l}", if i == 0 { &lead } else { &pad }));
            }
        }
        return rows
            .into_iter()
            .map(|r| Line::styled(r, theme.warn()))
            .collect();
    }
    let Some(n) = &app.chat.notice else {
        return Vec::new();
    };
    let mut rows = super::text::wrap(n, w);
    if rows.len() > NOTICE_ROWS {
        rows.truncate(NOTICE_ROWS);
        if let Some(last) = rows.last_mut() {
            *last = super::text::ellipsize(&format!("{last} …"), w);
        }
    }
    rows.into_iter()
        .map(|r| Line::styled(r, theme.warn()))
        .collect()
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    let area = draw_tab_bar(f, app, area);
    let (conv, comp) = layout::chat(area, app.composer.lines().len());
    // Chips wrap, whole; at most a third of the conversation's rows.
    let chip_lines = composer::chip_lines(app, conv.width);
    let chips_h = u16::try_from(chip_lines.len())
        .unwrap_or(0)
        .min((conv.height / 3).max(1));
    let chips = Rect {
        y: conv.bottom().saturating_sub(chips_h),
        height: chips_h,
        ..conv
    };
    let conv = Rect {
        height: conv.height.saturating_sub(chips_h),
        ..conv
    };
    let notice = notice_lines(app, conv.width);
    let notice_h = u16::try_from(notice.len())
        .unwrap_or(0)
        .min(conv.height.saturating_sub(1));
    // While the history cannot be written, every turn says so (one row, above notices).
    let unsaved_h = u16::from(app.history.error.is_some());
    let conv_text = Rect {
        height: conv.height.saturating_sub(notice_h + unsaved_h),
        ..conv
    };
    if app.chat.turns.is_empty() {
        f.render_widget(
            Paragraph::new(first_hint(app)).wrap(ratatui::widgets::Wrap { trim: false }),
            conv_text,
        );
    } else {
        draw_transcript(f, app, conv_text);
    }
    if unsaved_h > 0 {
        let r = Rect {
            y: conv.bottom().saturating_sub(1 + notice_h),
            height: 1,
            ..conv
        };
        f.render_widget(
            Paragraph::new(Span::styled(
                "⚠ Turns are not being saved: the history is unavailable (Alt-5 says why).",
                theme.error(),
            )),
            r,
        );
    }
    if notice_h > 0 {
        let r = Rect {
            y: conv.bottom().saturating_sub(notice_h),
            height: notice_h,
            ..conv
        };
        f.render_widget(Paragraph::new(notice), r);
    }
    if chips_h > 0 {
        f.render_widget(Paragraph::new(chip_lines), chips);
    }
    if let Some(pending) = &app.chat.approval {
        approval::draw(f, app, pending, conv);
    } else if let Some(popup) = &app.chat.compose.popup {
        composer::draw_popup(f, app, popup, conv);
    } else if let Some(found) = app.slash_popup() {
        composer::draw_slash_popup(f, app, &found, conv);
    }
    composer::draw(f, app, comp);
}

/// With several conversations open, their tabs on the first row; the rest of `area`.
fn draw_tab_bar(f: &mut Frame, app: &App, area: Rect) -> Rect {
    if app.tabs.len() < 2 || area.height <= 4 {
        return area;
    }
    let bar = Rect { height: 1, ..area };
    f.render_widget(Paragraph::new(tabs::bar(app, area.width)), bar);
    Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    }
}

/// What an empty chat says: how to begin.
fn first_hint(app: &App) -> Vec<Line<'static>> {
    let theme = app.theme;
    vec![
        Line::styled(
            "Ask anything. Enter sends; Ctrl-J adds a line.",
            theme.dim(),
        ),
        Line::styled(
            "Type / for the commands (/model, /system, /thinking, /effort, /web…).",
            theme.dim(),
        ),
        Line::styled(
            "@ or /attach adds a file · Ctrl-O opens $EDITOR · Alt-↑ selects turns.",
            theme.dim(),
        ),
        Line::styled("F1 lists every key.", theme.dim()),
    ]
}

/// The turns in view, the pictures wholly on screen over their places, and how many
/// lines are below when scrolled up.
fn draw_transcript(f: &mut Frame, app: &App, area: Rect) {
    let (lines, from_bottom, spots) = visible_lines(app, area.width, usize::from(area.height));
    f.render_widget(Paragraph::new(lines), area);
    for (row, h, sha) in spots {
        if let Some(p) = app.pictures.ready.get(&sha) {
            let size = p.0.size();
            let r = Rect {
                x: area.x + 3,
                y: area.y + u16::try_from(row).unwrap_or(0),
                width: size.width.min(area.width.saturating_sub(3)),
                height: h,
            };
            f.render_widget(ratatui_image::Image::new(&p.0), r);
        }
    }
    if from_bottom > 0 {
        let tag = format!(" ↓ {from_bottom} lines below (End) ");
        let w = u16::try_from(tag.chars().count())
            .unwrap_or(0)
            .min(area.width);
        let r = Rect {
            x: area.right().saturating_sub(w),
            y: area.bottom().saturating_sub(1),
            width: w,
            height: 1,
        };
        f.render_widget(Paragraph::new(Span::styled(tag, app.theme.selected())), r);
    }
}
