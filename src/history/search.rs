//! Full-text search over every message (SQLite FTS5 with prefix indexes).

use rusqlite::params;

use super::{History, HistoryError, SearchHit, parse_time};

impl History {
    /// Full-text search; every word must match (as a prefix). Newest messages first:
    /// FTS5 walks its index in rowid order and stops at `limit`, so a query matching
    /// most of the history costs no more than one matching little.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchHit>, HistoryError> {
        let fts = fts_query(query);
        if fts.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.sql(self.conn.prepare_cached(
            "SELECT m.conversation_id, c.title, m.id, m.role, snippet(messages_fts, 0, '[', ']', '…', 12), c.model, c.updated
             FROM messages_fts JOIN messages m ON m.id = messages_fts.rowid JOIN conversations c ON c.id = m.conversation_id
             WHERE messages_fts MATCH ?1 ORDER BY messages_fts.rowid DESC LIMIT ?2",
        ))?;
        let rows = self.sql(stmt.query_map(
            params![fts, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                Ok(SearchHit {
                    conversation_id: r.get(0)?,
                    title: r.get(1)?,
                    model: r.get(5)?,
                    updated: parse_time(r.get(6)?),
                    message_id: r.get(2)?,
                    role: r.get(3)?,
                    snippet: r.get(4)?,
                })
            },
        ))?;
        self.sql(rows.collect())
    }
}

/// Turns what a person types into an FTS5 query: each word quoted (so `-` or `:` cannot
/// become syntax) and matched as a prefix; words between double quotes as one phrase
/// (`"borrow checker"`), matched as written.
pub(super) fn fts_query(input: &str) -> String {
    let mut terms = Vec::new();
    for (i, part) in input.split('"').enumerate() {
        let words: Vec<&str> = part.split_whitespace().collect();
        if i % 2 == 1 {
            if !words.is_empty() {
                terms.push(format!("\"{}\"", words.join(" ")));
            }
        } else {
            terms.extend(words.iter().map(|w| format!("\"{w}\"*")));
        }
    }
    terms.join(" ")
}
