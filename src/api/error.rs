//! One error type for everything the API layer can report: HTTP statuses and Anthropic's
//! error envelope, transport failures and undecodable replies. It keeps the API's own
//! message and the `request-id`, and says what a person should do next. It never holds
//! the credential.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use super::limits::RateLimits;
use crate::token::CredentialKind;

/// Anthropic's refusal of a subscription token used outside Claude Code contains this.
const CLAUDE_CODE_ONLY: &str = "only authorized for use with claude code";
/// The 400 for thinking sent back under another model, prompt, tools or organisation
/// (`api::binding`) says this; no `error_code` is documented for it.
const BOUND_ELSEWHERE: &str = "bound to a different conversation";
/// Where Anthropic's 2026 billing refusals send people, when the message names it.
const USAGE_PAGE: &str = "claude.ai/settings/usage";

/// How a refusal concerns money or usage rather than the credential: the 2026 wording of
/// subscription tokens used outside Claude Code, and an API key's empty balance. The
/// messages changed during the year, so each is matched on its stable words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Billing {
    /// "Third-party apps now draw from your extra usage…" / "…Ask your workspace admin to
    /// add more…": this use is billed as extra usage, and there is none to draw on yet.
    ExtraUsage { workspace_admin: bool },
    /// "You're out of extra usage…".
    OutOfExtraUsage,
    /// An API key's "credit balance is too low".
    OutOfCredit,
}

impl Billing {
    pub fn label(self) -> &'static str {
        match self {
            Self::ExtraUsage { .. } => "billed as extra usage",
            Self::OutOfExtraUsage => "out of extra usage",
            Self::OutOfCredit => "out of credit",
        }
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ApiError {
    #[error("authentication failed (401): {}", .0.message)]
    Unauthorized(ErrorDetail),
    #[error("permission denied (403): {}", .0.message)]
    PermissionDenied(ErrorDetail),
    #[error("not found (404): {}", .0.message)]
    NotFound(ErrorDetail),
    #[error("rate limited (429): {}", .detail.message)]
    RateLimited {
        detail: ErrorDetail,
        retry_after: Option<Duration>,
    },
    #[error("Anthropic's API is overloaded (529): {}", .0.message)]
    Overloaded(ErrorDetail),
    /// HTTP 402 or `billing_error`: the organisation's billing stops the request.
    #[error("a billing problem stopped the request: {}", .0.message)]
    PaymentRequired(ErrorDetail),
    /// `timeout_error` (504): the API gave up on the request; another try may pass.
    #[error("Anthropic's API timed out on the request: {}", .0.message)]
    Timeout(ErrorDetail),
    #[error("request too large (413): {}", .0.message)]
    RequestTooLarge(ErrorDetail),
    #[error("invalid request ({status}): {}", .detail.message)]
    InvalidRequest { status: u16, detail: ErrorDetail },
    #[error("server error ({status}): {}", .detail.message)]
    Server { status: u16, detail: ErrorDetail },
    /// An `event: error` inside a stream that had started well.
    #[error("the stream reported an error ({}): {}", .0.error_type, .0.message)]
    Stream(ErrorDetail),
    /// A failure below HTTP, in a person's words ("could not connect to 127.0.0.1:9
    /// (connection refused)"); the library's chain went to the log.
    #[error("{0}")]
    Network(String),
    /// The server's certificate is not trusted: a security problem, never "offline".
    /// `detail` (the TLS library's words) is logged, not shown.
    #[error("the server's certificate is not trusted ({reason})")]
    Certificate { reason: String, detail: String },
    /// The proxy in the way refused or failed (407, an error page instead of a tunnel).
    #[error("the proxy {proxy} {problem}")]
    Proxy {
        proxy: String,
        problem: String,
        detail: String,
    },
    #[error("no data from the server for {0:?}; the connection looks stalled")]
    Stalled(Duration),
    #[error("the connection closed before the reply was complete")]
    Incomplete,
    #[error("could not understand the server's reply: {0}")]
    Decode(String),
    /// Events that break the streaming protocol: what was assembled before stays.
    #[error("the reply broke the streaming protocol: {0}")]
    Protocol(String),
    #[error("{0}")]
    Config(String),
}

/// What the API said about an error, as it said it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ErrorDetail {
    /// `error.type` from the envelope (`authentication_error`, …), or a stand-in.
    pub error_type: String,
    pub message: String,
    pub request_id: Option<String>,
    /// Rate-limit headers sent with the refusal (a 429 from a drained subscription window
    /// carries the usage figures that explain it).
    pub limits: Option<Box<RateLimits>>,
    /// The kind of credential the refused request carried (stamped by the client): what
    /// to do about a 401 depends on it.
    pub credential: Option<CredentialKind>,
    /// `error.details.error_code`: the stable reason, to branch on instead of the message.
    /// Boxed: every `Result<_, ApiError>` carries this struct's size.
    pub code: Option<Box<ErrorCode>>,
}

