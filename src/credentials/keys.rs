//! Named keys: the config file's metadata joined with the secrets in their stores, and the
//! rules for choosing the credential to use (`--key`, then the active key, then the
//! environment). No network and no terminal here.

use chrono::{NaiveDate, Utc};

use super::store::{EnvStore, FileStore, KeyringStore, SecretStore, StoreError};
use super::token::{parse_credential, Credential, CredentialKind, Secret, TokenError};
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
    #[error("`{0}` is not a usable key name: use letters, digits, `-`, `_` or `.` (at most 64), not starting with `env:`")]
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
        match backend {
            Backend::Keyring => self.keyring.as_ref(),
            Backend::File => self.file.as_ref(),
            Backend::Env => &EnvStore,
        }
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

    /// Stores the secret, then the metadata; the first key becomes the active one.
    pub fn add(
        &mut self,
        name: &str,
        credential: &Credential,
        backend: Backend,
        created: Option<NaiveDate>,
        label: Option<String>,
    ) -> Result<(), KeyError> {
        check_name(name)?;
        if self.config.key(name).is_some() {
            return Err(KeyError::Exists(name.into()));
        }
        self.store(backend).set(name, &credential.secret)?;
        self.config.config.keys.push(KeyMeta {
            name: name.into(),
            kind: credential.kind,
            backend,
            added: Utc::now(),
            created,
            label,
            last_validation: None,
        });
        if self.config.config.active_key.is_none() {
            self.config.config.active_key = Some(name.into());
        }
        if let Err(e) = self.config.save() {
            // Without its metadata the secret would be an orphan nobody can list or remove.
            let _ = self.store(backend).delete(name);
            return Err(e.into());
        }
        Ok(())
    }

    pub fn set_active(&mut self, name: &str) -> Result<(), KeyError> {
        self.meta(name)?;
        self.config.config.active_key = Some(name.into());
        Ok(self.config.save()?)
    }

    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), KeyError> {
        if old.starts_with("env:") {
            return Err(KeyError::ReadOnly(old.into()));
        }
        check_name(new)?;
        let meta = self.meta(old)?;
        if self.config.key(new).is_some() {
            return Err(KeyError::Exists(new.into()));
        }
        let store = self.store(meta.backend);
        let secret = store.get(old)?;
        store.set(new, &secret)?;
        if let Some(m) = self.config.key_mut(old) {
            m.name = new.into();
        }
        if self.config.config.active_key.as_deref() == Some(old) {
            self.config.config.active_key = Some(new.into());
        }
        self.config.save()?;
        // Only now is the old entry safe to drop: the new one is stored and recorded.
        let _ = self.store(meta.backend).delete(old);
        Ok(())
    }

    /// Removes the secret from its backend and the metadata; returns where it was.
    pub fn remove(&mut self, name: &str) -> Result<Backend, KeyError> {
        if name.starts_with("env:") {
            return Err(KeyError::ReadOnly(name.into()));
        }
        let meta = self.meta(name)?;
        match self.store(meta.backend).delete(name) {
            Ok(()) | Err(StoreError::NotFound(..)) => {}
            Err(e) => return Err(e.into()),
        }
        self.config.config.keys.retain(|k| k.name != name);
        if self.config.config.active_key.as_deref() == Some(name) {
            self.config.config.active_key = None;
        }
        self.config.save()?;
        Ok(meta.backend)
    }

    pub fn record_validation(&mut self, name: &str, v: LastValidation) -> Result<(), KeyError> {
        if name.starts_with("env:") {
            self.config.config.env_validations.insert(name.into(), v);
        } else if let Some(m) = self.config.key_mut(name) {
            m.last_validation = Some(v);
        }
        Ok(self.config.save()?)
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
mod tests {
    use super::*;
    use crate::credentials::store::InMemoryStoreForTests;

    fn keys(dir: &std::path::Path) -> Keys {
        let config = ConfigFile::load(&dir.join("config.toml")).unwrap();
        Keys::with_stores(
            config,
            Box::new(InMemoryStoreForTests::default()),
            Box::new(FileStore::new(dir)),
            None,
        )
    }

    fn cred(kind: CredentialKind) -> Credential {
        let prefix = match kind {
            CredentialKind::Oauth => "sk-ant-oat01-",
            CredentialKind::ApiKey => "sk-ant-api03-",
        };
        parse_credential(&format!("{prefix}{}", "k".repeat(95)), None).unwrap()
    }

    #[test]
    fn add_use_rename_remove() {
        let dir = tempfile::tempdir().unwrap();
        let mut k = keys(dir.path());
        k.add(
            "work",
            &cred(CredentialKind::Oauth),
            Backend::Keyring,
            None,
            None,
        )
        .unwrap();
        k.add(
            "ci",
            &cred(CredentialKind::ApiKey),
            Backend::File,
            None,
            None,
        )
        .unwrap();
        assert_eq!(
            k.config.config.active_key.as_deref(),
            Some("work"),
            "first key is active"
        );
        assert!(matches!(
            k.add(
                "ci",
                &cred(CredentialKind::ApiKey),
                Backend::File,
                None,
                None
            ),
            Err(KeyError::Exists(_))
        ));
        assert_eq!(k.resolve(None).unwrap().name, "work");
        assert_eq!(
            k.resolve(Some("ci")).unwrap().credential.kind,
            CredentialKind::ApiKey
        );
        k.set_active("ci").unwrap();
        k.rename("ci", "build").unwrap();
        assert_eq!(k.config.config.active_key.as_deref(), Some("build"));
        assert!(matches!(k.secret("ci"), Err(KeyError::Unknown(_))));
        assert_eq!(
            k.secret("build").unwrap(),
            cred(CredentialKind::ApiKey).secret
        );
        assert_eq!(k.remove("build").unwrap(), Backend::File);
        assert!(k.config.config.active_key.is_none());
        // The metadata survives a reload; the secret never reaches the config file.
        let text = std::fs::read_to_string(dir.path().join("config.toml")).unwrap();
        assert!(
            text.contains("name = \"work\"") && !text.contains("kkkkkkkk"),
            "{text}"
        );
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in ["", "env:x", "a b", "é", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
        assert!(check_name("work-laptop_2.b").is_ok());
    }

    #[test]
    fn default_names_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let mut k = keys(dir.path());
        assert_eq!(k.free_name(CredentialKind::Oauth), "setup-token");
        k.add(
            "setup-token",
            &cred(CredentialKind::Oauth),
            Backend::Keyring,
            None,
            None,
        )
        .unwrap();
        assert_eq!(k.free_name(CredentialKind::Oauth), "setup-token-2");
    }
}
