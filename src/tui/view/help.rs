//! The help overlay (F1, `/help`): every key from the keymap, the `/commands`, and where
//! the clipboard can be blocked. One column unless the screen is wide enough for two;
//! it scrolls when taller than the screen, so every section can be reached.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::layout;
use super::text::{width, wrap};
use crate::tui::app::App;
use crate::tui::keymap::help_rows;
use crate::tui::state::chat::COMMANDS;

/// Two columns from this width on.
const TWO_COLUMNS: u16 = 120;
/// The key column's width, at most.
const KEYS_WIDTH: usize = 24;

/// What the clipboard section says: copying writes OSC 52, which a terminal may ignore.
const CLIPBOARD: &[&str] = &[
    "Ctrl-Y and Alt-Y send the text to the terminal's clipboard (OSC 52); the terminal may ignore it.",
    "xterm: allowWindowOps: true, or leave SetSelection out of disallowedWindowOps.",
    "tmux: set -g set-clipboard on.",
];

fn section(app: &App, title: &str, rows: &[(String, String)], w: usize) -> Vec<Line<'static>> {
    let kw = rows
        .iter()
        .map(|(k, _)| width(k))
        .max()
        .unwrap_or(0)
        .min(KEYS_WIDTH)
        .min(w / 3);
    let mut out = vec![Line::styled(title.to_string(), app.theme.heading())];
    for (keys, help) in rows {
        let text_w = w.saturating_sub(kw + 3).max(10);
        let mut first = true;
        // A key list wider than its column takes a line of its own.
        if width(keys) > kw {
            out.push(Line::styled(format!("  {keys}"), app.theme.accent()));
            first = false;
        }
        for part in wrap(help, text_w) {
            let k = if first { keys.as_str() } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!("  {k:<kw$} "), app.theme.accent()),
                Span::raw(part),
            ]));
            first = false;
        }
    }
    out
}

/// The overlay's sections at a column width of `w`.
fn sections(app: &App, w: usize) -> Vec<Vec<Line<'static>>> {
    let mut out: Vec<Vec<Line<'static>>> = Vec::new();
    // Notices in full: on screen a long one ends with `…`.
    let notices: Vec<&crate::tui::notice::Notice> =
        [&app.notice, &app.chat.notice, &app.keys.notice]
            .into_iter()
            .flatten()
            .collect();
    if !notices.is_empty() {
        let mut s = vec![Line::styled(
            "Notices (Esc clears them)",
            app.theme.heading(),
        )];
        for n in notices {
            let style = super::notice_style(app.theme, n.level, ratatui::style::Style::default());
            s.extend(
                wrap(n, w.saturating_sub(2))
                    .into_iter()
                    .map(|l| Line::styled(format!("  {l}"), style)),
            );
        }
        out.push(s);
    }
    if let Some(Err(detail)) = &app.keys.keyring {
        let mut s = vec![Line::styled("Keyring", app.theme.heading())];
        s.extend(
            wrap(detail, w.saturating_sub(2))
                .into_iter()
                .map(|l| Line::raw(format!("  {l}"))),
        );
        out.push(s);
    }
    let mut groups: Vec<(&str, Vec<(String, String)>)> = Vec::new();
    for (s, keys, help) in help_rows() {
        // Where this terminal sends Shift-Enter as Enter, say so instead of listing it.
        let keys = if keys.contains("Shift/Alt-Enter") && !app.keys_disambiguated {
            "Ctrl-J / Alt-Enter".to_string()
        } else {
            keys.to_string()
        };
        let help = if keys == "Ctrl-J / Alt-Enter" {
            format!("{help} (Shift-Enter sends here: this terminal does not tell them apart)")
        } else {
            help.to_string()
        };
        match groups.last_mut() {
            Some((name, rows)) if *name == s => rows.push((keys, help)),
            _ => groups.push((s, vec![(keys, help)])),
        }
    }
    let commands: Vec<(String, String)> = COMMANDS
        .iter()
        .map(|c| {
            let name = format!("/{}", c.name);
            (name, format!("{} {}", c.args, c.help).trim().to_string())
        })
        .collect();
    let commands = section(app, "Commands (type / in the chat)", &commands, w);
    if app.help_commands_first {
        out.push(commands.clone());
    }
    for (name, rows) in &groups {
        out.push(section(app, name, rows, w));
        if *name == "Chat" && !app.help_commands_first {
            out.push(commands.clone());
        }
    }
    let mut clip = vec![Line::styled("Clipboard", app.theme.heading())];
    for l in CLIPBOARD {
        clip.extend(
            wrap(l, w.saturating_sub(2))
                .into_iter()
                .map(|l| Line::raw(format!("  {l}"))),
        );
    }
    out.push(clip);
    out
}