#[derive(Deserialize)]
struct Envelope {
    error: EnvelopeError,
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(rename = "type")]
    error_type: String,
    message: String,
    #[serde(default)]
    details: Option<EnvelopeDetails>,
}

#[derive(Deserialize)]
struct EnvelopeDetails {
    error_code: Option<String>,
}

impl ErrorDetail {
    /// Reads the error envelope; a body that is not one (a proxy's HTML page, say) is kept
    /// as the message, shortened, so the person still sees what came back.
    pub fn from_body(body: &str, header_request_id: Option<String>) -> Self {
        match serde_json::from_str::<Envelope>(body) {
            Ok(env) => Self {
                error_type: env.error.error_type,
                message: env.error.message,
                request_id: env.request_id.or(header_request_id),
                limits: None,
                credential: None,
                code: env
                    .error
                    .details
                    .and_then(|d| d.error_code)
                    .map(|c| Box::new(ErrorCode::parse(&c))),
            },
            Err(_) => {
                let text: String = body.trim().chars().take(300).collect();
                Self {
                    error_type: "unknown".into(),
                    message: if text.is_empty() {
                        "(empty body)".into()
                    } else {
                        text
                    },
                    request_id: header_request_id,
                    limits: None,
                    credential: None,
                    code: None,
                }
            }
        }
    }
}

/// The variants that carry what the API said; one list for `detail` and `detail_mut`.
macro_rules! detail_of {
    ($e:expr) => {
        match $e {
            ApiError::Unauthorized(d)
            | ApiError::PermissionDenied(d)
            | ApiError::NotFound(d)
            | ApiError::Overloaded(d)
            | ApiError::PaymentRequired(d)
            | ApiError::Timeout(d)
            | ApiError::RequestTooLarge(d)
            | ApiError::Stream(d)
            | ApiError::RateLimited { detail: d, .. }
            | ApiError::InvalidRequest { detail: d, .. }
            | ApiError::Server { detail: d, .. } => Some(d),
            _ => None,
        }
    };
}

impl ApiError {
    /// Maps a failed HTTP response to the error enum.
    pub fn from_status(
        status: StatusCode,
        body: &str,
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        let detail = ErrorDetail::from_body(body, request_id);
        // The type names these whatever the status a gateway put on them.
        match detail.error_type.as_str() {
            "billing_error" => return Self::PaymentRequired(detail),
            "timeout_error" => return Self::Timeout(detail),
            _ => {}
        }
        match status.as_u16() {
            402 => Self::PaymentRequired(detail),
            401 => Self::Unauthorized(detail),
            403 => Self::PermissionDenied(detail),
            404 => Self::NotFound(detail),
            413 => Self::RequestTooLarge(detail),
            429 => Self::RateLimited {
                detail,
                retry_after,
            },
            529 => Self::Overloaded(detail),
            s @ 400..=499 => Self::InvalidRequest { status: s, detail },
            s => Self::Server { status: s, detail },
        }
    }

    /// Maps a mid-stream `event: error` payload.
    pub fn from_stream_error(data: &str) -> Self {
        let detail = ErrorDetail::from_body(data, None);
        match detail.error_type.as_str() {
            "overloaded_error" => Self::Overloaded(detail),
            "rate_limit_error" => Self::RateLimited {
                detail,
                retry_after: None,
            },
            "billing_error" => Self::PaymentRequired(detail),
            "timeout_error" => Self::Timeout(detail),
            _ => Self::Stream(detail),
        }
    }

    pub fn detail(&self) -> Option<&ErrorDetail> {
        detail_of!(self)
    }

