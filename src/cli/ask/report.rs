//! The end of `oat ask`: what a turn tells, written to the terminal as it streams
//! (`Print`, the engine's sink), then the JSON or final newline, the usage line, notes
//! and the exit status for how the turn ended (`report`).

use super::spend;
use super::{AskArgs, CliError, Context, Output};
use crate::api::reply::{self, Refusal};
use crate::cli::error::{EXIT_API, EXIT_REFUSAL};
use crate::conversation::Settings;
use crate::conversation::turn::{self, End, Outcome, Sink, TurnEvent};
use crate::credentials::keys::Resolved;

/// Writes what a turn tells to the terminal (or nothing until the end, with `--json`).
pub(super) struct Print<'a> {
    pub(super) out: &'a mut Output,
    /// Tools allowed without asking (`--allow`).
    pub(super) allow: &'a [String],
    /// Whether calls are put to the person on the terminal (else refused).
    pub(super) ask_on_terminal: bool,
}

impl Sink for Print<'_> {
    fn event(&mut self, event: TurnEvent<'_>) -> bool {
        match event {
            TurnEvent::Retrying(n) => {
                eprintln!("oat: {n}");
                true
            }
            TurnEvent::Delta(d) => self.out.delta(&d).is_ok(),
            TurnEvent::BlockStopped(block) => self.out.block(block).is_ok(),
            TurnEvent::Continuing { attempt, limit } => {
                let _ = self.out.flush();
                eprintln!("\noat: {}", turn::continuing_words(attempt, limit));
                true
            }
            TurnEvent::Opened { .. } | TurnEvent::ReplyKept { .. } => true,
        }
    }

    fn caught_up(&mut self) -> bool {
        self.out.flush().is_ok()
    }
}

/// The end of `oat ask`: the JSON or the final newline, the usage line, notes, and the
/// exit status for how the turn ended.
pub(super) fn report(
    ctx: &Context,
    args: &AskArgs,
    settings: &Settings,
    resolved: &Resolved,
    outcome: Outcome,
    mut out: Output,
    max_tokens: u32,
) -> Result<(), CliError> {
    let assembler = &outcome.assembler;
    let figures = spend::Figures::of(
        assembler,
        settings,
        resolved.credential.kind,
        &outcome.limits,
        &ctx.config.config,
    );
    match outcome.end {
        // The reader went away (`| head`): nothing left to write to.
        End::Unheard => return Ok(()),
        End::Cancelled => {
            out.finish(assembler, None);
            return Err(CliError::interrupted());
        }
        End::Failed(e) => {
            out.finish(assembler, Some(figures.json()));
            if args.usage && assembler.usage().is_some() {
                eprintln!("oat: usage: {}", figures.line());
            }
            let web = settings.choices.web && crate::api::web::refused_for_tools(&e);
            let mut err = CliError::from(e);
            if web {
                err = spend::web_advice(err);
            }
            if !assembler.text().is_empty() {
                err.message
                    .push_str(" (the text above is what arrived before)");
            }
            return Err(err.with_code(EXIT_API));
        }
        End::Finished => out.finish(assembler, Some(figures.json())),
    }
    if args.usage {
        eprintln!("oat: usage: {}", figures.line());
    }
    let message = assembler.message();
    for note in reply::notes(&message) {
        eprintln!("oat: note: {note}");
    }
    // Said in one line as it happened (`conversation::tools`); nothing ran.
    if crate::conversation::tools::broken_call(&assembler.content()) {
        return Err(CliError::silent(EXIT_API));
    }
    if let Some(refusal) = Refusal::of(&message) {
        eprintln!("{}", refusal.sentence());
        return Err(CliError::silent(EXIT_REFUSAL));
    }
    if assembler.stop_reason() == Some("pause_turn") {
        eprintln!("oat: note: {}", turn::STILL_PAUSED);
    }
    if reply::context_full(assembler.stop_reason()) {
        eprintln!(
            "oat: {} Start a new conversation, or continue with --continue --drop-oldest to leave the oldest turns out.",
            reply::CONTEXT_FULL
        );
    }
    if assembler.stop_reason() == Some("max_tokens") {
        eprintln!(
            "oat: note: the reply stopped at the max_tokens limit ({max_tokens}); raise --max-tokens for more"
        );
    }
    Ok(())
}
