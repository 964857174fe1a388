//! Writing conversations: a new conversation, a prompt with its files, a reply as it
//! streams. Each write that reads first runs in `BEGIN IMMEDIATE`, so two oat processes
//! writing one database queue instead of failing or chaining on a stale read.

use chrono::Utc;
use rusqlite::{OptionalExtension, params};

use super::{History, HistoryError, ReplyUpdate, files, title_from};
use crate::credentials::CredentialKind;
use serde_json::Value;

/// A prompt about to be sent, and where it goes.
#[derive(Debug, Clone, PartialEq)]
pub struct NewPrompt<'a> {
    /// `None`: a new conversation, titled from the prompt.
    pub conversation: Option<i64>,
    pub text: &'a str,
    pub files: &'a [crate::attach::Attachment],
    /// The message the prompt follows (`None`: the first).
    pub parent: Option<i64>,
    /// A regenerate: the reply answers this saved prompt, and no prompt is added.
    pub reply_to: Option<i64>,
    pub model: &'a str,
    pub system: Option<&'a str>,
    /// What the prompt is sent with (`conversation::Settings` as JSON).
    pub settings: &'a Value,
}

impl History {
    /// Saves a prompt before it is sent: the conversation (created, or its model, system
    /// prompt and settings brought up to this prompt's, so resuming takes the latest) and
    /// the prompt with its files and settings. Returns (conversation, the message the reply
    /// answers). One transaction: a prompt is never kept without its conversation's
    /// settings, nor the other way round.
    pub fn save_prompt(&self, p: &NewPrompt<'_>) -> Result<(i64, i64), HistoryError> {
        let tx = self.write()?;
        let now = Utc::now().to_rfc3339();
        let settings = p.settings.to_string();
        let conversation = match p.conversation {
            Some(c) => {
                let changed = self.sql(tx.execute(
                    "UPDATE conversations SET model = ?1, system = ?2, settings = ?3 WHERE id = ?4",
                    params![p.model, p.system, settings, c],
                ))?;
                if changed == 0 {
                    return Err(HistoryError::NotFound(c));
                }
                c
            }
            None => {
                self.sql(tx.execute(
                    "INSERT INTO conversations (title, model, system, settings, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                    params![title_from(p.text), p.model, p.system, settings, now],
                ))?;
                tx.last_insert_rowid()
            }
        };
        let prompt = match p.reply_to {
            Some(id) => id,
            None => {
                let content =
                    serde_json::Value::Array(crate::attach::user_content(p.text, p.files, true));
                self.sql(tx.execute(
                    "INSERT INTO messages (conversation_id, role, content, text, complete, created, parent_id, settings) VALUES (?1, 'user', ?2, ?3, 1, ?4, ?5, ?6)",
                    params![conversation, content.to_string(), p.text, now, p.parent, settings],
                ))?;
                let id = tx.last_insert_rowid();
                self.sql(files::link(&tx, id, p.files))?;
                id
            }
        };
        self.sql(tx.execute(
            "UPDATE conversations SET leaf = ?1, updated = ?2 WHERE id = ?3",
            params![prompt, now, conversation],
        ))?;
        self.sql(tx.commit())?;
        Ok((conversation, prompt))
    }

    pub fn create_conversation(
        &self,
        first_prompt: &str,
        model: &str,
        system: Option<&str>,
        settings: &Value,
    ) -> Result<i64, HistoryError> {
        let now = Utc::now().to_rfc3339();
        self.sql(self.conn.execute(
            "INSERT INTO conversations (title, model, system, settings, created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
            params![title_from(first_prompt), model, system, settings.to_string(), now],
        ))?;
        Ok(self.conn.last_insert_rowid())
    }

    /// Saves the person's message at the end of the branch last used (before it is sent,
    /// so it survives anything after).
    pub fn add_user_message(&self, conversation: i64, text: &str) -> Result<i64, HistoryError> {
        let parent = self.leaf(conversation)?;
        self.add_prompt(conversation, parent, text, &[])
    }

    /// Saves a prompt and its files under `parent` (`None`: the first prompt) and makes it
    /// the end of the branch shown. A prompt under a message that already has one starts a
    /// new branch; the old one stays. One transaction, so a file is never stored without
    /// the message that uses it.
    pub fn add_prompt(
        &self,
        conversation: i64,
        parent: Option<i64>,
        text: &str,
        files: &[crate::attach::Attachment],
    ) -> Result<i64, HistoryError> {
        let tx = self.write()?;
        let content = serde_json::Value::Array(crate::attach::user_content(text, files, true));
        self.sql(tx.execute(
            "INSERT INTO messages (conversation_id, role, content, text, complete, created, parent_id) VALUES (?1, 'user', ?2, ?3, 1, ?4, ?5)",
            params![conversation, content.to_string(), text, Utc::now().to_rfc3339(), parent],
        ))?;
        let id = tx.last_insert_rowid();
        self.sql(files::link(&tx, id, files))?;
        self.sql(tx.execute(
            "UPDATE conversations SET leaf = ?1, updated = ?2 WHERE id = ?3",
            params![id, Utc::now().to_rfc3339(), conversation],
        ))?;
        self.sql(tx.commit())?;
        Ok(id)
    }

