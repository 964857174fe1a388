//! What the person types in plain mode: stdin read a line at a time in cooked mode (the
//! terminal edits and echoes the line), on a thread of its own so that a reply can stream
//! and Ctrl-C be heard meanwhile. A line ending in `\` goes on to the next. It reads only;
//! it must not write, and it never puts the terminal in raw mode.

use std::io::{BufRead, IsTerminal};

use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

/// Lines from stdin, as they are typed.
pub(super) struct Input {
    lines: UnboundedReceiver<String>,
    /// Stdin is not a terminal: nothing echoes what is read, so the chat writes it.
    pub(super) echo: bool,
}

impl Input {
    /// Starts the reading thread. It is left blocked in `read_line` when the chat ends;
    /// the process ending takes it.
    pub(super) fn stdin() -> Self {
        let (tx, lines) = unbounded_channel();
        let echo = !std::io::stdin().is_terminal();
        let spawned = std::thread::Builder::new()
            .name("oat-plain-input".into())
            .spawn(move || {
                let stdin = std::io::stdin();
                let mut lock = stdin.lock();
                loop {
                    let mut buf = Vec::new();
                    match lock.read_until(b'\n', &mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {
                            let line = String::from_utf8_lossy(&buf);
                            let line = line.trim_end_matches(['\n', '\r']).to_string();
                            if tx.send(line).is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "could not start the input thread");
        }
        Self { lines, echo }
    }

    /// Lines given by a test.
    #[cfg(test)]
    pub(super) fn given(lines: &[&str]) -> Self {
        let (tx, rx) = unbounded_channel();
        for l in lines {
            let _ = tx.send(l.to_string());
        }
        Self {
            lines: rx,
            echo: true,
        }
    }

    /// The next line, without its line end; `None` at the end of stdin.
    pub(super) async fn line(&mut self) -> Option<String> {
        self.lines.recv().await
    }
}

/// A line that ends in `\` goes on to the next: the line without it, to be joined with a
/// line end. `None` for a line that ends the entry.
pub(super) fn continued(line: &str) -> Option<&str> {
    line.strip_suffix('\\')
}

/// Collects one entry from lines, joining those that end in `\`.
#[derive(Debug, Default)]
pub(super) struct Entry {
    text: String,
}

impl Entry {
    /// Takes one line; the whole entry once a line does not continue.
    pub(super) fn push(&mut self, line: &str) -> Option<String> {
        match continued(line) {
            Some(head) => {
                self.text.push_str(head);
                self.text.push('\n');
                None
            }
            None => {
                self.text.push_str(line);
                Some(std::mem::take(&mut self.text))
            }
        }
    }

    /// Whether lines are waiting for the rest of the entry.
    pub(super) fn is_started(&self) -> bool {
        !self.text.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backslash_at_the_end_continues_the_entry_on_the_next_line() {
        let mut e = Entry::default();
        assert_eq!(e.push("first line \\"), None);
        assert!(e.is_started());
        assert_eq!(e.push("second\\"), None);
        assert_eq!(
            e.push("third").as_deref(),
            Some("first line \nsecond\nthird")
        );
        assert!(!e.is_started());
        assert_eq!(e.push("alone").as_deref(), Some("alone"));
    }
}
