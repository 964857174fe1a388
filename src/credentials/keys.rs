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

fn store_of<'a>(
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

/// Deletes a secret that no key points at: from the file store if it is there, else from
/// the keyring.
fn remove_orphan(
    keyring: &dyn SecretStore,
    file: &dyn SecretStore,
    name: &str,
) -> Result<Removed, KeyError> {
    match file.delete(name) {
        Ok(()) => return Ok(Removed::Orphan(Backend::File)),
        Err(StoreError::NotFound(..)) => {}
        Err(e) => return Err(e.into()),
    }
    match keyring.delete(name) {
        Ok(()) => Ok(Removed::Orphan(Backend::Keyring)),
        // No keyring here, or nothing in it: there was no such key.
        Err(_) => Err(KeyError::Unknown(name.into())),
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

    /// Re-reads the config file: another oat process may have changed the keys.
    pub fn refresh(&mut self) -> Result<(), KeyError> {
        Ok(self.config.reload()?)
    }

    /// Stores the secret, then the metadata, both under the config file's lock, so two
    /// adds at once both land and a name is never taken twice. If the metadata cannot be
    /// written the secret is taken back out; a process killed between the two leaves a
    /// secret no key points at, which `orphans` finds and `remove` deletes. The first key
    /// becomes the active one.
    pub fn add(&mut self, new: NewKey) -> Result<(), KeyError> {
        let NewKey {
            name,
            credential,
            backend,
            created,
            label,
            base_url,
            model,
            last_validation,
        } = new;
        check_name(&name)?;
        let store = store_of(self.keyring.as_ref(), self.file.as_ref(), backend);
        let mut locked = self.config.lock()?;
        if locked.config().key(&name).is_some() {
            return Err(KeyError::Exists(name));
        }
        store.set(&name, &credential.secret)?;
        let config = locked.config();
        config.keys.push(KeyMeta {
            name: name.clone(),
            kind: credential.kind,
            backend,
            added: Utc::now(),
            created,
            label,
            base_url,
            model,
            last_validation,
        });
        if config.active_key.is_none() {
            config.active_key = Some(name.clone());
        }
        if let Err(e) = locked.commit() {
            // Without its metadata the secret would be an orphan nobody can list.
            locked.revert();
            let _ = store.delete(&name);
            return Err(e.into());
        }
        Ok(())
    }

    pub fn set_active(&mut self, name: &str) -> Result<(), KeyError> {
        let from_env = name.starts_with("env:");
        if from_env {
            self.meta(name)?;
        }
        self.config.edit(|c| {
            if !from_env && c.key(name).is_none() {
                return Err(KeyError::Unknown(name.into()));
            }
            c.active_key = Some(name.into());
            Ok(())
        })
    }

    /// Copies the secret to the new name, moves the metadata, then deletes the old secret,
    /// all under the lock; a failure undoes what was done so far.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), KeyError> {
        if old.starts_with("env:") {
            return Err(KeyError::ReadOnly(old.into()));
        }
        check_name(new)?;
        let (keyring, file) = (self.keyring.as_ref(), self.file.as_ref());
        let mut locked = self.config.lock()?;
        let config = locked.config();
        let backend = config
            .key(old)
            .ok_or_else(|| KeyError::Unknown(old.into()))?
            .backend;
        if config.key(new).is_some() {
            return Err(KeyError::Exists(new.into()));
        }
        let store = store_of(keyring, file, backend);
        let secret = store.get(old)?;
        store.set(new, &secret)?;
        if let Some(m) = config.key_mut(old) {
            m.name = new.into();
        }
        if config.active_key.as_deref() == Some(old) {
            config.active_key = Some(new.into());
        }
        if let Err(e) = locked.commit() {
            locked.revert();
            let _ = store.delete(new);
            return Err(e.into());
        }
        // Only now is the old entry safe to drop: the new one is stored and recorded.
        let _ = store.delete(old);
        Ok(())
    }

    /// Removes the metadata, then the secret (the reverse of `add`), under the lock; if
    /// the secret cannot be deleted the metadata is put back. A name with no metadata but
    /// a secret left in a store (an orphan) has that secret deleted.
    pub fn remove(&mut self, name: &str) -> Result<Removed, KeyError> {
        if name.starts_with("env:") {
            return Err(KeyError::ReadOnly(name.into()));
        }
        let (keyring, file) = (self.keyring.as_ref(), self.file.as_ref());
        let mut locked = self.config.lock()?;
        let config = locked.config();
        let Some(meta) = config.key(name).cloned() else {
            return remove_orphan(keyring, file, name);
        };
        config.keys.retain(|k| k.name != name);
        if config.active_key.as_deref() == Some(name) {
            config.active_key = None;
        }
        locked.commit()?;
        match store_of(keyring, file, meta.backend).delete(name) {
            Ok(()) | Err(StoreError::NotFound(..)) => Ok(Removed::Key(meta.backend)),
            Err(e) => {
                locked.revert();
                let config = locked.config();
                config.keys.push(meta);
                if config.active_key.is_none() {
                    config.active_key = Some(name.into());
                }
                let _ = locked.commit();
                Err(e.into())
            }
        }
    }

    /// Secrets in the file store that no key points at: left by a process killed between
    /// storing a secret and recording it, or by an older oat.
    pub fn orphans(&self) -> Vec<String> {
        let Some(Ok(names)) = self.file.names() else {
            return Vec::new();
        };
        names
            .into_iter()
            .filter(|n| {
                !self
                    .config
                    .config
                    .keys
                    .iter()
                    .any(|k| &k.name == n && k.backend == Backend::File)
            })
            .collect()
    }

    pub fn record_validation(&mut self, name: &str, v: LastValidation) -> Result<(), KeyError> {
        self.config.edit(|c| {
            if name.starts_with("env:") {
                c.env_validations.insert(name.into(), v);
            } else if let Some(m) = c.key_mut(name) {
                m.last_validation = Some(v);
            }
            Ok::<_, KeyError>(())
        })
    }

    /// Records that the first-run note on setup tokens was read.
    pub fn acknowledge_terms(&mut self) -> Result<(), KeyError> {
        self.config.edit(|c| {
            c.terms_notice_seen = true;
            Ok::<_, KeyError>(())
        })
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

    fn new_key(name: &str, kind: CredentialKind, backend: Backend) -> NewKey {
        NewKey {
            name: name.into(),
            credential: cred(kind),
            backend,
            created: None,
            label: None,
            base_url: None,
            model: None,
            last_validation: None,
        }
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
        k.add(new_key("work", CredentialKind::Oauth, Backend::Keyring))
            .unwrap();
        k.add(new_key("ci", CredentialKind::ApiKey, Backend::File))
            .unwrap();
        assert_eq!(
            k.config.config.active_key.as_deref(),
            Some("work"),
            "first key is active"
        );
        assert!(matches!(
            k.add(new_key("ci", CredentialKind::ApiKey, Backend::File)),
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
        assert_eq!(k.remove("build").unwrap(), Removed::Key(Backend::File));
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
        k.add(new_key(
            "setup-token",
            CredentialKind::Oauth,
            Backend::Keyring,
        ))
        .unwrap();
        assert_eq!(k.free_name(CredentialKind::Oauth), "setup-token-2");
    }

    #[test]
    fn a_secret_is_taken_back_when_its_metadata_cannot_be_written() {
        let dir = tempfile::tempdir().unwrap();
        let mut k = keys(dir.path());
        // The config's temp file cannot be created, so the metadata write fails after the
        // secret is in.
        let tmp = format!(".config.toml.{}.tmp", std::process::id());
        std::fs::create_dir(dir.path().join(tmp)).unwrap();
        assert!(k
            .add(new_key("ci", CredentialKind::ApiKey, Backend::File))
            .is_err());
        assert!(k.orphans().is_empty(), "no secret left behind");
        assert!(matches!(
            k.store(Backend::File).get("ci"),
            Err(StoreError::NotFound(..))
        ));
    }

    #[test]
    fn orphans_are_listed_and_removable() {
        let dir = tempfile::tempdir().unwrap();
        let mut k = keys(dir.path());
        k.add(new_key("kept", CredentialKind::ApiKey, Backend::File))
            .unwrap();
        // What a process killed between storing the secret and its metadata leaves.
        k.store(Backend::File)
            .set("lost", &cred(CredentialKind::Oauth).secret)
            .unwrap();
        assert_eq!(k.orphans(), vec!["lost".to_string()]);
        assert_eq!(k.remove("lost").unwrap(), Removed::Orphan(Backend::File));
        assert!(k.orphans().is_empty());
        assert_eq!(k.list().len(), 1, "the real key is untouched");
        assert!(matches!(k.remove("lost"), Err(KeyError::Unknown(_))));
    }

    #[test]
    fn two_handles_on_one_file_keep_each_others_changes() {
        let dir = tempfile::tempdir().unwrap();
        let mut app = keys(dir.path());
        let mut cli = keys(dir.path());
        cli.add(new_key("from-shell", CredentialKind::ApiKey, Backend::File))
            .unwrap();
        // The app's copy is stale; its own changes must not drop the shell's key.
        app.acknowledge_terms().unwrap();
        app.add(new_key("from-app", CredentialKind::ApiKey, Backend::File))
            .unwrap();
        app.set_active("from-shell").unwrap();
        cli.refresh().unwrap();
        let names: Vec<_> = cli.list().into_iter().map(|e| e.meta.name).collect();
        assert_eq!(names, ["from-shell", "from-app"]);
        assert_eq!(cli.config.config.active_key.as_deref(), Some("from-shell"));
        assert!(cli.config.config.terms_notice_seen);
    }
}
