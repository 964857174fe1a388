//! The notices' lifetimes: where they are, which fades next, and what clears them. Pure:
//! the event loop tells the app when a notice's time is up (`Msg::NoticeFaded`).

use crate::tui::app::App;
use crate::tui::notice::Notice;

impl App {
    /// The status line's notice.
    pub fn set_notice(&mut self, notice: Notice) {
        self.notice = Some(notice);
    }

    /// Every notice on screen, wherever it shows.
    fn notices_mut(&mut self) -> [&mut Option<Notice>; 3] {
        [
            &mut self.notice,
            &mut self.chat.notice,
            &mut self.keys.notice,
        ]
    }

    /// The newest notice that fades, for the event loop to time; `None`: nothing fades.
    pub fn fading(&self) -> Option<u64> {
        [&self.notice, &self.chat.notice, &self.keys.notice]
            .into_iter()
            .flatten()
            .filter(|n| n.fades())
            .map(|n| n.id)
            .max()
    }

    /// Drops the notices that fade and are no newer than `upto` (`None`: all of them).
    pub(crate) fn fade_notices(&mut self, upto: Option<u64>) {
        for n in self.notices_mut() {
            if n.as_ref()
                .is_some_and(|n| n.fades() && upto.is_none_or(|u| n.id <= u))
            {
                *n = None;
            }
        }
    }

    /// Drops every notice: a new conversation, model or resume starts clean.
    pub(crate) fn clear_notices(&mut self) {
        for n in self.notices_mut() {
            *n = None;
        }
    }
}
