//! `oat models` against the mock: every page, table and JSON, the offline fallback, and
//! authentication errors that must not fall back.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use serde_json::Value;

fn models(base_url: &str, env: (&str, &str), args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let o = output(
        oat(home.path())
            .env("ANTHROPIC_BASE_URL", base_url)
            .env(env.0, env.1)
            .arg("models")
            .args(args),
        false,
    );
    (o.code, o.stdout, o.stderr)
}

#[test]
fn follows_every_page() {
    let mock = MockServer::start();
    let (code, stdout, stderr) = models(&mock.url, ("ANTHROPIC_API_KEY", API_KEY), &["--json"]);
    assert_eq!(code, 0, "{stderr}");
    let list: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let expected = default_models();
    assert_eq!(list.len(), expected.len());
    assert_eq!(list[0]["id"], expected[0]["id"]);
    assert_eq!(list.last().unwrap()["id"], expected.last().unwrap()["id"]);
    // Unknown fields pass through.
    assert_eq!(list[0]["type"], "model");
    assert!(list[0]["capabilities"]["thinking"].is_object());
    // Page size 4 in the mock: several requests, each after the last id of the one before.
    let reqs = mock.requests_to("/v1/models");
    assert_eq!(reqs.len(), expected.len().div_ceil(4));
    assert!(!reqs[0].query.contains("after_id"));
    assert!(
        reqs[1]
            .query
            .contains(&format!("after_id={}", expected[3]["id"].as_str().unwrap()))
    );
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn table_shows_limits_and_thinking() {
    let mock = MockServer::start();
    let (code, stdout, _) = models(&mock.url, ("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN), &[]);
    assert_eq!(code, 0);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("ID"));
    let opus = lines
        .iter()
        .find(|l| l.starts_with("claude-opus-5-5 "))
        .unwrap();
    assert!(
        opus.contains("Claude Opus 5.5")
            && opus.contains("1M")
            && opus.contains("128K")
            && opus.contains("adaptive"),
        "{opus}"
    );
    let sonnet45 = lines
        .iter()
        .find(|l| l.starts_with("claude-sonnet-4-5 "))
        .unwrap();
    assert!(
        sonnet45.contains("2025-09-29") && sonnet45.contains("budget"),
        "{sonnet45}"
    );
}

#[test]
fn unreachable_api_gives_the_marked_fallback() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, stdout, stderr) = models(
        &format!("http://127.0.0.1:{port}"),
        ("ANTHROPIC_API_KEY", API_KEY),
        &[],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("offline list taken 2026-12-02"), "{stderr}");
    assert!(stderr.contains("could not reach the API"), "{stderr}");
    assert!(stdout.contains("claude-opus-5-5"));
}

#[test]
fn server_errors_give_the_fallback_too() {
    let mock = MockServer::start();
    for _ in 0..4 {
        mock.push_models(Reply::status(500, "api_error", "Internal server error"));
    }
    let (code, stdout, stderr) = models(&mock.url, ("ANTHROPIC_API_KEY", API_KEY), &["--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("Internal server error") && stderr.contains("offline list"),
        "{stderr}"
    );
    let list: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert!(list.iter().any(|m| m["id"] == "claude-haiku-5-5"));
}

#[test]
fn authentication_errors_are_not_hidden_by_the_fallback() {
    let mock = MockServer::start();
    let (code, stdout, stderr) = models(
        &mock.url,
        ("ANTHROPIC_API_KEY", &API_KEY.replace("MOCK", "NOPE")),
        &[],
    );
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("invalid x-api-key") && !stderr.contains("offline"),
        "{stderr}"
    );
    let (code, _, stderr) = models(
        &mock.url,
        ("CLAUDE_CODE_OAUTH_TOKEN", CLAUDE_CODE_ONLY_TOKEN),
        &[],
    );
    assert_eq!(code, 1);
    assert!(stderr.contains(CLAUDE_CODE_ONLY_MESSAGE), "{stderr}");
}
