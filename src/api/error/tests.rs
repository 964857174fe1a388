//! Tests of `api/error`.

use super::*;

#[test]
fn envelope_is_kept() {
    let body = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_1"}"#;
    let e = ApiError::from_status(StatusCode::UNAUTHORIZED, body, None, None);
    assert!(matches!(e, ApiError::Unauthorized(_)));
    assert_eq!(e.request_id(), Some("req_1"));
    assert_eq!(
        e.to_string(),
        "authentication failed (401): invalid x-api-key"
    );
    assert!(e.is_auth() && !e.is_retryable());
}

#[test]
fn claude_code_refusal_is_recognised() {
    let body = r#"{"type":"error","error":{"type":"invalid_request_error","message":"This credential is only authorized for use with Claude Code and cannot be used for other API requests."}}"#;
    let e = ApiError::from_status(StatusCode::BAD_REQUEST, body, Some("req_h".into()), None);
    assert!(e.is_claude_code_only() && e.is_auth());
    assert!(e.advice().contains("API key"));
    assert_eq!(e.request_id(), Some("req_h"));
}

#[test]
fn garbage_body_becomes_message() {
    let e = ApiError::from_status(
        StatusCode::BAD_GATEWAY,
        "<html>bad gateway</html>",
        None,
        None,
    );
    assert!(e.to_string().contains("<html>bad gateway</html>"));
    assert!(e.is_retryable() && e.is_unreachable());
}

#[test]
fn retry_rules() {
    let short = ApiError::from_status(
        StatusCode::TOO_MANY_REQUESTS,
        "",
        None,
        Some(Duration::from_secs(2)),
    );
    let long = ApiError::from_status(
        StatusCode::TOO_MANY_REQUESTS,
        "",
        None,
        Some(Duration::from_secs(7200)),
    );
    assert!(short.is_retryable());
    assert!(!long.is_retryable() && long.is_long_rate_limit());
    let over = ApiError::from_status(StatusCode::from_u16(529).unwrap(), "", None, None);
    assert!(matches!(over, ApiError::Overloaded(_)) && over.is_retryable());
    assert!(matches!(
        ApiError::from_stream_error(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#
        ),
        ApiError::Overloaded(_)
    ));
}

#[test]
fn billing_refusals_of_2026_are_told_apart() {
    let refused = |m: &str| {
        let body = format!(
            r#"{{"type":"error","error":{{"type":"invalid_request_error","message":"{m}"}}}}"#
        );
        ApiError::from_status(StatusCode::BAD_REQUEST, &body, None, None)
    };
    let april = refused(
        "Third-party apps now draw from your extra usage, not your plan limits. We've added a $20 credit to get you started. Claim it at claude.ai/settings/usage and keep going.",
    );
    assert_eq!(
        april.billing(),
        Some(Billing::ExtraUsage {
            workspace_admin: false
        })
    );
    assert_eq!(
        april.usage_page().as_deref(),
        Some("https://claude.ai/settings/usage")
    );
    assert!(april.advice().contains("extra usage"));
    let may = refused(
        "Third-party apps now draw from your extra usage, not your plan limits. Add more at claude.ai/settings/usage and keep going.",
    );
    assert_eq!(
        may.billing(),
        Some(Billing::ExtraUsage {
            workspace_admin: false
        })
    );
    let team = refused(
        "Third-party apps now draw from your extra usage, not your plan limits. Ask your workspace admin to add more and keep going.",
    );
    assert_eq!(
        team.billing(),
        Some(Billing::ExtraUsage {
            workspace_admin: true
        })
    );
    assert!(team.advice().contains("workspace admin"));
    assert_eq!(team.usage_page(), None);
    let out =
        refused("You're out of extra usage. Add more at claude.ai/settings/usage and keep going.");
    assert_eq!(out.billing(), Some(Billing::OutOfExtraUsage));
    assert_eq!(Billing::OutOfExtraUsage.label(), "out of extra usage");
    let credit = refused("Your credit balance is too low to access the Anthropic API.");
    assert_eq!(credit.billing(), Some(Billing::OutOfCredit));
    assert_eq!(refused("max_tokens: too large").billing(), None);
}
