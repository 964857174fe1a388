//! The config file (`config.toml` in the platform config dir): settings and the metadata
//! of named keys — never a secret. Unknown keys and broken TOML are refused with the path
//! and line, and such a file is never overwritten, so nothing a person wrote is lost.
//! Every change is a locked read-modify-write (`ConfigFile::edit`), written atomically, so
//! two oat processes changing it at once both keep their change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::files::{FileLock, LockError, write_atomic};
use crate::token::CredentialKind;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The key used when `--key` is not given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    /// A PEM file of extra CAs to trust (a company's TLS-inspecting proxy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_cert: Option<PathBuf>,
    /// A proxy for every request, instead of HTTPS_PROXY / ALL_PROXY.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Prompt caching (on unless `false`): follow-ups read the conversation so far from
    /// Anthropic's cache instead of paying for it again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache: Option<bool>,
    /// How long cached prompts live: `5m` (default) or `1h` (writes cost 2x input, not 1.25x).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_ttl: Option<crate::api::CacheTtl>,
    /// Whether thinking comes back as a summary (`summarized`, the default: it shows in
    /// the app and on stderr) or is left out (`omitted`: only its token count shows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_display: Option<crate::api::messages::ThinkingDisplay>,
    /// Let the 2026 web tools run code server-side to filter search results (`false` by
    /// default: `allowed_callers = ["direct"]`, predictable cost).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_code_execution: Option<bool>,
    /// Prices per model (USD per million tokens) over the shipped table, e.g.
    /// `[prices."my-model"] input = 2.0, output = 8.0`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub prices: BTreeMap<String, crate::api::pricing::PriceOverride>,
    /// Colours for a dark or light terminal: `auto` (default) asks the terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeChoice>,
    /// Draw attached images as pictures where the terminal can (kitty, iTerm2, sixel);
    /// `false` shows a one-line chip instead. Unset: ask the terminal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<bool>,
    /// Links in replies and Sources as terminal hyperlinks (OSC 8): `auto` (default: on,
    /// except inside tmux and on `TERM=dumb`/`linux`), `on`, or `off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<LinkChoice>,
    /// How the app says a reply ended while you look elsewhere (the terminal unfocused, or
    /// another pane): `auto` (default: the bell, and a desktop notification where the
    /// terminal has one), `bell`, or `off`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notify: Option<Notify>,
    /// Start `oat` (and `oat chat`) in plain mode, for screen readers: lines of text, no
    /// full-screen app (as `OAT_SCREEN_READER=1` or `oat chat --plain`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub screen_reader: Option<bool>,
    /// The first-run note on setup tokens and Anthropic's terms was acknowledged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub terms_notice_seen: bool,
    /// What tools may cost with a setup token was said.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tools_notice_seen: bool,
    #[serde(default, rename = "key", skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyMeta>,
    /// Last validations of the read-only `env:VAR` keys, which have no entry of their own.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env_validations: BTreeMap<String, LastValidation>,
    /// The latest check of each key that got no verdict from the API (offline, an
    /// untrusted certificate), by key name: kept apart, so that one offline `token status`
    /// never replaces the last real verdict shown by `--offline` and `key list`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_attempts: BTreeMap<String, LastValidation>,
    /// The MCP servers whose tools Claude may ask to use (`[mcp.servers.NAME]`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub mcp: crate::mcp::McpConfig,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

/// Which colours the app uses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum ThemeChoice {
    /// Ask the terminal for its background colour (OSC 11).
    #[default]
    Auto,
    Dark,
    Light,
}

/// Whether links are written as terminal hyperlinks (OSC 8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LinkChoice {
    /// On, except inside tmux (which drops OSC 8 unless configured to pass it through)
    /// and on terminals known not to take it (`TERM=dumb`, the Linux console).
    #[default]
    Auto,
    On,
    Off,
}

/// How a reply that ended unwatched is told.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    /// The bell, and a desktop notification where the terminal shows one (OSC 9 / 777).
    #[default]
    Auto,
    /// The bell only.
    Bell,
    Off,
}

/// Where a key's secret lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Backend {
    /// The OS keyring (Secret Service, Keychain, Credential Manager).
    Keyring,
    /// A 0600 file in the config dir, in plain text: only where no keyring exists.
    File,
    /// An environment variable (read-only).
    #[value(skip)]
    Env,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Keyring => "keyring",
            Self::File => "file",
            Self::Env => "env",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyMeta {
    pub name: String,
    pub kind: CredentialKind,
    pub backend: Backend,
    pub added: DateTime<Utc>,
    /// When the token was really created, if the person said so (expiry counts from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The key's own endpoint (a company gateway, a local server): used unless a base
    /// URL is given for the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// The model this key's chats start with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_validation: Option<LastValidation>,
}

impl KeyMeta {
    /// The day expiry is counted from: the real creation date, else the day it was added.
    pub fn created_or_added(&self) -> NaiveDate {
        self.created.unwrap_or_else(|| self.added.date_naive())
    }
}

