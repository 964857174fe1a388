//! The worker's chat stream and its history: the prompt saved before it is sent (refused
//! when the conversation it continues was deleted), the reply saved as it streams (at
//! most once a second, and when it ends or is stopped). Database calls run on tokio's
//! blocking pool. The History pane's own requests are in `conversations.rs`.

use std::time::{Duration, Instant};

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{ApiEvent, RequestId, SaveTarget, TaskContext};
use crate::api::stream::starting_text;
use crate::api::{Assembler, MessageRequest, StreamEvent};
use crate::credentials::CredentialKind;
use crate::history::ReplyUpdate;

/// Whether the UI hears of a finished block: server-tool calls and results (what a search
/// does), and text that cites sources (its markers). Plain text and thinking arrive as
/// deltas already.
fn shows_at_stop(block: &Value) -> bool {
    match block["type"].as_str() {
        Some("text") => block.get("citations").is_some_and(|c| !c.is_null()),
        Some("thinking" | "redacted_thinking") => false,
        _ => true,
    }
}

const SAVE_EVERY: Duration = Duration::from_secs(1);

/// Where a prompt went.
enum Saved {
    /// In this conversation, as this message.
    In(i64, i64),
    /// Not saved: history is off or failed (the app was told).
    Off,
    /// The conversation it continues was deleted.
    Gone(i64),
}

impl TaskContext {
    /// Saves the prompt (creating the conversation if needed): the conversation and the
    /// message the reply answers, or why there is none.
    async fn save_prompt(
        &self,
        id: RequestId,
        target: SaveTarget,
        request: &MessageRequest,
    ) -> Saved {
        let model = request.model.clone();
        let system = request.system_text().map(str::to_string);
        let r = self
            .history
            .with(move |h| {
                let conv = match target.conversation {
                    Some(c) => {
                        match h.update_settings(c, system.as_deref(), &target.settings) {
                            Err(crate::history::HistoryError::NotFound(_)) => {
                                return Ok(Saved::Gone(c));
                            }
                            r => r?,
                        }
                        c
                    }
                    None => h.create_conversation(
                        &target.prompt,
                        &model,
                        system.as_deref(),
                        &target.settings,
                    )?,
                };
                let prompt = match target.reply_to {
                    Some(p) => p,
                    None => h.add_prompt(conv, target.parent, &target.prompt, &target.files)?,
                };
                Ok(Saved::In(conv, prompt))
            })
            .await;
        match r {
            Ok(Saved::In(conversation, prompt)) => {
                self.send(ApiEvent::ConversationSaved {
                    id,
                    conversation,
                    prompt,
                });
                Saved::In(conversation, prompt)
            }
            Ok(other) => other,
            Err(error) => {
                self.send(ApiEvent::HistoryFailed { id, error });
                Saved::Off
            }
        }
    }

    async fn save_reply(
        &self,
        id: RequestId,
        (conversation, prompt): (i64, i64),
        (model, paid_by): (&str, CredentialKind),
        reply: &mut Option<i64>,
        update: ReplyUpdate,
    ) {
        let model = model.to_string();
        let existing = *reply;
        let r = self
            .history
            .with(move |h| {
                let row = match existing {
                    Some(r) => r,
                    None => h.start_reply_to(conversation, Some(prompt), &model, Some(paid_by))?,
                };
                h.update_reply(row, &update)?;
                Ok(row)
            })
            .await;
        match r {
            Ok(row) => {
                if existing.is_none() {
                    self.send(ApiEvent::ReplySaved { id, message: row });
                }
                *reply = Some(row);
            }
            Err(e) => tracing::warn!(error = %e, "could not save the reply"),
        }
    }

