//! Pictures of attached images, for terminals that draw them (kitty, iTerm2, sixel): made
//! once per file off the UI thread — decoded, scaled to the box they are shown in and
//! encoded for the terminal's protocol — and then drawn from this cache every frame. A
//! cache, not state: without it every image shows as a chip.

use std::collections::{HashMap, HashSet};

use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;

use super::probe::Answers;
use crate::attach::Attachment;

/// A picture is at most this many cells: big enough to recognise, small enough to keep
/// the conversation readable.
pub const COLUMNS: u16 = 48;
pub const ROWS: u16 = 12;

#[derive(Default)]
pub struct Pictures {
    /// The terminal draws pictures (and the config did not turn them off).
    pub enabled: bool,
    /// Files a picture was asked for (made or being made).
    pub asked: HashSet<String>,
    /// Ready pictures by the file's SHA-256.
    pub ready: HashMap<String, Picture>,
}

/// One encoded picture, ready to draw.
pub struct Picture(pub Protocol);

impl std::fmt::Debug for Picture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Picture({:?})", self.0.size())
    }
}

impl std::fmt::Debug for Pictures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pictures")
            .field("enabled", &self.enabled)
            .field("ready", &self.ready.len())
            .finish()
    }
}

impl Pictures {
    /// The rows a ready picture takes in the transcript.
    pub fn rows(&self, sha: &str) -> Option<u16> {
        self.ready.get(sha).map(|p| p.0.size().height)
    }
}

/// Whether the environment names a terminal known to draw pictures. Asking any other
/// terminal costs the whole query timeout when it does not answer every part (tmux and
/// plain xterm do not): 400 ms on every start, for nothing.
fn likely_graphics(var: impl Fn(&str) -> Option<String>) -> bool {
    let term = var("TERM").unwrap_or_default();
    let program = var("TERM_PROGRAM").unwrap_or_default();
    [
        "kitty", "ghostty", "wezterm", "foot", "mlterm", "contour", "konsole",
    ]
    .iter()
    .any(|t| term.contains(t))
        || ["iTerm.app", "WezTerm", "ghostty", "WarpTerminal", "rio"].contains(&program.as_str())
        || [
            "KITTY_WINDOW_ID",
            "WEZTERM_EXECUTABLE",
            "ITERM_SESSION_ID",
            "KONSOLE_VERSION",
        ]
        .iter()
        .any(|v| var(v).is_some_and(|s| !s.is_empty()))
}

/// Asks the terminal what it can draw. Must run after `terminal::enter` (raw mode on)
/// and before the input reader starts: the answers are read here, not as keys.
/// `None` when it draws no pictures properly: chips are shown then.
/// `choice` is the config's `images`: `false` never asks, `true` always asks; unset asks
/// only a terminal the environment names as one that draws pictures, and never inside
/// tmux (the query turns on tmux's `allow-passthrough` for the pane).
pub fn detect(choice: Option<bool>) -> Option<Picker> {
    let var = |k: &str| std::env::var(k).ok();
    let ask = match choice {
        Some(c) => c,
        None => var("TMUX").is_none() && likely_graphics(var),
    };
    if !ask {
        return None;
    }
    // A terminal that answers, answers at once; one that does not must not hold up the
    // start for long.
    let answers = match super::probe::ask(std::time::Duration::from_millis(400)) {
        Ok(a) => a,
        Err(e) => {
            tracing::info!(error = %e, "could not ask the terminal what it draws");
            return None;
        }
    };
    let window = crossterm::terminal::window_size().ok();
    let picker = choose(&answers, window, var);
    tracing::info!(
        answers = ?answers,
        protocol = ?picker.as_ref().map(Picker::protocol_type),
        "pictures: the terminal answered"
    );
    picker
}

