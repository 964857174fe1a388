//! `App::update` for what the composer does besides typing: attaching files (`/attach`
//! with Tab completion, the `@` popup, a pasted path), the chips, and handing the text to
//! `$EDITOR`. Pure, like the rest of `update`: files are read by the worker.

use crate::tui::notice::Notice;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::attach::Attachment;
use crate::tui::app::{App, Effect, Pane};
use crate::tui::state::chat::compose::{FilePopup, at_token};
use crate::worker::{ApiEvent, RequestKind};

impl App {
    /// Keys the chat takes before the keymap: select mode, chip focus, the popups, and
    /// Tab (a pasted path on offer, `/attach` completion). `None`: not taken.
    pub(crate) fn chat_key_first(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        if let Some(fx) = self.approval_key(key) {
            return Some(fx);
        }
        if self.chat.selected.is_some() {
            return Some(self.select_key(key));
        }
        let tab = key.code == KeyCode::Tab && key.modifiers == KeyModifiers::NONE;
        if tab && let Some((text, path)) = self.chat.compose.paste_offer.take() {
            let now = self.composer.text();
            if let Some(at) = now.rfind(&text) {
                let mut kept = now.clone();
                kept.replace_range(at..at + text.len(), "");
                self.composer.set_text(&kept);
            }
            return Some(self.attach_path(path.to_string_lossy().to_string()));
        }
        self.chat.compose.paste_offer = None;
        if let Some(fx) = self.slash_key(key) {
            return Some(fx);
        }
        if let Some(fx) = self.popup_key(key) {
            return Some(fx);
        }
        if let Some(i) = self.chat.compose.chip_focus {
            match key.code {
                KeyCode::Left => self.chat.compose.chip_focus = Some(i.saturating_sub(1)),
                KeyCode::Right if i + 1 < self.chat.attached.len() => {
                    self.chat.compose.chip_focus = Some(i + 1);
                }
                KeyCode::Right | KeyCode::Esc | KeyCode::Down => {
                    self.chat.compose.chip_focus = None
                }
                KeyCode::Char('x') | KeyCode::Delete => self.remove_chip(i),
                // The chip line says `x` removes it.
                KeyCode::Backspace => {}
                _ => {
                    self.chat.compose.chip_focus = None;
                    return None;
                }
            }
            return Some(Vec::new());
        }
        // On an empty composer ↑ takes a queued prompt back to edit.
        if self.composer.is_empty()
            && key.code == KeyCode::Up
            && key.modifiers == KeyModifiers::NONE
            && self.take_back_queued()
        {
            return Some(Vec::new());
        }
        // On an empty composer ← and Backspace pick the last chip; only `x` removes it, so
        // a Backspace too many never drops a file unseen.
        if self.composer.is_empty()
            && !self.chat.attached.is_empty()
            && matches!(key.code, KeyCode::Left | KeyCode::Backspace)
            && key.modifiers == KeyModifiers::NONE
        {
            self.chat.compose.chip_focus = Some(self.chat.attached.len() - 1);
            return Some(Vec::new());
        }
        if tab && let Some(partial) = self.composer.text().strip_prefix("/attach ") {
            let (id, fx) = self.request(RequestKind::CompletePath {
                partial: partial.to_string(),
            });
            self.chat.compose.complete_req = Some(id);
            return Some(vec![fx]);
        }
        None
    }

    fn remove_chip(&mut self, i: usize) {
        if i < self.chat.attached.len() {
            let gone = self.chat.attached.remove(i);
            self.chat.notice = Some(Notice::info(format!(
                "Removed {} (attach it again with @ or /attach).",
                gone.file_name()
            )));
            self.chat.counted = None;
        }
        self.chat.compose.chip_focus = match self.chat.attached.len() {
            0 => None,
            n => Some(i.min(n - 1)),
        };
    }

