//! `oat key add`: the secret read without echo (or from stdin), checked live, stored in
//! the keyring or — where none exists and the person agrees — the 0600 file.

use crate::cli::out::outln;
use std::io::{BufRead, IsTerminal, Read, Write};

use chrono::Local;

use super::{AddArgs, CliError, Context};
use crate::cli::warn_file_backend;
use crate::config::Backend;
use crate::credentials::keys::{KeyError, Keys, NewKey, Resolved};
use crate::credentials::store::KeyringStore;
use crate::credentials::token::estimate_expiry;
use crate::credentials::{Expiry, TokenError, parse_credential};
use crate::status::{Check, Verdict, backend_label, endpoint_label, expiry_text};

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

// Long by design: the add told in the order the person sees it (name, secret, endpoint,
// live check, store, what was stored), each step's failure beside it.
pub(super) async fn add(ctx: &Context, keys: &mut Keys, args: AddArgs) -> Result<(), CliError> {
    if let Some(name) = &args.name {
        keys.check_new_name(name).map_err(|e| match e {
            KeyError::Exists(_) => CliError::usage(e.to_string())
                .with_advice("Remove it first, or choose another name."),
            e => e.into(),
        })?;
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
            // An untrusted certificate is refused before any API could say a word.
            let who = if e.from_api() {
                "the API said"
            } else {
                "the check failed"
            };
            eprintln!(
                "Storing it anyway (--force); {who}: {e} [{}]",
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
    outln!(
        "Stored `{name}` ({}, {}) in the {}.",
        credential.kind.label(),
        credential.secret,
        backend_label(backend)
    )?;
    if keys.config.config.active_key.as_deref() == Some(name.as_str()) {
        outln!("It is the active key.")?;
    }
    let today = Local::now().date_naive();
    let created = args.created.unwrap_or(today);
    if let e @ (Expiry::Valid { .. } | Expiry::Expiring { .. } | Expiry::Expired { .. }) =
        estimate_expiry(credential.kind, created, today)
    {
        outln!("Estimated expiry: {}", expiry_text(Some(&e)))?;
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
