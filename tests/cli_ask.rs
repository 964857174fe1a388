//! `oat ask` as a user runs it: the built binary against the mock server.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::time::Duration;

use common::*;
use serde_json::Value;

fn run(mock: &MockServer, env: &[(&str, &str)], args: &[&str], stdin: Option<&str>) -> Out {
    let home = tempfile::tempdir().unwrap();
    let mut cmd = oat(home.path());
    cmd.env("ANTHROPIC_BASE_URL", &mock.url);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    output(&mut cmd, false)
}

const OAUTH: (&str, &str) = ("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN);
const KEY: (&str, &str) = ("ANTHROPIC_API_KEY", API_KEY);

#[test]
fn streams_text_with_oauth_headers() {
    let mock = MockServer::start();
    let r = run(&mock, &[OAUTH], &["ask", "Say hello"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "Hello, wörld! ✓ 日本語 🎉\n\n```rust\nfn main() {}\n```\nDone.\n"
    );
    let req = &mock.requests_to("/v1/messages")[0];
    let h = &req.headers;
    assert_eq!(h["authorization"], format!("Bearer {OAUTH_TOKEN}").as_str());
    assert_eq!(h["anthropic-beta"], "oauth-2025-04-20");
    assert_eq!(h["anthropic-version"], "2023-06-01");
    assert!(h.get("x-api-key").is_none());
    assert!(h["user-agent"].to_str().unwrap().starts_with("oat/"));
    let body = req.body.as_ref().unwrap();
    assert_eq!(body["stream"], true);
    assert_eq!(body["model"], "claude-sonnet-5-5");
    assert_eq!(body["messages"][0]["content"][0]["text"], "Say hello");
}

#[test]
fn api_key_uses_x_api_key_and_user_betas_merge_with_oauth() {
    let mock = MockServer::start();
    let r = run(
        &mock,
        &[KEY],
        &["ask", "hi", "--beta", "interleaved-thinking-2025-05-14"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let h = &mock.requests_to("/v1/messages")[0].headers;
    assert_eq!(h["x-api-key"], API_KEY);
    assert!(h.get("authorization").is_none());
    assert_eq!(h["anthropic-beta"], "interleaved-thinking-2025-05-14");

    let r = run(
        &mock,
        &[OAUTH],
        &["ask", "hi", "--beta", "interleaved-thinking-2025-05-14"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let h = &mock.requests_to("/v1/messages")[1].headers;
    assert_eq!(
        h["anthropic-beta"],
        "interleaved-thinking-2025-05-14,oauth-2025-04-20"
    );
}

#[test]
fn oauth_token_is_preferred_and_paste_damage_repaired() {
    let mock = MockServer::start();
    let wrapped = format!("  {}\n{}  \n", &OAUTH_TOKEN[..60], &OAUTH_TOKEN[60..]);
    let r = run(
        &mock,
        &[
            ("CLAUDE_CODE_OAUTH_TOKEN", &wrapped),
            ("ANTHROPIC_API_KEY", API_KEY),
        ],
        &["ask", "hi"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        mock.requests_to("/v1/messages")[0]
            .headers
            .contains_key("authorization")
    );
}

#[test]
fn stdin_is_the_prompt_or_its_context() {
    let mock = MockServer::start();
    let r = run(&mock, &[KEY], &["ask"], Some("from stdin"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r2 = run(
        &mock,
        &[KEY],
        &["ask", "Review", "this"],
        Some("fn x() {}\n"),
    );
    assert_eq!(r2.code, 0, "{}", r2.stderr);
    let reqs = mock.requests_to("/v1/messages");
    assert_eq!(
        reqs[0].body.as_ref().unwrap()["messages"][0]["content"][0]["text"],
        "from stdin"
    );
    assert_eq!(
        reqs[1].body.as_ref().unwrap()["messages"][0]["content"][0]["text"],
        "Review this\n\nfn x() {}\n"
    );
}

#[test]
fn no_prompt_and_no_credential_are_usage_errors() {
    let mock = MockServer::start();
    let r = run(&mock, &[KEY], &["ask"], Some(""));
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no prompt"), "{}", r.stderr);
    let r = run(&mock, &[], &["ask", "hi"], None);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("claude setup-token"), "{}", r.stderr);
    assert!(r.stderr.contains("console.anthropic.com"), "{}", r.stderr);
    assert!(mock.requests().is_empty());
}

#[test]
fn malformed_tokens_are_refused_before_any_request() {
    let mock = MockServer::start();
    let r = run(
        &mock,
        &[("ANTHROPIC_API_KEY", &API_KEY[..80])],
        &["ask", "hi"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("truncated"), "{}", r.stderr);
    let r = run(
        &mock,
        &[("ANTHROPIC_API_KEY", "hunter2-not-a-key")],
        &["ask", "hi"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("does not look like"), "{}", r.stderr);
    assert!(mock.requests().is_empty());
}

#[test]
fn plain_http_to_a_remote_host_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = oat(home.path())
        .env("ANTHROPIC_API_KEY", API_KEY)
        .args(["--base-url", "http://example.com", "ask", "hi"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plain http"), "{stderr}");
}

#[test]
fn json_prints_the_assembled_message() {
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["The ", "answer"]);
    spec.thinking = vec!["Hmm, ".into(), "let me think.".into()];
    mock.set_stream(spec);
    let r = run(&mock, &[KEY], &["ask", "--json", "q"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let m: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(m["content"][0]["type"], "thinking");
    assert_eq!(m["content"][0]["thinking"], "Hmm, let me think.");
    assert_eq!(m["content"][0]["signature"], "EqQBCgIYAhIM");
    assert_eq!(m["content"][1]["text"], "The answer");
    assert_eq!(m["stop_reason"], "end_turn");
    // A first prompt is written to the cache whole (the mock caches as the API does).
    assert_eq!(m["usage"]["input_tokens"], 0);
    assert!(m["usage"]["cache_creation_input_tokens"].as_u64().unwrap() > 0);
    assert_eq!(m["usage"]["output_tokens"], 3);
    // oat's own figures ride along under `oat`.
    assert_eq!(m["oat"]["paid_by"], "api-key");
    assert!(m["oat"]["cost_usd"].as_f64().unwrap() > 0.0);
    assert_eq!(m["oat"]["usage"]["output"], 3);
}

#[test]
fn thinking_goes_to_stderr() {
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["Answer."]);
    spec.thinking = vec!["pondering".into()];
    mock.set_stream(spec);
    let r = run(&mock, &[KEY], &["ask", "q"], None);
    assert_eq!(r.stdout, "Answer.\n");
    assert!(r.stderr.contains("pondering"), "{}", r.stderr);
}

#[test]
fn thinking_shows_summarized_and_omitted_thinking_is_one_line_with_its_tokens() {
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["Answer."]);
    spec.thinking = vec!["pondering".into()];
    mock.set_stream(spec);
    let args = [
        "ask",
        "-m",
        "claude-opus-5-5",
        "--thinking",
        "adaptive",
        "q",
    ];
    let r = run(&mock, &[KEY], &args, None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("pondering"), "{}", r.stderr);
    assert!(!r.stderr.contains("not shown"), "{}", r.stderr);

    // `thinking_display = "omitted"`: asked for as such, and said in one line.
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config/oat");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "thinking_display = \"omitted\"\n").unwrap();
    let r = output(
        oat(home.path())
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env(KEY.0, KEY.1)
            .args(args),
        false,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    assert_eq!(
        body["thinking"],
        serde_json::json!({"type": "adaptive", "display": "omitted"})
    );
    assert_eq!(r.stdout, "Answer.\n");
    assert!(!r.stderr.contains("pondering"), "{}", r.stderr);
    assert!(
        r.stderr.contains("oat: thinking (not shown, 40 tokens)"),
        "{}",
        r.stderr
    );
}

#[test]
fn redacted_thinking_is_one_line() {
    let mock = MockServer::start();
    let mut events = reply_events(&["Fine."], serde_json::json!({"stop_reason": "end_turn"}));
    for e in events.iter_mut().skip(1) {
        if let Some(n) = e.get("index").and_then(Value::as_u64) {
            e["index"] = (n + 1).into();
        }
    }
    events.insert(
        1,
        serde_json::json!({"type":"content_block_start","index":0,"content_block":{"type":"redacted_thinking","data":"EmwKAhgBEgy3va3pzix"}}),
    );
    events.insert(
        2,
        serde_json::json!({"type":"content_block_stop","index":0}),
    );
    mock.push_messages(Reply::RawSse(sse_events(&events)));
    let r = run(&mock, &[KEY], &["ask", "q"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout, "Fine.\n");
    assert!(r.stderr.contains("oat: redacted thinking"), "{}", r.stderr);
    assert!(!r.stderr.contains("The reply holds"), "{}", r.stderr);
}

#[test]
fn thinking_and_effort_follow_model_capabilities() {
    let mock = MockServer::start();
    let r = run(
        &mock,
        &[KEY],
        &[
            "ask",
            "-m",
            "claude-opus-5-5",
            "--thinking",
            "adaptive",
            "--effort",
            "max",
            "q",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(mock.requests_to("/v1/models/claude-opus-5-5").len(), 1);
    let body = mock.requests_to("/v1/messages")[0].body.clone().unwrap();
    // Summarized unless the config says otherwise: current models omit it by default.
    assert_eq!(
        body["thinking"],
        serde_json::json!({"type": "adaptive", "display": "summarized"})
    );
    assert_eq!(body["output_config"], serde_json::json!({"effort": "max"}));

    // A budget on a model that only thinks adaptively is refused before the request.
    let r = run(
        &mock,
        &[KEY],
        &["ask", "-m", "claude-opus-5-5", "--thinking", "2048", "q"],
        None,
    );
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("--thinking adaptive"), "{}", r.stderr);
    let r = run(
        &mock,
        &[KEY],
        &["ask", "-m", "claude-sonnet-4-5", "--thinking", "2048", "q"],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let body = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    assert_eq!(
        body["thinking"],
        serde_json::json!({"type": "enabled", "budget_tokens": 2048, "display": "summarized"})
    );
    assert_eq!(mock.requests_to("/v1/messages").len(), 2);
}

#[test]
fn newer_api_version_drops_temperature_and_says_so() {
    let mock = MockServer::start();
    let r = run(
        &mock,
        &[KEY],
        &[
            "--api-version",
            "2026-10-21",
            "ask",
            "--temperature",
            "0.2",
            "q",
        ],
        None,
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not sent"), "{}", r.stderr);
    let req = &mock.requests_to("/v1/messages")[0];
    assert_eq!(req.headers["anthropic-version"], "2026-10-21");
    assert!(req.body.as_ref().unwrap().get("temperature").is_none());
    let r = run(&mock, &[KEY], &["ask", "--temperature", "0.2", "q"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        (mock.requests_to("/v1/messages")[1].body.as_ref().unwrap()["temperature"]
            .as_f64()
            .unwrap()
            - 0.2)
            .abs()
            < 1e-6
    );
}

#[test]
fn invalid_token_is_explained() {
    let mock = MockServer::start();
    let r = run(
        &mock,
        &[("CLAUDE_CODE_OAUTH_TOKEN", REVOKED_TOKEN)],
        &["ask", "hi"],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("Invalid bearer token"), "{}", r.stderr);
    assert!(r.stderr.contains("claude setup-token"), "{}", r.stderr);
    assert!(r.stderr.contains("req_mock_error"), "{}", r.stderr);
}

#[test]
fn claude_code_only_refusal_is_quoted_verbatim() {
    let mock = MockServer::start();
    let r = run(
        &mock,
        &[("CLAUDE_CODE_OAUTH_TOKEN", CLAUDE_CODE_ONLY_TOKEN)],
        &["ask", "hi"],
        None,
    );
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains(CLAUDE_CODE_ONLY_MESSAGE), "{}", r.stderr);
    assert!(r.stderr.contains("API key"), "{}", r.stderr);
}

#[test]
fn rate_limit_and_overload_are_retried_then_succeed() {
    let mock = MockServer::start();
    mock.push_messages(Reply::rate_limited(1));
    mock.push_messages(Reply::overloaded());
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Hello"));
    assert_eq!(mock.requests_to("/v1/messages").len(), 3);
    assert!(r.stderr.contains("retrying"), "{}", r.stderr);
}

#[test]
fn retries_stop_after_three() {
    let mock = MockServer::start();
    for _ in 0..4 {
        mock.push_messages(Reply::overloaded());
    }
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("overloaded"), "{}", r.stderr);
    assert_eq!(mock.requests_to("/v1/messages").len(), 4);
    assert!(r.stdout.is_empty());
}

#[test]
fn a_drained_usage_window_is_reported_not_retried() {
    let mock = MockServer::start();
    mock.push_messages(Reply::rate_limited(4 * 3600));
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert_eq!(mock.requests_to("/v1/messages").len(), 1);
    assert!(r.stderr.contains("usage limit"), "{}", r.stderr);
}

#[test]
fn mid_stream_error_keeps_the_text() {
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["partial ", "answer ", "never"]);
    spec.fault = Fault::ErrorAfter(2);
    mock.set_stream(spec);
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "partial answer \n");
    assert!(r.stderr.contains("Overloaded"), "{}", r.stderr);
    // Output had started: no retry may repeat it.
    assert_eq!(mock.requests_to("/v1/messages").len(), 1);
}

#[test]
fn dropped_connection_keeps_the_text() {
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["one ", "two ", "three"]);
    spec.fault = Fault::DropAfter(2);
    mock.set_stream(spec);
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "one two \n");
    assert!(r.stderr.contains("connection"), "{}", r.stderr);
}

#[test]
fn stalled_stream_times_out() {
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["slow ", "never"]);
    spec.fault = Fault::StallAfter(1, Duration::from_secs(20));
    mock.set_stream(spec);
    let r = run(&mock, &[KEY], &["--idle-timeout", "1", "ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "slow \n");
    assert!(r.stderr.contains("stalled"), "{}", r.stderr);
}

#[test]
fn garbage_is_a_clear_error() {
    let mock = MockServer::start();
    mock.push_messages(Reply::Garbage("data: {not json at all\n\n"));
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("could not understand"), "{}", r.stderr);
    mock.push_messages(Reply::Garbage("<html>502 Bad Gateway</html>"));
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("closed before the reply was complete"),
        "{}",
        r.stderr
    );
}

#[test]
fn verbose_shows_the_masked_key_never_the_secret() {
    let mock = MockServer::start();
    let r = run(&mock, &[OAUTH], &["--verbose", "ask", "hi"], None);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("sk-ant-oat01-MOCK…"), "{}", r.stderr);
    assert!(r.stderr.contains("claude-sonnet-5-5"), "{}", r.stderr);
    assert!(r.stderr.contains("req_mock_ok"), "{}", r.stderr);
}

#[test]
fn ctrl_c_stops_at_once_keeps_the_text_and_exits_130() {
    use std::io::Read;
    let mock = MockServer::start();
    let mut spec = StreamSpec::text(&["kept ", "text ", "never"]);
    spec.fault = Fault::StallAfter(2, Duration::from_secs(30));
    mock.set_stream(spec);
    let home = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("oat"));
    cmd.env_clear()
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env("ANTHROPIC_API_KEY", API_KEY)
        .env("ANTHROPIC_BASE_URL", &mock.url)
        .args(["ask", "hi"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    // Wait until the first text arrives, so the signal lands mid-stream.
    let mut got = Vec::new();
    let mut buf = [0u8; 64];
    while !String::from_utf8_lossy(&got).contains("text ") {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "stream ended early");
        got.extend_from_slice(&buf[..n]);
    }
    let started = std::time::Instant::now();
    let status = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "did not stop at once"
    );
    stdout.read_to_end(&mut got).unwrap();
    assert_eq!(exit.code(), Some(130));
    assert_eq!(String::from_utf8_lossy(&got), "kept text \n");
}

#[test]
fn a_stream_ending_without_its_last_blank_line_is_complete() {
    let mock = MockServer::start();
    let whole = sse_events(&reply_events(
        &["Hello!"],
        serde_json::json!({"stop_reason":"end_turn","stop_sequence":null}),
    ));
    // The official SDKs' recorded `basic_response` ends right after the last data line.
    for cut in ["\n", "\n\n"] {
        let body = whole.strip_suffix("\n\n").unwrap().to_string() + &"\n\n"[cut.len()..];
        assert!(!body.ends_with("\n\n"));
        mock.push_messages(Reply::RawSse(body));
        let r = run(&mock, &[KEY], &["ask", "--json", "hi"], None);
        assert_eq!(r.code, 0, "{cut:?}: {}", r.stderr);
        let m: Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(m["content"][0]["text"], "Hello!");
        assert_eq!(m["stop_reason"], "end_turn");
    }
    // A last event cut off inside its JSON is still a reply that never finished.
    let body = whole
        .strip_suffix("\"message_stop\"}\n\n")
        .unwrap()
        .to_string();
    mock.push_messages(Reply::RawSse(body));
    let r = run(&mock, &[KEY], &["ask", "hi"], None);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "Hello!\n");
    assert!(
        r.stderr.contains("closed before the reply was complete"),
        "{}",
        r.stderr
    );
}
