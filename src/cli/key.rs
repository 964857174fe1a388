//! `oat key …`: add (read without echo, repaired, checked, validated live), list, use,
//! rename, remove and show. Secrets go to the OS keyring, or — only where none exists and
//! the person agrees — to a 0600 file. A full secret is printed only by `show --reveal`.

use std::io::{BufRead, IsTerminal, Read, Write};

use chrono::{Local, NaiveDate};
use clap::{Args, Subcommand};
use serde_json::json;

use super::{warn_file_backend, CliError, Context};
use crate::config::Backend;
use crate::credentials::keys::{check_name, KeyEntry, Keys, NewKey, Removed, Resolved};
use crate::credentials::store::KeyringStore;
use crate::credentials::token::estimate_expiry;
use crate::credentials::{parse_credential, Expiry, TokenError};
use crate::status::{backend_label, endpoint_label, expiry_text, Check, Verdict};

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
            list(&keys, json);
            // Once for the list, not once per key.
            if keys.list().iter().any(|k| k.meta.backend == Backend::File) {
                warn_file_backend();
            }
            Ok(())
        }
        KeyCommand::Use { name } => {
            keys.set_active(&name)?;
            println!("`{name}` is now the active key.");
            Ok(())
        }
        KeyCommand::Rename { old, new } => {
            keys.rename(&old, &new)?;
            println!("Renamed `{old}` to `{new}`.");
            Ok(())
        }
        KeyCommand::Remove { name } => {
            match keys.remove(&name)? {
                Removed::Key(backend) => println!(
                    "Removed `{name}` and deleted its secret from the {}.",
                    backend_label(backend)
                ),
                Removed::Orphan(backend) => println!(
                    "Deleted the orphan secret `{name}` from the {} (no key pointed at it).",
                    backend_label(backend)
                ),
            }
            if keys.config.config.active_key.is_none() && !keys.list().is_empty() {
                println!("No key is active now: choose one with `oat key use NAME`.");
            }
            Ok(())
        }
        KeyCommand::Show { name, reveal } => {
            let resolved = keys.credential(&name)?;
            if resolved.meta.backend == Backend::File {
                warn_file_backend();
            }
            if reveal {
                println!("{}", resolved.credential.secret.expose());
            } else {
                print_key(&resolved);
                eprintln!("(add --reveal to print the secret itself)");
            }
            Ok(())
        }
    }
}

fn read_secret() -> Result<String, CliError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut s = String::new();
        stdin
            .lock()
            .read_to_string(&mut s)
            .map_err(|e| CliError::usage(format!("could not read stdin: {e}")))?;
        return Ok(s);
    }
    let mut secret =
        rpassword::prompt_password("Paste the key or token (input hidden), then Enter: ")
            .map_err(|e| CliError::usage(format!("could not read the terminal: {e}")))?;
    // A paste wrapped across lines (`claude setup-token` output often is) arrives as
    // several lines: while what came so far looks cut off, take the next line too.
    for _ in 0..3 {
        if !matches!(
            parse_credential(&secret, None),
            Err(TokenError::Truncated { .. })
        ) {
            break;
        }
        eprintln!("(that looks cut off: paste the rest, or press Enter to stop)");
        match rpassword::read_password() {
            Ok(more) if !more.trim().is_empty() => secret.push_str(&more),
            _ => break,
        }
    }
    Ok(secret)
}

/// Asks a yes/no question on the terminal; `false` when there is none to ask on.
fn confirm(question: &str) -> bool {
    let Ok(tty) = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
    else {
        return false;
    };
    let mut writer = &tty;
    let _ = write!(writer, "{question} [y/N] ");
    let _ = writer.flush();
    let mut answer = String::new();
    let _ = std::io::BufReader::new(&tty).read_line(&mut answer);
    matches!(answer.trim(), "y" | "Y" | "yes")
}

fn choose_backend(ctx: &Context, requested: Option<Backend>) -> Result<Backend, CliError> {
    let file_path = ctx.config.dir().join("credentials");
    match requested {
        Some(Backend::File) => Ok(Backend::File),
        Some(Backend::Env) => Err(CliError::usage(
            "environment keys are read from the environment, not stored",
        )),
        Some(Backend::Keyring) | None => match KeyringStore::probe() {
            Ok(()) => Ok(Backend::Keyring),
            Err(e) => {
                let offer = format!(
                    "No OS keyring is available here ({e}).\n\
                     oat can keep the secret in plain text in {} (mode 0600, readable only by you).",
                    file_path.display()
                );
                if requested.is_none() {
                    eprintln!("{offer}");
                    if confirm("Store it in that file?") {
                        return Ok(Backend::File);
                    }
                }
                if requested.is_some() {
                    eprintln!("{offer}");
                }
                Err(CliError::usage("not stored: no keyring available")
                    .with_advice("Re-run with `--store file` to keep it in the 0600 file instead."))
            }
        },
    }
}

