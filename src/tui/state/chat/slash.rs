//! The `/commands` typed in the composer: what each means, parsed from text. Pure.

use crate::api::messages::{Effort, ThinkingChoice};

/// A `/command` typed in the composer.
#[derive(Debug, Clone, PartialEq)]
pub enum SlashCommand {
    System(Option<String>),
    MaxTokens(Option<u32>),
    Temperature(Option<f32>),
    Thinking(ThinkingChoice),
    Effort(Option<Effort>),
    Model(String),
    Title(String),
    Web(bool),
    Attach(String),
    New,
    Help,
}

pub const SLASH_HELP: &str = "/attach PATH (Tab completes; or @path) · /system TEXT · /max-tokens N · /temperature T · /thinking off|adaptive|N · /effort low|medium|high|xhigh|max · /model ID · /web on|off · /title TEXT · /new · (empty value resets)";

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
        "model" if !arg.is_empty() => Ok(SlashCommand::Model(arg.to_string())),
        "title" if !arg.is_empty() => Ok(SlashCommand::Title(arg.to_string())),
        "web" => match arg {
            "on" => Ok(SlashCommand::Web(true)),
            "off" => Ok(SlashCommand::Web(false)),
            _ => Err("/web takes on or off".into()),
        },
        "attach" if !arg.is_empty() => Ok(SlashCommand::Attach(arg.to_string())),
        "attach" => Err("/attach takes a file's path (Tab completes it)".into()),
        "new" | "clear" => Ok(SlashCommand::New),
        "help" => Ok(SlashCommand::Help),
        other => Err(format!("unknown command /{other}. {SLASH_HELP}")),
    })
}
