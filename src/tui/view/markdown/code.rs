//! Fenced code: highlighted with syntect (loaded once, on the first code block), wrapped
//! by characters so indentation survives, with a gutter.

use std::sync::OnceLock;

use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme as SynTheme, ThemeSet};
use syntect::parsing::SyntaxSet;
use unicode_width::UnicodeWidthChar;

use super::wrap::Wrapper;
use crate::tui::theme::Theme;

/// The syntaxes and the two highlighting themes (for dark and light backgrounds).
fn syntaxes() -> &'static (SyntaxSet, SynTheme, SynTheme) {
    static SETS: OnceLock<(SyntaxSet, SynTheme, SynTheme)> = OnceLock::new();
    SETS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let pick = |name: &str| themes.themes.get(name).cloned().unwrap_or_default();
        (
            SyntaxSet::load_defaults_newlines(),
            pick("base16-ocean.dark"),
            pick("InspiredGitHub"),
        )
    })
}

/// Highlights and wraps a code block; each line gets a two-column gutter.
pub(super) fn code_lines(
    lang: &str,
    body: &str,
    width: usize,
    theme: Theme,
    prefix: &[Span<'static>],
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let gutter = Span::styled("▎ ", theme.dim());
    let label = if lang.is_empty() {
        String::new()
    } else {
        format!(" {lang}")
    };
    let mut head = prefix.to_vec();
    head.push(Span::styled(format!("┌─{label}"), theme.dim()));
    out.push(Line::from(head));
    let (set, dark, light) = syntaxes();
    let syn_theme = if theme.light { light } else { dark };
    let syntax = (!lang.is_empty())
        .then(|| set.find_syntax_by_token(lang))
        .flatten()
        .unwrap_or_else(|| set.find_syntax_plain_text());
    let mut hl = HighlightLines::new(syntax, syn_theme);
    for line in body.lines() {
        let mut w = Wrapper::new(width);
        w.prefix = prefix.to_vec();
        w.prefix.push(gutter.clone());
        let with_newline = format!("{line}\n");
        let ranges = if theme.highlight() {
            hl.highlight_line(&with_newline, set).unwrap_or_default()
        } else {
            Vec::new()
        };
        if ranges.is_empty() {
            code_text(&mut w, line, theme.code());
        } else {
            for (s, piece) in ranges {
                let c = s.foreground;
                code_text(
                    &mut w,
                    piece.trim_end_matches('\n'),
                    Style::new().fg(Color::Rgb(c.r, c.g, c.b)),
                );
            }
        }
        if w.at_line_start() {
            w.start_line_if_needed();
        }
        w.flush();
        out.extend(w.lines);
    }
    let mut foot = prefix.to_vec();
    foot.push(Span::styled("└─", theme.dim()));
    out.push(Line::from(foot));
    out
}

/// Code keeps its spaces and breaks by characters, never at word boundaries.
fn code_text(w: &mut Wrapper, text: &str, style: Style) {
    for c in text.chars() {
        let c = if c == '\t' { ' ' } else { c };
        let cw = c.width().unwrap_or(0);
        w.start_line_if_needed();
        if w.current_width + cw > w.width {
            w.flush();
            w.start_line_if_needed();
        }
        let mut buf = [0u8; 4];
        w.push_piece(c.encode_utf8(&mut buf), style);
        w.current_width += cw;
    }
}
