//! Running one turn, once for both front ends: the reply streamed through the one
//! assembler (continued on its own after a `pause_turn`), kept as it streams by `keep`,
//! and told as typed events. It knows nothing of terminals or channels: `oat ask` prints the
//! events, the app's worker forwards them.

use std::future::Future;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::keep::{Ending, Keeper};
pub use super::keep::{Keeping, Kept, PromptTarget, SAVE_EVERY, keep_prompt};
use crate::api::stream::starting_text;
use crate::api::{
    ApiError, Assembler, Client, Delta, Message, MessageRequest, RateLimits, RetryNotice, Role,
    StreamEvent,
};

/// What a turn tells its front end, in order.
#[derive(Debug)]
pub enum TurnEvent<'a> {
    /// Before a retry (429, 529, a dropped connection), while nothing has streamed yet.
    Retrying(&'a RetryNotice),
    /// The API answered and the reply starts: its rate-limit headers.
    Opened { limits: &'a RateLimits },
    /// Text or thinking, as it arrives (also a block that starts with text in it).
    Delta(Delta),
    /// A content block is whole: what a front end shows only once complete (a search,
    /// its sources, a citing text block).
    BlockStopped(&'a Value),
    /// The reply has its row in the history (once, the first time it is kept).
    ReplyKept { message: i64 },
    /// The reply paused (`pause_turn`) and is sent again to continue: the `attempt`th of
    /// at most `limit` times.
    Continuing { attempt: u32, limit: u32 },
}

/// The front end a turn reports to.
pub trait Sink: Send {
    /// Hears one event; `false` when nobody listens any more (a closed pipe): the turn
    /// then ends quietly, keeping what arrived.
    fn event(&mut self, event: TurnEvent<'_>) -> bool;
    /// Every event that had arrived has been told: the moment to flush output.
    fn caught_up(&mut self) -> bool {
        true
    }
}

/// How a turn ended.
#[derive(Debug)]
pub enum End {
    /// The reply streamed to its end (it may still be cut short: see the stop reason).
    Finished,
    /// The API refused, or the stream broke; what arrived before is in the assembler.
    Failed(ApiError),
    /// Stopped by the person.
    Cancelled,
    /// The sink stopped listening.
    Unheard,
}

/// A turn once it is over.
pub struct Outcome {
    pub end: End,
    pub assembler: Assembler,
    pub first_token: Option<Duration>,
    pub limits: RateLimits,
    pub request_id: Option<String>,
    /// The reply's row in the history, when it was kept.
    pub reply: Option<i64>,
}

/// How many times a reply that pauses (`stop_reason: "pause_turn"`, a long server-tool
/// turn) is continued on its own before the person is asked to.
pub const MAX_CONTINUATIONS: u32 = 3;

/// What a front end says when a paused reply is continued, and when it paused too often.
pub fn continuing_words(attempt: u32, limit: u32) -> String {
    format!("the reply paused (a long server-tool turn); continuing it ({attempt} of {limit})")
}
pub const STILL_PAUSED: &str =
    "the reply paused again after the automatic continuations; send \"continue\" to go on";

/// Sends `request` and streams the reply to `sink`, keeping it where `keeping` says,
/// until it ends, fails, `cancel` completes, or the sink stops listening. A reply that
/// pauses is sent again with what arrived (as the API documents), up to
/// `MAX_CONTINUATIONS` times, into the same assembler and the same kept reply.
// Long by design: the one loop of a turn (open, stream, continue a pause). Its exits each
// keep the reply differently (stopped before a byte, refused, failed mid-continuation,
// finished); split up, those rules would be spread over functions that share it all.
pub async fn run(
    client: &Client,
    request: &MessageRequest,
    keeping: Option<Keeping>,
    cancel: impl Future<Output = ()>,
    sink: &mut impl Sink,
) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome {
        end: End::Finished,
        assembler: Assembler::new(),
        first_token: None,
        limits: RateLimits::default(),
        request_id: None,
        reply: None,
    };
    tokio::pin!(cancel);
    let mut keeper = keeping.map(|keeping| Keeper {
        keeping,
        model: request.model.clone(),
        binding: serde_json::to_value(crate::api::binding::Binding::of(request))
            .unwrap_or(Value::Null),
        row: None,
        last: Instant::now(),
    });
    // Only a continuation needs its own copy of the request.
    let mut continued: Option<MessageRequest> = None;
    let mut continuations = 0;
    let end = loop {
        let current = continued.as_ref().unwrap_or(request);
        let opened = {
            let mut on_retry = |n: RetryNotice| {
                sink.event(TurnEvent::Retrying(&n));
            };
            tokio::select! {
                _ = &mut cancel => None,
                opened = client.stream_message(current, &mut on_retry) => Some(opened),
            }
        };
        let mut stream = match opened {
            None => {
                // Stopped before a byte came (waiting to retry, say): the reply row says
                // so, so the prompt is not left looking unanswered.
                if let Some(k) = keeper.as_mut() {
                    k.keep(&outcome.assembler, None, Ending::Stopped, true, sink)
                        .await;
                    outcome.reply = k.row;
                }
                outcome.end = End::Cancelled;
                return outcome;
            }
            // A continuation that fails keeps what the paused reply brought (below).
            Some(Err(e)) if continuations > 0 => break End::Failed(e),
            Some(Err(e)) => {
                outcome.end = End::Failed(e);
                return outcome;
            }
            Some(Ok(s)) => s,
        };
        outcome.request_id = stream.request_id.clone();
        outcome.limits = stream.limits.clone();
        if !sink.event(TurnEvent::Opened {
            limits: &outcome.limits,
        }) {
            outcome.end = End::Unheard;
            return outcome;
        }
        let end = stream_reply(
            &mut stream,
            &mut outcome,
            keeper.as_mut(),
            &mut cancel,
            sink,
            started,
        )
        .await;
        let a = &mut outcome.assembler;
        if matches!(end, End::Finished)
            && a.is_complete()
            && a.stop_reason() == Some("pause_turn")
            && continuations < MAX_CONTINUATIONS
        {
            continuations += 1;
            if !sink.event(TurnEvent::Continuing {
                attempt: continuations,
                limit: MAX_CONTINUATIONS,
            }) {
                break End::Unheard;
            }
            // The prompt's messages, then everything the reply brought so far as one
            // assistant message (replacing the one an earlier continuation sent).
            let mut next = current.clone();
            if continuations > 1 {
                next.messages.pop();
            }
            next.messages
                .push(Message::new(Role::Assistant, a.content()));
            a.continue_paused();
            continued = Some(next);
            continue;
        }
        break end;
    };
    let a = &outcome.assembler;
    let ending = match end {
        End::Finished if a.is_complete() => Ending::Complete,
        End::Cancelled => Ending::Stopped,
        _ => Ending::Open,
    };
    // A stop is kept even before any text, for the same reason as above.
    if let Some(k) = keeper.as_mut()
        && (k.row.is_some() || !a.content().is_empty() || matches!(ending, Ending::Stopped))
    {
        k.keep(a, outcome.first_token, ending, true, sink).await;
    }
    outcome.reply = keeper.as_ref().and_then(|k| k.row);
    outcome.end = end;
    outcome
}

/// Streams one message of the reply into the outcome's assembler, telling `sink` and
/// keeping it as it goes, until it ends, fails, is cancelled or unheard.
// Long by design: one `select!` over the stop, the stream and the save timer, then one
// arm per event kind; they read best side by side.
async fn stream_reply(
    stream: &mut crate::api::MessageStream,
    outcome: &mut Outcome,
    mut keeper: Option<&mut Keeper>,
    cancel: &mut std::pin::Pin<&mut impl Future<Output = ()>>,
    sink: &mut impl Sink,
    started: Instant,
) -> End {
    let a = &mut outcome.assembler;
    let first_token = &mut outcome.first_token;
    // One timer for the whole reply: a stalled stream still gets what arrived kept.
    let stall = tokio::time::sleep(SAVE_EVERY);
    tokio::pin!(stall);
    let mut unsaved = false;
    loop {
        let next = tokio::select! {
            biased;
            _ = cancel.as_mut() => break End::Cancelled,
            // The stream before the timer: while events wait in its buffer, nothing else
            // is polled.
            next = stream.next_event() => next,
            _ = &mut stall, if unsaved && keeper.is_some() => {
                if let Some(k) = keeper.as_mut() {
                    k.keep(a, *first_token, Ending::Open, true, sink).await;
                }
                unsaved = false;
                continue;
            }
        };
        let event = match next {
            None => break End::Finished,
            Some(Err(e)) => break End::Failed(e),
            Some(Ok(event)) => event,
        };
        // Applied before it is told: an event that breaks the protocol is neither shown
        // nor kept, so what is shown, `--json` and the history agree.
        if let Err(e) = a.apply(&event) {
            break End::Failed(e);
        }
        // Skipped before `message_start` (see `Assembler::apply`): nothing to tell.
        if !a.started() {
            continue;
        }
        let heard = match event {
            StreamEvent::ContentBlockDelta { delta, .. } => {
                first_token.get_or_insert_with(|| started.elapsed());
                sink.event(TurnEvent::Delta(delta))
            }
            StreamEvent::ContentBlockStart { content_block, .. } => {
                match starting_text(&content_block) {
                    Some(text) => {
                        first_token.get_or_insert_with(|| started.elapsed());
                        sink.event(TurnEvent::Delta(Delta::TextDelta { text }))
                    }
                    None => true,
                }
            }
            StreamEvent::ContentBlockStop { index } => match a.stopped_block(index) {
                Some(block) => sink.event(TurnEvent::BlockStopped(block)),
                None => true,
            },
            _ => true,
        };
        if !heard {
            break End::Unheard;
        }
        if keeper.is_some() && !unsaved {
            unsaved = true;
            stall
                .as_mut()
                .reset(tokio::time::Instant::now() + SAVE_EVERY);
        }
        if !stream.has_buffered() {
            if !sink.caught_up() {
                break End::Unheard;
            }
            if let Some(k) = keeper.as_mut()
                && k.keep(a, *first_token, Ending::Open, false, sink).await
            {
                unsaved = false;
            }
        }
    }
}
