//! Token values: kind from the prefix, repair of pasted text, checks, masking and the
//! expiry estimate. Pure: no I/O, no stores. A `Secret` never prints its full value.

use std::fmt;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};

pub const OAUTH_PREFIX: &str = "sk-ant-oat01-";
pub const API_KEY_PREFIX: &str = "sk-ant-api03-";

/// Real keys and setup tokens are about 108 characters. A value much shorter than that was
/// almost certainly cut off while copying (openclaw#53464: a token cut to 80 characters),
/// and sending it would only earn a confusing 401.
pub const MIN_TOKEN_LEN: usize = 90;
const MAX_TOKEN_LEN: usize = 512;

/// Setup tokens are issued for about a year; the token itself carries no readable expiry.
pub const OAUTH_LIFETIME_DAYS: u64 = 365;
/// Inside this many days of the estimated expiry oat warns.
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// How a credential authenticates on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// A subscription setup token (`claude setup-token`): `Authorization: Bearer`.
    Oauth,
    /// A Console API key: `x-api-key`.
    ApiKey,
}

impl CredentialKind {
    pub fn from_prefix(value: &str) -> Option<Self> {
        if value.starts_with(OAUTH_PREFIX) {
            Some(Self::Oauth)
        } else if value.starts_with(API_KEY_PREFIX) {
            Some(Self::ApiKey)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Oauth => "setup token (OAuth)",
            Self::ApiKey => "API key",
        }
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Oauth => "oauth",
            Self::ApiKey => "api-key",
        })
    }
}

/// A secret string. `Debug` and `Display` show only the masked form, so a secret that ends
/// up in a log line, an error or a panic message does not leak.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The full value. Call sites are few on purpose: the HTTP header, the store, `--reveal`.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn masked(&self) -> String {
        mask(&self.0)
    }

    /// Typing and pasting into a form that holds a secret, without ever exposing it.
    pub fn push(&mut self, c: char) {
        self.0.push(c);
    }

    pub fn push_str(&mut self, s: &str) {
        self.0.push_str(s);
    }

    pub fn pop(&mut self) {
        self.0.pop();
    }

    /// Nothing but white space.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({})", self.masked())
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// `sk-ant-oat01-abcd…wxyz`: the prefix, four characters, an ellipsis, the last four.
/// Short or unrecognised values show even less, so masking never reveals most of a value.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let prefix_len = [OAUTH_PREFIX, API_KEY_PREFIX]
        .iter()
        .find(|p| value.starts_with(*p))
        .map_or(0, |p| p.len());
    let body = chars.len().saturating_sub(prefix_len);
    if body >= 16 {
        let head: String = chars[..prefix_len + 4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}…{tail}")
    } else if chars.len() >= 8 {
        let head: String = chars[..2].iter().collect();
        format!("{head}…({} chars)", chars.len())
    } else {
        "…".to_string()
    }
}

/// A credential ready for the wire: its kind and its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    pub kind: CredentialKind,
    pub secret: Secret,
}

/// How to get a whole one again: advice follows the kind of key.
fn copy_again(kind: CredentialKind) -> &'static str {
    match kind {
        CredentialKind::Oauth => {
            "Copy it again in one piece (`claude setup-token` output may wrap across lines; oat joins them)"
        }
        CredentialKind::ApiKey => {
            "Copy it again in one piece (the Console shows a key once: if it is lost, create a new one)"
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("the token is empty")]
    Empty,
    #[error(
        "this does not look like an Anthropic credential (it starts with {start:?}); setup tokens start with \
         `{OAUTH_PREFIX}` and API keys with `{API_KEY_PREFIX}` (use --kind to force one)"
    )]
    UnknownPrefix { start: String },
    #[error(
        "the token looks truncated: {len} characters, where a whole one has about 108. {}",
        copy_again(*kind)
    )]
    Truncated { len: usize, kind: CredentialKind },
    #[error(
        "the token is {len} characters long, far more than a real one: was more than the token pasted?"
    )]
    TooLong { len: usize },
    #[error("the token contains {ch:?} at position {pos}, which no Anthropic token contains")]
    BadCharacter { ch: char, pos: usize },
}

/// Repairs what a paste does to a token: surrounding whitespace and quotes, and line
/// wraps inside it (`claude setup-token` output often wraps across two lines,
/// claude-code#54738). Whitespace never occurs inside a real token, so removing it is safe.
pub fn repair(raw: &str) -> String {
    // Whitespace first, then quotes: `' "sk-…" '` loses both, and repairing twice changes
    // nothing (the fuzz target checks it).
    let joined: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    joined.trim_matches(|c| c == '"' || c == '\'').to_string()
}

