//! `oat doctor`: one self-check for bug reports and first-run trouble. Each line is `ok`,
//! `warn`, `fail` or `skip` with what to do; exit 0 when nothing failed, 1 otherwise.
//! It reads and asks, and changes nothing but a probe file it removes at once; it never
//! prints a secret (keys appear masked, proxy passwords hidden) and spends no tokens.

use crate::cli::out::outln;
use std::io::IsTerminal;
use std::path::Path;

use clap::Args;
use serde::Serialize;

use super::{CliError, Context};
use crate::api::transport::proxy_for;
use crate::api::{ApiError, Client};
use crate::config::ConfigFile;
use crate::credentials::keys::KeyError;
use crate::credentials::store::KeyringStore;
use crate::status::{backend_label, expiry_text};

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print the checks as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Ok,
    Warn,
    Fail,
    /// Not applicable here (no terminal, no key to ask with).
    Skip,
}

#[derive(Debug, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub level: Level,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub advice: Option<String>,
}

fn found(check: &'static str, level: Level, text: impl Into<String>) -> Finding {
    Finding {
        check,
        level,
        text: text.into(),
        advice: None,
    }
}

impl Finding {
    fn advice(mut self, a: impl Into<String>) -> Self {
        self.advice = Some(a.into());
        self
    }
}

pub async fn run(ctx: &Context, args: DoctorArgs) -> Result<(), CliError> {
    let mut out = vec![found(
        "build",
        Level::Ok,
        format!("oat {}", crate::version::LONG),
    )];
    out.push(config_check(&ctx.config.path));
    out.push(dir_check("data", &crate::history::path(), "conversations"));
    out.push(history_check(&crate::history::path()));
    out.push(dir_check(
        "logs",
        &crate::paths::log_dir().join("oat.log"),
        "the log",
    ));
    out.push(keyring_check());
    let (mut key, resolved, last) = key_check(ctx);
    let key_model = resolved.as_ref().and_then(|r| r.meta.model.clone());
    let (api, client) = api_check(ctx, resolved).await;
    // The stored verdict is older than the answer the API gave a line below: a key it has
    // just accepted is not "never checked".
    let last = if api.level == Level::Ok {
        "the API accepted it just now".to_string()
    } else {
        last
    };
    if !last.is_empty() {
        key.text.push_str(&format!("; {last}"));
    }
    out.push(key);
    out.push(api);
    out.push(model_check(ctx, client.as_ref(), key_model).await);
    out.extend(network_checks(ctx));
    out.extend(terminal_checks());
    for server in super::mcp::check(ctx).await {
        out.push(match server {
            Ok(text) => found("mcp", Level::Ok, text),
            Err(line) => found("mcp", Level::Fail, line)
                .advice("fix its [mcp.servers] entry, or set `enabled = false`"),
        });
    }

    if args.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| CliError::usage(e.to_string()))?
        )?;
    } else {
        for f in &out {
            let level = match f.level {
                Level::Ok => "ok  ",
                Level::Warn => "warn",
                Level::Fail => "FAIL",
                Level::Skip => "skip",
            };
            outln!("{level}  {:<10} {}", f.check, f.text)?;
            if let Some(a) = &f.advice {
                outln!("                  → {a}")?;
            }
        }
    }
    if out.iter().any(|f| f.level == Level::Fail) {
        Err(CliError::silent(1))
    } else {
        Ok(())
    }
}

