//! `oat token status`: validates a key live and reports it (text or JSON), records the
//! result, and exits with a code cron can act on: 0 valid, 1 invalid/expired/refused,
//! 2 valid but expiring within 30 days, 3 could not check.

use crate::cli::out::{out, outln};
use std::time::Instant;

use chrono::Local;
use clap::Subcommand;

use super::{CliError, Context};
use crate::status::{Check, EXIT_VALID, StatusReport};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Kind, masked value, store, expiry estimate, a live check and the limits it reported.
    Status {
        /// The key to check (default: `--key`, the active key, then the environment).
        name: Option<String>,
        #[arg(long)]
        json: bool,
        /// Do not contact the API: print what is known (exit code 3).
        #[arg(long)]
        offline: bool,
    },
}

pub async fn run(ctx: &Context, cmd: TokenCommand) -> Result<(), CliError> {
    let TokenCommand::Status {
        name,
        json,
        offline,
    } = cmd;
    let mut keys = ctx.keys();
    let resolved = keys.resolve(name.as_deref().or(ctx.global.key.as_deref()))?;
    if resolved.meta.backend == crate::config::Backend::File {
        super::warn_file_backend();
    }
    let active = keys.config.config.active_key.as_deref() == Some(resolved.name.as_str())
        || (keys.config.config.active_key.is_none() && name.is_none() && ctx.global.key.is_none());
    let mut report = StatusReport::new(
        &resolved.meta,
        active,
        resolved.credential.secret.masked(),
        Local::now().date_naive(),
    )
    .with_attempt(keys.config.config.last_attempts.get(&resolved.name));
    let mut client = None;
    if !offline {
        let c = ctx.client_for(&resolved)?;
        let started = Instant::now();
        let result = c.validate().await;
        let (check, limits) = Check::from_result(&result, started.elapsed());
        report.limits = limits;
        if let Err(e) = keys.record_validation(&resolved.name, check.to_last_validation()) {
            tracing::warn!(error = %e, "could not record the validation");
        }
        // The model is asked about only with a key the API has just accepted.
        client = check.verdict.authenticated().then_some(c);
        report.check = Some(check);
    }
    report.retirement =
        super::models::retirement(ctx, client.as_ref(), resolved.meta.model.clone()).await;
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| CliError::usage(e.to_string()))?
        )?;
    } else {
        out!("{}", report.render())?;
    }
    match report.exit_code() {
        EXIT_VALID => Ok(()),
        code => Err(CliError::silent(code)),
    }
}
