//! `App::update` for select mode in the transcript: move between turns, switch between a
//! turn's branches, edit a prompt into a new branch, regenerate, and copy a turn's exact
//! source or its code blocks.

use crate::tui::notice::Notice;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::tui::app::{App, Effect};
use crate::tui::state::chat::Turn;
use crate::worker::RequestKind;

/// The reply's Markdown exactly as it arrived: its text blocks, joined as they streamed.
pub fn source_text(t: &Turn) -> String {
    let blocks: String = t
        .content
        .iter()
        .filter(|b| b["type"] == "text")
        .filter_map(|b| b["text"].as_str())
        .collect();
    if blocks.is_empty() {
        t.text.clone()
    } else {
        blocks
    }
}

/// Every fenced code block's body in `text`, in order.
pub fn code_blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<(String, Vec<&str>)> = None;
    for line in text.split('\n') {
        let trimmed = line.trim_start();
        let fence = ["```", "~~~"].into_iter().find(|f| trimmed.starts_with(f));
        match (&mut current, fence) {
            (None, Some(f)) => current = Some((f.to_string(), Vec::new())),
            (Some((open, body)), Some(f)) if f == open && trimmed.trim_end() == *open => {
                out.push(body.join("\n"));
                current = None;
            }
            (Some((_, body)), _) => body.push(line),
            (None, None) => {}
        }
    }
    out
}

impl App {
    pub(crate) fn enter_select(&mut self) -> Vec<Effect> {
        match self.chat.turns.len() {
            0 => self.chat.notice = Some(Notice::info("No turns to select yet.")),
            n => {
                self.chat.selected = Some(n - 1);
                self.chat.notice = Some(Notice::info(
                    "Select: ↑↓ turns · ←→ branches · e edit · r regenerate · y copy · c code · Esc",
                ));
            }
        }
        Vec::new()
    }

    pub(crate) fn select_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        let Some(i) = self.chat.selected else {
            return Vec::new();
        };
        let last = self.chat.turns.len().saturating_sub(1);
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            // As everywhere: stop the reply in flight, or quit.
            KeyCode::Char('c') if ctrl && self.chat.in_flight() => return self.stop_reply(),
            KeyCode::Char('c') if ctrl => return vec![Effect::Quit],
            KeyCode::Up | KeyCode::Char('k') => self.chat.selected = Some(i.saturating_sub(1)),
            KeyCode::Down | KeyCode::Char('j') => self.chat.selected = Some((i + 1).min(last)),
            KeyCode::Left | KeyCode::Char('h') => return self.switch(i, false),
            KeyCode::Right | KeyCode::Char('l') => return self.switch(i, true),
            KeyCode::Char('e') => self.edit_turn(i),
            KeyCode::Char('r') => {
                self.chat.selected = None;
                return self.regenerate_at(Some(i));
            }
            KeyCode::Char('y') => {
                let text = self.chat.turns.get(i).map(source_text).unwrap_or_default();
                let text = if text.is_empty() {
                    self.chat.turns[i].prompt.clone()
                } else {
                    text
                };
                self.chat.notice = Some(Notice::info(format!(
                    "Sent turn {}'s reply ({} characters, as it arrived) to the terminal's clipboard; F1 says what can block it.",
                    i + 1,
                    text.chars().count()
                )));
                return vec![Effect::Copy(text)];
            }
            KeyCode::Char('p') => return self.copy_prompt(i),
            KeyCode::Char('x') => self.toggle_results(i),
            KeyCode::Char('c') => {
                let blocks = self
                    .chat
                    .turns
                    .get(i)
                    .map(|t| code_blocks(&source_text(t)))
                    .unwrap_or_default();
                if blocks.is_empty() {
                    self.chat.notice = Some(Notice::info("No code block in that reply."));
                } else {
                    self.chat.notice = Some(Notice::info(format!(
                        "Sent {} code block{} to the terminal's clipboard; F1 says what can block it.",
                        blocks.len(),
                        if blocks.len() == 1 { "" } else { "s" }
                    )));
                    return vec![Effect::Copy(blocks.join("\n\n"))];
                }
            }
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Enter => {
                self.chat.selected = None;
                self.chat.notice = None;
            }
            _ => {}
        }
        Vec::new()
    }

    fn switch(&mut self, i: usize, forward: bool) -> Vec<Effect> {
        if self.chat.in_flight() {
            self.chat.notice = Some(Notice::warning("A reply is still streaming: Esc stops it."));
            return Vec::new();
        }
        if !self.chat.switch_branch(i, forward) {
            return Vec::new();
        }
        let s = &self.chat.turns[i].siblings;
        self.chat.notice = Some(Notice::info(format!(
            "Branch {}/{} at turn {}: new prompts continue it.",
            s.shown + 1,
            s.count(),
            i + 1
        )));
        match (self.chat.conversation, self.chat.leaf_id()) {
            (Some(conversation), Some(leaf)) => {
                let (_, fx) = self.request(RequestKind::ShowBranch { conversation, leaf });
                vec![fx]
            }
            _ => Vec::new(),
        }
    }

    /// Copies the turn's prompt: the person's text, or a round's tool results whole.
    fn copy_prompt(&mut self, i: usize) -> Vec<Effect> {
        let Some(t) = self.chat.turns.get(i) else {
            return Vec::new();
        };
        let (text, what) = match &t.prompt_content {
            Some(results) => (crate::mcp::result::full(results), "tool results"),
            None => (t.prompt.clone(), "prompt"),
        };
        self.chat.notice = Some(Notice::info(format!(
            "Sent turn {}'s {what} ({} characters) to the terminal's clipboard; F1 says what can block it.",
            i + 1,
            text.chars().count()
        )));
        vec![Effect::Copy(text)]
    }

    /// Shows a round's tool results whole, or one summary line each again.
    fn toggle_results(&mut self, i: usize) {
        let Some(t) = self.chat.turns.get_mut(i) else {
            return;
        };
        let Some(results) = &t.prompt_content else {
            self.chat.notice = Some(Notice::info("That turn's prompt is not tool results."));
            return;
        };
        t.results_open = !t.results_open;
        t.prompt = if t.results_open {
            crate::mcp::result::full(results)
        } else {
            crate::mcp::result::collapsed(results)
        };
        t.revision += 1;
    }

    fn edit_turn(&mut self, i: usize) {
        let Some(t) = self.chat.turns.get(i) else {
            return;
        };
        self.composer.set_text(&t.prompt);
        self.chat.attached = t.attachments.clone();
        self.chat.editing = Some(i);
        self.chat.selected = None;
        self.chat.notice = Some(Notice::info(format!(
            "Editing turn {}: Enter sends it as a new branch (the old one stays) · Esc cancels",
            i + 1
        )));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_blocks_come_out_whole_and_in_order() {
        let text = "Intro\n```rust\nfn a() {}\n\n  let x = \"```\";\n```\ntext\n~~~\nb\n~~~\n";
        assert_eq!(code_blocks(text), ["fn a() {}\n\n  let x = \"```\";", "b"]);
    }
}