    pub(super) async fn stream_chat(
        &self,
        id: RequestId,
        request: MessageRequest,
        save: Option<SaveTarget>,
        cancel: CancellationToken,
    ) {
        let fail = |error: String, advice: String, partial: Value| ApiEvent::ChatFailed {
            id,
            error,
            advice,
            partial,
        };
        let conversation = match save {
            Some(t) => match self.save_prompt(id, t, &request).await {
                Saved::In(c, p) => Some((c, p)),
                Saved::Off => None,
                // Deleted since the app showed it (by another process): its turns are not
                // sent as the context of a conversation that no longer exists.
                Saved::Gone(conversation) => {
                    self.send(fail(
                        format!("conversation {conversation} was deleted, so nothing was sent"),
                        "Your prompt is back in the composer: Enter sends it in a new conversation.".into(),
                        Value::Null,
                    ));
                    return self.send(ApiEvent::ConversationDeleted { id, conversation });
                }
            },
            None => None,
        };
        let (client, resolved) = match self.client(None).await {
            Ok(c) => c,
            Err(e) => return self.send(fail(e, "Add a key on the Keys pane.".into(), Value::Null)),
        };
        let started = Instant::now();
        let events = self.events.clone();
        let mut on_retry = move |n: crate::api::RetryNotice| {
            let _ = events.send(ApiEvent::Retrying {
                id,
                message: format!(
                    "{} — retrying in {:.0}s (attempt {} of 3)",
                    n.error,
                    n.wait.as_secs_f64().ceil(),
                    n.attempt
                ),
            });
        };
        // One waiter for the whole reply, not one per event.
        let cancelled = cancel.cancelled();
        tokio::pin!(cancelled);
        let paid_by = resolved.credential.kind;
        let opened = tokio::select! {
            _ = &mut cancelled => {
                // Stopped before a byte came: the reply row says so, so the prompt is not
                // left looking unanswered (on resume, in `history show`).
                if let Some(conv) = conversation {
                    let stopped = ReplyUpdate { stopped: true, ..ReplyUpdate::default() };
                    self.save_reply(id, conv, (&request.model, paid_by), &mut None, stopped)
                        .await;
                }
                return;
            }
            opened = client.stream_message(&request, &mut on_retry) => opened,
        };
        let mut stream = match opened {
            Ok(s) => s,
            Err(e) => return self.send(fail(e.to_string(), e.advice().into(), Value::Null)),
        };
        if !stream.limits.is_empty() {
            self.send(ApiEvent::RateLimitsSeen {
                limits: Box::new(stream.limits.clone()),
            });
        }
        let mut assembler = Assembler::new();
        let mut first_token = None;
        let mut reply_row = None;
        let mut last_save = Instant::now();
        let outcome = loop {
            let next = tokio::select! {
                _ = &mut cancelled => break Err(None),
                next = stream.next_event() => next,
            };
            match next {
                None => break Ok(()),
                Some(Ok(event)) => {
                    if let Err(e) = assembler.apply(&event) {
                        break Err(Some(e));
                    }
                    // Applied first, so the delta itself can move to the UI uncopied.
                    match event {
                        StreamEvent::ContentBlockDelta { delta, .. } => {
                            first_token.get_or_insert_with(|| started.elapsed());
                            self.send(ApiEvent::ChatDelta { id, delta });
                        }
                        StreamEvent::ContentBlockStart { content_block, .. } => {
                            if let Some(text) = starting_text(&content_block) {
                                first_token.get_or_insert_with(|| started.elapsed());
                                self.send(ApiEvent::ChatDelta {
                                    id,
                                    delta: crate::api::Delta::TextDelta { text },
                                });
                            }
                        }
                        StreamEvent::ContentBlockStop { index } => {
                            if let Some(block) = assembler.block(index).filter(|b| shows_at_stop(b))
                            {
                                self.send(ApiEvent::ChatBlockStopped {
                                    id,
                                    block: block.clone(),
                                });
                            }
                        }
                        _ => {}
                    }
                    if let Some(conv) = conversation
                        && (reply_row.is_none() || last_save.elapsed() >= SAVE_EVERY)
                    {
                        last_save = Instant::now();
                        self.save_reply(
                            id,
                            conv,
                            (&request.model, paid_by),
                            &mut reply_row,
                            ReplyUpdate::from_assembler(&assembler, first_token, false),
                        )
                        .await;
                    }
                }
                Some(Err(e)) => break Err(Some(e)),
            }
        };
        if let Some(conv) = conversation {
            let complete = outcome.is_ok() && assembler.is_complete();
            // A stop is saved even before any text, for the same reason as above.
            let stopped = matches!(outcome, Err(None));
            if reply_row.is_some() || !assembler.content().is_empty() || stopped {
                let mut update = ReplyUpdate::from_assembler(&assembler, first_token, complete);
                update.stopped = stopped;
                self.save_reply(id, conv, (&request.model, paid_by), &mut reply_row, update)
                    .await;
            }
        }
        match outcome {
            Ok(()) => self.send(ApiEvent::ChatFinished {
                id,
                message: assembler.message(),
                first_token,
                paid_by,
                utilization: stream
                    .limits
                    .unified
                    .as_ref()
                    .map(|u| (u.five_hour.utilization, u.seven_day.utilization)),
            }),
            Err(Some(e)) => self.send(fail(e.to_string(), e.advice().into(), assembler.message())),
            // Stopped by the person: the UI already knows.
            Err(None) => {}
        }
    }
}
