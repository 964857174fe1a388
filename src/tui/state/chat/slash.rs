//! The `/commands` typed in the composer: what each means, parsed from text. Pure.

use crate::api::messages::{Effort, ThinkingChoice};
use crate::conversation::Choices;

/// A `/command` typed in the composer.
#[derive(Debug, Clone, PartialEq)]
pub enum SlashCommand {
    System(Option<String>),
    MaxTokens(Option<u32>),
    Temperature(Option<f32>),
    Thinking(ThinkingChoice),
    Effort(Option<Effort>),
    /// No id: show the model in use and open the list.
    Model(Option<String>),
    Title(String),
    Web(bool),
    /// The configured MCP servers' tools for this conversation.
    Tools(bool),
    Attach(String),
    New,
    /// Ask again for the last reply (the old one stays, as another branch).
    Retry,
    /// The last reply's tokens and cost, and the conversation's.
    Usage,
    /// Another conversation tab: a new one (`/tab`), or tab N (from 1).
    Tab(Option<usize>),
    /// Close the conversation's tab (it stays saved in the history).
    Close,
    Help,
}

impl SlashCommand {
    /// Applies a command that only changes a setting of the conversation, and returns
    /// what to say of it (the app's notice as it is; plain mode makes it a sentence);
    /// `None` for the other commands. Both front ends share it, so they say the same.
    pub fn apply_setting(&self, s: &mut Choices) -> Option<String> {
        let said = match self {
            SlashCommand::System(v) => {
                s.system = v.clone();
                "System prompt set for this conversation.".to_string()
            }
            SlashCommand::MaxTokens(v) => {
                s.max_tokens = *v;
                format!(
                    "max tokens: {}",
                    v.map_or("default".into(), |n| n.to_string())
                )
            }
            SlashCommand::Temperature(v) => {
                s.temperature = *v;
                format!(
                    "temperature: {}",
                    v.map_or("default".into(), |t| t.to_string())
                )
            }
            SlashCommand::Thinking(v) => {
                s.thinking = *v;
                format!("thinking: {}", thinking_words(*v))
            }
            SlashCommand::Effort(v) => {
                s.effort = *v;
                format!("effort: {}", v.map_or("default", |e| e.as_str()))
            }
            SlashCommand::Web(on) => {
                s.web = *on;
                if *on {
                    "Web search on: Claude may search and fetch pages (Anthropic runs them; \
                     $10 per 1,000 searches on an API key)."
                        .to_string()
                } else {
                    "Web search off.".to_string()
                }
            }
            _ => return None,
        };
        Some(said)
    }
}

/// A thinking setting in words, as the composer's title shows it.
pub fn thinking_words(t: ThinkingChoice) -> String {
    match t {
        ThinkingChoice::Default => "the model's default".into(),
        ThinkingChoice::Off => "off".into(),
        ThinkingChoice::Adaptive => "adaptive".into(),
        ThinkingChoice::Budget(n) => format!("up to {n} tokens"),
    }
}

/// What `/usage` says, alike in both front ends: the last reply's tokens and what it cost
/// (`last`: `None` before the first reply), then what the conversation cost, every
/// branch's replies included.
pub fn usage_report(
    last: Option<(Option<crate::api::usage::Usage>, Option<String>)>,
    conversation: Option<String>,
) -> String {
    let Some((usage, cost)) = last else {
        return "No reply yet in this conversation.".into();
    };
    let mut s = format!(
        "Last reply: {}",
        usage.map_or_else(|| "no token counts arrived".to_string(), |u| u.words())
    );
    if let Some(c) = cost {
        s.push_str(&format!(", {c}"));
    }
    s.push('.');
    if let Some(c) = conversation {
        s.push_str(&format!(" This conversation: {c}."));
    }
    s
}

/// The first letter in upper case: a setting's words as a sentence of their own.
pub fn sentence(words: &str) -> String {
    let mut c = words.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// One `/command` as the `/` popup and the help list it: its name, what it takes, what
/// it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    pub name: &'static str,
    /// What follows the name (empty: nothing).
    pub args: &'static str,
    pub help: &'static str,
}

const fn cmd(name: &'static str, args: &'static str, help: &'static str) -> CommandInfo {
    CommandInfo { name, args, help }
}

