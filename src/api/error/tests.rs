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

fn coded(status: u16, error_type: &str, message: &str, code: &str) -> ApiError {
    let body = serde_json::json!({"type":"error","error":{"type":error_type,"message":message,
        "details":{"error_code":code}},"request_id":"req_c"});
    ApiError::from_status(
        StatusCode::from_u16(status).unwrap(),
        &body.to_string(),
        None,
        Some(Duration::from_secs(5)),
    )
}

#[test]
fn error_codes_are_read_and_decide_the_advice_not_the_message() {
    // The message says something else entirely: the code decides.
    let e = coded(
        400,
        "invalid_request_error",
        "Invalid request.",
        "image_dimensions_too_large",
    );
    assert_eq!(e.code(), Some(&ErrorCode::ImageDimensionsTooLarge));
    assert!(e.advice().contains("Scale it down"), "{}", e.advice());
    assert_eq!(e.request_id(), Some("req_c"));

    // A ramp limit is a rate limit with its retry-after: retried while it is short.
    let e = coded(
        429,
        "rate_limit_error",
        "Rate limited.",
        "ramp_limit_exceeded",
    );
    assert!(
        matches!(e, ApiError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(5))
    );
    assert!(e.is_retryable());
    assert!(e.advice().contains("ramp up"), "{}", e.advice());

    // Spend limits and holds are never retried, whatever status carries them.
    for (code, words) in [
        ("enforced_spend_limit_reached", "spend limit"),
        ("contract_spend_limit_reached", "account team"),
        ("organization_on_hold", "on hold"),
    ] {
        let e = coded(429, "rate_limit_error", "Request rejected.", code);
        assert!(!e.is_retryable(), "{code}");
        assert!(e.advice().contains(words), "{code}: {}", e.advice());
    }
    // An unknown code is kept and changes nothing else.
    let e = coded(400, "invalid_request_error", "x", "tool_name_conflict");
    assert_eq!(
        e.code(),
        Some(&ErrorCode::Other("tool_name_conflict".into()))
    );
    assert!(e.advice().contains("refused as invalid"));
    // No details at all: no code.
    let e = ApiError::from_status(
        StatusCode::BAD_REQUEST,
        r#"{"type":"error","error":{"type":"invalid_request_error","message":"m"}}"#,
        None,
        None,
    );
    assert_eq!(e.code(), None);
}

#[test]
fn billing_errors_402_and_timeouts_have_their_own_words() {
    let e = coded(402, "billing_error", "Payment required.", "x");
    assert!(matches!(e, ApiError::PaymentRequired(_)), "{e:?}");
    assert!(!e.is_retryable());
    assert!(e.advice().contains("billing"), "{}", e.advice());
    // 402 alone, or the type alone, is enough.
    let plain = ApiError::from_status(StatusCode::PAYMENT_REQUIRED, "", None, None);
    assert!(matches!(plain, ApiError::PaymentRequired(_)));
    let typed = ApiError::from_status(
        StatusCode::BAD_REQUEST,
        r#"{"type":"error","error":{"type":"billing_error","message":"Your credit card was declined."}}"#,
        None,
        None,
    );
    assert!(matches!(typed, ApiError::PaymentRequired(_)));
    assert_eq!(
        typed.detail().unwrap().message,
        "Your credit card was declined."
    );

    let t = ApiError::from_status(
        StatusCode::GATEWAY_TIMEOUT,
        r#"{"type":"error","error":{"type":"timeout_error","message":"Request timed out."}}"#,
        None,
        None,
    );
    assert!(matches!(t, ApiError::Timeout(_)) && t.is_retryable());
    assert!(t.to_string().contains("timed out"));
    let s = ApiError::from_stream_error(
        r#"{"type":"error","error":{"type":"timeout_error","message":"Request timed out."}}"#,
    );
    assert!(matches!(s, ApiError::Timeout(_)));
}

