//! `App::update` while the help overlay is open: it scrolls, and any other key closes it.
//! Pure, like the rest of `update`.

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::app::App;

impl App {
    /// Keys while the help overlay is open: the arrows, PgUp/PgDn, Home/End, j/k and
    /// Space scroll it; any other key closes it.
    pub(crate) fn help_key(&mut self, key: KeyEvent) {
        let page = usize::from(self.size.1.saturating_sub(6)).max(1);
        let max = crate::tui::view::help::max_scroll(self);
        let s = self.help_scroll.min(max);
        self.help_scroll = match key.code {
            KeyCode::Down | KeyCode::Char('j') => s + 1,
            KeyCode::Up | KeyCode::Char('k') => s.saturating_sub(1),
            KeyCode::PageDown | KeyCode::Char(' ') => s + page,
            KeyCode::PageUp => s.saturating_sub(page),
            KeyCode::Home => 0,
            KeyCode::End => max,
            _ => {
                self.help = false;
                0
            }
        }
        .min(max);
    }
}
