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
