//! Token status: a key's metadata, its expiry estimate and the outcome of a live check,
//! classified into a verdict with the API's own words and the next step. Pure data and
//! formatting, shared by `oat token status` and the TUI's Status pane; the live call
//! itself is made by the caller.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

mod render;

pub use render::{backend_label, endpoint_label, expiry_text, human_duration, limits_lines};

use crate::api::error::{Billing, OauthRefusal};
use crate::api::{ApiError, RateLimits, Validation};
use crate::config::{Backend, KeyMeta, LastValidation};
use crate::credentials::{CredentialKind, Expiry, token::estimate_expiry};

/// What a live check says of a credential.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Valid,
    /// 401: invalid, expired or revoked.
    Invalid,
    /// 403: the credential lacks access.
    NoPermission,
    /// Anthropic's "only authorized for use with Claude Code" refusal.
    ClaudeCodeOnly,
    /// Anthropic bills this setup token's use outside Claude Code as extra usage, and there
    /// is none to draw on ("Third-party apps now draw from your extra usage…").
    BilledAsExtraUsage,
    /// "You're out of extra usage…".
    OutOfExtraUsage,
    /// 401 "OAuth authentication is currently not supported": the OAuth beta header did not
    /// arrive, or Anthropic refuses the setup token for this use.
    OauthNotSupported,
    /// 403 "OAuth token does not meet scope requirement any_of(…)": the token lacks a scope.
    MissingScope,
    /// An API key's organisation is out of credit.
    OutOfUsage,
    /// 429: the credential works, but a limit is reached now.
    RateLimited,
    /// The check could not run (network, server trouble, a proxy in the way).
    Unreachable,
    /// The server's certificate is not trusted: a security problem, not "offline".
    UntrustedCertificate,
    /// Some other refusal (400 and the like).
    Refused,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Invalid => "invalid",
            Self::NoPermission => "no_permission",
            Self::ClaudeCodeOnly => "claude_code_only",
            Self::BilledAsExtraUsage => "billed_as_extra_usage",
            Self::OutOfExtraUsage => "out_of_extra_usage",
            Self::OauthNotSupported => "oauth_not_supported",
            Self::MissingScope => "missing_scope",
            Self::OutOfUsage => "out_of_usage",
            Self::RateLimited => "rate_limited",
            Self::Unreachable => "unreachable",
            Self::UntrustedCertificate => "untrusted_certificate",
            Self::Refused => "refused",
        }
    }

    /// The credential itself was accepted by the API.
    pub fn authenticated(self) -> bool {
        matches!(self, Self::Valid | Self::RateLimited)
    }

    /// Whether `key add` stores a key with this verdict without `--force`: the API accepted
    /// it (even if limited or out of usage), or could not be asked (offline).
    pub fn may_store(self) -> bool {
        matches!(
            self,
            Self::Valid
                | Self::RateLimited
                | Self::BilledAsExtraUsage
                | Self::OutOfExtraUsage
                | Self::OutOfUsage
                | Self::Unreachable
        )
    }
}

pub fn classify(err: &ApiError) -> Verdict {
    if err.is_claude_code_only() {
        return Verdict::ClaudeCodeOnly;
    }
    match err.oauth_refusal() {
        Some(OauthRefusal::NotSupported) => return Verdict::OauthNotSupported,
        Some(OauthRefusal::Scope { .. }) => return Verdict::MissingScope,
        None => {}
    }
    match err.billing() {
        Some(Billing::ExtraUsage { .. }) => Verdict::BilledAsExtraUsage,
        Some(Billing::OutOfExtraUsage) => Verdict::OutOfExtraUsage,
        Some(Billing::OutOfCredit) => Verdict::OutOfUsage,
        None => match err {
            ApiError::Certificate { .. } => Verdict::UntrustedCertificate,
            ApiError::Proxy { .. } => Verdict::Unreachable,
            ApiError::Unauthorized(_) => Verdict::Invalid,
            ApiError::PermissionDenied(_) => Verdict::NoPermission,
            ApiError::RateLimited { .. } => Verdict::RateLimited,
            e if e.is_unreachable() => Verdict::Unreachable,
            _ => Verdict::Refused,
        },
    }
}

/// The live check as it went.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub verdict: Verdict,
    pub at: DateTime<Utc>,
    #[serde(serialize_with = "ser_millis")]
    pub latency: Option<Duration>,
    pub request_id: Option<String>,
    /// The API's own words, for a refusal.
    pub message: Option<String>,
    pub advice: Option<String>,
    pub retry_after: Option<u64>,
    /// How the check was made, when not the usual way.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Whether `message` is the API's answer, or a failure on the way to it (a refused
    /// connection): only the first is shown as "API said".
    #[serde(skip)]
    pub from_api: bool,
}

