//! Keeping a turn in the history, for both front ends: the prompt before it is sent
//! (with the settings it goes with), and the reply as it streams — at most once a
//! second, and whenever it ends, stalls or is stopped. Database work runs on the
//! blocking pool (`history::Shared`); nothing here streams or prints.

use std::time::{Duration, Instant};

use super::settings::Settings;
use super::turn::{Sink, TurnEvent};
use crate::api::Assembler;
use crate::attach::Attachment;
use crate::credentials::CredentialKind;
use crate::history::{NewPrompt, ReplyUpdate, Shared};

/// A streaming reply is kept at most this often (and when it ends, is stopped, or stalls
/// after something arrived): a crash loses at most a second of it.
pub const SAVE_EVERY: Duration = Duration::from_secs(1);

/// Where a prompt goes in the history, and what it is sent with.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptTarget {
    /// `None`: a new conversation.
    pub conversation: Option<i64>,
    pub prompt: String,
    pub files: Vec<Attachment>,
    /// The message the prompt follows (`None`: the first, or unknown).
    pub parent: Option<i64>,
    /// A regenerate: the reply goes to this saved prompt, and no prompt is added.
    pub reply_to: Option<i64>,
    pub settings: Settings,
}

/// Where a prompt was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kept {
    /// In this conversation, as this message (the one the reply answers).
    In { conversation: i64, prompt: i64 },
    /// The conversation it continues was deleted (by another process, say): nothing is
    /// kept, and nothing should be sent as that conversation's context.
    Gone(i64),
}

/// Keeps the prompt before it is sent.
pub async fn keep_prompt(history: &Shared, target: PromptTarget) -> Result<Kept, String> {
    history
        .with(move |h| {
            let settings = target.settings.to_json();
            let saved = h.save_prompt(&NewPrompt {
                conversation: target.conversation,
                text: &target.prompt,
                files: &target.files,
                parent: target.parent,
                reply_to: target.reply_to,
                model: &target.settings.model,
                system: target.settings.choices.system.as_deref(),
                settings: &settings,
            });
            match saved {
                Ok((conversation, prompt)) => Ok(Kept::In {
                    conversation,
                    prompt,
                }),
                Err(crate::history::HistoryError::NotFound(c)) => Ok(Kept::Gone(c)),
                Err(e) => Err(e),
            }
        })
        .await
}

/// Where the reply is kept: the saved prompt it answers.
#[derive(Clone)]
pub struct Keeping {
    pub history: Shared,
    pub conversation: i64,
    pub prompt: i64,
    pub paid_by: CredentialKind,
}

/// How far a kept reply got.
#[derive(Clone, Copy)]
pub(super) enum Ending {
    /// Still streaming, or cut off.
    Open,
    Complete,
    /// The person stopped it: the history says so (on resume, in `history show`).
    Stopped,
}

/// Keeps the reply in the history as it streams.
pub(super) struct Keeper {
    pub(super) keeping: Keeping,
    pub(super) model: String,
    /// What the reply's thinking is bound to (`api::binding::Binding` as JSON).
    pub(super) binding: serde_json::Value,
    pub(super) row: Option<i64>,
    pub(super) last: Instant,
}

impl Keeper {
    /// Keeps the reply unless it was kept in this tick of `SAVE_EVERY` (`force` keeps it anyway);
    /// true when it did. The first piece is kept at once.
    pub(super) async fn keep(
        &mut self,
        a: &Assembler,
        first_token: Option<Duration>,
        end: Ending,
        force: bool,
        sink: &mut impl Sink,
    ) -> bool {
        // On the grid every reply shares: eight replies streaming at once are kept in
        // the same moment, one burst of database writes a second rather than eight.
        if !force && self.row.is_some() && Instant::now() < crate::tick::next(self.last, SAVE_EVERY)
        {
            return false;
        }
        self.last = Instant::now();
        let mut update =
            ReplyUpdate::from_assembler(a, first_token, matches!(end, Ending::Complete));
        update.stopped = matches!(end, Ending::Stopped);
        if self.row.is_none() {
            update.binding = Some(self.binding.clone());
        }
        let existing = self.row;
        let k = self.keeping.clone();
        let model = self.model.clone();
        let kept = k
            .history
            .with(move |h| {
                let row = match existing {
                    Some(r) => r,
                    None => {
                        h.start_reply_to(k.conversation, Some(k.prompt), &model, Some(k.paid_by))?
                    }
                };
                h.update_reply(row, &update)?;
                Ok(row)
            })
            .await;
        match kept {
            Ok(row) => {
                if existing.is_none() {
                    sink.event(TurnEvent::ReplyKept { message: row });
                }
                self.row = Some(row);
            }
            Err(e) => tracing::warn!(error = %e, "could not keep the reply"),
        }
        true
    }
}
