//! The terminal app: `oat` with no command (or `oat chat`). This module wires the pieces:
//! the worker on a task of its own, the terminal modes, and the event loop over `App`; or,
//! when asked for or when stdout is not a terminal, plain mode (`plain/`: lines of text
//! for screen readers, on the same conversation engine).

pub mod app;
pub mod clock;
pub mod event_loop;
pub mod keymap;
pub mod links;
pub mod notice;
pub mod notify;
pub mod pictures;
pub mod plain;
pub mod probe;
pub mod render_cache;
pub mod state;
pub mod terminal;
pub mod theme;
pub mod update;
pub mod view;

use std::io::IsTerminal;

use crate::api::ClientConfig;
use crate::session::{AppFailure, AppMode, Session};
use crate::worker::{Worker, WorkerThread};

/// Why the app could not run or stopped early.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error("the app needs a terminal")]
    NoTerminal,
    #[error("could not set up the terminal: {0}")]
    Setup(std::io::Error),
    #[error("the app stopped: {0}")]
    Stopped(std::io::Error),
}

impl From<TuiError> for AppFailure {
    fn from(e: TuiError) -> Self {
        let (advice, code) = match e {
            TuiError::NoTerminal => (
                Some(
                    "For scripts, use `oat ask`, `oat models`, `oat key` and `oat token status`; \
                     `oat chat --plain` chats in lines of text, prompts read from stdin."
                        .to_string(),
                ),
                2,
            ),
            TuiError::Setup(_) => (None, 2),
            TuiError::Stopped(_) => (None, 1),
        };
        Self {
            message: e.to_string(),
            advice,
            code,
        }
    }
}

/// The app as `main.rs` hands it to the command line (see `session::AppEntry`).
pub fn entry(
    session: &Session,
    mode: AppMode,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppFailure>> + '_>> {
    Box::pin(async move {
        let asked = plain::Asked {
            flag: mode == AppMode::Plain,
            config: session.config.config.screen_reader == Some(true),
            env: std::env::var_os(plain::SCREEN_READER_ENV),
            stdin_terminal: std::io::stdin().is_terminal(),
            stdout_terminal: std::io::stdout().is_terminal(),
        };
        if asked.plain() {
            return plain::run(session).await.map_err(AppFailure::from);
        }
        run(session).await.map_err(AppFailure::from)
    })
}

pub async fn run(ctx: &Session) -> Result<(), TuiError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TuiError::NoTerminal);
    }
    let keys = ctx.keys();
    let first_run = keys.list().is_empty();
    let terms_seen = ctx.config.config.terms_notice_seen;
    // The key in use may name its own model; else the config's default, else oat's.
    let key_model = ctx
        .global
        .key
        .as_deref()
        .or(ctx.config.config.active_key.as_deref())
        .and_then(|name| keys.meta(name).ok())
        .and_then(|m| m.model);
    let model = ctx.starting_model(key_model);
    let (req_tx, req_rx) = tokio::sync::mpsc::unbounded_channel();
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel();
    // Replies are read at most once a frame: what arrives between two is drawn together
    // anyway, and eight streaming tabs then cost one wake-up a frame, not one per chunk.
    let pace = crate::tick::Pace::new(clock::FRAME);
    let client_config = ClientConfig {
        pace: Some(pace.clone()),
        ..ctx.client_config()
    };
    let worker = Worker::new(
        keys,
        client_config,
        ctx.global.key.clone(),
        crate::history::path(),
        ev_tx,
    );
    // On a thread of its own, which sleeps between frames while replies stream.
    let worker = WorkerThread::start(worker.run(req_rx), pace).map_err(TuiError::Setup)?;
    let mut app = app::App::new(model, ctx.api_version(), first_run, terms_seen);
    app.tools_notice_said = ctx.config.config.tools_notice_seen;
    app.cache = ctx.config.config.caching();
    app.thinking_display = ctx.config.config.thinking_display.unwrap_or_default();
    app.web_code_execution = ctx.config.config.web_code_execution.unwrap_or(false);
    app.notify = ctx.config.config.notify.unwrap_or_default();
    // Before the app takes the screen: the terminal's answer must not arrive as a key.
    app.theme = theme::Theme::detect(ctx.config.config.theme.unwrap_or_default());
    app.prices = ctx.config.config.prices();
    let outcome = {
        let (mut term, _guard) = terminal::enter().map_err(TuiError::Setup)?;
        app.keys_disambiguated = terminal::keys_disambiguated();
        // In raw mode already, before the input reader starts: the answers are read by
        // the probe and nothing there touches the tty's mode.
        let picker = pictures::detect(ctx.config.config.images);
        app.pictures.enabled = picker.is_some();
        let links = links::enabled(ctx.config.config.links.unwrap_or_default(), |k| {
            std::env::var(k).ok()
        });
        event_loop::run(&mut term, &mut app, req_tx, ev_rx, picker, links).await
        // The guard restores the terminal here, before anything is printed.
    };
    // The UI's requests sender is gone with the loop: the worker ends, dropping the
    // replies still streaming (each keeps what arrived) and finishing its writes.
    worker.stop();
    outcome.map_err(TuiError::Stopped)
}
