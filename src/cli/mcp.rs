//! `oat mcp`: the MCP servers whose tools Claude may ask to use. `list` starts each
//! enabled server and shows its state and tools (then stops them); `import` adds the
//! servers of a Claude Code–style `mcpServers` JSON file to the config. Header and
//! environment values are never printed: they are often tokens.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use super::out::outln;
use super::{CliError, Context};
use crate::mcp::{Servers, api_name};

#[derive(Debug, Subcommand)]
pub enum McpCommand {
    /// Start each enabled server and list its state and tools (then stop them).
    List {
        /// Print the servers and tools as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Add the servers of an `mcpServers` JSON file (Claude Code's `.mcp.json`, Cursor's
    /// `mcp.json`, Claude Desktop's config) to oat's config, `${VAR}` expanded now.
    Import {
        path: PathBuf,
        /// Replace servers of the same name (otherwise they are left as they are).
        #[arg(long)]
        replace: bool,
    },
}

pub async fn run(ctx: &Context, cmd: McpCommand) -> Result<(), CliError> {
    match cmd {
        McpCommand::List { json } => list(ctx, json).await,
        McpCommand::Import { path, replace } => import(ctx, &path, replace),
    }
}

async fn list(ctx: &Context, as_json: bool) -> Result<(), CliError> {
    let config = &ctx.config.config.mcp;
    if config.servers.is_empty() {
        if as_json {
            return outln!("[]");
        }
        return outln!(
            "no MCP servers configured: add [mcp.servers.NAME] to {} or run `oat mcp import PATH`",
            ctx.config.path.display()
        );
    }
    let mut servers = Servers::new(config);
    let (tools, failures) = servers.tools().await;
    servers.stop_all().await;
    let mut rows = Vec::new();
    for (name, s) in &config.servers {
        let failed = failures
            .iter()
            .find(|f| f.starts_with(&format!("MCP server {name}:")));
        let state = match (s.enabled, failed) {
            (false, _) => "off",
            (true, Some(_)) => "failed",
            (true, None) => "ok",
        };
        let mine: Vec<&crate::mcp::Tool> = tools.iter().filter(|t| &t.server == name).collect();
        rows.push(json!({
            "name": name,
            "state": state,
            "target": s.target(),
            "error": failed,
            "excluded": s.exclude_tools,
            "tools": mine.iter().map(|t| json!({
                "name": t.api_name,
                "description": t.description,
            })).collect::<Vec<_>>(),
        }));
        if as_json {
            continue;
        }
        outln!("{name}  {state}  {}", s.target())?;
        if let Some(f) = failed {
            outln!("  {f}")?;
        }
        for t in &mine {
            let about = t
                .description
                .as_deref()
                .and_then(|d| d.lines().next())
                .unwrap_or_default();
            outln!(
                "  {}  {}",
                t.api_name,
                about.chars().take(80).collect::<String>()
            )?;
        }
        for x in &s.exclude_tools {
            outln!("  {} (left out)", api_name(name, x))?;
        }
    }
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&rows).unwrap_or_default()
        )?;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        // Each was said above; the status tells a script.
        Err(CliError::silent(1))
    }
}

/// What `oat doctor` says of each configured server: started and listed its tools
/// (`Ok`), or the line that says why not (`Err`); a server that is off is not started.
pub(super) async fn check(ctx: &Context) -> Vec<Result<String, String>> {
    let config = &ctx.config.config.mcp;
    let mut servers = Servers::new(config);
    let (tools, failures) = servers.tools().await;
    servers.stop_all().await;
    config
        .servers
        .iter()
        .map(|(name, s)| {
            if !s.enabled {
                return Ok(format!("{name}: off"));
            }
            let prefix = format!("MCP server {name}:");
            if let Some(f) = failures.iter().find(|f| f.starts_with(&prefix)) {
                return Err(f.clone());
            }
            let n = tools.iter().filter(|t| &t.server == name).count();
            Ok(format!(
                "{name}: started, {n} tool{}",
                if n == 1 { "" } else { "s" }
            ))
        })
        .collect()
}

fn import(ctx: &Context, path: &std::path::Path, replace: bool) -> Result<(), CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("{}: {}", path.display(), e)))?;
    let env = |var: &str| std::env::var(var).ok();
    let found = crate::mcp::import::parse(&text, &env)
        .map_err(|e| CliError::usage(format!("{}: {e}", path.display())))?;
    for s in &found.skipped {
        eprintln!("oat: left out {s}");
    }
    let mut file = ctx.config.clone();
    let servers = found.servers;
    let (added, kept) = file
        .edit(|c| -> Result<_, crate::config::ConfigError> {
            let mut added = Vec::new();
            let mut kept = Vec::new();
            for (name, s) in servers {
                if c.mcp.servers.contains_key(&name) && !replace {
                    kept.push(name);
                } else {
                    c.mcp.servers.insert(name.clone(), s);
                    added.push(name);
                }
            }
            Ok((added, kept))
        })
        .map_err(|e| CliError::usage(e.to_string()))?;
    for name in &kept {
        eprintln!("oat: {name} is already configured; left as it is (--replace replaces it)");
    }
    if added.is_empty() {
        return outln!("no server added");
    }
    outln!(
        "added {} to {}: {}",
        if added.len() == 1 {
            "1 server".to_string()
        } else {
            format!("{} servers", added.len())
        },
        file.path.display(),
        added.join(", ")
    )?;
    outln!("`oat mcp list` starts them and shows their tools")
}
