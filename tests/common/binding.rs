//! The mock's side of two 2026 rules, written from the documentation rather than from
//! oat's code. Thinking bound to its conversation: in binding-enforcing mode each thinking
//! block the mock returns is signed with the model, the organisation (from the credential)
//! and a hash of the system prompt, the tools and the messages before the reply; a request
//! carrying a block signed for anything else gets the documented 400, unless it sent the
//! beta and `block_binding.prefix_mismatch_behavior: "drop_block"`, when the block is
//! dropped and reported in `input_transformations`. And cache diagnostics: a request with
//! `diagnostics.previous_message_id` hears why its prompt missed the cache of that reply's
//! request.

use std::collections::HashMap;

use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

pub const BETA: &str = "thinking-binding-controls-2026-08-01";

/// The documented 400's message for the block at `messages.{i}.content.{j}`.
pub fn bound_elsewhere(i: usize, j: usize) -> String {
    format!(
        "messages.{i}.content.{j}: Invalid `signature` in `thinking` block. The block is bound to a different conversation. Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` to \"drop_block\"."
    )
}

/// The organisation a credential belongs to: the mock's API keys are one, its setup token
/// another (a key switch to another organisation, as far as a signature can tell).
pub fn organisation(h: &HeaderMap) -> &'static str {
    if h.contains_key("authorization") {
        "org_subscription"
    } else {
        "org_console"
    }
}

/// `v` with object keys sorted and `cache_control` removed (a breakpoint is not content).
fn canonical(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().filter(|k| *k != "cache_control").collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canonical(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

fn system_text(req: &Value) -> String {
    match &req["system"] {
        Value::String(s) => s.clone(),
        Value::Array(blocks) => blocks.iter().filter_map(|b| b["text"].as_str()).collect(),
        _ => String::new(),
    }
}

fn hash(req: &Value, messages: &[Value]) -> String {
    let mut h = Sha256::new();
    h.update(system_text(req).as_bytes());
    h.update(canonical(&req["tools"]).to_string().as_bytes());
    for m in messages {
        h.update(canonical(m).to_string().as_bytes());
    }
    h.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A signature binding a block to its model, organisation and prefix.
fn sign(model: &str, org: &str, prefix: &str) -> String {
    format!("bound.{model}.{org}.{prefix}")
}

/// What the request carries once checked: the signature its reply's thinking gets, and
/// the blocks dropped.
pub struct Checked {
    pub signature: String,
    pub dropped: Vec<Value>,
}

/// Checks every thinking block of `req` against the request, in order; a dropped block
/// is gone from the prefix of the blocks after it (they were made without it, by a
/// request that had it dropped too). `Err` is the 400's message.
pub fn check(req: &Value, h: &HeaderMap) -> Result<Checked, String> {
    let model = req["model"].as_str().unwrap_or("?");
    let org = organisation(h);
    let may_drop = h
        .get("anthropic-beta")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|b| b.split(',').any(|b| b.trim() == BETA))
        && req["thinking"]["block_binding"]["prefix_mismatch_behavior"] == "drop_block";
    let mut kept: Vec<Value> = Vec::new();
    let mut dropped = Vec::new();
    for (i, m) in req["messages"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let mut m = m;
        if m["role"] == "assistant"
            && let Some(blocks) = m["content"].as_array().cloned()
        {
            let prefix = hash(req, &kept);
            let mut out = Vec::new();
            for (j, b) in blocks.into_iter().enumerate() {
                let signed = match b["type"].as_str() {
                    Some("thinking") => b["signature"].as_str(),
                    Some("redacted_thinking") => b["data"].as_str(),
                    _ => {
                        out.push(b);
                        continue;
                    }
                };
                let parts: Vec<&str> = signed.unwrap_or("").splitn(4, '.').collect();
                let reason = match parts.as_slice() {
                    ["bound", m, o, p] if *m == model && *o == org && *p == prefix => None,
                    ["bound", m, ..] if *m != model => Some("model_binding_mismatch"),
                    ["bound", _, o, _] if *o != org => Some("organization_binding_mismatch"),
                    _ => Some("prefix_binding_mismatch"),
                };
                match reason {
                    None => out.push(b),
                    Some(_) if !may_drop => return Err(bound_elsewhere(i, j)),
                    Some(r) => dropped.push(json!({
                        "type": "thinking_dropped",
                        "path": format!("messages.{i}.content.{j}"),
                        "reason": r,
                    })),
                }
            }
            m["content"] = Value::Array(out);
        }
        kept.push(m);
    }
    Ok(Checked {
        signature: sign(model, org, &hash(req, &kept)),
        dropped,
    })
}

/// The requests the mock answered with diagnostics on, by the id of their reply.
#[derive(Default)]
pub struct Fingerprints {
    by_id: HashMap<String, Value>,
}

impl Fingerprints {
    /// The `diagnostics` of the reply `id` to `req`, when `req` asked for them; and
    /// remembers `req` for a later request naming `id`.
    pub fn diagnose(&mut self, id: &str, req: &Value) -> Option<Value> {
        let asked = req.get("diagnostics")?;
        let print = json!({
            "model": req["model"],
            "system": system_text(req),
            "tools": canonical(&req["tools"]),
            "messages": canonical(&req["messages"]),
        });
        let reason = match asked["previous_message_id"].as_str() {
            None => Value::Null,
            Some(prev) => match self.by_id.get(prev) {
                None => json!({"type": "previous_message_not_found"}),
                Some(before) => {
                    let missed = super::usage::Cache::count(before);
                    let old: &[Value] = before["messages"].as_array().map_or(&[], |a| a);
                    let new: &[Value] = print["messages"].as_array().map_or(&[], |a| a);
                    let kind = if before["model"] != print["model"] {
                        Some("model_changed")
                    } else if before["system"] != print["system"] {
                        Some("system_changed")
                    } else if before["tools"] != print["tools"] {
                        Some("tools_changed")
                    } else if !new.starts_with(old) {
                        Some("messages_changed")
                    } else {
                        None
                    };
                    kind.map_or(
                        Value::Null,
                        |k| json!({"type": k, "cache_missed_input_tokens": missed}),
                    )
                }
            },
        };
        self.by_id.insert(id.to_string(), print);
        Some(json!({ "cache_miss_reason": reason }))
    }
}