/// Whether a file could be written at `path`: its directory (or the nearest one that
/// exists, where oat would create the rest) takes a new file.
fn writable(path: &Path) -> Result<(), String> {
    let mut dir = path.parent().unwrap_or(Path::new("."));
    while !dir.exists() {
        dir = dir.parent().unwrap_or(Path::new("/"));
    }
    let probe = dir.join(format!(".oat-doctor-{}", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
        .map(|_| {
            let _ = std::fs::remove_file(&probe);
        })
        .map_err(|e| crate::files::io_words(dir, &e))
}

fn config_check(path: &Path) -> Finding {
    let text = match ConfigFile::load(path) {
        Ok(c) if path.exists() => format!(
            "{} ({} stored key{})",
            path.display(),
            c.config.keys.len(),
            if c.config.keys.len() == 1 { "" } else { "s" }
        ),
        Ok(_) => format!("{} (not created yet)", path.display()),
        Err(e) => {
            return found("config", Level::Fail, e.to_string())
                .advice("Fix the file (oat never overwrites it), or move it aside.");
        }
    };
    match writable(path) {
        Ok(()) => found("config", Level::Ok, text),
        Err(e) => found("config", Level::Fail, format!("{text}; not writable: {e}"))
            .advice("oat saves keys' metadata there: make the directory writable."),
    }
}

fn dir_check(check: &'static str, path: &Path, what: &str) -> Finding {
    match writable(path) {
        Ok(()) => found(check, Level::Ok, format!("{} ({what})", path.display())),
        Err(e) => found(
            check,
            Level::Warn,
            format!("{} not writable: {e}", path.display()),
        ),
    }
}

fn history_check(path: &Path) -> Finding {
    if !path.exists() {
        return found("history", Level::Ok, "no conversations saved yet");
    }
    match crate::history::History::check(path) {
        Ok(n) => found("history", Level::Ok, crate::history::conversations(n)),
        Err(e) => found("history", Level::Fail, e.to_string())
            .advice("`oat history reset` keeps the old file aside and starts a fresh one."),
    }
}

fn keyring_check() -> Finding {
    match KeyringStore::probe() {
        Ok(()) => found("keyring", Level::Ok, "the OS keyring answers"),
        Err(e) => found(
            "keyring",
            Level::Warn,
            format!("no usable OS keyring ({e})"),
        )
        .advice("Keys can go to a 0600 file instead: `oat key add --store file`."),
    }
}

/// The key in use, the client config to ask the API with, and its last recorded check
/// (said after the API has been asked, which may be newer news).
fn key_check(ctx: &Context) -> (Finding, Option<crate::credentials::keys::Resolved>, String) {
    match ctx.keys().resolve(ctx.global.key.as_deref()) {
        Ok(r) => {
            let today = chrono::Local::now().date_naive();
            let report = crate::status::StatusReport::new(
                &r.meta,
                true,
                r.credential.secret.masked(),
                today,
            );
            let last = r.meta.last_validation.as_ref().map_or_else(
                || "never checked".to_string(),
                |v| {
                    format!(
                        "last check {} at {}",
                        v.result,
                        v.at.format("%Y-%m-%d %H:%M")
                    )
                },
            );
            let text = format!(
                "`{}`: {} {} in the {}; expires {}",
                r.name,
                r.credential.kind.label(),
                r.credential.secret,
                backend_label(r.meta.backend),
                expiry_text(report.expiry.as_ref()),
            );
            let level = match report.expiry {
                Some(crate::credentials::Expiry::Expired { .. }) => Level::Fail,
                Some(crate::credentials::Expiry::Expiring { .. }) => Level::Warn,
                _ => Level::Ok,
            };
            (found("key", level, text), Some(r), last)
        }
        Err(KeyError::NoCredential) => (
            found("key", Level::Warn, "no key yet").advice(
                "Add one with `oat key add` (an API key from the Console is the supported route).",
            ),
            None,
            String::new(),
        ),
        Err(e) => (
            found("key", Level::Fail, e.to_string()),
            None,
            String::new(),
        ),
    }
}

/// Whether the API answers, and the client it answered (to ask it about the model).
async fn api_check(
    ctx: &Context,
    key: Option<crate::credentials::keys::Resolved>,
) -> (Finding, Option<Client>) {
    let Some(resolved) = key else {
        return (found("api", Level::Skip, "no key to ask with"), None);
    };
    let client = match ctx.client_for(&resolved) {
        Ok(c) => c,
        Err(e) => return (found("api", Level::Fail, e.message), None),
    };
    let base = client.base_url().to_string();
    let finding = match client.ping().await {
        Ok(v) => {
            let f = found(
                "api",
                Level::Ok,
                format!(
                    "{base} answers in {} ms (request {})",
                    v.latency.as_millis(),
                    v.request_id.as_deref().unwrap_or("-")
                ),
            );
            return (f, Some(client));
        }
        Err(
            e @ (ApiError::Unauthorized(_) | ApiError::PermissionDenied(_) | ApiError::NotFound(_)),
        ) => found(
            "api",
            Level::Warn,
            format!("{base} answers, but not for a model list: {e}"),
        )
        .advice("`oat token status` checks the key itself."),
        Err(e) => found("api", Level::Fail, format!("{base}: {e}")).advice(e.advice()),
    };
    (finding, None)
}

/// The model conversations start with: a warning when it retires within 30 days (or has),
/// asked live when the API answered, else from the shipped list.
async fn model_check(ctx: &Context, client: Option<&Client>, key_model: Option<String>) -> Finding {
    let id = ctx.starting_model(key_model.clone());
    match super::models::retirement(ctx, client, key_model).await {
        Some(r) => found("model", Level::Warn, r.to_string()).advice(
            "Set `default_model` with `oat config edit` (a key's own model wins over it); \
             `oat models` lists them.",
        ),
        None => found(
            "model",
            Level::Ok,
            format!("{id} (conversations start with it; no retirement within 30 days)"),
        ),
    }
}

fn network_checks(ctx: &Context) -> Vec<Finding> {
    let net = ctx.net();
    let mut roots = Vec::new();
    match (
        std::env::var("SSL_CERT_FILE").ok(),
        std::env::var("SSL_CERT_DIR").ok(),
    ) {
        (None, None) => roots.push("the OS store".into()),
        (file, dir) => {
            roots.extend(file.map(|f| format!("SSL_CERT_FILE {f}")));
            roots.extend(dir.map(|d| format!("SSL_CERT_DIR {d}")));
        }
    }
    let mut out = Vec::new();
    let mut bad_ca = None;
    for path in &net.ca_certs {
        match std::fs::read(path) {
            Ok(pem) if reqwest::Certificate::from_pem_bundle(&pem).is_ok_and(|c| !c.is_empty()) => {
                roots.push(format!("CA file {}", path.display()));
            }
            Ok(_) => bad_ca = Some(format!("{} holds no PEM certificate", path.display())),
            Err(e) => bad_ca = Some(crate::files::io_words(path, &e)),
        }
    }
    out.push(match bad_ca {
        Some(e) => found("tls", Level::Fail, e)
            .advice("Point `ca_cert` (or --ca-cert) at the company CA's PEM file."),
        None => found("tls", Level::Ok, format!("trusting {}", roots.join(", "))),
    });
    let base = ctx.base_url_override();
    let base = url::Url::parse(
        base.as_deref()
            .unwrap_or(crate::api::client::DEFAULT_BASE_URL),
    );
    let proxy = base.ok().and_then(|b| proxy_for(&net, &b));
    let source = if net.proxy.is_some() {
        "from the config"
    } else {
        "from the environment"
    };
    let no_proxy = std::env::var("NO_PROXY")
        .or_else(|_| std::env::var("no_proxy"))
        .ok()
        .map(|n| format!(" (NO_PROXY {n})"))
        .unwrap_or_default();
    out.push(match proxy {
        Some(p) => found(
            "proxy",
            Level::Ok,
            // `proxy_for` has already hidden any password.
            format!("{p} {source}{no_proxy}"),
        ),
        None => found("proxy", Level::Ok, format!("none{no_proxy}")),
    });
    out
}

fn terminal_checks() -> Vec<Finding> {
    if !std::io::stdout().is_terminal() {
        return vec![found("terminal", Level::Skip, "output is not a terminal")];
    }
    let var = |n: &str| std::env::var(n).unwrap_or_default();
    let size = crossterm::terminal::size()
        .map_or_else(|_| "size unknown".into(), |(w, h)| format!("{w}×{h}"));
    let colours = if std::env::var_os("NO_COLOR").is_some() {
        "no colour (NO_COLOR)"
    } else if matches!(var("COLORTERM").as_str(), "truecolor" | "24bit") {
        "24-bit colour"
    } else if var("TERM").contains("256") {
        "256 colours"
    } else {
        "16 colours"
    };
    let term = var("TERM");
    let program = var("TERM_PROGRAM");
    let images = if term.contains("kitty") || std::env::var_os("KITTY_WINDOW_ID").is_some() {
        "kitty graphics"
    } else if program == "iTerm.app" || program == "WezTerm" {
        "iTerm2 inline images"
    } else {
        "no image protocol detected"
    };
    let clipboard = if std::env::var_os("TMUX").is_some() {
        "OSC 52 copy (inside tmux: needs `set -g set-clipboard on`)"
    } else {
        "OSC 52 copy"
    };
    vec![found(
        "terminal",
        Level::Ok,
        format!(
            "{term} {size}, {colours}, {images}, {clipboard}; background light/dark not detected"
        ),
    )]
}
