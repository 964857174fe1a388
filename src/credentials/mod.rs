//! Where secrets come from and how they are checked. The stores do I/O; what a token is
//! (`crate::token`, pure) is a leaf below both this and `api`, so `api → credentials →
//! config → api` is no cycle. Nothing here talks to the network: live validation
//! belongs to `api`.

pub mod keys;
mod os_keyring;
pub mod store;
pub use crate::token;

pub use crate::token::{
    Credential, CredentialKind, Expiry, Secret, TokenError, mask, parse_credential,
};
