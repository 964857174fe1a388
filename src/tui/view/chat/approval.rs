//! The question a tool call asks, drawn over the foot of the transcript: the server, the
//! tool, its arguments pretty-printed and cut to what fits, and the keys that answer
//! (or the reason being typed after `n`). Reads state only.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use crate::tui::app::App;
use crate::tui::state::chat::tools::PendingCall;

/// The most argument lines shown; the rest is counted.
const ARGUMENT_LINES: usize = 12;

pub(super) fn draw(f: &mut Frame, app: &App, pending: &PendingCall, area: Rect) {
    let theme = app.theme;
    let call = &pending.call;
    let (server, tool) = call.tool.as_ref().map_or(("?", call.name.as_str()), |t| {
        (t.server.as_str(), t.name.as_str())
    });
    let inner_w = usize::from(area.width.saturating_sub(4)).max(10);
    let mut lines = vec![Line::from(vec![
        Span::styled("Claude asks to run ", theme.dim()),
        Span::styled(tool.to_string(), theme.accent()),
        Span::styled(format!(" (server {server}) with:"), theme.dim()),
    ])];
    let args = serde_json::to_string_pretty(&call.input).unwrap_or_default();
    let all: Vec<&str> = args.lines().collect();
    for l in all.iter().take(ARGUMENT_LINES) {
        lines.push(Line::raw(crate::tui::view::text::ellipsize(l, inner_w)));
    }
    if all.len() > ARGUMENT_LINES {
        lines.push(Line::styled(
            format!("… {} more lines", all.len() - ARGUMENT_LINES),
            theme.dim(),
        ));
    }
    lines.push(match &pending.reason {
        // The longest that fits: at 80 columns the whole sentence would be cut.
        None => Line::styled(
            [
                "y allow once · a allow this tool for the conversation · n deny · Esc stop the reply",
                "y once · a always, this conversation · n deny · Esc stop",
                "y once · a always · n deny · Esc stop",
            ]
            .into_iter()
            .find(|k| k.chars().count() <= inner_w)
            .unwrap_or("y · a · n · Esc"),
            theme.warn(),
        ),
        Some(r) => Line::from(vec![
            Span::styled(
                "Why (sent to Claude; Enter denies, empty for none): ",
                theme.warn(),
            ),
            Span::raw(r.clone()),
        ]),
    });
    let h = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let r = Rect {
        y: area.bottom().saturating_sub(h),
        height: h,
        ..area
    };
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Tool call ")),
        r,
    );
}
