//! The conversation: turns, the reply streaming in, per-conversation settings and the
//! scroll position. Updated only by `App::update`; the view reads it, and caches its
//! rendered lines in `render_cache` (a cache, not state: dropping it changes nothing).

use std::cell::RefCell;
use std::time::Duration;

use serde_json::Value;

use crate::api::messages::{Effort, Message, Role, ThinkingChoice};
use crate::tui::view::chat::RenderCache;
use crate::worker::RequestId;

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
    pub model: String,
    pub text: String,
    pub thinking: String,
    /// The reply's content blocks as the API sent them (thinking signatures included), for
    /// sending the conversation back as context.
    pub content: Vec<Value>,
    pub usage: Option<(u64, u64)>,
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
            model,
            text: String::new(),
            thinking: String::new(),
            content: Vec::new(),
            usage: None,
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

#[derive(Debug, Clone, PartialEq)]
pub struct ChatSettings {
    pub system: Option<String>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    pub thinking: ThinkingChoice,
    pub effort: Option<Effort>,
}

impl Default for ChatSettings {
    fn default() -> Self {
        Self {
            system: None,
            max_tokens: None,
            temperature: None,
            thinking: ThinkingChoice::Default,
            effort: None,
        }
    }
}

/// Lines scrolled up from the bottom; 0 follows the reply as it grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scroll {
    pub from_bottom: usize,
}

#[derive(Debug, Default)]
pub struct ChatState {
    pub turns: Vec<Turn>,
    /// The saved conversation this chat continues; `None` until its first prompt is saved.
    pub conversation: Option<i64>,
    pub model: String,
    pub settings: ChatSettings,
    pub streaming: Option<RequestId>,
    pub scroll: Scroll,
    pub show_thinking: bool,
    /// A line under the conversation: retries, copy confirmations, setting changes.
    pub notice: Option<String>,
    pub render_cache: RefCell<RenderCache>,
}

/// A `/command` typed in the composer.
#[derive(Debug, Clone, PartialEq)]
pub enum SlashCommand {
    System(Option<String>),
    MaxTokens(Option<u32>),
    Temperature(Option<f32>),
    Thinking(ThinkingChoice),
    Effort(Option<Effort>),
    Model(String),
    Title(String),
    New,
    Help,
}

pub const SLASH_HELP: &str = "/system TEXT · /max-tokens N · /temperature T · /thinking off|adaptive|N · /effort low|medium|high|xhigh|max · /model ID · /title TEXT · /new · (empty value resets)";

pub fn parse_slash(input: &str) -> Option<Result<SlashCommand, String>> {
    let rest = input.trim().strip_prefix('/')?;
    let (cmd, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let arg = arg.trim();
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let num = |what: &str| -> Result<Option<u32>, String> {
        if arg.is_empty() {
            Ok(None)
        } else {
            arg.parse()
                .map(Some)
                .map_err(|_| format!("{what} takes a number"))
        }
    };
    Some(match cmd {
        "system" => Ok(SlashCommand::System(opt(arg))),
        "max-tokens" => num("/max-tokens").map(SlashCommand::MaxTokens),
        "temperature" => {
            if arg.is_empty() {
                Ok(SlashCommand::Temperature(None))
            } else {
                arg.parse::<f32>()
                    .ok()
                    .filter(|t| (0.0..=1.0).contains(t))
                    .map(|t| SlashCommand::Temperature(Some(t)))
                    .ok_or_else(|| "/temperature takes a number from 0 to 1".to_string())
            }
        }
        "thinking" => {
            if arg.is_empty() {
                Ok(SlashCommand::Thinking(ThinkingChoice::Default))
            } else {
                arg.parse().map(SlashCommand::Thinking)
            }
        }
        // Any level oat knows; whether the chat's model takes it is checked, against its
        // capabilities, when the prompt is sent.
        "effort" => match arg {
            "" => Ok(SlashCommand::Effort(None)),
            level => Effort::parse(level)
                .map(|e| SlashCommand::Effort(Some(e)))
                .ok_or_else(|| {
                    let all: Vec<&str> = Effort::ALL.iter().map(|e| e.as_str()).collect();
                    format!("unknown effort `{level}`: {}", all.join(", "))
                }),
        },
        "model" if !arg.is_empty() => Ok(SlashCommand::Model(arg.to_string())),
        "title" if !arg.is_empty() => Ok(SlashCommand::Title(arg.to_string())),
        "new" | "clear" => Ok(SlashCommand::New),
        "help" => Ok(SlashCommand::Help),
        other => Err(format!("unknown command /{other}. {SLASH_HELP}")),
    })
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
    pub fn messages_for(&self, upto: usize, prompt: &str) -> Vec<Message> {
        let mut out = Vec::new();
        for t in &self.turns[..upto] {
            let declined = matches!(t.state, ReplyState::Declined { .. });
            if declined || (t.content.is_empty() && t.text.is_empty()) {
                continue;
            }
            out.push(Message::user_text(t.prompt.clone()));
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
        out.push(Message::user_text(prompt.to_string()));
        out
    }

    pub fn last_reply(&self) -> Option<&Turn> {
        self.turns.iter().rev().find(|t| !t.text.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slash_commands_parse() {
        assert_eq!(parse_slash("hello"), None);
        assert_eq!(
            parse_slash("/system Be brief."),
            Some(Ok(SlashCommand::System(Some("Be brief.".into()))))
        );
        assert_eq!(parse_slash("/system"), Some(Ok(SlashCommand::System(None))));
        assert_eq!(
            parse_slash("/max-tokens 2000"),
            Some(Ok(SlashCommand::MaxTokens(Some(2000))))
        );
        assert!(matches!(parse_slash("/max-tokens lots"), Some(Err(_))));
        assert_eq!(
            parse_slash("/thinking 4096"),
            Some(Ok(SlashCommand::Thinking(ThinkingChoice::Budget(4096))))
        );
        assert_eq!(
            parse_slash("/effort max"),
            Some(Ok(SlashCommand::Effort(Some(Effort::Max))))
        );
        assert_eq!(
            parse_slash("/effort xhigh"),
            Some(Ok(SlashCommand::Effort(Some(Effort::XHigh))))
        );
        assert!(matches!(parse_slash("/temperature 3"), Some(Err(_))));
        assert!(
            matches!(parse_slash("/frobnicate"), Some(Err(e)) if e.contains("unknown command"))
        );
    }

    #[test]
    fn context_skips_failed_turns_and_unsigned_thinking() {
        let mut c = ChatState::new("m".into());
        let mut t1 = Turn::new("q1".into(), "m".into());
        t1.text = "a1".into();
        t1.content = vec![
            serde_json::json!({"type":"thinking","thinking":"x","signature":"s"}),
            serde_json::json!({"type":"thinking","thinking":"cut"}),
            serde_json::json!({"type":"text","text":"a1"}),
        ];
        let t2 = Turn::new("q2".into(), "m".into());
        c.turns = vec![t1, t2];
        let m = c.messages_for(2, "q3");
        assert_eq!(m.len(), 3);
        assert_eq!(m[1].content.len(), 2);
        assert_eq!(m[2].content[0]["text"], "q3");
    }
}
