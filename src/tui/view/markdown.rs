//! Markdown to styled, wrapped terminal lines: headings, emphasis, lists, block quotes,
//! tables, links, rules and fenced code (highlighted with syntect). Wrapping counts
//! display width, so CJK and emoji take their two columns. Pure: text and width in,
//! lines out; the chat view caches the result.

use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use syntect::easy::HighlightLines;
use syntect::highlighting::{Theme as SynTheme, ThemeSet};
use syntect::parsing::SyntaxSet;
use unicode_width::UnicodeWidthChar;

use super::theme::Theme;

fn syntaxes() -> &'static (SyntaxSet, SynTheme) {
    static SETS: OnceLock<(SyntaxSet, SynTheme)> = OnceLock::new();
    SETS.get_or_init(|| {
        let themes = ThemeSet::load_defaults();
        let theme = themes
            .themes
            .get("base16-ocean.dark")
            .cloned()
            .unwrap_or_default();
        (SyntaxSet::load_defaults_newlines(), theme)
    })
}

/// Builds wrapped lines from styled text, with a prefix (quote bars, list indents) on
/// every line.
struct Wrapper {
    width: usize,
    lines: Vec<Line<'static>>,
    current: Vec<Span<'static>>,
    current_width: usize,
    /// Width of the prefix on the line being built.
    line_start: usize,
    prefix: Vec<Span<'static>>,
    /// The first line of a list item shows its bullet; the lines after it indent instead.
    first_prefix: Option<Vec<Span<'static>>>,
}

fn width_of(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

impl Wrapper {
    fn new(width: usize) -> Self {
        Self {
            width: width.max(4),
            lines: Vec::new(),
            current: Vec::new(),
            current_width: 0,
            line_start: 0,
            prefix: Vec::new(),
            first_prefix: None,
        }
    }

    fn prefix_width(&self) -> usize {
        let p = self.first_prefix.as_ref().unwrap_or(&self.prefix);
        p.iter().map(|s| width_of(&s.content)).sum()
    }

    fn start_line_if_needed(&mut self) {
        if self.current.is_empty() {
            let p = self
                .first_prefix
                .take()
                .unwrap_or_else(|| self.prefix.clone());
            self.current_width = p.iter().map(|s| width_of(&s.content)).sum();
            self.line_start = self.current_width;
            self.current = p;
        }
    }

    fn at_line_start(&self) -> bool {
        self.current.is_empty()
    }

    fn flush(&mut self) {
        // A line broken after a space would end in it: trailing spaces are noise.
        if let Some(last) = self.current.last_mut() {
            let trimmed = last.content.trim_end_matches(' ').len();
            if trimmed < last.content.len() {
                last.content.to_mut().truncate(trimmed);
            }
        }
        if !self.current.is_empty() {
            self.lines
                .push(Line::from(std::mem::take(&mut self.current)));
            self.current_width = 0;
        }
    }

    fn blank(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::default());
        }
    }

    fn push_piece(&mut self, piece: &str, style: Style) {
        if let Some(last) = self.current.last_mut() {
            if last.style == style {
                last.content.to_mut().push_str(piece);
                return;
            }
        }
        self.current.push(Span::styled(piece.to_string(), style));
    }

    /// Adds text, breaking at spaces where it can and inside words where it must.
    fn text(&mut self, text: &str, style: Style) {
        for word in split_keep_spaces(text) {
            self.start_line_if_needed();
            let w = width_of(word);
            let at_start = self.current_width == self.line_start;
            if word.starts_with(' ') {
                // Spaces never start a wrapped line, and a space that does not fit breaks it.
                if at_start {
                    continue;
                }
                if self.current_width + w <= self.width {
                    self.push_piece(word, style);
                    self.current_width += w;
                } else {
                    self.flush();
                }
                continue;
            }
            if self.current_width + w <= self.width {
                self.push_piece(word, style);
                self.current_width += w;
                continue;
            }
            let next_start: usize = self.prefix.iter().map(|s| width_of(&s.content)).sum();
            if !at_start && next_start + w <= self.width {
                self.flush();
                self.start_line_if_needed();
                self.push_piece(word, style);
                self.current_width += w;
                continue;
            }
            // A word longer than a line: split it by characters.
            for c in word.chars() {
                let cw = c.width().unwrap_or(0);
                self.start_line_if_needed();
                if self.current_width + cw > self.width && self.current_width > self.line_start {
                    self.flush();
                    self.start_line_if_needed();
                }
                let mut buf = [0u8; 4];
                self.push_piece(c.encode_utf8(&mut buf), style);
                self.current_width += cw;
            }
        }
    }
}

