//! Reading the `mcpServers` JSON that Claude Code, Cursor and others write
//! (`{"mcpServers": {"name": {"command", "args", "env"} | {"type": "http", "url",
//! "headers"}}}`) into oat's server tables, with `${VAR}` and `${VAR:-default}` expanded
//! from an environment the caller passes (tests never touch the process's own). Pure:
//! the caller reads the file and writes the config.

use std::collections::BTreeMap;

use serde_json::Value;

use super::servers::{ServerConfig, valid_server_name};

/// What an import found: the servers, and a line for each entry left out.
#[derive(Debug, Default)]
pub struct Imported {
    pub servers: BTreeMap<String, ServerConfig>,
    pub skipped: Vec<String>,
}

/// The servers of an `mcpServers` document. `env` answers `${VAR}`; a variable it does
/// not know, with no default, is an error naming it (an import never writes a server
/// that would start with a blank token).
pub fn parse(text: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Imported, String> {
    let doc: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let servers = doc
        .get("mcpServers")
        .and_then(Value::as_object)
        .ok_or("no `mcpServers` object in it")?;
    let mut out = Imported::default();
    for (name, entry) in servers {
        if !valid_server_name(name) {
            out.skipped.push(format!(
                "{name}: a server name takes letters, digits, `-` and `_` (no `__`)"
            ));
            continue;
        }
        match server(entry, env) {
            Ok(s) => {
                out.servers.insert(name.clone(), s);
            }
            Err(e) => out.skipped.push(format!("{name}: {e}")),
        }
    }
    Ok(out)
}

fn server(entry: &Value, env: &dyn Fn(&str) -> Option<String>) -> Result<ServerConfig, String> {
    let text = |v: &Value| -> Result<String, String> {
        v.as_str()
            .ok_or_else(|| format!("expected text, found {v}"))
            .and_then(|s| expand(s, env))
    };
    let map = |key: &str| -> Result<BTreeMap<String, String>, String> {
        match entry.get(key) {
            None | Some(Value::Null) => Ok(BTreeMap::new()),
            Some(Value::Object(m)) => m.iter().map(|(k, v)| Ok((k.clone(), text(v)?))).collect(),
            Some(_) => Err(format!("`{key}` is not an object")),
        }
    };
    let kind = entry.get("type").and_then(Value::as_str).unwrap_or("stdio");
    let mut s = ServerConfig {
        enabled: !entry
            .get("disabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        ..ServerConfig::default()
    };
    match kind {
        "stdio" => {
            s.command = Some(text(entry.get("command").ok_or("no `command`")?)?);
            s.args = match entry.get("args") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(a)) => a.iter().map(text).collect::<Result<_, _>>()?,
                Some(_) => return Err("`args` is not a list".into()),
            };
            s.env = map("env")?;
        }
        "http" | "streamable-http" => {
            s.url = Some(text(entry.get("url").ok_or("no `url`")?)?);
            s.headers = map("headers")?;
        }
        // The older transport: oat speaks Streamable HTTP only.
        "sse" => return Err("an SSE server (oat speaks stdio and Streamable HTTP)".into()),
        other => return Err(format!("unknown type `{other}`")),
    }
    Ok(s)
}

/// `${VAR}` and `${VAR:-default}` replaced from `env`; anything else kept as written.
pub fn expand(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return Ok(out);
        };
        let inner = &after[..end];
        let (var, default) = match inner.split_once(":-") {
            Some((v, d)) => (v, Some(d)),
            None => (inner, None),
        };
        match (env(var), default) {
            (Some(v), _) => out.push_str(&v),
            (None, Some(d)) => out.push_str(d),
            (None, None) => return Err(format!("`${{{var}}}` is not set")),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(var: &str) -> Option<String> {
        match var {
            "TOKEN" => Some("sekrit".into()),
            "HOME" => Some("/home/p".into()),
            _ => None,
        }
    }

    #[test]
    fn claude_codes_shapes_are_read_with_variables_expanded() {
        let text = r#"{"mcpServers": {
            "files": {"command": "npx", "args": ["-y", "fs-server", "${HOME}/notes"], "env": {"LEVEL": "${LEVEL:-info}"}},
            "remote": {"type": "http", "url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer ${TOKEN}"}},
            "old": {"type": "sse", "url": "https://x"},
            "bad name": {"command": "x"},
            "unset": {"command": "x", "env": {"K": "${NOPE}"}}
        }}"#;
        let got = parse(text, &env).unwrap();
        let files = &got.servers["files"];
        assert_eq!(files.command.as_deref(), Some("npx"));
        assert_eq!(files.args, ["-y", "fs-server", "/home/p/notes"]);
        assert_eq!(files.env["LEVEL"], "info");
        let remote = &got.servers["remote"];
        assert_eq!(remote.headers["Authorization"], "Bearer sekrit");
        assert!(
            !format!("{remote:?}").contains("sekrit"),
            "Debug masks values"
        );
        assert_eq!(got.servers.len(), 2);
        assert_eq!(got.skipped.len(), 3, "{:?}", got.skipped);
        assert!(got.skipped.iter().any(|s| s.contains("${NOPE}")));
    }

    #[test]
    fn a_document_without_servers_is_an_error() {
        assert!(parse("{}", &env).is_err());
        assert!(parse("nope", &env).is_err());
        assert_eq!(expand("a ${X", &env).unwrap(), "a ${X");
    }
}
