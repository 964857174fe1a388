//! `App::update` for the worker's events that are not a pane's own (models, status, keys,
//! config changes, the key in use changing), and the Status and Models panes' actions.
//! Pure, like the rest of `update`.

use crate::tui::app::{App, Effect, Pane};
use crate::tui::keymap::Action;
use crate::tui::notice::Notice;
use crate::tui::state::keys::KeysMode;
use crate::tui::state::load::Load;
use crate::worker::ApiEvent;

impl App {
    pub(crate) fn status_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            // With keys stored but none chosen, a check could only say "no credential
            // found": the pane says what to do instead.
            Action::Refresh
                if self.keys.in_use.is_none()
                    && self.keys.keyring.is_some()
                    && !self.keys.keys.is_empty() =>
            {
                Vec::new()
            }
            Action::Refresh => vec![self.check_status(None)],
            _ => Vec::new(),
        }
    }

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
                    self.warn_retiring(None);
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Forgets what was known about the previous key in use (its check, expiry, limits)
    /// and checks the new one, with its models; with no key in use, nothing is checked.
    fn key_in_use_changed(&mut self) -> Vec<Effect> {
        self.status.report = None;
        self.status.load = Load::Idle;
        self.status.checked_at = None;
        self.limits = None;
        if self.keys.in_use.is_some() {
            vec![self.check_status(None), self.list_models()]
        } else {
            Vec::new()
        }
    }

    pub(crate) fn on_api(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::ModelsLoaded {
                id,
                models,
                offline,
            } => {
                if self.models.load.awaits(id) {
                    self.models.load = Load::Ready;
                    self.models.models = models;
                    self.models.offline = offline;
                    self.models.clamp();
                }
            }
            ApiEvent::ModelsFailed { id, error } => {
                if self.models.load.awaits(id) {
                    self.models.load = Load::Failed(error);
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
                if self.status.load.awaits(id) {
                    self.status.load = Load::Ready;
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
                if self.status.load.awaits(id) {
                    self.status.load = Load::Failed(error);
                }
            }
            ApiEvent::RateLimitsSeen { limits } => self.limits = Some(*limits),
            // Every other event by name: a new event must be routed somewhere, or this
            // match stops compiling (no wildcard lets one vanish).
            e @ (ApiEvent::KeysLoaded { .. }
            | ApiEvent::KeyChanged { .. }
            | ApiEvent::KeyAddFailed { .. }
            | ApiEvent::KeyChangeFailed { .. }
            | ApiEvent::ConfigChanged
            | ApiEvent::ConversationsListed { .. }
            | ApiEvent::ConversationOpened { .. }
            | ApiEvent::ConversationSaved { .. }
            | ApiEvent::HistoryFailed { .. }
            | ApiEvent::HistoryChanged { .. }
            | ApiEvent::ConversationDeleted { .. }
            | ApiEvent::HistoryChangedElsewhere
            | ApiEvent::AttachmentRead { .. }
            | ApiEvent::AttachmentFailed { .. }
            | ApiEvent::ClipboardImageRead { .. }
            | ApiEvent::ClipboardFailed { .. }
            | ApiEvent::FilesListed { .. }
            | ApiEvent::PathCompleted { .. }
            | ApiEvent::PasteIsFile { .. }
            | ApiEvent::ReplySaved { .. }
            | ApiEvent::ChatDelta { .. }
            | ApiEvent::ChatBlockStopped { .. }
            | ApiEvent::ChatFinished { .. }
            | ApiEvent::ChatFailed { .. }
            | ApiEvent::ChatContinuing { .. }
            | ApiEvent::ToolAsked { .. }
            | ApiEvent::ToolTold { .. }
            | ApiEvent::ToolRound { .. }
            | ApiEvent::ChatBound { .. }
            | ApiEvent::Retrying { .. }
            | ApiEvent::TokensCounted { .. }) => return self.on_api_routed(e),
        }
        Vec::new()
    }

    /// An answer for a tab not on screen goes to that tab; the rest is handled here.
    fn on_api_routed(&mut self, e: ApiEvent) -> Vec<Effect> {
        let id = match &e {
            ApiEvent::ChatDelta { id, .. }
            | ApiEvent::ChatBlockStopped { id, .. }
            | ApiEvent::ChatFinished { id, .. }
            | ApiEvent::ChatFailed { id, .. }
            | ApiEvent::ChatContinuing { id, .. }
            | ApiEvent::Retrying { id, .. }
            | ApiEvent::TokensCounted { id, .. }
            | ApiEvent::ConversationSaved { id, .. }
            | ApiEvent::ReplySaved { id, .. }
            | ApiEvent::ToolAsked { id, .. }
            | ApiEvent::ToolTold { id, .. }
            | ApiEvent::ToolRound { id, .. }
            | ApiEvent::ChatBound { id, .. } => Some(*id),
            _ => None,
        };
        match id.and_then(|id| self.tabs.awaiting(id)) {
            Some(tab) => self.in_tab(tab, e),
            None => self.on_api_more(e),
        }
    }

    // Long by design: one arm per event, routed by name.
    pub(crate) fn on_api_more(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::KeysLoaded {
                id,
                keys,
                in_use,
                keyring,
            } => {
                // An answer to an older read is stale (a newer one is on its way); a list
                // nobody is waiting for (the worker read the file just now) is taken.
                let waiting = matches!(self.keys.load, Load::Loading(_) | Load::Refreshing(_));
                if waiting && !self.keys.load.awaits(id) {
                    return Vec::new();
                }
                self.keys.load = Load::Ready;
                let loaded_before = self.keys.keyring.is_some();
                let before = self.keys.in_use_key();
                self.keys.keys = keys;
                self.keys.in_use = in_use;
                self.keys.keyring = Some(keyring);
                let mut fx = Vec::new();
                // The key in use changed (here, or in another shell): every pane follows,
                // and nothing said about the old key stays beside the new one's name.
                if loaded_before && self.keys.in_use_key() != before {
                    fx = self.key_in_use_changed();
                }
                self.keys.selected = self
                    .keys
                    .selected
                    .min(self.keys.keys.len().saturating_sub(1));
                if self.first_run && !self.keys.keys.is_empty() {
                    self.first_run = false;
                }
                fx
            }
            ApiEvent::KeyChanged { id, notice } => {
                self.keys.change_answered(id);
                // Stored: the add form (and the secret in it) goes.
                if matches!(self.keys.mode, KeysMode::Adding { .. }) {
                    self.keys.mode = KeysMode::Browse;
                }
                self.keys.notice = Some(Notice::info(notice.clone()));
                self.set_notice(Notice::info(notice));
                // The keys are read again next (`KeysLoaded`): if the key in use changed,
                // the status check and the models follow from there.
                Vec::new()
            }
            ApiEvent::KeyAddFailed { id, error } => {
                self.keys.change_answered(id);
                let words = crate::tui::view::keys::add_failure_words(&error);
                self.keys.notice = Some(Notice::error(words.clone()));
                self.set_notice(Notice::error(words));
                Vec::new()
            }
            ApiEvent::KeyChangeFailed { id, error } => {
                self.keys.change_answered(id);
                // A load that failed says so; a failed change leaves the list as it is.
                if self.keys.load.awaits(id) {
                    self.keys.load = Load::Failed(error.clone());
                }
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
            | ApiEvent::HistoryChanged { .. }
            | ApiEvent::ConversationDeleted { .. }
            | ApiEvent::HistoryChangedElsewhere) => self.history_event(e),
            e @ (ApiEvent::AttachmentRead { .. }
            | ApiEvent::AttachmentFailed { .. }
            | ApiEvent::FilesListed { .. }
            | ApiEvent::PathCompleted { .. }
            | ApiEvent::ClipboardImageRead { .. }
            | ApiEvent::ClipboardFailed { .. }
            | ApiEvent::PasteIsFile { .. }) => self.compose_event(e),
            ApiEvent::ReplySaved { id, message } => {
                if self.chat.sent == Some(id)
                    && let Some(t) = self.chat.turns.last_mut()
                {
                    t.reply_id = Some(message);
                }
                Vec::new()
            }
            e @ (ApiEvent::ChatDelta { .. }
            | ApiEvent::ChatBlockStopped { .. }
            | ApiEvent::ChatFinished { .. }
            | ApiEvent::ChatFailed { .. }
            | ApiEvent::ChatContinuing { .. }
            | ApiEvent::Retrying { .. }
            | ApiEvent::TokensCounted { .. }) => {
                let streaming = self.chat.in_flight();
                let mut fx = self.chat_event(e);
                // It ended by itself (Esc ends it elsewhere): what follows a reply's end.
                if streaming && !self.chat.in_flight() {
                    fx.extend(self.reply_ended());
                }
                fx
            }
            e @ (ApiEvent::ToolAsked { .. }
            | ApiEvent::ToolTold { .. }
            | ApiEvent::ToolRound { .. }
            | ApiEvent::ChatBound { .. }) => self.tool_event(e),
            // Routed by `on_api` above, never here.
            ApiEvent::ModelsLoaded { .. }
            | ApiEvent::ModelsFailed { .. }
            | ApiEvent::KeyValidated { .. }
            | ApiEvent::KeyValidationFailed { .. }
            | ApiEvent::RateLimitsSeen { .. } => Vec::new(),
        }
    }
}
