//! The multi-line prompt editor: text, cursor, and the recall of earlier prompts. Pure
//! editing operations; it sends nothing and draws nothing. The shell's line editing (words,
//! kills, undo) is in `composer/edit.rs`.

mod edit;

/// Cursor positions count characters, not bytes, so multi-byte text edits safely.
#[derive(Debug, Clone, Default)]
pub struct Composer {
    lines: Vec<String>,
    row: usize,
    col: usize,
    history: Vec<String>,
    /// Some(i) while recalling `history[i]`.
    recall: Option<usize>,
    /// What was typed before recall started, restored when stepping past the newest.
    draft: Option<String>,
    /// Earlier states for undo, newest last; see `edit.rs`.
    undo: Vec<edit::Snapshot>,
    /// What the last edit was, so a run of typed characters is undone as one step.
    last_edit: Option<edit::EditKind>,
}

fn byte_index(s: &str, col: usize) -> usize {
    s.char_indices().nth(col).map_or(s.len(), |(i, _)| i)
}

impl Composer {
    pub fn new() -> Self {
        Self {
            lines: vec![String::new()],
            ..Self::default()
        }
    }

    pub fn text(&self) -> String {
        self.lines.join("\n")
    }

    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    pub fn cursor(&self) -> (usize, usize) {
        (self.row, self.col)
    }

    pub fn is_empty(&self) -> bool {
        self.lines.iter().all(String::is_empty)
    }

    /// Replaces the whole text (completion, recall of a turn, the editor's result); undo
    /// brings back what was there.
    pub fn set_text(&mut self, text: &str) {
        self.remember(edit::EditKind::Other);
        self.put_text(text);
    }

    fn put_text(&mut self, text: &str) {
        self.lines = text.split('\n').map(str::to_string).collect();
        if self.lines.is_empty() {
            self.lines.push(String::new());
        }
        self.row = self.lines.len() - 1;
        self.col = self.lines[self.row].chars().count();
    }

