//! What both front ends start from: the options of this run (`GlobalArgs`, parsed by clap
//! in `cli`), the config file, and what follows from them — the key store, the client
//! settings. `cli/` and `tui/` both build on it and never import each
//! other; this module imports neither.

use std::time::Duration;

use clap::Args;

use crate::api::NetConfig;
use crate::api::client::{ClientConfig, DEFAULT_IDLE_TIMEOUT};
use crate::api::messages::API_VERSION_DEFAULT;
use crate::config::ConfigFile;
use crate::credentials::CredentialKind;
use crate::credentials::keys::Keys;

/// Options every command takes; a command's help lists its own first and these under
/// their own heading.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// API endpoint for this run, also read from ANTHROPIC_BASE_URL (default: the key's
    /// own, else https://api.anthropic.com); with `key add`, the key's own endpoint. A
    /// credential goes over plain http only to a loopback address.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// A PEM file of extra CAs to trust (beside the OS store, SSL_CERT_FILE and `ca_cert`).
    #[arg(long, global = true, value_name = "PATH")]
    pub ca_cert: Option<std::path::PathBuf>,
    /// The `anthropic-version` header: 2023-06-01 (default) or 2026-10-21.
    #[arg(long, global = true)]
    pub api_version: Option<String>,
    /// Use this stored key (or `env:VAR`) instead of the active one.
    #[arg(long, global = true, value_name = "NAME")]
    pub key: Option<String>,
    /// The config file (default: config.toml in the platform config dir).
    #[arg(long, global = true, env = "OAT_CONFIG", value_name = "PATH")]
    pub config: Option<std::path::PathBuf>,
    /// Extra `anthropic-beta` flags (repeatable); the OAuth flag is added when needed.
    #[arg(long = "beta", global = true, value_name = "FLAG")]
    pub betas: Vec<String>,
    /// Treat the credential as this kind instead of reading its prefix.
    #[arg(long, global = true, value_enum)]
    pub kind: Option<CredentialKind>,
    /// Give up on a reply after this many seconds without any data from the server.
    #[arg(long, global = true, value_name = "SECS", default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs())]
    pub idle_timeout: u64,
    /// Print what oat is doing (never the secret) and logs to stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// Why the terminal app could not run, as the command line reports it.
#[derive(Debug)]
pub struct AppFailure {
    pub message: String,
    pub advice: Option<String>,
    /// The process's exit code.
    pub code: u8,
}

/// How the terminal app was asked to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppMode {
    /// `oat` or `oat chat`: the full-screen app, or plain mode where the config, the
    /// environment (`OAT_SCREEN_READER`) or the terminal ask for it.
    #[default]
    Auto,
    /// `oat chat --plain`: lines of text, for screen readers.
    Plain,
}

/// The terminal app's entry point. `main.rs` hands it to the command line, which runs it
/// when no command (or `chat`) is given: so `cli/` starts the app without importing `tui/`.
pub type AppEntry = for<'a> fn(
    &'a Session,
    AppMode,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = Result<(), AppFailure>> + 'a>,
>;

/// The run's options and the config, loaded once at start.
pub struct Session {
    pub global: GlobalArgs,
    pub config: ConfigFile,
}

impl Session {
    pub fn keys(&self) -> Keys {
        Keys::open(self.config.clone(), self.global.kind)
    }

    pub fn api_version(&self) -> String {
        self.global
            .api_version
            .clone()
            .or_else(|| self.config.config.api_version.clone())
            .unwrap_or_else(|| API_VERSION_DEFAULT.to_string())
    }

    /// The model a new conversation starts with: the key's own (`key_model`), else the
    /// config's `default_model`, else the shipped list's default. One chain for the app,
    /// `oat ask`, `oat token status` and `oat doctor`.
    pub fn starting_model(&self, key_model: Option<String>) -> String {
        key_model
            .or_else(|| self.config.config.default_model.clone())
            .unwrap_or_else(|| crate::api::models::fallback_list().default_model.clone())
    }

    /// Trusted CAs and proxy: the config's, plus `--ca-cert`.
    pub fn net(&self) -> NetConfig {
        let c = &self.config.config;
        NetConfig {
            ca_certs: c
                .ca_cert
                .iter()
                .chain(self.global.ca_cert.iter())
                .cloned()
                .collect(),
            proxy: c.proxy.clone(),
        }
    }

    /// The endpoint given for this run: `--base-url`, else ANTHROPIC_BASE_URL.
    pub fn base_url_override(&self) -> Option<String> {
        self.global.base_url.clone().or_else(|| {
            std::env::var("ANTHROPIC_BASE_URL")
                .ok()
                .filter(|v| !v.trim().is_empty())
        })
    }

    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            base_url: self.base_url_override(),
            net: self.net(),
            api_version: self.api_version(),
            betas: self.global.betas.clone(),
            idle_timeout: Duration::from_secs(self.global.idle_timeout.max(1)),
            ..ClientConfig::default()
        }
    }
}
