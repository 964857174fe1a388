//! `oat token status` and key handling against the mock, with keys in the 0600 file
//! store (no keyring needed) and in the environment: each refusal classified, the usage
//! headers shown, exit codes for cron, and nothing secret in any output.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use serde_json::Value;

struct Home {
    dir: tempfile::TempDir,
    mock: MockServer,
}

impl Home {
    fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
            mock: MockServer::start(),
        }
    }

    fn run_env(&self, env: &[(&str, &str)], args: &[&str], stdin: &str) -> Out {
        let mut cmd = oat(self.dir.path());
        cmd.env("ANTHROPIC_BASE_URL", &self.mock.url)
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args).write_stdin(stdin);
        output(&mut cmd, false)
    }

    fn run(&self, args: &[&str], stdin: &str) -> Out {
        self.run_env(&[], args, stdin)
    }

    fn add(&self, name: &str, secret: &str, extra: &[&str]) -> Out {
        let mut args = vec!["key", "add", name, "--store", "file"];
        args.extend_from_slice(extra);
        self.run(&args, secret)
    }

    fn config(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("config/oat/config.toml")).unwrap_or_default()
    }
}

#[test]
fn valid_key_status_with_expiry_and_latency() {
    let h = Home::new();
    assert_eq!(h.add("sub", OAUTH_TOKEN, &[]).code, 0);
    let o = h.run(&["token", "status"], "");
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);
    for want in [
        "Key         sub (active)",
        "setup token (OAuth)",
        "sk-ant-oat01-MOCK…",
        "credentials file",
        "days left)",
        "valid — ",
        "req_mock_ok",
    ] {
        assert!(o.stdout.contains(want), "missing {want:?} in\n{}", o.stdout);
    }
    assert!(
        o.stderr.contains("plain text"),
        "file use warns: {}",
        o.stderr
    );
    // The check is recorded with its latency and request id.
    let cfg = h.config();
    assert!(
        cfg.contains("result = \"valid\"") && cfg.contains("request_id = \"req_mock_ok\""),
        "{cfg}"
    );
}

#[test]
fn expiring_token_exits_2_and_says_what_to_do() {
    let h = Home::new();
    let created = (chrono::Local::now().date_naive() - chrono::Days::new(350)).to_string();
    assert_eq!(h.add("old", OAUTH_TOKEN, &["--created", &created]).code, 0);
    let o = h.run(&["token", "status", "--json"], "");
    assert_eq!(o.code, 2, "{}", o.stdout);
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["expiry"]["state"], "expiring");
    assert_eq!(v["expiry"]["days_left"], 15);
    assert_eq!(v["created"], created);
    let o = h.run(&["token", "status"], "");
    assert!(o.stdout.contains("claude setup-token"), "{}", o.stdout);
}

#[test]
fn revoked_key_exits_1_with_the_apis_words() {
    let h = Home::new();
    let o = h.add("gone", REVOKED_TOKEN, &[]);
    assert_eq!(o.code, 1, "refused keys are not stored: {}", o.stderr);
    assert!(
        o.stderr.contains("not stored") && o.stderr.contains("Invalid bearer token"),
        "{}",
        o.stderr
    );
    assert!(h.run(&["key", "list"], "").stdout.contains("No keys yet"));
    assert_eq!(h.add("gone", REVOKED_TOKEN, &["--force"]).code, 0);
    let o = h.run(&["token", "status", "gone"], "");
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("invalid") && o.stdout.contains("Invalid bearer token"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.contains("req_mock_error") && o.stdout.contains("claude setup-token"),
        "{}",
        o.stdout
    );
}

