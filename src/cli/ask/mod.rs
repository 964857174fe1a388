//! `oat ask`: one prompt in, one streamed reply out. Text goes to stdout as it arrives,
//! thinking to stderr (dimmed), or the whole message as JSON with `--json`. Ctrl-C stops
//! at once, keeps what was printed and exits 130.

mod output;
mod prepare;
mod report;
mod spend;
mod tools;

use std::io::IsTerminal;

use clap::Args;

use super::error::EXIT_API;
use super::{CliError, Context};
use crate::api::messages::{Effort, ThinkingChoice};
use crate::conversation::turn::{self, Keeping, Kept, PromptTarget};
use crate::conversation::{Settings, api_messages, sent};
use crate::credentials::keys::Resolved;
use crate::history::{Conversation, StoredMessage};
use output::Output;
use prepare::{model_info, read_prompt};
use report::{Print, report};

#[derive(Debug, Args)]
pub struct AskArgs {
    /// The prompt; with none, it is read from stdin. Piped stdin is appended as context.
    pub prompt: Vec<String>,
    /// Attach a file (repeatable): an image (PNG, JPEG, GIF, WebP), a PDF, or a text or
    /// source file; the type is read from the content. Limits are checked before sending.
    #[arg(short = 'f', long = "file", value_name = "PATH")]
    pub files: Vec<std::path::PathBuf>,
    /// Model id (see `oat models`).
    #[arg(short, long)]
    pub model: Option<String>,
    /// A system prompt.
    #[arg(long)]
    pub system: Option<String>,
    /// The most tokens the reply may use (default 8192, capped by the model).
    #[arg(long)]
    pub max_tokens: Option<u32>,
    /// Sampling temperature, 0 to 1 (not sent under API version 2026-10-21).
    #[arg(long)]
    pub temperature: Option<f32>,
    /// `off`, `adaptive` (current models) or a token budget such as 4096 (older models).
    #[arg(long, value_name = "off|adaptive|BUDGET")]
    pub thinking: Option<ThinkingChoice>,
    /// How hard an adaptive model works: low, medium, high, xhigh or max (which a model
    /// takes is in its capabilities).
    #[arg(long, value_enum)]
    pub effort: Option<Effort>,
    /// Print the final assembled message (content blocks, stop reason, usage) as JSON.
    #[arg(long)]
    pub json: bool,
    /// Keep this exchange in the history (see `oat history`).
    #[arg(long)]
    pub save: bool,
    /// Continue the latest conversation with its earlier turns as context (implies
    /// --save). `--continue ID PROMPT` continues conversation ID instead.
    #[arg(long = "continue")]
    pub continue_: bool,
    /// When the conversation no longer fits the model's context, leave its oldest turns
    /// out of what is sent (the history keeps them) instead of stopping.
    #[arg(long, requires = "continue_")]
    pub drop_oldest: bool,
    /// Let Claude search (and fetch) the web: Anthropic's server-side tools, billed per
    /// search on an API key. oat runs nothing locally.
    #[arg(long)]
    pub web: bool,
    /// Let Claude use the tools of the configured MCP servers (`oat mcp list`): each call
    /// is asked about on the terminal; with no terminal it is refused unless --allow
    /// names it.
    #[arg(long)]
    pub tools: bool,
    /// Allow this tool without asking (repeatable; implies --tools): its whole name
    /// (`mcp__server__tool`), or `mcp__server` for all of a server's tools.
    #[arg(long, value_name = "TOOL")]
    pub allow: Vec<String>,
    /// Send no cache breakpoints (prompt caching is on unless `cache = false` in config).
    #[arg(long)]
    pub no_cache: bool,
    /// After the reply, print one line to stderr: tokens, cache reads and writes, and the
    /// cost on an API key (or the subscription usage on a setup token).
    #[arg(long)]
    pub usage: bool,
}

