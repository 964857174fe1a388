//! A model about to retire, as the commands say it: `oat token status` (text and JSON),
//! `oat doctor` and `oat ask` all warn by the one rule, with the date and the newest model
//! of the same line, asking the mock's `/v1/models/{id}` when the key is accepted and the
//! shipped list otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use serde_json::{Value, json};

/// The mock lists `id` as deprecated, retiring `days` from today (of the sonnet line).
fn retiring(mock: &MockServer, id: &str, days: i64) -> String {
    let day = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    mock.state.models.lock().unwrap().push(json!({
        "type": "model", "id": id, "display_name": "Old Sonnet",
        "created_at": "2025-01-01T00:00:00Z", "max_input_tokens": 200000, "max_tokens": 64000,
        "lifecycle": "deprecated", "deprecated_at": "2026-06-01T00:00:00Z",
        "retires_at": format!("{day}T00:00:00Z"), "line": "sonnet"
    }));
    day.to_string()
}

fn run(home: &std::path::Path, mock: &MockServer, env: &[(&str, &str)], args: &[&str]) -> Out {
    run_in(home, mock, env, args, "")
}

fn run_in(
    home: &std::path::Path,
    mock: &MockServer,
    env: &[(&str, &str)],
    args: &[&str],
    stdin: &str,
) -> Out {
    let mut cmd = oat(home);
    cmd.env("ANTHROPIC_BASE_URL", &mock.url)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    for (k, v) in env {
        cmd.env(k, v);
    }
    output(cmd.args(args).write_stdin(stdin), false)
}

fn config(home: &std::path::Path, text: &str) {
    let dir = home.join("config/oat");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

#[test]
fn token_status_warns_of_the_keys_model_live_and_offline() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let day = retiring(&mock, "claude-sonnet-old", 10);
    let add = |name: &str, model: &str| {
        let args = ["key", "add", name, "--store", "file", "--model", model];
        let o = run_in(home.path(), &mock, &[], &args, API_KEY);
        assert_eq!(o.code, 0, "{}", o.stderr);
    };
    add("old", "claude-sonnet-old");
    // Asked live: the API's lifecycle, the replacement from the shipped list.
    let o = run(home.path(), &mock, &[], &["token", "status", "old"]);
    assert_eq!(
        o.code, 0,
        "a retiring model is no token problem: {}",
        o.stdout
    );
    let want = format!(
        "Warning     claude-sonnet-old retires on {day} (10 days from now); switch to \
         claude-sonnet-5-5, the newest sonnet model (`oat models` lists them)"
    );
    assert!(o.stdout.contains(&want), "{}", o.stdout);
    assert_eq!(mock.requests_to("/v1/models/claude-sonnet-old").len(), 1);
    let o = run(
        home.path(),
        &mock,
        &[],
        &["token", "status", "old", "--json"],
    );
    let report: Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(
        report["retirement"],
        json!({"model": "claude-sonnet-old", "retires": day, "days_left": 10,
            "retired": false, "replacement": "claude-sonnet-5-5"})
    );
    // Offline the shipped list answers: Sonnet 4.5 is retired there.
    add("gone", "claude-sonnet-4-5");
    let before = mock.requests().len();
    let o = run(
        home.path(),
        &mock,
        &[],
        &["token", "status", "gone", "--offline"],
    );
    assert_eq!(mock.requests().len(), before, "--offline asks nothing");
    assert!(
        o.stdout.contains(
            "Warning     claude-sonnet-4-5 is retired: requests to it fail; switch to \
             claude-sonnet-5-5"
        ),
        "{}",
        o.stdout
    );
    // An active model, and one retiring in 31 days: no warning.
    add("fine", "claude-sonnet-5-5");
    let o = run(home.path(), &mock, &[], &["token", "status", "fine"]);
    assert!(!o.stdout.contains("Warning"), "{}", o.stdout);
    retiring(&mock, "claude-sonnet-later", 31);
    add("later", "claude-sonnet-later");
    let o = run(home.path(), &mock, &[], &["token", "status", "later"]);
    assert!(!o.stdout.contains("Warning"), "{}", o.stdout);
}

#[test]
fn doctor_warns_of_the_configured_default_model() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let day = retiring(&mock, "claude-sonnet-old", 3);
    config(home.path(), "default_model = \"claude-sonnet-old\"\n");
    let env = [("ANTHROPIC_API_KEY", API_KEY)];
    let o = run(home.path(), &mock, &env, &["doctor", "--json"]);
    assert_eq!(o.code, 0, "a warning is not a failure: {}", o.stdout);
    let checks: Vec<Value> = serde_json::from_str(&o.stdout).unwrap();
    let model = checks.iter().find(|c| c["check"] == "model").unwrap();
    assert_eq!(model["level"], "warn");
    assert_eq!(
        model["text"],
        format!(
            "claude-sonnet-old retires on {day} (3 days from now); switch to \
             claude-sonnet-5-5, the newest sonnet model"
        )
    );
    assert!(
        model["advice"].as_str().unwrap().contains("default_model"),
        "{model}"
    );
    // Without it, the default model is fine and said so.
    config(home.path(), "");
    let o = run(home.path(), &mock, &env, &["doctor"]);
    assert!(
        o.stdout
            .contains("ok    model      claude-sonnet-5-5 (conversations start with it"),
        "{}",
        o.stdout
    );
}

#[test]
fn ask_warns_before_the_reply_on_a_retired_model() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let env = [("ANTHROPIC_API_KEY", API_KEY)];
    let o = run(
        home.path(),
        &mock,
        &env,
        &["ask", "-m", "claude-sonnet-4-5", "hi"],
    );
    assert!(
        o.stderr.contains(
            "oat: warning: claude-sonnet-4-5 is retired: requests to it fail; switch to \
             claude-sonnet-5-5, the newest sonnet model"
        ),
        "{}",
        o.stderr
    );
    let o = run(home.path(), &mock, &env, &["ask", "hi"]);
    assert!(!o.stderr.contains("warning"), "{}", o.stderr);
}
