//! Thinking bound to its conversation, on the wire. Every current model binds the thinking
//! blocks it returns to the request that produced them — the model, the `system` prompt,
//! the `tools` and every message before the reply — and refuses a block sent back under
//! anything else (400 "…The block is bound to a different conversation…"). This module
//! holds what oat records of that binding (digests, never the text), the beta and the
//! `block_binding` opt-in that make the API drop such blocks instead, and the API's report
//! of what it dropped (`input_transformations`) in words. Which blocks oat leaves out is
//! the conversation's rule (`conversation::binding`). Pure: no I/O.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::messages::{Message, MessageRequest};

/// The beta under which a request may carry `thinking.block_binding`.
pub const BETA: &str = "thinking-binding-controls-2026-08-01";

/// `thinking.block_binding`: what the API does with a thinking block bound elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BlockBinding {
    pub prefix_mismatch_behavior: &'static str,
}

/// Drop the block and say so in `input_transformations`, rather than refuse the request.
pub const DROP_BLOCK: BlockBinding = BlockBinding {
    prefix_mismatch_behavior: "drop_block",
};

/// What a reply's thinking is bound to, as oat records it with the reply: the model
/// asked, and digests of the system prompt, the tools and the messages before the reply,
/// exactly as sent. A part that is `None` was not recorded (a reply kept before oat
/// recorded bindings): it is not known to differ, and the API's `drop_block` covers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
}

impl Binding {
    /// The binding of the reply `request` asks for: its model, system prompt and tools,
    /// and all its messages (they all come before the reply).
    pub fn of(request: &MessageRequest) -> Self {
        let mut prefix = PrefixDigest::new();
        for m in &request.messages {
            prefix.feed(m);
        }
        Self {
            prefix: Some(prefix.value()),
            ..Self::of_settings(request)
        }
    }

    /// `request`'s model, system prompt and tools, with no prefix: what each earlier reply
    /// is compared with (its prefix is compared message by message).
    pub fn of_settings(request: &MessageRequest) -> Self {
        Self {
            model: request.model.clone(),
            system: Some(digest_text(request.system_text().unwrap_or(""))),
            tools: Some(digest(&Value::Array(request.tools.clone()))),
            prefix: None,
        }
    }

    /// A stored reply's binding: the recorded one, else (a reply kept before oat recorded
    /// bindings) only the model that answered, which the history always kept.
    pub fn stored(recorded: Option<&Value>, model: Option<&str>) -> Option<Self> {
        recorded
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .or_else(|| {
                model.map(|m| Self {
                    model: m.to_string(),
                    system: None,
                    tools: None,
                    prefix: None,
                })
            })
    }

    /// Whether its tools were none at all (the web tools off).
    pub fn without_tools(&self) -> Option<bool> {
        self.tools
            .as_ref()
            .map(|t| *t == digest(&Value::Array(Vec::new())))
    }
}

/// A running digest of messages in order: after feeding the messages before a reply, its
/// `value` is that reply's prefix. Cheap to clone, so a request's every prefix is one pass.
#[derive(Clone)]
pub struct PrefixDigest(Sha256);

impl Default for PrefixDigest {
    fn default() -> Self {
        Self::new()
    }
}

impl PrefixDigest {
    pub fn new() -> Self {
        Self(Sha256::new())
    }

    pub fn feed(&mut self, m: &Message) {
        let mut text = String::new();
        text.push_str(match m.role {
            super::Role::User => "user:",
            super::Role::Assistant => "assistant:",
        });
        canonical_items(&m.content, &mut text);
        text.push('\u{1e}');
        self.0.update(text.as_bytes());
    }

    pub fn value(&self) -> String {
        hex(&self.0.clone().finalize())
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // Half the digest is plenty to tell prefixes apart; the row stays short.
    bytes.iter().take(16).fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn digest_text(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

fn digest(v: &Value) -> String {
    let mut text = String::new();
    canonical(v, &mut text);
    digest_text(&text)
}

/// `v` as JSON with every object's keys sorted and `cache_control` left out: the same
/// content gives the same text whatever order its keys arrived in (the history and the
/// app may hold them differently), and a cache breakpoint is not content.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().filter(|k| *k != "cache_control").collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&map[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => canonical_items(items, out),
        other => out.push_str(&other.to_string()),
    }
}

fn canonical_items(items: &[Value], out: &mut String) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        canonical(item, out);
    }
    out.push(']');
}

