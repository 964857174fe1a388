//! The `[mcp.servers.NAME]` tables of the config file, as plain data: how to reach each
//! server (a command for stdio, a URL for Streamable HTTP), whether it is on, and which of
//! its tools are left out. A leaf like `token.rs`: `config.rs` holds these, and nothing
//! here reads files, starts processes or prints (header values may be secrets: `Debug`
//! masks them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `[mcp]`: the servers a person configured, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct McpConfig {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub servers: BTreeMap<String, ServerConfig>,
}

/// One server. Exactly one of `command` (stdio) and `url` (Streamable HTTP) is set.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<String>,
    /// Added to the environment oat passes on (which is oat's own).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Sent with every HTTP request (often a token: never shown or logged).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// `false` keeps the server configured but unused.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub enabled: bool,
    /// Tools of this server never offered to Claude (their names on the server).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude_tools: Vec<String>,
}

fn yes() -> bool {
    true
}

fn is_true(b: &bool) -> bool {
    *b
}

impl std::fmt::Debug for ServerConfig {
    // Header and environment values are often tokens: only their names are shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("command", &self.command)
            .field("args", &self.args)
            .field("env", &self.env.keys().collect::<Vec<_>>())
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("enabled", &self.enabled)
            .field("exclude_tools", &self.exclude_tools)
            .finish()
    }
}

/// How a server is reached, once its table is known to be whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport<'a> {
    Stdio { command: &'a str },
    Http { url: &'a str },
}

impl ServerConfig {
    pub fn stdio(command: &str, args: &[&str]) -> Self {
        Self {
            command: Some(command.into()),
            args: args.iter().map(|a| a.to_string()).collect(),
            enabled: true,
            ..Self::default()
        }
    }

    /// How to reach it, or why the table is not whole (said with the server's name).
    pub fn transport(&self) -> Result<Transport<'_>, String> {
        match (&self.command, &self.url) {
            (Some(c), None) if !c.trim().is_empty() => Ok(Transport::Stdio { command: c }),
            (None, Some(u)) if !u.trim().is_empty() => Ok(Transport::Http { url: u }),
            (Some(_), Some(_)) => Err("has both `command` and `url`; keep one".into()),
            _ => Err("needs `command` (a local server) or `url` (a remote one)".into()),
        }
    }

    /// What `oat mcp list` shows of where it runs: the command line or the URL, never a
    /// header or environment value.
    pub fn target(&self) -> String {
        match self.transport() {
            Ok(Transport::Stdio { command }) => std::iter::once(command)
                .chain(self.args.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" "),
            Ok(Transport::Http { url }) => url.to_string(),
            Err(e) => e,
        }
    }
}

/// Whether `name` may name a server: the model sees it inside `mcp__<server>__<tool>`,
/// and the API allows tool names of `[a-zA-Z0-9_-]{1,128}`; a `__` inside would make the
/// name ambiguous to split.
pub fn valid_server_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && !name.contains("__")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