fn split_keep_spaces(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_space = None;
    for (i, c) in text.char_indices() {
        let space = c == ' ';
        match in_space {
            Some(s) if s != space => {
                out.push(&text[start..i]);
                start = i;
            }
            _ => {}
        }
        in_space = Some(space);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Wraps one line made of styled pieces (headers, notices, errors) to the width.
pub fn wrap_spans(pieces: &[Span<'_>], width: usize) -> Vec<Line<'static>> {
    let mut w = Wrapper::new(width);
    for p in pieces {
        w.text(&p.content, p.style);
    }
    w.flush();
    w.lines
}

/// Wraps text as typed (a prompt is not Markdown), keeping its line breaks.
pub fn wrap_plain(text: &str, width: usize, style: Style) -> Vec<Line<'static>> {
    let mut w = Wrapper::new(width);
    for line in text.split('\n') {
        w.text(&line.replace('\t', "    "), style);
        if w.at_line_start() {
            w.lines.push(Line::default());
        }
        w.flush();
    }
    w.lines
}

/// Renders `text` as Markdown into lines no wider than `width`.
pub fn render(text: &str, width: usize, theme: Theme) -> Vec<Line<'static>> {
    let mut w = Wrapper::new(width);
    let mut styles: Vec<Style> = vec![Style::default()];
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut quote_depth = 0usize;
    let mut code: Option<(String, String)> = None;
    let mut link: Option<String> = None;
    let mut table: Option<Table> = None;
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let style = |s: &Vec<Style>| s.last().copied().unwrap_or_default();

    for event in Parser::new_ext(text, options) {
        if let Some(t) = table.as_mut() {
            match event {
                Event::End(TagEnd::Table) => {
                    let t = table.take().unwrap_or_default();
                    w.flush();
                    w.lines.extend(t.render(w.width, theme));
                    w.blank();
                }
                other => t.event(other),
            }
            continue;
        }
        if let Some((_, buf)) = code.as_mut() {
            match event {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, body) = code.take().unwrap_or_default();
                    w.flush();
                    w.lines
                        .extend(code_lines(&lang, &body, w.width, theme, &w.prefix));
                    w.blank();
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(tag) => match tag {
                Tag::Heading { level, .. } => {
                    w.blank();
                    let marks = match level {
                        HeadingLevel::H1 => "# ",
                        HeadingLevel::H2 => "## ",
                        _ => "### ",
                    };
                    styles.push(theme.heading());
                    w.text(marks, theme.heading());
                }
                Tag::Paragraph => {}
                Tag::Emphasis => styles.push(style(&styles).add_modifier(Modifier::ITALIC)),
                Tag::Strong => styles.push(style(&styles).add_modifier(Modifier::BOLD)),
                Tag::Strikethrough => {
                    styles.push(style(&styles).add_modifier(Modifier::CROSSED_OUT))
                }
                Tag::BlockQuote(_) => {
                    w.flush();
                    quote_depth += 1;
                    w.prefix.push(Span::styled("│ ", theme.dim()));
                    styles.push(theme.quote());
                }
                Tag::CodeBlock(kind) => {
                    let lang = match kind {
                        CodeBlockKind::Fenced(l) => {
                            l.split_whitespace().next().unwrap_or("").to_string()
                        }
                        CodeBlockKind::Indented => String::new(),
                    };
                    code = Some((lang, String::new()));
                }
                Tag::List(start) => {
                    if lists.is_empty() {
                        w.flush();
                    }
                    lists.push(start);
                }
                Tag::Item => {
                    w.flush();
                    let depth = lists.len().saturating_sub(1);
                    let bullet = match lists.last_mut() {
                        Some(Some(n)) => {
                            let b = format!("{n}. ");
                            *n += 1;
                            b
                        }
                        _ => ["• ", "◦ ", "▪ "][depth % 3].to_string(),
                    };
                    let mut first = w.prefix.clone();
                    first.push(Span::styled(bullet.clone(), theme.accent()));
                    w.prefix.push(Span::raw(" ".repeat(width_of(&bullet))));
                    w.first_prefix = Some(first);
                }
                Tag::Table(aligns) => table = Some(Table::new(aligns.len())),
                Tag::Link { dest_url, .. } => {
                    link = Some(dest_url.to_string());
                    styles.push(theme.link());
                }
                _ => {}
            },
            Event::End(end) => match end {
                TagEnd::Heading(_) => {
                    styles.pop();
                    w.flush();
                    w.blank();
                }
                TagEnd::Paragraph => {
                    w.flush();
                    if lists.is_empty() {
                        w.blank();
                    }
                }
                TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                    styles.pop();
                }
                TagEnd::BlockQuote(_) => {
                    w.flush();
                    quote_depth = quote_depth.saturating_sub(1);
                    w.prefix.pop();
                    styles.pop();
                    w.blank();
                }
                TagEnd::List(_) => {
                    lists.pop();
                    w.flush();
                    if lists.is_empty() {
                        w.blank();
                    }
                }
                TagEnd::Item => {
                    w.flush();
                    w.prefix.pop();
                    w.first_prefix = None;
                }
                TagEnd::Link => {
                    styles.pop();
                    if let Some(url) = link.take() {
                        if !url.is_empty() && !url.starts_with('#') {
                            w.text(&format!(" ({url})"), theme.dim());
                        }
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                let s = style(&styles);
                let mut first = true;
                for line in t.split('\n') {
                    if !first {
                        w.flush();
                    }
                    first = false;
                    w.text(line, s);
                }
            }
            Event::Code(t) => w.text(&t, theme.code()),
            Event::SoftBreak => w.text(" ", style(&styles)),
            Event::HardBreak => w.flush(),
            Event::Rule => {
                w.flush();
                let width = w.width.saturating_sub(w.prefix_width());
                w.start_line_if_needed();
                w.push_piece(&"─".repeat(width), theme.dim());
                w.flush();
                w.blank();
            }
            Event::TaskListMarker(done) => w.text(if done { "☑ " } else { "☐ " }, theme.accent()),
            Event::Html(t) | Event::InlineHtml(t) => w.text(&t, theme.dim()),
            _ => {}
        }
        if w.at_line_start() && quote_depth == 0 && lists.is_empty() {
            w.first_prefix = None;
        }
    }
    w.flush();
    while w.lines.last().is_some_and(|l| l.width() == 0) {
        w.lines.pop();
    }
    w.lines
}

/// Highlights and wraps a code block; each line gets a two-column gutter.
fn code_lines(
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
    let (set, syn_theme) = syntaxes();
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

#[derive(Default)]
struct Table {
    columns: usize,
    rows: Vec<Vec<String>>,
    cell: String,
    row: Vec<String>,
}

impl Table {
    fn new(columns: usize) -> Self {
        Self {
            columns,
            ..Self::default()
        }
    }

    fn event(&mut self, e: Event) {
        match e {
            Event::Text(t) | Event::Code(t) => self.cell.push_str(&t),
            Event::End(TagEnd::TableCell) => self.row.push(std::mem::take(&mut self.cell)),
            Event::End(TagEnd::TableHead) | Event::End(TagEnd::TableRow) => {
                self.rows.push(std::mem::take(&mut self.row));
            }
            _ => {}
        }
    }

    fn render(&self, width: usize, theme: Theme) -> Vec<Line<'static>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[Line]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.spans
                    .iter()
                    .map(|s| s.content.as_ref())
                    .collect::<String>()
            })
            .collect()
    }

    const NO_COLOR: Theme = Theme { color: false };

    #[test]
    fn wraps_words_by_display_width() {
        let out = plain(&render("aaa bbb ccc ddd", 8, NO_COLOR));
        assert_eq!(out, vec!["aaa bbb", "ccc ddd"]);
        let cjk = plain(&render("日本語のテキスト", 6, NO_COLOR));
        assert_eq!(cjk, vec!["日本語", "のテキ", "スト"]);
        for line in render("🎉🎉🎉🎉 wide emoji", 5, NO_COLOR) {
            assert!(line.width() <= 5, "{line:?}");
        }
    }

    #[test]
    fn structure_is_rendered() {
        let md = "# Title\n\nSome *em* and **bold** and `code`.\n\n- one\n- two\n  1. nested\n\n> quoted\n\n[link](https://x.y)\n\n---\n";
        let out = plain(&render(md, 40, NO_COLOR));
        assert_eq!(out[0], "# Title");
        assert!(
            out.contains(&"Some em and bold and code.".to_string()),
            "{out:?}"
        );
        assert!(
            out.contains(&"• one".to_string()) && out.contains(&"• two".to_string()),
            "{out:?}"
        );
        assert!(out.iter().any(|l| l.contains("1. nested")), "{out:?}");
        assert!(out.contains(&"│ quoted".to_string()), "{out:?}");
        assert!(out.contains(&"link (https://x.y)".to_string()), "{out:?}");
        assert!(out.iter().any(|l| l.starts_with("────")), "{out:?}");
    }

    #[test]
    fn list_items_wrap_under_their_text() {
        let out = plain(&render("- alpha beta gamma delta", 12, NO_COLOR));
        assert_eq!(out, vec!["• alpha beta", "  gamma", "  delta"]);
    }

    #[test]
    fn code_blocks_keep_spaces_and_get_highlighted() {
        let md = "```rust\nfn main() {\n    let x = 1;\n}\n```\n";
        let out = plain(&render(md, 40, NO_COLOR));
        assert_eq!(
            out,
            vec!["┌─ rust", "▎ fn main() {", "▎     let x = 1;", "▎ }", "└─"]
        );
        let colored = render(md, 40, Theme { color: true });
        let fn_span = colored[1]
            .spans
            .iter()
            .find(|s| s.content.contains("fn"))
            .unwrap();
        assert!(
            matches!(fn_span.style.fg, Some(Color::Rgb(..))),
            "highlighted: {fn_span:?}"
        );
    }

    #[test]
    fn tables_fit_the_width() {
        let md = "| a | long header |\n|---|---|\n| 1 | some rather long cell text |\n";
        let out = plain(&render(md, 24, NO_COLOR));
        assert!(out[0].starts_with("a │ long"), "{out:?}");
        assert!(out[1].contains("┼"), "{out:?}");
        assert!(out.iter().all(|l| width_of(l) <= 24), "{out:?}");
        assert!(
            out[2].ends_with('…') || out[2].trim_end().ends_with('…'),
            "{out:?}"
        );
    }
}
