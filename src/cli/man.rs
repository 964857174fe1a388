//! `oat man`: the manual, one page per command as the top page's SEE ALSO promises
//! (`oat(1)`, `oat-ask(1)`, `oat-key-add(1)`, …), each with the sections clap does not
//! write: EXIT STATUS, ENVIRONMENT and FILES. Generated from the argument definitions
//! alone, so it works with a broken config.

use std::io::Write;
use std::path::Path;

/// Every page: the top one first, then each command and subcommand, depth first.
pub fn commands(mut root: clap::Command) -> Vec<clap::Command> {
    fn walk(cmd: &clap::Command, out: &mut Vec<clap::Command>) {
        out.push(cmd.clone());
        for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
            walk(sub, out);
        }
    }
    root = root.disable_help_subcommand(true);
    // Building names each subcommand `oat-ask`, and gives it the global options.
    root.build();
    let mut out = Vec::new();
    walk(&root, &mut out);
    out
}

/// The command whose page `path` names (`["key", "add"]`), or `None`.
pub fn find(root: clap::Command, path: &[String]) -> Option<clap::Command> {
    let name = std::iter::once("oat")
        .chain(path.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join("-");
    commands(root)
        .into_iter()
        .find(|c| c.get_display_name().unwrap_or(c.get_name()) == name)
}

/// The page's file name (`oat-ask.1`).
pub fn file_name(cmd: &clap::Command) -> String {
    clap_mangen::Man::new(cmd.clone()).get_filename()
}

/// One page, in roff, ASCII only.
pub fn render(cmd: clap::Command) -> std::io::Result<String> {
    let token_status = cmd.get_display_name() == Some("oat-token-status");
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subs = cmd.get_subcommands().any(|s| !s.is_hide_set());
    // Only the top command carries the version (clap_mangen assumes one is there).
    let has_version = cmd.get_version().is_some() || cmd.get_long_version().is_some();
    let man = clap_mangen::Man::new(cmd).source(format!("oat {}", env!("CARGO_PKG_VERSION")));
    let mut out = Vec::new();
    man.render_title(&mut out)?;
    man.render_name_section(&mut out)?;
    man.render_synopsis_section(&mut out)?;
    man.render_description_section(&mut out)?;
    if has_args {
        man.render_options_section(&mut out)?;
    }
    if has_subs {
        man.render_subcommands_section(&mut out)?;
    }
    out.write_all(exit_status(token_status).as_bytes())?;
    out.write_all(ENVIRONMENT.as_bytes())?;
    out.write_all(FILES.as_bytes())?;
    if has_version {
        man.render_version_section(&mut out)?;
    }
    Ok(roff_ascii(&String::from_utf8_lossy(&out)))
}

/// Writes every page into `dir`; the paths written.
pub fn write_all(root: clap::Command, dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for cmd in commands(root) {
        let path = dir.join(file_name(&cmd));
        std::fs::write(&path, render(cmd)?)?;
        written.push(path);
    }
    Ok(written)
}

fn exit_status(token_status: bool) -> String {
    let mut s = String::from(".SH \"EXIT STATUS\"\n");
    if token_status {
        s.push_str(
            ".TP\n0\nThe key is valid.\n.TP\n1\nThe key is invalid, expired or refused.\n\
             .TP\n2\nThe key expires within 30 days.\n.TP\n3\nIt could not be checked \
             (offline); the last known state is printed.\n",
        );
    } else {
        s.push_str(
            ".TP\n0\nSuccess.\n.TP\n1\nThe API or the network failed, or a store could not \
             be read or written.\n.TP\n2\nA usage error: a bad argument, a broken config \
             file, no credential.\n.TP\n4\nThe model declined the request (`stop_reason` \
             refusal); its reason is printed.\n.TP\n130\nInterrupted (Ctrl-C).\n",
        );
    }
    s
}

const ENVIRONMENT: &str = ".SH ENVIRONMENT\n\
.TP\nANTHROPIC_API_KEY\nA Console API key, used as the read-only key env:ANTHROPIC_API_KEY.\n\
.TP\nCLAUDE_CODE_OAUTH_TOKEN\nA setup token, used as the read-only key env:CLAUDE_CODE_OAUTH_TOKEN (before ANTHROPIC_API_KEY).\n\
.TP\nANTHROPIC_BASE_URL\nThe API endpoint, as \\-\\-base\\-url.\n\
.TP\nOAT_CONFIG\nThe config file, as \\-\\-config.\n\
.TP\nOAT_SCREEN_READER\nSet to 1: oat and oat chat start in plain mode (lines of text for screen readers), as oat chat \\-\\-plain.\n\
.TP\nOAT_LOG\nWhat the log records: target=level pairs, e.g. oat=debug or oat=trace,hyper=info.\n\
.TP\nHTTPS_PROXY, HTTP_PROXY, NO_PROXY\nProxies, honoured as usual.\n\
.TP\nSSL_CERT_FILE\nExtra certificate authorities to trust.\n\
.TP\nVISUAL, EDITOR\nThe editor for the app's Ctrl\\-O and for oat config edit.\n\
.TP\nNO_COLOR\nNo colours.\n";

const FILES: &str = ".SH FILES\n\
.TP\n~/.config/oat/config.toml\nThe config (the platform's config directory; see oat config path).\n\
.TP\n~/.config/oat/credentials\nKeys kept in the 0600 file when no OS keyring is used.\n\
.TP\n~/.local/share/oat/history.db\nSaved conversations and their files.\n\
.TP\n~/.local/state/oat/oat.log\nThe log: every notice the app showed, and what failed.\n";

/// groff reads ASCII: other characters go as `\[uXXXX]`.
pub fn roff_ascii(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                format!("\\[u{:04X}]", u32::from(c))
            }
        })
        .collect()
}
