//! Changes to the keys: each one is a read-modify-write of the config under its lock
//! (`ConfigFile::lock` / `edit`), so another oat process changing keys at the same time
//! loses nothing; a secret and its metadata are stored and removed together. Reading and
//! resolving keys is the parent module's.

use chrono::Utc;

use super::{KeyError, Keys, NewKey, Removed, check_name, store_of};
use crate::config::{Backend, KeyMeta, LastValidation};
use crate::credentials::store::{SecretStore, StoreError};

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

impl Keys {
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
            last_validation: last_validation.clone().filter(LastValidation::is_verdict),
        });
        // A key added offline has no verdict yet, only an attempt.
        if let Some(v) = last_validation.filter(|v| !v.is_verdict()) {
            config.last_attempts.insert(name.clone(), v);
        }
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
        if let Some(v) = config.last_attempts.remove(old) {
            config.last_attempts.insert(new.into(), v);
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
        config.last_attempts.remove(name);
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

    /// Records a check: a verdict from the API becomes the key's last known state; a check
    /// that got none (offline) is kept apart as the last attempt and replaces nothing.
    pub fn record_validation(&mut self, name: &str, v: LastValidation) -> Result<(), KeyError> {
        self.config.edit(|c| {
            if !v.is_verdict() {
                c.last_attempts.insert(name.into(), v);
                return Ok::<_, KeyError>(());
            }
            c.last_attempts.remove(name);
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
}
