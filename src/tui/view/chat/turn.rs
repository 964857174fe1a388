//! One turn of the conversation as lines: the prompt with its files (and the rows their
//! pictures take), the reply's Markdown (a streaming reply re-renders only its unsettled
//! tail), thinking, sources, usage and state. Pure: the caller caches the result.

use ratatui::text::{Line, Span};

use super::markdown;
use crate::tui::pictures::Pictures;
use crate::tui::render_cache::PrefixCache;
use crate::tui::state::chat::{ReplyState, Turn, TurnFailure};
use crate::tui::theme::Theme;

/// The byte length of `text` up to its last paragraph break outside a code fence.
pub(super) fn settled_len(text: &str) -> usize {
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
    turn_id: u64,
    text: &str,
    width: usize,
    theme: Theme,
    streaming: bool,
) -> Vec<Line<'static>> {
    if !streaming {
        return markdown::render(text, width, theme);
    }
    let settled = settled_len(text);
    let reusable = cache
        .as_ref()
        .filter(|c| c.turn == turn_id && c.width == width && c.theme == theme && c.len == settled);
    let mut lines = match reusable {
        Some(c) => c.lines.clone(),
        None => {
            let lines = markdown::render(&text[..settled], width, theme);
            *cache = Some(PrefixCache {
                turn: turn_id,
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

/// The "Claude" line: the model, then what the reply cost and how fast it came.
fn reply_head(turn: &Turn, theme: Theme) -> Vec<Span<'static>> {
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
    // Beside the cost it explains: a follow-up that paid for its prompt again.
    if let Some(miss) = &turn.cache_miss {
        head.push(Span::styled(format!(" · {miss}"), theme.dim()));
    }
    if let Some(t) = turn.first_token {
        head.push(Span::styled(
            format!(" · first token {:.2}s", t.as_secs_f64()),
            theme.dim(),
        ));
    }
    head
}

/// Thinking, shown indented or folded to one line; thinking with no text (omitted by the
/// API, or redacted) is one line, never an empty box.
fn thinking_lines(turn: &Turn, look: &TurnLook, w: usize, out: &mut Vec<Line<'static>>) {
    let theme = look.theme;
    let wrap = |spans: Vec<Span<'_>>| markdown::wrap_spans(&spans, w);
    if !turn.thinking.is_empty() {
        if look.show_thinking {
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
    for line in &turn.unseen_thinking {
        out.extend(wrap(vec![Span::styled(format!("▸ {line}"), theme.dim())]));
    }
}

/// The reply's state under it: the spinner, the cursor, or how it ended (a failure's
/// error line goes to `out` first, its advice is returned).
fn state_spans(
    turn: &Turn,
    look: &TurnLook,
    w: usize,
    out: &mut Vec<Line<'static>>,
) -> Vec<Span<'static>> {
    let theme = look.theme;
    match &turn.state {
        ReplyState::Waiting => {
            let frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
            let frame = frames[look.spinner % frames.len()];
            vec![Span::styled(
                format!("{frame} waiting for the first token…"),
                theme.dim(),
            )]
        }
        ReplyState::Streaming => vec![Span::styled("▍", theme.accent())],
        ReplyState::Stopped => vec![Span::styled("■ stopped (Ctrl-R regenerates)", theme.warn())],
        ReplyState::Failed(failure) => {
            let (error, advice) = failure_words(failure);
            out.extend(markdown::wrap_spans(
                &[Span::styled(format!("✗ {error}"), theme.error())],
                w,
            ));
            vec![Span::styled(format!("  {advice}"), theme.warn())]
        }
        ReplyState::Declined { sentence } => {
            vec![Span::styled(format!("⊘ {sentence}"), theme.warn())]
        }
        ReplyState::Done => Vec::new(),
    }
}

/// The whole turn, top to bottom: prompt and files, the reply's head, thinking, the
/// reply, its sources and activity, then notes and state. Also where pictures go.
pub(crate) fn turn_lines(
    prefix: &mut Option<PrefixCache>,
    turn: &Turn,
    width: u16,
    look: &TurnLook,
) -> (Vec<Line<'static>>, Vec<(usize, u16, String)>) {
    let theme = look.theme;
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
    out.extend(wrap(reply_head(turn, theme)));
    thinking_lines(turn, look, w, &mut out);
    let streaming = matches!(turn.state, ReplyState::Streaming | ReplyState::Waiting);
    out.extend(reply_lines(
        prefix, turn.id, &turn.text, w, theme, streaming,
    ));
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
    let status = state_spans(turn, look, w, &mut out);
    for note in &turn.notes {
        out.extend(wrap(vec![Span::styled(format!("ℹ {note}"), theme.dim())]));
    }
    if !status.is_empty() {
        out.extend(wrap(status));
    }
    out.push(Line::default());
    (out, pictures)
}

/// What a failed turn says, and what to do next, in the app's keys.
pub fn failure_words(f: &TurnFailure) -> (String, String) {
    use crate::api::web;
    match f {
        TurnFailure::NoKey { detail } => (
            format!("no key to send with: {detail}"),
            "Add one on the Keys pane (Alt-1), or set ANTHROPIC_API_KEY.".into(),
        ),
        TurnFailure::KeyStore { detail } => (
            format!("the key could not be read: {detail}"),
            "Check the keyring on the Keys pane (Alt-1); `oat doctor` says more.".into(),
        ),
        TurnFailure::Config { detail } => (
            format!("the config file could not be read: {detail}"),
            "Fix it (`oat config edit` in a shell), then send again.".into(),
        ),
        TurnFailure::Api { error, web: true } if web::refused_for_tools(error) => (
            error.to_string(),
            format!("{} /web off sends without it.", web::TOOLS_OFF_ADVICE),
        ),
        TurnFailure::Api { error, .. } => {
            let mut advice = error.advice().to_string();
            // A rate limit that says when: the app says it too, in the keys it has.
            if let crate::api::ApiError::RateLimited {
                retry_after: Some(wait),
                ..
            } = error
            {
                advice = format!(
                    "{advice} Ctrl-R asks again in {}.",
                    crate::status::human_duration(*wait)
                );
            }
            (error.to_string(), advice)
        }
        TurnFailure::Internal(detail) => (
            format!("oat failed: {detail}"),
            "Ctrl-R tries again; the log (`oat doctor` names it) has more.".into(),
        ),
        TurnFailure::CutOff => ("this reply was cut off".into(), "Ctrl-R asks again.".into()),
        TurnFailure::ConversationGone(c) => (
            format!("conversation {c} was deleted, so nothing was sent"),
            "Your prompt is back in the composer: Enter sends it in a new conversation.".into(),
        ),
    }
}

#[cfg(test)]
mod tests;