    pub fn detail_mut(&mut self) -> Option<&mut ErrorDetail> {
        detail_of!(self)
    }

    /// Notes the kind of credential the refused request carried, for the advice.
    pub fn with_credential(mut self, kind: CredentialKind) -> Self {
        if let Some(d) = self.detail_mut() {
            d.credential = Some(kind);
        }
        self
    }

    /// Whether these words came from the API (its error envelope or status), as opposed
    /// to a failure on the way there: only then is it "what the API said".
    pub fn from_api(&self) -> bool {
        self.detail().is_some()
    }

    /// Rate-limit headers that came with the refusal, if any.
    pub fn limits(&self) -> Option<&RateLimits> {
        self.detail().and_then(|d| d.limits.as_deref())
    }

    pub fn request_id(&self) -> Option<&str> {
        self.detail().and_then(|d| d.request_id.as_deref())
    }

    /// Anthropic's "This credential is only authorized for use with Claude Code…" refusal.
    pub fn is_claude_code_only(&self) -> bool {
        self.detail()
            .is_some_and(|d| d.message.to_lowercase().contains(CLAUDE_CODE_ONLY))
    }

    /// The API refused earlier thinking bound to another conversation (see
    /// `api::binding`). A code the API sends decides first; the words only when it sent
    /// none oat knows.
    pub fn is_thinking_bound_elsewhere(&self) -> bool {
        matches!(self, Self::InvalidRequest { .. })
            && self.code().is_none_or(|c| matches!(c, ErrorCode::Other(_)))
            && self
                .detail()
                .is_some_and(|d| d.message.to_lowercase().contains(BOUND_ELSEWHERE))
    }

    /// Whether this refusal is about billing (see `Billing`), read from the API's words.
    pub fn billing(&self) -> Option<Billing> {
        let m = self.detail()?.message.to_lowercase();
        if m.contains("out of extra usage") {
            Some(Billing::OutOfExtraUsage)
        } else if m.contains("extra usage") || m.contains("workspace admin to add more") {
            Some(Billing::ExtraUsage {
                workspace_admin: m.contains("workspace admin"),
            })
        } else if m.contains("credit balance") {
            Some(Billing::OutOfCredit)
        } else {
            None
        }
    }

    /// The usage page a billing refusal names, as a link.
    pub fn usage_page(&self) -> Option<String> {
        self.detail()
            .filter(|d| d.message.to_lowercase().contains(USAGE_PAGE))
            .map(|_| format!("https://{USAGE_PAGE}"))
    }

    /// A usage limit that will not lift in seconds: a 429 that asks for minutes or more
    /// (a drained subscription window answers with hours). Retrying it only wastes time.
    pub fn is_long_rate_limit(&self) -> bool {
        matches!(self, Self::RateLimited { retry_after: Some(d), .. } if *d > Duration::from_secs(60))
    }

    /// `error.details.error_code`, when the API sent one.
    pub fn code(&self) -> Option<&ErrorCode> {
        self.detail().and_then(|d| d.code.as_deref())
    }

    /// Worth another try before any of the reply was shown: 429 (short), 529, a timeout,
    /// a reset; never a spend limit or an account hold, whatever the status.
    pub fn is_retryable(&self) -> bool {
        if self.code().is_some_and(ErrorCode::blocks_retry) {
            return false;
        }
        match self {
            Self::Timeout(_) => true,
            Self::RateLimited { .. } => !self.is_long_rate_limit(),
            Self::Overloaded(_) | Self::Network(_) => true,
            Self::Server { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// An error that says the credential itself is not usable (as opposed to the network,
    /// the request or the server). Callers must not fall back to offline data on these.
    pub fn is_auth(&self) -> bool {
        matches!(self, Self::Unauthorized(_) | Self::PermissionDenied(_))
            || self.is_claude_code_only()
    }

    /// The server could not be reached or answered with something broken: offline data may
    /// stand in.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Network(_) | Self::Stalled(_) | Self::Decode(_) | Self::Incomplete
        ) || matches!(self, Self::Server { .. } | Self::Overloaded(_))
    }
}

mod advice;
mod code;
mod oauth;
mod transport;

pub use code::ErrorCode;
pub use oauth::{OauthRefusal, SETUP_TOKEN_SCOPE};

#[cfg(test)]
mod tests;
