//! `App::update` for the `/commands`: the `/` popup that lists and completes them, and
//! what each does once sent. Pure, like the rest of `update`.

use crate::tui::notice::Notice;
use crossterm::event::{KeyCode, KeyEvent};

use crate::tui::app::{App, Effect, Pane};
use crate::tui::state::chat::{CommandInfo, SlashCommand, matching_commands, typed_command};
use crate::worker::RequestKind;

impl App {
    /// The commands the `/` popup shows now, or `None` when it is closed: it is open while
    /// the composer holds only a `/word` that starts a command's name.
    pub fn slash_popup(&self) -> Option<Vec<&'static CommandInfo>> {
        if self.pane != Pane::Chat || self.chat.selected.is_some() {
            return None;
        }
        let text = self.composer.text();
        let typed = typed_command(&text)?;
        if self.chat.compose.slash_dismissed.as_deref() == Some(text.as_str()) {
            return None;
        }
        let found = matching_commands(typed);
        (!found.is_empty()).then_some(found)
    }

    /// Up, Down, Tab, Enter and Esc while the `/` popup is open. Enter on a command typed
    /// out in full is not taken: it sends it.
    pub(crate) fn slash_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let found = self.slash_popup()?;
        let n = found.len();
        let selected = self.chat.compose.slash_selected.min(n - 1);
        match key.code {
            KeyCode::Up => self.chat.compose.slash_selected = selected.saturating_sub(1),
            KeyCode::Down => self.chat.compose.slash_selected = (selected + 1).min(n - 1),
            KeyCode::Esc => self.chat.compose.slash_dismissed = Some(self.composer.text()),
            KeyCode::Tab | KeyCode::Enter => {
                let c = found[selected];
                let whole = format!("/{}", c.name);
                // A command typed out whole runs on Enter, unless it needs an argument.
                let needs_arg = !c.args.is_empty() && !c.args.starts_with('[');
                if key.code == KeyCode::Enter && self.composer.text() == whole && !needs_arg {
                    return None;
                }
                let completed = if c.args.is_empty() {
                    whole
                } else {
                    format!("{whole} ")
                };
                self.composer.set_text(&completed);
                self.chat.compose.slash_selected = 0;
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// `/model`: with no id, says which model is in use and opens the list; with one,
    /// takes it if the Models pane knows it, else says so and keeps the model.
    fn slash_model(&mut self, id: Option<String>) -> Vec<Effect> {
        let Some(id) = id else {
            let name = self
                .chat_model()
                .map_or(String::new(), |m| format!(" ({})", m.display_name));
            self.clear_notices();
            self.set_notice(Notice::info(format!(
                "The chat uses {}{name}. Enter picks another; Alt-4 goes back.",
                self.chat.model
            )));
            self.models.filter.clear();
            self.models.selected = self
                .models
                .filtered()
                .iter()
                .position(|m| m.id == self.chat.model)
                .unwrap_or(0);
            self.pane = Pane::Models;
            return Vec::new();
        };
        let known = self.models.find(&id).is_some();
        let listed = !self.models.models.is_empty();
        let taken = known || !listed;
        let note = if taken {
            self.chat.model = id.clone();
            self.clear_notices();
            if known {
                Notice::info(format!("model: {id}"))
            } else {
                Notice::warning(format!(
                    "model: {id} (the model list has not loaded, so it is unchecked)"
                ))
            }
        } else {
            let close: Vec<&str> = self
                .models
                .models
                .iter()
                .map(|m| m.id.as_str())
                .filter(|m| id.split('-').filter(|w| w.len() > 2).any(|w| m.contains(w)))
                .take(3)
                .collect();
            let hint = if close.is_empty() {
                "/model alone lists them".to_string()
            } else {
                format!("perhaps {}", close.join(", "))
            };
            Notice::error(format!(
                "No model {id} in the Models pane's list; still using {} ({hint}).",
                self.chat.model
            ))
        };
        self.chat.notice = Some(note);
        if taken {
            self.warn_retiring(None);
        }
        Vec::new()
    }

    pub(crate) fn apply_slash(&mut self, cmd: SlashCommand) -> Vec<Effect> {
        let s = &mut self.chat.settings;
        if let Some(said) = cmd.apply_setting(s) {
            self.chat.notice = Some(Notice::info(said));
            return Vec::new();
        }
        let notice = match cmd {
            SlashCommand::Model(id) => return self.slash_model(id),
            SlashCommand::Tools(on) => {
                s.tools = Some(on);
                return self.tools_switched(on);
            }
            SlashCommand::Title(title) => match self.chat.conversation {
                Some(id) => {
                    let (_, fx) = self.request(RequestKind::RenameConversation { id, title });
                    self.chat.notice = Some(Notice::info("Renaming…"));
                    return vec![fx];
                }
                None => "Send a first prompt, then name the conversation.".to_string(),
            },
            SlashCommand::Attach(path) => return self.attach_path(path),
            SlashCommand::New => {
                if self.chat.in_flight() {
                    "Stop the reply first (Esc).".to_string()
                } else {
                    self.chat.reset();
                    self.clear_notices();
                    "New conversation.".to_string()
                }
            }
            SlashCommand::Retry => return self.regenerate_at(None),
            SlashCommand::Usage => self.chat.usage_report(),
            SlashCommand::Tab(None) => return self.new_tab(),
            SlashCommand::Tab(Some(n)) => return self.go_to_tab(n),
            SlashCommand::Close => return self.close_tab(false),
            SlashCommand::Help => {
                self.help = true;
                self.help_scroll = 0;
                self.help_commands_first = true;
                return Vec::new();
            }
            // Applied above.
            SlashCommand::System(_)
            | SlashCommand::MaxTokens(_)
            | SlashCommand::Temperature(_)
            | SlashCommand::Thinking(_)
            | SlashCommand::Effort(_)
            | SlashCommand::Web(_) => return Vec::new(),
        };
        self.chat.notice = Some(Notice::info(notice));
        Vec::new()
    }
}
