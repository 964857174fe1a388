//! What a `Client` is built from: the endpoint, trust and proxy settings, API version and
//! betas, the idle deadline and the retry policy. Plain values; no I/O.

use std::time::Duration;

use super::ApiError;
use super::{DEFAULT_BASE_URL, DEFAULT_IDLE_TIMEOUT};
use crate::api::messages::API_VERSION_DEFAULT;
use crate::api::transport::NetConfig;

/// How refusals worth another try are retried: 429 (short), 529, 5xx and resets.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (0-based): the server's `retry-after` when it
    /// gave one, else exponential backoff.
    pub fn delay(&self, attempt: u32, err: &ApiError) -> Duration {
        if let ApiError::RateLimited {
            retry_after: Some(d),
            ..
        } = err
        {
            return (*d).min(self.max_delay);
        }
        self.base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay)
    }
}

/// Told to the caller before each retry, so a person sees why nothing happens yet.
#[derive(Debug, Clone)]
pub struct RetryNotice {
    /// This retry's number, from 1.
    pub attempt: u32,
    /// The most retries the policy makes.
    pub retries: u32,
    pub wait: Duration,
    pub error: String,
}

/// The one wording both front ends show: `overloaded — retrying in 2 s (retry 1 of 3)`.
/// Whole seconds, rounded up: a wait is never shown shorter than it is.
impl std::fmt::Display for RetryNotice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = self.wait.as_millis();
        let secs = ms.div_ceil(1000);
        write!(
            f,
            "{} — retrying in {secs} s (retry {} of {})",
            self.error, self.attempt, self.retries
        )
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// `--base-url` / `ANTHROPIC_BASE_URL`, else the key's own endpoint, else Anthropic's.
    pub base_url: Option<String>,
    /// Trusted CAs and proxy.
    pub net: NetConfig,
    /// The model a live check may send its 1-token message to (default: oat's default).
    pub check_model: Option<String>,
    pub api_version: String,
    /// Extra `anthropic-beta` flags the person chose; the OAuth flag is added beside them.
    pub betas: Vec<String>,
    pub idle_timeout: Duration,
    /// A streamed reply's body is read at most once per tick of this grid
    /// (`MessageStream::paced`): set by the app, which draws at most once a frame; `None`
    /// (read at once) for the commands, whose output is a pipe.
    pub pace: Option<crate::tick::Pace>,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// This config for a key with its own endpoint and model: a base URL given for the
    /// run still wins; the key's stands in for Anthropic's default.
    pub fn with_key(mut self, endpoint: Option<&str>, model: Option<&str>) -> Self {
        if self.base_url.is_none() {
            self.base_url = endpoint.map(str::to_string);
        }
        self.check_model = model.map(str::to_string);
        self
    }

    pub fn base_url(&self) -> &str {
        self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL)
    }
}

impl Default for ClientConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            net: NetConfig::default(),
            check_model: None,
            api_version: API_VERSION_DEFAULT.into(),
            betas: Vec::new(),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            pace: None,
            retry: RetryPolicy::default(),
        }
    }
}
