//! `App::update` for the History pane — search as you type, open to resume, delete with
//! confirmation — and the worker's history events, including loading a conversation
//! back into the chat.

use crate::conversation::Settings;
use crate::tui::notice::Notice;
use crate::tui::state::load::Load;
use crossterm::event::KeyCode;

use crate::tui::app::{App, Effect, Pane};
use crate::tui::keymap::Action;
use crate::worker::{ApiEvent, RequestId, RequestKind};

impl App {
    pub fn list_conversations(&mut self) -> Effect {
        let (id, fx) = self.request(RequestKind::ListConversations {
            query: self.history.query.clone(),
        });
        self.history.load = Load::Loading(id);
        fx
    }

    pub(crate) fn history_action(&mut self, action: Action) -> Vec<Effect> {
        if self.history.confirm_delete {
            self.history.confirm_delete = false;
            if action == Action::Confirm
                && let Some(item) = self.history.selected_item()
            {
                let id = item.id;
                let (_, delete) = self.request(RequestKind::DeleteConversation { id });
                let mut fx = vec![delete];
                if self.chat.conversation == Some(id) {
                    // A reply still streaming into it stops: nothing of it is kept.
                    if self.chat.in_flight() {
                        fx.extend(self.stop_reply());
                    }
                    // Gone from the history, so gone from the screen: its turns must not
                    // go along as context with the next prompt.
                    self.chat.reset();
                    // A warning, not information: it stays until read (the chat the person
                    // comes back to is not the one they left).
                    self.chat.notice = Some(Notice::warning(format!(
                        "Conversation {id} was deleted; the next prompt starts a new one."
                    )));
                }
                return fx;
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
                if let Some(item) = self.history.selected_item() {
                    return self.open_in_tab(item.id);
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

    /// Asks for conversation `conversation` to open in the chat; its answer is awaited by
    /// the returned id (an earlier ask that answers later is stale).
    pub fn open_conversation(&mut self, conversation: i64) -> (RequestId, Effect) {
        let (id, fx) = self.request(RequestKind::OpenConversation { id: conversation });
        self.history.opening = Some(id);
        (id, fx)
    }

    // Long by design: one arm per History event.
    pub(crate) fn history_event(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::ConversationsListed { id, items } if self.history.load.awaits(id) => {
                self.history.load = Load::Ready;
                self.history.error = None;
                // The selection stays on its conversation when others arrive above it.
                let selected = self.history.selected_item().map(|c| c.id);
                self.history.items = items;
                if let Some(i) =
                    selected.and_then(|s| self.history.items.iter().position(|c| c.id == s))
                {
                    self.history.selected = i;
                }
                self.history.clamp();
            }
            ApiEvent::ConversationsListed { .. } => {}
            ApiEvent::ConversationDeleted { conversation, .. } => {
                self.set_notice(Notice::info(format!(
                    "Deleted conversation {conversation}."
                )));
                if self.chat.conversation == Some(conversation) {
                    // A prompt that was refused for it (nothing sent) comes back to edit.
                    let unsent = self
                        .chat
                        .turns
                        .last()
                        .filter(|t| t.text.is_empty() && !t.in_flight())
                        .map(|t| t.prompt.clone());
                    self.chat.reset();
                    if let Some(p) = unsent.filter(|_| self.composer.text().is_empty()) {
                        self.composer.insert_str(&p);
                    }
                    self.chat.notice = Some(Notice::warning(format!(
                        "Conversation {conversation} was deleted (here or in another shell); the next prompt starts a new one."
                    )));
                }
                return vec![self.list_conversations()];
            }
            ApiEvent::HistoryChangedElsewhere => {
                // A quiet refresh: the list on screen stays as it is until the new one
                // comes, without a "loading" flash at every write of another process.
                let quiet = !self.history.load.is_loading();
                let mut fx = vec![self.list_conversations()];
                if let (true, Load::Loading(id)) = (quiet, &self.history.load) {
                    self.history.load = Load::Refreshing(*id);
                }
                if let Some(id) = self.chat.conversation {
                    let (_, check) = self.request(RequestKind::CheckConversation { id });
                    fx.push(check);
                }
                return fx;
            }
            ApiEvent::ConversationSaved {
                id,
                conversation,
                prompt,
            } => {
                // Saving works (again): the chat's "not being saved" ends.
                self.history.error = None;
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
                id,
                conversation,
                messages,
            } => {
                if self.history.opening != Some(id) {
                    return Vec::new();
                }
                self.history.opening = None;
                // Into this tab if it holds nothing, else a tab of its own.
                self.tab_for_opened();
                self.chat.reset();
                self.chat.conversation = Some(conversation.id);
                // The latest settings: those of the last prompt (a `/model` included).
                let settings = Settings::from_saved(
                    &conversation.settings,
                    &conversation.model,
                    conversation.system.clone(),
                    crate::conversation::Sent {
                        cache: self.cache,
                        api_version: self.api_version.clone(),
                        thinking_display: self.thinking_display,
                        web_code_execution: self.web_code_execution,
                    },
                );
                self.chat.model = settings.model;
                self.chat.settings = settings.choices;
                self.chat.turns = self.resumed_turns(&conversation, &messages);
                // Nothing said about the chat before applies to the one resumed.
                self.clear_notices();
                let resumed = format!("Resumed “{}”: new prompts continue it.", conversation.title);
                if !self.warn_retiring(Some(&resumed)) {
                    self.chat.notice = Some(Notice::info(resumed));
                }
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
                if self.history.opening == Some(id) {
                    self.history.opening = None;
                }
                if self.history.load.awaits(id) {
                    self.history.load = Load::Failed(error.clone());
                }
                // Said where it matters, once each: in the History pane, and in the chat as
                // "not being saved" while it lasts; not a third time in the status bar.
                self.history.error = Some(error);
            }
            ApiEvent::HistoryChanged { notice, .. } => {
                self.set_notice(Notice::info(notice));
                return vec![self.list_conversations()];
            }
            // Not History's: `on_api_more` routes only the events above here.
            ApiEvent::ModelsLoaded { .. }
            | ApiEvent::ModelsFailed { .. }
            | ApiEvent::KeysLoaded { .. }
            | ApiEvent::KeyValidated { .. }
            | ApiEvent::KeyValidationFailed { .. }
            | ApiEvent::KeyChanged { .. }
            | ApiEvent::KeyChangeFailed { .. }
            | ApiEvent::KeyAddFailed { .. }
            | ApiEvent::ChatDelta { .. }
            | ApiEvent::ChatBlockStopped { .. }
            | ApiEvent::ChatFinished { .. }
            | ApiEvent::ChatFailed { .. }
            | ApiEvent::ChatContinuing { .. }
            | ApiEvent::ToolAsked { .. }
            | ApiEvent::ToolTold { .. }
            | ApiEvent::ToolRound { .. }
            | ApiEvent::ChatBound { .. }
            | ApiEvent::ReplySaved { .. }
            | ApiEvent::Retrying { .. }
            | ApiEvent::TokensCounted { .. }
            | ApiEvent::RateLimitsSeen { .. }
            | ApiEvent::ConfigChanged
            | ApiEvent::AttachmentRead { .. }
            | ApiEvent::AttachmentFailed { .. }
            | ApiEvent::ClipboardImageRead { .. }
            | ApiEvent::ClipboardFailed { .. }
            | ApiEvent::FilesListed { .. }
            | ApiEvent::PathCompleted { .. }
            | ApiEvent::PasteIsFile { .. } => {}
        }
        Vec::new()
    }
}
