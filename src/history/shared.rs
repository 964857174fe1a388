//! The history as both front ends use it from async code: opened on first use, every call
//! run on tokio's blocking pool (SQLite waits on disk and on another process's lock). An
//! open that failed is remembered and reported on every use, not retried behind the
//! person's back.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::{History, HistoryError};

#[derive(Clone)]
pub struct Shared {
    path: PathBuf,
    state: Arc<Mutex<Option<Result<History, String>>>>,
}

impl Shared {
    pub fn new(path: PathBuf) -> Self {
        Self {
            path,
            state: Arc::new(Mutex::new(None)),
        }
    }

    /// A database opened already (the CLI opens it first, to fail before sending).
    pub fn opened(history: History) -> Self {
        Self {
            path: history.path().to_path_buf(),
            state: Arc::new(Mutex::new(Some(Ok(history)))),
        }
    }

    /// Runs `f` with the database on the blocking pool.
    pub async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&History) -> Result<T, HistoryError> + Send + 'static,
    ) -> Result<T, String> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = me
                .state
                .lock()
                .map_err(|_| "the history is unusable".to_string())?;
            let opened =
                guard.get_or_insert_with(|| History::open(&me.path).map_err(|e| e.to_string()));
            match opened {
                Ok(h) => f(h).map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            }
        })
        .await
        .map_err(|e| e.to_string())?
    }
}
