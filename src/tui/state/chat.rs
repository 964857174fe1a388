//! The conversation: turns, the reply streaming in, per-conversation settings and the
//! scroll position. Updated only by `App::update`; the view reads it, and caches its
//! rendered lines in `render_cache` (a cache, not state: dropping it changes nothing).

use std::cell::RefCell;
use std::time::Duration;

use serde_json::Value;

use crate::api::Usage;
use crate::api::context::{Meter, estimate_text};
use crate::api::messages::Message;
use crate::api::pricing::Cost;
use crate::api::web::Sources;
use crate::attach::Attachment;
use crate::conversation::{Exchange, api_messages};
use crate::tui::render_cache::RenderCache;
use crate::worker::RequestId;

mod branch;
pub mod compose;
mod slash;
mod spend;
pub mod tools;
pub use branch::Siblings;
pub use slash::{
    COMMANDS, CommandInfo, SlashCommand, matching_commands, parse_slash, sentence, thinking_words,
    typed_command, usage_report,
};

#[derive(Debug, Clone, PartialEq)]
pub enum ReplyState {
    Waiting,
    Streaming,
    Done,
    /// Stopped by the person; what arrived is kept.
    Stopped,
    Failed(TurnFailure),
    /// The model declined (`stop_reason: "refusal"`): the API's reason, in a sentence.
    /// What streamed before stays.
    Declined {
        sentence: String,
    },
}

/// Why a reply did not come, kept typed: the view chooses the words and key hints.
#[derive(Debug, Clone, PartialEq)]
pub enum TurnFailure {
    /// No key to send with (none at all, an unknown name, a token that will not parse).
    NoKey { detail: String },
    /// The key store (keyring or file) failed.
    KeyStore { detail: String },
    /// The config file could not be read.
    Config { detail: String },
    /// The API refused, or the stream broke; `web`: the request carried the web tools.
    Api {
        error: crate::api::ApiError,
        web: bool,
    },
    /// oat itself failed (a task lost).
    Internal(String),
    /// A reply read back from the history that never finished.
    CutOff,
    /// The conversation was deleted (elsewhere) before the prompt was kept: not sent.
    ConversationGone(i64),
}

impl TurnFailure {
    pub fn of(e: crate::worker::ChatError, web: bool) -> Self {
        use crate::credentials::keys::KeyError as K;
        use crate::worker::ChatError as C;
        match e {
            C::Api(error) => Self::Api { error, web },
            C::Internal(detail) => Self::Internal(detail),
            C::ConversationGone(c) => Self::ConversationGone(c),
            C::Key(K::Config(e)) => Self::Config {
                detail: e.to_string(),
            },
            C::Key(K::Store(e)) => Self::KeyStore {
                detail: e.to_string(),
            },
            C::Key(other) => Self::NoKey {
                detail: other.to_string(),
            },
        }
    }
}

/// Every turn made in this process gets its own id, so what is cached for a turn is never
/// taken for another that comes to stand at the same place (after `/new`, say).
static NEXT_TURN_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

#[derive(Debug, Clone)]
pub struct Turn {
    /// Stable for the turn's life on screen (the render cache's key).
    pub id: u64,
    pub prompt: String,
    /// A prompt that is not the person's text (the results of a reply's tool calls, made
    /// by `oat ask --tools`): its blocks exactly as kept, sent back as they are.
    pub prompt_content: Option<Vec<Value>>,
    /// Files sent with the prompt.
    pub attachments: Vec<Attachment>,
    /// The prompt's and the reply's messages in the history, once saved.
    pub prompt_id: Option<i64>,
    pub reply_id: Option<i64>,
    /// The other branches from this turn on (edited prompts, regenerated replies).
    pub siblings: Siblings,
    pub model: String,
    pub text: String,
    pub thinking: String,
    /// One line each for thinking with no text to show (`api::reply::unseen_thinking`):
    /// omitted by the API, or redacted.
    pub unseen_thinking: Vec<String>,
    /// The reply's content blocks as the API sent them (thinking signatures included), for
    /// sending the conversation back as context.
    pub content: Vec<Value>,
    pub usage: Option<Usage>,
    /// What the reply cost: money on an API key, usage on a subscription.
    pub spend: Option<Spend>,
    /// What a server tool is doing right now (`searching: QUERY`), while the reply streams.
    pub activity: Option<String>,
    /// Sources the reply cited, numbered as its markers are.
    pub sources: Sources,
    /// `ChatState::context_from` when the turn was sent: its usage measures the context
    /// only while that has not moved.
    pub sent_from: usize,
    pub first_token: Option<Duration>,
    pub state: ReplyState,
    /// Plain lines about what the reply holds beyond its text (a `fallback` block,
    /// fallback credit), from `api::reply::notes`, and about what its request left out
    /// (earlier thinking made under other settings).
    pub notes: Vec<String>,
    /// The API's id for the reply (`msg_…`): the next request names it for the cache
    /// diagnosis.
    pub api_id: Option<String>,
    /// What the reply's thinking is bound to: whether a later request may send it back.
    pub binding: Option<crate::api::binding::Binding>,
    /// Why this follow-up missed the cache, as the API diagnosed it, in words.
    pub cache_miss: Option<String>,
    /// Tool results shown whole (select mode's `x`), not one summary line each.
    pub results_open: bool,
    /// Bumped on every change, so the view knows when its cached lines are stale.
    pub revision: u64,
}

