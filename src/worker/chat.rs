//! The app's side of a turn: the conversation engine runs it (`conversation::turn`, with
//! its tool loop in `conversation::tools`), and this forwards what it tells to the UI as
//! events, and the calls Claude asks for as questions. No stream loop, no save cadence
//! here.

use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::{ApiEvent, ChatError, RequestId, TaskContext};
use crate::api::{Delta, MessageRequest};
use crate::conversation::tools::{Approval, Approver, Call, ToolEvent, Toolbox};
use crate::conversation::turn::{self, End, Keeping, Kept, PromptTarget, Sink, TurnEvent};

/// What the conversation says of MCP tools.
pub(super) struct ToolChoice {
    /// `None`: the credential's default (on for an API key, off for a setup token).
    pub(super) on: Option<bool>,
    /// Allowed for the whole conversation.
    pub(super) allowed: Vec<String>,
}

/// Whether the UI hears of a finished block: server-tool calls and results (what a search
/// does), text that cites sources (its markers), and thinking with no text to show
/// (omitted or redacted: its one line). Plain text and thinking arrive as deltas already.
fn shows_at_stop(block: &Value) -> bool {
    match block["type"].as_str() {
        Some("text") => block.get("citations").is_some_and(|c| !c.is_null()),
        Some("thinking") => block["thinking"]
            .as_str()
            .is_none_or(|t| t.trim().is_empty()),
        Some("redacted_thinking") => true,
        _ => true,
    }
}

/// Forwards a turn's events over the channel, tagged with the request's id.
struct Forward<'a> {
    ctx: &'a TaskContext,
    id: RequestId,
    /// Text (or thinking) told since the engine last caught up, sent as one delta: a
    /// read brings many at once, and each event the UI takes is work on its thread (a
    /// tab's state swapped in and out when the tab is not on screen).
    held: Option<Delta>,
}

impl Forward<'_> {
    /// Sends the held delta, before anything that must come after it.
    fn release(&mut self) {
        if let Some(delta) = self.held.take() {
            self.ctx.send(ApiEvent::ChatDelta { id: self.id, delta });
        }
    }

    fn send(&mut self, event: ApiEvent) {
        self.release();
        self.ctx.send(event);
    }
}

impl Sink for Forward<'_> {
    fn caught_up(&mut self) -> bool {
        self.release();
        true
    }

    fn event(&mut self, event: TurnEvent<'_>) -> bool {
        let id = self.id;
        let e = match event {
            TurnEvent::Retrying(n) => ApiEvent::Retrying {
                id,
                notice: n.clone(),
            },
            TurnEvent::Opened { limits } if limits.is_empty() => return true,
            TurnEvent::Opened { limits } => ApiEvent::RateLimitsSeen {
                limits: Box::new(limits.clone()),
            },
            // Moved to the UI uncopied, or joined to the one held.
            TurnEvent::Delta(delta) => match (&mut self.held, delta) {
                (Some(Delta::TextDelta { text: held }), Delta::TextDelta { text }) => {
                    held.push_str(&text);
                    return true;
                }
                (
                    Some(Delta::ThinkingDelta { thinking: held }),
                    Delta::ThinkingDelta { thinking },
                ) => {
                    held.push_str(&thinking);
                    return true;
                }
                (_, delta @ (Delta::TextDelta { .. } | Delta::ThinkingDelta { .. })) => {
                    self.release();
                    self.held = Some(delta);
                    return true;
                }
                (_, delta) => ApiEvent::ChatDelta { id, delta },
            },
            TurnEvent::BlockStopped(block) if shows_at_stop(block) => ApiEvent::ChatBlockStopped {
                id,
                block: block.clone(),
            },
            TurnEvent::BlockStopped(_) => return true,
            TurnEvent::ReplyKept { message } => ApiEvent::ReplySaved { id, message },
            TurnEvent::Continuing { attempt, limit } => {
                ApiEvent::ChatContinuing { id, attempt, limit }
            }
        };
        self.send(e);
        // The UI going away ends the worker too; the reply is still kept to its end.
        true
    }
}

