//! One running MCP server, through `rmcp`: started (a child process in its own process
//! group, or a Streamable HTTP session), its tools listed, a tool called — each with a
//! time limit, so a server that hangs is an error, never a hung oat — and stopped, the
//! whole process group with it. Errors are one line with the server's name and never a
//! header or environment value. Nothing here prints or knows the conversation.

use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientConfig, Implementation};
use rmcp::service::{RoleClient, RunningService};
use serde_json::Value;
use tokio::io::AsyncBufReadExt;

use super::servers::{ServerConfig, Transport};

/// How long a server may take to start and list its tools (`npx -y` may download it
/// first).
pub const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long one tool call may take before it is given up as an error.
pub const CALL_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a stop waits for the server to end on its own before the group is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(2);
/// The last lines of a server's stderr kept to explain a failure.
const STDERR_LINES: usize = 3;

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

/// A started server.
pub struct Connection {
    name: String,
    service: RunningService<RoleClient, ClientConfig>,
    /// The process group of a local server (its leader's pid), killed on stop and drop.
    group: Option<i32>,
    stderr: Arc<Mutex<Vec<String>>>,
    pub tools: Vec<ServerTool>,
}

fn client_config() -> ClientConfig {
    let mut info = ClientConfig::default();
    info.client_info = Implementation::new("oat", env!("CARGO_PKG_VERSION"));
    info
}

impl Connection {
    /// Starts the server and lists its tools, within `START_TIMEOUT`.
    pub async fn start(name: &str, config: &ServerConfig) -> Result<Self, String> {
        let fail = |what: String| format!("MCP server {name}: {what}");
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let (service, group) = match config.transport().map_err(fail)? {
            Transport::Stdio { command } => {
                start_stdio(command, config, &stderr).await.map_err(fail)?
            }
            Transport::Http { url } => (start_http(url, config).await.map_err(fail)?, None),
        };
        let mut conn = Self {
            name: name.to_string(),
            service,
            group,
            stderr,
            tools: Vec::new(),
        };
        let listed = tokio::time::timeout(START_TIMEOUT, conn.service.list_all_tools()).await;
        conn.tools = match listed {
            Ok(Ok(tools)) => tools
                .into_iter()
                .map(|t| ServerTool {
                    name: t.name.to_string(),
                    description: t.description.map(|d| d.to_string()),
                    input_schema: Value::Object((*t.input_schema).clone()),
                })
                .collect(),
            Ok(Err(e)) => {
                let why = explain(&format!("listing its tools failed: {e}"), &conn.stderr);
                conn.stop().await;
                return Err(fail(why));
            }
            Err(_) => {
                conn.stop().await;
                return Err(fail("did not list its tools in time".into()));
            }
        };
        Ok(conn)
    }