    /// Saves the results of a reply's tool calls as the user message that answers it
    /// (`content`: the `tool_result` blocks exactly as sent) under the reply `parent`, and
    /// makes it the end of the branch shown; the next reply answers it.
    pub fn add_tool_results(
        &self,
        conversation: i64,
        parent: i64,
        content: &Value,
        text: &str,
    ) -> Result<i64, HistoryError> {
        let tx = self.write()?;
        let now = Utc::now().to_rfc3339();
        self.sql(tx.execute(
            "INSERT INTO messages (conversation_id, role, content, text, complete, created, parent_id) VALUES (?1, 'user', ?2, ?3, 1, ?4, ?5)",
            params![conversation, content.to_string(), text, now, parent],
        ))?;
        let id = tx.last_insert_rowid();
        self.sql(tx.execute(
            "UPDATE conversations SET leaf = ?1, updated = ?2 WHERE id = ?3",
            params![id, now, conversation],
        ))?;
        self.sql(tx.commit())?;
        Ok(id)
    }

    /// `BEGIN IMMEDIATE`: the write lock first, so a write that reads before it writes
    /// waits for another process instead of failing on a stale snapshot.
    pub(super) fn write(&self) -> Result<rusqlite::Transaction<'_>, HistoryError> {
        self.sql(rusqlite::Transaction::new_unchecked(
            &self.conn,
            rusqlite::TransactionBehavior::Immediate,
        ))
    }

    fn leaf(&self, conversation: i64) -> Result<Option<i64>, HistoryError> {
        self.sql(
            self.conn
                .query_row(
                    "SELECT leaf FROM conversations WHERE id = ?1",
                    [conversation],
                    |r| r.get(0),
                )
                .optional(),
        )?
        .ok_or(HistoryError::NotFound(conversation))
    }

    /// Starts a reply row at the end of the branch last used; see `start_reply_to`.
    pub fn start_reply(
        &self,
        conversation: i64,
        model: &str,
        paid_by: Option<CredentialKind>,
    ) -> Result<i64, HistoryError> {
        let parent = self.leaf(conversation)?;
        self.start_reply_to(conversation, parent, model, paid_by)
    }

    /// Starts a reply row to the prompt `parent`, incomplete, to be filled by
    /// `update_reply`, and makes it the end of the branch shown. A second reply to one
    /// prompt (regenerate) is a sibling of the first. `paid_by` is the kind of credential
    /// the request went out with (a cost is shown for API keys only).
    pub fn start_reply_to(
        &self,
        conversation: i64,
        parent: Option<i64>,
        model: &str,
        paid_by: Option<CredentialKind>,
    ) -> Result<i64, HistoryError> {
        let kind = paid_by.map(|k| match k {
            CredentialKind::ApiKey => "api-key",
            CredentialKind::Oauth => "oauth",
        });
        let tx = self.write()?;
        self.sql(tx.execute(
            "INSERT INTO messages (conversation_id, role, content, text, model, complete, created, credential_kind, parent_id) VALUES (?1, 'assistant', '[]', '', ?2, 0, ?3, ?4, ?5)",
            params![conversation, model, Utc::now().to_rfc3339(), kind, parent],
        ))?;
        let id = tx.last_insert_rowid();
        self.sql(tx.execute(
            "UPDATE conversations SET leaf = ?1 WHERE id = ?2",
            params![id, conversation],
        ))?;
        self.sql(tx.commit())?;
        Ok(id)
    }

    pub fn update_reply(&self, message: i64, u: &ReplyUpdate) -> Result<(), HistoryError> {
        let ms = u
            .first_token
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        self.sql(self.conn.execute(
            "UPDATE messages SET content = ?1, text = ?2, usage = ?3, stop_reason = ?4, first_token_ms = ?5, complete = ?6, stop_details = ?7, stopped = ?8, api_id = coalesce(?10, api_id), binding = coalesce(?11, binding), diagnostics = coalesce(?12, diagnostics) WHERE id = ?9",
            params![
                u.content.to_string(),
                u.text,
                u.usage.as_ref().map(Value::to_string),
                u.stop_reason,
                ms,
                u.complete,
                u.stop_details.as_ref().map(Value::to_string),
                u.stopped,
                message,
                u.api_id,
                u.binding.as_ref().map(Value::to_string),
                u.diagnostics.as_ref().map(Value::to_string),
            ],
        ))?;
        Ok(())
    }
}
