//! Pictures of attached images, for terminals that draw them (kitty, iTerm2, sixel): made
//! once per file off the UI thread — decoded, scaled to the box they are shown in and
//! encoded for the terminal's protocol — and then drawn from this cache every frame. A
//! cache, not state: without it every image shows as a chip.

use std::collections::{HashMap, HashSet};

use ratatui_image::picker::{Picker, ProtocolType};
use ratatui_image::protocol::Protocol;

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

/// Asks the terminal what it can draw. Must run before the app reads input, as the theme
/// query does. `None` when it draws no pictures (only half-blocks): chips are shown then.
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
    let options = ratatui_image::picker::cap_parser::QueryStdioOptions {
        // A terminal that answers, answers at once; one that does not must not hold up
        // the start for the library's default two seconds.
        timeout: std::time::Duration::from_millis(400),
        ..Default::default()
    };
    let picker = Picker::from_query_stdio_with_options(options).ok()?;
    match picker.protocol_type() {
        ProtocolType::Halfblocks => None,
        _ => Some(picker),
    }
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
    use super::likely_graphics;

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
