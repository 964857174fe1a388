//! The conversations open as tabs. The one on screen lives in `App::chat` and
//! `App::composer`, where every handler already works; the others wait here, each with
//! its own chat (turns, model, settings, files, scroll, select mode, meter, cost) and
//! draft, and swap in when chosen. While one is on screen its slot holds a placeholder.

use super::chat::{ChatState, ReplyState};
use super::composer::Composer;

#[derive(Debug)]
pub struct Tab {
    pub chat: ChatState,
    pub composer: Composer,
    /// Its reply ended while another tab was on screen: not yet seen.
    pub unread: bool,
}

impl Default for Tab {
    fn default() -> Self {
        Self {
            chat: ChatState::default(),
            // Not `Composer::default()`: a composer always holds one (empty) line.
            composer: Composer::new(),
            unread: false,
        }
    }
}

#[derive(Debug)]
pub struct Tabs {
    /// Every tab in order; `list[current]` is the placeholder of the one on screen.
    pub list: Vec<Tab>,
    pub current: usize,
    /// Closing this tab was asked for while its reply streams: `y` confirms.
    pub confirm_close: bool,
}

impl Default for Tabs {
    fn default() -> Self {
        Self {
            list: vec![Tab::default()],
            current: 0,
            confirm_close: false,
        }
    }
}

/// What the tab bar shows beside a tab's name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    Streaming,
    /// Finished while elsewhere, not looked at yet.
    Unread,
    Failed,
    Declined,
    Quiet,
}

impl Marker {
    pub fn of(chat: &ChatState, unread: bool) -> Self {
        if chat.in_flight() {
            return Self::Streaming;
        }
        match chat.turns.last().map(|t| &t.state) {
            Some(ReplyState::Failed(_)) => Self::Failed,
            Some(ReplyState::Declined { .. }) => Self::Declined,
            _ if unread => Self::Unread,
            _ => Self::Quiet,
        }
    }
}

impl Tabs {
    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The tab (not on screen) whose chat awaits the answer to request `id`: its reply,
    /// its prompt's saving, its token count.
    pub fn awaiting(&self, id: crate::worker::RequestId) -> Option<usize> {
        self.list.iter().enumerate().find_map(|(i, t)| {
            let c = &t.chat;
            let waits = c.streaming == Some(id)
                || c.sent == Some(id)
                || c.count_req.as_ref().is_some_and(|(r, _)| *r == id);
            (i != self.current && waits).then_some(i)
        })
    }

    /// The tab showing saved conversation `conversation`, if one does.
    pub fn showing(&self, conversation: i64) -> Option<usize> {
        self.list
            .iter()
            .position(|t| t.chat.conversation == Some(conversation))
    }

    /// How many tabs not on screen have a reply streaming.
    pub fn streaming_elsewhere(&self) -> usize {
        self.list
            .iter()
            .enumerate()
            .filter(|(i, t)| *i != self.current && t.chat.in_flight())
            .count()
    }
}
