//! Notices when the config or credentials file changes — another oat process added,
//! removed or chose a key — and when the history database is written, and says so. It
//! uses the OS's file events (inotify, FSEvents, ReadDirectoryChangesW) through `notify`,
//! so it never polls: an idle app still wakes zero times. It reads no file itself.

use std::path::Path;

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc::UnboundedSender;

use super::ApiEvent;

/// The files in the config dir whose changes matter to the app.
const WATCHED: [&str; 2] = ["config.toml", "credentials"];

/// Watches `dir` until the returned watcher is dropped. `None` when the platform refuses
/// (no inotify watches left, say): the app then still reloads when the Keys pane opens.
pub fn watch_config_dir(
    dir: &Path,
    events: UnboundedSender<ApiEvent>,
) -> Option<RecommendedWatcher> {
    // The dir may not exist before the first key is stored; it is where that key goes.
    crate::files::create_private_dir(dir).ok()?;
    watch(
        dir,
        |name| WATCHED.contains(&name),
        move || {
            // The UI is gone when this fails; nothing is left to tell.
            let _ = events.send(ApiEvent::ConfigChanged);
        },
    )
}

/// Watches the history database at `path` (the file and its write-ahead log, where every
/// commit lands) and calls `written` on each write, by this process or another: the
/// caller tells them apart. `None` when it cannot watch: the History pane then still
/// re-reads the list each time it is shown.
pub fn watch_history(
    path: &Path,
    written: impl Fn() + Send + 'static,
) -> Option<RecommendedWatcher> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::files::create_private_dir(dir).ok()?;
    let db = path.file_name()?.to_str()?.to_string();
    let wal = format!("{db}-wal");
    watch(dir, move |name| name == db || name == wal, written)
}

fn watch(
    dir: &Path,
    wanted: impl Fn(&str) -> bool + Send + 'static,
    changed: impl Fn() + Send + 'static,
) -> Option<RecommendedWatcher> {
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        let Ok(event) = res else { return };
        if matters(&event, &wanted) {
            changed();
        }
    })
    .map_err(|e| tracing::warn!(error = %e, dir = %dir.display(), "cannot watch"))
    .ok()?;
    watcher
        .watch(dir, RecursiveMode::NonRecursive)
        .map_err(|e| tracing::warn!(error = %e, dir = %dir.display(), "cannot watch"))
        .ok()?;
    Some(watcher)
}

/// A write that replaced or changed a wanted file. Temp files, lock files and reads are
/// not: an atomic write shows up as the rename onto the real name.
fn matters(event: &notify::Event, wanted: impl Fn(&str) -> bool) -> bool {
    matches!(
        event.kind,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_)
    ) && event
        .paths
        .iter()
        .any(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(&wanted))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_write_by_anyone_is_reported_and_temp_and_lock_files_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _w = watch_config_dir(dir.path(), tx).expect("inotify works here");
        std::fs::write(dir.path().join("config.toml.lock"), "").unwrap();
        std::fs::write(dir.path().join(".config.toml.1.tmp"), "x").unwrap();
        std::fs::write(dir.path().join("other"), "x").unwrap();
        let quiet = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await;
        assert!(quiet.is_err(), "nothing that matters changed: {quiet:?}");
        crate::files::write_atomic(&dir.path().join("config.toml"), b"x = 1", None).unwrap();
        let ev = tokio::time::timeout(Duration::from_secs(5), rx.recv()).await;
        assert!(matches!(ev, Ok(Some(ApiEvent::ConfigChanged))), "{ev:?}");
    }
}
