//! The Keys pane: the key list with the active one marked, the add/rename forms (the
//! secret shown masked as it is pasted), removal confirmation, and the first-run welcome.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::config::Backend;
use crate::credentials::mask;
use crate::status::endpoint_label;
use crate::tui::app::App;
use crate::tui::state::keys::{AddField, KeysMode};
use crate::tui::theme::Theme;

pub const WELCOME: &[&str] = &[
    "Welcome to oat. It needs a credential to talk to Claude:",
    "",
    "  • an API key from https://console.anthropic.com/settings/keys — the supported route, or",
    "  • a setup token: run `claude setup-token` with a Claude Pro/Max/Team subscription",
    "    (Anthropic intends these for Claude Code; they may be refused elsewhere).",
    "",
    "Press a, then paste it. It is checked with Anthropic and kept in your OS keyring.",
];

/// Why a key was not added, and what to do about it here.
pub fn add_failure_words(e: &crate::worker::AddKeyError) -> String {
    use crate::worker::AddKeyError as E;
    match e {
        E::Malformed(e) => format!("Not stored: {e}"),
        E::Name(e) => format!("Not stored: {e}. Tab moves to the name; choose another."),
        E::NoKeyring => "No OS keyring is available here. Ctrl-F stores the key in a plain-text \
             0600 file instead (readable only by you)."
            .into(),
        E::Refused(e) => format!("Not stored: {e} — {}", e.advice()),
        E::Store(e) => format!("Not stored: {e}"),
    }
}

fn form_lines(app: &App, theme: Theme) -> Vec<Line<'static>> {
    match &app.keys.mode {
        KeysMode::Adding {
            secret,
            name,
            field,
        } => {
            let shown = if secret.is_blank() {
                String::new()
            } else {
                mask(&crate::credentials::token::repair(secret.expose()))
            };
            let mark = |f: AddField| {
                if *field == f {
                    Span::styled("› ", theme.accent())
                } else {
                    Span::raw("  ")
                }
            };
            vec![
                Line::styled(
                    "Add a key — Enter saves, Tab switches field, Ctrl-F saves to the 0600 file, Esc cancels",
                    theme.accent(),
                ),
                Line::from(vec![
                    mark(AddField::Secret),
                    Span::raw("Secret: "),
                    Span::styled(shown, theme.code()),
                ]),
                Line::from(vec![
                    mark(AddField::Name),
                    Span::raw("Name:   "),
                    Span::raw(if name.is_empty() {
                        "(default)".to_string()
                    } else {
                        name.clone()
                    }),
                ]),
            ]
        }
        KeysMode::Renaming { input } => vec![
            Line::styled("Rename — Enter saves, Esc cancels", theme.accent()),
            Line::from(vec![Span::raw("New name: "), Span::raw(input.clone())]),
        ],
        KeysMode::ConfirmRemove => {
            let name = app
                .keys
                .selected_key()
                .map_or(String::new(), |k| k.entry.meta.name.clone());
            vec![Line::styled(
                format!("Remove `{name}` and delete its secret? y / n"),
                theme.warn(),
            )]
        }
        KeysMode::Browse => vec![Line::styled(
            "a add · Enter use · r check · n rename · d remove · F1 help",
            theme.dim(),
        )],
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let theme = app.theme;
    // Wrapped here, not by the paragraph, so the area is as tall as the wrapped text (a
    // refusal is often longer than 80 columns) and the cursor knows its row.
    let mut lines = form_lines(app, theme);
    let fields = lines.len();
    lines.extend(footer_lines(app, theme));
    let (lines, starts) = wrap_lines(lines, area.width);
    let footer_h = u16::try_from(lines.len()).unwrap_or(4) + 1;
    let [list_area, bottom] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(footer_h)]).areas(area);

    if app.keys.keys.is_empty() {
        let lines: Vec<Line> = if app.keys.load.is_loading() {
            vec![Line::styled("Loading keys…", theme.dim())]
        } else {
            WELCOME.iter().map(|l| Line::raw(*l)).collect()
        };
        f.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .block(Block::default().borders(Borders::ALL).title(" Keys ")),
            list_area,
        );
    } else {
        f.render_widget(key_table(app, list_area.width), list_area);
    }
    // The cursor sits at the end of the field being typed into, the line the `›` marks.
    if let KeysMode::Adding { field, .. } = &app.keys.mode {
        let row = match field {
            AddField::Secret => 1,
            AddField::Name => 2,
        };
        let row = starts.get(row).copied().filter(|_| row < fields);
        if let Some((row, line)) = row.and_then(|r| Some((r, lines.get(r)?))) {
            let x = bottom.x + u16::try_from(line.width()).unwrap_or(0);
            let y = bottom.y + u16::try_from(row).unwrap_or(0);
            if x < bottom.right() && y < bottom.bottom() {
                f.set_cursor_position(ratatui::layout::Position::new(x, y));
            }
        }
    }
    f.render_widget(Paragraph::new(lines), bottom);
}

/// Under the form: the last outcome, and whether keys can go to the OS keyring.
fn footer_lines(app: &App, theme: Theme) -> Vec<Line<'static>> {
    let mut footer = Vec::new();
    if let Some(n) = &app.keys.notice {
        footer.push(Line::styled(
            n.text.clone(),
            super::notice_style(theme, n.level, theme.ok()),
        ));
    }
    // One calm line, until a key is in the file: by then the person knows. The library's
    // own words are in the help (F1) and the log.
    let uses_file = app
        .keys
        .keys
        .iter()
        .any(|k| k.entry.meta.backend == Backend::File);
    if matches!(app.keys.keyring, Some(Err(_))) && !uses_file {
        footer.push(Line::styled(
            "No OS keyring on this machine: keys go to a 0600 file (Ctrl-F when adding; F1 says why).",
            theme.warn(),
        ));
    }
    footer
}

