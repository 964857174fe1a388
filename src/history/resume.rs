//! Turning a stored conversation back into API messages, to resume it.

use serde_json::Value;

use super::StoredMessage;
use crate::api::{Message, Role};

/// The stored branch (see `branch`) as API messages for resuming it: roles alternate (a prompt
/// whose reply never came is dropped), empty replies are skipped, and thinking blocks
/// without a signature (cut off mid-stream) are left out, since the API refuses them.
pub fn to_api_messages(messages: &[StoredMessage]) -> Vec<Message> {
    let mut out: Vec<Message> = Vec::new();
    for m in messages {
        // A refused reply goes no further: with it out, its prompt is replaced by the next
        // one below (consecutive prompts collapse), as Anthropic advises after a refusal.
        if m.stop_reason.as_deref() == Some("refusal") {
            continue;
        }
        let blocks: Vec<Value> = m
            .content
            .as_array()
            .map(|a| {
                let kept: Vec<Value> = a
                    .iter()
                    .filter(|b| b["type"] != "thinking" || b.get("signature").is_some())
                    .cloned()
                    .collect();
                // Files go back as they were sent, from the attachments table.
                crate::attach::expand(&kept, &m.attachments)
            })
            .unwrap_or_default();
        if blocks.is_empty() {
            continue;
        }
        let role = if m.role == "assistant" {
            Role::Assistant
        } else {
            Role::User
        };
        match (out.last(), role) {
            (None, Role::Assistant) => continue,
            (Some(prev), r) if prev.role == r => {
                if r == Role::User {
                    out.pop();
                } else {
                    continue;
                }
            }
            _ => {}
        }
        out.push(Message {
            role,
            content: blocks,
        });
    }
    if out.last().is_some_and(|m| m.role == Role::User) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn msg(role: &str, content: Value) -> StoredMessage {
        StoredMessage {
            id: 0,
            parent: None,
            attachments: Vec::new(),
            role: role.into(),
            content,
            text: String::new(),
            model: None,
            usage: None,
            stop_reason: None,
            stop_details: None,
            credential_kind: None,
            first_token_ms: None,
            complete: true,
            stopped: false,
            created: chrono::Utc::now(),
        }
    }

    #[test]
    fn roles_alternate_and_broken_pieces_are_dropped() {
        let t = |s: &str| json!([{"type": "text", "text": s}]);
        let stored = vec![
            msg("user", t("q1")),
            msg(
                "assistant",
                json!([{"type":"thinking","thinking":"cut"}, {"type":"text","text":"a1"}]),
            ),
            msg("user", t("q2 (no reply)")),
            msg("user", t("q3")),
            msg("assistant", json!([])),
            msg("user", t("q4")),
            msg("assistant", t("a4")),
            msg("user", t("q5 pending")),
        ];
        let out = to_api_messages(&stored);
        let texts: Vec<String> = out
            .iter()
            .map(|m| {
                m.content.last().unwrap()["text"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(texts, vec!["q1", "a1", "q4", "a4"]);
        assert_eq!(out[1].content.len(), 1, "unsigned thinking dropped");
    }

    #[test]
    fn a_refused_turn_is_left_out_prompt_and_all() {
        let t = |s: &str| json!([{"type": "text", "text": s}]);
        let mut refused = msg("assistant", t("partial before the refusal"));
        refused.stop_reason = Some("refusal".into());
        let stored = vec![
            msg("user", t("q1")),
            msg("assistant", t("a1")),
            msg("user", t("q2 refused")),
            refused,
            msg("user", t("q3")),
            msg("assistant", t("a3")),
        ];
        let texts: Vec<String> = to_api_messages(&stored)
            .iter()
            .map(|m| m.content[0]["text"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(texts, vec!["q1", "a1", "q3", "a3"]);
    }
}
