//! Plain mode's `/commands`: the app's own (parsed by the app's parser, so each means the
//! same), plus `/resume` and `/quit`; `/model` and `/resume` without an argument are
//! numbered pickers. Commands that need the full screen (tabs) say so in one line. It
//! changes the chat's settings and reads the history; it must not send prompts.

use super::chat::{Chat, Next};
use super::input::Input;
use super::out::Out;
use super::picker;
use crate::api::pricing::{ReplyCost, price_reply};
use crate::tui::state::chat::{COMMANDS, SlashCommand, parse_slash, sentence, usage_report};

/// A command typed in plain mode.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Command {
    /// One of the app's.
    App(SlashCommand),
    /// Pick a saved conversation to go on with.
    Resume,
    Quit,
}

/// The commands plain mode adds to the app's, as `/help` lists them.
const PLAIN_ONLY: &[(&str, &str)] = &[
    ("/resume", "pick a saved conversation to continue"),
    (
        "/quit",
        "leave (also /exit, Ctrl-D, or Ctrl-C at the prompt)",
    ),
];

/// What `/help` says of typing and keys.
const KEYS: &[&str] = &[
    "Enter sends the line. A line ending in \\ goes on to the next line (for prompts of several lines).",
    "Ctrl-C stops a reply (what arrived is kept); Ctrl-C at the prompt, or Ctrl-D, quits.",
    "Lists are numbered: answer with a number; anything else cancels.",
];

/// `text` as a command, `None` when it is a prompt.
pub(super) fn parse(text: &str) -> Option<Result<Command, String>> {
    let rest = text.trim().strip_prefix('/')?;
    let word = rest.split_whitespace().next().unwrap_or("");
    match word {
        "quit" | "exit" | "q" => Some(Ok(Command::Quit)),
        "resume" => Some(Ok(Command::Resume)),
        "" => Some(Ok(Command::App(SlashCommand::Help))),
        _ => parse_slash(text).map(|r| r.map(Command::App)),
    }
}

/// `/help`'s lines.
pub(super) fn help_lines() -> Vec<String> {
    let mut lines = vec!["Commands:".to_string()];
    for c in COMMANDS {
        let name = if c.args.is_empty() {
            format!("/{}", c.name)
        } else {
            format!("/{} {}", c.name, c.args)
        };
        let only = if full_screen_only(c.name) {
            " (full-screen app only)"
        } else {
            ""
        };
        let help = c.help.replace(" (Tab completes; or type @)", "");
        lines.push(format!("{name}: {help}{only}"));
    }
    for (name, help) in PLAIN_ONLY {
        lines.push(format!("{name}: {help}"));
    }
    lines.extend(KEYS.iter().map(|k| k.to_string()));
    lines
}

fn full_screen_only(name: &str) -> bool {
    matches!(name, "tab" | "close")
}

/// Shows a numbered list and reads the number typed; `None` when cancelled.
async fn pick(input: &mut Input, out: &mut Out, items: &[String]) -> Option<usize> {
    for line in picker::numbered(items) {
        out.line(&line);
    }
    out.ask(&picker::question(items.len()));
    let answer = tokio::select! {
        line = input.line() => line,
        _ = tokio::signal::ctrl_c() => None,
    };
    match &answer {
        Some(a) if input.echo => {
            out.text(&format!("{a}\n"));
        }
        _ => out.typed(),
    }
    let chosen = answer.and_then(|a| picker::choice(&a, items.len()));
    if chosen.is_none() {
        out.end_line();
        out.line("Cancelled.");
    }
    chosen
}

