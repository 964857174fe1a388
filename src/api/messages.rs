//! The `POST /v1/messages` request body, and the pure rules that turn what a person asked
//! for (thinking, effort, temperature, API version) into a body the model accepts — or a
//! clear error before any request is sent.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::binding::{Binding, BlockBinding};
use super::models::Model;
use super::usage::CacheTtl;
use super::web;

/// The API version the seed specifies and oat sends by default.
pub const API_VERSION_DEFAULT: &str = "2023-06-01";
/// The newer version, under which `temperature`, `top_p` and `top_k` are removed.
pub const API_VERSION_2026: &str = "2026-10-21";
pub const API_VERSIONS: [&str; 2] = [API_VERSION_DEFAULT, API_VERSION_2026];

/// Budgeted thinking needs at least this many tokens.
pub const MIN_THINKING_BUDGET: u32 = 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    /// Content blocks exactly as the API uses them, so earlier assistant turns (thinking
    /// blocks with their signatures included) go back unchanged.
    pub content: Vec<Value>,
    /// On an earlier reply: what oat knows of how it was made. Never sent.
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// How an earlier reply was made, as oat recorded it: the API's id for it (what
/// `diagnostics.previous_message_id` names) and what its thinking is bound to.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Origin {
    pub id: Option<String>,
    pub binding: Option<Binding>,
}

impl Message {
    pub fn user_text(text: impl Into<String>) -> Self {
        Self::new(
            Role::User,
            vec![serde_json::json!({"type": "text", "text": text.into()})],
        )
    }

    pub fn new(role: Role, content: Vec<Value>) -> Self {
        Self {
            role,
            content,
            origin: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Effort {
    Low,
    Medium,
    High,
    /// Between high and max; listed by current models in `capabilities.effort` (2026).
    #[value(name = "xhigh")]
    XHigh,
    Max,
}

impl Effort {
    /// Every level oat knows, lowest first; what a model takes is in its capabilities
    /// (`Model::effort_levels`).
    pub const ALL: [Effort; 5] = [Self::Low, Self::Medium, Self::High, Self::XHigh, Self::Max];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::XHigh => "xhigh",
            Self::Max => "max",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }
}

/// Whether the reply's thinking comes back as a summary or is left out (only its
/// signature arrives). Opus 4.7+ and the Fable models leave it out unless asked, so oat
/// asks for `summarized` unless the person chose to save the bandwidth.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ThinkingDisplay {
    #[default]
    Summarized,
    Omitted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Thinking {
    Adaptive {
        display: ThinkingDisplay,
        /// Set when the request carries earlier thinking (see `api::binding`).
        #[serde(skip_serializing_if = "Option::is_none")]
        block_binding: Option<BlockBinding>,
    },
    Enabled {
        budget_tokens: u32,
        display: ThinkingDisplay,
        #[serde(skip_serializing_if = "Option::is_none")]
        block_binding: Option<BlockBinding>,
    },
}

impl Thinking {
    pub fn set_block_binding(&mut self, to: Option<BlockBinding>) {
        match self {
            Self::Adaptive { block_binding, .. } | Self::Enabled { block_binding, .. } => {
                *block_binding = to
            }
        }
    }
}

/// `diagnostics`: the reply before this one, whose prompt the API compares this one's
/// with to say why the cache missed (`null` opts in on a first turn).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostics {
    pub previous_message_id: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OutputConfig {
    pub effort: Effort,
}

/// The system prompt: a plain string, or one text block carrying a cache breakpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct SystemPrompt {
    pub text: String,
    pub cache: Option<CacheTtl>,
}

impl Serialize for SystemPrompt {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.cache {
            None => s.serialize_str(&self.text),
            Some(ttl) => serde_json::json!([{
                "type": "text",
                "text": self.text,
                "cache_control": ttl.cache_control(),
            }])
            .serialize(s),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MessageRequest {
    pub model: String,
    pub max_tokens: u32,
    pub messages: Vec<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub system: Option<SystemPrompt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thinking: Option<Thinking>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_config: Option<OutputConfig>,
    /// Server tools (web search and fetch): Anthropic runs them, oat runs nothing.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Diagnostics>,
    pub stream: bool,
    /// `anthropic-beta` flags this request needs beside the client's own (the header,
    /// not the body).
    #[serde(skip)]
    pub betas: Vec<&'static str>,
}

impl MessageRequest {
    pub fn system_text(&self) -> Option<&str> {
        self.system.as_ref().map(|s| s.text.as_str())
    }

