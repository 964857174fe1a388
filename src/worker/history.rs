//! The History pane's requests: list, search, open, delete, rename, and the branch shown.
//! Database calls run on tokio's blocking pool (`history::Shared`). Saving a turn as it
//! streams is the conversation engine's (`conversation::turn`).

use serde::Serialize;

use super::{ApiEvent, RequestId, TaskContext};

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
            Ok(()) => self.send(ApiEvent::HistoryChanged {
                id,
                notice: format!("Deleted conversation {conv}."),
            }),
            Err(error) => self.send(ApiEvent::HistoryFailed { id, error }),
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
