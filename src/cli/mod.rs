//! The command line: argument definitions, the shared context every command needs (which
//! credential, which base URL), and dispatch to one module per command. Commands print
//! for people or scripts; they never hold a secret in an error or a log line.

mod ask;
mod config;
mod doctor;
mod error;
pub mod history;
mod key;
mod man;
mod mcp;
mod models;
mod out;
mod question;
mod table;
mod token;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use crate::session::GlobalArgs;
/// What every command shares: the run's options and the config (see `session`); the
/// commands add the ways to a credential and a client that fail with a `CliError`.
pub use crate::session::Session as Context;
use crate::session::{AppEntry, AppMode};
pub use error::CliError;

use crate::api::Client;
use crate::config::ConfigFile;
use crate::credentials::keys::{KeyError, Resolved};

#[derive(Debug, Parser)]
#[command(
    name = "oat",
    version = crate::version::LONG,
    about = "A fast terminal client for Anthropic's Claude models",
    long_about = "A fast terminal client for Anthropic's Claude models.\n\n\
        Credentials: a Console API key (sk-ant-api03-…, the supported route) or a setup token \
        from `claude setup-token` (sk-ant-oat01-…; Anthropic intends these for Claude Code).\n\
        The credential used: --key NAME, else the active key (`oat key use`), else \
        CLAUDE_CODE_OAUTH_TOKEN, else ANTHROPIC_API_KEY."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// With no command, the terminal app opens.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The chat: the full-screen app, or with --plain lines of text for screen readers.
    Chat(ChatArgs),
    /// Stream one reply to stdout.
    Ask(ask::AskArgs),
    /// List the models the credential can use (the shipped list when offline).
    Models(models::ModelsArgs),
    /// Add, list, choose, rename and remove stored keys.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Check a key live: validity, expiry, rate limits and subscription usage.
    #[command(subcommand)]
    Token(token::TokenCommand),
    /// Saved conversations: list, show, search, export, delete.
    #[command(subcommand)]
    History(history::HistoryCommand),
    /// The config file: its path, every setting in effect with its source, or $EDITOR on it.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// MCP servers (the tools Claude may ask to use): list them, import them.
    #[command(subcommand)]
    Mcp(mcp::McpCommand),
    /// Check this installation: build, paths, keyring, key, API, TLS, proxy, terminal.
    Doctor(doctor::DoctorArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): oat(1), or a command's (`oat man key add` is oat-key-add(1));
    /// `--dir DIR` writes every page there.
    Man {
        /// The command whose page to print (none: the top page).
        command: Vec<String>,
        /// Write every page (oat.1, oat-ask.1, …) into this folder instead, e.g.
        /// ~/.local/share/man/man1.
        #[arg(long, value_name = "DIR")]
        dir: Option<std::path::PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct ChatArgs {
    /// Plain mode, for screen readers: no full screen, no boxes or animation; replies
    /// as lines of text with "You:" and "Claude:" (also OAT_SCREEN_READER=1, or
    /// `screen_reader = true` in the config).
    #[arg(long)]
    pub plain: bool,
}

/// Parses arguments, runs the command (or, with none, `app`: the terminal app, handed in
/// by `main.rs` so that this module never imports it) and turns the outcome into an exit
/// code.
pub fn main(app: AppEntry) -> ExitCode {
    let cli = Cli::parse();
    let log_file = crate::logging::init(cli.global.verbose);
    tracing::info!(version = crate::version::LONG, ?log_file, "start");
    say_made_private(&crate::private::tighten_existing());
    // One thread: a command is one request at a time, so a streamed reply is read and
    // written without waking a second thread for every chunk. The app runs its network
    // worker on a thread and runtime of its own (`worker::WorkerThread`), which sleeps
    // between frames while replies stream; this one is the UI's.
    let built = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let runtime = match built {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("oat: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(run(cli, app));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // Stdout's reader went away: nothing failed that a person should hear of.
        Err(e) if e.code == 0 => {
            tracing::info!("stdout closed by its reader; stopped quietly");
            ExitCode::SUCCESS
        }
        Err(e) => {
            tracing::warn!(code = e.code, error = %e.message, "failed");
            e.print();
            ExitCode::from(e.code)
        }
    }
}

async fn run(cli: Cli, app: AppEntry) -> Result<(), CliError> {
    // Generated from the argument definitions alone: they work even with a broken config.
    let generated = match &cli.command {
        Some(Command::Completions { shell }) => {
            let mut text = Vec::new();
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "oat", &mut text);
            Some(text)
        }
        Some(Command::Man { command, dir }) => {
            let root = <Cli as clap::CommandFactory>::command();
            let failed = |e: std::io::Error| {
                CliError::usage(format!("could not write the man pages: {e}")).with_code(1)
            };
            if let Some(dir) = dir {
                let written = man::write_all(root, dir).map_err(failed)?;
                let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                Some(format!("{}\n", names.join("\n")).into_bytes())
            } else {
                let Some(cmd) = man::find(root, command) else {
                    return Err(CliError::usage(format!(
                        "no command `oat {}` (oat --help lists them)",
                        command.join(" ")
                    )));
                };
                Some(man::render(cmd).map_err(failed)?.into_bytes())
            }
        }
        _ => None,
    };
    if let Some(text) = generated {
        // `oat man | head` closing the pipe early is not a failure.
        return out::write(&String::from_utf8_lossy(&text));
    }
    // `oat config` works on a broken file too: fixing one is what it is for.
    if let Some(Command::Config(cmd)) = cli.command {
        return config::run(&cli.global, cmd);
    }
    let config_path = cli
        .global
        .config
        .clone()
        .unwrap_or_else(ConfigFile::default_path);
    let config = match ConfigFile::load(&config_path) {
        Ok(c) => c,
        // The doctor runs anyway, to report the file among everything else.
        Err(_) if matches!(cli.command, Some(Command::Doctor(_))) => ConfigFile {
            path: config_path,
            config: Default::default(),
        },
        Err(e) => {
            return Err(CliError::usage(e.to_string()).with_advice(
                "Fix it with `oat config edit` (or move it aside to start afresh); oat will not overwrite it.",
            ))
        }
    };
    let ctx = Context {
        global: cli.global,
        config,
    };
    match cli.command {
        None => Ok(app(&ctx, AppMode::Auto).await?),
        Some(Command::Chat(args)) => {
            let mode = if args.plain {
                AppMode::Plain
            } else {
                AppMode::Auto
            };
            Ok(app(&ctx, mode).await?)
        }
        Some(Command::Ask(args)) => ask::run(&ctx, args).await,
        Some(Command::Models(args)) => models::run(&ctx, args).await,
        Some(Command::Key(cmd)) => key::run(&ctx, cmd).await,
        Some(Command::Token(cmd)) => token::run(&ctx, cmd).await,
        Some(Command::History(cmd)) => history::run(cmd, &ctx.config.config.prices()).await,
        Some(Command::Doctor(args)) => doctor::run(&ctx, args).await,
        Some(Command::Mcp(cmd)) => mcp::run(&ctx, cmd).await,
        Some(Command::Completions { .. } | Command::Man { .. } | Command::Config(_)) => Ok(()),
    }
}

/// Said once, on stderr (before the app takes the screen, so it is still there after):
/// the next start finds nothing left to tighten.
fn say_made_private(changed: &[std::path::PathBuf]) {
    if changed.is_empty() {
        return;
    }
    for path in changed {
        tracing::info!(path = %path.display(), "made private (0700 folder / 0600 file)");
    }
    let list: Vec<String> = changed.iter().map(|p| p.display().to_string()).collect();
    eprintln!(
        "oat: made private (only you can read them now): {}",
        list.join(", ")
    );
}

impl From<KeyError> for CliError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::NoCredential => CliError::no_credential(),
            KeyError::Store(s) => CliError::usage(s.to_string()).with_code(error::EXIT_API),
            other => CliError::usage(other.to_string()),
        }
    }
}

