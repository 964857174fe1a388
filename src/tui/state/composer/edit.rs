//! Line editing as in a shell: move and delete by word, kill to either end of the line,
//! clear the draft, and undo. Words are runs of letters, digits and `_` (as readline's
//! Alt-B/F/D); Ctrl-W deletes back to the previous space (as readline's `unix-word-rubout`).

use super::{Composer, byte_index};

/// One state of the text, for undo.
#[derive(Debug, Clone)]
pub(super) struct Snapshot {
    lines: Vec<String>,
    row: usize,
    col: usize,
}

/// What kind of edit came last: a run of typed characters (or of Backspaces) is undone in
/// one step, as editors do; anything else is a step of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum EditKind {
    Typing,
    Deleting,
    Other,
}

/// Undo keeps this many steps; older ones are forgotten.
const UNDO_STEPS: usize = 200;

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Composer {
    /// Called before every change: remembers the text as it is, unless this change
    /// continues a run of the same kind.
    pub(super) fn remember(&mut self, kind: EditKind) {
        let continues = kind != EditKind::Other && self.last_edit == Some(kind);
        self.last_edit = Some(kind);
        if continues {
            return;
        }
        if self.undo.len() >= UNDO_STEPS {
            self.undo.remove(0);
        }
        self.undo.push(Snapshot {
            lines: self.lines.clone(),
            row: self.row,
            col: self.col,
        });
    }

    /// Back to the text before the last edit. False when there is nothing to undo.
    pub fn undo(&mut self) -> bool {
        let Some(s) = self.undo.pop() else {
            return false;
        };
        self.lines = s.lines;
        self.row = s.row;
        self.col = s.col;
        self.last_edit = None;
        true
    }

    fn chars(&self) -> Vec<char> {
        self.lines[self.row].chars().collect()
    }

    /// Where the word before the cursor starts (`unix`: the previous space instead).
    fn word_start(&self, unix: bool) -> usize {
        let chars = self.chars();
        let mut i = self.col;
        let inside = |c: char| if unix { !c.is_whitespace() } else { is_word(c) };
        while i > 0 && !inside(chars[i - 1]) {
            i -= 1;
        }
        while i > 0 && inside(chars[i - 1]) {
            i -= 1;
        }
        i
    }

    /// Where the word after the cursor ends.
    fn word_end(&self) -> usize {
        let chars = self.chars();
        let mut i = self.col;
        while i < chars.len() && !is_word(chars[i]) {
            i += 1;
        }
        while i < chars.len() && is_word(chars[i]) {
            i += 1;
        }
        i
    }

    /// Removes the characters `from..to` of the current line (character positions).
    fn cut(&mut self, from: usize, to: usize) {
        let line = &mut self.lines[self.row];
        let (a, b) = (byte_index(line, from), byte_index(line, to));
        line.replace_range(a..b, "");
        self.col = from;
    }

    /// Alt-B, Ctrl-←: to the start of this word or the one before; at a line's start, to
    /// the end of the line above.
    pub fn word_left(&mut self) {
        self.last_edit = None;
        if self.col == 0 {
            return self.left();
        }
        self.col = self.word_start(false);
    }

    /// Alt-F, Ctrl-→: past the end of this word or the next.
    pub fn word_right(&mut self) {
        self.last_edit = None;
        if self.col == self.chars().len() {
            return self.right();
        }
        self.col = self.word_end();
    }

    /// Ctrl-W (`unix`: back to a space) and Alt-Backspace (back to a word's start). At a
    /// line's start it joins the line to the one above, as Backspace does.
    pub fn delete_word_back(&mut self, unix: bool) {
        if self.col == 0 {
            return self.backspace();
        }
        self.remember(EditKind::Other);
        let from = self.word_start(unix);
        self.cut(from, self.col);
    }

    /// Alt-D: deletes to the end of the word after the cursor.
    pub fn delete_word_forward(&mut self) {
        if self.col == self.chars().len() {
            return self.delete();
        }
        self.remember(EditKind::Other);
        let to = self.word_end();
        self.cut(self.col, to);
    }

    /// Ctrl-U: deletes from the line's start to the cursor.
    pub fn kill_to_start(&mut self) {
        if self.col == 0 {
            return self.backspace();
        }
        self.remember(EditKind::Other);
        self.cut(0, self.col);
    }

    /// Ctrl-K: deletes from the cursor to the line's end.
    pub fn kill_to_end(&mut self) {
        if self.col == self.chars().len() {
            return self.delete();
        }
        self.remember(EditKind::Other);
        self.cut(self.col, self.chars().len());
    }

    /// Ctrl-C with a draft: empties the composer; undo brings the draft back.
    pub fn clear(&mut self) {
        self.remember(EditKind::Other);
        self.lines = vec![String::new()];
        self.row = 0;
        self.col = 0;
        self.recall = None;
        self.draft = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> Composer {
        let mut c = Composer::new();
        for ch in text.chars() {
            c.insert_char(ch);
        }
        c
    }

    #[test]
    fn words_move_and_delete_as_in_readline() {
        let mut c = typed("say héllo, wörld_2 now");
        c.word_left();
        assert_eq!(c.cursor(), (0, 19));
        c.word_left();
        assert_eq!(c.cursor(), (0, 11), "to the start of wörld_2");
        c.word_left();
        c.word_right();
        assert_eq!(c.cursor(), (0, 9), "past héllo, before the comma");
        c.delete_word_forward();
        assert_eq!(c.text(), "say héllo now");
        c.delete_word_back(false);
        assert_eq!(c.text(), "say  now");
        c.end();
        c.insert_str(" a/b.c");
        c.delete_word_back(true);
        assert_eq!(c.text(), "say  now ", "Ctrl-W goes back to the space");
        c.delete_word_back(false);
        assert_eq!(c.text(), "say  ");
    }

    #[test]
    fn kills_to_either_end_and_across_lines() {
        let mut c = typed("one two");
        c.newline();
        c.insert_str("three four");
        c.home();
        c.word_right();
        c.kill_to_end();
        assert_eq!(c.text(), "one two\nthree");
        c.kill_to_start();
        assert_eq!(c.text(), "one two\n");
        c.kill_to_start();
        assert_eq!(c.text(), "one two", "at a line's start it joins the lines");
        c.home();
        c.kill_to_end();
        assert_eq!(c.text(), "");
    }

    #[test]
    fn undo_takes_back_a_word_typed_a_kill_and_a_clear() {
        let mut c = typed("hello");
        c.insert_char(' ');
        c.left();
        c.right();
        for ch in "world".chars() {
            c.insert_char(ch);
        }
        c.delete_word_back(true);
        assert_eq!(c.text(), "hello ");
        c.clear();
        assert!(c.is_empty());
        assert!(c.undo());
        assert_eq!(c.text(), "hello ");
        assert!(c.undo());
        assert_eq!(c.text(), "hello world");
        assert!(c.undo(), "the typed word is one step");
        assert_eq!(c.text(), "hello ");
        assert!(c.undo());
        assert_eq!(c.text(), "");
        assert!(!c.undo());
    }

    #[test]
    fn a_paste_is_one_undo_step_and_sending_forgets_undo() {
        let mut c = typed("a");
        c.insert_str("pasted\r\ntext");
        assert_eq!(c.text(), "apasted\ntext");
        c.undo();
        assert_eq!(c.text(), "a");
        c.take();
        assert!(!c.undo());
    }
}
