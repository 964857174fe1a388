//! Tracing setup. Logs go to a file under the state dir, never to the terminal (it belongs
//! to the reply, or to the TUI), unless `--verbose` asks for them on stderr. Nothing logged
//! anywhere in oat may hold a secret: log `Secret` values, which print masked.

use std::path::PathBuf;

use tracing::Level;

use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

/// What the log records: `OAT_LOG` (`oat=debug`, `debug`, `oat=trace,hyper=info`), else
/// `default`; a value that does not parse is the default too.
fn filter(default: Level) -> Targets {
    std::env::var("OAT_LOG")
        .ok()
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_target("oat", LevelFilter::from_level(default)))
}

/// Installs the global subscriber; returns the log file's path when logging to a file.
pub fn init(verbose: bool) -> Option<PathBuf> {
    if verbose {
        let layer = tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .with_target(false);
        let _ = tracing_subscriber::registry()
            .with(layer.with_filter(filter(Level::DEBUG)))
            .try_init();
        return None;
    }
    let dir = crate::paths::log_dir();
    // The log names conversations and files: private, like the history.
    crate::files::create_private_dir(&dir).ok()?;
    let path = dir.join("oat.log");
    let file = crate::files::open_private(&path, true).ok()?;
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false);
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(filter(Level::INFO)))
        .try_init();
    Some(path)
}
