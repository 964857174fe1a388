//! Errors as a person reads them: a refused connection is "could not connect to HOST:PORT
//! (connection refused)", not the HTTP library's chain, and is not "what the API said"
//! (no API answered); the chain stays in the log and under `-v`. A missing file is "no
//! file at PATH". The advice for a refused key follows the kind of key.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;

/// Nothing listens on port 9 (discard) on the test machine: a refused connection.
const CLOSED: &str = "http://127.0.0.1:9";

fn run(home: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> Out {
    let mut cmd = oat(home);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(cmd.args(args), false)
}

fn library_words(text: &str) -> bool {
    [
        "os error",
        "error sending request",
        "client error (Connect)",
        "tcp connect error",
    ]
    .iter()
    .any(|w| text.contains(w))
}

#[test]
fn a_refused_connection_is_said_in_words_and_not_as_the_api_speaking() {
    let home = tempfile::tempdir().unwrap();
    let env = [
        ("ANTHROPIC_API_KEY", API_KEY),
        ("ANTHROPIC_BASE_URL", CLOSED),
    ];
    let o = run(home.path(), &env, &["ask", "hi"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("oat: error: could not connect to 127.0.0.1:9 (connection refused)"),
        "{}",
        o.stderr
    );
    assert!(!library_words(&o.stderr), "{}", o.stderr);
    assert!(!o.stderr.contains("API said"), "{}", o.stderr);

    let o = run(home.path(), &env, &["token", "status"]);
    assert_eq!(o.code, 3, "{}", o.stdout);
    assert!(
        o.stdout
            .contains("Why: could not connect to 127.0.0.1:9 (connection refused)"),
        "{}",
        o.stdout
    );
    assert!(!o.stdout.contains("API said"), "{}", o.stdout);
    assert!(!library_words(&o.stdout), "{}", o.stdout);

    // The library's own account is kept for whoever asks for it.
    let o = run(home.path(), &env, &["-v", "token", "status"]);
    assert!(
        library_words(&o.stderr),
        "-v keeps the detail: {}",
        o.stderr
    );
}

#[test]
fn a_missing_file_is_no_file_at_its_path() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let missing = home.path().join("notes.txt");
    let o = run(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
        &["ask", "-f", missing.to_str().unwrap(), "summarise"],
    );
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains(&format!("no file at {}", missing.display())),
        "{}",
        o.stderr
    );
    assert!(!library_words(&o.stderr), "{}", o.stderr);
    assert!(!o.stderr.contains("No such file"), "{}", o.stderr);

    let o = run(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
        &["--ca-cert", missing.to_str().unwrap(), "models"],
    );
    assert!(
        o.stderr
            .contains(&format!("no file at {}", missing.display())),
        "{}",
        o.stderr
    );
    assert!(!library_words(&o.stderr), "{}", o.stderr);
}

#[test]
fn a_refused_api_key_gets_advice_for_api_keys_and_a_setup_token_for_tokens() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    mock.push_messages(Reply::status(
        401,
        "authentication_error",
        "invalid x-api-key",
    ));
    let o = run(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
        &["ask", "hi"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("invalid x-api-key"), "{}", o.stderr);
    assert!(
        !o.stderr.contains("setup-token"),
        "an API key is not renewed with `claude setup-token`: {}",
        o.stderr
    );
    assert!(
        o.stderr.contains("console.anthropic.com/settings/keys"),
        "{}",
        o.stderr
    );

    mock.push_messages(Reply::status(
        401,
        "authentication_error",
        "OAuth token has expired",
    ));
    let o = run(
        home.path(),
        &[
            ("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
        &["ask", "hi"],
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("claude setup-token"), "{}", o.stderr);
}

#[test]
fn a_truncated_api_key_is_not_told_about_setup_tokens() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let cut = &API_KEY[..60];
    let o = run(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", cut),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
        &["ask", "hi"],
    );
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("truncated"), "{}", o.stderr);
    assert!(!o.stderr.contains("setup-token"), "{}", o.stderr);
}

fn coded_error(
    status: u16,
    error_type: &str,
    message: &str,
    code: &str,
    retry: Option<u64>,
) -> Reply {
    Reply::ErrorBody {
        status,
        body: serde_json::json!({"type":"error","error":{"type":error_type,"message":message,
            "details":{"error_code":code}},"request_id":"req_coded"}),
        retry_after: retry,
    }
}

#[test]
fn error_codes_give_plain_words_and_the_next_step_and_decide_retrying() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let env = [
        ("ANTHROPIC_BASE_URL", mock.url.as_str()),
        ("ANTHROPIC_API_KEY", API_KEY),
    ];
    // A spend limit arrives as a 429 with no retry-after: no retry would help.
    mock.push_messages(coded_error(
        429,
        "rate_limit_error",
        "Request rejected.",
        "enforced_spend_limit_reached",
        None,
    ));
    let o = run(home.path(), &env, &["ask", "hi"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("spend limit set for this workspace"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("req_coded"), "{}", o.stderr);
    assert_eq!(mock.requests_to("/v1/messages").len(), 1, "not retried");

    // A ramp limit honours its retry-after: asked again once it passed, and the reply comes.
    mock.push_messages(coded_error(
        429,
        "rate_limit_error",
        "Rate limited.",
        "ramp_limit_exceeded",
        Some(1),
    ));
    let o = run(home.path(), &env, &["ask", "hi"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(mock.requests_to("/v1/messages").len(), 3);

    // The code decides the words, not the message.
    mock.push_messages(coded_error(
        400,
        "invalid_request_error",
        "Invalid request.",
        "image_dimensions_too_large",
        None,
    ));
    let o = run(home.path(), &env, &["ask", "hi"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("Scale it down"), "{}", o.stderr);

    // HTTP 402 with `billing_error`: its own words, not "invalid request".
    mock.push_messages(coded_error(
        402,
        "billing_error",
        "Your credit balance is exhausted.",
        "organization_on_hold",
        None,
    ));
    let o = run(home.path(), &env, &["ask", "hi"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("a billing problem stopped the request"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("on hold"), "{}", o.stderr);
    assert!(!o.stderr.contains("invalid request"), "{}", o.stderr);
    assert_eq!(mock.requests_to("/v1/messages").len(), 5);
}
