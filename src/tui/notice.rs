//! One shape for every notice the app shows (the status line, under the conversation,
//! under the key list): a level and a text. Information fades a few seconds after it
//! appears, or at the next key; warnings and errors stay until replaced or acknowledged
//! with Esc. Each notice is logged whole when made, since the screen may have to cut it.

use std::sync::atomic::{AtomicU64, Ordering};

/// Information fades after this long (the event loop arms the deadline; nothing ticks).
pub const FADE: std::time::Duration = std::time::Duration::from_secs(6);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Done, changed, on its way: fades.
    Info,
    /// Needs a look (a reply cut at its limit, a draft not sent): stays.
    Warning,
    /// Failed or refused: stays.
    Error,
}

#[derive(Debug, Clone)]
pub struct Notice {
    pub level: Level,
    pub text: String,
    /// Tells notices apart, so a fade meant for one never removes the next; newer is larger.
    pub id: u64,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The app's words for what the shared code calls by the command line's flags.
const FLAGS: [(&str, &str); 4] = [
    ("--max-tokens", "/max-tokens"),
    ("--temperature", "/temperature"),
    ("--thinking", "/thinking"),
    ("--effort", "/effort"),
];

impl Notice {
    pub fn new(level: Level, text: impl Into<String>) -> Self {
        let mut text: String = text.into();
        for (flag, command) in FLAGS {
            if text.contains(flag) {
                text = text.replace(flag, command);
            }
        }
        match level {
            Level::Error => tracing::warn!(notice = %text),
            _ => tracing::info!(notice = %text),
        }
        Self {
            level,
            text,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn info(text: impl Into<String>) -> Self {
        Self::new(Level::Info, text)
    }

    pub fn warning(text: impl Into<String>) -> Self {
        Self::new(Level::Warning, text)
    }

    pub fn error(text: impl Into<String>) -> Self {
        Self::new(Level::Error, text)
    }

    pub fn fades(&self) -> bool {
        self.level == Level::Info
    }
}

/// Notices compare by what they say, not by when they were made.
impl PartialEq for Notice {
    fn eq(&self, other: &Self) -> bool {
        self.level == other.level && self.text == other.text
    }
}

impl std::fmt::Display for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// Plain text is information.
impl From<&str> for Notice {
    fn from(text: &str) -> Self {
        Self::info(text)
    }
}

impl From<String> for Notice {
    fn from(text: String) -> Self {
        Self::info(text)
    }
}

/// A notice reads as its text (`notice.as_deref()`, `notice.contains(…)`).
impl std::ops::Deref for Notice {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_become_commands_and_ids_grow() {
        let a = Notice::error("--max-tokens 9 is more than the model accepts");
        assert_eq!(&*a, "/max-tokens 9 is more than the model accepts");
        let b = Notice::info("x");
        assert!(b.id > a.id && b.fades() && !a.fades());
    }
}