impl Turn {
    pub fn new(prompt: String, model: String) -> Self {
        Self {
            id: NEXT_TURN_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            prompt,
            prompt_content: None,
            attachments: Vec::new(),
            prompt_id: None,
            reply_id: None,
            siblings: Siblings::default(),
            model,
            text: String::new(),
            thinking: String::new(),
            unseen_thinking: Vec::new(),
            content: Vec::new(),
            usage: None,
            spend: None,
            activity: None,
            sources: Sources::default(),
            sent_from: 0,
            first_token: None,
            state: ReplyState::Waiting,
            notes: Vec::new(),
            api_id: None,
            binding: None,
            cache_miss: None,
            results_open: false,
            revision: 0,
        }
    }

    pub fn in_flight(&self) -> bool {
        matches!(self.state, ReplyState::Waiting | ReplyState::Streaming)
    }
}

/// What one reply cost.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Spend {
    /// On an API key; `None` when the model has no price ("cost unknown", never a guess).
    Money(Option<Cost>),
    /// On a subscription: the 5-hour utilisation the reply's headers reported, and how far
    /// it moved since the reply before.
    Subscription {
        five_hour: Option<f64>,
        moved: Option<f64>,
    },
}

impl Spend {
    pub fn label(&self) -> Option<String> {
        match self {
            Self::Money(Some(c)) => Some(c.to_string()),
            Self::Money(None) => Some("cost unknown".into()),
            Self::Subscription {
                five_hour: Some(f),
                moved,
            } => Some(match moved {
                Some(d) => format!("5h {:.0}% ({:+.0})", f * 100.0, d * 100.0),
                None => format!("5h {:.0}%", f * 100.0),
            }),
            Self::Subscription { .. } => None,
        }
    }
}

/// A send stopped because the conversation no longer fits the model's context.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextGate {
    /// The prompt held back; empty when the gate follows a reply the full context cut
    /// short (then `d` only leaves the oldest exchanges out of what is sent next).
    pub prompt: String,
    pub total: u64,
    pub limit: u64,
    /// How many of the oldest exchanges to leave out so it fits; `None` when nothing does.
    pub drop: Option<usize>,
}

impl ContextGate {
    /// What happened, in a sentence (the choices follow, one a line).
    pub fn headline(&self) -> String {
        let size = format!(
            "Not sent: about {} tokens, over this model's context of {}.",
            crate::api::usage::tokens(self.total),
            crate::api::usage::tokens(self.limit)
        );
        match self.drop {
            Some(_) => size,
            None => format!("{size} Even the prompt alone is too long."),
        }
    }

