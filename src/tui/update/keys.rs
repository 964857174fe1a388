//! `App::update` for the Keys pane: browsing, the add and rename forms, removal with
//! confirmation. The secret typed into the add form stays (masked) only until the worker
//! has stored it.

use crate::tui::notice::Notice;
use crossterm::event::KeyCode;

use crate::config::Backend;
use crate::credentials::Secret;
use crate::tui::app::{App, Effect};
use crate::tui::keymap::Action;
use crate::tui::state::keys::{AddField, KeysMode};
use crate::worker::RequestKind;

impl App {
    // Long by design: one arm per (mode, action) of the Keys pane, so every combination is seen at once.
    pub(crate) fn keys_action(&mut self, action: Action) -> Vec<Effect> {
        let mode = std::mem::take(&mut self.keys.mode);
        match (mode, action) {
            (KeysMode::Browse, Action::AddKey) => {
                self.keys.mode = KeysMode::Adding {
                    secret: Secret::default(),
                    name: String::new(),
                    field: AddField::Secret,
                };
                self.keys.notice = None;
            }
            (KeysMode::Browse, Action::RenameKey) => {
                if let Some(k) = self
                    .keys
                    .selected_key()
                    .filter(|k| k.entry.meta.backend != Backend::Env)
                {
                    self.keys.mode = KeysMode::Renaming {
                        input: k.entry.meta.name.clone(),
                    };
                } else {
                    self.keys.notice = Some(Notice::error("Environment keys are read-only."));
                }
            }
            (KeysMode::Browse, Action::RemoveKey) => {
                if self
                    .keys
                    .selected_key()
                    .is_some_and(|k| k.entry.meta.backend != Backend::Env)
                {
                    self.keys.mode = KeysMode::ConfirmRemove;
                } else if self.keys.selected_key().is_some() {
                    self.keys.notice = Some(Notice::error("Environment keys are read-only."));
                }
            }
            (KeysMode::Browse, Action::UseKey) => {
                if let Some(name) = self.keys.selected_key().map(|k| k.entry.meta.name.clone()) {
                    let (_, fx) = self.change_key(RequestKind::UseKey { name });
                    return vec![fx];
                }
            }
            (KeysMode::Browse, Action::Refresh) => {
                let name = self.keys.selected_key().map(|k| k.entry.meta.name.clone());
                self.keys.notice = name
                    .as_ref()
                    .map(|n| Notice::info(format!("Checking {n}…")));
                return vec![self.check_status(name)];
            }
            (KeysMode::Browse, Action::Up) => self.keys.select_prev(),
            (KeysMode::Browse, Action::Down) => self.keys.select_next(),
            (KeysMode::Adding { secret, name, .. }, Action::Confirm | Action::StoreInFile) => {
                if secret.is_blank() {
                    self.keys.notice = Some(Notice::error("Paste a key or token first."));
                    self.keys.mode = KeysMode::Adding {
                        secret,
                        name,
                        field: AddField::Secret,
                    };
                    return Vec::new();
                }
                if self.keys.changing() {
                    self.keys.mode = KeysMode::Adding {
                        secret,
                        name,
                        field: AddField::Secret,
                    };
                    return Vec::new();
                }
                let backend = (action == Action::StoreInFile).then_some(Backend::File);
                self.keys.notice = Some(Notice::info("Checking it with Anthropic…"));
                let request = RequestKind::AddKey {
                    name: (!name.trim().is_empty()).then(|| name.trim().to_string()),
                    secret: secret.clone(),
                    backend,
                };
                // The form stays open until the key is stored, so a refusal (no keyring
                // here, say) can be answered without pasting again; it closes on success.
                self.keys.mode = KeysMode::Adding {
                    secret,
                    name,
                    field: AddField::Secret,
                };
                let (_, fx) = self.change_key(request);
                return vec![fx];
            }
            (
                KeysMode::Adding {
                    secret,
                    name,
                    field,
                },
                Action::Down,
            ) => {
                let field = match field {
                    AddField::Secret => AddField::Name,
                    AddField::Name => AddField::Secret,
                };
                self.keys.mode = KeysMode::Adding {
                    secret,
                    name,
                    field,
                };
            }
            (KeysMode::Renaming { input }, Action::Confirm) => {
                if let Some(old) = self.keys.selected_key().map(|k| k.entry.meta.name.clone())
                    && old != input.trim()
                    && !input.trim().is_empty()
                {
                    let (_, fx) = self.change_key(RequestKind::RenameKey {
                        old,
                        new: input.trim().into(),
                    });
                    return vec![fx];
                }
            }
            (KeysMode::ConfirmRemove, Action::Confirm) => {
                if let Some(name) = self.keys.selected_key().map(|k| k.entry.meta.name.clone()) {
                    let (_, fx) = self.change_key(RequestKind::RemoveKey { name });
                    return vec![fx];
                }
            }
            (
                KeysMode::Adding { .. } | KeysMode::Renaming { .. } | KeysMode::ConfirmRemove,
                Action::Cancel,
            ) => {}
            (mode, _) => self.keys.mode = mode,
        }
        Vec::new()
    }

    pub(crate) fn keys_text(&mut self, code: KeyCode, plain: bool) {
        let target = match &mut self.keys.mode {
            KeysMode::Adding {
                secret,
                field: AddField::Secret,
                ..
            } => {
                match code {
                    KeyCode::Char(c) if plain => secret.push(c),
                    KeyCode::Backspace => secret.pop(),
                    _ => {}
                }
                return;
            }
            KeysMode::Adding {
                name,
                field: AddField::Name,
                ..
            } => name,
            KeysMode::Renaming { input } => input,
            _ => return,
        };
        match code {
            KeyCode::Char(c) if plain => target.push(c),
            KeyCode::Backspace => {
                target.pop();
            }
            _ => {}
        }
    }

    pub(crate) fn keys_paste(&mut self, text: &str) {
        match &mut self.keys.mode {
            // A pasted token keeps its line wraps here; the worker repairs the paste.
            KeysMode::Adding {
                secret,
                field: AddField::Secret,
                ..
            } => secret.push_str(text),
            KeysMode::Adding {
                name,
                field: AddField::Name,
                ..
            } => name.push_str(text.trim()),
            KeysMode::Renaming { input } => input.push_str(text.trim()),
            KeysMode::Browse => {
                // Pasting a token straight onto the pane starts adding it.
                if text.trim_start().starts_with("sk-ant-") {
                    self.keys.mode = KeysMode::Adding {
                        secret: Secret::new(text),
                        name: String::new(),
                        field: AddField::Secret,
                    };
                }
            }
            KeysMode::ConfirmRemove => {}
        }
    }

    /// Sends a change of the keys, awaited by its id until the worker answers.
    fn change_key(&mut self, kind: RequestKind) -> (crate::worker::RequestId, Effect) {
        let (id, fx) = self.request(kind);
        self.keys.change = Some(id);
        (id, fx)
    }
}