/// Said when a setup token could not list models and a 1-token message checked it.
pub const CHECKED_BY_MESSAGE: &str = "the endpoint would not list models for this key \
    (a setup token's scope may not cover that; many gateways have no model list), so a \
    1-token message checked it instead";

fn ser_millis<S: serde::Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        None => s.serialize_none(),
    }
}

impl Check {
    pub fn from_result(
        result: &Result<Validation, ApiError>,
        latency: Duration,
    ) -> (Self, RateLimits) {
        let at = Utc::now();
        match result {
            Ok(v) => (
                Self {
                    verdict: Verdict::Valid,
                    at,
                    latency: Some(v.latency),
                    request_id: v.request_id.clone(),
                    message: None,
                    advice: None,
                    retry_after: None,
                    note: v.by_message.then(|| CHECKED_BY_MESSAGE.to_string()),
                    from_api: true,
                },
                v.limits.clone(),
            ),
            Err(e) => {
                let verdict = classify(e);
                let retry_after = match e {
                    ApiError::RateLimited { retry_after, .. } => retry_after.map(|d| d.as_secs()),
                    _ => None,
                };
                (
                    Self {
                        verdict,
                        at,
                        latency: (verdict != Verdict::Unreachable).then_some(latency),
                        request_id: e.request_id().map(str::to_string),
                        message: Some(e.to_string()),
                        advice: Some(e.advice().to_string()),
                        retry_after,
                        note: None,
                        from_api: e.from_api(),
                    },
                    e.limits().cloned().unwrap_or_default(),
                )
            }
        }
    }

    pub fn to_last_validation(&self) -> LastValidation {
        LastValidation {
            at: self.at,
            result: self.verdict.as_str().into(),
            latency: self.latency,
            request_id: self.request_id.clone(),
            message: self.message.clone(),
        }
    }
}

/// Everything `oat token status` reports.
#[derive(Debug, Clone, Serialize)]
pub struct StatusReport {
    pub name: String,
    pub active: bool,
    pub kind: CredentialKind,
    pub masked: String,
    pub backend: Backend,
    /// `None` for environment keys: the environment does not say when it was set.
    pub added: Option<DateTime<Utc>>,
    pub created: Option<NaiveDate>,
    /// `None` when no start date is known (environment setup tokens).
    pub expiry: Option<Expiry>,
    /// The key's own endpoint and model, when it has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The live check; `None` when it was skipped (`--offline`).
    pub check: Option<Check>,
    /// The last verdict the API gave, shown when no live check could run.
    pub last_known: Option<LastValidation>,
    /// The last check that got no verdict (offline), when it is newer than `last_known`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_attempt: Option<LastValidation>,
    pub limits: RateLimits,
    /// The model this key starts conversations with retires within 30 days, or has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retirement: Option<crate::api::models::Retirement>,
}

pub const EXIT_VALID: u8 = 0;
pub const EXIT_INVALID: u8 = 1;
pub const EXIT_EXPIRING: u8 = 2;
pub const EXIT_UNKNOWN: u8 = 3;

impl StatusReport {
    pub fn new(meta: &KeyMeta, active: bool, masked: String, today: NaiveDate) -> Self {
        let from_env = meta.backend == Backend::Env;
        let expiry = match (meta.kind, from_env, meta.created) {
            (CredentialKind::ApiKey, _, _) => Some(Expiry::None),
            (_, true, None) => None,
            _ => Some(estimate_expiry(meta.kind, meta.created_or_added(), today)),
        };
        Self {
            name: meta.name.clone(),
            active,
            kind: meta.kind,
            masked,
            backend: meta.backend,
            added: (!from_env).then_some(meta.added),
            created: meta.created,
            expiry,
            endpoint: meta.base_url.clone(),
            model: meta.model.clone(),
            check: None,
            last_known: meta.last_validation.clone(),
            last_attempt: None,
            limits: RateLimits::default(),
            retirement: None,
        }
    }

    /// Notes the last check that got no verdict, if it came after the last verdict.
    pub fn with_attempt(mut self, attempt: Option<&LastValidation>) -> Self {
        self.last_attempt = attempt
            .filter(|a| self.last_known.as_ref().is_none_or(|k| a.at > k.at))
            .cloned();
        self
    }

    /// For cron: 0 valid, 1 invalid/expired/revoked/refused, 2 valid but expiring within
    /// 30 days, 3 could not check.
    pub fn exit_code(&self) -> u8 {
        let Some(check) = &self.check else {
            return EXIT_UNKNOWN;
        };
        match check.verdict {
            Verdict::Unreachable | Verdict::UntrustedCertificate => EXIT_UNKNOWN,
            v if v.authenticated() => match self.expiry {
                Some(Expiry::Expiring { .. }) => EXIT_EXPIRING,
                _ => EXIT_VALID,
            },
            _ => EXIT_INVALID,
        }
    }
}

#[cfg(test)]
mod tests;