/// Repairs and checks a pasted value. `forced` overrides the kind read from the prefix
/// (and lets a value with an unknown prefix through, for proxies that mint their own).
pub fn parse_credential(
    raw: &str,
    forced: Option<CredentialKind>,
) -> Result<Credential, TokenError> {
    let value = repair(raw);
    if value.is_empty() {
        return Err(TokenError::Empty);
    }
    if let Some((pos, ch)) = value
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
    {
        return Err(TokenError::BadCharacter { ch, pos });
    }
    let detected = CredentialKind::from_prefix(&value);
    let kind = match (forced, detected) {
        (Some(kind), _) => kind,
        (None, Some(kind)) => kind,
        (None, None) => {
            let start: String = value.chars().take(7).collect();
            return Err(TokenError::UnknownPrefix { start });
        }
    };
    if detected.is_some() {
        let len = value.chars().count();
        if len < MIN_TOKEN_LEN {
            return Err(TokenError::Truncated { len, kind });
        }
        if len > MAX_TOKEN_LEN {
            return Err(TokenError::TooLong { len });
        }
    }
    Ok(Credential {
        kind,
        secret: Secret::new(value),
    })
}

/// Where a credential stands against its estimated end of life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum Expiry {
    /// API keys do not expire on a schedule.
    None,
    Valid {
        expires: NaiveDate,
        days_left: i64,
    },
    Expiring {
        expires: NaiveDate,
        days_left: i64,
    },
    Expired {
        expires: NaiveDate,
        days_left: i64,
    },
}

impl Expiry {
    pub fn days_left(&self) -> Option<i64> {
        match self {
            Self::None => None,
            Self::Valid { days_left, .. }
            | Self::Expiring { days_left, .. }
            | Self::Expired { days_left, .. } => Some(*days_left),
        }
    }
}

/// Setup tokens: created + 365 days; API keys: no scheduled expiry.
pub fn estimate_expiry(kind: CredentialKind, created: NaiveDate, today: NaiveDate) -> Expiry {
    if kind == CredentialKind::ApiKey {
        return Expiry::None;
    }
    let expires = created
        .checked_add_days(Days::new(OAUTH_LIFETIME_DAYS))
        .unwrap_or(NaiveDate::MAX);
    let days_left = (expires - today).num_days();
    if days_left < 0 {
        Expiry::Expired { expires, days_left }
    } else if days_left <= EXPIRY_WARNING_DAYS {
        Expiry::Expiring { expires, days_left }
    } else {
        Expiry::Valid { expires, days_left }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oauth() -> String {
        format!("{OAUTH_PREFIX}{}", "Ab3_-".repeat(19))
    }

    #[test]
    fn kind_comes_from_prefix() {
        let c = parse_credential(&oauth(), None).unwrap();
        assert_eq!(c.kind, CredentialKind::Oauth);
        let key = format!("{API_KEY_PREFIX}{}AA", "x".repeat(93));
        assert_eq!(
            parse_credential(&key, None).unwrap().kind,
            CredentialKind::ApiKey
        );
    }

    #[test]
    fn paste_is_repaired() {
        let t = oauth();
        let (a, b) = t.split_at(50);
        let pasted = format!("  \"{a}\n   {b}\"\r\n");
        assert_eq!(parse_credential(&pasted, None).unwrap().secret.expose(), t);
    }

    #[test]
    fn truncated_and_garbage_are_refused() {
        let t = oauth();
        assert_eq!(
            parse_credential(&t[..80], None),
            Err(TokenError::Truncated {
                len: 80,
                kind: CredentialKind::Oauth
            })
        );
        assert_eq!(parse_credential(" \n", None), Err(TokenError::Empty));
        assert!(matches!(
            parse_credential("hello-world-1234567890", None),
            Err(TokenError::UnknownPrefix { .. })
        ));
        assert!(matches!(
            parse_credential(&format!("{t}é"), None),
            Err(TokenError::BadCharacter { ch: 'é', .. })
        ));
        assert!(matches!(
            parse_credential(&format!("{t}{}", "a".repeat(600)), None),
            Err(TokenError::TooLong { .. })
        ));
    }

    #[test]
    fn forced_kind_accepts_unknown_prefix() {
        let c = parse_credential("proxy-minted-secret", Some(CredentialKind::ApiKey)).unwrap();
        assert_eq!(c.kind, CredentialKind::ApiKey);
    }

    #[test]
    fn masking_hides_the_middle() {
        let t = oauth();
        let m = mask(&t);
        assert_eq!(m, format!("{OAUTH_PREFIX}Ab3_…b3_-"));
        assert!(!m.contains(&t[20..40]));
        let s = Secret::new(t.clone());
        assert_eq!(format!("{s:?}"), format!("Secret({m})"));
        assert_eq!(s.to_string(), m);
        assert_eq!(mask("short"), "…");
        assert_eq!(mask("abcdefghij"), "ab…(10 chars)");
    }

    #[test]
    fn expiry_estimate() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let created = d("2026-01-01");
        assert_eq!(
            estimate_expiry(CredentialKind::ApiKey, created, d("2030-01-01")),
            Expiry::None
        );
        assert_eq!(
            estimate_expiry(CredentialKind::Oauth, created, d("2026-06-01")),
            Expiry::Valid {
                expires: d("2027-01-01"),
                days_left: 214
            }
        );
        assert!(matches!(
            estimate_expiry(CredentialKind::Oauth, created, d("2026-12-15")),
            Expiry::Expiring { days_left: 17, .. }
        ));
        assert!(matches!(
            estimate_expiry(CredentialKind::Oauth, created, d("2027-01-02")),
            Expiry::Expired { days_left: -1, .. }
        ));
    }
}
