//! What a person should do about an `ApiError`, one sentence per kind, shown beside the
//! API's own words (never instead of them). It reads the error; it never changes it.

use super::{ApiError, Billing, ErrorCode};
use crate::token::CredentialKind;

impl ApiError {
    /// What to do next, in a sentence a person can act on (shown beside the API's own
    /// words, never instead of them).
    pub fn advice(&self) -> std::borrow::Cow<'static, str> {
        self.oauth_advice()
            .unwrap_or(std::borrow::Cow::Borrowed(self.usual_advice()))
    }

    /// The advice that needs no words from the message: one sentence per kind of error.
    // Long by design: one arm per kind of error: the words for each in one place.
    fn usual_advice(&self) -> &'static str {
        // The code is the API's stable reason: it decides before any reading of words.
        if let Some(advice) = self.code().and_then(ErrorCode::advice) {
            return advice;
        }
        if self.is_thinking_bound_elsewhere() {
            return "Thinking from earlier in this conversation is bound to how it was made \
                    (model, system prompt, tools, organisation), and something oat could not \
                    see changed: most often the key belongs to another organisation. Send \
                    with the key the conversation began with, or start a new conversation; \
                    with thinking on, oat asks the API to drop such thinking instead.";
        }
        if self.is_claude_code_only() {
            return "Anthropic accepts this setup token only inside Claude Code. Use an API key \
                    from https://console.anthropic.com/settings/keys instead (ANTHROPIC_API_KEY).";
        }
        match self.billing() {
            Some(Billing::ExtraUsage {
                workspace_admin: true,
            }) => {
                return "Anthropic bills this setup token's use outside Claude Code as extra \
                        usage, and the workspace has none left: ask your workspace admin to \
                        add more, or use an API key (the supported route).";
            }
            Some(Billing::ExtraUsage { .. }) => {
                return "Anthropic bills this setup token's use outside Claude Code as extra \
                        usage: claim or add extra usage at https://claude.ai/settings/usage, \
                        or use an API key (the supported route).";
            }
            Some(Billing::OutOfExtraUsage) => {
                return "The subscription's extra usage is spent: add more at \
                        https://claude.ai/settings/usage, or use an API key.";
            }
            Some(Billing::OutOfCredit) => {
                return "The API key's organisation is out of credit: add credit in the \
                        Console (https://console.anthropic.com/settings/billing).";
            }
            None => {}
        }
        match self {
            // Advice follows the kind of key: an API key is never renewed with `claude
            // setup-token`.
            Self::Unauthorized(d) => match d.credential {
                Some(CredentialKind::ApiKey) => {
                    "The API key is invalid, disabled or deleted. Create a new one at \
                     https://console.anthropic.com/settings/keys and add it with `oat key add`."
                }
                Some(CredentialKind::Oauth) => {
                    "The setup token is invalid, expired or revoked. Run `claude setup-token` \
                     for a fresh one, or use an API key from the Console (the supported route)."
                }
                None => {
                    "The credential is invalid, expired or revoked. Run `claude setup-token` \
                     for a fresh setup token, or create an API key in the Console."
                }
            },
            Self::PermissionDenied(_) => {
                "This credential may not use that model or feature. Try another model \
                 (`oat models`) or a credential with access."
            }
            Self::NotFound(_) => "Check the model id with `oat models`.",
            Self::RateLimited { .. } if self.is_long_rate_limit() => {
                "A usage limit is reached; it resets later (see retry-after). \
                 `oat token status` shows the windows."
            }
            Self::RateLimited { .. } => "Rate limited: wait a moment and try again.",
            Self::Overloaded(_) => "Anthropic's API is busy. Try again in a little while.",
            Self::PaymentRequired(_) => {
                "The organisation's billing stops requests: check the payment method and \
                 balance in the Console (https://console.anthropic.com/settings/billing)."
            }
            Self::Timeout(_) => {
                "Anthropic's API took too long on this request. Try again; a shorter prompt \
                 or a lower max-tokens helps if it repeats."
            }
            Self::RequestTooLarge(_) => "Shorten the prompt or the attached input.",
            Self::InvalidRequest { .. } => {
                "The request was refused as invalid; see the message above."
            }
            Self::Server { .. } => "Anthropic's API had a problem. Try again shortly.",
            Self::Stream(_) => "The reply was cut short by the server; what arrived is kept.",
            Self::Network(_) | Self::Stalled(_) | Self::Incomplete => {
                "Check your connection (and HTTPS_PROXY, if you use one), then try again."
            }
            Self::Certificate { .. } => {
                "oat trusts the system's certificates (on Debian, the ca-certificates \
                 package). If your company inspects TLS, trust its CA: `ca_cert = \
                 \"/path/to/ca.pem\"` in the config, `--ca-cert PATH`, or SSL_CERT_FILE. \
                 Otherwise something between you and the server is not what it claims to \
                 be: do not send a key through it."
            }
            Self::Proxy { .. } => {
                "Check the proxy's address and credentials (`proxy` in the config, or \
                 HTTPS_PROXY / ALL_PROXY; NO_PROXY lists hosts reached directly)."
            }
            Self::Decode(_) => {
                "The server sent something oat does not understand. Is the base URL right?"
            }
            Self::Protocol(_) => {
                "The server's stream broke Anthropic's event order; what arrived before is \
                 kept. If this repeats, check the base URL or the gateway in between."
            }
            Self::Config(_) => "Fix the setting named above.",
        }
    }
}
