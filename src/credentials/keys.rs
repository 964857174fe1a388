//! Named keys: the config file's metadata joined with the secrets in their stores, and the
//! rules for choosing the credential to use (`--key`, then the active key, then the
//! environment). No network and no terminal here. Changes to keys (add, rename, remove,
//! choose, record a check) live in `changes.rs`; each is one locked edit of the config.

use chrono::{NaiveDate, Utc};

use super::store::{EnvStore, FileStore, KeyringStore, SecretStore, StoreError};
use super::token::{Credential, CredentialKind, Secret, TokenError, parse_credential};

mod changes;
use crate::config::{Backend, ConfigError, ConfigFile, KeyMeta, LastValidation};

/// Environment variables read as credentials, in order of preference.
pub const CREDENTIAL_ENV_VARS: [&str; 2] = ["CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"];

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{name}: {source}")]
    Token { name: String, source: TokenError },
    #[error("no key named `{0}` (see `oat key list`)")]
    Unknown(String),
    #[error("a key named `{0}` exists already")]
    Exists(String),
    #[error(
        "`{0}` is not a usable key name: use letters, digits, `-`, `_` or `.` (at most 64), not starting with `env:`"
    )]
    BadName(String),
    #[error("`{0}` comes from the environment and is read-only")]
    ReadOnly(String),
    #[error("no credential found")]
    NoCredential,
}

/// A key as `oat key list` shows it.
#[derive(Debug, Clone)]
pub struct KeyEntry {
    pub meta: KeyMeta,
    pub active: bool,
}

/// Where the credential in use came from.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub name: String,
    pub credential: Credential,
    pub meta: KeyMeta,
}

pub struct Keys {
    pub config: ConfigFile,
    keyring: Box<dyn SecretStore>,
    file: Box<dyn SecretStore>,
    /// A `--kind` given on the command line overrides every key's recorded kind.
    forced_kind: Option<CredentialKind>,
}

/// A key to store, with what is known of it.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub credential: Credential,
    pub backend: Backend,
    /// When the token was really created, if the person said so.
    pub created: Option<NaiveDate>,
    pub label: Option<String>,
    /// Its own endpoint and default model, if it has them.
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// The live check made before storing it, if any.
    pub last_validation: Option<LastValidation>,
}

/// What `Keys::remove` took away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removed {
    /// A key and its secret, from this store.
    Key(Backend),
    /// Only a secret that no key pointed at, from this store.
    Orphan(Backend),
}

pub(crate) fn store_of<'a>(
    keyring: &'a dyn SecretStore,
    file: &'a dyn SecretStore,
    backend: Backend,
) -> &'a dyn SecretStore {
    match backend {
        Backend::Keyring => keyring,
        Backend::File => file,
        Backend::Env => &EnvStore,
    }
}

pub fn check_name(name: &str) -> Result<(), KeyError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with("env:")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(KeyError::BadName(name.into()))
    }
}

impl Keys {
    /// The real stores: OS keyring and the file beside the config.
    pub fn open(config: ConfigFile, forced_kind: Option<CredentialKind>) -> Self {
        let file = FileStore::new(&config.dir());
        Self::with_stores(config, Box::new(KeyringStore), Box::new(file), forced_kind)
    }

    pub fn with_stores(
        config: ConfigFile,
        keyring: Box<dyn SecretStore>,
        file: Box<dyn SecretStore>,
        forced_kind: Option<CredentialKind>,
    ) -> Self {
        Self {
            config,
            keyring,
            file,
            forced_kind,
        }
    }

    pub fn store(&self, backend: Backend) -> &dyn SecretStore {
        store_of(self.keyring.as_ref(), self.file.as_ref(), backend)
    }

    /// Stored keys, then the environment's, with the active one marked.
    pub fn list(&self) -> Vec<KeyEntry> {
        let active = self.config.config.active_key.as_deref();
        let mut out: Vec<KeyEntry> = self
            .config
            .config
            .keys
            .iter()
            .map(|m| KeyEntry {
                meta: m.clone(),
                active: Some(m.name.as_str()) == active,
            })
            .collect();
        for meta in self.env_keys() {
            out.push(KeyEntry {
                active: Some(meta.name.as_str()) == active,
                meta,
            });
        }
        out
    }

