//! What follows the end of a reply: a prompt typed ahead goes out (or, if the reply
//! failed or was stopped, back into the composer: nothing typed is lost), and a person
//! looking elsewhere is told (the bell, a desktop notification). Pure, like all `update`.

use crate::config::Notify;
use crate::tui::app::{App, Effect, Notification, Pane};
use crate::tui::notice::Notice;
use crate::tui::state::chat::{Queued, ReplyState};

use super::send::Draft;

impl App {
    /// Enter while a reply streams: the prompt waits for the reply's end.
    pub(crate) fn queue_prompt(&mut self, text: String) -> Vec<Effect> {
        if self.chat.editing.is_some() || self.chat.queued.is_some() {
            let why = if self.chat.editing.is_some() {
                "An edited prompt starts a branch: send it when the reply ends (Esc stops it)."
            } else {
                "One prompt is queued already (↑ on an empty composer takes it back to edit)."
            };
            self.chat.notice = Some(Notice::warning(why));
            self.composer.set_text(&text);
            return Vec::new();
        }
        self.chat.queued = Some(Queued {
            prompt: text,
            files: std::mem::take(&mut self.chat.attached),
        });
        self.chat.notice = Some(Notice::info(
            "Queued: sent when this reply ends. ↑ on an empty composer takes it back to edit.",
        ));
        Vec::new()
    }

    /// ↑ on an empty composer with a prompt queued: it comes back to edit (or to clear).
    pub(crate) fn take_back_queued(&mut self) -> bool {
        let Some(q) = self.chat.queued.take() else {
            return false;
        };
        self.restore(q);
        self.chat.notice = Some(Notice::info(
            "The queued prompt is back to edit: Enter queues it again.",
        ));
        true
    }

    /// The reply being streamed ended by itself (finished, failed, declined): not Esc.
    pub(crate) fn reply_ended(&mut self) -> Vec<Effect> {
        let Some(state) = self.chat.turns.last().map(|t| t.state.clone()) else {
            return Vec::new();
        };
        let mut fx: Vec<Effect> = self.notification(&state).into_iter().collect();
        if let Some(q) = self.chat.queued.take() {
            if state == ReplyState::Done {
                fx.extend(self.send_queued(q));
            } else {
                self.restore(q);
                self.chat.notice = Some(Notice::warning(
                    "The queued prompt was not sent (the reply did not finish): it is back in the composer.",
                ));
            }
        }
        fx
    }

    /// Esc stopped the reply: a queued prompt is not sent, and comes back to edit.
    pub(crate) fn reply_stopped(&mut self) {
        if let Some(q) = self.chat.queued.take() {
            self.restore(q);
            self.chat.notice = Some(Notice::info(
                "Stopped; what arrived is kept. The queued prompt is back in the composer.",
            ));
        }
    }

    /// Tells of the reply's end when nobody is watching it: the terminal has no focus,
    /// another pane is on screen, or its conversation is in a tab not on screen.
    fn notification(&self, state: &ReplyState) -> Option<Effect> {
        let watching = self.focused && self.pane == Pane::Chat && !self.in_background;
        if watching || self.notify == Notify::Off {
            return None;
        }
        let what = match state {
            ReplyState::Done => "Claude's reply is ready",
            ReplyState::Declined { .. } => "Claude declined to answer",
            ReplyState::Failed(_) => "The reply failed",
            _ => return None,
        };
        let prompt = self.chat.turns.last().map_or("", |t| t.prompt.as_str());
        let short: String = prompt.split_whitespace().collect::<Vec<_>>().join(" ");
        let short = crate::tui::view::text::ellipsize(&short, 60);
        Some(Effect::Notify(Notification {
            body: format!("oat: {what} — “{short}”"),
            desktop: self.notify == Notify::Auto,
        }))
    }

    /// Sends the queued prompt after the turns on screen, leaving what the person is
    /// writing now (text and files) as it is.
    fn send_queued(&mut self, q: Queued) -> Vec<Effect> {
        let draft_text = self.composer.take();
        let draft_files = std::mem::take(&mut self.chat.attached);
        let fx = self.start_turn(Draft {
            prompt: q.prompt,
            files: q.files,
            upto: self.chat.turns.len(),
            reply_to: None,
        });
        if self.chat.in_flight() {
            self.composer.set_text(&draft_text);
            self.chat.attached = draft_files;
        } else {
            // Not sent (a limit, the context gate): the queued prompt is in the composer
            // with the reason in the notice; what was being written follows it.
            self.append_draft(&draft_text, draft_files);
        }
        fx
    }

    /// A queued prompt back in the composer, before whatever is being written there.
    fn restore(&mut self, q: Queued) {
        let draft_text = self.composer.take();
        let draft_files = std::mem::take(&mut self.chat.attached);
        self.composer.set_text(&q.prompt);
        self.chat.attached = q.files;
        self.append_draft(&draft_text, draft_files);
    }

    fn append_draft(&mut self, text: &str, files: Vec<crate::attach::Attachment>) {
        if !text.trim().is_empty() {
            let now = self.composer.text();
            let joined = if now.is_empty() {
                text.to_string()
            } else {
                format!("{now}\n\n{text}")
            };
            self.composer.set_text(&joined);
        }
        for f in files {
            if !self.chat.attached.iter().any(|a| a.sha256 == f.sha256) {
                self.chat.attached.push(f);
            }
        }
    }
}
