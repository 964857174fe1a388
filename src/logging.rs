//! Tracing setup. Logs go to a file under the state dir, never to the terminal (it belongs
//! to the reply, or to the TUI), unless `--verbose` asks for them on stderr. Nothing logged
//! anywhere in oat may hold a secret: log `Secret` values, which print masked.

use std::path::PathBuf;

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber; returns the log file's path when logging to a file.
pub fn init(verbose: bool) -> Option<PathBuf> {
    let filter = |default: &str| {
        EnvFilter::try_from_env("OAT_LOG").unwrap_or_else(|_| EnvFilter::new(default))
    };
    if verbose {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter("oat=debug"))
            .with_writer(std::io::stderr)
            .with_target(false)
            .try_init();
        return None;
    }
    let dir = crate::paths::log_dir();
    // The log names conversations and files: private, like the history.
    crate::files::create_private_dir(&dir).ok()?;
    let path = dir.join("oat.log");
    let file = crate::files::open_private(&path, true).ok()?;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter("oat=info"))
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
    Some(path)
}