    /// Up, Down, Tab, Enter and Esc while the `@` popup is open.
    fn popup_key(&mut self, key: KeyEvent) -> Option<Vec<Effect>> {
        let popup = self.chat.compose.popup.as_mut()?;
        match key.code {
            KeyCode::Up => popup.selected = popup.selected.saturating_sub(1),
            KeyCode::Down => {
                popup.selected = (popup.selected + 1).min(popup.matches.len().saturating_sub(1));
            }
            KeyCode::Esc => self.chat.compose.popup = None,
            KeyCode::Tab | KeyCode::Enter => {
                let chosen = popup.matches.get(popup.selected).cloned();
                self.chat.compose.popup = None;
                let Some(path) = chosen else {
                    return Some(Vec::new());
                };
                // The `@word` leaves the text; the file becomes a chip.
                let (row, col) = self.composer.cursor();
                let line = self.composer.lines()[row].clone();
                if let Some((start, _)) = at_token(&line, col) {
                    let end = line.char_indices().nth(col).map_or(line.len(), |(i, _)| i);
                    let mut lines = self.composer.lines().to_vec();
                    lines[row].replace_range(start..end, "");
                    self.composer.set_text(&lines.join("\n"));
                }
                return Some(self.attach_path(path));
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// After the text changed: open, narrow or close the `@` popup.
    pub(crate) fn after_compose_edit(&mut self) -> Vec<Effect> {
        let text = self.composer.text();
        if self.chat.compose.slash_dismissed.as_ref() != Some(&text) {
            self.chat.compose.slash_dismissed = None;
        }
        self.chat.compose.slash_selected = 0;
        let (row, col) = self.composer.cursor();
        let token = self
            .composer
            .lines()
            .get(row)
            .and_then(|l| at_token(l, col));
        let Some((_, query)) = token else {
            self.chat.compose.popup = None;
            return Vec::new();
        };
        let matches = self
            .chat
            .compose
            .files
            .as_deref()
            .map(|f| FilePopup::filter(&query, f))
            .unwrap_or_default();
        let selected = self
            .chat
            .compose
            .popup
            .as_ref()
            .filter(|p| p.query == query)
            .map_or(0, |p| p.selected);
        self.chat.compose.popup = Some(FilePopup {
            query,
            matches,
            selected,
        });
        if self.chat.compose.files.is_none() && self.chat.compose.files_req.is_none() {
            let (id, fx) = self.request(RequestKind::ListFiles);
            self.chat.compose.files_req = Some(id);
            return vec![fx];
        }
        Vec::new()
    }

    pub(crate) fn attach_path(&mut self, path: String) -> Vec<Effect> {
        let path = crate::worker::expand_home(path.trim());
        self.chat.notice = Some(Notice::info(format!("Reading {path}…")));
        let (id, fx) = self.request(RequestKind::ReadAttachment { path: path.into() });
        self.chat.compose.reading.push(id);
        vec![fx]
    }

    /// Ctrl-V (or an empty paste, which some terminals send when the clipboard holds an
    /// image): the worker reads the clipboard; the image comes back as a file would.
    pub(crate) fn paste_image(&mut self) -> Vec<Effect> {
        self.chat.notice = Some(Notice::info("Reading the clipboard…"));
        let (id, fx) = self.request(RequestKind::ReadClipboardImage);
        self.chat.compose.reading.push(id);
        vec![fx]
    }

    /// A paste in the chat: kept as text; if it names a file, the worker says so and the
    /// app offers to attach it. An empty one tries the clipboard's image.
    pub(crate) fn chat_paste(&mut self, text: &str) -> Vec<Effect> {
        if text.is_empty() {
            return self.paste_image();
        }
        self.composer.insert_str(text);
        let one_line = !text.trim().is_empty() && !text.trim().contains('\n');
        if one_line && text.len() < 4096 {
            let (_, fx) = self.request(RequestKind::CheckPaste {
                text: text.to_string(),
            });
            return vec![fx];
        }
        Vec::new()
    }

    /// The text back from the editor (`None`: it failed, and the notice says why).
    pub(crate) fn edited(&mut self, result: Result<String, String>) {
        match result {
            Ok(text) => {
                self.composer.set_text(&text);
                self.chat.notice = Some(Notice::info("Back from the editor: Enter sends."));
            }
            Err(e) => self.chat.notice = Some(Notice::error(format!("The editor failed: {e}"))),
        }
    }

    pub(crate) fn compose_event(&mut self, event: ApiEvent) -> Vec<Effect> {
        match event {
            ApiEvent::AttachmentRead { id, file } if self.chat.compose.reading.contains(&id) => {
                self.chat.compose.reading.retain(|r| *r != id);
                return self.add_chip(*file);
            }
            ApiEvent::AttachmentFailed { id, error } if self.chat.compose.reading.contains(&id) => {
                self.chat.compose.reading.retain(|r| *r != id);
                self.chat.notice = Some(Notice::error(format!("Not attached: {error}")));
            }
            ApiEvent::ClipboardImageRead { id, file }
                if self.chat.compose.reading.contains(&id) =>
            {
                self.chat.compose.reading.retain(|r| *r != id);
                return self.add_chip(*file);
            }
            ApiEvent::ClipboardFailed { id, error } if self.chat.compose.reading.contains(&id) => {
                self.chat.compose.reading.retain(|r| *r != id);
                let line = error.to_string();
                let mut first = line.chars();
                let capital: String = first
                    .next()
                    .map(|c| c.to_uppercase().collect())
                    .unwrap_or_default();
                self.chat.notice = Some(Notice::error(format!(
                    "Nothing attached: {capital}{}.",
                    first.as_str()
                )));
            }
            ApiEvent::FilesListed { id, files } if self.chat.compose.files_req == Some(id) => {
                self.chat.compose.files_req = None;
                self.chat.compose.files = Some(files);
                return self.after_compose_edit();
            }
            ApiEvent::PathCompleted {
                id,
                partial,
                completion,
                candidates,
            } if self.chat.compose.complete_req == Some(id) => {
                self.chat.compose.complete_req = None;
                // Only if nothing was typed meanwhile.
                if self.composer.text() != format!("/attach {partial}") {
                    return Vec::new();
                }
                match completion {
                    Some(c) => {
                        self.composer.set_text(&format!("/attach {c}"));
                        self.chat.notice = (candidates.len() > 1)
                            .then(|| {
                                let mut shown: Vec<&str> =
                                    candidates.iter().take(12).map(String::as_str).collect();
                                if candidates.len() > 12 {
                                    shown.push("…");
                                }
                                shown.join("  ")
                            })
                            .map(Notice::info);
                    }
                    None => {
                        self.chat.notice = Some(Notice::error(format!("No file matches {partial}")))
                    }
                }
            }
            ApiEvent::PasteIsFile { text, path, .. }
                if self.pane == Pane::Chat && self.composer.text().contains(&text) =>
            {
                self.chat.notice = Some(Notice::info(format!(
                    "That is a file: Tab attaches {} instead of the text.",
                    path.display()
                )));
                self.chat.compose.paste_offer = Some((text, path));
            }
            _ => {}
        }
        Vec::new()
    }

    fn add_chip(&mut self, file: Attachment) -> Vec<Effect> {
        if let Some(m) = self.chat_model()
            && let Err(e) =
                crate::attach::check_model(std::slice::from_ref(&file), &m.id, &m.capabilities)
        {
            self.chat.notice = Some(Notice::error(format!("Not attached: {e}")));
            return Vec::new();
        }
        // The per-request limits (an image over 5 MB as base64, too many images, pages)
        // refuse a file now, as the worker refuses a binary one, not only at send time.
        let mut all: Vec<&Attachment> = self.chat.attached.iter().collect();
        all.push(&file);
        if let Err(e) = crate::attach::limits::check(&all, self.context_limit(), 0) {
            self.chat.notice = Some(Notice::error(format!("Not attached: {e}")));
            return Vec::new();
        }
        if self.chat.attached.iter().any(|a| a.sha256 == file.sha256) {
            self.chat.notice = Some(Notice::info(format!(
                "{} is attached already.",
                file.file_name()
            )));
            return Vec::new();
        }
        self.chat.notice = Some(Notice::info(format!(
            "Attached {} (← then x removes it).",
            file.chip()
        )));
        self.chat.counted = None;
        let fx = self.picture_for(&file);
        self.chat.attached.push(file);
        fx
    }

    /// Asks for a file's picture to be made, once, if the terminal draws pictures.
    pub(crate) fn picture_for(&mut self, file: &Attachment) -> Vec<Effect> {
        if file.kind != crate::attach::Kind::Image
            || !self.pictures.enabled
            || !self.pictures.asked.insert(file.sha256.clone())
        {
            return Vec::new();
        }
        vec![Effect::Picture(file.clone())]
    }
}
