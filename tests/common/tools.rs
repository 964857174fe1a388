//! Tool calls for the tests: replies that ask for tools the way the API streams them (a
//! `tool_use` block whose input arrives as `input_json_delta` pieces, `stop_reason:
//! "tool_use"`), and the small MCP server written for the tests (`tests/data/
//! mcp_test_server.py`, stdio, stdlib only) configured in a test's home.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

/// The test server's script.
pub fn server_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/mcp_test_server.py")
}

/// Writes a config with the test server as `[mcp.servers.t]`, logging each request it
/// gets to `home/mcp.log`; `extra` is appended to the file as it is.
pub fn configure(home: &Path, extra: &str) -> PathBuf {
    let dir = home.join("config/oat");
    std::fs::create_dir_all(&dir).unwrap();
    let log = home.join("mcp.log");
    let text = format!(
        "[mcp.servers.t]\ncommand = \"python3\"\nargs = [{:?}, \"--log\", {:?}]\n{extra}",
        server_script().display().to_string(),
        log.display().to_string(),
    );
    std::fs::write(dir.join("config.toml"), text).unwrap();
    log
}

/// The requests the test server got (one JSON value each).
pub fn server_log(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The `tools/call` requests among them.
pub fn calls(log: &Path) -> Vec<Value> {
    server_log(log)
        .into_iter()
        .filter(|m| m["method"] == "tools/call")
        .collect()
}

/// A reply: some text, then a call to `name` whose input arrives as `pieces`, stopping
/// with `stop` (`tool_use`, or `max_tokens` for a cut one).
pub fn tool_use_reply(id: &str, name: &str, pieces: &[&str], stop: &str) -> Vec<Value> {
    let mut out = vec![
        json!({"type":"message_start","message":{"id":format!("msg_{id}"),"type":"message","role":"assistant","content":[],"model":"claude-sonnet-5-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":50,"output_tokens":1}}}),
        json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Let me check."}}),
        json!({"type":"content_block_stop","index":0}),
        json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":id,"name":name,"input":{}}}),
    ];
    for p in pieces {
        out.push(json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":p}}));
    }
    out.push(json!({"type":"content_block_stop","index":1}));
    out.push(json!({"type":"message_delta","delta":{"stop_reason":stop,"stop_sequence":null},"usage":{"output_tokens":20}}));
    out.push(json!({"type":"message_stop"}));
    out
}

/// Queues a reply that calls `name` with its input arriving as `pieces` (`tool_use`).
pub fn push_tool_call(mock: &super::MockServer, id: &str, name: &str, pieces: &[&str]) {
    mock.push_messages(super::Reply::RawSse(super::sse_events(&tool_use_reply(
        id, name, pieces, "tool_use",
    ))));
}

/// Queues a reply of `text` that ends the turn.
pub fn push_text(mock: &super::MockServer, text: &str) {
    mock.push_messages(super::Reply::RawSse(super::sse_events(
        &super::reply_events(&[text], json!({"stop_reason":"end_turn"})),
    )));
}
