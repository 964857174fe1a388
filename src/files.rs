//! Files that two oat processes may change at once: an exclusive advisory lock on a
//! `.lock` file beside the real one, and atomic writes (temp file + rename). Knows nothing
//! of what the files hold; callers re-read inside the lock and apply only their change.
//!
//! The lock is the standard library's `File::lock` (flock on Unix, LockFileEx on
//! Windows): it dies with the process, so a killed oat never leaves a stale lock behind,
//! and it needs no crate of its own since Rust 1.89.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A failed file operation in a person's words: "no file at PATH", "PATH: permission
/// denied", not `No such file or directory (os error 2)`.
pub fn io_words(path: &Path, e: &std::io::Error) -> String {
    use std::io::ErrorKind;
    let path = path.display();
    match e.kind() {
        ErrorKind::NotFound => format!("no file at {path}"),
        ErrorKind::PermissionDenied => format!("{path}: permission denied"),
        ErrorKind::IsADirectory => format!("{path} is a folder, not a file"),
        ErrorKind::NotADirectory => format!("{path}: a part of the path is a file, not a folder"),
        ErrorKind::StorageFull => format!("{path}: the disk is full"),
        ErrorKind::ReadOnlyFilesystem => format!("{path}: the file system is read-only"),
        _ => {
            let t = e.to_string();
            let t = t.split(" (os error").next().unwrap_or(&t).to_lowercase();
            format!("{path}: {t}")
        }
    }
}

/// Creates oat's own folder (and any missing parents) as 0700 whatever the umask: the
/// history, the log and the config are nobody else's business. Exports do not come here.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

/// Opens (creating if need be) a file only its owner may read: 0600 from creation on,
/// whatever the umask. For appending (the log) or for SQLite to open after.
pub fn open_private(path: &Path, append: bool) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.create(true);
    if append {
        options.append(true);
    } else {
        options.read(true).write(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// Takes away what others may do with an existing file or folder beyond `mode` (0600,
/// 0700). Returns whether it changed anything; a missing path is left missing.
pub fn tighten(path: &Path, mode: u32) -> std::io::Result<bool> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta = match std::fs::symlink_metadata(path) {
            Ok(m) if !m.file_type().is_symlink() => m,
            Ok(_) => return Ok(false),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
            Err(e) => return Err(e),
        };
        let now = meta.permissions().mode() & 0o777;
        if now & !mode == 0 {
            return Ok(false);
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(now & mode))?;
        Ok(true)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        Ok(false)
    }
}

/// How long to wait for another oat process to finish its change before giving up.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);
/// The first pause between tries; it doubles up to `MAX_PAUSE`.
const FIRST_PAUSE: Duration = Duration::from_millis(1);
const MAX_PAUSE: Duration = Duration::from_millis(25);

/// An exclusive lock on `<file>.lock`, held until dropped.
#[derive(Debug)]
pub struct FileLock {
    path: PathBuf,
    // Held only for its lock; closing the file releases it.
    _file: File,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{}", io_words(path, source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path} is held by another oat process and was not released within {waited:?}; \
         try again when it has finished"
    )]
    Busy { path: PathBuf, waited: Duration },
}

impl FileLock {
    /// The lock file that guards `target`: `config.toml` → `config.toml.lock`.
    pub fn path_for(target: &Path) -> PathBuf {
        let mut name = target.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        target.with_file_name(name)
    }

    /// Waits (up to `LOCK_WAIT`) for the exclusive lock guarding `target`. The lock file is
    /// created if need be and never deleted: deleting it would let two processes lock two
    /// different files of the same name.
    pub fn acquire(target: &Path) -> Result<Self, LockError> {
        Self::acquire_within(target, LOCK_WAIT)
    }

    pub fn acquire_within(target: &Path, wait: Duration) -> Result<Self, LockError> {
        let path = Self::path_for(target);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir(dir).map_err(io)?;
        }
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&path).map_err(io)?;
        let started = Instant::now();
        let mut pause = FIRST_PAUSE;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(Self { path, _file: file }),
                Err(TryLockError::WouldBlock) => {}
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            if started.elapsed() >= wait {
                return Err(LockError::Busy { path, waited: wait });
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(MAX_PAUSE);
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Writes `bytes` to a temp file in the same directory, then renames it over `path`, so a
/// crash leaves either the old file or the new one. `mode` applies from creation on, so a
/// secret is never readable by others even for a moment.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // Only oat's own files come here (config, credentials): their folder is private.
    create_private_dir(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "oat".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode.unwrap_or(0o644));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_is_exclusive_and_released_on_drop() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("config.toml");
        let held = FileLock::acquire(&target).unwrap();
        assert_eq!(held.path(), dir.path().join("config.toml.lock"));
        let e = FileLock::acquire_within(&target, Duration::from_millis(30)).unwrap_err();
        assert!(matches!(e, LockError::Busy { .. }), "{e}");
        assert!(e.to_string().contains("config.toml.lock"), "{e}");
        drop(held);
        FileLock::acquire_within(&target, Duration::from_millis(30)).unwrap();
    }

    #[test]
    fn a_waiter_gets_the_lock_only_when_it_is_released() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("credentials");
        let held = FileLock::acquire(&target).unwrap();
        let t = target.clone();
        let (got, acquired) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let lock = FileLock::acquire(&t);
            got.send(()).unwrap();
            lock.map(|_| ())
        });
        // Excluded: while the lock is held, the waiter does not get it (a lock that did
        // not exclude would let it through at once).
        assert!(
            acquired.recv_timeout(Duration::from_millis(300)).is_err(),
            "the waiter took a held lock"
        );
        drop(held);
        // Released: now it does.
        acquired
            .recv_timeout(Duration::from_secs(10))
            .expect("the waiter gets the lock once it is released");
        waiter.join().unwrap().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_sets_mode_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        write_atomic(&path, b"x", Some(0o600)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        write_atomic(&path, b"y", Some(0o600)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"y");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }
}