/// Every command, in the order the popup shows them. Settings without a value go back to
/// the default.
#[rustfmt::skip] // one command a line reads as the table it is
pub const COMMANDS: &[CommandInfo] = &[
    cmd("model", "[ID]", "show or change the model (no ID: the list)"),
    cmd("attach", "PATH", "attach a file (Tab completes; or type @)"),
    cmd("system", "[TEXT]", "system prompt for this conversation"),
    cmd("thinking", "[off|adaptive|N]", "extended thinking (N: a token budget)"),
    cmd("effort", "[low|medium|high|xhigh|max]", "how hard the model works"),
    cmd("max-tokens", "[N]", "longest reply, in tokens"),
    cmd("temperature", "[0…1]", "randomness of the reply"),
    cmd("web", "on|off", "web search and fetch by Anthropic"),
    cmd("tools", "on|off", "the MCP servers' tools (each call asked)"),
    cmd("title", "TEXT", "name this conversation"),
    cmd("new", "", "start this tab afresh (also /clear)"),
    cmd("retry", "", "regenerate the last reply (old one kept)"),
    cmd("usage", "", "tokens and cost: last reply, conversation"),
    cmd("tab", "[N]", "a new conversation tab, or go to tab N"),
    cmd("close", "", "close this tab (kept in History)"),
    cmd("help", "", "these commands and every key"),
];

/// Commands whose name starts with what follows the `/` (the whole list for a bare `/`).
pub fn matching_commands(typed: &str) -> Vec<&'static CommandInfo> {
    COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(typed))
        .collect()
}

/// The `/word` being typed, while the composer holds nothing else: what the popup narrows
/// by. `None` once a space, a second line or anything before the `/` appears.
pub fn typed_command(text: &str) -> Option<&str> {
    let rest = text.strip_prefix('/')?;
    (!rest.contains(char::is_whitespace)).then_some(rest)
}

pub fn parse_slash(input: &str) -> Option<Result<SlashCommand, String>> {
    let rest = input.trim().strip_prefix('/')?;
    let (cmd, arg) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
    let arg = arg.trim();
    let opt = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let num = |what: &str| -> Result<Option<u32>, String> {
        if arg.is_empty() {
            Ok(None)
        } else {
            arg.parse()
                .map(Some)
                .map_err(|_| format!("{what} takes a number"))
        }
    };
    Some(match cmd {
        "system" => Ok(SlashCommand::System(opt(arg))),
        "max-tokens" => num("/max-tokens").map(SlashCommand::MaxTokens),
        "temperature" => {
            if arg.is_empty() {
                Ok(SlashCommand::Temperature(None))
            } else {
                arg.parse::<f32>()
                    .ok()
                    .filter(|t| (0.0..=1.0).contains(t))
                    .map(|t| SlashCommand::Temperature(Some(t)))
                    .ok_or_else(|| "/temperature takes a number from 0 to 1".to_string())
            }
        }
        "thinking" => {
            if arg.is_empty() {
                Ok(SlashCommand::Thinking(ThinkingChoice::Default))
            } else {
                arg.parse().map(SlashCommand::Thinking)
            }
        }
        // Any level oat knows; whether the chat's model takes it is checked, against its
        // capabilities, when the prompt is sent.
        "effort" => match arg {
            "" => Ok(SlashCommand::Effort(None)),
            level => Effort::parse(level)
                .map(|e| SlashCommand::Effort(Some(e)))
                .ok_or_else(|| {
                    let all: Vec<&str> = Effort::ALL.iter().map(|e| e.as_str()).collect();
                    format!("unknown effort `{level}`: {}", all.join(", "))
                }),
        },
        "model" => Ok(SlashCommand::Model(opt(arg))),
        "title" if !arg.is_empty() => Ok(SlashCommand::Title(arg.to_string())),
        "web" => match arg {
            "on" => Ok(SlashCommand::Web(true)),
            "off" => Ok(SlashCommand::Web(false)),
            _ => Err("/web takes on or off".into()),
        },
        "tools" => match arg {
            "on" => Ok(SlashCommand::Tools(true)),
            "off" => Ok(SlashCommand::Tools(false)),
            _ => Err("/tools takes on or off".into()),
        },
        "attach" if !arg.is_empty() => Ok(SlashCommand::Attach(arg.to_string())),
        "attach" => Err("/attach takes a file's path (Tab completes it)".into()),
        "new" | "clear" => Ok(SlashCommand::New),
        "retry" | "regenerate" => Ok(SlashCommand::Retry),
        "usage" | "cost" => Ok(SlashCommand::Usage),
        "tab" if arg.is_empty() => Ok(SlashCommand::Tab(None)),
        "tab" => arg
            .parse()
            .map(|n| SlashCommand::Tab(Some(n)))
            .map_err(|_| "/tab takes a tab's number (none: a new tab)".to_string()),
        "close" => Ok(SlashCommand::Close),
        "help" => Ok(SlashCommand::Help),
        other => Err(format!(
            "unknown command /{other}: type / to see the commands, or /help"
        )),
    })
}
