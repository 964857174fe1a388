//! `oat key …`: add (read without echo, repaired, checked, validated live), list, use,
//! rename, remove and show. Secrets go to the OS keyring, or — only where none exists and
//! the person agrees — to a 0600 file. A full secret is printed only by `show --reveal`.

use crate::cli::out::{out, outln};
use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};
use serde_json::json;

mod add;

use add::add;

use super::{CliError, Context, warn_file_backend};
use crate::config::Backend;
use crate::credentials::Expiry;
use crate::credentials::keys::{KeyEntry, Keys, Removed, Resolved};
use crate::credentials::token::estimate_expiry;
use crate::status::{backend_label, endpoint_label};

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Store a key: paste it (no echo) or pipe it on stdin. It is validated live.
    Add(AddArgs),
    /// The stored keys and those in the environment; never a full secret.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Make NAME the active key.
    Use { name: String },
    /// Rename a stored key (its secret moves with it).
    Rename { old: String, new: String },
    /// Remove a key and its secret from its store.
    Remove { name: String },
    /// Show a key's details; `--reveal` prints the secret itself to stdout.
    Show {
        name: String,
        #[arg(long)]
        reveal: bool,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// A name for the key (default: `setup-token` or `api-key`).
    pub name: Option<String>,
    /// Where to keep the secret: the OS keyring (default) or a 0600 file.
    #[arg(long, value_enum)]
    pub store: Option<Backend>,
    /// The day the token was really created (expiry counts from it; default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub created: Option<NaiveDate>,
    /// A note shown beside the key.
    #[arg(long)]
    pub label: Option<String>,
    /// Store the key even though the API refused it.
    #[arg(long)]
    pub force: bool,
    /// The model chats with this key start with. (`--base-url URL` given here becomes the
    /// key's own endpoint: a company gateway or a local server.)
    #[arg(long, value_name = "ID")]
    pub model: Option<String>,
}

pub async fn run(ctx: &Context, cmd: KeyCommand) -> Result<(), CliError> {
    let mut keys = ctx.keys();
    match cmd {
        KeyCommand::Add(args) => add(ctx, &mut keys, args).await,
        KeyCommand::List { json } => {
            list(&keys, json)?;
            // Once for the list, not once per key.
            if keys.list().iter().any(|k| k.meta.backend == Backend::File) {
                warn_file_backend();
            }
            Ok(())
        }
        KeyCommand::Use { name } => {
            keys.set_active(&name)?;
            outln!("`{name}` is now the active key.")?;
            Ok(())
        }
        KeyCommand::Rename { old, new } => {
            keys.rename(&old, &new)?;
            outln!("Renamed `{old}` to `{new}`.")?;
            Ok(())
        }
        KeyCommand::Remove { name } => {
            match keys.remove(&name)? {
                Removed::Key(backend) => outln!(
                    "Removed `{name}` and deleted its secret from the {}.",
                    backend_label(backend)
                )?,
                Removed::Orphan(backend) => outln!(
                    "Deleted the orphan secret `{name}` from the {} (no key pointed at it).",
                    backend_label(backend)
                )?,
            }
            if keys.config.config.active_key.is_none() && !keys.list().is_empty() {
                outln!("No key is active now: choose one with `oat key use NAME`.")?;
            }
            Ok(())
        }
        KeyCommand::Show { name, reveal } => {
            let resolved = keys.credential(&name)?;
            if resolved.meta.backend == Backend::File {
                warn_file_backend();
            }
            if reveal {
                outln!("{}", resolved.credential.secret.expose())?;
            } else {
                print_key(&resolved)?;
                eprintln!("(add --reveal to print the secret itself)");
            }
            Ok(())
        }
    }
}

fn print_key(r: &Resolved) -> Result<(), CliError> {
    let m = &r.meta;
    outln!("Key         {}", m.name)?;
    outln!("Kind        {}", m.kind.label())?;
    outln!("Secret      {}", r.credential.secret)?;
    outln!("Stored in   {}", backend_label(m.backend))?;
    if let Some(l) = &m.label {
        outln!("Label       {l}")?;
    }
    if let Some(e) = &m.base_url {
        outln!("Endpoint    {e}")?;
    }
    if let Some(model) = &m.model {
        outln!("Model       {model}")?;
    }
    Ok(())
}

