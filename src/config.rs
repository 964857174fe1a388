//! The config file (`config.toml` in the platform config dir): settings and the metadata
//! of named keys — never a secret. Unknown keys and broken TOML are refused with the path
//! and line, and such a file is never overwritten, so nothing a person wrote is lost.
//! Writes are atomic (temp file + rename).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::credentials::CredentialKind;

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
    /// The first-run note on setup tokens and Anthropic's terms was acknowledged.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub terms_notice_seen: bool,
    #[serde(default, rename = "key", skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<KeyMeta>,
    /// Last validations of the read-only `env:VAR` keys, which have no entry of their own.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env_validations: BTreeMap<String, LastValidation>,
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
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The config file and where it lives.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub config: Config,
}

impl ConfigFile {
    pub fn default_path() -> PathBuf {
        crate::paths::config_dir().join("config.toml")
    }

    /// Loads the file; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => {
                return Err(ConfigError::Io {
                    path: path.into(),
                    source,
                })
            }
        };
        let config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            message: describe_toml_error(&text, &e),
        })?;
        Ok(Self {
            path: path.into(),
            config,
        })
    }

    /// The directory beside the config file (the file backend lives there too).
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    }

    pub fn save(&self) -> Result<(), ConfigError> {
        let text = toml::to_string_pretty(&self.config).map_err(|e| ConfigError::Parse {
            path: self.path.clone(),
            message: e.to_string(),
        })?;
        write_atomic(&self.path, text.as_bytes(), None).map_err(|source| ConfigError::Io {
            path: self.path.clone(),
            source,
        })
    }

    pub fn key(&self, name: &str) -> Option<&KeyMeta> {
        self.config.keys.iter().find(|k| k.name == name)
    }

    pub fn key_mut(&mut self, name: &str) -> Option<&mut KeyMeta> {
        self.config.keys.iter_mut().find(|k| k.name == name)
    }
}

/// "line 3, column 1: unknown field `colour`, expected one of …".
fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().trim().to_string();
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("line {line}, column {column}: {message}")
        }
        None => message,
    }
}

/// Writes `bytes` to a temp file in the same directory, then renames it over `path`, so a
/// crash leaves either the old file or the new one. `mode` applies from creation on, so a
/// secret is never readable by others even for a moment.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: Option<u32>) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "oat".into());
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(mode.unwrap_or(0o644));
    }
    #[cfg(not(unix))]
    let _ = mode;
    let result = (|| {
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/config.toml");
        let mut f = ConfigFile::load(&path).unwrap();
        assert_eq!(f.config, Config::default());
        f.config.active_key = Some("work".into());
        f.config.keys.push(KeyMeta {
            name: "work".into(),
            kind: CredentialKind::Oauth,
            backend: Backend::Keyring,
            added: "2026-11-01T10:00:00Z".parse().unwrap(),
            created: None,
            label: Some("laptop".into()),
            last_validation: Some(LastValidation {
                at: "2026-11-02T10:00:00Z".parse().unwrap(),
                result: "valid".into(),
                latency: Some(Duration::from_millis(231)),
                request_id: Some("req_1".into()),
                message: None,
            }),
        });
        f.save().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("latency = 231"), "{text}");
        assert_eq!(ConfigFile::load(&path).unwrap().config, f.config);
    }

    #[test]
    fn unknown_keys_and_broken_files_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "active_key = \"a\"\ncolour = \"blue\"\n").unwrap();
        let e = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("config.toml") && e.contains("line 2") && e.contains("colour"),
            "{e}"
        );
        std::fs::write(&path, "active_key = \n").unwrap();
        let e = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_sets_mode_from_the_start() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        write_atomic(&path, b"x", Some(0o600)).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        write_atomic(&path, b"y", Some(0o600)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"y");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp file left"
        );
    }
}
