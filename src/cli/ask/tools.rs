//! `oat ask --tools`: the configured MCP servers started for this prompt, and each call
//! Claude asks for put to the person on the terminal — or, with no terminal to ask on,
//! refused unless `--allow` names the tool. What runs and what comes back is said on
//! stderr, one line each; stdout keeps the reply's text.

use std::io::{BufRead, IsTerminal, Write};

use serde_json::Value;

use super::report::Print;
use crate::conversation::tools::{Approval, Approver, Call, ToolEvent};

/// How much of a call's arguments is shown before `…`.
const SHOWN_ARGUMENTS: usize = 1200;

/// Whether `--allow` names this tool: its whole name, or `mcp__<server>` for all of a
/// server's tools.
pub(super) fn allowed(allow: &[String], name: &str) -> bool {
    allow.iter().any(|a| {
        a == name
            || name
                .strip_prefix(a.as_str())
                .is_some_and(|r| r.starts_with("__"))
    })
}

/// A call's arguments pretty-printed, cut at `SHOWN_ARGUMENTS` characters.
pub fn shown_arguments(input: &Value) -> String {
    let text = serde_json::to_string_pretty(input).unwrap_or_default();
    if text.chars().count() <= SHOWN_ARGUMENTS {
        return text;
    }
    let cut: String = text.chars().take(SHOWN_ARGUMENTS).collect();
    format!("{cut}\n… ({} characters in all)", text.chars().count())
}

impl Approver for Print<'_> {
    async fn approve(&mut self, call: &Call) -> Approval {
        let _ = self.out.flush();
        self.out.line_start();
        if allowed(self.allow, &call.name) {
            return Approval::Once;
        }
        let (server, tool) = call
            .tool
            .as_ref()
            .map_or(("?", call.name.as_str()), |t| (&t.server, &t.name));
        if !self.ask_on_terminal {
            eprintln!(
                "oat: refused {} (no terminal to ask on; --allow {} allows it)",
                call.name, call.name
            );
            return Approval::Deny(Some(
                "oat could not ask the person (no terminal) and the tool was not allowed in advance"
                    .into(),
            ));
        }
        eprintln!("oat: Claude asks to run {tool} (server {server}) with:");
        for line in shown_arguments(&call.input).lines() {
            eprintln!("  {line}");
        }
        eprint!("allow? [y] once, [a] always in this conversation, [n] deny, [s] stop: ");
        let _ = std::io::stderr().flush();
        let answer = read_line().await;
        match answer.trim().to_lowercase().as_str() {
            "y" | "yes" => Approval::Once,
            "a" | "always" => Approval::Always,
            "s" | "stop" | "" if answer.is_empty() => Approval::Stop,
            "s" | "stop" => Approval::Stop,
            _ => {
                eprint!("reason for Claude (Enter for none): ");
                let _ = std::io::stderr().flush();
                let reason = read_line().await;
                Approval::Deny(Some(reason.trim().to_string()).filter(|r| !r.is_empty()))
            }
        }
    }

    fn told(&mut self, event: ToolEvent<'_>) {
        if matches!(event, ToolEvent::Bound(_)) {
            return;
        }
        let _ = self.out.flush();
        self.out.line_start();
        match event {
            ToolEvent::Running(call) => eprintln!("oat: running {}", call.name),
            ToolEvent::Answered { call, result } => {
                let (error, text) = crate::mcp::result::short(result, 200);
                eprintln!("oat: {}{error} → {text}", call.name);
            }
            ToolEvent::Said(line) => eprintln!("oat: {line}"),
            // The reply streams on; the history has the round.
            ToolEvent::Round { .. } | ToolEvent::Bound(_) => {}
        }
    }
}

/// One line from stdin (the terminal), off the async thread; empty at its end.
async fn read_line() -> String {
    tokio::task::spawn_blocking(|| {
        let mut line = String::new();
        match std::io::stdin().lock().read_line(&mut line) {
            Ok(0) | Err(_) => String::new(),
            Ok(_) => line,
        }
    })
    .await
    .unwrap_or_default()
}

/// Whether `oat ask` can ask on this terminal.
pub(super) fn can_ask() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Starts the configured servers and lists their tools; a server that fails is one line
/// on stderr and the rest go on. With a setup token, what tools may cost is said the
/// first time (then remembered in the config).
pub(super) async fn start(
    ctx: &super::Context,
    kind: crate::credentials::CredentialKind,
) -> Result<(crate::mcp::Servers, Vec<crate::mcp::Tool>), super::CliError> {
    let config = &ctx.config.config;
    let mut servers = crate::mcp::Servers::new(&config.mcp);
    if !servers.any_enabled() {
        return Err(
            super::CliError::usage("--tools: no MCP server is configured (or all are off)")
                .with_advice(
                    "add [mcp.servers.NAME] to the config, or `oat mcp import PATH`; `oat mcp list` shows them",
                ),
        );
    }
    if kind == crate::credentials::CredentialKind::Oauth && !config.tools_notice_seen {
        eprintln!("oat: note: {}", crate::mcp::SETUP_TOKEN_NOTE);
        let mut file = ctx.config.clone();
        let _ = file.edit(|c| -> Result<(), crate::config::ConfigError> {
            c.tools_notice_seen = true;
            Ok(())
        });
    }
    let (tools, failures) = servers.tools().await;
    for f in &failures {
        eprintln!("oat: {f}");
    }
    if tools.is_empty() {
        eprintln!("oat: note: no tools to offer; the prompt is sent without");
    }
    Ok((servers, tools))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_names_a_tool_or_a_whole_server() {
        let allow = vec!["mcp__t__echo".to_string(), "mcp__files".to_string()];
        assert!(allowed(&allow, "mcp__t__echo"));
        assert!(!allowed(&allow, "mcp__t__echo2"));
        assert!(allowed(&allow, "mcp__files__read"));
        assert!(!allowed(&allow, "mcp__filesystem__read"));
        assert!(!allowed(&allow, "mcp__t__fail"));
    }

    #[test]
    fn long_arguments_are_cut_and_say_so() {
        let short = shown_arguments(&serde_json::json!({"a": 1}));
        assert_eq!(short, "{\n  \"a\": 1\n}");
        let long = shown_arguments(&serde_json::json!({"a": "x".repeat(5000)}));
        assert!(long.ends_with("characters in all)"), "{long}");
        assert!(long.chars().count() < 1300);
    }
}