/// Whether a content block is thinking (shown, omitted or redacted): what is bound.
pub fn is_thinking(block: &Value) -> bool {
    matches!(
        block["type"].as_str(),
        Some("thinking" | "redacted_thinking")
    )
}

/// What the API changed in the request, from a reply's `input_transformations`, in one
/// line: "the API dropped earlier thinking (messages.1: prefix changed)". `None` when it
/// changed nothing.
pub fn transformations_words(list: &Value) -> Option<String> {
    let items = list.as_array().filter(|a| !a.is_empty())?;
    let mut dropped = Vec::new();
    let mut other = Vec::new();
    for t in items {
        let path = t["path"].as_str().unwrap_or("?");
        if t["type"] == "thinking_dropped" {
            // `messages.1.content.0`: the message is what a person can place.
            let message = path.split(".content").next().unwrap_or(path);
            dropped.push(format!("{message}: {}", reason_words(&t["reason"])));
        } else {
            other.push(t.to_string());
        }
    }
    let mut parts = Vec::new();
    if !dropped.is_empty() {
        dropped.dedup();
        parts.push(format!(
            "the API dropped earlier thinking ({})",
            dropped.join("; ")
        ));
    }
    if !other.is_empty() {
        parts.push(format!("the API changed the request: {}", other.join(", ")));
    }
    Some(parts.join("; "))
}

fn reason_words(reason: &Value) -> String {
    match reason.as_str() {
        Some("model_binding_mismatch") => "another model".into(),
        Some("prefix_binding_mismatch") => "prefix changed".into(),
        Some("organization_binding_mismatch") => "another organisation".into(),
        Some("end_user_binding_mismatch") => "another end user".into(),
        Some(other) => other.replace('_', " "),
        None => "no reason given".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(role: super::super::Role, content: Value) -> Message {
        Message {
            role,
            content: content.as_array().cloned().unwrap_or_default(),
            origin: None,
        }
    }

    #[test]
    fn a_prefix_digest_ignores_key_order_and_cache_breakpoints_but_nothing_else() {
        use super::super::Role::User;
        let d = |m: Message| {
            let mut p = PrefixDigest::new();
            p.feed(&m);
            p.value()
        };
        let a = d(msg(User, json!([{"type":"text","text":"hi"}])));
        let b = d(msg(
            User,
            json!([{"text":"hi","type":"text","cache_control":{"type":"ephemeral"}}]),
        ));
        assert_eq!(a, b);
        assert_ne!(a, d(msg(User, json!([{"type":"text","text":"hi!"}]))));
        assert_ne!(
            a,
            d(msg(
                super::super::Role::Assistant,
                json!([{"type":"text","text":"hi"}])
            ))
        );
    }

    #[test]
    fn a_stored_binding_falls_back_to_the_model_that_answered() {
        let b = Binding::stored(None, Some("claude-opus-5-5")).unwrap();
        assert_eq!(b.model, "claude-opus-5-5");
        assert!(b.system.is_none() && b.tools.is_none() && b.prefix.is_none());
        let recorded = json!({"model":"m","system":"s","tools":"t","prefix":"p"});
        let b = Binding::stored(Some(&recorded), Some("other")).unwrap();
        assert_eq!(b.prefix.as_deref(), Some("p"));
        assert!(Binding::stored(None, None).is_none());
    }

    #[test]
    fn dropped_thinking_is_told_per_message_with_its_reason() {
        let list = json!([
            {"type":"thinking_dropped","path":"messages.1.content.0","reason":"prefix_binding_mismatch"},
            {"type":"thinking_dropped","path":"messages.3.content.0","reason":"organization_binding_mismatch"},
            {"type":"thinking_dropped","path":"messages.3.content.1","reason":"organization_binding_mismatch"}
        ]);
        assert_eq!(
            transformations_words(&list).unwrap(),
            "the API dropped earlier thinking (messages.1: prefix changed; messages.3: another organisation)"
        );
        assert!(transformations_words(&json!([])).is_none());
        assert!(transformations_words(&Value::Null).is_none());
        let odd = json!([{"type":"image_resized","path":"messages.0.content.1"}]);
        assert!(
            transformations_words(&odd)
                .unwrap()
                .starts_with("the API changed the request: {")
        );
    }
}
