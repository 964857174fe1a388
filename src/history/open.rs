//! Opening the database: the file made private before SQLite creates its companions, the
//! settings every connection needs (busy wait, WAL), the schema brought up to date; and,
//! for `oat history reset`, checking a database and setting a broken one aside. Nothing
//! here reads or writes conversations.

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{BUSY_TIMEOUT, History, HistoryError, schema};

impl History {
    pub fn open(path: &Path) -> Result<Self, HistoryError> {
        Self::open_at(path, schema::LATEST)
    }

    /// Opens at a given schema version: tests use it to make an older database.
    pub fn open_at(path: &Path, version: i64) -> Result<Self, HistoryError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let _ = crate::files::create_private_dir(dir);
        }
        // Created 0600 before SQLite opens it: SQLite gives its `-wal` and `-shm` the
        // database's mode, so all three are private whatever the umask.
        if !path.exists() {
            let _ = crate::files::open_private(path, false);
        }
        let corrupt = |e: rusqlite::Error| HistoryError::Corrupt {
            path: path.into(),
            message: e.to_string(),
        };
        let mut conn = Connection::open(path).map_err(corrupt)?;
        // First, so every step below waits for other oat processes instead of failing.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(corrupt)?;
        // A file that is not SQLite fails at its first real read, not at open.
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(corrupt)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(corrupt)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(corrupt)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(corrupt)?;
        schema::migrate_to(&mut conn, version).map_err(|source| HistoryError::Schema {
            path: path.into(),
            source,
        })?;
        let h = Self {
            conn,
            path: path.into(),
            seen_version: std::cell::Cell::new(0),
        };
        let now = h.data_version().map_err(corrupt)?;
        h.seen_version.set(now);
        Ok(h)
    }

    /// Whether the database at `path` opens and passes SQLite's `quick_check`: what `oat
    /// history reset` asks before it moves anything. Returns the number of conversations.
    pub fn check(path: &Path) -> Result<i64, HistoryError> {
        let h = Self::open(path)?;
        let corrupt = |message: String| HistoryError::Corrupt {
            path: path.into(),
            message,
        };
        let verdict: String = h
            .conn
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| corrupt(e.to_string()))?;
        if verdict != "ok" {
            return Err(corrupt(verdict));
        }
        h.sql(
            h.conn
                .query_row("SELECT count(*) FROM conversations", [], |r| r.get(0)),
        )
    }

    /// Moves a broken database aside (`history.db.corrupt`, numbered if taken) so a fresh
    /// one can start; nothing is deleted.
    pub fn set_aside(path: &Path) -> std::io::Result<PathBuf> {
        let mut target = PathBuf::from(format!("{}.corrupt", path.display()));
        let mut n = 2;
        while target.exists() {
            target = PathBuf::from(format!("{}.corrupt{n}", path.display()));
            n += 1;
        }
        std::fs::rename(path, &target)?;
        for ext in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{ext}", path.display()));
            if side.exists() {
                let _ = std::fs::rename(&side, format!("{}{ext}", target.display()));
            }
        }
        Ok(target)
    }
}
