//! `oat config path|show|edit`: where the file is, every setting in effect with where it
//! came from (default, file, env, flag) and never a secret, and the file in `$EDITOR`,
//! checked before it is saved and saved only if no other oat changed it meanwhile.
//! These run even when the file is broken: that is when people need them.

use crate::cli::out::{out, outln};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

use super::{CliError, GlobalArgs};
use crate::api::client::DEFAULT_IDLE_TIMEOUT;
use crate::api::messages::API_VERSION_DEFAULT;
use crate::api::models::fallback_list;
use crate::api::transport::mask_proxy;
use crate::config::LinkChoice;
use crate::config::{self, ConfigFile};
use crate::files::{FileLock, write_atomic};

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file's path.
    Path,
    /// Every setting in effect and where it comes from: default, file, env or flag.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Open the file in $VISUAL or $EDITOR (else vi); it is checked before it is saved.
    Edit,
}

/// One setting as `config show` prints it.
#[derive(Debug, Serialize, PartialEq)]
pub struct Setting {
    pub key: &'static str,
    pub value: String,
    /// `default`, `file`, `env VAR` or `flag --name`.
    pub source: String,
}

fn setting(key: &'static str, value: impl Into<String>, source: impl Into<String>) -> Setting {
    Setting {
        key,
        value: value.into(),
        source: source.into(),
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Where the config file is, and why there.
pub fn path_and_source(global: &GlobalArgs) -> (PathBuf, String) {
    match &global.config {
        Some(p) if env("OAT_CONFIG").is_some_and(|e| Path::new(&e) == p) => {
            (p.clone(), "env OAT_CONFIG".into())
        }
        Some(p) => (p.clone(), "flag --config".into()),
        None => (ConfigFile::default_path(), "default".into()),
    }
}

/// The settings in effect, from the flags, the environment and the file's contents.
// Long by design: a table with a row per setting, where `config show` and the README's table are kept in step.
pub fn settings(global: &GlobalArgs, file: &config::Config) -> Vec<Setting> {
    let (path, path_source) = path_and_source(global);
    let from_file = |present: bool| if present { "file" } else { "default" };
    let mut out = vec![setting("config", path.display().to_string(), path_source)];
    out.push(match (&global.key, &file.active_key) {
        (Some(k), _) => setting("key", k.clone(), "flag --key"),
        (None, Some(k)) => setting("key", k.clone(), "file (active_key)"),
        (None, None) => match (env("CLAUDE_CODE_OAUTH_TOKEN"), env("ANTHROPIC_API_KEY")) {
            (Some(_), _) => setting("key", "env:CLAUDE_CODE_OAUTH_TOKEN", "env"),
            (None, Some(_)) => setting("key", "env:ANTHROPIC_API_KEY", "env"),
            (None, None) => setting("key", "(none)", "default"),
        },
    });
    out.push(setting(
        "default_model",
        file.default_model
            .clone()
            .unwrap_or_else(|| fallback_list().default_model.clone()),
        from_file(file.default_model.is_some()),
    ));
    out.push(match (&global.api_version, &file.api_version) {
        (Some(v), _) => setting("api_version", v.clone(), "flag --api-version"),
        (None, Some(v)) => setting("api_version", v.clone(), "file"),
        (None, None) => setting("api_version", API_VERSION_DEFAULT, "default"),
    });
    out.push(match (&global.base_url, env("ANTHROPIC_BASE_URL")) {
        (Some(u), _) => setting("base_url", u.clone(), "flag --base-url"),
        (None, Some(u)) => setting("base_url", u, "env ANTHROPIC_BASE_URL"),
        (None, None) => setting(
            "base_url",
            "https://api.anthropic.com (or the key's own)",
            "default",
        ),
    });
    let mut cas: Vec<(String, &str)> = Vec::new();
    if let Some(p) = &file.ca_cert {
        cas.push((p.display().to_string(), "file"));
    }
    if let Some(p) = &global.ca_cert {
        cas.push((p.display().to_string(), "flag --ca-cert"));
    }
    if let Some(p) = env("SSL_CERT_FILE") {
        cas.push((p, "env SSL_CERT_FILE"));
    }
    if cas.is_empty() {
        out.push(setting("ca_cert", "(the OS store only)", "default"));
    }
    for (p, source) in cas {
        out.push(setting("ca_cert", p, source));
    }
    let proxy_env = ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"]
        .into_iter()
        .find_map(|n| env(n).map(|v| (n, v)));
    out.push(match (&file.proxy, proxy_env) {
        (Some(p), _) => setting("proxy", mask_proxy(p), "file"),
        (None, Some((name, v))) => setting("proxy", mask_proxy(&v), format!("env {name}")),
        (None, None) => setting("proxy", "(none)", "default"),
    });
    out.push(setting(
        "cache",
        if file.cache == Some(false) {
            "false"
        } else {
            "true"
        },
        from_file(file.cache.is_some()),
    ));
    out.push(setting(
        "cache_ttl",
        match file.cache_ttl.unwrap_or_default() {
            crate::api::CacheTtl::FiveMinutes => "5m",
            crate::api::CacheTtl::OneHour => "1h",
        },
        from_file(file.cache_ttl.is_some()),
    ));
    out.push(setting(
        "thinking_display",
        match file.thinking_display.unwrap_or_default() {
            crate::api::messages::ThinkingDisplay::Summarized => "summarized",
            crate::api::messages::ThinkingDisplay::Omitted => "omitted",
        },
        from_file(file.thinking_display.is_some()),
    ));
    out.push(setting(
        "web_code_execution",
        if file.web_code_execution == Some(true) {
            "true"
        } else {
            "false (web tools called directly)"
        },
        from_file(file.web_code_execution.is_some()),
    ));
    out.push(setting(
        "theme",
        match file.theme.unwrap_or_default() {
            config::ThemeChoice::Auto => "auto",
            config::ThemeChoice::Dark => "dark",
            config::ThemeChoice::Light => "light",
        },
        from_file(file.theme.is_some()),
    ));
    out.push(setting(
        "images",
        match file.images {
            None => "auto (ask terminals known to draw pictures; not inside tmux)",
            Some(true) => "true",
            Some(false) => "false",
        },
        from_file(file.images.is_some()),
    ));
    out.push(setting(
        "screen_reader",
        if file.screen_reader == Some(true) {
            "true (plain mode: lines of text, no full-screen app)"
        } else {
            "false"
        },
        from_file(file.screen_reader.is_some()),
    ));
    out.push(setting(
        "links",
        match file.links.unwrap_or_default() {
            LinkChoice::Auto => "auto (hyperlinks, except inside tmux and on dumb terminals)",
            LinkChoice::On => "on",
            LinkChoice::Off => "off",
        },
        from_file(file.links.is_some()),
    ));
    out.push(if file.prices.is_empty() {
        setting(
            "prices",
            "the shipped table (assets/prices.json)",
            "default",
        )
    } else {
        let models: Vec<&str> = file.prices.keys().map(String::as_str).collect();
        setting(
            "prices",
            format!("shipped, overridden for {}", models.join(", ")),
            "file",
        )
    });
    let idle = global.idle_timeout;
    out.push(setting(
        "idle_timeout",
        format!("{idle}s"),
        if idle == DEFAULT_IDLE_TIMEOUT.as_secs() {
            "default"
        } else {
            "flag --idle-timeout"
        },
    ));
    out.push(setting(
        "terms_notice_seen",
        file.terms_notice_seen.to_string(),
        from_file(file.terms_notice_seen),
    ));
    out.push(setting(
        "tools_notice_seen",
        file.tools_notice_seen.to_string(),
        from_file(file.tools_notice_seen),
    ));
    let servers: Vec<String> = file
        .mcp
        .servers
        .iter()
        .map(|(n, s)| {
            if s.enabled {
                n.clone()
            } else {
                format!("{n} (off)")
            }
        })
        .collect();
    out.push(setting(
        "mcp.servers",
        if servers.is_empty() {
            "(none)".to_string()
        } else {
            servers.join(", ")
        },
        from_file(!servers.is_empty()),
    ));
    let names: Vec<&str> = file.keys.iter().map(|k| k.name.as_str()).collect();
    out.push(setting(
        "keys",
        if names.is_empty() {
            "(none)".to_string()
        } else {
            names.join(", ")
        },
        from_file(!names.is_empty()),
    ));
    out
}

pub fn run(global: &GlobalArgs, cmd: ConfigCommand) -> Result<(), CliError> {
    let (path, _) = path_and_source(global);
    match cmd {
        ConfigCommand::Path => {
            outln!("{}", path.display())?;
            Ok(())
        }
        ConfigCommand::Show { json } => {
            let file = ConfigFile::load(&path).map_err(|e| {
                CliError::usage(e.to_string()).with_advice("fix it with `oat config edit`")
            })?;
            let rows = settings(global, &file.config);
            if json {
                let text = serde_json::to_string_pretty(&rows)
                    .map_err(|e| CliError::usage(e.to_string()))?;
                outln!("{text}")?;
            } else {
                let cells: Vec<Vec<String>> = rows
                    .into_iter()
                    .map(|s| vec![s.key.to_string(), s.value, s.source])
                    .collect();
                out!(
                    "{}",
                    super::table::render(&["SETTING", "VALUE", "FROM"], &cells)
                )?;
            }
            Ok(())
        }
        ConfigCommand::Edit => edit(&path),
    }
}

/// What a new config file starts with: every setting, commented out, at its default.
const TEMPLATE: &str = "# oat's config: uncomment what you want to change (see `oat config show`).
# default_model = \"claude-sonnet-5-5\"
# api_version = \"2023-06-01\"
# ca_cert = \"/etc/ssl/company-ca.pem\"
# proxy = \"http://proxy.example:3128\"
# cache = true
# cache_ttl = \"5m\"          # or \"1h\"
# thinking_display = \"summarized\"  # or \"omitted\" (only a token count shows)
# web_code_execution = false  # true: the web tools may run code server-side
# theme = \"auto\"            # or \"dark\", \"light\"
# images = true             # pictures of attached images (false: chips only)
# screen_reader = false     # true: `oat` starts in plain mode (lines of text)
# links = \"auto\"            # hyperlinks (OSC 8) in replies: \"on\", \"off\"; auto: not in tmux
# [prices.\"my-model\"]       # USD per million tokens
# input = 2.0
# output = 8.0
# [mcp.servers.files]       # an MCP server's tools (`oat mcp list`); stdio:
# command = \"npx\"
# args = [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"/home/me/notes\"]
# env = { LOG_LEVEL = \"info\" }
# exclude_tools = [\"write_file\"]
# enabled = true
# [mcp.servers.remote]      # or Streamable HTTP:
# url = \"https://mcp.example.com/mcp\"
# headers = { Authorization = \"Bearer …\" }
";

fn editor() -> Vec<String> {
    let raw = env("VISUAL")
        .or_else(|| env("EDITOR"))
        .unwrap_or_else(|| "vi".into());
    raw.split_whitespace().map(str::to_string).collect()
}

/// Edits a copy, checks it, and replaces the file under its lock only if the file still
/// holds what the copy started from: another oat's change is never overwritten.
fn edit(path: &Path) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::usage(crate::files::io_words(path, &e)).with_code(1);
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir).map_err(io)?;
    }
    let original = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let draft = path.with_extension(format!("toml.edit-{}", std::process::id()));
    std::fs::write(&draft, original.as_deref().unwrap_or(TEMPLATE)).map_err(io)?;
    let command = editor();
    loop {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| CliError::usage("$EDITOR is empty"))?;
        let status = std::process::Command::new(program)
            .args(args)
            .arg(&draft)
            .status()
            .map_err(|e| {
                CliError::usage(format!("could not start the editor `{program}`: {e}"))
                    .with_advice("set $VISUAL or $EDITOR to your editor")
            })?;
        if !status.success() {
            return Err(CliError::usage(format!(
                "the editor exited with {status}; nothing saved (your edit is in {})",
                draft.display()
            )));
        }
        let text = std::fs::read_to_string(&draft).map_err(io)?;
        // The copy is what failed to parse: name it, not the file it will replace.
        match config::parse(&text, &draft) {
            Ok(_) => return save(path, &draft, original.as_deref(), &text),
            Err(e) => {
                eprintln!("oat: {e}");
                if !ask_again()? {
                    return Err(CliError::usage(format!(
                        "not saved: the file would not load; your edit is in {}",
                        draft.display()
                    )));
                }
            }
        }
    }
}

