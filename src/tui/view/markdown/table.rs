//! Markdown tables: cells collected from the parser's events, columns sized to their
//! content and shrunk (widest first) until the table fits the width.

use pulldown_cmark::{Event, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use super::wrap::width_of;
use crate::tui::theme::Theme;

#[derive(Default)]
pub(super) struct Table {
    columns: usize,
    rows: Vec<Vec<String>>,
    cell: String,
    row: Vec<String>,
}

impl Table {
    pub(super) fn new(columns: usize) -> Self {
        Self {
            columns,
            ..Self::default()
        }
    }

    pub(super) fn event(&mut self, e: Event) {
        match e {
            Event::Text(t) | Event::Code(t) => self.cell.push_str(&t),
            Event::End(TagEnd::TableCell) => self.row.push(std::mem::take(&mut self.cell)),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                self.rows.push(std::mem::take(&mut self.row));
            }
            _ => {}
        }
    }

    pub(super) fn render(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
        let mut widths = vec![0usize; self.columns];
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(self.columns) {
                widths[i] = widths[i].max(width_of(c));
            }
        }
        // Shrink the widest columns until the table fits.
        let total = |w: &[usize]| w.iter().sum::<usize>() + 3 * w.len().saturating_sub(1);
        while total(&widths) > width && widths.iter().any(|w| *w > 3) {
            if let Some(m) = widths.iter_mut().max() {
                *m -= 1;
            }
        }
        let mut out = Vec::new();
        for (ri, r) in self.rows.iter().enumerate() {
            let mut spans = Vec::new();
            for (i, w) in widths.iter().enumerate() {
                let cell = r.get(i).map_or("", String::as_str);
                let fitted = fit(cell, *w);
                let style = if ri == 0 {
                    Style::new().add_modifier(Modifier::BOLD)
                } else {
                    Style::new()
                };
                spans.push(Span::styled(fitted, style));
                if i + 1 < widths.len() {
                    spans.push(Span::styled(" │ ", theme.dim()));
                }
            }
            out.push(Line::from(spans));
            if ri == 0 {
                let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
                out.push(Line::styled(rule.join("─┼─"), theme.dim()));
            }
        }
        out
    }
}

/// Pads or cuts `s` to exactly `w` columns (a cut ends in `…`).
fn fit(s: &str, w: usize) -> String {
    let sw = width_of(s);
    if sw <= w {
        return format!("{s}{}", " ".repeat(w - sw));
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    out.push('…');
    used += 1;
    out.push_str(&" ".repeat(w.saturating_sub(used)));
    out
}