    /// Takes the text out (on send), remembering it for recall.
    pub fn take(&mut self) -> String {
        let text = self.text();
        if !text.trim().is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
        }
        self.lines = vec![String::new()];
        self.row = 0;
        self.col = 0;
        self.recall = None;
        self.draft = None;
        self.undo.clear();
        self.last_edit = None;
        text
    }

    pub fn insert_char(&mut self, c: char) {
        self.remember(edit::EditKind::Typing);
        self.put_char(c);
    }

    fn put_char(&mut self, c: char) {
        if c == '\n' {
            return self.split_line();
        }
        let line = &mut self.lines[self.row];
        let i = byte_index(line, self.col);
        line.insert(i, c);
        self.col += 1;
    }

    /// A paste arrives whole (bracketed paste); `\r\n` and `\r` become line breaks. Each
    /// line goes in at once: inserting it a character at a time costs a walk to the
    /// cursor per character, minutes for a 90 kB line of minified JSON.
    pub fn insert_str(&mut self, s: &str) {
        self.remember(edit::EditKind::Other);
        let normalized = s.replace("\r\n", "\n").replace('\r', "\n");
        for (k, segment) in normalized.split('\n').enumerate() {
            if k > 0 {
                self.split_line();
            }
            let clean: String = segment
                .chars()
                .filter(|c| *c == '\t' || !c.is_control())
                .collect();
            if clean.is_empty() {
                continue;
            }
            let line = &mut self.lines[self.row];
            let i = byte_index(line, self.col);
            line.insert_str(i, &clean);
            self.col += clean.chars().count();
        }
    }

    pub fn newline(&mut self) {
        self.remember(edit::EditKind::Other);
        self.split_line();
    }

    fn split_line(&mut self) {
        let line = &mut self.lines[self.row];
        let i = byte_index(line, self.col);
        let rest = line.split_off(i);
        self.lines.insert(self.row + 1, rest);
        self.row += 1;
        self.col = 0;
    }

    pub fn backspace(&mut self) {
        self.remember(edit::EditKind::Deleting);
        if self.col > 0 {
            let line = &mut self.lines[self.row];
            let i = byte_index(line, self.col - 1);
            line.remove(i);
            self.col -= 1;
        } else if self.row > 0 {
            let line = self.lines.remove(self.row);
            self.row -= 1;
            self.col = self.lines[self.row].chars().count();
            self.lines[self.row].push_str(&line);
        }
    }

    pub fn delete(&mut self) {
        self.remember(edit::EditKind::Deleting);
        let len = self.lines[self.row].chars().count();
        if self.col < len {
            let line = &mut self.lines[self.row];
            let i = byte_index(line, self.col);
            line.remove(i);
        } else if self.row + 1 < self.lines.len() {
            let next = self.lines.remove(self.row + 1);
            self.lines[self.row].push_str(&next);
        }
    }

    pub fn left(&mut self) {
        self.last_edit = None;
        if self.col > 0 {
            self.col -= 1;
        } else if self.row > 0 {
            self.row -= 1;
            self.col = self.lines[self.row].chars().count();
        }
    }

    pub fn right(&mut self) {
        self.last_edit = None;
        if self.col < self.lines[self.row].chars().count() {
            self.col += 1;
        } else if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = 0;
        }
    }

    pub fn home(&mut self) {
        self.last_edit = None;
        self.col = 0;
    }

    pub fn end(&mut self) {
        self.last_edit = None;
        self.col = self.lines[self.row].chars().count();
    }

    /// Up moves within the text; on the first line it recalls the previous prompt.
    pub fn up(&mut self) {
        self.last_edit = None;
        if self.row > 0 {
            self.row -= 1;
            self.col = self.col.min(self.lines[self.row].chars().count());
            return;
        }
        let next = match self.recall {
            None if self.history.is_empty() => return,
            None => {
                self.draft = Some(self.text());
                self.history.len() - 1
            }
            Some(0) => return,
            Some(i) => i - 1,
        };
        self.recall = Some(next);
        let text = self.history[next].clone();
        self.put_text(&text);
    }

    /// Down moves within the text; on the last line it steps forward through recall.
    pub fn down(&mut self) {
        self.last_edit = None;
        if self.row + 1 < self.lines.len() {
            self.row += 1;
            self.col = self.col.min(self.lines[self.row].chars().count());
            return;
        }
        let Some(i) = self.recall else { return };
        if i + 1 < self.history.len() {
            self.recall = Some(i + 1);
            let text = self.history[i + 1].clone();
            self.put_text(&text);
        } else {
            self.recall = None;
            let draft = self.draft.take().unwrap_or_default();
            self.put_text(&draft);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paste_goes_in_at_the_cursor_with_control_characters_dropped() {
        let mut c = Composer::new();
        c.insert_str("ab");
        c.left();
        c.insert_str("1\x07\t2\r\n3\r4");
        assert_eq!(c.text(), "a1\t2\n3\n4b");
        assert_eq!(c.cursor(), (2, 1));
        // A long line goes in whole, in one step (this took minutes a character at a time).
        let long = "x".repeat(200_000);
        c.insert_str(&long);
        assert_eq!(c.cursor(), (2, 200_001));
        assert_eq!(c.text().len(), "a1\t2\n3\n4b".len() + 200_000);
    }

    #[test]
    fn editing_multi_byte_text() {
        let mut c = Composer::new();
        c.insert_str("héllo 日本");
        c.left();
        c.backspace();
        assert_eq!(c.text(), "héllo 本");
        c.home();
        c.delete();
        assert_eq!(c.text(), "éllo 本");
        c.end();
        c.newline();
        c.insert_str("second\r\nthird");
        assert_eq!(c.text(), "éllo 本\nsecond\nthird");
        assert_eq!(c.cursor(), (2, 5));
        c.home();
        c.backspace();
        assert_eq!(c.text(), "éllo 本\nsecondthird");
    }

    #[test]
    fn recall_walks_history_and_restores_the_draft() {
        let mut c = Composer::new();
        c.insert_str("first");
        assert_eq!(c.take(), "first");
        c.insert_str("two\nlines");
        c.take();
        c.insert_str("draft");
        c.up();
        assert_eq!(c.text(), "two\nlines");
        c.up(); // moves within the recalled text first
        c.up();
        assert_eq!(c.text(), "first");
        c.down();
        assert_eq!(c.text(), "two\nlines");
        c.down();
        c.down();
        assert_eq!(c.text(), "draft");
    }

    #[test]
    fn control_characters_in_pastes_are_dropped() {
        let mut c = Composer::new();
        c.insert_str("a\u{1b}[31mb\tc");
        assert_eq!(c.text(), "a[31mb\tc");
    }
}
