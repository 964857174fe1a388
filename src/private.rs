//! oat's files are private: at start, folders it made before (or another tool made) with
//! room for others are tightened to 0700 and its database, `-wal`/`-shm` and log to 0600,
//! and the paths are returned so the caller says so once. New files are created private
//! where they are made (`files::create_private_dir`, `files::open_private`). Exports and
//! paths a person chose (`--config`, `OAT_HISTORY`'s folder) are not touched; neither is
//! the credentials file, which the file store refuses while it is open to others (its
//! secrets may have been read: the person should know, not have it hidden).

use std::path::PathBuf;

/// Tightens oat's folders and files; returns what it changed. Failures are logged and
/// skipped: a file oat cannot chmod is one it will report where it is used.
pub fn tighten_existing() -> Vec<PathBuf> {
    let db = crate::history::path();
    let side = |ext: &str| PathBuf::from(format!("{}{ext}", db.display()));
    let mut folders = vec![
        crate::paths::config_dir(),
        crate::paths::data_dir(),
        crate::paths::log_dir(),
    ];
    folders.dedup();
    let files = [
        db.clone(),
        side("-wal"),
        side("-shm"),
        crate::paths::log_dir().join("oat.log"),
    ];
    let mut changed = Vec::new();
    let targets = folders
        .into_iter()
        .map(|p| (p, 0o700))
        .chain(files.into_iter().map(|p| (p, 0o600)));
    for (path, mode) in targets {
        match crate::files::tighten(&path, mode) {
            Ok(true) => changed.push(path),
            Ok(false) => {}
            Err(e) => tracing::warn!(path = %path.display(), error = %e, "could not make private"),
        }
    }
    changed
}
