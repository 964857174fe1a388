//! `oat config path|show|edit`: where the file is, every setting in effect with where it
//! came from (default, file, env, flag) and never a secret, and the file in `$EDITOR`
//! (`edit.rs`), checked before it is saved and saved only if no other oat changed it
//! meanwhile.
//! These run even when the file is broken: that is when people need them.

use crate::cli::out::{out, outln};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde::Serialize;

mod edit;

use super::{CliError, GlobalArgs};
use crate::api::client::DEFAULT_IDLE_TIMEOUT;
use crate::api::messages::API_VERSION_DEFAULT;
use crate::api::models::fallback_list;
use crate::api::transport::mask_proxy;
use crate::config::LinkChoice;
use crate::config::{self, ConfigFile};

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
        ConfigCommand::Edit => edit::edit(&path),
    }
}
