//! The command line: argument definitions, the shared context every command needs (which
//! credential, which base URL), and dispatch to one module per command. Commands print
//! for people or scripts; they never hold a secret in an error or a log line.

mod ask;
mod error;
mod models;

use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

pub use error::CliError;

use crate::api::client::{ClientConfig, DEFAULT_BASE_URL, DEFAULT_IDLE_TIMEOUT};
use crate::api::messages::API_VERSION_DEFAULT;
use crate::api::Client;
use crate::credentials::{parse_credential, Credential, CredentialKind};

/// Environment variables read as credentials, in order of preference.
pub const CREDENTIAL_ENV_VARS: [&str; 2] = ["CLAUDE_CODE_OAUTH_TOKEN", "ANTHROPIC_API_KEY"];

#[derive(Debug, Parser)]
#[command(
    name = "oat",
    version,
    about = "A fast terminal client for Anthropic's Claude models",
    long_about = "A fast terminal client for Anthropic's Claude models.\n\n\
        Credentials: a Console API key (sk-ant-api03-…, the supported route) or a setup token \
        from `claude setup-token` (sk-ant-oat01-…; Anthropic intends these for Claude Code).\n\
        Until keys are stored, oat reads CLAUDE_CODE_OAUTH_TOKEN, then ANTHROPIC_API_KEY."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// API endpoint; a credential goes over plain http only to a loopback address.
    #[arg(long, global = true, env = "ANTHROPIC_BASE_URL", default_value = DEFAULT_BASE_URL)]
    pub base_url: String,
    /// The `anthropic-version` header: 2023-06-01 (default) or 2026-10-21.
    #[arg(long, global = true, default_value = API_VERSION_DEFAULT)]
    pub api_version: String,
    /// Extra `anthropic-beta` flags (repeatable); the OAuth flag is added when needed.
    #[arg(long = "beta", global = true, value_name = "FLAG")]
    pub betas: Vec<String>,
    /// Treat the credential as this kind instead of reading its prefix.
    #[arg(long, global = true, value_enum)]
    pub kind: Option<CredentialKind>,
    /// Give up on a reply after this many seconds without any data from the server.
    #[arg(long, global = true, value_name = "SECS", default_value_t = DEFAULT_IDLE_TIMEOUT.as_secs())]
    pub idle_timeout: u64,
    /// Print what oat is doing (never the secret) and logs to stderr.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Stream one reply to stdout.
    Ask(ask::AskArgs),
    /// List the models the credential can use (the shipped list when offline).
    Models(models::ModelsArgs),
}

/// Parses arguments, runs the command and turns the outcome into an exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let log_file = crate::logging::init(cli.global.verbose);
    tracing::info!(version = env!("CARGO_PKG_VERSION"), ?log_file, "start");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("oat: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(run(cli));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::warn!(code = e.code, error = %e.message, "failed");
            e.print();
            ExitCode::from(e.code)
        }
    }
}

async fn run(cli: Cli) -> Result<(), CliError> {
    let ctx = Context { global: cli.global };
    match cli.command {
        Command::Ask(args) => ask::run(&ctx, args).await,
        Command::Models(args) => models::run(&ctx, args).await,
    }
}

/// What every command shares: the global flags and how to build a client from them.
pub struct Context {
    pub global: GlobalArgs,
}

/// Where the credential in use came from, for `--verbose` and messages.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub credential: Credential,
    pub source: String,
}

impl Context {
    /// The credential: CLAUDE_CODE_OAUTH_TOKEN, else ANTHROPIC_API_KEY.
    pub fn credential(&self) -> Result<Resolved, CliError> {
        for var in CREDENTIAL_ENV_VARS {
            let Ok(raw) = std::env::var(var) else {
                continue;
            };
            if raw.trim().is_empty() {
                continue;
            }
            let credential = parse_credential(&raw, self.global.kind)
                .map_err(|e| CliError::usage(format!("${var}: {e}")))?;
            return Ok(Resolved {
                credential,
                source: format!("env:{var}"),
            });
        }
        Err(CliError::no_credential())
    }

    pub fn client_config(&self) -> ClientConfig {
        ClientConfig {
            base_url: self.global.base_url.clone(),
            api_version: self.global.api_version.clone(),
            betas: self.global.betas.clone(),
            idle_timeout: Duration::from_secs(self.global.idle_timeout.max(1)),
            ..ClientConfig::default()
        }
    }

    pub fn client(&self) -> Result<(Client, Resolved), CliError> {
        let resolved = self.credential()?;
        let client = Client::new(self.client_config(), resolved.credential.clone())
            .map_err(|e| CliError::usage(e.to_string()))?;
        if self.global.verbose {
            eprintln!(
                "oat: {} {} from {} → {} (anthropic-version {})",
                resolved.credential.kind.label(),
                resolved.credential.secret,
                resolved.source,
                client.base_url(),
                self.global.api_version
            );
        }
        Ok((client, resolved))
    }
}