/// The outcome of the last live check of a key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastValidation {
    pub at: DateTime<Utc>,
    /// `valid`, `invalid`, `refused`, `rate_limited`, …: see `cli::token::Verdict`.
    pub result: String,
    #[serde(default, with = "millis", skip_serializing_if = "Option::is_none")]
    pub latency: Option<Duration>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl LastValidation {
    /// Whether the API gave a verdict on the key (valid, invalid, refused, limited…), as
    /// opposed to a check that never reached it or could not trust it.
    pub fn is_verdict(&self) -> bool {
        !matches!(
            self.result.as_str(),
            "unreachable" | "untrusted_certificate"
        )
    }
}

/// Durations are stored as whole milliseconds (`latency_ms` reads oddly; the unit is in
/// the docs and the type is `Duration` everywhere in code).
mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{}", crate::files::io_words(path, source))]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Lock(#[from] LockError),
}

/// The config file and where it lives, as last read. The file is the truth: another oat
/// process may change it at any time, so a change is never made to this copy and written
/// back, only through `edit` or `lock`, which re-read the file under its lock first.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub config: Config,
}

impl Config {
    pub fn key(&self, name: &str) -> Option<&KeyMeta> {
        self.keys.iter().find(|k| k.name == name)
    }

    pub fn key_mut(&mut self, name: &str) -> Option<&mut KeyMeta> {
        self.keys.iter_mut().find(|k| k.name == name)
    }

    /// The cache lifetime requests ask for, or `None` with caching turned off.
    pub fn caching(&self) -> Option<crate::api::CacheTtl> {
        (self.cache != Some(false)).then(|| self.cache_ttl.unwrap_or_default())
    }

    /// What oat sends from the config rather than from a conversation's choices.
    pub fn sent(&self, api_version: String) -> crate::conversation::Sent {
        crate::conversation::Sent {
            cache: self.caching(),
            api_version,
            thinking_display: self.thinking_display.unwrap_or_default(),
            web_code_execution: self.web_code_execution.unwrap_or(false),
        }
    }

    /// The shipped price table with this config's overrides.
    pub fn prices(&self) -> crate::api::pricing::PriceTable {
        crate::api::pricing::PriceTable::shipped().with_overrides(&self.prices)
    }
}

impl ConfigFile {
    pub fn default_path() -> PathBuf {
        crate::paths::config_dir().join("config.toml")
    }

    /// Loads the file; a missing file is an empty config. No lock is needed to read: every
    /// write replaces the file whole (rename), so a reader sees the old file or the new.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Ok(Self {
            path: path.into(),
            config: read(path)?,
        })
    }

    /// Re-reads the file, to see what other processes changed.
    pub fn reload(&mut self) -> Result<(), ConfigError> {
        self.config = read(&self.path)?;
        Ok(())
    }

    /// The directory beside the config file (the file backend lives there too).
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    /// Takes the file's lock and re-reads it: the start of a change that must do more
    /// than edit the config under the same lock (storing a secret beside its metadata).
    pub fn lock(&mut self) -> Result<Locked<'_>, ConfigError> {
        let lock = FileLock::acquire(&self.path)?;
        self.reload()?;
        let before = self.config.clone();
        Ok(Locked {
            file: self,
            before,
            _lock: lock,
        })
    }

    /// One change, applied to the file as it is now: lock, re-read, `change`, write (only
    /// if something changed), unlock. An error from `change` writes nothing.
    pub fn edit<T, E: From<ConfigError>>(
        &mut self,
        change: impl FnOnce(&mut Config) -> Result<T, E>,
    ) -> Result<T, E> {
        let mut locked = self.lock()?;
        let out = change(locked.config())?;
        locked.commit()?;
        Ok(out)
    }

    pub fn key(&self, name: &str) -> Option<&KeyMeta> {
        self.config.key(name)
    }
}

/// The config under its lock, re-read: change it with `config()`, write it with `commit`.
/// Dropping it without a commit leaves the file as it was (the copy in `ConfigFile` then
/// holds the uncommitted change until the next reload: callers return an error then).
pub struct Locked<'a> {
    file: &'a mut ConfigFile,
    before: Config,
    _lock: FileLock,
}

impl Locked<'_> {
    pub fn config(&mut self) -> &mut Config {
        &mut self.file.config
    }

    /// Writes the file atomically if it changed; the lock is still held afterwards, so an
    /// undo (of a secret stored for it, say) happens before anyone else sees the file.
    pub fn commit(&mut self) -> Result<(), ConfigError> {
        if self.file.config == self.before {
            return Ok(());
        }
        let path = &self.file.path;
        let text = toml::to_string_pretty(&self.file.config).map_err(|e| ConfigError::Parse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomic(path, text.as_bytes(), None).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        self.before = self.file.config.clone();
        Ok(())
    }

    /// Puts back what `config()` changed since the last commit, in memory only.
    pub fn revert(&mut self) {
        self.file.config = self.before.clone();
    }
}

fn read(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(ConfigError::Io {
                path: path.into(),
                source,
            });
        }
    };
    parse(&text, path)
}

/// The config in `text` (from the file at `path`, which errors name).
pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
    toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: path.into(),
        message: describe_toml_error(text, &e),
    })
}

/// "line 3, column 1: unknown field `colour`, expected one of …".
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            // Bytes, not `str` slicing: a span need not fall on a character boundary.
            let before = &text.as_bytes()[..span.start.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let column = String::from_utf8_lossy(&before[line_start..])
                .chars()
                .count()
                + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

#[cfg(test)]
mod tests;
