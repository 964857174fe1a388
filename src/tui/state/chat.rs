//! The conversation: turns, the reply streaming in, per-conversation settings and the
//! scroll position. Updated only by `App::update`; the view reads it, and caches its
//! rendered lines in `render_cache` (a cache, not state: dropping it changes nothing).

use std::cell::RefCell;
use std::time::Duration;

use serde_json::Value;

use crate::api::Usage;
use crate::api::context::{Meter, estimate_text};
use crate::api::messages::{Effort, Message, Role, ThinkingChoice};
use crate::api::pricing::Cost;
use crate::api::web::Sources;
use crate::attach::Attachment;
use crate::tui::render_cache::RenderCache;
use crate::worker::RequestId;

mod branch;
pub mod compose;
mod slash;
pub use branch::Siblings;
pub use slash::{
    COMMANDS, CommandInfo, SlashCommand, matching_commands, parse_slash, typed_command,
};

#[derive(Debug, Clone, PartialEq)]
pub enum ReplyState {
    Waiting,
    Streaming,
    Done,
    /// Stopped by the person; what arrived is kept.
    Stopped,
    Failed {
        error: String,
        advice: String,
    },
    /// The model declined (`stop_reason: "refusal"`): the API's reason, in a sentence.
    /// What streamed before stays.
    Declined {
        sentence: String,
    },
}

#[derive(Debug, Clone)]
pub struct Turn {
    pub prompt: String,
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
    /// fallback credit), from `api::reply::notes`.
    pub notes: Vec<String>,
    /// Bumped on every change, so the view knows when its cached lines are stale.
    pub revision: u64,
}

impl Turn {
    pub fn new(prompt: String, model: String) -> Self {
        Self {
            prompt,
            attachments: Vec::new(),
            prompt_id: None,
            reply_id: None,
            siblings: Siblings::default(),
            model,
            text: String::new(),
            thinking: String::new(),
            content: Vec::new(),
            usage: None,
            spend: None,
            activity: None,
            sources: Sources::default(),
            sent_from: 0,
            first_token: None,
            state: ReplyState::Waiting,
            notes: Vec::new(),
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

#[derive(Debug, Clone, PartialEq)]
pub struct ChatSettings {
    pub system: Option<String>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    pub thinking: ThinkingChoice,
    pub effort: Option<Effort>,
    /// Anthropic's web search and fetch tools on this conversation's requests.
    pub web: bool,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            system: None,
            max_tokens: None,
            temperature: None,
            thinking: ThinkingChoice::Default,
            effort: None,
            web: false,
        }
    }
}

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
    pub compose: compose::Compose,
    /// Select mode: the turn picked in the transcript.
    pub selected: Option<usize>,
    /// The composer holds turn N's prompt: sending it starts a branch there.
    pub editing: Option<usize>,
}

impl ChatState {
    pub fn new(model: String) -> Self {
        Self {
            model,
            ..Self::default()
        }
    }

    pub fn in_flight(&self) -> bool {
        self.streaming.is_some()
    }

    /// The conversation as API messages: every finished turn, then `prompt`. Failed turns
    /// with no reply are left out, since roles must alternate; so are declined turns,
    /// prompt and all, as Anthropic advises after a refusal (the context is reset past it).
    pub fn messages_for(&self, upto: usize, prompt: &str, files: &[Attachment]) -> Vec<Message> {
        let mut out = Vec::new();
        let from = self.context_from.min(upto);
        for t in &self.turns[from..upto] {
            let declined = matches!(t.state, ReplyState::Declined { .. });
            if declined || (t.content.is_empty() && t.text.is_empty()) {
                continue;
            }
            out.push(Message {
                role: Role::User,
                content: crate::attach::user_content(&t.prompt, &t.attachments, false),
            });
            let content = if t.content.is_empty() {
                vec![serde_json::json!({"type": "text", "text": t.text})]
            } else {
                // Thinking blocks go back unchanged; a reply cut mid-thinking has no
                // signature and would be refused, so such blocks are dropped.
                t.content
                    .iter()
                    .filter(|b| b["type"] != "thinking" || b.get("signature").is_some())
                    .cloned()
                    .collect()
            };
            out.push(Message {
                role: Role::Assistant,
                content,
            });
        }
        out.push(Message {
            role: Role::User,
            content: crate::attach::user_content(prompt, files, false),
        });
        out
    }

    pub fn last_reply(&self) -> Option<&Turn> {
        self.turns.iter().rev().find(|t| !t.text.is_empty())
    }

    /// What the conversation cost on an API key so far: `None` when no turn cost money,
    /// `Some(None)` when one of them has no price.
    pub fn total_cost(&self) -> Option<Option<Cost>> {
        let mut money = self.turns.iter().filter_map(|t| match t.spend {
            Some(Spend::Money(c)) => Some(c),
            _ => None,
        });
        let first = money.next()?;
        Some(money.fold(first, |a, b| Some(a? + b?)))
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

#[cfg(test)]
mod tests;
