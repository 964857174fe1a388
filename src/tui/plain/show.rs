//! What a turn tells, written as plain labelled lines: `Claude:` before the reply's text
//! as it streams, `Thinking:` before each line of thinking, one line per server-tool step
//! and note, `Tool call: server/tool {args}` with a numbered question when Claude asks to
//! run an MCP tool, and `Sources:` with numbered sources at the end. It is the engine's
//! `Sink` and `Approver` for plain mode; it must not run or keep anything itself.

use serde_json::Value;

use super::input::Input;
use super::out::Out;
use super::picker;
use crate::api::Delta;
use crate::api::web::{self, Sources};
use crate::conversation::tools::{Approval, Approver, Call, ToolEvent};
use crate::conversation::turn::{self, Sink, TurnEvent};

/// How much of a call's arguments is shown before `…`.
const SHOWN_ARGUMENTS: usize = 600;

/// What the current line holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum On {
    /// A line of its own is next.
    Nothing,
    Thinking,
    Text,
}

/// The sink of one turn in plain mode.
pub(super) struct Shown<'a> {
    pub(super) out: &'a mut Out,
    pub(super) input: &'a mut Input,
    on: On,
    /// Thinking's next piece starts a line (it gets its label).
    thinking_line_start: bool,
    pub(super) sources: Sources,
}

impl<'a> Shown<'a> {
    pub(super) fn new(out: &'a mut Out, input: &'a mut Input) -> Self {
        Self {
            out,
            input,
            on: On::Nothing,
            thinking_line_start: true,
            sources: Sources::default(),
        }
    }

    fn text(&mut self, text: &str) -> bool {
        if text.is_empty() {
            return true;
        }
        if self.on != On::Text {
            self.on = On::Text;
            if !self.out.end_line() || !self.out.text("Claude: ") {
                return false;
            }
        }
        self.out.text(text)
    }

    /// Thinking, each of its lines labelled.
    fn thinking(&mut self, thinking: &str) -> bool {
        if self.on != On::Thinking {
            self.on = On::Thinking;
            self.thinking_line_start = true;
            if !self.out.end_line() {
                return false;
            }
        }
        for (i, piece) in thinking.split('\n').enumerate() {
            if i > 0 {
                if !self.out.text("\n") {
                    return false;
                }
                self.thinking_line_start = true;
            }
            if piece.is_empty() {
                continue;
            }
            if std::mem::take(&mut self.thinking_line_start) && !self.out.text("Thinking: ") {
                return false;
            }
            if !self.out.text(piece) {
                return false;
            }
        }
        true
    }

    /// A labelled line of its own; the reply's text after it is labelled again.
    pub(super) fn line(&mut self, line: &str) -> bool {
        self.on = On::Nothing;
        self.out.line(line)
    }

    fn block(&mut self, block: &Value) -> bool {
        if let Some(doing) = web::activity(block) {
            return self.line(&format!("Web: {doing}"));
        }
        if let Some(error) = web::tool_error(block) {
            return self.line(&format!("Note: {error}"));
        }
        if block["type"] == "text" {
            let marks = self.sources.markers(block);
            return self.out.text(&marks);
        }
        true
    }

    /// The sources the reply cited: `Sources:`, then `1. title — url`.
    pub(super) fn sources_lines(&self) -> Vec<String> {
        if self.sources.list.is_empty() {
            return Vec::new();
        }
        let items: Vec<String> = self
            .sources
            .list
            .iter()
            .map(|s| match (s.title.is_empty(), s.url.is_empty()) {
                (false, false) => format!("{} — {}", s.title, s.url),
                (true, false) => s.url.clone(),
                _ => s.title.clone(),
            })
            .collect();
        std::iter::once("Sources:".to_string())
            .chain(picker::numbered(&items))
            .collect()
    }
}

impl Sink for Shown<'_> {
    fn event(&mut self, event: TurnEvent<'_>) -> bool {
        match event {
            TurnEvent::Retrying(n) => self.line(&format!("Note: {n}")),
            TurnEvent::Delta(Delta::TextDelta { text }) => self.text(&text),
            TurnEvent::Delta(Delta::ThinkingDelta { thinking }) => self.thinking(&thinking),
            TurnEvent::Delta(
                Delta::SignatureDelta { .. }
                | Delta::InputJsonDelta { .. }
                | Delta::CitationsDelta { .. }
                | Delta::Unknown,
            ) => true,
            TurnEvent::BlockStopped(block) => self.block(block),
            TurnEvent::Continuing { attempt, limit } => {
                self.line(&format!("Note: {}", turn::continuing_words(attempt, limit)))
            }
            TurnEvent::Opened { .. } | TurnEvent::ReplyKept { .. } => true,
        }
    }

    fn caught_up(&mut self) -> bool {
        self.out.open()
    }
}