    /// The keys the gate takes and what each does.
    pub fn choices(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("n", "new conversation".to_string())];
        if let Some(n) = self.drop {
            out.push((
                "d",
                format!(
                    "leave out the {n} oldest exchange{} and send (the history keeps them)",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        out.push(("Esc", "back to the prompt".to_string()));
        out
    }

    pub fn sentence(&self) -> String {
        if self.prompt.is_empty() {
            let full = crate::api::reply::CONTEXT_FULL;
            return match self.drop {
                Some(n) => format!(
                    "{full} n: new conversation · d: leave out the {n} oldest exchange{} from now on (the history keeps them) · Esc: carry on",
                    if n == 1 { "" } else { "s" }
                ),
                None => format!("{full} n: new conversation · Esc: carry on"),
            };
        }
        let size = format!(
            "Not sent: about {} tokens, over this model's context of {}.",
            crate::api::usage::tokens(self.total),
            crate::api::usage::tokens(self.limit)
        );
        match self.drop {
            Some(n) => format!(
                "{size} n: new conversation · d: leave out the {n} oldest exchange{} and send (the history keeps them) · Esc: back",
                if n == 1 { "" } else { "s" }
            ),
            None => {
                format!("{size} Even the prompt alone is too long: n: new conversation · Esc: back")
            }
        }
    }
}

/// The person's choices for the conversation on screen: the engine's own type.
pub use crate::conversation::Choices as ChatSettings;

/// Lines scrolled up from the bottom; 0 follows the reply as it grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub from_bottom: usize,
    /// While scrolled up: how many lines the last turn had then. What it grows by since is
    /// added to `from_bottom` when drawing, so the text being read holds still while the
    /// reply streams in below it. Ignored when `from_bottom` is 0 (following).
    pub hold: Option<usize>,
}

#[derive(Debug, Default)]
pub struct ChatState {
    pub turns: Vec<Turn>,
    /// The saved conversation this chat continues; `None` until its first prompt is saved.
    pub conversation: Option<i64>,
    pub model: String,
    pub settings: ChatSettings,
    pub streaming: Option<RequestId>,
    /// The last reply asked for, streaming or not: its saved ids still come back after
    /// it is stopped.
    pub sent: Option<RequestId>,
    pub scroll: Scroll,
    pub show_thinking: bool,
    /// Under the conversation: retries, copy confirmations, setting changes.
    pub notice: Option<crate::tui::notice::Notice>,
    pub render_cache: RefCell<RenderCache>,
    /// Turns before this index stay on screen and in the history but are not sent (left
    /// out to fit the context window).
    pub context_from: usize,
    /// The API's count for the composer text as it was: the whole next request.
    pub counted: Option<(String, u64)>,
    /// The count asked for, and the text it counts.
    pub count_req: Option<(RequestId, String)>,
    /// The API will not count for this credential: the meter estimates from now on.
    pub count_unavailable: bool,
    pub gate: Option<ContextGate>,
    /// The 5-hour utilisation the last reply reported, to show how far each turn moves it.
    pub last_five_hour: Option<f64>,
    /// Files to go with the next prompt (chips above the composer).
    pub attached: Vec<Attachment>,
    /// A prompt written while the reply streamed (Enter queues it): sent when the reply
    /// ends, back in the composer if it fails or is stopped. One at a time.
    pub queued: Option<Queued>,
    pub compose: compose::Compose,
    /// Select mode: the turn picked in the transcript.
    pub selected: Option<usize>,
    /// The composer holds turn N's prompt: sending it starts a branch there.
    pub editing: Option<usize>,
    /// Models whose retirement this conversation has been warned of (once each).
    pub warned_retiring: Vec<String>,
    /// A tool call Claude asked for, waiting for the person's answer.
    pub approval: Option<tools::PendingCall>,
}

/// A turn's money, when it was paid with an API key.
fn money(t: &Turn) -> Option<Option<Cost>> {
    match t.spend {
        Some(Spend::Money(c)) => Some(c),
        _ => None,
    }
}

/// `None` for no amounts; `Some(None)` when one is unknown.
fn sum_money(mut amounts: impl Iterator<Item = Option<Cost>>) -> Option<Option<Cost>> {
    let first = amounts.next()?;
    Some(amounts.fold(first, |a, b| Some(a? + b?)))
}

impl ChatState {
    /// Forgets the conversation on screen — its turns, where it is saved, what was
    /// selected, edited, counted, gated or cached for it — for `/new`, opening another
    /// and a deletion alike. Kept: the model and settings (the caller sets them), the
    /// draft's files (they belong to the composer), and a reply in flight is the caller's
    /// to stop first.
    pub fn reset(&mut self) {
        self.turns.clear();
        self.conversation = None;
        self.sent = None;
        self.scroll.from_bottom = 0;
        self.notice = None;
        *self.render_cache.borrow_mut() = RenderCache::default();
        self.context_from = 0;
        self.counted = None;
        self.count_req = None;
        self.gate = None;
        self.last_five_hour = None;
        self.selected = None;
        self.editing = None;
        self.warned_retiring.clear();
        self.queued = None;
    }

    pub fn new(model: String) -> Self {
        Self {
            model,
            ..Self::default()
        }
    }

    pub fn in_flight(&self) -> bool {
        self.streaming.is_some()
    }

    /// The conversation as API messages: the turns sent before `upto`, then `prompt`
    /// (what is left out, and why, is the engine's rule: `conversation::sent`).
    pub fn messages_for(&self, upto: usize, prompt: &str, files: &[Attachment]) -> Vec<Message> {
        let from = self.context_from.min(upto);
        let earlier = self.turns[from..upto].iter().map(|t| Exchange {
            prompt: t
                .prompt_content
                .clone()
                .unwrap_or_else(|| crate::attach::user_content(&t.prompt, &t.attachments, false)),
            reply: if t.content.is_empty() && !t.text.is_empty() {
                vec![serde_json::json!({"type": "text", "text": t.text})]
            } else {
                t.content.clone()
            },
            refused: matches!(t.state, ReplyState::Declined { .. }),
            origin: Some(crate::api::messages::Origin {
                id: t.api_id.clone(),
                binding: t.binding.clone(),
            }),
        });
        api_messages(earlier, crate::attach::user_content(prompt, files, false))
    }

    pub fn last_reply(&self) -> Option<&Turn> {
        self.turns.iter().rev().find(|t| !t.text.is_empty())
    }

    /// What the branch on screen cost on an API key so far: `None` when no turn cost
    /// money, `Some(None)` when one of them has no price.
    pub fn total_cost(&self) -> Option<Option<Cost>> {
        sum_money(self.turns.iter().filter_map(money))
    }

    /// What every reply of the conversation cost, the other branches' too (a regenerated
    /// reply was paid for as well): what `oat history list` counts. As `total_cost`.
    pub fn all_replies_cost(&self) -> Option<Option<Cost>> {
        fn walk(turns: &[Turn], out: &mut Vec<Option<Cost>>) {
            for t in turns {
                out.extend(money(t));
                for other in &t.siblings.others {
                    walk(other, out);
                }
            }
        }
        let mut all = Vec::new();
        walk(&self.turns, &mut all);
        sum_money(all.into_iter())
    }

    /// The context meter for sending `composer` next: the API's count when it counted
    /// this very text, else the last reply's exact usage plus an estimate for the rest.
    pub fn meter(&self, composer: &str, limit: Option<u64>, system: Option<&str>) -> Meter {
        if let Some((text, n)) = &self.counted
            && text == composer
        {
            return Meter {
                used: *n,
                limit,
                exact: true,
            };
        }
        let sent = &self.turns[self.context_from.min(self.turns.len())..];
        let last = sent
            .iter()
            .rev()
            .find(|t| !t.in_flight() && !matches!(t.state, ReplyState::Declined { .. }));
        let measured = last
            .filter(|t| t.sent_from == self.context_from)
            .and_then(|t| t.usage);
        let (base, exact) = match measured {
            Some(u) => (u.prompt_tokens() + u.output, true),
            None if sent.is_empty() => (system.map_or(0, estimate_text), system.is_none()),
            None => (
                sent.iter()
                    .map(|t| {
                        estimate_text(&t.prompt)
                            + estimate_text(&t.text)
                            + t.attachments
                                .iter()
                                .map(Attachment::estimate_tokens)
                                .sum::<u64>()
                            + 8
                    })
                    .sum::<u64>()
                    + system.map_or(0, estimate_text),
                false,
            ),
        };
        let files: u64 = self.attached.iter().map(Attachment::estimate_tokens).sum();
        let typed = if composer.trim().is_empty() {
            files
        } else {
            estimate_text(composer) + 4 + files
        };
        Meter {
            used: base + typed,
            limit,
            exact: exact && typed == 0,
        }
    }
}

/// A prompt typed ahead, with the files attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub prompt: String,
    pub files: Vec<Attachment>,
}

#[cfg(test)]
mod tests;
