//! The conversation: turns, the reply streaming in, per-conversation settings and the
//! scroll position. Updated only by `App::update`; the view reads it, and caches its
//! rendered lines in `render_cache` (a cache, not state: dropping it changes nothing).

use std::cell::RefCell;
use std::time::Duration;

use serde_json::Value;

use crate::api::Usage;
use crate::api::messages::Message;
use crate::api::web::Sources;
use crate::attach::Attachment;
use crate::conversation::{Exchange, api_messages};
use crate::tui::render_cache::RenderCache;
use crate::worker::RequestId;

mod branch;
pub mod compose;
mod gate;
mod slash;
mod spend;
pub mod tools;
pub use branch::Siblings;
pub use gate::ContextGate;
pub use slash::{
    COMMANDS, CommandInfo, SlashCommand, matching_commands, parse_slash, sentence, thinking_words,
    typed_command, usage_report,
};
pub use spend::Spend;

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
}

/// A prompt typed ahead, with the files attached to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Queued {
    pub prompt: String,
    pub files: Vec<Attachment>,
}

#[cfg(test)]
mod tests;
