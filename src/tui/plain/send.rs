//! Plain mode's turns: a prompt typed, or `/retry`'s last prompt asked again, sent as
//! `oat ask --continue` and the app's worker send it (planned by `conversation::plan`, kept
//! first by `turn::keep_prompt`, streamed and kept by `conversation::tools::run`), and what
//! is said once the reply ends. It must not parse streams or write rows itself.

use std::collections::BTreeSet;

use super::chat::Chat;
use super::input::Input;
use super::out::Out;
use super::show::Shown;
use crate::api::Model;
use crate::api::reply::{self, Refusal};
use crate::attach::Attachment;
use crate::conversation::turn::{self, End, Keeping, Kept, Outcome, PromptTarget};
use crate::conversation::{api_messages, sent};
use crate::history::StoredMessage;

/// A prompt about to go: the branch before it, and what it says.
struct Ask {
    before: Vec<StoredMessage>,
    prompt: String,
    /// Its content blocks as sent (files expanded).
    content: Vec<serde_json::Value>,
    files: Vec<Attachment>,
    /// A retry: the saved prompt the new reply answers (no prompt is added).
    reply_to: Option<i64>,
}

impl Chat<'_> {
    /// Sends `prompt` with the files attached, streams the reply and keeps both.
    pub(super) async fn send(&mut self, prompt: String, input: &mut Input, out: &mut Out) {
        let Some(branch) = self.branch_or_say(out).await else {
            return;
        };
        let files = std::mem::take(&mut self.attached);
        let content = crate::attach::user_content(&prompt, &files, false);
        let ask = Ask {
            before: branch,
            prompt,
            content,
            files,
            reply_to: None,
        };
        self.ask(ask, input, out).await;
    }

    /// `/retry`: the last prompt typed is sent again, with the settings as they are now
    /// (so `/model` then `/retry` asks another model), and the new reply is kept beside
    /// the old one, as the app's Ctrl-R keeps it.
    pub(super) async fn retry(&mut self, input: &mut Input, out: &mut Out) {
        let Some(mut branch) = self.branch_or_say(out).await else {
            return;
        };
        // Tool results are user messages too; the retry goes back to what was typed.
        let typed = |m: &StoredMessage| {
            m.role == "user"
                && !m
                    .content
                    .as_array()
                    .is_some_and(|a| a.iter().any(|b| b["type"] == "tool_result"))
        };
        let Some(at) = branch.iter().rposition(typed) else {
            out.line("Nothing to ask again yet: send a prompt first.");
            return;
        };
        let prompt = branch.remove(at);
        branch.truncate(at);
        let first = prompt.text.lines().next().unwrap_or("");
        out.line(&format!("Asking again: {first}"));
        let content = prompt
            .content
            .as_array()
            .map(|a| crate::attach::expand(a, &prompt.attachments))
            .unwrap_or_default();
        let ask = Ask {
            before: branch,
            prompt: prompt.text,
            content,
            files: prompt.attachments,
            reply_to: Some(prompt.id),
        };
        self.ask(ask, input, out).await;
    }

    /// The branch so far; `None` once it has said why it could not be read.
    async fn branch_or_say(&self, out: &mut Out) -> Option<Vec<StoredMessage>> {
        match self.branch().await {
            Ok(b) => Some(b),
            Err(e) => {
                out.line(&format!(
                    "Not sent: the conversation could not be read ({e})."
                ));
                None
            }
        }
    }

    /// Plans, keeps and streams one prompt (new, or asked again).
    async fn ask(&mut self, ask: Ask, input: &mut Input, out: &mut Out) {
        let Ask {
            before: branch,
            prompt,
            content,
            files,
            reply_to,
        } = ask;
        let earlier: Vec<&Attachment> = branch.iter().flat_map(|m| &m.attachments).collect();
        let messages = api_messages(sent::stored_exchanges(&branch), content);
        let offered = self.offered_tools(out).await;
        let model = self.model();
        let planned = match crate::conversation::plan::plan_with_tools(
            &self.settings,
            model.as_ref(),
            messages,
            &earlier,
            &files,
            &crate::conversation::tools::offered(&offered),
        ) {
            Ok(p) => p,
            Err(e) => {
                out.line(&format!("Not sent: {e}"));
                if reply_to.is_none() {
                    self.attached = files;
                }
                return;
            }
        };
        for note in planned.notes.iter().chain(&planned.thinking_note) {
            out.line(&format!("Note: {note}"));
        }
        self.warn_retiring(model.as_ref(), out);
        // The prompt is kept before it is sent, so nothing typed is ever lost.
        let target = PromptTarget {
            conversation: self.conversation,
            prompt,
            files,
            parent: branch.last().map(|m| m.id),
            reply_to,
            settings: self.settings.clone(),
        };
        let keeping = match turn::keep_prompt(&self.history, target).await {
            Ok(Kept::In {
                conversation,
                prompt,
            }) => {
                self.conversation = Some(conversation);
                Some(Keeping {
                    history: self.history.clone(),
                    conversation,
                    prompt,
                    paid_by: self.paid_by,
                })
            }
            Ok(Kept::Gone(c)) => {
                out.line(&format!(
                    "Conversation {c} was deleted meanwhile; nothing was sent. /new starts a new one."
                ));
                return;
            }
            Err(e) => {
                out.line(&format!(
                    "Note: the history could not keep this prompt ({e}); the reply is not saved."
                ));
                None
            }
        };
        let cancel = async {
            // Without a handler Ctrl-C would end oat before the reply is kept.
            let _ = tokio::signal::ctrl_c().await;
        };
        let mut shown = Shown::new(out, input);
        // Tools allowed for the whole conversation are kept with its settings.
        let mut always: BTreeSet<String> = self
            .settings
            .choices
            .allowed_tools
            .iter()
            .cloned()
            .collect();
        let toolbox = (!offered.is_empty()).then(|| crate::conversation::tools::Toolbox {
            servers: &self.servers,
            tools: offered,
            always: &mut always,
        });
        let outcome = crate::conversation::tools::run(
            &self.client,
            planned.request.clone(),
            keeping,
            cancel,
            &mut shown,
            toolbox,
        )
        .await;
        self.settings.choices.allowed_tools = always.into_iter().collect();
        self.ended(outcome, &mut shown, planned.request.max_tokens);
    }

    /// The tools offered with the next prompt: the MCP servers' (started the first time),
    /// when the conversation has them on (by default on an API key) and any is
    /// configured. The config is read again for every prompt, as the app reads it: a
    /// server changed in it since is stopped, to start again as it is configured now.
    async fn offered_tools(&mut self, out: &mut Out) -> Vec<crate::mcp::Tool> {
        if !self.settings.choices.tools_on(self.paid_by) {
            return Vec::new();
        }
        let mut file = self.session.config.clone();
        let mcp = match file.reload() {
            Ok(()) => file.config.mcp,
            Err(_) => self.session.config.config.mcp.clone(),
        };
        let servers = self.servers.get_mut();
        servers.reconfigure(&mcp).await;
        if !mcp.servers.values().any(|s| s.enabled) {
            return Vec::new();
        }
        let (tools, failures) = servers.tools().await;
        for f in failures {
            out.line(&format!("Note: {f}"));
        }
        tools
    }

    /// A model about to retire is said once, as `oat ask` says it at each prompt.
    fn warn_retiring(&mut self, model: Option<&Model>, out: &mut Out) {
        let Some(m) = model else { return };
        if self.warned_retiring.as_deref() == Some(m.id.as_str()) {
            return;
        }
        let shipped = &crate::api::models::fallback_list().data;
        if let Some(w) = crate::api::models::retirement_warning(m, shipped, chrono::Utc::now()) {
            out.line(&format!("Warning: {w} (/model picks another)"));
            self.warned_retiring = Some(m.id.clone());
        }
    }

    /// What is said once a reply ends: its sources, notes, and how it ended.
    fn ended(&self, outcome: Outcome, shown: &mut Shown<'_>, max_tokens: u32) {
        let a = &outcome.assembler;
        if matches!(outcome.end, End::Unheard) {
            return;
        }
        shown.out.end_line();
        for line in reply::unseen_thinking(&a.content(), a.usage()) {
            shown.line(&format!("Thinking: {line}"));
        }
        for line in shown.sources_lines() {
            shown.line(&line);
        }
        match outcome.end {
            End::Cancelled => {
                shown.line("Stopped. What arrived is kept; Ctrl-C again quits.");
                return;
            }
            End::Failed(e) => {
                let before = if a.text().is_empty() {
                    ""
                } else {
                    " (the text above is what arrived before)"
                };
                shown.line(&format!("Error: {e}{before}"));
                if self.settings.choices.web && crate::api::web::refused_for_tools(&e) {
                    shown.line(&format!("Note: {}", crate::api::web::TOOLS_OFF_ADVICE));
                }
                return;
            }
            End::Finished | End::Unheard => {}
        }
        let message = a.message();
        for note in reply::notes(&message) {
            shown.line(&format!("Note: {note}"));
        }
        if let Some(refusal) = Refusal::of(&message) {
            shown.line(&refusal.sentence());
        }
        if a.stop_reason() == Some("pause_turn") {
            shown.line(&format!("Note: {}", turn::STILL_PAUSED));
        }
        if reply::context_full(a.stop_reason()) {
            shown.line(&format!(
                "{} /new starts a new conversation.",
                reply::CONTEXT_FULL
            ));
        }
        if a.stop_reason() == Some("max_tokens") {
            shown.line(&format!(
                "Note: the reply stopped at the max_tokens limit ({max_tokens}); /max-tokens N raises it."
            ));
        }
    }
}
