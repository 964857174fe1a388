//! Anthropic's 2026 refusals of setup tokens (OAuth) that are not about money: OAuth not
//! accepted on the request (401 "OAuth authentication is currently not supported") and a
//! scope the token lacks (403 "OAuth token does not meet scope requirement any_of(…)").
//! Read from the API's words, which are always shown verbatim beside this advice; no
//! error code tells them apart (yet).

use std::borrow::Cow;

use super::{ApiError, ErrorCode};
use crate::api::client::OAUTH_BETA;
use crate::token::CredentialKind;

const NOT_SUPPORTED: &str = "oauth authentication is currently not supported";
const SCOPE: &str = "does not meet scope requirement";
/// The one scope a `claude setup-token` token carries.
pub const SETUP_TOKEN_SCOPE: &str = "user:inference";

/// How Anthropic refused a request for being OAuth, as its words say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OauthRefusal {
    /// The request was not taken as OAuth: the `anthropic-beta: oauth-…` header did not
    /// arrive, or Anthropic refuses OAuth for this use.
    NotSupported,
    /// The token lacks a scope the request needs; `needed` as the message lists them
    /// (any one of them would do), empty when it named none oat could read.
    Scope { needed: Vec<String> },
}

/// The scopes in `… scope requirement any_of(user:profile, org:admin)` (or a bare
/// `… scope requirement user:profile`), as written.
fn needed_scopes(message: &str) -> Option<Vec<String>> {
    // ASCII lowering keeps byte offsets, so the index finds the original words.
    let at = message.to_ascii_lowercase().find(SCOPE)? + SCOPE.len();
    let rest = message[at..].trim_start();
    let list = match rest
        .strip_prefix("any_of(")
        .or_else(|| rest.strip_prefix("all_of("))
    {
        Some(inner) => inner.split(')').next().unwrap_or(""),
        None => rest.split_whitespace().next().unwrap_or(""),
    };
    Some(
        list.split(',')
            .map(|s| s.trim().trim_matches(|c: char| "'\"`.;".contains(c)))
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

impl ApiError {
    /// Whether the API refused this request for being OAuth (see `OauthRefusal`).
    pub fn oauth_refusal(&self) -> Option<OauthRefusal> {
        let message = &self.detail()?.message;
        if message.to_ascii_lowercase().contains(NOT_SUPPORTED) {
            return Some(OauthRefusal::NotSupported);
        }
        needed_scopes(message).map(|needed| OauthRefusal::Scope { needed })
    }

    /// What to do about an OAuth refusal; `None` for any other error, or when the API's
    /// error code has its own advice (the code is the stable reason).
    pub(super) fn oauth_advice(&self) -> Option<Cow<'static, str>> {
        if self.code().and_then(ErrorCode::advice).is_some() {
            return None;
        }
        let api_key = self.detail()?.credential == Some(CredentialKind::ApiKey);
        Some(match self.oauth_refusal()? {
            OauthRefusal::NotSupported if api_key => Cow::Borrowed(
                "The endpoint answered about OAuth, though oat sent an API key: check the \
                 base URL, or the gateway in between.",
            ),
            OauthRefusal::NotSupported => Cow::Owned(format!(
                "Anthropic did not take this request as OAuth. oat sends setup tokens with \
                 the `anthropic-beta: {OAUTH_BETA}` header, so either a proxy or gateway in \
                 between dropped it (let the header through), or Anthropic refuses the token \
                 here: its terms reserve setup tokens for Claude Code and Claude.ai. An API \
                 key from https://console.anthropic.com/settings/keys avoids both."
            )),
            OauthRefusal::Scope { needed } => {
                let scopes: Vec<String> = needed.iter().map(|s| format!("`{s}`")).collect();
                let wanted = match scopes.len() {
                    0 => "a scope".to_string(),
                    1 => format!("the scope {}", scopes[0]),
                    _ => format!("one of the scopes {}", scopes.join(", ")),
                };
                Cow::Owned(format!(
                    "This request needs {wanted}, which the token lacks: setup tokens from \
                     `claude setup-token` carry only `{SETUP_TOKEN_SCOPE}`, enough to chat \
                     but not for this. An API key has no scopes and avoids this \
                     (https://console.anthropic.com/settings/keys)."
                ))
            }
        })
    }
}
