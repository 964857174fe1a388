//! Wrapping styled text to a width by display columns (CJK and emoji take two), with a
//! prefix on every line for quotes and list indents.

use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

/// Builds wrapped lines from styled text, with a prefix (quote bars, list indents) on
/// every line.
pub(super) struct Wrapper {
    pub(super) width: usize,
    pub(super) lines: Vec<Line<'static>>,
    pub(super) current: Vec<Span<'static>>,
    pub(super) current_width: usize,
    /// Width of the prefix on the line being built.
    pub(super) line_start: usize,
    pub(super) prefix: Vec<Span<'static>>,
    /// The first line of a list item shows its bullet; the lines after it indent instead.
    pub(super) first_prefix: Option<Vec<Span<'static>>>,
}

pub(super) fn width_of(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

impl Wrapper {
    pub(super) fn new(width: usize) -> Self {
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

    pub(super) fn prefix_width(&self) -> usize {
        let p = self.first_prefix.as_ref().unwrap_or(&self.prefix);
        p.iter().map(|s| width_of(&s.content)).sum()
    }

    pub(super) fn start_line_if_needed(&mut self) {
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

    pub(super) fn at_line_start(&self) -> bool {
        self.current.is_empty()
    }

    pub(super) fn flush(&mut self) {
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

    pub(super) fn blank(&mut self) {
        self.flush();
        if self.lines.last().is_some_and(|l| l.width() > 0) {
            self.lines.push(Line::default());
        }
    }

    pub(super) fn push_piece(&mut self, piece: &str, style: Style) {
        if let Some(last) = self.current.last_mut()
            && last.style == style
        {
            last.content.to_mut().push_str(piece);
            return;
        }
        self.current.push(Span::styled(piece.to_string(), style));
    }

    /// Adds text, breaking at spaces where it can and inside words where it must.
    pub(super) fn text(&mut self, text: &str, style: Style) {
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
