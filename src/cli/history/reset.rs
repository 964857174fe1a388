//! `oat history reset`: moves a database that fails to open or check aside (never deletes
//! it) and starts a fresh one. A healthy database is left alone unless `--force`, asked
//! again on a terminal: moving it aside hides every conversation from view.

use std::io::IsTerminal;

use super::{CliError, History, HistoryError};
use crate::cli::out::outln;

pub(super) fn run(force: bool) -> Result<(), CliError> {
    let path = crate::history::path();
    if !path.exists() {
        outln!("No history database at {}; nothing to do.", path.display())?;
        return Ok(());
    }
    if let Some(healthy) = healthy(&path) {
        if !force {
            return Err(CliError::usage(format!(
                "{} is healthy ({healthy}); nothing to reset",
                path.display()
            ))
            .with_advice(
                "`oat history reset --force` moves it aside anyway (nothing is deleted)",
            ));
        }
        if std::io::stdin().is_terminal() && !confirm(&path, &healthy)? {
            outln!("Left {} as it is.", path.display())?;
            return Ok(());
        }
    }
    let aside = History::set_aside(&path)
        .map_err(|e| CliError::usage(crate::files::io_words(&path, &e)).with_code(1))?;
    History::open(&path)?;
    outln!(
        "Kept the old database as {} and started a fresh one.",
        aside.display()
    )
}

/// What a database that opens and checks holds ("3 conversations"), or `None` when it
/// fails either: the only database `history reset` moves without `--force`. A database
/// from a newer oat is not broken either: moving it aside would hide every conversation.
fn healthy(path: &std::path::Path) -> Option<String> {
    match History::check(path) {
        Ok(n) => Some(crate::history::conversations(n)),
        Err(HistoryError::Schema {
            source: crate::history::SchemaError::TooNew { .. },
            ..
        }) => Some("written by a newer oat".into()),
        Err(_) => None,
    }
}

/// Asks on the terminal before a healthy database is moved aside; anything but yes is no.
fn confirm(path: &std::path::Path, what: &str) -> Result<bool, CliError> {
    let answer = crate::cli::question::ask(&format!(
        "{} is healthy ({what}). Move it aside and start empty? [y/N] ",
        path.display()
    ))?;
    Ok(matches!(answer.as_str(), "y" | "Y" | "yes" | "Yes"))
}
