//! `App::update` for the Chat pane: sending, /commands, stopping, regenerating, copying,
//! scrolling, and the streamed reply's events. Pure, like the rest of `update`.

use crate::api::messages::{Planned, RequestOptions, plan_request};
use crate::api::models::fallback_list;
use crate::api::reply::{self, Refusal};
use crate::api::{Delta, Usage, web};
use crate::attach::Attachment;
use crate::credentials::CredentialKind;
use crate::tui::app::{App, Effect};
use crate::tui::keymap::Action;
use crate::tui::state::chat::{ReplyState, SLASH_HELP, SlashCommand, Spend, Turn, parse_slash};
use crate::worker::{ApiEvent, RequestKind};

/// What a send puts on screen: a prompt and its files after the turns before `upto`.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub prompt: String,
    pub files: Vec<Attachment>,
    pub upto: usize,
    /// A regenerate: the saved prompt the new reply answers.
    pub reply_to: Option<i64>,
}

impl App {
    pub(crate) fn chat_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Send => return self.send(),
            Action::NewLine => self.composer.newline(),
            Action::StopReply => return self.stop_reply(),
            Action::Regenerate => return self.regenerate_at(None),
            Action::CopyReply => {
                if let Some(t) = self.chat.last_reply() {
                    let text = t.text.clone();
                    self.chat.notice = Some(format!(
                        "Copied the last reply ({} characters).",
                        text.chars().count()
                    ));
                    return vec![Effect::Copy(text)];
                }
                self.chat.notice = Some("Nothing to copy yet.".into());
            }
            Action::CopyCode => {
                match self
                    .chat
                    .last_reply()
                    .and_then(|t| last_code_block(&t.text))
                {
                    Some(code) => {
                        self.chat.notice = Some(format!(
                            "Copied a code block ({} lines).",
                            code.lines().count()
                        ));
                        return vec![Effect::Copy(code)];
                    }
                    None => self.chat.notice = Some("No code block in the last reply.".into()),
                }
            }
            Action::ToggleThinking => self.chat.show_thinking = !self.chat.show_thinking,
            Action::OpenEditor => return vec![Effect::Edit(self.composer.text())],
            Action::SelectTurns => return self.enter_select(),
            // With a pasted path on offer the compose keys took it already.
            Action::AttachPasted => {
                self.chat.notice = Some(
                    "Paste a file's path (or /attach PATH, or @ for files here) to attach it."
                        .into(),
                );
            }
            Action::ScrollUp => self.scroll_chat(self.page()),
            Action::ScrollDown => self.scroll_chat(-self.page()),
            Action::ScrollToEnd => self.chat.scroll.from_bottom = 0,
            _ => {}
        }
        Vec::new()
    }

    fn page(&self) -> i32 {
        i32::from(self.size.1.saturating_sub(10)).max(3)
    }

    pub(crate) fn scroll_chat(&mut self, lines: i32) {
        let max = self.chat.render_cache.borrow().max_scroll();
        let now = i64::try_from(self.chat.scroll.from_bottom).unwrap_or(i64::MAX);
        let next = (now + i64::from(lines)).clamp(0, i64::try_from(max).unwrap_or(i64::MAX));
        self.chat.scroll.from_bottom = usize::try_from(next).unwrap_or(0);
    }

    pub(crate) fn stop_reply(&mut self) -> Vec<Effect> {
        if !self.chat.in_flight() && self.chat.editing.take().is_some() {
            self.composer.take();
            self.chat.attached.clear();
            self.chat.notice = Some("Edit cancelled.".into());
            return Vec::new();
        }
        if self.chat.compose.popup.take().is_some() {
            return Vec::new();
        }
        let Some(target) = self.chat.streaming.take() else {
            return Vec::new();
        };
        if let Some(t) = self.chat.turns.last_mut() {
            t.state = ReplyState::Stopped;
            t.revision += 1;
        }
        self.chat.notice = Some("Stopped; what arrived is kept.".into());
        let (_, fx) = self.request(RequestKind::Cancel { target });
        vec![fx]
    }

    pub(crate) fn apply_slash(&mut self, cmd: SlashCommand) -> Vec<Effect> {
        let s = &mut self.chat.settings;
        let notice = match cmd {
            SlashCommand::System(v) => {
                s.system = v;
                "System prompt set for this conversation.".to_string()
            }
            SlashCommand::MaxTokens(v) => {
                s.max_tokens = v;
                format!(
                    "max tokens: {}",
                    v.map_or("default".into(), |n| n.to_string())
                )
            }
            SlashCommand::Temperature(v) => {
                s.temperature = v;
                format!(
                    "temperature: {}",
                    v.map_or("default".into(), |t| t.to_string())
                )
            }
            SlashCommand::Thinking(v) => {
                s.thinking = v;
                format!("thinking: {v:?}").to_lowercase()
            }
            SlashCommand::Effort(v) => {
                s.effort = v;
                format!("effort: {}", v.map_or("default", |e| e.as_str()))
            }
            SlashCommand::Model(id) => {
                self.chat.model = id.clone();
                format!("model: {id}")
            }
            SlashCommand::Web(on) => {
                s.web = on;
                if on {
                    "Web search on: Claude may search and fetch pages (Anthropic runs them; \
                     $10 per 1,000 searches on an API key)."
                        .to_string()
                } else {
                    "Web search off.".to_string()
                }
            }
            SlashCommand::Title(title) => match self.chat.conversation {
                Some(id) => {
                    let (_, fx) = self.request(RequestKind::RenameConversation { id, title });
                    self.chat.notice = Some("Renaming…".into());
                    return vec![fx];
                }
                None => "Send a first prompt, then name the conversation.".to_string(),
            },
            SlashCommand::Attach(path) => return self.attach_path(path),
            SlashCommand::New => {
                if self.chat.in_flight() {
                    "Stop the reply first (Esc).".to_string()
                } else {
                    self.chat.turns.clear();
                    self.chat.attached.clear();
                    self.chat.selected = None;
                    self.chat.editing = None;
                    self.chat.sent = None;
                    self.chat.conversation = None;
                    self.chat.scroll.from_bottom = 0;
                    self.chat.context_from = 0;
                    self.chat.counted = None;
                    "New conversation.".to_string()
                }
            }
            SlashCommand::Help => SLASH_HELP.to_string(),
        };
        self.chat.notice = Some(notice);
        Vec::new()
    }

    fn send(&mut self) -> Vec<Effect> {
        if self.composer.is_empty() {
            return Vec::new();
        }
        let text = self.composer.take();
        // Settings change while a reply streams; they apply from the next prompt.
        match parse_slash(&text) {
            Some(Ok(cmd)) => return self.apply_slash(cmd),
            Some(Err(e)) => {
                self.chat.notice = Some(e);
                self.composer.set_text(&text);
                return Vec::new();
            }
            None => {}
        }
        if self.chat.in_flight() {
            self.chat.notice = Some("A reply is still streaming: Esc stops it.".into());
            self.composer.set_text(&text);
            return Vec::new();
        }
        // An edited prompt goes where it came from, as a new branch.
        let upto = self
            .chat
            .editing
            .take()
            .filter(|&i| i < self.chat.turns.len())
            .unwrap_or(self.chat.turns.len());
        self.start_turn(Draft {
            prompt: text,
            files: self.chat.attached.clone(),
            upto,
            reply_to: None,
        })
    }

    /// The chat's model as oat knows it: discovered, else from the shipped list.
    pub(crate) fn chat_model(&self) -> Option<&crate::api::Model> {
        let id = &self.chat.model;
        self.models
            .find(id)
            .or_else(|| fallback_list().data.iter().find(|m| &m.id == id))
    }

    /// The request for `prompt` and its files after the turns before `upto`, or why it
    /// cannot be sent (a file over a limit, or one the model does not take, included).
    pub(crate) fn plan(
        &self,
        prompt: &str,
        upto: usize,
        files: &[Attachment],
    ) -> Result<Planned, String> {
        let s = &self.chat.settings;
        let opts = RequestOptions {
            model: self.chat.model.clone(),
            max_tokens: s.max_tokens,
            system: s.system.clone(),
            temperature: s.temperature,
            thinking: s.thinking,
            effort: s.effort,
            api_version: self.api_version.clone(),
            cache: self.cache,
            web: s.web,
        };
        let messages = self.chat.messages_for(upto, prompt, files);
        let all: Vec<&Attachment> = self.chat.turns[self.chat.context_from.min(upto)..upto]
            .iter()
            .flat_map(|t| &t.attachments)
            .chain(files)
            .collect();
        if !all.is_empty() {
            if let Some(m) = self.chat_model() {
                crate::attach::check_model(files, &m.id, &m.capabilities)?;
            }
            let text: u64 = self.chat.turns[..upto]
                .iter()
                .map(|t| (t.prompt.len() + t.text.len()) as u64)
                .sum();
            crate::attach::limits::check(&all, self.context_limit(), text + prompt.len() as u64)?;
        }
        plan_request(&opts, self.chat_model(), messages)
    }

    /// Sends a draft, unless the context gate stops it first.
    pub(crate) fn start_turn(&mut self, draft: Draft) -> Vec<Effect> {
        let planned = match self.plan(&draft.prompt, draft.upto, &draft.files) {
            Ok(p) => p,
            Err(e) => return self.not_sent(e, draft),
        };
        if let Some(gate) = self.context_gate(&draft.prompt, draft.upto, &planned) {
            self.chat.notice = Some(gate.sentence());
            self.chat.gate = Some(gate);
            self.composer.set_text(&draft.prompt);
            return Vec::new();
        }
        self.launch(draft, planned)
    }

    /// Sends a draft past the context gate (the person chose to leave turns out).
    pub(crate) fn send_turn(&mut self, draft: Draft) -> Vec<Effect> {
        match self.plan(&draft.prompt, draft.upto, &draft.files) {
            Ok(planned) => self.launch(draft, planned),
            Err(e) => self.not_sent(e, draft),
        }
    }

    /// Refused before sending: the prompt goes back into the composer, the files stay.
    fn not_sent(&mut self, e: String, draft: Draft) -> Vec<Effect> {
        self.chat.notice = Some(format!("Not sent: {e}"));
        if draft.reply_to.is_none() {
            self.composer.set_text(&draft.prompt);
            if draft.upto < self.chat.turns.len() {
                self.chat.editing = Some(draft.upto);
            }
        }
        Vec::new()
    }

    fn launch(&mut self, draft: Draft, planned: Planned) -> Vec<Effect> {
        let model_id = self.chat.model.clone();
        // A count for this prompt, or one still in flight, no longer describes what comes next.
        self.chat.counted = None;
        self.chat.count_req = None;
        self.chat.notice = planned.notes.first().cloned();
        let Draft {
            prompt,
            files,
            upto,
            reply_to,
        } = draft;
        if reply_to.is_none() {
            self.chat.attached.clear();
        }
        let parent = self.chat.parent_id(upto);
        let mut turn = Turn::new(prompt.clone(), model_id);
        turn.sent_from = self.chat.context_from;
        turn.attachments = files.clone();
        turn.prompt_id = reply_to;
        // Nothing is replaced: an edit or a regenerate is a sibling of the turn there.
        self.chat.branch_at(upto, turn);
        self.chat.selected = None;
        self.chat.scroll.from_bottom = 0;
        let save = Some(crate::worker::SaveTarget {
            conversation: self.chat.conversation,
            prompt,
            files,
            parent,
            reply_to,
            settings: super::settings_to_json(&self.chat.settings),
        });
        let (id, fx) = self.request(RequestKind::StreamChat {
            request: Box::new(planned.request),
            save,
        });
        self.chat.streaming = Some(id);
        self.chat.sent = Some(id);
        vec![fx]
    }

    /// Asks again for the reply to turn `at` (the last when `None`): the new reply is a
    /// sibling of the old, which stays a ←/→ away.
    pub(crate) fn regenerate_at(&mut self, at: Option<usize>) -> Vec<Effect> {
        if self.chat.in_flight() {
            self.chat.notice = Some("A reply is still streaming: Esc stops it.".into());
            return Vec::new();
        }
        let at = at.unwrap_or(self.chat.turns.len().saturating_sub(1));
        let Some(turn) = self.chat.turns.get(at) else {
            self.chat.notice = Some("Nothing to regenerate yet.".into());
            return Vec::new();
        };
        let draft = Draft {
            prompt: turn.prompt.clone(),
            files: turn.attachments.clone(),
            upto: at,
            reply_to: turn.prompt_id,
        };
        self.start_turn(draft)
    }

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
                        t.activity = Some(doing);
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
                    t.usage = Usage::from_api(&message["usage"], self.cache.unwrap_or_default());
                    t.spend = Some(match paid_by {
                        CredentialKind::ApiKey => {
                            Spend::Money(t.usage.and_then(|u| self.prices.cost(&t.model, &u)))
                        }
                        CredentialKind::Oauth => Spend::Subscription { five_hour, moved },
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
                    if message["stop_reason"] == "max_tokens" {
                        self.chat.notice = Some(
                            "The reply stopped at the max-tokens limit (/max-tokens N raises it)."
                                .into(),
                        );
                    }
                    t.revision += 1;
                }
            }
            ApiEvent::ChatFailed {
                id,
                error,
                advice,
                partial,
            } if current == Some(id) => {
                self.chat.streaming = None;
                let advice = if self.chat.settings.web {
                    web_advice(&error, advice)
                } else {
                    advice
                };
                if let Some(t) = self.chat.turns.last_mut() {
                    t.content = partial["content"].as_array().cloned().unwrap_or_default();
                    t.activity = None;
                    t.state = ReplyState::Failed { error, advice };
                    t.revision += 1;
                }
            }
            ApiEvent::Retrying { id, message } if current == Some(id) => {
                self.chat.notice = Some(message);
            }
            ApiEvent::TokensCounted { id, tokens } => self.tokens_counted(id, tokens),
            // Results of a stopped or replaced request: stale, dropped.
            _ => {}
        }
        Vec::new()
    }
}

/// Advice for a failed request that carried the web tools, when they are the likely cause.
fn web_advice(error: &str, advice: String) -> String {
    if web::refused_for_tools(error) {
        format!("{} /web off sends without it.", web::TOOLS_OFF_ADVICE)
    } else {
        advice
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
