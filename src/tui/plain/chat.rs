//! Plain mode's conversation: the prompt loop (a line typed, a `/command` or a prompt),
//! and each prompt sent as `oat ask --continue` and the app's worker send it: planned by
//! `conversation::plan`, kept first by `turn::keep_prompt`, streamed and kept by
//! `conversation::tools::run`. It holds what the app's chat state holds (the settings,
//! the conversation's id, the files attached); it must not parse streams or write rows
//! itself.

use std::collections::BTreeSet;

use super::input::{Entry, Input};
use super::out::Out;
use super::show::Shown;
use crate::api::reply::{self, Refusal};
use crate::api::{Client, Model};
use crate::attach::Attachment;
use crate::conversation::turn::{self, End, Keeping, Kept, Outcome, PromptTarget};
use crate::conversation::{Settings, api_messages, sent};
use crate::credentials::CredentialKind;
use crate::credentials::keys::Resolved;
use crate::history::{Shared, StoredMessage};
use crate::session::Session;

/// What happens after a line.
pub(super) enum Next {
    Go,
    Quit,
}

/// One plain-mode conversation, and what the next prompt is sent with.
pub(super) struct Chat<'s> {
    pub(super) session: &'s Session,
    pub(super) client: Client,
    pub(super) paid_by: CredentialKind,
    pub(super) settings: Settings,
    /// The conversation in the history, once its first prompt is kept.
    pub(super) conversation: Option<i64>,
    pub(super) history: Shared,
    /// Files for the next prompt (`/attach`).
    pub(super) attached: Vec<Attachment>,
    /// The models the credential can use, once `/model` asked the API.
    pub(super) models: Option<Vec<Model>>,
    /// The MCP servers, started the first time a prompt offers their tools.
    servers: tokio::sync::Mutex<crate::mcp::Servers>,
    /// The model a retirement warning was said for (said once per model).
    warned_retiring: Option<String>,
}

impl<'s> Chat<'s> {
    pub(super) fn new(session: &'s Session, client: Client, resolved: &Resolved) -> Self {
        let settings = Self::fresh_settings(session, resolved.meta.model.clone());
        Self {
            session,
            client,
            paid_by: resolved.credential.kind,
            settings,
            conversation: None,
            history: Shared::new(crate::history::path()),
            attached: Vec::new(),
            models: None,
            servers: Default::default(),
            warned_retiring: None,
        }
    }

    /// A new conversation's settings: the key's model, else the config's, and the config's
    /// choices of what is sent.
    fn fresh_settings(session: &Session, key_model: Option<String>) -> Settings {
        let sent = session.config.config.sent(session.api_version());
        Settings {
            model: session.starting_model(key_model),
            choices: crate::conversation::Choices::default(),
            cache: sent.cache,
            api_version: sent.api_version,
            thinking_display: sent.thinking_display,
            web_code_execution: sent.web_code_execution,
        }
    }

    /// Reads and answers lines until the person quits or stdout goes away.
    pub(super) async fn run(&mut self, input: &mut Input, out: &mut Out) {
        let mut entry = Entry::default();
        loop {
            if !entry.is_started() && !out.ask("You: ") {
                return;
            }
            let line = tokio::select! {
                line = input.line() => line,
                _ = tokio::signal::ctrl_c() => None,
            };
            let Some(line) = line else {
                out.end_line();
                out.line("Bye.");
                return;
            };
            if input.echo {
                out.text(&format!("{line}\n"));
            } else {
                // The terminal echoed the line and its Enter.
                out.typed();
            }
            let Some(text) = entry.push(&line) else {
                continue;
            };
            if text.trim().is_empty() {
                continue;
            }
            let next = match super::commands::parse(&text) {
                Some(Ok(cmd)) => self.command(cmd, input, out).await,
                Some(Err(e)) => {
                    out.line(&e);
                    Next::Go
                }
                None => {
                    self.send(text, input, out).await;
                    Next::Go
                }
            };
            if matches!(next, Next::Quit) || !out.open() {
                return;
            }
        }
    }

    /// The model as oat knows it: discovered, else the shipped list.
    pub(super) fn model(&self) -> Option<Model> {
        let id = &self.settings.model;
        self.models
            .as_ref()
            .and_then(|m| m.iter().find(|m| &m.id == id))
            .or_else(|| {
                crate::api::models::fallback_list()
                    .data
                    .iter()
                    .find(|m| &m.id == id)
            })
            .cloned()
    }

    /// The branch of the conversation so far (empty for a new one).
    pub(super) async fn branch(&self) -> Result<Vec<StoredMessage>, String> {
        let Some(id) = self.conversation else {
            return Ok(Vec::new());
        };
        self.history
            .with(move |h| {
                let (c, all) = h.conversation(id)?;
                Ok(crate::history::branch(&all, c.leaf))
            })
            .await
    }

    /// Sends `prompt` with the files attached, streams the reply and keeps both.
    async fn send(&mut self, prompt: String, input: &mut Input, out: &mut Out) {
        let branch = match self.branch().await {
            Ok(b) => b,
            Err(e) => {
                out.line(&format!(
                    "Not sent: the conversation could not be read ({e})."
                ));
                return;
            }
        };
        let files = std::mem::take(&mut self.attached);
        let earlier: Vec<&Attachment> = branch.iter().flat_map(|m| &m.attachments).collect();
        let messages = api_messages(
            sent::stored_exchanges(&branch),
            crate::attach::user_content(&prompt, &files, false),
        );
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
                self.attached = files;
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
            reply_to: None,
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

    /// Stops the MCP servers this chat started.
    pub(super) async fn stop_tools(&mut self) {
        self.servers.get_mut().stop_all().await;
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
