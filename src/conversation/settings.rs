//! What a conversation carries besides its turns: the model, the person's choices
//! (system prompt, thinking, effort, max tokens, temperature, web search) and what oat
//! sent with them (caching, API version). One serialisable type, saved with every prompt
//! and read back by the app's resume and `oat ask --continue` alike. No I/O here.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::api::CacheTtl;
use crate::api::messages::{Effort, RequestOptions, ThinkingChoice, ThinkingDisplay};

/// The person's choices for a conversation. `None` (and `ThinkingChoice::Default`) means
/// "not chosen": the model's or oat's default applies, and is never pinned by saving.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Choices {
    #[serde(skip)]
    pub system: Option<String>,
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    #[serde(with = "thinking_text")]
    pub thinking: ThinkingChoice,
    pub effort: Option<Effort>,
    /// Anthropic's web search and fetch tools on this conversation's requests.
    pub web: bool,
    /// The configured MCP servers' tools (`None`: the credential's default, see
    /// `tools_on`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tools: Option<bool>,
    /// Tools the person allowed for the whole conversation (their `mcp__…` names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_tools: Vec<String>,
}

impl Choices {
    /// Whether MCP tools are offered: as chosen, else on for an API key and off for a
    /// setup token (Anthropic bills or refuses tool-carrying subscription requests most
    /// often).
    pub fn tools_on(&self, kind: crate::token::CredentialKind) -> bool {
        self.tools
            .unwrap_or(kind == crate::token::CredentialKind::ApiKey)
    }
}

/// Everything a prompt is sent with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub model: String,
    pub choices: Choices,
    /// Prompt caching (`None`: off). Recorded with each prompt; a continued conversation
    /// takes the config in effect, which is the person's standing choice.
    pub cache: Option<CacheTtl>,
    /// Recorded like `cache`, and taken from the config in effect likewise.
    pub api_version: String,
    /// Whether thinking is shown (summarized) or left out: recorded and taken likewise.
    pub thinking_display: ThinkingDisplay,
    /// Whether the web tools may run code server-side: taken likewise.
    pub web_code_execution: bool,
}

impl Settings {
    /// The options a request is planned from.
    pub fn request_options(&self) -> RequestOptions {
        let c = &self.choices;
        RequestOptions {
            model: self.model.clone(),
            max_tokens: c.max_tokens,
            system: c.system.clone(),
            temperature: c.temperature,
            thinking: c.thinking,
            thinking_display: self.thinking_display,
            effort: c.effort,
            api_version: self.api_version.clone(),
            cache: self.cache,
            web: c.web,
            web_code_execution: self.web_code_execution,
        }
    }

    /// As the history keeps it, beside the prompt (and as the conversation's latest).
    pub fn to_json(&self) -> Value {
        let mut v = serde_json::to_value(&self.choices).unwrap_or(Value::Null);
        if let Value::Object(m) = &mut v {
            m.insert("model".into(), Value::String(self.model.clone()));
            m.insert(
                "cache".into(),
                serde_json::to_value(self.cache).unwrap_or(Value::Null),
            );
            m.insert(
                "api_version".into(),
                Value::String(self.api_version.clone()),
            );
            m.insert(
                "thinking_display".into(),
                serde_json::to_value(self.thinking_display).unwrap_or(Value::Null),
            );
        }
        v
    }

    /// Read back from the history: `saved` is the JSON of `to_json` (or an older shape:
    /// missing fields are "not chosen"); the model and system prompt come from the
    /// conversation's own columns when the JSON has none. What oat sends from the
    /// config (caching, the API version, the thinking display) is the caller's: the
    /// config in effect.
    pub fn from_saved(saved: &Value, model: &str, system: Option<String>, sent: Sent) -> Self {
        let mut choices: Choices = serde_json::from_value(saved.clone()).unwrap_or_default();
        choices.system = system;
        Self {
            model: saved["model"].as_str().unwrap_or(model).to_string(),
            choices,
            cache: sent.cache,
            api_version: sent.api_version,
            thinking_display: sent.thinking_display,
            web_code_execution: sent.web_code_execution,
        }
    }
}

