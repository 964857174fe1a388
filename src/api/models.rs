//! Model objects from `GET /v1/models`, what they say they can do, and the fallback list
//! shipped in `assets/` for when the API cannot be reached. Unknown fields are kept, so
//! `--json` passes through whatever Anthropic adds.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::error::ApiError;
use super::messages::Effort;
use crate::token::CredentialKind;

mod lifecycle;

pub use lifecycle::{Retirement, retirement_warning};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// Context window, when the API lists it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_input_tokens: Option<u64>,
    /// The highest `max_tokens` the model accepts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u64>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub capabilities: Value,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One page of `GET /v1/models`.
#[derive(Debug, Deserialize)]
pub struct ModelPage {
    pub data: Vec<Model>,
    #[serde(default)]
    pub has_more: bool,
    pub last_id: Option<String>,
}

/// Which thinking forms a model accepts, read from `capabilities.thinking`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThinkingSupport {
    pub adaptive: bool,
    /// `{"type":"enabled","budget_tokens":N}`.
    pub budgeted: bool,
}

impl Model {
    fn cap(&self, path: &[&str]) -> Option<bool> {
        let mut v = &self.capabilities;
        for key in path {
            v = v.get(key)?;
        }
        v.get("supported").and_then(Value::as_bool)
    }

    /// `None` when the model object carries no capabilities (older API responses).
    pub fn thinking(&self) -> Option<ThinkingSupport> {
        let supported = self.cap(&["thinking"])?;
        Some(ThinkingSupport {
            adaptive: supported && self.cap(&["thinking", "types", "adaptive"]) == Some(true),
            budgeted: supported && self.cap(&["thinking", "types", "enabled"]) == Some(true),
        })
    }

    /// Effort levels the model accepts, or `None` when capabilities are absent.
    pub fn effort_levels(&self) -> Option<Vec<Effort>> {
        if self.capabilities.is_null() {
            return None;
        }
        if self.cap(&["effort"]) != Some(true) {
            return Some(Vec::new());
        }
        Some(
            Effort::ALL
                .into_iter()
                .filter(|e| self.cap(&["effort", e.as_str()]) == Some(true))
                .collect(),
        )
    }

    /// A short label for tables: `adaptive`, `budget`, `adaptive+budget`, `none`, `?`.
    pub fn thinking_label(&self) -> &'static str {
        match self.thinking() {
            None => "?",
            Some(ThinkingSupport {
                adaptive: true,
                budgeted: true,
            }) => "adaptive+budget",
            Some(ThinkingSupport { adaptive: true, .. }) => "adaptive",
            Some(ThinkingSupport { budgeted: true, .. }) => "budget",
            Some(_) => "none",
        }
    }
}

/// A token count as people read it: `1M`, `200K`, `128K`; `-` when unknown.
pub fn short_count(n: Option<u64>) -> String {
    match n {
        None => "-".into(),
        Some(n) if n >= 1_000_000 && n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        Some(n) if n >= 1000 && n % 1000 == 0 => format!("{}K", n / 1000),
        Some(n) => n.to_string(),
    }
}

/// The list shipped in `assets/models.json`, for when discovery cannot run.
#[derive(Debug, Clone, Deserialize)]
pub struct FallbackList {
    /// The day the list was taken from Anthropic's docs.
    pub taken: NaiveDate,
    pub source: String,
    pub default_model: String,
    pub data: Vec<Model>,
}

const FALLBACK_JSON: &str = include_str!("../../assets/models.json");

/// The shipped list. It is compiled in and checked by a test, so parsing cannot fail in a
/// released binary; should it ever, an empty list beats a crash.
pub fn fallback() -> FallbackList {
    fallback_list().clone()
}

/// The shipped list, parsed once: the chat asks it for its model's window every frame.
pub fn fallback_list() -> &'static FallbackList {
    static LIST: std::sync::OnceLock<FallbackList> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        serde_json::from_str(FALLBACK_JSON).unwrap_or_else(|_| FallbackList {
            taken: NaiveDate::MIN,
            source: String::new(),
            default_model: "claude-sonnet-5-5".into(),
            data: Vec::new(),
        })
    })
}