/// A call's name as the person knows it: `server/tool`.
pub(super) fn call_name(call: &Call) -> String {
    call.tool
        .as_ref()
        .map_or(call.name.clone(), |t| format!("{}/{}", t.server, t.name))
}

/// A call's arguments as compact JSON, cut at `SHOWN_ARGUMENTS` characters.
pub(super) fn arguments(input: &Value) -> String {
    let text = serde_json::to_string(input).unwrap_or_default();
    if text.chars().count() <= SHOWN_ARGUMENTS {
        return text;
    }
    let cut: String = text.chars().take(SHOWN_ARGUMENTS).collect();
    format!("{cut}… ({} characters in all)", text.chars().count())
}

/// The answers to a call, in the order they are numbered.
const ANSWERS: [&str; 4] = [
    "Allow once",
    "Allow always in this conversation",
    "Deny",
    "Stop the reply",
];

impl Approver for Shown<'_> {
    async fn approve(&mut self, call: &Call) -> Approval {
        let asked = self.line(&format!(
            "Tool call: {} {}",
            call_name(call),
            arguments(&call.input)
        ));
        for line in picker::numbered(&ANSWERS) {
            self.out.line(&line);
        }
        if !asked || !self.out.ask(&picker::question(ANSWERS.len())) {
            return Approval::Stop;
        }
        let answer = tokio::select! {
            line = self.input.line() => line,
            _ = tokio::signal::ctrl_c() => None,
        };
        if self.input.echo {
            self.out
                .text(&format!("{}\n", answer.as_deref().unwrap_or("")));
        } else {
            self.out.end_line();
        }
        let Some(answer) = answer else {
            self.line("Stopped.");
            return Approval::Stop;
        };
        match picker::choice(&answer, ANSWERS.len()) {
            Some(0) => Approval::Once,
            Some(1) => Approval::Always,
            Some(3) => Approval::Stop,
            _ => {
                self.line("Denied.");
                Approval::Deny(None)
            }
        }
    }

    fn told(&mut self, event: ToolEvent<'_>) {
        match event {
            ToolEvent::Running(call) => {
                self.line(&format!("Running {}", call_name(call)));
            }
            ToolEvent::Answered { call, result } => {
                let (error, text) = crate::mcp::result::short(result, 200);
                self.line(&format!("Tool result{error}: {}: {text}", call_name(call)));
            }
            ToolEvent::Said(line) => {
                self.line(&format!("Note: {line}"));
            }
            ToolEvent::Round { .. } | ToolEvent::Bound(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::tui::plain::out::testing::Captured;

    #[test]
    fn thinking_text_searches_and_sources_are_labelled_lines() {
        let c = Captured::default();
        let mut out = c.out();
        let mut input = Input::given(&[]);
        let mut shown = Shown::new(&mut out, &mut input);
        let thinking = |t: &str| TurnEvent::Delta(Delta::ThinkingDelta { thinking: t.into() });
        let text = |t: &str| TurnEvent::Delta(Delta::TextDelta { text: t.into() });
        assert!(shown.event(thinking("First thought,")));
        assert!(shown.event(thinking(" goes on.\nSecond")));
        assert!(shown.event(thinking(" thought.")));
        let search = json!({"type": "server_tool_use", "name": "web_search",
            "input": {"query": "rust plain"}});
        assert!(shown.event(TurnEvent::BlockStopped(&search)));
        assert!(shown.event(text("Rust is ")));
        assert!(shown.event(text("a language.")));
        let cited = json!({"type": "text", "text": "Rust is a language.", "citations": [
            {"type": "web_search_result_location", "url": "https://rust-lang.org",
             "title": "Rust"}]});
        assert!(shown.event(TurnEvent::BlockStopped(&cited)));
        for line in shown.sources_lines() {
            shown.line(&line);
        }
        assert_eq!(
            c.text(),
            "Thinking: First thought, goes on.\n\
             Thinking: Second thought.\n\
             Web: searching: rust plain\n\
             Claude: Rust is a language. [1]\n\
             Sources:\n\
             1. Rust — https://rust-lang.org\n"
        );
    }

    #[test]
    fn a_call_is_shown_with_its_server_and_its_arguments_cut_when_long() {
        assert_eq!(arguments(&json!({"a": 1})), "{\"a\":1}");
        let long = arguments(&json!({"a": "x".repeat(2000)}));
        assert!(long.ends_with("characters in all)"), "{long}");
        assert!(long.chars().count() < 700);
    }
}
