//! The History pane: saved conversations (newest first, or search matches), the search
//! typed so far, the selection, and removal confirmation.

use crate::worker::ConversationRow;

#[derive(Debug, Default)]
pub struct HistoryState {
    pub items: Vec<ConversationRow>,
    pub query: String,
    pub selected: usize,
    /// The list awaited, by request.
    pub load: super::load::Load,
    /// Set when history cannot be used (a broken database): the app goes on without it.
    pub error: Option<String>,
    pub confirm_delete: bool,
    /// The conversation asked to open, by request: the newest wins, so pressing Enter on
    /// one and then another opens the second even if the first answers last.
    pub opening: Option<crate::worker::RequestId>,
}

impl HistoryState {
    pub fn selected_item(&self) -> Option<&ConversationRow> {
        self.items.get(self.selected)
    }

    pub fn clamp(&mut self) {
        self.selected = self.selected.min(self.items.len().saturating_sub(1));
    }
}