/// Which columns fit. Those that do not are left out whole, least needed first: the
/// store, the kind, then the masked secret (the name and the last check always stay).
struct Columns {
    name_w: usize,
    secret: bool,
    kind: bool,
    store: bool,
}

impl Columns {
    fn fitting(app: &App, width: u16) -> Self {
        let name_w = app
            .keys
            .keys
            .iter()
            .map(|k| shown_name(&k.entry.meta).chars().count())
            .max()
            .unwrap_or(4)
            .clamp(4, 32);
        let inner = usize::from(width.saturating_sub(2));
        let base = 1 + 1 + name_w + 1 + 18;
        let secret = base + 25 <= inner;
        let kind = secret && base + 25 + 8 <= inner;
        let store = kind && base + 25 + 16 <= inner;
        Self {
            name_w,
            secret,
            kind,
            store,
        }
    }
}

/// A key's name, with the endpoint it is for when that is not Anthropic's.
fn shown_name(m: &crate::config::KeyMeta) -> String {
    match &m.base_url {
        Some(url) => format!("{} @{}", m.name, endpoint_label(url)),
        None => m.name.clone(),
    }
}

fn key_table(app: &App, width: u16) -> Table<'static> {
    let theme = app.theme;
    let cols = Columns::fitting(app, width);
    let rows: Vec<Row> = app
        .keys
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| {
            let row = key_row(app, k, &cols);
            if i == app.keys.selected {
                row.style(theme.selected())
            } else {
                row
            }
        })
        .collect();
    let mut widths = vec![
        Constraint::Length(1),
        Constraint::Length(u16::try_from(cols.name_w).unwrap_or(12)),
    ];
    let mut header = vec!["", "NAME"];
    if cols.kind {
        widths.push(Constraint::Length(7));
        header.push("KIND");
    }
    if cols.store {
        widths.push(Constraint::Length(7));
        header.push("STORE");
    }
    if cols.secret {
        widths.push(Constraint::Length(24));
        header.push("SECRET");
    }
    widths.push(Constraint::Min(18));
    header.push("LAST CHECK");
    Table::new(rows, widths)
        .header(Row::new(header).style(theme.dim()))
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Keys — ● active "),
        )
}

fn key_row(app: &App, k: &crate::worker::KeyView, cols: &Columns) -> Row<'static> {
    let theme = app.theme;
    let m = &k.entry.meta;
    let in_use = app.keys.in_use.as_deref() == Some(m.name.as_str());
    let marker = if k.entry.active {
        "●"
    } else if in_use {
        "○"
    } else {
        " "
    };
    let check = m
        .last_validation
        .as_ref()
        .map_or("never checked".to_string(), |v| {
            format!(
                "{} {}",
                v.result,
                v.at.with_timezone(&chrono::Local).format("%m-%d %H:%M")
            )
        });
    let check_style = match m.last_validation.as_ref().map(|v| v.result.as_str()) {
        Some("valid") => theme.ok(),
        Some("unreachable") | None => theme.dim(),
        Some("rate_limited") => theme.warn(),
        Some(_) => theme.error(),
    };
    let mut cells = vec![
        Cell::from(Span::styled(marker, theme.accent())),
        Cell::from(shown_name(m)),
    ];
    if cols.kind {
        cells.push(Cell::from(m.kind.to_string()));
    }
    if cols.store {
        cells.push(Cell::from(m.backend.to_string()));
    }
    if cols.secret {
        cells.push(Cell::from(k.masked.clone()));
    }
    cells.push(Cell::from(Span::styled(check, check_style)));
    Row::new(cells)
}

/// Lines of one span wider than `width` are split at spaces (a word longer than the width
/// at the width); lines of several spans are short fields and stay as they are. Returns
/// the rows and the row each original line starts on.
fn wrap_lines(lines: Vec<Line<'static>>, width: u16) -> (Vec<Line<'static>>, Vec<usize>) {
    let width = usize::from(width.max(1));
    let mut rows: Vec<Line<'static>> = Vec::new();
    let mut starts = Vec::with_capacity(lines.len());
    for line in lines {
        starts.push(rows.len());
        if line.width() <= width || line.spans.len() != 1 {
            rows.push(line);
            continue;
        }
        let (line_style, span_style) = (line.style, line.spans[0].style);
        let mut current = String::new();
        let mut current_w = 0;
        let push = |text: &mut String, rows: &mut Vec<Line<'static>>| {
            rows.push(Line::from(Span::styled(std::mem::take(text), span_style)).style(line_style));
        };
        for word in line.spans[0].content.split(' ') {
            let w = unicode_width::UnicodeWidthStr::width(word);
            if current_w > 0 && current_w + 1 + w > width {
                push(&mut current, &mut rows);
                current_w = 0;
            }
            if current_w > 0 {
                current.push(' ');
                current_w += 1;
            }
            for c in word.chars() {
                let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
                if current_w + cw > width {
                    push(&mut current, &mut rows);
                    current_w = 0;
                }
                current.push(c);
                current_w += cw;
            }
        }
        if !current.is_empty() {
            push(&mut current, &mut rows);
        }
    }
    (rows, starts)
}