/// The picker for what the terminal answered: kitty graphics where kitty can place them,
/// else sixel, else iTerm2's protocol where the environment names a terminal that has it.
/// WezTerm and Konsole answer for kitty and sixel but draw them badly (ratatui-image's
/// compatibility table), so they get iTerm2's.
fn choose(
    answers: &Answers,
    window: Option<crossterm::terminal::WindowSize>,
    var: impl Fn(&str) -> Option<String>,
) -> Option<Picker> {
    let cell = answers.cell.or_else(|| {
        let w = window?;
        (w.columns > 0 && w.rows > 0 && w.width > 0 && w.height > 0)
            .then(|| (w.width / w.columns, w.height / w.rows))
    })?;
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    let iterm2_family = set("WEZTERM_EXECUTABLE")
        || set("KONSOLE_VERSION")
        || var("TERM_PROGRAM").is_some_and(|p| {
            [
                "iTerm.app",
                "WezTerm",
                "mintty",
                "vscode",
                "Tabby",
                "rio",
                "WarpTerminal",
            ]
            .iter()
            .any(|t| p.contains(t))
        });
    let protocol = if iterm2_family {
        ProtocolType::Iterm2
    } else if answers.kitty_graphics && !answers.kitty_placeholders_broken() {
        ProtocolType::Kitty
    } else if answers.sixel {
        ProtocolType::Sixel
    } else {
        return None;
    };
    // The font-size constructor is deprecated only in favour of the library's own query,
    // which is what oat cannot use (see `probe`).
    #[allow(deprecated)]
    let mut picker = Picker::from_fontsize(cell.into());
    picker.set_protocol_type(protocol);
    Some(picker)
}

/// Decodes, scales and encodes one picture. Slow (milliseconds to tens of them): call it
/// off the UI thread.
pub fn make(picker: &Picker, file: &Attachment) -> Option<Picture> {
    let image = image::load_from_memory(&file.data).ok()?;
    let area = ratatui::layout::Size::new(COLUMNS, ROWS);
    picker
        .new_protocol(image, area, ratatui_image::Resize::Fit(None))
        .ok()
        .map(Picture)
}

#[cfg(test)]
mod tests {
    use super::{Answers, ProtocolType, choose, likely_graphics};

    fn cells(p: &ratatui_image::picker::Picker) -> (u16, u16) {
        let f = p.font_size();
        (f.width, f.height)
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn the_protocol_follows_the_answers() {
        let sixel = Answers {
            sixel: true,
            cell: Some((9, 17)),
            complete: true,
            ..Default::default()
        };
        let p = choose(&sixel, None, none).map(|p| (p.protocol_type(), cells(&p)));
        assert_eq!(p, Some((ProtocolType::Sixel, (9, 17))));
        let kitty = Answers {
            kitty_graphics: true,
            cell: Some((10, 20)),
            version: Some("kitty(0.35.2)".into()),
            complete: true,
            ..Default::default()
        };
        let p = choose(&kitty, None, none).map(|p| p.protocol_type());
        assert_eq!(p, Some(ProtocolType::Kitty));
        // Kitty 0.26 would draw boxes where the picture goes: chips instead.
        let old = Answers {
            version: Some("kitty(0.26.5)".into()),
            ..kitty.clone()
        };
        assert!(choose(&old, None, none).is_none());
        // Nothing drawn, or no cell size known anywhere: chips.
        assert!(choose(&Answers::default(), None, none).is_none());
        let no_cell = Answers {
            cell: None,
            ..sixel.clone()
        };
        assert!(choose(&no_cell, None, none).is_none());
        // The cell size from the window's pixel size when the terminal did not say it.
        let window = crossterm::terminal::WindowSize {
            rows: 24,
            columns: 80,
            width: 800,
            height: 480,
        };
        let p = choose(&no_cell, Some(window), none).map(|p| cells(&p));
        assert_eq!(p, Some((10, 20)));
        let wezterm = |k: &str| (k == "WEZTERM_EXECUTABLE").then(|| "/x".to_string());
        let p = choose(&kitty, None, wezterm).map(|p| p.protocol_type());
        assert_eq!(p, Some(ProtocolType::Iterm2));
    }

    #[test]
    fn only_terminals_known_to_draw_are_asked() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert!(likely_graphics(env(&[("TERM", "xterm-kitty")])));
        assert!(likely_graphics(env(&[("TERM_PROGRAM", "iTerm.app")])));
        assert!(likely_graphics(env(&[
            ("TERM", "xterm-256color"),
            ("WEZTERM_EXECUTABLE", "/x")
        ])));
        assert!(!likely_graphics(env(&[("TERM", "xterm-256color")])));
        assert!(!likely_graphics(env(&[
            ("TERM", "screen-256color"),
            ("KITTY_WINDOW_ID", "")
        ])));
    }
}