/// The shipped list as a key sees it offline: the key's own model first (a gateway's
/// model may be in no list of Anthropic's), then the rest.
pub fn offline_models(key_model: Option<&str>) -> Vec<Model> {
    let mut list = fallback().data;
    if let Some(id) = key_model {
        match list.iter().position(|m| m.id == id) {
            Some(i) => {
                let m = list.remove(i);
                list.insert(0, m);
            }
            None => list.insert(
                0,
                Model {
                    id: id.to_string(),
                    display_name: format!("{id} (this key's model)"),
                    created_at: None,
                    max_input_tokens: None,
                    max_tokens: None,
                    capabilities: Value::Null,
                    extra: Map::new(),
                },
            ),
        }
    }
    list
}

/// Why the shipped list stands in for live discovery after `err`, in a phrase; `None`
/// when the error must be reported as it is (a bad API key must not hide behind the
/// offline list). Setup tokens may lack the scope to list models while chat works, so
/// their 401/403 here is not "invalid token".
pub fn fallback_reason(err: &ApiError, kind: CredentialKind) -> Option<String> {
    if err.is_unreachable() {
        return Some(format!("could not reach the API ({err})"));
    }
    if matches!(err, ApiError::NotFound(_)) {
        return Some("this endpoint has no model list (404); many gateways have none".into());
    }
    let scope_refusal = matches!(
        err,
        ApiError::Unauthorized(_) | ApiError::PermissionDenied(_)
    ) && kind == CredentialKind::Oauth
        && !err.is_claude_code_only();
    scope_refusal.then(|| {
        format!(
            "the API would not list models for this setup token ({err}); setup tokens may \
             not cover model discovery even where chat works"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_counts_read_well() {
        assert_eq!(short_count(Some(1_000_000)), "1M");
        assert_eq!(short_count(Some(200_000)), "200K");
        assert_eq!(short_count(Some(1234)), "1234");
        assert_eq!(short_count(None), "-");
    }

    #[test]
    fn shipped_list_parses_and_is_complete() {
        let list: FallbackList = serde_json::from_str(FALLBACK_JSON).unwrap();
        assert!(list.data.len() >= 10);
        assert!(list.data.iter().any(|m| m.id == list.default_model));
        for family in ["fable", "opus", "sonnet", "haiku"] {
            assert!(list.data.iter().any(|m| m.id.contains(family)), "{family}");
        }
        for m in &list.data {
            assert!(
                m.max_tokens.is_some() && m.max_input_tokens.is_some(),
                "{}",
                m.id
            );
            assert!(m.thinking().is_some(), "{}", m.id);
            // The replacement for a retiring model is found by line.
            assert!(m.line().is_some(), "{}", m.id);
        }
    }

    #[test]
    fn capabilities_are_read_and_unknown_fields_kept() {
        let m: Model = serde_json::from_str(
            r#"{"type":"model","id":"m","display_name":"M","created_at":"2026-01-01T00:00:00Z",
            "max_input_tokens":1000000,"max_tokens":128000,"new_field":[1],
            "capabilities":{"thinking":{"supported":true,"types":{"adaptive":{"supported":true},"enabled":{"supported":false}}},
            "effort":{"supported":true,"low":{"supported":true},"medium":{"supported":true},"high":{"supported":true},"xhigh":{"supported":true},"max":{"supported":false}}}}"#,
        )
        .unwrap();
        assert_eq!(
            m.thinking(),
            Some(ThinkingSupport {
                adaptive: true,
                budgeted: false
            })
        );
        assert_eq!(
            m.effort_levels().unwrap(),
            vec![Effort::Low, Effort::Medium, Effort::High, Effort::XHigh]
        );
        assert_eq!(m.thinking_label(), "adaptive");
        let back = serde_json::to_value(&m).unwrap();
        assert_eq!(back["new_field"], serde_json::json!([1]));
        assert_eq!(back["type"], "model");
    }

    #[test]
    fn old_model_objects_have_unknown_capabilities() {
        let m: Model = serde_json::from_str(r#"{"id":"x","display_name":"X"}"#).unwrap();
        assert_eq!(m.thinking(), None);
        assert_eq!(m.effort_levels(), None);
        assert_eq!(m.thinking_label(), "?");
    }
}