fn ask_again() -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    eprint!("Edit again? [Y/n] ");
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| CliError::usage(e.to_string()))?;
    Ok(!answer.trim().eq_ignore_ascii_case("n"))
}

fn save(path: &Path, draft: &Path, original: Option<&str>, text: &str) -> Result<(), CliError> {
    let _lock = FileLock::acquire(path).map_err(|e| CliError::usage(e.to_string()).with_code(1))?;
    let now = std::fs::read_to_string(path).ok();
    if now.as_deref() != original {
        return Err(CliError::usage(format!(
            "{} changed while you were editing (another oat wrote it); not overwritten",
            path.display()
        ))
        .with_advice(format!(
            "your edit is in {}: merge it with `oat config edit`",
            draft.display()
        ))
        .with_code(1));
    }
    if original == Some(text) {
        let _ = std::fs::remove_file(draft);
        outln!("No change.")?;
        return Ok(());
    }
    write_atomic(path, text.as_bytes(), None)
        .map_err(|e| CliError::usage(crate::files::io_words(path, &e)).with_code(1))?;
    let _ = std::fs::remove_file(draft);
    remove_stale_drafts(path);
    outln!("Saved {}.", path.display())?;
    Ok(())
}

/// After a saved edit, the copies that earlier failed edits left aside (`config.toml.
/// edit-PID`) are history: they are removed, except one whose oat is still running (its
/// editor may be open on it).
fn remove_stale_drafts(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!("{}.edit-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id exists (an edit in another oat, or a recycled id: both
/// keep the copy, the safe side). Where it cannot be told, it is taken as alive.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 sends nothing; kill only checks that the process exists.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}
