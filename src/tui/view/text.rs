//! Plain text to a width: word wrapping by display columns, and cutting with `…`. Shared by
//! the overlays, popups and notices that must fit 60 columns.

use unicode_width::UnicodeWidthStr;

/// Display columns of `s`.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// `text` wrapped at spaces to lines of at most `w` columns; a word longer than a line is
/// split. Always at least one line.
pub fn wrap(text: &str, w: usize) -> Vec<String> {
    let w = w.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let need = if line.is_empty() { 0 } else { 1 } + width(word);
        if !line.is_empty() && width(&line) + need > w {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        for c in word.chars() {
            let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if width(&line) + cw > w {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    lines.push(line);
    lines
}

/// Rows `lines` take once wrapped (as `Paragraph` with `Wrap { trim: false }` wraps them)
/// in `w` columns.
pub fn wrapped_height(lines: &[ratatui::text::Line<'_>], w: u16) -> u16 {
    let p = ratatui::widgets::Paragraph::new(lines.to_vec())
        .wrap(ratatui::widgets::Wrap { trim: false });
    u16::try_from(p.line_count(w.max(1))).unwrap_or(u16::MAX)
}

/// `text` cut to `w` columns, ending with `…` when it was longer.
pub fn ellipsize(text: &str, w: usize) -> String {
    if width(text) <= w {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        let cw = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width(&out) + cw + 1 > w {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_and_splits_long_words() {
        assert_eq!(wrap("one two three", 7), ["one two", "three"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("", 5), [""]);
        assert!(wrap("日本語のテキスト", 5).iter().all(|l| width(l) <= 5));
    }

    #[test]
    fn ellipsis_only_when_cut() {
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(ellipsize("a longer text", 8), "a longe…");
        assert_eq!(width(&ellipsize("日本語のテキスト", 7)), 7);
    }
}