impl Approver for Forward<'_> {
    async fn approve(&mut self, call: &Call) -> Approval {
        let answer = self.ctx.tools.ask(self.id);
        self.send(super::tools::asked(self.id, call));
        super::tools::wait(answer).await
    }

    fn told(&mut self, event: ToolEvent<'_>) {
        let id = self.id;
        if let ToolEvent::Round {
            message,
            binding,
            results,
            kept,
        } = &event
        {
            return self.send(ApiEvent::ToolRound {
                id,
                message: (*message).clone(),
                binding: Some((*binding).clone()),
                results: results.to_vec(),
                prompt: *kept,
            });
        }
        if let ToolEvent::Bound(binding) = &event {
            return self.send(ApiEvent::ChatBound {
                id,
                binding: (*binding).clone(),
            });
        }
        if let Some(line) = super::tools::line(&event) {
            self.send(ApiEvent::ToolTold { id, line });
        }
    }
}

impl TaskContext {
    pub(super) async fn stream_chat(
        &self,
        id: RequestId,
        mut request: MessageRequest,
        save: Option<PromptTarget>,
        tools: ToolChoice,
        cancel: CancellationToken,
    ) {
        let fail = |error: ChatError, partial: Value| ApiEvent::ChatFailed { id, error, partial };
        // The prompt is kept before anything else can fail: nothing typed is lost.
        let kept = match save {
            Some(target) => match turn::keep_prompt(&self.history, target).await {
                Ok(Kept::In {
                    conversation,
                    prompt,
                }) => {
                    self.send(ApiEvent::ConversationSaved {
                        id,
                        conversation,
                        prompt,
                    });
                    Some((conversation, prompt))
                }
                // Deleted since the app showed it: its turns are not sent as the context
                // of a conversation that no longer exists.
                Ok(Kept::Gone(conversation)) => {
                    self.send(fail(ChatError::ConversationGone(conversation), Value::Null));
                    return self.send(ApiEvent::ConversationDeleted { id, conversation });
                }
                Err(error) => {
                    self.send(ApiEvent::HistoryFailed { id, error });
                    None
                }
            },
            None => None,
        };
        let (client, resolved) = match self.chat_client(None).await {
            Ok(c) => c,
            Err(e) => return self.send(fail(e, Value::Null)),
        };
        let paid_by = resolved.credential.kind;
        let keeping = kept.map(|(conversation, prompt)| Keeping {
            history: self.history.clone(),
            conversation,
            prompt,
            paid_by,
        });
        let mut sink = Forward {
            ctx: self,
            id,
            held: None,
        };
        let on = tools
            .on
            .unwrap_or(paid_by == crate::credentials::CredentialKind::ApiKey);
        let mcp = if on {
            self.with_keys(|k| k.config.config.mcp.clone())
                .await
                .unwrap_or_default()
        } else {
            Default::default()
        };
        let mut always: std::collections::BTreeSet<String> = tools.allowed.into_iter().collect();
        let toolbox = if on && mcp.servers.values().any(|s| s.enabled) {
            // Started here, the first time a conversation needs them; kept for the next.
            // The config is read again for every prompt: servers changed in it since (in
            // another shell, say) are stopped, to start again as now configured. The lock
            // is held only for that and for each call, never for a whole reply: other
            // tabs stream meanwhile.
            let (offered, failures) = {
                let mut servers = self.tools.servers.lock().await;
                servers.reconfigure(&mcp).await;
                servers.tools().await
            };
            for line in failures {
                sink.told(ToolEvent::Said(line));
            }
            request
                .tools
                .extend(crate::conversation::tools::offered(&offered));
            // The tools are part of what the replies' thinking is bound to: thinking made
            // without them is left out now, said once in the transcript.
            if let Some(note) = crate::conversation::plan::finish(&mut request) {
                sink.told(ToolEvent::Said(note));
            }
            Some(Toolbox {
                servers: &self.tools.servers,
                tools: offered,
                always: &mut always,
            })
        } else {
            None
        };
        let outcome = crate::conversation::tools::run(
            &client,
            request,
            keeping,
            cancel.cancelled(),
            &mut sink,
            toolbox,
        )
        .await;
        // What was held goes before the end.
        sink.release();
        match outcome.end {
            End::Finished => self.send(ApiEvent::ChatFinished {
                id,
                message: outcome.assembler.message(),
                first_token: outcome.first_token,
                paid_by,
                utilization: outcome
                    .limits
                    .unified
                    .as_ref()
                    .map(|u| (u.five_hour.utilization, u.seven_day.utilization)),
            }),
            End::Failed(e) => self.send(fail(ChatError::Api(e), outcome.assembler.message())),
            // Stopped by the person: the UI already knows.
            End::Cancelled | End::Unheard => {}
        }
    }
}
