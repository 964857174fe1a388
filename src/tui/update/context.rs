//! `App::update` for the context window: counting what the composer would send (once the
//! typing pauses, never per keystroke or on an idle timer), and the gate that stops a
//! prompt the model's context cannot hold, with its two ways on.

use crate::tui::notice::Notice;
use crossterm::event::{KeyCode, KeyEvent};

use crate::api::context::exchanges_to_drop;
use crate::api::messages::Planned;
use crate::tui::app::{App, Effect, Pane};
use crate::tui::keymap::{Action, Context, lookup};
use crate::tui::state::chat::{ContextGate, ReplyState, SlashCommand};
use crate::worker::{RequestId, RequestKind};

impl App {
    /// The model's context window, when known.
    pub(crate) fn context_limit(&self) -> Option<u64> {
        self.chat_model().and_then(|m| m.max_input_tokens)
    }

    /// Whether the composer holds text whose count is owed: the event loop arms its
    /// settle deadline only then.
    pub fn wants_count(&self) -> bool {
        let text = self.composer.text();
        self.pane == Pane::Chat
            && !self.chat.count_unavailable
            && !self.chat.in_flight()
            && !text.trim().is_empty()
            && !text.trim_start().starts_with('/')
            && self.chat.counted.as_ref().is_none_or(|(t, _)| *t != text)
            && self.chat.count_req.as_ref().is_none_or(|(_, t)| *t != text)
    }

    pub(crate) fn count_composer(&mut self) -> Vec<Effect> {
        if !self.wants_count() || self.files_too_big_to_count() {
            return Vec::new();
        }
        let text = self.composer.text();
        let Ok(planned) = self.plan(&text, self.chat.turns.len(), &self.chat.attached) else {
            return Vec::new();
        };
        let (id, fx) = self.request(RequestKind::CountTokens {
            request: Box::new(planned.request),
            tools: self.chat.settings.tools,
        });
        self.chat.count_req = Some((id, text));
        vec![fx]
    }

    /// Counting sends every file again: past a few megabytes, each pause in typing would
    /// upload them anew, so the meter estimates instead.
    fn files_too_big_to_count(&self) -> bool {
        const COUNT_FILES_MAX: u64 = 4_000_000;
        let from = self.chat.context_from.min(self.chat.turns.len());
        let bytes: u64 = self.chat.turns[from..]
            .iter()
            .flat_map(|t| &t.attachments)
            .chain(&self.chat.attached)
            .map(crate::attach::Attachment::size)
            .sum();
        bytes > COUNT_FILES_MAX
    }

    pub(crate) fn tokens_counted(&mut self, id: RequestId, tokens: Option<u64>) {
        let Some((asked, text)) = self.chat.count_req.take() else {
            return;
        };
        if asked != id {
            self.chat.count_req = Some((asked, text));
            return;
        }
        match tokens {
            Some(n) => self.chat.counted = Some((text, n)),
            // Refused (setup tokens often may not count) or offline: estimate from now on.
            None => self.chat.count_unavailable = true,
        }
    }

    /// A gate when the request would not fit the model's context; `None` when it fits or
    /// the window is unknown (then the API judges).
    pub(crate) fn context_gate(
        &self,
        prompt: &str,
        upto: usize,
        planned: &Planned,
    ) -> Option<ContextGate> {
        let limit = self.context_limit()?;
        let meter = self
            .chat
            .meter(prompt, Some(limit), self.chat.settings.system.as_deref());
        if upto < self.chat.turns.len() || !meter.over() {
            return None;
        }
        Some(ContextGate {
            prompt: prompt.to_string(),
            total: meter.used,
            limit,
            drop: exchanges_to_drop(&planned.request.messages, meter.used, limit),
        })
    }

    /// The gate after a reply that stopped because the context is full: the same ways on,
    /// for what is sent next.
    pub(crate) fn context_full_gate(&mut self) {
        let Some(limit) = self.context_limit() else {
            self.chat.notice = Some(Notice::warning(format!(
                "{} /new starts a new conversation.",
                crate::api::reply::CONTEXT_FULL
            )));
            return;
        };
        let meter = self
            .chat
            .meter("", Some(limit), self.chat.settings.system.as_deref());
        // Full means at the limit, whatever the estimate says: leave room for a reply.
        let total = meter.used.max(limit + 1);
        let messages = self.chat.messages_for(self.chat.turns.len(), "", &[]);
        let gate = ContextGate {
            prompt: String::new(),
            total,
            limit,
            drop: exchanges_to_drop(&messages, total, limit).filter(|n| *n > 0),
        };
        self.chat.notice = Some(Notice::warning(gate.sentence()));
        self.chat.gate = Some(gate);
    }

    /// Keys while the gate is up: `n` starts a new conversation, `d` leaves out the oldest
    /// exchanges and sends, Esc goes back to the composer.
    pub(crate) fn gate_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if lookup(Context::Global, &key) == Some(Action::Interrupt) {
            return vec![Effect::Quit];
        }
        let Some(gate) = self.chat.gate.clone() else {
            return Vec::new();
        };
        match key.code {
            KeyCode::Esc => {
                self.chat.gate = None;
                self.chat.notice = None;
            }
            KeyCode::Char('n') => {
                self.chat.gate = None;
                self.composer.take();
                let fx = self.apply_slash(SlashCommand::New);
                self.composer.set_text(&gate.prompt);
                return fx;
            }
            KeyCode::Char('d') if gate.prompt.is_empty() => {
                if let Some(n) = gate.drop {
                    self.chat.gate = None;
                    self.drop_oldest(n);
                    self.chat.notice = Some(Notice::info(format!(
                        "The {n} oldest exchange{} are left out of what is sent (the history keeps them).",
                        if n == 1 { " is" } else { "s" }
                    )));
                }
            }
            KeyCode::Char('d') => {
                if let Some(n) = gate.drop {
                    self.chat.gate = None;
                    self.composer.take();
                    self.drop_oldest(n);
                    let upto = self.chat.turns.len();
                    // Sent without a second gate: the estimate that chose `n` has its margin,
                    // and if the API still refuses, that error says so.
                    return self.send_turn(super::send::Draft {
                        prompt: gate.prompt,
                        files: self.chat.attached.clone(),
                        upto,
                        reply_to: None,
                    });
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Moves the start of what is sent past `exchanges` exchanges that would be sent.
    fn drop_oldest(&mut self, exchanges: usize) {
        let mut left = exchanges;
        let turns = &self.chat.turns;
        let mut from = self.chat.context_from.min(turns.len());
        while left > 0 && from < turns.len() {
            let t = &turns[from];
            let declined = matches!(t.state, ReplyState::Declined { .. });
            let empty = t.content.is_empty() && t.text.is_empty();
            let sent = !(declined || empty);
            if sent {
                left -= 1;
            }
            from += 1;
        }
        self.chat.context_from = from;
        self.chat.counted = None;
    }
}
