//! What `oat ask` needs before and around the stream: the prompt (arguments and stdin),
//! what is known of the model, and the saver that keeps the exchange in the history.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use super::{AskArgs, CliError};
use crate::api::models::{Model, fallback};
use crate::api::{Assembler, Client};
use crate::credentials::CredentialKind;
use crate::history::{History, ReplyUpdate};

/// Keeps the exchange in the history: the prompt before it is sent, the reply as it
/// streams (at most once a second) and when it ends.
pub(super) struct Saver {
    pub(super) history: History,
    pub(super) conversation: i64,
    pub(super) model: String,
    pub(super) paid_by: CredentialKind,
    /// The saved prompt: the reply's parent.
    pub(super) prompt: i64,
    pub(super) reply: Option<i64>,
    pub(super) last: Instant,
}

impl Saver {
    /// Saves unless one was saved within the last second (`force` saves anyway); true
    /// when it saved. The first piece of a reply is saved at once.
    pub(super) fn progress(
        &mut self,
        a: &Assembler,
        first_token: Option<Duration>,
        complete: bool,
        force: bool,
    ) -> bool {
        if !force && self.reply.is_some() && self.last.elapsed() < SAVE_EVERY {
            return false;
        }
        self.last = Instant::now();
        let reply = match self.reply {
            Some(id) => id,
            None => {
                match self.history.start_reply_to(
                    self.conversation,
                    Some(self.prompt),
                    &self.model,
                    Some(self.paid_by),
                ) {
                    Ok(id) => *self.reply.insert(id),
                    Err(e) => {
                        tracing::warn!(error = %e, "could not save the reply");
                        return false;
                    }
                }
            }
        };
        let update = ReplyUpdate::from_assembler(a, first_token, complete);
        if let Err(e) = self.history.update_reply(reply, &update) {
            tracing::warn!(error = %e, "could not save the reply");
        }
        true
    }
}

pub(super) const SAVE_EVERY: Duration = Duration::from_secs(1);

pub(super) async fn read_prompt(args: &AskArgs) -> Result<String, CliError> {
    let mut prompt = args.prompt.join(" ");
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut piped = String::new();
        tokio::io::stdin()
            .read_to_string(&mut piped)
            .await
            .map_err(|e| CliError::usage(format!("could not read stdin: {e}")))?;
        if !piped.trim().is_empty() {
            if prompt.is_empty() {
                prompt = piped;
            } else {
                prompt = format!("{prompt}\n\n{piped}");
            }
        }
    }
    if prompt.trim().is_empty() {
        return Err(
            CliError::usage("no prompt: give one as arguments or pipe it on stdin").with_advice(
                "example: oat ask \"What is a monad?\"  or  git diff | oat ask \"Review this\"",
            ),
        );
    }
    Ok(prompt)
}

/// What oat knows of the model: live when a flag depends on it, else the shipped list.
pub(super) async fn model_info(
    client: &Client,
    id: &str,
    needs_live: bool,
) -> Result<Option<Model>, CliError> {
    let shipped = || fallback().data.into_iter().find(|m| m.id == id);
    if !needs_live {
        return Ok(shipped());
    }
    match client.get_model(id).await {
        Ok(m) => Ok(Some(m)),
        Err(e) if e.is_auth() => Err(e.into()),
        Err(e) => {
            tracing::info!(error = %e, "model lookup failed; using the shipped list");
            Ok(shipped())
        }
    }
}
