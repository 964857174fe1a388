//! Setup tokens as Anthropic answers them in 2026, against the mock in the real error
//! envelope: OAuth not accepted (401), a scope the token lacks (403 `any_of(…)`), the
//! extra-usage refusals in each wording, and extra usage turned off by an organisation
//! (the overage headers). Each is classified, Anthropic's words are quoted whole, and
//! oat's advice stands beside them, in `oat token status` and `oat ask` alike.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use serde_json::Value;

const NOT_SUPPORTED: &str = "OAuth authentication is currently not supported.";
const SCOPE: &str =
    "OAuth token does not meet scope requirement any_of(user:profile, user:sessions:claude_code)";

fn run(mock: &MockServer, args: &[&str]) -> Out {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = oat(home.path());
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .env("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    output(cmd.args(args).write_stdin(""), false)
}

/// `words` each in `text`, or a failure that shows the text.
fn has(text: &str, words: &[&str]) {
    for w in words {
        assert!(text.contains(w), "missing {w:?} in\n{text}");
    }
}

#[test]
fn oauth_not_supported_says_what_to_do() {
    let mock = MockServer::start();
    // The model list and the 1-token message that stands in for it both refuse.
    mock.push_models(Reply::status(401, "authentication_error", NOT_SUPPORTED));
    mock.push_messages(Reply::status(401, "authentication_error", NOT_SUPPORTED));
    let o = run(&mock, &["token", "status"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    has(
        &o.stdout,
        &[
            "Check       oauth not supported",
            "API said: authentication failed (401): OAuth authentication is currently not supported.",
            "Next: Anthropic did not take this request as OAuth.",
            "`anthropic-beta: oauth-2025-04-20`",
            "API key from https://console.anthropic.com/settings/keys",
        ],
    );
    assert!(!o.stdout.contains("expired or revoked"), "{}", o.stdout);
    mock.push_messages(Reply::status(401, "authentication_error", NOT_SUPPORTED));
    let o = run(&mock, &["ask", "hi"]);
    assert_ne!(o.code, 0);
    has(
        &o.stderr,
        &[NOT_SUPPORTED, "a proxy or gateway in between dropped it"],
    );
}

#[test]
fn a_missing_scope_is_named() {
    let mock = MockServer::start();
    mock.push_models(Reply::status(403, "permission_error", SCOPE));
    mock.push_messages(Reply::status(403, "permission_error", SCOPE));
    let o = run(&mock, &["token", "status", "--json"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["check"]["verdict"], "missing_scope");
    assert_eq!(
        v["check"]["message"],
        format!("permission denied (403): {SCOPE}")
    );
    has(
        v["check"]["advice"].as_str().unwrap(),
        &[
            "needs one of the scopes `user:profile`, `user:sessions:claude_code`",
            "carry only `user:inference`",
            "An API key has no scopes",
        ],
    );
    mock.push_messages(Reply::status(403, "permission_error", SCOPE));
    let o = run(&mock, &["ask", "hi"]);
    assert_ne!(o.code, 0);
    has(&o.stderr, &[SCOPE, "carry only `user:inference`"]);
}

#[test]
fn extra_usage_refusals_in_chat_are_quoted_with_the_way_on() {
    let cases = [
        (
            "Third-party apps now draw from your extra usage, not your plan limits. We've added a $20 credit to get you started. Claim it at claude.ai/settings/usage and keep going.",
            "claim or add extra usage at https://claude.ai/settings/usage",
        ),
        (
            "Third-party apps now draw from your extra usage, not your plan limits. Add more at claude.ai/settings/usage and keep going.",
            "claim or add extra usage at https://claude.ai/settings/usage",
        ),
        (
            "Third-party apps now draw from your extra usage, not your plan limits. Ask your workspace admin to add more and keep going.",
            "ask your workspace admin to add more",
        ),
        (
            "You're out of extra usage. Add more at claude.ai/settings/usage and keep going.",
            "extra usage is spent",
        ),
    ];
    for (message, advice) in cases {
        let mock = MockServer::start();
        mock.push_messages(Reply::status(400, "invalid_request_error", message));
        let o = run(&mock, &["ask", "hi"]);
        assert_ne!(o.code, 0);
        has(&o.stderr, &[message, advice]);
    }
}

#[test]
fn extra_usage_turned_off_by_the_organisation_is_said_plainly() {
    let mock = MockServer::start();
    mock.add_header("anthropic-ratelimit-unified-status", "allowed");
    mock.add_header("anthropic-ratelimit-unified-overage-status", "rejected");
    mock.add_header(
        "anthropic-ratelimit-unified-overage-disabled-reason",
        "org_level_disabled_until",
    );
    mock.add_header("anthropic-ratelimit-unified-overage-reset", "1798761600");
    let o = run(&mock, &["token", "status"]);
    assert_eq!(o.code, 0, "{}", o.stdout);
    let line = o
        .stdout
        .lines()
        .find(|l| l.starts_with("Extra usage"))
        .unwrap_or_else(|| panic!("{}", o.stdout));
    // The time is local: only its shape is certain.
    assert!(
        line.starts_with("Extra usage turned off by your organisation until ")
            && line.ends_with(" (status: rejected, org_level_disabled_until)"),
        "{line}"
    );
    let o = run(&mock, &["token", "status", "--json"]);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    let overage = &v["limits"]["unified"]["overage"];
    assert_eq!(overage["disabled_reason"], "org_level_disabled_until");
    assert_eq!(overage["reset"], "2027-01-01T00:00:00Z");

    // No end sent: said so, not guessed.
    let mock = MockServer::start();
    mock.add_header("anthropic-ratelimit-unified-overage-status", "rejected");
    mock.add_header(
        "anthropic-ratelimit-unified-overage-disabled-reason",
        "org_level_disabled_until",
    );
    let o = run(&mock, &["token", "status"]);
    has(
        &o.stdout,
        &["Extra usage turned off by your organisation (the API gave no end) (status: rejected"],
    );
}
