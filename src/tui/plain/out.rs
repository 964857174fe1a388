//! Where plain mode writes: stdout, flushed at each piece so a screen reader hears text as
//! it arrives. A reader that went away (a closed pipe) is remembered, never a panic; the
//! chat then ends quietly. It writes text as given and keeps track of the line it is on;
//! it must not colour, move the cursor, or write anything but the text (no escapes).

use std::io::Write;

/// Plain text out, one line or piece at a time.
pub(super) struct Out {
    sink: Box<dyn Write + Send>,
    /// The last thing written ended a line (or nothing was written yet).
    at_line_start: bool,
    /// A write failed: nobody reads any more.
    closed: bool,
}

impl Out {
    pub(super) fn stdout() -> Self {
        Self::to(Box::new(std::io::stdout()))
    }

    pub(super) fn to(sink: Box<dyn Write + Send>) -> Self {
        Self {
            sink,
            at_line_start: true,
            closed: false,
        }
    }

    /// Whether a reader still reads what is written.
    pub(super) fn open(&self) -> bool {
        !self.closed
    }

    /// Writes `text` as it is (a piece of a streaming reply), flushed.
    pub(super) fn text(&mut self, text: &str) -> bool {
        if text.is_empty() || self.closed {
            return !self.closed;
        }
        let clean = without_escapes(text);
        let ok = self
            .sink
            .write_all(clean.as_bytes())
            .and_then(|()| self.sink.flush())
            .is_ok();
        if !ok {
            self.closed = true;
        } else {
            self.at_line_start = clean.ends_with('\n');
        }
        ok
    }

    /// The person typed a line: the terminal echoed it and its Enter, so the cursor is at
    /// the start of a line.
    pub(super) fn typed(&mut self) {
        self.at_line_start = true;
    }

    /// Ends the current line if text is on it.
    pub(super) fn end_line(&mut self) -> bool {
        if self.at_line_start {
            return !self.closed;
        }
        self.text("\n")
    }

    /// One whole line, on a line of its own.
    pub(super) fn line(&mut self, line: &str) -> bool {
        self.end_line() && self.text(&format!("{line}\n"))
    }

    /// A question on a line of its own, the answer typed after it.
    pub(super) fn ask(&mut self, question: &str) -> bool {
        self.end_line() && self.text(question)
    }
}

/// `text` with control characters that would move the cursor or colour the screen (ESC
/// and the C1 CSI) left out: what Claude says is shown as text, never as commands to the
/// terminal.
pub(super) fn without_escapes(text: &str) -> std::borrow::Cow<'_, str> {
    let bad =
        |c: char| c == '\u{1b}' || c == '\u{9b}' || (c.is_control() && c != '\n' && c != '\t');
    if !text.contains(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().filter(|&c| !bad(c)).collect())
}

/// What tests of plain mode write to: an `Out` whose bytes they can read back.
#[cfg(test)]
pub(super) mod testing {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    pub(in crate::tui::plain) struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        pub(in crate::tui::plain) fn out(&self) -> super::Out {
            super::Out::to(Box::new(self.clone()))
        }

        pub(in crate::tui::plain) fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0
                .lock()
                .map_err(|_| std::io::ErrorKind::Other)?
                .extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::Captured;
    use super::*;

    struct Closed;
    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn lines_start_on_a_line_of_their_own_and_escapes_never_go_out() {
        let c = Captured::default();
        let mut out = c.out();
        out.text("Claude: Hello \u{1b}[31mred");
        out.line("Sources:");
        out.end_line();
        let text = c.text();
        assert_eq!(text, "Claude: Hello [31mred\nSources:\n");
    }

    #[test]
    fn a_closed_pipe_is_remembered_not_a_panic() {
        let mut out = Out::to(Box::new(Closed));
        assert!(out.open());
        assert!(!out.text("hello"));
        assert!(!out.open());
        assert!(!out.line("more"));
    }
}
