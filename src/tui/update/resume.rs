//! Turning a stored conversation back into the app's turns: the branch last used on
//! screen, every other branch kept beside the turn where it leaves.

use crate::api::pricing::{ReplyCost, price_reply};
use crate::api::reply::{self, Refusal};
use crate::api::web;
use crate::history::{
    Conversation, StoredMessage, TurnNode, branch_nodes, newest_from, siblings, turn_tree,
};
use crate::tui::app::App;
use crate::tui::state::chat::{ReplyState, Siblings, Spend, Turn, TurnFailure};

impl App {
    pub(crate) fn resumed_turns(&self, c: &Conversation, messages: &[StoredMessage]) -> Vec<Turn> {
        let nodes = turn_tree(messages);
        let path = branch_nodes(&nodes, messages, c.leaf);
        self.build_branch(c, messages, &nodes, &path, true)
    }

    /// The turns of `path`; each keeps its siblings' branches (the newest path through
    /// each), except a stashed branch's first turn, whose siblings live where it is shown.
    fn build_branch(
        &self,
        c: &Conversation,
        messages: &[StoredMessage],
        nodes: &[TurnNode],
        path: &[usize],
        head_shown: bool,
    ) -> Vec<Turn> {
        let mut out = Vec::with_capacity(path.len());
        for (i, &n) in path.iter().enumerate() {
            let mut t = self.stored_turn(
                c,
                &messages[nodes[n].user],
                nodes[n].reply.map(|r| &messages[r]),
            );
            if i > 0 || head_shown {
                let all = siblings(nodes, n);
                if all.len() > 1 {
                    t.siblings = Siblings {
                        shown: all.iter().position(|&s| s == n).unwrap_or(0),
                        others: all
                            .iter()
                            .filter(|&&s| s != n)
                            .map(|&s| {
                                self.build_branch(c, messages, nodes, &newest_from(nodes, s), false)
                            })
                            .collect(),
                    };
                }
            }
            out.push(t);
        }
        out
    }

    fn stored_turn(
        &self,
        c: &Conversation,
        user: &StoredMessage,
        reply: Option<&StoredMessage>,
    ) -> Turn {
        // The model the prompt was sent to (older rows: the conversation's).
        let asked = user
            .settings
            .as_ref()
            .and_then(|s| s["model"].as_str())
            .unwrap_or(&c.model);
        let mut t = Turn::new(user.text.clone(), asked.to_string());
        t.attachments = user.attachments.clone();
        t.prompt_id = Some(user.id);
        t.state = ReplyState::Done;
        let blocks = user.content.as_array();
        if blocks.is_some_and(|b| b.iter().any(|b| b["type"] == "tool_result")) {
            t.prompt_content = blocks.cloned();
        }
        let Some(m) = reply else {
            return t;
        };
        t.reply_id = Some(m.id);
        t.content = m.content.as_array().cloned().unwrap_or_default();
        t.api_id = m.api_id.clone();
        t.binding = crate::api::binding::Binding::stored(m.binding.as_ref(), m.model.as_deref());
        t.cache_miss = crate::api::usage::cache_miss(m.diagnostics.as_ref());
        // Text with its citation markers, as it read when it arrived.
        let shown = web::render(&t.content);
        t.text = if shown.text.is_empty() {
            m.text.clone()
        } else {
            shown.text
        };
        t.sources = shown.sources;
        t.notes = shown.tool_errors;
        // MCP calls (made by `oat ask --tools`), one line each.
        t.notes.extend(crate::mcp::result::call_lines(&t.content));
        t.thinking = t
            .content
            .iter()
            .filter_map(|b| b["thinking"].as_str())
            .collect();
        t.unseen_thinking = crate::api::reply::unseen_thinking(&t.content, m.usage.as_ref());
        if let Some(model) = &m.model {
            t.model = model.clone();
        }
        (t.usage, t.spend) = self.stored_spend(&t.model, user, m);
        t.first_token = m
            .first_token_ms
            .and_then(|ms| u64::try_from(ms).ok())
            .map(std::time::Duration::from_millis);
        t.notes.extend(reply::notes(&serde_json::json!({
            "content": m.content,
            "usage": m.usage,
        })));
        t.state = stored_state(m);
        t
    }

    /// What a stored reply cost, priced at the cache lifetime its prompt was sent with,
    /// where that is known.
    fn stored_spend(
        &self,
        model: &str,
        user: &StoredMessage,
        m: &StoredMessage,
    ) -> (Option<crate::api::Usage>, Option<Spend>) {
        let sent_with = user
            .settings
            .as_ref()
            .and_then(|s| serde_json::from_value(s["cache"].clone()).ok());
        let (usage, cost) = price_reply(
            &self.prices,
            model,
            m.usage.as_ref(),
            m.credential_kind,
            sent_with,
        );
        let spend = match cost {
            ReplyCost::Money(c) => Some(Spend::Money(c)),
            // The utilisation a stored reply saw is not kept.
            ReplyCost::Subscription | ReplyCost::Unknown => None,
        };
        (usage, spend)
    }
}

/// How a stored reply ended: declined, stopped, whole, or cut off (never finished).
fn stored_state(m: &StoredMessage) -> ReplyState {
    if let Some(r) = Refusal::from_parts(m.stop_reason.as_deref(), m.stop_details.as_ref()) {
        ReplyState::Declined {
            sentence: r.sentence(),
        }
    } else if m.stopped {
        ReplyState::Stopped
    } else if m.complete {
        ReplyState::Done
    } else {
        ReplyState::Failed(TurnFailure::CutOff)
    }
}
