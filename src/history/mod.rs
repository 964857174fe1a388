//! Conversations on disk: an embedded SQLite database (WAL) under the platform data dir,
//! with full-text search. Content blocks are kept exactly as the API returned them. Writes
//! are small transactions, so a killed process loses at most what had not been written
//! yet — a streaming reply is saved as it grows, marked incomplete until it ends. No
//! secret is ever stored here. Blocking I/O: call it off the UI thread.

pub mod cost;
mod files;
mod open;
mod save;
mod shared;
pub use save::NewPrompt;
pub use shared::Shared;
pub mod schema;
mod search;
mod tree;

pub use tree::{
    TurnNode, all_branches, branch, branch_nodes, newest_from, node_of, path_to, siblings,
    turn_tree,
};

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::credentials::CredentialKind;
use serde::Serialize;
use serde_json::Value;

pub use schema::SchemaError;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("{path}: {source}")]
    Schema { path: PathBuf, source: SchemaError },
    #[error(
        "{path} is not a usable history database ({message}); run `oat history reset` to keep it aside as {path}.corrupt and start a fresh one"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error("{path}: {source}")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("no conversation {0} (see `oat history list`)")]
    NotFound(i64),
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Conversation {
    pub id: i64,
    pub title: String,
    pub model: String,
    pub system: Option<String>,
    pub settings: Value,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// The message the branch last used ends at: resuming opens that branch.
    pub leaf: Option<i64>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StoredMessage {
    pub id: i64,
    /// The message this one follows; `None` for a conversation's first prompt.
    pub parent: Option<i64>,
    pub role: String,
    /// Content blocks as the API returned them.
    pub content: Value,
    pub text: String,
    pub model: Option<String>,
    pub usage: Option<Value>,
    pub stop_reason: Option<String>,
    /// `stop_details` as the API sent it: a refusal's category and explanation.
    pub stop_details: Option<Value>,
    /// The kind of credential a reply was paid with; `None` for prompts and older rows.
    pub credential_kind: Option<CredentialKind>,
    pub first_token_ms: Option<i64>,
    /// On a prompt: the settings it was sent with (`conversation::Settings` as JSON);
    /// `None` on replies and on rows older than schema 7.
    pub settings: Option<Value>,
    /// False while a reply streams, and forever if it was cut off.
    pub complete: bool,
    /// The person stopped this reply (what arrived before is kept); older rows: false.
    pub stopped: bool,
    /// On a reply: the API's id for it (`msg_…`); `None` before schema 9.
    pub api_id: Option<String>,
    /// On a reply: what its thinking is bound to (`api::binding::Binding` as JSON).
    pub binding: Option<Value>,
    /// On a reply: the API's `diagnostics` (why the cache missed).
    pub diagnostics: Option<Value>,
    pub created: DateTime<Utc>,
    /// The files a prompt carried, in order (their bytes are in the attachments table).
    #[serde(skip)]
    pub attachments: Vec<crate::attach::Attachment>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SearchHit {
    pub conversation_id: i64,
    pub title: String,
    pub model: String,
    pub updated: DateTime<Utc>,
    pub message_id: i64,
    pub role: String,
    /// The matching text with the match between `[` and `]`.
    pub snippet: String,
}

/// What a reply looks like at one moment of its streaming.
#[derive(Debug, Clone, Default)]
pub struct ReplyUpdate {
    pub content: Value,
    pub text: String,
    pub usage: Option<Value>,
    pub stop_reason: Option<String>,
    pub stop_details: Option<Value>,
    pub first_token: Option<Duration>,
    pub complete: bool,
    /// The person stopped it.
    pub stopped: bool,
    /// The API's id for the reply, from `message_start`.
    pub api_id: Option<String>,
    /// What its thinking is bound to (set by whoever sent the request).
    pub binding: Option<Value>,
    pub diagnostics: Option<Value>,
}

impl ReplyUpdate {
    /// The reply as far as it has arrived.
    pub fn from_assembler(
        a: &crate::api::Assembler,
        first_token: Option<Duration>,
        complete: bool,
    ) -> Self {
        Self {
            content: Value::Array(a.content()),
            text: a.text(),
            usage: a.usage().cloned(),
            stop_reason: a.stop_reason().map(str::to_string),
            stop_details: a.stop_details().cloned(),
            first_token,
            complete,
            stopped: false,
            api_id: a.message_id().map(str::to_string),
            binding: None,
            diagnostics: a.diagnostics().cloned(),
        }
    }
}

/// How long a write waits for another process's write: a burst of 16 oat processes each
/// saving a turn (a few milliseconds apiece, fsync included) fits many times over.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

pub struct History {
    conn: Connection,
    path: PathBuf,
    /// `data_version` when last asked (see `changed_elsewhere`).
    seen_version: std::cell::Cell<i64>,
}

pub fn default_path() -> PathBuf {
    crate::paths::data_dir().join("history.db")
}

/// Where conversations are kept: `OAT_HISTORY`, else `default_path()`.
pub fn path() -> PathBuf {
    std::env::var_os("OAT_HISTORY").map_or_else(default_path, PathBuf::from)
}

/// Times are stored as RFC 3339; a row that somehow holds something else reads as now
/// rather than failing the whole list.
fn parse_time(s: String) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&s).map_or_else(|_| Utc::now(), |t| t.with_timezone(&Utc))
}

fn title_from(prompt: &str) -> String {
    let line = prompt
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut t: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        t.push('…');
    }
    if t.is_empty() { "(untitled)".into() } else { t }
}