    /// The request as `POST /v1/messages/count_tokens` takes it: the same content, without
    /// the fields only a reply needs.
    pub fn count_body(&self) -> Value {
        let mut body = serde_json::to_value(self).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut body {
            for key in [
                "max_tokens",
                "stream",
                "temperature",
                "output_config",
                "diagnostics",
            ] {
                m.remove(key);
            }
        }
        body
    }

    /// How many cache breakpoints the request carries (the API allows four).
    pub fn cache_breakpoints(&self) -> usize {
        let system = usize::from(self.system.as_ref().is_some_and(|s| s.cache.is_some()));
        let blocks = self
            .messages
            .iter()
            .flat_map(|m| &m.content)
            .filter(|b| b.get("cache_control").is_some())
            .count();
        system + blocks
    }
}

/// What the person asked for with `--thinking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThinkingChoice {
    /// Send nothing: the model's own default.
    #[default]
    Default,
    Off,
    Adaptive,
    Budget(u32),
}

impl std::str::FromStr for ThinkingChoice {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "off" => Ok(Self::Off),
            "adaptive" => Ok(Self::Adaptive),
            n => n.parse::<u32>().map(Self::Budget).map_err(|_| {
                format!("expected `off`, `adaptive` or a token budget (a number), got `{n}`")
            }),
        }
    }
}

/// Everything that shapes a request besides the conversation itself.
#[derive(Debug, Clone)]
pub struct RequestOptions {
    pub model: String,
    pub max_tokens: Option<u32>,
    pub system: Option<String>,
    pub temperature: Option<f32>,
    pub thinking: ThinkingChoice,
    /// Sent with any thinking setting, so thinking shows (or is left out) whatever the
    /// model's own default.
    pub thinking_display: ThinkingDisplay,
    pub effort: Option<Effort>,
    pub api_version: String,
    /// Prompt caching: breakpoints on the system prompt and the newest turn, so a
    /// follow-up reads the unchanged prefix from the cache. `None` turns it off.
    pub cache: Option<CacheTtl>,
    /// Anthropic's server-side web search (and fetch) for this request.
    pub web: bool,
    /// Whether the web tools may run code server-side to filter results (otherwise
    /// `allowed_callers: ["direct"]`).
    pub web_code_execution: bool,
}

/// The default reply budget when the person gives none; capped by the model's own limit.
pub const DEFAULT_MAX_TOKENS: u32 = 8192;

/// A request that passed every check, and notes for the person about what was changed.
#[derive(Debug)]
pub struct Planned {
    pub request: MessageRequest,
    pub notes: Vec<String>,
    /// Earlier thinking left out because it was made under other settings, in a line
    /// for the transcript (`conversation::binding`); said once per change.
    pub thinking_note: Option<String>,
}