pub async fn run(ctx: &Context, mut args: AskArgs) -> Result<(), CliError> {
    let (client, resolved) = ctx.client()?;
    // `--continue 12 more text`: a leading number names the conversation.
    let continue_from = match (
        args.continue_,
        args.prompt.first().map(|w| w.parse::<i64>()),
    ) {
        (false, _) => None,
        (true, Some(Ok(id))) if args.prompt.len() > 1 || !std::io::stdin().is_terminal() => {
            args.prompt.remove(0);
            Some(Some(id))
        }
        (true, _) => Some(None),
    };
    let prompt = read_prompt(&args).await?;
    // Files are read and checked before anything else is done with the prompt.
    let files = args
        .files
        .iter()
        .map(|p| crate::attach::Attachment::read(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| CliError::usage(e.to_string()))?;
    let history = if args.save || continue_from.is_some() {
        Some(super::history::open()?)
    } else {
        None
    };
    let resumed = match (&history, continue_from) {
        (Some(h), Some(id)) => Some(continued(h, id)?),
        _ => None,
    };
    let settings = settings_for(ctx, &args, &resolved, resumed.as_ref().map(|(c, _)| c));
    // A continued conversation needs the model's real context window for the gate.
    let needs_live = args.thinking.is_some()
        || args.effort.is_some()
        || args.max_tokens.is_some()
        || resumed.is_some()
        || !files.is_empty();
    let model = model_info(&client, &settings.model, needs_live).await?;
    let branch: &[StoredMessage] = resumed.as_ref().map_or(&[], |(_, b)| b.as_slice());
    let earlier: Vec<&crate::attach::Attachment> =
        branch.iter().flat_map(|m| &m.attachments).collect();
    let messages = api_messages(
        sent::stored_exchanges(branch),
        crate::attach::user_content(&prompt, &files, false),
    );
    let servers = match settings.choices.tools {
        Some(true) => {
            let (s, t) = tools::start(ctx, resolved.credential.kind).await?;
            Some((tokio::sync::Mutex::new(s), t))
        }
        _ => None,
    };
    let offered = servers.as_ref().map(|(_, t)| t.clone()).unwrap_or_default();
    let mut planned = crate::conversation::plan::plan_with_tools(
        &settings,
        model.as_ref(),
        messages,
        &earlier,
        &files,
        &crate::conversation::tools::offered(&offered),
    )
    .map_err(CliError::usage)?;
    if let Some(limit) = model.as_ref().and_then(|m| m.max_input_tokens)
        && spend::fit_context(&client, &mut planned.request, limit, args.drop_oldest).await?
    {
        // Fewer turns, another prefix: what the rest may carry is decided again.
        planned.thinking_note = crate::conversation::plan::finish(&mut planned.request);
    }
    // The prompt is kept before it is sent, so nothing typed is ever lost.
    let keeping = match history {
        Some(h) => {
            let target = PromptTarget {
                conversation: resumed.as_ref().map(|(c, _)| c.id),
                prompt,
                files,
                parent: branch.last().map(|m| m.id),
                reply_to: None,
                settings: settings.clone(),
            };
            Some(keep(ctx, h, target, resolved.credential.kind).await?)
        }
        None => None,
    };
    notes(ctx, &settings, model.as_ref(), &planned);
    let started = std::time::Instant::now();
    let mut out = Output::new(args.json);
    let mut always = std::collections::BTreeSet::new();
    let outcome = {
        let mut sink = Print {
            out: &mut out,
            allow: &args.allow,
            ask_on_terminal: tools::can_ask(),
        };
        let interrupted = async {
            // Without a handler Ctrl-C would kill oat before the reply is kept.
            let _ = tokio::signal::ctrl_c().await;
        };
        let toolbox =
            servers
                .as_ref()
                .map(|(servers, tools)| crate::conversation::tools::Toolbox {
                    servers,
                    tools: tools.clone(),
                    always: &mut always,
                });
        let request = planned.request.clone();
        crate::conversation::tools::run(&client, request, keeping, interrupted, &mut sink, toolbox)
            .await
    };
    if let Some((s, _)) = servers.as_ref() {
        s.lock().await.stop_all().await;
    }
    if ctx.global.verbose {
        eprintln!(
            "oat: request id {}, first token after {}, total {:.2}s, usage {}",
            outcome.request_id.as_deref().unwrap_or("-"),
            outcome
                .first_token
                .map_or("-".into(), |d| format!("{:.2}s", d.as_secs_f64())),
            started.elapsed().as_secs_f64(),
            outcome
                .assembler
                .usage()
                .map_or("-".into(), |u| u.to_string())
        );
    }
    report(
        ctx,
        &args,
        &settings,
        &resolved,
        outcome,
        out,
        planned.request.max_tokens,
    )
}

/// The conversation `--continue` names (`None`: the latest), on the branch last used.
fn continued(
    h: &crate::history::History,
    id: Option<i64>,
) -> Result<(Conversation, Vec<StoredMessage>), CliError> {
    let id = match id {
        Some(id) => id,
        None => h
            .latest()?
            .map(|c| c.id)
            .ok_or_else(|| CliError::usage("no conversation to continue yet"))?,
    };
    let (c, all) = h.conversation(id)?;
    let branch = crate::history::branch(&all, c.leaf);
    Ok((c, branch))
}

/// Keeps the prompt (the engine's rule) and says where the reply will be kept.
async fn keep(
    ctx: &Context,
    h: crate::history::History,
    target: PromptTarget,
    paid_by: crate::credentials::CredentialKind,
) -> Result<Keeping, CliError> {
    let shared = crate::history::Shared::opened(h);
    let kept = turn::keep_prompt(&shared, target)
        .await
        .map_err(|e| CliError::usage(e).with_code(EXIT_API))?;
    let (conversation, prompt) = match kept {
        Kept::In {
            conversation,
            prompt,
        } => (conversation, prompt),
        // Deleted by another process since it was read: nothing is sent.
        Kept::Gone(c) => {
            return Err(CliError::usage(format!(
                "conversation {c} was deleted meanwhile; nothing was sent"
            ))
            .with_advice("leave out --continue to start a new conversation"));
        }
    };
    if ctx.global.verbose {
        eprintln!("oat: saving to conversation {conversation}");
    }
    Ok(Keeping {
        history: shared,
        conversation,
        prompt,
        paid_by,
    })
}

/// What to know before the reply: what planning changed, a model about to retire, and
/// with `-v` the model and budget.
fn notes(
    ctx: &Context,
    settings: &Settings,
    model: Option<&crate::api::Model>,
    planned: &crate::api::messages::Planned,
) {
    for note in planned.notes.iter().chain(&planned.thinking_note) {
        eprintln!("oat: note: {note}");
    }
    let shipped = &crate::api::models::fallback_list().data;
    let retiring =
        model.and_then(|m| crate::api::models::retirement_warning(m, shipped, chrono::Utc::now()));
    if let Some(w) = retiring {
        eprintln!("oat: warning: {w} (`oat models` lists them)");
    }
    if ctx.global.verbose {
        eprintln!(
            "oat: model {}, max_tokens {}{}",
            settings.model,
            planned.request.max_tokens,
            if model.is_none() {
                " (model not in the shipped list)"
            } else {
                ""
            }
        );
    }
}

/// What the prompt is sent with: a continued conversation's latest settings, then what
/// the flags say; a new one starts from the flags, the key's model and the config.
fn settings_for(
    ctx: &Context,
    args: &AskArgs,
    resolved: &Resolved,
    resumed: Option<&Conversation>,
) -> Settings {
    let mut sent = ctx.config.config.sent(ctx.api_version());
    if args.no_cache {
        sent.cache = None;
    }
    let mut s = match resumed {
        Some(c) => Settings::from_saved(&c.settings, &c.model, c.system.clone(), sent),
        None => Settings {
            model: ctx.starting_model(resolved.meta.model.clone()),
            choices: crate::conversation::Choices::default(),
            cache: sent.cache,
            api_version: sent.api_version,
            thinking_display: sent.thinking_display,
            web_code_execution: sent.web_code_execution,
        },
    };
    let c = &mut s.choices;
    if let Some(m) = &args.model {
        s.model = m.clone();
    }
    if let Some(v) = &args.system {
        c.system = Some(v.clone());
    }
    if let Some(v) = args.max_tokens {
        c.max_tokens = Some(v);
    }
    if let Some(v) = args.temperature {
        c.temperature = Some(v);
    }
    if let Some(v) = args.thinking {
        c.thinking = v;
    }
    if let Some(v) = args.effort {
        c.effort = Some(v);
    }
    c.web |= args.web;
    if args.tools || !args.allow.is_empty() {
        c.tools = Some(true);
    } else if c.tools == Some(true) {
        // `oat ask` offers tools only when asked to: a continued conversation that had
        // them goes on without (and the binding rule says so if thinking is dropped).
        c.tools = Some(false);
    }
    s
}
