//! The Status pane: everything `oat token status` says about the key in use, with a
//! coloured expiry gauge and bars for subscription usage when the API sent them, each right
//! under the figure it shows.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge, Paragraph, Wrap};

use super::markdown;
use ratatui::Frame;

use crate::credentials::Expiry;
use crate::status::StatusReport;
use crate::tui::app::App;

fn ago(app: &App) -> String {
    match app.status.checked_at {
        None => "not checked yet".into(),
        Some(t) => {
            let s = t.elapsed().as_secs();
            if s < 60 {
                "checked just now".into()
            } else {
                format!("checked {} min ago", s / 60)
            }
        }
    }
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" Token status — {} — r refreshes ", ago(app)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    match &app.status.report {
        Some(report) => draw_rows(f, report_rows(app, report), inner),
        None => f.render_widget(
            Paragraph::new(no_report(app)).wrap(Wrap { trim: false }),
            inner,
        ),
    }
}

/// Why there is no report yet: a failed check, one running, or no key to check.
fn no_report(app: &App) -> Line<'static> {
    let theme = app.theme;
    match (app.status.load.error(), app.status.load.is_loading()) {
        (Some(e), _) => Line::styled(e.to_string(), theme.error()),
        (None, true) => Line::styled("Checking the key with Anthropic…", theme.dim()),
        (None, false) => match app.keys.keys.len() {
            0 => Line::styled("No key in use: add one on the Keys pane.", theme.dim()),
            n => Line::styled(
                format!(
                    "No key is chosen ({n} stored): pick one on the Keys pane (Enter), or run `oat key use NAME`."
                ),
                theme.warn(),
            ),
        },
    }
}

/// The report's lines, styled, each gauge right under the line it illustrates, so the
/// pane reads top to bottom at any size, with no gap between a figure and its bar.
fn report_rows(app: &App, report: &StatusReport) -> Vec<Row> {
    let theme = app.theme;
    let unified = report.limits.unified.as_ref();
    let verdict_style = match report.check.as_ref().map(|c| c.verdict) {
        Some(v) if v.authenticated() => theme.ok(),
        Some(crate::status::Verdict::Unreachable) | None => theme.warn(),
        Some(_) => theme.error(),
    };
    let mut rows: Vec<Row> = Vec::new();
    for l in report.render().lines() {
        let style = if l.starts_with("Check") {
            verdict_style
        } else if l.starts_with("Expires")
            && matches!(
                report.expiry,
                Some(Expiry::Expiring { .. } | Expiry::Expired { .. })
            )
        {
            theme.warn()
        } else {
            ratatui::style::Style::default()
        };
        rows.push(Row::Text(l.to_string(), style));
        if l.starts_with("Expires") {
            rows.extend(expiry_gauge(app, report));
        }
        if let (Some(u), true) = (unified, l.starts_with("Usage")) {
            for (name, w) in [("5-hour", &u.five_hour), ("7-day", &u.seven_day)] {
                if l.contains(&format!("{name}:")) && !w.is_empty() {
                    rows.push(usage_gauge(app, w.utilization.unwrap_or(0.0)));
                }
            }
        }
    }
    if app.status.load.is_loading() {
        rows.push(Row::Text("Checking again…".into(), theme.dim()));
    }
    if let Some(e) = app.status.load.error() {
        rows.push(Row::Text(e.to_string(), theme.error()));
    }
    rows
}

/// Rows top to bottom, text wrapped with a hanging indent, until the pane is full.
fn draw_rows(f: &mut Frame, rows: Vec<Row>, inner: Rect) {
    let width = usize::from(inner.width.max(1));
    let mut y = inner.y;
    for row in rows {
        if y >= inner.bottom() {
            break;
        }
        match row {
            Row::Text(text, style) => {
                for line in hanging(&text, style, width) {
                    if y >= inner.bottom() {
                        break;
                    }
                    let at = Rect {
                        y,
                        height: 1,
                        ..inner
                    };
                    f.render_widget(Paragraph::new(line), at);
                    y += 1;
                }
            }
            Row::Gauge(gauge) => {
                // Under the values, which start after the 12-column labels.
                let x = inner.x + GAUGE_INDENT.min(inner.width / 3);
                let w = (inner.right() - x).min(GAUGE_WIDTH);
                let at = Rect {
                    x,
                    y,
                    width: w,
                    height: 1,
                };
                f.render_widget(*gauge, at);
                y += 1;
            }
        }
    }
}

const GAUGE_INDENT: u16 = 12;
/// Thick for what is used, thin for what is left: told apart without colour too.
const FILLED: &str = "━";
const UNFILLED: &str = "─";

/// `Label       value` wrapped so that continuation lines stay under the value.
fn hanging(text: &str, style: ratatui::style::Style, width: usize) -> Vec<Line<'static>> {
    let indent = usize::from(GAUGE_INDENT);
    let labelled = text.len() > indent
        && text.is_char_boundary(indent)
        && text[..indent].ends_with(' ')
        && width > indent + 8;
    if !labelled {
        return markdown::wrap_spans(&[Span::styled(text.to_string(), style)], width);
    }
    let (label, value) = text.split_at(indent);
    markdown::wrap_spans(&[Span::styled(value.to_string(), style)], width - indent)
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let head = if i == 0 {
                label.to_string()
            } else {
                " ".repeat(indent)
            };
            let mut spans = vec![Span::styled(head, style)];
            spans.extend(line.spans);
            Line::from(spans)
        })
        .collect()
}
const GAUGE_WIDTH: u16 = 48;

/// A line of the pane: text, or a bar under the figure it shows.
enum Row {
    Text(String, ratatui::style::Style),
    Gauge(Box<LineGauge<'static>>),
}

fn usage_gauge(app: &App, used: f64) -> Row {
    let theme = app.theme;
    let used = used.clamp(0.0, 1.0);
    let style = if used >= 0.9 {
        theme.error()
    } else if used >= 0.7 {
        theme.warn()
    } else {
        theme.ok()
    };
    Row::Gauge(Box::new(
        LineGauge::default()
            .ratio(used)
            .filled_symbol(FILLED)
            .unfilled_symbol(UNFILLED)
            .filled_style(style)
            .label(format!("{:>3.0}% used    ", used * 100.0)),
    ))
}

fn expiry_gauge(app: &App, report: &StatusReport) -> Option<Row> {
    let theme = app.theme;
    let refused = report.check.as_ref().is_some_and(|c| {
        !c.verdict.authenticated() && c.verdict != crate::status::Verdict::Unreachable
    });
    let (ratio, label, style) = match report.expiry {
        Some(Expiry::Valid { days_left, .. }) => (
            days_left as f64 / 365.0,
            format!("{days_left} days left"),
            theme.ok(),
        ),
        Some(Expiry::Expiring { days_left, .. }) => (
            days_left as f64 / 365.0,
            format!("{days_left} days left — renew soon"),
            theme.warn(),
        ),
        Some(Expiry::Expired { .. }) => (0.0, "expired (estimate)".into(), theme.error()),
        _ => return None,
    };
    let style = if refused { theme.error() } else { style };
    Some(Row::Gauge(Box::new(
        LineGauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .filled_symbol(FILLED)
            .unfilled_symbol(UNFILLED)
            .filled_style(style)
            .label(Span::styled(format!("{label:<12}"), style)),
    )))
}
