//! Web search end to end: `oat ask --web` sends Anthropic's server tools, a stream of the
//! recorded shape (server tool use, search results, cited text, usage with a search count)
//! is shown with "searching: …", numbered markers and a sources list, the blocks are saved
//! as received and go back unchanged on `--continue`, and tool errors read as one line.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a panic is how a test or bench reports

mod common;

use std::path::Path;

use common::*;
use serde_json::{Value, json};

/// A web-search reply in the shape the API streams it (server_tool_use with its input as
/// `input_json_delta`, the result block whole, text blocks with `citations_delta`).
fn search_events(result: Value) -> Vec<Value> {
    vec![
        json!({"type":"message_start","message":{"id":"msg_web","type":"message","role":"assistant","content":[],"model":"claude-sonnet-5-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":2100,"output_tokens":3}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me look that up."}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_01","name":"web_search","input":{}}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"rust 2024 "}}),
        json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"edition\"}"}}),
        json!({"type":"content_block_stop","index":1}),
        json!({"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_01","content":result}}),
        json!({"type":"content_block_stop","index":2}),
        json!({"type":"content_block_start","index":3,"content_block":{"type":"text","text":"","citations":[]}}),
        json!({"type":"content_block_delta","index":3,"delta":{"type":"citations_delta","citation":{"type":"web_search_result_location","url":"https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html","title":"Announcing Rust 1.85.0","encrypted_index":"Eo8BCioI","cited_text":"Rust 2024 is stable."}}}),
        json!({"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"The 2024 edition shipped with Rust 1.85."}}),
        json!({"type":"content_block_stop","index":3}),
        json!({"type":"content_block_start","index":4,"content_block":{"type":"text","text":" It is the largest edition yet."}}),
        json!({"type":"content_block_stop","index":4}),
        json!({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"input_tokens":2100,"output_tokens":61,"server_tool_use":{"web_search_requests":1}}}),
        json!({"type":"message_stop"}),
    ]
}

fn results() -> Value {
    json!([
        {"type":"web_search_result","url":"https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html","title":"Announcing Rust 1.85.0","encrypted_content":"EqgfCioIARgBIiQ3YTAw","page_age":"February 20, 2025"},
        {"type":"web_search_result","url":"https://doc.rust-lang.org/edition-guide/rust-2024/","title":"Rust 2024 - The Edition Guide","encrypted_content":"EroeCioIARgBIiQ3YTAw"}
    ])
}

fn run(home: &Path, mock: &MockServer, args: &[&str]) -> Out {
    output(
        oat(home)
            .env("ANTHROPIC_BASE_URL", &mock.url)
            .env("ANTHROPIC_API_KEY", API_KEY)
            .args(args),
        false,
    )
}

