//! Markdown to styled, wrapped terminal lines: headings, emphasis, lists, block quotes,
//! tables, links, rules and fenced code (highlighted with syntect). Wrapping counts
//! display width, so CJK and emoji take their two columns. Pure: text and width in,
//! lines out; the chat view caches the result.

mod code;
mod table;
mod wrap;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use self::code::code_lines;
use self::table::Table;
use self::wrap::{Wrapper, width_of};
use crate::tui::theme::Theme;

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
// Long by design: one state machine over the parser's events; split, its state would travel between pieces.
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
                    if let Some(url) = link.take()
                        && !url.is_empty()
                        && !url.starts_with('#')
                    {
                        w.text(&format!(" ({url})"), theme.dim());
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

    const NO_COLOR: Theme = Theme {
        color: false,
        light: false,
    };

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
        let colored = render(
            md,
            40,
            Theme {
                color: true,
                light: false,
            },
        );
        let fn_span = colored[1]
            .spans
            .iter()
            .find(|s| s.content.contains("fn"))
            .unwrap();
        assert!(
            matches!(fn_span.style.fg, Some(ratatui::style::Color::Rgb(..))),
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
