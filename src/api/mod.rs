//! The Anthropic HTTP API: requests, streamed replies, models, errors and rate limits.
//! It knows nothing of the terminal, the keyring or config files: callers hand it a base
//! URL and a `Credential`, which is what lets tests point it at a local mock server.

pub mod binding;
pub mod client;
pub mod context;
pub mod error;
pub mod limits;
pub mod message_stream;
pub mod messages;
pub mod models;
pub mod pricing;
pub mod reply;
pub mod sse;
pub mod stream;
pub mod transport;
pub mod usage;
pub mod web;

pub use client::{Client, ClientConfig, MessageStream, RetryNotice, RetryPolicy, Validation};
pub use error::{ApiError, ErrorCode, ErrorDetail};
pub use limits::RateLimits;
pub use messages::{Message, MessageRequest, RequestOptions, Role, ThinkingChoice};
pub use models::Model;
pub use reply::Refusal;
pub use stream::{Assembler, Delta, StreamEvent};
pub use transport::NetConfig;
pub use usage::{CacheTtl, Usage};
