//! Where `oat ask` writes a reply as it streams: text to stdout, thinking dimmed to
//! stderr, server-tool activity and notes to stderr, citation markers after cited text and
//! the sources at the end; or nothing until the whole message as JSON with `--json`.

use std::io::{IsTerminal, Write};

use serde_json::Value;

use crate::api::web::{self, Sources};
use crate::api::{Assembler, Delta};

/// Where reply pieces go.
pub(super) struct Output {
    json: bool,
    stdout: std::io::BufWriter<std::io::Stdout>,
    dim: bool,
    in_thinking: bool,
    ends_with_newline: bool,
    wrote_text: bool,
    sources: Sources,
}

impl Output {
    pub(super) fn new(json: bool) -> Self {
        let stderr = std::io::stderr();
        Self {
            json,
            stdout: std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout()),
            dim: stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            in_thinking: false,
            ends_with_newline: true,
            wrote_text: false,
            sources: Sources::default(),
        }
    }

    pub(super) fn delta(&mut self, delta: &Delta) -> std::io::Result<()> {
        if self.json {
            return Ok(());
        }
        match delta {
            Delta::TextDelta { text } if !text.is_empty() => {
                self.end_thinking();
                self.stdout.write_all(text.as_bytes())?;
                self.ends_with_newline = text.ends_with('\n');
                self.wrote_text = true;
            }
            Delta::ThinkingDelta { thinking } => {
                let mut err = std::io::stderr().lock();
                let (on, off) = if self.dim {
                    ("\x1b[2m", "\x1b[0m")
                } else {
                    ("", "")
                };
                let _ = write!(err, "{on}{thinking}{off}");
                self.in_thinking = true;
            }
            _ => {}
        }
        Ok(())
    }

    /// A block that ended: a server tool's call or error (stderr), or the citation
    /// markers of text that cites sources (stdout, right after that text).
    pub(super) fn block(&mut self, block: &Value) -> std::io::Result<()> {
        if self.json {
            return Ok(());
        }
        if let Some(doing) = web::activity(block) {
            self.end_thinking();
            self.stdout.flush()?;
            let line_start = if self.ends_with_newline { "" } else { "\n" };
            eprintln!("{line_start}oat: {doing}");
            self.ends_with_newline = true;
        } else if let Some(error) = web::tool_error(block) {
            eprintln!("oat: note: {error}");
        } else if block["type"] == "text" {
            let marks = self.sources.markers(block);
            self.stdout.write_all(marks.as_bytes())?;
            if !marks.is_empty() {
                self.ends_with_newline = false;
            }
        }
        Ok(())
    }

    fn end_thinking(&mut self) {
        if std::mem::take(&mut self.in_thinking) {
            eprintln!();
        }
    }

    /// Ends the text's line on stdout before a line on stderr (a tool call, its result),
    /// so the two do not run together on a terminal.
    pub(super) fn line_start(&mut self) {
        self.end_thinking();
        if !self.json && !self.ends_with_newline {
            let _ = writeln!(self.stdout);
            let _ = self.stdout.flush();
            self.ends_with_newline = true;
        }
    }

    pub(super) fn flush(&mut self) -> std::io::Result<()> {
        self.stdout.flush()
    }

    /// Ends the output: the sources cited, or with `--json` the whole message, with
    /// `extra` (oat's own figures: cost, subscription usage) under the key `oat`.
    pub(super) fn finish(&mut self, assembler: &Assembler, extra: Option<Value>) {
        self.end_thinking();
        // Thinking with no text to stream (omitted, redacted) is still said, on stderr
        // like the thinking that shows; the count is known only now.
        for line in crate::api::reply::unseen_thinking(&assembler.content(), assembler.usage()) {
            eprintln!("oat: {line}");
        }
        if self.json {
            let mut message = assembler.message();
            if let (Value::Object(m), Some(extra)) = (&mut message, extra) {
                m.insert("oat".into(), extra);
            }
            let _ = serde_json::to_writer_pretty(&mut self.stdout, &message);
            let _ = writeln!(self.stdout);
        } else {
            if self.wrote_text && !self.ends_with_newline {
                let _ = writeln!(self.stdout);
            }
            if !self.sources.list.is_empty() {
                let _ = writeln!(self.stdout, "\nSources:");
                for line in self.sources.lines() {
                    let _ = writeln!(self.stdout, "{line}");
                }
            }
        }
        let _ = self.stdout.flush();
    }
}
