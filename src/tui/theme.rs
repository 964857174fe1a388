//! Colours and styles in one place, for dark and light terminals. The app asks the
//! terminal for its background (OSC 11) unless `theme` in the config says which; with
//! `NO_COLOR` set, only bold, dim, italic, reverse and underline remain, so every state is
//! still told apart.

use std::time::Duration;

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeChoice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    /// A light background: darker, more saturated colours.
    pub light: bool,
}

/// How long the terminal may take to say its background colour. Terminals that cannot
/// answer are recognised at once (colorsaurus sends a second query every terminal
/// answers), so this is only the wait for a slow link.
const QUERY_TIMEOUT: Duration = Duration::from_millis(150);

impl Theme {
    /// Dark, coloured unless `NO_COLOR` says otherwise: what oat shows when nothing is known.
    pub fn from_env() -> Self {
        Self {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
            light: false,
        }
    }

    /// The theme for `choice`; `Auto` asks the terminal, before the app takes the screen
    /// (its answer would otherwise arrive as input). Anything but a clear answer is dark.
    pub fn detect(choice: ThemeChoice) -> Self {
        let base = Self::from_env();
        let light = match choice {
            ThemeChoice::Dark => false,
            ThemeChoice::Light => true,
            ThemeChoice::Auto if !base.color => false,
            ThemeChoice::Auto => {
                let mut options = terminal_colorsaurus::QueryOptions::default();
                options.timeout = QUERY_TIMEOUT;
                match terminal_colorsaurus::theme_mode(options) {
                    Ok(terminal_colorsaurus::ThemeMode::Light) => true,
                    Ok(terminal_colorsaurus::ThemeMode::Dark) => false,
                    Err(e) => {
                        tracing::info!(error = %e, "the terminal did not say its background");
                        false
                    }
                }
            }
        };
        Self { light, ..base }
    }

    fn fg(self, dark: Color, light: Color) -> Style {
        match (self.color, self.light) {
            (false, _) => Style::new(),
            (true, false) => Style::new().fg(dark),
            (true, true) => Style::new().fg(light),
        }
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Cyan, Color::Blue)
            .add_modifier(Modifier::BOLD)
    }
    /// Grey: ANSI's light grey vanishes on white, so light terminals get a mid grey.
    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray, Color::Indexed(242))
            .add_modifier(Modifier::DIM)
    }
    pub fn ok(self) -> Style {
        self.fg(Color::Green, Color::Indexed(28))
    }
    /// Amber: yellow on dark, a dark orange that stays readable on white.
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow, Color::Indexed(130))
            .add_modifier(Modifier::BOLD)
    }
    pub fn error(self) -> Style {
        self.fg(Color::Red, Color::Indexed(160))
            .add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
    pub fn heading(self) -> Style {
        self.fg(Color::Magenta, Color::Indexed(90))
            .add_modifier(Modifier::BOLD)
    }
    pub fn code(self) -> Style {
        self.fg(Color::Yellow, Color::Indexed(94))
    }
    pub fn link(self) -> Style {
        self.fg(Color::Blue, Color::Indexed(25))
            .add_modifier(Modifier::UNDERLINED)
    }
    pub fn quote(self) -> Style {
        self.fg(Color::Gray, Color::DarkGray)
            .add_modifier(Modifier::ITALIC)
    }
    pub fn user(self) -> Style {
        self.fg(Color::Green, Color::Indexed(28))
            .add_modifier(Modifier::BOLD)
    }
    pub fn assistant(self) -> Style {
        self.fg(Color::Cyan, Color::Indexed(25))
            .add_modifier(Modifier::BOLD)
    }
    /// Whether syntax highlighting may colour code.
    pub fn highlight(self) -> bool {
        self.color
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_theme_needs_no_terminal() {
        assert!(Theme::detect(ThemeChoice::Light).light);
        assert!(!Theme::detect(ThemeChoice::Dark).light);
        let dark = Theme {
            color: true,
            light: false,
        };
        let light = Theme {
            light: true,
            ..dark
        };
        assert_ne!(dark.warn(), light.warn());
        let plain = Theme {
            color: false,
            light: true,
        };
        assert_eq!(plain.warn().fg, None, "NO_COLOR: no colour in either theme");
    }
}
