//! Tests of `status`: verdicts from refusals, exit codes and the expiry line.

use super::*;
use reqwest::StatusCode;

fn err(status: u16, t: &str, m: &str) -> ApiError {
    let body = format!(r#"{{"type":"error","error":{{"type":"{t}","message":"{m}"}}}}"#);
    ApiError::from_status(StatusCode::from_u16(status).unwrap(), &body, None, None)
}

#[test]
fn refusals_are_classified() {
    assert_eq!(
        classify(&err(401, "authentication_error", "Invalid bearer token")),
        Verdict::Invalid
    );
    assert_eq!(
        classify(&err(403, "permission_error", "no")),
        Verdict::NoPermission
    );
    assert_eq!(
        classify(&err(
            400,
            "invalid_request_error",
            "This credential is only authorized for use with Claude Code and cannot be used for other API requests."
        )),
        Verdict::ClaudeCodeOnly
    );
    assert_eq!(
        classify(&err(
            400,
            "invalid_request_error",
            "You're out of extra usage. Add more at claude.ai/settings/usage and keep going."
        )),
        Verdict::OutOfExtraUsage
    );
    assert_eq!(
        classify(&err(
            400,
            "invalid_request_error",
            "Third-party apps now draw from your extra usage, not your plan limits. Add more at claude.ai/settings/usage and keep going."
        )),
        Verdict::BilledAsExtraUsage
    );
    assert_eq!(
        classify(&err(
            400,
            "invalid_request_error",
            "Your credit balance is too low to access the Anthropic API."
        )),
        Verdict::OutOfUsage
    );
    assert_eq!(
        classify(&err(429, "rate_limit_error", "slow down")),
        Verdict::RateLimited
    );
    assert_eq!(
        classify(&ApiError::Network("refused".into())),
        Verdict::Unreachable
    );
    assert_eq!(
        classify(&err(400, "invalid_request_error", "bad")),
        Verdict::Refused
    );
    assert_eq!(
        classify(&err(
            401,
            "authentication_error",
            "OAuth authentication is currently not supported."
        )),
        Verdict::OauthNotSupported
    );
    assert_eq!(
        classify(&err(
            403,
            "permission_error",
            "OAuth token does not meet scope requirement any_of(user:profile)"
        )),
        Verdict::MissingScope
    );
}

fn meta(kind: CredentialKind, created: &str) -> KeyMeta {
    KeyMeta {
        name: "k".into(),
        kind,
        backend: Backend::Keyring,
        added: "2026-01-01T00:00:00Z".parse().unwrap(),
        created: Some(created.parse().unwrap()),
        label: None,
        base_url: None,
        model: None,
        last_validation: None,
    }
}

#[test]
fn exit_codes() {
    let today: NaiveDate = "2026-11-24".parse().unwrap();
    let mut r = StatusReport::new(
        &meta(CredentialKind::Oauth, "2026-01-01"),
        true,
        "m".into(),
        today,
    );
    assert_eq!(r.exit_code(), EXIT_UNKNOWN);
    let (c, _) = Check::from_result(&Err(ApiError::Network("x".into())), Duration::ZERO);
    r.check = Some(c);
    assert_eq!(r.exit_code(), EXIT_UNKNOWN);
    let ok = Ok(Validation {
        latency: Duration::from_millis(5),
        request_id: None,
        limits: Default::default(),
        by_message: false,
    });
    r.check = Some(Check::from_result(&ok, Duration::ZERO).0);
    assert_eq!(r.exit_code(), EXIT_VALID);
    let mut near = StatusReport::new(
        &meta(CredentialKind::Oauth, "2025-12-10"),
        true,
        "m".into(),
        today,
    );
    near.check = r.check.clone();
    assert_eq!(near.exit_code(), EXIT_EXPIRING);
    assert!(
        near.render().contains("only 16 days left"),
        "{}",
        near.render()
    );
    r.check = Some(
        Check::from_result(
            &Err(err(401, "authentication_error", "expired")),
            Duration::ZERO,
        )
        .0,
    );
    assert_eq!(r.exit_code(), EXIT_INVALID);
    let text = r.render();
    assert!(
        text.contains("API said: authentication failed (401): expired"),
        "{text}"
    );
    assert!(text.contains("Next: The credential is invalid"), "{text}");
}
