//! One running MCP server: started (a child process in its own process group, or a
//! Streamable HTTP session), the handshake made, its tools listed, a tool called — each
//! with a time limit, so a server that hangs is an error, never a hung oat — and stopped,
//! the whole process group with it. Errors are one line with the server's name and never
//! a header or environment value. Nothing here prints or knows the conversation; the
//! wire is `rpc.rs` over `stdio.rs` or `http.rs`.

use std::time::Duration;

use serde_json::{Value, json};

use super::http::Http;
use super::rpc::{self, Failure};
use super::servers::{ServerConfig, Transport};
use super::stdio::Stdio;

/// How long a server may take to start and list its tools (`npx -y` may download it
/// first).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one tool call may take before it is given up as an error.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a stop waits for the server to end on its own before the group is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(2);
/// A server that pages its tool list forever is cut off here.
const MAX_PAGES: usize = 100;

/// A tool as a server lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerTool {
    pub name: String,
    pub description: Option<String>,
    pub input_schema: Value,
}

/// What a tool call brought back, in MCP's own shape (`content` blocks, `isError`).
#[derive(Debug, Clone, PartialEq)]
pub struct CallResult {
    pub content: Vec<Value>,
    pub is_error: bool,
}

enum Peer {
    Stdio(Stdio),
    Http(Http),
}

impl Peer {
    async fn request(&self, method: &str, params: Value) -> Result<Value, Failure> {
        match self {
            Self::Stdio(p) => p.request(method, params).await,
            Self::Http(p) => p.request(method, params).await,
        }
    }

    async fn notify(&self, method: &str) -> Result<(), Failure> {
        match self {
            Self::Stdio(p) => p.notify(method).await,
            Self::Http(p) => p.notify(method).await,
        }
    }

    /// `what`, with a local server's last stderr line when it said something.
    fn explain(&self, what: &str) -> String {
        match self {
            Self::Stdio(p) => p.explain(what),
            Self::Http(_) => what.to_string(),
        }
    }
}

/// A started server.
pub struct Connection {
    name: String,
    peer: Peer,
    pub tools: Vec<ServerTool>,
}

impl Connection {
    /// Starts the server, makes the handshake and lists its tools, within
    /// `START_TIMEOUT`.
    pub async fn start(name: &str, config: &ServerConfig) -> Result<Self, String> {
        let fail = |what: String| format!("MCP server {name}: {what}");
        let peer = match config.transport().map_err(fail)? {
            Transport::Stdio { command } => {
                Peer::Stdio(Stdio::spawn(command, config).map_err(fail)?)
            }
            Transport::Http { url } => Peer::Http(Http::new(url, config).map_err(fail)?),
        };
        let mut conn = Self {
            name: name.to_string(),
            peer,
            tools: Vec::new(),
        };
        match tokio::time::timeout(START_TIMEOUT, conn.handshake()).await {
            Ok(Ok(tools)) => {
                conn.tools = tools;
                Ok(conn)
            }
            Ok(Err(why)) => {
                let why = conn.peer.explain(&why);
                conn.stop().await;
                Err(fail(why))
            }
            Err(_) => {
                conn.stop().await;
                Err(fail(format!(
                    "did not answer within {}s",
                    START_TIMEOUT.as_secs()
                )))
            }
        }
    }

    /// `initialize`, the `initialized` notification, then every page of `tools/list`.
    async fn handshake(&self) -> Result<Vec<ServerTool>, String> {
        let init = self
            .peer
            .request("initialize", rpc::initialize_params())
            .await
            .map_err(|f| match f {
                Failure::Closed => "it ended before answering".to_string(),
                f => format!("the handshake failed: {f}"),
            })?;
        rpc::agreed_version(&init).map_err(|f| f.to_string())?;
        self.peer
            .notify("notifications/initialized")
            .await
            .map_err(|f| format!("the handshake failed: {f}"))?;
        let mut tools = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let params = match &cursor {
                Some(c) => json!({"cursor": c}),
                None => json!({}),
            };
            let page = self
                .peer
                .request("tools/list", params)
                .await
                .map_err(|f| format!("listing its tools failed: {f}"))?;
            tools.extend(
                page["tools"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(tool),
            );
            cursor = page["nextCursor"].as_str().map(str::to_string);
            if cursor.is_none() {
                break;
            }
        }
        Ok(tools)
    }

    /// Calls `tool` with `arguments` (a JSON object), within `CALL_TIMEOUT`. An `Err` is
    /// the server failing (crashed, hung, refused the call), said in one line; a tool that
    /// ran and reported an error is `Ok` with `is_error`.
    pub async fn call(&self, tool: &str, arguments: &Value) -> Result<CallResult, String> {
        let params = json!({"name": tool, "arguments": arguments});
        let called =
            tokio::time::timeout(CALL_TIMEOUT, self.peer.request("tools/call", params)).await;
        let result = match called {
            Ok(Ok(r)) => r,
            Ok(Err(f)) => {
                let why = if f == Failure::Closed || self.is_closed() {
                    "stopped during the call".to_string()
                } else {
                    format!("the call failed: {f}")
                };
                return Err(format!(
                    "MCP server {}: {}",
                    self.name,
                    self.peer.explain(&why)
                ));
            }
            Err(_) => {
                return Err(format!(
                    "MCP server {}: no answer within {}s",
                    self.name,
                    CALL_TIMEOUT.as_secs()
                ));
            }
        };
        Ok(CallResult {
            content: result["content"].as_array().cloned().unwrap_or_default(),
            is_error: result["isError"].as_bool().unwrap_or(false),
        })
    }

    /// Whether the server is gone (its process ended, its session closed).
    pub fn is_closed(&self) -> bool {
        match &self.peer {
            Peer::Stdio(p) => p.is_closed(),
            Peer::Http(p) => p.is_closed(),
        }
    }

    /// Ends the session, then the process group: the server's own children too.
    pub async fn stop(mut self) {
        match &mut self.peer {
            Peer::Stdio(p) => {
                p.close(STOP_TIMEOUT).await;
                kill_group(p.group.take());
            }
            Peer::Http(p) => {
                let _ = tokio::time::timeout(STOP_TIMEOUT, p.close()).await;
            }
        }
    }
}

/// A listed tool, if it has a name. A missing schema is taken as "no arguments".
fn tool(t: &Value) -> Option<ServerTool> {
    Some(ServerTool {
        name: t["name"].as_str()?.to_string(),
        description: t["description"].as_str().map(str::to_string),
        input_schema: match &t["inputSchema"] {
            Value::Object(o) => Value::Object(o.clone()),
            _ => json!({"type": "object"}),
        },
    })
}

impl Drop for Connection {
    // A connection dropped without `stop` (oat exiting on an error, a panic) still takes
    // its process group with it: no orphans.
    fn drop(&mut self) {
        if let Peer::Stdio(p) = &mut self.peer {
            kill_group(p.group.take());
        }
    }
}

fn kill_group(group: Option<i32>) {
    if let Some(pgid) = group.filter(|g| *g > 1) {
        // SAFETY: killpg takes plain integers; a group already gone is ESRCH, ignored.
        unsafe {
            libc::killpg(pgid, libc::SIGKILL);
        }
    }
}