#[test]
fn web_search_streams_markers_and_sources_and_round_trips_through_the_history() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let events = search_events(results());
    mock.push_messages(Reply::RawSse(sse_events(&events)));
    let o = run(
        home.path(),
        &mock,
        &[
            "ask",
            "--web",
            "--save",
            "--usage",
            "What is new in Rust 2024?",
        ],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains("oat: searching: rust 2024 edition"),
        "{}",
        o.stderr
    );
    assert!(
        o.stdout
            .contains("The 2024 edition shipped with Rust 1.85. [1] It is the largest"),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout.ends_with(
            "Sources:\n[1] Announcing Rust 1.85.0 — https://blog.rust-lang.org/2025/02/20/Rust-1.85.0.html\n"
        ),
        "{}",
        o.stdout
    );
    assert!(o.stderr.contains("1 web searches"), "{}", o.stderr);
    // The request carried the server tools and nothing oat would run itself.
    let body = mock.requests_to("/v1/messages")[0].body.clone().unwrap();
    // The 2026 versions, kept to direct calls (no server-side code run) by default.
    assert_eq!(
        body["tools"],
        json!([
            {"type":"web_search_20260318","name":"web_search","max_uses":5,"allowed_callers":["direct"]},
            {"type":"web_fetch_20260318","name":"web_fetch","max_uses":5,"allowed_callers":["direct"]}
        ])
    );
    // Server-tool blocks are known blocks: no raw JSON note under the reply.
    assert!(!o.stderr.contains("The reply holds"), "{}", o.stderr);
    assert!(!o.stderr.contains("srvtoolu_01"), "{}", o.stderr);

    // Resuming sends every block back exactly as it arrived.
    let o = run(
        home.path(),
        &mock,
        &["ask", "--web", "--continue", "Thanks"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let body = mock.requests_to("/v1/messages")[1].body.clone().unwrap();
    let sent = &body["messages"][1]["content"];
    let received: Vec<Value> = {
        let mut a = oat::api::Assembler::new();
        for e in &events {
            let sse = oat::api::sse::SseEvent {
                event: e["type"].as_str().unwrap().into(),
                data: e.to_string(),
            };
            a.apply(&oat::api::stream::decode(&sse).unwrap()).unwrap();
        }
        a.content()
    };
    assert_eq!(sent, &Value::Array(received.clone()));
    assert_eq!(sent[1]["input"], json!({"query": "rust 2024 edition"}));
    assert_eq!(sent[2]["content"], results());
    assert_eq!(sent[3]["citations"][0]["title"], "Announcing Rust 1.85.0");
    // And the saved conversation reads with its markers.
    let show = run(home.path(), &mock, &["history", "show", "1", "--json"]);
    let v: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(v["messages"][1]["content"], Value::Array(received));
    let text = run(home.path(), &mock, &["history", "show", "1"]);
    assert!(text.stdout.contains("Rust 1.85. [1]"), "{}", text.stdout);
    assert!(
        text.stdout.contains("Sources:\n[1] Announcing Rust 1.85.0"),
        "{}",
        text.stdout
    );
}

#[test]
fn tool_errors_and_refusals_are_explained_in_one_line() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    let error = json!({"type":"web_search_tool_result_error","error_code":"max_uses_exceeded"});
    mock.push_messages(Reply::RawSse(sse_events(&search_events(error))));
    let o = run(home.path(), &mock, &["ask", "--web", "q"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("oat: note: web search stopped: this reply used all 5 of its allowed uses"),
        "{}",
        o.stderr
    );

    mock.push_messages(Reply::status(
        400,
        "invalid_request_error",
        "web search is not enabled for this organization",
    ));
    let o = run(home.path(), &mock, &["ask", "--web", "q"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("web search is not enabled"),
        "{}",
        o.stderr
    );
    assert!(
        o.stderr.contains("Without --web the request goes through"),
        "{}",
        o.stderr
    );
}

#[test]
fn code_execution_in_the_web_tools_is_a_setting_and_a_run_is_one_line() {
    let home = tempfile::tempdir().unwrap();
    let cfg = home.path().join("config/oat");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "web_code_execution = true\n").unwrap();
    let mock = MockServer::start();
    // A 2026 stream: the search runs inside a code run (`caller`), then the text.
    let events = vec![
        json!({"type":"message_start","message":{"id":"msg_code","type":"message","role":"assistant","content":[],"model":"claude-sonnet-5-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"output_tokens":3}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_c","name":"code_execution","input":{}}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"code\": \"results = web_search('rust')\"}"}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"server_tool_use","id":"srvtoolu_s","name":"web_search","input":{"query":"rust"},"caller":{"type":"code_execution_20260120","tool_id":"srvtoolu_c"}}}),
        json!({"type":"content_block_stop","index":1}),
        json!({"type":"content_block_start","index":2,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_s","content":[]}}),
        json!({"type":"content_block_stop","index":2}),
        json!({"type":"content_block_start","index":3,"content_block":{"type":"code_execution_tool_result","tool_use_id":"srvtoolu_c","content":{"type":"code_execution_result","stdout":"3 results","stderr":"","return_code":0,"content":[]}}}),
        json!({"type":"content_block_stop","index":3}),
        json!({"type":"content_block_start","index":4,"content_block":{"type":"text","text":"Found it."}}),
        json!({"type":"content_block_stop","index":4}),
        json!({"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":20}}),
        json!({"type":"message_stop"}),
    ];
    mock.push_messages(Reply::RawSse(sse_events(&events)));
    let o = run(home.path(), &mock, &["ask", "--web", "q"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, "Found it.\n");
    let body = mock.requests_to("/v1/messages")[0].body.clone().unwrap();
    assert!(
        body["tools"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("allowed_callers").is_none()),
        "{}",
        body["tools"]
    );
    assert_eq!(
        o.stderr
            .matches("oat: ran code server-side to filter the results")
            .count(),
        1,
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("oat: searching: rust"), "{}", o.stderr);
    assert!(!o.stderr.contains("The reply holds"), "{}", o.stderr);
    assert!(!o.stderr.contains("3 results"), "{}", o.stderr);
}

/// A reply that pauses after a search (`pause_turn`), in the shape the API streams it.
fn paused_events() -> Vec<Value> {
    vec![
        json!({"type":"message_start","message":{"id":"msg_p1","type":"message","role":"assistant","content":[],"model":"claude-sonnet-5-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":100,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_p","name":"web_search","input":{}}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\"query\": \"long topic\"}"}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"web_search_tool_result","tool_use_id":"srvtoolu_p","content":[]}}),
        json!({"type":"content_block_stop","index":1}),
        json!({"type":"message_delta","delta":{"stop_reason":"pause_turn","stop_sequence":null},"usage":{"output_tokens":10,"server_tool_use":{"web_search_requests":1}}}),
        json!({"type":"message_stop"}),
    ]
}

