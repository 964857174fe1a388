//! `App::update` for conversations in tabs: opening, switching and closing them, and
//! routing a worker's answer to the tab that asked, which may not be on screen (a reply
//! streams on in the background; switching never pauses or cancels it). The tab on
//! screen is `App::chat`/`App::composer`; the others are swapped in to be worked on.

use crate::tui::app::{App, Effect};
use crate::tui::notice::Notice;
use crate::tui::state::chat::ChatState;
use crate::tui::state::tabs::{Marker, Tab};
use crate::worker::ApiEvent;

/// At most this many tabs: the bar must still name each at 60 columns.
pub const MAX_TABS: usize = 9;

impl App {
    /// A new conversation in a tab of its own, after this one, with this one's model and
    /// settings; it comes on screen.
    pub(crate) fn new_tab(&mut self) -> Vec<Effect> {
        if self.tabs.len() >= MAX_TABS {
            self.chat.notice = Some(Notice::warning(format!(
                "{MAX_TABS} conversations are open: close one first (/close)."
            )));
            return Vec::new();
        }
        let mut chat = ChatState::new(self.chat.model.clone());
        chat.settings = self.chat.settings.clone();
        let at = self.tabs.current + 1;
        self.tabs.list.insert(
            at,
            Tab {
                chat,
                ..Tab::default()
            },
        );
        self.switch_tab(at);
        self.chat.notice = Some(Notice::info(
            "A new conversation: F2/F3 or Alt-←/→ go between tabs, /close closes one.",
        ));
        Vec::new()
    }

    /// Puts tab `to` on screen; the one there keeps its state (and its reply streams on).
    pub(crate) fn switch_tab(&mut self, to: usize) {
        let from = self.tabs.current;
        if to == from || to >= self.tabs.len() {
            return;
        }
        std::mem::swap(&mut self.chat, &mut self.tabs.list[from].chat);
        std::mem::swap(&mut self.composer, &mut self.tabs.list[from].composer);
        std::mem::swap(&mut self.chat, &mut self.tabs.list[to].chat);
        std::mem::swap(&mut self.composer, &mut self.tabs.list[to].composer);
        self.tabs.list[to].unread = false;
        self.tabs.current = to;
        self.tabs.confirm_close = false;
        // Lines were cached for another width or theme perhaps: drawn afresh.
        *self.chat.render_cache.borrow_mut() = Default::default();
    }

    /// The next (`+1`) or previous (`-1`) tab, round the ends.
    pub(crate) fn step_tab(&mut self, by: isize) {
        let n = self.tabs.len();
        if n > 1 {
            let to = (self.tabs.current as isize + by).rem_euclid(n as isize);
            self.switch_tab(usize::try_from(to).unwrap_or(0));
        }
    }

    /// Closes the tab on screen; one whose reply streams asks first (`y` stops the reply,
    /// whose text so far is saved as stopped). The last tab stays: `/new` clears it.
    pub(crate) fn close_tab(&mut self, confirmed: bool) -> Vec<Effect> {
        if self.tabs.len() == 1 {
            self.chat.notice = Some(Notice::info(
                "The last conversation stays open: /new starts it afresh.",
            ));
            return Vec::new();
        }
        let mut fx = Vec::new();
        if self.chat.in_flight() {
            if !confirmed {
                self.tabs.confirm_close = true;
                self.chat.notice = Some(Notice::warning(
                    "Its reply is still streaming: close it anyway? y closes (what arrived is saved), any other key keeps it.",
                ));
                return Vec::new();
            }
            fx = self.stop_reply();
        }
        self.tabs.confirm_close = false;
        let gone = self.tabs.current;
        let to = if gone + 1 < self.tabs.len() {
            gone + 1
        } else {
            gone - 1
        };
        self.switch_tab(to);
        self.tabs.list.remove(gone);
        if self.tabs.current > gone {
            self.tabs.current -= 1;
        }
        fx
    }

    /// The answer to `event` for tab `i`, not on screen: the tab is swapped in for the
    /// handler, then back.
    pub(crate) fn in_tab(&mut self, i: usize, event: ApiEvent) -> Vec<Effect> {
        let here = self.tabs.current;
        std::mem::swap(&mut self.chat, &mut self.tabs.list[i].chat);
        std::mem::swap(&mut self.composer, &mut self.tabs.list[i].composer);
        self.in_background = true;
        let streaming = self.chat.in_flight();
        let marker = Marker::of(&self.chat, false);
        let notice = self.notice.clone();
        let fx = self.on_api_more(event);
        let ended = streaming && !self.chat.in_flight();
        // Nothing of it shows until the tab is chosen, unless its marker or the status
        // line changed: then no frame is owed (eight tabs streaming cost one's frames).
        self.quiet = Marker::of(&self.chat, false) == marker && self.notice == notice && !ended;
        self.in_background = false;
        std::mem::swap(&mut self.chat, &mut self.tabs.list[i].chat);
        std::mem::swap(&mut self.composer, &mut self.tabs.list[i].composer);
        debug_assert_eq!(here, self.tabs.current);
        if ended {
            self.tabs.list[i].unread = true;
        }
        fx
    }

    /// History's Enter: a conversation already open in a tab comes on screen; any other
    /// opens in this tab if it is empty, else in a new one.
    pub fn open_in_tab(&mut self, conversation: i64) -> Vec<Effect> {
        if self.chat.conversation == Some(conversation) {
            self.pane = crate::tui::app::Pane::Chat;
            return Vec::new();
        }
        if let Some(i) = self.tabs.showing(conversation) {
            self.switch_tab(i);
            self.pane = crate::tui::app::Pane::Chat;
            return Vec::new();
        }
        let (_, fx) = self.open_conversation(conversation);
        vec![fx]
    }

    /// The stored conversation arrived: into this tab if nothing is in it, else a new one.
    pub(crate) fn tab_for_opened(&mut self) {
        let empty = self.chat.turns.is_empty() && !self.chat.in_flight();
        if !empty && self.tabs.len() < MAX_TABS {
            let at = self.tabs.current + 1;
            self.tabs.list.insert(at, Tab::default());
            self.switch_tab(at);
        }
    }

    /// Quitting with replies still streaming asks first (what arrived is saved either way).
    pub(crate) fn quit(&mut self, confirmed: bool) -> Vec<Effect> {
        let streaming = self.tabs.streaming_elsewhere() + usize::from(self.chat.in_flight());
        if streaming == 0 || confirmed {
            return vec![Effect::Quit];
        }
        self.confirm_quit = true;
        let replies = if streaming == 1 {
            "A reply is".to_string()
        } else {
            format!("{streaming} replies are")
        };
        self.set_notice(Notice::warning(format!(
            "{replies} still streaming: quit anyway? y quits (what arrived is saved), any other key stays."
        )));
        Vec::new()
    }

    /// `/tab N` (from 1) or a tab's key.
    pub(crate) fn go_to_tab(&mut self, n: usize) -> Vec<Effect> {
        if n == 0 || n > self.tabs.len() {
            self.chat.notice = Some(Notice::error(format!(
                "No tab {n}: {} are open.",
                self.tabs.len()
            )));
        } else {
            self.switch_tab(n - 1);
        }
        Vec::new()
    }
}
