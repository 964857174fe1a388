//! MCP's JSON-RPC 2.0, as both transports speak it: the messages oat sends (the
//! handshake, requests, notifications), the sorting of what a server sends back, and the
//! answers to a server's own requests. Knows no process, socket or HTTP.
//!
//! Hand-written rather than through the `rmcp` SDK: oat needs four methods of the
//! protocol (`initialize`, `tools/list`, `tools/call`, `ping`), and the SDK cost 1.6 MiB
//! of the binary and a fifth of a first build (README, "Build size and time").

use std::fmt;

use serde_json::{Value, json};

/// The revision oat asks for in `initialize`: the newest with that handshake (2026-07-28
/// replaced it with `server/discover`, and its servers still take `initialize`).
pub const PROTOCOL_VERSION: &str = "2025-11-25";

/// The revisions a server may answer with that oat speaks: the four methods it uses are
/// the same in each.
const SPOKEN: [&str; 5] = [
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];

/// Why a request got no result.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The connection is gone: the process ended, its output closed, the session ended.
    Closed,
    /// The server answered with a JSON-RPC error.
    Refused { code: i64, message: String },
    /// The transport failed in another way (an HTTP status, a body that is not JSON-RPC).
    Broken(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Closed => f.write_str("the connection closed"),
            Self::Refused { code, message } => write!(f, "{} (error {code})", one_line(message)),
            Self::Broken(why) => f.write_str(why),
        }
    }
}

/// A request to send.
pub fn request(id: u64, method: &str, params: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// A notification to send (no id, no answer).
pub fn notification(method: &str) -> Value {
    json!({"jsonrpc": "2.0", "method": method})
}

/// What oat says of itself in `initialize`: its own name and version, and no client
/// capability (no sampling, roots or elicitation: a server has nothing to ask of it).
pub fn initialize_params() -> Value {
    json!({
        "protocolVersion": PROTOCOL_VERSION,
        "capabilities": {},
        "clientInfo": {"name": "oat", "version": env!("CARGO_PKG_VERSION")},
    })
}

/// The revision the server chose, if oat speaks it.
pub fn agreed_version(initialized: &Value) -> Result<String, Failure> {
    let version = initialized["protocolVersion"].as_str().unwrap_or_default();
    if SPOKEN.contains(&version) {
        Ok(version.to_string())
    } else {
        Err(Failure::Broken(format!(
            "it speaks MCP revision `{}`, which oat does not",
            one_line(version)
        )))
    }
}

/// One message from a server, sorted.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// The answer to oat's request `id`.
    Response(u64, Result<Value, Failure>),
    /// A request of the server's own, with the answer it gets.
    Request(Value),
    /// A notification (progress, a log line, a changed tool list): nothing to answer.
    Notification,
    /// Not JSON-RPC, or an answer to no request of oat's.
    Stray,
}

/// Sorts one parsed message.
pub fn sort(msg: &Value) -> Incoming {
    let method = msg.get("method").and_then(Value::as_str);
    match (msg.get("id"), method) {
        (Some(id), Some(method)) if !id.is_null() => Incoming::Request(answer(id, method)),
        (None, Some(_)) => Incoming::Notification,
        (Some(id), None) => match id.as_u64() {
            Some(id) => Incoming::Response(id, outcome(msg)),
            None => Incoming::Stray,
        },
        _ => Incoming::Stray,
    }
}

fn outcome(msg: &Value) -> Result<Value, Failure> {
    if let Some(err) = msg.get("error") {
        return Err(Failure::Refused {
            code: err["code"].as_i64().unwrap_or(0),
            message: err["message"].as_str().unwrap_or("no message").to_string(),
        });
    }
    msg.get("result")
        .cloned()
        .ok_or_else(|| Failure::Broken("an answer with neither result nor error".into()))
}

/// What oat answers a server's request: `ping` is answered; everything else (sampling,
/// roots, elicitation) is a capability oat did not offer, so "method not found".
fn answer(id: &Value, method: &str) -> Value {
    if method == "ping" {
        json!({"jsonrpc": "2.0", "id": id, "result": {}})
    } else {
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32601, "message": format!("oat does not offer `{method}`")}})
    }
}

/// A server's words made one short line: they end up in a message of oat's.
fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match line.char_indices().nth(200) {
        Some((cut, _)) => format!("{}…", &line[..cut]),
        None => line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_sorted_by_their_shape() {
        let ok = json!({"jsonrpc": "2.0", "id": 3, "result": {"tools": []}});
        assert_eq!(sort(&ok), Incoming::Response(3, Ok(json!({"tools": []}))));
        let err = json!({"jsonrpc": "2.0", "id": 4, "error": {"code": -32602, "message": "unknown\ntool"}});
        let Incoming::Response(4, Err(f)) = sort(&err) else {
            panic!("{:?}", sort(&err));
        };
        assert_eq!(f.to_string(), "unknown tool (error -32602)");
        let note = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
        assert_eq!(sort(&note), Incoming::Notification);
        assert_eq!(sort(&json!({"id": "x", "result": {}})), Incoming::Stray);
        assert_eq!(sort(&json!([1, 2])), Incoming::Stray);
    }

    #[test]
    fn a_ping_is_answered_and_an_unoffered_request_is_method_not_found() {
        let ping = json!({"jsonrpc": "2.0", "id": "p1", "method": "ping"});
        assert_eq!(
            sort(&ping),
            Incoming::Request(json!({"jsonrpc": "2.0", "id": "p1", "result": {}}))
        );
        let sampling = json!({"jsonrpc": "2.0", "id": 9, "method": "sampling/createMessage"});
        let Incoming::Request(answer) = sort(&sampling) else {
            panic!()
        };
        assert_eq!(answer["id"], 9);
        assert_eq!(answer["error"]["code"], -32601);
    }

    #[test]
    fn only_a_spoken_revision_is_agreed() {
        let v = |s: &str| agreed_version(&json!({"protocolVersion": s}));
        assert_eq!(v("2025-06-18"), Ok("2025-06-18".to_string()));
        assert!(
            v("1999-01-01")
                .unwrap_err()
                .to_string()
                .contains("`1999-01-01`")
        );
        assert!(agreed_version(&json!({})).is_err());
    }
}
