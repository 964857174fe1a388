//! Plain mode's conversation: the prompt loop (a line typed is a `/command` or a prompt,
//! sent by `send.rs`) and what the app's chat state holds (the settings, the
//! conversation's id, the files attached). It must not parse streams or write rows
//! itself.

use super::input::{Entry, Input};
use super::out::Out;
use crate::api::{Client, Model};
use crate::attach::Attachment;
use crate::conversation::Settings;
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
    pub(super) servers: tokio::sync::Mutex<crate::mcp::Servers>,
    /// The model a retirement warning was said for (said once per model).
    pub(super) warned_retiring: Option<String>,
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

    /// Stops the MCP servers this chat started.
    pub(super) async fn stop_tools(&mut self) {
        self.servers.get_mut().stop_all().await;
    }
}
