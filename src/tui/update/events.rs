//! `App::update` for the worker's events that are not a pane's own (models, status, keys,
//! config changes), and the Models pane's actions. Pure, like the rest of `update`.

use crate::tui::app::{App, Effect, Pane};
use crate::tui::keymap::Action;
use crate::tui::notice::Notice;
use crate::tui::state::keys::KeysMode;
use crate::worker::ApiEvent;

impl App {
    pub(crate) fn models_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Refresh => return vec![self.list_models()],
            Action::Up => self.models.selected = self.models.selected.saturating_sub(1),
            Action::Down => {
                self.models.selected += 1;
                self.models.clamp();
            }
            Action::Cancel => {
                self.models.filter.clear();
                self.models.clamp();
            }
            Action::SelectModel => {
                if let Some(m) = self.models.selected_model() {
                    self.chat.model = m.id.clone();
                    let text = format!("Chat model: {} ({})", m.display_name, m.id);
                    self.set_notice(Notice::info(text));
                    self.pane = Pane::Chat;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    pub(crate) fn on_api(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::ModelsLoaded {
                id,
                models,
                offline,
            } => {
                if self.models_req == Some(id) {
                    self.models.loading = false;
                    self.models.models = models;
                    self.models.offline = offline;
                    self.models.clamp();
                }
            }
            ApiEvent::ModelsFailed { id, error } => {
                if self.models_req == Some(id) {
                    self.models.loading = false;
                    self.models.error = Some(error);
                }
            }
            ApiEvent::KeyValidated { id, report } => {
                let line = format!(
                    "{}: {}",
                    report.name,
                    report
                        .check
                        .as_ref()
                        .map_or("not checked", |c| c.verdict.as_str())
                );
                if self.status_req == Some(id) {
                    self.status.loading = false;
                    self.status.error = None;
                    self.status.checked_at = Some(std::time::Instant::now());
                    if !report.limits.is_empty() {
                        self.limits = Some(report.limits.clone());
                    }
                    self.status.report = Some(*report);
                    self.keys.notice = Some(Notice::info(line));
                    return vec![self.load_keys()];
                }
            }
            ApiEvent::KeyValidationFailed { id, error } => {
                if self.status_req == Some(id) {
                    self.status.loading = false;
                    self.status.error = Some(error);
                }
            }
            ApiEvent::RateLimitsSeen { limits } => self.limits = Some(*limits),
            other => return self.on_api_more(other),
        }
        Vec::new()
    }

    fn on_api_more(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::KeysLoaded {
                id,
                keys,
                in_use,
                keyring,
            } => {
                if self.keys_req == Some(id) || self.keys_req.is_none() {
                    self.keys.loading = false;
                }
                self.keys.keys = keys;
                self.keys.in_use = in_use;
                self.keys.keyring = Some(keyring);
                self.keys.selected = self
                    .keys
                    .selected
                    .min(self.keys.keys.len().saturating_sub(1));
                if self.first_run && !self.keys.keys.is_empty() {
                    self.first_run = false;
                }
                let again = std::mem::take(&mut self.keys.reload_after);
                self.reload_keys(again)
            }
            ApiEvent::KeyChanged { notice, .. } => {
                self.keys.busy = false;
                // Stored: the add form (and the secret in it) goes.
                if matches!(self.keys.mode, KeysMode::Adding { .. }) {
                    self.keys.mode = KeysMode::Browse;
                }
                self.keys.notice = Some(Notice::info(notice.clone()));
                self.set_notice(Notice::info(notice));
                // The credential in use may have changed: check it and rediscover models.
                vec![self.check_status(None), self.list_models()]
            }
            ApiEvent::KeyChangeFailed { error, .. } => {
                self.keys.busy = false;
                self.keys.loading = false;
                self.keys.notice = Some(Notice::error(error.clone()));
                self.set_notice(Notice::error(error));
                Vec::new()
            }
            // Another oat process (or this one) changed the config: show the keys as they
            // are now. One reload covers a burst of file events.
            ApiEvent::ConfigChanged => self.reload_keys(true),
            e @ (ApiEvent::ConversationsListed { .. }
            | ApiEvent::ConversationOpened { .. }
            | ApiEvent::ConversationSaved { .. }
            | ApiEvent::HistoryFailed { .. }
            | ApiEvent::HistoryChanged { .. }) => self.history_event(e),
            e @ (ApiEvent::AttachmentRead { .. }
            | ApiEvent::AttachmentFailed { .. }
            | ApiEvent::FilesListed { .. }
            | ApiEvent::PathCompleted { .. }
            | ApiEvent::PasteIsFile { .. }) => self.compose_event(e),
            ApiEvent::ReplySaved { id, message } => {
                if self.chat.sent == Some(id)
                    && let Some(t) = self.chat.turns.last_mut()
                {
                    t.reply_id = Some(message);
                }
                Vec::new()
            }
            chat_event => self.chat_event(chat_event),
        }
    }
}
