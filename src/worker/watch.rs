//! Notices when the config or credentials file changes — another oat process added,
//! removed or chose a key — and when the history database is written, and says so. It
//! uses the OS's file events (inotify, FSEvents, ReadDirectoryChangesW) through `notify`,
//! so it never polls: an idle app still wakes zero times. It reads no file itself.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use notify::{EventKind, RecommendedWatcher, RecursiveMode, Watcher};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};

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

/// Wakes the worker once per burst of file events: a database commit is a dozen of them,
/// and only the first of a burst sends. Made with [`wakeup`].
pub struct Wakeup {
    raised: Arc<AtomicBool>,
    tx: UnboundedSender<()>,
}

/// The worker's end of a [`Wakeup`].
pub struct Wakeups {
    raised: Arc<AtomicBool>,
    rx: UnboundedReceiver<()>,
}

/// A wake-up for the watcher's callback and its end for the worker's loop.
pub fn wakeup() -> (Wakeup, Wakeups) {
    let raised = Arc::new(AtomicBool::new(false));
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    (
        Wakeup {
            raised: raised.clone(),
            tx,
        },
        Wakeups { raised, rx },
    )
}

impl Wakeup {
    /// Called from the watcher's thread at each event.
    pub fn raise(&self) {
        if !self.raised.swap(true, Ordering::AcqRel) {
            // The worker is gone when this fails; nothing is left to wake.
            let _ = self.tx.send(());
        }
    }
}

impl Wakeups {
    /// Waits for a burst; `None` once the watcher is gone. Whoever looks after this call
    /// sees every write made before it, and a write after it wakes this again. The flag
    /// is lowered and nothing else is taken: a wake-up sent between the two (at most
    /// one) only means one more look. Taking it as well (an earlier version drained the
    /// channel here) left the flag raised with nothing queued, and every later write
    /// went unnoticed.
    pub async fn next(&mut self) -> Option<()> {
        self.rx.recv().await?;
        self.raised.store(false, Ordering::Release);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn every_write_is_followed_by_a_wakeup_however_the_events_interleave() {
        let (w, mut ws) = wakeup();
        let done = Arc::new(AtomicBool::new(false));
        let d = done.clone();
        // The watcher's thread: bursts of events, as commits make them.
        let producer = std::thread::spawn(move || {
            for i in 0..20_000u32 {
                w.raise();
                if i % 7 == 0 {
                    std::thread::yield_now();
                }
            }
            d.store(true, Ordering::Release);
            w
        });
        let mut woken = 0u32;
        while !done.load(Ordering::Acquire) {
            if tokio::time::timeout(Duration::from_millis(50), ws.next())
                .await
                .is_ok()
            {
                woken += 1;
            }
        }
        let w = producer.join().unwrap();
        // Whatever is still queued belongs to the writes before; then one more write.
        while tokio::time::timeout(Duration::from_millis(20), ws.next())
            .await
            .is_ok()
        {}
        w.raise();
        let last = tokio::time::timeout(Duration::from_secs(2), ws.next()).await;
        assert!(
            matches!(last, Ok(Some(()))),
            "a write after {woken} wake-ups was never told"
        );
    }

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
