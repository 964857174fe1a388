//! Where secrets live, behind one small trait: the OS keyring, a 0600 file, environment
//! variables, and an in-memory store for unit tests. Backends store and fetch secrets by
//! key name; the metadata (kind, dates, validation) is the config file's business.
//!
//! The keyring is reached through `os_keyring` (the Secret Service on Linux, Keychain,
//! Credential Manager), each call on a thread of its own with a deadline
//! (`os_keyring::deadline`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use super::os_keyring::{self, READ, WRITE, with_deadline};
use super::token::Secret;
use crate::files::FileLock;

/// The keyring's service name; the account is the key name.
pub const KEYRING_SERVICE: &str = "oat";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no secret named `{0}` in the {1}")]
    NotFound(String, &'static str),
    #[error("the OS keyring is not available: {0}")]
    KeyringUnavailable(String),
    #[error("the OS keyring did not answer within {0:?} (is the collection locked?)")]
    KeyringTimeout(Duration),
    #[error("the keyring refused: {0}")]
    Keyring(String),
    #[error(
        "{path} can be read by other users (mode {mode:o}); oat will not read secrets from it. \
         Fix it with: chmod 600 {path}"
    )]
    FileTooOpen { path: String, mode: u32 },
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("environment keys are read-only; change the variable `{0}` instead")]
    ReadOnly(String),
}

pub trait SecretStore: Send + Sync {
    /// A short name for messages: "OS keyring", "credentials file", …
    fn describe(&self) -> &'static str;
    fn get(&self, name: &str) -> Result<Secret, StoreError>;
    fn set(&self, name: &str, secret: &Secret) -> Result<(), StoreError>;
    fn delete(&self, name: &str) -> Result<(), StoreError>;
    /// Every name the store holds, where it can tell (the keyring cannot, cheaply): used
    /// to find secrets that no key points at any more.
    fn names(&self) -> Option<Result<Vec<String>, StoreError>> {
        None
    }
}

/// The OS keyring (`os_keyring` picks the platform's).
pub struct KeyringStore;

impl KeyringStore {
    /// Answers within the read deadline whether a keyring service can be used: a
    /// missing D-Bus session fails at once, a service that never answers times out.
    pub fn probe() -> Result<(), StoreError> {
        with_deadline(READ, os_keyring::probe)
    }
}

impl SecretStore for KeyringStore {
    fn describe(&self) -> &'static str {
        "OS keyring"
    }

    fn get(&self, name: &str) -> Result<Secret, StoreError> {
        let name = name.to_string();
        with_deadline(READ, move |p| os_keyring::get(&name, p))
    }

    fn set(&self, name: &str, secret: &Secret) -> Result<(), StoreError> {
        let name = name.to_string();
        let secret = secret.clone();
        with_deadline(WRITE, move |p| os_keyring::set(&name, &secret, p))
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        let name = name.to_string();
        with_deadline(WRITE, move |p| os_keyring::delete(&name, p))
    }
}

/// Secrets in plain text in a file only its owner may read. Used only where no keyring
/// exists and the person agreed; every use warns.
pub struct FileStore {
    pub path: PathBuf,
}

impl FileStore {
    pub fn new(dir: &Path) -> Self {
        Self {
            path: dir.join("credentials"),
        }
    }

    fn err(&self, message: impl std::fmt::Display) -> StoreError {
        StoreError::File {
            path: self.path.display().to_string(),
            message: message.to_string(),
        }
    }

    fn read_all(&self) -> Result<BTreeMap<String, String>, StoreError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
            Err(e) => return Err(self.err(e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&self.path)
                .map_err(|e| self.err(e))?
                .permissions()
                .mode()
                & 0o777;
            if mode & 0o077 != 0 {
                return Err(StoreError::FileTooOpen {
                    path: self.path.display().to_string(),
                    mode,
                });
            }
        }
        // Never echo the file's content in an error: it is full of secrets.
        toml::from_str(&text)
            .map_err(|_| self.err("not a valid credentials file (TOML of name = \"secret\")"))
    }

    fn write_all(&self, all: &BTreeMap<String, String>) -> Result<(), StoreError> {
        let text = toml::to_string(all).map_err(|e| self.err(e))?;
        crate::files::write_atomic(&self.path, text.as_bytes(), Some(0o600))
            .map_err(|e| self.err(e))
    }

    /// A read-modify-write under the file's lock, so parallel adds all keep their secret.
    fn change<T>(
        &self,
        f: impl FnOnce(&mut BTreeMap<String, String>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let _lock = FileLock::acquire(&self.path).map_err(|e| self.err(e))?;
        let mut all = self.read_all()?;
        let out = f(&mut all)?;
        self.write_all(&all)?;
        Ok(out)
    }
}

