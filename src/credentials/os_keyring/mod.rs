//! The OS keyring of this platform, as four blocking calls on secrets named by key:
//! the Secret Service over D-Bus on Linux and the BSDs, the `keyring` crate's Keychain
//! and Credential Manager stores on macOS and Windows. The calls block; `deadline`
//! runs each on a thread of its own and stops waiting in time.

mod deadline;
pub use deadline::{READ, WRITE, with_deadline};

#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios"))))]
mod encrypted;
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios"))))]
mod modp;
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios"))))]
mod secret_service;
#[cfg(all(unix, not(any(target_os = "macos", target_os = "ios"))))]
pub use secret_service::{delete, get, probe, set};

#[cfg(not(all(unix, not(any(target_os = "macos", target_os = "ios")))))]
mod native;
#[cfg(not(all(unix, not(any(target_os = "macos", target_os = "ios")))))]
pub use native::{delete, get, probe, set};

/// Bytes from hex, for the test vectors of `modp` and `encrypted`.
#[cfg(all(test, unix, not(any(target_os = "macos", target_os = "ios"))))]
#[allow(clippy::unwrap_used)]
fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