#[test]
fn a_paused_reply_is_continued_with_what_arrived_and_kept_as_one_reply() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    mock.push_messages(Reply::RawSse(sse_events(&paused_events())));
    mock.push_messages(Reply::RawSse(sse_events(&reply_events(
        &["All ", "done."],
        json!({"stop_reason":"end_turn","stop_sequence":null}),
    ))));
    let o = run(
        home.path(),
        &mock,
        &["ask", "--web", "--save", "--json", "dig deep"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("oat: the reply paused (a long server-tool turn); continuing it (1 of 3)"),
        "{}",
        o.stderr
    );
    let sent = mock.requests_to("/v1/messages");
    assert_eq!(sent.len(), 2);
    let first = sent[0].body.clone().unwrap();
    let again = sent[1].body.clone().unwrap();
    // The same request, with the paused assistant content after the prompt.
    assert_eq!(again["model"], first["model"]);
    assert_eq!(again["tools"], first["tools"]);
    assert_eq!(again["messages"][0], first["messages"][0]);
    assert_eq!(again["messages"].as_array().unwrap().len(), 2);
    assert_eq!(again["messages"][1]["role"], "assistant");
    assert_eq!(
        again["messages"][1]["content"],
        json!([
            {"type":"server_tool_use","id":"srvtoolu_p","name":"web_search","input":{"query":"long topic"}},
            {"type":"web_search_tool_result","tool_use_id":"srvtoolu_p","content":[]}
        ])
    );
    // One message: the paused blocks, then the continuation's; usage summed.
    let m: Value = serde_json::from_str(&o.stdout).unwrap();
    let kinds: Vec<&str> = m["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["server_tool_use", "web_search_tool_result", "text"]);
    assert_eq!(m["content"][2]["text"], "All done.");
    assert_eq!(m["stop_reason"], "end_turn");
    assert_eq!(m["usage"]["output_tokens"], 13);
    assert_eq!(m["usage"]["input_tokens"], 109);
    // The history keeps one reply holding all of it.
    let show = run(home.path(), &mock, &["history", "show", "1", "--json"]);
    let v: Value = serde_json::from_str(&show.stdout).unwrap();
    assert_eq!(
        v["messages"].as_array().unwrap().len(),
        2,
        "{}",
        show.stdout
    );
    assert_eq!(v["messages"][1]["content"].as_array().unwrap().len(), 3);
}

#[test]
fn a_reply_that_keeps_pausing_is_continued_a_bounded_number_of_times() {
    let home = tempfile::tempdir().unwrap();
    let mock = MockServer::start();
    for _ in 0..4 {
        mock.push_messages(Reply::RawSse(sse_events(&paused_events())));
    }
    let o = run(home.path(), &mock, &["ask", "--web", "dig deep"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        mock.requests_to("/v1/messages").len(),
        4,
        "the first and 3 more"
    );
    assert!(o.stderr.contains("continuing it (3 of 3)"), "{}", o.stderr);
    assert!(
        o.stderr.contains("send \"continue\" to go on"),
        "{}",
        o.stderr
    );
    // Each continuation carries everything that arrived before it.
    let last = mock.requests_to("/v1/messages")[3].body.clone().unwrap();
    assert_eq!(last["messages"].as_array().unwrap().len(), 2);
    assert_eq!(last["messages"][1]["content"].as_array().unwrap().len(), 6);
}