    fn env_keys(&self) -> Vec<KeyMeta> {
        CREDENTIAL_ENV_VARS
            .iter()
            .filter_map(|var| {
                let value = std::env::var(var).ok().filter(|v| !v.trim().is_empty())?;
                let name = format!("env:{var}");
                let kind = self
                    .forced_kind
                    .or_else(|| CredentialKind::from_prefix(value.trim()))
                    .unwrap_or(if *var == "ANTHROPIC_API_KEY" {
                        CredentialKind::ApiKey
                    } else {
                        CredentialKind::Oauth
                    });
                Some(KeyMeta {
                    last_validation: self.config.config.env_validations.get(&name).cloned(),
                    name,
                    kind,
                    backend: Backend::Env,
                    // The environment does not say when a variable was set.
                    added: Utc::now(),
                    created: None,
                    label: None,
                    base_url: None,
                    model: None,
                })
            })
            .collect()
    }

    pub fn meta(&self, name: &str) -> Result<KeyMeta, KeyError> {
        if name.starts_with("env:") {
            return self
                .env_keys()
                .into_iter()
                .find(|m| m.name == name)
                .ok_or_else(|| KeyError::Unknown(name.into()));
        }
        self.config
            .key(name)
            .cloned()
            .ok_or_else(|| KeyError::Unknown(name.into()))
    }

    /// The masked secret of each entry, or why it cannot be read. A keyring that did not
    /// answer for one key is not asked again for the next: each ask would wait out the
    /// whole deadline, and a pane or `oat key list` would wait for all of them.
    pub fn masked_secrets(&self, entries: &[KeyEntry]) -> Vec<Result<String, String>> {
        let mut silent: Option<String> = None;
        entries
            .iter()
            .map(|e| match &silent {
                Some(why) if e.meta.backend == Backend::Keyring => Err(why.clone()),
                _ => self
                    .secret(&e.meta.name)
                    .map(|s| s.masked())
                    .map_err(|err| {
                        let why = err.to_string();
                        if matches!(err, KeyError::Store(StoreError::KeyringTimeout(_))) {
                            silent = Some(why.clone());
                        }
                        why
                    }),
            })
            .collect()
    }

    pub fn secret(&self, name: &str) -> Result<Secret, KeyError> {
        let meta = self.meta(name)?;
        Ok(self.store(meta.backend).get(name)?)
    }

    /// The credential of one key, checked as a paste would be.
    pub fn credential(&self, name: &str) -> Result<Resolved, KeyError> {
        let meta = self.meta(name)?;
        let secret = self.store(meta.backend).get(name)?;
        // A stored key keeps the kind it was added with (forced then, perhaps); an
        // environment value is read afresh, so only `--kind` may override its prefix.
        let kind = match meta.backend {
            Backend::Env => self.forced_kind,
            _ => self.forced_kind.or(Some(meta.kind)),
        };
        let credential =
            parse_credential(secret.expose(), kind).map_err(|source| KeyError::Token {
                name: name.into(),
                source,
            })?;
        Ok(Resolved {
            name: name.into(),
            credential,
            meta,
        })
    }

    /// `--key NAME`, else the active key, else the first environment variable set.
    pub fn resolve(&self, explicit: Option<&str>) -> Result<Resolved, KeyError> {
        if let Some(name) = explicit.or(self.config.config.active_key.as_deref()) {
            return self.credential(name);
        }
        match self.env_keys().first() {
            Some(meta) => self.credential(&meta.name),
            None => Err(KeyError::NoCredential),
        }
    }

    /// Whether `name` may be given to a new key: a usable name no key has yet. Checked
    /// before the key is, so a clash costs no live check.
    pub fn check_new_name(&self, name: &str) -> Result<(), KeyError> {
        check_name(name)?;
        if self.config.key(name).is_some() {
            return Err(KeyError::Exists(name.into()));
        }
        Ok(())
    }

    /// Re-reads the config file: another oat process may have changed the keys.
    pub fn refresh(&mut self) -> Result<(), KeyError> {
        Ok(self.config.reload()?)
    }

    /// A free default name for a new key: `setup-token`, `api-key`, then `-2`, `-3`, …
    pub fn free_name(&self, kind: CredentialKind) -> String {
        let base = match kind {
            CredentialKind::Oauth => "setup-token",
            CredentialKind::ApiKey => "api-key",
        };
        (1..)
            .map(|i| {
                if i == 1 {
                    base.to_string()
                } else {
                    format!("{base}-{i}")
                }
            })
            .find(|n| self.config.key(n).is_none())
            .unwrap_or_else(|| base.to_string())
    }
}

#[cfg(test)]
mod tests;