#[test]
fn thinking_bound_elsewhere_is_explained_and_a_known_code_still_decides_first() {
    let words = "messages.1.content.0: Invalid `signature` in `thinking` block. The block is bound to a different conversation. Remove the block, or set `thinking.block_binding.prefix_mismatch_behavior` to \"drop_block\".";
    let refused = |m: &str| {
        let body = serde_json::json!({"type":"error","error":{"type":"invalid_request_error","message":m}});
        ApiError::from_status(StatusCode::BAD_REQUEST, &body.to_string(), None, None)
    };
    let e = refused(words);
    assert!(e.is_thinking_bound_elsewhere());
    assert!(
        e.advice().contains("another organisation"),
        "{}",
        e.advice()
    );
    assert!(!e.is_retryable());
    // An unknown code leaves the words to decide; a code oat knows decides itself.
    assert!(
        coded(400, "invalid_request_error", words, "something_new").is_thinking_bound_elsewhere()
    );
    let known = coded(400, "invalid_request_error", words, "file_expired");
    assert!(!known.is_thinking_bound_elsewhere());
    assert!(known.advice().contains("Attach it again"));
    assert!(!refused("max_tokens: too large").is_thinking_bound_elsewhere());
}

fn oauth_refused(status: u16, error_type: &str, message: &str, kind: CredentialKind) -> ApiError {
    let body = serde_json::json!({"type":"error","error":{"type":error_type,"message":message},
        "request_id":"req_o"});
    ApiError::from_status(
        StatusCode::from_u16(status).unwrap(),
        &body.to_string(),
        None,
        None,
    )
    .with_credential(kind)
}

#[test]
fn oauth_not_supported_says_what_to_do_beside_the_words() {
    let e = oauth_refused(
        401,
        "authentication_error",
        "OAuth authentication is currently not supported.",
        CredentialKind::Oauth,
    );
    assert_eq!(e.oauth_refusal(), Some(OauthRefusal::NotSupported));
    // The API's words stay whole; the advice is beside them, not the "expired" advice.
    assert_eq!(
        e.to_string(),
        "authentication failed (401): OAuth authentication is currently not supported."
    );
    let a = e.advice();
    assert!(a.contains("anthropic-beta: oauth-2025-04-20"), "{a}");
    assert!(
        a.contains("proxy or gateway") && a.contains("API key"),
        "{a}"
    );
    assert!(!a.contains("expired"), "{a}");
    assert!(e.is_auth());
    // Sent with an API key, it points at the endpoint instead.
    let k = oauth_refused(
        401,
        "authentication_error",
        "OAuth authentication is currently not supported.",
        CredentialKind::ApiKey,
    );
    assert!(k.advice().contains("base URL"), "{}", k.advice());
    // The per-endpoint wording is not this refusal (setup tokens may not list models).
    let endpoint = oauth_refused(
        401,
        "authentication_error",
        "OAuth authentication is not supported for this endpoint",
        CredentialKind::Oauth,
    );
    assert_eq!(endpoint.oauth_refusal(), None);
}

#[test]
fn a_missing_scope_is_named_with_what_setup_tokens_carry() {
    let e = oauth_refused(
        403,
        "permission_error",
        "OAuth token does not meet scope requirement any_of(user:profile, user:sessions:claude_code)",
        CredentialKind::Oauth,
    );
    assert_eq!(
        e.oauth_refusal(),
        Some(OauthRefusal::Scope {
            needed: vec!["user:profile".into(), "user:sessions:claude_code".into()]
        })
    );
    let a = e.advice();
    assert!(
        a.contains("needs one of the scopes `user:profile`, `user:sessions:claude_code`"),
        "{a}"
    );
    assert!(
        a.contains("carry only `user:inference`") && a.contains("API key has no scopes"),
        "{a}"
    );
    // One scope, written bare; and a list oat cannot read still gets the advice.
    let one = oauth_refused(
        403,
        "permission_error",
        "OAuth token does not meet scope requirement user:profile",
        CredentialKind::Oauth,
    );
    assert!(
        one.advice().contains("needs the scope `user:profile`,"),
        "{}",
        one.advice()
    );
    let none = oauth_refused(
        403,
        "permission_error",
        "OAuth token does not meet scope requirement",
        CredentialKind::Oauth,
    );
    assert_eq!(
        none.oauth_refusal(),
        Some(OauthRefusal::Scope { needed: vec![] })
    );
    assert!(none.advice().starts_with("This request needs a scope,"));
    // Other 403s keep their usual advice.
    let other = oauth_refused(403, "permission_error", "no", CredentialKind::Oauth);
    assert_eq!(other.oauth_refusal(), None);
    assert!(other.advice().contains("may not use that model"));
}
