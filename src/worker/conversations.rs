//! The History pane's requests to the worker: the list (or search matches), opening,
//! renaming and deleting a conversation, remembering the branch shown, and noticing that
//! another process wrote to the database. Database calls run on tokio's blocking pool,
//! through `Shared`; nothing here streams or saves a chat.

use std::time::Duration;

use serde::Serialize;

use super::{ApiEvent, RequestId, TaskContext};
use crate::history::History;

/// The pauses before the second and third look after a write is noticed.
const SETTLE: [Duration; 2] = [Duration::from_millis(100), Duration::from_millis(900)];

/// One row of the History pane.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConversationRow {
    pub id: i64,
    pub title: String,
    pub model: String,
    pub updated: chrono::DateTime<chrono::Utc>,
    /// For a search: the matching text, the match between `[` and `]`.
    pub snippet: Option<String>,
}

impl From<crate::history::Conversation> for ConversationRow {
    fn from(c: crate::history::Conversation) -> Self {
        Self {
            id: c.id,
            title: c.title,
            model: c.model,
            updated: c.updated,
            snippet: None,
        }
    }
}

impl TaskContext {
    pub(super) async fn list_conversations(&self, id: RequestId, query: String) {
        let r = self
            .history
            .with(move |h| {
                if query.trim().is_empty() {
                    Ok(h.list(500)?
                        .into_iter()
                        .map(ConversationRow::from)
                        .collect::<Vec<_>>())
                } else {
                    let mut rows: Vec<ConversationRow> = Vec::new();
                    for hit in h.search(&query, 200)? {
                        if rows.iter().any(|r| r.id == hit.conversation_id) {
                            continue;
                        }
                        rows.push(ConversationRow {
                            id: hit.conversation_id,
                            title: hit.title,
                            model: hit.model,
                            updated: hit.updated,
                            snippet: Some(hit.snippet),
                        });
                    }
                    Ok(rows)
                }
            })
            .await;
        match r {
            Ok(items) => self.send(ApiEvent::ConversationsListed { id, items }),
            Err(error) => self.send(ApiEvent::HistoryFailed { id, error }),
        }
    }

    pub(super) async fn open_conversation(&self, id: RequestId, conv: i64) {
        match self.history.with(move |h| h.conversation(conv)).await {
            Ok((c, messages)) => self.send(ApiEvent::ConversationOpened {
                id,
                conversation: Box::new(c),
                messages,
            }),
            Err(error) => self.send(ApiEvent::HistoryFailed { id, error }),
        }
    }

    pub(super) async fn delete_conversation(&self, id: RequestId, conv: i64) {
        match self.history.with(move |h| h.delete(conv)).await {
            Ok(()) => self.send(ApiEvent::ConversationDeleted {
                id,
                conversation: conv,
            }),
            Err(error) => self.send(ApiEvent::HistoryFailed { id, error }),
        }
    }

    pub(super) async fn check_conversation(&self, id: RequestId, conv: i64) {
        match self.history.with(move |h| h.exists(conv)).await {
            Ok(true) => {}
            Ok(false) => self.send(ApiEvent::ConversationDeleted {
                id,
                conversation: conv,
            }),
            Err(e) => tracing::warn!(error = %e, "could not check the open conversation"),
        }
    }

    /// Another process may have written to the database: tell the UI when it did. Many
    /// file events come per write; only the first check after it sees a new version.
    /// The file event can come a moment before the commit is visible (the writer appends
    /// to the log, then marks the commit in shared memory, which makes no file event), so
    /// the check is made again after each of `SETTLE` — only after a write, never idle.
    pub(super) async fn check_history_changed(&self) {
        for wait in [Duration::ZERO].into_iter().chain(SETTLE) {
            tokio::time::sleep(wait).await;
            match self.history.with(History::changed_elsewhere).await {
                Ok(true) => self.send(ApiEvent::HistoryChangedElsewhere),
                Ok(false) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "could not check the history for changes");
                    return;
                }
            }
        }
    }

    pub(super) async fn rename_conversation(&self, id: RequestId, conv: i64, title: String) {
        let t = title.clone();
        match self.history.with(move |h| h.rename(conv, &t)).await {
            Ok(()) => self.send(ApiEvent::HistoryChanged {
                id,
                notice: format!("Renamed to “{title}”."),
            }),
            Err(error) => self.send(ApiEvent::HistoryFailed { id, error }),
        }
    }

    pub(super) async fn show_branch(&self, conv: i64, leaf: i64) {
        if let Err(e) = self.history.with(move |h| h.set_leaf(conv, leaf)).await {
            tracing::warn!(error = %e, "could not remember the branch shown");
        }
    }
}