impl SecretStore for FileStore {
    fn describe(&self) -> &'static str {
        "credentials file"
    }

    fn get(&self, name: &str) -> Result<Secret, StoreError> {
        self.read_all()?
            .remove(name)
            .map(Secret::new)
            .ok_or_else(|| StoreError::NotFound(name.into(), "credentials file"))
    }

    fn set(&self, name: &str, secret: &Secret) -> Result<(), StoreError> {
        self.change(|all| {
            all.insert(name.into(), secret.expose().into());
            Ok(())
        })
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.change(|all| {
            all.remove(name)
                .map(|_| ())
                .ok_or_else(|| StoreError::NotFound(name.into(), "credentials file"))
        })
    }

    fn names(&self) -> Option<Result<Vec<String>, StoreError>> {
        Some(self.read_all().map(|all| all.into_keys().collect()))
    }
}

/// Read-only keys named `env:VAR`.
pub struct EnvStore;

impl SecretStore for EnvStore {
    fn describe(&self) -> &'static str {
        "environment"
    }

    fn get(&self, name: &str) -> Result<Secret, StoreError> {
        let var = name.strip_prefix("env:").unwrap_or(name);
        std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .map(Secret::new)
            .ok_or_else(|| StoreError::NotFound(var.into(), "environment"))
    }

    fn set(&self, name: &str, _: &Secret) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly(name.into()))
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        Err(StoreError::ReadOnly(name.into()))
    }
}

/// A store that lives and dies with the process: for unit tests only, never offered to
/// users.
#[derive(Default)]
pub struct InMemoryStoreForTests {
    secrets: Mutex<BTreeMap<String, Secret>>,
}

impl SecretStore for InMemoryStoreForTests {
    fn describe(&self) -> &'static str {
        "in-memory test store"
    }

    fn get(&self, name: &str) -> Result<Secret, StoreError> {
        self.secrets
            .lock()
            .map_err(|_| StoreError::Keyring("poisoned".into()))?
            .get(name)
            .cloned()
            .ok_or_else(|| StoreError::NotFound(name.into(), "in-memory test store"))
    }

    fn set(&self, name: &str, secret: &Secret) -> Result<(), StoreError> {
        self.secrets
            .lock()
            .map_err(|_| StoreError::Keyring("poisoned".into()))?
            .insert(name.into(), secret.clone());
        Ok(())
    }

    fn delete(&self, name: &str) -> Result<(), StoreError> {
        self.secrets
            .lock()
            .map_err(|_| StoreError::Keyring("poisoned".into()))?
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| StoreError::NotFound(name.into(), "in-memory test store"))
    }

    fn names(&self) -> Option<Result<Vec<String>, StoreError>> {
        let secrets = self.secrets.lock().ok()?;
        Some(Ok(secrets.keys().cloned().collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exercise(store: &dyn SecretStore) {
        let s = Secret::new("sk-ant-api03-secret-value");
        assert!(matches!(store.get("a"), Err(StoreError::NotFound(..))));
        store.set("a", &s).unwrap();
        store.set("b", &Secret::new("s3cr3t-b")).unwrap();
        assert_eq!(store.get("a").unwrap(), s);
        store.delete("a").unwrap();
        assert!(matches!(store.get("a"), Err(StoreError::NotFound(..))));
        assert_eq!(store.get("b").unwrap().expose(), "s3cr3t-b");
        assert!(matches!(store.delete("a"), Err(StoreError::NotFound(..))));
        if let Some(names) = store.names() {
            assert_eq!(names.unwrap(), vec!["b".to_string()]);
        }
    }

    #[test]
    fn in_memory_store() {
        exercise(&InMemoryStoreForTests::default());
    }

    #[cfg(unix)]
    #[test]
    fn file_store_is_0600_and_refuses_open_files() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        exercise(&store);
        let mode = std::fs::metadata(&store.path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        std::fs::set_permissions(&store.path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = store.get("b").unwrap_err().to_string();
        assert!(e.contains("chmod 600") && e.contains("644"), "{e}");
        assert!(!e.contains("s3cr3t-b"));
    }

    #[test]
    fn corrupt_file_store_error_does_not_echo_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(dir.path());
        crate::files::write_atomic(
            &store.path,
            b"broken sk-ant-api03-SECRETSECRET",
            Some(0o600),
        )
        .unwrap();
        let e = store.get("x").unwrap_err().to_string();
        assert!(!e.contains("SECRETSECRET"), "{e}");
    }

    #[test]
    fn env_store_is_read_only() {
        let store = EnvStore;
        assert!(matches!(
            store.set("env:X", &Secret::new("y")),
            Err(StoreError::ReadOnly(_))
        ));
        assert!(matches!(
            store.get("env:OAT_SURELY_UNSET_VAR"),
            Err(StoreError::NotFound(..))
        ));
    }
}
