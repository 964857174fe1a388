//! The history database's schema, as numbered migrations. `PRAGMA user_version` records
//! how far a file has come; a file from a newer oat is refused, never rewritten.

use rusqlite::{Connection, TransactionBehavior};

/// Each entry takes the schema from version `i` to `i + 1`.
pub const MIGRATIONS: &[&str] = &[
    // 1: conversations and their messages.
    "CREATE TABLE conversations (
        id       INTEGER PRIMARY KEY,
        title    TEXT NOT NULL,
        model    TEXT NOT NULL,
        system   TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        created  TEXT NOT NULL,
        updated  TEXT NOT NULL
    );
    CREATE TABLE messages (
        id              INTEGER PRIMARY KEY,
        conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
        role            TEXT NOT NULL,
        content         TEXT NOT NULL,
        text            TEXT NOT NULL,
        model           TEXT,
        usage           TEXT,
        stop_reason     TEXT,
        first_token_ms  INTEGER,
        complete        INTEGER NOT NULL DEFAULT 1,
        created         TEXT NOT NULL
    );
    CREATE INDEX messages_by_conversation ON messages(conversation_id, id);
    CREATE INDEX conversations_by_updated ON conversations(updated DESC);",
    // 2: full-text search over message text, kept in step by triggers.
    "CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
    );
    INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages;
    CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;",
    // 3: prefix indexes, so search-as-you-type on one or two letters stays fast.
    "DROP TRIGGER messages_ai;
    DROP TRIGGER messages_ad;
    DROP TRIGGER messages_au;
    DROP TABLE messages_fts;
    CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2',
        prefix='1 2 3'
    );
    INSERT INTO messages_fts(rowid, text) SELECT id, text FROM messages;
    CREATE TRIGGER messages_ai AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER messages_ad AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER messages_au AFTER UPDATE OF text ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO messages_fts(rowid, text) VALUES (new.id, new.text);
    END;",
    // 4: why a reply stopped, beyond its stop reason (a refusal's category and explanation).
    "ALTER TABLE messages ADD COLUMN stop_details TEXT;",
    // 5: which kind of credential paid for a reply (`api-key` or `oauth`), so a cost is
    // shown only where money was spent.
    "ALTER TABLE messages ADD COLUMN credential_kind TEXT;",
    // 6: branches and files. Each message names its parent (a linear conversation becomes
    // a chain, so nothing is lost); a conversation remembers the message its shown branch
    // ends at; attachments are stored once by their SHA-256 and linked from messages.
    "ALTER TABLE messages ADD COLUMN parent_id INTEGER;
    UPDATE messages SET parent_id = (
        SELECT max(p.id) FROM messages p
        WHERE p.conversation_id = messages.conversation_id AND p.id < messages.id
    );
    CREATE INDEX messages_by_parent ON messages(parent_id);
    ALTER TABLE conversations ADD COLUMN leaf INTEGER;
    UPDATE conversations SET leaf = (
        SELECT max(id) FROM messages WHERE conversation_id = conversations.id
    );
    CREATE TABLE attachments (
        sha256     TEXT PRIMARY KEY,
        kind       TEXT NOT NULL,
        media_type TEXT NOT NULL,
        size       INTEGER NOT NULL,
        data       BLOB NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE message_attachments (
        message_id INTEGER NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
        position   INTEGER NOT NULL,
        sha256     TEXT NOT NULL REFERENCES attachments(sha256),
        name       TEXT NOT NULL,
        PRIMARY KEY (message_id, position)
    );
    CREATE INDEX message_attachments_by_sha ON message_attachments(sha256);",
    // 7: what each prompt was sent with (model, choices, caching, API version), so a
    // `/model` mid-conversation is kept and a turn shows the model that answered it.
    "ALTER TABLE messages ADD COLUMN settings TEXT;",
    // 8: a deleted conversation's id is never given to another (`AUTOINCREMENT`), so a
    // script's `--continue ID` cannot reach a different conversation. SQLite adds it only
    // by rebuilding the table: every row is copied with its id, and foreign keys are off
    // while `migrate_to` runs, so dropping the old table cascades to no message. And a
    // reply the person stopped says so (`stopped`), on resume and in `history show`.
    "CREATE TABLE conversations_new (
        id       INTEGER PRIMARY KEY AUTOINCREMENT,
        title    TEXT NOT NULL,
        model    TEXT NOT NULL,
        system   TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        created  TEXT NOT NULL,
        updated  TEXT NOT NULL,
        leaf     INTEGER
    );
    INSERT INTO conversations_new (id, title, model, system, settings, created, updated, leaf)
        SELECT id, title, model, system, settings, created, updated, leaf FROM conversations;
    DROP TABLE conversations;
    ALTER TABLE conversations_new RENAME TO conversations;
    CREATE INDEX conversations_by_updated ON conversations(updated DESC);
    ALTER TABLE messages ADD COLUMN stopped INTEGER NOT NULL DEFAULT 0;",
    // 9: what a reply needs for the next request: the API's id for it (`msg_…`, named by
    // the next request's `diagnostics`), what its thinking is bound to (`api::binding`:
    // model and digests, as JSON), and the `diagnostics` the API answered (why the cache
    // missed). Older rows: none of them, read as unknown.
    "ALTER TABLE messages ADD COLUMN api_id TEXT;
    ALTER TABLE messages ADD COLUMN binding TEXT;
    ALTER TABLE messages ADD COLUMN diagnostics TEXT;",
];

pub const LATEST: i64 = MIGRATIONS.len() as i64;

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error(
        "it was written by a newer oat (schema {found}; this oat knows up to {LATEST}): update oat"
    )]
    TooNew { found: i64 },
    #[error(
        "upgrading it to schema {step} would leave {count} rows referring to nothing; it was left as it was"
    )]
    BrokeReferences { step: i64, count: i64 },
    #[error(transparent)]
    Sql(#[from] rusqlite::Error),
}

/// How many rows refer to a row that is not there (`PRAGMA foreign_key_check`).
fn broken_references(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
        r.get(0)
    })
}

/// Brings the database up to `target` (the latest, outside tests), one transaction a step.
/// Each step is `BEGIN IMMEDIATE` (the write lock first, so two processes opening a new
/// file at once queue on the busy timeout instead of failing) and reads `user_version`
/// again inside, so a step another process has just made is not made twice.
///
/// Foreign keys are off meanwhile (SQLite ignores the pragma inside a transaction, so it
/// is set around them): a step that rebuilds a table drops the old one, and with them on
/// that drop would delete every row that refers to it. Each step keeps every id, so the
/// references hold again when they are back on.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<i64, SchemaError> {
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = migrate_steps(conn, target);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    result
}

fn migrate_steps(conn: &mut Connection, target: i64) -> Result<i64, SchemaError> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > LATEST {
            return Err(SchemaError::TooNew { found: version });
        }
        if version >= target {
            return Ok(version);
        }
        let broken_before = broken_references(&tx)?;
        tx.execute_batch(MIGRATIONS[usize::try_from(version).unwrap_or(0)])?;
        // A step that lost a row others refer to is undone (the transaction rolls back),
        // rather than leave messages pointing nowhere.
        let broken_after = broken_references(&tx)?;
        if broken_after > broken_before {
            return Err(SchemaError::BrokeReferences {
                step: version + 1,
                count: broken_after - broken_before,
            });
        }
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
