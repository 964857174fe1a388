//! `oat history …`: list, show (text, JSON or Markdown), search, export, delete, and reset
//! (a broken database is moved aside, never deleted).

use chrono::Local;
use clap::Subcommand;

use super::CliError;
use crate::api::pricing::PriceTable;
use crate::api::web;
use crate::history::{History, HistoryError, StoredMessage};

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
    /// Conversations, newest first.
    List {
        #[arg(long)]
        json: bool,
        /// How many to show.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One conversation.
    Show {
        id: i64,
        #[arg(long, conflicts_with = "markdown")]
        json: bool,
        #[arg(long)]
        markdown: bool,
    },
    /// Full-text search over every message.
    Search {
        query: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// A conversation as Markdown on stdout (`> file.md`).
    Export {
        id: i64,
        /// The only format for now; accepted for clarity in scripts.
        #[arg(long, default_value_t = true)]
        markdown: bool,
    },
    /// Rename a conversation.
    Rename { id: i64, title: Vec<String> },
    /// Delete a conversation and its messages.
    Delete { id: i64 },
    /// Move a broken history database aside and start a fresh one.
    Reset,
}

impl From<HistoryError> for CliError {
    fn from(e: HistoryError) -> Self {
        let code = if matches!(e, HistoryError::NotFound(_)) {
            2
        } else {
            1
        };
        CliError::usage(e.to_string()).with_code(code)
    }
}

pub fn open() -> Result<History, CliError> {
    Ok(History::open(&crate::history::path())?)
}

fn json_out<T: serde::Serialize>(v: &T) -> Result<(), CliError> {
    let s = serde_json::to_string_pretty(v).map_err(|e| CliError::usage(e.to_string()))?;
    println!("{s}");
    Ok(())
}

pub fn markdown(h: &History, id: i64) -> Result<String, CliError> {
    let (c, messages) = h.conversation(id)?;
    let mut s = format!("# {}\n\n", c.title);
    s.push_str(&format!(
        "*{} · {} · started {}*\n\n",
        c.model,
        format_args!("conversation {}", c.id),
        c.created.with_timezone(&Local).format("%Y-%m-%d %H:%M")
    ));
    if let Some(sys) = &c.system {
        s.push_str(&format!("> **System:** {sys}\n\n"));
    }
    for m in &messages {
        s.push_str(&section(m));
    }
    Ok(s)
}

/// A reply's text as it read in the app: citation markers after cited text, then its
/// sources; a message without citations is its plain text.
fn shown_text(m: &StoredMessage) -> String {
    let blocks = m.content.as_array().map(Vec::as_slice).unwrap_or_default();
    let shown = web::render(blocks);
    if shown.sources.list.is_empty() {
        return m.text.trim_end().to_string();
    }
    let mut s = shown.text.trim_end().to_string();
    s.push_str("\n\nSources:");
    for line in shown.sources.lines() {
        s.push_str(&format!("\n{line}"));
    }
    s
}

/// Moves every ATX heading of `text` (outside code fences) two levels down, so a reply's
/// own `## Steps` sits under the turn's `## Claude` in an export, not beside it. Level 6
/// is as deep as Markdown goes.
pub fn demote_headings(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut fence: Option<&str> = None;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => fence = Some(m),
            (Some(open), Some(m)) if open == m => fence = None,
            _ => {}
        }
        let indent = &line[..line.len() - trimmed.len()];
        let hashes = trimmed.bytes().take_while(|b| *b == b'#').count();
        let rest = &trimmed[hashes..];
        let is_heading = fence.is_none()
            && marker.is_none()
            && indent.len() <= 3
            && (1..=6).contains(&hashes)
            && (rest.is_empty() || rest.starts_with([' ', '\t', '\n', '\r']));
        if is_heading {
            let deeper = (hashes + 2).min(6);
            out.push_str(indent);
            out.push_str(&"#".repeat(deeper));
            out.push_str(&trimmed[hashes..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

fn section(m: &StoredMessage) -> String {
    let who = if m.role == "user" { "You" } else { "Claude" };
    let mut s = format!("## {who}\n\n{}\n\n", demote_headings(&shown_text(m)));
    if !m.complete {
        s.push_str("*(incomplete: the reply was cut off)*\n\n");
    }
    s
}

pub async fn run(cmd: HistoryCommand, prices: &PriceTable) -> Result<(), CliError> {
    if let HistoryCommand::Reset = cmd {
        let path = crate::history::path();
        if !path.exists() {
            println!("No history database at {}; nothing to do.", path.display());
            return Ok(());
        }
        let aside = History::set_aside(&path)
            .map_err(|e| CliError::usage(format!("{}: {e}", path.display())).with_code(1))?;
        History::open(&path)?;
        println!(
            "Kept the old database as {} and started a fresh one.",
            aside.display()
        );
        return Ok(());
    }
    let h = open()?;
    match cmd {
        HistoryCommand::List { json, limit } => {
            let list = h.list(limit)?;
            let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
            let spend = h.spend(&ids, prices)?;
            let spend_of = |id: i64| spend.get(&id).copied().unwrap_or_default();
            if json {
                let rows: Vec<serde_json::Value> = list
                    .iter()
                    .map(|c| {
                        let mut v = serde_json::to_value(c).unwrap_or_default();
                        let s = spend_of(c.id);
                        v["cost_usd"] = serde_json::json!(
                            s.cost.filter(|_| s.api_key_replies > 0).map(|c| c.usd())
                        );
                        v["spend"] = serde_json::json!(s);
                        v
                    })
                    .collect();
                return json_out(&rows);
            }
            if list.is_empty() {
                println!("No conversations yet (`oat ask --save` or the app keeps them).");
                return Ok(());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|c| {
                    vec![
                        c.id.to_string(),
                        c.updated
                            .with_timezone(&Local)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                        c.model.clone(),
                        spend_of(c.id).label(),
                        c.title.clone(),
                    ]
                })
                .collect();
            print!(
                "{}",
                super::table::render(&["ID", "UPDATED", "MODEL", "COST", "TITLE"], &rows)
            );
        }
        HistoryCommand::Show {
            id,
            json,
            markdown: md,
        } => {
            if json {
                let (c, messages) = h.conversation(id)?;
                return json_out(&serde_json::json!({"conversation": c, "messages": messages}));
            }
            if md {
                print!("{}", markdown(&h, id)?);
                return Ok(());
            }
            let (c, messages) = h.conversation(id)?;
            println!("{} — {} ({})", c.id, c.title, c.model);
            for m in messages {
                let who = if m.role == "user" { "You" } else { "Claude" };
                let tail = if m.complete { "" } else { "  [incomplete]" };
                println!("\n{who}:{tail}\n{}", shown_text(&m));
            }
        }
        HistoryCommand::Search { query, json } => {
            let hits = h.search(&query.join(" "), 100)?;
            if json {
                return json_out(&hits);
            }
            if hits.is_empty() {
                println!("No matches.");
            }
            for hit in hits {
                println!(
                    "{:>5}  {}  {}: {}",
                    hit.conversation_id,
                    hit.title,
                    hit.role,
                    hit.snippet.replace('\n', " ")
                );
            }
        }
        HistoryCommand::Export { id, .. } => print!("{}", markdown(&h, id)?),
        HistoryCommand::Rename { id, title } => {
            h.rename(id, &title.join(" "))?;
            println!("Renamed conversation {id}.");
        }
        HistoryCommand::Delete { id } => {
            h.delete(id)?;
            println!("Deleted conversation {id}.");
        }
        HistoryCommand::Reset => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::demote_headings;

    #[test]
    fn headings_inside_a_turn_go_below_the_turn() {
        let reply = "# Plan\n\n## Steps\n\ntext with a # sign\n\n```sh\n# a comment\n```\n\n###### deepest\n#nospace\n   ### indented\n";
        assert_eq!(
            demote_headings(reply),
            "### Plan\n\n#### Steps\n\ntext with a # sign\n\n```sh\n# a comment\n```\n\n###### deepest\n#nospace\n   ##### indented\n"
        );
    }
}
