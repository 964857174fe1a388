//! `App::update` for the History pane — search as you type, open to resume, delete with
//! confirmation — and the worker's history events, including loading a conversation
//! back into the chat.

use crate::tui::notice::Notice;
use crossterm::event::KeyCode;

use crate::api::messages::ThinkingChoice;
use crate::tui::app::{App, Effect, Pane};
use crate::tui::keymap::Action;
use crate::tui::state::chat::ChatSettings;
use crate::worker::{ApiEvent, RequestKind};

impl App {
    pub fn list_conversations(&mut self) -> Effect {
        let (id, fx) = self.request(RequestKind::ListConversations {
            query: self.history.query.clone(),
        });
        self.history_req = Some(id);
        self.history.loading = true;
        fx
    }

    pub(crate) fn history_action(&mut self, action: Action) -> Vec<Effect> {
        if self.history.confirm_delete {
            self.history.confirm_delete = false;
            if action == Action::Confirm
                && let Some(item) = self.history.selected_item()
            {
                let id = item.id;
                if self.chat.conversation == Some(id) {
                    self.chat.conversation = None;
                }
                let (_, fx) = self.request(RequestKind::DeleteConversation { id });
                return vec![fx];
            }
            return Vec::new();
        }
        match action {
            Action::Up => self.history.selected = self.history.selected.saturating_sub(1),
            Action::Down => {
                self.history.selected += 1;
                self.history.clamp();
            }
            Action::Refresh => return vec![self.list_conversations()],
            Action::Cancel => {
                self.history.query.clear();
                return vec![self.list_conversations()];
            }
            Action::DeleteConversation if self.history.selected_item().is_some() => {
                self.history.confirm_delete = true;
            }
            Action::OpenConversation => {
                if self.chat.in_flight() {
                    self.set_notice(Notice::warning(
                        "A reply is still streaming: stop it first (Esc in the chat).",
                    ));
                } else if let Some(item) = self.history.selected_item() {
                    let (_, fx) = self.request(RequestKind::OpenConversation { id: item.id });
                    return vec![fx];
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(crate) fn history_text(&mut self, code: KeyCode, plain: bool) -> Vec<Effect> {
        match code {
            KeyCode::Char(c) if plain => self.history.query.push(c),
            KeyCode::Backspace => {
                self.history.query.pop();
            }
            _ => return Vec::new(),
        }
        self.history.selected = 0;
        vec![self.list_conversations()]
    }

    pub(crate) fn history_event(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::ConversationsListed { id, items } if self.history_req == Some(id) => {
                self.history.loading = false;
                self.history.error = None;
                self.history.items = items;
                self.history.clamp();
            }
            ApiEvent::ConversationSaved {
                id,
                conversation,
                prompt,
            } => {
                if self.chat.streaming == Some(id) || self.chat.conversation.is_none() {
                    self.chat.conversation = Some(conversation);
                }
                if self.chat.sent == Some(id)
                    && let Some(t) = self.chat.turns.last_mut()
                {
                    t.prompt_id = Some(prompt);
                }
                return vec![self.list_conversations()];
            }
            ApiEvent::ConversationOpened {
                conversation,
                messages,
                ..
            } => {
                self.chat.turns.clear();
                self.chat.scroll.from_bottom = 0;
                self.chat.context_from = 0;
                self.chat.counted = None;
                self.chat.conversation = Some(conversation.id);
                self.chat.model = conversation.model.clone();
                self.chat.settings =
                    settings_from(&conversation.settings, conversation.system.clone());
                self.chat.turns = self.resumed_turns(&conversation, &messages);
                self.chat.selected = None;
                self.chat.editing = None;
                self.chat.sent = None;
                *self.chat.render_cache.borrow_mut() = Default::default();
                // Nothing said about the chat before applies to the one resumed.
                self.clear_notices();
                self.chat.gate = None;
                self.chat.notice = Some(Notice::info(format!(
                    "Resumed “{}”: new prompts continue it.",
                    conversation.title
                )));
                self.pane = Pane::Chat;
                // Pictures of the images on screen, made once each.
                let files: Vec<crate::attach::Attachment> = self
                    .chat
                    .turns
                    .iter()
                    .flat_map(|t| t.attachments.iter().cloned())
                    .collect();
                return files.iter().flat_map(|f| self.picture_for(f)).collect();
            }
            ApiEvent::HistoryFailed { id, error } => {
                if self.history_req == Some(id) {
                    self.history.loading = false;
                }
                self.history.error = Some(error.clone());
                self.set_notice(Notice::error(format!("History unavailable: {error}")));
            }
            ApiEvent::HistoryChanged { notice, .. } => {
                self.set_notice(Notice::info(notice));
                return vec![self.list_conversations()];
            }
            _ => {}
        }
        Vec::new()
    }
}

/// The settings saved with a conversation, back as chat settings.
pub fn settings_to_json(s: &ChatSettings) -> serde_json::Value {
    let thinking = match s.thinking {
        ThinkingChoice::Default => None,
        ThinkingChoice::Off => Some("off".to_string()),
        ThinkingChoice::Adaptive => Some("adaptive".to_string()),
        ThinkingChoice::Budget(n) => Some(n.to_string()),
    };
    serde_json::json!({
        "max_tokens": s.max_tokens,
        "temperature": s.temperature,
        "thinking": thinking,
        "effort": s.effort.map(|e| e.as_str()),
        "web": s.web,
    })
}

fn settings_from(v: &serde_json::Value, system: Option<String>) -> ChatSettings {
    ChatSettings {
        system,
        max_tokens: v["max_tokens"].as_u64().and_then(|n| u32::try_from(n).ok()),
        temperature: v["temperature"].as_f64().map(|t| t as f32),
        thinking: v["thinking"]
            .as_str()
            .and_then(|t| t.parse().ok())
            .unwrap_or(ThinkingChoice::Default),
        effort: v["effort"].as_str().and_then(|e| {
            crate::api::messages::Effort::ALL
                .into_iter()
                .find(|x| x.as_str() == e)
        }),
        web: v["web"].as_bool().unwrap_or(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::messages::Effort;

    #[test]
    fn settings_round_trip() {
        let s = ChatSettings {
            system: Some("sys".into()),
            max_tokens: Some(2000),
            temperature: None,
            thinking: ThinkingChoice::Budget(4096),
            effort: Some(Effort::High),
            web: true,
        };
        assert_eq!(settings_from(&settings_to_json(&s), Some("sys".into())), s);
    }
}