#[test]
fn refusals_are_classified() {
    let h = Home::new();
    assert_eq!(h.add("k", API_KEY, &[]).code, 0);
    let cases: [(Reply, &str, &str, i32); 8] = [
        (
            Reply::status(403, "permission_error", "Your key may not use this."),
            "no permission",
            "may not use this",
            1,
        ),
        (
            Reply::status(
                400,
                "invalid_request_error",
                "You're out of extra usage. Add more at claude.ai/settings/usage and keep going.",
            ),
            "Check       out of extra usage",
            "API said: invalid request (400): You're out of extra usage. Add more at claude.ai/settings/usage and keep going.",
            1,
        ),
        // The 2026 wordings of third-party use billed as extra usage, each verbatim.
        (
            Reply::status(
                400,
                "invalid_request_error",
                "Third-party apps now draw from your extra usage, not your plan limits. We've added a $20 credit to get you started. Claim it at claude.ai/settings/usage and keep going.",
            ),
            "Check       billed as extra usage",
            "We've added a $20 credit to get you started. Claim it at claude.ai/settings/usage and keep going.",
            1,
        ),
        (
            Reply::status(
                400,
                "invalid_request_error",
                "Third-party apps now draw from your extra usage, not your plan limits. Add more at claude.ai/settings/usage and keep going.",
            ),
            "Check       billed as extra usage",
            "https://claude.ai/settings/usage",
            1,
        ),
        (
            Reply::status(
                400,
                "invalid_request_error",
                "Third-party apps now draw from your extra usage, not your plan limits. Ask your workspace admin to add more and keep going.",
            ),
            "Check       billed as extra usage",
            "ask your workspace admin",
            1,
        ),
        (
            Reply::status(
                400,
                "invalid_request_error",
                "Your credit balance is too low to access the Anthropic API.",
            ),
            "Check       out of usage",
            "Console (https://console.anthropic.com/settings/billing)",
            1,
        ),
        (
            Reply::rate_limited(3 * 3600),
            "rate limited",
            "retry after 3h 0m",
            0,
        ),
        (Reply::rate_limited(5), "rate limited", "retry after 5s", 0),
    ];
    for (reply, verdict, words, code) in cases {
        h.mock.push_models(reply);
        let o = h.run(&["token", "status"], "");
        assert_eq!(o.code, code, "{verdict}: {}", o.stdout);
        assert!(
            o.stdout.contains(verdict) && o.stdout.contains(words),
            "{verdict}:\n{}",
            o.stdout
        );
    }
    let o = h.run_env(
        &[("CLAUDE_CODE_OAUTH_TOKEN", CLAUDE_CODE_ONLY_TOKEN)],
        &["--key", "env:CLAUDE_CODE_OAUTH_TOKEN", "token", "status"],
        "",
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stdout.contains("claude code only") && o.stdout.contains(CLAUDE_CODE_ONLY_MESSAGE),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("API key"), "{}", o.stdout);
}

