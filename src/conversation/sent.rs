//! What of the earlier turns is sent with a new prompt, once for the app's turns and for
//! a conversation read back from the history: exchanges whose reply was refused are left
//! out, prompt and all (as Anthropic advises after a refusal); a prompt with no reply is
//! left out (roles must alternate); thinking cut off before its signature is dropped (the
//! API refuses it). Each reply keeps its origin (its id, what its thinking is bound to),
//! so planning can leave out thinking bound elsewhere (`binding.rs`). Pure: no I/O.

use serde_json::Value;

use crate::api::binding::Binding;
use crate::api::messages::Origin;
use crate::api::{Message, Role};
use crate::history::StoredMessage;

/// One earlier exchange: the prompt's content blocks and the reply's, as sent and received.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    pub prompt: Vec<Value>,
    pub reply: Vec<Value>,
    /// The reply was a refusal (`stop_reason: "refusal"`).
    pub refused: bool,
    /// How the reply was made, where oat knows.
    pub origin: Option<Origin>,
}

/// The earlier exchanges as API messages, then the new prompt's content.
pub fn api_messages(
    earlier: impl IntoIterator<Item = Exchange>,
    prompt: Vec<Value>,
) -> Vec<Message> {
    let mut out = earlier_messages(earlier);
    out.push(Message::new(Role::User, prompt));
    out
}

/// The earlier exchanges alone, ending on a reply (what `--continue` starts from).
pub fn earlier_messages(earlier: impl IntoIterator<Item = Exchange>) -> Vec<Message> {
    let mut out = Vec::new();
    for x in earlier {
        if x.refused {
            continue;
        }
        let reply: Vec<Value> = x
            .reply
            .into_iter()
            .filter(|b| b["type"] != "thinking" || b.get("signature").is_some())
            .collect();
        if reply.is_empty() || x.prompt.is_empty() {
            continue;
        }
        out.push(Message::new(Role::User, x.prompt));
        out.push(Message {
            role: Role::Assistant,
            content: reply,
            origin: x.origin,
        });
    }
    out
}

/// A stored branch (see `history::branch`) as exchanges: each prompt with the reply that
/// follows it, if any; files expanded from the attachments table as they were sent.
pub fn stored_exchanges(branch: &[StoredMessage]) -> Vec<Exchange> {
    let blocks = |m: &StoredMessage| -> Vec<Value> {
        m.content
            .as_array()
            .map(|a| crate::attach::expand(a, &m.attachments))
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    let mut iter = branch.iter().peekable();
    while let Some(m) = iter.next() {
        if m.role == "assistant" {
            continue;
        }
        let Some(reply) = iter.next_if(|r| r.role == "assistant") else {
            continue;
        };
        out.push(Exchange {
            prompt: blocks(m),
            reply: blocks(reply),
            refused: reply.stop_reason.as_deref() == Some("refusal"),
            origin: Some(Origin {
                id: reply.api_id.clone(),
                binding: Binding::stored(reply.binding.as_ref(), reply.model.as_deref()),
            }),
        });
    }
    out
}

/// A stored branch as the API messages a continued conversation starts from.
pub fn to_api_messages(branch: &[StoredMessage]) -> Vec<Message> {
    earlier_messages(stored_exchanges(branch))
}

/// What a stored tool call needs before it can be sent again, the same every time (so
/// the prefix, and the thinking bound to it, stay the same): a call whose input was not
/// valid JSON is left out with its result (the API refuses it, and it never ran); a
/// call left unanswered (stopped, cut by `max_tokens`, past the round limit) gets a
/// result saying it was not run, first in the message that follows, as the API requires.
pub fn settle_tool_calls(messages: &mut [Message]) {
    for i in 0..messages.len() {
        if messages[i].role != Role::Assistant {
            continue;
        }
        let content = &mut messages[i].content;
        let mut left_out = Vec::new();
        content.retain(|b| {
            let broken = b["type"] == "tool_use" && !b["input"].is_object();
            if broken {
                left_out.push(b["id"].clone());
            }
            !broken
        });
        let ids: Vec<Value> = content
            .iter()
            .filter(|b| b["type"] == "tool_use")
            .map(|b| b["id"].clone())
            .collect();
        let Some(next) = messages.get_mut(i + 1).filter(|m| m.role == Role::User) else {
            continue;
        };
        next.content
            .retain(|b| !(b["type"] == "tool_result" && left_out.contains(&b["tool_use_id"])));
        let answered: Vec<Value> = next
            .content
            .iter()
            .filter(|b| b["type"] == "tool_result")
            .map(|b| b["tool_use_id"].clone())
            .collect();
        let missing: Vec<Value> = ids
            .into_iter()
            .filter(|id| !answered.contains(id))
            .map(|id| {
                serde_json::json!({
                    "type": "tool_result",
                    "tool_use_id": id,
                    "content": "This tool call was not run.",
                    "is_error": true,
                })
            })
            .collect();
        if !missing.is_empty() {
            next.content.splice(0..0, missing);
        }
    }
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
            settings: None,
            complete: true,
            stopped: false,
            api_id: None,
            binding: None,
            diagnostics: None,
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
    fn tool_calls_go_back_answered_and_broken_ones_are_left_out() {
        let mut m = vec![
            Message::user_text("q"),
            Message::new(
                Role::Assistant,
                vec![
                    json!({"type":"text","text":"let me"}),
                    json!({"type":"tool_use","id":"a","name":"t","input":{}}),
                    json!({"type":"tool_use","id":"b","name":"t","input":"{\"x"}),
                ],
            ),
            Message::user_text("next prompt"),
            Message::new(
                Role::Assistant,
                vec![json!({"type":"tool_use","id":"c","name":"t","input":{}})],
            ),
            Message::new(
                Role::User,
                vec![json!({"type":"tool_result","tool_use_id":"c","content":"ok"})],
            ),
        ];
        let untouched = m[3..].to_vec();
        settle_tool_calls(&mut m);
        assert_eq!(m[1].content.len(), 2, "the broken call is left out");
        assert_eq!(m[2].content[0]["tool_use_id"], "a");
        assert_eq!(m[2].content[0]["is_error"], true);
        assert_eq!(m[2].content[1]["text"], "next prompt");
        assert_eq!(m[3..], untouched[..], "answered calls go back unchanged");
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
