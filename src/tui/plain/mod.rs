//! Plain mode (`oat chat --plain`, `OAT_SCREEN_READER=1`, `screen_reader = true`, or stdout
//! not a terminal while stdin is): the chat as lines of text for screen readers and
//! transcripts. It reads cooked lines from stdin and writes plain text to stdout: no
//! alternate screen, no raw mode, no ANSI escapes, no box drawing, no animation. Turns run
//! on the one conversation engine (`conversation::tools::run`), and are kept in the
//! history as the app keeps them; it must not grow a chat pipeline of its own.

mod chat;
mod commands;
mod input;
mod out;
pub mod picker;
mod send;
mod show;

use std::ffi::OsString;

use crate::session::{AppFailure, Session};

/// The environment variable that makes `oat` start in plain mode.
pub const SCREEN_READER_ENV: &str = "OAT_SCREEN_READER";

/// What asks for plain mode at start.
#[derive(Debug, Clone, Default)]
pub struct Asked {
    /// `oat chat --plain`.
    pub flag: bool,
    /// `screen_reader = true` in the config.
    pub config: bool,
    /// `OAT_SCREEN_READER`'s value, if set.
    pub env: Option<OsString>,
    pub stdin_terminal: bool,
    pub stdout_terminal: bool,
}

impl Asked {
    /// Whether oat starts in plain mode: asked for by the flag, the config or the
    /// environment (any value but empty, `0`, `false` or `no`), or stdout is not a
    /// terminal while stdin is (a person typing, the replies going to a file or a pipe).
    pub fn plain(&self) -> bool {
        let env = self.env.as_ref().is_some_and(|v| {
            let v = v.to_string_lossy().trim().to_ascii_lowercase();
            !matches!(v.as_str(), "" | "0" | "false" | "no" | "off")
        });
        self.flag || self.config || env || (self.stdin_terminal && !self.stdout_terminal)
    }
}

/// Why plain mode could not run.
#[derive(Debug, thiserror::Error)]
pub enum PlainError {
    #[error("{0}")]
    NoKey(String),
    #[error("could not set up the client: {0}")]
    Client(String),
}

impl From<PlainError> for AppFailure {
    fn from(e: PlainError) -> Self {
        let advice = match &e {
            PlainError::NoKey(_) => Some(
                "Add one with `oat key add`, or set ANTHROPIC_API_KEY or CLAUDE_CODE_OAUTH_TOKEN."
                    .to_string(),
            ),
            PlainError::Client(_) => None,
        };
        Self {
            message: e.to_string(),
            advice,
            code: 2,
        }
    }
}

/// Runs plain mode until `/quit`, Ctrl-C at the prompt, the end of stdin, or a reader of
/// stdout that went away.
pub async fn run(session: &Session) -> Result<(), PlainError> {
    let resolved = session
        .keys()
        .resolve(session.global.key.as_deref())
        .map_err(|e| PlainError::NoKey(e.to_string()))?;
    let config = session.client_config().with_key(
        resolved.meta.base_url.as_deref(),
        resolved.meta.model.as_deref(),
    );
    let client = crate::api::Client::new(config, resolved.credential.clone())
        .map_err(|e| PlainError::Client(e.to_string()))?;
    let mut out = out::Out::stdout();
    let mut input = input::Input::stdin();
    let mut chat = chat::Chat::new(session, client, &resolved);
    out.line(&format!(
        "oat plain mode. Model {}. Type a prompt and press Enter; /help lists the commands; \
         Ctrl-C stops a reply, and at the prompt quits.",
        chat.settings.model
    ));
    terms_once(session, &resolved, &mut out);
    chat.run(&mut input, &mut out).await;
    chat.stop_tools().await;
    Ok(())
}

/// The first-run note on setup tokens, as the app shows it, said once (then remembered in
/// the config, as the app remembers it).
fn terms_once(
    session: &Session,
    resolved: &crate::credentials::keys::Resolved,
    out: &mut out::Out,
) {
    if resolved.credential.kind != crate::credentials::CredentialKind::Oauth
        || session.config.config.terms_notice_seen
    {
        return;
    }
    for line in crate::tui::view::TERMS_NOTICE {
        if !line.is_empty() && !line.starts_with("Enter to continue") {
            out.line(line);
        }
    }
    let mut file = session.config.clone();
    let _ = file.edit(|c| -> Result<(), crate::config::ConfigError> {
        c.terms_notice_seen = true;
        Ok(())
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked() -> Asked {
        Asked {
            stdin_terminal: true,
            stdout_terminal: true,
            ..Asked::default()
        }
    }

    #[test]
    fn a_terminal_on_both_sides_starts_the_app() {
        assert!(!asked().plain());
    }

    #[test]
    fn the_flag_the_config_and_the_environment_each_ask_for_plain_mode() {
        assert!(
            Asked {
                flag: true,
                ..asked()
            }
            .plain()
        );
        assert!(
            Asked {
                config: true,
                ..asked()
            }
            .plain()
        );
        for on in ["1", "yes", "true"] {
            let a = Asked {
                env: Some(on.into()),
                ..asked()
            };
            assert!(a.plain(), "{on}");
        }
        for off in ["", "0", "false", "no"] {
            let a = Asked {
                env: Some(off.into()),
                ..asked()
            };
            assert!(!a.plain(), "{off:?}");
        }
    }

    #[test]
    fn stdout_not_a_terminal_with_a_person_on_stdin_is_plain_mode() {
        let a = Asked {
            stdout_terminal: false,
            ..asked()
        };
        assert!(a.plain());
        // Neither side a terminal: a script; the app says it needs a terminal.
        let a = Asked {
            stdout_terminal: false,
            stdin_terminal: false,
            ..Asked::default()
        };
        assert!(!a.plain());
    }
}
