//! Which earlier thinking a request carries: the rule, once for both front ends.
//!
//! Every current model binds the thinking it returns to the request that produced it:
//! the model, the system prompt, the tools as sent, and every message before the reply
//! (`api::binding`). Sent back under anything else, the API refuses the whole request.
//! So, for each earlier reply in the request being built:
//!
//! - **oat strips what it knows changed.** Each reply records its binding when it is
//!   made (the model asked; digests of the system prompt, of the tools exactly as sent,
//!   and of the messages before it exactly as sent). A reply whose model, system prompt,
//!   tools or earlier messages differ from the request's loses its `thinking` and
//!   `redacted_thinking` blocks (a reply that was nothing but thinking goes with its
//!   prompt, as `sent.rs` leaves out a prompt with no reply). The earlier messages are
//!   compared as this request sends them, after this rule ran on the replies before: so
//!   a reply made after a `/model` switch, whose request already lacked the older
//!   thinking, matches again as long as that model stays — the same history always
//!   yields the same prefix, and each reply's thinking is sent exactly as long as the
//!   prefix it was made with is. A branch from an edited prompt keeps everything before
//!   the edit, and its thinking.
//! - **The API drops what oat cannot see.** When the request still carries thinking and
//!   sets thinking, it asks for `block_binding.prefix_mismatch_behavior: "drop_block"`
//!   (with its beta): a key from another organisation, a row kept before oat recorded
//!   bindings. The API then reports what it dropped (`input_transformations`).
//! - **It is said once.** The words name what changed since the reply just before the
//!   new prompt (the previous request): after a switch, later requests strip the same
//!   blocks again, but that reply was made under the new settings, so nothing new is
//!   said.
//!
//! Pure: no I/O.

use crate::api::binding::{self, BETA, Binding, DROP_BLOCK, PrefixDigest};
use crate::api::{MessageRequest, Role};

/// What differs between a reply's binding and the request being built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Model,
    System,
    /// The tools: with or without any now (`Some(true)`: the web tools were turned on).
    Tools {
        on: Option<bool>,
    },
    /// The messages before the reply.
    Prefix,
}

impl Change {
    fn words(self) -> &'static str {
        match self {
            Self::Model => "the model changed",
            Self::System => "the system prompt changed",
            Self::Tools { on: Some(true) } => "the tools changed (tools turned on)",
            Self::Tools { on: Some(false) } => "the tools changed (tools turned off)",
            // Tools before and after, but others (another web tool version, MCP tools
            // added, left out or changed by their server).
            Self::Tools { on: None } => "the tools changed (another tool version)",
            Self::Prefix => "the earlier turns changed",
        }
    }
}

/// What changed between the binding a reply was made under and `now` (the request's
/// settings), with `prefix` the digest of the messages this request sends before it.
fn changes(made: &Binding, now: &Binding, prefix: &str) -> Vec<Change> {
    let differs = |a: &Option<String>, b: &Option<String>| a.is_some() && b.is_some() && a != b;
    let mut out = Vec::new();
    if made.model != now.model {
        out.push(Change::Model);
    }
    if differs(&made.system, &now.system) {
        out.push(Change::System);
    }
    if differs(&made.tools, &now.tools) {
        let on = match (made.without_tools(), now.without_tools()) {
            (Some(true), Some(false)) => Some(true),
            (Some(false), Some(true)) => Some(false),
            _ => None,
        };
        out.push(Change::Tools { on });
    }
    // A settings change changes what the replies before carry too: the prefix is named
    // only when it is all that changed (older turns left out, say).
    if out.is_empty() && made.prefix.as_deref().is_some_and(|p| p != prefix) {
        out.push(Change::Prefix);
    }
    out
}

/// Applies the rule to a planned request: strips the earlier thinking bound elsewhere,
/// and asks the API to drop what remains and does not match (see the module's words).
/// Returns the line to show once, when this request leaves out thinking the previous
/// one sent. Running it again (after leaving out old turns, say) is safe.
pub fn settle(request: &mut MessageRequest) -> Option<String> {
    let now = Binding::of_settings(request);
    let messages = std::mem::take(&mut request.messages);
    let mut out = Vec::with_capacity(messages.len());
    // The digest before each message kept, so an exchange left out is taken back.
    let mut before: Vec<PrefixDigest> = Vec::with_capacity(messages.len());
    let mut prefix = PrefixDigest::new();
    let mut stripped = false;
    // What changed for the last earlier reply: the previous request's.
    let mut last = Vec::new();
    for mut m in messages {
        if m.role == Role::Assistant {
            last = m
                .origin
                .as_ref()
                .and_then(|o| o.binding.as_ref())
                .map(|made| changes(made, &now, &prefix.value()))
                .unwrap_or_default();
            if !last.is_empty() {
                let had = m.content.len();
                m.content.retain(|b| !binding::is_thinking(b));
                stripped |= m.content.len() < had;
                if m.content.is_empty() {
                    if out
                        .last()
                        .is_some_and(|u: &crate::api::Message| u.role == Role::User)
                    {
                        out.pop();
                        if let Some(p) = before.pop() {
                            prefix = p;
                        }
                    }
                    continue;
                }
            }
        }
        before.push(prefix.clone());
        prefix.feed(&m);
        out.push(m);
    }
    request.messages = out;
    let carries = request
        .messages
        .iter()
        .any(|m| m.role == Role::Assistant && m.content.iter().any(binding::is_thinking));
    request.betas.retain(|b| *b != BETA);
    // The opt-in lives in the `thinking` object: a request that sets none cannot ask.
    if let Some(t) = request.thinking.as_mut() {
        t.set_block_binding(carries.then_some(DROP_BLOCK));
        if carries {
            request.betas.push(BETA);
        }
    }
    (stripped && !last.is_empty()).then(|| {
        let words: Vec<&str> = last.iter().map(|c| c.words()).collect();
        format!("earlier thinking not sent: {}", words.join(" and "))
    })
}

#[cfg(test)]
mod tests;
