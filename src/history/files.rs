//! The attachments table: each file stored once under its SHA-256, linked from the
//! messages that carried it, and freed when no message links it any more.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use super::StoredMessage;
use crate::attach::{Attachment, Kind};

/// Stores the files (once each) and links them to `message`, in the caller's transaction.
pub(super) fn link(conn: &Connection, message: i64, files: &[Attachment]) -> rusqlite::Result<()> {
    for (i, f) in files.iter().enumerate() {
        conn.execute(
            "INSERT OR IGNORE INTO attachments (sha256, kind, media_type, size, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![f.sha256, f.kind.as_str(), f.media_type, f.size() as i64, &f.data[..]],
        )?;
        conn.execute(
            "INSERT INTO message_attachments (message_id, position, sha256, name) VALUES (?1, ?2, ?3, ?4)",
            params![message, i as i64, f.sha256, f.name],
        )?;
    }
    Ok(())
}

/// Fills each message's `attachments` (one query for the whole conversation; a file used
/// twice is read once and shared).
pub(super) fn load(
    conn: &Connection,
    conversation: i64,
    messages: &mut [StoredMessage],
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(
        "SELECT ma.message_id, ma.name, a.sha256, a.kind, a.media_type, a.data
         FROM message_attachments ma
         JOIN messages m ON m.id = ma.message_id
         JOIN attachments a ON a.sha256 = ma.sha256
         WHERE m.conversation_id = ?1 ORDER BY ma.message_id, ma.position",
    )?;
    let mut rows = stmt.query([conversation])?;
    let mut shared: HashMap<String, Attachment> = HashMap::new();
    let index: HashMap<i64, usize> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| (m.id, i))
        .collect();
    while let Some(r) = rows.next()? {
        let message: i64 = r.get(0)?;
        let name: String = r.get(1)?;
        let sha: String = r.get(2)?;
        let file = match shared.get(&sha) {
            Some(f) => Attachment {
                name: name.clone(),
                ..f.clone()
            },
            None => {
                // Type and hash as stored when the file was first checked: not sniffed
                // or hashed again, and the bytes not copied.
                let data: Vec<u8> = r.get(5)?;
                let kind = Kind::parse(&r.get::<_, String>(3)?).unwrap_or(Kind::Text);
                let f = Attachment::stored(name.clone(), kind, r.get(4)?, sha.clone(), data.into());
                shared.insert(sha.clone(), f.clone());
                f
            }
        };
        if let Some(&i) = index.get(&message) {
            messages[i].attachments.push(file);
        }
    }
    Ok(())
}

/// Deletes the files no message links any more (after a conversation is deleted).
pub(super) fn free_unused(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM attachments WHERE NOT EXISTS (SELECT 1 FROM message_attachments ma WHERE ma.sha256 = attachments.sha256)",
        [],
    )
}
