//! Prompt caching, cost and the context window, end to end against the mock (which caches
//! and counts the way the API does): breakpoints placed and within the limit, usage with
//! cache fields reaching `--usage`, `--json` and the history's cost column, and the
//! context gate refusing an over-long request without sending it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

fn run(home: &Path, mock: &MockServer, env: (&str, &str), args: &[&str]) -> Out {
    output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env(env.0, env.1)
            .args(args),
        false,
    )
}

const KEY: (&str, &str) = ("ANTHROPIC_API_KEY", API_KEY);
const TOKEN: (&str, &str) = ("CLAUDE_CODE_OAUTH_TOKEN", OAUTH_TOKEN);

/// Every `cache_control` in a request body, as (where, value).
fn breakpoints(body: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    if let Some(sys) = body["system"].as_array() {
        for (i, b) in sys.iter().enumerate() {
            if let Some(c) = b.get("cache_control") {
                out.push((format!("system[{i}]"), c.clone()));
            }
        }
    }
    for (m, msg) in body["messages"].as_array().unwrap().iter().enumerate() {
        for (i, b) in msg["content"].as_array().unwrap().iter().enumerate() {
            if let Some(c) = b.get("cache_control") {
                out.push((format!("messages[{m}][{i}]"), c.clone()));
            }
        }
    }
    out
}

/// Ten turns of one conversation; the usage of each reply as the mock reported it.
fn ten_turns(home: &Path, mock: &MockServer, extra: &[&str]) -> Vec<Value> {
    mock.set_stream(StreamSpec::text(&[
        "A reply long enough to matter in the next turn's prefix, ",
        "with a second sentence so the cache has something to hold.",
    ]));
    let mut usages = Vec::new();
    for turn in 1..=10 {
        let prompt = format!("Question number {turn}: tell me something about the number {turn}.");
        let mut args = vec!["ask", "--json", "--system", "You are terse."];
        args.push(if turn == 1 { "--save" } else { "--continue" });
        args.extend_from_slice(extra);
        args.push(&prompt);
        let o = run(home, mock, KEY, &args);
        assert_eq!(o.code, 0, "turn {turn}: {}", o.stderr);
        let m: Value = serde_json::from_str(&o.stdout).unwrap();
        usages.push(m["usage"].clone());
    }
    usages
}

#[test]
fn breakpoints_sit_on_the_system_prompt_and_the_newest_block_and_follow_ups_read_the_cache() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let cached = ten_turns(home.path(), &mock, &[]);
    let requests = mock.requests_to("/v1/messages");
    assert_eq!(requests.len(), 10);
    for r in &requests {
        let body = r.body.as_ref().unwrap();
        let marks = breakpoints(body);
        let last_msg = body["messages"].as_array().unwrap().len() - 1;
        let last_block = body["messages"][last_msg]["content"]
            .as_array()
            .unwrap()
            .len()
            - 1;
        assert!(
            marks.len() <= 4,
            "the API allows four breakpoints: {marks:?}"
        );
        assert_eq!(
            marks.iter().map(|(w, _)| w.as_str()).collect::<Vec<_>>(),
            vec![
                "system[0]".to_string(),
                format!("messages[{last_msg}][{last_block}]")
            ],
            "one on the system prompt, one on the last block of the prefix"
        );
        assert!(
            marks
                .iter()
                .all(|(_, c)| *c == json!({"type": "ephemeral"}))
        );
    }
    // From the second turn on, what came before is read from the cache.
    for (turn, u) in cached.iter().enumerate().skip(1) {
        assert!(
            u["cache_read_input_tokens"].as_u64().unwrap() > 0,
            "turn {}: {u}",
            turn + 1
        );
    }

    // The same ten turns without caching pay for the whole prefix every time.
    let home2 = tempfile::tempdir().unwrap();
    let mock2 = MockServer::start();
    let uncached = ten_turns(home2.path(), &mock2, &["--no-cache"]);
    for r in mock2.requests_to("/v1/messages") {
        assert!(!r.body.unwrap().to_string().contains("cache_control"));
    }
    let n = |u: &Value, k: &str| u[k].as_u64().unwrap_or(0);
    let (with, without) = (&cached[9], &uncached[9]);
    let total = |u: &Value| {
        n(u, "input_tokens") + n(u, "cache_read_input_tokens") + n(u, "cache_creation_input_tokens")
    };
    assert_eq!(
        total(with),
        total(without),
        "the same prompt, counted the same"
    );
    assert!(
        n(with, "input_tokens") + n(with, "cache_creation_input_tokens") < total(without) / 4,
        "turn 10 pays full price for a small part only: {with} vs {without}"
    );
    // The README's figure, in input-token equivalents (writes 1.25x, reads 0.1x).
    let billed = |u: &Value| {
        n(u, "input_tokens") as f64
            + n(u, "cache_creation_input_tokens") as f64 * 1.25
            + n(u, "cache_read_input_tokens") as f64 * 0.1
    };
    eprintln!(
        "turn 10 of 10: {} prompt tokens; without caching billed as {:.0}, with caching as {:.0} \
         ({} read from the cache, {} written, {} uncached)",
        total(without),
        billed(without),
        billed(with),
        n(with, "cache_read_input_tokens"),
        n(with, "cache_creation_input_tokens"),
        n(with, "input_tokens"),
    );
}

