//! `oat doctor` as someone filing a bug report runs it: every check named, nothing secret,
//! exit 0 when nothing failed and 1 when something did.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use common::*;
use serde_json::Value;

fn doctor(home: &std::path::Path, env: &[(&str, &str)]) -> (Out, Vec<Value>) {
    let mut cmd = oat(home);
    cmd.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = output(cmd.args(["doctor", "--json"]), false);
    let checks: Vec<Value> = serde_json::from_str(&o.stdout).unwrap_or_default();
    (o, checks)
}

fn level<'a>(checks: &'a [Value], name: &str) -> &'a str {
    checks
        .iter()
        .find(|c| c["check"] == name)
        .and_then(|c| c["level"].as_str())
        .unwrap_or_else(|| panic!("no `{name}` check in {checks:?}"))
}

#[test]
fn a_healthy_setup_passes_and_names_every_check_without_a_secret() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let (o, checks) = doctor(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    for (name, want) in [
        ("build", "ok"),
        ("config", "ok"),
        ("history", "ok"),
        ("keyring", "warn"),
        ("key", "ok"),
        ("api", "ok"),
        ("tls", "ok"),
        ("proxy", "ok"),
        ("terminal", "skip"),
    ] {
        assert_eq!(level(&checks, name), want, "{name}: {}", o.stdout);
    }
    let text = o.stdout.clone();
    assert!(
        text.contains("sk-ant-api03-MOCK…"),
        "masked key shown: {text}"
    );
    assert!(text.contains(env!("CARGO_PKG_VERSION")));
    // It asked without spending a token: one model-list request, no message.
    assert_eq!(mock.requests_to("/v1/models").len(), 1);
    assert!(mock.requests_to("/v1/messages").is_empty());
}

#[test]
fn a_broken_config_and_an_unreachable_api_fail_with_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/oat/config.toml");
    std::fs::create_dir_all(config.parent().unwrap()).unwrap();
    std::fs::write(&config, "colour = \"blue\"\n").unwrap();
    let (o, checks) = doctor(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9"),
        ],
    );
    // The doctor still runs, and names the file and line.
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert_eq!(level(&checks, "config"), "fail");
    let config_line = checks.iter().find(|c| c["check"] == "config").unwrap();
    let text = config_line["text"].as_str().unwrap();
    assert!(text.contains("line 1") && text.contains("colour"), "{text}");
    assert_eq!(level(&checks, "build"), "ok");

    std::fs::remove_file(&config).unwrap();
    let (o, checks) = doctor(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", "http://127.0.0.1:9"),
        ],
    );
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert_eq!(level(&checks, "api"), "fail");
    let api = checks.iter().find(|c| c["check"] == "api").unwrap();
    assert!(
        api["advice"].as_str().unwrap().contains("connection"),
        "{api}"
    );
}

/// Issue 22: "1 conversations", and "never checked" on the key line one line above the
/// doctor's own successful request with that key.
#[test]
fn one_conversation_is_singular_and_a_key_just_accepted_is_not_never_checked() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    let h = oat::history::History::open(&home.path().join("data/oat/history.db")).unwrap();
    h.create_conversation("only one", "m", None, &serde_json::json!({}))
        .unwrap();
    drop(h);
    let (o, checks) = doctor(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stdout);
    let text = |name: &str| {
        checks.iter().find(|c| c["check"] == name).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(text("history"), "1 conversation");
    assert_eq!(level(&checks, "api"), "ok");
    let key = text("key");
    assert!(!key.contains("never checked"), "{key}");
    assert!(key.contains("accepted it just now"), "{key}");
}

#[test]
fn each_mcp_server_is_started_and_its_tools_counted() {
    let mock = MockServer::start();
    let home = tempfile::tempdir().unwrap();
    common::tools::configure(
        home.path(),
        "\n[mcp.servers.gone]\ncommand = \"/nonexistent/server\"\n",
    );
    let (o, checks) = doctor(
        home.path(),
        &[
            ("ANTHROPIC_API_KEY", API_KEY),
            ("ANTHROPIC_BASE_URL", &mock.url),
        ],
    );
    let mcp: Vec<(&str, &str)> = checks
        .iter()
        .filter(|c| c["check"] == "mcp")
        .map(|c| (c["level"].as_str().unwrap(), c["text"].as_str().unwrap()))
        .collect();
    assert_eq!(mcp.len(), 2, "{checks:?}");
    assert_eq!(mcp[0].0, "fail");
    assert!(
        mcp[0].1.starts_with("MCP server gone: could not start"),
        "{mcp:?}"
    );
    assert_eq!(mcp[1], ("ok", "t: started, 4 tools"));
    assert_eq!(o.code, 1, "a server that fails fails the doctor");
}