/// Builds the request body, checking the options against what the model says it supports
/// (`model` is `None` when nothing is known of it: then the API is left to judge).
// Long by design: the API's rules in the order they are checked; each is a paragraph, and the order matters.
pub fn plan_request(
    opts: &RequestOptions,
    model: Option<&Model>,
    messages: Vec<Message>,
) -> Result<Planned, String> {
    let mut notes = Vec::new();
    if !API_VERSIONS.contains(&opts.api_version.as_str()) {
        return Err(format!(
            "unknown API version `{}`; oat knows {}",
            opts.api_version,
            API_VERSIONS.join(" and ")
        ));
    }
    let model_cap = model
        .and_then(|m| m.max_tokens)
        .map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    let max_tokens = match (opts.max_tokens, model_cap) {
        (Some(0), _) => return Err("--max-tokens must be at least 1".into()),
        (Some(n), Some(cap)) if n > cap => {
            return Err(format!(
                "--max-tokens {n} is more than {} accepts ({cap})",
                opts.model
            ));
        }
        (Some(n), _) => n,
        (None, Some(cap)) => DEFAULT_MAX_TOKENS.min(cap),
        (None, None) => DEFAULT_MAX_TOKENS,
    };
    let support = model.and_then(Model::thinking);
    let thinking = match opts.thinking {
        ThinkingChoice::Default | ThinkingChoice::Off => None,
        ThinkingChoice::Adaptive => {
            if support.is_some_and(|s| !s.adaptive) {
                let hint = if support.is_some_and(|s| s.budgeted) {
                    " (it takes a token budget: --thinking 4096)"
                } else {
                    ""
                };
                return Err(format!(
                    "{} does not support adaptive thinking{hint}",
                    opts.model
                ));
            }
            Some(Thinking::Adaptive {
                display: opts.thinking_display,
                block_binding: None,
            })
        }
        ThinkingChoice::Budget(n) => {
            if support.is_some_and(|s| !s.budgeted) {
                let hint = if support.is_some_and(|s| s.adaptive) {
                    " (it thinks adaptively: use --thinking adaptive with --effort)"
                } else {
                    ""
                };
                return Err(format!(
                    "{} does not take a thinking budget{hint}",
                    opts.model
                ));
            }
            if n < MIN_THINKING_BUDGET {
                return Err(format!(
                    "a thinking budget must be at least {MIN_THINKING_BUDGET} tokens"
                ));
            }
            if n >= max_tokens {
                return Err(format!(
                    "the thinking budget ({n}) must be less than --max-tokens ({max_tokens})"
                ));
            }
            Some(Thinking::Enabled {
                budget_tokens: n,
                display: opts.thinking_display,
                block_binding: None,
            })
        }
    };
    if opts.thinking == ThinkingChoice::Off && support.is_some_and(|s| s.adaptive && !s.budgeted) {
        notes.push(format!(
            "{} decides for itself how much to think; --thinking off sends no thinking setting",
            opts.model
        ));
    }
    if let (Some(effort), Some(levels)) = (opts.effort, model.and_then(Model::effort_levels))
        && !levels.contains(&effort)
    {
        let known: Vec<&str> = levels.iter().map(|e| e.as_str()).collect();
        return Err(if known.is_empty() {
            format!("{} does not support --effort", opts.model)
        } else {
            format!(
                "{} does not support effort `{}` (it takes {})",
                opts.model,
                effort.as_str(),
                known.join(", ")
            )
        });
    }
    let mut temperature = opts.temperature;
    if let Some(t) = temperature {
        if !(0.0..=1.0).contains(&t) {
            return Err(format!("--temperature must be between 0 and 1, got {t}"));
        }
        if opts.api_version == API_VERSION_2026 {
            notes.push(format!(
                "API version {API_VERSION_2026} has no temperature; --temperature {t} is not sent"
            ));
            temperature = None;
        } else if thinking.is_some() {
            return Err("--temperature cannot be set together with thinking".into());
        }
    }
    let mut messages = messages;
    if let Some(ttl) = opts.cache {
        // On the newest block: the API caches everything up to it, and the next turn
        // finds that prefix again (it looks back from its own breakpoint).
        if let Some(Value::Object(block)) = messages.last_mut().and_then(|m| m.content.last_mut()) {
            block.insert("cache_control".into(), ttl.cache_control());
        }
    }
    Ok(Planned {
        request: MessageRequest {
            model: opts.model.clone(),
            max_tokens,
            messages,
            system: opts.system.clone().map(|text| SystemPrompt {
                text,
                cache: opts.cache,
            }),
            temperature,
            thinking,
            output_config: opts.effort.map(|effort| OutputConfig { effort }),
            tools: if opts.web {
                web::tools_for(&opts.model, model, opts.web_code_execution)
            } else {
                Vec::new()
            },
            diagnostics: None,
            stream: true,
            betas: Vec::new(),
        },
        notes,
        thinking_note: None,
    })
}

#[cfg(test)]
mod tests;