#[test]
fn one_hour_lifetime_from_the_config() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config/oat");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "cache_ttl = \"1h\"\n").unwrap();
    let mock = MockServer::start();
    let o = run(home.path(), &mock, KEY, &["ask", "--usage", "hi"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let body = mock.requests_to("/v1/messages")[0].body.clone().unwrap();
    assert_eq!(
        body["messages"][0]["content"][0]["cache_control"],
        json!({"type": "ephemeral", "ttl": "1h"})
    );
    std::fs::write(cfg.join("config.toml"), "cache = false\n").unwrap();
    run(home.path(), &mock, KEY, &["ask", "hi"]);
    let body = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    assert!(!body.to_string().contains("cache_control"));
}

#[test]
fn usage_line_names_tokens_cache_and_cost_or_the_subscription() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let o = run(
        home.path(),
        &mock,
        KEY,
        &["ask", "--usage", "--save", "hello"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let line = o
        .stderr
        .lines()
        .find(|l| l.starts_with("oat: usage:"))
        .unwrap();
    assert!(
        line.contains("cache write") && line.contains("cost $0.0"),
        "{line}"
    );
    let o = run(
        home.path(),
        &mock,
        KEY,
        &["ask", "--usage", "--continue", "and then?"],
    );
    let line = o
        .stderr
        .lines()
        .find(|l| l.starts_with("oat: usage:"))
        .unwrap();
    assert!(
        !line.contains("cache read 0 "),
        "the follow-up read the cache: {line}"
    );

    // A model with no price: never a guess.
    let o = run(
        home.path(),
        &mock,
        KEY,
        &["ask", "--usage", "--model", "corp-gateway-model", "hi"],
    );
    assert!(o.stderr.contains("cost unknown"), "{}", o.stderr);

    // A setup token spends no money per turn: the usage headers are the figure.
    mock.add_header("anthropic-ratelimit-unified-5h-utilization", "0.41");
    mock.add_header("anthropic-ratelimit-unified-7d-utilization", "0.12");
    let o = run(
        home.path(),
        &mock,
        TOKEN,
        &["ask", "--usage", "--save", "hi"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("subscription usage 5h 41% · 7d 12%"),
        "{}",
        o.stderr
    );
    assert!(!o.stderr.contains("cost $"), "{}", o.stderr);
    let j = run(home.path(), &mock, TOKEN, &["ask", "--json", "hi"]);
    let m: Value = serde_json::from_str(&j.stdout).unwrap();
    assert_eq!(m["oat"]["paid_by"], "oauth");
    assert_eq!(m["oat"]["cost_usd"], Value::Null);
    assert_eq!(m["oat"]["subscription"]["five_hour_utilization"], 0.41);

    // The history's cost column: money for the API-key conversation, none for the token's.
    let list = run(home.path(), &mock, KEY, &["history", "list"]);
    assert!(list.stdout.starts_with("ID"), "{}", list.stdout);
    let rows: Vec<&str> = list.stdout.lines().collect();
    assert!(
        rows.iter().any(|r| r.contains("subscription")),
        "{}",
        list.stdout
    );
    assert!(rows.iter().any(|r| r.contains("$0.0")), "{}", list.stdout);
    let json = run(home.path(), &mock, KEY, &["history", "list", "--json"]);
    let rows: Value = serde_json::from_str(&json.stdout).unwrap();
    let priced: Vec<&Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["cost_usd"].is_number())
        .collect();
    assert_eq!(priced.len(), 1, "{rows}");
    assert_eq!(priced[0]["spend"]["api_key_replies"], 2);
}

/// A model with a small window, so a few turns fill it.
fn tiny_model() -> Value {
    json!({"type":"model","id":"claude-tiny-test","display_name":"Tiny","created_at":"2026-01-01T00:00:00Z",
           "max_input_tokens": 400, "max_tokens": 1000})
}

#[test]
fn a_request_that_would_not_fit_is_stopped_before_sending() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    mock.state.models.lock().unwrap().insert(0, tiny_model());
    mock.set_stream(StreamSpec::text(&[&"words ".repeat(60)]));
    let long = "filler ".repeat(40);
    let o = run(
        home.path(),
        &mock,
        KEY,
        &["ask", "--save", "--model", "claude-tiny-test", &long],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mut sent = 1;
    let mut refused = None;
    for _ in 0..6 {
        let o = run(home.path(), &mock, KEY, &["ask", "--continue", &long]);
        if o.code != 0 {
            refused = Some(o);
            break;
        }
        sent += 1;
    }
    let o = refused.expect("the conversation outgrew 400 tokens");
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(
        o.stderr.contains("more than the model's context of 400"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("--drop-oldest"), "{}", o.stderr);
    assert_eq!(
        mock.requests_to("/v1/messages").len(),
        sent,
        "nothing was sent"
    );
    assert!(
        !mock.requests_to("/v1/messages/count_tokens").is_empty(),
        "near the limit the API's own count decides"
    );

    let o = run(
        home.path(),
        &mock,
        KEY,
        &["ask", "--continue", "--drop-oldest", &long],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stderr.contains("oldest exchange"), "{}", o.stderr);
    let last = mock
        .requests_to("/v1/messages")
        .pop()
        .unwrap()
        .body
        .unwrap();
    let count = last["messages"].as_array().unwrap().len();
    assert!(
        count < 2 * sent + 1,
        "older turns were left out: {count} messages"
    );
    assert_eq!(last["messages"][0]["role"], "user", "roles still alternate");
    // The history keeps every turn.
    let show = run(home.path(), &mock, KEY, &["history", "show", "1", "--json"]);
    let v: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(v["messages"].as_array().unwrap().len(), 2 * (sent + 1));
}