/// What oat sends from the config in effect rather than from a conversation's choices.
#[derive(Debug, Clone, PartialEq)]
pub struct Sent {
    pub cache: Option<CacheTtl>,
    pub api_version: String,
    pub thinking_display: ThinkingDisplay,
    pub web_code_execution: bool,
}

/// `ThinkingChoice` as the history has always written it: `null` (the model's default),
/// `"off"`, `"adaptive"` or a budget as text.
mod thinking_text {
    use super::*;

    pub fn serialize<S: Serializer>(t: &ThinkingChoice, s: S) -> Result<S::Ok, S::Error> {
        match t {
            ThinkingChoice::Default => s.serialize_none(),
            ThinkingChoice::Off => s.serialize_str("off"),
            ThinkingChoice::Adaptive => s.serialize_str("adaptive"),
            ThinkingChoice::Budget(n) => s.serialize_str(&n.to_string()),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ThinkingChoice, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        Ok(text
            .and_then(|t| t.parse().ok())
            .unwrap_or(ThinkingChoice::Default))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> Settings {
        Settings {
            model: "claude-opus-5-5".into(),
            choices: Choices {
                system: Some("sys".into()),
                max_tokens: Some(2000),
                temperature: None,
                thinking: ThinkingChoice::Budget(4096),
                effort: Some(Effort::XHigh),
                web: true,
                tools: Some(true),
                allowed_tools: vec!["mcp__t__echo".into()],
            },
            cache: Some(CacheTtl::OneHour),
            api_version: "2023-06-01".into(),
            thinking_display: ThinkingDisplay::Omitted,
            web_code_execution: false,
        }
    }

    fn sent(cache: Option<CacheTtl>, api_version: &str) -> Sent {
        Sent {
            cache,
            api_version: api_version.into(),
            thinking_display: ThinkingDisplay::Summarized,
            web_code_execution: false,
        }
    }

    #[test]
    fn round_trips_through_the_history_shape() {
        let s = settings();
        let saved = s.to_json();
        assert_eq!(saved["thinking"], "4096");
        assert_eq!(saved["effort"], "xhigh");
        assert_eq!(saved["model"], "claude-opus-5-5");
        assert_eq!(saved["thinking_display"], "omitted");
        assert_eq!(saved["tools"], true);
        assert_eq!(saved["allowed_tools"], json!(["mcp__t__echo"]));
        let back = Settings::from_saved(
            &saved,
            "other-model",
            Some("sys".into()),
            Sent {
                thinking_display: ThinkingDisplay::Omitted,
                ..sent(Some(CacheTtl::OneHour), "2023-06-01")
            },
        );
        assert_eq!(back, s);
    }

    #[test]
    fn older_rows_read_as_not_chosen_and_keep_their_columns() {
        // What the app wrote before settings were one type, and what the CLI wrote.
        let app = json!({"max_tokens": null, "temperature": 0.5, "thinking": "adaptive", "effort": null, "web": false});
        let s = Settings::from_saved(&app, "claude-haiku-4-5", None, sent(None, "2023-06-01"));
        assert_eq!(s.model, "claude-haiku-4-5");
        assert_eq!(s.choices.thinking, ThinkingChoice::Adaptive);
        assert_eq!(s.choices.temperature, Some(0.5));
        let cli = json!({"max_tokens": 8192});
        let s = Settings::from_saved(&cli, "m", Some("be brief".into()), sent(None, "x"));
        assert_eq!(s.choices.max_tokens, Some(8192));
        assert_eq!(s.choices.system.as_deref(), Some("be brief"));
        assert_eq!(s.choices.thinking, ThinkingChoice::Default);
        // Garbage is "nothing chosen", never an error that loses the conversation.
        let s = Settings::from_saved(&json!("?"), "m", None, sent(None, "x"));
        assert_eq!(s.choices, Choices::default());
    }
}