/// "1 conversation", "3 conversations": the count as a person writes it.
pub fn conversations(n: i64) -> String {
    if n == 1 {
        "1 conversation".into()
    } else {
        format!("{n} conversations")
    }
}

impl History {
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql<T>(&self, r: rusqlite::Result<T>) -> Result<T, HistoryError> {
        r.map_err(|source| HistoryError::Sql {
            path: self.path.clone(),
            source,
        })
    }

    fn row_conversation(r: &rusqlite::Row) -> rusqlite::Result<Conversation> {
        Ok(Conversation {
            id: r.get(0)?,
            title: r.get(1)?,
            model: r.get(2)?,
            system: r.get(3)?,
            settings: serde_json::from_str(&r.get::<_, String>(4)?).unwrap_or(Value::Null),
            created: parse_time(r.get(5)?),
            updated: parse_time(r.get(6)?),
            leaf: r.get(7)?,
        })
    }

    /// Newest first.
    pub fn list(&self, limit: usize) -> Result<Vec<Conversation>, HistoryError> {
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT id, title, model, system, settings, created, updated, leaf FROM conversations ORDER BY updated DESC, id DESC LIMIT ?1",
        ))?;
        let rows = self.sql(stmt.query_map(
            [i64::try_from(limit).unwrap_or(i64::MAX)],
            Self::row_conversation,
        ))?;
        self.sql(rows.collect())
    }

    pub fn latest(&self) -> Result<Option<Conversation>, HistoryError> {
        Ok(self.list(1)?.into_iter().next())
    }

    pub fn conversation(
        &self,
        id: i64,
    ) -> Result<(Conversation, Vec<StoredMessage>), HistoryError> {
        let conv = self
            .sql(
                self.conn
                    .query_row(
                        "SELECT id, title, model, system, settings, created, updated, leaf FROM conversations WHERE id = ?1",
                        [id],
                        Self::row_conversation,
                    )
                    .optional(),
            )?
            .ok_or(HistoryError::NotFound(id))?;
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT id, role, content, text, model, usage, stop_reason, first_token_ms, complete, created, stop_details, credential_kind, parent_id, settings, stopped, api_id, binding, diagnostics FROM messages WHERE conversation_id = ?1 ORDER BY id",
        ))?;
        let rows = self.sql(stmt.query_map([id], |r| {
            let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
            Ok(StoredMessage {
                id: r.get(0)?,
                parent: r.get(12)?,
                role: r.get(1)?,
                content: json(r.get(2)?).unwrap_or(Value::Array(Vec::new())),
                text: r.get(3)?,
                model: r.get(4)?,
                usage: json(r.get(5)?),
                stop_reason: r.get(6)?,
                stop_details: json(r.get(10)?),
                credential_kind: cost::kind_from(r.get(11)?),
                first_token_ms: r.get(7)?,
                settings: json(r.get(13)?),
                complete: r.get(8)?,
                stopped: r.get(14)?,
                api_id: r.get(15)?,
                binding: json(r.get(16)?),
                diagnostics: json(r.get(17)?),
                created: parse_time(r.get(9)?),
                attachments: Vec::new(),
            })
        }))?;
        let mut messages: Vec<StoredMessage> = self.sql(rows.collect())?;
        drop(stmt);
        self.sql(files::load(&self.conn, id, &mut messages))?;
        Ok((conv, messages))
    }

    pub fn exists(&self, id: i64) -> Result<bool, HistoryError> {
        self.sql(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM conversations WHERE id = ?1)",
            [id],
            |r| r.get(0),
        ))
    }

    /// Whether another connection (another oat process) committed a change since the last
    /// call, or since the database was opened: SQLite's `data_version`, which this
    /// connection's own writes leave alone. One cheap read, no table touched.
    pub fn changed_elsewhere(&self) -> Result<bool, HistoryError> {
        let now = self.sql(self.data_version())?;
        Ok(self.seen_version.replace(now) != now)
    }

    fn data_version(&self) -> rusqlite::Result<i64> {
        self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))
    }

    pub fn rename(&self, id: i64, title: &str) -> Result<(), HistoryError> {
        let n = self.sql(self.conn.execute(
            "UPDATE conversations SET title = ?1 WHERE id = ?2",
            params![title, id],
        ))?;
        if n == 0 {
            return Err(HistoryError::NotFound(id));
        }
        Ok(())
    }

    /// Deletes a conversation, every branch of it, and the files nothing else uses.
    pub fn delete(&self, id: i64) -> Result<(), HistoryError> {
        let tx = self.write()?;
        let n = self.sql(tx.execute("DELETE FROM conversations WHERE id = ?1", [id]))?;
        if n == 0 {
            return Err(HistoryError::NotFound(id));
        }
        self.sql(files::free_unused(&tx))?;
        self.sql(tx.commit())
    }

    /// Makes `message` the end of the branch shown (the app switched branches), so
    /// resuming opens it.
    pub fn set_leaf(&self, conversation: i64, message: i64) -> Result<(), HistoryError> {
        self.sql(self.conn.execute(
            "UPDATE conversations SET leaf = ?1 WHERE id = ?2 AND EXISTS (SELECT 1 FROM messages WHERE id = ?1 AND conversation_id = ?2)",
            params![message, conversation],
        ))
        .map(|_| ())
    }

    /// How many files the history holds, and their bytes.
    pub fn attachment_totals(&self) -> Result<(i64, i64), HistoryError> {
        self.sql(self.conn.query_row(
            "SELECT count(*), coalesce(sum(size), 0) FROM attachments",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))
    }
}

#[cfg(test)]
mod tests;
