//! `oat config edit`: the file in `$EDITOR` (a commented template when there is none),
//! checked before it is saved and saved only if no other oat changed it meanwhile; a
//! draft left by an editor that was killed is cleared once its oat is gone.

use std::io::IsTerminal;
use std::path::Path;

use super::env;
use crate::cli::CliError;
use crate::cli::out::outln;
use crate::config;
use crate::files::{FileLock, write_atomic};

/// What a new config file starts with: every setting, commented out, at its default.
const TEMPLATE: &str = "# oat's config: uncomment what you want to change (see `oat config show`).
# default_model = \"claude-sonnet-5-5\"
# api_version = \"2023-06-01\"
# ca_cert = \"/etc/ssl/company-ca.pem\"
# proxy = \"http://proxy.example:3128\"
# cache = true
# cache_ttl = \"5m\"          # or \"1h\"
# thinking_display = \"summarized\"  # or \"omitted\" (only a token count shows)
# web_code_execution = false  # true: the web tools may run code server-side
# theme = \"auto\"            # or \"dark\", \"light\"
# images = true             # pictures of attached images (false: chips only)
# screen_reader = false     # true: `oat` starts in plain mode (lines of text)
# links = \"auto\"            # hyperlinks (OSC 8) in replies: \"on\", \"off\"; auto: not in tmux
# [prices.\"my-model\"]       # USD per million tokens
# input = 2.0
# output = 8.0
# [mcp.servers.files]       # an MCP server's tools (`oat mcp list`); stdio:
# command = \"npx\"
# args = [\"-y\", \"@modelcontextprotocol/server-filesystem\", \"/home/me/notes\"]
# env = { LOG_LEVEL = \"info\" }
# exclude_tools = [\"write_file\"]
# enabled = true
# [mcp.servers.remote]      # or Streamable HTTP:
# url = \"https://mcp.example.com/mcp\"
# headers = { Authorization = \"Bearer …\" }
";

fn editor() -> Vec<String> {
    let raw = env("VISUAL")
        .or_else(|| env("EDITOR"))
        .unwrap_or_else(|| "vi".into());
    raw.split_whitespace().map(str::to_string).collect()
}

/// Edits a copy, checks it, and replaces the file under its lock only if the file still
/// holds what the copy started from: another oat's change is never overwritten.
pub(super) fn edit(path: &Path) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError::usage(crate::files::io_words(path, &e)).with_code(1);
    if let Some(dir) = path.parent() {
        crate::files::create_private_dir(dir).map_err(io)?;
    }
    let original = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(io(e)),
    };
    let draft = path.with_extension(format!("toml.edit-{}", std::process::id()));
    std::fs::write(&draft, original.as_deref().unwrap_or(TEMPLATE)).map_err(io)?;
    let command = editor();
    loop {
        let (program, args) = command
            .split_first()
            .ok_or_else(|| CliError::usage("$EDITOR is empty"))?;
        let status = std::process::Command::new(program)
            .args(args)
            .arg(&draft)
            .status()
            .map_err(|e| {
                CliError::usage(format!("could not start the editor `{program}`: {e}"))
                    .with_advice("set $VISUAL or $EDITOR to your editor")
            })?;
        if !status.success() {
            return Err(CliError::usage(format!(
                "the editor exited with {status}; nothing saved (your edit is in {})",
                draft.display()
            )));
        }
        let text = std::fs::read_to_string(&draft).map_err(io)?;
        // The copy is what failed to parse: name it, not the file it will replace.
        match config::parse(&text, &draft) {
            Ok(_) => return save(path, &draft, original.as_deref(), &text),
            Err(e) => {
                eprintln!("oat: {e}");
                if !ask_again()? {
                    return Err(CliError::usage(format!(
                        "not saved: the file would not load; your edit is in {}",
                        draft.display()
                    )));
                }
            }
        }
    }
}

fn ask_again() -> Result<bool, CliError> {
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let answer = crate::cli::question::ask("Edit again? [Y/n] ")?;
    Ok(!answer.eq_ignore_ascii_case("n"))
}

fn save(path: &Path, draft: &Path, original: Option<&str>, text: &str) -> Result<(), CliError> {
    let _lock = FileLock::acquire(path).map_err(|e| CliError::usage(e.to_string()).with_code(1))?;
    let now = std::fs::read_to_string(path).ok();
    if now.as_deref() != original {
        return Err(CliError::usage(format!(
            "{} changed while you were editing (another oat wrote it); not overwritten",
            path.display()
        ))
        .with_advice(format!(
            "your edit is in {}: merge it with `oat config edit`",
            draft.display()
        ))
        .with_code(1));
    }
    if original == Some(text) {
        let _ = std::fs::remove_file(draft);
        outln!("No change.")?;
        return Ok(());
    }
    write_atomic(path, text.as_bytes(), None)
        .map_err(|e| CliError::usage(crate::files::io_words(path, &e)).with_code(1))?;
    let _ = std::fs::remove_file(draft);
    remove_stale_drafts(path);
    outln!("Saved {}.", path.display())?;
    Ok(())
}

/// After a saved edit, the copies that earlier failed edits left aside (`config.toml.
/// edit-PID`) are history: they are removed, except one whose oat is still running (its
/// editor may be open on it).
fn remove_stale_drafts(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!("{}.edit-", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if !process_alive(pid) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a process with this id exists (an edit in another oat, or a recycled id: both
/// keep the copy, the safe side). Where it cannot be told, it is taken as alive.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // SAFETY: signal 0 sends nothing; kill only checks that the process exists.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}
