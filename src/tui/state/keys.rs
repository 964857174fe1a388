//! The Keys pane: the listed keys, the selection, and the small forms for adding,
//! renaming and confirming removal. Secrets typed here live only in the add form until
//! they are handed to the worker.

use crate::worker::KeyView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddField {
    #[default]
    Secret,
    Name,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum KeysMode {
    #[default]
    Browse,
    /// Adding: the pasted secret (shown masked) and an optional name.
    Adding {
        secret: crate::credentials::Secret,
        name: String,
        field: AddField,
    },
    Renaming {
        input: String,
    },
    ConfirmRemove,
}

#[derive(Debug, Default)]
pub struct KeysState {
    pub keys: Vec<KeyView>,
    pub in_use: Option<String>,
    pub selected: usize,
    pub mode: KeysMode,
    /// The list read from the config (and keyring) awaited, by request: the newest
    /// wins, so a change made while a load runs simply asks again.
    pub load: super::load::Load,
    /// The last outcome to show: (text, is_error).
    pub notice: Option<crate::tui::notice::Notice>,
    pub keyring: Option<Result<(), String>>,
    /// The add, rename, removal or choice of a key that is with the worker, by request:
    /// another waits until its answer comes (the same staleness rule as `load`).
    pub change: Option<crate::worker::RequestId>,
}

impl KeysState {
    /// Whether a change is with the worker (the form waits; the spinner turns).
    pub fn changing(&self) -> bool {
        self.change.is_some()
    }

    /// The answer to change `id` came: the pane stops waiting if it was the one awaited.
    pub fn change_answered(&mut self, id: crate::worker::RequestId) {
        if self.change == Some(id) {
            self.change = None;
        }
    }

    /// The key requests use now, as the list shows it.
    pub fn in_use_view(&self) -> Option<&KeyView> {
        let name = self.in_use.as_deref()?;
        self.keys.iter().find(|k| k.entry.meta.name == name)
    }

    /// What tells one key in use from another: its name and its masked secret (a key
    /// removed and added again under the same name is another key).
    pub fn in_use_key(&self) -> Option<(String, String)> {
        let name = self.in_use.clone()?;
        let masked = self
            .in_use_view()
            .map(|k| k.masked.clone())
            .unwrap_or_default();
        Some((name, masked))
    }

    pub fn selected_key(&self) -> Option<&KeyView> {
        self.keys.get(self.selected)
    }

    pub fn select_next(&mut self) {
        if !self.keys.is_empty() {
            self.selected = (self.selected + 1).min(self.keys.len() - 1);
        }
    }

    pub fn select_prev(&mut self) {
        self.selected = self.selected.saturating_sub(1);
    }
}