/// The box, its columns, and each column's lines.
fn layout_help(app: &App, area: Rect) -> (Rect, Vec<Vec<Line<'static>>>) {
    let two = area.width >= TWO_COLUMNS;
    let box_w = if two { area.width } else { area.width.min(100) };
    let inner_w = usize::from(box_w.saturating_sub(2));
    let col_w = if two { inner_w / 2 - 1 } else { inner_w };
    let all = sections(app, col_w);
    let mut columns: Vec<Vec<Line<'static>>> = vec![Vec::new()];
    if two {
        // Sections are never split between the columns; the split evens their heights.
        let heights: Vec<usize> = all.iter().map(|s| s.len() + 1).collect();
        let total: usize = heights.iter().sum();
        let split = (1..all.len())
            .min_by_key(|&k| {
                let left: usize = heights[..k].iter().sum();
                left.max(total - left)
            })
            .unwrap_or(all.len());
        columns.push(Vec::new());
        for (i, s) in all.into_iter().enumerate() {
            let c = &mut columns[usize::from(i >= split)];
            if !c.is_empty() {
                c.push(Line::default());
            }
            c.extend(s);
        }
    } else {
        for s in all {
            if !columns[0].is_empty() {
                columns[0].push(Line::default());
            }
            columns[0].extend(s);
        }
    }
    let tall = columns.iter().map(Vec::len).max().unwrap_or(0) + 2;
    let r = layout::centered(area, box_w, u16::try_from(tall).unwrap_or(u16::MAX));
    (r, columns)
}

/// How far the overlay can scroll on this screen.
pub fn max_scroll(app: &App) -> usize {
    let area = Rect::new(0, 0, app.size.0, app.size.1);
    let (r, columns) = layout_help(app, area);
    let tall = columns.iter().map(Vec::len).max().unwrap_or(0);
    tall.saturating_sub(usize::from(r.height.saturating_sub(2)))
}

pub fn draw(f: &mut Frame, app: &App) {
    let (r, columns) = layout_help(app, f.area());
    let tall = columns.iter().map(Vec::len).max().unwrap_or(0);
    let shown = usize::from(r.height.saturating_sub(2));
    let scroll = app.help_scroll.min(tall.saturating_sub(shown));
    f.render_widget(Clear, r);
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme.accent())
        .title(" Help — any other key closes ");
    if tall > shown {
        let end = (scroll + shown).min(tall);
        block = block
            .title(" ↑↓ PgUp PgDn scroll ")
            .title_bottom(Line::from(format!(" {}–{end} of {tall} ", scroll + 1)).right_aligned());
    }
    let inner = block.inner(r);
    f.render_widget(block, r);
    let n = u32::try_from(columns.len()).unwrap_or(1);
    let parts = ratatui::layout::Layout::horizontal(vec![
        ratatui::layout::Constraint::Ratio(1, n);
        columns.len()
    ])
    .spacing(1)
    .split(inner);
    let scroll = u16::try_from(scroll).unwrap_or(u16::MAX);
    for (col, area) in columns.into_iter().zip(parts.iter()) {
        f.render_widget(Paragraph::new(col).scroll((scroll, 0)), *area);
    }
}
