//! The tools a person configured: Model Context Protocol servers (`[mcp.servers.NAME]`),
//! started lazily when a conversation first needs their tools, offered to Claude as
//! `mcp__<server>__<tool>`, called when the person allowed it, and stopped with oat.
//! oat ships no tool of its own. This module knows nothing of terminals, conversations or
//! approval: it lists and calls; `conversation::tools` decides what is called.

pub mod client;
mod http;
pub mod import;
pub mod result;
mod rpc;
pub mod servers;
mod stdio;

use std::collections::BTreeMap;

use serde_json::{Value, json};

pub use client::{CallResult, Connection, ServerTool};
pub use servers::{McpConfig, ServerConfig};

/// Said the first time tools are turned on with a setup token.
pub const SETUP_TOKEN_NOTE: &str = "tools with a setup token: Anthropic bills or refuses tool-carrying subscription requests more often than others (they may draw on extra usage, or be refused); an API key is the supported route";

/// A tool as Claude sees it, and where it lives.
#[derive(Debug, Clone, PartialEq)]
pub struct Tool {
    /// `mcp__<server>__<tool>`, made safe for the API.
    pub api_name: String,
    pub server: String,
    /// Its name on the server.
    pub name: String,
    pub description: Option<String>,
    pub input_schema: Value,
}

impl Tool {
    /// The `tools` entry of a request.
    pub fn definition(&self) -> Value {
        let mut d = json!({"name": self.api_name, "input_schema": self.input_schema});
        if let Some(text) = &self.description {
            d["description"] = Value::String(text.clone());
        }
        d
    }
}

/// The name Claude Code gives a server's tool: `mcp__<server>__<tool>`, with what the API
/// does not allow in a tool name (`[a-zA-Z0-9_-]{1,128}`) turned into `_`.
pub fn api_name(server: &str, tool: &str) -> String {
    let raw = format!("mcp__{server}__{tool}");
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(128)
        .collect()
}

/// The configured servers, each started the first time its tools are needed and kept
/// running until `stop_all` (or the drop of this, which kills their process groups).
#[derive(Default)]
pub struct Servers {
    config: BTreeMap<String, ServerConfig>,
    running: BTreeMap<String, Connection>,
    /// Servers that failed to start in this run, with the line that says why: not
    /// tried again until `forget_failures`, so a broken server costs one wait, once.
    failed: BTreeMap<String, String>,
}

impl Servers {
    pub fn new(config: &McpConfig) -> Self {
        Self {
            config: config.servers.clone(),
            ..Self::default()
        }
    }

    /// Whether any server is configured and on.
    pub fn any_enabled(&self) -> bool {
        self.config.values().any(|s| s.enabled)
    }

    /// Starts every enabled server not yet running (at once, each within its time
    /// limit) and returns their tools, less the excluded ones, with a line for each
    /// server that could not start.
    pub async fn tools(&mut self) -> (Vec<Tool>, Vec<String>) {
        let wanted: Vec<(String, ServerConfig)> = self
            .config
            .iter()
            .filter(|(n, s)| {
                s.enabled && !self.running.contains_key(*n) && !self.failed.contains_key(*n)
            })
            .map(|(n, s)| (n.clone(), s.clone()))
            .collect();
        let started = futures_util::future::join_all(
            wanted
                .iter()
                .map(|(name, cfg)| async move { (name, Connection::start(name, cfg).await) }),
        )
        .await;
        for (name, result) in started {
            match result {
                Ok(c) => {
                    self.running.insert(name.clone(), c);
                }
                Err(e) => {
                    self.failed.insert(name.clone(), e);
                }
            }
        }
        (
            self.running_tools(),
            self.failed.values().cloned().collect(),
        )
    }

    /// The tools of the servers running now, less the excluded ones (none is started).
    pub fn running_tools(&self) -> Vec<Tool> {
        let mut tools = Vec::new();
        for (server, conn) in &self.running {
            let excluded = self
                .config
                .get(server)
                .map(|c| c.exclude_tools.as_slice())
                .unwrap_or_default();
            for t in conn.tools.iter().filter(|t| !excluded.contains(&t.name)) {
                tools.push(Tool {
                    api_name: api_name(server, &t.name),
                    server: server.clone(),
                    name: t.name.clone(),
                    description: t.description.clone(),
                    input_schema: t.input_schema.clone(),
                });
            }
        }
        tools
    }

    /// Calls a tool of a running server. A server that stopped during the call is
    /// dropped (its group killed), so the next conversation that needs it starts it again.
    pub async fn call(&mut self, tool: &Tool, input: &Value) -> Result<CallResult, String> {
        let Some(conn) = self.running.get(&tool.server) else {
            return Err(format!("MCP server {} is not running", tool.server));
        };
        let result = conn.call(&tool.name, input).await;
        // A crashed server's session may close a moment after its call failed: the
        // words say so either way.
        let gone = matches!(&result, Err(e) if e.contains("stopped during the call"));
        if (gone || (result.is_err() && conn.is_closed()))
            && let Some(c) = self.running.remove(&tool.server)
        {
            c.stop().await;
        }
        result
    }

    /// Takes the config as it is now (edited in another shell, say): a server whose
    /// table changed or went is stopped, to start again as configured when next needed;
    /// one that failed is tried again once its table changed. Unchanged ones keep running.
    pub async fn reconfigure(&mut self, config: &McpConfig) {
        if self.config == config.servers {
            return;
        }
        let stale: Vec<String> = self
            .running
            .keys()
            .chain(self.failed.keys())
            .filter(|n| self.config.get(*n) != config.servers.get(*n))
            .cloned()
            .collect();
        let mut stopping = Vec::new();
        for name in stale {
            self.failed.remove(&name);
            if let Some(c) = self.running.remove(&name) {
                stopping.push(c);
            }
        }
        futures_util::future::join_all(stopping.into_iter().map(Connection::stop)).await;
        self.config = config.servers.clone();
    }

    /// Lets servers that failed be tried again (a new conversation, a changed config).
    pub fn forget_failures(&mut self) {
        self.failed.clear();
    }

    /// Stops every running server (session closed, process group ended).
    pub async fn stop_all(&mut self) {
        let running = std::mem::take(&mut self.running);
        futures_util::future::join_all(running.into_values().map(Connection::stop)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_claude_codes_convention_and_the_apis_alphabet() {
        assert_eq!(api_name("files", "read_file"), "mcp__files__read_file");
        assert_eq!(api_name("x", "get.weather now"), "mcp__x__get_weather_now");
        assert_eq!(api_name("s", &"t".repeat(200)).len(), 128);
    }
}
