//! Where secrets come from and how they are checked. `token` is pure; the stores do I/O.
//! Nothing here talks to the network: live validation belongs to `api`.

pub mod keys;
pub mod store;
pub mod token;

pub use token::{Credential, CredentialKind, Expiry, Secret, TokenError, mask, parse_credential};