#[test]
fn subscription_usage_headers_are_shown() {
    let h = Home::new();
    h.mock
        .add_header("anthropic-ratelimit-unified-status", "allowed_warning");
    h.mock
        .add_header("anthropic-ratelimit-unified-5h-utilization", "0.42");
    h.mock
        .add_header("anthropic-ratelimit-unified-5h-reset", "1795000000");
    h.mock
        .add_header("anthropic-ratelimit-unified-7d-utilization", "0.9");
    h.mock.add_header(
        "anthropic-ratelimit-unified-7d-reset",
        "2026-11-30T00:00:00Z",
    );
    h.mock.add_header(
        "anthropic-ratelimit-unified-representative-claim",
        "seven_day",
    );
    h.mock
        .add_header("anthropic-ratelimit-unified-overage-status", "rejected");
    h.mock.add_header(
        "anthropic-ratelimit-unified-overage-disabled-reason",
        "out_of_credits",
    );
    h.mock
        .add_header("anthropic-ratelimit-unified-overage-utilization", "1.0");
    h.mock
        .add_header("anthropic-ratelimit-requests-limit", "50");
    h.mock
        .add_header("anthropic-ratelimit-requests-remaining", "49");
    let o = h.run_env(
        &[("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN)],
        &["token", "status"],
        "",
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("5-hour: 42% used"), "{}", o.stdout);
    assert!(
        o.stdout.contains("7-day: 90% used") && o.stdout.contains("← governs"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("status: allowed_warning"), "{}", o.stdout);
    assert!(
        o.stdout
            .contains("Extra usage status: rejected (out of credits), 100% used"),
        "{}",
        o.stdout
    );
    assert!(o.stdout.contains("requests: 49 of 50 left"), "{}", o.stdout);
    // An environment setup token has no known start date.
    assert!(o.stdout.contains("Expires     unknown"), "{}", o.stdout);
    let o = h.run_env(
        &[("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN)],
        &["token", "status", "--json"],
        "",
    );
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["limits"]["unified"]["seven_day"]["utilization"], 0.9);
    assert_eq!(v["limits"]["unified"]["representative_claim"], "seven_day");
    assert_eq!(
        v["limits"]["unified"]["overage"],
        serde_json::json!({"status":"rejected","disabled_reason":"out_of_credits","utilization":1.0,"reset":null}),
        "named fields, not raw leftovers"
    );
    assert!(
        v["limits"]["unified"]["other"]
            .as_object()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn a_setup_token_that_may_not_list_models_is_checked_by_a_message_not_called_invalid() {
    let h = Home::new();
    let env = [("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN)];
    // Reports disagree on 401 or 403 for this; both must read the same.
    let scope = || {
        Reply::status(
            403,
            "permission_error",
            "OAuth token does not meet scope requirement user:profile",
        )
    };
    h.mock.push_models(Reply::status(
        401,
        "authentication_error",
        "OAuth authentication is not supported for this endpoint",
    ));
    let o = h.run_env(&env, &["token", "status"], "");
    assert_eq!(o.code, 0, "{}", o.stdout);
    assert!(o.stdout.contains("Check       valid"), "{}", o.stdout);
    assert!(
        o.stdout.contains("a 1-token message checked it instead"),
        "{}",
        o.stdout
    );
    let probe = &h.mock.requests_to("/v1/messages")[0];
    assert_eq!(probe.body.as_ref().unwrap()["max_tokens"], 1);
    // `oat models` falls back to the shipped list and says why, in one line.
    h.mock.push_models(scope());
    let o = h.run_env(&env, &["models"], "");
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("claude-sonnet-5-5"), "{}", o.stdout);
    assert!(
        o.stderr
            .contains("the API would not list models for this setup token")
            && o.stderr.contains("offline list taken"),
        "{}",
        o.stderr
    );
    // An API key refused there is reported as such, never hidden behind the list.
    h.mock.push_models(Reply::status(
        401,
        "authentication_error",
        "invalid x-api-key",
    ));
    let o = h.run_env(&[("ANTHROPIC_API_KEY", API_KEY)], &["models"], "");
    assert_eq!(o.code, 1, "{}", o.stderr);
    // A revoked setup token fails the message check too: invalid, as it should be.
    h.mock.push_models(scope());
    let o = h.run_env(
        &[("CLAUDE_CODE_OAUTH_TOKEN", REVOKED_TOKEN)],
        &["token", "status"],
        "",
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(o.stdout.contains("Check       invalid"), "{}", o.stdout);
}

#[test]
fn offline_exits_3_with_the_last_known_state() {
    let h = Home::new();
    assert_eq!(h.add("k", API_KEY, &[]).code, 0);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = h.run_env(
        &[("ANTHROPIC_BASE_URL", &format!("http://127.0.0.1:{port}"))],
        &["token", "status"],
        "",
    );
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(
        o.stdout.contains("unreachable") && o.stdout.contains("Last known  valid"),
        "{}",
        o.stdout
    );
    let o = h.run(&["token", "status", "--offline"], "");
    assert_eq!(o.code, 3);
    assert!(o.stdout.contains("not run (--offline)"), "{}", o.stdout);
}

#[test]
fn key_add_repairs_pastes_and_refuses_broken_ones() {
    let h = Home::new();
    let o = h.add("cut", &API_KEY[..80], &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("truncated"), "{}", o.stderr);
    let o = h.add("bad name", API_KEY, &[]);
    assert_eq!(o.code, 2);
    let o = h.add(
        "ok",
        &format!("  \"{API_KEY}\"\r\n"),
        &["--label", "CI box"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let o = h.add("ok", API_KEY, &[]);
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("exists already"), "{}", o.stderr);
    // No request was made for the refused pastes.
    assert_eq!(h.mock.requests_to("/v1/models").len(), 1);
}

#[test]
fn offline_add_stores_unchecked() {
    let h = Home::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let o = h.run_env(
        &[("ANTHROPIC_BASE_URL", &format!("http://127.0.0.1:{port}"))],
        &["key", "add", "k", "--store", "file"],
        API_KEY,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("storing it unchecked"), "{}", o.stderr);
    assert!(h.config().contains("result = \"unreachable\""));
}

#[test]
fn file_store_with_loose_mode_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let h = Home::new();
    assert_eq!(h.add("k", API_KEY, &[]).code, 0);
    let path = h.dir.path().join("config/oat/credentials");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let o = h.run(&["ask", "hi"], "");
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("chmod 600"), "{}", o.stderr);
}

#[test]
fn precedence_key_flag_then_active_then_environment() {
    let h = Home::new();
    let env = [("ANTHROPIC_API_KEY", API_KEY)];
    assert_eq!(h.run_env(&env, &["ask", "hi"], "").code, 0);
    assert!(
        h.mock.requests_to("/v1/messages")[0]
            .headers
            .contains_key("x-api-key")
    );
    assert_eq!(h.add("sub", OAUTH_TOKEN, &[]).code, 0);
    assert_eq!(h.run_env(&env, &["ask", "hi"], "").code, 0);
    assert!(
        h.mock.requests_to("/v1/messages")[1]
            .headers
            .contains_key("authorization"),
        "active key wins"
    );
    assert_eq!(
        h.run_env(&env, &["--key", "env:ANTHROPIC_API_KEY", "ask", "hi"], "")
            .code,
        0
    );
    assert!(
        h.mock.requests_to("/v1/messages")[2]
            .headers
            .contains_key("x-api-key"),
        "--key wins"
    );
    let o = h.run_env(&env, &["key", "list", "--json"], "");
    let list: Vec<Value> = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["name"], "env:ANTHROPIC_API_KEY");
    assert_eq!(list[1]["backend"], "env");
    let o = h.run_env(&env, &["key", "remove", "env:ANTHROPIC_API_KEY"], "");
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("read-only"), "{}", o.stderr);
    let o = h.run(&["--key", "nope", "ask", "hi"], "");
    assert_eq!(o.code, 2);
    assert!(o.stderr.contains("no key named `nope`"), "{}", o.stderr);
}

#[test]
fn corrupt_config_is_a_clear_error_and_left_alone() {
    let h = Home::new();
    let path = h.dir.path().join("config/oat/config.toml");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, "active_key = \"a\"\n[[key]]\nname = 3\n").unwrap();
    let o = h.run_env(&[("ANTHROPIC_API_KEY", API_KEY)], &["ask", "hi"], "");
    assert_eq!(o.code, 2);
    assert!(
        o.stderr.contains("config.toml") && o.stderr.contains("line 3"),
        "{}",
        o.stderr
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "active_key = \"a\"\n[[key]]\nname = 3\n"
    );
}

/// Issue 22: one offline `token status` stored "unreachable" as the last validation, so
/// `--offline` and `key list` said "unreachable" from then on. The last answer from the
/// API stays the last known state; the failed attempt is kept apart.
#[test]
fn an_offline_check_keeps_the_last_real_verdict() {
    let h = Home::new();
    assert_eq!(h.add("sub", OAUTH_TOKEN, &[]).code, 0);
    let o = h.run(&["token", "status"], "");
    assert_eq!(o.code, 0, "{}{}", o.stdout, o.stderr);

    let offline = h.run_env(
        &[("ANTHROPIC_BASE_URL", "http://127.0.0.1:9")],
        &["token", "status"],
        "",
    );
    assert_eq!(offline.code, 3, "{}", offline.stdout);

    let o = h.run(&["token", "status", "--offline"], "");
    assert_eq!(o.code, 3, "{}", o.stdout);
    let last_known = o
        .stdout
        .lines()
        .find(|l| l.starts_with("Last known"))
        .unwrap_or_default();
    assert!(last_known.contains("valid at"), "{}", o.stdout);
    assert!(
        o.stdout
            .lines()
            .any(|l| l.starts_with("Last tried") && l.contains("unreachable")),
        "the failed attempt is said too: {}",
        o.stdout
    );

    let o = h.run(&["key", "list"], "");
    let row = o.stdout.lines().find(|l| l.contains("sub")).unwrap();
    assert!(
        row.contains("valid") && !row.contains("unreachable"),
        "{}",
        o.stdout
    );
    let o = h.run(&["key", "list", "--json"], "");
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v[0]["last_validation"]["result"], "valid", "{v}");
    assert_eq!(v[0]["last_attempt"]["result"], "unreachable", "{v}");

    // A new answer from the API supersedes the failed attempt.
    assert_eq!(h.run(&["token", "status"], "").code, 0);
    let o = h.run(&["key", "list", "--json"], "");
    let v: Value = serde_json::from_str(&o.stdout).unwrap();
    assert!(v[0]["last_attempt"].is_null(), "{v}");
}
