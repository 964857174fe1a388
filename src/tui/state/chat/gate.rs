//! The context on screen: the meter for what the next prompt would send, and the gate
//! that stops a prompt the model's context cannot hold (and says the ways on). Pure.

use super::{ChatState, ReplyState};
use crate::api::context::{Meter, estimate_text};
use crate::attach::Attachment;

/// A send stopped because the conversation no longer fits the model's context.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextGate {
    /// The prompt held back; empty when the gate follows a reply the full context cut
    /// short (then `d` only leaves the oldest exchanges out of what is sent next).
    pub prompt: String,
    pub total: u64,
    pub limit: u64,
    /// How many of the oldest exchanges to leave out so it fits; `None` when nothing does.
    pub drop: Option<usize>,
}

impl ContextGate {
    /// What happened, in a sentence (the choices follow, one a line).
    pub fn headline(&self) -> String {
        let size = format!(
            "Not sent: about {} tokens, over this model's context of {}.",
            crate::api::usage::tokens(self.total),
            crate::api::usage::tokens(self.limit)
        );
        match self.drop {
            Some(_) => size,
            None => format!("{size} Even the prompt alone is too long."),
        }
    }

    /// The keys the gate takes and what each does.
    pub fn choices(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("n", "new conversation".to_string())];
        if let Some(n) = self.drop {
            out.push((
                "d",
                format!(
                    "leave out the {n} oldest exchange{} and send (the history keeps them)",
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
        out.push(("Esc", "back to the prompt".to_string()));
        out
    }

    pub fn sentence(&self) -> String {
        if self.prompt.is_empty() {
            let full = crate::api::reply::CONTEXT_FULL;
            return match self.drop {
                Some(n) => format!(
                    "{full} n: new conversation · d: leave out the {n} oldest exchange{} from now on (the history keeps them) · Esc: carry on",
                    if n == 1 { "" } else { "s" }
                ),
                None => format!("{full} n: new conversation · Esc: carry on"),
            };
        }
        let size = format!(
            "Not sent: about {} tokens, over this model's context of {}.",
            crate::api::usage::tokens(self.total),
            crate::api::usage::tokens(self.limit)
        );
        match self.drop {
            Some(n) => format!(
                "{size} n: new conversation · d: leave out the {n} oldest exchange{} and send (the history keeps them) · Esc: back",
                if n == 1 { "" } else { "s" }
            ),
            None => {
                format!("{size} Even the prompt alone is too long: n: new conversation · Esc: back")
            }
        }
    }
}

impl ChatState {
    /// The context meter for sending `composer` next: the API's count when it counted
    /// this very text, else the last reply's exact usage plus an estimate for the rest.
    pub fn meter(&self, composer: &str, limit: Option<u64>, system: Option<&str>) -> Meter {
        if let Some((text, n)) = &self.counted
            && text == composer
        {
            return Meter {
                used: *n,
                limit,
                exact: true,
            };
        }
        let sent = &self.turns[self.context_from.min(self.turns.len())..];
        let last = sent
            .iter()
            .rev()
            .find(|t| !t.in_flight() && !matches!(t.state, ReplyState::Declined { .. }));
        let measured = last
            .filter(|t| t.sent_from == self.context_from)
            .and_then(|t| t.usage);
        let (base, exact) = match measured {
            Some(u) => (u.prompt_tokens() + u.output, true),
            None if sent.is_empty() => (system.map_or(0, estimate_text), system.is_none()),
            None => (
                sent.iter()
                    .map(|t| {
                        estimate_text(&t.prompt)
                            + estimate_text(&t.text)
                            + t.attachments
                                .iter()
                                .map(Attachment::estimate_tokens)
                                .sum::<u64>()
                            + 8
                    })
                    .sum::<u64>()
                    + system.map_or(0, estimate_text),
                false,
            ),
        };
        let files: u64 = self.attached.iter().map(Attachment::estimate_tokens).sum();
        let typed = if composer.trim().is_empty() {
            files
        } else {
            estimate_text(composer) + 4 + files
        };
        Meter {
            used: base + typed,
            limit,
            exact: exact && typed == 0,
        }
    }
}