async fn add(ctx: &Context, keys: &mut Keys, args: AddArgs) -> Result<(), CliError> {
    if let Some(name) = &args.name {
        check_name(name)?;
        if keys.config.key(name).is_some() {
            return Err(
                CliError::usage(format!("a key named `{name}` exists already"))
                    .with_advice("Remove it first, or choose another name."),
            );
        }
    }
    let raw = read_secret()?;
    let credential = parse_credential(&raw, ctx.global.kind)
        .map_err(|e| CliError::usage(format!("not stored: {e}")))?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| keys.free_name(credential.kind));
    let backend = choose_backend(ctx, args.store)?;
    let endpoint = ctx.global.base_url.clone();
    if let Some(url) = &endpoint {
        crate::api::client::check_base_url(url).map_err(|e| CliError::usage(e.to_string()))?;
    }

    let resolved = Resolved {
        name: name.clone(),
        credential: credential.clone(),
        meta: crate::config::KeyMeta {
            name: name.clone(),
            kind: credential.kind,
            backend,
            added: chrono::Utc::now(),
            created: args.created,
            label: args.label.clone(),
            base_url: endpoint.clone(),
            model: args.model.clone(),
            last_validation: None,
        },
    };
    let client = ctx.client_for(&resolved)?;
    eprint!("Checking it with {}… ", endpoint_name(client.base_url()));
    let started = std::time::Instant::now();
    let result = client.validate().await;
    let (check, _) = Check::from_result(&result, started.elapsed());
    match (&result, check.verdict) {
        (Ok(v), _) => eprintln!("valid ({} ms).", v.latency.as_millis()),
        (Err(e), Verdict::Unreachable) => {
            eprintln!("could not check ({e}); storing it unchecked.")
        }
        (Err(e), verdict) if verdict.may_store() => eprintln!("accepted, but: {e}"),
        (Err(e), verdict) => {
            eprintln!("refused.");
            if !args.force {
                let mut err = CliError::from(e.clone());
                err.message = format!("not stored: {}", err.message);
                return Err(err);
            }
            eprintln!(
                "Storing it anyway (--force); the API said: {e} [{}]",
                verdict.as_str()
            );
        }
    }
    keys.add(NewKey {
        name: name.clone(),
        credential: credential.clone(),
        backend,
        created: args.created,
        label: args.label,
        base_url: endpoint.clone(),
        model: args.model,
        last_validation: Some(check.to_last_validation()),
    })?;
    if backend == Backend::File {
        warn_file_backend();
    }
    println!(
        "Stored `{name}` ({}, {}) in the {}.",
        credential.kind.label(),
        credential.secret,
        backend_label(backend)
    );
    if keys.config.config.active_key.as_deref() == Some(name.as_str()) {
        println!("It is the active key.");
    }
    let today = Local::now().date_naive();
    let created = args.created.unwrap_or(today);
    if let e @ (Expiry::Valid { .. } | Expiry::Expiring { .. } | Expiry::Expired { .. }) =
        estimate_expiry(credential.kind, created, today)
    {
        println!("Estimated expiry: {}", expiry_text(Some(&e)));
    }
    Ok(())
}

/// "Anthropic" for Anthropic's API, else the endpoint's host.
fn endpoint_name(base: &url::Url) -> String {
    match base.host_str() {
        Some("api.anthropic.com") => "Anthropic".into(),
        _ => endpoint_label(base.as_str()),
    }
}

fn print_key(r: &Resolved) {
    let m = &r.meta;
    println!("Key         {}", m.name);
    println!("Kind        {}", m.kind.label());
    println!("Secret      {}", r.credential.secret);
    println!("Stored in   {}", backend_label(m.backend));
    if let Some(l) = &m.label {
        println!("Label       {l}");
    }
    if let Some(e) = &m.base_url {
        println!("Endpoint    {e}");
    }
    if let Some(model) = &m.model {
        println!("Model       {model}");
    }
}

/// Environment setup tokens have no known start, so no expiry estimate.
fn expiry_of(m: &crate::config::KeyMeta, today: NaiveDate) -> Option<Expiry> {
    (m.backend != Backend::Env || m.created.is_some())
        .then(|| estimate_expiry(m.kind, m.created_or_added(), today))
}

fn entry_json(e: &KeyEntry, masked: Option<String>, today: NaiveDate) -> serde_json::Value {
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
    })
}

fn list(keys: &Keys, as_json: bool) {
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
    let masked: Vec<Result<String, String>> = entries
        .iter()
        .map(|e| {
            keys.secret(&e.meta.name)
                .map(|s| s.masked())
                .map_err(|err| err.to_string())
        })
        .collect();
    if as_json {
        let all: Vec<_> = entries
            .iter()
            .zip(masked)
            .map(|(e, m)| entry_json(e, m.ok(), today))
            .collect();
        println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
        return;
    }
    if entries.is_empty() {
        println!("No keys yet. Add one with `oat key add` (see `oat key add --help`).");
        return;
    }
    let mut rows: Vec<Vec<String>> = entries
        .iter()
        .zip(masked)
        .map(|(e, masked)| {
            let m = &e.meta;
            let expires = match expiry_of(m, today) {
                None => "?".to_string(),
                Some(Expiry::None) => "never".into(),
                Some(Expiry::Valid { expires, days_left }) => format!("{expires} ({days_left}d)"),
                Some(
                    Expiry::Expiring { expires, days_left }
                    | Expiry::Expired { expires, days_left },
                ) => {
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
        })
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
    print!("{}", super::table::render(&header, &rows));
}
