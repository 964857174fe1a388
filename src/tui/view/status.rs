//! The Status pane: everything `oat token status` says about the key in use, with a
//! coloured expiry gauge and bars for subscription usage when the API sent them.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};
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
    let theme = app.theme;
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" Token status — {} — r refreshes ", ago(app)));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(report) = &app.status.report else {
        let text = match (&app.status.error, app.status.loading) {
            (Some(e), _) => Line::styled(e.clone(), theme.error()),
            (None, true) => Line::styled("Checking the key with Anthropic…", theme.dim()),
            (None, false) => Line::styled("No key in use: add one on the Keys pane.", theme.dim()),
        };
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), inner);
        return;
    };
    let unified = report.limits.unified.as_ref();
    let bars = unified.map_or(0, |u| {
        usize::from(!u.five_hour.is_empty()) + usize::from(!u.seven_day.is_empty())
    });
    let gauge_h = if matches!(report.expiry, Some(Expiry::None) | None) {
        0
    } else {
        1
    };
    let [text_area, gauge_area, usage_area] = Layout::vertical([
        Constraint::Min(3),
        Constraint::Length(gauge_h),
        Constraint::Length(u16::try_from(bars).unwrap_or(0)),
    ])
    .areas(inner);
    let mut lines: Vec<Line> = Vec::new();
    let verdict_style = match report.check.as_ref().map(|c| c.verdict) {
        Some(v) if v.authenticated() => theme.ok(),
        Some(crate::status::Verdict::Unreachable) | None => theme.warn(),
        Some(_) => theme.error(),
    };
    for l in report.render().lines() {
        if l.starts_with("Check") {
            lines.push(Line::styled(l.to_string(), verdict_style));
        } else if l.starts_with("Expires")
            && matches!(
                report.expiry,
                Some(Expiry::Expiring { .. } | Expiry::Expired { .. })
            )
        {
            lines.push(Line::styled(l.to_string(), theme.warn()));
        } else {
            lines.push(Line::raw(l.to_string()));
        }
    }
    if app.status.loading {
        lines.push(Line::styled("Checking again…", theme.dim()));
    }
    if let Some(e) = &app.status.error {
        lines.push(Line::styled(e.clone(), theme.error()));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text_area);
    draw_expiry(f, app, report, gauge_area);
    if let Some(u) = unified {
        let rows = Layout::vertical([Constraint::Length(1); 2]).split(usage_area);
        let mut i = 0;
        for (name, w) in [("5-hour", &u.five_hour), ("7-day", &u.seven_day)] {
            if w.is_empty() || i >= rows.len() {
                continue;
            }
            let used = w.utilization.unwrap_or(0.0).clamp(0.0, 1.0);
            let style = if used >= 0.9 {
                theme.error()
            } else if used >= 0.7 {
                theme.warn()
            } else {
                theme.ok()
            };
            let g = Gauge::default()
                .ratio(used)
                .gauge_style(style)
                .label(format!("{name} usage {:.0}%", used * 100.0));
            f.render_widget(g, rows[i]);
            i += 1;
        }
    }
}

fn draw_expiry(f: &mut Frame, app: &App, report: &StatusReport, area: Rect) {
    if area.height == 0 {
        return;
    }
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
        _ => return,
    };
    let style = if refused { theme.error() } else { style };
    f.render_widget(
        Gauge::default()
            .ratio(ratio.clamp(0.0, 1.0))
            .gauge_style(style)
            .label(Span::raw(label)),
        area,
    );
}
