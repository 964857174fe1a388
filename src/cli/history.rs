//! `oat history …`: list, show (text, JSON or Markdown), search, export, delete, and reset
//! (a broken database is moved aside, never deleted).

use crate::cli::out::{out, outln};

use chrono::Local;
use clap::Subcommand;

use super::CliError;
use crate::api::pricing::PriceTable;
use crate::api::web;
use crate::history::{History, HistoryError, StoredMessage};

mod reset;
mod show;
mod tools;

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
    /// One conversation: the branch last used (`--all`: every branch).
    Show {
        id: i64,
        /// Every branch, each from where it leaves the one before.
        #[arg(long, conflicts_with_all = ["json", "markdown"])]
        all: bool,
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
    /// A conversation's branch last used as Markdown, on stdout or into `-o FILE`.
    /// Attached files are written beside it (`FILE.files/`, or `conversation-ID.files/`
    /// in the current folder for stdout) and linked.
    Export {
        id: i64,
        /// The only format for now; accepted for clarity in scripts.
        #[arg(long, default_value_t = true)]
        markdown: bool,
        /// Write the Markdown here instead of stdout.
        #[arg(short, long, value_name = "FILE")]
        output: Option<std::path::PathBuf>,
    },
    /// Rename a conversation.
    Rename { id: i64, title: Vec<String> },
    /// Delete a conversation and its messages.
    Delete { id: i64 },
    /// Move a broken history database aside and start a fresh one. A database that opens
    /// and checks is left alone unless `--force` (asked again on a terminal).
    Reset {
        /// Move it aside even though it is healthy.
        #[arg(long)]
        force: bool,
    },
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
    outln!("{s}")?;
    Ok(())
}

/// Where an export puts attached files: the folder as written in links, and on disk.
pub struct FilesDir {
    pub link: String,
    pub path: std::path::PathBuf,
}

/// The conversation's branch last used as Markdown; attached files are written into
/// `files` (each once) and linked, or only named when there is no folder.
pub fn markdown(h: &History, id: i64, files: Option<&FilesDir>) -> Result<String, CliError> {
    let (c, all) = h.conversation(id)?;
    let messages = crate::history::branch(&all, c.leaf);
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
        s.push_str(&section(m, files)?);
    }
    Ok(s)
}

/// Writes one attached file into the export folder (named by its hash's start, so two
/// files of one name stay apart) and returns its link.
fn export_file(f: &crate::attach::Attachment, dir: &FilesDir) -> Result<String, CliError> {
    let name = format!("{}-{}", &f.sha256[..12], f.file_name());
    let path = dir.path.join(&name);
    if !path.exists() {
        std::fs::create_dir_all(&dir.path)
            .and_then(|()| std::fs::write(&path, &f.data[..]))
            .map_err(|e| CliError::usage(crate::files::io_words(&path, &e)).with_code(1))?;
    }
    Ok(format!("{}/{}", dir.link, name.replace(' ', "%20")))
}

/// A reply's text as it read in the app: citation markers after cited text, then its
/// sources; a message without citations is its plain text.
fn shown_text(m: &StoredMessage) -> String {
    if let Some(results) = tools::results(m) {
        return crate::mcp::result::full(&results);
    }
    let mut s = reply_text(m);
    for call in tools::calls(m) {
        s.push('\n');
        s.push_str(&call);
    }
    s
}

/// A message's own text (with its sources), without its tool calls.
fn reply_text(m: &StoredMessage) -> String {
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

fn section(m: &StoredMessage, files: Option<&FilesDir>) -> Result<String, CliError> {
    // A round of tool results: whole, in a fence, under a heading of its own.
    if let Some(results) = tools::results(m) {
        let body = tools::fenced(&crate::mcp::result::full(&results));
        return Ok(format!("## Tool results\n\n{body}\n\n"));
    }
    let who = if m.role == "user" { "You" } else { "Claude" };
    let mut s = format!("## {who}\n\n");
    for f in &m.attachments {
        let line = match files {
            Some(dir) => {
                let link = export_file(f, dir)?;
                if f.kind == crate::attach::Kind::Image {
                    format!("![{}]({link})", f.file_name())
                } else {
                    format!("📎 [{}]({link})", f.chip())
                }
            }
            None => format!("📎 {}", f.chip()),
        };
        s.push_str(&line);
        s.push_str("\n\n");
    }
    s.push_str(&format!("{}\n\n", demote_headings(&reply_text(m))));
    let calls = tools::calls(m);
    if !calls.is_empty() {
        s.push_str(&format!("{}\n\n", tools::fenced(&calls.join("\n"))));
    }
    if m.stopped {
        s.push_str("*(stopped: the reply was stopped here)*\n\n");
    } else if !m.complete {
        s.push_str("*(incomplete: the reply was cut off)*\n\n");
    }
    Ok(s)
}

// Long by design: one arm per `history` subcommand, each a few lines.
pub async fn run(cmd: HistoryCommand, prices: &PriceTable) -> Result<(), CliError> {
    if let HistoryCommand::Reset { force } = cmd {
        return reset::run(force);
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
                outln!("No conversations yet (`oat ask --save` or the app keeps them).")?;
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
            out!(
                "{}",
                super::table::render(&["ID", "UPDATED", "MODEL", "COST", "TITLE"], &rows)
            )?;
        }
        HistoryCommand::Show {
            id,
            all,
            json,
            markdown: md,
        } => {
            if json {
                // Every message of every branch, each with its parent.
                let (c, messages) = h.conversation(id)?;
                return json_out(&serde_json::json!({"conversation": c, "messages": messages}));
            }
            if md {
                out!("{}", markdown(&h, id, None)?)?;
                return Ok(());
            }
            let (c, messages) = h.conversation(id)?;
            show::print(&c, &messages, all, prices)?;
        }
        HistoryCommand::Search { query, json } => {
            let hits = h.search(&query.join(" "), 100)?;
            if json {
                return json_out(&hits);
            }
            if hits.is_empty() {
                outln!("No matches.")?;
            }
            for hit in hits {
                outln!(
                    "{:>5}  {}  {}: {}",
                    hit.conversation_id,
                    hit.title,
                    hit.role,
                    hit.snippet.replace('\n', " ")
                )?;
            }
        }
        HistoryCommand::Export { id, output, .. } => {
            let files = match &output {
                Some(path) => {
                    let dir = format!(
                        "{}.files",
                        path.file_stem().unwrap_or_default().to_string_lossy()
                    );
                    FilesDir {
                        path: path.with_file_name(&dir),
                        link: dir,
                    }
                }
                None => FilesDir {
                    link: format!("conversation-{id}.files"),
                    path: format!("conversation-{id}.files").into(),
                },
            };
            let md = markdown(&h, id, Some(&files))?;
            match output {
                Some(path) => std::fs::write(&path, md)
                    .map_err(|e| CliError::usage(crate::files::io_words(&path, &e)).with_code(1))?,
                None => out!("{md}")?,
            }
            if files.path.is_dir() {
                eprintln!("oat: attached files written to {}", files.path.display());
            }
        }
        HistoryCommand::Rename { id, title } => {
            h.rename(id, &title.join(" "))?;
            outln!("Renamed conversation {id}.")?;
        }
        HistoryCommand::Delete { id } => {
            h.delete(id)?;
            outln!("Deleted conversation {id}.")?;
        }
        HistoryCommand::Reset { .. } => {}
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
