//! `oat ask`: one prompt in, one streamed reply out. Text goes to stdout as it arrives,
//! thinking to stderr (dimmed), or the whole message as JSON with `--json`. Ctrl-C stops
//! at once, keeps what was printed and exits 130.

mod output;
mod prepare;
mod spend;

use std::io::IsTerminal;
use std::time::Instant;

use clap::Args;

use super::error::{EXIT_API, EXIT_REFUSAL};
use super::{CliError, Context};
use crate::api::messages::{Effort, Message, RequestOptions, ThinkingChoice, plan_request};
use crate::api::models::fallback;
use crate::api::reply::{self, Refusal};
use crate::api::{ApiError, Assembler, Delta, StreamEvent};
use crate::history::to_api_messages;
use output::Output;
use prepare::{SAVE_EVERY, Saver, model_info, read_prompt};

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
    let save = args.save || continue_from.is_some();
    let history = if save {
        Some(super::history::open()?)
    } else {
        None
    };
    let resumed = match (&history, continue_from) {
        (Some(h), Some(id)) => {
            let id = match id {
                Some(id) => id,
                None => h
                    .latest()?
                    .map(|c| c.id)
                    .ok_or_else(|| CliError::usage("no conversation to continue yet"))?,
            };
            let (c, all) = h.conversation(id)?;
            let branch = crate::history::branch(&all, c.leaf);
            Some((c, branch))
        }
        _ => None,
    };
    let model_id = args
        .model
        .clone()
        .or_else(|| resumed.as_ref().map(|(c, _)| c.model.clone()))
        .or_else(|| resolved.meta.model.clone())
        .or_else(|| ctx.config.config.default_model.clone())
        .unwrap_or_else(|| fallback().default_model);
    // A continued conversation needs the model's real context window for the gate.
    let needs_live = args.thinking.is_some()
        || args.effort.is_some()
        || args.max_tokens.is_some()
        || resumed.is_some()
        || !files.is_empty();
    let model = model_info(&client, &model_id, needs_live).await?;
    let options = RequestOptions {
        model: model_id.clone(),
        max_tokens: args.max_tokens,
        system: args
            .system
            .clone()
            .or_else(|| resumed.as_ref().and_then(|(c, _)| c.system.clone())),
        temperature: args.temperature,
        thinking: args.thinking.unwrap_or(ThinkingChoice::Default),
        effort: args.effort,
        api_version: ctx.api_version(),
        cache: if args.no_cache {
            None
        } else {
            ctx.config.config.caching()
        },
        web: args.web,
    };
    let mut messages = resumed
        .as_ref()
        .map(|(_, m)| to_api_messages(m))
        .unwrap_or_default();
    // The limits are per request: files resent from the earlier turns count too.
    let earlier_files: Vec<&crate::attach::Attachment> = resumed
        .iter()
        .flat_map(|(_, branch)| branch.iter().flat_map(|m| &m.attachments))
        .collect();
    if !files.is_empty() {
        if let Some(m) = &model {
            crate::attach::check_model(&files, &m.id, &m.capabilities).map_err(CliError::usage)?;
        }
        let earlier: u64 = messages
            .iter()
            .map(|m| serde_json::to_string(&m.content).map_or(0, |s| s.len() as u64))
            .sum::<u64>()
            .saturating_sub(
                earlier_files
                    .iter()
                    .map(|f| crate::attach::limits::request_bytes(f))
                    .sum(),
            );
        let all: Vec<&crate::attach::Attachment> =
            earlier_files.iter().copied().chain(&files).collect();
        crate::attach::limits::check(
            &all,
            model.as_ref().and_then(|m| m.max_input_tokens),
            earlier + prompt.len() as u64,
        )
        .map_err(CliError::usage)?;
    }
    messages.push(Message {
        role: crate::api::Role::User,
        content: crate::attach::user_content(&prompt, &files, false),
    });
    let mut planned = plan_request(&options, model.as_ref(), messages).map_err(CliError::usage)?;
    if let Some(limit) = model.as_ref().and_then(|m| m.max_input_tokens) {
        spend::fit_context(&client, &mut planned.request, limit, args.drop_oldest).await?;
    }
    // The prompt is saved before it is sent, so nothing typed is ever lost.
    let mut saver = match history {
        Some(h) => {
            let (conversation, parent) = match &resumed {
                Some((c, branch)) => (c.id, branch.last().map(|m| m.id)),
                None => (
                    h.create_conversation(
                        &prompt,
                        &model_id,
                        options.system.as_deref(),
                        &serde_json::json!({"max_tokens": planned.request.max_tokens}),
                    )?,
                    None,
                ),
            };
            let prompt_id = h.add_prompt(conversation, parent, &prompt, &files)?;
            if ctx.global.verbose {
                eprintln!(
                    "oat: saving to conversation {conversation} in {}",
                    h.path().display()
                );
            }
            Some(Saver {
                history: h,
                conversation,
                model: model_id.clone(),
                paid_by: resolved.credential.kind,
                prompt: prompt_id,
                reply: None,
                last: Instant::now(),
            })
        }
        None => None,
    };
    for note in &planned.notes {
        eprintln!("oat: note: {note}");
    }
    if ctx.global.verbose {
        eprintln!(
            "oat: model {model_id}, max_tokens {}{}",
            planned.request.max_tokens,
            if model.is_none() {
                " (model not in the shipped list)"
            } else {
                ""
            }
        );
    }

    let started = Instant::now();
    let mut on_retry = |n: crate::api::RetryNotice| {
        eprintln!(
            "oat: {} — retrying in {:.1}s (attempt {} of 3)",
            n.error,
            n.wait.as_secs_f64(),
            n.attempt
        );
    };
    // One Ctrl-C listener and one save timer for the whole reply: made afresh for every
    // event, they cost a signal registration and a clock read per delta.
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    let save_timer = tokio::time::sleep(SAVE_EVERY);
    tokio::pin!(save_timer);
    let mut stream = tokio::select! {
        opened = client.stream_message(&planned.request, &mut on_retry) => match opened {
            Ok(stream) => stream,
            Err(e) if args.web => return Err(spend::web_advice(e.into())),
            Err(e) => return Err(e.into()),
        },
        _ = &mut interrupted => return Err(CliError::interrupted()),
    };

    let mut out = Output::new(args.json);
    let mut assembler = Assembler::new();
    let mut first_token = None;
    let mut unsaved = false;
    let failure: Option<ApiError> = loop {
        let next = tokio::select! {
            biased;
            // The stream first: when events wait in its buffer, nothing else is polled.
            next = stream.next_event() => next,
            // A stalled stream still gets what arrived saved within a second.
            _ = &mut save_timer, if unsaved && saver.is_some() => {
                if let Some(s) = saver.as_mut() {
                    s.progress(&assembler, first_token, false, true);
                }
                unsaved = false;
                continue;
            }
            _ = &mut interrupted => {
                out.finish(&assembler, None);
                if let Some(s) = saver.as_mut() {
                    s.progress(&assembler, first_token, false, true);
                }
                return Err(CliError::interrupted());
            }
        };
        let event = match next {
            None => break None,
            Some(Err(e)) => break Some(e),
            Some(Ok(event)) => event,
        };
        // Applied before it is printed: an event that breaks the protocol is neither shown
        // nor kept, so stdout, `--json` and the history agree.
        if let Err(e) = assembler.apply(&event) {
            break Some(e);
        }
        let written = match &event {
            StreamEvent::ContentBlockDelta { delta, .. } => {
                first_token.get_or_insert_with(|| started.elapsed());
                if !unsaved && saver.is_some() {
                    save_timer
                        .as_mut()
                        .reset(tokio::time::Instant::now() + SAVE_EVERY);
                }
                unsaved = true;
                out.delta(delta)
            }
            // A block may start with its text already in it: shown like a delta.
            StreamEvent::ContentBlockStart { content_block, .. } => {
                match crate::api::stream::starting_text(content_block) {
                    Some(text) => out.delta(&Delta::TextDelta { text }),
                    None => Ok(()),
                }
            }
            StreamEvent::ContentBlockStop { index } => match assembler.block(*index) {
                Some(block) => out.block(block),
                None => Ok(()),
            },
            _ => Ok(()),
        };
        if written.is_err() {
            // The reader went away (`| head`): nothing left to write to.
            return Ok(());
        }
        if !stream.has_buffered() {
            if out.flush().is_err() {
                return Ok(());
            }
            if let Some(s) = saver.as_mut()
                && s.progress(&assembler, first_token, false, false)
            {
                unsaved = false;
            }
        }
    };
    let figures = spend::Figures::of(
        &assembler,
        &model_id,
        resolved.credential.kind,
        &stream.limits,
        &ctx.config.config,
    );
    out.finish(&assembler, Some(figures.json()));
    if let Some(s) = saver.as_mut() {
        s.progress(
            &assembler,
            first_token,
            failure.is_none() && assembler.is_complete(),
            true,
        );
    }

    if ctx.global.verbose {
        eprintln!(
            "oat: request id {}, first token after {}, total {:.2}s, usage {}",
            stream.request_id.as_deref().unwrap_or("-"),
            first_token.map_or("-".into(), |d| format!("{:.2}s", d.as_secs_f64())),
            started.elapsed().as_secs_f64(),
            assembler.usage().map_or("-".into(), |u| u.to_string())
        );
    }
    if args.usage {
        eprintln!("oat: usage: {}", figures.line());
    }
    if let Some(e) = failure {
        let mut err = CliError::from(e);
        if args.web {
            err = spend::web_advice(err);
        }
        if !assembler.text().is_empty() {
            err.message
                .push_str(" (the text above is what arrived before)");
        }
        return Err(err.with_code(EXIT_API));
    }
    let message = assembler.message();
    for note in reply::notes(&message) {
        eprintln!("oat: note: {note}");
    }
    if let Some(refusal) = Refusal::of(&message) {
        eprintln!("{}", refusal.sentence());
        return Err(CliError::silent(EXIT_REFUSAL));
    }
    if assembler.stop_reason() == Some("max_tokens") {
        eprintln!(
            "oat: note: the reply stopped at the max_tokens limit ({}); raise --max-tokens for more",
            planned.request.max_tokens
        );
    }
    Ok(())
}
