//! `App::update` for terminal input: a key read as the action it is where the person is
//! (a popup, a form, the pane in front), typed text for the composer or a form, and a
//! paste. What each action then does lives with its pane's handlers.

use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::app::{App, Effect, PANES, Pane};
use crate::tui::keymap::{Action, lookup};
use crate::tui::notice::Notice;
use crate::worker::RequestKind;

impl App {
    /// A key pressed: answers an open question or overlay first, then the binding for
    /// where the person is, else text.
    pub(crate) fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind == crossterm::event::KeyEventKind::Release {
            return Vec::new();
        }
        // The next key is the next action: information has been seen. Esc acknowledges
        // warnings and errors too (and still does what Esc does).
        self.fade_notices(None);
        if key.code == KeyCode::Esc {
            self.clear_notices();
        }
        if self.help {
            self.help_key(key);
            return Vec::new();
        }
        // A question asked (quit or close with replies streaming): `y` answers yes, any
        // other key no, and does nothing else.
        let yes = key.code == KeyCode::Char('y') && key.modifiers.is_empty();
        if std::mem::take(&mut self.confirm_quit) {
            self.clear_notices();
            return self.quit(yes);
        }
        if self.pane == Pane::Chat && self.tabs.confirm_close {
            self.tabs.confirm_close = false;
            self.chat.notice = None;
            return if yes {
                self.close_tab(true)
            } else {
                Vec::new()
            };
        }
        if self.terms_notice {
            // Any key acknowledges the note; keys other than these also do what they do,
            // so the key the welcome under it names is not lost.
            self.terms_notice = false;
            let (_, ack) = self.request(RequestKind::AcknowledgeTerms);
            if matches!(key.code, KeyCode::Enter | KeyCode::Esc | KeyCode::Char(' ')) {
                return vec![ack];
            }
            let mut fx = vec![ack];
            fx.extend(self.on_key(key));
            return fx;
        }
        if self.pane == Pane::Chat && self.chat.gate.is_some() {
            return self.gate_key(key);
        }
        if self.pane == Pane::Chat
            && !self.help
            && let Some(fx) = self.chat_key_first(key)
        {
            return fx;
        }
        let context = self.context();
        match lookup(context, &key) {
            Some(action) => self.on_action(action),
            None => {
                let mut fx = self.on_text_key(key);
                if self.pane == Pane::Chat {
                    fx.extend(self.after_compose_edit());
                }
                fx
            }
        }
    }

    /// What a bound key does: the app-wide actions here, the rest by the pane in front.
    pub(crate) fn on_action(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Quit => self.quit(false),
            Action::Interrupt => {
                if self.chat.in_flight() {
                    self.stop_reply()
                } else if self.pane == Pane::Chat && !self.composer.is_empty() {
                    // A first Ctrl-C clears the draft (undo brings it back); the next quits.
                    self.composer.clear();
                    self.chat.compose.popup = None;
                    self.chat.notice = Some(Notice::info(
                        "Draft cleared: Ctrl-_ brings it back; Ctrl-C again quits.",
                    ));
                    Vec::new()
                } else {
                    self.quit(false)
                }
            }
            Action::NextPane => self.show_pane(PANES[(self.pane.index() + 1) % PANES.len()]),
            Action::PrevPane => {
                self.show_pane(PANES[(self.pane.index() + PANES.len() - 1) % PANES.len()])
            }
            Action::GoToPane(i) => self.show_pane(PANES[i.min(PANES.len() - 1)]),
            Action::ToggleHelp => {
                self.help = !self.help;
                self.help_scroll = 0;
                self.help_commands_first = false;
                Vec::new()
            }
            Action::Suspend => vec![Effect::Suspend],
            _ => match self.pane {
                Pane::Keys => self.keys_action(action),
                Pane::Status => self.status_action(action),
                Pane::Models => self.models_action(action),
                Pane::Chat => self.chat_action(action),
                Pane::History => self.history_action(action),
            },
        }
    }

    /// A key no binding took, as text or editing: for the pane in front's form, filter,
    /// search or composer.
    pub(crate) fn on_text_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        use crossterm::event::KeyModifiers;
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match self.pane {
            Pane::Keys => self.keys_text(key.code, plain),
            Pane::Models => match key.code {
                KeyCode::Char(c) if plain => {
                    self.models.filter.push(c);
                    self.models.selected = 0;
                }
                KeyCode::Backspace => {
                    self.models.filter.pop();
                    self.models.clamp();
                }
                _ => {}
            },
            Pane::Chat => match key.code {
                KeyCode::Char(c) if plain => self.composer.insert_char(c),
                KeyCode::Backspace => self.composer.backspace(),
                KeyCode::Delete => self.composer.delete(),
                KeyCode::Left => self.composer.left(),
                KeyCode::Right => self.composer.right(),
                KeyCode::Up => self.composer.up(),
                KeyCode::Down => self.composer.down(),
                KeyCode::Home => self.composer.home(),
                KeyCode::End => self.composer.end(),
                _ => {}
            },
            Pane::History => return self.history_text(key.code, plain),
            Pane::Status => {}
        }
        Vec::new()
    }

    /// A paste (bracketed), whole, where text would go; an empty one in the chat attaches
    /// the clipboard's image.
    pub(crate) fn on_paste(&mut self, text: &str) -> Vec<Effect> {
        match self.pane {
            Pane::Chat => return self.chat_paste(text),
            Pane::Keys => self.keys_paste(text),
            Pane::Models => {
                self.models.filter.push_str(text.trim());
                self.models.selected = 0;
            }
            Pane::History => {
                self.history.query.push_str(text.trim());
                return vec![self.list_conversations()];
            }
            Pane::Status => {}
        }
        Vec::new()
    }
}