/// Environment setup tokens have no known start, so no expiry estimate.
fn expiry_of(m: &crate::config::KeyMeta, today: NaiveDate) -> Option<Expiry> {
    (m.backend != Backend::Env || m.created.is_some())
        .then(|| estimate_expiry(m.kind, m.created_or_added(), today))
}

fn entry_json(
    e: &KeyEntry,
    masked: Option<String>,
    attempt: Option<&crate::config::LastValidation>,
    today: NaiveDate,
) -> serde_json::Value {
    let m = &e.meta;
    json!({
        "name": m.name,
        "active": e.active,
        "kind": m.kind,
        "backend": m.backend,
        "masked": masked,
        "added": (m.backend != Backend::Env).then_some(m.added),
        "created": m.created,
        "label": m.label,
        "base_url": m.base_url,
        "model": m.model,
        "expiry": expiry_of(m, today),
        "last_validation": m.last_validation,
        // A newer check that got no verdict (offline); `last_validation` stays the verdict.
        "last_attempt": attempt,
    })
}

/// One key's row in `oat key list`: the secret masked (or why it cannot be read).
fn table_row(
    e: &crate::credentials::keys::KeyEntry,
    masked: Result<String, String>,
    today: chrono::NaiveDate,
) -> Vec<String> {
    let m = &e.meta;
    let expires = match expiry_of(m, today) {
        None => "?".to_string(),
        Some(Expiry::None) => "never".into(),
        Some(Expiry::Valid { expires, days_left }) => format!("{expires} ({days_left}d)"),
        Some(Expiry::Expiring { expires, days_left } | Expiry::Expired { expires, days_left }) => {
            format!("{expires} ({days_left}d) !")
        }
    };
    let last = m.last_validation.as_ref().map_or("never".into(), |v| {
        format!(
            "{} {}",
            v.result,
            v.at.with_timezone(&Local).format("%Y-%m-%d %H:%M")
        )
    });
    vec![
        format!("{}{}", if e.active { "* " } else { "  " }, m.name),
        m.kind.to_string(),
        m.backend.to_string(),
        masked.unwrap_or_else(|err| format!("(unavailable: {err})")),
        if m.backend == Backend::Env {
            "-".into()
        } else {
            m.added.with_timezone(&Local).format("%Y-%m-%d").to_string()
        },
        expires,
        last,
        m.base_url.as_deref().map_or("-".into(), endpoint_label),
    ]
}

fn list(keys: &Keys, as_json: bool) -> Result<(), CliError> {
    let today = Local::now().date_naive();
    let entries = keys.list();
    for name in keys.orphans() {
        // On stderr, so the table (or JSON) on stdout stays what scripts expect.
        eprintln!(
            "oat: the credentials file holds a secret `{name}` that no key points at \
             (left by an interrupted add); delete it with `oat key remove {name}`"
        );
    }
    // One read of each secret (a keyring round trip each), for its masked form.
    let masked = keys.masked_secrets(&entries);
    if as_json {
        let all: Vec<_> = entries
            .iter()
            .zip(masked)
            .map(|(e, m)| {
                let attempt = keys.config.config.last_attempts.get(&e.meta.name);
                entry_json(e, m.ok(), attempt, today)
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&all).unwrap_or_default())?;
        return Ok(());
    }
    if entries.is_empty() {
        outln!("No keys yet. Add one with `oat key add` (see `oat key add --help`).")?;
        return Ok(());
    }
    let mut rows: Vec<Vec<String>> = entries
        .iter()
        .zip(masked)
        .map(|(e, masked)| table_row(e, masked, today))
        .collect();
    // The endpoint column only where some key has one of its own.
    let mut header = vec![
        "  NAME",
        "KIND",
        "STORE",
        "SECRET",
        "ADDED",
        "EXPIRES",
        "LAST CHECK",
        "ENDPOINT",
    ];
    if entries.iter().all(|e| e.meta.base_url.is_none()) {
        header.pop();
        for r in &mut rows {
            r.pop();
        }
    }
    out!("{}", super::table::render(&header, &rows))
}