    /// Calls `tool` with `arguments` (a JSON object), within `CALL_TIMEOUT`. An `Err` is
    /// the server failing (crashed, hung, refused the call), said in one line; a tool that
    /// ran and reported an error is `Ok` with `is_error`.
    pub async fn call(&self, tool: &str, arguments: &Value) -> Result<CallResult, String> {
        let mut params = CallToolRequestParams::new(tool.to_string());
        params.arguments = arguments.as_object().cloned();
        let called = tokio::time::timeout(CALL_TIMEOUT, self.service.call_tool(params)).await;
        let result = match called {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => {
                let gone = matches!(
                    e,
                    rmcp::ServiceError::TransportClosed | rmcp::ServiceError::TransportSend(_)
                );
                let why = if gone || self.service.is_closed() {
                    "stopped during the call".to_string()
                } else {
                    format!("the call failed: {e}")
                };
                return Err(format!(
                    "MCP server {}: {}",
                    self.name,
                    explain(&why, &self.stderr)
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
        let content = serde_json::to_value(&result.content)
            .ok()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        Ok(CallResult {
            content,
            is_error: result.is_error.unwrap_or(false),
        })
    }

    /// Whether the server is gone (its process ended, its session closed).
    pub fn is_closed(&self) -> bool {
        self.service.is_closed()
    }

    /// Ends the session, then the process group: the server's own children too.
    pub async fn stop(mut self) {
        let _ = tokio::time::timeout(STOP_TIMEOUT, self.service.close()).await;
        kill_group(self.group.take());
    }
}

/// A local server: its command in a process group of its own, stderr kept in `tail`.
async fn start_stdio(
    command: &str,
    config: &ServerConfig,
    tail: &Arc<Mutex<Vec<String>>>,
) -> Result<(RunningService<RoleClient, ClientConfig>, Option<i32>), String> {
    let mut cmd = tokio::process::Command::new(command);
    cmd.args(&config.args).envs(&config.env);
    let mut wrapped = process_wrap::tokio::CommandWrap::from(cmd);
    // Its own group: stopping it stops whatever it started (npx's node, say).
    wrapped.wrap(process_wrap::tokio::ProcessGroup::leader());
    let (process, err) = rmcp::transport::TokioChildProcess::builder(wrapped)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{command}`: {e}"))?;
    let group = process.id().and_then(|p| i32::try_from(p).ok());
    if let Some(err) = err {
        tokio::spawn(keep_tail(err, tail.clone()));
    }
    match tokio::time::timeout(START_TIMEOUT, client_config().serve(process)).await {
        Ok(Ok(s)) => Ok((s, group)),
        Ok(Err(e)) => {
            kill_group(group);
            Err(explain(&e.to_string(), tail))
        }
        Err(_) => {
            kill_group(group);
            Err(format!(
                "did not answer within {}s",
                START_TIMEOUT.as_secs()
            ))
        }
    }
}

/// A remote server over Streamable HTTP, its headers marked sensitive (never logged).
async fn start_http(
    url: &str,
    config: &ServerConfig,
) -> Result<RunningService<RoleClient, ClientConfig>, String> {
    use rmcp::transport::StreamableHttpClientTransport;
    use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
    // rmcp's reqwest brings no TLS provider: ring, once per process (already installed
    // is fine).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut headers = HashMap::new();
    for (k, v) in &config.headers {
        let name = http::HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| format!("`{k}` is not a header name"))?;
        let mut value = http::HeaderValue::from_str(v)
            .map_err(|_| format!("the value of header `{k}` is not valid"))?;
        value.set_sensitive(true);
        headers.insert(name, value);
    }
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url).custom_headers(headers),
    );
    match tokio::time::timeout(START_TIMEOUT, client_config().serve(transport)).await {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "did not answer within {}s",
            START_TIMEOUT.as_secs()
        )),
    }
}

impl Drop for Connection {
    // A connection dropped without `stop` (oat exiting on an error, a panic) still takes
    // its process group with it: no orphans.
    fn drop(&mut self) {
        kill_group(self.group.take());
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

/// `what`, with the server's last stderr line when it said something.
fn explain(what: &str, stderr: &Mutex<Vec<String>>) -> String {
    let last = stderr
        .lock()
        .ok()
        .and_then(|l| l.iter().rev().find(|s| !s.trim().is_empty()).cloned());
    match last {
        Some(line) => format!("{what} (it said: {})", line.trim()),
        None => what.to_string(),
    }
}

/// Reads a server's stderr to its end, keeping the last lines: the app owns the terminal,
/// so a server may not write to it.
async fn keep_tail(err: tokio::process::ChildStderr, tail: Arc<Mutex<Vec<String>>>) {
    let mut lines = tokio::io::BufReader::new(err).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(target: "mcp", "{}", line.chars().take(300).collect::<String>());
        if let Ok(mut t) = tail.lock() {
            t.push(line.chars().take(200).collect());
            if t.len() > STDERR_LINES {
                t.remove(0);
            }
        }
    }
}
