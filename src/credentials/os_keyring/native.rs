//! Keychain (macOS) and Credential Manager (Windows) through the `keyring` crate, which
//! picks the platform's store by itself. Blocking; `deadline.rs` adds the deadline. Either
//! store may put up its own access dialog without saying so, so every call here counts
//! as one that may be waiting for a person (`on_prompt` first).

use crate::credentials::Secret;
use crate::credentials::store::{KEYRING_SERVICE, StoreError};

pub fn probe(on_prompt: &dyn Fn()) -> Result<(), StoreError> {
    on_prompt();
    keyring::Entry::store_status()
        .as_ref()
        .map_err(|e| StoreError::KeyringUnavailable(e.to_string()))?;
    // Initialising the store can succeed with no service behind it: ask it.
    let entry = keyring::Entry::new(KEYRING_SERVICE, "oat-probe")
        .map_err(|e| StoreError::KeyringUnavailable(e.to_string()))?;
    match entry.get_password() {
        Ok(_) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(StoreError::KeyringUnavailable(e.to_string())),
    }
}

pub fn get(name: &str, on_prompt: &dyn Fn()) -> Result<Secret, StoreError> {
    on_prompt();
    match entry(name)?.get_password() {
        Ok(p) => Ok(Secret::new(p)),
        Err(keyring::Error::NoEntry) => Err(StoreError::NotFound(name.into(), "OS keyring")),
        Err(e) => Err(keyring_error(e)),
    }
}

pub fn set(name: &str, secret: &Secret, on_prompt: &dyn Fn()) -> Result<(), StoreError> {
    on_prompt();
    entry(name)?
        .set_password(secret.expose())
        .map_err(keyring_error)
}

pub fn delete(name: &str, on_prompt: &dyn Fn()) -> Result<(), StoreError> {
    on_prompt();
    match entry(name)?.delete_credential() {
        Ok(()) => Ok(()),
        Err(keyring::Error::NoEntry) => Err(StoreError::NotFound(name.into(), "OS keyring")),
        Err(e) => Err(keyring_error(e)),
    }
}

fn entry(name: &str) -> Result<keyring::Entry, StoreError> {
    keyring::Entry::new(KEYRING_SERVICE, name).map_err(|e| match e {
        keyring::Error::NoDefaultStore => StoreError::KeyringUnavailable(
            keyring::Entry::store_status()
                .as_ref()
                .err()
                .map_or_else(|| e.to_string(), ToString::to_string),
        ),
        other => StoreError::Keyring(other.to_string()),
    })
}

fn keyring_error(e: keyring::Error) -> StoreError {
    match e {
        keyring::Error::NoStorageAccess(inner) => StoreError::KeyringUnavailable(inner.to_string()),
        keyring::Error::NoDefaultStore => StoreError::KeyringUnavailable(e.to_string()),
        other => StoreError::Keyring(other.to_string()),
    }
}