impl Chat<'_> {
    pub(super) async fn command(&mut self, cmd: Command, input: &mut Input, out: &mut Out) -> Next {
        let s = &mut self.settings.choices;
        let said = match cmd {
            Command::Quit => {
                out.line("Bye.");
                return Next::Quit;
            }
            Command::Resume => {
                self.resume(input, out).await;
                return Next::Go;
            }
            Command::App(cmd) => match cmd {
                // The settings say what the app says, as a sentence.
                SlashCommand::System(_)
                | SlashCommand::MaxTokens(_)
                | SlashCommand::Temperature(_)
                | SlashCommand::Thinking(_)
                | SlashCommand::Effort(_)
                | SlashCommand::Web(_) => sentence(&cmd.apply_setting(s).unwrap_or_default()),
                SlashCommand::Tools(on) => {
                    s.tools = Some(on);
                    let any = self
                        .session
                        .config
                        .config
                        .mcp
                        .servers
                        .values()
                        .any(|s| s.enabled);
                    match (on, any) {
                        (true, false) => "Tools on, but no MCP server is configured \
                                          (`oat mcp list`, `oat mcp import`)."
                            .to_string(),
                        (true, true) => "Tools on: each call Claude asks for is put to you.".into(),
                        (false, _) => "Tools off.".into(),
                    }
                }
                SlashCommand::Model(id) => self.model_command(id, input, out).await,
                SlashCommand::Title(title) => self.title(title).await,
                SlashCommand::Attach(path) => {
                    let path = crate::worker::expand_home(&path);
                    match crate::attach::Attachment::read(std::path::Path::new(&path)) {
                        Ok(a) => {
                            let chip = a.chip();
                            self.attached.push(a);
                            format!("Attached {chip}; it goes with the next prompt.")
                        }
                        Err(e) => format!("Not attached: {e}"),
                    }
                }
                SlashCommand::New => {
                    self.conversation = None;
                    self.attached.clear();
                    "New conversation.".to_string()
                }
                SlashCommand::Retry => {
                    self.retry(input, out).await;
                    return Next::Go;
                }
                SlashCommand::Usage => self.usage().await,
                SlashCommand::Tab(_) | SlashCommand::Close => {
                    "Tabs are only in the full-screen app; plain mode has one conversation \
                     (/new starts another, /resume goes back to one)."
                        .to_string()
                }
                SlashCommand::Help => {
                    for line in help_lines() {
                        out.line(&line);
                    }
                    return Next::Go;
                }
            },
        };
        out.line(&said);
        Next::Go
    }

    /// `/usage`: the last reply's counts and cost, and what the conversation cost on
    /// every branch, from the history (as `oat history list` counts it).
    async fn usage(&self) -> String {
        let Some(id) = self.conversation else {
            return usage_report(None, None);
        };
        let prices = self.session.config.config.prices();
        let read = self
            .history
            .with(move |h| {
                let (c, all) = h.conversation(id)?;
                let last = crate::history::branch(&all, c.leaf)
                    .into_iter()
                    .rev()
                    .find(|m| m.role == "assistant");
                let spend = h.spend(&[id], &prices)?.remove(&id).unwrap_or_default();
                Ok((last, spend, prices))
            })
            .await;
        match read {
            Ok((last, spend, prices)) => {
                let last = last.map(|m| {
                    let (usage, cost) = price_reply(
                        &prices,
                        m.model.as_deref().unwrap_or(""),
                        m.usage.as_ref(),
                        m.credential_kind,
                        self.settings.cache,
                    );
                    let cost = match cost {
                        ReplyCost::Money(Some(c)) => Some(c.to_string()),
                        ReplyCost::Money(None) => Some("cost unknown".into()),
                        ReplyCost::Subscription => Some("on your subscription".into()),
                        ReplyCost::Unknown => None,
                    };
                    (usage, cost)
                });
                usage_report(last, spend.sentence())
            }
            Err(e) => format!("The history could not be read: {e}"),
        }
    }

    async fn title(&self, title: String) -> String {
        let Some(id) = self.conversation else {
            return "Send a first prompt, then name the conversation.".into();
        };
        let t = title.clone();
        match self.history.with(move |h| h.rename(id, &t)).await {
            Ok(()) => format!("Title: {title}"),
            Err(e) => format!("Not renamed: {e}"),
        }
    }

    /// `/model`: with an id, takes it if the list knows it; without, a numbered list.
    async fn model_command(
        &mut self,
        id: Option<String>,
        input: &mut Input,
        out: &mut Out,
    ) -> String {
        let Some(id) = id else {
            out.line(&format!("The chat uses {}. Models:", self.settings.model));
            if self.models.is_none() {
                match self.client.list_models().await {
                    Ok((models, _)) => self.models = Some(models),
                    Err(e) => {
                        out.line(&format!(
                            "Note: the live list did not load ({e}); the shipped list:"
                        ));
                    }
                }
            }
            let models = self
                .models
                .clone()
                .unwrap_or_else(|| crate::api::models::fallback_list().data.clone());
            let items: Vec<String> = models
                .iter()
                .map(|m| {
                    let using = if m.id == self.settings.model {
                        " (in use)"
                    } else {
                        ""
                    };
                    format!("{} — {}{using}", m.id, m.display_name)
                })
                .collect();
            return match pick(input, out, &items).await.and_then(|i| models.get(i)) {
                Some(m) => {
                    self.settings.model = m.id.clone();
                    format!("Model: {}", m.id)
                }
                None => format!("Still using {}.", self.settings.model),
            };
        };
        let list = self
            .models
            .clone()
            .unwrap_or_else(|| crate::api::models::fallback_list().data.clone());
        if list.iter().any(|m| m.id == id) {
            self.settings.model = id.clone();
            format!("Model: {id}")
        } else if self.models.is_none() {
            self.settings.model = id.clone();
            format!("Model: {id} (the live list has not loaded, so it is unchecked)")
        } else {
            format!(
                "No model {id} in the list; still using {} (/model alone lists them).",
                self.settings.model
            )
        }
    }

    /// `/resume`: the latest conversations as a numbered list; the one picked goes on,
    /// its turns shown again.
    async fn resume(&mut self, input: &mut Input, out: &mut Out) {
        let list = match self.history.with(|h| h.list(20)).await {
            Ok(l) => l,
            Err(e) => {
                out.line(&format!("The history could not be read: {e}"));
                return;
            }
        };
        if list.is_empty() {
            out.line("No saved conversations yet.");
            return;
        }
        out.line("Saved conversations, newest first:");
        let items: Vec<String> = list
            .iter()
            .map(|c| {
                format!(
                    "{} — {}, {}",
                    c.title,
                    c.model,
                    c.updated.format("%Y-%m-%d %H:%M")
                )
            })
            .collect();
        let Some(c) = pick(input, out, &items).await.and_then(|i| list.get(i)) else {
            return;
        };
        let sent = self.session.config.config.sent(self.session.api_version());
        self.settings = crate::conversation::Settings::from_saved(
            &c.settings,
            &c.model,
            c.system.clone(),
            sent,
        );
        self.conversation = Some(c.id);
        self.attached.clear();
        let branch = self.branch().await.unwrap_or_default();
        out.line(&format!(
            "Resumed: {} ({} messages).",
            c.title,
            branch.len()
        ));
        for m in branch.iter().filter(|m| !m.text.trim().is_empty()) {
            let who = if m.role == "user" { "You" } else { "Claude" };
            let stopped = if m.stopped { " [stopped]" } else { "" };
            out.line(&format!("{who}: {}{stopped}", m.text.trim_end()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apps_commands_parse_as_the_app_parses_them_and_plain_adds_two() {
        assert_eq!(parse("hello"), None);
        assert_eq!(parse("/quit"), Some(Ok(Command::Quit)));
        assert_eq!(parse("/exit"), Some(Ok(Command::Quit)));
        assert_eq!(parse("/resume"), Some(Ok(Command::Resume)));
        assert_eq!(
            parse("/model"),
            Some(Ok(Command::App(SlashCommand::Model(None))))
        );
        assert_eq!(
            parse("/web on"),
            Some(Ok(Command::App(SlashCommand::Web(true))))
        );
        assert_eq!(parse("/"), Some(Ok(Command::App(SlashCommand::Help))));
        assert!(matches!(parse("/nonsense"), Some(Err(_))));
    }

    #[test]
    fn help_lists_every_command_and_says_how_lines_continue() {
        let help = help_lines().join("\n");
        for c in COMMANDS {
            assert!(help.contains(&format!("/{}", c.name)), "{}", c.name);
        }
        assert!(help.contains("/quit") && help.contains("/resume"));
        assert!(help.contains("ending in \\"), "{help}");
        assert!(
            help.contains(
                "/tab [N]: a new conversation tab, or go to tab N (full-screen app only)"
            )
        );
    }
}
