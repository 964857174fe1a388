//! `App::update` for the Chat pane: /commands, stopping, copying, scrolling, and the
//! streamed reply's events (sending is in `send.rs`). Pure, like the rest of `update`.

use crate::api::pricing::{ReplyCost, price_reply};
use crate::api::reply::{self, Refusal};
use crate::api::{Delta, web};
use crate::tui::app::{App, Effect};
use crate::tui::keymap::Action;
use crate::tui::notice::Notice;
use crate::tui::state::chat::{ReplyState, Spend, TurnFailure};
use crate::worker::{ApiEvent, RequestKind};

impl App {
    pub(crate) fn chat_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Send => return self.send(),
            Action::NewTab => return self.new_tab(),
            Action::NextTab => self.step_tab(1),
            Action::PrevTab => self.step_tab(-1),
            Action::NewLine => self.composer.newline(),
            Action::StopReply => return self.stop_reply(),
            Action::Regenerate => return self.regenerate_at(None),
            Action::CopyReply => {
                if let Some(t) = self.chat.last_reply() {
                    let text = t.text.clone();
                    self.chat.notice = Some(Notice::info(format!(
                        "Sent the last reply ({} characters) to the terminal's clipboard; F1 says what can block it.",
                        text.chars().count()
                    )));
                    return vec![Effect::Copy(text)];
                }
                self.chat.notice = Some(Notice::info("Nothing to copy yet."));
            }
            Action::CopyCode => {
                match self
                    .chat
                    .last_reply()
                    .and_then(|t| last_code_block(&t.text))
                {
                    Some(code) => {
                        self.chat.notice = Some(Notice::info(format!(
                            "Sent a code block ({} lines) to the terminal's clipboard; F1 says what can block it.",
                            code.lines().count()
                        )));
                        return vec![Effect::Copy(code)];
                    }
                    None => {
                        self.chat.notice = Some(Notice::info("No code block in the last reply."))
                    }
                }
            }
            Action::ToggleThinking => self.chat.show_thinking = !self.chat.show_thinking,
            Action::OpenEditor => return vec![Effect::Edit(self.composer.text())],
            Action::PasteImage => return self.paste_image(),
            Action::SelectTurns => return self.enter_select(),
            // Completions and a pasted path on offer were taken before the keymap.
            Action::Complete => {
                self.chat.notice = Some(Notice::info(
                    "Tab completes /commands and @files here; Shift-Tab or Alt-1…5 change panes.",
                ));
            }
            Action::ScrollUp => self.scroll_chat(self.page()),
            Action::ScrollDown => self.scroll_chat(-self.page()),
            // End is the line's end while the conversation follows the reply.
            Action::ScrollToEnd if self.chat.scroll.from_bottom == 0 => self.composer.end(),
            Action::ScrollToEnd => self.chat.scroll = Default::default(),
            edit => return self.edit_action(edit),
        }
        Vec::new()
    }

    /// The composer's line editing; the `@` popup follows the text.
    fn edit_action(&mut self, action: Action) -> Vec<Effect> {
        let c = &mut self.composer;
        match action {
            Action::LineStart => c.home(),
            Action::LineEnd => c.end(),
            Action::WordLeft => c.word_left(),
            Action::WordRight => c.word_right(),
            Action::DeleteWordBack => c.delete_word_back(true),
            Action::DeleteWordBackAlnum => c.delete_word_back(false),
            Action::DeleteWordForward => c.delete_word_forward(),
            Action::KillToStart => c.kill_to_start(),
            Action::KillToEnd => c.kill_to_end(),
            Action::Undo => {
                if !c.undo() {
                    self.chat.notice = Some(Notice::info("Nothing to undo."));
                }
            }
            _ => return Vec::new(),
        }
        self.after_compose_edit()
    }

    fn page(&self) -> i32 {
        i32::from(self.size.1.saturating_sub(10)).max(3)
    }

    /// Scrolls by `lines` (positive: up), from where the view is now: the lines the reply
    /// grew by while held count as scrolled already. Scrolled up, the view holds still.
    pub(crate) fn scroll_chat(&mut self, lines: i32) {
        let cache = self.chat.render_cache.borrow();
        let max = cache.max_scroll();
        let last_h = self
            .chat
            .turns
            .last()
            .and_then(|t| cache.turns.get(&t.id))
            .map(|c| c.lines.len());
        drop(cache);
        let s = self.chat.scroll;
        let grown = match (s.hold, last_h) {
            (Some(hold), Some(h)) if s.from_bottom > 0 => h.saturating_sub(hold),
            _ => 0,
        };
        let now = i64::try_from(s.from_bottom + grown).unwrap_or(i64::MAX);
        let next = (now + i64::from(lines)).clamp(0, i64::try_from(max).unwrap_or(i64::MAX));
        let from_bottom = usize::try_from(next).unwrap_or(0);
        self.chat.scroll = super::super::state::chat::Scroll {
            from_bottom,
            hold: (from_bottom > 0).then_some(last_h.unwrap_or(0)),
        };
    }

    pub(crate) fn stop_reply(&mut self) -> Vec<Effect> {
        if !self.chat.in_flight() && self.chat.editing.take().is_some() {
            self.composer.take();
            self.chat.attached.clear();
            self.chat.notice = Some(Notice::info("Edit cancelled."));
            return Vec::new();
        }
        if self.chat.compose.popup.take().is_some() {
            return Vec::new();
        }
        // A call waiting for an answer is not run: the worker hears the stop.
        self.chat.approval = None;
        let Some(target) = self.chat.streaming.take() else {
            return Vec::new();
        };
        if let Some(t) = self.chat.turns.last_mut() {
            t.state = ReplyState::Stopped;
            t.revision += 1;
        }
        self.chat.notice = Some(Notice::info("Stopped; what arrived is kept."));
        self.reply_stopped();
        let (_, fx) = self.request(RequestKind::Cancel { target });
        vec![fx]
    }

    // Long by design: one arm per chat event, each guarded by the request it answers.
    pub(crate) fn chat_event(&mut self, event: ApiEvent) -> Vec<Effect> {
        let current = self.chat.streaming;
        match event {
            ApiEvent::ChatDelta { id, delta } if current == Some(id) => {
                if let Some(t) = self.chat.turns.last_mut() {
                    match delta {
                        Delta::TextDelta { text } => t.text.push_str(&text),
                        Delta::ThinkingDelta { thinking } => t.thinking.push_str(&thinking),
                        _ => {}
                    }
                    t.state = ReplyState::Streaming;
                    t.revision += 1;
                }
            }
            ApiEvent::ChatBlockStopped { id, block } if current == Some(id) => {
                if let Some(t) = self.chat.turns.last_mut() {
                    if let Some(doing) = web::activity(&block) {
                        // A code run is one collapsed line in the transcript, not its code.
                        if block["name"] == "code_execution" {
                            t.notes.push(web::CODE_RUN.to_string());
                        }
                        t.activity = Some(doing);
                    } else if matches!(
                        block["type"].as_str(),
                        Some("thinking" | "redacted_thinking")
                    ) {
                        // Its token count comes with the usage, when the reply finishes.
                        for line in reply::unseen_thinking(std::slice::from_ref(&block), None) {
                            if !t.unseen_thinking.iter().any(|l| l.starts_with(&line)) {
                                t.unseen_thinking.push(line);
                            }
                        }
                    } else if block["type"] == "text" {
                        let marks = t.sources.markers(&block);
                        t.text.push_str(&marks);
                    } else {
                        // A tool's result arrived: the search is over.
                        t.activity = None;
                        if let Some(e) = web::tool_error(&block) {
                            t.notes.push(e);
                        }
                    }
                    t.revision += 1;
                }
            }
            ApiEvent::ChatFinished {
                id,
                message,
                first_token,
                paid_by,
                utilization,
            } if current == Some(id) => {
                self.chat.streaming = None;
                let five_hour = utilization.and_then(|(f, _)| f);
                let moved = five_hour.zip(self.chat.last_five_hour).map(|(a, b)| a - b);
                if five_hour.is_some() {
                    self.chat.last_five_hour = five_hour;
                }
                if let Some(t) = self.chat.turns.last_mut() {
                    t.content = message["content"].as_array().cloned().unwrap_or_default();
                    t.api_id = message["id"].as_str().map(str::to_string);
                    t.cache_miss = crate::api::usage::cache_miss(message.get("diagnostics"));
                    t.unseen_thinking = reply::unseen_thinking(&t.content, message.get("usage"));
                    let (usage, cost) = price_reply(
                        &self.prices,
                        &t.model,
                        Some(&message["usage"]),
                        Some(paid_by),
                        self.cache,
                    );
                    t.usage = usage;
                    t.spend = Some(match cost {
                        ReplyCost::Money(c) => Spend::Money(c),
                        _ => Spend::Subscription { five_hour, moved },
                    });
                    t.activity = None;
                    t.first_token = first_token;
                    t.notes.extend(reply::notes(&message));
                    t.state = match Refusal::of(&message) {
                        Some(r) => ReplyState::Declined {
                            sentence: r.sentence(),
                        },
                        None => ReplyState::Done,
                    };
                    if reply::context_full(message["stop_reason"].as_str()) {
                        // Said in the transcript too: the notice goes with the next key.
                        t.notes.push(reply::CONTEXT_FULL.to_string());
                        t.revision += 1;
                        self.context_full_gate();
                        return Vec::new();
                    }
                    if message["stop_reason"] == "pause_turn" {
                        t.notes
                            .push(crate::conversation::turn::STILL_PAUSED.to_string());
                    }
                    if message["stop_reason"] == "max_tokens" {
                        self.chat.notice = Some(Notice::warning(
                            "The reply stopped at the max-tokens limit (/max-tokens N raises it).",
                        ));
                    }
                    t.revision += 1;
                }
            }
            ApiEvent::ChatFailed { id, error, partial } if current == Some(id) => {
                self.chat.streaming = None;
                let failure = TurnFailure::of(error, self.chat.settings.web);
                if let Some(t) = self.chat.turns.last_mut() {
                    t.content = partial["content"].as_array().cloned().unwrap_or_default();
                    t.api_id = partial["id"].as_str().map(str::to_string);
                    t.unseen_thinking = reply::unseen_thinking(&t.content, partial.get("usage"));
                    t.activity = None;
                    t.state = ReplyState::Failed(failure);
                    t.revision += 1;
                }
            }
            ApiEvent::ChatContinuing { id, attempt, limit } if current == Some(id) => {
                // Said in the transcript: the reply goes on in the same turn.
                if let Some(t) = self.chat.turns.last_mut() {
                    t.notes
                        .push(crate::conversation::turn::continuing_words(attempt, limit));
                    t.revision += 1;
                }
            }
            ApiEvent::Retrying { id, notice } if current == Some(id) => {
                self.chat.notice = Some(Notice::info(notice.to_string()));
            }
            ApiEvent::TokensCounted { id, tokens } => self.tokens_counted(id, tokens),
            // Results of a stopped or replaced request: stale, dropped.
            _ => {}
        }
        Vec::new()
    }
}

/// The body of the last fenced code block in `text`, if any.
pub fn last_code_block(text: &str) -> Option<String> {
    let mut last = None;
    let mut current: Option<Vec<&str>> = None;
    for line in text.lines() {
        let fence = line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~");
        match (&mut current, fence) {
            (None, true) => current = Some(Vec::new()),
            (Some(lines), true) => {
                last = Some(lines.join("\n"));
                current = None;
            }
            (Some(lines), false) => lines.push(line),
            (None, false) => {}
        }
    }
    last
}

#[cfg(test)]
mod tests;