impl Context {
    /// The credential: `--key`, else the active key, else the environment. A key in the
    /// plain-text file is not warned about here: the warning is said when the key is added
    /// and by `key list` and `token status`, not on every `ask`.
    pub fn credential(&self) -> Result<Resolved, CliError> {
        Ok(self.keys().resolve(self.global.key.as_deref())?)
    }

    pub fn client_for(&self, resolved: &Resolved) -> Result<Client, CliError> {
        let config = self.client_config().with_key(
            resolved.meta.base_url.as_deref(),
            resolved.meta.model.as_deref(),
        );
        let client = Client::new(config, resolved.credential.clone())
            .map_err(|e| CliError::usage(e.to_string()))?;
        if self.global.verbose {
            eprintln!(
                "oat: {} {} from key `{}` → {} (anthropic-version {})",
                resolved.credential.kind.label(),
                resolved.credential.secret,
                resolved.name,
                client.base_url(),
                self.api_version()
            );
        }
        Ok(client)
    }

    pub fn client(&self) -> Result<(Client, Resolved), CliError> {
        let resolved = self.credential()?;
        Ok((self.client_for(&resolved)?, resolved))
    }
}

/// Said at every use of the file backend, so plain-text storage is never forgotten.
pub fn warn_file_backend() {
    eprintln!(
        "oat: warning: a key is stored in plain text in a 0600 file, not in a keyring \
         (`oat key list` shows which)"
    );
}
